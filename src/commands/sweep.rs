//! `hormuz sweep`: a scenario over a grid of edited values (`crate::sweep`); `sweep.csv`,
//! `saturation.png` and `cost-exchange.png` in `--out`.

use std::path::PathBuf;

use clap::Args;

use super::create_out;
use super::flags::RunFlags;
use super::progress::progress_bar;
use crate::error::Failure;
use crate::report::shard::{self, Manifest, Record, ShardOf, SweepGrid};
use crate::sweep::{self, Axis, Documents, SweepConfig};

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
    /// Also draw these figures of sweep.csv (comma-separated, e.g. hits_nevatim,hits_al-udeid;
    /// at most 6) against the first key, with their p5-p95 bands, into plot-K.png (K from 1,
    /// in the order given). Repeat for more images (at most 16).
    #[arg(long, value_name = "FIGURES", value_parser = parse_plot)]
    pub plot: Vec<Vec<String>>,
    /// Run shard I of N (from 0): the I-th contiguous slice of the grid points, into
    /// OUT/shard-I-of-N (its rows of sweep.csv and a manifest; no plots) for `hormuz
    /// merge`. `auto`: from a Slurm job array or a Kubernetes Indexed Job (with --shards).
    #[arg(long, value_parser = super::shard::parse_shard)]
    pub shard: Option<super::shard::ShardSpec>,
    /// Shards of the sweep, for `--shard auto` in a Kubernetes Indexed Job.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=super::shard::MAX_SHARDS as i64))]
    pub shards: Option<u32>,
}

/// `--plot A,B,...`: 1 to 6 figure names.
fn parse_plot(s: &str) -> Result<Vec<String>, String> {
    let names: Vec<String> = s.split(',').map(|n| n.trim().to_string()).collect();
    if names.iter().any(|n| n.is_empty()) || names.len() > MAX_CURVES {
        return Err(format!(
            "expected 1 to {MAX_CURVES} figure names separated by commas, found {s:?}"
        ));
    }
    Ok(names)
}

/// Figures in one `--plot` image (one colour each), and images.
const MAX_CURVES: usize = 6;
const MAX_PLOTS: usize = 16;

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
    if a.plot.len() > MAX_PLOTS {
        return Err(Failure::input(format!(
            "--plot given {} times; at most {MAX_PLOTS} images",
            a.plot.len()
        )));
    }
    let shard = which_shard(a, n)?;
    let points = shard.map_or(0..n, |s| {
        let r = super::shard::slice(s, n as u32);
        r.start as usize..r.end as usize
    });
    let docs = Documents::read(&a.scenario).map_err(Failure::input)?;
    let pb = progress_bar(points.len() as u64, "sweeping", "{pos}/{len} grid points");
    let config = SweepConfig {
        replicates: f.replicates,
        seed: f.seed,
        threads: f.threads(),
        memory_budget: f.memory_budget,
        max_points: a.max_points,
    };
    let result = sweep::run(&docs, &a.vary, &config, points.clone(), |i| {
        pb.set_position(i as u64)
    });
    pb.finish_and_clear();
    let result = result?;
    let out = shard.map_or(a.out.clone(), |s| a.out.join(super::shard::folder(s)));
    create_out(&out)?;
    let io = |e: std::io::Error| Failure::runtime(format!("{}: {e}", out.display()));
    sweep::write_csv(&result, &out.join("sweep.csv")).map_err(io)?;
    if let Some(s) = shard {
        let (scenario_sha256, database_sha256) = crate::scenario::digests(Some(&a.scenario))?;
        let manifest = Manifest {
            format: shard::FORMAT.into(),
            hormuz: env!("CARGO_PKG_VERSION").into(),
            scenario_file: a.scenario.display().to_string(),
            scenario_sha256,
            database_sha256,
            seed: f.seed,
            replicates: n as u32,
            recorded: 0,
            parameters: "point".into(),
            posterior: None,
            decide: Vec::new(),
            first: points.start as u32,
            end: points.end as u32,
            shard: Some(s),
            sweep: Some(SweepGrid {
                keys: a.vary.iter().map(|x| x.key.clone()).collect(),
                values: a.vary.iter().map(|x| x.values.clone()).collect(),
                replicates: f.replicates,
            }),
        };
        Record::of(manifest)
            .write(&out.join(shard::MANIFEST))
            .map_err(io)?;
        eprintln!(
            "grid points {}..{} of {n} x {} replicates, seed {}; wrote sweep.csv and {} to {} (`hormuz merge` draws the plots)",
            points.start,
            points.end,
            f.replicates,
            f.seed,
            shard::MANIFEST,
            out.display()
        );
        return Ok(());
    }
    plots(&result, &out)?;
    for (k, names) in a.plot.iter().enumerate() {
        let path = out.join(format!("plot-{}.png", k + 1));
        sweep::plots::figures(&result, names, &path).map_err(|e| {
            if e.starts_with("--plot") {
                Failure::input(format!(
                    "{e} (sweep.csv in {} has the figures)",
                    out.display()
                ))
            } else {
                Failure::runtime(e)
            }
        })?;
    }
    eprintln!(
        "{} grid points x {} replicates, seed {} at every point; wrote sweep.csv, saturation.png, cost-exchange.png{} to {}",
        n,
        f.replicates,
        f.seed,
        if a.plot.is_empty() {
            String::new()
        } else {
            match a.plot.len() {
                1 => " and plot-1.png".to_string(),
                k => format!(" and plot-1.png to plot-{k}.png"),
            }
        },
        out.display()
    );
    Ok(())
}

/// `saturation.png` and `cost-exchange.png` of a sweep in `out`.
pub fn plots(result: &sweep::SweepResult, out: &std::path::Path) -> Result<(), Failure> {
    sweep::plots::saturation(result, &out.join("saturation.png")).map_err(Failure::runtime)?;
    sweep::plots::cost_exchange(result, &out.join("cost-exchange.png")).map_err(Failure::runtime)
}

/// The shard of a sweep of `n` grid points this process runs, said on stderr.
fn which_shard(a: &SweepArgs, n: usize) -> Result<Option<ShardOf>, Failure> {
    if a.shards.is_some() && a.shard.is_none() {
        return Err(Failure::input(
            "--shards N goes with --shard auto (a Kubernetes Indexed Job)",
        ));
    }
    let Some(spec) = a.shard else {
        return Ok(None);
    };
    let env = |k: &str| std::env::var(k).ok();
    let (s, said) = super::shard::resolve(spec, a.shards, &env)?;
    if s.count as usize > n {
        return Err(Failure::input(format!(
            "--shard: {} shards of a grid of {n} points: each shard needs at least one",
            s.count
        )));
    }
    let r = super::shard::slice(s, n as u32);
    eprintln!("{said}: grid points {}..{} of {n}", r.start, r.end);
    Ok(Some(s))
}
