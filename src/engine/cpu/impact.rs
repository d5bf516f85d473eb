//! Kernel 4 of 5, `impact`: one invocation per (replicate, track) pair that `schedule`
//! listed.
//! A threat that arrived hits its target with the weapon's accuracy; a hit does damage
//! unless the asset's hardness absorbs it, and the damage that reaches the asset's
//! staying power puts it out of action (its batteries fall silent). Last, each listed
//! pair reports its next wake (`schedule` reported the others'), so the host knows the
//! next tick worth running. Twin of `shaders/impact.wgsl`.

use std::sync::atomic::{AtomicU32, Ordering};

use super::*;
use crate::engine::rng::{D_DAMAGE, D_HIT};

pub fn impact(tb: &Tables, lane: &mut Lane, k: u32, track_next: &[AtomicU32]) {
    let tick = tb.params.tick;
    let mut th = lane.threats[k as usize];
    let tr = tb.tracks[k as usize];
    if th.status & STATUS_MASK == FLYING
        && lane.wake[k as usize] == tick
        && tick - th.launch >= tr.flight
    {
        let w = tb.weapons[tr.weapon as usize];
        count(lane, tr.weapon * WEAPON_COUNTERS + C_LEAKED);
        let mut arg = tr.target;
        if roll(tb, lane, k, D_HIT, w.accuracy) {
            arg |= LEAK_HIT;
            let t = tr.target as usize;
            lane.assets[t].hits += 1;
            lane.status[S_ASSETS_CHANGED] = 1;
            if !roll(tb, lane, k, D_DAMAGE, tb.assets[t].hardness) {
                arg |= LEAK_DAMAGE;
                let before = lane.assets[t].damage;
                lane.assets[t].damage = before + 1;
                // Exactly one hit brings damage to the staying power, whatever the order
                // of threads; which one it was is not recorded, as that would depend on it.
                if before + 1 == tb.assets[t].staying_power {
                    lane.assets[t].out_at = tick;
                }
            }
        }
        th.status = LEAKED | (th.status & DETECTED);
        record(lane, tick, k, E_LEAKED, arg);
        lane.threats[k as usize] = th;
        lane.wake[k as usize] = DONE;
    }
    // A threat waiting for launch in a group already started next wakes at its launch.
    let mut next = lane.wake[k as usize];
    if next == NEVER {
        let start = lane.group_start[tr.group as usize];
        if start != NEVER {
            next = start + tr.offset;
        }
    }
    // Stored inverted so that a cleared (zero) buffer means "never" and max picks the min.
    track_next[k as usize].fetch_max(!next, Ordering::Relaxed);
}
