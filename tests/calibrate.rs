//! `hormuz calibrate` and the `[[reported]]` figures, through the real binary.

mod common;

use std::path::Path;

use common::hormuz;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A copy of `scenarios/` in a temporary folder, with one edit to a calibration scenario.
fn edited_copy(file: &str, edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    std::fs::create_dir_all(dir.path().join("db")).unwrap();
    std::fs::create_dir_all(dir.path().join("calibration")).unwrap();
    std::fs::copy(
        root.join("db/weapons.toml"),
        dir.path().join("db/weapons.toml"),
    )
    .unwrap();
    let t = std::fs::read_to_string(root.join("calibration").join(file)).unwrap();
    std::fs::write(dir.path().join("calibration").join(file), edit(t)).unwrap();
    dir
}

/// What CI runs: every calibration event, the command and seed of VALIDATION.md (a debug
/// build takes about 15 s).
#[test]
fn calibration_passes() {
    let o = hormuz(&["calibrate", "--replicates", "1000", "--seed", "2026"]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "stdout:\n{out}\nstderr:\n{err}");
    for event in ["8 Jan 2020", "13-14 Apr 2024", "1 Oct 2024"] {
        assert!(out.contains(event), "no table for {event}:\n{out}");
    }
    for figure in [
        "hits_al-asad",
        "failed_ballistic",
        "intercepted_drone_by_us",
        "fired_by_us",
    ] {
        assert!(out.contains(figure), "no row for {figure}:\n{out}");
    }
    assert!(out.contains(", 0 missed"), "{out}");
}

/// The check can fail: a reported range the model cannot reach is a miss, exit status 1,
/// and the message names the event and the figure.
#[test]
fn a_reported_figure_out_of_reach_fails_the_calibration() {
    let dir = edited_copy("al-asad-2020.toml", |t| {
        t.replace("range = [11, 11]", "range = [30, 40]")
    });
    let cal = dir.path().join("calibration");
    let o = hormuz(&["calibrate", "-n", "200", "--dir", cal.to_str().unwrap()]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("al-asad-2020.toml: hits_al-asad reported 30–40"),
        "{err}"
    );
    assert!(text(&o.stdout).contains("MISS"));
}

#[test]
fn an_unknown_reported_figure_is_refused_with_its_place() {
    let dir = edited_copy("al-asad-2020.toml", |t| {
        t.replace("figure = \"hits_al-asad\"", "figure = \"hits_al-assad\"")
    });
    let cal = dir.path().join("calibration");
    let o = hormuz(&["check", cal.join("al-asad-2020.toml").to_str().unwrap()]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // The line and column of the value, the key path, and the nearest names.
    let line = text(&std::fs::read(cal.join("al-asad-2020.toml")).unwrap())
        .lines()
        .position(|l| l.contains("hits_al-assad"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!(
            "al-asad-2020.toml:{line}:10: error: reported[3].figure"
        )),
        "{err}"
    );
    assert!(
        err.contains("unknown figure \"hits_al-assad\"; the closest figures: hits_al-asad, "),
        "{err}"
    );
}

#[test]
fn a_bad_reported_range_or_source_is_refused() {
    let dir = edited_copy("al-asad-2020.toml", |t| {
        t.replace("range = [15, 22]", "range = [22, 15]").replace(
            "source = \"events.md: 11 impacts at Al Asad\"",
            "source = \" \"",
        )
    });
    let cal = dir.path().join("calibration");
    let o = hormuz(&["check", cal.join("al-asad-2020.toml").to_str().unwrap()]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("reported[0].range: expected [lo, hi] with lo <= hi, found [22, 15]"),
        "{err}"
    );
    assert!(
        err.contains("reported[3].source: a reported figure needs a `source`"),
        "{err}"
    );
}

/// The per-side figures add up to the totals, replicate by replicate.
#[test]
fn per_side_figures_add_up() {
    let out = tempfile::tempdir().unwrap();
    let o = hormuz(&[
        "run",
        "scenarios/calibration/israel-apr-2024.toml",
        "-n",
        "20",
        "-q",
        "-o",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let mut r = csv::Reader::from_path(out.path().join("replicates.csv")).unwrap();
    let names: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let col = |row: &csv::StringRecord, n: &str| -> f64 {
        let i = names
            .iter()
            .position(|x| x == n)
            .unwrap_or_else(|| panic!("no {n}"));
        row[i].parse().unwrap()
    };
    let sides = ["israel", "us", "partners"];
    let mut us_drones = 0.0;
    for row in r.records() {
        let row = row.unwrap();
        for class in ["ballistic", "cruise", "drone", "rocket"] {
            let by_side: f64 = sides
                .iter()
                .map(|s| col(&row, &format!("intercepted_{class}_by_{s}")))
                .sum();
            assert_eq!(
                by_side,
                col(&row, &format!("intercepted_{class}")),
                "{class}"
            );
        }
        let fired: f64 = names
            .iter()
            .filter(|n| n.starts_with("fired_") && !n.starts_with("fired_by_"))
            .map(|n| col(&row, n))
            .sum();
        let by_side: f64 = sides
            .iter()
            .map(|s| col(&row, &format!("fired_by_{s}")))
            .sum();
        assert_eq!(fired, by_side);
        us_drones += col(&row, "intercepted_drone_by_us");
    }
    assert!(us_drones > 0.0, "the US patrols never killed a drone");
}

/// A calibration folder of one event, built so the fit's answer is known: the smoke
/// scenario (20 ballistic missiles at 16 rounds) with the interceptor's Pk drawn uniformly
/// on [0, 1] and a report of 10-12 intercepted, which only a Pk near 0.7 gives; and the
/// drone's CEP drawn too, which nothing reported can see (the drones are still on their
/// way when the event ends).
fn known_answer() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let db = std::fs::read_to_string(data.join("db.toml"))
        .unwrap()
        .replacen(
            "pk = { ballistic = 0.8,",
            "pk = { ballistic = { dist = \"uniform\", low = 0, high = 1, point = 0.5 },",
            1,
        );
    let (owd, rest) = db.split_at(db.find("id = \"owd\"").unwrap());
    let rest = rest.replacen(
        "cep_m = { value = 0,",
        "cep_m = { value = { dist = \"uniform\", low = 0, high = 1000, point = 500 },",
        1,
    );
    std::fs::write(dir.path().join("db.toml"), format!("{owd}{rest}")).unwrap();
    let sc = std::fs::read_to_string(data.join("smoke.toml")).unwrap()
        + "\n[[reported]]\nfigure = \"intercepted_ballistic\"\nrange = [10, 12]\nsource = \"test: known by construction\"\n";
    std::fs::write(dir.path().join("smoke.toml"), sc).unwrap();
    dir
}

/// The posterior's values of one parameter.
fn column(posterior: &serde_json::Value, path: &str) -> Vec<f64> {
    let names = posterior["parameters"].as_array().unwrap();
    let c = names.iter().position(|n| n == path).unwrap();
    posterior["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[c].as_f64().unwrap())
        .collect()
}

fn spread(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    (at(0.05), at(0.5), at(0.95))
}

#[test]
fn a_fit_finds_the_parameter_the_report_constrains_and_leaves_the_other_alone() {
    let dir = known_answer();
    let out = dir.path().join("fit");
    let o = hormuz(&[
        "calibrate",
        "--dir",
        dir.path().to_str().unwrap(),
        "--fit",
        out.to_str().unwrap(),
        "--sets",
        "400",
        "--accept",
        "0.1",
        "--backend",
        "cpu",
        "-s",
        "11",
    ]);
    let (stdout, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{stdout}\n{err}");
    let posterior: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("posterior.json")).unwrap())
            .unwrap();
    assert_eq!(posterior["fit"]["accepted"], 40);
    // Uniform on [0, 1]: the prior's 90% interval is 0.9 wide. The report pins the Pk.
    let (lo, mid, hi) = spread(column(&posterior, "interceptors.lower.pk.ballistic"));
    assert!((0.5..=0.85).contains(&mid), "Pk median {mid}");
    assert!(hi - lo < 0.45, "Pk 90% interval {lo}-{hi}");
    // Nothing sees the drone's CEP: its posterior is its prior (900 m of 1,000 wide).
    let (lo, _, hi) = spread(column(&posterior, "threats.owd.cep_m"));
    assert!(hi - lo > 700.0, "CEP 90% interval {lo}-{hi}");
    // fit.md (also printed): the informed parameter, and the leave-one-event-out table
    // (with one event, the fit to the others is no fit: the prior predicts it).
    let md = std::fs::read_to_string(out.join("fit.md")).unwrap();
    assert_eq!(md, stdout);
    assert!(md.contains("| `interceptors.lower.pk.ballistic` |"), "{md}");
    assert!(
        md.contains("keep their prior (no event informs them): `threats.owd.cep_m`"),
        "{md}"
    );
    assert!(md.contains("| `intercepted_ballistic` | 10–12 |"), "{md}");
    // The calibration under the posterior: the intervals say where they come from, and the
    // report falls inside.
    let o = hormuz(&[
        "calibrate",
        "--dir",
        dir.path().to_str().unwrap(),
        "--posterior",
        out.join("posterior.json").to_str().unwrap(),
        "-n",
        "200",
    ]);
    let stdout = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}\n{}", text(&o.stderr));
    assert!(stdout.contains("2 of them from the posterior"), "{stdout}");
    assert!(stdout.contains("0 missed"), "{stdout}");
}

#[test]
fn a_bad_posterior_is_refused_by_name() {
    let dir = known_answer();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"format\": \"something else\"}").unwrap();
    let o = hormuz(&[
        "calibrate",
        "--dir",
        dir.path().to_str().unwrap(),
        "--posterior",
        bad.to_str().unwrap(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.json"), "{err}");
    // A posterior whose values lie outside this database's ranges was fitted to another.
    let other = dir.path().join("other.json");
    std::fs::write(
        &other,
        r#"{"format": "hormuz posterior 1", "fit": {"method": "m", "events": [], "sets": 1, "accepted": 1, "tolerance": 0, "seed": 1, "version": "0"}, "parameters": ["threats.owd.cep_m"], "samples": [[5000]]}"#,
    )
    .unwrap();
    let o = hormuz(&[
        "calibrate",
        "--dir",
        dir.path().to_str().unwrap(),
        "--posterior",
        other.to_str().unwrap(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("threats.owd.cep_m = 5000, outside its range"),
        "{err}"
    );
}
