//! Kernel 1 of 5, `advance`: one invocation per (replicate, track) pair that `schedule`
//! listed.
//! Launches threats whose time has come, fails the unreliable ones, notices impacts,
//! lets a decoy whose missile was killed before apogee vanish, and puts every detected
//! threat with an engagement open to it (and none in flight) on the candidate list. A
//! decoy launches, is detected and fails with its missile: its draws are its missile's
//! (`Track::stream`), and it counts in no figure of the missile's class. Twin of
//! `shaders/advance.wgsl`.

use super::*;
use crate::engine::plan::Plan;
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

/// The twin of `advance.wgsl`, with the CPU's one look per open window (see
/// [`advance_with`]).
#[inline]
pub fn advance(tb: &Tables, lane: &mut Lane, k: u32) {
    advance_with(tb, lane, k, true);
}

/// `advance` as the WGSL runs it, line for line: [`opp_state`] at this tick, then again at
/// the next in [`next_wake`]. The oracle of `advance`'s shortcut (`tests/memos.rs`).
pub fn advance_as_wgsl(tb: &Tables, lane: &mut Lane, k: u32) {
    advance_with(tb, lane, k, false);
}

/// `advance`, looking once (`once`, the CPU's) or as the WGSL does. Looking once, a
/// detected threat with no engagement in flight reads each open window's rows once for its
/// state at this tick and at the next ([`opp_states`]), and its next wake comes from those
/// ([`next_wake_looked`]) rather than from [`next_wake`]'s second look: the same wake, one
/// read of the battery, host asset and magazine instead of two.
#[inline(always)]
pub fn advance_with(tb: &Tables, lane: &mut Lane, k: u32, once: bool) {
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
    if once && th.status & DETECTED != 0 && th.shot_opp == NONE {
        look_once(tb, lane, k, &tr, th);
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

/// CPU only: the end of `advance` for a detected threat with no engagement in flight, each
/// open window looked at once. Its state at this tick marks it done or the threat ready, as
/// in the WGSL; its state at the next tick is what [`next_wake`] would find there (the
/// windows still open at the next tick and not done are among those open now). Waiting
/// for a channel (`Threat::free_at`) never applies here: a threat ready at this tick has
/// `free_at` cleared, and one that is not was ready at no open window, so [`next_wake`]'s
/// look at this tick is never asked for.
#[inline]
fn look_once(tb: &Tables, lane: &mut Lane, k: u32, tr: &Track, mut th: Threat) {
    let tick = tb.params.tick;
    let age = tick - th.launch;
    let (mut open, opening) = windows_at(tb, tr, th.done, age);
    let mut still_open = open;
    let mut ready = false;
    let mut next = NEVER;
    while open != 0 {
        let j = open.trailing_zeros();
        open &= open - 1;
        let (now, then, reload_at) = opp_states_looked(tb, lane, tr, &th, j, tick);
        if now == OPP_SPENT {
            th.done |= 1 << j;
            still_open &= !(1 << j);
            continue;
        }
        if now == OPP_READY {
            ready = true;
        }
        if then == OPP_READY {
            next = next.min(tick + 1);
        } else if then == OPP_WAIT {
            let exit = tb.windows[(tr.opp_first + j) as usize][1];
            if reload_at <= th.launch + exit {
                next = next.min(reload_at.max(tick + 1));
            }
        }
    }
    if ready {
        th.free_at = NEVER;
        push_candidate(lane, k);
        // `open_at` with the done bits just set, for `allocate`.
        lane.open[k as usize] = still_open;
    }
    lane.threats[k as usize] = th;
    let next = next_wake_looked(tr, &th, tick, opening).min(next);
    set_wake(lane, k, next);
}

/// CPU only (no WGSL twin; `advance`'s one look, [`advance_with`]):
/// [`opp_state`] of window `j`, open at `tick`, at `tick` and at `tick + 1`, from one read
/// of its rows, and the magazine's `reload_at` after the reloads due by `tick` (what
/// [`next_wake`] waits for). Between the two ticks only the window's end and the reloads
/// due at `tick + 1` can differ; reloading to `tick` and then to `tick + 1` is reloading to
/// `tick + 1`.
#[inline]
pub fn opp_states(
    tb: &Tables,
    lane: &Lane,
    tr: &Track,
    th: &Threat,
    j: u32,
    tick: u32,
) -> (u32, u32, u32) {
    let o = tb.opportunities[(tr.opp_first + j) as usize];
    let age = tick - th.launch;
    debug_assert!(
        age >= o.enter && age <= o.exit,
        "asked only of an open window"
    );
    if !battery_up(tb, lane, o.battery) {
        return (OPP_SPENT, OPP_SPENT, NEVER);
    }
    let slot = &tb.slots[o.slot as usize];
    let threat_class = tb.weapons[tr.weapon as usize].class;
    let n = if th.last_opp == j { th.engagements } else { 0 };
    let shots = shots_for(tb, o.slot, threat_class, n);
    if shots == 0 {
        return (OPP_SPENT, OPP_SPENT, NEVER);
    }
    let by = |m: MagazineState| {
        if m.ready >= shots {
            OPP_READY
        } else if m.reload_at != NEVER {
            OPP_WAIT
        } else {
            OPP_SPENT
        }
    };
    let now = reloaded(lane.magazines[o.slot as usize], slot, tick);
    let then = if age + 1 > o.exit {
        OPP_CLOSED
    } else {
        by(reloaded(now, slot, tick + 1))
    };
    (by(now), then, now.reload_at)
}

/// CPU only (`advance`'s one look): [`open_at`]'s bits, and the earliest `enter` of the
/// track's windows not done that open after `age` (`NEVER` when none does), which
/// [`next_wake`] scans for apart.
#[inline]
pub fn windows_at(tb: &Tables, tr: &Track, done: u32, age: u32) -> (u32, u32) {
    let mut open = 0u32;
    let mut opening = NEVER;
    for j in 0..tr.opp_count {
        let [enter, exit] = tb.windows[(tr.opp_first + j) as usize];
        if (done >> j) & 1 == 1 || age > exit {
            continue;
        }
        if enter > age {
            // `next_wake` skips a window closed by the next tick first: an `exit` below
            // `enter` (none is planned) opens nothing.
            if age < exit {
                opening = opening.min(enter);
            }
        } else {
            open |= 1 << j;
        }
    }
    (open, opening)
}

/// CPU only (`advance`'s one look): [`next_wake`] of a detected threat with no engagement
/// in flight, less its open windows' part (the caller's), given the earliest window
/// `opening` after this tick ([`windows_at`]).
#[inline]
pub fn next_wake_looked(tr: &Track, th: &Threat, tick: u32, opening: u32) -> u32 {
    let mut next = th.launch + tr.flight;
    if th.fail_age != NEVER {
        next = next.min(th.launch + th.fail_age);
    }
    let age = tick - th.launch;
    if age < tr.separation {
        next = next.min(th.launch + tr.separation);
    }
    if opening != NEVER {
        next = next.min(th.launch + opening);
    }
    next
}

/// CPU only: [`next_wake`], reading each open window's rows once for its state at the next
/// tick and, for a threat waiting for a channel, at this one ([`opp_states`]; the windows
/// open through the next tick are open at this one), where [`next_wake`] calls
/// [`opp_state`] for each and reads the magazine again for a reload. `engage` takes it on
/// the CPU ([`super::engage::engage_with`]).
#[inline]
pub fn next_wake_once(tb: &Tables, lane: &Lane, tr: &Track, th: &Threat, tick: u32) -> u32 {
    let mut next = th.launch + tr.flight;
    if th.fail_age != NEVER {
        next = next.min(th.launch + th.fail_age);
    }
    let age = tick - th.launch;
    if age < tr.separation {
        next = next.min(th.launch + tr.separation);
    }
    if th.shot_opp != NONE {
        return next.min(th.intercept_at);
    }
    if th.status & DETECTED == 0 {
        return next;
    }
    let mut open = 0u32;
    for j in 0..tr.opp_count {
        if (th.done >> j) & 1 == 1 {
            continue;
        }
        let [enter, exit] = tb.windows[(tr.opp_first + j) as usize];
        if age + 1 > exit {
            continue;
        }
        if enter > age {
            next = next.min(th.launch + enter);
            continue;
        }
        open |= 1 << j;
    }
    while open != 0 {
        let j = open.trailing_zeros();
        open &= open - 1;
        let (now, then, reload_at) = opp_states(tb, lane, tr, th, j, tick);
        if then == OPP_READY {
            let waits = th.free_at != NEVER && now == OPP_READY;
            next = next.min(if waits {
                th.free_at.max(tick + 1)
            } else {
                tick + 1
            });
        } else if then == OPP_WAIT {
            let exit = tb.windows[(tr.opp_first + j) as usize][1];
            if reload_at <= th.launch + exit {
                next = next.min(reload_at.max(tick + 1));
            }
        }
    }
    next
}

/// CPU only: a slot's battery and magazine at a tick and the next, as [`opp_states`] reads
/// them: the same for every threat `advance` looks at in a tick (no kernel writes a
/// magazine, a battery or an asset before `allocate`; the host, only between ticks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlotLook {
    pub battery: u32,
    /// [`battery_up`], as 0 or 1.
    pub up: u32,
    /// `ready` and `reload_at` of [`reloaded`] at the tick, and at the next.
    pub now: [u32; 2],
    pub then: [u32; 2],
}

/// [`SlotLook`] of slot `slot` for battery `battery` at `tick`, from the lane's looks when
/// this tick's is there (they are dropped at each new tick: `Lane::begin_tick`, and when
/// `looks_tick` is another tick).
#[inline]
fn slot_look(tb: &Tables, lane: &mut Lane, battery: u32, slot: u32, tick: u32) -> SlotLook {
    if lane.looks_tick != tick {
        lane.looked.fill(0);
        lane.looks_tick = tick;
    }
    let s = slot as usize;
    if (lane.looked[s / 32] >> (s % 32)) & 1 == 1 && lane.looks[s].battery == battery {
        return lane.looks[s];
    }
    let row = &tb.slots[s];
    let now = reloaded(lane.magazines[s], row, tick);
    let then = reloaded(now, row, tick + 1);
    let look = SlotLook {
        battery,
        up: battery_up(tb, lane, battery) as u32,
        now: [now.ready, now.reload_at],
        then: [then.ready, then.reload_at],
    };
    lane.looks[s] = look;
    lane.looked[s / 32] |= 1 << (s % 32);
    look
}

/// [`opp_states`] with the slot's battery and magazine from [`slot_look`]: `advance`'s
/// threats of a tick share a few batteries' magazines.
#[inline]
fn opp_states_looked(
    tb: &Tables,
    lane: &mut Lane,
    tr: &Track,
    th: &Threat,
    j: u32,
    tick: u32,
) -> (u32, u32, u32) {
    let o = tb.opportunities[(tr.opp_first + j) as usize];
    let age = tick - th.launch;
    debug_assert!(
        age >= o.enter && age <= o.exit,
        "asked only of an open window"
    );
    let look = slot_look(tb, lane, o.battery, o.slot, tick);
    if look.up == 0 {
        return (OPP_SPENT, OPP_SPENT, NEVER);
    }
    let threat_class = tb.weapons[tr.weapon as usize].class;
    let n = if th.last_opp == j { th.engagements } else { 0 };
    let shots = shots_for(tb, o.slot, threat_class, n);
    if shots == 0 {
        return (OPP_SPENT, OPP_SPENT, NEVER);
    }
    let by = |[ready, reload_at]: [u32; 2]| {
        if ready >= shots {
            OPP_READY
        } else if reload_at != NEVER {
            OPP_WAIT
        } else {
            OPP_SPENT
        }
    };
    let then = if age + 1 > o.exit {
        OPP_CLOSED
    } else {
        by(look.then)
    };
    (by(look.now), then, look.now[1])
}

impl Lane {
    /// Drop the CPU's memos (`engages`, `open`, `looks`), sized for `plan`: for a lane
    /// taken out of its run, as a what-if's replicate (`Simulation::fork_with`), whose
    /// draws (by replicate) and plan are not those the memos were found with.
    pub fn forget_memos(&mut self, plan: &Plan) {
        let t = plan.tracks.len();
        self.engages = vec![0; t];
        self.open = vec![0; t];
        self.looks = vec![advance::SlotLook::default(); plan.slots.len()];
        self.looked = vec![0; plan.slots.len().div_ceil(32)];
        self.looks_tick = NEVER;
    }
}
