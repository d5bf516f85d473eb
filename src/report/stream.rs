//! A run streamed to its outputs: batch by batch, each batch's rows appended to
//! `replicates.csv` and added to the summary, then freed, so that a run's memory is one
//! batch's however many replicates it has. The one path from a run to its files, for
//! `hormuz run` and `hormuz bench`.

use std::path::Path;
use std::sync::Arc;

use super::{RowWriter, RunFacts, Summary, SummaryBuilder, figures_of_batch, read_columns};
use crate::engine::backend::BackendInfo;
use crate::engine::plan::Plan;
use crate::scenario::Scenario;
use crate::world::{Engine, Progress, RunConfig, RunOutput, RunStats, run_batches};

/// What a streamed run leaves in memory: the summary, the recorded replicates' output
/// (events and log: the first `config.record.end` replicates, all in the first batches),
/// the statistics and the backend.
pub struct Streamed {
    pub summary: Summary,
    pub recorded: RunOutput,
    pub stats: RunStats,
    pub backend: BackendInfo,
}

/// Run `config` in batches of `batch` on `engine`, writing `replicates.csv` at `csv` as
/// the batches finish.
pub fn stream(
    sc: &Arc<Scenario>,
    plan: &Arc<Plan>,
    config: &RunConfig,
    engine: Engine,
    batch: u32,
    csv: &Path,
    progress: impl FnMut(Progress),
) -> Result<Streamed, String> {
    let io = |e: std::io::Error| format!("{}: {e}", csv.display());
    let mut names: Vec<String> = super::table(sc).iter().map(|f| f.name(sc)).collect();
    // A run that draws its parameters: each replicate's values, after the figures.
    let draws = plan.draws.clone();
    if let Some(d) = &draws {
        names.extend(d.parameters.iter().map(|p| format!("param_{}", p.path)));
    }
    let mut rows = RowWriter::create(csv, &names).map_err(io)?;
    let mut builder = SummaryBuilder::new(sc, plan);
    let mut recorded: Option<RunOutput> = None;
    let mut backend = None;
    let stats = run_batches(sc, plan, config, engine, batch, progress, |b| {
        let fig = figures_of_batch(sc, plan, &b.out, b.first);
        match &draws {
            Some(d) => {
                let values = d.values(b.first, b.out.replicates);
                rows.write_with(&fig, &values, d.parameters.len())
            }
            None => rows.write(&fig),
        }
        .map_err(io)?;
        builder.add(&b.out, &fig);
        backend.get_or_insert_with(|| b.out.backend.clone());
        let mut out = b.out;
        out.truncate(config.record.end.saturating_sub(b.first), plan);
        match &mut recorded {
            None => recorded = Some(out),
            Some(k) if out.replicates > 0 => k.append(out, b.first),
            Some(_) => {}
        }
        Ok(())
    })?;
    rows.finish().map_err(io)?;
    let recorded = recorded.ok_or("a run of no replicates")?;
    let backend = backend.unwrap_or_else(|| recorded.backend.clone());
    let mut facts = RunFacts::of(config.replicates, config.seed, &backend, &stats);
    if let Some(d) = &draws {
        facts.uncertainty = Some(d.describe());
    }
    let summary = builder.finish(facts, &mut |visit, columns| {
        read_columns(csv, columns, visit)
    })?;
    Ok(Streamed {
        summary,
        recorded,
        stats,
        backend,
    })
}
