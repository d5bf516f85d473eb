//! The flags the commands that run replicates share, declared once with one set of limits,
//! and the parser of memory sizes.

use clap::Args;
use clap::builder::RangedI64ValueParser;

/// Replicates when `--replicates` is not given.
pub const DEFAULT_REPLICATES: u32 = 1000;
/// Most replicates any command runs or sizes memory for.
pub const MAX_REPLICATES: i64 = 10_000_000;
/// Seed when `--seed` is not given.
pub const DEFAULT_SEED: u32 = 2026;
/// Most CPU worker threads.
pub const MAX_THREADS: i64 = 1024;
/// Memory budget of a run (its plan and its replicates' state) when `--memory-budget` is
/// not given.
pub const DEFAULT_MEMORY_BUDGET: &str = "4GiB";

/// `--replicates`: 1 to [`MAX_REPLICATES`].
pub fn replicates() -> RangedI64ValueParser<u32> {
    clap::value_parser!(u32).range(1..=MAX_REPLICATES)
}

/// `--threads`: 1 to [`MAX_THREADS`].
pub fn threads() -> RangedI64ValueParser<u32> {
    clap::value_parser!(u32).range(1..=MAX_THREADS)
}

/// How many replicates, from which seed, on how many threads, in how much memory:
/// `#[command(flatten)]` into every command that runs replicates of one scenario at a time.
#[derive(Args, Debug, Clone)]
pub struct RunFlags {
    /// Monte Carlo replicates.
    #[arg(short = 'n', long, default_value_t = DEFAULT_REPLICATES, value_parser = replicates())]
    pub replicates: u32,
    /// Seed of the random streams: the same seed gives the same bytes.
    #[arg(short, long, default_value_t = DEFAULT_SEED)]
    pub seed: u32,
    /// Worker threads for the CPU backend (default: all cores).
    #[arg(short = 'j', long, value_parser = threads())]
    pub threads: Option<u32>,
    /// Memory the run may use (its plan and its replicates' state, beyond the program
    /// itself), e.g. 4GiB or 512MiB.
    #[arg(long, default_value = DEFAULT_MEMORY_BUDGET, value_parser = parse_bytes)]
    pub memory_budget: u64,
}

impl RunFlags {
    /// Worker threads, `None` for all cores.
    pub fn threads(&self) -> Option<usize> {
        self.threads.map(|t| t as usize)
    }
}

/// `--format`: the tables as CSV only, or as Parquet too.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TableFormat {
    /// CSV (replicates.csv and the event tables).
    #[default]
    Csv,
    /// CSV and Apache Parquet beside it (replicates.parquet, the event tables as .parquet):
    /// typed columns, fast to load into pandas or polars. The CSVs stay (`merge` and
    /// `--resume` read them).
    Parquet,
}

/// With `--format parquet`: each table of `tables` in `dir` (names without `.csv`) also
/// as Parquet.
pub fn write_parquet(
    format: TableFormat,
    dir: &std::path::Path,
    tables: &[&str],
) -> Result<(), crate::error::Failure> {
    if format != TableFormat::Parquet {
        return Ok(());
    }
    for t in tables {
        let csv = dir.join(format!("{t}.csv"));
        if csv.exists() {
            crate::report::parquet::csv_to_parquet(&csv, &dir.join(format!("{t}.parquet")))
                .map_err(crate::error::Failure::runtime)?;
        }
    }
    Ok(())
}

/// "4GiB", "512MiB", "100MB", "123456": bytes.
pub fn parse_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let v: f64 = num
        .parse()
        .map_err(|_| format!("expected a size such as 4GiB or 512MiB, found {s:?}"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mib" => 1024.0 * 1024.0,
        "g" | "gb" => 1e9,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" => 1e12,
        "tib" => 1024f64.powi(4),
        other => {
            return Err(format!(
                "unknown size unit {other:?}: use B, KiB, MiB, GiB or TiB"
            ));
        }
    };
    let bytes = v * mult;
    if !bytes.is_finite() || bytes < 1.0 {
        return Err(format!("expected a size of at least 1 byte, found {s:?}"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_both_unit_systems() {
        assert_eq!(parse_bytes("4GiB"), Ok(4 << 30));
        assert_eq!(parse_bytes("512 MiB"), Ok(512 << 20));
        assert_eq!(parse_bytes("100MB"), Ok(100_000_000));
        assert_eq!(parse_bytes("1.5k"), Ok(1500));
        assert_eq!(parse_bytes("123456"), Ok(123_456));
        for bad in ["lots", "4XB", "0", "0.5B", "-1GiB", ""] {
            assert!(parse_bytes(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_default_budget_is_the_engines() {
        assert_eq!(
            parse_bytes(DEFAULT_MEMORY_BUDGET),
            Ok(crate::engine::budget::DEFAULT_BUDGET_BYTES)
        );
    }
}
