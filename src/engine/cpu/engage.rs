//! Kernel 3 of 5, `engage`: one invocation per (replicate, track) pair that `schedule`
//! listed.
//! Resolves the salvo `allocate` assigned, at its intercept (after the interceptors'
//! fly-out; in the same tick when it is shorter than a tick): each interceptor works with
//! its reliability, and one that works kills independently with its Pk against the
//! threat's weapon (a manoeuvring re-entry vehicle lowers it per tier). A failed round is
//! counted apart. Retires the opportunity once its doctrine is spent; the look of
//! shoot-look-shoot comes after the intercept. Until the intercept, it only reports the
//! threat's next wake. Twin of `shaders/engage.wgsl`.

use super::advance::next_wake_once;
use super::*;
use crate::engine::rng::{D_KILL, D_WORKS};

/// The twin of `engage.wgsl`, with the CPU's one look per window in the next wake
/// ([`engage_with`]).
#[inline]
pub fn engage(tb: &Tables, lane: &mut Lane, k: u32) {
    engage_with(tb, lane, k, true);
}

/// `engage` as the WGSL runs it, line for line ([`next_wake`]). The oracle of `engage`'s
/// shortcut (`tests/memos.rs`).
pub fn engage_as_wgsl(tb: &Tables, lane: &mut Lane, k: u32) {
    engage_with(tb, lane, k, false);
}

/// A threat's next wake: [`next_wake`], or on the CPU (`once`) the same from one read of
/// each open window's rows ([`next_wake_once`]).
#[inline(always)]
fn wake(tb: &Tables, lane: &Lane, tr: &Track, th: &Threat, tick: u32, once: bool) -> u32 {
    if once {
        next_wake_once(tb, lane, tr, th, tick)
    } else {
        next_wake(tb, lane, tr, th, tick)
    }
}

/// `engage`, its next wakes taken one look per window (`once`, the CPU's) or as the WGSL
/// takes them.
#[inline(always)]
pub fn engage_with(tb: &Tables, lane: &mut Lane, k: u32, once: bool) {
    let tick = tb.params.tick;
    // As in `advance`, the row is read in full only past the early exit. A threat that
    // failed in flight this tick (in `advance`) is no longer there to meet.
    let (shot_opp, status) = (
        lane.threats[k as usize].shot_opp,
        lane.threats[k as usize].status,
    );
    if shot_opp == NONE || status & STATUS_MASK != FLYING {
        // A candidate `allocate` passed over for want of a channel: its next look is
        // when one frees, not the next tick `advance` assumed.
        if shot_opp == NONE
            && status & STATUS_MASK == FLYING
            && lane.threats[k as usize].free_at != NEVER
        {
            let th = lane.threats[k as usize];
            let tr = tb.tracks[k as usize];
            let next = wake(tb, lane, &tr, &th, tick, once);
            set_wake(lane, k, next);
        }
        return;
    }
    let mut th = lane.threats[k as usize];
    let tr = tb.tracks[k as usize];
    if th.intercept_at != tick {
        // In flight: started this tick, it meets the threat later.
        let next = wake(tb, lane, &tr, &th, tick, once);
        set_wake(lane, k, next);
        return;
    }
    let threat_class = tb.weapons[tr.weapon as usize].class;
    let j = th.shot_opp;
    let o = tb.opportunities[(tr.opp_first + j) as usize];
    let pk = kill_threshold(tb, lane, o.slot, tr.weapon);
    let mut killed = false;
    let mut failed = 0u32;
    for s in 0..th.shots {
        if !roll(tb, lane, k, D_WORKS + s, round_works(tb, lane, o.slot)) {
            failed += 1;
        } else if roll(tb, lane, k, D_KILL + s, pk) {
            killed = true;
        }
    }
    let c = tb.params.slot_counters + o.slot * SLOT_COUNTERS;
    lane.counters[(c + C_MALFUNCTIONS) as usize] += failed;
    if shots_for(tb, o.slot, threat_class, th.engagements) == 0 {
        th.done |= 1 << j;
    }
    th.shot_opp = NONE;
    th.shots = 0;
    th.intercept_at = NEVER;
    if killed {
        th.status = KILLED | (th.status & DETECTED);
        let w = tr.weapon * WEAPON_COUNTERS;
        if tr.stream == k {
            count(lane, w + C_INTERCEPTED);
            count(lane, c + C_KILLS);
        } else {
            count(lane, w + C_DECOY_KILLED);
        }
        record(lane, tick, k, E_KILLED, o.slot);
        lane.threats[k as usize] = th;
        set_wake(lane, k, DONE);
        return;
    }
    lane.threats[k as usize] = th;
    let next = wake(tb, lane, &tr, &th, tick, once);
    set_wake(lane, k, next);
}
