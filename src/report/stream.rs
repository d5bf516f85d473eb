//! A run streamed to its outputs: batch by batch, each batch's rows appended to
//! `replicates.csv.partial` (and the summary's state of each replicate to
//! `shard-state.bin.partial`) and added to the summary, then freed, so that a run's memory
//! is one batch's however many replicates it has. After each batch both files are synced
//! and `checkpoint.json` says how far the run got: a run killed at any moment can be
//! resumed from its last batch ([`Part::resume`]), and one interrupted (SIGINT, through
//! [`Part::stop`]) stops after the batch it is in. The one path from a run to its files,
//! for `hormuz run` and `hormuz bench`.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use super::shard::{
    CHECKPOINT, MANIFEST, Manifest, ROWS_PARTIAL, Record, STATE, STATE_PARTIAL, SavedStats, replay,
};
use super::{RowWriter, RunFacts, Summary, SummaryBuilder, figures_of_batch, read_columns};
use crate::engine::backend::BackendInfo;
use crate::engine::plan::Plan;
use crate::scenario::Scenario;
use crate::world::{Engine, Progress, RunConfig, RunOutput, RunStats, run_range};

/// Which replicates of a run go where, and how.
pub struct Part<'a> {
    /// The folder of the outputs and of the checkpoint.
    pub dir: &'a Path,
    /// The run's replicates this part runs (all of them unless it is a shard).
    pub range: Range<u32>,
    pub manifest: Manifest,
    /// Continue from the checkpoint in `dir`, if there is one.
    pub resume: bool,
    /// A shard: keep `shard-state.bin` and `manifest.json` for `hormuz merge`.
    pub shard: bool,
    /// Asked between batches: stop after the batch that just finished.
    pub stop: &'a dyn Fn() -> bool,
}

/// What a streamed run leaves in memory: the summary, the recorded replicates' output
/// (events and log: the first `config.record.end` replicates of the run, all in the first
/// batches; numbered from the part's first replicate),
/// the statistics, the backend, and the files still to be given their names.
pub struct Streamed {
    pub summary: Summary,
    pub recorded: RunOutput,
    pub stats: RunStats,
    pub backend: BackendInfo,
    /// Replicates taken from the checkpoint of an earlier run.
    pub resumed: u32,
    pub pending: Pending,
}

/// Why a run did not finish.
#[derive(Debug)]
pub enum StreamError {
    /// A failure while running (exit status 1).
    Failed(String),
    /// A checkpoint that does not belong to this run, or is damaged (bad input).
    Checkpoint(String),
    /// Stopped on request after `done` replicates of the part, kept in the checkpoint.
    Stopped { done: u32 },
}

impl From<String> for StreamError {
    fn from(s: String) -> Self {
        StreamError::Failed(s)
    }
}

/// Run `config` in batches of `batch` on `engine`, the replicates of `part`, writing its
/// rows and checkpoints in `part.dir` as the batches finish.
pub fn stream(
    sc: &Arc<Scenario>,
    plan: &Arc<Plan>,
    config: &RunConfig,
    engine: Engine,
    batch: u32,
    part: &Part,
    mut progress: impl FnMut(Progress),
) -> Result<Streamed, StreamError> {
    let dir = part.dir;
    let rows_path = dir.join(ROWS_PARTIAL);
    let state_path = dir.join(STATE_PARTIAL);
    let mut builder = SummaryBuilder::new(sc, plan);
    let width = builder.state_width();
    let (mut rows, mut state, mut record) = open(sc, plan, part, &mut builder)?;
    let resumed = record.done;
    let start = part.range.start;
    // The recorded replicates' output, numbered from the part's first replicate.
    let mut recorded: Option<RunOutput> = None;
    let mut keep = |out: RunOutput, first: u32| {
        let mut out = out;
        out.truncate(config.record.end.saturating_sub(first), plan);
        match &mut recorded {
            None => recorded = Some(out),
            Some(k) if out.replicates > 0 => k.append(out, first - start),
            Some(_) => {}
        }
    };
    // The recorded replicates of the batches done before: run again (their outcomes do
    // not depend on the batches), for the log and the events only. At least one, for
    // the log's entries that concern every replicate.
    if resumed > 0 {
        let end = config.record.end.clamp(start + 1, start + resumed);
        run_range(
            sc,
            plan,
            config,
            start..end,
            engine,
            batch,
            |_| {},
            |b| {
                keep(b.out, b.first);
                Ok(())
            },
        )?;
    }
    let mut backend: Option<BackendInfo> = None;
    let mut stopped = false;
    let (started, wall_before) = (std::time::Instant::now(), record.stats.wall_seconds);
    let left = start + resumed..part.range.end;
    // Progress counts the part, the replicates done before included.
    let before = resumed as u64 * sc.ticks as u64;
    let progress = |p: Progress| {
        progress(Progress {
            done: p.done + before,
            total: p.total + before,
            ..p
        })
    };
    let run = run_range(sc, plan, config, left, engine, batch, progress, |b| {
        let fig = figures_of_batch(sc, plan, &b.out, b.first);
        match &plan.draws {
            Some(d) => {
                let values = d.values(b.first, b.out.replicates);
                rows.write_with(&fig, &values, d.parameters.len())
            }
            None => rows.write(&fig),
        }
        .map_err(io(&rows_path))?;
        let mut words = Vec::with_capacity(width * b.out.replicates as usize);
        for rep in 0..b.out.replicates as usize {
            builder.state_of(&b.out, rep, &mut words);
        }
        builder.add(&b.out, &fig);
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        state.write_all(&bytes).map_err(io(&state_path))?;
        // The checkpoint names only what is on disk.
        record.rows_bytes = rows.sync().map_err(io(&rows_path))?;
        state.sync_data().map_err(io(&state_path))?;
        let info = backend.get_or_insert_with(|| b.out.backend.clone());
        record.done += b.out.replicates;
        let mut stats = record.stats.stats();
        stats.add(&b.out.stats);
        stats.wall_seconds = wall_before + started.elapsed().as_secs_f64();
        record.stats = SavedStats::of(&stats);
        record.backend = info.kind.clone();
        record.adapter = info.adapter.clone();
        record.write(&dir.join(CHECKPOINT)).map_err(io(dir))?;
        keep(b.out, b.first);
        if (part.stop)() && record.done < part.range.len() as u32 {
            stopped = true;
            return Err("stopped".into());
        }
        Ok(())
    });
    let done_stats = match run {
        Ok(s) => s,
        Err(_) if stopped => return Err(StreamError::Stopped { done: record.done }),
        Err(e) => return Err(StreamError::Failed(e)),
    };
    let mut stats = record.stats.stats();
    stats.wall_seconds = wall_before + done_stats.wall_seconds;
    record.stats.wall_seconds = stats.wall_seconds;
    let recorded = recorded.ok_or_else(|| "a run of no replicates".to_string())?;
    let backend = backend.unwrap_or_else(|| BackendInfo {
        kind: record.backend.clone(),
        adapter: record.adapter.clone(),
        threads: recorded.backend.threads,
    });
    let mut facts = RunFacts::of(part.range.len() as u32, config.seed, &backend, &stats);
    facts.uncertainty = plan.draws.as_ref().map(|d| d.describe());
    let summary = builder.finish(facts, &mut |visit, columns| {
        read_columns(&rows_path, columns, visit)
    })?;
    Ok(Streamed {
        summary,
        recorded,
        stats,
        backend,
        resumed,
        pending: Pending {
            dir: dir.to_path_buf(),
            shard: part.shard,
            record,
        },
    })
}

/// The part's files and record: from its checkpoint when resuming (the files cut back to
/// it, its replicates replayed into `builder`), or new.
fn open(
    sc: &Scenario,
    plan: &Plan,
    part: &Part,
    builder: &mut SummaryBuilder,
) -> Result<(RowWriter<BufWriter<File>>, File, Record), StreamError> {
    let dir = part.dir;
    let rows_path = dir.join(ROWS_PARTIAL);
    let state_path = dir.join(STATE_PARTIAL);
    let width = builder.state_width();
    let mut names: Vec<String> = super::table(sc).iter().map(|f| f.name(sc)).collect();
    // A run that draws its parameters: each replicate's values, after the figures.
    if let Some(d) = &plan.draws {
        names.extend(d.parameters.iter().map(|p| format!("param_{}", p.path)));
    }
    let from = if part.resume {
        Record::read(&dir.join(CHECKPOINT)).map_err(StreamError::Checkpoint)?
    } else {
        None
    };
    match from {
        Some(r) => {
            let diff = part.manifest.differences(&r.manifest);
            let range = r.manifest.first..r.manifest.end;
            if !diff.is_empty() || range != part.range {
                return Err(StreamError::Checkpoint(format!(
                    "--resume: {} is of another run ({}); run without --resume to start over",
                    dir.join(CHECKPOINT).display(),
                    if diff.is_empty() {
                        format!(
                            "replicates {}..{} here, {}..{} there",
                            part.range.start, part.range.end, range.start, range.end
                        )
                    } else {
                        diff.join(", ")
                    }
                )));
            }
            let rows = reopen(&rows_path, r.rows_bytes)?;
            let state = reopen(&state_path, r.done as u64 * width as u64 * 4)?;
            replay(
                builder,
                &rows_path,
                &state_path,
                r.done as u64,
                part.range.start,
                "--resume",
            )
            .map_err(StreamError::Checkpoint)?;
            Ok((RowWriter::append(rows), state, r))
        }
        None => {
            let f = File::create(&rows_path).map_err(io(&rows_path))?;
            let rows = RowWriter::new(f, &names).map_err(io(&rows_path))?;
            let state = File::create(&state_path).map_err(io(&state_path))?;
            let record = Record {
                manifest: part.manifest.clone(),
                done: 0,
                rows_bytes: 0,
                stats: SavedStats::default(),
                backend: String::new(),
                adapter: String::new(),
            };
            Ok((rows, state, record))
        }
    }
}

/// A failure to write `p`, for `map_err`.
fn io(p: &Path) -> impl Fn(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", p.display())
}

/// Open a partial file and cut it back to the `len` bytes its checkpoint names (what a
/// batch killed half-way wrote beyond them goes).
fn reopen(path: &Path, len: u64) -> Result<File, StreamError> {
    let bad =
        |what: String| StreamError::Checkpoint(format!("--resume: {}: {what}", path.display()));
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| bad(e.to_string()))?;
    let have = f.metadata().map_err(|e| bad(e.to_string()))?.len();
    if have < len {
        return Err(bad(format!(
            "{have} bytes, shorter than the {len} its checkpoint names"
        )));
    }
    f.set_len(len).map_err(|e| bad(e.to_string()))?;
    f.seek(SeekFrom::End(0)).map_err(|e| bad(e.to_string()))?;
    Ok(f)
}

/// The files of a finished run still under their partial names: [`Pending::commit`]
/// gives them their names once the other outputs are written.
pub struct Pending {
    dir: std::path::PathBuf,
    shard: bool,
    record: Record,
}

impl Pending {
    /// The checkpoint goes first (a kill after it leaves a run to start over, not a
    /// resume of a finished one), then the rows become `replicates.csv`; a shard's state
    /// becomes `shard-state.bin` and its record `manifest.json`, the mark of a finished
    /// shard, last.
    pub fn commit(self) -> std::io::Result<()> {
        let d = &self.dir;
        std::fs::remove_file(d.join(CHECKPOINT))?;
        std::fs::rename(d.join(ROWS_PARTIAL), d.join("replicates.csv"))?;
        if self.shard {
            std::fs::rename(d.join(STATE_PARTIAL), d.join(STATE))?;
            self.record.write(&d.join(MANIFEST))?;
        } else {
            std::fs::remove_file(d.join(STATE_PARTIAL))?;
            // A shard's files from an earlier run in this folder would not match.
            for stale in [STATE, MANIFEST] {
                if d.join(stale).exists() {
                    std::fs::remove_file(d.join(stale))?;
                }
            }
        }
        Ok(())
    }
}

/// The batch's rows file, with `sync` for checkpoints.
impl RowWriter<BufWriter<File>> {
    pub fn new(f: File, names: &[String]) -> std::io::Result<Self> {
        RowWriter::with_header(BufWriter::new(f), names)
    }

    pub fn append(f: File) -> Self {
        RowWriter::headless(BufWriter::new(f))
    }

    /// Flush and sync; the file's length.
    pub fn sync(&mut self) -> std::io::Result<u64> {
        let f = self.flushed()?;
        f.sync_data()?;
        f.metadata().map(|m| m.len())
    }
}
