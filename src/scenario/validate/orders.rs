//! The timeline: triggers (conditions on outcomes), orders (at a time or after a trigger),
//! the moves orders plan ahead, and incidents (narrative only).

use std::collections::HashMap;

use super::super::model::*;
use super::super::source::KeyPath;
use super::super::types;
use super::database::Database;
use super::sites::Sites;
use super::suggest::unknown;
use super::units::Units;
use super::values::{position, probability};
use super::{Checker, SCENARIO, Time};

/// The triggers, and their ids (a duplicated id names the later trigger).
pub(super) struct Triggers<'f> {
    pub list: Vec<Trigger>,
    ids: HashMap<&'f str, usize>,
}

/// The sections an order refers to.
pub(super) struct Known<'a, 'f> {
    pub db: &'a Database<'f>,
    pub units: &'a Units<'f>,
    pub sites: &'a Sites,
    pub triggers: &'a Triggers<'f>,
}

/// Triggers come before orders, which refer to them.
pub(super) fn triggers<'f>(
    ck: &mut Checker,
    specs: &'f [types::TriggerSpec],
    units: &Units,
) -> Triggers<'f> {
    let mut ids = HashMap::new();
    let mut list = Vec::new();
    for (i, t) in specs.iter().enumerate() {
        let p = KeyPath::default().key("triggers").index(i);
        if ids.insert(t.id.as_str(), i).is_some() {
            ck.err(
                SCENARIO,
                &p.key("id"),
                format!("trigger id {:?} is defined twice", t.id),
            );
        }
        let w = &t.when;
        let wp = p.key("when");
        let subject = match (&w.asset, &w.side) {
            (Some(a), None) => {
                Subject::Asset(units.target_of(ck, &wp.key("asset"), a).unwrap_or(0))
            }
            (None, Some(s)) => Subject::Side(units.sides.side_of(ck, &wp.key("side"), s)),
            _ => {
                ck.err(SCENARIO, &wp, "expected exactly one of `asset` or `side`");
                Subject::Side(0)
            }
        };
        let measure = match (w.hits_at_least, w.damage_at_least, w.out_of_action) {
            (Some(n), None, false) if n > 0 => Measure::Hits(n),
            (None, Some(n), false) if n > 0 => Measure::Damage(n),
            (None, None, true) => Measure::OutOfAction,
            (Some(0), None, false) | (None, Some(0), false) => {
                ck.err(
                    SCENARIO,
                    &wp,
                    "a threshold of 0 would fire before anything happens; use 1 or more",
                );
                Measure::Hits(1)
            }
            _ => {
                ck.err(
                    SCENARIO,
                    &wp,
                    "expected exactly one of `hits_at_least`, `damage_at_least` or `out_of_action = true`",
                );
                Measure::Hits(1)
            }
        };
        list.push(Trigger {
            id: t.id.clone(),
            subject,
            measure,
            note: t.note.clone(),
        });
    }
    Triggers { list, ids }
}

/// The orders that can be carried out; an order with a problem that leaves it without an
/// action is left out (and reported).
pub(super) fn orders(
    ck: &mut Checker,
    specs: &[types::OrderSpec],
    known: &Known,
    time: Time,
) -> Vec<Order> {
    let mut out = Vec::new();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    // Rounds of each weapon already ordered from each site, to check inventories.
    let mut spent: HashMap<(usize, usize), u32> = HashMap::new();
    for (i, o) in specs.iter().enumerate() {
        let p = KeyPath::default().key("orders").index(i);
        if ids.insert(o.id.as_str(), i).is_some() {
            ck.err(
                SCENARIO,
                &p.key("id"),
                format!("order id {:?} is defined twice", o.id),
            );
        }
        let when = when(ck, &p, o, known.triggers, time);
        if let Some(action) = action(ck, &p, o, known, time, &mut spent) {
            out.push(Order {
                id: o.id.clone(),
                when,
                action,
                inject: o.inject,
                note: o.note.clone(),
            });
        }
    }
    out
}

/// When an order falls due: at a time before the end, or after a known trigger.
fn when(ck: &mut Checker, p: &KeyPath, o: &types::OrderSpec, t: &Triggers, time: Time) -> When {
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
        (None, Some(a)) => match t.ids.get(a.trigger.as_str()) {
            Some(&trigger) => When::After {
                trigger,
                delay: a.delay.seconds().div_ceil(time.tick_s).max(1),
            },
            None => {
                ck.err(
                    SCENARIO,
                    &p.key("after").key("trigger"),
                    unknown("trigger", &a.trigger, t.ids.keys()),
                );
                When::At(0)
            }
        },
        _ => {
            ck.err(SCENARIO, p, "expected exactly one of `at` or `after`");
            When::At(0)
        }
    }
}

/// An order's one action, or `None` when it has none it can carry out (reported).
fn action(
    ck: &mut Checker,
    p: &KeyPath,
    o: &types::OrderSpec,
    known: &Known,
    time: Time,
    spent: &mut HashMap<(usize, usize), u32>,
) -> Option<Action> {
    let n_actions = o.salvo.is_some() as u32
        + o.strike.is_some() as u32
        + o.activate.is_some() as u32
        + o.switch.is_some() as u32
        + o.relocate.is_some() as u32
        + o.divert.is_some() as u32;
    if n_actions != 1 {
        ck.err(
            SCENARIO,
            p,
            "expected exactly one of `salvo`, `strike`, `activate`, `switch`, `relocate` or `divert`",
        );
        return None;
    }
    // Moves change geometry, planned before the run, and a switch acts on every replicate
    // at once: they need a fixed time.
    if (o.relocate.is_some() || o.divert.is_some() || o.switch.is_some()) && o.at.is_none() {
        ck.err(
            SCENARIO,
            &p.key("after"),
            "a `switch`, `relocate` or `divert` order acts on every replicate at once and needs a fixed time `at`",
        );
        return None;
    }
    if let Some(s) = &o.salvo {
        salvo(ck, &p.key("salvo"), s, known, time, spent)
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
    spent: &mut HashMap<(usize, usize), u32>,
) -> Option<Action> {
    let (sites, db, units) = (known.sites, known.db, known.units);
    let Some(&site) = sites.ids.get(s.from.as_str()) else {
        ck.err(
            SCENARIO,
            &sp.key("from"),
            unknown("launch site or militia", &s.from, sites.ids.keys()),
        );
        return None;
    };
    let Some(&weapon) = db.weapon_ids.get(s.weapon.as_str()) else {
        ck.err(
            SCENARIO,
            &sp.key("weapon"),
            unknown("weapon", &s.weapon, db.weapon_ids.keys()),
        );
        return None;
    };
    if s.count == 0 {
        ck.err(SCENARIO, &sp.key("count"), "expected a count of at least 1");
    }
    let (from, w) = (&sites.list[site], &db.weapons[weapon]);
    let held = from
        .inventory
        .iter()
        .find(|(k, _)| *k == weapon)
        .map_or(0, |x| x.1);
    let used = spent.entry((site, weapon)).or_insert(0);
    *used = used.saturating_add(s.count);
    if *used > held {
        ck.err(
            SCENARIO,
            &sp.key("count"),
            format!(
                "{} holds {held} {}, but the orders so far fire {}",
                from.id, w.id, *used
            ),
        );
    }
    let mut targets = Vec::new();
    for (k, t) in s.targets.iter().enumerate() {
        let tp = sp.key("targets").index(k);
        if let Some(a) = units.target_of(ck, &tp, t) {
            let d = units.distance_to(from.position, a);
            if d > w.range_km {
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
            None => ck.err(
                SCENARIO,
                &sp.key("sites").index(k),
                unknown("launch site or militia", t, sites.ids.keys()),
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
            None => ck.err(
                SCENARIO,
                &ap.index(k),
                unknown("militia", t, sites.ids.keys()),
            ),
        }
    }
    Action::Activate { militias }
}

/// The first battery with an id, among the batteries that passed their checks.
fn battery_of(ck: &mut Checker, path: &KeyPath, id: &str, known: &Known) -> Option<usize> {
    let batteries = &known.units.batteries;
    let found = batteries.iter().position(|b| b.id == id);
    if found.is_none() {
        let ids: Vec<&str> = batteries.iter().map(|b| b.id.as_str()).collect();
        ck.err(SCENARIO, path, unknown("battery", id, ids.iter()));
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
    let Some(carrier) = carriers.iter().position(|c| c.id == d.carrier) else {
        let ids: Vec<&str> = carriers.iter().map(|c| c.id.as_str()).collect();
        ck.err(
            SCENARIO,
            &dp.key("carrier"),
            unknown("carrier", &d.carrier, ids.iter()),
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
    for (i, inc) in specs.iter().enumerate() {
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
