//! Checks of single values that every section uses: numbers in range, the provenance of
//! figures, probabilities per threat class, envelopes, positions, vulnerability.

use super::super::model::Envelope;
use super::super::source::KeyPath;
use super::super::types::{self, ClassProbabilities, DistKind, Figure, ThreatClass, Value};
use super::super::uncertain::{Distribution, Parameter, parameter_id, valid_key};
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

/// A database figure: its value in range, and its source (or `assumed = true`); its point
/// value (a distribution's central value).
pub(super) fn figure(ck: &mut Checker, file: usize, path: &KeyPath, f: &Figure, kind: Kind) -> f64 {
    let v = number(ck, file, &path.key("value"), &f.value, kind, None);
    provenance(ck, file, path, f.source.as_deref(), f.assumed);
    v
}

/// The largest value a figure can take: its number, or the top of its distribution.
pub(super) fn highest(v: &Value) -> f64 {
    match v {
        Value::Point(x) => *x,
        Value::Distribution(d) => d.high.or(d.mode).or(d.point).unwrap_or(1.0),
    }
}

/// A figure's number in range: a point, or a distribution whose whole support is in range
/// (and whole numbers in `whole` for a count). A distribution is recorded as a parameter
/// of the current entry. Returns the point value (0 when it is wrong).
pub(super) fn number(
    ck: &mut Checker,
    file: usize,
    path: &KeyPath,
    v: &Value,
    kind: Kind,
    whole: Option<(u32, u32, &str)>,
) -> f64 {
    match v {
        Value::Point(x) => match check_number(*x, kind) {
            Some(m) => {
                ck.err(file, path, m);
                0.0
            }
            None => *x,
        },
        Value::Distribution(spec) => match distribution(ck, file, path, spec, kind, whole) {
            Some(dist) => {
                let point = dist.point();
                let (Some((owner, field)), Some(e)) = (ck.parameter_field(path), &ck.entry) else {
                    ck.err(
                        file,
                        path,
                        "only a figure of the database or a side's detection can be a distribution",
                    );
                    return point;
                };
                let full = format!("{}.{field}", e.prefix);
                let key = spec.key.clone().unwrap_or_else(|| full.clone());
                ck.parameters.push(Parameter {
                    path: full,
                    id: parameter_id(&key),
                    key,
                    dist,
                    integer: whole.is_some(),
                    owner,
                    field,
                });
                point
            }
            // What it would be, so that one wrong distribution does not also make its
            // entry look empty to the checks that follow (the load fails anyway).
            None => spec
                .mode
                .or(spec.point)
                .or(spec.low)
                .filter(|x| x.is_finite())
                .unwrap_or(0.0),
        },
    }
}

/// A distribution as written, checked: the keys its kind takes, finite numbers, `low <
/// high` with the mode and point inside, the support within what the figure allows.
pub(super) fn distribution(
    ck: &mut Checker,
    file: usize,
    path: &KeyPath,
    d: &types::DistributionSpec,
    kind: Kind,
    whole: Option<(u32, u32, &str)>,
) -> Option<Distribution> {
    let errors = ck.diagnostics.len() + ck.omitted;
    let (needs, forbids): (&[&str], &[&str]) = match d.dist {
        DistKind::Triangular => (&["low", "mode", "high"], &["point", "alpha", "beta"]),
        DistKind::Uniform => (&["low", "high"], &["mode", "alpha", "beta"]),
        DistKind::Beta => (&["alpha", "beta"], &["mode"]),
    };
    let field = |k: &str| match k {
        "low" => d.low,
        "mode" => d.mode,
        "high" => d.high,
        "point" => d.point,
        "alpha" => d.alpha,
        _ => d.beta,
    };
    let name = match d.dist {
        DistKind::Triangular => "a triangular distribution",
        DistKind::Uniform => "a uniform distribution",
        DistKind::Beta => "a beta distribution",
    };
    for k in needs {
        if field(k).is_none() {
            ck.err(file, path, format!("{name} needs `{k}`"));
        }
    }
    for k in forbids {
        if field(k).is_some() {
            let why = match *k {
                "point" => " (its point value is its `mode`)",
                "mode" => " (give its point value as `point`)",
                _ => "",
            };
            ck.err(file, &path.key(k), format!("{name} takes no `{k}`{why}"));
        }
    }
    for k in ["low", "mode", "high", "point", "alpha", "beta"] {
        if let Some(x) = field(k)
            && !x.is_finite()
        {
            ck.err(
                file,
                &path.key(k),
                format!("expected a finite number, found {x}"),
            );
        }
    }
    if let Some(key) = &d.key
        && !valid_key(key)
    {
        ck.err(
            file,
            &path.key("key"),
            format!("a draw key is 1-200 characters of a-z, 0-9 and .-_:#, found {key:?}"),
        );
    }
    if ck.diagnostics.len() + ck.omitted > errors {
        return None;
    }
    let beta_ends = matches!(d.dist, DistKind::Beta);
    let low = d.low.unwrap_or(if beta_ends { 0.0 } else { f64::NAN });
    let high = d.high.unwrap_or(if beta_ends { 1.0 } else { f64::NAN });
    if low >= high {
        ck.err(
            file,
            path,
            format!("expected `low` below `high`, found low {low} and high {high} (a single value is written as a number)"),
        );
        return None;
    }
    for (k, x) in [("low", low), ("high", high)] {
        if let Some(m) = check_number(x, kind) {
            ck.err(file, &path.key(k), m);
        }
    }
    for (k, x) in [("mode", d.mode), ("point", d.point)] {
        if let Some(x) = x
            && !(low..=high).contains(&x)
        {
            ck.err(
                file,
                &path.key(k),
                format!("expected `{k}` within [low, high] = [{low}, {high}], found {x}"),
            );
        }
    }
    for (k, x) in [("alpha", d.alpha), ("beta", d.beta)] {
        if let Some(x) = x
            && x <= 0.0
        {
            ck.err(
                file,
                &path.key(k),
                format!("expected `{k}` above 0, found {x}"),
            );
        }
    }
    if let Some((min, max, what)) = whole {
        for (k, x) in [
            ("low", Some(low)),
            ("mode", d.mode),
            ("high", Some(high)),
            ("point", d.point),
        ] {
            if let Some(x) = x
                && (x.fract() != 0.0 || x < min as f64 || x > max as f64)
            {
                ck.err(
                    file,
                    &path.key(k),
                    format!("expected a whole number of {what} from {min} to {max}, found {x}"),
                );
            }
        }
    }
    if ck.diagnostics.len() + ck.omitted > errors {
        return None;
    }
    Some(match d.dist {
        DistKind::Triangular => Distribution::Triangular {
            low,
            mode: d.mode.unwrap_or(low),
            high,
        },
        DistKind::Uniform => Distribution::Uniform {
            low,
            high,
            point: d.point.unwrap_or(0.5 * (low + high)),
        },
        DistKind::Beta => {
            let (alpha, beta) = (d.alpha.unwrap_or(1.0), d.beta.unwrap_or(1.0));
            Distribution::Beta {
                alpha,
                beta,
                low,
                high,
                point: d
                    .point
                    .unwrap_or(low + (high - low) * alpha / (alpha + beta)),
            }
        }
    })
}

/// The parameters recorded, in canonical order (by path), each draw key's id checked for
/// a collision with another key's.
pub(super) fn parameters(ck: &mut Checker) -> Vec<Parameter> {
    let mut out = std::mem::take(&mut ck.parameters);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    let mut ids = std::collections::HashMap::new();
    for p in &out {
        if let Some(other) = ids.insert(p.id, p.key.as_str())
            && other != p.key
        {
            // Astronomically unlikely (64-bit hash); loud rather than silently correlated.
            ck.err(
                SCENARIO,
                &KeyPath::default(),
                format!(
                    "the draw keys {other:?} and {:?} hash to the same parameter id: rename one",
                    p.key
                ),
            );
        }
    }
    out
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
    if let Value::Distribution(_) = f.value {
        let v = number(
            ck,
            file,
            &path.key("value"),
            &f.value,
            Kind::NonNegative,
            Some((min, max, what)),
        );
        provenance(ck, file, path, f.source.as_deref(), f.assumed);
        return v as u32;
    }
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
            out[c.index()] = number(ck, file, &path.key(c.name()), v, Kind::Probability, None);
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
