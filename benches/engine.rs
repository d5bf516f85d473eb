//! One full run of the default scenario on the CPU backend, the speed target of the
//! engine-core issue (1,000 replicates of gulf-2026 in under 10 s on 2 cores, release).
//! `cargo bench --bench engine` (replicates/s as criterion's throughput; then threat-steps
//! per replicate, peak memory and the scaling from 100 to 1,000 replicates, printed);
//! `hormuz bench` prints the same figures as a table.

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hormuz::engine::plan;
use hormuz::scenario;
use hormuz::world::RunConfig;

fn gulf_2026(c: &mut Criterion) {
    // The built-in decision tree on its fixed path, the wide war: the workload the speed
    // targets were set on.
    let mut sc = scenario::load_path(None).expect("embedded scenario");
    for (d, o) in scenario::WIDE_WAR {
        sc.take_by_hand(d, o).expect("the built-in decisions");
    }
    let sc = Arc::new(sc);
    let plan = Arc::new(plan::build(&sc));
    let mut g = c.benchmark_group("gulf-2026");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(60));
    g.bench_function("plan", |b| b.iter(|| plan::build(&sc)));
    for replicates in [100u32, 1000] {
        g.throughput(Throughput::Elements(replicates as u64));
        g.bench_function(format!("cpu run, {replicates} replicates"), |b| {
            b.iter(|| {
                let config = RunConfig {
                    replicates,
                    seed: 1,
                    record: 0..0,
                };
                hormuz::world::run_cpu(sc.clone(), plan.clone(), &config, None, |_, _| {})
                    .expect("run")
            })
        });
    }
    g.finish();
    scaling(&sc, &plan);
}

/// What criterion does not measure, from one run at each count: threat-steps per replicate
/// (flat when the cost is linear in replicates), the process's peak resident memory during
/// the run, and the wall-time ratio of each count to the previous one.
fn scaling(sc: &Arc<scenario::Scenario>, plan: &Arc<plan::Plan>) {
    let mut previous: Option<(f64, u32)> = None;
    for replicates in [100u32, 1000] {
        let counted = hormuz::bench::reset_peak_rss();
        let config = RunConfig {
            replicates,
            seed: 1,
            record: 0..0,
        };
        let t0 = std::time::Instant::now();
        let out = hormuz::world::run_cpu(sc.clone(), plan.clone(), &config, None, |_, _| {})
            .expect("run");
        let wall = t0.elapsed().as_secs_f64();
        let peak = hormuz::bench::peak_rss()
            .filter(|_| counted)
            .map_or("n/a".into(), |b| {
                format!("{:.1} MiB", b as f64 / (1 << 20) as f64)
            });
        let ratio = previous.map_or(String::new(), |(w, n)| {
            format!(
                ", wall x{:.2} for x{}",
                wall / w.max(1e-9),
                replicates / n.max(1)
            )
        });
        println!(
            "gulf-2026 cpu run, {replicates} replicates: {:.0} threat-steps per replicate, peak memory {peak}{ratio}",
            out.stats.threat_steps as f64 / replicates as f64
        );
        previous = Some((wall, replicates));
    }
}

criterion_group! {
    name = benches;
    // criterion's plots need system fonts, which a bare CI machine lacks.
    config = Criterion::default().without_plots();
    targets = gulf_2026
}
criterion_main!(benches);
