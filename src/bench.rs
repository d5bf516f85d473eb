//! `hormuz bench`: whole runs of a scenario on each backend at several replicate counts,
//! and, measured in the same process, the machine's memory-copy bandwidth (host memcpy,
//! GPU buffer-to-buffer copy) and the share of it the GPU kernels reach.
//!
//! Every run is preceded by a small warm-up run on the same backend (the first dispatch
//! on lavapipe compiles the shaders). Timings are wall-clock; on a machine shared with
//! other work they vary from run to run, so compare rows of one table only.

use std::sync::Arc;
use std::time::Instant;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use crate::engine::budget::{CPU_BATCH, GPU_BATCH, Sizes};
use crate::engine::gpu::{GpuBackend, GpuContext, KERNELS};
use crate::engine::params::Draws;
use crate::engine::plan::Plan;
use crate::scenario::Scenario;
use crate::world::{Engine, RunConfig, Simulation};

/// A backend to benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchBackend {
    Cpu,
    Gpu,
}

impl BenchBackend {
    pub fn name(self) -> &'static str {
        match self {
            BenchBackend::Cpu => "cpu",
            BenchBackend::Gpu => "gpu",
        }
    }

    /// "cpu" or "gpu".
    pub fn parse(s: &str) -> Result<BenchBackend, String> {
        match s.to_ascii_lowercase().as_str() {
            "cpu" => Ok(BenchBackend::Cpu),
            "gpu" => Ok(BenchBackend::Gpu),
            other => Err(format!("unknown backend {other:?}: expected cpu or gpu")),
        }
    }
}

#[derive(Clone, Debug)]
pub struct BenchConfig {
    /// Replicate counts, one row per backend each.
    pub replicates: Vec<u32>,
    /// Backends to run; empty means every one available (the GPU when an adapter exists).
    pub backends: Vec<BenchBackend>,
    pub seed: u32,
    /// CPU worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Replicates of the profiled GPU run that times each kernel; `None`: the largest
    /// count asked for, at most 1,000; `Some(0)`: no profiled run.
    pub profile_replicates: Option<u32>,
    /// Memory for per-replicate state: it decides the batches, as in `hormuz run`.
    pub memory_budget: u64,
    /// The scenario's uncertain figures drawn as `hormuz run` draws them: each count then
    /// runs twice, at point values and drawn, and the host's cost of the draws is timed.
    pub draws: Option<Arc<Draws>>,
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig {
            replicates: vec![100, 1000],
            backends: Vec::new(),
            seed: 2026,
            threads: None,
            profile_replicates: None,
            memory_budget: 16 << 30,
            draws: None,
        }
    }
}

/// One whole run, as `hormuz run` does it (batches streamed to `replicates.csv` and the
/// summary), in a scratch folder.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BenchRow {
    pub backend: String,
    /// `point`, or `drawn` (the uncertain figures drawn per replicate).
    pub parameters: String,
    pub adapter: String,
    pub replicates: u32,
    /// Replicates per batch.
    pub batch: u32,
    pub threats_per_replicate: usize,
    /// Replicate-ticks with rows listed, summed.
    pub visited_ticks: u64,
    /// Threat rows the kernels ran for, summed.
    pub threat_steps: u64,
    pub threat_steps_per_replicate: f64,
    pub wall_seconds: f64,
    pub threat_steps_per_second: f64,
    pub replicates_per_second: f64,
    /// The process's peak resident memory during the run, where the system tells it.
    pub peak_memory: Option<u64>,
    /// This row's wall time over the previous row's of the same backend, and the ratio of
    /// their replicates: linear cost in replicates is a wall ratio equal to the replicate
    /// ratio.
    pub wall_ratio: Option<f64>,
    pub replicate_ratio: Option<f64>,
}

/// One kernel over a profiled GPU run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct KernelRow {
    pub kernel: String,
    pub invocations: u64,
    pub seconds: f64,
    /// Bytes of rows and tables every invocation must read or write (a lower bound).
    pub bytes: u64,
    pub bytes_per_second: f64,
    /// `bytes_per_second` over the GPU's buffer-copy bandwidth.
    pub fraction_of_copy: f64,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Bandwidth {
    /// Host memcpy, bytes read plus bytes written per second.
    pub host_copy: f64,
    /// GPU buffer-to-buffer copy, bytes read plus written per second.
    pub gpu_copy: Option<f64>,
    pub kernels: Vec<KernelRow>,
    /// Kernels timed by timestamp queries (else by wall time around each dispatch).
    pub timestamps: bool,
    pub profiled_replicates: u32,
}

/// The host's cost of drawing the parameters of a run: each batch's rows of drawn
/// thresholds, the `param_<path>` columns and the drawn unit costs, timed alone.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DrawCost {
    pub replicates: u32,
    pub parameters: usize,
    pub seconds: f64,
    /// The point run's wall time at that count, on the first backend.
    pub point_wall_seconds: f64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Bench {
    pub scenario: String,
    pub rows: Vec<BenchRow>,
    pub draw_cost: Option<DrawCost>,
    pub bandwidth: Bandwidth,
    /// Why a backend was left out, and the like.
    pub notes: Vec<String>,
}

/// One whole run, streamed as `hormuz run` streams it, into a scratch folder (removed
/// after): its statistics, backend and batch.
fn run(
    sc: &Arc<Scenario>,
    plan: &Arc<Plan>,
    backend: BenchBackend,
    replicates: u32,
    config: &BenchConfig,
) -> Result<(crate::report::Streamed, u32), String> {
    let run = RunConfig {
        replicates,
        seed: config.seed,
        record: 0..1,
    };
    let (engine, cap) = match backend {
        BenchBackend::Cpu => (Engine::Cpu(config.threads), CPU_BATCH),
        BenchBackend::Gpu => (Engine::Gpu, GPU_BATCH),
    };
    let budget = crate::report::budget(sc, replicates, 1, config.memory_budget).streamed(cap);
    let batch = budget
        .check(sc, &Sizes::of_plan(plan, sc))
        .map_err(|e| e.to_string())?
        .batch;
    let batch = engine.batch(plan, 1, batch)?;
    let dir = std::env::temp_dir().join(format!(
        "hormuz-bench-{}-{replicates}-{}",
        std::process::id(),
        backend.name()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let part = crate::report::Part {
        dir: &dir,
        range: 0..replicates,
        manifest: bench_manifest(replicates),
        resume: false,
        shard: false,
        stop: &|| false,
    };
    let out =
        crate::report::stream(sc, plan, &run, engine, batch, &part, |_| {}).map_err(|e| match e {
            crate::report::StreamError::Failed(m) | crate::report::StreamError::Checkpoint(m) => m,
            crate::report::StreamError::Stopped { .. } => "stopped".to_string(),
        });
    let _ = std::fs::remove_dir_all(&dir);
    Ok((out?, batch))
}

/// The manifest of a benchmark's run (its checkpoints are thrown away with its folder).
fn bench_manifest(replicates: u32) -> crate::report::shard::Manifest {
    crate::report::shard::Manifest {
        format: crate::report::shard::FORMAT.into(),
        hormuz: env!("CARGO_PKG_VERSION").into(),
        scenario_file: String::new(),
        scenario_sha256: String::new(),
        database_sha256: String::new(),
        seed: 0,
        replicates,
        recorded: 0,
        parameters: "point".into(),
        posterior: None,
        decide: Vec::new(),
        first: 0,
        end: replicates,
        shard: None,
        sweep: None,
    }
}

/// Run the benchmark. Fails only when a backend asked for by name cannot run.
pub fn bench(sc: Arc<Scenario>, plan: Arc<Plan>, config: &BenchConfig) -> Result<Bench, String> {
    let mut notes = Vec::new();
    let gpu = GpuContext::shared();
    let backends = if config.backends.is_empty() {
        let mut b = vec![BenchBackend::Cpu];
        match &gpu {
            Ok(_) => b.push(BenchBackend::Gpu),
            Err(e) => notes.push(format!("gpu left out: {e}")),
        }
        b
    } else {
        if config.backends.contains(&BenchBackend::Gpu) {
            gpu.clone()?;
        }
        config.backends.clone()
    };
    let drawn = config.draws.as_ref().map(|d| {
        let mut p = (*plan).clone();
        p.draws = Some(d.clone());
        Arc::new(p)
    });
    let plans: Vec<(&str, &Arc<Plan>)> = std::iter::once(("point", &plan))
        .chain(drawn.as_ref().map(|p| ("drawn", p)))
        .collect();
    let mut rows = Vec::new();
    for &backend in &backends {
        // Warm-up: thread pools, shader compilation, caches.
        run(&sc, &plan, backend, 8, config)?;
        for &(parameters, plan) in &plans {
            let mut previous: Option<(f64, u32)> = None;
            for &replicates in &config.replicates {
                let counted = reset_peak_rss();
                let t0 = Instant::now();
                let (out, batch) = run(&sc, plan, backend, replicates, config)?;
                let wall = t0.elapsed().as_secs_f64();
                let steps = out.stats.threat_steps;
                rows.push(BenchRow {
                    backend: backend.name().into(),
                    parameters: parameters.into(),
                    adapter: out.backend.adapter.clone(),
                    replicates,
                    batch,
                    threats_per_replicate: plan.tracks.len(),
                    visited_ticks: out.stats.visited_ticks,
                    threat_steps: steps,
                    threat_steps_per_replicate: steps as f64 / replicates.max(1) as f64,
                    wall_seconds: wall,
                    threat_steps_per_second: steps as f64 / wall.max(1e-9),
                    replicates_per_second: replicates as f64 / wall.max(1e-9),
                    peak_memory: if counted { peak_rss() } else { None },
                    wall_ratio: previous.map(|(w, _)| wall / w.max(1e-9)),
                    replicate_ratio: previous.map(|(_, n)| replicates as f64 / n.max(1) as f64),
                });
                previous = Some((wall, replicates));
            }
        }
    }
    let draw_cost = match (&drawn, config.replicates.iter().max()) {
        (Some(p), Some(&n)) => Some(draw_cost(p, n, &rows)?),
        _ => None,
    };

    let mut bandwidth = Bandwidth {
        host_copy: host_copy_bandwidth(),
        ..Bandwidth::default()
    };
    if let (true, Ok(ctx)) = (backends.contains(&BenchBackend::Gpu), &gpu) {
        bandwidth.gpu_copy = Some(gpu_copy_bandwidth(ctx)?);
        let n = config.profile_replicates.unwrap_or_else(|| {
            config
                .replicates
                .iter()
                .copied()
                .max()
                .unwrap_or(0)
                .min(1000)
        });
        if n > 0 {
            let mut backend = GpuBackend::with_context(ctx.clone(), plan.clone(), n, 0..0, None)?;
            let profile = backend.set_profiling();
            let cfg = RunConfig {
                replicates: n,
                seed: config.seed,
                record: 0..0,
            };
            Simulation::new(sc.clone(), plan.clone(), &cfg, Box::new(backend)).run(|_, _| {})?;
            let p = profile.lock().map_err(|_| "profile lock poisoned")?.clone();
            let copy = bandwidth.gpu_copy.unwrap_or(0.0);
            bandwidth.timestamps = p.timestamps;
            bandwidth.profiled_replicates = n;
            bandwidth.kernels = (0..KERNELS.len())
                .map(|k| {
                    let bps = p.bytes[k] as f64 / p.seconds[k].max(1e-12);
                    KernelRow {
                        kernel: KERNELS[k].0.into(),
                        invocations: p.invocations[k],
                        seconds: p.seconds[k],
                        bytes: p.bytes[k],
                        bytes_per_second: bps,
                        fraction_of_copy: if copy > 0.0 { bps / copy } else { 0.0 },
                    }
                })
                .collect();
        }
    }
    Ok(Bench {
        scenario: sc.name.clone(),
        rows,
        draw_cost,
        bandwidth,
        notes,
    })
}

/// Time what drawing adds on the host to a run of `n` replicates of `plan` (which draws):
/// every batch's rows of drawn thresholds (in batches of `CPU_BATCH`), the parameter
/// columns, and the unit costs the report draws per replicate (twice: the figures and the
/// summary).
fn draw_cost(plan: &Arc<Plan>, n: u32, rows: &[BenchRow]) -> Result<DrawCost, String> {
    let d = plan.draws.as_ref().ok_or("the plan draws nothing")?;
    let cost_params: Vec<usize> = (0..d.parameters.len())
        .filter(|&i| d.parameters[i].field == "cost_usd")
        .collect();
    let costs = !cost_params.is_empty();
    let t0 = Instant::now();
    let mut first = 0;
    while first < n {
        let b = CPU_BATCH.min(n - first);
        std::hint::black_box(d.batch_plan(plan, first, b)?);
        std::hint::black_box(d.values(first, b));
        if costs {
            for r in first..first + b {
                for &i in &cost_params {
                    std::hint::black_box(d.value_of(r, i));
                    std::hint::black_box(d.value_of(r, i));
                }
            }
        }
        first += b;
    }
    let point = rows
        .iter()
        .find(|r| r.parameters == "point" && r.replicates == n)
        .map_or(0.0, |r| r.wall_seconds);
    Ok(DrawCost {
        replicates: n,
        parameters: d.parameters.len(),
        seconds: t0.elapsed().as_secs_f64(),
        point_wall_seconds: point,
    })
}

/// The process's peak resident memory so far (`VmHWM`), where the system tells it.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Start counting the peak resident memory afresh (Linux: `/proc/self/clear_refs`);
/// whether it could.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Bytes of each copy in the bandwidth measurements.
const COPY_BYTES: usize = 256 << 20;

/// Host memcpy bandwidth: best of five copies of 256 MiB, read plus write bytes per
/// second.
pub fn host_copy_bandwidth() -> f64 {
    let src = vec![1u8; COPY_BYTES];
    let mut dst = vec![0u8; COPY_BYTES];
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t0 = Instant::now();
        dst.copy_from_slice(std::hint::black_box(&src));
        std::hint::black_box(&mut dst);
        best = best.min(t0.elapsed().as_secs_f64());
    }
    2.0 * COPY_BYTES as f64 / best
}

/// GPU buffer-to-buffer copy bandwidth: best of five copies (at most 256 MiB), timed
/// around the submission, read plus write bytes per second.
pub fn gpu_copy_bandwidth(ctx: &GpuContext) -> Result<f64, String> {
    let size = (COPY_BYTES as u64).min(ctx.limits.max_buffer_size) & !3;
    let buffer = |usage| {
        ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("bandwidth"),
            size,
            usage,
            mapped_at_creation: false,
        })
    };
    let src = buffer(wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST);
    let dst = buffer(wgpu::BufferUsages::COPY_DST);
    let copy = || -> Result<f64, String> {
        let mut e = ctx.device.create_command_encoder(&Default::default());
        e.copy_buffer_to_buffer(&src, 0, &dst, 0, size);
        let t0 = Instant::now();
        ctx.queue.submit([e.finish()]);
        ctx.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| format!("GPU wait failed: {e}"))?;
        Ok(t0.elapsed().as_secs_f64())
    };
    // Touch both buffers once (first use allocates and zeroes them).
    copy()?;
    let mut best = f64::MAX;
    for _ in 0..5 {
        best = best.min(copy()?);
    }
    Ok(2.0 * size as f64 / best)
}

fn si(v: f64) -> String {
    if v >= 1e9 {
        format!("{:.2} G", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.2} M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.2} k", v / 1e3)
    } else {
        format!("{v:.2} ")
    }
}

/// The benchmark as tables.
pub fn render(b: &Bench) -> String {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header([
        "backend",
        "parameters",
        "adapter",
        "replicates",
        "batch",
        "threat-steps/replicate",
        "threat-steps/s",
        "replicates/s",
        "wall s",
        "scaling",
        "peak memory",
    ]);
    for r in &b.rows {
        t.add_row([
            r.backend.clone(),
            r.parameters.clone(),
            r.adapter.clone(),
            r.replicates.to_string(),
            r.batch.to_string(),
            format!("{:.0}", r.threat_steps_per_replicate),
            si(r.threat_steps_per_second),
            format!("{:.1}", r.replicates_per_second),
            format!("{:.2}", r.wall_seconds),
            match (r.wall_ratio, r.replicate_ratio) {
                (Some(w), Some(n)) => format!("x{w:.2} for x{n:.0}"),
                _ => String::new(),
            },
            r.peak_memory
                .map_or("n/a".into(), |m| format!("{}B", si(m as f64))),
        ]);
    }
    let mut out = format!("{}\n{t}\n", b.scenario);
    if let Some(c) = &b.draw_cost {
        out.push_str(&format!(
            "drawing {} uncertain figures for {} replicates (rows of drawn thresholds, parameter columns, unit costs): {:.3} s on the host, {:.1}% of the point run's {:.2} s\n",
            c.parameters,
            c.replicates,
            c.seconds,
            100.0 * c.seconds / c.point_wall_seconds.max(1e-9),
            c.point_wall_seconds
        ));
    }
    let bw = &b.bandwidth;
    out.push_str(&format!("memory copy: host {}B/s", si(bw.host_copy)));
    if let Some(g) = bw.gpu_copy {
        out.push_str(&format!(", GPU buffer-to-buffer {}B/s", si(g)));
    }
    out.push_str(" (bytes read + written)\n");
    if !bw.kernels.is_empty() {
        let mut k = Table::new();
        k.load_style(UTF8_FULL_CONDENSED);
        k.set_header([
            "kernel",
            "invocations",
            "seconds",
            "bytes moved",
            "bytes/s",
            "share of GPU copy",
        ]);
        for r in &bw.kernels {
            k.add_row([
                r.kernel.clone(),
                r.invocations.to_string(),
                format!("{:.3}", r.seconds),
                format!("{}B", si(r.bytes as f64)),
                format!("{}B/s", si(r.bytes_per_second)),
                format!("{:.1}%", 100.0 * r.fraction_of_copy),
            ]);
        }
        out.push_str(&format!(
            "GPU kernels over one run of {} replicates (timed by {}; bytes: the rows every \
             invocation must read or write):\n{k}\n",
            bw.profiled_replicates,
            if bw.timestamps {
                "timestamp queries"
            } else {
                "wall time around each dispatch"
            }
        ));
    }
    for n in &b.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_parse_and_render_without_rows() {
        assert_eq!(BenchBackend::parse("GPU"), Ok(BenchBackend::Gpu));
        assert!(BenchBackend::parse("tpu").is_err());
        let b = Bench {
            scenario: "s".into(),
            rows: vec![BenchRow {
                backend: "cpu".into(),
                parameters: "point".into(),
                adapter: "host".into(),
                replicates: 10,
                batch: 10,
                threats_per_replicate: 5,
                visited_ticks: 3,
                threat_steps: 150,
                threat_steps_per_replicate: 15.0,
                wall_seconds: 0.5,
                threat_steps_per_second: 300.0,
                replicates_per_second: 20.0,
                peak_memory: Some(3 << 20),
                wall_ratio: Some(9.5),
                replicate_ratio: Some(10.0),
            }],
            draw_cost: Some(DrawCost {
                replicates: 10,
                parameters: 4,
                seconds: 0.01,
                point_wall_seconds: 0.5,
            }),
            bandwidth: Bandwidth {
                host_copy: 2e10,
                ..Bandwidth::default()
            },
            notes: vec!["gpu left out: none".into()],
        };
        let text = render(&b);
        assert!(text.contains("20.0"), "{text}");
        assert!(text.contains("x9.50 for x10"), "{text}");
        assert!(text.contains("3.15 MB"), "{text}");
        assert!(text.contains("20.00 GB/s"), "{text}");
        assert!(text.contains("gpu left out"), "{text}");
        assert!(
            text.contains("drawing 4 uncertain figures for 10 replicates (rows of drawn thresholds, parameter columns, unit costs): 0.010 s on the host, 2.0% of the point run's 0.50 s"),
            "{text}"
        );
    }
}
