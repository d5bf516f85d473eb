//! `hormuz merge`: the shards of a run (`hormuz run --shard`) put back together as the
//! single run's outputs.

use std::path::PathBuf;

use clap::Args;

use super::flags::{TableFormat, write_parquet};
use super::shard::MAX_SHARDS;
use super::{create_out, load};
use crate::engine::budget::CPU_BATCH;
use crate::error::Failure;
use crate::report::merge::{self, MergeError};
use crate::report::shard::SweepGrid;

#[derive(Args, Debug, Clone)]
pub struct MergeArgs {
    /// The shards' folders (`OUT/shard-*`), in any order.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Folder for the merged replicates.csv, summary.json and log.csv.
    #[arg(short, long)]
    pub out: PathBuf,
    /// The scenario file the shards ran (default: the one their manifest names); its
    /// text and database must be those the shards ran.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// The posterior the shards drew from, if it is no longer where their manifest says
    /// (its text must be the same).
    #[arg(long, value_name = "FILE")]
    pub posterior: Option<PathBuf>,
    /// Do not print the summary table.
    #[arg(short, long)]
    pub quiet: bool,
    /// Table format: `parquet` writes replicates.parquet beside replicates.csv.
    #[arg(long, value_enum, default_value_t = TableFormat::Csv)]
    pub format: TableFormat,
}

pub fn main(a: &MergeArgs) -> Result<(), Failure> {
    if a.shards.len() > MAX_SHARDS as usize {
        return Err(Failure::input(format!(
            "{} shard folders: at most {MAX_SHARDS}",
            a.shards.len()
        )));
    }
    let shards = merge::check(&a.shards).map_err(failure)?;
    // The outputs would replace a shard's files while they are read.
    let out = std::fs::canonicalize(&a.out).ok();
    if let Some(s) = shards
        .iter()
        .find(|s| out.is_some() && std::fs::canonicalize(&s.dir).ok() == out)
    {
        return Err(Failure::input(format!(
            "--out {}: is the shard folder {}; merge into another folder",
            a.out.display(),
            s.dir.display()
        )));
    }
    let m = &shards[0].record.manifest;
    if let Some(grid) = &m.sweep {
        return merge_sweep(a, &shards, grid);
    }
    let path = a.scenario.clone().or_else(|| {
        (!m.scenario_file.starts_with("<embedded>/")).then(|| PathBuf::from(&m.scenario_file))
    });
    let (scenario_sha256, database_sha256) = crate::scenario::digests(path.as_deref())?;
    let file = path
        .as_ref()
        .map_or("the built-in scenario".to_string(), |p| {
            p.display().to_string()
        });
    if scenario_sha256 != m.scenario_sha256 || database_sha256 != m.database_sha256 {
        return Err(Failure::input(format!(
            "{file}: not the scenario the shards ran (its text or its database differs from {}'s; give the right one with --scenario)",
            shards[0].dir.join(crate::report::shard::MANIFEST).display()
        )));
    }
    let memory =
        super::flags::parse_bytes(super::flags::DEFAULT_MEMORY_BUDGET).map_err(Failure::input)?;
    let (sc, mut plan, estimate) =
        load(path.as_deref(), m.replicates, m.recorded, memory, CPU_BATCH)?;
    // The shards' parameters, drawn again as they drew them.
    let posterior = match (m.parameters.as_str(), &m.posterior) {
        ("point", _) | ("draw", _) => None,
        ("posterior", Some(r)) => {
            let file = a
                .posterior
                .clone()
                .unwrap_or_else(|| PathBuf::from(&r.file));
            let p = super::calibrate::load_posterior(&file)?;
            if p.0.sha256() != r.sha256 {
                return Err(Failure::input(format!(
                    "{}: not the posterior the shards drew from (its SHA-256 differs from the manifest's; give the right one with --posterior)",
                    file.display()
                )));
            }
            Some(p)
        }
        (other, _) => {
            return Err(Failure::input(format!(
                "{}: parameters {other:?}, expected point, draw, or posterior with its file",
                shards[0].dir.join(crate::report::shard::MANIFEST).display()
            )));
        }
    };
    if m.parameters != "point" {
        super::run::draw_parameters(&sc, &mut plan, &estimate, m.seed, posterior, "")?;
    }
    create_out(&a.out)?;
    let summary = merge::merge(&sc, &plan, &shards, &a.out).map_err(failure)?;
    write_parquet(a.format, &a.out, &["replicates"])?;
    if !a.quiet {
        print!("{}", crate::report::render(&summary));
    }
    eprintln!(
        "merged {} shards, {} replicates; wrote {}",
        shards.len(),
        m.replicates,
        a.out.display()
    );
    Ok(())
}

fn failure(e: MergeError) -> Failure {
    match e {
        MergeError::BadInput(m) => Failure::input(m),
        MergeError::Io(m) => Failure::runtime(m),
    }
}

/// The shards of a sweep: `sweep.csv`, their rows one after the other (byte-identical to
/// the sweep on one machine), and its plots.
fn merge_sweep(a: &MergeArgs, shards: &[merge::Shard], grid: &SweepGrid) -> Result<(), Failure> {
    let m = &shards[0].record.manifest;
    let path = a
        .scenario
        .clone()
        .unwrap_or_else(|| PathBuf::from(&m.scenario_file));
    let (scenario_sha256, database_sha256) = crate::scenario::digests(Some(&path))?;
    if scenario_sha256 != m.scenario_sha256 || database_sha256 != m.database_sha256 {
        return Err(Failure::input(format!(
            "{}: not the scenario the sweep's shards ran (its text or its database differs; give the right one with --scenario)",
            path.display()
        )));
    }
    create_out(&a.out)?;
    let csv = a.out.join("sweep.csv");
    merge::concat(shards, "sweep.csv", &csv).map_err(failure)?;
    let axes: Vec<crate::sweep::Axis> = grid
        .keys
        .iter()
        .zip(&grid.values)
        .map(|(k, v)| crate::sweep::Axis {
            key: k.clone(),
            values: v.clone(),
        })
        .collect();
    let result = crate::sweep::read_csv(&axes, &csv).map_err(Failure::input)?;
    super::sweep::plots(&result, &a.out)?;
    eprintln!(
        "merged {} shards, {} grid points x {} replicates; wrote sweep.csv, saturation.png, cost-exchange.png to {}",
        shards.len(),
        m.replicates,
        grid.replicates,
        a.out.display()
    );
    Ok(())
}
