//! What `hormuz calibrate --fit` prints and writes to `fit.md`: how the fit was made, each
//! parameter's prior against its posterior, and the leave-one-event-out predictions.

use super::fit::FitResult;
use super::{Verdict, quantile, value};

/// A posterior narrower than this share of its prior's 90% interval, or whose median
/// moved by more than this share of it, is listed as informed by the events.
const INFORMED: f64 = 0.9;
const MOVED: f64 = 0.1;

fn number(v: f64) -> String {
    if v.abs() >= 1000.0 {
        crate::report::format_number(v.round())
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// The markdown report of a fit.
pub fn render(r: &FitResult) -> String {
    let f = &r.posterior.fit;
    let mut out = format!(
        "Method: {}.\n\nEvents: {}. Prior sets: {} (seed {}), one replicate each; accepted {} ({:.1}%), tolerance {:.3}.\n\n",
        f.method,
        f.events.join(", "),
        f.sets,
        f.seed,
        f.accepted,
        100.0 * f.accepted as f64 / f.sets.max(1) as f64,
        f.tolerance
    );
    out.push_str(&parameters(r));
    out.push_str(&left_out(r));
    out
}

/// Prior against posterior, per parameter: the informed ones in a table (narrowest first),
/// the others named.
fn parameters(r: &FitResult) -> String {
    let mut rows = Vec::new();
    let mut uninformed = Vec::new();
    for (c, (path, p)) in r.priors.iter().enumerate() {
        let v: Vec<f64> = r.posterior.samples.iter().map(|s| s[c]).collect();
        let (lo, mid, hi) = (
            p.dist.quantile(0.05),
            p.dist.quantile(0.5),
            p.dist.quantile(0.95),
        );
        let (plo, pmid, phi) = (quantile(&v, 0.05), quantile(&v, 0.5), quantile(&v, 0.95));
        let width = (hi - lo).max(f64::MIN_POSITIVE);
        let ratio = (phi - plo) / width;
        let moved = (pmid - mid).abs() / width;
        if ratio < INFORMED || moved > MOVED {
            rows.push((
                ratio,
                format!(
                    "| `{path}` | {} [{}–{}] | {} [{}–{}] | {:.2} |\n",
                    number(mid),
                    number(lo),
                    number(hi),
                    number(pmid),
                    number(plo),
                    number(phi),
                    ratio
                ),
            ));
        } else {
            uninformed.push(format!("`{path}`"));
        }
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = format!(
        "Prior against posterior: median [5%–95%]; width is the posterior's 90% interval over the prior's. {} of {} parameters are informed by the events (width under {INFORMED}, or the median moved by over {MOVED} of the prior's interval):\n\n",
        rows.len(),
        r.priors.len()
    );
    out.push_str("| parameter | prior | posterior | width |\n|---|---|---|---|\n");
    for (_, row) in rows {
        out.push_str(&row);
    }
    out.push_str(&format!(
        "\nThe other {} keep their prior (no event informs them): {}.\n\n",
        uninformed.len(),
        uninformed.join(", ")
    ));
    out
}

/// The leave-one-event-out table: each event predicted by the fit to the others.
fn left_out(r: &FitResult) -> String {
    let mut out = String::from(
        "Leave one event out: each event predicted by the sets the other events accept (its 90% interval, p5–p95), against what was reported. ok: the reported range overlaps the prediction's central half; near: only its 5-25% or 75-95% tails; MISS: outside the 90% interval.\n\n| event | figure | reported | predicted mean [p5–p95] | check |\n|---|---|---|---|---|\n",
    );
    for p in &r.left_out {
        let [lo, hi] = p.reported.range;
        let f = &p.reported.figure;
        let reported = if lo == hi {
            value(f, lo)
        } else {
            format!("{}–{}", value(f, lo), value(f, hi))
        };
        out.push_str(&format!(
            "| {} | `{f}` | {reported} | {} [{}–{}] | {} |\n",
            p.event,
            value(f, p.model.mean),
            value(f, p.model.p5),
            value(f, p.model.p95),
            p.verdict.label()
        ));
    }
    let count = |v: Verdict| r.left_out.iter().filter(|p| p.verdict == v).count();
    out.push_str(&format!(
        "\n{} reported figures predicted out of sample: {} ok, {} near, {} missed.\n",
        r.left_out.len(),
        count(Verdict::Within),
        count(Verdict::Near),
        count(Verdict::Miss)
    ));
    out
}
