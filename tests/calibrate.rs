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
