//! A track's flight swept against one envelope: the windows of ticks in which the threat
//! is inside it. The only geometry that runs per tick of flight, so its work is counted
//! ([`Work`]) and bounded, and it never looks past the end of the scenario.

use std::sync::atomic::{AtomicU64, Ordering};

use super::TrackInfo;
use crate::engine::layout::MAX_OPPORTUNITIES;
use crate::geo::{EARTH_RADIUS_KM, LatLon};
use crate::scenario::{Placement, Scenario, ThreatClass};

/// Sweep steps (envelope samples, and the points of the coarse reach screen) spent so far by
/// every track of a plan, against a limit. Each sweep adds its steps before it takes them,
/// so planning stops within one sweep of the limit; whether the limit is passed depends
/// only on the scenario (the sum of every sweep's steps), not on the order of the threads.
pub struct Work {
    spent: AtomicU64,
    limit: u64,
}

impl Work {
    pub fn new(limit: u64) -> Work {
        Work {
            spent: AtomicU64::new(0),
            limit,
        }
    }

    /// Take `steps` more; `false` once the total is over the limit.
    fn spend(&self, steps: u64) -> bool {
        let before = self.spent.fetch_add(steps, Ordering::Relaxed);
        before.saturating_add(steps) <= self.limit
    }

    /// Whether the steps taken so far are over the limit.
    pub fn exceeded(&self) -> bool {
        self.spent.load(Ordering::Relaxed) > self.limit
    }

    /// Steps taken so far.
    pub fn spent(&self) -> u64 {
        self.spent.load(Ordering::Relaxed)
    }
}

/// A track's windows in one envelope: the earliest `MAX_OPPORTUNITIES` (no later one can be
/// among the earliest `MAX_OPPORTUNITIES` of the track), and how many there are in all.
pub struct Windows {
    pub runs: Vec<(u32, u32)>,
    pub total: u32,
}

/// Ages (ticks since launch) at which the threat is inside an envelope, as runs
/// `(enter, exit)`. Tick `a` covers `[a, a+1)` ticks after launch; it counts as inside
/// when any of a few sample instants within it is inside, so that a fast threat crossing
/// a thin envelope between two tick boundaries is not missed.
///
/// Only ages below `end_age` are swept: the threat launches at `launch_s` at the earliest,
/// and no tick after the end of the scenario is ever run, so a window that opens later
/// can never be used (one still open then is cut there). `None` when the sweep would take
/// `work` over its limit.
#[allow(clippy::too_many_arguments)]
pub(super) fn windows(
    sc: &Scenario,
    info: &TrackInfo,
    class: ThreatClass,
    battery: usize,
    launch_s: f64,
    flight: u32,
    end_age: u32,
    env: crate::scenario::Envelope,
    work: &Work,
) -> Option<Windows> {
    let none = Windows {
        runs: Vec::new(),
        total: 0,
    };
    let b = &sc.batteries[battery];
    let placement = b.placement;
    // A relocated battery, or one on a ship that goes to port, jumps: swept in full.
    let relocated = !b.moves.is_empty() || b.host.is_some_and(|h| !sc.assets[h].trips.is_empty());
    let tick_s = sc.tick_seconds as f64;
    let (rmin, rmax) = (env.range_km[0], env.range_km[1]);
    // Altitude screen: a threat that never enters the altitude band cannot be engaged.
    let (amin, amax) = (env.alt_km[0], env.alt_km[1]);
    let peak = info.peak_km;
    let alt_possible = match class {
        ThreatClass::Ballistic | ThreatClass::Rocket => amin <= peak,
        _ => amin <= peak && peak <= amax,
    };
    if !alt_possible {
        return Some(none);
    }
    // Distance screen, with how far a ship-borne battery can wander during the flight.
    // A relocated battery is swept in full: there are few, and they jump.
    let (at, drift) = match placement {
        Placement::Fixed(p) => (p, 0.0),
        Placement::Mounted { carrier, offset_km } => {
            let r = &sc.carriers[carrier].route;
            let drift = r.top_speed_kmh() * (info.flight_s + tick_s) / 3600.0;
            (
                r.position_at(launch_s).offset(offset_km[0], offset_km[1]),
                drift,
            )
        }
    };
    let moving = relocated || drift > 0.0;
    if !relocated {
        let closest = distance_to_arc_km(info.origin, info.aim, at);
        if closest > rmax + drift + 1.0 {
            return Some(none);
        }
    }
    // Sweep only the stretch of flight that can be within reach, before the end.
    let (lo, hi) = if !moving {
        if !work.spend(reach_steps(info, rmax + 1.0)) {
            return None;
        }
        reach_interval(info, at, rmax + 1.0, flight)
    } else {
        (0, flight)
    };
    let hi = hi.min(end_age);
    let lo = lo.min(hi);
    // Sub-samples per tick: enough that one step moves less than a quarter of the
    // envelope's smallest dimension.
    let v_h = info.distance_km / info.flight_s.max(1e-6);
    let v_v = match class {
        ThreatClass::Ballistic | ThreatClass::Rocket => 4.0 * peak / info.flight_s.max(1e-6),
        _ => 0.0,
    };
    let smallest = (rmax - rmin).max(1.0).min((amax - amin).max(1.0));
    let step = (v_h.max(v_v) * tick_s).max(1e-9);
    let subs = ((4.0 * step / smallest).ceil() as u32).clamp(1, 8);
    if !work.spend((hi - lo) as u64 * subs as u64) {
        return None;
    }
    let chord = |d: f64| 2.0 * libm::sin(d / (2.0 * EARTH_RADIUS_KM));
    let (cmin, cmax) = (chord(rmin), chord(rmax));
    let fixed_unit = at.to_unit();
    let arc = crate::geo::Arc::new(info.origin, info.aim);
    let ballistic = matches!(class, ThreatClass::Ballistic | ThreatClass::Rocket);
    let mut runs = Vec::new();
    let mut total = 0u32;
    let mut push = |run: (u32, u32)| {
        if runs.len() < MAX_OPPORTUNITIES {
            runs.push(run);
        }
        total += 1;
    };
    let mut open: Option<u32> = None;
    for age in lo..hi {
        let mut inside = false;
        for s in 0..subs {
            let t = (age as f64 + s as f64 / subs as f64) * tick_s;
            if t > info.flight_s {
                break;
            }
            // Same kinematics as `TrackInfo::position`, on unit vectors.
            let f = (t / info.flight_s).clamp(0.0, 1.0);
            let alt = if ballistic {
                4.0 * peak * f * (1.0 - f)
            } else {
                peak
            };
            if alt < amin || alt > amax {
                continue;
            }
            let b = if moving {
                sc.battery_position(battery, launch_s + t).to_unit()
            } else {
                fixed_unit
            };
            let g = arc.at(f);
            let c = ((g[0] - b[0]).powi(2) + (g[1] - b[1]).powi(2) + (g[2] - b[2]).powi(2)).sqrt();
            if c >= cmin && c <= cmax {
                inside = true;
                break;
            }
        }
        match (inside, open) {
            (true, None) => open = Some(age),
            (false, Some(e)) => {
                push((e, age - 1));
                open = None;
            }
            _ => {}
        }
    }
    if let Some(e) = open {
        push((e, hi - 1));
    }
    Some(Windows { runs, total })
}

/// Shortest distance (km) from `p` to the great-circle arc from `a` to `b`.
pub fn distance_to_arc_km(a: LatLon, b: LatLon, p: LatLon) -> f64 {
    let d_ab = a.distance_km(b);
    if d_ab < 1e-6 {
        return a.distance_km(p);
    }
    let ends = a.distance_km(p).min(b.distance_km(p));
    // Cross-track and along-track distances (spherical trigonometry).
    let r = EARTH_RADIUS_KM;
    let d_ap = a.distance_km(p) / r;
    let brg = |x: LatLon, y: LatLon| {
        let (p1, p2) = (x.lat.to_radians(), y.lat.to_radians());
        let dl = (y.lon - x.lon).to_radians();
        libm::atan2(
            libm::sin(dl) * libm::cos(p2),
            libm::cos(p1) * libm::sin(p2) - libm::sin(p1) * libm::cos(p2) * libm::cos(dl),
        )
    };
    let xt = libm::asin((libm::sin(d_ap) * libm::sin(brg(a, p) - brg(a, b))).clamp(-1.0, 1.0));
    let along = libm::acos((libm::cos(d_ap) / libm::cos(xt)).clamp(-1.0, 1.0)) * r;
    let forward = libm::cos(brg(a, p) - brg(a, b)) >= 0.0;
    if forward && along <= d_ab {
        (xt.abs() * r).min(ends)
    } else {
        ends
    }
}

/// Ticks of flight during which the ground track can be within `reach` km of a fixed
/// point: found on a coarse sampling of the track whose step is at most `reach / 2`,
/// padded by one coarse step each side.
fn reach_interval(info: &TrackInfo, p: LatLon, reach: f64, flight: u32) -> (u32, u32) {
    let step_km = (reach / 2.0).max(0.5);
    let n = reach_steps(info, reach) as u32 - 1;
    let mut first = None;
    let mut last = 0;
    for i in 0..=n {
        let f = i as f64 / n as f64;
        if info.origin.lerp(info.aim, f).distance_km(p) <= reach + step_km {
            first.get_or_insert(i);
            last = i;
        }
    }
    let Some(first) = first else {
        return (0, 0);
    };
    let to_tick = |i: u32| i as f64 / n as f64 * flight as f64;
    let lo = (to_tick(first.saturating_sub(1)).floor() as u32).saturating_sub(1);
    let hi = (to_tick((last + 1).min(n)).ceil() as u32)
        .saturating_add(1)
        .min(flight);
    (lo.min(hi), hi)
}

/// Points of [`reach_interval`]'s coarse sampling: `n + 1` for `n` steps of at most
/// `reach / 2` (and at least 0.5 km), at most 100,001.
fn reach_steps(info: &TrackInfo, reach: f64) -> u64 {
    let step_km = (reach / 2.0).max(0.5);
    ((info.distance_km / step_km).ceil() as u32).clamp(1, 100_000) as u64 + 1
}
