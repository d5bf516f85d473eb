//! `hormuz run --backend cpu` and `--backend gpu` write the same bytes for one seed, on
//! the default scenario and on a closed-form test scenario; asking for a GPU where there
//! is none is bad input. Without a GPU adapter the comparisons are skipped, visibly, or
//! fail under CI (`common::require_gpu`).

mod common;

use std::path::Path;

use common::{hormuz, hormuz_env, require_gpu};

/// Run on one backend into `dir`; return (replicates.csv, log.csv, summary.json without the
/// fields that name the backend or time it).
fn files(args: &[&str], backend: &str, dir: &Path) -> (Vec<u8>, Vec<u8>, serde_json::Value) {
    let mut all = args.to_vec();
    all.extend(["--backend", backend, "-q", "--out", dir.to_str().unwrap()]);
    let o = hormuz(&all);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["run"]["backend"], backend);
    let run = summary["run"].as_object_mut().unwrap();
    for k in ["backend", "adapter", "timing"] {
        run.remove(k);
    }
    (
        std::fs::read(dir.join("replicates.csv")).unwrap(),
        std::fs::read(dir.join("log.csv")).unwrap(),
        summary,
    )
}

fn assert_same_bytes(args: &[&str]) {
    let (c, g) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cpu = files(args, "cpu", c.path());
    let gpu = files(args, "gpu", g.path());
    assert!(cpu.0 == gpu.0, "replicates.csv differs between cpu and gpu");
    assert!(cpu.1 == gpu.1, "log.csv differs between cpu and gpu");
    assert_eq!(
        cpu.2, gpu.2,
        "summary.json differs beyond backend, adapter and timing"
    );
}

#[test]
fn default_scenario_same_bytes_on_cpu_and_gpu() {
    if require_gpu().is_some() {
        assert_same_bytes(&["run", "-n", "12", "--seed", "9"]);
    }
}

#[test]
fn closed_form_scenario_same_bytes_on_cpu_and_gpu() {
    if require_gpu().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = common::setups::layered_spread().write(dir.path(), "layered.toml");
    assert_same_bytes(&["run", path.to_str().unwrap(), "-n", "500", "--seed", "3"]);
}

#[test]
fn asking_for_a_gpu_where_there_is_none_is_bad_input() {
    // wgpu finds no adapter when only a backend absent from this build is allowed.
    let out = tempfile::tempdir().unwrap();
    let o = hormuz_env(
        &[
            "run",
            "-n",
            "2",
            "--backend",
            "gpu",
            "-o",
            out.path().to_str().unwrap(),
        ],
        &[("WGPU_BACKEND", "dx12")],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no GPU adapter found") && err.contains("mesa-vulkan-drivers"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // `auto` falls back to the CPU and says so.
    let o = hormuz_env(
        &["run", "-n", "2", "-q", "-o", out.path().to_str().unwrap()],
        &[("WGPU_BACKEND", "dx12")],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("backend: cpu (no GPU adapter found"), "{err}");
}

#[test]
fn bench_prints_its_table() {
    let o = hormuz(&["bench", "-n", "4,8", "--backend", "cpu"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for col in [
        "backend",
        "replicates",
        "threat-steps/s",
        "threat-steps/replicate",
        "replicates/s",
        "scaling",
        "peak memory",
        "memory copy",
    ] {
        assert!(text.contains(col), "bench table lacks {col}:\n{text}");
    }
    // The built-in scenario's uncertain figures: each count at point values and drawn, and
    // the host's cost of drawing.
    for parameters in ["point", "drawn"] {
        assert_eq!(
            text.matches(&format!("│ cpu     ┆ {parameters}")).count(),
            2,
            "one {parameters} row per replicate count:\n{text}"
        );
    }
    assert!(text.contains("% of the point run's"), "{text}");
    assert!(
        text.contains(" for x2"),
        "the second row's scaling:\n{text}"
    );
}
