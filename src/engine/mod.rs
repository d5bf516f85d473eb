//! The Monte Carlo engine: the plan (shared tables), the flat per-replicate arrays, the
//! kernels and the backends that run them.

pub mod backend;
pub mod cpu;
pub mod gpu;
pub mod layout;
pub mod plan;
pub mod rng;

use std::sync::Arc;

use crate::scenario::Scenario;
use crate::world::{RunConfig, RunOutput, Simulation};

/// Run a scenario to the end on the CPU backend.
pub fn run_cpu(
    scenario: Arc<Scenario>,
    plan: Arc<plan::Plan>,
    config: &RunConfig,
    threads: Option<usize>,
    progress: impl FnMut(u32, u32),
) -> Result<RunOutput, String> {
    let backend = backend::CpuBackend::new(
        plan.clone(),
        config.replicates,
        config.record.clone(),
        threads,
    )?;
    Simulation::new(scenario, plan, config, Box::new(backend)).run(progress)
}

/// Run a scenario to the end on the GPU backend (the process-wide device; see
/// [`gpu::GpuContext`]). Same seed, same bytes as [`run_cpu`]. `threads` is accepted for
/// symmetry and ignored: the device decides its own parallelism (on lavapipe,
/// `LP_NUM_THREADS`).
pub fn run_gpu(
    scenario: Arc<Scenario>,
    plan: Arc<plan::Plan>,
    config: &RunConfig,
    threads: Option<usize>,
    progress: impl FnMut(u32, u32),
) -> Result<RunOutput, String> {
    let _ = threads;
    let backend =
        gpu::GpuBackend::new(plan.clone(), config.replicates, config.record.clone(), None)?;
    Simulation::new(scenario, plan, config, Box::new(backend)).run(progress)
}
