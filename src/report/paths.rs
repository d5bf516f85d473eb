//! Each decision's paths: the share of replicates that took each outcome (summary.json
//! `decisions`, the table), counted from the `decision_<id>` columns of the rows, so that a
//! summary built again from `replicates.csv` (shards, a resumed run) counts the same.

use serde::Serialize;

use super::figures::Figure;
use crate::scenario::Scenario;

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
}

/// Counts of each decision's outcomes over the replicates so far.
pub struct PathCounts {
    /// Per decision: its column in a row, and per outcome the replicates (the last entry
    /// counts those where it was not taken).
    decisions: Vec<(usize, Vec<u64>)>,
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
            .collect();
        PathCounts { decisions }
    }

    /// A replicate's row of figures: -1 where a decision was not taken, else the index of
    /// its outcome.
    pub fn push(&mut self, row: &[f64]) {
        for (c, counts) in &mut self.decisions {
            let v = row.get(*c).copied().unwrap_or(-1.0);
            let k = if v >= 0.0 && (v as usize) < counts.len() - 1 {
                v as usize
            } else {
                counts.len() - 1
            };
            counts[k] += 1;
        }
    }

    pub fn finish(&self, sc: &Scenario, replicates: u64) -> Vec<DecisionFigures> {
        let r = replicates.max(1) as f64;
        self.decisions
            .iter()
            .zip(&sc.decisions)
            .map(|((_, counts), d)| DecisionFigures {
                id: d.id.clone(),
                outcomes: d
                    .outcomes
                    .iter()
                    .zip(counts)
                    .map(|(o, &n)| OutcomeShare {
                        id: o.id.clone(),
                        replicates: n,
                        share: n as f64 / r,
                    })
                    .collect(),
                not_taken: counts[counts.len() - 1] as f64 / r,
            })
            .collect()
    }
}
