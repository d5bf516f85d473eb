//! `hormuz calibrate`: the model against public reports of real salvo events.
//!
//! Each calibration scenario (`scenarios/calibration/`, built into the binary) reproduces
//! one event and lists in `[[reported]]` what was publicly reported about it. A reported
//! figure is a range `[lo, hi]`; the model's is the 90% interval `[p5, p95]` across
//! replicates. The model **misses** a figure when the two intervals do not overlap:
//! `p95 < lo` or `p5 > hi`. It comes **near** when they overlap but the reported range
//! lies in the model's tails: it does not overlap the central half `[p25, p75]`.

use std::sync::Arc;

pub mod fit;
pub mod fit_report;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use crate::engine::plan::Plan;
use crate::report::{self, Figures, Stat, format_number, usd};
use crate::scenario::{self, LoadError, Origin, Reported, Scenario, ThreatClass};
use crate::world::RunConfig;

/// How a model interval compares with a reported range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The reported range overlaps the model's central half, `[p25, p75]`.
    Within,
    /// The reported range overlaps `[p5, p95]` but not `[p25, p75]`.
    Near,
    /// `[p5, p95]` and the reported range do not overlap.
    Miss,
}

impl Verdict {
    /// `central` is the model's `[p25, p75]`.
    pub fn of(range: [f64; 2], s: &Stat, central: [f64; 2]) -> Verdict {
        let [lo, hi] = range;
        if s.p95 < lo || s.p5 > hi {
            Verdict::Miss
        } else if central[1] < lo || central[0] > hi {
            Verdict::Near
        } else {
            Verdict::Within
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Within => "ok",
            Verdict::Near => "near",
            Verdict::Miss => "MISS",
        }
    }
}

/// One row of an event's table: a figure of the model, and what was reported, if anything.
#[derive(Clone, Debug)]
pub struct Row {
    pub figure: String,
    pub model: Stat,
    /// The model's `[p25, p75]`.
    pub central: [f64; 2],
    pub reported: Option<(Reported, Verdict)>,
}

/// One event: its scenario and the comparison.
#[derive(Clone, Debug)]
pub struct EventResult {
    pub name: String,
    pub file: String,
    pub replicates: u32,
    pub seed: u32,
    pub rows: Vec<Row>,
    /// What the intervals include when the run drew its parameters (`Draws::describe`).
    pub uncertainty: Option<String>,
}

impl EventResult {
    /// The reported figures the model misses.
    pub fn misses(&self) -> impl Iterator<Item = &Row> {
        self.rows
            .iter()
            .filter(|r| matches!(r.reported, Some((_, Verdict::Miss))))
    }
}

/// The figures worth showing for an event: launched, failed, intercepted and leaked for
/// every class the scenario fires; hits at every targeted asset; interceptors fired per type
/// and per side; each side's cost; then any reported figure not among them.
fn shown_figures(sc: &Scenario, plan: &Plan) -> Vec<String> {
    let mut names = Vec::new();
    let planned = plan.tracks_by_class(sc);
    for c in ThreatClass::ALL {
        if planned[c.index()] == 0 {
            continue;
        }
        for what in ["launched", "failed", "intercepted", "leaked"] {
            names.push(format!("{what}_{}", c.name()));
        }
    }
    names.push("hits_total".into());
    for (a, asset) in sc.assets.iter().enumerate() {
        if plan.track_info.iter().any(|t| t.target == a) {
            names.push(format!("hits_{}", asset.id));
        }
    }
    for (i, ic) in sc.interceptors.iter().enumerate() {
        if sc
            .batteries
            .iter()
            .any(|b| b.magazines.iter().any(|m| m.interceptor == i))
        {
            names.push(format!("fired_{}", ic.id));
        }
    }
    for (s, side) in sc.sides.iter().enumerate() {
        if sc.batteries.iter().any(|b| b.side == s) {
            names.push(format!("fired_by_{}", side.id));
            names.push(format!("defence_usd_{}", side.id));
        }
    }
    for (s, side) in sc.sides.iter().enumerate() {
        if sc.sites.iter().any(|x| x.side == s) {
            names.push(format!("offence_usd_{}", side.id));
        }
    }
    for r in &sc.reported {
        if !names.contains(&r.figure) {
            names.push(r.figure.clone());
        }
    }
    names
}

/// Nearest-rank quantile, as [`Stat`]'s percentiles.
fn quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    v[((q * n as f64).ceil() as usize).clamp(1, n) - 1]
}

/// Compare one run of a scenario with what was reported about its event.
pub fn compare(sc: &Scenario, plan: &Plan, fig: &Figures, seed: u32) -> EventResult {
    let rows = shown_figures(sc, plan)
        .into_iter()
        .map(|name| {
            // A figure, or an expression over figures (a rate, a share, a total).
            let values = fig.values(&name).unwrap_or_default();
            let model = Stat::of(&values);
            let central = [quantile(&values, 0.25), quantile(&values, 0.75)];
            let reported = sc
                .reported
                .iter()
                .find(|r| r.figure == name)
                .map(|r| (r.clone(), Verdict::of(r.range, &model, central)));
            Row {
                figure: name,
                model,
                central,
                reported,
            }
        })
        .collect();
    EventResult {
        name: sc.name.clone(),
        file: sc.file.clone(),
        replicates: fig.rows.len() as u32,
        seed,
        rows,
        uncertainty: plan.draws.as_ref().map(|d| d.describe()),
    }
}

/// Load a calibration scenario, refusing `[[reported]]` figures the report does not produce.
pub fn load_event(origin: Origin) -> Result<Scenario, LoadError> {
    let sc = scenario::load(origin)?;
    report::check_reported(&sc)?;
    Ok(sc)
}

/// Run a scenario (planned within the run's budget: `plan::build_for`) and compare it with
/// its reports.
pub fn run_event(
    sc: Arc<Scenario>,
    plan: Arc<Plan>,
    replicates: u32,
    seed: u32,
    threads: Option<usize>,
) -> Result<EventResult, String> {
    let config = RunConfig {
        replicates,
        seed,
        record: 0..0,
    };
    let out = crate::world::run_cpu(sc.clone(), plan.clone(), &config, threads, |_, _| {})?;
    let fig = report::figures(&sc, &plan, &out);
    Ok(compare(&sc, &plan, &fig, seed))
}

fn is_money(figure: &str) -> bool {
    figure.contains("_usd_")
}

/// An expression with a division: a rate or a share, shown to three decimals.
fn is_ratio(figure: &str) -> bool {
    figure.contains('/')
}

fn value(figure: &str, v: f64) -> String {
    if is_money(figure) {
        usd(v)
    } else if is_ratio(figure) {
        format!("{v:.3}")
    } else {
        format_number(v)
    }
}

/// The tables `hormuz calibrate` prints: one per event, its sources below it.
pub fn render(results: &[EventResult]) -> String {
    let mut out = String::new();
    for e in results {
        out.push_str(&format!(
            "{}\n{} — {} replicates, seed {}\n",
            e.name, e.file, e.replicates, e.seed
        ));
        if let Some(u) = &e.uncertainty {
            out.push_str(&format!("intervals: {u}\n"));
        }
        let mut t = Table::new();
        t.load_style(UTF8_FULL_CONDENSED);
        t.set_header(["figure", "reported", "model mean", "model p5–p95", "check"]);
        let mut sources = Vec::new();
        for r in &e.rows {
            let mean = if is_money(&r.figure) {
                usd(r.model.mean)
            } else if is_ratio(&r.figure) {
                format!("{:.3}", r.model.mean)
            } else {
                format!("{:.1}", r.model.mean)
            };
            let interval = format!(
                "{}–{}",
                value(&r.figure, r.model.p5),
                value(&r.figure, r.model.p95)
            );
            let (reported, check) = match &r.reported {
                Some((rep, verdict)) => {
                    sources.push(rep.clone());
                    let [lo, hi] = rep.range;
                    let range = if lo == hi {
                        value(&r.figure, lo)
                    } else {
                        format!("{}–{}", value(&r.figure, lo), value(&r.figure, hi))
                    };
                    (
                        format!("{range} [{}]", sources.len()),
                        verdict.label().to_string(),
                    )
                }
                None => ("-".to_string(), String::new()),
            };
            t.add_row(vec![r.figure.clone(), reported, mean, interval, check]);
        }
        out.push_str(&format!("{t}\n"));
        for (i, s) in sources.iter().enumerate() {
            out.push_str(&format!("[{}] {}", i + 1, s.source));
            if let Some(n) = &s.note {
                out.push_str(&format!(" ({n})"));
            }
            out.push('\n');
        }
        out.push('\n');
    }
    let all: Vec<&Row> = results
        .iter()
        .flat_map(|e| e.rows.iter())
        .filter(|r| r.reported.is_some())
        .collect();
    let count = |v: Verdict| {
        all.iter()
            .filter(|r| matches!(r.reported, Some((_, x)) if x == v))
            .count()
    };
    out.push_str(&format!(
        "{} reported figures: {} within the model's central half, {} near (in its 5-25% or 75-95% tails), {} missed\n",
        all.len(),
        count(Verdict::Within),
        count(Verdict::Near),
        count(Verdict::Miss)
    ));
    out
}

/// One line per miss: which event, which figure, both intervals.
pub fn describe_misses(results: &[EventResult]) -> Vec<String> {
    let mut lines = Vec::new();
    for e in results {
        for r in e.misses() {
            let (rep, _) = r.reported.as_ref().expect("a miss has a report");
            lines.push(format!(
                "{}: {} reported {}–{}, model p5–p95 {}–{} (mean {:.1})",
                e.file,
                r.figure,
                value(&r.figure, rep.range[0]),
                value(&r.figure, rep.range[1]),
                value(&r.figure, r.model.p5),
                value(&r.figure, r.model.p95),
                r.model.mean
            ));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(mean: f64, p5: f64, p95: f64) -> Stat {
        Stat {
            mean,
            p5,
            p95,
            min: p5,
            max: p95,
        }
    }

    #[test]
    fn a_miss_is_an_interval_that_does_not_overlap() {
        let v = |r, s: Stat, c| Verdict::of(r, &s, c);
        assert_eq!(
            v([11.0, 11.0], stat(5.0, 3.0, 8.0), [4.0, 6.0]),
            Verdict::Miss
        );
        assert_eq!(
            v([11.0, 11.0], stat(15.0, 12.0, 18.0), [14.0, 16.0]),
            Verdict::Miss
        );
        assert_eq!(
            v([11.0, 11.0], stat(8.0, 5.0, 11.0), [7.0, 9.0]),
            Verdict::Near
        );
        assert_eq!(
            v([11.0, 11.0], stat(11.0, 8.0, 14.0), [10.0, 12.0]),
            Verdict::Within
        );
        assert_eq!(
            v([10.0, 12.0], stat(9.0, 8.0, 14.0), [8.0, 10.0]),
            Verdict::Within
        );
        assert_eq!(
            v([0.0, 0.0], stat(0.0, 0.0, 0.0), [0.0, 0.0]),
            Verdict::Within
        );
        assert_eq!(quantile(&[4.0, 1.0, 3.0, 2.0], 0.25), 1.0);
        assert_eq!(quantile(&[4.0, 1.0, 3.0, 2.0], 0.75), 3.0);
    }
}
