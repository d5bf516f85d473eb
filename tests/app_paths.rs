//! Decisions in the exercise app (issue 15): the inject panel lists the decisions still
//! ahead with their outcomes and probabilities, a decision taken by hand is given, logged
//! and refused once its time has passed; the what-if's histogram split by the outcome of a
//! decision stacks to the unsplit histogram, each outcome counting its replicates.
#![cfg(feature = "desktop")]

mod common;

use std::path::Path;
use std::sync::Arc;

use common::app::*;
use common::data_dir;
use egui_kittest::kittest::{NodeT, Queryable};
use hormuz::app::charts::{histogram, split_by_path};
use hormuz::app::live::Session;
use hormuz::app::ui::InjectKind;
use hormuz::app::whatif::{WhatIf, fork_of};
use hormuz::engine::decisions::NOT_TAKEN;
use hormuz::exercise::{Exercise, Inject};
use hormuz::scenario::Origin;

/// The smoke scenario whose ballistic wave waits on wide retaliation (decided at 00:05,
/// tick 60: none / calibrated / wide at 0.5 / 0.3 / the rest, none 0.1 where the talks of
/// 00:02 collapsed), and proxies decided at 00:06 only where it was wide.
fn decisions(dir: &Path) -> Origin {
    std::fs::copy(data_dir().join("db.toml"), dir.join("db.toml")).unwrap();
    let smoke = std::fs::read_to_string(data_dir().join("smoke.toml")).unwrap();
    let wave = "at = \"00:10\"\nsalvo = { from = \"pad\", weapon = \"tbm\"";
    assert!(smoke.contains(wave));
    let text = smoke.replacen(
        wave,
        "after = { decision = \"retaliation\", outcome = \"wide\", delay = \"00:05\" }\nsalvo = { from = \"pad\", weapon = \"tbm\"",
        1,
    ) + "
[[decisions]]
id = \"retaliation\"
at = \"00:05\"
assumed = true
outcomes = [{ id = \"none\", p = 0.5 }, { id = \"calibrated\", p = 0.3 }, { id = \"wide\" }]

[[decisions.cases]]
when = { decision = \"talks\", outcome = \"collapse\" }
p = { none = 0.1 }

[[decisions]]
id = \"talks\"
at = \"00:02\"
assumed = true
outcomes = [{ id = \"hold\", p = 0.5 }, { id = \"collapse\" }]

[[decisions]]
id = \"proxies\"
at = \"00:06\"
given = { decision = \"retaliation\", outcome = \"wide\" }
assumed = true
outcomes = [{ id = \"join\", p = 0.7 }, { id = \"stay-out\" }]
";
    std::fs::write(dir.join("decisions.toml"), text).unwrap();
    Origin::Disk(dir.join("decisions.toml"))
}

#[test]
fn the_split_by_path_stacks_to_the_histogram_and_counts_each_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let ex = Exercise::new(decisions(dir.path()), 5);
    let sc = Arc::new(ex.scenario().unwrap());
    let plan = Arc::new(hormuz::exercise::plan_live(&sc, ex.seed).unwrap());
    let mut live = hormuz::exercise::live(sc.clone(), plan.clone(), ex.seed).unwrap();
    live.advance_to(12).unwrap(); // before either decision's time
    let session = Session::planned(sc.clone(), plan.clone(), &ex, 0);
    let n = 400;
    let fork = fork_of(&live, &plan, n).unwrap();
    let first = fork.first_replicate();
    let out = fork.run(|_, _| {}).unwrap();
    let w = WhatIf::of(&session, &out, first, 12);
    assert_eq!(w.paths, out.paths, "the fork's paths");
    let nd = w.decisions.len();
    assert_eq!(w.paths.len(), n as usize * nd);
    for (d, (id, names)) in w.decisions.iter().enumerate() {
        for values in [&w.leakers, &w.hits[0].2] {
            let parts = split_by_path(values, &w.paths, nd, d, names);
            let whole = histogram(values);
            for (b, bin) in whole.iter().enumerate() {
                let stacked: u32 = parts.iter().map(|p| p.bins[b].count).sum();
                assert_eq!(stacked, bin.count, "{id}: bin {}", bin.label());
                assert!(parts.iter().all(|p| p.bins[b].start == bin.start));
            }
            // Each outcome counts the fork replicates that took it.
            for (k, part) in parts.iter().enumerate() {
                let want = if k < names.len() { k as u32 } else { NOT_TAKEN };
                let taken = out.paths.chunks(nd).filter(|row| row[d] == want).count();
                assert_eq!(part.replicates as usize, taken, "{id}: {}", part.outcome);
                let bars: u32 = part.bins.iter().map(|b| b.count).sum();
                assert_eq!(bars, part.replicates);
            }
            assert_eq!(parts.iter().map(|p| p.replicates).sum::<u32>(), n);
        }
    }
    // Forked before its time, each fork replicate draws its own outcome.
    let r = w
        .decisions
        .iter()
        .position(|(id, _)| id == "retaliation")
        .unwrap();
    let parts = split_by_path(&w.leakers, &w.paths, nd, r, &w.decisions[r].1);
    assert!(
        parts.iter().filter(|p| p.replicates > 0).count() == 3,
        "{:?}",
        parts.iter().map(|p| p.replicates).collect::<Vec<_>>()
    );
    let mean = |k: usize| {
        let v: Vec<f64> = (0..n as usize)
            .filter(|&i| w.paths[i * nd + r] == k as u32)
            .map(|i| w.leakers[i])
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(mean(2) > mean(0), "the wave leaks on the wide path");
}

#[test]
fn a_decision_is_taken_by_hand_in_the_panel_and_the_what_if_splits_by_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open(decisions(dir.path()));
    run_to(&mut h, 12);
    let sc = h.state().session().unwrap().scenario.clone();
    let r = sc
        .decisions
        .iter()
        .position(|d| d.id == "retaliation")
        .unwrap();
    h.state_mut().form.kind = InjectKind::Decide;
    h.state_mut().form.decision = r;
    h.step();
    // The decisions ahead, with their outcomes and probabilities.
    h.get_by_label_contains("let the dice decide");
    h.get_by_label_contains("none (p = 0.50)");
    h.get_by_label_contains("calibrated (p = 0.30)");
    h.get_by_label_contains("wide (p = 0.20, the rest)");
    h.get_by_label_contains("the dice decide: nothing to give");
    h.get_by_label_contains("where talks is collapse: none 0.10, calibrated 0.30, wide 0.60");
    // Proxies, taken only where retaliation is wide.
    let proxies = sc.decisions.iter().position(|d| d.id == "proxies").unwrap();
    h.state_mut().form.decision = proxies;
    h.step();
    h.get_by_label_contains("only where retaliation is wide");
    h.get_by_label_contains("join (p = 0.70)");
    // Retaliation taken by hand: wide.
    h.state_mut().form.decision = r;
    h.state_mut().form.outcome = Some(2);
    h.step();
    h.get_by_label_contains("Give inject at T+00:01:00").click();
    assert!(inject_answer(&mut h, 0), "{:?}", h.state().inject_error());
    let given = &h.state().session().unwrap().injects[0];
    assert_eq!(
        given.inject,
        Inject::Decide {
            decision: "retaliation".into(),
            outcome: "wide".into()
        }
    );
    let lines = h.state().lines().to_vec();
    assert!(
        lines
            .iter()
            .any(|l| l.text.contains("decision retaliation taken by hand: wide")),
        "the log shows the decision given"
    );
    h.get_by_label_contains("inject-1 takes it by hand: wide");
    // A what-if from now: every fork replicate takes the pinned outcome.
    h.state_mut().what_if_replicates = 60;
    h.step();
    h.get_by_label_contains("Run what-if from").click();
    wait(&mut h, "the what-if", |a| a.what_if().is_some());
    h.state_mut().split = Some(r);
    h.step();
    h.step();
    let legend = h.state().drawn().histogram.as_ref().unwrap().legend.clone();
    assert_eq!(
        legend,
        [
            "retaliation none: 0% (0 replicates)",
            "retaliation calibrated: 0% (0 replicates)",
            "retaliation wide: 100% (60 replicates)"
        ]
    );
    // The report's what-if.csv gives each replicate's outcome of each decision.
    let out = dir.path().join("aar");
    h.state()
        .send(hormuz::app::worker::Command::Export(out.clone()));
    wait(&mut h, "the export", |a| {
        a.status().is_some_and(|s| s.starts_with("wrote "))
    });
    let mut rows = csv::Reader::from_path(out.join("what-if.csv")).unwrap();
    let header: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
    let c = header
        .iter()
        .position(|h| h == "decision_retaliation")
        .unwrap();
    let p = header.iter().position(|h| h == "decision_proxies").unwrap();
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 60);
    assert!(rows.iter().all(|r| &r[c] == "wide" && &r[p] != "not taken"));
    // Past its time, the decision can no longer be taken: the panel says why.
    run_to(&mut h, 100);
    h.get_by_label_contains("retaliation at T+00:05:00: its time has passed");
    h.state_mut().form.decision = r;
    h.state_mut().form.outcome = Some(0);
    h.step();
    assert!(
        h.query_by_label_contains("Give inject at").is_none()
            || h.get_by_label_contains("Give inject at")
                .accesskit_node()
                .is_disabled()
    );
}
