//! What-ifs: many replicates carrying on from one moment of the live exercise, on a
//! thread of their own. A plain what-if forks the live state; a branch runs the exercise
//! with and without one inject from the moment that inject was given (or now, for an
//! inject still ahead), so that the two histograms share their past. Each replicate's path
//! through the scenario's decisions comes with its figures, so the histogram can be split
//! by the outcome of one decision (`charts::split_by_path`).

use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use super::checks;
use super::live::{Session, clock, describe_inject};
use crate::engine::budget::{Sizes, human_bytes};
use crate::engine::plan::Plan;
use crate::exercise::{Exercise, live as live_sim};
use crate::report::{self, Stat};
use crate::world::{RunOutput, Simulation};

/// Per-replicate state a what-if may allocate.
pub const MEMORY_LIMIT: u64 = 4 << 30;

/// One run of a what-if: per-replicate figures from the tick it forked at.
#[derive(Clone, Debug)]
pub struct WhatIf {
    /// "with inject-2", "without inject-2", or "" for a plain what-if.
    pub label: String,
    pub from_tick: u32,
    pub replicates: u32,
    pub wall_seconds: f64,
    /// The injects in force, in words with their times.
    pub injects: Vec<String>,
    /// Leakers over the whole scenario, per replicate.
    pub leakers: Vec<f64>,
    /// Per asset: (id, name, hits per replicate).
    pub hits: Vec<(String, String, Vec<f64>)>,
    /// What its intervals include (`uncertainty`).
    pub uncertainty: String,
    /// Each replicate's path: replicate-major, one outcome index per decision of
    /// `decisions` (`engine::decisions::NOT_TAKEN` where it was not taken), the fork's
    /// `RunOutput::paths`.
    pub paths: Vec<u32>,
    /// The scenario's decisions: each id with its outcomes' ids.
    pub decisions: Vec<(String, Vec<String>)>,
}

impl WhatIf {
    /// The what-if of a fork's output `out`, whose first replicate is `first` of the
    /// exercise `s`.
    pub fn of(s: &Session, out: &RunOutput, first: u32, from_tick: u32) -> WhatIf {
        let sc = &s.scenario;
        let fig = report::figures_of_batch(sc, &s.plan, out, first);
        WhatIf {
            label: String::new(),
            from_tick,
            replicates: out.replicates,
            wall_seconds: 0.0,
            injects: Vec::new(),
            leakers: fig.column("leaked_total").unwrap_or_default(),
            hits: sc
                .assets
                .iter()
                .map(|a| {
                    let hits = fig.column(&format!("hits_{}", a.id)).unwrap_or_default();
                    (a.id.clone(), a.name.clone(), hits)
                })
                .collect(),
            uncertainty: uncertainty(s),
            paths: out.paths.clone(),
            decisions: sc
                .decisions
                .iter()
                .map(|d| {
                    (
                        d.id.clone(),
                        d.outcomes.iter().map(|o| o.id.clone()).collect(),
                    )
                })
                .collect(),
        }
    }

    pub fn leakers_stat(&self) -> Stat {
        Stat::of(&self.leakers)
    }
}

/// A what-if's outcome: one run, or two for a branch (with the inject first).
#[derive(Clone, Debug)]
pub struct Outcome {
    pub runs: Vec<WhatIf>,
}

/// What the what-if thread tells the worker.
pub enum Message {
    Progress(u32, u32),
    Done(Result<Outcome, String>),
}

/// What a what-if starts from: the live simulation forked now, or exercises replayed to
/// a tick and forked there.
pub enum From {
    Live(Box<Simulation>),
    Replay {
        tick: u32,
        runs: Vec<(String, Exercise)>,
    },
}

/// The injects of an exercise in words: "inject-1 at T+00:10:00: sam switched off".
pub fn injects_in_force(exercise: &Exercise, tick_seconds: u32) -> Vec<String> {
    exercise
        .injects
        .iter()
        .enumerate()
        .map(|(i, g)| {
            format!(
                "inject-{} at T+{}: {}",
                i + 1,
                clock(g.tick, tick_seconds),
                describe_inject(&g.inject).1
            )
        })
        .collect()
}

/// Refuse a what-if that would not fit in memory.
pub fn memory_check(session: &Session, replicates: u32, runs: u32) -> Result<(), String> {
    let (sc, plan) = (&session.scenario, &session.plan);
    let all = replicates.saturating_mul(runs);
    let budget = crate::report::budget(sc, all, 0, MEMORY_LIMIT);
    // A what-if's replicates each carry a row of drawn thresholds beside their state.
    let rows = plan
        .draws
        .as_ref()
        .map_or(0, |d| d.thresholds.words() as u64 * 4)
        * all as u64;
    let refuse = |need: String| {
        format!(
            "{all} replicates would need {need}, more than the {} a what-if may use; ask for fewer",
            human_bytes(MEMORY_LIMIT)
        )
    };
    let estimate = budget.check(sc, &Sizes::of_plan(plan, sc)).map_err(|e| {
        refuse(match e.estimate {
            Some(x) => human_bytes(x.total),
            None => "more than 16 EiB".into(),
        })
    })?;
    if estimate.total.saturating_add(rows) > MEMORY_LIMIT {
        return Err(refuse(human_bytes(estimate.total.saturating_add(rows))));
    }
    Ok(())
}

/// What a what-if's intervals include, in words.
pub fn uncertainty(session: &Session) -> String {
    match &session.plan.draws {
        Some(d) => d.describe(),
        None => "chance alone: every figure at its point value".into(),
    }
}

/// Run a what-if on a thread of its own; progress and the outcome go to `tx`, and
/// `repaint` wakes the window.
pub fn spawn(
    from: From,
    replicates: u32,
    session: Arc<Session>,
    live_injects: Vec<String>,
    tx: Sender<Message>,
    repaint: Arc<dyn Fn() + Send + Sync>,
) {
    std::thread::Builder::new()
        .name("hormuz-what-if".into())
        .spawn(move || {
            let result = run(from, replicates, session, live_injects, &tx, &*repaint);
            let _ = tx.send(Message::Done(result));
            repaint();
        })
        .expect("the what-if thread starts");
}

fn run(
    from: From,
    replicates: u32,
    session: Arc<Session>,
    live_injects: Vec<String>,
    tx: &Sender<Message>,
    repaint: &(dyn Fn() + Send + Sync),
) -> Result<Outcome, String> {
    let started = Instant::now();
    // (label, injects in force, session of the run, its simulation forked)
    let mut forks: Vec<(String, Vec<String>, Arc<Session>, Simulation)> = Vec::new();
    let from_tick;
    match from {
        From::Live(sim) => {
            from_tick = sim.clock().tick;
            forks.push((String::new(), live_injects, session, *sim));
        }
        From::Replay { tick, runs } => {
            from_tick = tick;
            for (label, ex) in runs {
                let sc = Arc::new(ex.scenario().map_err(|e| checks::plain(&e))?);
                let plan = Arc::new(crate::exercise::plan_live(&sc, ex.seed)?);
                let mut sim = live_sim(sc.clone(), plan.clone(), ex.seed)?;
                sim.advance_to(tick.min(sc.ticks))?;
                let fork = fork_of(&sim, &plan, replicates)?;
                let injects = injects_in_force(&ex, sc.tick_seconds);
                let s = Arc::new(Session::planned(sc, plan, &ex, 0));
                forks.push((label, injects, s, fork));
            }
        }
    }
    let total_runs = forks.len() as u32;
    let mut runs = Vec::new();
    let mut last = Instant::now();
    for (i, (label, injects, s, fork)) in forks.into_iter().enumerate() {
        let first = fork.first_replicate();
        let end = s.scenario.ticks;
        let span = end.saturating_sub(from_tick).max(1);
        let out = fork.run(|tick, end| {
            if last.elapsed() > Duration::from_millis(100) || tick == end {
                last = Instant::now();
                let done = tick.saturating_sub(from_tick).min(span);
                let _ = tx.send(Message::Progress(i as u32 * span + done, span * total_runs));
                repaint();
            }
        })?;
        runs.push(WhatIf {
            label,
            wall_seconds: started.elapsed().as_secs_f64(),
            injects,
            ..WhatIf::of(&s, &out, first, from_tick)
        });
    }
    Ok(Outcome { runs })
}

/// `replicates` forks of the live simulation `sim`, whose run plan is `plan`: each carries
/// on with its own parameter set when the plan draws them.
pub fn fork_of(sim: &Simulation, plan: &Arc<Plan>, replicates: u32) -> Result<Simulation, String> {
    let first = sim.first_replicate() + 1;
    let fork_plan = crate::exercise::batch_plan(plan, first, replicates)?;
    sim.fork_with(fork_plan, replicates, None)
}
