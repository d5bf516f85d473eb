//! Guidance and moving targets (issue 14): a weapon aimed at fixed coordinates misses a
//! ship that has moved away from them; a seeker that finds the ship behaves as a weapon
//! that follows it (the model before guidance); bad guidance and manoeuvre input is
//! refused where it is written.

mod common;

use std::sync::Arc;

use common::guidance::{Ships, fixed, seeker};
use hormuz::engine::plan::Plan;
use hormuz::scenario::{self, Scenario};
use hormuz::world::{RunConfig, RunOutput};

fn run(sc: &Arc<Scenario>, plan: &Arc<Plan>, replicates: u32) -> RunOutput {
    let config = RunConfig {
        replicates,
        seed: 14,
        record: 0..0,
    };
    hormuz::world::run_cpu(sc.clone(), plan.clone(), &config, None, |_, _| {}).expect("cpu run")
}

/// Hits on asset `id`, summed over the replicates.
fn hits(sc: &Scenario, out: &RunOutput, id: &str) -> u32 {
    let a = sc.assets.iter().position(|a| a.id == id).expect("asset");
    let n = sc.assets.len();
    out.final_state
        .assets
        .iter()
        .enumerate()
        .filter(|(i, _)| i % n == a)
        .map(|(_, s)| s.hits)
        .sum()
}

#[test]
fn a_drone_without_a_seeker_never_hits_a_ship_that_moved_away() {
    // 40 drones at each ship over 100 replicates, undefended, CEP 20 m: a satellite-
    // inertial drone with fresh targeting data hits the picket on station almost every
    // time, and the carrier steaming away at 20 kn never.
    let (sc, plan) = Ships::new(&fixed(0), 40).load();
    let out = run(&sc, &plan, 100);
    assert_eq!(
        hits(&sc, &out, "flattop"),
        0,
        "a fixed aim point hit a moving carrier"
    );
    assert!(
        hits(&sc, &out, "picket") > 3900,
        "a fixed aim point should hit a ship on station: {}",
        hits(&sc, &out, "picket")
    );
    // The carrier's offset is inside the frame (about 20 km), so the kernels did test it.
    let carrier = sc.assets.iter().position(|a| a.id == "flattop").unwrap() as u32;
    let t = plan.tracks.iter().find(|t| t.target == carrier).unwrap();
    let off = ((t.aim_x as i32 as f64).hypot(t.aim_y as i32 as f64)) * 4.0 / 1000.0;
    assert!((15.0..25.0).contains(&off), "offset {off} km");

    // The picket turning away at 25 kn when threatened: every drone misses it too.
    let mut s = Ships::new(&fixed(0), 40);
    s.manoeuvre = "manoeuvre = { speed_kn = 25, assumed = true }".into();
    let (sc, plan) = s.load();
    let out = run(&sc, &plan, 100);
    assert_eq!(
        hits(&sc, &out, "picket"),
        0,
        "a fixed aim point hit a manoeuvring ship"
    );
    assert_eq!(hits(&sc, &out, "flattop"), 0);
}

#[test]
fn with_a_seeker_in_range_it_behaves_as_a_weapon_that_follows_its_target() {
    let (sc, plan) = Ships::new(&seeker(30.0), 40).load();
    let with = run(&sc, &plan, 50);
    let (sc0, plan0) = Ships::new("", 40).load();
    let before = run(&sc0, &plan0, 50);
    assert_eq!(
        plan.tracks, plan0.tracks,
        "the same tracks as a weapon that follows"
    );
    let (a, b) = (&with.final_state, &before.final_state);
    assert_eq!(a.assets, b.assets);
    assert_eq!(a.counters, b.counters);
    assert_eq!(a.threats, b.threats);
    assert!(
        hits(&sc, &with, "flattop") > 1900,
        "the seeker finds the carrier"
    );
    // A seeker of 5 km: the carrier ran about 20 km from the fix; nothing finds it.
    let (sc, plan) = Ships::new(&seeker(5.0), 40).load();
    let out = run(&sc, &plan, 50);
    assert_eq!(hits(&sc, &out, "flattop"), 0);
    assert!(hits(&sc, &out, "picket") > 1900);
}

#[test]
fn the_targeting_age_moves_the_aim_point_back_along_the_route() {
    // An hour-old fix on a carrier at 20 kn is 37 km off before the drone even flies: beyond
    // the integer frame, the track is marked as one that cannot hit.
    let s = Ships::new(&fixed(3600), 5);
    let text = s.text().replace("at = \"00:01\"", "at = \"01:10\"");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("db.toml"), s.db()).unwrap();
    let sc = Arc::new(scenario::load_str("ships.toml", &text, dir.path()).expect("loads"));
    let plan = Arc::new(hormuz::engine::plan::build(&sc));
    let carrier = sc.assets.iter().position(|a| a.id == "flattop").unwrap() as u32;
    assert!(
        plan.tracks
            .iter()
            .filter(|t| t.target == carrier)
            .all(|t| t.evade == hormuz::engine::layout::OFF_FRAME)
    );
    assert_eq!(hits(&sc, &run(&sc, &plan, 20), "flattop"), 0);
}

#[test]
fn bad_guidance_and_manoeuvre_are_refused_where_they_are_written() {
    let cases = [
        (
            "guidance = { kind = \"radar-seeker\", assumed = true }".to_string(),
            "",
            "needs `acquisition_km`",
        ),
        (
            "guidance = { kind = \"satellite-inertial\", acquisition_km = 5, assumed = true }"
                .into(),
            "",
            "`acquisition_km` does not apply",
        ),
        (
            "guidance = { kind = \"ir-seeker\", acquisition_km = -1, assumed = true }".into(),
            "",
            "expected an acquisition range",
        ),
        (
            "guidance = { kind = \"satellite-inertial\", targeting_age_s = 1e9, assumed = true }"
                .into(),
            "",
            "expected a targeting age",
        ),
        (
            "guidance = { kind = \"satellite-inertial\" }".into(),
            "",
            "needs a `source`",
        ),
        (
            "guidance = { kind = \"laser\", assumed = true }".into(),
            "",
            "unknown variant",
        ),
        (
            String::new(),
            "manoeuvre = { speed_kn = 100, assumed = true }",
            "expected a speed above 0 and at most 60 kn",
        ),
        (
            String::new(),
            "manoeuvre = { speed_kn = 20 }",
            "needs a `source`",
        ),
    ];
    for (guidance, manoeuvre, expect) in cases {
        let mut s = Ships::new(&guidance, 2);
        s.manoeuvre = manoeuvre.to_string();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("db.toml"), s.db()).unwrap();
        let err = scenario::load_str("ships.toml", &s.text(), dir.path())
            .err()
            .unwrap_or_else(|| panic!("{guidance}{manoeuvre}: loaded"))
            .to_string();
        assert!(err.contains(expect), "{guidance}{manoeuvre}: {err}");
        let file = if manoeuvre.is_empty() {
            "db.toml:"
        } else {
            "ships.toml:"
        };
        assert!(err.contains(file), "{err}");
    }
    // Only a ship manoeuvres.
    let s = Ships::new("", 2);
    let text = s.text().replace(
        "kind = \"ship\"",
        "kind = \"base\"\nmanoeuvre = { speed_kn = 20, assumed = true }",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("db.toml"), s.db()).unwrap();
    let err = scenario::load_str("ships.toml", &text, dir.path())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("only a ship manoeuvres"), "{err}");
}

#[test]
fn every_threat_in_the_database_states_its_guidance() {
    let sc = scenario::load_path(None).expect("the default scenario loads");
    let missing: Vec<&str> = sc
        .weapons
        .iter()
        .filter(|w| w.guidance.kind.is_none())
        .map(|w| w.id.as_str())
        .collect();
    assert!(missing.is_empty(), "no guidance: {missing:?}");
}

#[test]
fn a_batterys_own_sensor_adds_to_its_sides_picture_and_only_where_it_covers() {
    // The side sees drones with 0.5; the picket's gun has its own sensor of 0.9. A drone at
    // the picket (inside the gun's envelope) is detected with 1 - 0.5 x 0.1 = 0.95; one at
    // the carrier, 100 km away, only with the side's 0.5: a target no sensor covers keeps
    // its side's picture (Tower 22).
    use hormuz::engine::rng::threshold;
    let mut s = Ships::new("", 4);
    s.battery = true;
    let text = s
        .text()
        .replace(
            "hostile_to = [\"red\"]\n",
            "hostile_to = [\"red\"]\ndetection = { drone = 0.5, assumed = true }\n",
        )
        .replace(
            "tier = 3\n",
            "tier = 3\nsensor = { drone = 0.9, assumed = true }\n",
        );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("db.toml"), s.db()).unwrap();
    let sc = scenario::load_str("ships.toml", &text, dir.path()).expect("loads");
    let plan = hormuz::engine::plan::build(&sc);
    let picket = sc.assets.iter().position(|a| a.id == "picket").unwrap() as u32;
    for t in &plan.tracks {
        let expect = if t.target == picket {
            1.0 - 0.5 * (1.0 - 0.9)
        } else {
            0.5
        };
        assert_eq!(t.detect, threshold(expect), "target {}", t.target);
    }
    // A sensor's probability is one number.
    let bad = text.replace(
        "sensor = { drone = 0.9",
        "sensor = { drone = { low = 0.8, mode = 0.9, high = 0.95 }",
    );
    let err = scenario::load_str("ships.toml", &bad, dir.path())
        .map(|_| ())
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("a sensor's probability is one number"),
        "{err}"
    );
}

#[test]
fn a_ship_counts_the_cells_its_batteries_used() {
    // The picket's gun stands in for a vertical-launch missile of 4 rounds a cell: in every
    // replicate `cells_picket` is its rounds fired over 4, rounded up; the carrier, which
    // hosts no battery, has no such column.
    let mut s = Ships::new("", 12);
    s.battery = true;
    let db = s
        .db()
        .replace("name = \"gun\"\n", "name = \"gun\"\nper_cell = 4\n");
    let text = s.text().replace("ready = 4", "ready = 6");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("db.toml"), db).unwrap();
    let sc = Arc::new(scenario::load_str("ships.toml", &text, dir.path()).expect("loads"));
    let plan = Arc::new(hormuz::engine::plan::build(&sc));
    let out = run(&sc, &plan, 40);
    let f = hormuz::report::figures(&sc, &plan, &out);
    let col = |name: &str| f.names.iter().position(|n| n == name);
    let (cells, fired) = (col("cells_picket").unwrap(), col("fired_gun").unwrap());
    assert!(col("cells_flattop").is_none());
    let mut seen = std::collections::BTreeSet::new();
    for row in &f.rows {
        assert_eq!(row[cells], (row[fired] / 4.0).ceil(), "{row:?}");
        seen.insert(row[cells] as u32);
    }
    assert!(
        seen.contains(&2),
        "some replicate fires 5 or 6 rounds: {seen:?}"
    );
}
