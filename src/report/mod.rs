//! From the engine's counters to what an analyst reads: one row of named figures per
//! replicate (`replicates.csv`, from the table of figures in `figures`), their
//! distribution (`summary.json`, `summary`), and a table on stdout (`render`).
//!
//! Percentiles are nearest-rank: p5 is the smallest value with at least 5% of replicates
//! at or below it. Costs are in USD: offence is what a side launched, defence what it
//! fired, losses the value of its assets in proportion to damage (capped at the value).

pub mod expr;
mod figures;
pub mod merge;
pub mod parquet;
mod paths;
mod render;
pub mod shard;
mod stat;
mod stream;
mod summary;

use std::io::Write;
use std::path::Path;

use crate::engine::budget::Budget;
use crate::scenario::Scenario;
use crate::world::LogEntry;

pub use figures::{
    Figure, Figures, Outcome, check_reported, figures, figures_of_batch, reportable_names, table,
};
pub use render::render;
pub use stat::{Stat, StatAcc};
pub use stream::{Part, Pending, StreamError, Streamed, stream};
pub use summary::*;

/// The memory budget of a run of `replicates` replicates of `sc`, `recorded` of them
/// recording events, in `bytes`: the estimate counts a row of this report's figures for
/// each replicate.
pub fn budget(sc: &Scenario, replicates: u32, recorded: u32, bytes: u64) -> Budget {
    let figures = table(sc);
    let (split_figures, outcome_figures) = paths::split_sizes(sc, &figures);
    Budget {
        bytes,
        replicates,
        recorded,
        figures: figures.len() as u64,
        many_valued: figures.iter().filter(|f| f.is_money()).count() as u64,
        split_figures,
        outcome_figures,
        batch_cap: None,
    }
}

/// `replicates.csv`: a header of figure names, then one row per replicate.
pub fn write_csv(fig: &Figures, path: &Path) -> std::io::Result<()> {
    let mut w = RowWriter::with_header(crate::atomic::AtomicFile::create(path)?, &fig.names)?;
    w.write(fig)?;
    w.w.into_inner().map_err(|e| e.into_error())?.commit()
}

/// `replicates.csv` written a batch at a time: the header, then each batch's rows as they
/// come.
pub struct RowWriter<W: Write> {
    w: csv::Writer<W>,
}

impl<W: Write> RowWriter<W> {
    pub fn with_header(w: W, names: &[String]) -> std::io::Result<RowWriter<W>> {
        let mut w = csv::Writer::from_writer(w);
        w.write_record(names)?;
        Ok(RowWriter { w })
    }

    /// Rows after those already in the file.
    pub fn headless(w: W) -> RowWriter<W> {
        RowWriter {
            w: csv::Writer::from_writer(w),
        }
    }

    pub fn write(&mut self, fig: &Figures) -> std::io::Result<()> {
        self.write_with(fig, &[], 0)
    }

    /// Rows with `per_row` more values each after the figures: a run's drawn parameters
    /// (`param_<path>` columns), row-major in `extra`.
    pub fn write_with(
        &mut self,
        fig: &Figures,
        extra: &[f64],
        per_row: usize,
    ) -> std::io::Result<()> {
        for (r, row) in fig.rows.iter().enumerate() {
            let more = extra.get(r * per_row..(r + 1) * per_row).unwrap_or(&[]);
            self.w
                .write_record(row.iter().chain(more).map(|v| format_number(*v)))?;
        }
        Ok(())
    }
}

impl RowWriter<std::io::BufWriter<std::fs::File>> {
    /// Everything written so far, in the file.
    fn flushed(&mut self) -> std::io::Result<&std::fs::File> {
        self.w.flush()?;
        Ok(self.w.get_ref().get_ref())
    }
}

/// Read the columns `columns` of a `replicates.csv` again, calling `visit(j, v)` for the
/// value `v` of `columns[j]` in each row: the numbers written are read back exactly.
pub fn read_columns(
    path: &Path,
    columns: &[usize],
    visit: &mut dyn FnMut(usize, f64),
) -> Result<(), String> {
    if columns.is_empty() {
        return Ok(());
    }
    let e = |e: csv::Error| format!("{}: {e}", path.display());
    let mut r = csv::Reader::from_path(path).map_err(e)?;
    let mut record = csv::StringRecord::new();
    while r.read_record(&mut record).map_err(e)? {
        for (j, &c) in columns.iter().enumerate() {
            let v: f64 = record.get(c).and_then(|t| t.parse().ok()).ok_or_else(|| {
                format!(
                    "{}: row {} column {c} is no number",
                    path.display(),
                    r.position().line()
                )
            })?;
            visit(j, v);
        }
    }
    Ok(())
}

/// Whole numbers without a decimal point; others with Rust's shortest exact form.
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

pub fn write_json(summary: &Summary, path: &Path) -> std::io::Result<()> {
    crate::atomic::write_with(path, |f| {
        serde_json::to_writer_pretty(&mut *f, summary)?;
        writeln!(f)
    })
}

pub fn write_log(log: &[LogEntry], tick_s: u32, path: &Path) -> std::io::Result<()> {
    let mut w = crate::atomic::csv_writer(path)?;
    w.write_record(["time_s", "replicate", "kind", "text"])?;
    for e in log {
        w.write_record([
            (e.tick as u64 * tick_s as u64).to_string(),
            e.replicate.map_or("all".to_string(), |r| r.to_string()),
            serde_json::to_value(e.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            e.text.clone(),
        ])?;
    }
    crate::atomic::commit_csv(w)
}

/// USD in a short human form: `1.12 bn`, `104.3 M`, `550 k`.
pub fn usd(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.2} bn", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1} M", v / 1e6)
    } else if a >= 1e3 {
        format!("{:.0} k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}
