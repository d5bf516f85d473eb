//! `hormuz sensitivity`: which uncertain parameters drive a figure. A run with drawn
//! parameters (`engine::params::Draws`, the path `hormuz run --parameters draw` takes)
//! gives, per replicate, the figure's value and the parameter set it drew; [`prcc`] ranks
//! the parameters by partial rank correlation (Marino et al. 2008) with a t test of each,
//! and [`tornado`] draws the ranking.
//!
//! Parameters that share a draw key (`key = ".."`, or a manoeuvre tier inheriting the one
//! above) draw one quantile between them: their ranks are the same, so they are one column
//! here, named by the key, with their paths listed.

pub mod prcc;
pub mod tornado;

use std::path::Path;
use std::sync::Arc;

use crate::engine::plan::Plan;
use crate::report::expr::Expr;
use crate::report::figures_of_batch;
use crate::scenario::Scenario;
use crate::scenario::uncertain::Parameter;
use crate::world::{Engine, Progress, RunConfig, RunStats, run_batches};

pub use prcc::{Coefficient, Prcc, PrccError};

/// Parameters drawn by one key: one column of the analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// The draw key (a lone parameter's path).
    pub key: String,
    /// The paths of its parameters, in the scenario's order.
    pub paths: Vec<String>,
    /// The index of its first parameter in the scenario's list: its values stand for the
    /// group's (the others are monotone in the same quantile).
    pub first: usize,
}

impl Group {
    /// The name in the table and the chart: the path, or the key and how many it draws.
    pub fn label(&self) -> String {
        match self.paths.len() {
            1 => self.paths[0].clone(),
            n => format!("{} ({n} figures)", self.key),
        }
    }
}

/// The columns of the analysis: one per distinct draw key, in the order of first use.
pub fn groups(parameters: &[Parameter]) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for (i, p) in parameters.iter().enumerate() {
        match out.iter_mut().find(|g| g.key == p.key) {
            Some(g) => g.paths.push(p.path.clone()),
            None => out.push(Group {
                key: p.key.clone(),
                paths: vec![p.path.clone()],
                first: i,
            }),
        }
    }
    out
}

/// What a run leaves for the analysis: per group, its values in the replicates where the
/// figure has a value, and the figure's values there.
#[derive(Clone, Debug, Default)]
pub struct Samples {
    pub columns: Vec<Vec<f64>>,
    pub figure: Vec<f64>,
    /// Replicates where the figure had no value (a ratio over zero), left out.
    pub dropped: u32,
    pub stats: RunStats,
}

/// Bytes [`collect`] holds for `replicates` replicates of `groups` columns and the figure.
pub fn sample_bytes(replicates: u32, groups: usize) -> u64 {
    replicates as u64 * (groups as u64 + 1) * std::mem::size_of::<f64>() as u64
}

/// What is asked: which figure, against which parameters.
pub struct Question {
    /// An expression over the columns of `report::table`, `replicate` included.
    pub figure: Expr,
    /// The columns: [`groups`] of the scenario's parameters.
    pub groups: Vec<Group>,
}

/// Run `config` in batches of `batch` on `engine` with the parameters drawn (`plan.draws`
/// set), keeping per replicate the value of the figure and the draw of each group.
pub fn collect(
    sc: &Arc<Scenario>,
    plan: &Arc<Plan>,
    config: &RunConfig,
    engine: Engine,
    batch: u32,
    question: &Question,
    progress: impl FnMut(Progress),
) -> Result<Samples, String> {
    let draws = plan
        .draws
        .clone()
        .ok_or("a sensitivity analysis needs a run that draws its parameters")?;
    let per = draws.parameters.len();
    let Question { figure, groups } = question;
    let mut s = Samples {
        columns: vec![Vec::with_capacity(config.replicates as usize); groups.len()],
        figure: Vec::with_capacity(config.replicates as usize),
        ..Samples::default()
    };
    s.stats = run_batches(sc, plan, config, engine, batch, progress, |b| {
        let fig = figures_of_batch(sc, plan, &b.out, b.first);
        let values = draws.values(b.first, b.out.replicates);
        for (r, row) in fig.rows.iter().enumerate() {
            match figure.eval(row) {
                Some(v) => {
                    s.figure.push(v);
                    for (g, column) in groups.iter().zip(&mut s.columns) {
                        column.push(values[r * per + g.first]);
                    }
                }
                None => s.dropped += 1,
            }
        }
        Ok(())
    })?;
    Ok(s)
}

/// One row of the result: a group and its coefficient.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    pub group: Group,
    pub coefficient: Coefficient,
}

/// The groups ranked by |PRCC|, largest first; those without a coefficient last, in
/// their order. Equal magnitudes keep the groups' order.
pub fn rank(groups: &[Group], samples: &Samples) -> Result<(Vec<Ranked>, Prcc), PrccError> {
    let result = prcc::prcc(&samples.columns, &samples.figure)?;
    let mut rows: Vec<Ranked> = groups
        .iter()
        .zip(&result.coefficients)
        .map(|(g, c)| Ranked {
            group: g.clone(),
            coefficient: c.clone(),
        })
        .collect();
    rows.sort_by(|a, b| {
        let m = |r: &Ranked| r.coefficient.prcc.map(f64::abs).unwrap_or(-1.0);
        m(b).total_cmp(&m(a))
    });
    Ok((rows, result))
}

/// `sensitivity.csv`: one row per group, in rank order.
pub fn write_csv(rows: &[Ranked], result: &Prcc, figure: &str, path: &Path) -> csv::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "rank",
        "parameter",
        "figures",
        "prcc",
        "t",
        "df",
        "p_value",
        "replicates",
        "figure",
        "note",
    ])?;
    let num = |v: Option<f64>| v.map(|x| format!("{x:?}")).unwrap_or_default();
    for (i, r) in rows.iter().enumerate() {
        let c = &r.coefficient;
        w.write_record([
            (i + 1).to_string(),
            r.group.key.clone(),
            r.group.paths.join(" "),
            num(c.prcc),
            num(c.t),
            result.df.to_string(),
            num(c.p),
            result.samples.to_string(),
            figure.to_string(),
            c.note.clone().unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}
