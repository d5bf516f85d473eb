//! Meaning checks: every reference resolves, every number is finite and in range, every
//! figure has a source, every order can be carried out. Collects all problems, each
//! pointed at `file:line:column`, instead of stopping at the first.

use std::collections::HashMap;

use super::model::*;
use super::source::{KeyPath, SourceFile, span_of};
use super::types::{self, ClassProbabilities, Figure, ThreatClass};
use crate::geo::{self, LatLon as Geo};

/// Collects diagnostics against one of several files.
pub(crate) struct Checker<'a> {
    pub files: Vec<&'a SourceFile>,
    pub diagnostics: Vec<super::source::Diagnostic>,
}

impl<'a> Checker<'a> {
    fn err(&mut self, file: usize, path: &KeyPath, message: impl Into<String>) {
        let f = self.files[file];
        let span = span_of(&f.text, path);
        let message = format!("{}: {}", path, message.into());
        self.diagnostics.push(f.diagnostic(span, message));
    }
}

/// A database entry found in one of the database files.
struct Found<'a, T> {
    file: usize,
    path: KeyPath,
    spec: &'a T,
}

pub(crate) fn validate(
    ck: &mut Checker<'_>,
    file: &types::ScenarioFile,
    dbs: &[types::DatabaseFile],
) -> Option<Scenario> {
    const S: usize = 0; // the scenario file is file 0; database files follow.
    let root = KeyPath::default();

    // ---- header
    let h = &file.scenario;
    let hp = root.key("scenario");
    if h.tick_seconds == 0 || h.tick_seconds > 600 {
        ck.err(
            S,
            &hp.key("tick_seconds"),
            format!(
                "expected a tick between 1 and 600 seconds, found {}",
                h.tick_seconds
            ),
        );
    }
    if h.duration.seconds() == 0 {
        ck.err(S, &hp.key("duration"), "expected a duration above 00:00");
    }
    let tick_s = h.tick_seconds.clamp(1, 600);
    let to_ticks = |c: types::Clock| c.seconds() / tick_s;
    let ticks = h.duration.seconds().div_ceil(tick_s).max(1);

    // ---- database
    let mut threats: Vec<Found<types::ThreatSpec>> = Vec::new();
    let mut intercs: Vec<Found<types::InterceptorSpec>> = Vec::new();
    for (d, db) in dbs.iter().enumerate() {
        for (i, t) in db.threats.iter().enumerate() {
            threats.push(Found {
                file: d + 1,
                path: root.key("threats").index(i),
                spec: t,
            });
        }
        for (i, t) in db.interceptors.iter().enumerate() {
            intercs.push(Found {
                file: d + 1,
                path: root.key("interceptors").index(i),
                spec: t,
            });
        }
    }
    let mut weapons = Vec::new();
    let mut weapon_ids: HashMap<&str, usize> = HashMap::new();
    for f in &threats {
        let t = f.spec;
        let p = &f.path;
        if weapon_ids.insert(t.id.as_str(), weapons.len()).is_some() {
            ck.err(
                f.file,
                &p.key("id"),
                format!("weapon id {:?} is defined twice", t.id),
            );
        }
        let range = figure(ck, f.file, &p.key("range_km"), &t.range_km, Kind::Positive);
        let cost = figure(
            ck,
            f.file,
            &p.key("cost_usd"),
            &t.cost_usd,
            Kind::NonNegative,
        );
        let lr = figure(
            ck,
            f.file,
            &p.key("launch_reliability"),
            &t.launch_reliability,
            Kind::Probability,
        );
        let fr = figure(
            ck,
            f.file,
            &p.key("flight_reliability"),
            &t.flight_reliability,
            Kind::Probability,
        );
        let acc = figure(
            ck,
            f.file,
            &p.key("accuracy"),
            &t.accuracy,
            Kind::Probability,
        );
        if let Some(w) = &t.warhead_kg {
            figure(ck, f.file, &p.key("warhead_kg"), w, Kind::NonNegative);
        }
        let (mut tof, mut apo, mut speed, mut alt) = (0.0, 0.0, 0.0, 0.0);
        let need = |ck: &mut Checker, key: &str, v: &Option<Figure>, kind: Kind| match v {
            Some(v) => figure(ck, f.file, &p.key(key), v, kind),
            None => {
                ck.err(
                    f.file,
                    p,
                    format!("a {} weapon needs `{key}`", t.class.name()),
                );
                0.0
            }
        };
        match t.class {
            ThreatClass::Ballistic | ThreatClass::Rocket => {
                tof = need(ck, "flight_time_s", &t.flight_time_s, Kind::Positive);
                apo = need(ck, "apogee_km", &t.apogee_km, Kind::Positive);
            }
            ThreatClass::Cruise | ThreatClass::Drone => {
                speed = need(ck, "speed_kmh", &t.speed_kmh, Kind::Positive);
                alt = need(ck, "altitude_m", &t.altitude_m, Kind::NonNegative) / 1000.0;
            }
        }
        weapons.push(Weapon {
            id: t.id.clone(),
            name: t.name.clone(),
            class: t.class,
            range_km: range,
            flight_time_s: tof,
            apogee_km: apo,
            speed_kmh: speed,
            altitude_km: alt,
            cost_usd: cost,
            launch_reliability: lr,
            flight_reliability: fr,
            accuracy: acc,
        });
    }
    let mut interceptors = Vec::new();
    let mut interceptor_ids: HashMap<&str, usize> = HashMap::new();
    for f in &intercs {
        let t = f.spec;
        let p = &f.path;
        if interceptor_ids
            .insert(t.id.as_str(), interceptors.len())
            .is_some()
        {
            ck.err(
                f.file,
                &p.key("id"),
                format!("interceptor id {:?} is defined twice", t.id),
            );
        }
        let cost = figure(
            ck,
            f.file,
            &p.key("cost_usd"),
            &t.cost_usd,
            Kind::NonNegative,
        );
        let pk = class_probabilities(ck, f.file, &p.key("pk"), &t.pk, true);
        let mut envelope = [None; 4];
        for c in ThreatClass::ALL {
            let e = t.envelope.get(c);
            let ep = p.key("envelope").key(c.name());
            envelope[c.index()] = e.and_then(|e| envelope_of(ck, f.file, &ep, e));
            if pk[c.index()] > 0.0 && e.is_none() {
                ck.err(
                    f.file,
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
                f.file,
                &p.key("pk"),
                "the interceptor can kill no class of threat",
            );
        }
        interceptors.push(Interceptor {
            id: t.id.clone(),
            name: t.name.clone(),
            cost_usd: cost,
            pk,
            envelope,
        });
    }

    // ---- sides
    let mut side_ids: HashMap<&str, usize> = HashMap::new();
    for (i, s) in file.sides.iter().enumerate() {
        if side_ids.insert(s.id.as_str(), i).is_some() {
            ck.err(
                S,
                &root.key("sides").index(i).key("id"),
                format!("side id {:?} is defined twice", s.id),
            );
        }
    }
    if file.sides.is_empty() {
        ck.err(S, &root.key("sides"), "expected at least one side");
    }
    let n_sides = file.sides.len();
    let mut sides = Vec::new();
    for (i, s) in file.sides.iter().enumerate() {
        let p = root.key("sides").index(i);
        let mut hostile = vec![false; n_sides];
        for (j, h) in s.hostile_to.iter().enumerate() {
            match side_ids.get(h.as_str()) {
                Some(&k) if k == i => ck.err(
                    S,
                    &p.key("hostile_to").index(j),
                    "a side cannot be hostile to itself",
                ),
                Some(&k) => hostile[k] = true,
                None => ck.err(
                    S,
                    &p.key("hostile_to").index(j),
                    unknown("side", h, side_ids.keys()),
                ),
            }
        }
        let detection = match &s.detection {
            Some(d) => {
                let v = class_probabilities(ck, S, &p.key("detection"), d, false);
                let mut out = [1.0; 4];
                for c in ThreatClass::ALL {
                    if d.get(c).is_some() {
                        out[c.index()] = v[c.index()];
                    }
                }
                out
            }
            None => [1.0; 4],
        };
        sides.push(Side {
            id: s.id.clone(),
            name: s.name.clone(),
            hostile,
            detection,
        });
    }
    let side_of = |ck: &mut Checker, path: &KeyPath, id: &str| -> usize {
        match side_ids.get(id) {
            Some(&k) => k,
            None => {
                ck.err(S, path, unknown("side", id, side_ids.keys()));
                0
            }
        }
    };

    // ---- unit ids are one namespace: targets, hosts and struck sites refer to them.
    let mut unit_ids: HashMap<String, KeyPath> = HashMap::new();
    let mut claim = |ck: &mut Checker, path: KeyPath, id: &str| {
        if id.is_empty() {
            ck.err(S, &path, "expected a non-empty id");
        }
        if unit_ids.contains_key(id) {
            ck.err(
                S,
                &path,
                format!("unit id {id:?} is already used by {}", unit_ids[id]),
            );
        } else {
            unit_ids.insert(id.to_string(), path);
        }
    };

    // ---- assets: bases and cities, then carriers and their escorts
    let mut assets: Vec<Asset> = Vec::new();
    let mut asset_ids: HashMap<String, usize> = HashMap::new();
    for (i, a) in file.assets.iter().enumerate() {
        let p = root.key("assets").index(i);
        claim(ck, p.key("id"), &a.id);
        let side = side_of(ck, &p.key("side"), &a.side);
        let pos = position(ck, &p.key("position"), a.position);
        let (value, staying, hard) = vulnerability(ck, &p.key("vulnerability"), &a.vulnerability);
        asset_ids.insert(a.id.clone(), assets.len());
        assets.push(Asset {
            id: a.id.clone(),
            name: a.name.clone(),
            side,
            kind: a.kind,
            placement: Placement::Fixed(pos),
            value_usd: value,
            staying_power: staying,
            hardness: hard,
        });
    }
    let mut carriers = Vec::new();
    let mut batteries: Vec<Battery> = Vec::new();
    for (ci, c) in file.carriers.iter().enumerate() {
        let p = root.key("carriers").index(ci);
        claim(ck, p.key("id"), &c.id);
        let side = side_of(ck, &p.key("side"), &c.side);
        let start = position(ck, &p.key("position"), c.position);
        let mut points = vec![start];
        for (k, w) in c.waypoints.iter().enumerate() {
            points.push(position(ck, &p.key("waypoints").index(k), *w));
        }
        if !c.speed_kn.is_finite() || c.speed_kn < 0.0 || c.speed_kn > 60.0 {
            ck.err(
                S,
                &p.key("speed_kn"),
                format!(
                    "expected a speed between 0 and 60 knots, found {}",
                    c.speed_kn
                ),
            );
        }
        let (value, staying, hard) = vulnerability(ck, &p.key("vulnerability"), &c.vulnerability);
        let asset = assets.len();
        asset_ids.insert(c.id.clone(), asset);
        assets.push(Asset {
            id: c.id.clone(),
            name: c.name.clone(),
            side,
            kind: AssetKind::Ship,
            placement: Placement::Mounted {
                carrier: ci,
                offset_km: [0.0, 0.0],
            },
            value_usd: value,
            staying_power: staying,
            hardness: hard,
        });
        carriers.push(Carrier {
            id: c.id.clone(),
            name: c.name.clone(),
            side,
            asset,
            route: geo::Route::new(
                points,
                if c.speed_kn.is_finite() {
                    c.speed_kn.max(0.0) * 1.852
                } else {
                    0.0
                },
                c.patrol,
            ),
        });
        for (ei, e) in c.escorts.iter().enumerate() {
            let ep = p.key("escorts").index(ei);
            claim(ck, ep.key("id"), &e.id);
            for (k, v) in e.offset_km.iter().enumerate() {
                if !v.is_finite() || v.abs() > 500.0 {
                    ck.err(
                        S,
                        &ep.key("offset_km").index(k),
                        format!("expected an offset within 500 km, found {v}"),
                    );
                }
            }
            let (value, staying, hard) =
                vulnerability(ck, &ep.key("vulnerability"), &e.vulnerability);
            let placement = Placement::Mounted {
                carrier: ci,
                offset_km: e.offset_km,
            };
            let host = assets.len();
            asset_ids.insert(e.id.clone(), host);
            assets.push(Asset {
                id: e.id.clone(),
                name: e.name.clone(),
                side,
                kind: AssetKind::Ship,
                placement,
                value_usd: value,
                staying_power: staying,
                hardness: hard,
            });
            let b = BatteryParts {
                channels: e.channels,
                tier: e.tier,
                magazine: &e.magazine,
                doctrine: &e.doctrine,
                envelope: e.envelope.as_ref(),
            };
            if let Some(b) = battery(ck, &ep, &b, &interceptor_ids, &interceptors, tick_s) {
                batteries.push(Battery {
                    id: e.id.clone(),
                    name: e.name.clone(),
                    side,
                    system: "aegis".into(),
                    placement,
                    host: Some(host),
                    launchers: 0,
                    ..b
                });
            }
        }
        if let Some(w) = &c.air_wing {
            let wp = p.key("air_wing");
            claim(ck, wp.key("id"), &w.id);
            let b = BatteryParts {
                channels: w.channels,
                tier: w.tier,
                magazine: &w.magazine,
                doctrine: &w.doctrine,
                envelope: w.envelope.as_ref(),
            };
            if let Some(b) = battery(ck, &wp, &b, &interceptor_ids, &interceptors, tick_s) {
                batteries.push(Battery {
                    id: w.id.clone(),
                    name: w.name.clone(),
                    side,
                    system: "cap".into(),
                    placement: Placement::Mounted {
                        carrier: ci,
                        offset_km: [0.0, 0.0],
                    },
                    host: Some(asset),
                    launchers: 0,
                    ..b
                });
            }
        }
    }

    // ---- batteries
    for (i, b) in file.batteries.iter().enumerate() {
        let p = root.key("batteries").index(i);
        claim(ck, p.key("id"), &b.id);
        let side = side_of(ck, &p.key("side"), &b.side);
        let host = match &b.host {
            Some(h) => match asset_ids.get(h.as_str()) {
                Some(&a) => Some(a),
                None => {
                    ck.err(S, &p.key("host"), unknown("asset", h, asset_ids.keys()));
                    None
                }
            },
            None => None,
        };
        let placement = match (b.position, host) {
            (Some(pos), _) => Placement::Fixed(position(ck, &p.key("position"), pos)),
            (None, Some(h)) => assets[h].placement,
            (None, None) => {
                ck.err(S, &p, "a battery needs a `position` or a `host` asset");
                Placement::Fixed(Geo::new(0.0, 0.0))
            }
        };
        let parts = BatteryParts {
            channels: b.channels,
            tier: b.tier,
            magazine: &b.magazine,
            doctrine: &b.doctrine,
            envelope: b.envelope.as_ref(),
        };
        if let Some(x) = battery(ck, &p, &parts, &interceptor_ids, &interceptors, tick_s) {
            batteries.push(Battery {
                id: b.id.clone(),
                name: b.name.clone(),
                side,
                system: b.system.clone(),
                placement,
                host,
                launchers: b.launchers,
                ..x
            });
        }
    }

    // ---- launch sites and militias
    let mut sites: Vec<Site> = Vec::new();
    let mut site_ids: HashMap<String, usize> = HashMap::new();
    let mut first_launcher = 0u32;
    let target_of = |ck: &mut Checker, path: &KeyPath, id: &str| -> Option<usize> {
        match asset_ids.get(id) {
            Some(&a) => Some(a),
            None => {
                ck.err(S, path, unknown("target asset", id, asset_ids.keys()));
                None
            }
        }
    };
    let inventory =
        |ck: &mut Checker, path: &KeyPath, inv: &std::collections::BTreeMap<String, u32>| {
            let mut out = Vec::new();
            for (w, n) in inv {
                match weapon_ids.get(w.as_str()) {
                    Some(&k) => out.push((k, *n)),
                    None => ck.err(S, &path.key(w), unknown("weapon", w, weapon_ids.keys())),
                }
            }
            out
        };
    for (i, s) in file.launch_sites.iter().enumerate() {
        let p = root.key("launch_sites").index(i);
        claim(ck, p.key("id"), &s.id);
        let side = side_of(ck, &p.key("side"), &s.side);
        let pos = position(ck, &p.key("position"), s.position);
        if s.launchers == 0 {
            ck.err(S, &p.key("launchers"), "expected at least 1 launcher");
        }
        let inv = inventory(ck, &p.key("inventory"), &s.inventory);
        site_ids.insert(s.id.clone(), sites.len());
        sites.push(Site {
            id: s.id.clone(),
            name: s.name.clone(),
            side,
            position: pos,
            launchers: s.launchers,
            first_launcher,
            reload_ticks: s.reload_s.div_ceil(tick_s),
            launch_reliability: s
                .launch_reliability
                .map_or(1.0, |v| probability(ck, S, &p.key("launch_reliability"), v)),
            inventory: inv,
            militia: None,
        });
        first_launcher = first_launcher.saturating_add(s.launchers);
    }
    for (i, m) in file.militias.iter().enumerate() {
        let p = root.key("militias").index(i);
        claim(ck, p.key("id"), &m.id);
        let side = side_of(ck, &p.key("side"), &m.side);
        let pos = position(ck, &p.key("position"), m.position);
        if m.launchers == 0 {
            ck.err(S, &p.key("launchers"), "expected at least 1 launcher");
        }
        if !m.rate_per_hour.is_finite() || m.rate_per_hour <= 0.0 || m.rate_per_hour > 3600.0 {
            ck.err(
                S,
                &p.key("rate_per_hour"),
                format!(
                    "expected launches per hour between 0 and 3600, found {}",
                    m.rate_per_hour
                ),
            );
        }
        let inv = inventory(ck, &p.key("inventory"), &m.inventory);
        let mut targets = Vec::new();
        for (k, t) in m.targets.iter().enumerate() {
            if let Some(a) = target_of(ck, &p.key("targets").index(k), t) {
                if !sides[side].hostile[assets[a].side] {
                    ck.err(
                        S,
                        &p.key("targets").index(k),
                        format!(
                            "side {:?} is not hostile to {:?}, the side of {t:?}",
                            sides[side].id, sides[assets[a].side].id
                        ),
                    );
                }
                targets.push(a);
            }
        }
        if m.targets.is_empty() {
            ck.err(S, &p.key("targets"), "expected at least one target");
        }
        for (w, _) in &inv {
            let wp = &weapons[*w];
            let reach = targets
                .iter()
                .any(|&a| distance_to(&carriers, &assets, pos, a) <= wp.range_km);
            if !targets.is_empty() && !reach {
                ck.err(
                    S,
                    &p.key("inventory").key(&wp.id),
                    format!(
                        "no target is within the {} km range of {}",
                        wp.range_km, wp.id
                    ),
                );
            }
        }
        let active = m.active.map(|c| {
            if c.seconds() >= h.duration.seconds() {
                ck.err(
                    S,
                    &p.key("active"),
                    "activation falls after the end of the scenario",
                );
            }
            to_ticks(c)
        });
        site_ids.insert(m.id.clone(), sites.len());
        sites.push(Site {
            id: m.id.clone(),
            name: m.name.clone(),
            side,
            position: pos,
            launchers: m.launchers,
            first_launcher,
            reload_ticks: 0,
            launch_reliability: m
                .launch_reliability
                .map_or(1.0, |v| probability(ck, S, &p.key("launch_reliability"), v)),
            inventory: inv,
            militia: Some(Militia {
                rate_per_hour: m.rate_per_hour,
                targets,
                active,
            }),
        });
        first_launcher = first_launcher.saturating_add(m.launchers);
    }

    // ---- triggers (before orders, which refer to them)
    let mut trigger_ids: HashMap<&str, usize> = HashMap::new();
    let mut triggers = Vec::new();
    for (i, t) in file.triggers.iter().enumerate() {
        let p = root.key("triggers").index(i);
        if trigger_ids.insert(t.id.as_str(), i).is_some() {
            ck.err(
                S,
                &p.key("id"),
                format!("trigger id {:?} is defined twice", t.id),
            );
        }
        let w = &t.when;
        let wp = p.key("when");
        let subject = match (&w.asset, &w.side) {
            (Some(a), None) => Subject::Asset(target_of(ck, &wp.key("asset"), a).unwrap_or(0)),
            (None, Some(s)) => Subject::Side(side_of(ck, &wp.key("side"), s)),
            _ => {
                ck.err(S, &wp, "expected exactly one of `asset` or `side`");
                Subject::Side(0)
            }
        };
        let measure = match (w.hits_at_least, w.damage_at_least, w.out_of_action) {
            (Some(n), None, false) if n > 0 => Measure::Hits(n),
            (None, Some(n), false) if n > 0 => Measure::Damage(n),
            (None, None, true) => Measure::OutOfAction,
            (Some(0), None, false) | (None, Some(0), false) => {
                ck.err(
                    S,
                    &wp,
                    "a threshold of 0 would fire before anything happens; use 1 or more",
                );
                Measure::Hits(1)
            }
            _ => {
                ck.err(
                    S,
                    &wp,
                    "expected exactly one of `hits_at_least`, `damage_at_least` or `out_of_action = true`",
                );
                Measure::Hits(1)
            }
        };
        triggers.push(Trigger {
            id: t.id.clone(),
            subject,
            measure,
            note: t.note.clone(),
        });
    }

    // ---- orders
    let mut orders = Vec::new();
    let mut order_ids: HashMap<&str, usize> = HashMap::new();
    // Rounds of each weapon already ordered from each site, to check inventories.
    let mut spent: HashMap<(usize, usize), u32> = HashMap::new();
    // Injected salvos at ships: (path, target, site, weapon, asset, tick).
    let mut at_sea = Vec::new();
    for (i, o) in file.orders.iter().enumerate() {
        let p = root.key("orders").index(i);
        if order_ids.insert(o.id.as_str(), i).is_some() {
            ck.err(
                S,
                &p.key("id"),
                format!("order id {:?} is defined twice", o.id),
            );
        }
        let when = match (&o.at, &o.after) {
            (Some(at), None) => {
                if at.seconds() >= h.duration.seconds() {
                    ck.err(
                        S,
                        &p.key("at"),
                        format!(
                            "the order falls at {at}, after the end of the scenario ({})",
                            h.duration
                        ),
                    );
                }
                When::At(to_ticks(*at))
            }
            (None, Some(a)) => match trigger_ids.get(a.trigger.as_str()) {
                Some(&t) => When::After {
                    trigger: t,
                    delay: a.delay.seconds().div_ceil(tick_s).max(1),
                },
                None => {
                    ck.err(
                        S,
                        &p.key("after").key("trigger"),
                        unknown("trigger", &a.trigger, trigger_ids.keys()),
                    );
                    When::At(0)
                }
            },
            _ => {
                ck.err(S, &p, "expected exactly one of `at` or `after`");
                When::At(0)
            }
        };
        let n_actions = o.salvo.is_some() as u32
            + o.strike.is_some() as u32
            + o.activate.is_some() as u32
            + o.switch.is_some() as u32
            + o.relocate.is_some() as u32
            + o.divert.is_some() as u32;
        if n_actions != 1 {
            ck.err(
                S,
                &p,
                "expected exactly one of `salvo`, `strike`, `activate`, `switch`, `relocate` or `divert`",
            );
            continue;
        }
        // Moves change geometry, planned before the run, and a switch acts on every
        // replicate at once: they need a fixed time.
        if (o.relocate.is_some() || o.divert.is_some() || o.switch.is_some()) && o.at.is_none() {
            ck.err(
                S,
                &p.key("after"),
                "a `switch`, `relocate` or `divert` order acts on every replicate at once and needs a fixed time `at`",
            );
            continue;
        }
        let battery_of = |ck: &mut Checker, path: &KeyPath, id: &str| {
            let found = batteries.iter().position(|b| b.id == id);
            if found.is_none() {
                let ids: Vec<&str> = batteries.iter().map(|b| b.id.as_str()).collect();
                ck.err(S, path, unknown("battery", id, ids.iter()));
            }
            found
        };
        let action = if let Some(s) = &o.salvo {
            let sp = p.key("salvo");
            let site = match site_ids.get(s.from.as_str()) {
                Some(&k) => k,
                None => {
                    ck.err(
                        S,
                        &sp.key("from"),
                        unknown("launch site or militia", &s.from, site_ids.keys()),
                    );
                    continue;
                }
            };
            let weapon = match weapon_ids.get(s.weapon.as_str()) {
                Some(&w) => w,
                None => {
                    ck.err(
                        S,
                        &sp.key("weapon"),
                        unknown("weapon", &s.weapon, weapon_ids.keys()),
                    );
                    continue;
                }
            };
            if s.count == 0 {
                ck.err(S, &sp.key("count"), "expected a count of at least 1");
            }
            let held = sites[site]
                .inventory
                .iter()
                .find(|(w, _)| *w == weapon)
                .map(|x| x.1)
                .unwrap_or(0);
            let used = spent.entry((site, weapon)).or_insert(0);
            *used = used.saturating_add(s.count);
            if *used > held {
                ck.err(
                    S,
                    &sp.key("count"),
                    format!(
                        "{} holds {held} {}, but the orders so far fire {}",
                        sites[site].id, weapons[weapon].id, *used
                    ),
                );
            }
            let mut targets = Vec::new();
            for (k, t) in s.targets.iter().enumerate() {
                let tp = sp.key("targets").index(k);
                if let Some(a) = target_of(ck, &tp, t) {
                    // A ship aimed at by an inject (a fixed time, during an exercise) is
                    // measured where it is then, diversions included: below, once they are
                    // folded into the routes. Scenario orders keep the start position.
                    let moving = matches!(assets[a].placement, Placement::Mounted { .. });
                    let then = match (&when, moving && o.inject) {
                        (When::At(tick), true) => Some(*tick),
                        _ => None,
                    };
                    if let Some(tick) = then {
                        at_sea.push((tp.clone(), t.clone(), site, weapon, a, tick));
                    }
                    let d = distance_to(&carriers, &assets, sites[site].position, a);
                    if then.is_none() && d > weapons[weapon].range_km {
                        ck.err(
                            S,
                            &tp,
                            format!(
                                "{t} is {d:.0} km from {}, beyond the {} km range of {}",
                                sites[site].id, weapons[weapon].range_km, weapons[weapon].id
                            ),
                        );
                    }
                    if !sides[sites[site].side].hostile[assets[a].side] {
                        ck.err(
                            S,
                            &tp,
                            format!(
                                "side {:?} is not hostile to {:?}, the side of {t:?}",
                                sides[sites[site].side].id, sides[assets[a].side].id
                            ),
                        );
                    }
                    targets.push(a);
                }
            }
            if s.targets.is_empty() {
                ck.err(S, &sp.key("targets"), "expected at least one target");
            }
            Action::Salvo {
                site,
                weapon,
                count: s.count,
                targets,
                over_ticks: to_ticks(s.over),
            }
        } else if let Some(s) = &o.strike {
            let sp = p.key("strike");
            let mut struck = Vec::new();
            for (k, t) in s.sites.iter().enumerate() {
                match site_ids.get(t.as_str()) {
                    Some(&x) => struck.push(x),
                    None => ck.err(
                        S,
                        &sp.key("sites").index(k),
                        unknown("launch site or militia", t, site_ids.keys()),
                    ),
                }
            }
            if s.sites.is_empty() {
                ck.err(S, &sp.key("sites"), "expected at least one site");
            }
            let fraction = probability(ck, S, &sp.key("fraction"), s.fraction);
            Action::Strike {
                sites: struck,
                fraction,
            }
        } else if let Some(list) = &o.activate {
            let mut militias = Vec::new();
            for (k, t) in list.iter().enumerate() {
                match site_ids.get(t.as_str()) {
                    Some(&x) if sites[x].militia.is_some() => militias.push(x),
                    Some(_) => ck.err(
                        S,
                        &p.key("activate").index(k),
                        format!("{t:?} is a launch site, not a militia: order a salvo from it"),
                    ),
                    None => ck.err(
                        S,
                        &p.key("activate").index(k),
                        unknown("militia", t, site_ids.keys()),
                    ),
                }
            }
            Action::Activate { militias }
        } else if let Some(sw) = &o.switch {
            let Some(battery) = battery_of(ck, &p.key("switch").key("battery"), &sw.battery) else {
                continue;
            };
            Action::Switch {
                battery,
                online: sw.online,
            }
        } else if let Some(r) = &o.relocate {
            let rp = p.key("relocate");
            let Some(battery) = battery_of(ck, &rp.key("battery"), &r.battery) else {
                continue;
            };
            if matches!(batteries[battery].placement, Placement::Mounted { .. }) {
                ck.err(
                    S,
                    &rp.key("battery"),
                    "a ship-borne battery moves with its carrier: divert the carrier instead",
                );
            }
            Action::Relocate {
                battery,
                to: position(ck, &rp.key("to"), r.to),
            }
        } else {
            let d = o.divert.as_ref().expect("counted above");
            let dp = p.key("divert");
            let Some(carrier) = carriers.iter().position(|c| c.id == d.carrier) else {
                let ids: Vec<&str> = carriers.iter().map(|c| c.id.as_str()).collect();
                ck.err(
                    S,
                    &dp.key("carrier"),
                    unknown("carrier", &d.carrier, ids.iter()),
                );
                continue;
            };
            if !d.speed_kn.is_finite() || d.speed_kn <= 0.0 || d.speed_kn > 60.0 {
                ck.err(
                    S,
                    &dp.key("speed_kn"),
                    format!(
                        "expected a speed above 0 and up to 60 knots, found {}",
                        d.speed_kn
                    ),
                );
            }
            Action::Divert {
                carrier,
                to: position(ck, &dp.key("to"), d.to),
                speed_kn: d.speed_kn,
            }
        };
        orders.push(Order {
            id: o.id.clone(),
            when,
            action,
            inject: o.inject,
            note: o.note.clone(),
        });
    }

    // Relocations and diversions are planned ahead: fold them into the units, in time order.
    let mut moves: Vec<(u32, usize)> = orders
        .iter()
        .enumerate()
        .filter_map(|(i, o)| match (&o.when, &o.action) {
            (&When::At(t), Action::Relocate { .. } | Action::Divert { .. }) => Some((t, i)),
            _ => None,
        })
        .collect();
    moves.sort();
    for (t, i) in moves {
        match orders[i].action {
            Action::Relocate { battery, to } => batteries[battery].moves.push((t, to)),
            Action::Divert {
                carrier,
                to,
                speed_kn,
            } => carriers[carrier]
                .route
                .divert(t as f64 * tick_s as f64, to, speed_kn * 1.852),
            _ => {}
        }
    }
    for (tp, t, site, weapon, a, tick) in at_sea {
        let Placement::Mounted { carrier, offset_km } = assets[a].placement else {
            continue;
        };
        let seconds = tick as f64 * tick_s as f64;
        let to = carriers[carrier]
            .route
            .position_at(seconds)
            .offset(offset_km[0], offset_km[1]);
        let d = sites[site].position.distance_km(to);
        if d > weapons[weapon].range_km {
            ck.err(
                S,
                &tp,
                format!(
                    "{t} is {d:.0} km from {} at {}, beyond the {} km range of {}",
                    sites[site].id,
                    crate::scenario::types::Clock(tick * tick_s),
                    weapons[weapon].range_km,
                    weapons[weapon].id
                ),
            );
        }
    }

    let mut incidents = Vec::new();
    for (i, inc) in file.incidents.iter().enumerate() {
        let p = root.key("incidents").index(i);
        if inc.at.seconds() >= h.duration.seconds() {
            ck.err(
                S,
                &p.key("at"),
                "the incident falls after the end of the scenario",
            );
        }
        let pos = inc.position.map(|x| position(ck, &p.key("position"), x));
        incidents.push(Incident {
            tick: to_ticks(inc.at),
            text: inc.text.clone(),
            position: pos,
        });
    }

    if batteries.len() > crate::engine::layout::MAX_BATTERIES {
        ck.err(
            S,
            &root.key("batteries"),
            format!(
                "{} defensive units; the engine supports at most {}",
                batteries.len(),
                crate::engine::layout::MAX_BATTERIES
            ),
        );
    }

    let mut scenario = Scenario {
        name: h.name.clone(),
        description: h.description.clone().unwrap_or_default(),
        start: h.start.clone(),
        file: ck.files[S].name.clone(),
        tick_seconds: tick_s,
        ticks,
        sides,
        weapons,
        interceptors,
        assets,
        carriers,
        batteries,
        sites,
        orders,
        triggers,
        incidents,
        reported: Vec::new(),
    };
    // Figure names depend on ids only, so they are known even when other checks failed.
    scenario.reported = reported(ck, &file.reported, &scenario);
    ck.diagnostics.is_empty().then_some(scenario)
}

/// `[[reported]]`: each names a figure the report produces, a finite `[lo, hi]` range and
/// a source.
fn reported(ck: &mut Checker, specs: &[types::ReportedSpec], sc: &Scenario) -> Vec<Reported> {
    let names = crate::report::figure_names(sc);
    let mut out = Vec::new();
    for (i, r) in specs.iter().enumerate() {
        let p = KeyPath::default().key("reported").index(i);
        if r.figure == "replicate" || !names.contains(&r.figure) {
            let known = names.iter().filter(|n| *n != "replicate");
            ck.err(
                0,
                &p.key("figure"),
                format!(
                    "{}; the figures are the column names of replicates.csv",
                    unknown("figure", &r.figure, known)
                ),
            );
        }
        let [lo, hi] = r.range;
        if !lo.is_finite() || !hi.is_finite() {
            ck.err(0, &p.key("range"), "expected two finite numbers [lo, hi]");
        } else if lo > hi {
            ck.err(
                0,
                &p.key("range"),
                format!("expected [lo, hi] with lo <= hi, found [{lo}, {hi}]"),
            );
        }
        if r.source.trim().is_empty() {
            ck.err(
                0,
                &p.key("source"),
                "a reported figure needs a `source` naming where it was reported",
            );
        }
        out.push(Reported {
            figure: r.figure.clone(),
            range: r.range,
            source: r.source.clone(),
            note: r.note.clone(),
        });
    }
    out
}

/// Distance from a launch position to an asset at the scenario start.
fn distance_to(carriers: &[Carrier], assets: &[Asset], from: Geo, asset: usize) -> f64 {
    let to = match assets[asset].placement {
        Placement::Fixed(p) => p,
        Placement::Mounted { carrier, offset_km } => carriers[carrier]
            .route
            .position_at(0.0)
            .offset(offset_km[0], offset_km[1]),
    };
    from.distance_km(to)
}

fn unknown<'k>(
    what: &str,
    id: &str,
    known: impl Iterator<Item = &'k (impl AsRef<str> + 'k + ?Sized)>,
) -> String {
    let mut known: Vec<&str> = known.map(|k| k.as_ref()).collect();
    known.sort_unstable();
    let close: Vec<&str> = known
        .iter()
        .copied()
        .filter(|k| strsim_close(k, id))
        .take(3)
        .collect();
    if close.is_empty() {
        format!("unknown {what} {id:?}")
    } else {
        format!("unknown {what} {id:?}; did you mean {}?", close.join(", "))
    }
}

/// Near-miss ids: same after removing dashes, or one edit apart, or one contains the other.
fn strsim_close(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.replace(['-', '_'], "").to_lowercase();
    let (na, nb) = (norm(a), norm(b));
    if na == nb || (nb.len() >= 3 && na.contains(&nb)) {
        return true;
    }
    let (x, y): (Vec<char>, Vec<char>) = (na.chars().collect(), nb.chars().collect());
    let mut prev: Vec<usize> = (0..=y.len()).collect();
    for i in 1..=x.len() {
        let mut cur = vec![i; y.len() + 1];
        for j in 1..=y.len() {
            let sub = prev[j - 1] + (x[i - 1] != y[j - 1]) as usize;
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        prev = cur;
    }
    prev[y.len()] <= 2
}

#[derive(Clone, Copy)]
enum Kind {
    Positive,
    NonNegative,
    Probability,
}

fn check_number(v: f64, kind: Kind) -> Option<String> {
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

fn figure(ck: &mut Checker, file: usize, path: &KeyPath, f: &Figure, kind: Kind) -> f64 {
    if let Some(m) = check_number(f.value, kind) {
        ck.err(file, &path.key("value"), m);
    }
    provenance(ck, file, path, f.source.as_deref(), f.assumed);
    if f.value.is_finite() { f.value } else { 0.0 }
}

/// Every figure names its source or says it is an assumption.
fn provenance(ck: &mut Checker, file: usize, path: &KeyPath, source: Option<&str>, assumed: bool) {
    let has_source = source.is_some_and(|s| !s.trim().is_empty());
    if !has_source && !assumed {
        ck.err(
            file,
            path,
            "a figure needs a `source` naming where it was reported, or `assumed = true`",
        );
    }
}

fn probability(ck: &mut Checker, file: usize, path: &KeyPath, v: f64) -> f64 {
    if let Some(m) = check_number(v, Kind::Probability) {
        ck.err(file, path, m);
        return 0.0;
    }
    v
}

fn class_probabilities(
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

fn envelope_of(
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

fn position(ck: &mut Checker, path: &KeyPath, p: types::LatLon) -> Geo {
    if !p.lat.is_finite() || !(-90.0..=90.0).contains(&p.lat) {
        ck.err(
            0,
            &path.key("lat"),
            format!("expected a latitude between -90 and 90, found {}", p.lat),
        );
    }
    if !p.lon.is_finite() || !(-180.0..=180.0).contains(&p.lon) {
        ck.err(
            0,
            &path.key("lon"),
            format!("expected a longitude between -180 and 180, found {}", p.lon),
        );
    }
    Geo::new(p.lat, p.lon)
}

fn vulnerability(ck: &mut Checker, path: &KeyPath, v: &types::Vulnerability) -> (f64, u32, f64) {
    if let Some(m) = check_number(v.value_usd, Kind::NonNegative) {
        ck.err(0, &path.key("value_usd"), m);
    }
    if v.staying_power == 0 {
        ck.err(
            0,
            &path.key("staying_power"),
            "expected at least 1 damaging hit",
        );
    }
    let hard = probability(ck, 0, &path.key("hardness"), v.hardness);
    if hard >= 1.0 {
        ck.err(
            0,
            &path.key("hardness"),
            "a hardness of 1 makes the asset immune; use less than 1",
        );
    }
    (
        if v.value_usd.is_finite() {
            v.value_usd
        } else {
            0.0
        },
        v.staying_power,
        hard,
    )
}

struct BatteryParts<'a> {
    channels: u32,
    tier: u32,
    magazine: &'a [types::MagazineSpec],
    doctrine: &'a types::Doctrine,
    envelope: Option<&'a types::Envelopes>,
}

fn battery(
    ck: &mut Checker,
    p: &KeyPath,
    b: &BatteryParts,
    ids: &HashMap<&str, usize>,
    interceptors: &[Interceptor],
    tick_s: u32,
) -> Option<Battery> {
    let before = ck.diagnostics.len();
    if b.channels == 0 {
        ck.err(0, &p.key("channels"), "expected at least 1 fire channel");
    }
    if b.tier == 0 {
        ck.err(0, &p.key("tier"), "expected a tier of 1 (upper) or more");
    }
    if b.magazine.is_empty() {
        ck.err(0, &p.key("magazine"), "expected at least one magazine");
    }
    let mut magazines = Vec::new();
    for (k, m) in b.magazine.iter().enumerate() {
        let mp = p.key("magazine").index(k);
        let Some(&ic) = ids.get(m.interceptor.as_str()) else {
            ck.err(
                0,
                &mp.key("interceptor"),
                unknown("interceptor", &m.interceptor, ids.keys()),
            );
            continue;
        };
        if m.ready == 0 && m.reserve == 0 {
            ck.err(0, &mp.key("ready"), "the magazine holds no rounds");
        }
        let reload_ticks = match m.reload_s {
            Some(0) => {
                ck.err(0, &mp.key("reload_s"), "expected a reload time above 0");
                0
            }
            Some(s) => s.div_ceil(tick_s),
            None => {
                if m.reserve > 0 {
                    ck.err(
                        0,
                        &mp.key("reserve"),
                        "a reserve needs `reload_s`, the time to reload one launcher",
                    );
                }
                0
            }
        };
        let per_reload = m.per_reload.unwrap_or(m.ready.max(1));
        if per_reload == 0 {
            ck.err(
                0,
                &mp.key("per_reload"),
                "expected at least 1 round per reload",
            );
        }
        magazines.push(Magazine {
            interceptor: ic,
            ready: m.ready,
            reserve: m.reserve,
            per_reload,
            reload_ticks,
        });
    }
    let mut doctrine: [Vec<u32>; 4] = Default::default();
    for c in ThreatClass::ALL {
        if let Some(list) = b.doctrine.get(c) {
            let dp = p.key("doctrine").key(c.name());
            if list.is_empty() || list.len() > crate::engine::layout::MAX_ENGAGEMENTS {
                ck.err(
                    0,
                    &dp,
                    format!(
                        "expected 1 to {} engagements, e.g. [2] (shoot-shoot) or [1, 1] (shoot-look-shoot)",
                        crate::engine::layout::MAX_ENGAGEMENTS
                    ),
                );
            }
            for (k, &n) in list.iter().enumerate() {
                if n == 0 || n > 255 {
                    ck.err(
                        0,
                        &dp.index(k),
                        format!("expected 1 to 255 shots, found {n}"),
                    );
                }
            }
            doctrine[c.index()] = list.clone();
        }
    }
    if doctrine.iter().all(|d| d.is_empty()) {
        ck.err(
            0,
            &p.key("doctrine"),
            "the doctrine engages no class of threat",
        );
    }
    let mut envelope = [None; 4];
    if let Some(e) = b.envelope {
        for c in ThreatClass::ALL {
            if let Some(x) = e.get(c) {
                envelope[c.index()] = envelope_of(ck, 0, &p.key("envelope").key(c.name()), x);
            }
        }
    }
    // Every class the doctrine names must be reachable by some magazine.
    for c in ThreatClass::ALL {
        if doctrine[c.index()].is_empty() || magazines.is_empty() {
            continue;
        }
        let any = magazines.iter().any(|m| {
            let i = &interceptors[m.interceptor];
            i.pk[c.index()] > 0.0
                && (envelope[c.index()].is_some() || i.envelope[c.index()].is_some())
        });
        if !any {
            ck.err(
                0,
                &p.key("doctrine").key(c.name()),
                format!(
                    "no interceptor in the magazine can engage {} threats",
                    c.name()
                ),
            );
        }
    }
    if ck.diagnostics.len() > before {
        return None;
    }
    Some(Battery {
        id: String::new(),
        name: String::new(),
        side: 0,
        system: String::new(),
        placement: Placement::Fixed(Geo::new(0.0, 0.0)),
        host: None,
        launchers: 0,
        channels: b.channels,
        tier: b.tier,
        magazines,
        doctrine,
        envelope,
        moves: Vec::new(),
    })
}
