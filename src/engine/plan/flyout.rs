//! Interceptor fly-out: from a window in which the threat is inside an envelope (the ages
//! at which an intercept can happen) to the window in which an engagement can start, and
//! the fly-out of an engagement started at each age of it, as the small table of knots
//! the kernels interpolate (`cpu::intercept_age`).
//!
//! An interceptor launched at age `a` towards the threat's position at age `h` needs
//! `tof(h)` ticks: the slant distance from the battery to that position over the
//! interceptor's mean speed, rounded to ticks. It can meet the threat at `h` if
//! `h - tof(h) >= a`, and does at the earliest such `h` inside the envelope (it flies a
//! slightly longer path, or later, when the exact meeting falls between ticks). An
//! engagement can start at `a` if some `h` of the window allows it: from the smallest
//! `h - tof(h)` to the largest.

use super::TrackInfo;
use crate::engine::layout::{FLYOUT_KNOTS, MAX_FLYOUT};
use crate::scenario::{Scenario, ThreatClass};

/// An engagement window and its fly-out table, for an `Opportunity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Launches {
    pub enter: u32,
    pub exit: u32,
    pub step: u32,
    pub flyout: [u32; 4],
}

/// The launch window and knots for intercept ages `hit_first..=hit_last`, given the
/// fly-out ticks `tof(h)` of each (indexed from `hit_first`). `None` when no engagement
/// can start at or after age `earliest` (0, or a decoy's separation).
pub fn launches(hit_first: u32, tof: &[u32], earliest: u32) -> Option<Launches> {
    let latest: Vec<i64> = tof
        .iter()
        .enumerate()
        .map(|(i, &t)| (hit_first as i64 + i as i64) - t as i64)
        .collect();
    let last = *latest.iter().max()?;
    if last < earliest as i64 {
        return None;
    }
    let first = (*latest.iter().min()?).max(earliest as i64);
    let (enter, exit) = (first as u32, last as u32);
    // The earliest intercept age for an engagement started at `a`.
    let intercept = |a: u32| {
        let i = latest
            .iter()
            .position(|&l| l >= a as i64)
            .expect("a start within the window has an intercept");
        hit_first + i as u32
    };
    let span = exit - enter;
    let step = span.div_ceil(FLYOUT_KNOTS - 1).max(1);
    let mut knots = [0u32; FLYOUT_KNOTS as usize];
    for (i, k) in knots.iter_mut().enumerate() {
        let a = (enter + i as u32 * step).min(exit);
        *k = (intercept(a) - a).min(MAX_FLYOUT);
    }
    let mut flyout = [0u32; 4];
    for (i, k) in knots.iter().enumerate() {
        flyout[i / 2] |= k << (16 * (i % 2));
    }
    Some(Launches {
        enter,
        exit,
        step,
        flyout,
    })
}

/// Ticks an interceptor of mean speed `kms` needs from the battery to where the threat
/// is in the middle of each age of `ages`: the straight-line distance (through the
/// chord, with the threat's altitude) over the speed, rounded to ticks.
pub(super) fn ticks(
    sc: &Scenario,
    info: &TrackInfo,
    class: ThreatClass,
    battery: usize,
    launch_s: f64,
    ages: std::ops::RangeInclusive<u32>,
    kms: f64,
) -> Vec<u32> {
    let tick_s = sc.tick_seconds as f64;
    let arc = crate::geo::Arc::new(info.origin, info.aim);
    let ballistic = matches!(class, ThreatClass::Ballistic | ThreatClass::Rocket);
    let fixed =
        (!sc.battery_moves(battery)).then(|| sc.battery_position(battery, launch_s).to_unit());
    ages.map(|h| {
        let t = ((h as f64 + 0.5) * tick_s).min(info.flight_s);
        // Same kinematics as `TrackInfo::position`, on unit vectors.
        let f = (t / info.flight_s).clamp(0.0, 1.0);
        let alt = if ballistic {
            4.0 * info.peak_km * f * (1.0 - f)
        } else {
            info.peak_km
        };
        let g = arc.at(f);
        let b = fixed.unwrap_or_else(|| sc.battery_position(battery, launch_s + t).to_unit());
        let chord =
            libm::sqrt((g[0] - b[0]).powi(2) + (g[1] - b[1]).powi(2) + (g[2] - b[2]).powi(2))
                * crate::geo::EARTH_RADIUS_KM;
        let d = libm::sqrt(chord * chord + alt * alt);
        libm::round(d / kms / tick_s).min(MAX_FLYOUT as f64) as u32
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cpu::flyout_at;
    use crate::engine::layout::Opportunity;

    fn opp(hit_first: u32, tof: &[u32]) -> Opportunity {
        let l = launches(hit_first, tof, 0).unwrap();
        Opportunity {
            enter: l.enter,
            exit: l.exit,
            hit_first,
            hit_last: hit_first + tof.len() as u32 - 1,
            step: l.step,
            flyout: l.flyout,
            ..Opportunity::default()
        }
    }

    #[test]
    fn a_constant_flyout_shifts_the_window() {
        // Inside the envelope at ages 100..=120, 12 ticks of fly-out everywhere.
        let o = opp(100, &[12; 21]);
        assert_eq!((o.enter, o.exit), (88, 108));
        for a in 88..=108 {
            assert_eq!(flyout_at(&o, a), 12, "at age {a}");
        }
    }

    #[test]
    fn an_approaching_threat_meets_the_interceptor_sooner() {
        // The fly-out falls by 2 ticks a tick: `h - tof(h)` rises by 3 a tick, so a start
        // between two of them meets the threat at the later one.
        let tof: Vec<u32> = (0..11).map(|i| 30 - 2 * i).collect();
        let l = launches(50, &tof, 0).unwrap();
        assert_eq!((l.enter, l.exit, l.step), (20, 50, 5));
        let o = opp(50, &tof);
        // Exact at the knots: a start at 20 meets the threat at 50; one at 25 cannot meet
        // it at 51 (51 - 28 = 23 < 25) and does at 52, after 27 ticks; one at 50 at 60.
        assert_eq!(flyout_at(&o, 20), 30);
        assert_eq!(flyout_at(&o, 25), 27);
        assert_eq!(flyout_at(&o, 50), 10);
        // Between knots, interpolated: 27 + (24 - 27) * 1 / 5, in integers.
        assert_eq!(flyout_at(&o, 26), 27);
    }

    #[test]
    fn no_window_before_launch() {
        // Always out of reach: the fly-out exceeds every age.
        assert_eq!(launches(5, &[10, 10, 10], 0), None);
        // Partly: starts from age 0, or from a decoy's separation.
        let l = launches(5, &[10, 10, 10, 2], 0).unwrap();
        assert_eq!((l.enter, l.exit), (0, 6));
        let l = launches(5, &[10, 10, 10, 2], 4).unwrap();
        assert_eq!((l.enter, l.exit), (4, 6));
        assert_eq!(launches(5, &[10, 10, 10, 2], 7), None);
    }
}
