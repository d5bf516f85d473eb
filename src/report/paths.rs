//! Each decision's paths: the share of replicates that took each outcome, and the headline
//! figures conditional on it (summary.json `decisions`, the table), from the rows alone (the
//! `decision_<id>` columns), so that a summary built again from `replicates.csv` (shards,
//! a resumed run) is the same.

use std::collections::BTreeMap;

use serde::Serialize;

use super::figures::Figure;
use crate::scenario::Scenario;

/// The figures given per outcome: the totals, hits, and each side's costs and losses.
fn headline(f: Figure) -> bool {
    matches!(
        f,
        Figure::Total(_)
            | Figure::HitsTotal
            | Figure::Hits(_)
            | Figure::OutOfAction(_)
            | Figure::OffenceUsd(_)
            | Figure::DefenceUsd(_)
            | Figure::LossesUsd(_)
    )
}

/// A figure's mean over the replicates that took one outcome, with its standard error
/// (absent under two replicates).
#[derive(Serialize, Clone, Copy)]
pub struct Conditional {
    pub mean: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub std_error: Option<f64>,
}

#[derive(Serialize)]
pub struct DecisionFigures {
    pub id: String,
    /// Per outcome, in the order written.
    pub outcomes: Vec<OutcomeShare>,
    /// Replicates in which the decision was not taken (its `given` did not hold), as a
    /// share of all.
    pub not_taken: f64,
}

#[derive(Serialize)]
pub struct OutcomeShare {
    pub id: String,
    /// Replicates that took it.
    pub replicates: u64,
    /// Their share of all replicates.
    pub share: f64,
    /// The headline figures over those replicates (by column name; none when no replicate
    /// took it).
    pub figures: BTreeMap<String, Conditional>,
}

/// Counts of each decision's outcomes over the replicates so far.
pub struct PathCounts {
    /// Per decision: its column in a row, and per outcome the replicates (the last entry
    /// counts those where it was not taken).
    decisions: Vec<(usize, Vec<u64>)>,
    /// The headline figures' columns and names.
    headline: Vec<(usize, String)>,
    /// Per decision, per outcome (not taken last), per headline figure: the sum and the
    /// sum of squares, in replicate order.
    sums: Vec<Vec<Vec<(f64, f64)>>>,
}

impl PathCounts {
    pub fn new(sc: &Scenario, figures: &[Figure]) -> PathCounts {
        let decisions = figures
            .iter()
            .enumerate()
            .filter_map(|(c, f)| match *f {
                Figure::Decision(d) => Some((c, vec![0; sc.decisions[d].outcomes.len() + 1])),
                _ => None,
            })
            .collect::<Vec<_>>();
        let headline: Vec<(usize, String)> = figures
            .iter()
            .enumerate()
            .filter(|&(_, &f)| headline(f))
            .map(|(c, f)| (c, f.name(sc)))
            .collect();
        let sums = decisions
            .iter()
            .map(|(_, counts)| vec![vec![(0.0, 0.0); headline.len()]; counts.len()])
            .collect();
        PathCounts {
            decisions,
            headline,
            sums,
        }
    }

    /// A replicate's row of figures: -1 where a decision was not taken, else the index of
    /// its outcome.
    pub fn push(&mut self, row: &[f64]) {
        for ((c, counts), sums) in self.decisions.iter_mut().zip(&mut self.sums) {
            let v = row.get(*c).copied().unwrap_or(-1.0);
            let k = if v >= 0.0 && (v as usize) < counts.len() - 1 {
                v as usize
            } else {
                counts.len() - 1
            };
            counts[k] += 1;
            for (acc, (col, _)) in sums[k].iter_mut().zip(&self.headline) {
                let x = row.get(*col).copied().unwrap_or(0.0);
                acc.0 += x;
                acc.1 += x * x;
            }
        }
    }

    /// The headline figures over the `n` replicates whose sums these are.
    fn conditional(&self, sums: &[(f64, f64)], n: u64) -> BTreeMap<String, Conditional> {
        if n == 0 {
            return BTreeMap::new();
        }
        let nf = n as f64;
        self.headline
            .iter()
            .zip(sums)
            .map(|((_, name), &(s, s2))| {
                let mean = s / nf;
                let var = ((s2 - s * mean) / (nf - 1.0)).max(0.0);
                let std_error = (n > 1).then(|| (var / nf).sqrt());
                (name.clone(), Conditional { mean, std_error })
            })
            .collect()
    }

    /// Each decision's outcomes over `replicates` replicates.
    pub fn finish(&self, sc: &Scenario, replicates: u64) -> Vec<DecisionFigures> {
        let r = replicates.max(1) as f64;
        self.decisions
            .iter()
            .zip(&self.sums)
            .zip(&sc.decisions)
            .map(|(((_, counts), sums), d)| DecisionFigures {
                id: d.id.clone(),
                outcomes: d
                    .outcomes
                    .iter()
                    .zip(counts)
                    .zip(sums)
                    .map(|((o, &n), sums)| OutcomeShare {
                        id: o.id.clone(),
                        replicates: n,
                        share: n as f64 / r,
                        figures: self.conditional(sums, n),
                    })
                    .collect(),
                not_taken: counts[counts.len() - 1] as f64 / r,
            })
            .collect()
    }
}
