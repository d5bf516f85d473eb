//! Kernel 1 of 5, `advance`: one invocation per (replicate, track) pair that `schedule`
//! listed.
//! Launches threats whose time has come, fails the unreliable ones, notices impacts,
//! lets a decoy whose missile was killed before apogee vanish, and puts every detected
//! threat with an engagement open to it (and none in flight) on the candidate list. A
//! decoy launches, is detected and fails with its missile: its draws are its missile's
//! (`Track::stream`), and it counts in no figure of the missile's class. Twin of
//! `shaders/advance.wgsl`.

use super::*;
use crate::engine::rng::{D_DETECT, D_FAIL_AGE, D_FLIGHT, D_LAUNCH};

/// Count in a weapon's counters at `base`, unless `base` is `NONE` (a decoy's).
#[inline]
fn count_if(lane: &mut Lane, base: u32, counter: u32) {
    if base != NONE {
        count(lane, base + counter);
    }
}

/// Put track `k` on the lane's candidate list, for `allocate`; a full list is flagged,
/// not dropped silently.
#[inline]
pub fn push_candidate(lane: &mut Lane, k: u32) {
    let i = lane.candidate_count;
    if (i as usize) < lane.candidates.len() {
        lane.candidates[i as usize] = k;
        lane.candidate_count = i + 1;
    } else {
        set_status(lane, S_OVERFLOW);
    }
}

pub fn advance(tb: &Tables, lane: &mut Lane, k: u32) {
    let tick = tb.params.tick;
    // Only the words the early exit needs are read before it (`schedule` took it already
    // for the pairs it did not list).
    let status = lane.threats[k as usize].status & STATUS_MASK;
    let start = lane.group_start[tb.tracks[k as usize].group as usize];
    let due =
        status == PENDING && start != NEVER && start + launch_offset(tb, lane, k, start) == tick;
    if lane.wake[k as usize] != tick && !due {
        return;
    }
    let tr = tb.tracks[k as usize];
    let mut th = lane.threats[k as usize];
    // A decoy counts in no figure of its weapon's: it adds 0 to its weapon's counters.
    let missile = tr.stream == k;
    let base = if missile {
        tr.weapon * WEAPON_COUNTERS
    } else {
        NONE
    };
    if status == PENDING {
        if !due {
            return;
        }
        if !launcher_alive(lane, tr.launcher) {
            th.status = ABORTED;
            count_if(lane, base, C_ABORTED);
            if missile {
                record(lane, tick, k, E_ABORTED, 0);
            }
            lane.threats[k as usize] = th;
            set_wake(lane, k, DONE);
            return;
        }
        if !roll(tb, lane, tr.stream, D_LAUNCH, launch_ok(tb, lane, k)) {
            th.status = FAILED_LAUNCH;
            count_if(lane, base, C_FAILED_LAUNCH);
            if missile {
                record(lane, tick, k, E_LAUNCH_FAILED, 0);
            }
            lane.threats[k as usize] = th;
            set_wake(lane, k, DONE);
            return;
        }
        count_if(lane, base, C_LAUNCHED);
        th.status = FLYING;
        th.launch = tick;
        if roll(tb, lane, tr.stream, D_DETECT, detect_ok(tb, lane, k)) {
            th.status |= DETECTED;
        } else {
            count_if(lane, base, C_UNDETECTED);
        }
        if !roll(
            tb,
            lane,
            tr.stream,
            D_FLIGHT,
            flight_ok(tb, lane, tr.weapon),
        ) {
            th.fail_age = rand(tb, lane, tr.stream, D_FAIL_AGE) % tr.flight;
        }
        if missile {
            record(lane, tick, k, E_LAUNCH, (th.status & DETECTED) >> 8);
        }
    } else if status != FLYING {
        set_wake(lane, k, DONE);
        return;
    }
    let age = tick - th.launch;
    if age >= th.fail_age {
        th.status = FAILED_FLIGHT | (th.status & DETECTED);
        count_if(lane, base, C_FAILED_FLIGHT);
        if missile {
            record(lane, tick, k, E_FLIGHT_FAILED, 0);
        }
        lane.threats[k as usize] = th;
        set_wake(lane, k, DONE);
        return;
    }
    if age >= tr.flight {
        // Arrived: `impact` resolves it this tick.
        lane.threats[k as usize] = th;
        set_wake(lane, k, tick);
        return;
    }
    // A decoy separates at apogee, unless its missile was killed before: the missile's
    // row is read at the separation tick, before any kernel can kill it this tick (its
    // own `advance` may write it now, but never to KILLED, so the read is the same
    // whichever runs first).
    if !missile
        && age == tr.separation
        && lane.threats[tr.stream as usize].status & STATUS_MASK == KILLED
    {
        th.status = VANISHED | (th.status & DETECTED);
        lane.threats[k as usize] = th;
        set_wake(lane, k, DONE);
        return;
    }
    if th.status & DETECTED != 0 && th.shot_opp == NONE {
        let mut ready = false;
        // Over the open opportunities only: `opp_state` is `OPP_CLOSED` for the others.
        let mut open = open_at(tb, &tr, th.done, tick - th.launch);
        while open != 0 {
            let j = open.trailing_zeros();
            open &= open - 1;
            let s = opp_state(tb, lane, &tr, &th, j, tick);
            if s == OPP_SPENT {
                th.done |= 1 << j;
            } else if s == OPP_READY {
                ready = true;
            }
        }
        if ready {
            // `allocate` says again whether it must wait for a channel.
            th.free_at = NEVER;
            push_candidate(lane, k);
        }
    }
    lane.threats[k as usize] = th;
    let next = next_wake(tb, lane, &tr, &th, tick);
    set_wake(lane, k, next);
}
