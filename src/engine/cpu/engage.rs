//! Kernel 3 of 5, `engage`: one invocation per (replicate, track) pair that `schedule`
//! listed.
//! Resolves the salvo `allocate` assigned: each interceptor kills independently with its
//! Pk against the threat's class. Keeps the doctrine's count (a look before the next
//! shot) and retires an opportunity once its doctrine is spent. Twin of
//! `shaders/engage.wgsl`.

use super::*;
use crate::engine::rng::D_KILL;

pub fn engage(tb: &Tables, lane: &mut Lane, k: u32) {
    let tick = tb.params.tick;
    // As in `advance`, the row is read in full only past the early exit.
    if lane.threats[k as usize].shot_opp == NONE {
        return;
    }
    let mut th = lane.threats[k as usize];
    let tr = tb.tracks[k as usize];
    let threat_class = tb.weapons[tr.weapon as usize].class;
    let j = th.shot_opp;
    let o = tb.opportunities[(tr.opp_first + j) as usize];
    let pk = tb.slots[o.slot as usize].pk[threat_class as usize];
    let mut killed = false;
    for s in 0..th.shots {
        if roll(tb, lane, k, D_KILL + s, pk) {
            killed = true;
        }
    }
    if th.last_opp != j {
        // A battery that handed the threat to another does not come back to it.
        if th.last_opp != NONE {
            th.done |= 1 << th.last_opp;
        }
        th.last_opp = j;
        th.engagements = 1;
    } else {
        th.engagements += 1;
    }
    if shots_for(tb, o.slot, threat_class, th.engagements) == 0 {
        th.done |= 1 << j;
    }
    th.shot_opp = NONE;
    th.shots = 0;
    if killed {
        th.status = KILLED | (th.status & DETECTED);
        count(lane, tr.weapon * WEAPON_COUNTERS + C_INTERCEPTED);
        count(
            lane,
            tb.params.slot_counters + o.slot * SLOT_COUNTERS + C_KILLS,
        );
        record(lane, tick, k, E_KILLED, o.slot);
        lane.threats[k as usize] = th;
        set_wake(lane, k, DONE);
        return;
    }
    lane.threats[k as usize] = th;
    let next = next_wake(tb, lane, &tr, &th, tick);
    set_wake(lane, k, next);
}
