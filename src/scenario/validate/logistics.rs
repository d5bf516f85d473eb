//! Logistics orders: `resupply` (rounds delivered to a battery's reserve) and `rearm` (a
//! ship's trip to a port to refill its magazines), and the trips planned ahead.

use super::super::model::*;
use super::super::source::KeyPath;
use super::super::types;
use super::orders::{Known, battery_of};
use super::suggest::unknown;
use super::values::position;
use super::{Checker, SCENARIO, Time};
use crate::geo::LatLon as Geo;

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
    Some(Action::Rearm {
        ship,
        trip: 0,
        port: position(ck, &rp.key("port"), r.port),
        speed_kn: r.speed_kn,
        in_port: time.ticks_of(r.in_port),
    })
}

/// Where a ship's station is `seconds` after the start (its carrier's route, diversions
/// included, for an escort).
fn station(carriers: &[Carrier], placement: Placement, seconds: f64) -> Geo {
    match placement {
        Placement::Fixed(p) => p,
        Placement::Mounted { carrier, offset_km } => carriers[carrier]
            .route
            .position_at(seconds)
            .offset(offset_km[0], offset_km[1]),
    }
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
    let tick_s = tick_s as f64;
    let ticks = |seconds: f64| (seconds / tick_s).ceil().min(u32::MAX as f64) as u32;
    for (leave, i) in due {
        let Action::Rearm {
            ship,
            port,
            speed_kn,
            in_port,
            ref mut trip,
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
                    types::Clock((last.back as f64 * tick_s).min(u32::MAX as f64) as u32)
                ),
            );
            continue;
        }
        let speed_kmh = speed_kn.max(1e-3) * 1.852;
        let leave_s = leave as f64 * tick_s;
        let from = station(carriers, a.placement, leave_s);
        let arrive = leave.saturating_add(ticks(from.distance_km(port) / speed_kmh * 3600.0));
        let depart = arrive.saturating_add(in_port);
        let depart_s = depart as f64 * tick_s;
        let mut back_s = depart_s + from.distance_km(port) / speed_kmh * 3600.0;
        for _ in 0..2 {
            let home = station(carriers, a.placement, back_s);
            back_s = depart_s + port.distance_km(home) / speed_kmh * 3600.0;
        }
        let back = depart
            .saturating_add(ticks(back_s - depart_s))
            .max(depart.saturating_add(1));
        *trip = a.trips.len();
        a.trips.push(Trip {
            leave,
            arrive,
            depart,
            back,
            from,
            port,
        });
    }
}
