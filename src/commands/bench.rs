//! `hormuz bench`: whole runs per backend and replicate count, and the machine's
//! memory-copy bandwidth (`crate::bench` does the work).

use std::path::PathBuf;

use clap::Args;

use super::flags::{self, DEFAULT_SEED, parse_bytes};
use super::load;
use crate::bench::{BenchBackend, BenchConfig};
use crate::engine::gpu::GpuContext;
use crate::engine::params::{DrawnThresholds, Draws};
use crate::error::Failure;

/// The flags of `run`, but `--replicates` is a list (one row each) and the budget, for the
/// largest count, defaults to 16GiB: a bench is meant to reach the machine's limits.
#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// Scenario file; without it, the built-in scenarios/gulf-2026.toml.
    pub scenario: Option<PathBuf>,
    /// Replicate counts to time, one row per backend each (repeat or comma-separate).
    #[arg(short = 'n', long, value_delimiter = ',', default_values_t = [flags::DEFAULT_REPLICATES], value_parser = flags::replicates())]
    pub replicates: Vec<u32>,
    /// Backends to time (default: the CPU, and the GPU when an adapter exists).
    #[arg(short, long, value_enum, value_delimiter = ',')]
    pub backend: Vec<BenchBackendArg>,
    /// Seed of the random streams.
    #[arg(short, long, default_value_t = DEFAULT_SEED)]
    pub seed: u32,
    /// Worker threads for the CPU backend (default: all cores).
    #[arg(short = 'j', long, value_parser = flags::threads())]
    pub threads: Option<u32>,
    /// Memory for per-replicate state, e.g. 16GiB: it sizes the batches each run streams
    /// through, as in `hormuz run`.
    #[arg(long, default_value = "16GiB", value_parser = parse_bytes)]
    pub memory_budget: u64,
    /// Take a decision by hand, as `hormuz run --decide` does (the built-in scenario's wide
    /// war: talks=collapse, strike=limited, retaliation=wide, proxies=join).
    #[arg(long, value_name = "DECISION=OUTCOME", value_parser = super::run::parse_decide)]
    pub decide: Vec<(String, String)>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchBackendArg {
    Cpu,
    Gpu,
}

pub fn main(a: &BenchArgs) -> Result<(), Failure> {
    // Runs stream through batches the budget sizes: one batch must fit.
    let most = a.replicates.iter().copied().max().unwrap_or(1);
    let (sc, plan, _) = load(a.scenario.as_deref(), most, 0, a.memory_budget, 1)?;
    let sc = super::run::take_by_hand(sc, &a.decide)?;
    // Each count runs at point values and drawn as `hormuz run` draws by default (the
    // built-in posterior), when the scenario has uncertain figures a run can draw.
    let draws = if !sc.parameters.is_empty() && sc.parameters.iter().all(DrawnThresholds::reads) {
        let (posterior, name) = super::calibrate::load_posterior(std::path::Path::new("built-in"))?;
        Some(std::sync::Arc::new(
            Draws::from_posterior(&sc, &plan, a.seed, posterior, &name)
                .unwrap_or_else(|_| Draws::new(&sc, &plan, a.seed)),
        ))
    } else {
        None
    };
    let backends = a
        .backend
        .iter()
        .map(|b| match b {
            BenchBackendArg::Cpu => BenchBackend::Cpu,
            BenchBackendArg::Gpu => BenchBackend::Gpu,
        })
        .collect::<Vec<_>>();
    if backends.contains(&BenchBackend::Gpu)
        && let Err(e) = GpuContext::shared()
    {
        return Err(Failure::input(format!("--backend gpu: {e}")));
    }
    let config = BenchConfig {
        replicates: a.replicates.clone(),
        backends,
        seed: a.seed,
        threads: a.threads.map(|t| t as usize),
        memory_budget: a.memory_budget,
        draws,
        ..BenchConfig::default()
    };
    // The bench's errors are the engine's and the device's: failures while running.
    let result = crate::bench::bench(sc, plan, &config).map_err(Failure::runtime)?;
    println!("{}", crate::bench::render(&result).trim_end());
    Ok(())
}
