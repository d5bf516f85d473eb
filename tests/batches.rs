//! A replicate's outcome is a function of the scenario, the seed and its index alone: not
//! of the replicates that run beside it, the batches a run is cut into, or the loop order
//! of the backend. And `summary.json` built batch by batch, with the percentiles of
//! figures of many values found by reading `replicates.csv` again, is the one built from
//! every row in memory.

mod common;

use std::sync::Arc;

use hormuz::engine::backend::CpuBackend;
use hormuz::engine::plan::{self, Plan};
use hormuz::report::{self, SummaryBuilder};
use hormuz::scenario::{self, Scenario};
use hormuz::world::{Engine, RunConfig, RunOutput, Simulation, run_batches, run_collected};

fn gulf() -> (Arc<Scenario>, Arc<Plan>) {
    let sc = scenario::load_path(None).expect("the default scenario loads");
    let plan = plan::build(&sc);
    (Arc::new(sc), Arc::new(plan))
}

fn config(replicates: u32, record: u32) -> RunConfig {
    RunConfig {
        replicates,
        seed: 11,
        record: 0..record,
    }
}

/// Everything a run hands on, as comparable text.
fn text(sc: &Scenario, plan: &Plan, out: &RunOutput) -> (Vec<Vec<f64>>, String, String) {
    let fig = report::figures(sc, plan, out);
    let log = format!("{:?}", out.log);
    let events = format!("{:?}", out.events);
    (fig.rows, log, events)
}

#[test]
fn a_replicate_does_not_depend_on_the_replicates_beside_it_or_the_batches() {
    let (sc, plan) = gulf();
    let cpu = Engine::Cpu(Some(2));
    let whole = run_collected(&sc, &plan, &config(24, 3), cpu, 24, |_, _| {}).unwrap();
    let half = run_collected(&sc, &plan, &config(12, 3), cpu, 12, |_, _| {}).unwrap();
    let (rows, log, events) = text(&sc, &plan, &whole);
    let (rows_half, log_half, events_half) = text(&sc, &plan, &half);
    assert_eq!(
        rows[..12],
        rows_half[..],
        "the first 12 rows of 24 differ from 12 alone"
    );
    assert_eq!(log, log_half, "the log of the recorded replicates differs");
    assert_eq!(
        events, events_half,
        "the events of the recorded replicates differ"
    );
    // Batches of 5 (the recorded replicates split across two), and of one.
    for batch in [5, 1] {
        let cut = run_collected(&sc, &plan, &config(24, 7), cpu, batch, |_, _| {}).unwrap();
        let all = run_collected(&sc, &plan, &config(24, 7), cpu, 24, |_, _| {}).unwrap();
        assert_eq!(
            text(&sc, &plan, &cut),
            text(&sc, &plan, &all),
            "batches of {batch}"
        );
        assert_eq!(cut.final_state.threats, all.final_state.threats);
    }
    // Batch by batch, each batch's replicates are numbered from its first.
    let mut firsts = Vec::new();
    run_batches(
        &sc,
        &plan,
        &config(24, 0),
        cpu,
        10,
        |_| {},
        |b| {
            firsts.push((b.first, b.out.replicates));
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(firsts, [(0, 10), (10, 10), (20, 4)]);
}

#[test]
fn lane_by_lane_and_tick_by_tick_give_the_same_run() {
    let (sc, plan) = gulf();
    let cfg = config(16, 2);
    let lanes = Simulation::new(
        sc.clone(),
        plan.clone(),
        &cfg,
        Box::new(CpuBackend::new(plan.clone(), 16, cfg.record.clone(), Some(2)).unwrap()),
    )
    .run(|_, _| {})
    .unwrap();
    let mut sim = Simulation::new(
        sc.clone(),
        plan.clone(),
        &cfg,
        Box::new(CpuBackend::new(plan.clone(), 16, cfg.record.clone(), Some(2)).unwrap()),
    );
    while sim.step().unwrap() {}
    let ticks = sim.finish().unwrap();
    assert_eq!(text(&sc, &plan, &lanes), text(&sc, &plan, &ticks));
    assert_eq!(lanes.fired, ticks.fired);
    assert!(
        lanes.fired.iter().any(|&t| t != u32::MAX),
        "no trigger fired: the test would not see the host decide for one replicate"
    );
    assert_eq!(lanes.stats.threat_steps, ticks.stats.threat_steps);
    assert_eq!(lanes.stats.visited_ticks, ticks.stats.visited_ticks);
}

#[test]
fn the_summary_built_batch_by_batch_is_the_summary_of_all_rows() {
    let (sc, plan) = gulf();
    let out = run_collected(
        &sc,
        &plan,
        &config(120, 1),
        Engine::Cpu(Some(2)),
        120,
        |_, _| {},
    )
    .unwrap();
    let fig = report::figures(&sc, &plan, &out);
    let whole = report::summary(&sc, &plan, &out, &fig);
    // Batches of 32 into a CSV, figures spilled past 3 distinct values, their percentiles
    // selected from the CSV read back.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("replicates.csv");
    let file = std::fs::File::create(&csv).unwrap();
    let mut rows = report::RowWriter::new(file, &fig.names).unwrap();
    let mut b = SummaryBuilder::with_distinct(&sc, &plan, 3);
    run_batches(
        &sc,
        &plan,
        &config(120, 1),
        Engine::Cpu(Some(2)),
        32,
        |_| {},
        |bt| {
            let f = report::figures_of_batch(&sc, &plan, &bt.out, bt.first);
            rows.write(&f).unwrap();
            b.add(&bt.out, &f);
            Ok(())
        },
    )
    .unwrap();
    rows.sync().unwrap();
    let mut reads = 0;
    let streamed = b
        .finish(report::run_facts(&out), &mut |visit, columns| {
            reads += 1;
            report::read_columns(&csv, columns, visit)
        })
        .unwrap();
    assert!(
        reads >= 2,
        "the spilled figures were read back {reads} times"
    );
    assert_eq!(
        serde_json::to_string_pretty(&streamed).unwrap(),
        serde_json::to_string_pretty(&whole).unwrap()
    );
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), {
        let p = dir.path().join("whole.csv");
        report::write_csv(&fig, &p).unwrap();
        std::fs::read_to_string(&p).unwrap()
    });
}

/// With its unit costs drawn per replicate, an interceptor's cost takes a value per
/// replicate: its accumulator spills, and its percentiles are found again from the rows
/// (rounds fired times the `param_` column of its cost), as the summary of all rows has them.
#[test]
fn drawn_unit_costs_spill_and_are_read_back_from_their_columns() {
    let (sc, plan) = gulf();
    let mut p = (*plan).clone();
    let draws = Arc::new(hormuz::engine::params::Draws::new(&sc, &p, 11));
    assert!(draws.parameters.iter().any(|p| p.field == "cost_usd"));
    p.draws = Some(draws.clone());
    let plan = Arc::new(p);
    let out = run_collected(
        &sc,
        &plan,
        &config(60, 1),
        Engine::Cpu(Some(2)),
        60,
        |_, _| {},
    )
    .unwrap();
    let fig = report::figures(&sc, &plan, &out);
    let whole = report::summary(&sc, &plan, &out, &fig);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("replicates.csv");
    let file = std::fs::File::create(&csv).unwrap();
    let mut names = fig.names.clone();
    names.extend(draws.parameters.iter().map(|p| format!("param_{}", p.path)));
    let mut rows = report::RowWriter::new(file, &names).unwrap();
    let mut b = SummaryBuilder::with_distinct(&sc, &plan, 3);
    run_batches(
        &sc,
        &plan,
        &config(60, 1),
        Engine::Cpu(Some(2)),
        16,
        |_| {},
        |bt| {
            let f = report::figures_of_batch(&sc, &plan, &bt.out, bt.first);
            let values = draws.values(bt.first, bt.out.replicates);
            rows.write_with(&f, &values, draws.parameters.len())
                .unwrap();
            b.add(&bt.out, &f);
            Ok(())
        },
    )
    .unwrap();
    rows.sync().unwrap();
    let streamed = b
        .finish(report::run_facts(&out), &mut |visit, columns| {
            report::read_columns(&csv, columns, visit)
        })
        .unwrap();
    assert_eq!(
        serde_json::to_string_pretty(&streamed.interceptors).unwrap(),
        serde_json::to_string_pretty(&whole.interceptors).unwrap()
    );
    assert_eq!(
        serde_json::to_string_pretty(&streamed).unwrap(),
        serde_json::to_string_pretty(&whole).unwrap()
    );
}
