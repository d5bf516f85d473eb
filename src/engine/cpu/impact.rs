//! Kernel 4 of 5, `impact`: one invocation per (replicate, track) pair that `schedule`
//! listed.
//! A threat that arrived hits its target with the weapon's accuracy; a hit does damage
//! unless the asset's hardness absorbs it, and the damage that reaches the asset's
//! staying power puts it out of action (its batteries fall silent). Last, each listed
//! row's wake goes into its replicate's calendar and the run's clock, so the host knows
//! the next tick worth running. Twin of `shaders/impact.wgsl`.

use std::sync::atomic::AtomicU32;

use super::*;
use crate::engine::rng::{D_DAMAGE, D_HIT};

pub fn impact(tb: &Tables, lane: &mut Lane, k: u32, clock: &AtomicU32) {
    let tick = tb.params.tick;
    // As in `advance`, the track and the threat row are read in full only for a threat
    // that arrives.
    let status = lane.threats[k as usize].status & STATUS_MASK;
    if status == FLYING
        && lane.wake[k as usize] == tick
        && tick - lane.threats[k as usize].launch >= tb.tracks[k as usize].flight
    {
        let mut th = lane.threats[k as usize];
        let tr = tb.tracks[k as usize];
        let w = tb.weapons[tr.weapon as usize];
        count(lane, tr.weapon * WEAPON_COUNTERS + C_LEAKED);
        let mut arg = tr.target;
        if roll(tb, lane, k, D_HIT, w.accuracy) {
            arg |= LEAK_HIT;
            let at = tr.target as usize;
            lane.assets[at].hits += 1;
            set_status(lane, S_ASSETS_CHANGED);
            if !roll(tb, lane, k, D_DAMAGE, tb.asset_rows[at].hardness) {
                arg |= LEAK_DAMAGE;
                let before = lane.assets[at].damage;
                lane.assets[at].damage = before + 1;
                // Exactly one hit brings damage to the staying power, whatever the order
                // of threads; which one it was is not recorded, as that would depend on it.
                if before + 1 == tb.asset_rows[at].staying_power {
                    lane.assets[at].out_at = tick;
                }
            }
        }
        th.status = LEAKED | (th.status & DETECTED);
        record(lane, tick, k, E_LEAKED, arg);
        lane.threats[k as usize] = th;
        set_wake(lane, k, DONE);
    }
    // Last, the row's wake goes into its replicate's calendar (once a tick, whatever
    // set it), and the run's clock learns of it. A listed row never waits for launch
    // past its tick (`advance` launched or dropped it).
    let w = lane.wake[k as usize];
    if w != NEVER && w != DONE {
        if w <= tick {
            set_status(lane, S_LATE_WAKE);
        } else {
            push_wake(lane, w, k);
            note_next(clock, w);
        }
    }
}
