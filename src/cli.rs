//! The command line. Exit status: 0 success, 1 a failure while running (I/O, device),
//! 2 bad input (a scenario, a flag, a value) with a message naming where and what.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

use crate::engine::plan::{self, Plan};
use crate::report;
use crate::scenario::{self, Scenario, ThreatClass};
use crate::world::RunConfig;

#[derive(Parser, Debug)]
#[command(
    name = "hormuz",
    version,
    about = "Monte Carlo war-game of missile and drone salvos against layered air defence in the Gulf and Levant",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run Monte Carlo replicates of a scenario and report the outcome.
    Run(RunArgs),
    /// Check a scenario file (and its weapons database) without running it.
    Check(CheckArgs),
    /// Time whole runs on each backend at several replicate counts, with the machine's
    /// memory-copy bandwidth and the share of it the GPU kernels reach.
    Bench(BenchArgs),
    /// Run the calibration scenarios and compare the model with what was publicly reported.
    Calibrate(crate::calibrate::cli::CalibrateArgs),
    /// The Hughes salvo model: expected losses of one simultaneous exchange of salvos.
    SalvoModel(crate::salvo::cli::SalvoArgs),
    /// Run a scenario over a grid of edited values: a CSV and the saturation and cost-exchange plots.
    Sweep(crate::sweep::cli::SweepArgs),
    /// Open the exercise app: the live run on a map, injects, what-ifs (feature `desktop`).
    App(crate::app::AppArgs),
}

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Scenario file; without it, the built-in scenarios/gulf-2026.toml.
    pub scenario: Option<PathBuf>,
    /// Monte Carlo replicates.
    #[arg(short = 'n', long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub replicates: u32,
    /// Seed of the random streams: the same seed gives the same bytes.
    #[arg(short, long, default_value_t = 2026)]
    pub seed: u32,
    /// Where the kernels run: `auto` takes a hardware GPU when there is one and the CPU
    /// otherwise (a software adapter such as lavapipe only when asked for with `gpu`).
    #[arg(short, long, value_enum, default_value_t = BackendChoice::Auto)]
    pub backend: BackendChoice,
    /// Worker threads for the CPU backend (default: all cores).
    #[arg(short = 'j', long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Folder for summary.json, replicates.csv and log.csv.
    #[arg(short, long, default_value = "hormuz-out")]
    pub out: PathBuf,
    /// Memory the run may use for per-replicate state, e.g. 4GiB or 512MiB.
    #[arg(long, default_value = "4GiB", value_parser = parse_bytes)]
    pub memory_budget: u64,
    /// Do not print the summary table.
    #[arg(short, long)]
    pub quiet: bool,
    /// Write event tables (unit positions, weapons fired, end-games, damage) to this folder.
    #[arg(long)]
    pub events: Option<PathBuf>,
    /// Replicates (the first K) whose events go into the tables.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub event_replicates: u32,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendChoice {
    Auto,
    Cpu,
    Gpu,
}

#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// Scenario file; without it, the built-in scenarios/gulf-2026.toml.
    pub scenario: Option<PathBuf>,
    /// Replicate counts to time, one row per backend each (repeat or comma-separate).
    #[arg(short = 'n', long, value_delimiter = ',', default_values_t = [1000u32], value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub replicates: Vec<u32>,
    /// Backends to time (default: the CPU, and the GPU when an adapter exists).
    #[arg(short, long, value_enum, value_delimiter = ',')]
    pub backend: Vec<BenchBackendArg>,
    #[arg(short, long, default_value_t = 2026)]
    pub seed: u32,
    /// Worker threads for the CPU backend (default: all cores).
    #[arg(short = 'j', long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Memory the largest run may use for per-replicate state, e.g. 16GiB.
    #[arg(long, default_value = "16GiB", value_parser = parse_bytes)]
    pub memory_budget: u64,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchBackendArg {
    Cpu,
    Gpu,
}

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// Scenario file to check.
    pub scenario: PathBuf,
    /// Replicates the memory estimate assumes.
    #[arg(short = 'n', long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub replicates: u32,
    /// Memory the run may use for per-replicate state, e.g. 4GiB or 512MiB.
    #[arg(long, default_value = "4GiB", value_parser = parse_bytes)]
    pub memory_budget: u64,
}

/// "4GiB", "512MiB", "100MB", "123456": bytes.
pub fn parse_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let v: f64 = num
        .parse()
        .map_err(|_| format!("expected a size such as 4GiB or 512MiB, found {s:?}"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mib" => 1024.0 * 1024.0,
        "g" | "gb" => 1e9,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" => 1e12,
        "tib" => 1024f64.powi(4),
        other => {
            return Err(format!(
                "unknown size unit {other:?}: use B, KiB, MiB, GiB or TiB"
            ));
        }
    };
    let bytes = v * mult;
    if !bytes.is_finite() || bytes < 1.0 {
        return Err(format!("expected a size of at least 1 byte, found {s:?}"));
    }
    Ok(bytes as u64)
}

fn human_bytes(b: u64) -> String {
    let b = b as f64;
    if b >= 1024f64.powi(3) {
        format!("{:.2} GiB", b / 1024f64.powi(3))
    } else if b >= 1024f64.powi(2) {
        format!("{:.1} MiB", b / 1024f64.powi(2))
    } else {
        format!("{:.0} KiB", b / 1024.0)
    }
}

/// An error for the user, with the exit status it calls for.
pub struct Failure {
    pub code: i32,
    pub message: String,
}

impl Failure {
    pub fn input(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    pub fn runtime(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Run(a) => run(&a),
        Command::Check(a) => check(&a),
        Command::Bench(a) => bench(&a),
        Command::Calibrate(a) => crate::calibrate::cli::calibrate(&a),
        Command::SalvoModel(a) => crate::salvo::cli::salvo_model(&a),
        Command::Sweep(a) => crate::sweep::cli::sweep(&a),
        Command::App(a) => crate::app::main(&a),
    };
    match result {
        Ok(()) => 0,
        Err(f) => {
            eprintln!("{}", f.message);
            f.code
        }
    }
}

/// Load a scenario (the embedded default when `path` is `None`) and plan it.
pub fn load(path: Option<&Path>) -> Result<(Arc<Scenario>, Arc<Plan>), Failure> {
    let sc = scenario::load_path(path).map_err(|e| Failure::input(e.to_string()))?;
    let plan = plan::build(&sc);
    Ok((Arc::new(sc), Arc::new(plan)))
}

/// Refuse a run whose per-replicate state would not fit the budget.
pub fn check_budget(
    sc: &Scenario,
    plan: &Plan,
    replicates: u32,
    budget: u64,
) -> Result<u64, Failure> {
    let need = plan.bytes_per_replicate() as u64 * replicates as u64;
    if need > budget {
        return Err(Failure::input(format!(
            "{}: {} threats x {} replicates need {} of per-replicate state ({} bytes per threat row), over the memory budget of {}; run fewer replicates or raise --memory-budget",
            sc.file,
            plan.tracks.len(),
            replicates,
            human_bytes(need),
            crate::engine::layout::BYTES_PER_THREAT,
            human_bytes(budget)
        )));
    }
    Ok(need)
}

fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new(len);
    pb.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{what} {{bar:40}} {{percent:>3}}% {{msg}} [{{elapsed_precise}}]"
        ))
        .expect("valid template"),
    );
    pb
}

fn run(a: &RunArgs) -> Result<(), Failure> {
    let (sc, plan) = load(a.scenario.as_deref())?;
    check_budget(&sc, &plan, a.replicates, a.memory_budget)?;
    std::fs::create_dir_all(&a.out).map_err(|e| {
        Failure::input(format!(
            "--out {}: cannot create the folder: {e}",
            a.out.display()
        ))
    })?;
    let config = RunConfig {
        replicates: a.replicates,
        seed: a.seed,
        record: 0..a.replicates.min(if a.events.is_some() {
            a.event_replicates
        } else {
            1
        }),
    };
    let gpu = choose_backend(a.backend)?;
    let pb = progress_bar(sc.ticks as u64, "simulating");
    let tick_s = sc.tick_seconds;
    let progress = |tick: u32, _| {
        pb.set_position(tick as u64);
        pb.set_message(crate::scenario::types::Clock(tick * tick_s).to_string());
    };
    let threads = a.threads.map(|t| t as usize);
    let out = if gpu {
        crate::world::run_gpu(sc.clone(), plan.clone(), &config, threads, progress)
    } else {
        crate::world::run_cpu(sc.clone(), plan.clone(), &config, threads, progress)
    }
    .map_err(Failure::runtime)?;
    pb.finish_and_clear();
    let fig = report::figures(&sc, &plan, &out);
    let summary = report::summary(&sc, &plan, &out, &fig);
    let io = |e: std::io::Error| Failure::runtime(format!("{}: {e}", a.out.display()));
    report::write_json(&summary, &a.out.join("summary.json")).map_err(io)?;
    report::write_csv(&fig, &a.out.join("replicates.csv")).map_err(io)?;
    report::write_log(&out.log, sc.tick_seconds, &a.out.join("log.csv")).map_err(io)?;
    if let Some(dir) = &a.events {
        crate::events::write(&sc, &plan, &out, dir)
            .map_err(|e| Failure::runtime(format!("--events {}: {e}", dir.display())))?;
    }
    if !a.quiet {
        print!("{}", report::render(&summary));
    }
    let on = if gpu {
        format!("gpu ({})", out.backend.adapter)
    } else {
        format!("cpu ({} threads)", out.stats.threads)
    };
    eprintln!(
        "{} replicates in {:.2} s on {on}: {:.0} replicates/s, {:.3e} threat-ticks/s; wrote {}",
        out.replicates,
        out.stats.wall_seconds,
        out.replicates as f64 / out.stats.wall_seconds.max(1e-9),
        out.stats.threat_ticks_in_flight as f64 / out.stats.wall_seconds.max(1e-9),
        a.out.display()
    );
    Ok(())
}

/// Whether to run on the GPU, saying on stderr what `auto` chose and why.
fn choose_backend(choice: BackendChoice) -> Result<bool, Failure> {
    use crate::engine::gpu::GpuContext;
    match choice {
        BackendChoice::Cpu => Ok(false),
        BackendChoice::Gpu => match GpuContext::shared() {
            Ok(ctx) => {
                eprintln!("backend: gpu, {}", ctx.describe());
                Ok(true)
            }
            Err(e) => Err(Failure::input(format!("--backend gpu: {e}"))),
        },
        BackendChoice::Auto => match GpuContext::shared() {
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
        },
    }
}

fn bench(a: &BenchArgs) -> Result<(), Failure> {
    use crate::bench::{BenchBackend, BenchConfig};
    let (sc, plan) = load(a.scenario.as_deref())?;
    let most = a.replicates.iter().copied().max().unwrap_or(1);
    check_budget(&sc, &plan, most, a.memory_budget)?;
    let backends = a
        .backend
        .iter()
        .map(|b| match b {
            BenchBackendArg::Cpu => BenchBackend::Cpu,
            BenchBackendArg::Gpu => BenchBackend::Gpu,
        })
        .collect::<Vec<_>>();
    if backends.contains(&BenchBackend::Gpu)
        && let Err(e) = crate::engine::gpu::GpuContext::shared()
    {
        return Err(Failure::input(format!("--backend gpu: {e}")));
    }
    let config = BenchConfig {
        replicates: a.replicates.clone(),
        backends,
        seed: a.seed,
        threads: a.threads.map(|t| t as usize),
        ..BenchConfig::default()
    };
    let result = crate::bench::bench(sc, plan, &config).map_err(Failure::runtime)?;
    println!("{}", crate::bench::render(&result).trim_end());
    Ok(())
}

fn check(a: &CheckArgs) -> Result<(), Failure> {
    let (sc, plan) = load(Some(&a.scenario))?;
    let need = check_budget(&sc, &plan, a.replicates, a.memory_budget)?;
    let by_class = plan.tracks_by_class(&sc);
    println!("{}: ok", sc.file);
    println!("  {}", sc.name);
    println!(
        "  {} sides, {} assets, {} defensive units, {} launch sites and militias ({} launchers), {} orders, {} triggers",
        sc.sides.len(),
        sc.assets.len(),
        sc.batteries.len(),
        sc.sites.len(),
        plan.launchers,
        sc.orders.len(),
        sc.triggers.len()
    );
    let classes: Vec<String> = ThreatClass::ALL
        .iter()
        .map(|c| format!("{} {}", by_class[c.index()], c.name()))
        .collect();
    println!(
        "  {} threats planned per replicate: {}",
        plan.tracks.len(),
        classes.join(", ")
    );
    println!(
        "  {} engagement opportunities; {} ticks of {} s",
        plan.opportunities.len(),
        sc.ticks,
        sc.tick_seconds
    );
    println!(
        "  memory for {} replicates: {} (budget {})",
        a.replicates,
        human_bytes(need),
        human_bytes(a.memory_budget)
    );
    for (k, lost) in &plan.dropped_opportunities {
        let info = &plan.track_info[*k as usize];
        println!(
            "  warning: a {} from {} at {} crosses more than {} envelopes; its {} latest were left out",
            sc.weapons[info.weapon].id,
            sc.sites[info.site].id,
            sc.assets[info.target].id,
            crate::engine::layout::MAX_OPPORTUNITIES,
            lost
        );
    }
    Ok(())
}
