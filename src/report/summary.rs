//! `summary.json`: the distribution of each figure across replicates, grouped for a
//! reader (per class, asset, interceptor, side, magazine and trigger), with the facts of
//! the run.

use serde::Serialize;

use super::figures::{Counters, Figure, Figures, Outcome, UnitCosts};
use super::stat::{self, Stat, StatAcc};
use crate::engine::backend::BackendInfo;
use crate::engine::layout::*;
use crate::engine::plan::Plan;
use crate::scenario::uncertain::Owner;
use crate::scenario::{Scenario, ThreatClass};
use crate::world::{RunOutput, RunStats};

#[derive(Serialize)]
pub struct Summary {
    pub scenario: ScenarioFacts,
    pub run: RunFacts,
    pub threats: Vec<ClassFigures>,
    pub totals: Totals,
    pub assets: Vec<AssetFigures>,
    pub interceptors: Vec<InterceptorFigures>,
    pub sides: Vec<SideFigures>,
    pub magazines: Vec<MagazineFigures>,
    pub triggers: Vec<TriggerFigures>,
    /// Each decision's share of replicates per outcome (absent without decisions).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<super::paths::DecisionFigures>,
}

#[derive(Serialize)]
pub struct ScenarioFacts {
    pub name: String,
    pub file: String,
    pub tick_seconds: u32,
    pub ticks: u32,
    pub threats_planned: u32,
    pub defensive_units: u32,
    pub launchers: u32,
}

#[derive(Serialize)]
pub struct RunFacts {
    pub replicates: u32,
    pub seed: u32,
    pub backend: String,
    pub adapter: String,
    /// Ticks at which anything ran (the others are skipped), summed over the batches.
    pub visited_ticks: u64,
    /// Kernel invocations over threat rows: the rows due in each replicate's calendar,
    /// summed over the ticks.
    pub threat_steps: u64,
    /// Ticks threats spent in flight, summed: the work of a naive per-tick stepper.
    pub threat_ticks_in_flight: u64,
    /// The only figures that change from run to run of the same seed.
    pub timing: Timing,
    /// What the intervals show when the run drew uncertain figures per replicate
    /// (`--parameters draw`): parameter and chance uncertainty. Absent otherwise (chance
    /// alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<String>,
}

#[derive(Serialize)]
pub struct Timing {
    pub threads: usize,
    pub wall_seconds: f64,
    pub replicates_per_second: f64,
    pub threat_ticks_per_second: f64,
}

#[derive(Serialize)]
pub struct ClassFigures {
    pub class: String,
    pub planned: u32,
    pub launched: Stat,
    pub failed: Stat,
    pub undetected: Stat,
    pub intercepted: Stat,
    pub leaked: Stat,
    /// Still flying when the scenario ends.
    pub airborne_at_end: Stat,
    pub not_launched: Stat,
    /// Leakers every battery able to engage let fall, and those of them that hit.
    pub ignored: Stat,
    pub ignored_inside: Stat,
}

#[derive(Serialize)]
pub struct Totals {
    pub launched: Stat,
    pub intercepted: Stat,
    pub leaked: Stat,
    pub hits: Stat,
}

#[derive(Serialize)]
pub struct AssetFigures {
    pub id: String,
    pub name: String,
    pub side: String,
    pub hits: Stat,
    pub damage: Stat,
    pub out_of_action: f64,
}

#[derive(Serialize)]
pub struct InterceptorFigures {
    pub id: String,
    pub name: String,
    pub fired: Stat,
    /// Rounds that failed (launch, guidance, fuze), apart from misses.
    pub malfunctioned: Stat,
    pub cost_usd: Stat,
}

#[derive(Serialize)]
pub struct SideFigures {
    pub id: String,
    pub offence_usd: Stat,
    pub defence_usd: Stat,
    pub losses_usd: Stat,
}

#[derive(Serialize)]
pub struct MagazineFigures {
    pub battery: String,
    pub interceptor: String,
    pub fired: Stat,
    /// Share of replicates in which the magazine ran dry (ready and reserve).
    pub exhausted: f64,
    /// Mean time it ran dry, over those replicates, in seconds from the start.
    pub exhausted_at_s: Option<f64>,
}

#[derive(Serialize)]
pub struct TriggerFigures {
    pub id: String,
    pub fired: f64,
    pub fired_at_s: Option<f64>,
}

/// `summary.json` of a run held in memory.
pub fn summary(sc: &Scenario, plan: &Plan, out: &RunOutput, fig: &Figures) -> Summary {
    let mut b = SummaryBuilder::new(sc, plan);
    b.add(out, fig);
    let rows = &fig.rows;
    let mut reread = |visit: &mut dyn FnMut(usize, f64), columns: &[usize]| {
        for row in rows {
            for (j, &c) in columns.iter().enumerate() {
                visit(j, row[c]);
            }
        }
        Ok(())
    };
    b.finish(run_facts(out), &mut reread)
        .unwrap_or_else(|_| unreachable!("rows in memory are read without error"))
}

/// Reads the figure columns `columns` of every replicate once more (in any order),
/// calling `visit(j, v)` for the value `v` of column `columns[j]`.
pub type ReadColumns<'a> =
    dyn FnMut(&mut dyn FnMut(usize, f64), &[usize]) -> Result<(), String> + 'a;

/// `summary.json` built one batch at a time, in replicate order, in memory that does not
/// grow with the replicates (see [`StatAcc`]): a figure of many distinct values (money)
/// has its percentiles found at the end from its column read once more.
pub struct SummaryBuilder<'a> {
    sc: &'a Scenario,
    plan: &'a Plan,
    figures: Vec<Figure>,
    /// One per figure, in column order.
    columns: Vec<StatAcc>,
    /// Per interceptor: the cost of the rounds fired (integer counts times a unit cost).
    cost: Vec<StatAcc>,
    /// Per magazine slot: rounds fired; replicates in which it ran dry, and the sum of
    /// the times it did, in replicate order.
    slot_fired: Vec<StatAcc>,
    slot_dry: Vec<(u64, f64)>,
    /// Per trigger: replicates in which it fired, and the sum of the times.
    triggers: Vec<(u64, f64)>,
    paths: super::paths::PathCounts,
    replicates: u64,
}

/// Sums in replicate order start from what `Iterator::sum` starts from.
fn zero() -> f64 {
    std::iter::empty::<f64>().sum()
}

impl<'a> SummaryBuilder<'a> {
    pub fn new(sc: &'a Scenario, plan: &'a Plan) -> SummaryBuilder<'a> {
        SummaryBuilder::with_distinct(sc, plan, super::stat::DISTINCT)
    }

    /// A builder whose figures spill past `distinct` distinct values (tests use a few, to
    /// take the path that money takes in long runs).
    pub fn with_distinct(sc: &'a Scenario, plan: &'a Plan, distinct: usize) -> SummaryBuilder<'a> {
        let figures = super::table(sc);
        // Counts kept whole whatever their spread: their values are bounded by the
        // scenario's sizes, and no column of replicates.csv holds them.
        let counts = || StatAcc::with_distinct(usize::MAX);
        SummaryBuilder {
            sc,
            plan,
            paths: super::paths::PathCounts::new(sc, &figures, distinct),
            columns: figures
                .iter()
                .map(|_| StatAcc::with_distinct(distinct))
                .collect(),
            figures,
            // Whole counts times a unit cost: few values, unless the cost is drawn.
            cost: sc
                .interceptors
                .iter()
                .map(|_| StatAcc::with_distinct(distinct))
                .collect(),
            slot_fired: plan.slots.iter().map(|_| counts()).collect(),
            slot_dry: vec![(0, zero()); plan.slots.len()],
            triggers: vec![(0, zero()); sc.triggers.len()],
            replicates: 0,
        }
    }

    /// The next batch of replicates, with its figures.
    pub fn add(&mut self, out: &RunOutput, fig: &Figures) {
        let mut state = Vec::with_capacity(self.state_width());
        for (rep, row) in fig.rows.iter().enumerate() {
            state.clear();
            self.state_of(out, rep, &mut state);
            self.add_replicate(row, &state, fig.first + rep as u32);
        }
    }

    /// Figures of a row (the columns of `replicates.csv` before any `param_` column).
    pub fn figure_count(&self) -> usize {
        self.figures.len()
    }

    /// Words per replicate of what the summary needs beyond its row of figures: per
    /// magazine slot the rounds fired and the tick it ran dry (`NEVER` if it did not), per
    /// trigger the tick it fired. A shard or a checkpoint keeps them (`shard-state.bin`)
    /// so that its summary can be built again, exactly, from its rows.
    pub fn state_width(&self) -> usize {
        2 * self.plan.slots.len() + self.sc.triggers.len()
    }

    /// Replicate `rep` of `out`'s words of [`Self::state_width`], appended to `state`.
    pub fn state_of(&self, out: &RunOutput, rep: usize, state: &mut Vec<u32>) {
        let ns = self.plan.slots.len();
        let fs = &out.final_state;
        let counters = Counters::of(self.plan, fs, rep);
        state.extend((0..ns).map(|s| counters.slot(s, C_FIRED)));
        state.extend((0..ns).map(|s| fs.magazines[rep * ns + s].empty_at));
        let nt = self.sc.triggers.len();
        state.extend_from_slice(&out.fired[rep * nt..(rep + 1) * nt]);
    }

    /// The next replicate, `replicate` of the run: its row of figures and its words of
    /// [`Self::state_width`]. Every accumulator sees its values in replicate order, so a
    /// summary built replicate by replicate from rows read back is the one built from the
    /// batches.
    pub fn add_replicate(&mut self, row: &[f64], state: &[u32], replicate: u32) {
        let tick_s = self.sc.tick_seconds as f64;
        for (acc, &v) in self.columns.iter_mut().zip(row) {
            acc.push(v);
        }
        self.paths.push(row);
        // Unit costs may be drawn per replicate (`UnitCosts`).
        let costs = UnitCosts::of(self.sc, self.plan, replicate);
        for i in 0..self.sc.interceptors.len() {
            if let Some(c) = self.figures.iter().position(|&f| f == Figure::Fired(i)) {
                self.cost[i].push(row[c] * costs.interceptor[i]);
            }
        }
        let ns = self.plan.slots.len();
        let (fired, rest) = state.split_at(ns);
        let (empty_at, triggers) = rest.split_at(ns);
        for s in 0..ns {
            self.slot_fired[s].push(fired[s] as f64);
            if empty_at[s] != NEVER {
                self.slot_dry[s].0 += 1;
                self.slot_dry[s].1 += empty_at[s] as f64 * tick_s;
            }
        }
        for (acc, &at) in self.triggers.iter_mut().zip(triggers) {
            if at != NEVER {
                acc.0 += 1;
                acc.1 += at as f64 * tick_s;
            }
        }
        self.replicates += 1;
    }

    /// The summary, with the facts of the run; `reread` gives the spilled columns again.
    /// Each interceptor's cost per replicate: rounds fired times the unit cost, which may be
    /// drawn per replicate and then takes as many values as there are replicates; such an
    /// accumulator spills, and its percentiles are found again from `replicates.csv`: the
    /// `fired_<id>` column times the `param_interceptors.<id>.cost_usd` column.
    fn cost_stats(&self, reread: &mut ReadColumns) -> Result<Vec<Stat>, String> {
        let accs: Vec<&StatAcc> = self.cost.iter().collect();
        let (mut columns, mut pairs, mut point) = (Vec::new(), Vec::new(), Vec::new());
        for i in (0..self.cost.len()).filter(|&i| self.cost[i].spilled()) {
            let fired = self
                .figures
                .iter()
                .position(|&f| f == Figure::Fired(i))
                .ok_or("a spilled interceptor cost without its fired column")?;
            let param = self.plan.draws.as_ref().and_then(|d| {
                d.parameters
                    .iter()
                    .position(|p| p.owner == Owner::Interceptor(i) && p.field == "cost_usd")
            });
            pairs.push((columns.len(), param.map(|_| columns.len() + 1)));
            point.push(self.sc.interceptors[i].cost_usd);
            columns.push(fired);
            if let Some(p) = param {
                columns.push(self.figures.len() + p);
            }
        }
        let last = columns.len().saturating_sub(1);
        let mut row = vec![0.0; columns.len()];
        stat::finish(&accs, &mut |visit| {
            reread(
                &mut |j, v| {
                    row[j] = v;
                    if j == last {
                        for (k, &(f, c)) in pairs.iter().enumerate() {
                            visit(k, row[f] * c.map_or(point[k], |c| row[c]));
                        }
                    }
                },
                &columns,
            )
        })
    }

    pub fn finish(self, run: RunFacts, reread: &mut ReadColumns) -> Result<Summary, String> {
        let spilled: Vec<usize> = (0..self.columns.len())
            .filter(|&c| self.columns[c].spilled())
            .collect();
        let accs: Vec<&StatAcc> = self.columns.iter().collect();
        let stats = stat::finish(&accs, &mut |visit| reread(visit, &spilled))?;
        let cost_stats = self.cost_stats(reread)?;
        let decisions = self.paths.finish(self.sc, self.replicates, reread)?;
        let fired_stats =
            stat::finish(&self.slot_fired.iter().collect::<Vec<_>>(), &mut |_| Ok(()))?;
        let col = Columns {
            figures: &self.figures,
            stats: &stats,
        };
        let (sc, plan) = (self.sc, self.plan);
        let r = self.replicates.max(1) as f64;
        Ok(Summary {
            scenario: ScenarioFacts {
                name: sc.name.clone(),
                file: sc.file.clone(),
                tick_seconds: sc.tick_seconds,
                ticks: sc.ticks,
                threats_planned: plan.tracks.len() as u32,
                defensive_units: sc.batteries.len() as u32,
                launchers: plan.launchers,
            },
            run,
            threats: class_figures(sc, plan, &col),
            totals: Totals {
                launched: col.of(Figure::Total(Outcome::Launched)),
                intercepted: col.of(Figure::Total(Outcome::Intercepted)),
                leaked: col.of(Figure::Total(Outcome::Leaked)),
                hits: col.of(Figure::HitsTotal),
            },
            assets: asset_figures(sc, &col),
            interceptors: sc
                .interceptors
                .iter()
                .enumerate()
                .map(|(i, ic)| InterceptorFigures {
                    id: ic.id.clone(),
                    name: ic.name.clone(),
                    fired: col.of(Figure::Fired(i)),
                    malfunctioned: col.of(Figure::Malfunctioned(i)),
                    cost_usd: cost_stats[i],
                })
                .collect(),
            sides: side_figures(sc, &col),
            magazines: plan
                .slot_info
                .iter()
                .enumerate()
                .map(|(s, info)| {
                    let b = &sc.batteries[info.battery];
                    let ic = &sc.interceptors[b.magazines[info.magazine].interceptor];
                    let (dry, sum) = self.slot_dry[s];
                    MagazineFigures {
                        battery: b.id.clone(),
                        interceptor: ic.id.clone(),
                        fired: fired_stats[s],
                        exhausted: dry as f64 / r,
                        exhausted_at_s: (dry > 0).then(|| sum / dry as f64),
                    }
                })
                .collect(),
            triggers: sc
                .triggers
                .iter()
                .zip(&self.triggers)
                .map(|(t, &(n, sum))| TriggerFigures {
                    id: t.id.clone(),
                    fired: n as f64 / r,
                    fired_at_s: (n > 0).then(|| sum / n as f64),
                })
                .collect(),
            decisions,
        })
    }
}

/// The stats of the figure columns, looked up by figure.
struct Columns<'a> {
    figures: &'a [Figure],
    stats: &'a [Stat],
}

impl Columns<'_> {
    fn of(&self, f: Figure) -> Stat {
        match self.figures.iter().position(|&x| x == f) {
            Some(i) => self.stats[i],
            None => Stat::of(&[]),
        }
    }
}

pub fn run_facts(out: &RunOutput) -> RunFacts {
    RunFacts::of(out.replicates, out.seed, &out.backend, &out.stats)
}

impl RunFacts {
    /// The facts of a run of `replicates` from `seed` on `backend`, with its statistics.
    pub fn of(replicates: u32, seed: u32, backend: &BackendInfo, stats: &RunStats) -> RunFacts {
        let wall = stats.wall_seconds.max(1e-9);
        RunFacts {
            replicates,
            seed,
            backend: backend.kind.clone(),
            adapter: backend.adapter.clone(),
            visited_ticks: stats.visited_ticks,
            threat_steps: stats.threat_steps,
            threat_ticks_in_flight: stats.threat_ticks_in_flight,
            timing: Timing {
                threads: stats.threads,
                wall_seconds: stats.wall_seconds,
                replicates_per_second: replicates as f64 / wall,
                threat_ticks_per_second: stats.threat_ticks_in_flight as f64 / wall,
            },
            uncertainty: None,
        }
    }
}

fn class_figures(sc: &Scenario, plan: &Plan, col: &Columns) -> Vec<ClassFigures> {
    let planned = plan.tracks_by_class(sc);
    ThreatClass::ALL
        .iter()
        .map(|&c| {
            let stat = |o: Outcome| col.of(Figure::Class(c, o));
            ClassFigures {
                class: c.name().into(),
                planned: planned[c.index()] as u32,
                launched: stat(Outcome::Launched),
                failed: stat(Outcome::Failed),
                undetected: stat(Outcome::Undetected),
                intercepted: stat(Outcome::Intercepted),
                leaked: stat(Outcome::Leaked),
                airborne_at_end: stat(Outcome::AirborneAtEnd),
                not_launched: stat(Outcome::NotLaunched),
                ignored: stat(Outcome::Ignored),
                ignored_inside: stat(Outcome::IgnoredInside),
            }
        })
        .collect()
}

fn asset_figures(sc: &Scenario, col: &Columns) -> Vec<AssetFigures> {
    sc.assets
        .iter()
        .enumerate()
        .map(|(i, a)| AssetFigures {
            id: a.id.clone(),
            name: a.name.clone(),
            side: sc.sides[a.side].id.clone(),
            hits: col.of(Figure::Hits(i)),
            damage: col.of(Figure::Damage(i)),
            out_of_action: col.of(Figure::OutOfAction(i)).mean,
        })
        .collect()
}

fn side_figures(sc: &Scenario, col: &Columns) -> Vec<SideFigures> {
    sc.sides
        .iter()
        .enumerate()
        .map(|(s, side)| SideFigures {
            id: side.id.clone(),
            offence_usd: col.of(Figure::OffenceUsd(s)),
            defence_usd: col.of(Figure::DefenceUsd(s)),
            losses_usd: col.of(Figure::LossesUsd(s)),
        })
        .collect()
}
