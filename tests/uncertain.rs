//! Uncertain figures: distributions in the database and the scenario, as written and as
//! checked (docs/scenario.md, "Uncertain figures").

mod common;

use common::data_dir;
use hormuz::scenario::uncertain::{Distribution, Owner};
use hormuz::scenario::{self, Scenario};

/// The smoke scenario with its database edited: each `(from, to)` replaced once.
fn edited(
    db_edits: &[(&str, &str)],
    scenario_edits: &[(&str, &str)],
) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut db = std::fs::read_to_string(data_dir().join("db.toml")).unwrap();
    for (from, to) in db_edits {
        assert!(db.contains(from), "{from:?} not in db.toml");
        db = db.replacen(from, to, 1);
    }
    let mut sc = std::fs::read_to_string(data_dir().join("smoke.toml")).unwrap();
    for (from, to) in scenario_edits {
        assert!(sc.contains(from), "{from:?} not in smoke.toml");
        sc = sc.replacen(from, to, 1);
    }
    std::fs::write(dir.path().join("db.toml"), &db).unwrap();
    (dir, sc, db)
}

fn load(db_edits: &[(&str, &str)], scenario_edits: &[(&str, &str)]) -> Result<Scenario, String> {
    let (dir, sc, _) = edited(db_edits, scenario_edits);
    scenario::load_str("smoke.toml", &sc, dir.path()).map_err(|e| e.to_string())
}

/// The database edited with `to` fails to load with `needle`, pointed at the line where
/// (the last line of) `to` stands in db.toml.
fn rejected(from: &str, to: &str, needle: &str) {
    let (dir, sc, db) = edited(&[(from, to)], &[]);
    let e = scenario::load_str("smoke.toml", &sc, dir.path())
        .unwrap_err()
        .to_string();
    let last = to.lines().last().unwrap();
    let line = db.lines().position(|l| l.contains(last)).unwrap() + 1;
    assert!(e.contains(needle), "{needle:?} not in:\n{e}");
    assert!(
        e.contains(&format!("db.toml:{line}:")),
        "not at db.toml:{line}:\n{e}"
    );
}

const PK: &str = "pk = { ballistic = 0.8, drone = 0.8,";
const CEP: &str = "cep_m = { value = 0, assumed = true, note = \"test\" }";

#[test]
fn distributions_become_parameters_at_their_point_values() {
    let sc = load(
        &[
            (
                PK,
                "pk = { ballistic = { low = 0.6, mode = 0.8, high = 0.9 }, drone = 0.8,",
            ),
            (
                CEP,
                "cep_m = { value = { dist = \"uniform\", low = 0, high = 200, point = 50 }, assumed = true, note = \"test\" }",
            ),
            (
                "reliability = { value = 1, assumed = true, note = \"test\" }",
                "reliability = { value = { dist = \"beta\", alpha = 18, beta = 2, point = 0.9 }, assumed = true, note = \"test\" }",
            ),
        ],
        &[],
    )
    .unwrap();
    let paths: Vec<&str> = sc.parameters.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "interceptors.lower.pk.ballistic",
            "interceptors.lower.reliability",
            "threats.tbm.cep_m"
        ]
    );
    let lower = sc.interceptors.iter().find(|i| i.id == "lower").unwrap();
    assert_eq!(lower.pk[0], 0.8);
    assert_eq!(lower.reliability, 0.9);
    let tbm = sc.weapons.iter().find(|w| w.id == "tbm").unwrap();
    assert_eq!(tbm.cep_m, 50.0);
    assert_eq!(
        sc.parameters[0].dist,
        Distribution::Triangular {
            low: 0.6,
            mode: 0.8,
            high: 0.9
        }
    );
    assert_eq!(
        sc.parameters[1].dist,
        Distribution::Beta {
            alpha: 18.0,
            beta: 2.0,
            low: 0.0,
            high: 1.0,
            point: 0.9
        }
    );
    // Each parameter is drawn by its own path unless a key joins it to a group.
    assert!(sc.parameters.iter().all(|p| p.key == p.path));
}

#[test]
fn a_side_detection_and_a_shared_key_are_parameters_too() {
    let sc = load(
        &[(
            PK,
            "pk = { ballistic = { low = 0.6, mode = 0.8, high = 0.9, key = \"lower-tier.pk\" }, drone = { low = 0.5, mode = 0.8, high = 0.9, key = \"lower-tier.pk\" },",
        )],
        &[(
            "id = \"blue\"\nname = \"Blue\"\n",
            "id = \"blue\"\nname = \"Blue\"\ndetection = { ballistic = { dist = \"uniform\", low = 0.8, high = 1.0, point = 0.95 }, assumed = true, note = \"test\" }\n",
        )],
    )
    .unwrap();
    let by_path = |p: &str| sc.parameters.iter().find(|x| x.path == p).unwrap();
    let ballistic = by_path("interceptors.lower.pk.ballistic");
    let drone = by_path("interceptors.lower.pk.drone");
    assert_eq!(ballistic.key, "lower-tier.pk");
    assert_eq!(ballistic.id, drone.id);
    let det = by_path("sides.blue.detection.ballistic");
    assert_eq!(det.point(), 0.95);
    assert_eq!(sc.sides[0].detection[0], 0.95);
}

#[test]
fn a_tier_left_out_takes_the_draw_of_the_tier_above() {
    let sc = load(
        &[(
            CEP,
            "cep_m = { value = 0, assumed = true, note = \"test\" }\nmanoeuvre = { tier2 = { low = 0.5, mode = 0.8, high = 1 }, assumed = true, note = \"test\" }",
        )],
        &[],
    )
    .unwrap();
    let paths: Vec<(&str, &str)> = sc
        .parameters
        .iter()
        .map(|p| (p.path.as_str(), p.key.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            ("threats.tbm.manoeuvre.tier2", "threats.tbm.manoeuvre.tier2"),
            ("threats.tbm.manoeuvre.tier3", "threats.tbm.manoeuvre.tier2"),
            ("threats.tbm.manoeuvre.tier4", "threats.tbm.manoeuvre.tier2"),
        ]
    );
    let tbm = sc.weapons.iter().position(|w| w.id == "tbm").unwrap();
    assert!(sc.parameters.iter().all(|p| p.owner == Owner::Weapon(tbm)));
    assert_eq!(sc.weapons[tbm].manoeuvre, [1.0, 0.8, 0.8, 0.8]);
}

#[test]
fn the_parameters_do_not_depend_on_file_order() {
    let edits = [
        (
            PK,
            "pk = { ballistic = { low = 0.6, mode = 0.8, high = 0.9 }, drone = 0.8,",
        ),
        (
            CEP,
            "cep_m = { value = { low = 0, mode = 10, high = 200 }, assumed = true, note = \"test\" }",
        ),
    ];
    let (dir, sc, db) = edited(&edits, &[]);
    let forward = scenario::load_str("smoke.toml", &sc, dir.path()).unwrap();
    // The database's entries in reverse order.
    let mut entries: Vec<String> = db
        .split("\n[[")
        .enumerate()
        .map(|(i, e)| {
            if i == 0 {
                e.to_string()
            } else {
                format!("[[{e}")
            }
        })
        .collect();
    let header = entries.remove(0);
    let header_entry = header.find("[[").map(|at| header[at..].to_string());
    let mut reversed = header[..header.find("[[").unwrap_or(header.len())].to_string();
    if let Some(h) = header_entry {
        entries.insert(0, h);
    }
    entries.reverse();
    for e in entries {
        reversed.push('\n');
        reversed.push_str(&e);
    }
    std::fs::write(dir.path().join("db.toml"), reversed).unwrap();
    let backward = scenario::load_str("smoke.toml", &sc, dir.path()).unwrap();
    assert_eq!(forward.parameters, backward.parameters);
}

#[test]
fn bad_distributions_are_named_where_they_stand() {
    rejected(
        PK,
        "pk = { ballistic = { low = 0.6, mode = 0.95, high = 0.9 }, drone = 0.8,",
        "expected `mode` within [low, high] = [0.6, 0.9], found 0.95",
    );
    rejected(
        PK,
        "pk = { ballistic = { low = 0.6, mode = 0.8, high = 1.2 }, drone = 0.8,",
        "expected a probability between 0 and 1, found 1.2",
    );
    rejected(
        PK,
        "pk = { ballistic = { low = 0.9, mode = 0.9, high = 0.9 }, drone = 0.8,",
        "expected `low` below `high`",
    );
    rejected(
        PK,
        "pk = { ballistic = { low = 0.6, high = 0.9 }, drone = 0.8,",
        "a triangular distribution needs `mode`",
    );
    rejected(
        PK,
        "pk = { ballistic = { low = 0.6, mode = 0.7, high = 0.9, point = 0.7 }, drone = 0.8,",
        "a triangular distribution takes no `point` (its point value is its `mode`)",
    );
    rejected(
        PK,
        "pk = { ballistic = { dist = \"uniform\", low = 0.6, high = 0.9, point = 0.95 }, drone = 0.8,",
        "expected `point` within [low, high] = [0.6, 0.9], found 0.95",
    );
    rejected(
        PK,
        "pk = { ballistic = { dist = \"beta\", alpha = 0, beta = 2 }, drone = 0.8,",
        "expected `alpha` above 0, found 0",
    );
    rejected(
        PK,
        "pk = { ballistic = { dist = \"normal\", low = 0.6, high = 0.9 }, drone = 0.8,",
        "unknown variant `normal`",
    );
    rejected(
        PK,
        "pk = { ballistic = { low = 0.6, mean = 0.7, high = 0.9 }, drone = 0.8,",
        "unknown field `mean`",
    );
    rejected(
        PK,
        "pk = { ballistic = { low = 0.6, mode = 0.7, high = 0.9, key = \"Bad Key\" }, drone = 0.8,",
        "a draw key is 1-200 characters",
    );
    rejected(
        CEP,
        "cep_m = { value = { low = -5, mode = 10, high = 20 }, assumed = true, note = \"test\" }",
        "expected a number of 0 or more, found -5",
    );
    rejected(
        CEP,
        "cep_m = { value = { low = 0, mode = 10, high = 40000 }, assumed = true, note = \"test\" }",
        "expected a CEP of at most",
    );
    rejected(
        "range_km = { value = 1000, assumed = true, note = \"test\" }",
        "range_km = { value = { low = 800, mode = 1000, high = 1200 }, assumed = true, note = \"test\" }",
        "a weapon's range is a validity bound",
    );
    rejected(
        CEP,
        "cep_m = { value = 0, assumed = true, note = \"test\" }\ndecoys = { value = { low = 0, mode = 1.5, high = 3 }, assumed = true, note = \"test\" }",
        "expected a whole number of decoys from 0 to 8, found 1.5",
    );
}

#[test]
fn hormuz_check_exits_2_on_a_bad_distribution() {
    let (dir, sc, _) = edited(
        &[(
            PK,
            "pk = { ballistic = { low = 0.6, mode = 0.95, high = 0.9 }, drone = 0.8,",
        )],
        &[],
    );
    let path = dir.path().join("smoke.toml");
    std::fs::write(&path, sc).unwrap();
    let out = common::hormuz(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("db.toml:"), "{err}");
    assert!(err.contains("expected `mode` within"), "{err}");
}

/// The built-in scenario and its database in a folder of their own, the database edited.
/// The built-in scenario and database, copied into a folder, with `db_edits` made to the
/// database; `pointed`: every distribution replaced by its point value, as a number.
fn built_in_copy(db_edits: &[(&str, &str)], pointed: bool) -> tempfile::TempDir {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("db")).unwrap();
    let mut db = std::fs::read_to_string(root.join("db/weapons.toml")).unwrap();
    for (from, to) in db_edits {
        assert_eq!(db.matches(from).count(), 1, "{from:?} once in weapons.toml");
        db = db.replacen(from, to, 1);
    }
    let mut scenario = std::fs::read_to_string(root.join("gulf-2026.toml")).unwrap();
    if pointed {
        db = point_values(&db);
        scenario = point_values(&scenario);
    }
    std::fs::write(dir.path().join("db/weapons.toml"), db).unwrap();
    std::fs::write(dir.path().join("gulf-2026.toml"), scenario).unwrap();
    dir
}

/// A TOML text with every distribution (an inline table with `low` and `high`, or `dist`)
/// replaced by its point value as written: a triangular's `mode`, a uniform's or beta's
/// `point`.
fn point_values(text: &str) -> String {
    fn visit(v: &mut toml_edit::Value) {
        if let Some(t) = v.as_inline_table() {
            let is_distribution =
                t.contains_key("dist") || (t.contains_key("low") && t.contains_key("high"));
            if is_distribution {
                let point = t
                    .get("mode")
                    .or_else(|| t.get("point"))
                    .unwrap_or_else(|| panic!("a distribution without mode or point: {t}"))
                    .clone();
                let decor = v.decor().clone();
                *v = point;
                *v.decor_mut() = decor;
                return;
            }
        }
        match v {
            toml_edit::Value::InlineTable(t) => t.iter_mut().for_each(|(_, v)| visit(v)),
            toml_edit::Value::Array(a) => a.iter_mut().for_each(visit),
            _ => {}
        }
    }
    fn visit_item(item: &mut toml_edit::Item) {
        match item {
            toml_edit::Item::Value(v) => visit(v),
            toml_edit::Item::Table(t) => t.iter_mut().for_each(|(_, i)| visit_item(i)),
            toml_edit::Item::ArrayOfTables(a) => a
                .iter_mut()
                .for_each(|t| t.iter_mut().for_each(|(_, i)| visit_item(i))),
            toml_edit::Item::None => {}
        }
    }
    let mut doc: toml_edit::DocumentMut = text.parse().unwrap();
    doc.iter_mut().for_each(|(_, i)| visit_item(i));
    doc.to_string()
}

/// `hormuz run` of the copy in `dir` (20 replicates on the CPU), and its outputs
/// (`summary.json` without its timing).
fn run_copy(dir: &std::path::Path, parameters: &str) -> (std::process::Output, Vec<Vec<u8>>) {
    let out = common::hormuz_in(
        dir,
        &[
            "run",
            "gulf-2026.toml",
            "-n",
            "20",
            "--backend",
            "cpu",
            "-q",
            "--out",
            "out",
            "--parameters",
            parameters,
        ],
    );
    let mut files: Vec<Vec<u8>> = ["summary.json", "replicates.csv", "log.csv"]
        .iter()
        .map(|f| std::fs::read(dir.join("out").join(f)).unwrap_or_default())
        .collect();
    // summary.json but its timing (as tests/canonical.rs compares it).
    if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&files[0]) {
        v["run"].as_object_mut().unwrap().remove("timing");
        files[0] = serde_json::to_vec(&v).unwrap();
    }
    (out, files)
}

/// The built-in database and scenario write their assumed figures as distributions: a point
/// run of them gives the bytes of the same files with each distribution written as its
/// point value.
#[test]
fn point_parameters_reproduce_the_built_in_run_byte_for_byte() {
    let plain = built_in_copy(&[], true);
    let ranged = built_in_copy(&[], false);
    let (a, expected) = run_copy(plain.path(), "point");
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let (b, got) = run_copy(ranged.path(), "point");
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    assert!(!expected[1].is_empty());
    for (i, name) in ["summary.json", "replicates.csv", "log.csv"]
        .iter()
        .enumerate()
    {
        assert!(expected[i] == got[i], "{name} differs");
    }
    // The copies: the built-in holds well over a hundred parameters, the pointed none.
    let sc = scenario::load_path(Some(&ranged.path().join("gulf-2026.toml"))).unwrap();
    assert!(sc.parameters.len() > 100, "{}", sc.parameters.len());
    let sc = scenario::load_path(Some(&plain.path().join("gulf-2026.toml"))).unwrap();
    assert!(sc.parameters.is_empty(), "{:?}", sc.parameters);
    // A run that has nothing to draw draws nothing: the same bytes again.
    let (c, drawn) = run_copy(plain.path(), "draw");
    assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stderr));
    assert!(drawn == expected);
}

#[test]
fn drawing_figures_the_kernels_cannot_draw_yet_is_refused() {
    // A count of decoys sets how many objects a replicate tracks: not drawn yet.
    let ranged = built_in_copy(
        &[(
            "decoys = { value = 1, assumed = true, note = \"assumed 1 (0-3): Shahab-3 variant",
            "decoys = { value = { low = 0, mode = 1, high = 3 }, assumed = true, note = \"assumed 1 (0-3): Shahab-3 variant",
        )],
        false,
    );
    let (out, _) = run_copy(ranged.path(), "draw");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--parameters draw"), "{err}");
    assert!(
        err.contains("1 uncertain figures (the first threats."),
        "{err}"
    );
    assert!(err.contains(".decoys)"), "{err}");
}

#[test]
fn drawn_kill_thresholds_are_the_plans_at_point_values() {
    use hormuz::engine::layout::KILL_BASE;
    use hormuz::engine::params::{DrawnThresholds, Parameters, draw_rows};
    use hormuz::engine::rng::threshold;
    let sc = load(
        &[
            (
                PK,
                "pk = { ballistic = { low = 0.6, mode = 0.8, high = 0.9 }, drone = 0.8,",
            ),
            (
                CEP,
                "cep_m = { value = 0, assumed = true, note = \"test\" }\nmanoeuvre = { tier1 = { low = 0.5, mode = 0.9, high = 1 }, assumed = true, note = \"test\" }",
            ),
        ],
        &[],
    )
    .unwrap();
    let plan = hormuz::engine::plan::build(&sc);
    let drawn = DrawnThresholds::new(&sc, &plan);
    assert!(drawn.words() > 0);
    let weapons = sc.weapons.len() as u32;
    let tbm = sc.weapons.iter().position(|w| w.id == "tbm").unwrap() as u32;
    // Every entry is a (slot, weapon) of the tbm (manoeuvre drawn) or a lower-tier
    // interceptor against a ballistic weapon (Pk drawn).
    for &(e, _) in &drawn.entries {
        let (slot, weapon) = (e / weapons, e % weapons);
        let ic = &sc.interceptors[plan.slots[slot as usize].interceptor as usize];
        assert!(weapon == tbm || ic.id == "lower", "entry {e}");
    }
    // At the point values, the row is the plan's own kill table, bit for bit.
    let points = draw_rows(&sc.parameters, Parameters::Point, 5, 0, 1);
    let mut row = Vec::new();
    drawn.row(&points, &mut row);
    for &(e, i) in &drawn.entries {
        assert_eq!(
            row[i as usize],
            plan.tables[(KILL_BASE + e) as usize],
            "entry {e}"
        );
    }
    // Drawn, each is the threshold of the drawn Pk times the drawn factor.
    let n = sc.parameters.len();
    let values = draw_rows(&sc.parameters, Parameters::Draw, 5, 0, 3);
    for r in 0..3 {
        let v = &values[r * n..(r + 1) * n];
        let mut row = Vec::new();
        drawn.row(v, &mut row);
        for &(e, i) in &drawn.entries {
            let (slot, weapon) = (e / weapons, e % weapons);
            let s = plan.slots[slot as usize];
            let ic = &sc.interceptors[s.interceptor as usize];
            let w = &sc.weapons[weapon as usize];
            let tier = sc.batteries[s.battery as usize].tier;
            let value_of = |path: &str, point: f64| {
                sc.parameters
                    .iter()
                    .position(|p| p.path == path)
                    .map_or(point, |j| v[j])
            };
            let pk = value_of(
                &format!("interceptors.{}.pk.{}", ic.id, w.class.name()),
                ic.pk[w.class.index()],
            );
            let factor = value_of(
                &format!("threats.{}.manoeuvre.tier{}", w.id, tier.clamp(1, 4)),
                w.manoeuvre_factor(tier),
            );
            assert_eq!(
                row[i as usize],
                threshold(pk * factor),
                "replicate {r}, entry {e}"
            );
        }
    }
}

/// The smoke scenario with the lower-tier Pk against ballistic missiles drawn uniformly
/// on [0, 1] (point 0.5), the ballistic missile's launch and in-flight reliability and CEP,
/// the lower tier's round reliability and the defender's detection of ballistic missiles
/// drawn too, planned
/// for a run that draws them with `seed`.
fn drawn_smoke(
    seed: u32,
) -> (
    std::sync::Arc<Scenario>,
    std::sync::Arc<hormuz::engine::plan::Plan>,
) {
    let sc = load(
        &[
            (
                PK,
                "pk = { ballistic = { dist = \"uniform\", low = 0, high = 1, point = 0.5 }, drone = 0.8,",
            ),
            // The ballistic missile's in-flight reliability and the lower tier's rounds.
            (
                "flight_reliability = { value = 1.0,",
                "flight_reliability = { value = { low = 0.6, mode = 0.9, high = 1 },",
            ),
            (
                "launch_reliability = { value = 1.0,",
                "launch_reliability = { value = { dist = \"uniform\", low = 0.7, high = 1, point = 0.95 },",
            ),
            (
                "reliability = { value = 1, assumed = true, note = \"test\" }",
                "reliability = { value = { dist = \"beta\", alpha = 8, beta = 2, point = 0.8 }, assumed = true, note = \"test\" }",
            ),
            // The ballistic missile's CEP: where it lands, so the hits, change per replicate.
            (
                CEP,
                "cep_m = { value = { low = 0, mode = 500, high = 3000 }, assumed = true, note = \"test\" }",
            ),
        ],
        // The defending side's detection of ballistic missiles.
        &[(
            "id = \"blue\"\nname = \"Blue\"\n",
            "id = \"blue\"\nname = \"Blue\"\ndetection = { ballistic = { dist = \"uniform\", low = 0.5, high = 1, point = 0.9 }, assumed = true, note = \"test\" }\n",
        )],
    )
    .unwrap();
    let mut plan = hormuz::engine::plan::build(&sc);
    let draws = hormuz::engine::params::Draws::new(&sc, &plan, seed);
    plan.draws = Some(std::sync::Arc::new(draws));
    (std::sync::Arc::new(sc), std::sync::Arc::new(plan))
}

/// Every replicate's counters of a run that draws its parameters, in batches of `batch`.
fn drawn_counters(engine: hormuz::world::Engine, batch: u32) -> Vec<u32> {
    let (sc, plan) = drawn_smoke(9);
    let config = hormuz::world::RunConfig {
        replicates: 60,
        seed: 9,
        record: 0..0,
    };
    hormuz::world::run_collected(&sc, &plan, &config, engine, batch, |_, _| {})
        .unwrap()
        .final_state
        .counters
}

#[test]
fn drawn_thresholds_do_not_depend_on_batches_threads_or_backend() {
    use hormuz::world::Engine;
    let whole = drawn_counters(Engine::Cpu(Some(2)), 60);
    assert_eq!(drawn_counters(Engine::Cpu(Some(1)), 7), whole);
    assert_eq!(drawn_counters(Engine::Cpu(None), 25), whole);
    if common::require_gpu().is_some() {
        assert_eq!(drawn_counters(Engine::Gpu, 60), whole, "GPU and CPU differ");
        assert_eq!(drawn_counters(Engine::Gpu, 13), whole, "GPU batches differ");
    }
}

#[test]
fn a_run_that_draws_kill_probabilities_reports_them_and_they_act() {
    let (dir, sc, _) = edited(
        &[(
            PK,
            "pk = { ballistic = { dist = \"uniform\", low = 0, high = 1, point = 0.5 }, drone = 0.8,",
        )],
        &[],
    );
    std::fs::write(dir.path().join("smoke.toml"), sc).unwrap();
    let run = |parameters: &str| {
        common::hormuz_in(
            dir.path(),
            &[
                "run",
                "smoke.toml",
                "-n",
                "200",
                "-s",
                "4",
                "--backend",
                "cpu",
                "--out",
                parameters,
                "--parameters",
                parameters,
            ],
        )
    };
    let out = run("draw");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 uncertain figures drawn per replicate"),
        "{err}"
    );
    let mut csv = csv::Reader::from_path(dir.path().join("draw/replicates.csv")).unwrap();
    let header = csv.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (pk, kills) = (
        column("param_interceptors.lower.pk.ballistic"),
        column("intercepted_ballistic"),
    );
    let rows: Vec<(f64, f64)> = csv
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[pk].parse().unwrap(), r[kills].parse().unwrap())
        })
        .collect();
    assert_eq!(rows.len(), 200);
    // The column holds the host's draws for seed 4, replicate by replicate.
    let loaded = scenario::load_path(Some(&dir.path().join("smoke.toml"))).unwrap();
    let draws = hormuz::engine::params::draw_rows(
        &loaded.parameters,
        hormuz::engine::params::Parameters::Draw,
        4,
        0,
        200,
    );
    for (r, (p, _)) in rows.iter().enumerate() {
        assert_eq!(*p, draws[r], "replicate {r}");
    }
    // The kernels use them: replicates that drew a high Pk kill far more (20 missiles at
    // 16 rounds; at a Pk of 0.25 about 4 kills, at 0.75 about 12). Were the draws ignored,
    // the two halves would differ by chance alone (a standard error of about 0.4).
    let mean = |f: &dyn Fn(f64) -> bool| {
        let v: Vec<f64> = rows.iter().filter(|r| f(r.0)).map(|r| r.1).collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let (low, high) = (mean(&|p| p < 0.5), mean(&|p| p >= 0.5));
    assert!(high - low > 3.0, "kills at low Pk {low}, at high Pk {high}");
    // The intervals say what they include, in the table and in summary.json.
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("mean [p5–p95] across replicates (parameter and chance uncertainty"),
        "{table}"
    );
    let summary = std::fs::read_to_string(dir.path().join("draw/summary.json")).unwrap();
    assert!(
        summary.contains("\"uncertainty\": \"parameter and chance uncertainty: 1 uncertain figures drawn per replicate\""),
        "{summary}"
    );
    // A point run has no parameter columns, and its intervals are chance alone.
    let point_summary = || std::fs::read_to_string(dir.path().join("point/summary.json")).unwrap();
    let out = run("point");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.path().join("point/replicates.csv")).unwrap();
    assert!(!text.lines().next().unwrap().contains("param_"));
    assert!(!point_summary().contains("uncertainty"));
}

#[test]
fn drawn_reliabilities_detection_and_launch_are_the_plans_at_point_values() {
    use hormuz::engine::params::{DrawnThresholds, Parameters, draw_rows};
    let (sc, plan) = drawn_smoke(3);
    let drawn = DrawnThresholds::new(&sc, &plan);
    let (slots, weapons) = (plan.slots.len() as u32, plan.weapons.len() as u32);
    let tbm = sc.weapons.iter().position(|w| w.id == "tbm").unwrap() as u32;
    let lower: Vec<u32> = (0..slots)
        .filter(|&s| sc.interceptors[plan.slots[s as usize].interceptor as usize].id == "lower")
        .collect();
    // The sites: the lower tier's kill thresholds, the tbm's flight, the lower slots'
    // rounds, and the detection of every ballistic track (all aimed at blue's base), which
    // share one word.
    let sites: Vec<u32> = drawn.entries.iter().map(|e| e.0).collect();
    assert!(sites.contains(&(slots * weapons + tbm)));
    for s in &lower {
        assert!(sites.contains(&(slots * weapons + weapons + s)));
    }
    let detect = slots * weapons + weapons + slots;
    let ballistic: Vec<u32> = (0..plan.tracks.len() as u32)
        .filter(|&k| plan.tracks[k as usize].weapon == tbm)
        .collect();
    assert!(!ballistic.is_empty());
    let launch = detect + plan.tracks.len() as u32;
    let words: std::collections::BTreeSet<u32> = drawn
        .entries
        .iter()
        .filter(|e| e.0 >= detect && e.0 < launch)
        .map(|e| e.1)
        .collect();
    assert_eq!(words.len(), 1);
    assert_eq!(
        sites.iter().filter(|&&e| e >= detect && e < launch).count(),
        ballistic.len()
    );
    // And the launch of every ballistic track (one launch site: one word).
    let scatter = launch + plan.tracks.len() as u32;
    assert_eq!(
        sites
            .iter()
            .filter(|&&e| e >= launch && e < scatter)
            .count(),
        ballistic.len()
    );
    // And the tbm's scatter, from its CEP.
    assert_eq!(sites.iter().filter(|&&e| e >= scatter).count(), 1);
    assert!(sites.contains(&(scatter + tbm)));
    let points = draw_rows(&sc.parameters, Parameters::Point, 3, 0, 1);
    let mut row = Vec::new();
    drawn.row(&points, &mut row);
    for &(e, i) in &drawn.entries {
        let expected = if e < slots * weapons {
            continue;
        } else if e < slots * weapons + weapons {
            plan.weapons[(e - slots * weapons) as usize].flight_ok
        } else if e < detect {
            plan.slots[(e - slots * weapons - weapons) as usize].reliability
        } else if e < launch {
            plan.tracks[(e - detect) as usize].detect
        } else if e < scatter {
            plan.tracks[(e - launch) as usize].launch_ok
        } else {
            plan.weapons[(e - scatter) as usize].scatter
        };
        assert_eq!(row[i as usize], expected, "site {e}");
    }
}

#[test]
fn drawn_unit_costs_price_each_replicate() {
    // The lower tier's unit cost drawn: each replicate's defence cost is its rounds fired
    // times its own draw, and the interceptor's cost interval in summary.json is that of
    // those products.
    let (dir, sc, _) = edited(
        &[(
            "cost_usd = { value = 4000000,",
            "cost_usd = { value = { low = 2000000, mode = 4000000, high = 9000000 },",
        )],
        &[],
    );
    std::fs::write(dir.path().join("smoke.toml"), sc).unwrap();
    let out = common::hormuz_in(
        dir.path(),
        &[
            "run",
            "smoke.toml",
            "-n",
            "50",
            "-s",
            "8",
            "--backend",
            "cpu",
            "--out",
            "o",
            "--parameters",
            "draw",
            "-q",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut csv = csv::Reader::from_path(dir.path().join("o/replicates.csv")).unwrap();
    let header = csv.headers().unwrap().clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} not in {header:?}"))
    };
    let (cost, fired, usd) = (
        column("param_interceptors.lower.cost_usd"),
        column("fired_lower"),
        column("defence_usd_blue"),
    );
    let mut distinct = std::collections::BTreeSet::new();
    for r in csv.records() {
        let r = r.unwrap();
        let (c, n, d): (f64, f64, f64) = (
            r[cost].parse().unwrap(),
            r[fired].parse().unwrap(),
            r[usd].parse().unwrap(),
        );
        assert!((2e6..=9e6).contains(&c), "{c}");
        distinct.insert(c.to_bits());
        // The upper tier's rounds keep their fixed cost.
        let upper: f64 = r[column("fired_upper")].parse().unwrap();
        let expected = n * c + upper * 12e6;
        assert!(
            (d - expected).abs() <= 1e-6 * expected.max(1.0),
            "{d} vs {expected}"
        );
    }
    assert!(
        distinct.len() > 40,
        "the draws vary: {} distinct",
        distinct.len()
    );
}
