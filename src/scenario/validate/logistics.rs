//! Logistics orders: `resupply` (rounds delivered to a battery's reserve) and `rearm` (a
//! ship's trip to a port to refill its magazines), and the trips planned ahead.

use super::super::model::*;
use super::super::source::KeyPath;
use super::super::types;
use super::orders::{Known, battery_of};
use super::suggest::unknown;
use super::values::position;
use super::{Checker, SCENARIO, Time};

/// Rounds of an interceptor delivered to the first magazine of the battery that holds it;
/// the magazine must reload (`reload_s`) for the rounds to reach the launchers.
pub(super) fn resupply(
    ck: &mut Checker,
    rp: &KeyPath,
    r: &types::ResupplySpec,
    known: &Known,
) -> Option<Action> {
    let battery = battery_of(ck, &rp.key("battery"), &r.battery, known)?;
    let b = &known.units.batteries[battery];
    let interceptors = &known.db.interceptors;
    let found = b
        .magazines
        .iter()
        .position(|m| interceptors[m.interceptor].id == r.interceptor);
    let Some(magazine) = found else {
        let held: Vec<&str> = b
            .magazines
            .iter()
            .map(|m| interceptors[m.interceptor].id.as_str())
            .collect();
        ck.err(
            SCENARIO,
            &rp.key("interceptor"),
            format!(
                "{}; {} holds {}",
                unknown("interceptor of this battery", &r.interceptor, held.iter()),
                b.id,
                held.join(", ")
            ),
        );
        return None;
    };
    if r.rounds == 0 {
        ck.err(SCENARIO, &rp.key("rounds"), "expected at least 1 round");
    }
    if b.magazines[magazine].reload_ticks == 0 {
        ck.err(
            SCENARIO,
            &rp.key("battery"),
            format!(
                "the {} magazine of {} has no `reload_s`: delivered rounds could never reach its launchers",
                r.interceptor, b.id
            ),
        );
    }
    Some(Action::Resupply {
        battery,
        magazine,
        rounds: r.rounds,
    })
}

/// A ship's trip to port: a ship (an escort or a ship asset, not a carrier, which moves with
/// `divert`) that carries batteries, a port, a speed and a time in port. The trip itself is
/// planned once the routes are final ([`plan_trips`]).
pub(super) fn rearm(
    ck: &mut Checker,
    rp: &KeyPath,
    r: &types::RearmSpec,
    known: &Known,
    time: Time,
) -> Option<Action> {
    let units = known.units;
    let ship = units.target_of(ck, &rp.key("ship"), &r.ship)?;
    let a = &units.assets[ship];
    if a.kind != AssetKind::Ship {
        ck.err(SCENARIO, &rp.key("ship"), format!("{} is not a ship", a.id));
    } else if units.carriers.iter().any(|c| c.asset == ship) {
        ck.err(
            SCENARIO,
            &rp.key("ship"),
            format!(
                "{} is a carrier: its group moves with `divert`; send its escorts to port one by one",
                a.id
            ),
        );
    } else if !units.batteries.iter().any(|b| b.host == Some(ship)) {
        ck.err(
            SCENARIO,
            &rp.key("ship"),
            format!("{} carries no battery: it has no magazine to refill", a.id),
        );
    }
    if !r.speed_kn.is_finite() || r.speed_kn <= 0.0 || r.speed_kn > 60.0 {
        ck.err(
            SCENARIO,
            &rp.key("speed_kn"),
            format!(
                "expected a speed above 0 and up to 60 knots, found {}",
                r.speed_kn
            ),
        );
    }
    let relief = match &r.relief {
        Some(id) => {
            let other = units.target_of(ck, &rp.key("relief"), id)?;
            Some((other, time.ticks_of(r.relief_in)))
        }
        None => None,
    };
    Some(Action::Rearm {
        ship,
        trip: 0,
        port: position(ck, &rp.key("port"), r.port),
        speed_kn: r.speed_kn,
        in_port: time.ticks_of(r.in_port),
        relief,
    })
}

/// Trips to port that triggers (or decisions) order, planned in each replicate when they
/// fall due, and their reliefs: a ship sent to port that way has no trip at a fixed time
/// (its place in the plan would not follow it), and a relief is a ship of its own that
/// waits in reserve (`Asset::reserve`) for the one ship it relieves.
pub(super) fn check_reliefs(
    ck: &mut Checker,
    orders: &[Order],
    paths: &[KeyPath],
    assets: &mut [Asset],
    carriers: &[Carrier],
    batteries: &[Battery],
) {
    let mut relieved: Vec<Option<usize>> = vec![None; assets.len()];
    for (i, o) in orders.iter().enumerate() {
        let Action::Rearm { ship, relief, .. } = o.action else {
            continue;
        };
        let fixed = matches!(o.when, When::At(_));
        let rp = paths[i].key("rearm");
        if !fixed && !assets[ship].trips.is_empty() {
            ck.err(
                SCENARIO,
                &rp.key("ship"),
                format!(
                    "{} has a trip to port at a fixed time: a trigger cannot send it too (its trips are either planned for every replicate or ordered in each)",
                    assets[ship].id
                ),
            );
        }
        let Some((other, _)) = relief else {
            continue;
        };
        let why = refused_relief(orders, assets, (carriers, batteries), (ship, other), fixed)
            .or_else(|| {
                relieved[other].filter(|&s| s != ship).map(|first| {
                    format!(
                        "{} already relieves {}: a relief relieves one ship",
                        assets[other].id, assets[first].id
                    )
                })
            });
        if let Some(why) = why {
            ck.err(SCENARIO, &rp.key("relief"), why);
            continue;
        }
        relieved[other] = Some(ship);
        assets[other].reserve = true;
    }
}

/// Why ship `other` cannot relieve `ship` (a trip at a fixed time when `fixed`), if it
/// cannot.
fn refused_relief(
    orders: &[Order],
    assets: &[Asset],
    (carriers, batteries): (&[Carrier], &[Battery]),
    (ship, other): (usize, usize),
    fixed: bool,
) -> Option<String> {
    let a = &assets[other];
    if fixed {
        return Some("a relief takes the station in the replicates where a trigger or a decision sends the ship to port; for a trip at a fixed time, switch the relief's batteries on with a `switch` order".into());
    }
    if other == ship {
        return Some(format!("{} cannot relieve itself", a.id));
    }
    if a.kind != AssetKind::Ship || carriers.iter().any(|c| c.asset == other) {
        return Some(format!(
            "{} is not a ship that can take a station (a ship or an escort, not a carrier)",
            a.id
        ));
    }
    if !batteries.iter().any(|b| b.host == Some(other)) {
        return Some(format!(
            "{} carries no battery: it would defend nothing",
            a.id
        ));
    }
    let goes = orders
        .iter()
        .any(|o| matches!(o.action, Action::Rearm { ship: s, .. } if s == other));
    if !a.trips.is_empty() || goes {
        return Some(format!(
            "{} goes to port itself: a relief waits in reserve",
            a.id
        ));
    }
    None
}

/// The trips of `rearm` orders, in time order per ship, into the ships' `trips`: out to
/// port at the ordered speed, the time in port, and back to where the station is by then
/// (an escort's station moves with its carrier: two fixed-point steps, as for an aim
/// point). A trip may not begin before the ship's previous one is over.
pub(super) fn plan_trips(
    ck: &mut Checker,
    orders: &mut [Order],
    paths: &[KeyPath],
    assets: &mut [Asset],
    carriers: &[Carrier],
    tick_s: u32,
) {
    let mut due: Vec<(u32, usize)> = orders
        .iter()
        .enumerate()
        .filter_map(|(i, o)| match (&o.when, &o.action) {
            (&When::At(t), Action::Rearm { .. }) => Some((t, i)),
            _ => None,
        })
        .collect();
    due.sort();
    for (leave, i) in due {
        let Action::Rearm {
            ship,
            port,
            speed_kn,
            in_port,
            ref mut trip,
            ..
        } = orders[i].action
        else {
            continue;
        };
        let a = &mut assets[ship];
        if let Some(last) = a.trips.last()
            && leave < last.back
        {
            ck.err(
                SCENARIO,
                &paths[i].key("at"),
                format!(
                    "{} is still away on its previous trip to port until {}",
                    a.id,
                    types::Clock(last.back.saturating_mul(tick_s))
                ),
            );
            continue;
        }
        let planned = super::super::model::trip(
            carriers,
            a.placement,
            (leave, port),
            speed_kn,
            in_port,
            tick_s,
        );
        *trip = a.trips.len();
        a.trips.push(planned);
    }
}
