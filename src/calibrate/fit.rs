//! `hormuz calibrate --fit`: the uncertain figures fitted to every reported figure of the
//! calibration events by rejection approximate Bayesian computation (ABC; Pritchard et
//! al. 1999, with the tolerance set as a quantile of the distances, Beaumont, Zhang and
//! Balding 2002).
//!
//! Set `r` of `sets` is replicate `r` of a run that draws its parameters from their priors
//! (`engine::params`): its draws are keyed by the parameter paths, so replicate `r` of
//! every event draws the same value of every figure the events share. Each event is run
//! once for all sets, one replicate per set, on either backend: the sets are the
//! replicates, the massively parallel work the engine is built for. A set's distance is
//! the root mean square, over every reported figure of every event, of how far its
//! simulated value lies outside the reported range, in units of that figure's spread
//! across the prior sets; the closest `accept` fraction is the posterior.
//!
//! Why rejection rather than sequential Monte Carlo ABC: every set is simulated once and
//! independently, so the whole fit is one run per event, in parallel, with no rounds to
//! wait on; it keeps every simulation, so the leave-one-event-out check below costs no
//! further run; and with three events most parameters are informed weakly or not at all,
//! which rejection shows honestly (their posterior is their prior), where SMC's adaptive
//! kernels would mostly spend rounds sharpening the few informed ones.
//!
//! Leave one event out: the sets accepted by the other events' distances alone are a fit
//! that never saw the event, and the event's own simulations under those sets are its
//! prediction, compared with what was reported as `hormuz calibrate` compares.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::engine::params::{Draws, Parameters, value};
use crate::engine::plan::Plan;
use crate::engine::posterior::{FORMAT, Fit, Posterior, rounded};
use crate::report::{Stat, figures_of_batch};
use crate::scenario::uncertain::Parameter;
use crate::scenario::{Reported, Scenario};
use crate::world::{Engine, Progress, RunConfig, run_batches};

use super::{Verdict, quantile};

/// The smallest posterior kept, whatever the fraction.
pub const MIN_ACCEPTED: usize = 20;
/// An undefined figure (a rate over nothing) counts this far outside its range.
const UNDEFINED: f64 = 10.0;

/// How a fit is run.
#[derive(Clone, Debug)]
pub struct FitConfig {
    pub sets: u32,
    /// Fraction of the sets accepted.
    pub accept: f64,
    pub seed: u32,
}

/// One event's simulations: its reported figures and their value in every set.
pub struct EventSims {
    pub name: String,
    pub file: String,
    pub reported: Vec<Reported>,
    /// Per reported figure, per set: `None` where it has no value.
    pub values: Vec<Vec<Option<f64>>>,
}

/// Run one event once per set (one replicate each), its parameters drawn from their
/// priors, in batches of `batch` on `engine`; `progress` as `world::run_batches`.
pub fn simulate(
    sc: &Arc<Scenario>,
    plan: &Arc<Plan>,
    config: &FitConfig,
    engine: Engine,
    batch: u32,
    progress: impl FnMut(Progress),
) -> Result<EventSims, String> {
    let mut plan = (**plan).clone();
    plan.draws = Some(Arc::new(Draws::new(sc, &plan, config.seed)));
    let plan = Arc::new(plan);
    let run = RunConfig {
        replicates: config.sets,
        seed: config.seed,
        record: 0..0,
    };
    let mut values: Vec<Vec<Option<f64>>> = vec![Vec::new(); sc.reported.len()];
    run_batches(sc, &plan, &run, engine, batch, progress, |b| {
        let fig = figures_of_batch(sc, &plan, &b.out, b.first);
        for (r, column) in sc.reported.iter().zip(values.iter_mut()) {
            column.extend(fig.values_by_row(&r.figure)?);
        }
        Ok(())
    })?;
    Ok(EventSims {
        name: sc.name.clone(),
        file: sc.file.clone(),
        reported: sc.reported.clone(),
        values,
    })
}

/// Every event's parameters, by path: one distribution and draw key per path, which must
/// be the same wherever the path is written (a path is one parameter, drawn once per set).
pub fn joint_parameters(events: &[Arc<Scenario>]) -> Result<BTreeMap<String, Parameter>, String> {
    let mut all: BTreeMap<String, (Parameter, String)> = BTreeMap::new();
    for sc in events {
        for p in &sc.parameters {
            match all.get(&p.path) {
                Some((q, file)) if q.dist != p.dist || q.key != p.key => {
                    return Err(format!(
                        "{} is {:?} (draw key {}) in {file} but {:?} (draw key {}) in {}: a figure the events share must have one distribution",
                        p.path, q.dist, q.key, p.dist, p.key, sc.file
                    ));
                }
                Some(_) => {}
                None => {
                    all.insert(p.path.clone(), (p.clone(), sc.file.clone()));
                }
            }
        }
    }
    Ok(all.into_iter().map(|(k, (p, _))| (k, p)).collect())
}

/// Per reported figure (all events in order), its spread across the sets: the median
/// absolute deviation scaled to a normal's sd, at least half the reported range's width,
/// and at least 0.5 (one count's half).
fn scales(sims: &[EventSims]) -> Vec<f64> {
    let mut out = Vec::new();
    for e in sims {
        for (rep, column) in e.reported.iter().zip(&e.values) {
            let v: Vec<f64> = column.iter().flatten().copied().collect();
            let median = quantile(&v, 0.5);
            let dev: Vec<f64> = v.iter().map(|x| (x - median).abs()).collect();
            let mad = 1.4826 * quantile(&dev, 0.5);
            let half = (rep.range[1] - rep.range[0]) / 2.0;
            out.push(mad.max(half).max(0.5));
        }
    }
    out
}

/// Each set's distance over the events `use_event` keeps.
fn distances(
    sims: &[EventSims],
    sets: usize,
    scale: &[f64],
    use_event: impl Fn(usize) -> bool,
) -> Vec<f64> {
    let mut sum = vec![0.0; sets];
    let mut n = 0usize;
    let mut f = 0;
    for (ei, e) in sims.iter().enumerate() {
        for (rep, column) in e.reported.iter().zip(&e.values) {
            if use_event(ei) {
                n += 1;
                for (s, v) in column.iter().enumerate() {
                    let d = match v {
                        Some(x) => (rep.range[0] - x).max(x - rep.range[1]).max(0.0) / scale[f],
                        None => UNDEFINED,
                    };
                    sum[s] += d * d;
                }
            }
            f += 1;
        }
    }
    sum.iter().map(|s| (s / n.max(1) as f64).sqrt()).collect()
}

/// The accepted sets (ascending) and the tolerance: the `accept` fraction (at least
/// `MIN_ACCEPTED`) of smallest distances, ties broken by set.
fn accept(distance: &[f64], fraction: f64) -> (Vec<usize>, f64) {
    let n = distance.len();
    let k = ((fraction * n as f64).ceil() as usize)
        .max(MIN_ACCEPTED)
        .min(n);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| distance[a].total_cmp(&distance[b]).then(a.cmp(&b)));
    let mut kept: Vec<usize> = order[..k].to_vec();
    let tolerance = kept.last().map_or(0.0, |&s| distance[s]);
    kept.sort_unstable();
    (kept, tolerance)
}

/// The verdict on one reported figure from the simulated values of the sets kept.
pub struct Prediction {
    pub event: String,
    pub reported: Reported,
    pub model: Stat,
    pub verdict: Verdict,
}

/// The whole fit: the posterior, and the leave-one-event-out predictions.
pub struct FitResult {
    pub posterior: Posterior,
    /// Per path, its prior (the posterior's columns in order).
    pub priors: BTreeMap<String, Parameter>,
    pub left_out: Vec<Prediction>,
}

fn predict(e: &EventSims, kept: &[usize]) -> Vec<Prediction> {
    e.reported
        .iter()
        .zip(&e.values)
        .map(|(rep, column)| {
            let v: Vec<f64> = kept.iter().filter_map(|&s| column[s]).collect();
            let model = Stat::of(&v);
            let central = [quantile(&v, 0.25), quantile(&v, 0.75)];
            Prediction {
                event: e.file.clone(),
                reported: rep.clone(),
                model,
                verdict: Verdict::of(rep.range, &model, central),
            }
        })
        .collect()
}

/// Fit the posterior from every event's simulations, run with `config`; `priors` are
/// the events' joint parameters.
pub fn fit(
    sims: &[EventSims],
    priors: BTreeMap<String, Parameter>,
    config: &FitConfig,
) -> FitResult {
    // Set `s` is replicate `s`'s draw, as the events' runs drew it.
    let values = |s: usize| -> Vec<f64> {
        priors
            .values()
            .map(|p| {
                // Rounding never takes a value out of its range.
                let (low, high) = p.dist.support();
                rounded(value(p, Parameters::Draw, config.seed, s as u32)).clamp(low, high)
            })
            .collect()
    };
    let scale = scales(sims);
    let sets = config.sets as usize;
    let (kept, tolerance) = accept(&distances(sims, sets, &scale, |_| true), config.accept);
    let mut left_out = Vec::new();
    for (ei, e) in sims.iter().enumerate() {
        let (others, _) = accept(&distances(sims, sets, &scale, |i| i != ei), config.accept);
        left_out.extend(predict(e, &others));
    }
    let posterior = Posterior {
        format: FORMAT.into(),
        fit: Fit {
            method: "rejection ABC: one replicate per prior set; distance the RMS over every reported figure of how far outside its range, in units of its spread across the sets; the closest fraction kept".into(),
            events: sims.iter().map(|e| e.file.clone()).collect(),
            sets: config.sets,
            accepted: kept.len() as u32,
            tolerance,
            seed: config.seed,
            version: env!("CARGO_PKG_VERSION").into(),
        },
        parameters: priors.keys().cloned().collect(),
        samples: kept.iter().map(|&s| values(s)).collect(),
    };
    FitResult {
        posterior,
        priors,
        left_out,
    }
}

#[cfg(test)]
#[path = "fit_tests.rs"]
mod tests;
