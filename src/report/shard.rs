//! What a run leaves in its folder besides its outputs, so that it can be resumed after a
//! kill and merged with the other shards of a run split across machines: the
//! [`Manifest`] (which run, which replicates), the rows written so far
//! (`replicates.csv.partial`) and the summary's state of each replicate
//! (`shard-state.bin.partial`: the words of `SummaryBuilder::state_width`, little-endian
//! u32), and after each batch a [`Record`] of how far it got (`checkpoint.json`).
//!
//! A finished run renames the rows to `replicates.csv`; a shard keeps its state as
//! `shard-state.bin` and its record as `manifest.json`, which `hormuz merge` reads.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::SummaryBuilder;
use crate::world::RunStats;

/// Rows of a run not yet finished.
pub const ROWS_PARTIAL: &str = "replicates.csv.partial";
/// Summary state of the replicates of a run not yet finished.
pub const STATE_PARTIAL: &str = "shard-state.bin.partial";
/// How far a run not yet finished got: a [`Record`].
pub const CHECKPOINT: &str = "checkpoint.json";
/// A finished shard's summary state.
pub const STATE: &str = "shard-state.bin";
/// A finished shard's [`Record`].
pub const MANIFEST: &str = "manifest.json";
/// The format of manifests and checkpoints.
pub const FORMAT: &str = "hormuz-shard/1";

/// Which run a shard or a checkpoint belongs to, and which of its replicates it holds.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub format: String,
    /// The `hormuz` version that wrote it.
    pub hormuz: String,
    /// The scenario file as given (`<embedded>/...` for the built-in one).
    pub scenario_file: String,
    /// SHA-256 of the scenario file's text and of its database files (`scenario::digests`).
    pub scenario_sha256: String,
    pub database_sha256: String,
    pub seed: u32,
    /// Replicates of the whole run.
    pub replicates: u32,
    /// Replicates (the first ones of the whole run) whose log is kept.
    pub recorded: u32,
    /// How the scenario's uncertain figures are taken: `point` (at their point values),
    /// `draw` (from their priors) or `posterior`.
    pub parameters: String,
    /// For `posterior`: the posterior drawn from, and its text's SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior: Option<PosteriorRef>,
    /// Decisions taken by hand on the command line (`--decide`), as `id=outcome`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decide: Vec<String>,
    /// This part's replicates: `first..end`.
    pub first: u32,
    pub end: u32,
    /// Shard `index` of `count` (from 0), when the run was split.
    pub shard: Option<ShardOf>,
    /// A shard of a sweep (`hormuz sweep --shard`): its grid; `first..end` are then grid
    /// points, `replicates` the grid's points and `seed` the sweep's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepGrid>,
}

/// The posterior a run drew from: `built-in` or its file, and the SHA-256 of its text.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PosteriorRef {
    pub file: String,
    pub sha256: String,
}

/// A sweep's grid: each `--vary` key and its values, and the replicates of each point.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SweepGrid {
    pub keys: Vec<String>,
    pub values: Vec<Vec<f64>>,
    pub replicates: u32,
}

impl Eq for SweepGrid {}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardOf {
    pub index: u32,
    pub count: u32,
}

impl Manifest {
    /// The fields in which `self` and `other` are runs of different inputs, as
    /// `field: A here, B there`.
    pub fn differences(&self, other: &Manifest) -> Vec<String> {
        let mut d = Vec::new();
        let mut check = |name: &str, a: String, b: String| {
            if a != b {
                d.push(format!("{name} {a} here, {b} there"));
            }
        };
        check("format", self.format.clone(), other.format.clone());
        check("hormuz version", self.hormuz.clone(), other.hormuz.clone());
        check(
            "scenario (SHA-256)",
            self.scenario_sha256.clone(),
            other.scenario_sha256.clone(),
        );
        check(
            "database (SHA-256)",
            self.database_sha256.clone(),
            other.database_sha256.clone(),
        );
        check("seed", self.seed.to_string(), other.seed.to_string());
        check(
            "replicates",
            self.replicates.to_string(),
            other.replicates.to_string(),
        );
        check(
            "recorded replicates",
            self.recorded.to_string(),
            other.recorded.to_string(),
        );
        check(
            "parameters",
            self.parameters.clone(),
            other.parameters.clone(),
        );
        // The same posterior wherever its file was: its text's digest decides.
        let posterior = |p: &Option<PosteriorRef>| {
            p.as_ref()
                .map_or("none".into(), |p| format!("SHA-256 {}", p.sha256))
        };
        check(
            "posterior",
            posterior(&self.posterior),
            posterior(&other.posterior),
        );
        check(
            "decisions taken by hand",
            format!("{:?}", self.decide),
            format!("{:?}", other.decide),
        );
        let grid = |g: &Option<SweepGrid>| serde_json::to_string(g).unwrap_or_default();
        check("sweep grid", grid(&self.sweep), grid(&other.sweep));
        d
    }
}

/// A run's statistics as a record keeps them.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct SavedStats {
    pub visited_ticks: u64,
    pub threat_steps: u64,
    pub threat_ticks_in_flight: u64,
    pub wall_seconds: f64,
    pub threads: usize,
}

impl SavedStats {
    pub fn of(s: &RunStats) -> SavedStats {
        SavedStats {
            visited_ticks: s.visited_ticks,
            threat_steps: s.threat_steps,
            threat_ticks_in_flight: s.threat_ticks_in_flight,
            wall_seconds: s.wall_seconds,
            threads: s.threads,
        }
    }

    pub fn stats(&self) -> RunStats {
        RunStats {
            visited_ticks: self.visited_ticks,
            threat_steps: self.threat_steps,
            threat_ticks_in_flight: self.threat_ticks_in_flight,
            wall_seconds: self.wall_seconds,
            threads: self.threads,
        }
    }
}

/// How far a part of a run got: its manifest, the replicates done (from
/// `manifest.first`), the bytes of its rows file that hold them, its statistics and the
/// backend that ran it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Record {
    pub manifest: Manifest,
    pub done: u32,
    pub rows_bytes: u64,
    pub stats: SavedStats,
    pub backend: String,
    pub adapter: String,
}

impl Record {
    /// The record of a finished part that keeps no statistics (a sweep's shard).
    pub fn of(manifest: Manifest) -> Record {
        let done = manifest.end - manifest.first;
        Record {
            manifest,
            done,
            rows_bytes: 0,
            stats: SavedStats::default(),
            backend: String::new(),
            adapter: String::new(),
        }
    }

    /// Read a record (`checkpoint.json`, `manifest.json`); its absence is `Ok(None)`.
    pub fn read(path: &Path) -> Result<Option<Record>, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let r: Record = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a hormuz manifest: {e}", path.display()))?;
        if r.manifest.format != FORMAT {
            return Err(format!(
                "{}: format {:?}, expected {FORMAT:?}",
                path.display(),
                r.manifest.format
            ));
        }
        if r.manifest.first > r.manifest.end
            || r.manifest.end > r.manifest.replicates
            || r.done > r.manifest.end - r.manifest.first
        {
            return Err(format!(
                "{}: replicates {}..{} (done {}) do not fit a run of {}",
                path.display(),
                r.manifest.first,
                r.manifest.end,
                r.done,
                r.manifest.replicates
            ));
        }
        Ok(Some(r))
    }

    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        crate::atomic::write(path, text + "\n")
    }
}

/// Feed `rows` replicates to `builder`, in order, from a rows file (`replicates.csv` or
/// its partial form, with its header) and a state file beside it. Checks that both hold
/// that many; `what` names the part in messages.
pub fn replay(
    builder: &mut SummaryBuilder,
    rows_path: &Path,
    state_path: &Path,
    rows: u64,
    first: u32,
    what: &str,
) -> Result<(), String> {
    let width = builder.state_width();
    let e = |e: csv::Error| format!("{what}: {}: {e}", rows_path.display());
    let mut csv = csv::Reader::from_path(rows_path).map_err(e)?;
    let mut state = BufReader::new(
        File::open(state_path).map_err(|e| format!("{what}: {}: {e}", state_path.display()))?,
    );
    let mut record = csv::StringRecord::new();
    let mut row = Vec::new();
    let mut bytes = vec![0u8; width * 4];
    let mut words = vec![0u32; width];
    for i in 0..rows {
        if !csv.read_record(&mut record).map_err(e)? {
            return Err(format!(
                "{what}: {} holds {i} rows, expected {rows}",
                rows_path.display()
            ));
        }
        row.clear();
        for t in record.iter() {
            row.push(t.parse::<f64>().map_err(|_| {
                format!(
                    "{what}: {}: row {} holds {t:?}, not a number",
                    rows_path.display(),
                    i + 2
                )
            })?);
        }
        if row.len() < builder.figure_count() {
            return Err(format!(
                "{what}: {}: row {} holds {} values, fewer than the {} figures",
                rows_path.display(),
                i + 2,
                row.len(),
                builder.figure_count()
            ));
        }
        state.read_exact(&mut bytes).map_err(|_| {
            format!(
                "{what}: {} holds the state of {i} replicates, expected {rows}",
                state_path.display()
            )
        })?;
        for (w, b) in words.iter_mut().zip(bytes.chunks_exact(4)) {
            *w = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
        builder.add_replicate(&row, &words, first + i as u32);
    }
    Ok(())
}
