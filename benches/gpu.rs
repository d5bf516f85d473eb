//! The CPU and GPU backends side by side on the default scenario: one engine step (the
//! four kernels over every replicate, from the middle of the campaign) and one whole run.
//! `cargo bench --bench gpu`; without a GPU adapter only the CPU rows run.
//! `hormuz bench` prints the same comparison, with memory bandwidth, as a table.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hormuz::engine::backend::{Backend, CpuBackend};
use hormuz::engine::gpu::{GpuBackend, GpuContext};
use hormuz::engine::plan::{self, Plan};
use hormuz::scenario::{self, Scenario};
use hormuz::world::{RunConfig, Simulation};

const STEP_REPLICATES: u32 = 256;
const RUN_REPLICATES: u32 = 100;
/// Ticks run (untimed) before the timed steps: the opening salvos are in the air.
const WARM_STEPS: u32 = 300;

fn backend(gpu: bool, plan: &Arc<Plan>, replicates: u32) -> Box<dyn Backend> {
    if gpu {
        Box::new(GpuBackend::new(plan.clone(), replicates, 0..0, None).expect("gpu backend"))
    } else {
        Box::new(CpuBackend::new(plan.clone(), replicates, 0..0, None).expect("cpu backend"))
    }
}

/// `iters` consecutive steps, starting `WARM_STEPS` ticks into the run (a fresh run
/// whenever one ends).
fn time_steps(sc: &Arc<Scenario>, plan: &Arc<Plan>, gpu: bool, iters: u64) -> Duration {
    let config = RunConfig {
        replicates: STEP_REPLICATES,
        seed: 1,
        record: 0..0,
    };
    let fresh = || {
        let mut sim = Simulation::new(
            sc.clone(),
            plan.clone(),
            &config,
            backend(gpu, plan, STEP_REPLICATES),
        );
        for _ in 0..WARM_STEPS {
            sim.step().expect("step");
        }
        sim
    };
    let mut sim = fresh();
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let t0 = Instant::now();
        let more = sim.step().expect("step");
        total += t0.elapsed();
        if !more {
            sim = fresh();
        }
    }
    total
}

fn engine(c: &mut Criterion) {
    // The built-in decision tree on its fixed path, the wide war: the workload the speed
    // targets were set on.
    let mut sc = scenario::load_path(None).expect("embedded scenario");
    for (d, o) in scenario::WIDE_WAR {
        sc.take_by_hand(d, o).expect("the built-in decisions");
    }
    let sc = Arc::new(sc);
    let plan = Arc::new(plan::build(&sc));
    let gpu = match GpuContext::shared() {
        Ok(ctx) => {
            eprintln!("GPU: {}", ctx.describe());
            true
        }
        Err(e) => {
            eprintln!("GPU rows left out: {e}");
            false
        }
    };
    let backends: Vec<(&str, bool)> = if gpu {
        vec![("cpu", false), ("gpu", true)]
    } else {
        vec![("cpu", false)]
    };

    let mut g = c.benchmark_group("gulf-2026 step");
    g.sample_size(20);
    g.throughput(Throughput::Elements(STEP_REPLICATES as u64));
    for &(name, on_gpu) in &backends {
        g.bench_function(format!("{name}, {STEP_REPLICATES} replicates"), |b| {
            b.iter_custom(|iters| time_steps(&sc, &plan, on_gpu, iters))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("gulf-2026 run");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(60));
    g.throughput(Throughput::Elements(RUN_REPLICATES as u64));
    for &(name, on_gpu) in &backends {
        g.bench_function(format!("{name}, {RUN_REPLICATES} replicates"), |b| {
            b.iter(|| {
                let config = RunConfig {
                    replicates: RUN_REPLICATES,
                    seed: 1,
                    record: 0..0,
                };
                Simulation::new(
                    sc.clone(),
                    plan.clone(),
                    &config,
                    backend(on_gpu, &plan, RUN_REPLICATES),
                )
                .run(|_, _| {})
                .expect("run")
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    // No plots: criterion's plotters backend needs system fonts, absent on CI images.
    config = Criterion::default().without_plots();
    targets = engine
}
criterion_main!(benches);
