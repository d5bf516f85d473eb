//! Launch sites (fire on orders) and militias (fire at their own rate once active): their
//! launchers, numbered across the scenario, and their inventories.

use std::collections::{BTreeMap, HashMap};

use super::super::limits::MAX_LAUNCHERS;
use super::super::model::*;
use super::super::source::KeyPath;
use super::super::types;
use super::canonical::by_id;
use super::database::Database;
use super::units::{UnitIds, Units};
use super::values::{position, probability};
use super::{Checker, SCENARIO, Time};

/// Launch sites then militias, and their ids (a duplicated id names the later one).
pub(super) struct Sites {
    pub list: Vec<Site>,
    pub ids: HashMap<String, usize>,
    /// Where each site of `list` is written (the list is in canonical order, not the
    /// file's).
    pub paths: Vec<KeyPath>,
}

impl Sites {
    fn add(&mut self, site: Site, path: KeyPath) {
        self.ids.insert(site.id.clone(), self.list.len());
        self.list.push(site);
        self.paths.push(path);
    }

    /// The next site's first launcher: launchers are numbered across all sites in order.
    fn next_launcher(&self) -> u32 {
        self.list
            .last()
            .map_or(0, |s| s.first_launcher.saturating_add(s.launchers))
    }
}

/// What a site refers to: weapons, targets, the clock.
struct Refs<'a, 'f> {
    db: &'a Database<'f>,
    units: &'a Units<'f>,
    time: Time,
}

/// Launch sites, then militias; their launchers are numbered across both, in order.
pub(super) fn check(
    ck: &mut Checker,
    file: &types::ScenarioFile,
    db: &Database,
    units: &Units,
    unit_ids: &mut UnitIds,
    time: Time,
) -> Sites {
    let refs = Refs { db, units, time };
    let mut sites = Sites {
        list: Vec::new(),
        ids: HashMap::new(),
        paths: Vec::new(),
    };
    for (i, s) in by_id(&file.launch_sites, |s| &s.id) {
        let p = KeyPath::default().key("launch_sites").index(i);
        let site = launch_site(ck, &p, s, &refs, unit_ids, sites.next_launcher());
        sites.add(site, p);
    }
    for (i, m) in by_id(&file.militias, |m| &m.id) {
        let p = KeyPath::default().key("militias").index(i);
        let site = militia(ck, &p, m, &refs, unit_ids, sites.next_launcher());
        sites.add(site, p);
    }
    launcher_limit(ck, &sites);
    sites
}

/// Every launcher is a bit in every replicate and a draw in every strike: their number is
/// bounded, and the site that passes the bound is named.
fn launcher_limit(ck: &mut Checker, sites: &Sites) {
    let mut total = 0u64;
    for (s, p) in sites.list.iter().zip(&sites.paths) {
        total += s.launchers as u64;
        if total > MAX_LAUNCHERS {
            ck.err(
                SCENARIO,
                &p.key("launchers"),
                format!(
                    "{} launchers bring the scenario's launch sites and militias to {total}; hormuz supports at most {MAX_LAUNCHERS} in all",
                    s.launchers
                ),
            );
            return;
        }
    }
}

/// The weapons of an inventory that the database knows, with their rounds, in id order.
fn inventory(
    ck: &mut Checker,
    path: &KeyPath,
    inv: &BTreeMap<String, u32>,
    db: &Database,
) -> Vec<(usize, u32)> {
    let mut out = Vec::new();
    for (w, n) in inv {
        match db.weapon_ids.get(w.as_str()) {
            Some(&k) => out.push((k, *n)),
            None => ck.unknown(SCENARIO, &path.key(w), "weapon", w, db.weapon_ids.keys()),
        }
    }
    out
}

/// A launch site: fires the salvos orders give it, from an inventory, with a reload time
/// between two launches of a launcher.
fn launch_site(
    ck: &mut Checker,
    p: &KeyPath,
    s: &types::LaunchSiteSpec,
    refs: &Refs,
    unit_ids: &mut UnitIds,
    first_launcher: u32,
) -> Site {
    let Refs { db, units, time } = *refs;
    unit_ids.claim(ck, p.key("id"), &s.id);
    let side = units.sides.side_of(ck, &p.key("side"), &s.side);
    let position = position(ck, &p.key("position"), s.position);
    if s.launchers == 0 {
        ck.err(
            SCENARIO,
            &p.key("launchers"),
            "expected at least 1 launcher",
        );
    }
    let inventory = inventory(ck, &p.key("inventory"), &s.inventory, db);
    let launch_reliability = s.launch_reliability.map_or(1.0, |v| {
        probability(ck, SCENARIO, &p.key("launch_reliability"), v)
    });
    Site {
        id: s.id.clone(),
        name: s.name.clone(),
        side,
        position,
        launchers: s.launchers,
        first_launcher,
        reload_ticks: s.reload_s.div_ceil(time.tick_s),
        launch_reliability,
        inventory,
        militia: None,
        at: ck.place(SCENARIO, p),
    }
}

/// A militia: fires at its own rate at its own targets once active, from an inventory
/// each weapon of which must reach some target.
fn militia(
    ck: &mut Checker,
    p: &KeyPath,
    m: &types::MilitiaSpec,
    refs: &Refs,
    unit_ids: &mut UnitIds,
    first_launcher: u32,
) -> Site {
    let Refs { db, units, time } = *refs;
    unit_ids.claim(ck, p.key("id"), &m.id);
    let side = units.sides.side_of(ck, &p.key("side"), &m.side);
    let position = position(ck, &p.key("position"), m.position);
    if m.launchers == 0 {
        ck.err(
            SCENARIO,
            &p.key("launchers"),
            "expected at least 1 launcher",
        );
    }
    if !m.rate_per_hour.is_finite() || m.rate_per_hour <= 0.0 || m.rate_per_hour > 3600.0 {
        ck.err(
            SCENARIO,
            &p.key("rate_per_hour"),
            format!(
                "expected launches per hour between 0 and 3600, found {}",
                m.rate_per_hour
            ),
        );
    }
    let inventory = inventory(ck, &p.key("inventory"), &m.inventory, db);
    let mut targets = Vec::new();
    for (k, t) in m.targets.iter().enumerate() {
        let tp = p.key("targets").index(k);
        if let Some(a) = units.target_of(ck, &tp, t) {
            units.check_hostile(ck, &tp, side, a);
            targets.push(a);
        }
    }
    if m.targets.is_empty() {
        ck.err(SCENARIO, &p.key("targets"), "expected at least one target");
    }
    // Each weapon must reach some target from where the militia stands.
    for (w, _) in &inventory {
        let wp = &db.weapons[*w];
        let reach = targets
            .iter()
            .any(|&a| units.distance_to(position, a) <= wp.range_km);
        if !targets.is_empty() && !reach {
            ck.err(
                SCENARIO,
                &p.key("inventory").key(&wp.id),
                format!(
                    "no target is within the {} km range of {}",
                    wp.range_km, wp.id
                ),
            );
        }
    }
    let active = m.active.map(|c| {
        if time.after_end(c) {
            ck.err(
                SCENARIO,
                &p.key("active"),
                "activation falls after the end of the scenario",
            );
        }
        time.ticks_of(c)
    });
    let launch_reliability = m.launch_reliability.map_or(1.0, |v| {
        probability(ck, SCENARIO, &p.key("launch_reliability"), v)
    });
    Site {
        id: m.id.clone(),
        name: m.name.clone(),
        side,
        position,
        launchers: m.launchers,
        first_launcher,
        reload_ticks: 0,
        launch_reliability,
        inventory,
        militia: Some(Militia {
            rate_per_hour: m.rate_per_hour,
            targets,
            active,
        }),
        at: ck.place(SCENARIO, p),
    }
}
