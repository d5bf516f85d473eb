//! `[[decisions]]`: decisions under uncertainty. Each has outcomes whose probabilities sum
//! to 1 (one outcome may take the rest), a time, and optionally a condition on another
//! decision's outcome; a probability may be a distribution, drawn per replicate like any
//! other uncertain figure (`decisions.<id>.<outcome>`).

use std::collections::HashMap;

use super::super::limits::{MAX_DECISIONS, MAX_OUTCOMES};
use super::super::model::{Decision, Outcome};
use super::super::source::KeyPath;
use super::super::types::{self, Value};
use super::super::uncertain::{Owner, Parameter, parameter_id};
use super::canonical::by_id;
use super::values::{Kind, check_number, distribution, provenance};
use super::{Checker, SCENARIO, Time};

/// How far from 1 written probabilities may sum (their decimals as written).
const SUM_TOLERANCE: f64 = 1e-9;

/// The decisions, and their ids (a duplicated id names the later decision).
pub(super) struct Decisions<'f> {
    pub list: Vec<Decision>,
    pub ids: HashMap<&'f str, usize>,
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
    specs: &'f [types::DecisionSpec],
    time: Time,
) -> Decisions<'f> {
    let root = KeyPath::default().key("decisions");
    let mut out = Decisions {
        list: Vec::new(),
        ids: HashMap::new(),
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
        out.list.push(decision(ck, &p, d, time));
        paths.push(p);
    }
    // Conditions, once every decision's outcomes are known.
    for (k, &(_, d)) in sorted.iter().enumerate() {
        if let Some(g) = &d.given {
            let gp = paths[k].key("given");
            out.list[k].given = out.outcome_of(ck, &gp, &g.decision, &g.outcome);
        }
    }
    // A chain of conditions longer than the decisions goes round in a circle (the first
    // decision found on it is named, and its condition dropped).
    let n = out.list.len();
    for (k, path) in paths.iter().enumerate() {
        let mut at = k;
        for _ in 0..=n {
            match out.list[at].given {
                Some((parent, _)) => at = parent,
                None => break,
            }
        }
        if out.list[at].given.is_some() {
            ck.err(
                SCENARIO,
                &path.key("given").key("decision"),
                format!(
                    "decision {:?} depends on itself through its `given` conditions",
                    out.list[k].id
                ),
            );
            out.list[k].given = None;
        }
    }
    out
}

fn decision(ck: &mut Checker, p: &KeyPath, d: &types::DecisionSpec, time: Time) -> Decision {
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
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(d.outcomes.len().min(MAX_OUTCOMES));
    let (mut written, mut highest, mut drawn) = (0.0, 0.0, false);
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
        let (p_point, top) = match &o.p {
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
                (0.0, 0.0)
            }
            Some(Value::Point(x)) => match check_number(*x, Kind::Probability) {
                Some(m) => {
                    ck.err(SCENARIO, &q.key("p"), m);
                    (0.0, 0.0)
                }
                None => (*x, *x),
            },
            Some(Value::Distribution(spec)) => {
                drawn = true;
                let path = format!("decisions.{}.{}", d.id, o.id);
                match distribution(ck, SCENARIO, &q.key("p"), spec, Kind::Probability, None) {
                    Some(dist) => {
                        let key = spec.key.clone().unwrap_or_else(|| path.clone());
                        let (point, high) = (dist.point(), dist.support().1);
                        ck.parameters.push(Parameter {
                            path,
                            id: parameter_id(&key),
                            key,
                            dist,
                            integer: false,
                            owner: Owner::Decision(0),
                            field: o.id.clone(),
                        });
                        (point, high)
                    }
                    None => (0.0, 0.0),
                }
            }
        };
        written += p_point;
        highest += top;
        outcomes.push(Outcome {
            id: o.id.clone(),
            p: p_point,
            parameter: None,
            rest: o.p.is_none(),
        });
    }
    match rest {
        Some(r) => {
            // The rest may never be negative, whatever the others draw.
            if highest > 1.0 + SUM_TOLERANCE {
                ck.err(
                    SCENARIO,
                    &op,
                    format!(
                        "the outcomes other than {:?} may sum to {highest} (their highest values), above 1: the rest would be negative",
                        outcomes[r].id
                    ),
                );
            }
            outcomes[r].p = (1.0 - written).max(0.0);
        }
        None if drawn => ck.err(
            SCENARIO,
            &op,
            "a probability written as a distribution needs an outcome without `p` to take the rest, so that every replicate's probabilities sum to 1",
        ),
        None if (written - 1.0).abs() > SUM_TOLERANCE => ck.err(
            SCENARIO,
            &op,
            format!("the outcomes' probabilities sum to {written}, not 1"),
        ),
        None => {}
    }
    Decision {
        id: d.id.clone(),
        at: time.ticks_of(at),
        given: None,
        outcomes,
        note: d.note.clone(),
    }
}

/// Point each drawn outcome probability at its parameter (once the parameters are in
/// their canonical order), and each parameter at its decision.
pub(super) fn link(decisions: &mut [Decision], parameters: &mut [Parameter]) {
    for (k, d) in decisions.iter_mut().enumerate() {
        for o in &mut d.outcomes {
            let path = format!("decisions.{}.{}", d.id, o.id);
            if let Some(i) = parameters.iter().position(|p| p.path == path) {
                o.parameter = Some(i);
                parameters[i].owner = Owner::Decision(k);
            }
        }
    }
}
