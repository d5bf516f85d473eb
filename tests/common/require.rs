//! What a test needs from the machine, and one rule for when it is not there: under CI
//! (`CI` = `true` or `1`, which `.ci/run` sets) the test fails and says how to get it;
//! elsewhere the test is skipped with a line on stderr that `cargo test` shows.

use std::io::Write;
use std::process::Command;
use std::sync::Arc;

use hormuz::engine::gpu::{GpuContext, NO_ADAPTER};

/// Whether this is a CI job, where every test must run.
pub fn in_ci() -> bool {
    matches!(std::env::var("CI").as_deref(), Ok("true" | "1"))
}

/// Fail under CI; elsewhere say that the running test is skipped, and why. `why` says
/// what is missing and how to install it.
fn missing(why: &str) {
    if in_ci() {
        panic!("CI is set, so this test must run, but: {why}");
    }
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    // Through the stderr handle, not `eprintln!`: the test harness captures the macros'
    // output of a passing test, and a skip must be seen.
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}

/// The GPU device the tests share, or `None` when there is no adapter (see the module's
/// rule). An adapter that is there but fails (a device that cannot be opened, a kernel
/// that does not compile) fails the test everywhere.
pub fn require_gpu() -> Option<Arc<GpuContext>> {
    match GpuContext::shared() {
        Ok(ctx) => Some(ctx),
        // The error says how to get an adapter (Mesa's lavapipe).
        Err(e) if e.starts_with(NO_ADAPTER) => {
            missing(&e);
            None
        }
        Err(e) => panic!("the GPU is there but cannot run the kernels: {e}"),
    }
}

/// Whether `xvfb-run` (an X server for the window test) is installed (see the module's
/// rule).
pub fn require_xvfb() -> bool {
    let found = Command::new("sh")
        .args(["-c", "command -v xvfb-run"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        missing("xvfb-run is not installed: apt-get install xvfb xauth");
    }
    found
}

/// A headless browser for the report test (Chromium under one of its names), or `None`
/// (see the module's rule).
pub fn require_chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|p| {
            Command::new("sh")
                .args(["-c", &format!("command -v {p}")])
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        missing("chromium is not installed: apt-get install -y chromium");
    }
    found
}
