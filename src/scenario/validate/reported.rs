//! `[[reported]]`: what was publicly reported about the event a calibration scenario
//! reproduces. Each names a figure, a finite `[lo, hi]` range and a source. The figure's
//! name is checked by the report layer, which defines the figures
//! (`report::check_reported`); here it keeps where the name was written, for that check.

use super::super::model::Reported;
use super::super::source::KeyPath;
use super::super::types::ReportedSpec;
use super::canonical::by_id;
use super::{Checker, SCENARIO};

pub(super) fn check(ck: &mut Checker, specs: &[ReportedSpec]) -> Vec<Reported> {
    let mut out = Vec::new();
    for (i, r) in by_id(specs, |r| &r.figure) {
        let p = KeyPath::default().key("reported").index(i);
        let [lo, hi] = r.range;
        if !lo.is_finite() || !hi.is_finite() {
            ck.err(
                SCENARIO,
                &p.key("range"),
                "expected two finite numbers [lo, hi]",
            );
        } else if lo > hi {
            ck.err(
                SCENARIO,
                &p.key("range"),
                format!("expected [lo, hi] with lo <= hi, found [{lo}, {hi}]"),
            );
        }
        if r.source.trim().is_empty() {
            ck.err(
                SCENARIO,
                &p.key("source"),
                "a reported figure needs a `source` naming where it was reported",
            );
        }
        out.push(Reported {
            figure: r.figure.clone(),
            figure_at: ck.place(SCENARIO, &p.key("figure")),
            range: r.range,
            source: r.source.clone(),
            note: r.note.clone(),
        });
    }
    out
}
