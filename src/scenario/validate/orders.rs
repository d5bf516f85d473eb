//! The timeline: triggers (conditions on outcomes), orders (at a time or after a trigger),
//! the moves orders plan ahead, and incidents (narrative only).

use std::collections::HashMap;

use super::super::model::*;
use super::super::source::KeyPath;
use super::super::types;
use super::canonical::{by_id, by_key};
use super::database::Database;
use super::sites::Sites;
use super::triggers::Triggers;
use super::units::Units;
use super::values::{position, probability};
use super::{Checker, SCENARIO, Time};
use super::{logistics, repeats};

/// The sections an order refers to.
pub(super) struct Known<'a, 'f> {
    pub db: &'a Database<'f>,
    pub units: &'a Units<'f>,
    pub sites: &'a Sites,
    pub triggers: &'a Triggers<'f>,
    pub decisions: &'a super::decisions::Decisions<'f>,
    /// The first battery and the first carrier with each id.
    pub battery_ids: HashMap<&'a str, usize>,
    pub carrier_ids: HashMap<&'a str, usize>,
}

/// The first of `ids` with each id, by position.
pub(super) fn first_of<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    let mut map = HashMap::new();
    for (i, id) in ids.enumerate() {
        map.entry(id).or_insert(i);
    }
    map
}

/// A target of an injected salvo that moves (a ship): its range is checked once the
/// scenario is built ([`check_at_sea`]), where the ship is at the inject's time.
pub(super) struct AtSea {
    path: KeyPath,
    target: String,
    site: usize,
    weapon: usize,
    asset: usize,
    tick: u32,
}

/// The orders that can be carried out, each with the key path of the `[[orders]]` entry it
/// came from; an order with a problem that leaves it without an action is left out (and
/// reported). A repeated order (`every`, `times`) becomes one order per time, named
/// `<id>#1`, `<id>#2`, ... Also the injected salvos' ships, checked later.
pub(super) fn orders(
    ck: &mut Checker,
    specs: &[types::OrderSpec],
    known: &Known,
    time: Time,
) -> (Vec<Order>, Vec<KeyPath>, Vec<AtSea>) {
    let mut out = Vec::new();
    let mut paths = Vec::new();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    // Rounds of each weapon ordered from each site, to check inventories.
    let mut spent = Ledger::default();
    let mut expanded = 0usize;
    for (i, o) in by_id(specs, |o| &o.id) {
        let p = KeyPath::default().key("orders").index(i);
        if ids.insert(o.id.as_str(), i).is_some() {
            ck.err(
                SCENARIO,
                &p.key("id"),
                format!("order id {:?} is defined twice", o.id),
            );
        }
        let when = when(ck, &p, o, known, time);
        let repeat = repeats::check(ck, &p, o, &when, time, &mut expanded);
        spent.when = when.clone();
        spent.inject = o.inject;
        if let Some(action) = action(ck, &p, o, known, time, &mut spent, repeat.times) {
            let at = ck.place(SCENARIO, &p);
            for k in 0..repeat.times {
                out.push(Order {
                    id: repeat.id(&o.id, k),
                    when: repeat.when(&when, k),
                    action: action.clone(),
                    inject: o.inject,
                    note: o.note.clone(),
                    at: at.clone(),
                });
                paths.push(p.clone());
            }
        }
    }
    repeats::unique_ids(ck, &out, &paths, &ids);
    let at_sea = std::mem::take(&mut spent.at_sea);
    spent.check(ck, known);
    (out, paths, at_sea)
}

/// The injected salvos' ships, each measured where the scenario puts it at the inject's
/// time (diversions and trips to port included).
pub(super) fn check_at_sea(ck: &mut Checker, at_sea: &[AtSea], sc: &Scenario) {
    for x in at_sea {
        let to = sc.asset_position(x.asset, x.tick as f64 * sc.tick_seconds as f64);
        let (site, w) = (&sc.sites[x.site], &sc.weapons[x.weapon]);
        let d = site.position.distance_km(to);
        if d > w.range_km {
            ck.err(
                SCENARIO,
                &x.path,
                format!(
                    "{} is {d:.0} km from {} at {}, beyond the {} km range of {}",
                    x.target,
                    site.id,
                    types::Clock(x.tick * sc.tick_seconds),
                    w.range_km,
                    w.id
                ),
            );
        }
    }
}

/// The rounds salvo orders fire from each site, checked against its inventory once every
/// order is read: in time order (fixed times first, then triggered orders by delay; a tie
/// in id order), the order whose rounds take the total past the inventory is reported,
/// once per site and weapon.
struct Ledger {
    /// When the order being read falls due, and whether it is an inject (given during an
    /// exercise: it aims at ships where they are then).
    when: When,
    inject: bool,
    entries: Vec<Spent>,
    /// Injected salvos' ships, checked once the scenario is built.
    at_sea: Vec<AtSea>,
}

/// One salvo order's rounds of a weapon from a site.
struct Spent {
    site: usize,
    weapon: usize,
    /// Its count times its repeats, in u64: it cannot wrap.
    rounds: u64,
    when: When,
    /// Its place in reading (id) order.
    index: usize,
    path: KeyPath,
    count: u32,
    times: u32,
}

impl Default for Ledger {
    fn default() -> Self {
        Ledger {
            when: When::At(0),
            inject: false,
            entries: Vec::new(),
            at_sea: Vec::new(),
        }
    }
}

impl Ledger {
    fn add(&mut self, (site, weapon): (usize, usize), count: u32, times: u32, path: KeyPath) {
        self.entries.push(Spent {
            site,
            weapon,
            rounds: count as u64 * times as u64,
            when: self.when.clone(),
            index: self.entries.len(),
            path,
            count,
            times,
        });
    }

    fn check(mut self, ck: &mut Checker, known: &Known) {
        let key = |w: &When| match *w {
            When::At(t) => (0, t),
            When::After { delay, .. } => (1, delay),
        };
        self.entries
            .sort_by_key(|e| (e.site, e.weapon, key(&e.when), e.index));
        let mut used: HashMap<(usize, usize), u64> = HashMap::new();
        for e in &self.entries {
            let (from, w) = (&known.sites.list[e.site], &known.db.weapons[e.weapon]);
            let held = from
                .inventory
                .iter()
                .find(|(k, _)| *k == e.weapon)
                .map_or(0, |x| x.1) as u64;
            let total = used.entry((e.site, e.weapon)).or_insert(0);
            let before = *total;
            *total += e.rounds;
            if before <= held && *total > held {
                let each = if e.times > 1 {
                    format!(" ({} each of {} times)", e.count, e.times)
                } else {
                    String::new()
                };
                ck.err(
                    SCENARIO,
                    &e.path,
                    format!(
                        "{} holds {held} {}, but the orders so far fire {}{each}",
                        from.id, w.id, *total
                    ),
                );
            }
        }
    }
}

/// When an order falls due: at a time before the end, or after a known trigger or outcome.
fn when(ck: &mut Checker, p: &KeyPath, o: &types::OrderSpec, known: &Known, time: Time) -> When {
    let (t, decisions) = (known.triggers, known.decisions);
    match (&o.at, &o.after) {
        (Some(at), None) => {
            if time.after_end(*at) {
                ck.err(
                    SCENARIO,
                    &p.key("at"),
                    format!(
                        "the order falls at {at}, after the end of the scenario ({})",
                        time.end
                    ),
                );
            }
            When::At(time.ticks_of(*at))
        }
        (None, Some(a)) => after(ck, &p.key("after"), a, t, decisions, time),
        _ => {
            ck.err(SCENARIO, p, "expected exactly one of `at` or `after`");
            When::At(0)
        }
    }
}

/// An `after` order's gate: a trigger, or a decision's outcome (whose `delay` counts from
/// the decision's time, and must end before the scenario does).
fn after(
    ck: &mut Checker,
    ap: &KeyPath,
    a: &types::After,
    t: &Triggers,
    decisions: &super::decisions::Decisions,
    time: Time,
) -> When {
    let delay = a.delay.seconds().div_ceil(time.tick_s).max(1);
    match (&a.trigger, &a.decision, &a.outcome) {
        (Some(trigger), None, None) => match t.ids.get(trigger.as_str()) {
            Some(&trigger) => When::After {
                on: Gate::Trigger(trigger),
                delay,
            },
            None => {
                ck.unknown(
                    SCENARIO,
                    &ap.key("trigger"),
                    "trigger",
                    trigger,
                    t.ids.keys(),
                );
                When::At(0)
            }
        },
        (None, Some(decision), Some(outcome)) => {
            let Some((d, o)) = decisions.outcome_of(ck, ap, decision, outcome) else {
                return When::At(0);
            };
            let tick = decisions.list[d].at.saturating_add(delay);
            if tick >= time.ticks {
                ck.err(
                    SCENARIO,
                    &ap.key("delay"),
                    format!(
                        "the order falls {} after decision {decision:?} is taken, after the end of the scenario ({})",
                        a.delay, time.end
                    ),
                );
            }
            When::After {
                on: Gate::Outcome {
                    decision: d,
                    outcome: o,
                },
                delay: tick,
            }
        }
        _ => {
            ck.err(
                SCENARIO,
                ap,
                "expected either `trigger`, or `decision` with `outcome`",
            );
            When::At(0)
        }
    }
}

/// An order's one action, or `None` when it has none it can carry out (reported). `times`:
/// how many times it falls due, for the inventory.
fn action(
    ck: &mut Checker,
    p: &KeyPath,
    o: &types::OrderSpec,
    known: &Known,
    time: Time,
    spent: &mut Ledger,
    times: u32,
) -> Option<Action> {
    let n_actions = o.salvo.is_some() as u32
        + o.strike.is_some() as u32
        + o.activate.is_some() as u32
        + o.switch.is_some() as u32
        + o.relocate.is_some() as u32
        + o.divert.is_some() as u32
        + o.resupply.is_some() as u32
        + o.rearm.is_some() as u32;
    if n_actions != 1 {
        ck.err(
            SCENARIO,
            p,
            "expected exactly one of `salvo`, `strike`, `activate`, `switch`, `relocate`, `divert`, `resupply` or `rearm`",
        );
        return None;
    }
    // Moves change geometry, planned before the run, and a switch acts on every replicate
    // at once: they need a fixed time.
    // A trip to port that a trigger or a decision orders is planned in each replicate.
    let fixed = o.relocate.is_some() || o.divert.is_some() || o.switch.is_some();
    if fixed && o.at.is_none() {
        ck.err(
            SCENARIO,
            &p.key("after"),
            "a `switch`, `relocate` or `divert` order acts on every replicate at once and needs a fixed time `at`",
        );
        return None;
    }
    if let Some(s) = &o.salvo {
        salvo(ck, &p.key("salvo"), s, known, time, spent, times)
    } else if let Some(r) = &o.resupply {
        logistics::resupply(ck, &p.key("resupply"), r, known)
    } else if let Some(r) = &o.rearm {
        logistics::rearm(ck, &p.key("rearm"), r, known, time)
    } else if let Some(s) = &o.strike {
        Some(strike(ck, &p.key("strike"), s, known.sites))
    } else if let Some(list) = &o.activate {
        Some(activate(ck, &p.key("activate"), list, known.sites))
    } else if let Some(sw) = &o.switch {
        let battery = battery_of(ck, &p.key("switch").key("battery"), &sw.battery, known)?;
        Some(Action::Switch {
            battery,
            online: sw.online,
        })
    } else if let Some(r) = &o.relocate {
        relocate(ck, &p.key("relocate"), r, known)
    } else {
        let d = o.divert.as_ref().expect("counted above");
        divert(ck, &p.key("divert"), d, known)
    }
}

/// A salvo: rounds of a weapon the site holds (counting earlier orders), at targets of
/// hostile sides within range, launched over an interval.
fn salvo(
    ck: &mut Checker,
    sp: &KeyPath,
    s: &types::SalvoSpec,
    known: &Known,
    time: Time,
    spent: &mut Ledger,
    times: u32,
) -> Option<Action> {
    let (sites, db, units) = (known.sites, known.db, known.units);
    let Some(&site) = sites.ids.get(s.from.as_str()) else {
        ck.unknown(
            SCENARIO,
            &sp.key("from"),
            "launch site or militia",
            &s.from,
            sites.ids.keys(),
        );
        return None;
    };
    let Some(&weapon) = db.weapon_ids.get(s.weapon.as_str()) else {
        ck.unknown(
            SCENARIO,
            &sp.key("weapon"),
            "weapon",
            &s.weapon,
            db.weapon_ids.keys(),
        );
        return None;
    };
    if s.count == 0 {
        ck.err(SCENARIO, &sp.key("count"), "expected a count of at least 1");
    }
    let (from, w) = (&sites.list[site], &db.weapons[weapon]);
    spent.add((site, weapon), s.count, times, sp.key("count"));
    let mut targets = Vec::new();
    for (k, t) in s.targets.iter().enumerate() {
        let tp = sp.key("targets").index(k);
        if let Some(a) = units.target_of(ck, &tp, t) {
            let moving = matches!(units.assets[a].placement, Placement::Mounted { .. });
            let inject_tick = match (&spent.when, spent.inject) {
                (When::At(t), true) => Some(*t),
                _ => None,
            };
            let d = units.distance_to(from.position, a);
            if let (true, Some(tick)) = (moving, inject_tick) {
                spent.at_sea.push(AtSea {
                    path: tp.clone(),
                    target: t.clone(),
                    site,
                    weapon,
                    asset: a,
                    tick,
                });
            } else if d > w.range_km {
                ck.err(
                    SCENARIO,
                    &tp,
                    format!(
                        "{t} is {d:.0} km from {}, beyond the {} km range of {}",
                        from.id, w.range_km, w.id
                    ),
                );
            }
            units.check_hostile(ck, &tp, from.side, a);
            targets.push(a);
        }
    }
    if s.targets.is_empty() {
        ck.err(SCENARIO, &sp.key("targets"), "expected at least one target");
    }
    Some(Action::Salvo {
        site,
        weapon,
        count: s.count,
        targets,
        over_ticks: time.ticks_of(s.over),
        timing: s.timing,
    })
}

/// A strike on launch sites or militias: each surviving launcher destroyed with a
/// probability.
fn strike(ck: &mut Checker, sp: &KeyPath, s: &types::StrikeSpec, sites: &Sites) -> Action {
    let mut struck = Vec::new();
    for (k, t) in s.sites.iter().enumerate() {
        match sites.ids.get(t.as_str()) {
            Some(&x) => struck.push(x),
            None => ck.unknown(
                SCENARIO,
                &sp.key("sites").index(k),
                "launch site or militia",
                t,
                sites.ids.keys(),
            ),
        }
    }
    if s.sites.is_empty() {
        ck.err(SCENARIO, &sp.key("sites"), "expected at least one site");
    }
    let fraction = probability(ck, SCENARIO, &sp.key("fraction"), s.fraction);
    Action::Strike {
        sites: struck,
        fraction,
    }
}

/// Militias (not launch sites) that start firing.
fn activate(ck: &mut Checker, ap: &KeyPath, list: &[String], sites: &Sites) -> Action {
    let mut militias = Vec::new();
    for (k, t) in list.iter().enumerate() {
        match sites.ids.get(t.as_str()) {
            Some(&x) if sites.list[x].militia.is_some() => militias.push(x),
            Some(_) => ck.err(
                SCENARIO,
                &ap.index(k),
                format!("{t:?} is a launch site, not a militia: order a salvo from it"),
            ),
            None => ck.unknown(SCENARIO, &ap.index(k), "militia", t, sites.ids.keys()),
        }
    }
    Action::Activate { militias }
}

/// The first battery with an id, among the batteries that passed their checks.
pub(super) fn battery_of(
    ck: &mut Checker,
    path: &KeyPath,
    id: &str,
    known: &Known,
) -> Option<usize> {
    let batteries = &known.units.batteries;
    let found = known.battery_ids.get(id).copied();
    if found.is_none() {
        let ids: Vec<&str> = batteries.iter().map(|b| b.id.as_str()).collect();
        ck.unknown(SCENARIO, path, "battery", id, ids.iter());
    }
    found
}

/// A battery that moves: a ground battery only (a ship-borne one moves with its carrier).
fn relocate(
    ck: &mut Checker,
    rp: &KeyPath,
    r: &types::RelocateSpec,
    known: &Known,
) -> Option<Action> {
    let battery = battery_of(ck, &rp.key("battery"), &r.battery, known)?;
    if matches!(
        known.units.batteries[battery].placement,
        Placement::Mounted { .. }
    ) {
        ck.err(
            SCENARIO,
            &rp.key("battery"),
            "a ship-borne battery moves with its carrier: divert the carrier instead",
        );
    }
    Some(Action::Relocate {
        battery,
        to: position(ck, &rp.key("to"), r.to),
    })
}

/// A carrier sent towards a point at a speed.
fn divert(ck: &mut Checker, dp: &KeyPath, d: &types::DivertSpec, known: &Known) -> Option<Action> {
    let carriers = &known.units.carriers;
    let Some(&carrier) = known.carrier_ids.get(d.carrier.as_str()) else {
        let ids: Vec<&str> = carriers.iter().map(|c| c.id.as_str()).collect();
        ck.unknown(
            SCENARIO,
            &dp.key("carrier"),
            "carrier",
            &d.carrier,
            ids.iter(),
        );
        return None;
    };
    if !d.speed_kn.is_finite() || d.speed_kn <= 0.0 || d.speed_kn > 60.0 {
        ck.err(
            SCENARIO,
            &dp.key("speed_kn"),
            format!(
                "expected a speed above 0 and up to 60 knots, found {}",
                d.speed_kn
            ),
        );
    }
    Some(Action::Divert {
        carrier,
        to: position(ck, &dp.key("to"), d.to),
        speed_kn: d.speed_kn,
    })
}

/// Relocations and diversions are planned ahead: fold them into the units, in time order.
pub(super) fn plan_moves(
    orders: &[Order],
    batteries: &mut [Battery],
    carriers: &mut [Carrier],
    tick_s: u32,
) {
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
}

/// Narrative events: each before the end of the scenario.
pub(super) fn incidents(
    ck: &mut Checker,
    specs: &[types::IncidentSpec],
    time: Time,
) -> Vec<Incident> {
    let mut out = Vec::new();
    // Incidents at one time are logged in the order of their texts.
    for (i, inc) in by_key(specs, |x| (x.at, x.text.as_str())) {
        let p = KeyPath::default().key("incidents").index(i);
        if time.after_end(inc.at) {
            ck.err(
                SCENARIO,
                &p.key("at"),
                "the incident falls after the end of the scenario",
            );
        }
        let pos = inc.position.map(|x| position(ck, &p.key("position"), x));
        out.push(Incident {
            tick: time.ticks_of(inc.at),
            text: inc.text.clone(),
            position: pos,
        });
    }
    out
}
