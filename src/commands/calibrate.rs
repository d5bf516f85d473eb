//! `hormuz calibrate`: the calibration scenarios against what was publicly reported
//! (`crate::calibrate` does the comparison). A miss is a failure while running (exit 1).

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use super::flags::RunFlags;
use crate::calibrate::{describe_misses, render, run_event};
use crate::engine::plan;
use crate::error::Failure;
use crate::scenario::{CALIBRATION_SCENARIOS, Origin};

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

/// The built-in calibration scenarios, or every `*.toml` of `dir` in name order.
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
    if files.is_empty() {
        return Err(Failure::input(format!(
            "--dir {}: no scenario (*.toml) in the folder",
            dir.display()
        )));
    }
    Ok(files.into_iter().map(Origin::Disk).collect())
}

pub fn main(a: &CalibrateArgs) -> Result<(), Failure> {
    let f = &a.flags;
    // Every event is loaded and sized before the first one runs, so that bad input is
    // refused at once. `run_event` plans again: planning costs a fraction of a run.
    let mut scenarios = Vec::new();
    for o in origins(a.dir.as_ref())? {
        let sc = crate::calibrate::load_event(o)?;
        plan::build(&sc).check_budget(f.replicates, f.memory_budget)?;
        scenarios.push(Arc::new(sc));
    }
    let mut results = Vec::new();
    for sc in scenarios {
        eprintln!("calibrating: {} ({} replicates)", sc.file, f.replicates);
        let r = run_event(sc, f.replicates, f.seed, f.threads()).map_err(Failure::runtime)?;
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
