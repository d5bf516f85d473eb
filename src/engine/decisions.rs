//! Each replicate's path through the scenario's decisions, drawn on the host.
//!
//! Decision `d` of replicate `r` in a run with seed `s` takes the uniform number
//! `u(s, r, id)` (`params::quantile_of`), where `id` is the FNV-1a hash of the draw key
//! `decision:<id>` ([`decision_key`]), and picks the first outcome whose cumulative
//! probability exceeds it. Its probabilities are the replicate's own draws where they are
//! written as distributions. A decision whose `given` outcome did not happen is not taken
//! ([`NOT_TAKEN`]). Nothing else enters: not the batch, backend, thread count or shard, so
//! every backend schedules the same orders in the same replicates. The kernels never see a
//! decision: the host starts the orders that wait on an outcome.

use crate::scenario::Scenario;
use crate::scenario::uncertain::parameter_id;

use super::params::{Parameters, draw_rows, quantile_of};
use super::plan::Plan;

/// The outcome of a decision that was not taken in a replicate (its `given` did not hold).
pub const NOT_TAKEN: u32 = u32::MAX;

/// The draw key of a decision's path. `decision:` keeps it apart from the figures' paths
/// (`decisions.<id>.<outcome>` are the probabilities' own keys).
pub fn decision_key(id: &str) -> String {
    format!("decision:{id}")
}

/// The order the decisions are drawn in: a decision after the one its `given` names
/// (the checker refused circles, so each chain is shorter than the list).
pub fn draw_order(sc: &Scenario) -> Vec<usize> {
    let n = sc.decisions.len();
    let depth = |mut d: usize| {
        let mut k = 0;
        while let Some((parent, _)) = sc.decisions[d].given {
            d = parent;
            k += 1;
            if k > n {
                break;
            }
        }
        k
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&d| (depth(d), d));
    order
}

/// The outcome each decision takes in replicate `replicate`, appended to `out` (one per
/// decision, in the scenario's order; [`NOT_TAKEN`] where its `given` did not hold).
/// `values`: the replicate's parameter values, one per `Scenario::parameters`.
pub fn draw_path(
    sc: &Scenario,
    order: &[usize],
    values: &[f64],
    seed: u32,
    replicate: u32,
    out: &mut Vec<u32>,
) {
    let base = out.len();
    out.resize(base + sc.decisions.len(), NOT_TAKEN);
    for &d in order {
        let dec = &sc.decisions[d];
        if let Some((parent, outcome)) = dec.given
            && out[base + parent] != outcome as u32
        {
            continue;
        }
        let u = quantile_of(seed, replicate, parameter_id(&decision_key(&dec.id)));
        out[base + d] = pick(dec, values, u);
    }
}

/// The outcome a uniform `u` in (0, 1) picks: the first whose cumulative probability
/// exceeds `u`; the last with any probability when rounding leaves the sum just below `u`.
fn pick(dec: &crate::scenario::Decision, values: &[f64], u: f64) -> u32 {
    let p = |o: &crate::scenario::Outcome| o.parameter.map_or(o.p, |i| values[i]);
    let others: f64 = dec
        .outcomes
        .iter()
        .filter(|o| !o.rest)
        .map(|o| p(o).clamp(0.0, 1.0))
        .sum();
    let mut cumulative = 0.0;
    let mut last = 0;
    for (k, o) in dec.outcomes.iter().enumerate() {
        let pk = if o.rest {
            (1.0 - others).max(0.0)
        } else {
            p(o).clamp(0.0, 1.0)
        };
        if pk > 0.0 {
            last = k as u32;
        }
        cumulative += pk;
        if u < cumulative {
            return k as u32;
        }
    }
    last
}

/// The paths of replicates `first..first + n` (replicate-major, one outcome per decision),
/// from their parameter values (`n` rows of one value per parameter; the point values
/// when the run does not draw its parameters).
pub fn draw_paths(sc: &Scenario, values: &[f64], seed: u32, first: u32, n: u32) -> Vec<u32> {
    let np = sc.parameters.len();
    let order = draw_order(sc);
    let mut out = Vec::with_capacity(n as usize * sc.decisions.len());
    for r in 0..n {
        let row = &values[r as usize * np..(r as usize + 1) * np];
        draw_path(sc, &order, row, seed, first + r, &mut out);
    }
    out
}

/// The paths of replicates `first..first + n` of a run with `seed` and `plan` (the run's
/// or a batch's): from the replicates' drawn probabilities when the run draws its
/// parameters, else from their point values.
pub fn run_paths(sc: &Scenario, plan: &Plan, seed: u32, first: u32, n: u32) -> Vec<u32> {
    if sc.decisions.is_empty() {
        return Vec::new();
    }
    match plan.draws.as_deref().or(plan.batch_of.as_deref()) {
        Some(d) => d.paths(sc, first, n),
        None => {
            let values = draw_rows(&sc.parameters, Parameters::Point, seed, first, n);
            draw_paths(sc, &values, seed, first, n)
        }
    }
}
