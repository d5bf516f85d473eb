//! The database files: weapons (`[[threats]]`) and interceptors, each figure with its
//! provenance.

use std::collections::HashMap;

use super::super::limits::{
    MAX_ACQUISITION_KM, MAX_DECOYS, MAX_FLIGHT_TIME_S, MAX_PER_CELL, MAX_SCATTER_M,
    MAX_SUBMUNITIONS, MIN_SPEED_KMH,
};
use super::super::model::{Guidance, Interceptor, Weapon};
use super::super::source::KeyPath;
use super::super::types::{self, Figure, ThreatClass};
use super::super::uncertain::{Owner, Parameter};
use super::canonical::natural;
use super::values::{
    Kind, class_probabilities, count, envelope, figure, highest, number, provenance,
};
use super::{Checker, Entry};

/// The database: weapons and interceptors, and their ids (a duplicated id names the
/// later entry).
pub(super) struct Database<'f> {
    pub weapons: Vec<Weapon>,
    pub weapon_ids: HashMap<&'f str, usize>,
    pub interceptors: Vec<Interceptor>,
    pub interceptor_ids: HashMap<&'f str, usize>,
}

/// A database entry found in one of the database files.
struct Found<'f, T> {
    file: usize,
    path: KeyPath,
    spec: &'f T,
}

/// Every entry of one kind across the database files (file 0 is the scenario), in
/// canonical order: by id (natural order), whichever file holds it (a duplicated id in file order).
fn found<'f, T>(
    dbs: &'f [types::DatabaseFile],
    key: &str,
    entries: impl Fn(&'f types::DatabaseFile) -> &'f [T],
    id: impl Fn(&T) -> &str,
) -> Vec<Found<'f, T>> {
    let mut out = Vec::new();
    for (d, db) in dbs.iter().enumerate() {
        for (i, spec) in entries(db).iter().enumerate() {
            out.push(Found {
                file: d + 1,
                path: KeyPath::default().key(key).index(i),
                spec,
            });
        }
    }
    out.sort_by(|a, b| natural(id(a.spec), id(b.spec)));
    out
}

pub(super) fn check<'f>(ck: &mut Checker, dbs: &'f [types::DatabaseFile]) -> Database<'f> {
    let mut weapons = Vec::new();
    let mut weapon_ids = HashMap::new();
    for f in found(dbs, "threats", |db| &db.threats, |t| &t.id) {
        if weapon_ids
            .insert(f.spec.id.as_str(), weapons.len())
            .is_some()
        {
            ck.err(
                f.file,
                &f.path.key("id"),
                format!("weapon id {:?} is defined twice", f.spec.id),
            );
        }
        let index = weapons.len();
        weapons.push(weapon(ck, &f, index));
    }
    let mut interceptors = Vec::new();
    let mut interceptor_ids = HashMap::new();
    for f in found(dbs, "interceptors", |db| &db.interceptors, |t| &t.id) {
        if interceptor_ids
            .insert(f.spec.id.as_str(), interceptors.len())
            .is_some()
        {
            ck.err(
                f.file,
                &f.path.key("id"),
                format!("interceptor id {:?} is defined twice", f.spec.id),
            );
        }
        let index = interceptors.len();
        interceptors.push(interceptor(ck, &f, index));
    }
    Database {
        weapons,
        weapon_ids,
        interceptors,
        interceptor_ids,
    }
}

/// A weapon: a ballistic missile or rocket needs its time of flight and apogee; a cruise
/// missile or drone its speed and altitude.
fn weapon(ck: &mut Checker, f: &Found<types::ThreatSpec>, index: usize) -> Weapon {
    ck.entry = Some(Entry {
        prefix: format!("threats.{}", f.spec.id),
        depth: f.path.0.len(),
        owner: Owner::Weapon(index),
    });
    let w = weapon_figures(ck, f);
    ck.entry = None;
    w
}

fn weapon_figures(ck: &mut Checker, f: &Found<types::ThreatSpec>) -> Weapon {
    let (t, p, file) = (f.spec, &f.path, f.file);
    let range_km = figure(ck, file, &p.key("range_km"), &t.range_km, Kind::Positive);
    if t.range_km.value.as_point().is_none() {
        // Every salvo target is checked against it at load: a drawn range could make
        // orders invalid in some replicates.
        ck.err(
            file,
            &p.key("range_km").key("value"),
            "a weapon's range is a validity bound and stays one number: give its uncertainty in the note",
        );
    }
    let cost_usd = figure(ck, file, &p.key("cost_usd"), &t.cost_usd, Kind::NonNegative);
    let launch_reliability = figure(
        ck,
        file,
        &p.key("launch_reliability"),
        &t.launch_reliability,
        Kind::Probability,
    );
    let flight_reliability = figure(
        ck,
        file,
        &p.key("flight_reliability"),
        &t.flight_reliability,
        Kind::Probability,
    );
    let cep_m = figure(ck, file, &p.key("cep_m"), &t.cep_m, Kind::NonNegative);
    if highest(&t.cep_m.value) > MAX_SCATTER_M {
        ck.err(
            file,
            &p.key("cep_m").key("value"),
            format!(
                "expected a CEP of at most {MAX_SCATTER_M} m, found {}",
                highest(&t.cep_m.value)
            ),
        );
    }
    let decoys = t.decoys.as_ref().map_or(0, |d| {
        count(ck, file, &p.key("decoys"), d, 0, MAX_DECOYS, "decoys")
    });
    if decoys > 0 && t.class != ThreatClass::Ballistic {
        ck.err(
            file,
            &p.key("decoys"),
            "only a ballistic missile's re-entry brings decoys",
        );
    }
    let manoeuvre = t
        .manoeuvre
        .as_ref()
        .map_or([1.0; 4], |m| tier_factors(ck, file, &p.key("manoeuvre"), m));
    let submunitions = t
        .submunitions
        .as_ref()
        .map(|s| submunitions(ck, file, &p.key("submunitions"), s));
    if let Some(w) = &t.warhead_kg {
        figure(ck, file, &p.key("warhead_kg"), w, Kind::NonNegative);
    }
    let need = |ck: &mut Checker, key: &str, v: &Option<Figure>, kind: Kind| match v {
        Some(v) => figure(ck, file, &p.key(key), v, kind),
        None => {
            ck.err(
                file,
                p,
                format!("a {} weapon needs `{key}`", t.class.name()),
            );
            0.0
        }
    };
    let (mut flight_time_s, mut apogee_km, mut speed_kmh, mut altitude_km) = (0.0, 0.0, 0.0, 0.0);
    match t.class {
        ThreatClass::Ballistic | ThreatClass::Rocket => {
            flight_time_s = need(ck, "flight_time_s", &t.flight_time_s, Kind::Positive);
            apogee_km = need(ck, "apogee_km", &t.apogee_km, Kind::Positive);
            // Bounded so that every flight, in ticks, fits the engine's clock.
            let longest = t.flight_time_s.as_ref().map_or(0.0, |f| highest(&f.value));
            if longest > MAX_FLIGHT_TIME_S {
                ck.err(
                    file,
                    &p.key("flight_time_s").key("value"),
                    format!(
                        "expected a time of flight of at most {MAX_FLIGHT_TIME_S} s (a day), found {longest}"
                    ),
                );
            }
        }
        ThreatClass::Cruise | ThreatClass::Drone => {
            speed_kmh = need(ck, "speed_kmh", &t.speed_kmh, Kind::Positive);
            altitude_km = need(ck, "altitude_m", &t.altitude_m, Kind::NonNegative) / 1000.0;
            if speed_kmh > 0.0 && speed_kmh < MIN_SPEED_KMH {
                ck.err(
                    file,
                    &p.key("speed_kmh").key("value"),
                    format!("expected a speed of at least {MIN_SPEED_KMH} km/h, found {speed_kmh}"),
                );
            }
        }
    }
    let guidance = t.guidance.as_ref().map_or(Guidance::FOLLOWS, |g| {
        guidance(ck, file, &p.key("guidance"), g)
    });
    Weapon {
        id: t.id.clone(),
        name: t.name.clone(),
        class: t.class,
        range_km,
        flight_time_s,
        apogee_km,
        speed_kmh,
        altitude_km,
        cost_usd,
        launch_reliability,
        flight_reliability,
        cep_m,
        decoys,
        manoeuvre,
        submunitions,
        guidance,
    }
}

/// Terminal guidance: a targeting age within a day; an acquisition range (above 0, at
/// most `MAX_ACQUISITION_KM`) for a seeker or an operator and none for fixed
/// coordinates; provenance.
fn guidance(ck: &mut Checker, file: usize, path: &KeyPath, g: &types::GuidanceSpec) -> Guidance {
    let age = g.targeting_age_s;
    let age = if age.is_finite() && (0.0..=MAX_FLIGHT_TIME_S).contains(&age) {
        age
    } else {
        ck.err(
            file,
            &path.key("targeting_age_s"),
            format!(
                "expected a targeting age between 0 and {MAX_FLIGHT_TIME_S} s (a day), found {age}"
            ),
        );
        0.0
    };
    let acquisition_km = match (g.kind.follows(), g.acquisition_km) {
        (true, Some(km)) if km.is_finite() && km > 0.0 && km <= MAX_ACQUISITION_KM => km,
        (true, Some(km)) => {
            ck.err(
                file,
                &path.key("acquisition_km"),
                format!("expected an acquisition range above 0 and at most {MAX_ACQUISITION_KM} km, found {km}"),
            );
            0.0
        }
        (true, None) => {
            ck.err(
                file,
                path,
                format!("a {} weapon needs `acquisition_km`: how far from its aim point it finds the target", g.kind.name()),
            );
            0.0
        }
        (false, Some(_)) => {
            ck.err(
                file,
                &path.key("acquisition_km"),
                format!("a {} weapon has no seeker: it lands where it was aimed, so `acquisition_km` does not apply", g.kind.name()),
            );
            0.0
        }
        (false, None) => 0.0,
    };
    provenance(ck, file, path, g.source.as_deref(), g.assumed);
    Guidance {
        kind: Some(g.kind),
        targeting_age_s: age,
        acquisition_km,
    }
}

/// Kill-probability factors per tier, each in [0, 1], with provenance; a tier left out
/// takes the factor of the tier above it (1 for `tier1`), tiers beyond 4 `tier4`'s.
fn tier_factors(ck: &mut Checker, file: usize, path: &KeyPath, m: &types::TierFactors) -> [f64; 4] {
    let mut out = [1.0; 4];
    let mut last = 1.0;
    // The parameter of the last tier written as a distribution: a tier left out after it
    // takes the same draw (its own parameter, of the same draw key).
    let mut drawn: Option<Parameter> = None;
    for (i, slot) in out.iter_mut().enumerate() {
        if let Some(v) = m.get(i) {
            let key = path.key(&format!("tier{}", i + 1));
            let before = ck.parameters.len();
            last = number(ck, file, &key, v, Kind::Probability, None);
            drawn = (ck.parameters.len() > before)
                .then(|| ck.parameters.last().cloned())
                .flatten();
        } else if let Some(p) = &drawn {
            let field = format!("manoeuvre.tier{}", i + 1);
            let prefix = p.path.strip_suffix(&p.field).unwrap_or(&p.path);
            ck.parameters.push(Parameter {
                path: format!("{prefix}{field}"),
                field,
                ..p.clone()
            });
        }
        *slot = last;
    }
    provenance(ck, file, path, m.source.as_deref(), m.assumed);
    out
}

/// Submunitions: 1 to `MAX_SUBMUNITIONS` of them, a spread within the frame, provenance.
fn submunitions(
    ck: &mut Checker,
    file: usize,
    path: &KeyPath,
    s: &types::Submunitions,
) -> (u32, f64) {
    if s.count == 0 || s.count > MAX_SUBMUNITIONS {
        ck.err(
            file,
            &path.key("count"),
            format!(
                "expected 1 to {MAX_SUBMUNITIONS} submunitions, found {}",
                s.count
            ),
        );
    }
    let ok = s.spread_m.is_finite() && (0.0..=MAX_SCATTER_M).contains(&s.spread_m);
    if !ok {
        ck.err(
            file,
            &path.key("spread_m"),
            format!(
                "expected a spread between 0 and {MAX_SCATTER_M} m, found {}",
                s.spread_m
            ),
        );
    }
    provenance(ck, file, path, s.source.as_deref(), s.assumed);
    (
        s.count.clamp(1, MAX_SUBMUNITIONS),
        if ok { s.spread_m } else { 0.0 },
    )
}

/// An interceptor: its cost, a kill probability per class it can engage, and an envelope
/// for each such class.
fn interceptor(ck: &mut Checker, f: &Found<types::InterceptorSpec>, index: usize) -> Interceptor {
    ck.entry = Some(Entry {
        prefix: format!("interceptors.{}", f.spec.id),
        depth: f.path.0.len(),
        owner: Owner::Interceptor(index),
    });
    let i = interceptor_figures(ck, f);
    ck.entry = None;
    i
}

fn interceptor_figures(ck: &mut Checker, f: &Found<types::InterceptorSpec>) -> Interceptor {
    let (t, p, file) = (f.spec, &f.path, f.file);
    let cost_usd = figure(ck, file, &p.key("cost_usd"), &t.cost_usd, Kind::NonNegative);
    let mean_speed_kms = figure(
        ck,
        file,
        &p.key("mean_speed_kms"),
        &t.mean_speed_kms,
        Kind::Positive,
    );
    let reliability = figure(
        ck,
        file,
        &p.key("reliability"),
        &t.reliability,
        Kind::Probability,
    );
    let pk = class_probabilities(ck, file, &p.key("pk"), &t.pk, true);
    let mut envelopes = [None; 4];
    for c in ThreatClass::ALL {
        let e = t.envelope.get(c);
        let ep = p.key("envelope").key(c.name());
        envelopes[c.index()] = e.and_then(|e| envelope(ck, file, &ep, e));
        if pk[c.index()] > 0.0 && e.is_none() {
            ck.err(
                file,
                &p.key("pk").key(c.name()),
                format!(
                    "a kill probability against {} threats needs `envelope.{}` too",
                    c.name(),
                    c.name()
                ),
            );
        }
    }
    if pk.iter().all(|&x| x <= 0.0) {
        ck.err(
            file,
            &p.key("pk"),
            "the interceptor can kill no class of threat",
        );
    }
    Interceptor {
        id: t.id.clone(),
        name: t.name.clone(),
        cost_usd,
        pk,
        envelope: envelopes,
        mean_speed_kms: if mean_speed_kms > 0.0 {
            mean_speed_kms
        } else {
            1.0
        },
        reliability,
        soft_kill: t.soft_kill,
        per_cell: t.per_cell.filter(|&n| {
            let ok = (1..=MAX_PER_CELL).contains(&n);
            if !ok {
                ck.err(
                    file,
                    &p.key("per_cell"),
                    format!("expected 1 to {MAX_PER_CELL} rounds a cell, found {n}"),
                );
            }
            ok
        }),
    }
}
