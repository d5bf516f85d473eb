//! What the decision tests share: the smoke scenario with decisions added, loaded from its
//! text; the check that a share of replicates matches a probability; and the check that
//! a bad file is refused at its line.

use std::sync::Arc;

use hormuz::engine::plan::{self, Plan};
use hormuz::scenario::{self, Scenario};

use super::{data_dir, hormuz};

/// A scenario written as `text` (the smoke scenario's database beside it), planned.
pub fn load(name: &str, text: &str) -> Result<(Arc<Scenario>, Arc<Plan>), String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(data_dir().join("db.toml"), dir.path().join("db.toml")).unwrap();
    let sc = scenario::load_str(name, text, dir.path()).map_err(|e| e.to_string())?;
    let plan = plan::build(&sc);
    Ok((Arc::new(sc), Arc::new(plan)))
}

/// The smoke scenario with its ballistic wave waiting on `retaliation` = `wide` (5 minutes
/// after the decision) instead of its fixed time.
pub fn smoke_with_wave_on_wide() -> String {
    let smoke = std::fs::read_to_string(data_dir().join("smoke.toml")).unwrap();
    let wave = "at = \"00:10\"\nsalvo = { from = \"pad\", weapon = \"tbm\"";
    assert!(smoke.contains(wave));
    smoke.replacen(
        wave,
        "after = { decision = \"retaliation\", outcome = \"wide\", delay = \"00:05\" }\nsalvo = { from = \"pad\", weapon = \"tbm\"",
        1,
    )
}

/// `count` out of `n` within 3 standard errors of probability `p`.
pub fn assert_share(count: usize, n: usize, p: f64, what: &str) {
    let f = count as f64 / n as f64;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    assert!(
        (f - p).abs() <= 3.0 * se,
        "{what}: {count} of {n} = {f:.4}, expected {p} (3 se = {:.4})",
        3.0 * se
    );
}

/// `hormuz check` refuses `text`, written as `name`, with exit 2, no panic, `needle` in its
/// message, at line `line`.
pub fn refused_at(name: &str, text: &str, needle: &str, line: usize) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(data_dir().join("db.toml"), dir.path().join("db.toml")).unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    let o = hormuz(&["check", p.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(needle), "{needle:?} not in:\n{err}");
    assert!(
        err.contains(&format!("{name}:{line}:")),
        "not at line {line}:\n{err}"
    );
}
