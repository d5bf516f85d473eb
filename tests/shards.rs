//! Runs cut up and put back together, through the binary: a replicate does not depend on
//! the run it is in (its count, batches, threads or shard); shards merge to the single
//! run's bytes and bad shard sets are refused by name; a run killed (SIGKILL) or
//! interrupted (SIGINT) mid-way leaves no truncated output and resumes to the bytes of an
//! uninterrupted run.

mod common;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{hormuz, hormuz_env};

fn ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `summary.json` less `run.timing`, the only part that changes from run to run.
fn summary(dir: &Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_slice(&read(&dir.join("summary.json"))).unwrap();
    v["run"].as_object_mut().unwrap().remove("timing");
    v
}

/// The outputs of two runs are the same bytes (the summary apart from its timing).
fn same_outputs(a: &Path, b: &Path, what: &str) {
    for f in ["replicates.csv", "log.csv"] {
        assert!(read(&a.join(f)) == read(&b.join(f)), "{what}: {f} differs");
    }
    assert_eq!(summary(a), summary(b), "{what}: summary.json differs");
}

fn run(dir: &Path, extra: &[&str]) -> Output {
    let out = dir.to_str().unwrap();
    let mut args = vec!["run", "-b", "cpu", "-q", "-o", out];
    args.extend_from_slice(extra);
    hormuz(&args)
}

fn rows(p: &Path) -> Vec<String> {
    String::from_utf8(read(p))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_replicate_does_not_depend_on_its_run() {
    let tmp = tempfile::tempdir().unwrap();
    let d = |n: &str| tmp.path().join(n);
    ok(&run(&d("200"), &["-n", "200", "-s", "5"]), "200 replicates");
    ok(&run(&d("100"), &["-n", "100", "-s", "5"]), "100 replicates");
    let (all, first) = (
        rows(&d("200/replicates.csv")),
        rows(&d("100/replicates.csv")),
    );
    assert_eq!(all.len(), 201);
    assert_eq!(
        all[..101],
        first[..],
        "the first 100 rows of 200 replicates differ from 100 replicates"
    );
    // Batches of a few replicates (the smallest memory budget that plans) on one thread.
    let small = run(
        &d("small"),
        &["-n", "100", "-s", "5", "-j", "1", "--memory-budget", "6MiB"],
    );
    ok(&small, "small batches");
    let said = String::from_utf8_lossy(&small.stderr);
    let batch: u32 = said
        .split("batches of ")
        .nth(1)
        .and_then(|t| t.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no batch size in {said}"));
    assert!(
        batch < 50,
        "the budget should cut 100 replicates into batches: {said}"
    );
    same_outputs(&d("small"), &d("100"), "batches of {batch} on one thread");
}

/// Shards 0..3 of a 40-replicate run, the first from `--shard`, the second from a Slurm
/// array's variables, the third from a Kubernetes Indexed Job's.
fn shards(root: &Path, seed: &str) {
    let out = root.to_str().unwrap();
    let ev = root.join("ev");
    let ev = ev.to_str().unwrap();
    let args = |shard: &'static str| {
        vec![
            "run",
            "-b",
            "cpu",
            "-q",
            "-o",
            out,
            "-n",
            "40",
            "-s",
            seed,
            "--shard",
            shard,
            "--events",
            ev,
            "--event-replicates",
            "17",
        ]
    };
    ok(&hormuz(&args("0/3")), "shard 0/3");
    let slurm = hormuz_env(
        &args("auto"),
        &[
            ("SLURM_ARRAY_TASK_ID", "8"),
            ("SLURM_ARRAY_TASK_MIN", "7"),
            ("SLURM_ARRAY_TASK_MAX", "9"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ],
    );
    ok(&slurm, "shard auto from Slurm");
    let said = String::from_utf8_lossy(&slurm.stderr);
    assert!(
        said.contains("shard 1 of 3 (from SLURM_ARRAY_TASK_ID=8"),
        "it says which shard and why: {said}"
    );
    let mut k8s = args("auto");
    k8s.extend(["--shards", "3"]);
    let k = hormuz_env(&k8s, &[("JOB_COMPLETION_INDEX", "2")]);
    ok(&k, "shard auto from Kubernetes");
    assert!(String::from_utf8_lossy(&k.stderr).contains("from JOB_COMPLETION_INDEX=2"));
}

fn merge(dirs: &[&Path], out: &Path) -> Output {
    let mut args = vec!["merge", "-q", "--out", out.to_str().unwrap()];
    args.extend(dirs.iter().map(|d| d.to_str().unwrap()));
    hormuz(&args)
}

fn refused(out: &Output, names: &[&str], what: &str) {
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{what}: {said}");
    for n in names {
        assert!(said.contains(n), "{what}: the message names {n:?}: {said}");
    }
}

#[test]
fn shards_merge_to_the_single_run_and_bad_sets_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = |n: &str| tmp.path().join(n);
    // The recorded replicates (17) span the first two shards (0..13, 13..26).
    let ev = d("single").join("ev");
    let single = run(
        &d("single"),
        &[
            "-n",
            "40",
            "-s",
            "3",
            "--events",
            ev.to_str().unwrap(),
            "--event-replicates",
            "17",
        ],
    );
    ok(&single, "the single run");
    shards(&d("shards"), "3");
    let s = |i: u32| d("shards").join(format!("shard-{i}-of-3"));
    // In any order.
    ok(&merge(&[&s(2), &s(0), &s(1)], &d("merged")), "merge");
    same_outputs(&d("merged"), &d("single"), "merged shards");

    refused(
        &merge(&[&s(0), &s(2)], &d("x")),
        &["replicates 13..26 are missing"],
        "a gap",
    );
    refused(
        &merge(&[&s(0), &s(1)], &d("x")),
        &["replicates 26..40 are missing"],
        "the last shard missing",
    );
    refused(
        &merge(&[&s(0), &s(1), &s(1), &s(2)], &d("x")),
        &["shard-1-of-3", "are the same shard"],
        "a duplicate",
    );
    // A shard of another seed.
    shards(&d("other"), "4");
    let foreign = d("other").join("shard-1-of-3");
    refused(
        &merge(&[&s(0), &foreign, &s(2)], &d("x")),
        &[foreign.to_str().unwrap(), "seed 4 here, 3 there"],
        "a foreign shard",
    );
    // A shard that ran its uncertain figures at their point values, with shards that drew
    // them from the built-in posterior.
    let pointed = d("pointed");
    let ev = pointed.join("ev");
    let point_args = [
        "-n",
        "40",
        "-s",
        "3",
        "--shard",
        "1/3",
        "--parameters",
        "point",
        "--events",
        ev.to_str().unwrap(),
        "--event-replicates",
        "17",
    ];
    ok(&run(&pointed, &point_args), "a point shard");
    refused(
        &merge(&[&s(0), &pointed.join("shard-1-of-3"), &s(2)], &d("x")),
        &["parameters point here, posterior there"],
        "a shard of other parameters",
    );
    // An overlap: shard 0 of 2 (0..20) with shard 1 of 3 (13..26).
    let half = d("half");
    let ev = half.join("ev");
    let half_args = [
        "-n",
        "40",
        "-s",
        "3",
        "--shard",
        "0/2",
        "--events",
        ev.to_str().unwrap(),
        "--event-replicates",
        "17",
    ];
    ok(&run(&half, &half_args), "shard 0/2");
    refused(
        &merge(&[&half.join("shard-0-of-2"), &s(1), &s(2)], &d("x")),
        &["overlap"],
        "an overlap",
    );
    // A folder that is no finished shard, and a run that is no shard.
    std::fs::create_dir_all(d("empty")).unwrap();
    refused(
        &merge(&[&s(0), &d("empty"), &s(2)], &d("x")),
        &["empty", "not a finished shard"],
        "an empty folder",
    );
    assert!(
        !d("x").join("replicates.csv").exists(),
        "a refused merge writes nothing"
    );
}

/// Start a run of many small batches in the background.
fn start(dir: &Path, seed: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hormuz"))
        .args(["run", "-b", "cpu", "-q", "-o", dir.to_str().unwrap()])
        .args(["-n", "64", "-s", seed, "--memory-budget", "6MiB", "-j", "1"])
        .args(["--events", dir.join("ev").to_str().unwrap()])
        .args(["--event-replicates", "3"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start hormuz")
}

/// Wait until the run has checkpointed a batch (however fast the machine is), or finished.
fn wait_for_checkpoint(dir: &Path, child: &mut Child) -> bool {
    let deadline = Instant::now() + Duration::from_secs(600);
    while Instant::now() < deadline {
        if let Ok(t) = std::fs::read_to_string(dir.join("checkpoint.json"))
            && !t.contains("\"done\": 0")
        {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("no checkpoint within 10 minutes");
}

#[test]
fn a_killed_run_keeps_its_old_outputs_and_resumes_to_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let d = |n: &str| tmp.path().join(n);
    let whole = start(&d("whole"), "9").wait_with_output().unwrap();
    ok(&whole, "the uninterrupted run");
    // A complete run of another seed in the folder: a killed run leaves it whole.
    let k = d("killed");
    let old = start(&k, "1").wait_with_output().unwrap();
    ok(&old, "the earlier run");
    let before = read(&k.join("replicates.csv"));
    let mut child = start(&k, "9");
    if wait_for_checkpoint(&k, &mut child) {
        child.kill().unwrap(); // SIGKILL
    }
    child.wait().unwrap();
    let cut = std::fs::read_to_string(k.join("checkpoint.json")).unwrap_or_default();
    assert!(
        read(&k.join("replicates.csv")) == before,
        "the earlier replicates.csv is left whole"
    );
    assert_eq!(summary(&k)["run"]["seed"], 1, "and its summary.json");
    let resumed = Command::new(env!("CARGO_BIN_EXE_hormuz"))
        .args(["run", "-b", "cpu", "-q", "-o", k.to_str().unwrap()])
        .args(["-n", "64", "-s", "9", "--memory-budget", "6MiB", "--resume"])
        .args(["--events", k.join("ev").to_str().unwrap()])
        .args(["--event-replicates", "3"])
        .output()
        .unwrap();
    ok(&resumed, "the resumed run");
    let said = String::from_utf8_lossy(&resumed.stderr);
    if !cut.is_empty() {
        assert!(said.contains("of them from the checkpoint"), "{said}");
    }
    same_outputs(&k, &d("whole"), "resumed after SIGKILL");
    for t in [
        "unit_positions.csv",
        "weapon_fired.csv",
        "weapon_endgame.csv",
        "unit_damage.csv",
    ] {
        let (a, b) = (k.join("ev").join(t), d("whole").join("ev").join(t));
        assert!(read(&a) == read(&b), "{t} differs");
    }
    for gone in [
        "checkpoint.json",
        "replicates.csv.partial",
        "shard-state.bin.partial",
    ] {
        assert!(!k.join(gone).exists(), "{gone} is left behind");
    }
    // A checkpoint of another run is refused.
    let mut child = start(&k, "9");
    if wait_for_checkpoint(&k, &mut child) {
        child.kill().unwrap();
        child.wait().unwrap();
        let other = run(
            &k,
            &[
                "-n",
                "64",
                "-s",
                "10",
                "--memory-budget",
                "6MiB",
                "--resume",
            ],
        );
        refused(
            &other,
            &["checkpoint.json", "seed"],
            "a checkpoint of another seed",
        );
    }
    let _ = child.wait();
}

#[cfg(unix)]
#[test]
fn sigint_stops_between_batches_with_status_130() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("int");
    let mut child = start(&dir, "9");
    if !wait_for_checkpoint(&dir, &mut child) {
        // The whole run finished before a checkpoint could be seen: nothing to stop.
        return;
    }
    // SAFETY: a signal to the child this test started and has not yet waited for.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        // The signal came during the last batch: the run finished whole.
        return;
    }
    assert_eq!(out.status.code(), Some(130), "{said}");
    assert!(said.contains("interrupted: stopped after"), "{said}");
    assert!(said.contains("--resume"), "it says how to continue: {said}");
    assert!(!dir.join("summary.json").exists());
    assert!(!dir.join("replicates.csv").exists());
    assert!(dir.join("checkpoint.json").exists());
}

#[test]
fn a_gpu_shard_merges_with_a_cpu_shard_to_the_cpu_runs_bytes() {
    if common::require_gpu().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let d = |n: &str| tmp.path().join(n);
    ok(
        &run(&d("single"), &["-n", "12", "-s", "3"]),
        "the single run",
    );
    let shards = d("shards");
    let o = shards.to_str().unwrap();
    for (backend, shard) in [("gpu", "0/2"), ("cpu", "1/2")] {
        let r = hormuz(&[
            "run", "-b", backend, "-q", "-o", o, "-n", "12", "-s", "3", "--shard", shard,
        ]);
        ok(&r, &format!("shard {shard} on the {backend}"));
    }
    let merged = merge(
        &[&shards.join("shard-0-of-2"), &shards.join("shard-1-of-2")],
        &d("merged"),
    );
    ok(&merged, "merge");
    for f in ["replicates.csv", "log.csv"] {
        assert!(
            read(&d("merged").join(f)) == read(&d("single").join(f)),
            "{f} differs"
        );
    }
    let (mut a, mut b) = (summary(&d("merged")), summary(&d("single")));
    assert_eq!(
        a["run"]["backend"], "gpu + cpu",
        "the merged summary lists both backends"
    );
    for v in [&mut a, &mut b] {
        let run = v["run"].as_object_mut().unwrap();
        run.remove("backend");
        run.remove("adapter");
    }
    assert_eq!(a, b, "summary.json differs beyond the backends");
}
