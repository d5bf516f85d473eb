//! One full run of the default scenario on the CPU backend, the speed target of the
//! engine-core issue (1,000 replicates of gulf-2026 in under 10 s on 2 cores, release).
//! `cargo bench --bench engine`; `hormuz bench` prints the same figures as a table.

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hormuz::engine::plan;
use hormuz::scenario;
use hormuz::world::RunConfig;

fn gulf_2026(c: &mut Criterion) {
    let sc = Arc::new(scenario::load_path(None).expect("embedded scenario"));
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
}

criterion_group! {
    name = benches;
    // criterion's plots need system fonts, which a bare CI machine lacks.
    config = Criterion::default().without_plots();
    targets = gulf_2026
}
criterion_main!(benches);
