//! The command line: the parser, the subcommands and their dispatch, and the steps several
//! commands share ([`load`], [`create_out`]). Each subcommand's clap
//! arguments and its `main` are in a file of its own (`run.rs`, `check.rs`, ...); [`flags`]
//! holds the flags they share and [`progress`] the progress bar. Every command fails with
//! [`Failure`], whose exit status is documented in `crate::error`.

pub mod app;
pub mod bench;
pub mod calibrate;
pub mod check;
pub mod flags;
pub mod merge;
pub mod progress;
pub mod run;
pub mod salvo_model;
pub mod sensitivity;
pub mod shard;
pub mod sweep;

use std::path::Path;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::engine::budget::Estimate;
use crate::engine::plan::{self, Plan};
use crate::error::{BAD_INPUT, EXIT_STATUS_HELP, Failure, SUCCESS};
use crate::scenario::{self, Scenario};

#[derive(Parser, Debug)]
#[command(
    name = "hormuz",
    version,
    about = "Monte Carlo war-game of missile and drone salvos against layered air defence in the Gulf and Levant",
    long_about = None,
    after_help = EXIT_STATUS_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run Monte Carlo replicates of a scenario and report the outcome.
    Run(run::RunArgs),
    /// Put the shards of a run (`run --shard`) back together: the single run's
    /// replicates.csv, summary.json and log.csv (of a sweep's shards: sweep.csv and plots).
    Merge(merge::MergeArgs),
    /// Check a scenario file (and its weapons database) without running it.
    Check(check::CheckArgs),
    /// Time whole runs on each backend at several replicate counts, with the machine's
    /// memory-copy bandwidth and the share of it the GPU kernels reach.
    Bench(bench::BenchArgs),
    /// Run the calibration scenarios and compare the model with what was publicly reported.
    Calibrate(calibrate::CalibrateArgs),
    /// The Hughes salvo model: expected losses of one simultaneous exchange of salvos.
    SalvoModel(salvo_model::SalvoArgs),
    /// Run a scenario over a grid of edited values: a CSV and the saturation and cost-exchange plots.
    Sweep(sweep::SweepArgs),
    /// Rank the uncertain parameters that drive a figure, by partial rank correlation
    /// (PRCC): a table, sensitivity.csv and tornado.png.
    Sensitivity(sensitivity::SensitivityArgs),
    /// Open the exercise app: the live run on a map, injects, what-ifs (feature `desktop`).
    App(app::AppArgs),
}

/// Parse the command line, run the command, and return its exit status.
/// Without a session (`XDG_RUNTIME_DIR` unset: a batch job, a container, ssh), Mesa's
/// Vulkan device-selection layer tries the Wayland display anyway and prints "error:
/// XDG_RUNTIME_DIR is invalid or not set in the environment." twice whenever the GPU
/// adapters are listed, which reads like a failure of `hormuz`. The layer only orders the
/// adapters by the display's GPU, and there is no display: it is turned off
/// (`NODEVICE_SELECT`, Mesa's switch), unless the user set that switch.
fn quiet_headless_vulkan() {
    if std::env::var_os("XDG_RUNTIME_DIR").is_none()
        && std::env::var_os("NODEVICE_SELECT").is_none()
    {
        // SAFETY: called first thing in `main`, before any thread exists that could read
        // the environment.
        unsafe { std::env::set_var("NODEVICE_SELECT", "1") };
    }
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // `--help` and `--version` come here too, on stdout.
            let code = if e.use_stderr() { BAD_INPUT } else { SUCCESS };
            let _ = e.print();
            return code;
        }
    };
    quiet_headless_vulkan();
    let result = match cli.command {
        Command::Run(a) => run::main(&a),
        Command::Check(a) => check::main(&a),
        Command::Merge(a) => merge::main(&a),
        Command::Bench(a) => bench::main(&a),
        Command::Calibrate(a) => calibrate::main(&a),
        Command::SalvoModel(a) => salvo_model::main(&a),
        Command::Sweep(a) => sweep::main(&a),
        Command::Sensitivity(a) => sensitivity::main(&a),
        Command::App(a) => app::main(&a),
    };
    match result {
        Ok(()) => SUCCESS,
        Err(f) => {
            eprintln!("{f}");
            f.code()
        }
    }
}

/// A loaded scenario, its plan, and what a run of it needs.
pub type Loaded = (Arc<Scenario>, Arc<Plan>, Estimate);

/// Load a scenario (the embedded default when `path` is `None`) and plan it for a run of
/// `replicates` replicates (`recorded` of them recording events) in `memory` bytes,
/// streamed through batches of at most `batch_cap` replicates: a run that cannot hold one
/// batch is refused before anything proportional to it is allocated. The estimate gives
/// the batch size.
pub fn load(
    path: Option<&Path>,
    replicates: u32,
    recorded: u32,
    memory: u64,
    batch_cap: u32,
) -> Result<Loaded, Failure> {
    let sc = scenario::load_path(path)?;
    crate::report::check_reported(&sc)?;
    let budget = crate::report::budget(&sc, replicates, recorded, memory).streamed(batch_cap);
    let (plan, estimate) = plan::build_for(&sc, &budget)?;
    Ok((Arc::new(sc), Arc::new(plan), estimate))
}

/// Create the `--out` folder. One that cannot be created is a failure while running (exit
/// 1), as is any other write, in every command.
pub fn create_out(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Failure::runtime(format!(
            "--out {}: cannot create the folder: {e}",
            dir.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// clap's own consistency checks: names, shorts, `mut_arg` on flattened flags.
    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
