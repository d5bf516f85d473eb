//! Detection by sensor (issue 14): a threat is detected and classified by its target's
//! side's picture (`sides.<id>.detection`, drawn per replicate) or by the own sensor of any
//! battery whose envelope it enters (`sensor`, a point value), independently. A target no
//! battery with a sensor covers (an outpost like Tower 22) has only its side's picture.

use std::collections::BTreeSet;

use crate::scenario::{Scenario, ThreatClass};

/// The probability that at least one battery's own sensor detects a threat of `class`:
/// `1 - prod(1 - s_b)` over the distinct batteries, in index order (0 with none).
pub fn sensed(sc: &Scenario, class: ThreatClass, batteries: impl Iterator<Item = u32>) -> f64 {
    let distinct: BTreeSet<u32> = batteries.collect();
    let mut missed = 1.0;
    let mut any = false;
    for b in distinct {
        let s = sc.batteries[b as usize].sensor[class.index()];
        if s > 0.0 {
            missed *= 1.0 - s;
            any = true;
        }
    }
    if any { 1.0 - missed } else { 0.0 }
}

/// A track's detection: its side's picture or its sensors, independently; exactly the
/// side's value when no sensor covers it (the plan and every replicate's drawn row compute
/// it here, so their thresholds agree to the bit).
pub fn detection(side: f64, sensed: f64) -> f64 {
    if sensed > 0.0 {
        1.0 - (1.0 - side) * (1.0 - sensed)
    } else {
        side
    }
}
