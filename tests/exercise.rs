//! Exercises: injects change the live run from the moment they are given and never the
//! past; a what-if forks the live state into replicates that share it.

mod common;

use hormuz::engine::layout::*;
use hormuz::exercise::{Exercise, Given, Inject};
use hormuz::geo::LatLon;
use hormuz::scenario::Origin;

fn smoke() -> Exercise {
    Exercise::new(Origin::Disk(common::data_dir().join("smoke.toml")), 5)
}

/// The smoke scenario with missiles to spare at the pad, in a temporary folder.
fn spare() -> (tempfile::TempDir, Exercise) {
    let dir = tempfile::tempdir().unwrap();
    let data = common::data_dir();
    std::fs::copy(data.join("db.toml"), dir.path().join("db.toml")).unwrap();
    let text = std::fs::read_to_string(data.join("smoke.toml"))
        .unwrap()
        .replace("inventory = { tbm = 20,", "inventory = { tbm = 40,");
    std::fs::write(dir.path().join("spare.toml"), text).unwrap();
    let ex = Exercise::new(Origin::Disk(dir.path().join("spare.toml")), 5);
    (dir, ex)
}

fn lane_state(sim: &hormuz::world::Simulation) -> (Vec<Threat>, Vec<MagazineState>) {
    let lane = sim.backend.lane(0).expect("cpu lane");
    (lane.threats.clone(), lane.magazines.clone())
}

#[test]
fn an_inject_leaves_the_past_alone_and_changes_the_future() {
    let (_dir, mut ex) = spare();
    let before = ex.replay(300).unwrap(); // 25 minutes in: the first wave is in the air
    // Five more missiles ordered at minute 25.
    ex.injects.push(Given {
        tick: 300,
        inject: Inject::Salvo {
            from: "pad".into(),
            weapon: "tbm".into(),
            count: 5,
            targets: vec!["base".into()],
            over_s: 60,
        },
    });
    let with = ex.replay(300).unwrap();
    let (t0, m0) = lane_state(&before);
    let (t1, m1) = lane_state(&with);
    assert_eq!(m0, m1, "the past's magazines");
    assert_eq!(
        &t1[..t0.len()],
        &t0[..],
        "the past's threats keep their identity and state"
    );
    assert_eq!(
        t1.len(),
        t0.len() + 5,
        "the inject's threats come after all others"
    );
    // Later, the injected salvo has launched.
    let later = ex.replay(500).unwrap();
    let (t2, _) = lane_state(&later);
    assert!(
        t2[t0.len()..]
            .iter()
            .all(|t| t.status & STATUS_MASK != PENDING)
    );
}

#[test]
fn a_battery_switched_off_fires_no_more() {
    let mut ex = smoke();
    ex.injects.push(Given {
        tick: 0,
        inject: Inject::Switch {
            battery: "sam".into(),
            online: false,
        },
    });
    let sim = ex.replay(1400).unwrap();
    let out = sim.finish().unwrap();
    assert!(
        out.events.iter().all(|(_, e)| e.kind != E_ENGAGED),
        "no engagement after the switch"
    );
    assert!(out.log.iter().any(|l| l.text.contains("sam switched off")));
    // Switching it back on restores the defence.
    let mut ex2 = smoke();
    ex2.injects.push(Given {
        tick: 0,
        inject: Inject::Switch {
            battery: "sam".into(),
            online: true,
        },
    });
    let out = ex2.replay(1400).unwrap().finish().unwrap();
    assert!(out.events.iter().any(|(_, e)| e.kind == E_ENGAGED));
}

#[test]
fn relocating_the_battery_moves_its_envelope() {
    let mut ex = smoke();
    ex.injects.push(Given {
        tick: 0,
        inject: Inject::Relocate {
            battery: "sam".into(),
            to: LatLon::new(36.0, 40.0),
        },
    });
    let sc = ex.scenario().unwrap();
    let plan = hormuz::engine::plan::build(&sc);
    assert!(
        plan.opportunities.is_empty(),
        "far from every flight path, it sees nothing"
    );
    assert!(
        sc.battery_position(0, 10.0)
            .distance_km(LatLon::new(36.0, 40.0))
            < 1e-9
    );
}

#[test]
fn bad_injects_are_reported_like_bad_scenarios() {
    let mut ex = smoke();
    ex.injects.push(Given {
        tick: 10,
        inject: Inject::Salvo {
            from: "pad".into(),
            weapon: "tbm".into(),
            count: 50,
            targets: vec!["base".into()],
            over_s: 0,
        },
    });
    let err = ex.scenario().unwrap_err().to_string();
    assert!(err.contains("pad holds 20 tbm"), "{err}");
    assert!(err.contains("smoke.toml:"), "{err}");
}

#[test]
fn a_what_if_shares_the_live_past_and_draws_its_own_futures() {
    let ex = smoke();
    let live = ex.replay(150).unwrap();
    let fork = live.fork(200, Some(2)).unwrap();
    let lane = live.backend.lane(0).unwrap();
    for r in 0..200 {
        let f = fork.backend.lane(r).unwrap();
        assert_eq!(f.threats, lane.threats);
        assert_eq!(f.magazines, lane.magazines);
    }
    let out = fork.run(|_, _| {}).unwrap();
    let t = out.final_state.threats.len() / 200;
    let outcomes: std::collections::BTreeSet<Vec<u32>> = (0..200)
        .map(|r| {
            out.final_state.threats[r * t..(r + 1) * t]
                .iter()
                .map(|x| x.status)
                .collect()
        })
        .collect();
    assert!(
        outcomes.len() > 10,
        "forks must diverge: {} distinct outcomes",
        outcomes.len()
    );
    // Forking twice gives the same bytes.
    let again = live.fork(200, Some(1)).unwrap().run(|_, _| {}).unwrap();
    assert_eq!(again.final_state.threats, out.final_state.threats);
    assert_eq!(again.final_state.counters, out.final_state.counters);
}

#[test]
fn diverting_the_carrier_changes_its_track_from_then_on() {
    let base = Origin::Embedded(hormuz::scenario::DEFAULT_SCENARIO);
    let mut ex = Exercise::new(base, 1);
    let sc0 = ex.scenario().unwrap();
    ex.injects.push(Given {
        tick: 720, // one hour
        inject: Inject::Divert {
            carrier: sc0.carriers[0].id.clone(),
            to: LatLon::new(20.0, 64.0),
            speed_kn: 30.0,
        },
    });
    let sc1 = ex.scenario().unwrap();
    let (r0, r1) = (&sc0.carriers[0].route, &sc1.carriers[0].route);
    assert_eq!(
        r0.position_at(1800.0),
        r1.position_at(1800.0),
        "before the divert"
    );
    let later = 3600.0 * 5.0;
    assert!(r1.position_at(later).distance_km(r0.position_at(later)) > 50.0);
}

/// The smoke scenario with the interceptor's Pk drawn uniformly on [0, 1].
fn drawn_pk() -> (tempfile::TempDir, Exercise) {
    let dir = tempfile::tempdir().unwrap();
    let data = common::data_dir();
    let db = std::fs::read_to_string(data.join("db.toml"))
        .unwrap()
        .replacen(
            "pk = { ballistic = 0.8,",
            "pk = { ballistic = { dist = \"uniform\", low = 0, high = 1, point = 0.5 },",
            1,
        );
    std::fs::write(dir.path().join("db.toml"), db).unwrap();
    std::fs::copy(data.join("smoke.toml"), dir.path().join("smoke.toml")).unwrap();
    let ex = Exercise::new(Origin::Disk(dir.path().join("smoke.toml")), 5);
    (dir, ex)
}

#[test]
fn a_what_if_draws_each_fork_its_own_parameters_as_a_run_does() {
    use std::sync::Arc;
    let (_dir, ex) = drawn_pk();
    let sc = Arc::new(ex.scenario().unwrap());
    let plan = Arc::new(hormuz::exercise::plan_live(&sc, ex.seed).unwrap());
    // The live plan draws, as `hormuz run` does by default: this figure is not in the
    // built-in posterior, so from its prior.
    let draws = plan
        .draws
        .clone()
        .expect("the live plan draws its parameters");
    assert!(
        draws.describe().contains("0 of them from the posterior"),
        "{}",
        draws.describe()
    );
    let mut live = hormuz::exercise::live(sc.clone(), plan.clone(), ex.seed).unwrap();
    live.advance_to(100).unwrap(); // before the first missile arrives
    let first = live.first_replicate() + 1;
    let fork = |threads| {
        let p = hormuz::exercise::batch_plan(&plan, first, 200).unwrap();
        live.fork_with(p, 200, Some(threads))
            .unwrap()
            .run(|_, _| {})
            .unwrap()
    };
    let out = fork(2);
    let fig = hormuz::report::figures_of_batch(&sc, &plan, &out, first);
    let kills = fig.column("intercepted_ballistic").unwrap();
    // Fork i drew replicate first + i's Pk, and acted on it: high draws kill more.
    let pk = draws.values(first, 200);
    let mean = |f: &dyn Fn(f64) -> bool| {
        let v: Vec<f64> = (0..200).filter(|&i| f(pk[i])).map(|i| kills[i]).collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let (low, high) = (mean(&|p| p < 0.5), mean(&|p| p >= 0.5));
    assert!(high - low > 3.0, "kills at low Pk {low}, at high Pk {high}");
    // The same bytes on one thread.
    let again = fork(1);
    assert_eq!(again.final_state.counters, out.final_state.counters);
}

/// The smoke scenario whose ballistic wave waits on wide retaliation, a decision taken at
/// 00:05 (tick 60) with none / calibrated / wide at 0.5 / 0.3 / the rest.
fn retaliation(seed: u32) -> (tempfile::TempDir, Exercise) {
    let dir = tempfile::tempdir().unwrap();
    let data = common::data_dir();
    std::fs::copy(data.join("db.toml"), dir.path().join("db.toml")).unwrap();
    let smoke = std::fs::read_to_string(data.join("smoke.toml")).unwrap();
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
";
    std::fs::write(dir.path().join("decisions.toml"), text).unwrap();
    let ex = Exercise::new(Origin::Disk(dir.path().join("decisions.toml")), seed);
    (dir, ex)
}

/// The live replicate played to the end: its outcome of `retaliation`, the ballistic
/// rounds it launched, and its log.
fn played(ex: &Exercise) -> (u32, f64, Vec<String>) {
    use std::sync::Arc;
    let sc = Arc::new(ex.scenario().unwrap());
    let plan = Arc::new(hormuz::exercise::plan_live(&sc, ex.seed).unwrap());
    let sim = ex.replay(sc.ticks).unwrap();
    let log = sim.log().iter().map(|e| e.text.clone()).collect();
    let out = sim.finish().unwrap();
    let fig = hormuz::report::figures(&sc, &plan, &out);
    (
        out.paths[0],
        fig.column("launched_ballistic").unwrap()[0],
        log,
    )
}

const WIDE: u32 = 2;

fn decide(outcome: &str) -> Inject {
    Inject::Decide {
        decision: "retaliation".into(),
        outcome: outcome.into(),
    }
}

#[test]
fn a_decision_taken_by_hand_before_its_time_takes_that_path() {
    // A seed whose dice do not give wide retaliation in the live replicate.
    let (_dir, mut ex) = (1..64)
        .map(retaliation)
        .find(|(_, ex)| played(ex).0 != WIDE)
        .expect("a seed without wide retaliation");
    let (dice, launched, _) = played(&ex);
    assert_eq!(launched, 0.0, "no wave on path {dice}");
    let sc = ex.scenario().unwrap();
    let before = lane_state(&ex.replay(12).unwrap());
    ex.give(&sc, 12, decide("wide")).unwrap();
    assert!(ex.injects_toml(5).contains("[[decide]]"));
    let (path, launched, log) = played(&ex);
    assert_eq!(path, WIDE, "taken by hand");
    assert_eq!(launched, 20.0, "the wave that waits on wide retaliation");
    assert!(
        log.iter().any(|l| l.contains("decision retaliation: wide")),
        "{log:?}"
    );
    // The past up to the inject is the same.
    assert_eq!(lane_state(&ex.replay(12).unwrap()), before);
    // The dice again: the inject taken back, the dice's outcome.
    ex.injects.clear();
    assert_eq!(played(&ex).0, dice);
}

#[test]
fn a_decision_taken_by_hand_round_trips_in_a_saved_exercise() {
    let given = vec![Given {
        tick: 12,
        inject: decide("calibrated"),
    }];
    let json = serde_json::to_string_pretty(&given).unwrap();
    assert!(json.contains("\"kind\": \"decide\""), "{json}");
    assert!(json.contains("\"decision\": \"retaliation\""), "{json}");
    let back: Vec<Given> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, given);
    // As the app saves it (docs/app-exercise.json): the same inject in its list.
    let saved = r#"{ "tick": 12, "inject": { "kind": "decide", "decision": "retaliation", "outcome": "calibrated" } }"#;
    assert_eq!(serde_json::from_str::<Given>(saved).unwrap(), given[0]);
    // Its text loads as a pin the checker accepts.
    let (_dir, mut ex) = retaliation(5);
    ex.injects = back;
    let toml = ex.injects_toml(5);
    assert!(
        toml.contains("decision = \"retaliation\"")
            && toml.contains("outcome = \"calibrated\"")
            && toml.contains("inject-1: taken by hand at 00:01:00"),
        "{toml}"
    );
    ex.scenario().expect("the pin loads");
}

#[test]
fn a_decision_taken_by_hand_after_its_time_is_refused() {
    let (_dir, mut ex) = retaliation(5);
    let sc = ex.scenario().unwrap();
    let at = sc.decisions[0].at;
    assert_eq!(at, 60);
    let err = ex.give(&sc, at, decide("wide")).unwrap_err();
    assert!(
        err.contains("retaliation was taken at T+00:05:00") && err.contains("only before its time"),
        "{err}"
    );
    let err = ex.give(&sc, 100, decide("wide")).unwrap_err();
    assert!(err.contains("before T+00:08:20"), "{err}");
    let err = ex.give(&sc, 0, decide("broad")).unwrap_err();
    assert!(
        err.contains("no outcome broad (its outcomes: none, calibrated, wide)"),
        "{err}"
    );
    let err = ex
        .give(
            &sc,
            0,
            Inject::Decide {
                decision: "talks".into(),
                outcome: "hold".into(),
            },
        )
        .unwrap_err();
    assert!(err.contains("no decision talks"), "{err}");
    assert!(ex.injects.is_empty(), "nothing refused is given");
    ex.give(&sc, 59, decide("none")).unwrap();
    let err = ex.give(&sc, 10, decide("wide")).unwrap_err();
    assert!(
        err.contains("inject-1 takes retaliation by hand already"),
        "{err}"
    );
}

#[test]
fn a_decision_the_scenario_takes_by_hand_cannot_be_changed_in_the_exercise() {
    let (dir, _) = retaliation(5);
    let p = dir.path().join("decisions.toml");
    let text = std::fs::read_to_string(&p).unwrap()
        + "\n[[decide]]\ndecision = \"retaliation\"\noutcome = \"none\"\n";
    std::fs::write(&p, text).unwrap();
    let mut ex = Exercise::new(Origin::Disk(p), 5);
    let sc = ex.scenario().unwrap();
    let err = ex.give(&sc, 0, decide("wide")).unwrap_err();
    assert!(
        err.contains("the scenario takes retaliation by hand (none)"),
        "{err}"
    );
}

#[test]
fn the_built_in_tree_takes_wide_retaliation_by_hand() {
    let base = Origin::Embedded(hormuz::scenario::DEFAULT_SCENARIO);
    let mut ex = Exercise::new(base, 1);
    let sc = ex.scenario().unwrap();
    let at = |id: &str| sc.decisions.iter().find(|d| d.id == id).unwrap().at;
    let retaliation = at("retaliation");
    let talks = Inject::Decide {
        decision: "talks".into(),
        outcome: "collapse".into(),
    };
    ex.give(&sc, 0, talks).unwrap();
    ex.give(&sc, 0, decide("wide")).unwrap();
    let sim = ex.replay(retaliation + 1).unwrap();
    let log: Vec<&str> = sim.log().iter().map(|e| e.text.as_str()).collect();
    for line in ["decision talks: collapse", "decision retaliation: wide"] {
        assert!(log.iter().any(|l| l.starts_with(line)), "{line}: {log:?}");
    }
    // Once its time has passed, it can no longer be taken by hand.
    let err = ex.give(&sc, retaliation, decide("none")).unwrap_err();
    assert!(err.contains("only before its time"), "{err}");
}
