//! `hormuz calibrate`: the calibration scenarios against what was publicly reported
//! (`crate::calibrate` does the comparison). A miss is a failure while running (exit 1).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;

use super::flags::RunFlags;
use crate::calibrate::{describe_misses, render, run_event};
use crate::engine::plan;
use crate::error::Failure;
use crate::scenario::{self, CALIBRATION_SCENARIOS, Origin};

#[derive(Args, Debug, Clone)]
#[command(
    mut_arg("replicates", |a| a.help("Monte Carlo replicates per event")),
    mut_arg("seed", |a| a.help("Seed of the random streams, the same for every event")),
    mut_arg("memory_budget", |a| a.help("Memory one event's run may use for per-replicate state, e.g. 4GiB")),
)]
pub struct CalibrateArgs {
    #[command(flatten)]
    pub flags: RunFlags,
    /// Run the scenarios of this folder (every *.toml, in name order) instead of the
    /// calibration scenarios built into hormuz, e.g. after editing the database.
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// The built-in calibration scenarios, or the scenarios among the `*.toml` of `dir`, in
/// name order: a file that a scenario of the folder names as its database, or that holds
/// a database and no `[scenario]`, is not a scenario.
fn origins(dir: Option<&PathBuf>) -> Result<Vec<Origin>, Failure> {
    let Some(dir) = dir else {
        return Ok(CALIBRATION_SCENARIOS
            .iter()
            .map(|n| Origin::Embedded(n))
            .collect());
    };
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Failure::input(format!(
            "--dir {}: cannot read the folder: {e}",
            dir.display()
        ))
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let databases: Vec<PathBuf> = files.iter().flat_map(|f| databases_named(f)).collect();
    files.retain(|f| {
        let named = databases.iter().any(|d| same_file(d, f));
        if named || looks_like_database(f) {
            eprintln!(
                "calibrate: {} is a weapons database, not a scenario",
                f.display()
            );
            return false;
        }
        true
    });
    if files.is_empty() {
        return Err(Failure::input(format!(
            "--dir {}: no scenario (*.toml with a [scenario] table) in the folder",
            dir.display()
        )));
    }
    Ok(files.into_iter().map(Origin::Disk).collect())
}

/// The database files a scenario file names (none when it cannot be read or parsed: it is
/// then reported as a scenario).
fn databases_named(file: &Path) -> Vec<PathBuf> {
    let Ok(text) = scenario::source::read_text(file) else {
        return Vec::new();
    };
    let Ok(doc) = toml::from_str::<toml::Table>(&text) else {
        return Vec::new();
    };
    let base = file.parent().unwrap_or(Path::new("."));
    doc.get("scenario")
        .and_then(|s| s.get("database"))
        .and_then(|d| d.as_array())
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str())
                .map(|n| base.join(n))
                .collect()
        })
        .unwrap_or_default()
}

/// A file with `threats` or `interceptors` and no `[scenario]`.
fn looks_like_database(file: &Path) -> bool {
    let Ok(text) = scenario::source::read_text(file) else {
        return false;
    };
    let Ok(doc) = toml::from_str::<toml::Table>(&text) else {
        return false;
    };
    !doc.contains_key("scenario")
        && (doc.contains_key("threats") || doc.contains_key("interceptors"))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

pub fn main(a: &CalibrateArgs) -> Result<(), Failure> {
    let f = &a.flags;
    // Every event is loaded and planned within the budget before the first one runs, and
    // every bad one is reported, not only the first.
    let mut events = Vec::new();
    let mut refused = Vec::new();
    for o in origins(a.dir.as_ref())? {
        let planned = crate::calibrate::load_event(o)
            .map_err(Failure::from)
            .and_then(|sc| {
                let budget = crate::report::budget(&sc, f.replicates, 0, f.memory_budget);
                let (plan, _) = plan::build_for(&sc, &budget)?;
                Ok((Arc::new(sc), Arc::new(plan)))
            });
        match planned {
            Ok(e) => events.push(e),
            Err(e) => refused.push(e.message),
        }
    }
    if !refused.is_empty() {
        return Err(Failure::input(refused.join("\n")));
    }
    let mut results = Vec::new();
    for (sc, plan) in events {
        eprintln!("calibrating: {} ({} replicates)", sc.file, f.replicates);
        let r = run_event(sc, plan, f.replicates, f.seed, f.threads()).map_err(Failure::runtime)?;
        results.push(r);
    }
    print!("{}", render(&results));
    let misses = describe_misses(&results);
    if misses.is_empty() {
        return Ok(());
    }
    Err(Failure::runtime(format!(
        "calibration: the model misses {} reported figure(s):\n  {}",
        misses.len(),
        misses.join("\n  ")
    )))
}
