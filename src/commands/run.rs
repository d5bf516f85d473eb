//! `hormuz run`: Monte Carlo replicates of a scenario; the summary table on stdout,
//! `summary.json`, `replicates.csv` and `log.csv` in `--out`, and the event tables.

use std::path::{Path, PathBuf};

use clap::Args;

use super::flags::RunFlags;
use super::progress::progress_bar;
use super::{create_out, load};
use crate::engine::budget::Estimate;
use crate::engine::budget::{CPU_BATCH, GPU_BATCH, human_bytes};
use crate::engine::gpu::{GpuContext, NO_ADAPTER, probe_adapters};
use crate::engine::params::{DrawnThresholds, Draws};
use crate::engine::posterior::Posterior;
use crate::error::Failure;
use crate::report;
use crate::scenario::Scenario;
use crate::scenario::types::Clock;
use crate::scenario::uncertain::Parameter;
use crate::world::{Engine, Progress, RunConfig};

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Scenario file; without it, the built-in scenarios/gulf-2026.toml.
    pub scenario: Option<PathBuf>,
    #[command(flatten)]
    pub flags: RunFlags,
    /// Where the kernels run: `auto` takes a hardware GPU when there is one and the CPU
    /// otherwise (a software adapter such as lavapipe only when asked for with `gpu`).
    #[arg(short, long, value_enum, default_value_t = BackendChoice::Auto)]
    pub backend: BackendChoice,
    /// Folder for summary.json, replicates.csv and log.csv.
    #[arg(short, long, default_value = "hormuz-out")]
    pub out: PathBuf,
    /// Do not print the summary table.
    #[arg(short, long)]
    pub quiet: bool,
    /// Write event tables (unit positions, weapons fired, end-games, damage) to this folder.
    #[arg(long)]
    pub events: Option<PathBuf>,
    /// Replicates (the first K) whose events go into the tables.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub event_replicates: u32,
    /// The figures written as distributions (docs/scenario.md, "Uncertain figures"):
    /// `posterior` (the default) draws them per replicate from the posterior fitted to the
    /// calibration events (the built-in scenarios/posterior.json, or --posterior), and
    /// from their priors where it has none; `draw` from their priors; `point` runs every
    /// one at its central value.
    #[arg(long, value_enum)]
    pub parameters: Option<ParametersChoice>,
    /// The posterior to draw from: a file written by `hormuz calibrate --fit`.
    #[arg(long, value_name = "FILE")]
    pub posterior: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParametersChoice {
    Point,
    Draw,
    Posterior,
}

impl RunArgs {
    /// The parameters asked for, and the posterior file where they come from one (`None`:
    /// the built-in); a posterior file with `point` or `draw` is bad input.
    fn parameters(&self) -> Result<(ParametersChoice, Option<&Path>), Failure> {
        match (self.parameters, self.posterior.as_deref()) {
            (Some(c @ (ParametersChoice::Point | ParametersChoice::Draw)), Some(p)) => {
                Err(Failure::input(format!(
                    "--posterior {} is for --parameters posterior, not {:?}",
                    p.display(),
                    c
                )))
            }
            (None | Some(ParametersChoice::Posterior), file) => {
                Ok((ParametersChoice::Posterior, file))
            }
            (Some(c), None) => Ok((c, None)),
        }
    }
}

/// Whether the run can take its parameters as asked. Issue 10 is under way: the kernels
/// read drawn kill probabilities, manoeuvre factors and reliabilities
/// (`engine::params::DrawnThresholds`) but one value of every other figure, so a run that
/// would draw another refuses rather than report intervals it did not compute.
pub(super) fn check_parameters(sc: &Scenario, mode: ParametersChoice) -> Result<(), Failure> {
    let other: Vec<&Parameter> = sc
        .parameters
        .iter()
        .filter(|p| !DrawnThresholds::reads(p))
        .collect();
    match (mode, other.first()) {
        (ParametersChoice::Draw | ParametersChoice::Posterior, Some(first)) => {
            Err(Failure::input(format!(
                "--parameters {}: a run draws kill probabilities, manoeuvre factors, reliabilities, detection, CEPs and unit costs per replicate, so {} uncertain figures (the first {}) cannot be drawn; write them as one number, or run with --parameters point (their central values)",
                if mode == ParametersChoice::Draw {
                    "draw"
                } else {
                    "posterior"
                },
                other.len(),
                first.path
            )))
        }
        _ => Ok(()),
    }
}

/// The batch of a run that draws its parameters: a replicate's row of drawn thresholds is
/// state the estimate did not count, so smaller batches keep a batch's state within what
/// the budget gave it.
pub(super) fn drawn_batch(estimate: &Estimate, draws: &Draws) -> u32 {
    let row = draws.thresholds.words() as u64 * 4;
    let per = estimate.per_replicate.max(1);
    ((estimate.batch as u64 * per) / (per + row)).clamp(1, estimate.batch.max(1) as u64) as u32
}

/// Make the run draw its parameters (when the scenario has any), from `posterior` (a
/// posterior and its name) where it names them and from their priors otherwise: the draws
/// go into the plan, and the batch shrinks for the replicates' rows (`drawn_batch`).
/// Returns the batch size; `note` ends the line that says so on stderr.
pub(super) fn draw_parameters(
    sc: &Scenario,
    plan: &mut std::sync::Arc<crate::engine::plan::Plan>,
    estimate: &Estimate,
    seed: u32,
    posterior: Option<(std::sync::Arc<Posterior>, String)>,
    note: &str,
) -> Result<u32, Failure> {
    if sc.parameters.is_empty() {
        return Ok(estimate.batch);
    }
    let draws = match posterior {
        Some((p, name)) => {
            Draws::from_posterior(sc, plan, seed, p, &name).map_err(Failure::input)?
        }
        None => Draws::new(sc, plan, seed),
    };
    let batch = drawn_batch(estimate, &draws);
    eprintln!(
        "parameters: {} ({} drawn thresholds, {} bytes a replicate{note})",
        draws.describe(),
        draws.thresholds.words(),
        draws.thresholds.words() * 4
    );
    // The plan was just made: no other holder yet.
    std::sync::Arc::get_mut(plan)
        .ok_or_else(|| Failure::runtime("the run's plan is already shared"))?
        .draws = Some(std::sync::Arc::new(draws));
    Ok(batch)
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendChoice {
    Auto,
    Cpu,
    Gpu,
}

/// How a run that draws its parameters ends the line that says so.
const NOTE: &str =
    "; param_<path> columns in replicates.csv; --parameters point for central values";

pub fn main(a: &RunArgs) -> Result<(), Failure> {
    let f = &a.flags;
    let recorded = f.replicates.min(if a.events.is_some() {
        a.event_replicates
    } else {
        1
    });
    let gpu = choose_backend(a.backend)?;
    // The run streams through batches: its memory is one batch's, the estimate's to size.
    let (sc, mut plan, estimate) = load(
        a.scenario.as_deref(),
        f.replicates,
        recorded,
        f.memory_budget,
        if gpu { GPU_BATCH } else { CPU_BATCH },
    )?;
    let (mode, file) = a.parameters()?;
    check_parameters(&sc, mode)?;
    let batch = match mode {
        ParametersChoice::Point => estimate.batch,
        ParametersChoice::Draw => draw_parameters(&sc, &mut plan, &estimate, f.seed, None, NOTE)?,
        ParametersChoice::Posterior => {
            let posterior =
                super::calibrate::load_posterior(file.unwrap_or(Path::new("built-in")))?;
            draw_parameters(&sc, &mut plan, &estimate, f.seed, Some(posterior), NOTE)?
        }
    };
    create_out(&a.out)?;
    let config = RunConfig {
        replicates: f.replicates,
        seed: f.seed,
        record: 0..recorded,
    };
    let engine = if gpu {
        Engine::Gpu
    } else {
        Engine::Cpu(f.threads())
    };
    let io = |e: std::io::Error| Failure::runtime(format!("{}: {e}", a.out.display()));
    let pb = progress_bar(
        f.replicates as u64 * sc.ticks as u64,
        "simulating",
        "{percent:>3}% {msg} (ETA {eta})",
    );
    let tick_s = sc.tick_seconds;
    let progress = |p: Progress| {
        pb.set_position(p.done);
        pb.set_message(format!(
            "replicates {}-{} of {}, {}",
            p.first,
            p.first + p.batch - 1,
            f.replicates,
            Clock(p.tick * tick_s)
        ));
    };
    let csv = a.out.join("replicates.csv");
    let streamed = report::stream(&sc, &plan, &config, engine, batch, &csv, progress)
        .map_err(Failure::runtime)?;
    pb.finish_and_clear();
    let report::Streamed {
        summary,
        recorded: kept,
        stats,
        backend,
    } = streamed;
    report::write_json(&summary, &a.out.join("summary.json")).map_err(io)?;
    report::write_log(&kept.log, sc.tick_seconds, &a.out.join("log.csv")).map_err(io)?;
    if let Some(dir) = &a.events {
        crate::events::write(&sc, &plan, &kept, dir)
            .map_err(|e| Failure::runtime(format!("--events {}: {e}", dir.display())))?;
    }
    if !a.quiet {
        print!("{}", report::render(&summary));
    }
    let on = if gpu {
        format!("gpu ({})", backend.adapter)
    } else {
        format!("cpu ({} threads)", stats.threads)
    };
    let peak = crate::bench::peak_rss()
        .map(|b| format!(", peak memory {}", human_bytes(b)))
        .unwrap_or_default();
    eprintln!(
        "{} replicates in {:.2} s on {on}: {:.0} replicates/s, {:.3e} threat-ticks/s, batches of {batch}{peak}; wrote {}",
        f.replicates,
        stats.wall_seconds,
        f.replicates as f64 / stats.wall_seconds.max(1e-9),
        stats.threat_ticks_in_flight as f64 / stats.wall_seconds.max(1e-9),
        a.out.display()
    );
    Ok(())
}

/// Whether to run on the GPU, saying on stderr what `auto` chose and why. `--backend gpu`
/// without an adapter is bad input: the message says how to get one.
pub(super) fn choose_backend(choice: BackendChoice) -> Result<bool, Failure> {
    match choice {
        BackendChoice::Cpu => Ok(false),
        BackendChoice::Gpu => match GpuContext::shared() {
            Ok(ctx) => {
                eprintln!("backend: gpu, {}", ctx.describe());
                Ok(true)
            }
            Err(e) => Err(Failure::input(format!("--backend gpu: {e}"))),
        },
        // A look at the adapters first, without a device: a run on a machine with no
        // hardware GPU pays nothing for the question.
        BackendChoice::Auto => {
            let adapters = probe_adapters();
            let software = adapters
                .iter()
                .find(|a| a.device_type == wgpu::DeviceType::Cpu);
            if !adapters
                .iter()
                .any(|a| a.device_type != wgpu::DeviceType::Cpu)
            {
                match software {
                    Some(a) => eprintln!(
                        "backend: cpu (the only GPU adapter, {} ({}), is a software rasteriser on the CPU; --backend gpu uses it anyway)",
                        a.name, a.backend
                    ),
                    None => eprintln!("backend: cpu ({NO_ADAPTER})"),
                }
                return Ok(false);
            }
            match GpuContext::shared() {
                Ok(ctx) if ctx.adapter.device_type != wgpu::DeviceType::Cpu => {
                    eprintln!("backend: gpu, {}", ctx.describe());
                    Ok(true)
                }
                Ok(ctx) => {
                    eprintln!(
                        "backend: cpu (the only GPU adapter, {}, is a software rasteriser on the CPU; --backend gpu uses it anyway)",
                        ctx.describe()
                    );
                    Ok(false)
                }
                Err(e) => {
                    eprintln!("backend: cpu ({e})");
                    Ok(false)
                }
            }
        }
    }
}
