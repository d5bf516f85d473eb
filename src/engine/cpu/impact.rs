//! Kernel 4 of 5, `impact`: one invocation per (replicate, track) pair that `schedule`
//! listed.
//! A threat that arrived lands at its impact point (its weapon's scatter around the aim
//! point) or, for a submunition warhead, at each of its submunitions' points around it:
//! a point inside the target's footprint is a hit, and a hit does damage unless the
//! asset's hardness absorbs it; the damage that reaches the asset's staying power puts it
//! out of action (its batteries fall silent). A leaker that every battery able to engage
//! it let fall is counted as ignored, and as ignored inside when it hit all the same. A
//! decoy lands and does nothing. Last, each listed row's wake goes into its replicate's
//! calendar and the run's clock, so the host knows the next tick worth running. Twin of
//! `shaders/impact.wgsl`.

use std::sync::atomic::AtomicU32;

use super::*;
use crate::engine::rng::{D_DAMAGE, D_SUB};

/// Whether every battery that could engage threat `k` (its opportunities) let it fall.
#[inline]
fn ignored(tb: &Tables, lane: &Lane, k: u32, th: &Threat) -> bool {
    let tr = tb.tracks[k as usize];
    if th.status & DETECTED == 0 || tr.opp_count == 0 {
        return false;
    }
    for j in 0..tr.opp_count {
        let o = tb.opportunities[(tr.opp_first + j) as usize];
        if engageable(tb, lane, k, th, o.battery) {
            return false;
        }
    }
    true
}

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
        let at = tr.target as usize;
        let mut arg = tr.target;
        if tr.stream == k {
            let base = tr.weapon * WEAPON_COUNTERS;
            count(lane, base + C_LEAKED);
            // Where it lands, and for submunitions where each of them does.
            let centre = impact_point(tb, lane, k, &th);
            // A ship off its station is not there to hit.
            let present = lane.assets[at].away == 0;
            let mut hits = 0u32;
            let mut damage = 0u32;
            if w.submunitions == 0 {
                if present && on_target(tb, k, centre) {
                    hits = 1;
                    if !roll(tb, lane, k, D_DAMAGE, tb.asset_rows[at].hardness) {
                        damage = 1;
                    }
                }
            } else {
                for i in 0..w.submunitions {
                    let d = D_SUB + 3 * i;
                    let rad = radius(tb, keyed(tb, lane, k, th.launch, d), w.sub_scatter);
                    let p = shift(centre, polar(tb, rad, keyed(tb, lane, k, th.launch, d + 1)));
                    if present && on_target(tb, k, p) {
                        hits += 1;
                        if !roll(tb, lane, k, d + 2, tb.asset_rows[at].hardness) {
                            damage += 1;
                        }
                    }
                }
            }
            if ignored(tb, lane, k, &th) {
                count(lane, base + C_IGNORED);
                if hits > 0 {
                    count(lane, base + C_IGNORED_INSIDE);
                }
            }
            if hits > 0 {
                arg |= LEAK_HIT | (hits << LEAK_HITS_SHIFT);
                lane.assets[at].hits += hits;
                set_status(lane, S_ASSETS_CHANGED);
            }
            if damage > 0 {
                arg |= LEAK_DAMAGE | (damage << LEAK_DAMAGE_SHIFT);
                let before = lane.assets[at].damage;
                lane.assets[at].damage = before + damage;
                // Exactly one leaker brings damage to the staying power, whatever the
                // order of threads; which one it was is not recorded, as that would
                // depend on it.
                let sp = tb.asset_rows[at].staying_power;
                if before < sp && before + damage >= sp {
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
