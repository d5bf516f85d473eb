//! From the engine's counters to what an analyst reads: one row of named figures per
//! replicate (`replicates.csv`, from the table of figures in `figures`), their
//! distribution (`summary.json`, `summary`), and a table on stdout (`render`).
//!
//! Percentiles are nearest-rank: p5 is the smallest value with at least 5% of replicates
//! at or below it. Costs are in USD: offence is what a side launched, defence what it
//! fired, losses the value of its assets in proportion to damage (capped at the value).

pub mod expr;
mod figures;
mod render;
mod summary;

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::engine::budget::Budget;
use crate::scenario::Scenario;
use crate::world::LogEntry;

pub use figures::{Figure, Figures, Outcome, check_reported, figures, reportable_names, table};
pub use render::render;
pub use summary::*;
/// The memory budget of a run of `replicates` replicates of `sc`, `recorded` of them
/// recording events, in `bytes`: the estimate counts a row of this report's figures for
/// each replicate.
pub fn budget(sc: &Scenario, replicates: u32, recorded: u32, bytes: u64) -> Budget {
    Budget {
        bytes,
        replicates,
        recorded,
        figures: table(sc).len() as u64,
    }
}

/// Mean, spread and range of one figure across replicates.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Stat {
    pub mean: f64,
    pub p5: f64,
    pub p95: f64,
    pub min: f64,
    pub max: f64,
}

impl Stat {
    pub fn of(values: &[f64]) -> Stat {
        if values.is_empty() {
            return Stat {
                mean: 0.0,
                p5: 0.0,
                p95: 0.0,
                min: 0.0,
                max: 0.0,
            };
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let rank = |q: f64| v[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
        // Summed in replicate order, so the mean does not depend on thread count.
        let mean = values.iter().sum::<f64>() / n as f64;
        Stat {
            mean,
            p5: rank(0.05),
            p95: rank(0.95),
            min: v[0],
            max: v[n - 1],
        }
    }

    /// Standard error of the mean, for tests.
    pub fn std_error(values: &[f64]) -> f64 {
        let n = values.len() as f64;
        if n < 2.0 {
            return 0.0;
        }
        let m = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
        (var / n).sqrt()
    }
}
/// `replicates.csv`: a header of figure names, then one row per replicate.
pub fn write_csv(fig: &Figures, path: &Path) -> std::io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(&fig.names)?;
    for row in &fig.rows {
        w.write_record(row.iter().map(|v| format_number(*v)))?;
    }
    w.flush()
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
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    serde_json::to_writer_pretty(&mut f, summary)?;
    writeln!(f)?;
    f.flush()
}

pub fn write_log(log: &[LogEntry], tick_s: u32, path: &Path) -> std::io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
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
    w.flush()
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
