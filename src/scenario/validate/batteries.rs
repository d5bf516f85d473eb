//! Batteries: `[[batteries]]`, and the fire control every kind of battery shares (a
//! `[[batteries]]` entry, a carrier's escort, a carrier's air wing): fire channels, tier,
//! magazines, doctrine and envelopes.

use super::super::limits::{MAX_CHANNELS, MAX_ENGAGEMENTS, MAX_SCATTER_M, MAX_SHOTS};
use super::super::model::*;
use super::super::source::KeyPath;
use super::super::types::{self, ThreatClass};
use super::canonical::by_id;
use super::database::Database;
use super::units::{UnitIds, Units};
use super::values::{class_probabilities, envelope, position, probability};
use super::{Checker, SCENARIO, Time};
use crate::geo::LatLon as Geo;

/// Who a battery is and where it stands; it differs between the kinds of battery.
pub(super) struct Identity<'s> {
    pub id: &'s str,
    pub name: &'s str,
    pub side: usize,
    pub system: &'s str,
    pub placement: Placement,
    pub host: Option<usize>,
    pub launchers: u32,
}

/// A battery's fire control as written; every kind of battery has these fields.
pub(super) struct FireControl<'s> {
    pub channels: u32,
    pub tier: u32,
    pub magazine: &'s [types::MagazineSpec],
    pub doctrine: &'s types::Doctrine,
    pub envelope: Option<&'s types::Envelopes>,
    pub defends: Option<&'s [String]>,
    pub radar_tracks: Option<u32>,
    pub impact_prediction_m: Option<f64>,
    pub discrimination: Option<f64>,
    pub sensor: Option<&'s types::ClassProbabilities>,
}

/// The fire control of a `[[batteries]]` entry, an escort or an air wing: the fields they
/// share, under the same names.
macro_rules! fire_control {
    ($spec:expr) => {
        $crate::scenario::validate::batteries::FireControl {
            channels: $spec.channels,
            tier: $spec.tier,
            magazine: &$spec.magazine,
            doctrine: &$spec.doctrine,
            envelope: $spec.envelope.as_ref(),
            defends: $spec.defends.as_deref(),
            radar_tracks: $spec.radar_tracks,
            impact_prediction_m: $spec.impact_prediction_m,
            discrimination: $spec.discrimination,
            sensor: $spec.sensor.as_ref(),
        }
    };
}
pub(super) use fire_control;

/// `[[batteries]]`: each with a position, or on a host asset whose position it takes.
pub(super) fn check(
    ck: &mut Checker,
    specs: &[types::BatterySpec],
    db: &Database,
    units: &mut Units,
    unit_ids: &mut UnitIds,
    time: Time,
) {
    for (i, b) in by_id(specs, |b| &b.id) {
        let p = KeyPath::default().key("batteries").index(i);
        unit_ids.claim(ck, p.key("id"), &b.id);
        let side = units.sides.side_of(ck, &p.key("side"), &b.side);
        let host = b
            .host
            .as_ref()
            .and_then(|h| match units.asset_ids.get(h.as_str()) {
                Some(&a) => Some(a),
                None => {
                    ck.unknown(SCENARIO, &p.key("host"), "asset", h, units.asset_ids.keys());
                    None
                }
            });
        let placement = match (b.position, host) {
            (Some(pos), _) => Placement::Fixed(position(ck, &p.key("position"), pos)),
            (None, Some(h)) => units.assets[h].placement,
            (None, None) => {
                ck.err(
                    SCENARIO,
                    &p,
                    "a battery needs a `position` or a `host` asset",
                );
                Placement::Fixed(Geo::new(0.0, 0.0))
            }
        };
        let who = Identity {
            id: &b.id,
            name: &b.name,
            side,
            system: &b.system,
            placement,
            host,
            launchers: b.launchers,
        };
        let fc = fire_control!(b);
        let x = battery(ck, &p, who, &fc, db, time.tick_s);
        units.push_battery(x, &p, fc.defends);
    }
}

/// A whole battery, or `None` when its fire control has any problem (reported).
pub(super) fn battery(
    ck: &mut Checker,
    p: &KeyPath,
    who: Identity,
    fc: &FireControl,
    db: &Database,
    tick_s: u32,
) -> Option<Battery> {
    let before = ck.diagnostics.len();
    if fc.channels == 0 {
        ck.err(
            SCENARIO,
            &p.key("channels"),
            "expected at least 1 fire channel",
        );
    }
    if fc.channels > MAX_CHANNELS {
        ck.err(
            SCENARIO,
            &p.key("channels"),
            format!(
                "expected at most {MAX_CHANNELS} fire channels, found {}",
                fc.channels
            ),
        );
    }
    if fc.radar_tracks == Some(0) {
        ck.err(
            SCENARIO,
            &p.key("radar_tracks"),
            "expected a radar that tracks at least 1 threat (leave `radar_tracks` out for no limit)",
        );
    }
    let impact_prediction_m = fc.impact_prediction_m.unwrap_or(0.0);
    if !impact_prediction_m.is_finite() || !(0.0..=MAX_SCATTER_M).contains(&impact_prediction_m) {
        ck.err(
            SCENARIO,
            &p.key("impact_prediction_m"),
            format!(
                "expected a standard deviation between 0 and {MAX_SCATTER_M} m, found {impact_prediction_m}"
            ),
        );
    }
    let discrimination = fc.discrimination.map_or(0.0, |d| {
        probability(ck, SCENARIO, &p.key("discrimination"), d)
    });
    if fc.tier == 0 {
        ck.err(
            SCENARIO,
            &p.key("tier"),
            "expected a tier of 1 (upper) or more",
        );
    }
    let sensor = fc
        .sensor
        .map_or([0.0; 4], |s| sensor(ck, &p.key("sensor"), s));
    let magazines = magazines(ck, p, fc.magazine, db, tick_s);
    let doctrine = doctrine(ck, p, fc.doctrine);
    let mut envelopes = [None; 4];
    if let Some(e) = fc.envelope {
        for c in ThreatClass::ALL {
            if let Some(x) = e.get(c) {
                let ep = p.key("envelope").key(c.name());
                envelopes[c.index()] = envelope(ck, SCENARIO, &ep, x);
            }
        }
    }
    // Every class the doctrine names must be reachable by some magazine.
    for c in ThreatClass::ALL {
        if doctrine[c.index()].is_empty() || magazines.is_empty() {
            continue;
        }
        let any = magazines.iter().any(|m| {
            let i = &db.interceptors[m.interceptor];
            i.pk[c.index()] > 0.0
                && (envelopes[c.index()].is_some() || i.envelope[c.index()].is_some())
        });
        if !any {
            ck.err(
                SCENARIO,
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
        id: who.id.to_string(),
        name: who.name.to_string(),
        side: who.side,
        system: who.system.to_string(),
        placement: who.placement,
        host: who.host,
        launchers: who.launchers,
        channels: fc.channels,
        tier: fc.tier,
        magazines,
        doctrine,
        envelope: envelopes,
        moves: Vec::new(),
        defends: None,
        radar_tracks: fc.radar_tracks,
        impact_prediction_m,
        discrimination,
        sensor,
    })
}

/// The magazines whose interceptor is known: rounds, and how the reserve reloads.
fn magazines(
    ck: &mut Checker,
    p: &KeyPath,
    specs: &[types::MagazineSpec],
    db: &Database,
    tick_s: u32,
) -> Vec<Magazine> {
    if specs.is_empty() {
        ck.err(
            SCENARIO,
            &p.key("magazine"),
            "expected at least one magazine",
        );
    }
    let mut out = Vec::new();
    for (k, m) in specs.iter().enumerate() {
        let mp = p.key("magazine").index(k);
        let Some(&interceptor) = db.interceptor_ids.get(m.interceptor.as_str()) else {
            ck.unknown(
                SCENARIO,
                &mp.key("interceptor"),
                "interceptor",
                &m.interceptor,
                db.interceptor_ids.keys(),
            );
            continue;
        };
        if m.ready == 0 && m.reserve == 0 {
            ck.err(SCENARIO, &mp.key("ready"), "the magazine holds no rounds");
        }
        let reload_ticks = match m.reload_s {
            Some(0) => {
                ck.err(
                    SCENARIO,
                    &mp.key("reload_s"),
                    "expected a reload time above 0",
                );
                0
            }
            Some(s) => s.div_ceil(tick_s),
            None => {
                if m.reserve > 0 {
                    ck.err(
                        SCENARIO,
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
                SCENARIO,
                &mp.key("per_reload"),
                "expected at least 1 round per reload",
            );
        }
        out.push(Magazine {
            interceptor,
            ready: m.ready,
            reserve: m.reserve,
            per_reload,
            reload_ticks,
        });
    }
    out
}

/// Shots per engagement, per class; at least one class engaged.
fn doctrine(ck: &mut Checker, p: &KeyPath, d: &types::Doctrine) -> [Vec<u32>; 4] {
    let mut out: [Vec<u32>; 4] = Default::default();
    for c in ThreatClass::ALL {
        let Some(list) = d.get(c) else {
            continue;
        };
        let dp = p.key("doctrine").key(c.name());
        if list.is_empty() || list.len() > MAX_ENGAGEMENTS {
            ck.err(
                SCENARIO,
                &dp,
                format!(
                    "expected 1 to {MAX_ENGAGEMENTS} engagements, e.g. [2] (shoot-shoot) or [1, 1] (shoot-look-shoot)"
                ),
            );
        }
        for (k, &n) in list.iter().enumerate() {
            if n == 0 || n > MAX_SHOTS {
                ck.err(
                    SCENARIO,
                    &dp.index(k),
                    format!("expected 1 to {MAX_SHOTS} shots, found {n}"),
                );
            }
        }
        out[c.index()] = list.clone();
    }
    if out.iter().all(|d| d.is_empty()) {
        ck.err(
            SCENARIO,
            &p.key("doctrine"),
            "the doctrine engages no class of threat",
        );
    }
    out
}

/// A battery's own sensor: one probability per class (its range in the note: the track's
/// detection combines it with the side's drawn one, `engine::plan`), with provenance.
fn sensor(ck: &mut Checker, path: &KeyPath, s: &types::ClassProbabilities) -> [f64; 4] {
    for c in ThreatClass::ALL {
        if s.get(c).is_some_and(|v| v.as_point().is_none()) {
            ck.err(
                SCENARIO,
                &path.key(c.name()),
                "a sensor's probability is one number: give its range in the note (the side's detection is the drawn figure)",
            );
        }
    }
    let entry = ck.entry.take();
    let v = class_probabilities(ck, SCENARIO, path, s, false);
    ck.entry = entry;
    v
}
