//! `summary.json`: the distribution of each figure across replicates, grouped for a
//! reader (per class, asset, interceptor, side, magazine and trigger), with the facts of
//! the run.

use serde::Serialize;

use super::Stat;
use super::figures::{Counters, Figure, Figures, Outcome};
use crate::engine::layout::*;
use crate::engine::plan::Plan;
use crate::scenario::{Scenario, ThreatClass};
use crate::world::RunOutput;

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
    /// Ticks at which anything ran (the others are skipped).
    pub visited_ticks: u64,
    /// Kernel invocations over threat rows (active tracks x replicates, summed).
    pub threat_steps: u64,
    /// Ticks threats spent in flight, summed: the work of a naive per-tick stepper.
    pub threat_ticks_in_flight: u64,
    /// The only figures that change from run to run of the same seed.
    pub timing: Timing,
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

pub fn summary(sc: &Scenario, plan: &Plan, out: &RunOutput, fig: &Figures) -> Summary {
    let tick_s = sc.tick_seconds as f64;
    Summary {
        scenario: ScenarioFacts {
            name: sc.name.clone(),
            file: sc.file.clone(),
            tick_seconds: sc.tick_seconds,
            ticks: sc.ticks,
            threats_planned: plan.tracks.len() as u32,
            defensive_units: sc.batteries.len() as u32,
            launchers: plan.launchers,
        },
        run: run_facts(out),
        threats: class_figures(sc, plan, fig),
        totals: Totals {
            launched: fig.stat_of(Figure::Total(Outcome::Launched)),
            intercepted: fig.stat_of(Figure::Total(Outcome::Intercepted)),
            leaked: fig.stat_of(Figure::Total(Outcome::Leaked)),
            hits: fig.stat_of(Figure::HitsTotal),
        },
        assets: asset_figures(sc, fig),
        interceptors: interceptor_figures(sc, fig),
        sides: side_figures(sc, fig),
        magazines: magazine_figures(sc, plan, out, tick_s),
        triggers: trigger_figures(sc, out, tick_s),
    }
}

fn run_facts(out: &RunOutput) -> RunFacts {
    let wall = out.stats.wall_seconds.max(1e-9);
    RunFacts {
        replicates: out.replicates,
        seed: out.seed,
        backend: out.backend.kind.clone(),
        adapter: out.backend.adapter.clone(),
        visited_ticks: out.stats.visited_ticks,
        threat_steps: out.stats.threat_steps,
        threat_ticks_in_flight: out.stats.threat_ticks_in_flight,
        timing: Timing {
            threads: out.stats.threads,
            wall_seconds: out.stats.wall_seconds,
            replicates_per_second: out.replicates as f64 / wall,
            threat_ticks_per_second: out.stats.threat_ticks_in_flight as f64 / wall,
        },
    }
}

fn class_figures(sc: &Scenario, plan: &Plan, fig: &Figures) -> Vec<ClassFigures> {
    let planned = plan.tracks_by_class(sc);
    ThreatClass::ALL
        .iter()
        .map(|&c| {
            let stat = |o: Outcome| fig.stat_of(Figure::Class(c, o));
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

fn asset_figures(sc: &Scenario, fig: &Figures) -> Vec<AssetFigures> {
    sc.assets
        .iter()
        .enumerate()
        .map(|(i, a)| AssetFigures {
            id: a.id.clone(),
            name: a.name.clone(),
            side: sc.sides[a.side].id.clone(),
            hits: fig.stat_of(Figure::Hits(i)),
            damage: fig.stat_of(Figure::Damage(i)),
            out_of_action: fig.stat_of(Figure::OutOfAction(i)).mean,
        })
        .collect()
}

fn interceptor_figures(sc: &Scenario, fig: &Figures) -> Vec<InterceptorFigures> {
    sc.interceptors
        .iter()
        .enumerate()
        .map(|(i, ic)| {
            let fired = fig.column_of(Figure::Fired(i));
            let cost: Vec<f64> = fired.iter().map(|n| n * ic.cost_usd).collect();
            InterceptorFigures {
                id: ic.id.clone(),
                name: ic.name.clone(),
                fired: Stat::of(&fired),
                malfunctioned: fig.stat_of(Figure::Malfunctioned(i)),
                cost_usd: Stat::of(&cost),
            }
        })
        .collect()
}

fn side_figures(sc: &Scenario, fig: &Figures) -> Vec<SideFigures> {
    sc.sides
        .iter()
        .enumerate()
        .map(|(s, side)| SideFigures {
            id: side.id.clone(),
            offence_usd: fig.stat_of(Figure::OffenceUsd(s)),
            defence_usd: fig.stat_of(Figure::DefenceUsd(s)),
            losses_usd: fig.stat_of(Figure::LossesUsd(s)),
        })
        .collect()
}

/// Per magazine slot: rounds fired, and when (and how often) it ran dry.
fn magazine_figures(
    sc: &Scenario,
    plan: &Plan,
    out: &RunOutput,
    tick_s: f64,
) -> Vec<MagazineFigures> {
    let r = out.replicates as usize;
    let fs = &out.final_state;
    let ns = plan.slots.len();
    plan.slot_info
        .iter()
        .enumerate()
        .map(|(s, info)| {
            let b = &sc.batteries[info.battery];
            let ic = &sc.interceptors[b.magazines[info.magazine].interceptor];
            let empties: Vec<f64> = (0..r)
                .map(|rep| fs.magazines[rep * ns + s].empty_at)
                .filter(|&t| t != NEVER)
                .map(|t| t as f64 * tick_s)
                .collect();
            let fired: Vec<f64> = (0..r)
                .map(|rep| Counters::of(plan, fs, rep).slot(s, C_FIRED) as f64)
                .collect();
            MagazineFigures {
                battery: b.id.clone(),
                interceptor: ic.id.clone(),
                fired: Stat::of(&fired),
                exhausted: empties.len() as f64 / r.max(1) as f64,
                exhausted_at_s: (!empties.is_empty())
                    .then(|| empties.iter().sum::<f64>() / empties.len() as f64),
            }
        })
        .collect()
}

/// Per trigger: the share of replicates in which it fired, and when on average.
fn trigger_figures(sc: &Scenario, out: &RunOutput, tick_s: f64) -> Vec<TriggerFigures> {
    let r = out.replicates as usize;
    let nt = sc.triggers.len();
    sc.triggers
        .iter()
        .enumerate()
        .map(|(ti, t)| {
            let at: Vec<f64> = (0..r)
                .map(|rep| out.fired[rep * nt + ti])
                .filter(|&x| x != NEVER)
                .map(|x| x as f64 * tick_s)
                .collect();
            TriggerFigures {
                id: t.id.clone(),
                fired: at.len() as f64 / r.max(1) as f64,
                fired_at_s: (!at.is_empty()).then(|| at.iter().sum::<f64>() / at.len() as f64),
            }
        })
        .collect()
}
