//! `hormuz sweep`: a scenario over a grid of edited values (`crate::sweep`); `sweep.csv`,
//! `saturation.png` and `cost-exchange.png` in `--out`.

use std::path::PathBuf;

use clap::Args;

use super::create_out;
use super::flags::RunFlags;
use super::progress::progress_bar;
use crate::error::Failure;
use crate::sweep::{self, Axis, Documents, SweepConfig, plots};

#[derive(Args, Debug, Clone)]
#[command(
    mut_arg("replicates", |a| a.help("Monte Carlo replicates per grid point")),
    mut_arg("seed", |a| a.help("Seed, the same at every grid point (common random numbers)")),
    mut_arg("memory_budget", |a| a.help("Memory one grid point's run may use, e.g. 4GiB")),
)]
pub struct SweepArgs {
    /// Scenario file to sweep.
    pub scenario: PathBuf,
    /// KEY=FROM..TO:STEP, e.g. orders.wave-1.salvo.count=10..50:10; repeat for a grid.
    #[arg(long = "vary", required = true, value_parser = sweep::parse_axis)]
    pub vary: Vec<Axis>,
    #[command(flatten)]
    pub flags: RunFlags,
    /// Most grid points to run (each a whole run); a larger grid is refused, saying how
    /// many points it has.
    #[arg(long, default_value_t = sweep::DEFAULT_MAX_POINTS, value_parser = max_points)]
    pub max_points: usize,
    /// Folder for sweep.csv, saturation.png and cost-exchange.png.
    #[arg(short, long, default_value = "hormuz-sweep")]
    pub out: PathBuf,
}

/// `--max-points`: 1 to `MAX_POINTS`.
fn max_points(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=sweep::MAX_POINTS).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a number of grid points from 1 to {}, found {s:?}",
            sweep::MAX_POINTS
        )),
    }
}

pub fn main(a: &SweepArgs) -> Result<(), Failure> {
    let f = &a.flags;
    // The grid is bounded before the files are read or any point is made.
    let n = sweep::check_grid(&a.vary, a.max_points).map_err(Failure::input)?;
    let docs = Documents::read(&a.scenario).map_err(Failure::input)?;
    let pb = progress_bar(n as u64, "sweeping", "{pos}/{len} grid points");
    let config = SweepConfig {
        replicates: f.replicates,
        seed: f.seed,
        threads: f.threads(),
        memory_budget: f.memory_budget,
        max_points: a.max_points,
    };
    let result = sweep::run(&docs, &a.vary, &config, |i| pb.set_position(i as u64));
    pb.finish_and_clear();
    let result = result?;
    create_out(&a.out)?;
    let io = |e: std::io::Error| Failure::runtime(format!("{}: {e}", a.out.display()));
    sweep::write_csv(&result, &a.out.join("sweep.csv")).map_err(io)?;
    plots::saturation(&result, &a.out.join("saturation.png")).map_err(Failure::runtime)?;
    plots::cost_exchange(&result, &a.out.join("cost-exchange.png")).map_err(Failure::runtime)?;
    eprintln!(
        "{} grid points x {} replicates, seed {} at every point; wrote sweep.csv, saturation.png, cost-exchange.png to {}",
        n,
        f.replicates,
        f.seed,
        a.out.display()
    );
    Ok(())
}
