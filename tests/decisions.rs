//! Decisions under uncertainty (`[[decisions]]`, docs/scenario.md "Decisions"): each
//! replicate's path, drawn on the host from (seed, replicate, decision id), its
//! frequencies against the probabilities, conditions, the orders that wait on an outcome,
//! the same paths whatever the batch, and bad input refused where it is written.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::decisions::assert_share;
use common::*;
use hormuz::engine::decisions::{NOT_TAKEN, run_paths};
use hormuz::engine::params::Draws;
use hormuz::engine::plan::Plan;
use hormuz::report;
use hormuz::scenario::Scenario;
use hormuz::world::{Engine, RunConfig, run_batches};

/// The smoke scenario with the ballistic wave waiting on wide retaliation, and proxies
/// that join (or not) only after it. `retaliation` and `proxies` replace the decisions'
/// outcome lists.
fn text(retaliation: &str, proxies: &str) -> String {
    let smoke = common::decisions::smoke_with_wave_on_wide();
    format!(
        "{smoke}
[[decisions]]
id = \"retaliation\"
at = \"00:05\"
assumed = true
outcomes = {retaliation}

[[decisions]]
id = \"proxies\"
at = \"00:06\"
given = {{ decision = \"retaliation\", outcome = \"wide\" }}
assumed = true
outcomes = {proxies}
"
    )
}

const RETALIATION: &str =
    "[{ id = \"none\", p = 0.5 }, { id = \"calibrated\", p = 0.3 }, { id = \"wide\" }]";
const PROXIES: &str = "[{ id = \"join\", p = 0.7 }, { id = \"stay-out\" }]";

fn load(text: &str) -> Result<(Arc<Scenario>, Arc<Plan>), String> {
    common::decisions::load("decisions.toml", text)
}

/// How many replicates took each outcome of decision `d` (the last: not taken).
fn counts(paths: &[u32], decisions: usize, d: usize, outcomes: usize) -> Vec<usize> {
    let mut c = vec![0; outcomes + 1];
    for row in paths.chunks(decisions) {
        let k = row[d];
        c[if k == NOT_TAKEN { outcomes } else { k as usize }] += 1;
    }
    c
}

#[test]
fn branch_frequencies_match_their_probabilities_and_conditions() {
    let (sc, plan) = load(&text(RETALIATION, PROXIES)).unwrap();
    let ids: Vec<&str> = sc.decisions.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["proxies", "retaliation"], "canonical order, by id");
    let n = 40_000;
    let paths = run_paths(&sc, &plan, 11, 0, n);
    assert_eq!(paths.len(), 2 * n as usize);
    let r = counts(&paths, 2, 1, 3);
    assert_eq!(r[3], 0, "retaliation is always taken");
    for (k, p) in [0.5, 0.3, 0.2].into_iter().enumerate() {
        assert_share(r[k], n as usize, p, sc.decisions[1].outcomes[k].id.as_str());
    }
    // Proxies: taken exactly where retaliation was wide, then 0.7 / 0.3.
    let wide: Vec<&[u32]> = paths.chunks(2).filter(|row| row[1] == 2).collect();
    assert!(
        paths
            .chunks(2)
            .all(|row| (row[0] != NOT_TAKEN) == (row[1] == 2))
    );
    let join = wide.iter().filter(|row| row[0] == 0).count();
    assert_share(join, wide.len(), 0.7, "join given wide");
    // The path of a replicate depends on its index alone.
    let later = run_paths(&sc, &plan, 11, 1000, 500);
    assert_eq!(later, paths[2000..3000]);
    assert_ne!(run_paths(&sc, &plan, 12, 0, 500), paths[..1000], "seed");
}

#[test]
fn a_probability_written_as_a_distribution_is_drawn_per_replicate() {
    // p(calibrated) ~ triangular(0.1, 0.2, 0.6): mean 0.3, point 0.2; wide takes the rest.
    let tri = "[{ id = \"none\", p = 0.3 }, { id = \"calibrated\", p = { low = 0.1, mode = 0.2, high = 0.6 } }, { id = \"wide\" }]";
    let (sc, plan) = load(&text(tri, PROXIES)).unwrap();
    let p = &sc.parameters;
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].path, "decisions.retaliation.calibrated");
    let n = 40_000usize;
    // Point values: 0.3 / 0.2 / 0.5.
    let point = counts(&run_paths(&sc, &plan, 5, 0, n as u32), 2, 1, 3);
    assert_share(point[1], n, 0.2, "calibrated at its point value");
    assert_share(point[2], n, 0.5, "wide, the rest of the point values");
    // Drawn per replicate: the share is the distribution's mean, 0.3, and wide takes
    // 1 - 0.3 - 0.3 = 0.4 on average.
    let mut drawn = (*plan).clone();
    drawn.draws = Some(Arc::new(Draws::new(&sc, &plan, 5)));
    let d = counts(&run_paths(&sc, &drawn, 5, 0, n as u32), 2, 1, 3);
    assert_share(d[1], n, 0.3, "calibrated drawn");
    assert_share(d[2], n, 0.4, "wide drawn");
}

#[test]
fn orders_wait_on_their_outcome_and_paths_do_not_depend_on_the_batch() {
    let (sc, plan) = load(&text(RETALIATION, PROXIES)).unwrap();
    let config = RunConfig {
        replicates: 60,
        seed: 3,
        record: 0..60,
    };
    let whole =
        hormuz::world::run_cpu(sc.clone(), plan.clone(), &config, None, |_, _| {}).expect("run");
    assert_eq!(whole.paths, run_paths(&sc, &plan, 3, 0, 60));
    let fig = report::figures(&sc, &plan, &whole);
    let wide = fig.column("decision_retaliation").unwrap();
    let launched = fig.column("launched_ballistic").unwrap();
    assert!(wide.contains(&2.0) && wide.iter().any(|&k| k != 2.0));
    for (k, l) in wide.iter().zip(&launched) {
        assert_eq!(
            *k == 2.0,
            *l > 0.0,
            "the wave launches where retaliation is wide"
        );
    }
    let proxies = fig.column("decision_proxies").unwrap();
    assert!(
        proxies
            .iter()
            .zip(&wide)
            .all(|(p, w)| (*p == -1.0) == (*w != 2.0))
    );
    assert!(
        whole
            .log
            .iter()
            .any(|e| e.text.starts_with("decision retaliation: "))
    );
    // In batches of 7: the same paths, final states and log.
    let mut batched: Option<hormuz::world::RunOutput> = None;
    run_batches(
        &sc,
        &plan,
        &config,
        Engine::Cpu(None),
        7,
        |_| {},
        |b| {
            match &mut batched {
                None => batched = Some(b.out),
                Some(w) => w.append(b.out, b.first),
            }
            Ok(())
        },
    )
    .unwrap();
    let batched = batched.unwrap();
    assert_eq!(batched.paths, whole.paths);
    assert_eq!(batched.final_state.threats, whole.final_state.threats);
    assert_eq!(batched.log, whole.log);
}

fn write(dir: &Path, text: &str) -> String {
    std::fs::copy(data_dir().join("db.toml"), dir.join("db.toml")).unwrap();
    let p = dir.join("decisions.toml");
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn the_run_writes_each_path_and_its_share() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), &text(RETALIATION, PROXIES));
    let out = dir.path().join("out");
    let o = hormuz(&["run", &p, "-n", "40", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(out.join("replicates.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with(",decision_proxies,decision_retaliation"),
        "{header}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let d = &summary["decisions"];
    assert_eq!(d[1]["id"], "retaliation");
    let shares: f64 = (0..3)
        .map(|k| d[1]["outcomes"][k]["share"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-12);
    // Figures conditional on each path: the means of the rows that took it.
    let mut rows = csv::Reader::from_path(out.join("replicates.csv")).unwrap();
    let names: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
    let col = |n: &str| names.iter().position(|x| x == n).unwrap();
    let (k, launched) = (col("decision_retaliation"), col("launched_total"));
    let mut by_outcome = [(0.0, 0u32); 3];
    for r in rows.records() {
        let r = r.unwrap();
        let o: f64 = r[k].parse().unwrap();
        let e = &mut by_outcome[o as usize];
        e.0 += r[launched].parse::<f64>().unwrap();
        e.1 += 1;
    }
    for (o, (sum, n)) in by_outcome.iter().enumerate() {
        let outcome = &d[1]["outcomes"][o];
        assert_eq!(outcome["replicates"].as_u64().unwrap(), *n as u64);
        if *n > 0 {
            let mean = outcome["figures"]["launched_total"]["mean"]
                .as_f64()
                .unwrap();
            assert!((mean - sum / *n as f64).abs() < 1e-9, "{outcome}");
        }
    }
    let wide = &d[1]["outcomes"][2]["figures"]["launched_total"]["mean"];
    let none = &d[1]["outcomes"][0]["figures"]["launched_total"]["mean"];
    assert!(
        wide.as_f64().unwrap() > none.as_f64().unwrap() + 10.0,
        "the wave adds 20"
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("share of replicates"), "{stdout}");
}

/// The scenario with `from` replaced by `to` is refused by `hormuz check`, exit 2, with
/// `needle` at the line where `to` (its first line) is written.
fn refused(from: &str, to: &str, needle: &str) {
    let text = text(RETALIATION, PROXIES);
    assert!(text.contains(from), "{from:?}");
    let text = text.replacen(from, to, 1);
    let line = text
        .lines()
        .position(|l| l.contains(to.lines().next().unwrap()))
        .unwrap()
        + 1;
    common::decisions::refused_at("decisions.toml", &text, needle, line);
}

#[test]
fn bad_decisions_are_refused_where_they_are_written() {
    refused(
        "{ id = \"wide\" }]",
        "{ id = \"wide\", p = 0.1 }]",
        "the outcomes' probabilities sum to 0.9",
    );
    refused(
        "{ id = \"join\", p = 0.7 }",
        "{ id = \"join\", p = 1.7 }",
        "expected a probability between 0 and 1",
    );
    refused(
        "{ id = \"none\", p = 0.5 }",
        "{ id = \"none\", p = { low = 0.4, mode = 0.5, high = 0.9 } }",
        "may sum to",
    );
    refused(
        "{ id = \"join\", p = 0.7 }, { id = \"stay-out\" }",
        "{ id = \"join\", p = { low = 0.6, mode = 0.7, high = 0.8 } }, { id = \"stay-out\", p = 0.3 }",
        "needs an outcome without `p`",
    );
    refused(
        "outcome = \"wide\", delay",
        "outcome = \"broad\", delay",
        "unknown outcome \"broad\"",
    );
    refused(
        "given = { decision = \"retaliation\", outcome = \"wide\" }",
        "given = { decision = \"proxies\", outcome = \"join\" }",
        "depends on itself",
    );
    refused(
        "at = \"00:06\"",
        "at = \"03:00\"",
        "after the end of the scenario",
    );
}

#[test]
fn paths_and_their_orders_give_the_same_bytes_on_cpu_and_gpu() {
    if require_gpu().is_none() {
        return;
    }
    let (sc, plan) = load(&text(RETALIATION, PROXIES)).unwrap();
    let config = RunConfig {
        replicates: 48,
        seed: 9,
        record: 0..48,
    };
    let cpu = hormuz::world::run_cpu(sc.clone(), plan.clone(), &config, None, |_, _| {})
        .expect("cpu run");
    // Batches of 16 on the device: paths keyed by the replicate, not the batch.
    let backend = hormuz::engine::gpu::GpuBackend::new(plan.clone(), 48, 0..48, Some(16))
        .expect("gpu backend");
    assert_eq!(backend.batch_sizes(), vec![16, 16, 16]);
    let gpu = hormuz::world::Simulation::new(sc.clone(), plan.clone(), &config, Box::new(backend))
        .run(|_, _| {})
        .expect("gpu run");
    assert_eq!(cpu.paths, gpu.paths);
    assert_eq!(cpu.final_state.threats, gpu.final_state.threats);
    assert_eq!(cpu.final_state.assets, gpu.final_state.assets);
    assert_eq!(cpu.events, gpu.events);
    assert_eq!(cpu.log, gpu.log);
    let (fc, fg) = (
        report::figures(&sc, &plan, &cpu),
        report::figures(&sc, &plan, &gpu),
    );
    assert_eq!(fc.rows, fg.rows);
    let wide = fc.column("decision_retaliation").unwrap();
    assert!(wide.contains(&2.0) && wide.iter().any(|&k| k != 2.0));
}

#[test]
fn a_sweep_varies_a_probability_by_its_ids() {
    // Common random numbers: each replicate's uniform is the same at every point, so
    // raising p(none) moves replicates from wide (the rest) to none, never back.
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), &text(RETALIATION, PROXIES));
    let out = dir.path().join("sweep");
    let o = hormuz(&[
        "sweep",
        &p,
        "--vary",
        "decisions.retaliation.outcomes.none.p=0.1..0.7:0.6",
        "-n",
        "100",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut rows = csv::Reader::from_path(out.join("sweep.csv")).unwrap();
    let names: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
    let c = names
        .iter()
        .position(|n| n == "launched_ballistic_mean")
        .unwrap();
    let means: Vec<f64> = rows
        .records()
        .map(|r| r.unwrap()[c].parse().unwrap())
        .collect();
    assert_eq!(means.len(), 2);
    // p(wide) = 0.6 then 0: the wave's 20 rounds in about 60% of replicates, then none.
    assert!(means[0] > 5.0 && means[1] == 0.0, "{means:?}");
}
