//! Decisions taken at their tick (docs/scenario.md "`[[decisions]]`"): probabilities that
//! depend on a trigger fired before the decision (here, on the launchers a strike
//! destroyed) or on another decision's outcome, decisions taken by hand (`[[decide]]`),
//! the same bytes on both backends, and bad input refused where it is written.

mod common;

use std::sync::Arc;

use common::decisions::assert_share;
use common::*;
use hormuz::engine::decisions::NOT_TAKEN;
use hormuz::engine::plan::Plan;
use hormuz::scenario::Scenario;
use hormuz::world::{RunConfig, RunOutput};

/// The smoke scenario (a pad of 10 launchers) with a strike at 00:02 that destroys each
/// launcher with probability `fraction` when the strike decision is "strike", a trigger on
/// half of red's launchers destroyed, and a retaliation decision at 00:05 whose
/// probability of "wide" is 0.2, 0.7 once the trigger fired, and 0.9 after a strike
/// decided by hand in a case on the strike's outcome. `extra` is appended.
fn text(fraction: f64, extra: &str) -> String {
    let smoke = common::decisions::smoke_with_wave_on_wide();
    format!(
        "{smoke}
[[orders]]
id = \"hit-the-pad\"
after = {{ decision = \"strike\", outcome = \"yes\", delay = \"00:01\" }}
strike = {{ sites = [\"pad\"], fraction = {fraction} }}

[[triggers]]
id = \"pad-halved\"
when = {{ side = \"red\", launchers_destroyed_at_least = 0.5 }}

[[decisions]]
id = \"strike\"
at = \"00:01\"
assumed = true
outcomes = [{{ id = \"yes\", p = 0.8 }}, {{ id = \"no\" }}]

[[decisions]]
id = \"retaliation\"
at = \"00:05\"
assumed = true
outcomes = [{{ id = \"none\", p = 0.3 }}, {{ id = \"calibrated\" }}, {{ id = \"wide\", p = 0.2 }}]

[[decisions.cases]]
when = {{ trigger = \"pad-halved\" }}
p = {{ wide = 0.7, none = 0.1 }}

[[decisions.cases]]
when = {{ decision = \"strike\", outcome = \"no\" }}
p = {{ wide = 0.05 }}
{extra}"
    )
}

fn load(text: &str) -> Result<(Arc<Scenario>, Arc<Plan>), String> {
    common::decisions::load("cases.toml", text)
}

fn run(sc: &Arc<Scenario>, plan: &Arc<Plan>, n: u32, seed: u32) -> RunOutput {
    let config = RunConfig {
        replicates: n,
        seed,
        record: 0..4,
    };
    hormuz::world::run_cpu(sc.clone(), plan.clone(), &config, None, |_, _| {}).expect("run")
}

/// Indices: decisions in id order (retaliation 0, strike 1); outcomes as written.
const RETALIATION: usize = 0;
const STRIKE: usize = 1;
const WIDE: u32 = 2;

#[test]
fn probabilities_follow_the_trigger_and_the_decision_in_force_when_taken() {
    let (sc, plan) = load(&text(0.5, "")).unwrap();
    assert_eq!(sc.decisions[RETALIATION].id, "retaliation");
    assert_eq!(sc.triggers.len(), 1);
    let n = 6000;
    let out = run(&sc, &plan, n, 21);
    let (mut struck_halved, mut struck_not, mut spared) = (vec![], vec![], vec![]);
    for r in 0..n as usize {
        let path = &out.paths[r * 2..r * 2 + 2];
        let fired = out.fired[r] != hormuz::engine::layout::NEVER;
        let wide = path[RETALIATION] == WIDE;
        match (path[STRIKE], fired) {
            (0, true) => struck_halved.push(wide),
            (0, false) => struck_not.push(wide),
            (1, false) => spared.push(wide),
            (s, f) => panic!("replicate {r}: strike {s}, trigger fired {f}"),
        }
        // The trigger fired at the strike's tick (00:02 = tick 24), before the decision.
        if fired {
            assert_eq!(out.fired[r], 24);
        }
    }
    let share = |v: &[bool]| v.iter().filter(|&&w| w).count();
    // P(at least 5 of 10 destroyed at 0.5) = 0.623, of the 0.8 that strike.
    assert_share(
        struck_halved.len(),
        n as usize,
        0.8 * 0.623,
        "strike and halved",
    );
    assert_share(
        share(&struck_halved),
        struck_halved.len(),
        0.7,
        "wide once halved",
    );
    assert_share(share(&struck_not), struck_not.len(), 0.2, "wide otherwise");
    assert_share(share(&spared), spared.len(), 0.05, "wide without a strike");
    // The wave waits on wide retaliation, as every order on an outcome does.
    let fig = hormuz::report::figures(&sc, &plan, &out);
    let launched = fig.column("launched_ballistic").unwrap();
    let wide = fig.column("decision_retaliation").unwrap();
    // (A strike that destroyed all ten launchers, 1 in 1,024, leaves nothing to launch.)
    let mut silent = 0;
    for (w, l) in wide.iter().zip(&launched) {
        assert!(*l == 0.0 || *w == 2.0, "a launch without wide retaliation");
        silent += usize::from(*w == 2.0 && *l == 0.0);
    }
    assert!(
        silent * 100 <= wide.iter().filter(|&&w| w == 2.0).count(),
        "{silent}"
    );
    // The log says what each recorded replicate decided, at the decision's tick.
    let lines: Vec<_> = out
        .log
        .iter()
        .filter(|e| e.text.starts_with("decision retaliation: ") && e.replicate == Some(0))
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].tick, 60);
}

#[test]
fn a_decision_taken_by_hand_takes_its_outcome_wherever_it_is_taken() {
    let pin = "[[decide]]\ndecision = \"strike\"\noutcome = \"no\"\n";
    let (sc, plan) = load(&text(0.5, pin)).unwrap();
    assert_eq!(sc.decisions[STRIKE].forced, Some(1));
    let n = 3000;
    let out = run(&sc, &plan, n, 4);
    assert!(out.paths.chunks(2).all(|p| p[STRIKE] == 1));
    assert!(
        out.fired
            .iter()
            .all(|&f| f == hormuz::engine::layout::NEVER)
    );
    let wide = out
        .paths
        .chunks(2)
        .filter(|p| p[RETALIATION] == WIDE)
        .count();
    assert_share(wide, n as usize, 0.05, "wide after no strike");
    // The dice of the other decision are the same as without the pin: the replicates
    // that did not strike anyway take the same retaliation.
    let (sc2, plan2) = load(&text(0.5, "")).unwrap();
    let free = run(&sc2, &plan2, n, 4);
    for (a, b) in out.paths.chunks(2).zip(free.paths.chunks(2)) {
        if b[STRIKE] == 1 {
            assert_eq!(a, b);
        }
    }
    let logged = out
        .log
        .iter()
        .any(|e| e.text == "decision strike: no (by hand)");
    assert!(logged, "the log says the decision was taken by hand");
    // A pinned decision that is not taken stays not taken.
    let given = text(0.5, "").replace(
        "id = \"retaliation\"\nat = \"00:05\"",
        "id = \"retaliation\"\nat = \"00:05\"\ngiven = { decision = \"strike\", outcome = \"yes\" }",
    );
    let pinned = format!("{given}[[decide]]\ndecision = \"retaliation\"\noutcome = \"wide\"\n");
    let (sc3, plan3) = load(&pinned.replace(
        "[[decisions.cases]]\nwhen = { decision = \"strike\", outcome = \"no\" }\np = { wide = 0.05 }\n",
        "",
    ))
    .unwrap();
    let out3 = run(&sc3, &plan3, 400, 4);
    for p in out3.paths.chunks(2) {
        let expected = if p[STRIKE] == 0 { WIDE } else { NOT_TAKEN };
        assert_eq!(p[RETALIATION], expected);
    }
}

#[test]
fn paths_on_triggers_give_the_same_bytes_on_cpu_and_gpu() {
    if require_gpu().is_none() {
        return;
    }
    let (sc, plan) = load(&text(0.5, "")).unwrap();
    let config = RunConfig {
        replicates: 40,
        seed: 9,
        record: 0..40,
    };
    let cpu = hormuz::world::run_cpu(sc.clone(), plan.clone(), &config, None, |_, _| {})
        .expect("cpu run");
    let backend = hormuz::engine::gpu::GpuBackend::new(plan.clone(), 40, 0..40, Some(16))
        .expect("gpu backend");
    let gpu = hormuz::world::Simulation::new(sc.clone(), plan.clone(), &config, Box::new(backend))
        .run(|_, _| {})
        .expect("gpu run");
    assert_eq!(cpu.paths, gpu.paths);
    assert_eq!(cpu.fired, gpu.fired);
    assert_eq!(cpu.final_state.threats, gpu.final_state.threats);
    assert_eq!(cpu.final_state.assets, gpu.final_state.assets);
    assert_eq!(cpu.log, gpu.log);
    let wide = cpu
        .paths
        .chunks(2)
        .filter(|p| p[RETALIATION] == WIDE)
        .count();
    assert!(wide > 0 && wide < 40, "both paths are taken: {wide}");
}

fn refused(extra_or_edit: (&str, &str), needle: &str, key: &str) {
    let base = text(0.5, "");
    let text = if extra_or_edit.0.is_empty() {
        format!("{base}{}", extra_or_edit.1)
    } else {
        assert!(base.contains(extra_or_edit.0), "{:?}", extra_or_edit.0);
        base.replacen(extra_or_edit.0, extra_or_edit.1, 1)
    };
    let line = text.lines().position(|l| l.contains(key)).unwrap() + 1;
    common::decisions::refused_at("cases.toml", &text, needle, line);
}

#[test]
fn bad_cases_and_pins_are_refused_where_they_are_written() {
    let edit = |from, to| (from, to);
    let extra = |text| ("", text);
    refused(
        edit("trigger = \"pad-halved\"", "trigger = \"pad-halve\""),
        "unknown trigger \"pad-halve\"",
        "trigger = \"pad-halve\"",
    );
    refused(
        edit(
            "p = { wide = 0.7, none = 0.1 }",
            "p = { wide = 0.7, calibrated = 0.1 }",
        ),
        "takes the rest",
        "calibrated = 0.1",
    );
    refused(
        edit(
            "p = { wide = 0.7, none = 0.1 }",
            "p = { wide = 0.7, none = 0.4 }",
        ),
        "may sum to 1.1",
        "none = 0.4",
    );
    refused(
        edit("p = { wide = 0.05 }", "p = { wider = 0.05 }"),
        "unknown outcome \"wider\"",
        "wider = 0.05",
    );
    refused(
        edit("outcome = \"no\" }\np", "outcome = \"maybe\" }\np"),
        "unknown outcome \"maybe\"",
        "outcome = \"maybe\"",
    );
    refused(
        edit(
            "id = \"strike\"\nat = \"00:01\"",
            "id = \"strike\"\nat = \"00:09\"",
        ),
        "depends on decision \"strike\", which is taken later",
        "at = \"00:05\"",
    );
    refused(
        edit(
            "launchers_destroyed_at_least = 0.5",
            "launchers_destroyed_at_least = 1.5",
        ),
        "above 0 and at most 1",
        "launchers_destroyed_at_least = 1.5",
    );
    refused(
        edit("side = \"red\", launchers", "asset = \"base\", launchers"),
        "counted for a `side`",
        "asset = \"base\"",
    );
    refused(
        extra("[[decide]]\ndecision = \"strike\"\noutcome = \"perhaps\"\n"),
        "unknown outcome \"perhaps\"",
        "outcome = \"perhaps\"",
    );
    refused(
        extra(
            "[[decide]]\ndecision = \"strike\"\noutcome = \"no\"\n[[decide]]\ndecision = \"strike\" # again\noutcome = \"yes\"\n",
        ),
        "already taken by hand",
        "# again",
    );
}

/// Replicate r's path is a function of (seed, r) and what happened in r: batches of any
/// size give the same paths as one batch.
#[test]
fn paths_on_triggers_do_not_depend_on_the_batch() {
    let (sc, plan) = load(&text(0.5, "")).unwrap();
    let config = RunConfig {
        replicates: 50,
        seed: 8,
        record: 0..0,
    };
    let whole = run(&sc, &plan, 50, 8);
    let mut paths = Vec::new();
    hormuz::world::run_batches(
        &sc,
        &plan,
        &config,
        hormuz::world::Engine::Cpu(None),
        7,
        |_| {},
        |b| {
            paths.extend(b.out.paths);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(paths, whole.paths);
}

#[test]
fn the_command_line_takes_a_decision_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(data_dir().join("db.toml"), dir.path().join("db.toml")).unwrap();
    let file = dir.path().join("cases.toml");
    std::fs::write(&file, text(0.5, "")).unwrap();
    let out = dir.path().join("out");
    let (f, o) = (file.to_str().unwrap(), out.to_str().unwrap());
    let run = hormuz(&[
        "run",
        f,
        "-n",
        "200",
        "-q",
        "--decide",
        "strike=no",
        "-o",
        o,
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let csv = std::fs::read_to_string(out.join("replicates.csv")).unwrap();
    let mut rows = csv.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "decision_strike").unwrap();
    assert!(rows.all(|r| r.split(',').nth(col) == Some("1")));
    for (arg, needle) in [
        (
            "strike=maybe",
            "decision \"strike\" has no outcome \"maybe\" (its outcomes: yes, no)",
        ),
        (
            "strikes=no",
            "unknown decision \"strikes\" (decisions: retaliation, strike)",
        ),
        ("strike", "expected DECISION=OUTCOME"),
    ] {
        let bad = hormuz(&["run", f, "-n", "5", "-q", "--decide", arg, "-o", o]);
        let err = String::from_utf8_lossy(&bad.stderr);
        assert_eq!(bad.status.code(), Some(2), "{err}");
        assert!(err.contains(needle), "{needle:?} not in {err}");
    }
}

/// A sweep names a case by its index and plots chosen figures with their bands; a name
/// that is no figure is refused after sweep.csv is written.
#[test]
fn a_sweep_varies_a_case_probability_and_plots_chosen_figures() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(data_dir().join("db.toml"), dir.path().join("db.toml")).unwrap();
    let file = dir.path().join("cases.toml");
    // Without a strike (taken by hand), case 1 (strike = no) gives P(wide).
    let pin = "[[decide]]\ndecision = \"strike\"\noutcome = \"no\"\n";
    std::fs::write(&file, text(0.5, pin)).unwrap();
    let out = dir.path().join("sweep");
    let (f, o) = (file.to_str().unwrap(), out.to_str().unwrap());
    let key = "decisions.retaliation.cases.1.p.wide=0..0.6:0.6";
    let run = hormuz(&[
        "sweep",
        f,
        "--vary",
        key,
        "-n",
        "200",
        "--plot",
        "launched_ballistic,leaked_total",
        "-o",
        o,
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
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
    // P(wide) 0 then 0.6: no wave, then the wave's 20 rounds in about 60% of replicates.
    assert!(means[0] == 0.0 && means[1] > 8.0, "{means:?}");
    let png = std::fs::read(out.join("plot-1.png")).unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
    let bad = hormuz(&[
        "sweep",
        f,
        "--vary",
        key,
        "-n",
        "20",
        "--plot",
        "leaked_nothing",
        "-o",
        o,
    ]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--plot leaked_nothing: not a figure of this sweep"),
        "{err}"
    );
    assert!(out.join("sweep.csv").exists());
    let many = hormuz(&[
        "sweep",
        f,
        "--vary",
        key,
        "--plot",
        "a,b,c,d,e,f,g",
        "-o",
        o,
    ]);
    assert_eq!(many.status.code(), Some(2));
}
