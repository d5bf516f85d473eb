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
    // In the order they are taken: retaliation (00:05), then proxies (00:06, given it).
    let d = &summary["decisions"];
    assert_eq!(d[0]["id"], "retaliation");
    assert_eq!(d[1]["id"], "proxies");
    let shares: f64 = (0..3)
        .map(|k| d[0]["outcomes"][k]["share"].as_f64().unwrap())
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
        let outcome = &d[0]["outcomes"][o];
        assert_eq!(outcome["replicates"].as_u64().unwrap(), *n as u64);
        if *n > 0 {
            let mean = outcome["figures"]["launched_total"]["mean"]
                .as_f64()
                .unwrap();
            assert!((mean - sum / *n as f64).abs() < 1e-9, "{outcome}");
        }
    }
    let wide = &d[0]["outcomes"][2]["figures"]["launched_total"]["mean"];
    let none = &d[0]["outcomes"][0]["figures"]["launched_total"]["mean"];
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

/// Nearest-rank p5 and p95 of `values`, by sorting (the definition, not the summary's
/// histograms or selection passes).
fn sorted_band(values: &[f64]) -> (f64, f64) {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = |q: f64| ((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    (v[rank(0.05)], v[rank(0.95)])
}

/// Each outcome's figures in `summary["decisions"]` against the rows of `rows` (the
/// header then the values) that took it: p5 and p95 the sorted quantiles of those rows.
/// Returns how many (outcome, figure) bands were compared.
fn bands_match_rows(summary: &serde_json::Value, names: &[String], rows: &[Vec<f64>]) -> usize {
    let col = |n: &str| names.iter().position(|x| x == n).unwrap();
    let mut compared = 0;
    for d in summary["decisions"].as_array().unwrap() {
        let k = col(&format!("decision_{}", d["id"].as_str().unwrap()));
        for (o, outcome) in d["outcomes"].as_array().unwrap().iter().enumerate() {
            let taken: Vec<&Vec<f64>> = rows.iter().filter(|r| r[k] == o as f64).collect();
            assert_eq!(outcome["replicates"].as_u64().unwrap(), taken.len() as u64);
            let figures = outcome["figures"].as_object().unwrap();
            assert_eq!(figures.is_empty(), taken.is_empty(), "{outcome}");
            for (name, f) in figures {
                let values: Vec<f64> = taken.iter().map(|r| r[col(name)]).collect();
                let (p5, p95) = sorted_band(&values);
                let what = format!("{} = {}: {name}", d["id"], outcome["id"]);
                assert_eq!(f["p5"].as_f64().unwrap(), p5, "{what}");
                assert_eq!(f["p95"].as_f64().unwrap(), p95, "{what}");
                assert!(f["p5"].as_f64() <= f["mean"].as_f64(), "{what}");
                assert!(f["mean"].as_f64() <= f["p95"].as_f64(), "{what}");
                compared += 1;
            }
        }
    }
    compared
}

fn read_rows(csv: &Path) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut r = csv::Reader::from_path(csv).unwrap();
    let names = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(|v| v.parse().unwrap()).collect())
        .collect();
    (names, rows)
}

fn summary_without_timing(dir: &Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    v["run"].as_object_mut().unwrap().remove("timing");
    v
}

#[test]
fn each_path_has_the_bands_of_its_own_rows_and_shards_merge_to_them() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), &text(RETALIATION, PROXIES));
    let single = dir.path().join("single");
    let run = |out: &Path, extra: &[&str]| {
        let mut args = vec!["run", &p, "-b", "cpu", "-n", "90", "-s", "4"];
        args.extend(["--out", out.to_str().unwrap()]);
        args.extend(extra);
        let o = hormuz(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        o
    };
    let o = run(&single, &[]);
    let summary = summary_without_timing(&single);
    let (names, rows) = read_rows(&single.join("replicates.csv"));
    let compared = bands_match_rows(&summary, &names, &rows);
    assert!(compared >= 20, "{compared} bands");
    // Paths with different outcomes have different bands: the wave of 20 rounds.
    let leaked =
        |o: usize| summary["decisions"][0]["outcomes"][o]["figures"]["leaked_total"].clone();
    assert!(
        leaked(2)["p95"].as_f64() > leaked(0)["p95"].as_f64(),
        "{}",
        leaked(2)
    );
    // The table shows mean [p5–p95] of leakers and hits per outcome.
    let stdout = String::from_utf8_lossy(&o.stdout);
    let wide = stdout
        .lines()
        .find(|l| l.contains("retaliation") && l.contains(" wide "))
        .unwrap_or_else(|| panic!("no row for wide retaliation in:\n{stdout}"));
    let l = &leaked(2);
    let x = |k: &str| l[k].as_f64().unwrap();
    let band = format!("{:.1} [{}–{}]", x("mean"), x("p5"), x("p95"));
    assert!(wide.contains(&band), "{band:?} not in {wide:?}");
    // Three shards merged: the same summary, bands included.
    let shards = dir.path().join("shards");
    for i in 0..3 {
        run(&shards, &["--shard", &format!("{i}/3")]);
    }
    let merged = dir.path().join("merged");
    let mut args = vec!["merge", "-q", "--out", merged.to_str().unwrap()];
    let parts: Vec<String> = (0..3)
        .map(|i| {
            shards
                .join(format!("shard-{i}-of-3"))
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    args.extend(parts.iter().map(String::as_str));
    let m = hormuz(&args);
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    assert_eq!(summary_without_timing(&merged), summary);
}

/// Bands whose histograms spill (as money does in a long run) are found again from the rows
/// read back, those of their outcome only: the summary streamed through batches with
/// histograms of 3 values is the summary held whole, and each band the sorted quantile.
#[test]
fn spilled_bands_are_selected_from_their_outcome_rows() {
    let (sc, plan) = load(&text(RETALIATION, PROXIES)).unwrap();
    let config = RunConfig {
        replicates: 120,
        seed: 6,
        record: 0..0,
    };
    let out = hormuz::world::run_cpu(sc.clone(), plan.clone(), &config, None, |_, _| {}).unwrap();
    let fig = report::figures(&sc, &plan, &out);
    let whole = report::summary(&sc, &plan, &out, &fig);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("replicates.csv");
    let mut rows =
        report::RowWriter::new(std::fs::File::create(&csv).unwrap(), &fig.names).unwrap();
    let mut b = report::SummaryBuilder::with_distinct(&sc, &plan, 3);
    run_batches(
        &sc,
        &plan,
        &config,
        Engine::Cpu(None),
        25,
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
    assert!(reads >= 2, "the spilled bands were read back {reads} times");
    let json = |s: &report::Summary| serde_json::to_value(s).unwrap();
    assert_eq!(json(&streamed)["decisions"], json(&whole)["decisions"]);
    let (names, values) = read_rows(&csv);
    assert!(bands_match_rows(&json(&streamed), &names, &values) >= 20);
}
