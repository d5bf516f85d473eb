//! Checks of single values that every section uses: numbers in range, the provenance of
//! figures, probabilities per threat class, envelopes, positions, vulnerability.

use super::super::model::Envelope;
use super::super::source::KeyPath;
use super::super::types::{self, ClassProbabilities, Figure, ThreatClass};
use super::{Checker, SCENARIO};
use crate::geo::LatLon as Geo;

#[derive(Clone, Copy)]
pub(super) enum Kind {
    Positive,
    NonNegative,
    Probability,
}

pub(super) fn check_number(v: f64, kind: Kind) -> Option<String> {
    if !v.is_finite() {
        return Some(format!("expected a finite number, found {v}"));
    }
    match kind {
        Kind::Positive if v <= 0.0 => Some(format!("expected a number above 0, found {v}")),
        Kind::NonNegative if v < 0.0 => Some(format!("expected a number of 0 or more, found {v}")),
        Kind::Probability if !(0.0..=1.0).contains(&v) => {
            Some(format!("expected a probability between 0 and 1, found {v}"))
        }
        _ => None,
    }
}

/// A database figure: its value in range, and its source (or `assumed = true`).
pub(super) fn figure(ck: &mut Checker, file: usize, path: &KeyPath, f: &Figure, kind: Kind) -> f64 {
    if let Some(m) = check_number(f.value, kind) {
        ck.err(file, &path.key("value"), m);
    }
    provenance(ck, file, path, f.source.as_deref(), f.assumed);
    if f.value.is_finite() { f.value } else { 0.0 }
}

/// A figure that counts something: a whole number in `[min, max]`, with provenance.
pub(super) fn count(
    ck: &mut Checker,
    file: usize,
    path: &KeyPath,
    f: &Figure,
    min: u32,
    max: u32,
    what: &str,
) -> u32 {
    let v = figure(ck, file, path, f, Kind::NonNegative);
    if v.fract() != 0.0 || v < min as f64 || v > max as f64 {
        ck.err(
            file,
            &path.key("value"),
            format!("expected a whole number of {what} from {min} to {max}, found {v}"),
        );
        return min;
    }
    v as u32
}

/// Every figure names its source or says it is an assumption.
pub(super) fn provenance(
    ck: &mut Checker,
    file: usize,
    path: &KeyPath,
    source: Option<&str>,
    assumed: bool,
) {
    let has_source = source.is_some_and(|s| !s.trim().is_empty());
    if !has_source && !assumed {
        ck.err(
            file,
            path,
            "a figure needs a `source` naming where it was reported, or `assumed = true`",
        );
    }
}

pub(super) fn probability(ck: &mut Checker, file: usize, path: &KeyPath, v: f64) -> f64 {
    if let Some(m) = check_number(v, Kind::Probability) {
        ck.err(file, path, m);
        return 0.0;
    }
    v
}

/// A probability per threat class (0 for a class left out), with its provenance; a kill
/// probability (`is_pk`) must be marked assumed, as no public source gives one.
pub(super) fn class_probabilities(
    ck: &mut Checker,
    file: usize,
    path: &KeyPath,
    p: &ClassProbabilities,
    is_pk: bool,
) -> [f64; 4] {
    let mut out = [0.0; 4];
    for c in ThreatClass::ALL {
        if let Some(v) = p.get(c) {
            out[c.index()] = probability(ck, file, &path.key(c.name()), v);
        }
    }
    if is_pk && !p.assumed {
        ck.err(
            file,
            path,
            "no public source gives a kill probability: mark it `assumed = true`",
        );
    } else {
        provenance(ck, file, path, p.source.as_deref(), p.assumed);
    }
    out
}

/// An envelope: ranges and altitudes `[min, max]`, non-negative; `None` when it is wrong.
pub(super) fn envelope(
    ck: &mut Checker,
    file: usize,
    path: &KeyPath,
    e: &types::Envelope,
) -> Option<Envelope> {
    let mut ok = true;
    for (key, pair) in [("range_km", e.range_km), ("alt_km", e.alt_km)] {
        for (k, v) in pair.iter().enumerate() {
            if let Some(m) = check_number(*v, Kind::NonNegative) {
                ck.err(file, &path.key(key).index(k), m);
                ok = false;
            }
        }
        if ok && pair[0] > pair[1] {
            ck.err(
                file,
                &path.key(key),
                format!(
                    "expected [min, max] with min <= max, found [{}, {}]",
                    pair[0], pair[1]
                ),
            );
            ok = false;
        }
    }
    provenance(ck, file, path, e.source.as_deref(), e.assumed);
    ok.then_some(Envelope {
        range_km: e.range_km,
        alt_km: e.alt_km,
    })
}

pub(super) fn position(ck: &mut Checker, path: &KeyPath, p: types::LatLon) -> Geo {
    if !p.lat.is_finite() || !(-90.0..=90.0).contains(&p.lat) {
        ck.err(
            SCENARIO,
            &path.key("lat"),
            format!("expected a latitude between -90 and 90, found {}", p.lat),
        );
    }
    if !p.lon.is_finite() || !(-180.0..=180.0).contains(&p.lon) {
        ck.err(
            SCENARIO,
            &path.key("lon"),
            format!("expected a longitude between -180 and 180, found {}", p.lon),
        );
    }
    Geo::new(p.lat, p.lon)
}

/// What a hit costs an asset.
pub(super) struct Vulnerability {
    pub value_usd: f64,
    pub staying_power: u32,
    pub hardness: f64,
}

pub(super) fn vulnerability(
    ck: &mut Checker,
    path: &KeyPath,
    v: &types::Vulnerability,
) -> Vulnerability {
    if let Some(m) = check_number(v.value_usd, Kind::NonNegative) {
        ck.err(SCENARIO, &path.key("value_usd"), m);
    }
    if v.staying_power == 0 {
        ck.err(
            SCENARIO,
            &path.key("staying_power"),
            "expected at least 1 damaging hit",
        );
    }
    let hardness = probability(ck, SCENARIO, &path.key("hardness"), v.hardness);
    if hardness >= 1.0 {
        ck.err(
            SCENARIO,
            &path.key("hardness"),
            "a hardness of 1 makes the asset immune; use less than 1",
        );
    }
    Vulnerability {
        value_usd: if v.value_usd.is_finite() {
            v.value_usd
        } else {
            0.0
        },
        staying_power: v.staying_power,
        hardness,
    }
}
