//! `hormuz app` refuses, before any window opens, what it cannot open: a scenario file
//! that does not exist, a time past the scenario's end, `--at` with a saved exercise.
//! The display is taken away, so that a window that tried to open would fail at once
//! (exit 1) rather than wait for someone to close it.
#![cfg(feature = "desktop")]

use std::process::Command;

fn app(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hormuz"))
        .arg("app")
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap()
}

#[test]
fn a_scenario_that_does_not_exist_exits_2_before_any_window() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-scenario.toml");
    let out = app(&[missing.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no-such-scenario.toml"), "{err}");
    assert!(!err.contains("window"), "{err}");
}

#[test]
fn a_time_past_the_end_exits_2_naming_the_flag() {
    let out = app(&["--at", "99:00"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--at"), "{err}");
    assert!(err.contains("24:00"), "{err}");
}

#[test]
fn at_and_a_saved_exercise_exit_2() {
    let out = app(&["--exercise", "x.json", "--at", "01:00"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--at"), "{err}");
}
