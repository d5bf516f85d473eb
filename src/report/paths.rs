//! Each decision's paths: the share of replicates that took each outcome, and the headline
//! figures conditional on it (summary.json `decisions`, the table), from the rows alone (the
//! `decision_<id>` columns), so that a summary built again from `replicates.csv` (shards,
//! a resumed run) is the same.
//!
//! The bands (p5, p95 per figure per outcome) are exact, found as the run's own are
//! ([`StatAcc`]): a histogram per outcome and figure, and when one spills (money), its
//! values read again from the rows, those whose `decision_` column is its outcome. A
//! decision's outcomes share one figure's histogram room, so the bands of a decision cost
//! what one figure column costs (`Budget::split_figures`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::figures::Figure;
use super::stat::{self, StatAcc};
use super::summary::ReadColumns;
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
/// (absent under two replicates), and its nearest-rank p5 and p95 over them.
#[derive(Serialize, Clone, Copy)]
pub struct Conditional {
    pub mean: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub std_error: Option<f64>,
    pub p5: f64,
    pub p95: f64,
}

/// Figures split by the outcomes of `sc`'s decisions, and their accumulators (one per
/// outcome of each): what the summary's bands per path hold, for the memory budget.
pub fn split_sizes(sc: &Scenario, figures: &[Figure]) -> (u64, u64) {
    let headline = figures.iter().filter(|&&f| headline(f)).count() as u64;
    let outcomes: u64 = sc.decisions.iter().map(|d| d.outcomes.len() as u64).sum();
    (headline * sc.decisions.len() as u64, headline * outcomes)
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
    /// Per decision, per outcome taken, per headline figure: its distribution (p5, p95).
    bands: Vec<Vec<Vec<StatAcc>>>,
}

impl PathCounts {
    /// Counts whose histograms spill past `distinct` distinct values of a figure over all
    /// the outcomes of a decision (each outcome holds its share).
    pub fn new(sc: &Scenario, figures: &[Figure], distinct: usize) -> PathCounts {
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
        let bands = decisions
            .iter()
            .map(|(_, counts)| {
                let outcomes = counts.len() - 1;
                let room = (distinct / outcomes.max(1)).max(1);
                vec![vec![StatAcc::with_distinct(room); headline.len()]; outcomes]
            })
            .collect();
        PathCounts {
            decisions,
            headline,
            sums,
            bands,
        }
    }

    /// A replicate's row of figures: -1 where a decision was not taken, else the index of
    /// its outcome.
    pub fn push(&mut self, row: &[f64]) {
        let decisions = self.decisions.iter_mut().zip(&mut self.sums);
        for (((c, counts), sums), bands) in decisions.zip(&mut self.bands) {
            let k = outcome_of(row.get(*c).copied().unwrap_or(-1.0), counts.len() - 1);
            counts[k] += 1;
            for (h, (acc, (col, _))) in sums[k].iter_mut().zip(&self.headline).enumerate() {
                let x = row.get(*col).copied().unwrap_or(0.0);
                acc.0 += x;
                acc.1 += x * x;
                if let Some(band) = bands.get_mut(k) {
                    band[h].push(x);
                }
            }
        }
    }

    /// The headline figures over the `n` replicates whose sums and bands these are.
    fn conditional(
        &self,
        sums: &[(f64, f64)],
        bands: &[stat::Stat],
        n: u64,
    ) -> BTreeMap<String, Conditional> {
        if n == 0 {
            return BTreeMap::new();
        }
        let nf = n as f64;
        self.headline
            .iter()
            .zip(sums)
            .zip(bands)
            .map(|(((_, name), &(s, s2)), band)| {
                let mean = s / nf;
                let var = ((s2 - s * mean) / (nf - 1.0)).max(0.0);
                let std_error = (n > 1).then(|| (var / nf).sqrt());
                let (p5, p95) = (band.p5, band.p95);
                (
                    name.clone(),
                    Conditional {
                        mean,
                        std_error,
                        p5,
                        p95,
                    },
                )
            })
            .collect()
    }

    /// The bands of every outcome's headline figures (decision, outcome, figure), those
    /// that spilled found by selection over the rows read again through `reread`: the
    /// figure's column in the rows whose decision column holds the outcome.
    fn bands(&self, reread: &mut ReadColumns) -> Result<Vec<Vec<Vec<stat::Stat>>>, String> {
        let accs: Vec<&StatAcc> = self.bands.iter().flatten().flatten().collect();
        // The columns to read, each once, and per decision and outcome the spilled
        // accumulators' numbers among the spilled with their figure's place in `columns`.
        let mut columns: Vec<usize> = Vec::new();
        let place = |c: usize, columns: &mut Vec<usize>| {
            columns.iter().position(|&x| x == c).unwrap_or_else(|| {
                columns.push(c);
                columns.len() - 1
            })
        };
        let mut spilled = 0;
        let mut wanted: Vec<(usize, Vec<Spilled>)> = Vec::new();
        for ((c, _), outcomes) in self.decisions.iter().zip(&self.bands) {
            let mut by_outcome = vec![Vec::new(); outcomes.len()];
            for (k, figures) in outcomes.iter().enumerate() {
                for (acc, (col, _)) in figures.iter().zip(&self.headline) {
                    if acc.spilled() {
                        by_outcome[k].push((spilled, place(*col, &mut columns)));
                        spilled += 1;
                    }
                }
            }
            if by_outcome.iter().any(|v| !v.is_empty()) {
                wanted.push((place(*c, &mut columns), by_outcome));
            }
        }
        let last = columns.len().saturating_sub(1);
        let mut row = vec![0.0; columns.len()];
        let stats = stat::finish(&accs, &mut |visit| {
            reread(
                &mut |j, v| {
                    row[j] = v;
                    if j != last {
                        return;
                    }
                    for (d, by_outcome) in &wanted {
                        let k = outcome_of(row[*d], by_outcome.len());
                        for &(i, f) in by_outcome.get(k).into_iter().flatten() {
                            visit(i, row[f]);
                        }
                    }
                },
                &columns,
            )
        })?;
        let mut stats = stats.into_iter();
        Ok(self
            .bands
            .iter()
            .map(|outcomes| {
                outcomes
                    .iter()
                    .map(|figures| stats.by_ref().take(figures.len()).collect())
                    .collect()
            })
            .collect())
    }

    /// Each decision's outcomes over `replicates` replicates.
    pub fn finish(
        &self,
        sc: &Scenario,
        replicates: u64,
        reread: &mut ReadColumns,
    ) -> Result<Vec<DecisionFigures>, String> {
        let r = replicates.max(1) as f64;
        let bands = self.bands(reread)?;
        let mut list: Vec<Option<DecisionFigures>> = self
            .decisions
            .iter()
            .zip(&self.sums)
            .zip(&bands)
            .zip(&sc.decisions)
            .map(|((((_, counts), sums), bands), d)| DecisionFigures {
                id: d.id.clone(),
                outcomes: d
                    .outcomes
                    .iter()
                    .zip(counts)
                    .zip(sums)
                    .zip(bands)
                    .map(|(((o, &n), sums), bands)| OutcomeShare {
                        id: o.id.clone(),
                        replicates: n,
                        share: n as f64 / r,
                        figures: self.conditional(sums, bands, n),
                    })
                    .collect(),
                not_taken: counts[counts.len() - 1] as f64 / r,
            })
            .map(Some)
            .collect();
        // In the order the decisions are taken (by time, a condition after what it reads),
        // as a reader follows the tree.
        Ok(crate::engine::decisions::draw_order(sc)
            .into_iter()
            .filter_map(|d| list.get_mut(d).and_then(Option::take))
            .collect())
    }
}

/// The spilled bands of one outcome: each one's number among the spilled, and the place of
/// its figure's column among those read again.
type Spilled = Vec<(usize, usize)>;

/// The outcome a row's decision column names, `outcomes` (the not-taken entry) when it
/// names none.
fn outcome_of(v: f64, outcomes: usize) -> usize {
    if v >= 0.0 && (v as usize) < outcomes {
        v as usize
    } else {
        outcomes
    }
}
