//! Triggers: per-replicate conditions on what happened (hits, damage, out of action,
//! launchers destroyed, a ship's cells in its magazine reports), checked before the orders
//! that wait on them.

use std::collections::HashMap;

use super::super::model::*;
use super::super::source::KeyPath;
use super::super::types;
use super::canonical::by_id;
use super::units::Units;
use super::{Checker, SCENARIO, Time};
use crate::scenario::limits::MAX_REPORTS;

/// The triggers, and their ids (a duplicated id names the later trigger).
pub(super) struct Triggers<'f> {
    pub list: Vec<Trigger>,
    pub(super) ids: HashMap<&'f str, usize>,
}

impl Triggers<'_> {
    /// The index of trigger `id`.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.ids.get(id).copied()
    }

    /// Every trigger's id, for suggestions.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.ids.keys().copied()
    }
}

/// Triggers come before orders, which refer to them.
pub(super) fn triggers<'f>(
    ck: &mut Checker,
    specs: &'f [types::TriggerSpec],
    units: &Units,
    sites: &[crate::scenario::Site],
    interceptors: &[Interceptor],
    time: Time,
) -> Triggers<'f> {
    let mut ids = HashMap::new();
    let mut list = Vec::new();
    for (i, t) in by_id(specs, |t| &t.id) {
        let p = KeyPath::default().key("triggers").index(i);
        if ids.insert(t.id.as_str(), list.len()).is_some() {
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
        let measure = if w.cells_below.is_some() || w.report_every.is_some() {
            cells_below(ck, &wp, w, subject, (units, interceptors), time)
        } else {
            match (
                w.hits_at_least,
                w.damage_at_least,
                w.out_of_action,
                w.launchers_destroyed_at_least,
            ) {
                (Some(n), None, false, None) if n > 0 => Measure::Hits(n),
                (None, Some(n), false, None) if n > 0 => Measure::Damage(n),
                (None, None, true, None) => Measure::OutOfAction,
                (None, None, false, Some(f)) => launchers_destroyed(ck, &wp, subject, f, sites),
                (Some(0), None, false, None) | (None, Some(0), false, None) => {
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
                    "expected exactly one of `hits_at_least`, `damage_at_least`, `out_of_action = true`, `launchers_destroyed_at_least` or `cells_below`",
                );
                    Measure::Hits(1)
                }
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

/// `cells_below = n` (with `report_every`, 30 minutes unless given): a ship's loaded
/// vertical-launch cells, looked at in its magazine reports.
fn cells_below(
    ck: &mut Checker,
    wp: &KeyPath,
    w: &types::Condition,
    subject: Subject,
    (units, interceptors): (&Units, &[Interceptor]),
    time: Time,
) -> Measure {
    let fallback = Measure::CellsBelow { cells: 1, every: 1 };
    let others = w.hits_at_least.is_some()
        || w.damage_at_least.is_some()
        || w.out_of_action
        || w.launchers_destroyed_at_least.is_some();
    let Some(cells) = w.cells_below else {
        ck.err(
            SCENARIO,
            &wp.key("report_every"),
            "`report_every` goes with `cells_below`",
        );
        return fallback;
    };
    if others {
        ck.err(
            SCENARIO,
            wp,
            "expected exactly one of `hits_at_least`, `damage_at_least`, `out_of_action = true`, `launchers_destroyed_at_least` or `cells_below`",
        );
        return fallback;
    }
    let Subject::Asset(ship) = subject else {
        ck.err(
            SCENARIO,
            wp,
            "cells are counted for a ship (`asset`), not a side",
        );
        return fallback;
    };
    let a = &units.assets[ship];
    let cells_held: u64 = units
        .batteries
        .iter()
        .filter(|b| b.host == Some(ship))
        .flat_map(|b| &b.magazines)
        .filter_map(|m| {
            let per = interceptors[m.interceptor].per_cell?;
            Some((m.ready as u64 + m.reserve as u64).div_ceil(per as u64))
        })
        .sum();
    if cells_held == 0 {
        ck.err(
            SCENARIO,
            &wp.key("asset"),
            format!("{} carries no vertical-launch cells (no magazine with `per_cell`): the trigger could never fire", a.id),
        );
        return fallback;
    }
    if cells == 0 || cells as u64 > cells_held {
        ck.err(
            SCENARIO,
            &wp.key("cells_below"),
            format!(
                "expected 1 to {cells_held} (the cells {} holds loaded), found {cells}",
                a.id
            ),
        );
        return fallback;
    }
    let every = w
        .report_every
        .unwrap_or(crate::scenario::types::Clock(1800));
    let step = time.ticks_of(every);
    if step == 0 {
        ck.err(
            SCENARIO,
            &wp.key("report_every"),
            format!(
                "expected at least one tick ({} s), found {every}",
                time.tick_s
            ),
        );
        return fallback;
    }
    if time.ticks / step > MAX_REPORTS {
        ck.err(
            SCENARIO,
            &wp.key("report_every"),
            format!(
                "{every} gives {} reports over the scenario; at most {MAX_REPORTS}",
                time.ticks / step
            ),
        );
        return fallback;
    }
    Measure::CellsBelow { cells, every: step }
}

/// `launchers_destroyed_at_least = f`: a side's launchers (its launch sites' and
/// militias'), as the count `f` of them comes to (at least one).
fn launchers_destroyed(
    ck: &mut Checker,
    wp: &KeyPath,
    subject: Subject,
    fraction: f64,
    sites: &[crate::scenario::Site],
) -> Measure {
    let path = wp.key("launchers_destroyed_at_least");
    if !(fraction > 0.0 && fraction <= 1.0) {
        ck.err(
            SCENARIO,
            &path,
            format!("a fraction of launchers is above 0 and at most 1, found {fraction}"),
        );
        return Measure::LaunchersDestroyed(1);
    }
    let Subject::Side(side) = subject else {
        ck.err(
            SCENARIO,
            wp,
            "launchers destroyed are counted for a `side`, not an asset",
        );
        return Measure::LaunchersDestroyed(1);
    };
    let total: u64 = sites
        .iter()
        .filter(|s| s.side == side)
        .map(|s| s.launchers as u64)
        .sum();
    if total == 0 {
        ck.err(
            SCENARIO,
            &path,
            "the side has no launchers: the trigger could never fire",
        );
        return Measure::LaunchersDestroyed(1);
    }
    let n = (fraction * total as f64).ceil().clamp(1.0, total as f64);
    Measure::LaunchersDestroyed(n as u32)
}
