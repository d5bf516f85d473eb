//! `hormuz run`: Monte Carlo replicates of a scenario; the summary table on stdout,
//! `summary.json`, `replicates.csv` and `log.csv` in `--out`, and the event tables.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;

use super::flags::{RunFlags, TableFormat, write_parquet};
use super::progress::progress_bar;
use super::{create_out, load};
use crate::engine::budget::Estimate;
use crate::engine::budget::{CPU_BATCH, GPU_BATCH, human_bytes};
use crate::engine::gpu::{GpuContext, NO_ADAPTER, probe_adapters};
use crate::engine::params::{DrawnThresholds, Draws};
use crate::engine::posterior::Posterior;
use crate::error::Failure;
use crate::report::shard::{self, Manifest, Record, ShardOf};
use crate::report::{self, Part, StreamError};
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
    /// Run shard I of N (from 0): the I-th contiguous slice of the replicates, into
    /// OUT/shard-I-of-N with a manifest for `hormuz merge`. `auto` takes I and N from a
    /// Slurm job array (SLURM_ARRAY_TASK_ID, _MIN, _COUNT) or a Kubernetes Indexed Job
    /// (JOB_COMPLETION_INDEX, with --shards N).
    #[arg(long, value_parser = super::shard::parse_shard)]
    pub shard: Option<super::shard::ShardSpec>,
    /// Shards of the run, for `--shard auto` in a Kubernetes Indexed Job (its completions).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=super::shard::MAX_SHARDS as i64))]
    pub shards: Option<u32>,
    /// Continue a run that was killed or interrupted from the checkpoint in its folder
    /// (its finished batches); the outputs are those of an uninterrupted run. Without a
    /// checkpoint the run starts from its first replicate.
    #[arg(long)]
    pub resume: bool,
    /// Take a decision by hand: `DECISION=OUTCOME` takes that outcome wherever the decision
    /// is taken, instead of drawing it (as a `[[decide]]` table does). Repeat for more.
    #[arg(long, value_name = "DECISION=OUTCOME", value_parser = parse_decide)]
    pub decide: Vec<(String, String)>,
    /// Table format: `parquet` writes replicates.parquet and the event tables as
    /// .parquet beside the CSVs.
    #[arg(long, value_enum, default_value_t = TableFormat::Csv)]
    pub format: TableFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParametersChoice {
    Point,
    Draw,
    Posterior,
}

impl ParametersChoice {
    pub fn name(self) -> &'static str {
        match self {
            ParametersChoice::Point => "point",
            ParametersChoice::Draw => "draw",
            ParametersChoice::Posterior => "posterior",
        }
    }
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

/// Whether the run can take its parameters as asked: a run draws what
/// `engine::params::DrawnThresholds::reads` accepts, and refuses a scenario with any other
/// figure written as a distribution rather than report intervals it did not compute.
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

/// The run's uncertain figures as asked (`--parameters`, `--posterior`): drawn into the
/// plan or not; the mode, the posterior drawn from (for the manifest) and the batch size.
fn parameters(
    a: &RunArgs,
    sc: &Scenario,
    plan: &mut std::sync::Arc<crate::engine::plan::Plan>,
    estimate: &Estimate,
) -> Result<(ParametersChoice, Option<shard::PosteriorRef>, u32), Failure> {
    let f = &a.flags;
    let (mode, file) = a.parameters()?;
    check_parameters(sc, mode)?;
    let (posterior, batch) = match mode {
        ParametersChoice::Point => (None, estimate.batch),
        ParametersChoice::Draw => (
            None,
            draw_parameters(sc, plan, estimate, f.seed, None, NOTE)?,
        ),
        ParametersChoice::Posterior => {
            let file = file.unwrap_or(Path::new("built-in"));
            let p = super::calibrate::load_posterior(file)?;
            // Where `hormuz merge` finds it again, from any folder.
            let reference = shard::PosteriorRef {
                file: std::fs::canonicalize(file)
                    .unwrap_or_else(|_| file.to_path_buf())
                    .display()
                    .to_string(),
                sha256: p.0.sha256(),
            };
            let batch = draw_parameters(sc, plan, estimate, f.seed, Some(p), NOTE)?;
            (Some(reference), batch)
        }
    };
    Ok((mode, posterior, batch))
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
    let shard = which_shard(a)?;
    let gpu = choose_backend(a.backend)?;
    // The run streams through batches: its memory is one batch's, the estimate's to size.
    let (sc, mut plan, estimate) = load(
        a.scenario.as_deref(),
        f.replicates,
        recorded,
        f.memory_budget,
        if gpu { GPU_BATCH } else { CPU_BATCH },
    )?;
    let sc = take_by_hand(sc, &a.decide)?;
    let (mode, posterior, batch) = parameters(a, &sc, &mut plan, &estimate)?;
    let (scenario_sha256, database_sha256) = crate::scenario::digests(a.scenario.as_deref())?;
    let (out, events) = match shard {
        Some(s) => {
            let name = super::shard::folder(s);
            (a.out.join(&name), a.events.as_ref().map(|e| e.join(&name)))
        }
        None => (a.out.clone(), a.events.clone()),
    };
    create_out(&out)?;
    let range = shard.map_or(0..f.replicates, |s| super::shard::slice(s, f.replicates));
    let manifest = Manifest {
        format: shard::FORMAT.into(),
        hormuz: env!("CARGO_PKG_VERSION").into(),
        scenario_file: sc.file.clone(),
        scenario_sha256,
        database_sha256,
        seed: f.seed,
        replicates: f.replicates,
        recorded,
        parameters: if plan.draws.is_some() {
            mode.name().into()
        } else {
            "point".into()
        },
        posterior: posterior.filter(|_| plan.draws.is_some()),
        decide: a.decide.iter().map(|(d, o)| format!("{d}={o}")).collect(),
        first: range.start,
        end: range.end,
        shard,
        sweep: None,
    };
    if !a.resume
        && let Ok(Some(r)) = Record::read(&out.join(shard::CHECKPOINT))
    {
        eprintln!(
            "{} holds the checkpoint of an unfinished run ({} replicates done): starting over (--resume continues it)",
            out.display(),
            r.done
        );
    }
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
    let batch = engine
        .batch(&plan, recorded, batch)
        .map_err(|e| Failure::runtime(format!("the GPU: {e}")))?;
    let io = |e: std::io::Error| Failure::runtime(format!("{}: {e}", out.display()));
    let pb = progress_bar(
        range.len() as u64 * sc.ticks as u64,
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
    let stop = interrupt::install();
    let part = Part {
        dir: &out,
        range: range.clone(),
        manifest,
        resume: a.resume,
        shard: shard.is_some(),
        stop: &stop,
    };
    let streamed = report::stream(&sc, &plan, &config, engine, batch, &part, progress);
    pb.finish_and_clear();
    let streamed = streamed.map_err(|e| match e {
        StreamError::Failed(m) => Failure::runtime(m),
        StreamError::Checkpoint(m) => Failure::input(m),
        StreamError::Stopped { done } => Failure::interrupted(format!(
            "interrupted: stopped after {done} of {} replicates (replicates {}..{}); their rows and the checkpoint are kept in {} (`hormuz run` with the same arguments and --resume continues); no outputs written, earlier ones there are as they were",
            range.len(),
            range.start,
            range.start + done,
            out.display()
        )),
    })?;
    let report::Streamed {
        summary,
        recorded: mut kept,
        stats,
        backend,
        resumed,
        pending,
    } = streamed;
    report::write_json(&summary, &out.join("summary.json")).map_err(io)?;
    // The recorded output numbers its replicates from the part's first.
    for e in &mut kept.log {
        if let Some(r) = &mut e.replicate {
            *r += range.start;
        }
    }
    report::write_log(&kept.log, sc.tick_seconds, &out.join("log.csv")).map_err(io)?;
    if let Some(dir) = &events {
        crate::events::write_from(&sc, &plan, &kept, range.start, dir)
            .map_err(|e| Failure::runtime(format!("--events {}: {e}", dir.display())))?;
    }
    pending.commit().map_err(io)?;
    write_parquet(a.format, &out, &["replicates"])?;
    if let Some(dir) = &events {
        write_parquet(a.format, dir, &crate::events::TABLES)?;
    }
    if !a.quiet {
        print!("{}", report::render(&summary));
    }
    say_done(&range, &stats, gpu, &backend, batch, resumed, &out);
    Ok(())
}

/// The last line on stderr: what ran where, how fast, and where the outputs went.
fn say_done(
    range: &std::ops::Range<u32>,
    stats: &crate::world::RunStats,
    gpu: bool,
    backend: &crate::engine::backend::BackendInfo,
    batch: u32,
    resumed: u32,
    out: &std::path::Path,
) {
    let on = if gpu {
        format!("gpu ({})", backend.adapter)
    } else {
        format!("cpu ({} threads)", stats.threads)
    };
    let peak = crate::bench::peak_rss()
        .map(|b| format!(", peak memory {}", human_bytes(b)))
        .unwrap_or_default();
    let resumed = if resumed > 0 {
        format!(" ({resumed} of them from the checkpoint)")
    } else {
        String::new()
    };
    eprintln!(
        "{} replicates{resumed} in {:.2} s on {on}: {:.0} replicates/s, {:.3e} threat-ticks/s, batches of {batch}{peak}; wrote {}",
        range.len(),
        stats.wall_seconds,
        range.len() as f64 / stats.wall_seconds.max(1e-9),
        stats.threat_ticks_in_flight as f64 / stats.wall_seconds.max(1e-9),
        out.display()
    );
}

/// The shard this run is, from `--shard` (and `--shards`), said on stderr; `None` for a
/// whole run.
/// `--decide DECISION=OUTCOME`, as written.
pub(super) fn parse_decide(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((d, o)) if !d.trim().is_empty() && !o.trim().is_empty() => {
            Ok((d.trim().to_string(), o.trim().to_string()))
        }
        _ => Err(format!(
            "expected DECISION=OUTCOME (e.g. retaliation=wide), found {s:?}"
        )),
    }
}

/// The scenario with the decisions `--decide` takes by hand.
pub(super) fn take_by_hand(
    sc: Arc<Scenario>,
    decide: &[(String, String)],
) -> Result<Arc<Scenario>, Failure> {
    if decide.is_empty() {
        return Ok(sc);
    }
    let mut s = (*sc).clone();
    pin(&mut s, decide)?;
    Ok(Arc::new(s))
}

/// `--decide`: each decision taken by hand in `sc`; an unknown one is bad input naming it.
pub(super) fn pin(sc: &mut Scenario, decide: &[(String, String)]) -> Result<(), Failure> {
    for (d, o) in decide {
        sc.take_by_hand(d, o)
            .map_err(|e| Failure::input(format!("--decide {d}={o}: {e}")))?;
    }
    Ok(())
}

fn which_shard(a: &RunArgs) -> Result<Option<ShardOf>, Failure> {
    let n = a.flags.replicates;
    if a.shards.is_some() && a.shard.is_none() {
        return Err(Failure::input(
            "--shards N goes with --shard auto (a Kubernetes Indexed Job)",
        ));
    }
    Ok(match a.shard {
        Some(spec) => {
            let env = |k: &str| std::env::var(k).ok();
            let (s, said) = super::shard::resolve(spec, a.shards, &env)?;
            if s.count > n {
                return Err(Failure::input(format!(
                    "--shard: {} shards of {} replicates: each shard needs at least one (--replicates)",
                    s.count, n
                )));
            }
            let r = super::shard::slice(s, n);
            eprintln!("{said}: replicates {}..{} of {}", r.start, r.end, n);
            Some(s)
        }
        None => None,
    })
}

/// SIGINT (Ctrl-C): the first asks the run to stop after the batch it is in; a second
/// stops at once (the outputs are written under temporary names, so none is left
/// truncated).
mod interrupt {
    use std::sync::atomic::{AtomicBool, Ordering};

    static ASKED: AtomicBool = AtomicBool::new(false);

    /// Install the handler (once per process); the question to ask between batches.
    pub fn install() -> impl Fn() -> bool {
        let _ = ctrlc::set_handler(|| {
            if ASKED.swap(true, Ordering::SeqCst) {
                std::process::exit(crate::error::INTERRUPTED);
            }
            eprintln!(
                "\ninterrupted: stopping after the batch in progress (Ctrl-C again stops at once)"
            );
        });
        || ASKED.load(Ordering::SeqCst)
    }
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
