//! `[[decisions]]`: decisions under uncertainty. Each has outcomes whose probabilities sum
//! to 1 (one outcome may take the rest), a time, optionally a condition on another
//! decision's outcome (`given`), and cases: other probabilities where a trigger fired before
//! it is taken or another decision had an outcome. A probability may be a distribution,
//! drawn per replicate like any other uncertain figure (`decisions.<id>.<outcome>`, in a
//! case `decisions.<id>.cases.<k>.<outcome>`). `[[decide]]` takes a decision by hand.

use std::collections::HashMap;

use super::super::limits::{MAX_DECISIONS, MAX_OUTCOMES};
use super::super::model::{Case, Decision, Gate, Outcome};
use super::super::source::KeyPath;
use super::super::types::{self, Value};
use super::super::uncertain::{Owner, Parameter, parameter_id};
use super::canonical::by_id;
use super::triggers::Triggers;
use super::values::{Kind, check_number, distribution, provenance};
use super::{Checker, SCENARIO, Time};

/// How far from 1 written probabilities may sum (their decimals as written).
const SUM_TOLERANCE: f64 = 1e-9;

/// The decisions, and their ids (a duplicated id names the later decision).
pub(super) struct Decisions<'f> {
    pub list: Vec<Decision>,
    pub ids: HashMap<&'f str, usize>,
    /// Each probability's parameter path: (decision, case or `None`, outcome, path).
    links: Vec<(usize, Option<usize>, usize, String)>,
}

/// One outcome's probability as written: its point value, its highest value, whether it
/// is drawn, whether it takes the rest.
#[derive(Clone, Copy)]
struct Written {
    point: f64,
    high: f64,
    drawn: bool,
    rest: bool,
}

impl Decisions<'_> {
    /// The outcome `outcome` of decision `decision`, reported at `path` when unknown.
    pub fn outcome_of(
        &self,
        ck: &mut Checker,
        path: &KeyPath,
        decision: &str,
        outcome: &str,
    ) -> Option<(usize, usize)> {
        let Some(&d) = self.ids.get(decision) else {
            ck.unknown(
                SCENARIO,
                &path.key("decision"),
                "decision",
                decision,
                self.ids.keys(),
            );
            return None;
        };
        let outcomes = &self.list[d].outcomes;
        match outcomes.iter().position(|o| o.id == outcome) {
            Some(o) => Some((d, o)),
            None => {
                let ids = outcomes.iter().map(|o| o.id.as_str());
                ck.unknown(SCENARIO, &path.key("outcome"), "outcome", outcome, ids);
                None
            }
        }
    }
}

/// The decisions, checked; their conditions resolved and refused when they go round in a
/// circle.
pub(super) fn check<'f>(
    ck: &mut Checker,
    file: &'f types::ScenarioFile,
    triggers: &Triggers,
    time: Time,
) -> Decisions<'f> {
    let specs = &file.decisions;
    let root = KeyPath::default().key("decisions");
    let mut out = Decisions {
        list: Vec::new(),
        ids: HashMap::new(),
        links: Vec::new(),
    };
    if specs.len() > MAX_DECISIONS {
        ck.err(
            SCENARIO,
            &root,
            format!(
                "{} decisions; a scenario holds at most {MAX_DECISIONS}",
                specs.len()
            ),
        );
        return out;
    }
    let sorted = by_id(specs, |d| &d.id);
    let mut paths = Vec::with_capacity(specs.len());
    for &(i, d) in &sorted {
        let p = root.index(i);
        if out.ids.insert(d.id.as_str(), out.list.len()).is_some() {
            ck.err(
                SCENARIO,
                &p.key("id"),
                format!("decision id {:?} is defined twice", d.id),
            );
        }
        let k = out.list.len();
        let (dec, written) = decision(ck, &p, d, time);
        out.links.extend(
            written
                .iter()
                .enumerate()
                .filter(|(_, w)| w.drawn)
                .map(|(j, _)| {
                    (
                        k,
                        None,
                        j,
                        format!("decisions.{}.{}", d.id, dec.outcomes[j].id),
                    )
                }),
        );
        out.list.push(dec);
        for c in 0..d.cases.len().min(MAX_OUTCOMES) {
            let cp = p.key("cases").index(c);
            let base = &written;
            let resolved = case_probabilities(ck, &cp, d, &out.list[k], base, c);
            if let Some((outcomes, drawn)) = resolved {
                for j in drawn {
                    let path = format!("decisions.{}.cases.{c}.{}", d.id, outcomes[j].id);
                    out.links.push((k, Some(c), j, path));
                }
                // Outcomes the case leaves alone keep the decision's own draw.
                for (j, w) in base.iter().enumerate() {
                    if w.drawn && !d.cases[c].p.contains_key(&out.list[k].outcomes[j].id) {
                        let path = format!("decisions.{}.{}", d.id, out.list[k].outcomes[j].id);
                        out.links.push((k, Some(c), j, path));
                    }
                }
                out.list[k].cases.push(Case {
                    when: Gate::Trigger(0),
                    outcomes,
                });
            }
        }
        paths.push(p);
    }
    // Conditions, once every decision's outcomes are known.
    for (k, &(_, d)) in sorted.iter().enumerate() {
        if let Some(g) = &d.given {
            let gp = paths[k].key("given");
            out.list[k].given = out.outcome_of(ck, &gp, &g.decision, &g.outcome);
        }
        let mut kept = 0;
        for (c, case) in d.cases.iter().enumerate() {
            if kept >= out.list[k].cases.len() {
                break;
            }
            let wp = paths[k].key("cases").index(c).key("when");
            match case_gate(ck, &wp, &case.when, triggers, &out) {
                Some(g) => {
                    out.list[k].cases[kept].when = g;
                    kept += 1;
                }
                None => {
                    out.list[k].cases.remove(kept);
                }
            }
        }
    }
    order_conditions(ck, &mut out, &paths);
    decide(ck, &file.decide, &mut out);
    out
}

/// What a case waits on: a trigger, or another decision's outcome.
fn case_gate(
    ck: &mut Checker,
    wp: &KeyPath,
    w: &types::CaseWhen,
    triggers: &Triggers,
    decisions: &Decisions,
) -> Option<Gate> {
    match (&w.trigger, &w.decision, &w.outcome) {
        (Some(t), None, None) => match triggers.index_of(t) {
            Some(t) => Some(Gate::Trigger(t)),
            None => {
                ck.unknown(SCENARIO, &wp.key("trigger"), "trigger", t, triggers.names());
                None
            }
        },
        (None, Some(d), Some(o)) => decisions
            .outcome_of(ck, wp, d, o)
            .map(|(decision, outcome)| Gate::Outcome { decision, outcome }),
        _ => {
            ck.err(
                SCENARIO,
                wp,
                "expected `trigger`, or `decision` and `outcome`",
            );
            None
        }
    }
}

/// A decision is taken no earlier than those it depends on, and never depends on itself
/// (through any chain of `given` and cases): such a condition is refused and dropped.
fn order_conditions(ck: &mut Checker, out: &mut Decisions, paths: &[KeyPath]) {
    let n = out.list.len();
    for (k, path) in paths.iter().enumerate().take(n) {
        let late: Vec<usize> = out.list[k]
            .parents()
            .filter(|&p| out.list[p].at > out.list[k].at)
            .collect();
        for p in late {
            ck.err(
                SCENARIO,
                &path.key("at"),
                format!(
                    "decision {:?} depends on decision {:?}, which is taken later",
                    out.list[k].id, out.list[p].id
                ),
            );
        }
    }
    // Kahn's algorithm: what is never freed lies on a circle.
    let mut waiting: Vec<usize> = (0..n).map(|k| out.list[k].parents().count()).collect();
    let mut ready: Vec<usize> = (0..n).filter(|&k| waiting[k] == 0).collect();
    let mut done = vec![false; n];
    while let Some(k) = ready.pop() {
        done[k] = true;
        for c in 0..n {
            let edges = out.list[c].parents().filter(|&p| p == k).count();
            if edges > 0 && !done[c] {
                waiting[c] -= edges;
                if waiting[c] == 0 {
                    ready.push(c);
                }
            }
        }
    }
    for k in (0..n).filter(|&k| !done[k]) {
        let at = match out.list[k].given {
            Some(_) => paths[k].key("given").key("decision"),
            None => paths[k].key("cases"),
        };
        ck.err(
            SCENARIO,
            &at,
            format!(
                "decision {:?} depends on itself through its `given` and cases",
                out.list[k].id
            ),
        );
        out.list[k].given = None;
        out.list[k].cases.clear();
    }
}

/// `[[decide]]`: decisions taken by hand, one outcome each.
fn decide(ck: &mut Checker, specs: &[types::DecideSpec], out: &mut Decisions) {
    let root = KeyPath::default().key("decide");
    if specs.len() > MAX_DECISIONS {
        ck.err(
            SCENARIO,
            &root,
            format!("{} entries; at most {MAX_DECISIONS}", specs.len()),
        );
        return;
    }
    for (i, s) in specs.iter().enumerate() {
        let p = root.index(i);
        let Some((d, o)) = out.outcome_of(ck, &p, &s.decision, &s.outcome) else {
            continue;
        };
        if out.list[d].forced.is_some() {
            ck.err(
                SCENARIO,
                &p.key("decision"),
                format!("decision {:?} is already taken by hand", s.decision),
            );
        }
        out.list[d].forced = Some(o);
    }
}

/// A case's probabilities: the decision's outcomes with those it names replaced, checked
/// to sum to 1 like the decision's own; and the outcomes it draws.
fn case_probabilities(
    ck: &mut Checker,
    cp: &KeyPath,
    spec: &types::DecisionSpec,
    dec: &Decision,
    base: &[Written],
    c: usize,
) -> Option<(Vec<Outcome>, Vec<usize>)> {
    let mut outcomes = dec.outcomes.clone();
    let mut written = base.to_vec();
    let mut drawn = Vec::new();
    let case = &spec.cases[c];
    let pp = cp.key("p");
    for (name, v) in &case.p {
        let Some(j) = outcomes.iter().position(|o| &o.id == name) else {
            let ids = outcomes.iter().map(|o| o.id.as_str());
            ck.unknown(SCENARIO, &pp.key(name), "outcome", name, ids);
            continue;
        };
        if base[j].rest {
            ck.err(
                SCENARIO,
                &pp.key(name),
                format!("{name:?} takes the rest of the probability; a case cannot give it one"),
            );
            continue;
        }
        let path = format!("decisions.{}.cases.{c}.{name}", spec.id);
        let w = probability(ck, &pp.key(name), v, &path);
        if w.drawn {
            drawn.push(j);
        }
        outcomes[j].p = w.point;
        outcomes[j].parameter = None;
        written[j] = w;
    }
    let before = ck.diagnostics.len() + ck.omitted;
    check_sum(ck, &pp, &mut outcomes, &written);
    (ck.diagnostics.len() + ck.omitted == before).then_some((outcomes, drawn))
}

fn decision(
    ck: &mut Checker,
    p: &KeyPath,
    d: &types::DecisionSpec,
    time: Time,
) -> (Decision, Vec<Written>) {
    let at = d.at.unwrap_or_default();
    if time.after_end(at) {
        ck.err(
            SCENARIO,
            &p.key("at"),
            format!(
                "the decision is taken at {at}, after the end of the scenario ({})",
                time.end
            ),
        );
    }
    provenance(ck, SCENARIO, p, d.source.as_deref(), d.assumed);
    let op = p.key("outcomes");
    if d.outcomes.len() < 2 || d.outcomes.len() > MAX_OUTCOMES {
        ck.err(
            SCENARIO,
            &op,
            format!(
                "a decision has 2 to {MAX_OUTCOMES} outcomes, found {}",
                d.outcomes.len()
            ),
        );
    }
    if d.cases.len() > MAX_OUTCOMES {
        ck.err(
            SCENARIO,
            &p.key("cases"),
            format!(
                "a decision has at most {MAX_OUTCOMES} cases, found {}",
                d.cases.len()
            ),
        );
    }
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(d.outcomes.len().min(MAX_OUTCOMES));
    let mut written = Vec::with_capacity(outcomes.capacity());
    let mut rest: Option<usize> = None;
    for (j, o) in d.outcomes.iter().take(MAX_OUTCOMES).enumerate() {
        let q = op.index(j);
        if outcomes.iter().any(|x| x.id == o.id) {
            ck.err(
                SCENARIO,
                &q.key("id"),
                format!("outcome {:?} is named twice", o.id),
            );
        }
        let w = match &o.p {
            None => {
                if let Some(first) = rest {
                    ck.err(
                        SCENARIO,
                        &q,
                        format!(
                            "only one outcome may leave out `p` (take the rest); {:?} already does",
                            d.outcomes[first].id
                        ),
                    );
                }
                rest = Some(j);
                Written {
                    point: 0.0,
                    high: 0.0,
                    drawn: false,
                    rest: true,
                }
            }
            Some(v) => {
                let path = format!("decisions.{}.{}", d.id, o.id);
                probability(ck, &q.key("p"), v, &path)
            }
        };
        outcomes.push(Outcome {
            id: o.id.clone(),
            p: w.point,
            parameter: None,
            rest: w.rest,
        });
        written.push(w);
    }
    check_sum(ck, &op, &mut outcomes, &written);
    let decision = Decision {
        id: d.id.clone(),
        at: time.ticks_of(at),
        given: None,
        outcomes,
        cases: Vec::new(),
        forced: None,
        note: d.note.clone(),
    };
    (decision, written)
}

/// One probability as written: a number in [0, 1], or a distribution (a parameter at
/// `path`, drawn per replicate).
fn probability(ck: &mut Checker, q: &KeyPath, v: &Value, path: &str) -> Written {
    let none = Written {
        point: 0.0,
        high: 0.0,
        drawn: false,
        rest: false,
    };
    match v {
        Value::Point(x) => match check_number(*x, Kind::Probability) {
            Some(m) => {
                ck.err(SCENARIO, q, m);
                none
            }
            None => Written {
                point: *x,
                high: *x,
                ..none
            },
        },
        Value::Distribution(spec) => {
            match distribution(ck, SCENARIO, q, spec, Kind::Probability, None) {
                Some(dist) => {
                    let key = spec.key.clone().unwrap_or_else(|| path.to_string());
                    let (point, high) = (dist.point(), dist.support().1);
                    ck.parameters.push(Parameter {
                        path: path.to_string(),
                        id: parameter_id(&key),
                        key,
                        dist,
                        integer: false,
                        owner: Owner::Decision(0),
                        field: path.rsplit('.').next().unwrap_or(path).to_string(),
                    });
                    Written {
                        point,
                        high,
                        drawn: true,
                        rest: false,
                    }
                }
                None => Written {
                    drawn: true,
                    ..none
                },
            }
        }
    }
}

/// The outcomes' probabilities sum to 1: the outcome without `p` takes the rest, which
/// may never be negative whatever the others draw; without one, no probability may be
/// drawn and the written ones sum to 1.
fn check_sum(ck: &mut Checker, op: &KeyPath, outcomes: &mut [Outcome], written: &[Written]) {
    let others = written.iter().filter(|w| !w.rest);
    let sum: f64 = others.clone().map(|w| w.point).sum();
    let highest: f64 = others.clone().map(|w| w.high).sum();
    let drawn = written.iter().any(|w| w.drawn);
    match written.iter().position(|w| w.rest) {
        Some(r) => {
            if highest > 1.0 + SUM_TOLERANCE {
                ck.err(
                    SCENARIO,
                    op,
                    format!(
                        "the outcomes other than {:?} may sum to {highest} (their highest values), above 1: the rest would be negative",
                        outcomes[r].id
                    ),
                );
            }
            outcomes[r].p = (1.0 - sum).max(0.0);
        }
        None if drawn => ck.err(
            SCENARIO,
            op,
            "a probability written as a distribution needs an outcome without `p` to take the rest, so that every replicate's probabilities sum to 1",
        ),
        None if (sum - 1.0).abs() > SUM_TOLERANCE => ck.err(
            SCENARIO,
            op,
            format!("the outcomes' probabilities sum to {sum}, not 1"),
        ),
        None => {}
    }
}

/// Point each drawn outcome probability at its parameter (once the parameters are in
/// their canonical order), and each parameter at its decision.
pub(super) fn link(decisions: &Decisions, list: &mut [Decision], parameters: &mut [Parameter]) {
    for (k, case, j, path) in &decisions.links {
        let Some(i) = parameters.iter().position(|p| &p.path == path) else {
            continue;
        };
        parameters[i].owner = Owner::Decision(*k);
        let d = &mut list[*k];
        match case {
            None => d.outcomes[*j].parameter = Some(i),
            Some(c) => {
                if let Some(case) = d.cases.get_mut(*c) {
                    case.outcomes[*j].parameter = Some(i);
                }
            }
        }
    }
}
