//! Sides, the unit-id namespace, and the units that can be hit: assets (bases and cities),
//! carriers and their escorts (ships that are also batteries) and air wings.

use std::collections::HashMap;

use super::super::limits::{MAX_FOOTPRINT_KM, MAX_MANOEUVRE_KN, MAX_VERTICES};
use super::super::model::*;
use super::super::source::KeyPath;
use super::super::types::{self, ThreatClass};
use super::batteries::{Identity, battery, fire_control};
use super::canonical::by_id;
use super::database::Database;
use super::values::{Vulnerability, class_probabilities, position, provenance, vulnerability};
use super::{Checker, SCENARIO, Time};
use crate::geo::{self, LatLon as Geo};

/// The sides, and their ids (a duplicated id names the later side).
pub(super) struct Sides<'f> {
    pub list: Vec<Side>,
    ids: HashMap<&'f str, usize>,
}

impl Sides<'_> {
    /// The side an id names; an unknown id is reported, and gives side 0.
    pub fn side_of(&self, ck: &mut Checker, path: &KeyPath, id: &str) -> usize {
        match self.ids.get(id) {
            Some(&k) => k,
            None => {
                ck.unknown(SCENARIO, path, "side", id, self.ids.keys());
                0
            }
        }
    }
}

/// Unit ids are one namespace: targets, hosts and struck sites refer to them. Each id
/// remembers where it was first claimed.
#[derive(Default)]
pub(super) struct UnitIds(HashMap<String, KeyPath>);

impl UnitIds {
    pub fn claim(&mut self, ck: &mut Checker, path: KeyPath, id: &str) {
        if id.is_empty() {
            ck.err(SCENARIO, &path, "expected a non-empty id");
        }
        match self.0.get(id) {
            Some(first) => ck.err(
                SCENARIO,
                &path,
                format!("unit id {id:?} is already used by {first}"),
            ),
            None => {
                self.0.insert(id.to_string(), path);
            }
        }
    }
}

/// Everything that can be hit or shoots back: the sides, the assets (with their ids),
/// the carriers, and the batteries (escorts and air wings first, then `[[batteries]]`).
pub(super) struct Units<'f> {
    pub sides: Sides<'f>,
    pub assets: Vec<Asset>,
    /// A duplicated id names the later asset.
    pub asset_ids: HashMap<String, usize>,
    pub carriers: Vec<Carrier>,
    pub batteries: Vec<Battery>,
    /// Each battery's `defends` list as written, with its place, resolved once every
    /// asset is known ([`Units::resolve_defends`]); the battery's index, or `None` for one
    /// refused for another reason (its list is checked all the same).
    defends: Vec<(Option<usize>, KeyPath, Vec<String>)>,
}

impl Units<'_> {
    /// Add a checked battery (or `None`: one refused), and its `defends` list for later.
    pub fn push_battery(&mut self, b: Option<Battery>, path: &KeyPath, defends: Option<&[String]>) {
        if let Some(list) = defends {
            let index = b.is_some().then_some(self.batteries.len());
            self.defends
                .push((index, path.key("defends"), list.to_vec()));
        }
        self.batteries.extend(b);
    }

    /// Every battery's `defends` list as asset indices: each id must name an asset (a
    /// carrier or escort included), and the list must not be empty.
    pub fn resolve_defends(&mut self, ck: &mut Checker) {
        for (b, path, ids) in std::mem::take(&mut self.defends) {
            if ids.is_empty() {
                ck.err(
                    SCENARIO,
                    &path,
                    "expected at least one asset (leave `defends` out to defend every asset)",
                );
            }
            let mut list = Vec::new();
            for (i, id) in ids.iter().enumerate() {
                match self.asset_ids.get(id.as_str()) {
                    Some(&a) => list.push(a),
                    None => {
                        ck.unknown(SCENARIO, &path.index(i), "asset", id, self.asset_ids.keys())
                    }
                }
            }
            if let Some(b) = b {
                self.batteries[b].defends = Some(list);
            }
        }
    }

    /// The asset a target id names, or `None` (reported).
    pub fn target_of(&self, ck: &mut Checker, path: &KeyPath, id: &str) -> Option<usize> {
        match self.asset_ids.get(id) {
            Some(&a) => Some(a),
            None => {
                ck.unknown(SCENARIO, path, "target asset", id, self.asset_ids.keys());
                None
            }
        }
    }

    /// Refuse a target of a side that `side` does not fight.
    pub fn check_hostile(&self, ck: &mut Checker, path: &KeyPath, side: usize, target: usize) {
        let theirs = self.assets[target].side;
        if !self.sides.list[side].hostile[theirs] {
            ck.err(
                SCENARIO,
                path,
                format!(
                    "side {:?} is not hostile to {:?}, the side of {:?}",
                    self.sides.list[side].id, self.sides.list[theirs].id, self.assets[target].id
                ),
            );
        }
    }

    /// Add an asset and its id; returns its index.
    fn add_asset(
        &mut self,
        id: &str,
        name: &str,
        side: usize,
        kind: AssetKind,
        placement: Placement,
        (v, footprint): (Vulnerability, Footprint),
    ) -> usize {
        let index = self.assets.len();
        self.asset_ids.insert(id.to_string(), index);
        self.assets.push(Asset {
            id: id.to_string(),
            name: name.to_string(),
            side,
            kind,
            placement,
            value_usd: v.value_usd,
            staying_power: v.staying_power,
            hardness: v.hardness,
            footprint,
            trips: Vec::new(),
            reserve: false,
            manoeuvre_kmh: 0.0,
        });
        index
    }

    /// Distance from a launch position to an asset at the scenario start.
    pub fn distance_to(&self, from: Geo, asset: usize) -> f64 {
        let to = match self.assets[asset].placement {
            Placement::Fixed(p) => p,
            Placement::Mounted { carrier, offset_km } => self.carriers[carrier]
                .route
                .position_at(0.0)
                .offset(offset_km[0], offset_km[1]),
        };
        from.distance_km(to)
    }
}

/// Sides, assets and carriers (with their escorts and air wings), in that order.
pub(super) fn check<'f>(
    ck: &mut Checker,
    file: &'f types::ScenarioFile,
    db: &Database,
    unit_ids: &mut UnitIds,
    time: Time,
) -> Units<'f> {
    let mut units = Units {
        sides: sides(ck, &file.sides),
        assets: Vec::new(),
        asset_ids: HashMap::new(),
        carriers: Vec::new(),
        batteries: Vec::new(),
        defends: Vec::new(),
    };
    for (i, a) in by_id(&file.assets, |a| &a.id) {
        let p = KeyPath::default().key("assets").index(i);
        unit_ids.claim(ck, p.key("id"), &a.id);
        let side = units.sides.side_of(ck, &p.key("side"), &a.side);
        let at = position(ck, &p.key("position"), a.position);
        let placement = Placement::Fixed(at);
        let v = vulnerability(ck, &p.key("vulnerability"), &a.vulnerability);
        let fp = footprint(ck, &p.key("footprint"), a.footprint.as_ref(), a.kind, at);
        let index = units.add_asset(&a.id, &a.name, side, a.kind, placement, (v, fp));
        if let Some(m) = &a.manoeuvre {
            units.assets[index].manoeuvre_kmh = manoeuvre(ck, &p.key("manoeuvre"), a.kind, m);
        }
    }
    let mut fleet = Fleet {
        db,
        units: &mut units,
        unit_ids,
        tick_s: time.tick_s,
    };
    for (ci, c) in by_id(&file.carriers, |c| &c.id) {
        fleet.carrier(ck, ci, c);
    }
    units
}

fn sides<'f>(ck: &mut Checker, specs: &'f [types::SideSpec]) -> Sides<'f> {
    let root = KeyPath::default().key("sides");
    let order = by_id(specs, |s| &s.id);
    let mut ids = HashMap::new();
    for (k, &(i, s)) in order.iter().enumerate() {
        if ids.insert(s.id.as_str(), k).is_some() {
            ck.err(
                SCENARIO,
                &root.index(i).key("id"),
                format!("side id {:?} is defined twice", s.id),
            );
        }
    }
    if specs.is_empty() {
        ck.err(SCENARIO, &root, "expected at least one side");
    }
    let mut list = Vec::new();
    for (k, &(i, s)) in order.iter().enumerate() {
        let p = root.index(i);
        let mut hostile = vec![false; specs.len()];
        for (j, h) in s.hostile_to.iter().enumerate() {
            match ids.get(h.as_str()) {
                Some(&x) if x == k => ck.err(
                    SCENARIO,
                    &p.key("hostile_to").index(j),
                    "a side cannot be hostile to itself",
                ),
                Some(&x) => hostile[x] = true,
                None => ck.unknown(
                    SCENARIO,
                    &p.key("hostile_to").index(j),
                    "side",
                    h,
                    ids.keys(),
                ),
            }
        }
        // A class the side does not name is always detected.
        let mut detection = [1.0; 4];
        if let Some(d) = &s.detection {
            ck.entry = Some(super::Entry {
                prefix: format!("sides.{}", s.id),
                depth: p.0.len(),
                owner: super::super::uncertain::Owner::Side(list.len()),
            });
            let v = class_probabilities(ck, SCENARIO, &p.key("detection"), d, false);
            ck.entry = None;
            for c in ThreatClass::ALL {
                if d.get(c).is_some() {
                    detection[c.index()] = v[c.index()];
                }
            }
        }
        list.push(Side {
            id: s.id.clone(),
            name: s.name.clone(),
            hostile,
            detection,
        });
    }
    Sides { list, ids }
}

/// What the carrier section reads (the database, the tick) and adds to (units, ids).
struct Fleet<'a, 'f> {
    db: &'a Database<'a>,
    units: &'a mut Units<'f>,
    unit_ids: &'a mut UnitIds,
    tick_s: u32,
}

impl Fleet<'_, '_> {
    /// A carrier: a ship asset with a route, its escorts (ships and batteries at an
    /// offset) and its air wing (a battery flying from it). `ci` is its index in the file.
    fn carrier(&mut self, ck: &mut Checker, ci: usize, c: &types::CarrierSpec) {
        let p = KeyPath::default().key("carriers").index(ci);
        // Its index in the model's (canonical) list, which placements refer to.
        let carrier = self.units.carriers.len();
        self.unit_ids.claim(ck, p.key("id"), &c.id);
        let side = self.units.sides.side_of(ck, &p.key("side"), &c.side);
        let mut points = vec![position(ck, &p.key("position"), c.position)];
        for (k, w) in c.waypoints.iter().enumerate() {
            points.push(position(ck, &p.key("waypoints").index(k), *w));
        }
        if !c.speed_kn.is_finite() || c.speed_kn < 0.0 || c.speed_kn > 60.0 {
            ck.err(
                SCENARIO,
                &p.key("speed_kn"),
                format!(
                    "expected a speed between 0 and 60 knots, found {}",
                    c.speed_kn
                ),
            );
        }
        let v = vulnerability(ck, &p.key("vulnerability"), &c.vulnerability);
        let on_deck = Placement::Mounted {
            carrier,
            offset_km: [0.0, 0.0],
        };
        let fp = footprint(
            ck,
            &p.key("footprint"),
            c.footprint.as_ref(),
            AssetKind::Ship,
            points[0],
        );
        let asset = self
            .units
            .add_asset(&c.id, &c.name, side, AssetKind::Ship, on_deck, (v, fp));
        let speed_kmh = if c.speed_kn.is_finite() {
            c.speed_kn.max(0.0) * 1.852
        } else {
            0.0
        };
        self.units.carriers.push(Carrier {
            id: c.id.clone(),
            name: c.name.clone(),
            side,
            asset,
            route: geo::Route::new(points, speed_kmh, c.patrol),
        });
        for (ei, e) in by_id(&c.escorts, |e| &e.id) {
            self.escort(ck, &p.key("escorts").index(ei), carrier, side, e);
        }
        if let Some(w) = &c.air_wing {
            let wp = p.key("air_wing");
            self.unit_ids.claim(ck, wp.key("id"), &w.id);
            let who = Identity {
                id: &w.id,
                name: &w.name,
                side,
                system: "cap",
                placement: on_deck,
                host: Some(asset),
                launchers: 0,
            };
            let fc = fire_control!(w);
            let b = battery(ck, &wp, who, &fc, self.db, self.tick_s);
            self.units.push_battery(b, &wp, fc.defends);
        }
    }

    /// An escort: a ship asset at an offset from its carrier, and a battery on it.
    fn escort(
        &mut self,
        ck: &mut Checker,
        ep: &KeyPath,
        carrier: usize,
        side: usize,
        e: &types::EscortSpec,
    ) {
        self.unit_ids.claim(ck, ep.key("id"), &e.id);
        for (k, v) in e.offset_km.iter().enumerate() {
            if !v.is_finite() || v.abs() > 500.0 {
                ck.err(
                    SCENARIO,
                    &ep.key("offset_km").index(k),
                    format!("expected an offset within 500 km, found {v}"),
                );
            }
        }
        let v = vulnerability(ck, &ep.key("vulnerability"), &e.vulnerability);
        let placement = Placement::Mounted {
            carrier,
            offset_km: e.offset_km,
        };
        // A polygon is checked against the carrier's starting position, offset.
        let at = self.units.carriers[carrier]
            .route
            .position_at(0.0)
            .offset(e.offset_km[0], e.offset_km[1]);
        let fp = footprint(
            ck,
            &ep.key("footprint"),
            e.footprint.as_ref(),
            AssetKind::Ship,
            at,
        );
        let host = self
            .units
            .add_asset(&e.id, &e.name, side, AssetKind::Ship, placement, (v, fp));
        let who = Identity {
            id: &e.id,
            name: &e.name,
            side,
            system: "aegis",
            placement,
            host: Some(host),
            launchers: 0,
        };
        let fc = fire_control!(e);
        let b = battery(ck, ep, who, &fc, self.db, self.tick_s);
        self.units.push_battery(b, ep, fc.defends);
    }
}

/// An asset's footprint: a radius, or a polygon of 3 to `MAX_VERTICES` vertices, within
/// A ship's speed when it manoeuvres (km/h): above 0 and at most `MAX_MANOEUVRE_KN`, with
/// provenance; only a ship manoeuvres.
fn manoeuvre(ck: &mut Checker, path: &KeyPath, kind: AssetKind, m: &types::ManoeuvreSpec) -> f64 {
    provenance(ck, SCENARIO, path, m.source.as_deref(), m.assumed);
    if kind != AssetKind::Ship {
        ck.err(
            SCENARIO,
            path,
            "only a ship manoeuvres: this asset is not `kind = \"ship\"`",
        );
        return 0.0;
    }
    let kn = m.speed_kn;
    if !(kn.is_finite() && kn > 0.0 && kn <= MAX_MANOEUVRE_KN) {
        ck.err(
            SCENARIO,
            &path.key("speed_kn"),
            format!("expected a speed above 0 and at most {MAX_MANOEUVRE_KN} kn, found {kn}"),
        );
        return 0.0;
    }
    kn * 1.852
}

/// `MAX_FOOTPRINT_KM` of its position, with provenance; the kind's default without one.
/// Polygon vertices become km east and north of `at` (flat within 30 km).
fn footprint(
    ck: &mut Checker,
    path: &KeyPath,
    f: Option<&types::Footprint>,
    kind: AssetKind,
    at: Geo,
) -> Footprint {
    let Some(f) = f else {
        return Footprint::default_for(kind);
    };
    provenance(ck, SCENARIO, path, f.source.as_deref(), f.assumed);
    match (f.radius_km, &f.polygon) {
        (Some(r), None) => {
            if !r.is_finite() || r <= 0.0 || r > MAX_FOOTPRINT_KM {
                ck.err(
                    SCENARIO,
                    &path.key("radius_km"),
                    format!(
                        "expected a radius above 0 and at most {MAX_FOOTPRINT_KM} km, found {r}"
                    ),
                );
                return Footprint::default_for(kind);
            }
            Footprint::Circle { radius_km: r }
        }
        (None, Some(points)) => {
            if points.len() < 3 || points.len() > MAX_VERTICES {
                ck.err(
                    SCENARIO,
                    &path.key("polygon"),
                    format!(
                        "expected 3 to {MAX_VERTICES} vertices, found {}",
                        points.len()
                    ),
                );
                return Footprint::default_for(kind);
            }
            let mut local = Vec::new();
            for (i, v) in points.iter().enumerate() {
                let g = position(ck, &path.key("polygon").index(i), *v);
                let d = at.distance_km(g);
                if d.is_nan() || d > MAX_FOOTPRINT_KM {
                    ck.err(
                        SCENARIO,
                        &path.key("polygon").index(i),
                        format!(
                            "a vertex {d:.1} km from the asset's position; a footprint reaches at most {MAX_FOOTPRINT_KM} km"
                        ),
                    );
                }
                local.push(at.east_north_km(g));
            }
            Footprint::Polygon(local)
        }
        _ => {
            ck.err(
                SCENARIO,
                path,
                "expected exactly one of `radius_km` or `polygon`",
            );
            Footprint::default_for(kind)
        }
    }
}
