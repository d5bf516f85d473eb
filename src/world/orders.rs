//! Orders carried out in some replicates: groups started, batteries switched, launchers
//! struck, and what goes into the log.

use super::components::*;
use crate::engine::backend::{MagazineChange, Upload};
use crate::engine::layout::NEVER;
use crate::scenario::Action;

/// Carry out an order in the given replicates at `tick`: `every` for an order of the
/// timeline (every replicate of the run, logged once for all), else a trigger's order in
/// the replicates given (logged for each logged replicate), however many replicates the
/// batch holds.
#[allow(clippy::too_many_arguments)]
pub(crate) fn execute(
    order: usize,
    replicates: std::ops::Range<u32>,
    every: bool,
    tick: u32,
    shared: &Shared,
    reps: &mut Replicates,
    outbox: &mut Outbox,
    log: &mut Log,
) {
    let sc = &shared.scenario;
    let plan = &shared.plan;
    let o = &sc.orders[order];
    let all = every;
    let logged_range = reps.logged.clone();
    let logged = |r: u32| logged_range.contains(&r);
    match &o.action {
        Action::Salvo { .. } => {
            if let Some(g) = plan.group_of_order(order) {
                start_group(g, replicates.clone(), tick, reps, outbox);
            }
            let text = format!("order {}: salvo begins", o.id);
            push_log(log, tick, replicates, all, &logged, LogKind::Order, &text);
        }
        Action::Activate { militias } => {
            for &m in militias {
                if let Some(g) = plan.group_of_militia(m) {
                    start_group(g, replicates.clone(), tick, reps, outbox);
                }
            }
            let names: Vec<&str> = militias.iter().map(|&m| sc.sites[m].id.as_str()).collect();
            let text = format!("order {}: {} activated", o.id, names.join(", "));
            push_log(log, tick, replicates, all, &logged, LogKind::Order, &text);
        }
        Action::Switch { battery, online } => {
            outbox.switches.push((*battery, *online));
            let text = format!(
                "order {}: {} switched {}",
                o.id,
                sc.batteries[*battery].id,
                if *online { "on" } else { "off" }
            );
            push_log(log, tick, replicates, all, &logged, LogKind::Order, &text);
        }
        Action::Relocate { battery, to } => {
            let text = format!(
                "order {}: {} relocated to {:.2}, {:.2}",
                o.id, sc.batteries[*battery].id, to.lat, to.lon
            );
            push_log(log, tick, replicates, all, &logged, LogKind::Order, &text);
        }
        Action::Divert {
            carrier,
            to,
            speed_kn,
        } => {
            let text = format!(
                "order {}: {} diverted to {:.2}, {:.2} at {speed_kn} kn",
                o.id, sc.carriers[*carrier].id, to.lat, to.lon
            );
            push_log(log, tick, replicates, all, &logged, LogKind::Order, &text);
        }
        Action::Resupply {
            battery,
            magazine,
            rounds,
        } => {
            let text = deliver(
                sc,
                plan,
                o,
                (*battery, *magazine, *rounds),
                &replicates,
                tick,
                outbox,
            );
            push_log(log, tick, replicates, all, &logged, LogKind::Order, &text);
        }
        Action::Rearm { ship, trip, .. } if all => {
            let text = leave_station(sc, o, *ship, *trip, outbox);
            push_log(log, tick, replicates, all, &logged, LogKind::Order, &text);
        }
        Action::Rearm { .. } => {
            for r in replicates {
                send_to_port(order, r, tick, shared, reps, outbox, log);
            }
        }
        Action::Strike { sites, fraction } => strike(
            (order, sites, *fraction),
            replicates,
            all,
            tick,
            shared,
            reps,
            outbox,
            log,
        ),
    }
}

/// A strike on launch sites in some replicates: each live launcher destroyed with the
/// strike's chance (drawn per replicate and launcher), the new launcher bits uploaded, and
/// the triggers on launchers destroyed looked at the strike's tick.
#[allow(clippy::too_many_arguments)]
fn strike(
    (order, sites, fraction): (usize, &[usize], f64),
    replicates: std::ops::Range<u32>,
    all: bool,
    tick: u32,
    shared: &Shared,
    reps: &mut Replicates,
    outbox: &mut Outbox,
    log: &mut Log,
) {
    let (sc, plan) = (&shared.scenario, &shared.plan);
    let o = &sc.orders[order];
    let logged_range = reps.logged.clone();
    let logged = |r: u32| logged_range.contains(&r);
    let threshold = crate::engine::rng::threshold(fraction);
    let counts_launchers = sc
        .triggers
        .iter()
        .any(|t| matches!(t.measure, crate::scenario::Measure::LaunchersDestroyed(_)));
    let words = plan.launcher_words;
    for r in replicates.clone() {
        let base = r as usize * words as usize;
        let mut destroyed = 0;
        for &s in sites {
            let site = &sc.sites[s];
            for l in site.first_launcher..site.first_launcher + site.launchers {
                let (w, bit) = (base + (l / 32) as usize, 1u32 << (l % 32));
                if reps.launchers[w] & bit == 0 {
                    continue;
                }
                let u = crate::engine::rng::draw(
                    reps.seed,
                    reps.first + r,
                    crate::engine::rng::STRIKE_STREAM | l,
                    tick,
                    crate::engine::rng::D_STRIKE,
                );
                if crate::engine::rng::chance(u, threshold) {
                    reps.launchers[w] &= !bit;
                    destroyed += 1;
                }
            }
        }
        for w in 0..words {
            outbox.uploads.push(Upload::Launchers {
                replicate: r,
                word: w,
                bits: reps.launchers[base + w as usize],
            });
        }
        if logged(r) {
            log.entries.push(LogEntry {
                tick,
                replicate: Some(r),
                kind: LogKind::Strike,
                text: format!("order {}: strike destroys {destroyed} launchers", o.id),
            });
        }
        // A trigger on launchers destroyed fires at the strike's tick.
        if destroyed > 0 && counts_launchers {
            super::systems::fire_triggers(sc, reps, log, r, tick);
        }
    }
    if all {
        let names: Vec<&str> = sites.iter().map(|&m| sc.sites[m].id.as_str()).collect();
        log.entries.push(LogEntry {
            tick,
            replicate: None,
            kind: LogKind::Strike,
            text: format!(
                "order {}: strike on {} ({:.0}% of launchers each)",
                o.id,
                names.join(", "),
                fraction * 100.0
            ),
        });
    }
}

/// Rounds delivered to a battery's magazine in some replicates; the log's text.
fn deliver(
    sc: &crate::scenario::Scenario,
    plan: &crate::engine::plan::Plan,
    o: &crate::scenario::Order,
    (battery, magazine, rounds): (usize, usize, u32),
    replicates: &std::ops::Range<u32>,
    tick: u32,
    outbox: &mut Outbox,
) -> String {
    if let Some(slot) = plan.slot_of(battery, magazine) {
        outbox.uploads.push(Upload::Magazine {
            first: replicates.start,
            end: replicates.end,
            slot,
            tick,
            change: MagazineChange::Resupply(rounds),
        });
    }
    let b = &sc.batteries[battery];
    let ic = &sc.interceptors[b.magazines[magazine].interceptor];
    format!("order {}: {rounds} {} delivered to {}", o.id, ic.id, b.id)
}

/// A ship leaves its station for port: its batteries fall silent; the log's text.
fn leave_station(
    sc: &crate::scenario::Scenario,
    o: &crate::scenario::Order,
    ship: usize,
    trip: usize,
    outbox: &mut Outbox,
) -> String {
    for b in hosted(sc, ship) {
        outbox.away.push((b, true));
    }
    leaving(sc, o, ship, &sc.assets[ship].trips[trip])
}

/// The log's line for a ship that leaves its station on `trip`.
fn leaving(
    sc: &crate::scenario::Scenario,
    o: &crate::scenario::Order,
    ship: usize,
    trip: &crate::scenario::Trip,
) -> String {
    format!(
        "order {}: {} leaves station to rearm in port at {:.2}, {:.2}, back at {}",
        o.id,
        sc.assets[ship].id,
        trip.port.lat,
        trip.port.lon,
        crate::scenario::types::Clock(trip.back.saturating_mul(sc.tick_seconds))
    )
}

/// The batteries a ship carries.
fn hosted(sc: &crate::scenario::Scenario, ship: usize) -> Vec<usize> {
    (0..sc.batteries.len())
        .filter(|&b| sc.batteries[b].host == Some(ship))
        .collect()
}

/// A later step of a trip to port, in every replicate: the ship leaves port with its
/// magazines refilled to their loadout (`port`), or is back on station and its batteries
/// engage again.
pub(crate) fn trip_step(
    order: usize,
    port: bool,
    tick: u32,
    shared: &Shared,
    reps: &Replicates,
    outbox: &mut Outbox,
    log: &mut Log,
) {
    let (sc, plan) = (&shared.scenario, &shared.plan);
    let o = &sc.orders[order];
    let Action::Rearm { ship, .. } = o.action else {
        return;
    };
    if port {
        refill(sc, plan, ship, 0..reps.count, tick, outbox);
    } else {
        for b in hosted(sc, ship) {
            outbox.away.push((b, false));
        }
    }
    let what = if port {
        "leaves port with full magazines"
    } else {
        "is back on station"
    };
    log.entries.push(LogEntry {
        tick,
        replicate: None,
        kind: LogKind::Order,
        text: format!("order {}: {} {what}", o.id, sc.assets[ship].id),
    });
}

/// A ship that a trigger (or a decision) sends to port in replicate `r` alone leaves its
/// station at `tick`: it is away in that replicate (its batteries silent, its station
/// empty) and its trip is planned from where its station is now; its steps (out of port
/// with full magazines, back on station, the relief's arrival) wait in `pending`. A ship
/// already away in that replicate stays on its trip.
fn send_to_port(
    order: usize,
    r: u32,
    tick: u32,
    shared: &Shared,
    reps: &mut Replicates,
    outbox: &mut Outbox,
    log: &mut Log,
) {
    let sc = &shared.scenario;
    let o = &sc.orders[order];
    let Action::Rearm {
        ship,
        port,
        speed_kn,
        in_port,
        relief,
        ..
    } = o.action
    else {
        return;
    };
    let a = sc.assets.len();
    let text = if reps.assets[r as usize * a + ship].away != 0 {
        format!(
            "order {}: {} is already away from its station",
            o.id, sc.assets[ship].id
        )
    } else {
        set_away(reps, outbox, r, ship, true);
        let asset = &sc.assets[ship];
        let trip = crate::scenario::trip(
            &sc.carriers,
            asset.placement,
            (tick, port),
            speed_kn,
            in_port,
            sc.tick_seconds,
        );
        reps.pending.insert((trip.depart, r, Step::Port(order)));
        reps.pending.insert((trip.back, r, Step::Station(order)));
        if let Some((_, after)) = relief
            && tick.saturating_add(after) < trip.back
        {
            reps.pending
                .insert((tick.saturating_add(after), r, Step::Relieve(order)));
        }
        leaving(sc, o, ship, &trip)
    };
    log_order(reps, log, tick, r, text);
}

/// A ship off its station (`away`) or on it, in replicate `r`: the backend's word and the
/// host's copy, which the backend's asset rows are compared with.
fn set_away(reps: &mut Replicates, outbox: &mut Outbox, r: u32, asset: usize, away: bool) {
    let a = reps.assets.len() / reps.count.max(1) as usize;
    if let Some(st) = reps.assets.get_mut(r as usize * a + asset) {
        st.away = away as u32;
    }
    outbox.uploads.push(Upload::Away {
        replicate: r,
        asset: asset as u32,
        away,
    });
}

/// A later step of a trip to port ordered in replicate `r` alone: the ship leaves port
/// with its magazines refilled to their loadout, or is back on station (and its relief
/// stands down), or its relief takes the station.
#[allow(clippy::too_many_arguments)]
pub(crate) fn replicate_trip_step(
    step: Step,
    order: usize,
    r: u32,
    tick: u32,
    shared: &Shared,
    reps: &mut Replicates,
    outbox: &mut Outbox,
    log: &mut Log,
) {
    let (sc, plan) = (&shared.scenario, &shared.plan);
    let o = &sc.orders[order];
    let Action::Rearm { ship, relief, .. } = o.action else {
        return;
    };
    let id = &sc.assets[ship].id;
    let text = match step {
        Step::Port(_) => {
            refill(sc, plan, ship, r..r + 1, tick, outbox);
            format!("order {}: {id} leaves port with full magazines", o.id)
        }
        Step::Station(_) => {
            set_away(reps, outbox, r, ship, false);
            match relief {
                Some((other, _)) => {
                    set_away(reps, outbox, r, other, true);
                    format!(
                        "order {}: {id} is back on station; {} stands down",
                        o.id, sc.assets[other].id
                    )
                }
                None => format!("order {}: {id} is back on station", o.id),
            }
        }
        Step::Relieve(_) => {
            let Some((other, _)) = relief else {
                return;
            };
            set_away(reps, outbox, r, other, false);
            format!(
                "order {}: {} takes the station of {id}",
                o.id, sc.assets[other].id
            )
        }
        Step::Order(_) => return,
    };
    log_order(reps, log, tick, r, text);
}

/// A ship's magazines refilled to their loadout in replicates `replicates`.
fn refill(
    sc: &crate::scenario::Scenario,
    plan: &crate::engine::plan::Plan,
    ship: usize,
    replicates: std::ops::Range<u32>,
    tick: u32,
    outbox: &mut Outbox,
) {
    for b in hosted(sc, ship) {
        for m in 0..sc.batteries[b].magazines.len() {
            let Some(slot) = plan.slot_of(b, m) else {
                continue;
            };
            let full = plan.magazines[slot as usize];
            outbox.uploads.push(Upload::Magazine {
                first: replicates.start,
                end: replicates.end,
                slot,
                tick,
                change: MagazineChange::Refill {
                    ready: full.ready,
                    reserve: full.reserve,
                },
            });
        }
    }
}

/// An order's line in the log of replicate `r`, if that replicate's log is kept.
fn log_order(reps: &Replicates, log: &mut Log, tick: u32, r: u32, text: String) {
    if reps.logged.contains(&r) {
        log.entries.push(LogEntry {
            tick,
            replicate: Some(r),
            kind: LogKind::Order,
            text,
        });
    }
}

fn push_log(
    log: &mut Log,
    tick: u32,
    replicates: std::ops::Range<u32>,
    all: bool,
    logged: &dyn Fn(u32) -> bool,
    kind: LogKind,
    text: &str,
) {
    if all {
        log.entries.push(LogEntry {
            tick,
            replicate: None,
            kind,
            text: text.to_string(),
        });
    } else {
        for r in replicates.filter(|&r| logged(r)) {
            log.entries.push(LogEntry {
                tick,
                replicate: Some(r),
                kind,
                text: text.to_string(),
            });
        }
    }
}

pub(crate) fn start_group(
    group: usize,
    replicates: std::ops::Range<u32>,
    tick: u32,
    reps: &mut Replicates,
    outbox: &mut Outbox,
) {
    let groups = reps.group_start.len() / reps.count.max(1) as usize;
    let mut any = false;
    for r in replicates {
        let slot = &mut reps.group_start[r as usize * groups + group];
        if *slot == NEVER {
            *slot = tick;
            any = true;
            outbox.uploads.push(Upload::GroupStart {
                replicate: r,
                group: group as u32,
                tick,
            });
        }
    }
    if any {
        outbox.started.push((group as u32, tick));
    }
}
