//! Where a threat flies and where it lands against a target that moves (issue 14), in f64
//! on the host: the kernels only add the integer offset and the manoeuvring ship's run
//! (`cpu::impact_point`).
//!
//! A weapon flies to where its targeting data put its target, `targeting_age_s` before
//! launch. One aimed at fixed coordinates (unguided, satellite-inertial) lands there: it
//! misses a ship by the distance the ship has run since, unless that is inside the ship's
//! footprint. A seeker (or an operator) finds the ship if the ship is within its
//! acquisition range of that point when it arrives, and then meets it where it is (the
//! aim of a weapon that states no guidance); otherwise it lands on the empty sea like a
//! weapon aimed at fixed coordinates. A ship that manoeuvres when threatened runs
//! `manoeuvre_kmh` for the targeting age and the flight on a course drawn per threat in the
//! kernel (`D_EVADE`): the plan gives the length of the run, and a seeker acquires only if
//! the run, added to how far the ship's route took it, stays within its range.

use super::tables::frame_units;
use crate::engine::layout::{FRAME_LIMIT, FRAME_M, OFF_FRAME};
use crate::geo::LatLon;
use crate::scenario::{Scenario, ThreatClass};

/// A track's aim: the point it flies to, and where it lands from where its target is at
/// impact (`Track::aim_x`, `aim_y`, `evade`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Aim {
    pub point: LatLon,
    pub xy: [i32; 2],
    pub evade: u32,
}

/// Where weapon `weapon` launched at `launch_s` from `origin` at asset `target` flies, and
/// where it lands around the target.
pub fn aim(sc: &Scenario, weapon: usize, origin: LatLon, target: usize, launch_s: f64) -> Aim {
    let w = &sc.weapons[weapon];
    let flight_s = |to: LatLon| kinematics(w, origin.distance_km(to).max(0.001)).0;
    // Where a weapon that follows its target meets it: two fixed-point steps suffice.
    let mut predicted = sc.asset_position(target, launch_s);
    for _ in 0..2 {
        predicted = sc.asset_position(target, launch_s + flight_s(predicted));
    }
    let follows = Aim {
        point: predicted,
        xy: [0, 0],
        evade: 0,
    };
    let g = &w.guidance;
    if g.acquisition_km.is_infinite() {
        return follows;
    }
    let age = g.targeting_age_s;
    let speed = sc.assets[target].manoeuvre_kmh;
    let run_km = |flight: f64| speed * (age + flight) / 3600.0;
    // The data are no older than the scenario: before its start, the target's position
    // at the start.
    let data = sc.asset_position(target, (launch_s - age).max(0.0));
    if g.kind.is_some_and(|k| k.follows())
        && data.distance_km(predicted) + run_km(flight_s(predicted)) <= g.acquisition_km
    {
        return follows;
    }
    let flight = flight_s(data);
    let there = sc.asset_position(target, launch_s + flight);
    let run = run_km(flight);
    let frame_km = FRAME_LIMIT as f64 * FRAME_M as f64 / 1000.0;
    if there.distance_km(data) > frame_km || run > frame_km {
        return Aim {
            point: data,
            xy: [0, 0],
            evade: OFF_FRAME,
        };
    }
    let [east, north] = there.east_north_km(data);
    let units = |km: f64| {
        let u = libm::round(km * 1000.0 / FRAME_M as f64);
        u.clamp(-(FRAME_LIMIT as f64), FRAME_LIMIT as f64) as i32
    };
    Aim {
        point: data,
        xy: [units(east), units(north)],
        evade: frame_units(run * 1000.0),
    }
}

/// Time of flight (s) and peak altitude (km) of a weapon over a distance.
pub fn kinematics(w: &crate::scenario::Weapon, distance_km: f64) -> (f64, f64) {
    match w.class {
        ThreatClass::Ballistic | ThreatClass::Rocket => {
            let x = (distance_km / w.range_km).max(1e-6);
            (w.flight_time_s * x.sqrt(), w.apogee_km * x)
        }
        ThreatClass::Cruise | ThreatClass::Drone => {
            (distance_km / w.speed_kmh * 3600.0, w.altitude_km)
        }
    }
}
