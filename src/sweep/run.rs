//! Running the grid: each point's edited files through the checker and the engine, with
//! the same seed at every point, and the table of outcomes (`sweep.csv`).

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use super::{Axis, Documents, check_grid, point};
use crate::engine::plan::{self, Plan};
use crate::report::{self, Stat, format_number};
use crate::scenario::{self, LoadError, Scenario};
use crate::world::RunConfig;

/// One grid point's outcome: the mean, p5 and p95 of every figure, and the cost exchange.
#[derive(Clone, Debug)]
pub struct PointResult {
    pub values: Vec<f64>,
    pub stats: Vec<Stat>,
    /// Mean defence cost over mean offence cost (all sides), 0 when nothing was launched.
    pub cost_exchange: f64,
}

/// The whole sweep.
pub struct SweepResult {
    pub axes: Vec<Axis>,
    /// Figure names (without `replicate`).
    pub figures: Vec<String>,
    pub points: Vec<PointResult>,
}

/// Why a sweep stopped. Every kind but [`SweepError::Run`] is bad input.
#[derive(Clone, Debug)]
pub enum SweepError {
    /// A key given twice, or more points than asked for (`check_grid`'s message).
    Grid(String),
    /// A `--vary` key does not name a number of the scenario or its database.
    Key(String),
    /// The edited files do not pass the checker at the grid point `at`.
    Invalid { at: String, error: LoadError },
    /// A grid point's run was refused before it started (the memory budget).
    Refused(String),
    /// A grid point's run failed.
    Run(String),
}

impl SweepError {
    /// Whether the sweep's input is at fault rather than the run.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, SweepError::Run(_))
    }
}

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SweepError::Grid(e) => f.write_str(e),
            SweepError::Key(e) => write!(f, "--vary {e}"),
            SweepError::Invalid { at, error } => {
                write!(f, "the scenario is not valid at {at}:\n{error}")
            }
            SweepError::Refused(e) | SweepError::Run(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for SweepError {}

/// What every grid point runs: the same replicates and seed (common random numbers).
#[derive(Clone, Copy, Debug)]
pub struct SweepConfig {
    pub replicates: u32,
    pub seed: u32,
    /// CPU worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Memory one grid point's run may use.
    pub memory_budget: u64,
    /// Most grid points to run (`--max-points`; at most `MAX_POINTS`).
    pub max_points: usize,
}

/// Run the grid points `points` (all of them: `0..check_grid(..)`; a shard: a contiguous
/// slice; a point's row does not depend on the others). A point whose run would not fit
/// the memory budget stops the sweep before it runs, as [`SweepError::Refused`];
/// `progress` is told after each point.
pub fn run(
    docs: &Documents,
    axes: &[Axis],
    config: &SweepConfig,
    points: std::ops::Range<usize>,
    mut progress: impl FnMut(usize),
) -> Result<SweepResult, SweepError> {
    let n = check_grid(axes, config.max_points).map_err(SweepError::Grid)?;
    if points.end > n {
        return Err(SweepError::Grid(format!(
            "grid points {}..{} of a grid of {n}",
            points.start, points.end
        )));
    }
    // Every key must resolve before anything runs.
    for a in axes {
        let first = a.values.first().copied().unwrap_or_default();
        docs.clone().set(&a.key, first).map_err(SweepError::Key)?;
    }
    let mut figures: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, p) in points.map(|i| point(axes, i)).enumerate() {
        let (sc, plan) = load_point(docs, axes, &p, config)?;
        let run_config = RunConfig {
            replicates: config.replicates,
            seed: config.seed,
            record: 0..0,
        };
        let run = crate::world::run_cpu(
            sc.clone(),
            plan.clone(),
            &run_config,
            config.threads,
            |_, _| {},
        )
        .map_err(SweepError::Run)?;
        let fig = report::figures(&sc, &plan, &run);
        if figures.is_empty() {
            figures = fig.names[1..].to_vec();
        }
        let stats = figures.iter().map(|n| fig.stat(n)).collect();
        let total = |prefix: &str| -> f64 {
            let cols: Vec<Vec<f64>> = fig
                .names
                .iter()
                .filter(|n| n.starts_with(prefix))
                .filter_map(|n| fig.column(n))
                .collect();
            cols.iter().flatten().sum::<f64>() / fig.rows.len().max(1) as f64
        };
        let (defence, offence) = (total("defence_usd_"), total("offence_usd_"));
        out.push(PointResult {
            values: p,
            stats,
            cost_exchange: if offence > 0.0 {
                defence / offence
            } else {
                0.0
            },
        });
        progress(i + 1);
    }
    Ok(SweepResult {
        axes: axes.to_vec(),
        figures,
        points: out,
    })
}

/// The scenario edited to one grid point, checked, and planned within the memory budget
/// (refused as [`SweepError::Refused`] when it cannot fit).
fn load_point(
    docs: &Documents,
    axes: &[Axis],
    point: &[f64],
    config: &SweepConfig,
) -> Result<(Arc<Scenario>, Arc<Plan>), SweepError> {
    let mut d = docs.clone();
    for (a, v) in axes.iter().zip(point) {
        d.set(&a.key, *v).map_err(SweepError::Key)?;
    }
    let (text, dbs) = d.texts();
    let sc = scenario::load_with_databases(&d.name, &text, &d.dir, &dbs)
        .and_then(|sc| crate::report::check_reported(&sc).map(|()| sc))
        .map_err(|error| {
            let at: Vec<String> = axes
                .iter()
                .zip(point)
                .map(|(a, v)| format!("{} = {}", a.key, format_number(*v)))
                .collect();
            SweepError::Invalid {
                at: at.join(", "),
                error,
            }
        })?;
    let budget = report::budget(&sc, config.replicates, 0, config.memory_budget);
    let (plan, _) =
        plan::build_for(&sc, &budget).map_err(|e| SweepError::Refused(e.to_string()))?;
    Ok((Arc::new(sc), Arc::new(plan)))
}

/// `sweep.csv`: the varied values, then `<figure>_mean`, `_p5`, `_p95` for every figure,
/// then `cost_exchange`; one row per grid point.
pub fn write_csv(r: &SweepResult, path: &Path) -> std::io::Result<()> {
    let mut w = crate::atomic::csv_writer(path)?;
    let mut header: Vec<String> = r.axes.iter().map(|a| a.key.clone()).collect();
    for f in &r.figures {
        for s in ["mean", "p5", "p95"] {
            header.push(format!("{f}_{s}"));
        }
    }
    header.push("cost_exchange".into());
    w.write_record(&header)?;
    for p in &r.points {
        let mut row: Vec<String> = p.values.iter().map(|v| format_number(*v)).collect();
        for s in &p.stats {
            row.push(format_number(s.mean));
            row.push(format_number(s.p5));
            row.push(format_number(s.p95));
        }
        row.push(format_number(p.cost_exchange));
        w.write_record(&row)?;
    }
    crate::atomic::commit_csv(w)
}

/// A `sweep.csv` read back (`hormuz merge` of a sharded sweep, for its plots): the axes'
/// values, and each figure's mean, p5 and p95 (min and max are not in the table: they
/// read as the p5 and p95) and the cost exchange of each point.
pub fn read_csv(axes: &[Axis], path: &Path) -> Result<SweepResult, String> {
    let e = |e: &dyn fmt::Display| format!("{}: {e}", path.display());
    let mut r = csv::Reader::from_path(path).map_err(|x| e(&x))?;
    let header: Vec<String> = r
        .headers()
        .map_err(|x| e(&x))?
        .iter()
        .map(str::to_string)
        .collect();
    let k = axes.len();
    if header.len() < k + 1 || !(header.len() - k - 1).is_multiple_of(3) {
        return Err(e(&"not a sweep.csv of these axes"));
    }
    let figures: Vec<String> = header[k..header.len() - 1]
        .chunks(3)
        .map(|c| c[0].trim_end_matches("_mean").to_string())
        .collect();
    let mut points = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|x| e(&x))?;
        let v: Vec<f64> = rec
            .iter()
            .map(|t| {
                t.parse::<f64>()
                    .map_err(|_| e(&format!("{t:?} is not a number")))
            })
            .collect::<Result<_, _>>()?;
        let stats = v[k..v.len() - 1]
            .chunks(3)
            .map(|c| Stat {
                mean: c[0],
                p5: c[1],
                p95: c[2],
                min: c[1],
                max: c[2],
            })
            .collect();
        points.push(PointResult {
            values: v[..k].to_vec(),
            stats,
            cost_exchange: v[v.len() - 1],
        });
    }
    Ok(SweepResult {
        axes: axes.to_vec(),
        figures,
        points,
    })
}
