//! The real binary, end to end: the default scenario, determinism of the files, and
//! every kind of bad input (exit status 2, a message that names the place, no panic).

mod common;

use std::path::Path;
use std::process::Output;

use common::hormuz;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit 2, no panic, and stderr contains every needle.
fn assert_bad_input(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "exit status; stderr:\n{err}");
    assert!(!err.contains("panicked"), "panic:\n{err}");
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in:\n{err}");
    }
}

/// A copy of the smoke scenario with one edit, in a temporary folder with its database.
fn variant(edit: impl Fn(String) -> String) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let data = common::data_dir();
    std::fs::copy(data.join("db.toml"), dir.path().join("db.toml")).unwrap();
    let text = std::fs::read_to_string(data.join("smoke.toml")).unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, edit(text)).unwrap();
    let p = path.to_string_lossy().into_owned();
    (dir, p)
}

#[test]
fn default_scenario_runs_end_to_end() {
    let out = tempfile::tempdir().unwrap();
    // The built-in decision tree on its fixed path (the wide war).
    let o = hormuz(&[
        "run",
        "-n",
        "8",
        "--out",
        out.path().to_str().unwrap(),
        "--decide",
        "talks=collapse",
        "--decide",
        "strike=limited",
        "--decide",
        "retaliation=wide",
        "--decide",
        "proxies=join",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = String::from_utf8_lossy(&o.stdout);
    for section in [
        "ballistic",
        "drone",
        "interceptor",
        "offence USD",
        "decision",
    ] {
        assert!(
            table.contains(section),
            "summary table lacks {section}:\n{table}"
        );
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["run"]["replicates"], 8);
    assert!(summary["scenario"]["threats_planned"].as_u64().unwrap() >= 1500);
    assert!(summary["scenario"]["defensive_units"].as_u64().unwrap() >= 30);
    let launched = summary["totals"]["launched"]["mean"].as_f64().unwrap();
    let intercepted = summary["totals"]["intercepted"]["mean"].as_f64().unwrap();
    assert!(
        launched > 1000.0 && intercepted > 100.0,
        "{launched} {intercepted}"
    );
    let csv = std::fs::read_to_string(out.path().join("replicates.csv")).unwrap();
    assert_eq!(csv.lines().count(), 9, "header and one row per replicate");
    assert!(out.path().join("log.csv").exists());
}

#[test]
fn default_scenario_meets_the_size_the_exercise_needs() {
    let o = hormuz(&["check", "scenarios/gulf-2026.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    // "N threats planned per replicate: B ballistic, C cruise, D drone, R rocket"
    let line = text
        .lines()
        .find(|l| l.contains("threats planned"))
        .unwrap();
    let nums: Vec<u32> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let (total, ballistic, cruise, drone) = (nums[0], nums[1], nums[2], nums[3]);
    assert!(
        total >= 1500 && ballistic >= 500 && cruise >= 100 && drone >= 500,
        "{line}"
    );
}

#[test]
fn same_seed_same_bytes_whatever_the_thread_count() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let runs = [("1", &dirs[0]), ("2", &dirs[1]), ("2", &dirs[2])];
    for (threads, dir) in runs {
        let o = hormuz(&[
            "run",
            "-n",
            "24",
            "--seed",
            "77",
            "--threads",
            threads,
            "-q",
            "--out",
            dir.path().to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let read = |d: &Path, f: &str| std::fs::read(d.join(f)).unwrap();
    let strip_timing = |bytes: Vec<u8>| {
        let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        v["run"].as_object_mut().unwrap().remove("timing");
        v
    };
    for d in &dirs[1..] {
        assert_eq!(
            read(dirs[0].path(), "replicates.csv"),
            read(d.path(), "replicates.csv")
        );
        assert_eq!(read(dirs[0].path(), "log.csv"), read(d.path(), "log.csv"));
        assert_eq!(
            strip_timing(read(dirs[0].path(), "summary.json")),
            strip_timing(read(d.path(), "summary.json"))
        );
    }
    // Only the timing block may differ, and a different seed changes the outcome.
    let other = tempfile::tempdir().unwrap();
    let o = hormuz(&[
        "run",
        "-n",
        "24",
        "--seed",
        "78",
        "-q",
        "--out",
        other.path().to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert_ne!(
        read(dirs[0].path(), "replicates.csv"),
        read(other.path(), "replicates.csv")
    );
}

#[test]
fn toml_syntax_error_names_line_and_column() {
    let (_d, p) = variant(|t| t.replace("channels = 4", "channels = = 4"));
    assert_bad_input(&hormuz(&["check", &p]), &["bad.toml:30:12"]);
}

#[test]
fn unknown_field_is_refused() {
    let (_d, p) = variant(|t| t.replace("channels = 4", "channels = 4\nchanels = 5"));
    assert_bad_input(&hormuz(&["check", &p]), &["bad.toml:31:1", "chanels"]);
}

#[test]
fn negative_count_is_refused() {
    let (_d, p) = variant(|t| t.replace("count = 20,", "count = -20,"));
    assert_bad_input(&hormuz(&["check", &p]), &["bad.toml:", "-20"]);
}

#[test]
fn nan_is_refused() {
    let (_d, p) = variant(|t| t.replace("lat = 30.0", "lat = nan"));
    assert_bad_input(
        &hormuz(&["check", &p]),
        &["bad.toml:21:20", "assets[0].position.lat", "latitude"],
    );
}

#[test]
fn unknown_references_are_refused_with_a_suggestion() {
    let (_d, p) = variant(|t| {
        t.replace(
            "targets = [\"base\"], over = \"00:05\"",
            "targets = [\"bsae\"], over = \"00:05\"",
        )
    });
    assert_bad_input(
        &hormuz(&["check", &p]),
        &[
            "bad.toml:",
            "unknown target asset \"bsae\"",
            "did you mean base",
        ],
    );
    let (_d, p) = variant(|t| t.replace("interceptor = \"lower\"", "interceptor = \"pac-9\""));
    assert_bad_input(
        &hormuz(&["check", &p]),
        &["bad.toml:32:29", "unknown interceptor \"pac-9\""],
    );
    let (_d, p) = variant(|t| t.replace("side = \"red\"\nposition", "side = \"green\"\nposition"));
    assert_bad_input(&hormuz(&["check", &p]), &["unknown side \"green\""]);
}

#[test]
fn targets_out_of_range_and_overdrawn_inventories_are_refused() {
    let (_d, p) = variant(|t| {
        t.replace(
            "position = { lat = 33.0, lon = 49.0 }",
            "position = { lat = 45.0, lon = 60.0 }",
        )
    });
    assert_bad_input(
        &hormuz(&["check", &p]),
        &["beyond the 1000 km range of tbm"],
    );
    let (_d, p) = variant(|t| {
        t.replace(
            "inventory = { tbm = 20, owd = 10 }",
            "inventory = { tbm = 19, owd = 10 }",
        )
    });
    assert_bad_input(
        &hormuz(&["check", &p]),
        &["pad holds 19 tbm, but the orders so far fire 20"],
    );
}

#[test]
fn errors_in_the_database_name_the_database_file() {
    let (d, p) = variant(|t| t);
    let db = d.path().join("db.toml");
    let text = std::fs::read_to_string(&db).unwrap();
    std::fs::write(
        &db,
        text.replacen(
            "pk = { ballistic = 0.8, drone = 0.8, assumed = true, note = \"test\" }",
            "pk = { ballistic = 1.8, drone = 0.8, assumed = true, note = \"test\" }",
            1,
        ),
    )
    .unwrap();
    assert_bad_input(
        &hormuz(&["check", &p]),
        &["db.toml:", "probability between 0 and 1, found 1.8"],
    );
    std::fs::write(
        &db,
        text.replacen(", assumed = true, note = \"test\" }", " }", 1),
    )
    .unwrap();
    assert_bad_input(
        &hormuz(&["check", &p]),
        &["db.toml:6:12", "needs a `source`"],
    );
}

#[test]
fn missing_files_are_named() {
    assert_bad_input(
        &hormuz(&["check", "no/such/file.toml"]),
        &["no/such/file.toml", "cannot read"],
    );
    let (_d, p) = variant(|t| t.replace("database = [\"db.toml\"]", "database = [\"nope.toml\"]"));
    assert_bad_input(
        &hormuz(&["check", &p]),
        &["nope.toml", "named at", "bad.toml:4:"],
    );
}

#[test]
fn memory_budget_is_enforced_with_the_numbers() {
    // A run streams through batches that the budget sizes; a budget too small for one
    // replicate is refused, with the numbers.
    let (_d, p) = variant(|t| t);
    let o = hormuz(&["check", &p, "-n", "1000000", "--memory-budget", "1KiB"]);
    assert_bad_input(
        &o,
        &[
            "30 threats x 1000000 replicates in batches of 1 need",
            "over the memory budget of 1 KiB",
        ],
    );
    // The summary of a million replicates (its histograms) takes about 12 MiB of it.
    let o = hormuz(&["check", &p, "-n", "1000000", "--memory-budget", "16MiB"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("memory for 1000000 replicates in batches of"),
        "{text}"
    );
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let o = hormuz(&["run", &p, "-n", "10", "--memory-budget", "1KiB", "-o", dir]);
    assert_bad_input(&o, &["over the memory budget"]);
    // 300 replicates in batches of 18: every row written, in order.
    let o = hormuz(&[
        "run",
        &p,
        "-n",
        "300",
        "--memory-budget",
        "250KiB",
        "-q",
        "-o",
        dir,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("batches of"));
    let csv = std::fs::read_to_string(out.path().join("replicates.csv")).unwrap();
    let first: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(first, (0..300).map(|r| r.to_string()).collect::<Vec<_>>());
}

#[test]
fn bad_flags_are_refused() {
    assert_bad_input(&hormuz(&["run", "-n", "0"]), &["--replicates"]);
    assert_bad_input(&hormuz(&["run", "--seed", "minus-one"]), &["--seed"]);
    assert_bad_input(
        &hormuz(&["run", "--memory-budget", "lots"]),
        &["--memory-budget", "expected a size"],
    );
    assert_bad_input(&hormuz(&["frobnicate"]), &["frobnicate"]);
}

#[test]
fn errors_are_all_reported_at_once() {
    let (_d, p) = variant(|t| {
        t.replace("channels = 4", "channels = 0")
            .replace("tier = 2", "tier = 0")
    });
    let o = hormuz(&["check", &p]);
    assert_bad_input(&o, &["fire channel", "tier of 1"]);
}

/// The complete example in docs/scenario.md passes the checker as printed there.
#[test]
fn documented_example_passes_check() {
    let doc = std::fs::read_to_string("docs/scenario.md").unwrap();
    let block_after = |marker: &str| {
        let at = doc
            .find(marker)
            .unwrap_or_else(|| panic!("{marker} not in the docs"));
        let rest = &doc[at..];
        let start = rest.find("```toml\n").unwrap() + "```toml\n".len();
        let end = rest[start..].find("```").unwrap();
        rest[start..start + end].to_string()
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("db")).unwrap();
    std::fs::write(
        dir.path().join("db/mini.toml"),
        block_after("`db/mini.toml`:"),
    )
    .unwrap();
    let path = dir.path().join("example.toml");
    std::fs::write(&path, block_after("`example.toml`:")).unwrap();
    let o = hormuz(&["check", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tempfile::tempdir().unwrap();
    let o = hormuz(&[
        "run",
        path.to_str().unwrap(),
        "-n",
        "50",
        "-q",
        "-o",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// An `--out` that cannot be created is a failure while running (exit 1), not bad input.
#[test]
fn an_out_folder_that_cannot_be_created_exits_1() {
    let (d, p) = variant(|t| t);
    let file = d.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let out = file.join("out");
    let o = hormuz(&["run", &p, "-n", "4", "-q", "-o", out.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("--out") && err.contains("cannot create the folder"),
        "{err}"
    );
}

/// `hormuz --help` gives the exit-status table; every command has its help.
#[test]
fn help_says_the_exit_status_and_every_command_has_help() {
    let o = hormuz(&["--help"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        out.contains("Exit status: 0 success; 1 a failure while running")
            && out.contains("2 bad input"),
        "{out}"
    );
    for c in [
        "run",
        "check",
        "bench",
        "calibrate",
        "salvo-model",
        "sweep",
        "sensitivity",
        "app",
    ] {
        let o = hormuz(&[c, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{c}: {}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains(&format!("Usage: hormuz {c}")), "{c}:\n{out}");
    }
}

/// Every command that takes `--replicates` takes 1 to 10,000,000 (calibrate included, whose
/// runs are then sized against the memory budget before any starts).
#[test]
fn every_command_takes_the_same_replicate_limits() {
    let (_d, p) = variant(|t| t);
    let vary = "orders.wave.salvo.count=10..10:1";
    let commands: [&[&str]; 6] = [
        &["run", &p, "-q"],
        &["check", &p],
        &["bench", &p],
        &["calibrate"],
        &["sweep", &p, "--vary", vary],
        &["sensitivity", &p, "--figure", "leaked_total"],
    ];
    for c in commands {
        for n in ["0", "10000001"] {
            let args = [c, &["-n", n]].concat();
            assert_bad_input(&hormuz(&args), &["--replicates"]);
        }
    }
    let o = hormuz(&["check", &p, "-n", "10000000", "--memory-budget", "1TiB"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_bad_input(
        &hormuz(&["calibrate", "-n", "10000000", "--memory-budget", "1MiB"]),
        &["al-asad-2020.toml", "over the memory budget of 1.0 MiB"],
    );
}

/// Output into a pipe whose reader has gone (`hormuz check ... | head -1`) ends the process
/// quietly, as any Unix filter does: no panic message, no abort.
#[cfg(unix)]
#[test]
fn a_reader_that_stops_early_gets_no_panic() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_hormuz"))
        .args(["check", "scenarios/gulf-2026.toml", "--replicates", "1000"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader closes its end before the checker writes anything.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        out.status.success() || out.status.signal() == Some(libc::SIGPIPE),
        "{:?}: {stderr}",
        out.status
    );
}

#[test]
fn auto_backend_is_quiet_without_a_desktop_session() {
    // Where XDG_RUNTIME_DIR is unset (a batch job, ssh), listing the GPU adapters must not
    // print Mesa's complaint about it, which reads like a failure of hormuz.
    let out = tempfile::tempdir().unwrap();
    let scenario = common::data_dir().join("smoke.toml");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_hormuz"))
        .args(["run", scenario.to_str().unwrap(), "-n", "1", "-q", "-o"])
        .arg(out.path())
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("NODEVICE_SELECT")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("backend: "), "{err}");
    assert!(!err.contains("XDG_RUNTIME_DIR"), "{err}");
}
