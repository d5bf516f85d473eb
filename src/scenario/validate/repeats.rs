//! Repeating orders: `every = "24:00"` and `times = 12` make one `[[orders]]` entry fall
//! due twelve times, a day apart, each time with the whole action (a salvo fires its
//! `count` each time). Counts are bounded before anything is expanded: `times` by
//! [`MAX_REPEATS`], every order of the scenario together by [`MAX_ORDERS`], and every
//! repeat must fall within the scenario.

use std::collections::HashMap;

use super::super::limits::{MAX_ORDERS, MAX_REPEATS};
use super::super::model::{Gate, Order, When};
use super::super::source::KeyPath;
use super::super::types::{self, Clock};
use super::{Checker, SCENARIO, Time};

/// How often an order falls due: `times` in all, `every` ticks apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Repeat {
    pub times: u32,
    pub every: u32,
}

impl Repeat {
    const ONCE: Repeat = Repeat { times: 1, every: 0 };

    /// The id of the `k`-th time (from 0): the order's own id when it falls due once.
    pub fn id(&self, id: &str, k: u32) -> String {
        if self.times == 1 {
            id.to_string()
        } else {
            format!("{id}#{}", k + 1)
        }
    }

    /// When the `k`-th time falls due. Checked: `k * every` is below the scenario's length.
    pub fn when(&self, first: &When, k: u32) -> When {
        let later = k * self.every;
        match *first {
            When::At(t) => When::At(t.saturating_add(later)),
            When::After { on, delay } => When::After {
                on,
                delay: delay.saturating_add(later),
            },
        }
    }
}

/// An order's repeats, checked; an order with a problem in them falls due once (and the
/// problem is reported). `expanded` counts the orders of the scenario so far, repeats
/// included.
pub(super) fn check(
    ck: &mut Checker,
    p: &KeyPath,
    o: &types::OrderSpec,
    first: &When,
    time: Time,
    expanded: &mut usize,
) -> Repeat {
    let repeat = match (o.every, o.times) {
        (None, None) => Repeat::ONCE,
        (Some(_), None) | (None, Some(_)) => {
            ck.err(
                SCENARIO,
                p,
                "a repeated order needs both `every` (the time between two) and `times` (how many in all)",
            );
            Repeat::ONCE
        }
        (Some(every), Some(times)) => checked(ck, p, o, first, time, every, times),
    };
    if *expanded + repeat.times as usize > MAX_ORDERS {
        ck.err(
            SCENARIO,
            &p.key("times"),
            format!(
                "the scenario's orders come to more than {MAX_ORDERS} with the repeats of this one"
            ),
        );
        *expanded = MAX_ORDERS;
        return Repeat::ONCE;
    }
    *expanded += repeat.times as usize;
    repeat
}

fn checked(
    ck: &mut Checker,
    p: &KeyPath,
    o: &types::OrderSpec,
    first: &When,
    time: Time,
    every: Clock,
    times: u32,
) -> Repeat {
    let before = ck.diagnostics.len();
    let once_only = [
        (o.activate.is_some(), "activate"),
        (o.switch.is_some(), "switch"),
        (o.relocate.is_some(), "relocate"),
        (o.divert.is_some(), "divert"),
    ];
    if let Some((_, what)) = once_only.iter().find(|x| x.0) {
        ck.err(
            SCENARIO,
            &p.key("times"),
            format!(
                "a `{what}` order cannot repeat: only `salvo`, `strike`, `resupply` and `rearm` orders take `every` and `times`"
            ),
        );
    }
    if times == 0 || times > MAX_REPEATS {
        ck.err(
            SCENARIO,
            &p.key("times"),
            format!("expected 1 to {MAX_REPEATS} times, found {times}"),
        );
    }
    let step = time.ticks_of(every);
    if step == 0 {
        ck.err(
            SCENARIO,
            &p.key("every"),
            format!(
                "expected at least one tick ({} s) between two times, found {every}",
                time.tick_s
            ),
        );
    }
    // Every repeat falls within the scenario: for a fixed time, before the end; after a
    // trigger, the repeats' span shorter than the scenario; after an outcome, from the
    // tick it falls at.
    let span = step as u64 * times.saturating_sub(1) as u64;
    let start = match *first {
        When::At(t) => t as u64,
        When::After {
            on: Gate::Outcome { .. },
            delay,
        } => delay as u64,
        When::After { .. } => 0,
    };
    if ck.diagnostics.len() == before && start + span >= time.ticks as u64 {
        let last = (start + span) * time.tick_s as u64;
        ck.err(
            SCENARIO,
            &p.key("times"),
            format!(
                "the last of {times} times falls {} after the {}, past the end of the scenario ({})",
                Clock(last.min(u32::MAX as u64) as u32),
                if o.at.is_some() { "start" } else { "trigger" },
                time.end
            ),
        );
    }
    if ck.diagnostics.len() > before {
        return Repeat::ONCE;
    }
    Repeat { times, every: step }
}

/// A repeat's id (`<id>#<n>`) may not be the id of an order written in the file.
pub(super) fn unique_ids(
    ck: &mut Checker,
    orders: &[Order],
    paths: &[KeyPath],
    written: &HashMap<&str, usize>,
) {
    for (o, p) in orders.iter().zip(paths) {
        if o.id.contains('#') && written.contains_key(o.id.as_str()) && !written_here(o, p, written)
        {
            ck.err(
                SCENARIO,
                &p.key("id"),
                format!(
                    "a time of this repeated order is named {:?}, the id of another order (repeats are named <id>#1, <id>#2, ...)",
                    o.id
                ),
            );
        }
    }
}

/// Whether the order is the written entry of that id itself (not a repeat).
fn written_here(o: &Order, p: &KeyPath, written: &HashMap<&str, usize>) -> bool {
    let file = KeyPath::default()
        .key("orders")
        .index(written[o.id.as_str()]);
    file.to_string() == p.to_string()
}
