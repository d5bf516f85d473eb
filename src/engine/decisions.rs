//! Each replicate's path through the scenario's decisions, drawn on the host at each
//! decision's tick.
//!
//! Decision `d` of replicate `r` in a run with seed `s` takes the uniform number
//! `u(s, r, id)` (`params::quantile_of`), where `id` is the FNV-1a hash of the draw key
//! `decision:<id>` ([`decision_key`]), and picks the first outcome whose cumulative
//! probability exceeds it. Its probabilities are those of the first case whose condition
//! holds in the replicate when the decision is taken (a trigger fired before its tick,
//! another decision's outcome), else its own; each is the replicate's own draw where it is
//! written as a distribution. A decision whose `given` outcome did not happen is not taken
//! ([`NOT_TAKEN`]); one taken by hand (`forced`) takes its outcome without a draw. Nothing
//! else enters: not the batch, backend, thread count or shard, so every backend schedules
//! the same orders in the same replicates. The kernels never see a decision: the host
//! starts the orders that wait on an outcome.

use crate::scenario::uncertain::parameter_id;
use crate::scenario::{Gate, Outcome, Scenario};

use super::layout::NEVER;
use super::params::{Draws, quantile_of};
use super::plan::Plan;

/// The outcome of a decision that was not taken in a replicate (its `given` did not hold),
/// or not yet.
pub const NOT_TAKEN: u32 = u32::MAX;

/// The draw key of a decision's path. `decision:` keeps it apart from the figures' paths
/// (`decisions.<id>.<outcome>` are the probabilities' own keys).
pub fn decision_key(id: &str) -> String {
    format!("decision:{id}")
}

/// The order the decisions are drawn in: by tick, and at one tick after those they depend
/// on (the checker refused circles and dependence on a later decision).
pub fn draw_order(sc: &Scenario) -> Vec<usize> {
    let n = sc.decisions.len();
    let mut depth = vec![0usize; n];
    // Longest chain of parents; n rounds suffice on a graph without circles.
    for _ in 0..n {
        let mut changed = false;
        for k in 0..n {
            let d = sc.decisions[k]
                .parents()
                .map(|p| depth[p] + 1)
                .max()
                .unwrap_or(0)
                .min(n);
            if d != depth[k] {
                depth[k] = d;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&d| (sc.decisions[d].at, depth[d], d));
    order
}

/// What a decision's draw reads of one replicate: its parameter values (when the run draws
/// them), the ticks its triggers fired, and the outcomes of its decisions so far.
pub struct Replicate<'a> {
    /// The run's draws and the replicate's global index, or `None` for point values.
    pub draws: Option<(&'a Draws, u32)>,
    pub fired: &'a [u32],
    pub path: &'a [u32],
}

/// The outcome decision `d` takes in a replicate (`replicate`: its global index).
pub fn take(sc: &Scenario, d: usize, seed: u32, replicate: u32, rep: &Replicate) -> u32 {
    let dec = &sc.decisions[d];
    if let Some((parent, outcome)) = dec.given
        && rep.path[parent] != outcome as u32
    {
        return NOT_TAKEN;
    }
    if let Some(k) = dec.forced {
        return k as u32;
    }
    let holds = |g: Gate| match g {
        Gate::Trigger(t) => rep.fired.get(t).is_some_and(|&f| f != NEVER),
        Gate::Outcome { decision, outcome } => rep.path[decision] == outcome as u32,
    };
    let outcomes = dec
        .cases
        .iter()
        .find(|c| holds(c.when))
        .map_or(&dec.outcomes, |c| &c.outcomes);
    let value = |o: &Outcome| match (o.parameter, rep.draws) {
        (Some(i), Some((draws, r))) => draws.value_of(r, i),
        _ => o.p,
    };
    let u = quantile_of(seed, replicate, parameter_id(&decision_key(&dec.id)));
    pick(outcomes, value, u)
}

/// The outcome a uniform `u` in (0, 1) picks: the first whose cumulative probability
/// exceeds `u`; the last with any probability when rounding leaves the sum just below `u`.
fn pick(outcomes: &[Outcome], p: impl Fn(&Outcome) -> f64, u: f64) -> u32 {
    let others: f64 = outcomes
        .iter()
        .filter(|o| !o.rest)
        .map(|o| p(o).clamp(0.0, 1.0))
        .sum();
    let mut cumulative = 0.0;
    let mut last = 0;
    for (k, o) in outcomes.iter().enumerate() {
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

/// The draws a run's decisions read: the run's or the batch's, when it draws its
/// parameters.
pub fn draws_of(plan: &Plan) -> Option<&Draws> {
    plan.draws.as_deref().or(plan.batch_of.as_deref())
}

/// The paths of replicates `first..first + n` of a run with `seed` and `plan` (the run's
/// or a batch's) where no trigger fires: replicate-major, one outcome per decision. A run
/// takes these paths exactly when its decisions' cases wait on no trigger.
pub fn run_paths(sc: &Scenario, plan: &Plan, seed: u32, first: u32, n: u32) -> Vec<u32> {
    let m = sc.decisions.len();
    if m == 0 {
        return Vec::new();
    }
    let order = draw_order(sc);
    let fired = vec![NEVER; sc.triggers.len()];
    let mut out = vec![NOT_TAKEN; n as usize * m];
    for r in 0..n {
        let row = r as usize * m..(r as usize + 1) * m;
        for &d in &order {
            let rep = Replicate {
                draws: draws_of(plan).map(|dr| (dr, first + r)),
                fired: &fired,
                path: &out[row.clone()],
            };
            let k = take(sc, d, seed, first + r, &rep);
            out[row.start + d] = k;
        }
    }
    out
}
