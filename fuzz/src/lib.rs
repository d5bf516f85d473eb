//! What the fuzz targets share: the project's scenarios and databases (built in, so that a
//! target reads no file of its own), and the property every input must keep. `hormuz`
//! loads the input, checks it, and plans it for a small run within a memory budget and a
//! sweep limit, or says why not; it never panics (libFuzzer reports a panic as a crash),
//! never allocates past `-rss_limit_mb` and never runs past `-timeout` (the bounds
//! `fuzz/run.sh` passes).

use std::path::Path;

use hormuz::engine::plan::{self, Limits};
use hormuz::scenario::{self, Scenario};

pub const SMOKE: &str = include_str!("../../tests/data/smoke.toml");
pub const SMOKE_DB: &str = include_str!("../../tests/data/db.toml");
pub const WEAPONS: &str = include_str!("../../scenarios/db/weapons.toml");
pub const AL_ASAD: &str = include_str!("../../scenarios/calibration/al-asad-2020.toml");
pub const ISRAEL_APR: &str = include_str!("../../scenarios/calibration/israel-apr-2024.toml");
pub const ISRAEL_OCT: &str = include_str!("../../scenarios/calibration/israel-oct-2024.toml");

/// The scenarios, each with the name its database is given by. Not `gulf-2026`: planning
/// it takes a good part of a second, a thousand times a fuzzed input's budget.
pub const SCENARIOS: [(&str, &str); 4] = [
    (SMOKE, "db.toml"),
    (AL_ASAD, "../db/weapons.toml"),
    (ISRAEL_APR, "../db/weapons.toml"),
    (ISRAEL_OCT, "../db/weapons.toml"),
];

/// The database of a scenario of [`SCENARIOS`].
pub fn database_of(scenario: &str) -> &'static str {
    if scenario == SMOKE { SMOKE_DB } else { WEAPONS }
}

/// Memory a fuzzed run may plan for: small, so that libFuzzer's memory limit is never
/// what stops a legal input.
pub const MEMORY_BYTES: u64 = 256 << 20;
/// Sweep steps a fuzzed scenario may take: a few hundredths of a second, so that an input
/// that plans long is refused (an error) well within libFuzzer's time limit.
pub const SWEEP_STEPS: u64 = 1 << 20;

/// Load `text` as a scenario whose database files are `databases` (by the names the
/// scenario gives them; any other is read from disk, relative to a folder that does not
/// exist), check it, and plan it for a run of two replicates; `None` when any step says
/// no. Every step either succeeds or returns an error.
pub fn check_and_plan(text: &str, databases: &[(&str, &str)]) -> Option<Scenario> {
    let dbs: Vec<(String, String)> = databases
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let dir = Path::new("/nonexistent/hormuz-fuzz");
    let sc = scenario::load_with_databases("fuzz.toml", text, dir, &dbs).ok()?;
    hormuz::report::check_reported(&sc).ok()?;
    let budget = hormuz::report::budget(&sc, 2, 1, MEMORY_BYTES);
    let limits = Limits {
        budget: Some(&budget),
        sweep_steps: SWEEP_STEPS,
    };
    plan::build_within(&sc, &limits).ok()?;
    Some(sc)
}
