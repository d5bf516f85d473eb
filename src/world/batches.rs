//! A run as a sequence of batches: replicates `first..first + n`, one [`Simulation`] each,
//! run to the end and handed on in replicate order, then freed. A replicate's outcome is a
//! function of the scenario, the seed and its index alone (its random draws are keyed by
//! its index, and replicates never interact), so a run's results do not depend on how it
//! is cut into batches. A batch is the unit of everything downstream: its rows are written
//! before the next batch starts, and nothing of it is kept but what the report needs.

use std::sync::Arc;

use super::simulation::{RunConfig, RunOutput, RunStats, Simulation};
use crate::engine::backend::{Backend, CpuBackend};
use crate::engine::gpu::GpuBackend;
use crate::engine::plan::Plan;
use crate::scenario::Scenario;

/// Where the kernels of every batch run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// The CPU twins, on this many threads (`None`: every core).
    Cpu(Option<usize>),
    /// The process-wide GPU device.
    Gpu,
}

impl Engine {
    /// The batch a run of `plan` takes on this engine when `batch` fits its memory: on the
    /// GPU, no more than the device holds in one set of buffers
    /// (`gpu::largest_batch`), so that each tick dispatches one device batch.
    pub fn batch(self, plan: &Plan, recorded: u32, batch: u32) -> Result<u32, String> {
        Ok(match self {
            Engine::Cpu(_) => batch,
            Engine::Gpu => batch.min(GpuBackend::largest_batch(plan, recorded)?).max(1),
        })
    }

    fn backend(
        self,
        plan: &Arc<Plan>,
        replicates: u32,
        record: std::ops::Range<u32>,
    ) -> Result<Box<dyn Backend>, String> {
        Ok(match self {
            Engine::Cpu(threads) => {
                Box::new(CpuBackend::new(plan.clone(), replicates, record, threads)?)
            }
            Engine::Gpu => Box::new(GpuBackend::new(plan.clone(), replicates, record, None)?),
        })
    }
}

/// Where a run stands, for a progress bar: `done` of `total` replicate-ticks (every
/// replicate of a finished batch counts the scenario's ticks; those of the running batch
/// count the ticks reached).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    /// The running batch: its first replicate and its size.
    pub first: u32,
    pub batch: u32,
    /// The tick the running batch has reached.
    pub tick: u32,
}

/// The replicates `first..first + out.replicates` of a run, with their indices local to
/// the batch (replicate `first + r` of the run is `r` here).
pub struct Batch {
    pub first: u32,
    pub out: RunOutput,
}

/// Run `config.replicates` replicates in batches of at most `batch`, handing each finished
/// batch to `sink` in replicate order; returns the run's statistics, summed over batches.
/// `config.record` names replicates of the whole run; each batch records those it holds.
pub fn run_batches(
    scenario: &Arc<Scenario>,
    plan: &Arc<Plan>,
    config: &RunConfig,
    engine: Engine,
    batch: u32,
    progress: impl FnMut(Progress),
    sink: impl FnMut(Batch) -> Result<(), String>,
) -> Result<RunStats, String> {
    let all = 0..config.replicates;
    run_range(scenario, plan, config, all, engine, batch, progress, sink)
}

/// [`run_batches`] over the replicates `range` of the run alone (a shard, or what is left
/// of a resumed run): the batches start at `range.start`, and progress counts the range.
#[allow(clippy::too_many_arguments)] // the run, its part, where, and the two callbacks
pub fn run_range(
    scenario: &Arc<Scenario>,
    plan: &Arc<Plan>,
    config: &RunConfig,
    range: std::ops::Range<u32>,
    engine: Engine,
    batch: u32,
    mut progress: impl FnMut(Progress),
    mut sink: impl FnMut(Batch) -> Result<(), String>,
) -> Result<RunStats, String> {
    let started = std::time::Instant::now();
    let ticks = scenario.ticks as u64;
    let total = range.len() as u64 * ticks;
    let batch = engine.batch(plan, config.record.len() as u32, batch)?;
    let mut stats = RunStats::default();
    let mut first = range.start;
    while first < range.end {
        let n = batch.min(range.end - first);
        let record = config.record.start.clamp(first, first + n) - first
            ..config.record.end.clamp(first, first + n) - first;
        let local = RunConfig {
            replicates: n,
            seed: config.seed,
            record: record.clone(),
        };
        // A run that draws its parameters: this batch's plan carries its replicates' rows.
        let plan = match &plan.draws {
            Some(d) => &d.batch_plan(plan, first, n)?,
            None => plan,
        };
        let backend = engine.backend(plan, n, record)?;
        let sim = Simulation::batch(scenario.clone(), plan.clone(), &local, first, backend);
        let before = (first - range.start) as u64 * ticks;
        let out = sim.run(|tick, _| {
            progress(Progress {
                done: before + n as u64 * tick as u64,
                total,
                first,
                batch: n,
                tick,
            })
        })?;
        stats.add(&out.stats);
        sink(Batch { first, out })?;
        release_freed_memory();
        first += n;
    }
    stats.wall_seconds = started.elapsed().as_secs_f64();
    Ok(stats)
}

/// Run to the end in batches and keep everything: the run's output as one, with the
/// replicates in order (what `run_cpu` and `run_gpu` return).
pub fn run_collected(
    scenario: &Arc<Scenario>,
    plan: &Arc<Plan>,
    config: &RunConfig,
    engine: Engine,
    batch: u32,
    mut progress: impl FnMut(u32, u32),
) -> Result<RunOutput, String> {
    let end = scenario.ticks;
    let mut whole: Option<RunOutput> = None;
    let stats = run_batches(
        scenario,
        plan,
        config,
        engine,
        batch,
        |p| progress(p.tick, end),
        |b| {
            match &mut whole {
                None => whole = Some(b.out),
                Some(w) => w.append(b.out, b.first),
            }
            Ok(())
        },
    )?;
    let mut out = whole.ok_or("a run of no replicates")?;
    out.stats = stats;
    Ok(out)
}

/// Hand the memory of a finished batch back to the system before the next is allocated.
/// glibc keeps what the worker threads freed in their own arenas, where the next batch's
/// lanes (allocated by other threads) may not reuse it: without this the peak grows to
/// about one and a half batches, beyond the memory budget's estimate of one.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the system; it touches no live
    // allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}
