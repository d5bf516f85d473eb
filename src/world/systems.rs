//! The world's systems, in the order the `Decide` schedule runs them each tick, then the
//! `Assess` schedule after the kernels.

use bevy_ecs::prelude::*;

use super::*;
use crate::engine::backend::Upload;
use crate::engine::layout::AssetState;
use crate::engine::layout::NEVER;
use crate::scenario::{Gate, Measure, Placement, Scenario, Subject, When};

/// Carrier movement: ships (and what rides on them) follow their routes; relocated
/// batteries stand where they were sent.
pub fn move_carriers(
    clock: Res<Clock>,
    shared: Res<Shared>,
    mut units: Query<(
        &Placed,
        Option<&BatteryIndex>,
        Option<&AssetIndex>,
        &mut Position,
    )>,
) {
    let t = clock.seconds();
    let sc = &shared.scenario;
    for (placed, battery, asset, mut pos) in &mut units {
        let mounted = matches!(placed.0, Placement::Mounted { .. });
        match (battery, asset) {
            (Some(b), _) if sc.battery_moves(b.0) => pos.0 = sc.battery_position(b.0, t),
            (None, Some(a)) if mounted || !sc.assets[a.0].trips.is_empty() => {
                pos.0 = sc.asset_position(a.0, t)
            }
            (None, None) if mounted => pos.0 = sc.position_of(placed.0, t),
            _ => {}
        }
    }
}

/// Orders: the timeline's fixed-time orders and militia activations fall due in every
/// replicate at once.
pub fn issue_orders(
    clock: Res<Clock>,
    shared: Res<Shared>,
    mut timeline: ResMut<Timeline>,
    mut reps: ResMut<Replicates>,
    mut outbox: ResMut<Outbox>,
    mut log: ResMut<Log>,
) {
    let all = 0..reps.count;
    while let Some(&(t, due)) = timeline.fixed.get(timeline.cursor) {
        if t > clock.tick {
            break;
        }
        timeline.cursor += 1;
        match due {
            Due::Decision(k) => take_decision(
                timeline.decisions[k],
                clock.tick,
                &shared,
                &mut reps,
                &mut log,
            ),
            Due::Militia(site) => {
                if let Some(g) = shared.plan.group_of_militia(site) {
                    start_group(g, all.clone(), clock.tick, &mut reps, &mut outbox);
                    log.entries.push(LogEntry {
                        tick: clock.tick,
                        replicate: None,
                        kind: LogKind::Order,
                        text: format!("{} becomes active", shared.scenario.sites[site].id),
                    });
                }
            }
            Due::Order(order) => execute(
                order,
                all.clone(),
                true,
                clock.tick,
                &shared,
                &mut reps,
                &mut outbox,
                &mut log,
            ),
            Due::Report(trigger) => report(trigger, clock.tick, &shared, &mut reps, &mut log),
            Due::Port(order) | Due::Station(order) => trip_step(
                order,
                matches!(due, Due::Port(_)),
                clock.tick,
                &shared,
                &reps,
                &mut outbox,
                &mut log,
            ),
        }
    }
}

/// Decision `d` taken in every replicate at `tick` (`engine::decisions::take`): its outcome
/// in the replicate's path, the orders that wait on it scheduled in that replicate, and a
/// log line for each logged replicate.
fn take_decision(d: usize, tick: u32, shared: &Shared, reps: &mut Replicates, log: &mut Log) {
    use crate::engine::decisions::{NOT_TAKEN, Replicate, draws_of, take};
    let sc = &shared.scenario;
    let (n, t) = (sc.decisions.len(), sc.triggers.len());
    let draws = draws_of(&shared.plan);
    // The orders that wait on one of its outcomes: (order, outcome, tick due).
    let waiting: Vec<(usize, u32, u32)> = sc
        .orders
        .iter()
        .enumerate()
        .filter_map(|(oi, o)| match o.when {
            When::After {
                on: Gate::Outcome { decision, outcome },
                delay,
            } if decision == d => Some((oi, outcome as u32, delay)),
            _ => None,
        })
        .collect();
    for r in 0..reps.count {
        let global = reps.first + r;
        let rep = Replicate {
            draws: draws.map(|dr| (dr, global)),
            fired: &reps.fired[r as usize * t..(r as usize + 1) * t],
            path: &reps.paths[r as usize * n..(r as usize + 1) * n],
        };
        let k = take(sc, d, reps.seed, global, &rep);
        reps.paths[r as usize * n + d] = k;
        if k == NOT_TAKEN {
            continue;
        }
        for &(oi, _, delay) in waiting.iter().filter(|w| w.1 == k) {
            reps.pending.insert((delay, r, Step::Order(oi)));
        }
        if reps.logged.contains(&r) {
            let dec = &sc.decisions[d];
            let how = if dec.forced.is_some() {
                " (by hand)"
            } else {
                ""
            };
            log.entries.push(LogEntry {
                tick,
                replicate: Some(r),
                kind: LogKind::Decision,
                text: format!("decision {}: {}{how}", dec.id, dec.outcomes[k as usize].id),
            });
        }
    }
}

/// Orders that triggers scheduled in single replicates.
pub fn run_scheduled(
    clock: Res<Clock>,
    shared: Res<Shared>,
    mut reps: ResMut<Replicates>,
    mut outbox: ResMut<Outbox>,
    mut log: ResMut<Log>,
) {
    while let Some(&(t, r, step)) = reps.pending.first() {
        if t > clock.tick {
            break;
        }
        reps.pending.pop_first();
        carry_out(
            step,
            r,
            clock.tick,
            &shared,
            &mut reps,
            &mut outbox,
            &mut log,
        );
    }
}

/// The orders triggers scheduled in replicate `r` for `tick`, carried out (as
/// [`run_scheduled`] does for every replicate at a tick the whole batch reaches).
pub(crate) fn run_scheduled_in(
    r: u32,
    tick: u32,
    shared: &Shared,
    reps: &mut Replicates,
    outbox: &mut Outbox,
    log: &mut Log,
) {
    while let Some(&(t, rr, step)) = reps.pending.range((tick, r, Step::Order(0))..).next() {
        if (t, rr) != (tick, r) {
            break;
        }
        reps.pending.remove(&(t, rr, step));
        carry_out(step, r, tick, shared, reps, outbox, log);
    }
}

/// One replicate's step that fell due: a scheduled order, or a step of a trip to port
/// that a trigger ordered in it.
fn carry_out(
    step: Step,
    r: u32,
    tick: u32,
    shared: &Shared,
    reps: &mut Replicates,
    outbox: &mut Outbox,
    log: &mut Log,
) {
    match step {
        Step::Order(order) => execute(order, r..r + 1, false, tick, shared, reps, outbox, log),
        Step::Port(order) | Step::Station(order) | Step::Relieve(order) => {
            replicate_trip_step(step, order, r, tick, shared, reps, outbox, log)
        }
    }
}

/// A magazine report for `cells_below` trigger `ti` at `tick`, on the magazines the host
/// loop read for it (every replicate's, replicate-major): the trigger fires in each
/// replicate where the ship's loaded vertical-launch cells (each magazine's rounds over the
/// rounds a cell holds, rounded up) are fewer than its threshold.
fn report(ti: usize, tick: u32, shared: &Shared, reps: &mut Replicates, log: &mut Log) {
    let (sc, plan) = (&shared.scenario, &shared.plan);
    let t = &sc.triggers[ti];
    let (Measure::CellsBelow { cells, .. }, Subject::Asset(ship)) = (t.measure, t.subject) else {
        return;
    };
    // The ship's cell magazines, once for the report: (slot, rounds a cell holds).
    let held: Vec<(usize, u64)> = plan
        .slots
        .iter()
        .enumerate()
        .filter(|(_, slot)| sc.batteries[slot.battery as usize].host == Some(ship))
        .filter_map(|(s, slot)| {
            Some((
                s,
                sc.interceptors[slot.interceptor as usize].per_cell? as u64,
            ))
        })
        .collect();
    let magazines = std::mem::take(&mut reps.magazines);
    let ns = plan.slots.len();
    for r in 0..reps.count {
        let Some(mags) = magazines.get(r as usize * ns..(r as usize + 1) * ns) else {
            break;
        };
        let loaded: u64 = held
            .iter()
            .map(|&(s, per)| {
                let m = crate::engine::cpu::reloaded(mags[s], &plan.slots[s], tick);
                (m.ready as u64 + m.reserve as u64).div_ceil(per)
            })
            .sum();
        if loaded < cells as u64 {
            fire_trigger(sc, reps, log, r, tick, ti);
        }
    }
    reps.magazines = magazines;
}

/// Battery switches ordered this tick reach the batteries' `Online` components, and ships
/// leaving for port or coming back their batteries' `Away` components.
pub fn apply_switches(
    outbox: Res<Outbox>,
    mut batteries: Query<(&BatteryIndex, &mut Online, &mut Away)>,
) {
    for &(b, online) in &outbox.switches {
        for (idx, mut on, _) in &mut batteries {
            if idx.0 == b && on.0 != online {
                on.0 = online;
            }
        }
    }
    for &(b, away) in &outbox.away {
        for (idx, _, mut gone) in &mut batteries {
            if idx.0 == b && gone.0 != away {
                gone.0 = away;
            }
        }
    }
}

/// A battery's switch or its ship's whereabouts changed.
type Switched = Or<(Changed<Online>, Changed<Away>)>;

/// Doctrine: batteries switched on or off (facilitator injects), or whose ship left for
/// port or came back, reach the kernels' battery table: a battery engages when it is
/// switched on and on station.
pub fn doctrine(
    batteries: Query<(&BatteryIndex, &Online, &Away), Switched>,
    mut outbox: ResMut<Outbox>,
) {
    for (b, online, away) in &batteries {
        outbox.uploads.push(Upload::BatteryOnline {
            battery: b.0 as u32,
            online: online.0 && !away.0,
        });
    }
}

/// Triggers, evaluated per replicate on what the kernels did, in the replicates whose
/// assets changed at this tick (a trigger's condition changes only with its replicate's
/// assets, and never becomes false again): a trigger that fires schedules the orders that
/// wait on it, in that replicate only.
pub fn evaluate_triggers(
    clock: Res<Clock>,
    shared: Res<Shared>,
    mut reps: ResMut<Replicates>,
    mut log: ResMut<Log>,
) {
    let changed = std::mem::take(&mut reps.changed);
    for &r in &changed {
        fire_triggers(&shared.scenario, &mut reps, &mut log, r, clock.tick);
    }
}

/// Whether trigger `ti` holds on one replicate's assets and launchers (its words of the
/// live-launcher bits).
fn holds(sc: &Scenario, ti: usize, assets: &[AssetState], launchers: &[u32]) -> bool {
    let t = &sc.triggers[ti];
    if let (Measure::LaunchersDestroyed(n), Subject::Side(side)) = (t.measure, t.subject) {
        return launchers_destroyed(sc, side, launchers) >= n;
    }
    let (hits, damage, out) = match t.subject {
        Subject::Asset(a) => (assets[a].hits, assets[a].damage, assets[a].out_at != NEVER),
        Subject::Side(s) => sc
            .assets
            .iter()
            .zip(assets)
            .filter(|(spec, _)| spec.side == s)
            .fold((0, 0, false), |acc, (_, st)| {
                (
                    acc.0 + st.hits,
                    acc.1 + st.damage,
                    acc.2 || st.out_at != NEVER,
                )
            }),
    };
    match t.measure {
        Measure::Hits(n) => hits >= n,
        Measure::Damage(n) => damage >= n,
        Measure::OutOfAction => out,
        // Looked at in magazine reports only (`Due::Report`).
        Measure::LaunchersDestroyed(_) | Measure::CellsBelow { .. } => false,
    }
}

/// How many of a side's launchers strikes destroyed in a replicate.
fn launchers_destroyed(sc: &Scenario, side: usize, launchers: &[u32]) -> u32 {
    sc.sites
        .iter()
        .filter(|s| s.side == side)
        .map(|s| s.launchers - alive_in(launchers, s.first_launcher, s.launchers))
        .sum()
}

/// The live launchers among `first..first + n` (one bit each; a word beyond `launchers`
/// holds none), counted a word at a time: a side's check runs at every hit of a replicate
/// while its trigger waits.
fn alive_in(launchers: &[u32], first: u32, n: u32) -> u32 {
    let end = first + n;
    let mut alive = 0;
    let mut l = first;
    while l < end {
        let word = l / 32;
        let (low, high) = (l % 32, (end - word * 32).min(32));
        let bits = high - low;
        let mask = if bits == 32 {
            u32::MAX
        } else {
            ((1u32 << bits) - 1) << low
        };
        alive += launchers
            .get(word as usize)
            .map_or(0, |w| (w & mask).count_ones());
        l = (word + 1) * 32;
    }
    alive
}

/// Whether a trigger that has not fired in replicate `r` yet holds on `assets`, the
/// replicate's: whether the host must look at it now.
pub(crate) fn would_fire(reps: &Replicates, sc: &Scenario, r: u32, assets: &[AssetState]) -> bool {
    let n = sc.triggers.len();
    let launchers = launchers_of(reps, r);
    (0..n).any(|ti| reps.fired[r as usize * n + ti] == NEVER && holds(sc, ti, assets, launchers))
}

/// Replicate `r`'s words of the live-launcher bits.
fn launchers_of(reps: &Replicates, r: u32) -> &[u32] {
    let words = reps.launchers.len() / reps.count.max(1) as usize;
    reps.launchers
        .get(r as usize * words..(r as usize + 1) * words)
        .unwrap_or(&[])
}

/// Fire the triggers that hold in replicate `r` at `tick` (on the assets the host holds
/// for it), and schedule the orders that wait on them, in that replicate.
pub(crate) fn fire_triggers(
    sc: &Scenario,
    reps: &mut Replicates,
    log: &mut Log,
    r: u32,
    tick: u32,
) {
    let n_assets = sc.assets.len();
    let n_trig = sc.triggers.len();
    if reps.assets.len() < (r as usize + 1) * n_assets {
        return;
    }
    let assets = &reps.assets[r as usize * n_assets..(r as usize + 1) * n_assets];
    let launchers = launchers_of(reps, r);
    let fired_now: Vec<usize> = (0..n_trig)
        .filter(|&ti| {
            reps.fired[r as usize * n_trig + ti] == NEVER && holds(sc, ti, assets, launchers)
        })
        .collect();
    for ti in fired_now {
        fire_trigger(sc, reps, log, r, tick, ti);
    }
}

/// Trigger `ti` fires in replicate `r` at `tick` (unless it already has): the orders that
/// wait on it are scheduled in that replicate.
fn fire_trigger(sc: &Scenario, reps: &mut Replicates, log: &mut Log, r: u32, tick: u32, ti: usize) {
    let n_trig = sc.triggers.len();
    let fired = &mut reps.fired[r as usize * n_trig + ti];
    if *fired != NEVER {
        return;
    }
    *fired = tick;
    for (oi, o) in sc.orders.iter().enumerate() {
        if let When::After {
            on: Gate::Trigger(trigger),
            delay,
        } = o.when
            && trigger == ti
        {
            reps.pending
                .insert((tick.saturating_add(delay), r, Step::Order(oi)));
        }
    }
    if reps.logged.contains(&r) {
        log.entries.push(LogEntry {
            tick,
            replicate: Some(r),
            kind: LogKind::Trigger,
            text: format!("trigger {} fires", sc.triggers[ti].id),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::alive_in;

    #[test]
    fn live_launchers_counted_by_words_are_those_counted_one_by_one() {
        // A pattern with runs of live and lost launchers across word boundaries.
        let words: Vec<u32> = (0..5u32)
            .map(|i| 0x9e37_79b9u32.wrapping_mul(i + 1) ^ (i << 7))
            .collect();
        let one_by_one = |first: u32, n: u32| {
            (first..first + n)
                .filter(|&l| {
                    words
                        .get((l / 32) as usize)
                        .is_some_and(|w| w >> (l % 32) & 1 == 1)
                })
                .count() as u32
        };
        for first in 0..170 {
            for n in 0..(200 - first) {
                assert_eq!(
                    alive_in(&words, first, n),
                    one_by_one(first, n),
                    "{first} + {n}"
                );
            }
        }
    }
}
