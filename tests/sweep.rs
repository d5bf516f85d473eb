//! `hormuz sweep` through the real binary: the grid, the seed per grid point, the files, and
//! bad keys and ranges.

mod common;

use std::path::Path;
use std::process::Output;

use common::hormuz;

fn smoke_copy(dir: &Path, count: u32, pk: f64) -> String {
    let data = common::data_dir();
    let db = std::fs::read_to_string(data.join("db.toml")).unwrap();
    let old = "pk = { ballistic = 0.8, drone = 0.8, assumed = true, note = \"test\" }";
    assert!(db.contains(old));
    let db = db.replacen(
        old,
        &format!("pk = {{ ballistic = {pk}, drone = 0.8, assumed = true, note = \"test\" }}"),
        1,
    );
    std::fs::write(dir.join("db.toml"), db).unwrap();
    let s = std::fs::read_to_string(data.join("smoke.toml")).unwrap();
    let old = "salvo = { from = \"pad\", weapon = \"tbm\", count = 20,";
    assert!(s.contains(old));
    let s = s.replace(
        old,
        &format!("salvo = {{ from = \"pad\", weapon = \"tbm\", count = {count},"),
    );
    let p = dir.join("smoke.toml");
    std::fs::write(&p, s).unwrap();
    p.to_string_lossy().into_owned()
}

/// A 3 x 2 grid gives 6 rows, and each row is what `hormuz run` gives for the same edit with
/// the same seed (every grid point runs with the sweep's seed).
#[test]
fn a_grid_row_equals_a_run_with_the_same_seed() {
    let out = tempfile::tempdir().unwrap();
    let smoke = common::data_dir().join("smoke.toml");
    let o = hormuz(&[
        "sweep",
        smoke.to_str().unwrap(),
        "--vary",
        "orders.wave.salvo.count=10..20:5",
        "--vary",
        "interceptors.lower.pk.ballistic=0.5..0.9:0.4",
        "-n",
        "60",
        "--seed",
        "11",
        "-o",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut r = csv::Reader::from_path(out.path().join("sweep.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header[0], "orders.wave.salvo.count");
    assert_eq!(header[1], "interceptors.lower.pk.ballistic");
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 6);
    let col = |row: &csv::StringRecord, n: &str| -> f64 {
        let i = header
            .iter()
            .position(|h| h == n)
            .unwrap_or_else(|| panic!("no {n}"));
        row[i].parse().unwrap()
    };
    let expected_points = [
        (10, 0.5),
        (10, 0.9),
        (15, 0.5),
        (15, 0.9),
        (20, 0.5),
        (20, 0.9),
    ];
    let mut leaked_means = Vec::new();
    for (row, (count, pk)) in rows.iter().zip(expected_points) {
        assert_eq!(col(row, "orders.wave.salvo.count"), count as f64);
        assert_eq!(col(row, "interceptors.lower.pk.ballistic"), pk);
        let dir = tempfile::tempdir().unwrap();
        let path = smoke_copy(dir.path(), count, pk);
        let run_out = dir.path().join("out");
        let o = hormuz(&[
            "run",
            &path,
            "-n",
            "60",
            "--seed",
            "11",
            "-q",
            "-o",
            run_out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(run_out.join("summary.json")).unwrap()).unwrap();
        let stat = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap();
        // serde_json parses floats to within one unit in the last place (it is built without
        // `float_roundtrip`), so the means are compared to 1e-12; p5 and p95 are whole numbers.
        let same = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(1.0);
        for s in ["mean", "p5", "p95"] {
            for (figure, json) in [
                ("leaked_total", &summary["totals"]["leaked"]),
                ("hits_base", &summary["assets"][0]["hits"]),
                ("fired_lower", &summary["interceptors"][0]["fired"]),
            ] {
                let (a, b) = (col(row, &format!("{figure}_{s}")), stat(json, s));
                assert!(
                    same(a, b),
                    "count {count}, pk {pk}: {figure}_{s} sweep {a}, run {b}"
                );
            }
        }
        leaked_means.push(col(row, "leaked_total_mean"));
    }
    // The grid changes something: more missiles leak more, a better Pk leaks less.
    assert!(leaked_means[4] > leaked_means[0], "{leaked_means:?}");
    assert!(leaked_means[1] < leaked_means[0], "{leaked_means:?}");
    for png in ["saturation.png", "cost-exchange.png"] {
        let bytes = std::fs::read(out.path().join(png)).unwrap();
        assert!(
            bytes.len() > 10_000 && bytes.starts_with(b"\x89PNG"),
            "{png}"
        );
    }
}

fn assert_bad(o: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in:\n{err}");
    }
}

#[test]
fn bad_keys_and_ranges_exit_2_naming_them() {
    let smoke = common::data_dir().join("smoke.toml");
    let smoke = smoke.to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    let out = out.path().to_str().unwrap();
    let sweep = |vary: &str| hormuz(&["sweep", smoke, "--vary", vary, "-n", "5", "-o", out]);
    assert_bad(
        &sweep("batteries.sma.channels=1..3:1"),
        &[
            "batteries.sma.channels",
            "no entry of `batteries` has id \"sma\"",
        ],
    );
    assert_bad(
        &sweep("batteries.sam.chanels=1..3:1"),
        &["batteries.sam.chanels", "has no \"chanels\""],
    );
    assert_bad(
        &sweep("interceptors.lower.pk.balistic=0.1..0.2:0.1"),
        &["interceptors.lower.pk.balistic"],
    );
    assert_bad(
        &sweep("radars.x.range=1..2:1"),
        &["radars.x.range", "no `radars`"],
    );
    assert_bad(
        &sweep("batteries.sam.channels=1.5..3:1"),
        &["batteries.sam.channels", "whole number"],
    );
    assert_bad(
        &sweep("batteries.sam.channels=3..1:1"),
        &["--vary batteries.sam.channels=3..1:1", "TO is below FROM"],
    );
    assert_bad(
        &sweep("batteries.sam.channels=1..3:0"),
        &["STEP must be above 0"],
    );
    assert_bad(
        &sweep("batteries.sam.channels"),
        &["--vary batteries.sam.channels", "no `=`"],
    );
    // A value the checker refuses names the grid point and the place.
    assert_bad(
        &sweep("orders.wave.salvo.count=10..30:10"),
        &[
            "orders.wave.salvo.count = 30",
            "smoke.toml:",
            "pad holds 20 tbm",
        ],
    );
    assert_bad(
        &sweep("interceptors.lower.pk.ballistic=0.5..1.5:0.5"),
        &[
            "interceptors.lower.pk.ballistic = 1.5",
            "probability between 0 and 1",
        ],
    );
}

/// An `--out` that cannot be created is a failure while running (exit 1), as in `run`.
#[test]
fn an_out_folder_that_cannot_be_created_exits_1() {
    let smoke = common::data_dir().join("smoke.toml");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let out = file.join("out");
    let o = hormuz(&[
        "sweep",
        smoke.to_str().unwrap(),
        "--vary",
        "orders.wave.salvo.count=10..10:1",
        "-n",
        "5",
        "-o",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("--out") && err.contains("cannot create the folder"),
        "{err}"
    );
}

#[test]
fn a_sharded_sweep_merges_to_the_single_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let smoke = common::data_dir().join("smoke.toml");
    let d = |n: &str| tmp.path().join(n).to_str().unwrap().to_string();
    let sweep = |out: &str, shard: Option<&str>| {
        let mut args = vec![
            "sweep",
            smoke.to_str().unwrap(),
            "--vary",
            "orders.wave.salvo.count=10..20:5",
            "--vary",
            "interceptors.lower.pk.ballistic=0.5..0.9:0.4",
            "-n",
            "20",
            "-s",
            "4",
            "-o",
            out,
        ];
        if let Some(s) = shard {
            args.extend(["--shard", s]);
        }
        let o = hormuz(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    sweep(&d("single"), None);
    for s in ["0/4", "1/4", "2/4", "3/4"] {
        sweep(&d("shards"), Some(s));
    }
    let shard = |i: u32| format!("{}/shard-{i}-of-4", d("shards"));
    let (s0, s1, s2, s3) = (shard(0), shard(1), shard(2), shard(3));
    let o = hormuz(&["merge", "--out", &d("merged"), &s3, &s1, &s0, &s2]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["sweep.csv", "saturation.png", "cost-exchange.png"] {
        let a = std::fs::read(tmp.path().join("single").join(f)).unwrap();
        let b = std::fs::read(tmp.path().join("merged").join(f)).unwrap();
        assert!(
            a == b,
            "{f} of the merged shards differs from the single sweep's"
        );
    }
    // A shard missing is refused by name.
    let o = hormuz(&["merge", "--out", &d("x"), &s0, &s1, &s3]);
    assert_bad(&o, &["grid points", "3..4", "missing"]);
}
