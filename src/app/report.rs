//! The after-action report as one HTML document: a summary (threats, costs and the cost
//! exchange, magazines by side, the triggers fired and the injects given, with their
//! times), the charts (launches and leakers per hour; the what-if's histograms, overlaid
//! for a branch), and the exercise log. Self-contained: the charts are inline SVG, the
//! style sheet is in the document, nothing is fetched.

use std::fmt::Write as _;

use super::charts;
use super::figures::{self, hours_text, ratio_text};
use super::fog::Team;
use super::live::{LineKind, LogLine, Session, Shot, Snapshot, clock};
use super::whatif::Outcome;
use crate::engine::layout::NEVER;
use crate::scenario::ThreatClass;

/// Everything the report is made of, as the worker holds it.
pub struct Report<'a> {
    pub session: &'a Session,
    pub snap: &'a Snapshot,
    pub lines: &'a [LogLine],
    pub shots: &'a [Shot],
    pub what_if: Option<&'a Outcome>,
    /// The injects given, in words with their times.
    pub injects: Vec<String>,
}

/// Text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:sans-serif;margin:2em auto;max-width:980px;color:#1c2430}\
h1{margin-bottom:0}p.meta{color:#556}table{border-collapse:collapse;margin:.5em 0 1.2em}\
th,td{border-bottom:1px solid #ccd;padding:3px 10px;text-align:left}td.n{text-align:right;white-space:nowrap}\
figure{margin:1em 0}figcaption{color:#556;font-size:90%}\
#log td{font-family:monospace;font-size:85%}tr.leaker td{color:#a3261b}tr.intercept td{color:#1d6b3a}";

impl Report<'_> {
    /// The whole document.
    pub fn html(&self) -> Result<String, String> {
        let sc = &self.session.scenario;
        let mut h = String::new();
        let now = clock(self.snap.tick, sc.tick_seconds);
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>After-action report: {name}</title><style>{STYLE}</style></head><body>\
             <h1>After-action report</h1><p class=\"meta\">{name} · {source} · seed {seed} · \
             at T+{now} of {end}</p>",
            name = escape(&sc.name),
            source = escape(&self.session.source),
            seed = self.session.seed,
            end = clock(sc.ticks, sc.tick_seconds),
        );
        self.summary(&mut h);
        self.charts(&mut h)?;
        self.log(&mut h);
        h.push_str("</body></html>\n");
        Ok(h)
    }

    fn summary(&self, h: &mut String) {
        let sc = &self.session.scenario;
        let snap = self.snap;
        h.push_str("<section id=\"summary\"><h2>Summary</h2><h3>Threats</h3><table id=\"threats\"><tr><th>class</th><th>launched</th><th>intercepted</th><th>leaked</th><th>in flight</th></tr>");
        let flying = super::fog::totals(self.session, snap, Team::White);
        for c in ThreatClass::ALL {
            let t = snap.totals[c.index()];
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                c.name(),
                t[0],
                t[1],
                t[2],
                flying[c.index()][3].unwrap_or(0)
            );
        }
        h.push_str("</table><h3>Costs</h3><table id=\"costs\"><tr><th>side</th><th>offence</th><th>defence</th><th>losses</th></tr>");
        for (s, side) in sc.sides.iter().enumerate() {
            let c = &snap.costs;
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                escape(&side.name),
                usd(c.offence[s]),
                usd(c.defence[s]),
                usd(c.losses[s])
            );
        }
        let x = figures::exchange(self.session, snap);
        let _ = write!(
            h,
            "</table><p id=\"exchange\">Cost exchange: Blue fired {} of interceptors against {} of \
             Red's weapons ({}); with Blue's losses of {}, {}. Red's losses: {}.</p>",
            usd(x.blue_defence),
            usd(x.red_offence),
            ratio_text(x.defence_ratio()),
            usd(x.blue_losses),
            ratio_text(x.total_ratio()),
            usd(x.red_losses)
        );
        h.push_str("<h3>Magazines by side</h3><table id=\"magazines\"><tr><th>side</th><th>interceptor</th><th>left of</th><th>fired in the last hour</th><th>empty in</th></tr>");
        for m in figures::magazines_by_side(self.session, snap, self.shots) {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=n>{} of {}</td><td class=n>{}</td><td>{}</td></tr>",
                escape(&sc.sides[m.side].name),
                escape(&sc.interceptors[m.interceptor].name),
                m.left,
                m.start,
                m.last_hour,
                m.hours_left.map_or("—".into(), hours_text)
            );
        }
        h.push_str("</table><h3>Assets hit</h3><table id=\"assets\"><tr><th>asset</th><th>hits</th><th>damage</th></tr>");
        for (a, spec) in sc.assets.iter().enumerate() {
            let st = snap.assets[a];
            if st.hits == 0 {
                continue;
            }
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=n>{}</td><td>{}</td></tr>",
                escape(&spec.name),
                st.hits,
                escape(&damage_text(
                    st.damage,
                    spec.staying_power,
                    st.out_at,
                    sc.tick_seconds
                ))
            );
        }
        h.push_str("</table><h3>Triggers fired</h3><ul id=\"triggers\">");
        let mut any = false;
        for l in self.lines.iter().filter(|l| l.kind == LineKind::Trigger) {
            any = true;
            let _ = write!(
                h,
                "<li>T+{} {}</li>",
                clock(l.tick, sc.tick_seconds),
                escape(&l.text)
            );
        }
        if !any {
            h.push_str("<li>none</li>");
        }
        h.push_str("</ul><h3>Injects</h3><ol id=\"injects\">");
        for i in &self.injects {
            let _ = write!(h, "<li>{}</li>", escape(i));
        }
        if self.injects.is_empty() {
            h.push_str("<li>none</li>");
        }
        h.push_str("</ol></section>");
    }

    fn charts(&self, h: &mut String) -> Result<(), String> {
        let sc = &self.session.scenario;
        h.push_str("<section id=\"charts\"><h2>Charts</h2>");
        let hours = charts::per_hour(self.lines, sc.tick_seconds, self.snap.tick, Team::White);
        let _ = write!(
            h,
            "<figure>{}<figcaption>Launches and leakers per hour up to T+{}.</figcaption></figure>",
            charts::per_hour_svg("Launches and leakers per hour", &hours)?,
            clock(self.snap.tick, sc.tick_seconds)
        );
        let Some(w) = self.what_if else {
            h.push_str("<p>No what-if was run.</p></section>");
            return Ok(());
        };
        let first = &w.runs[0];
        let title = what_if_title(self.session, first, None);
        let (short, notes) = self.chart_title(first, None);
        let series: Vec<(&str, &[f64])> = w
            .runs
            .iter()
            .map(|r| (r.label.as_str(), r.leakers.as_slice()))
            .collect();
        let _ = write!(
            h,
            "<figure>{}<figcaption>{}</figcaption></figure>",
            charts::histogram_svg(&short, &notes, "leakers (whole scenario)", &series)?,
            escape(&title)
        );
        for (a, (_, name, hits)) in first.hits.iter().enumerate() {
            if w.runs.iter().all(|r| r.hits[a].2.iter().all(|&x| x == 0.0)) {
                continue;
            }
            let title = what_if_title(self.session, first, Some(name));
            let (short, notes) = self.chart_title(first, Some(name));
            let series: Vec<(&str, &[f64])> = w
                .runs
                .iter()
                .map(|r| (r.label.as_str(), r.hits[a].2.as_slice()))
                .collect();
            let _ = hits;
            let _ = write!(
                h,
                "<figure>{}<figcaption>{}</figcaption></figure>",
                charts::histogram_svg(&short, &notes, "hits", &series)?,
                escape(&title)
            );
        }
        h.push_str("</section>");
        Ok(())
    }

    /// A what-if chart's title (the figure, the replicates, the moment) and the injects in
    /// force under it.
    fn chart_title(&self, w: &super::whatif::WhatIf, asset: Option<&str>) -> (String, Vec<String>) {
        let from = clock(w.from_tick, self.session.scenario.tick_seconds);
        let what = asset.map_or("Leakers".to_string(), |a| format!("Hits on {a}"));
        let notes = if w.injects.is_empty() {
            vec!["no inject".to_string()]
        } else {
            w.injects.clone()
        };
        (
            format!("{what}, {} replicates from T+{from}", w.replicates),
            notes,
        )
    }

    fn log(&self, h: &mut String) {
        let sc = &self.session.scenario;
        let _ = write!(
            h,
            "<section id=\"log\"><h2>Exercise log</h2><p>{} lines.</p><table><tr><th>time</th><th>kind</th><th>sides</th><th>what</th></tr>",
            self.lines.len()
        );
        for l in self.lines {
            let sides: Vec<&str> = l.sides.iter().map(|&s| sc.sides[s].id.as_str()).collect();
            let _ = write!(
                h,
                "<tr class=\"{kind}\"><td>T+{}</td><td>{kind}</td><td>{}</td><td>{}</td></tr>",
                clock(l.tick, sc.tick_seconds),
                escape(&sides.join(" ")),
                escape(&l.text),
                kind = l.kind.name(),
            );
        }
        h.push_str("</table></section>");
    }
}

/// The title of a what-if chart: the figure, the replicates, the moment it started from,
/// and the injects in force.
pub fn what_if_title(session: &Session, w: &super::whatif::WhatIf, asset: Option<&str>) -> String {
    let from = clock(w.from_tick, session.scenario.tick_seconds);
    let what = match asset {
        None => "Leakers".to_string(),
        Some(name) => format!("Hits on {name}"),
    };
    let injects = if w.injects.is_empty() {
        "no inject".to_string()
    } else {
        w.injects.join("; ")
    };
    format!(
        "{what}, {} replicates from T+{from} ({injects}); intervals under {}",
        w.replicates, w.uncertainty
    )
}

/// Damage as a facilitator reads it: up to the staying power, then out of action.
pub fn damage_text(damage: u32, staying_power: u32, out_at: u32, tick_seconds: u32) -> String {
    if out_at != NEVER || damage >= staying_power {
        let since = if out_at != NEVER {
            format!(" since T+{}", clock(out_at, tick_seconds))
        } else {
            String::new()
        };
        format!("out of action{since} ({damage} damaging hits, {staying_power} put it out)")
    } else {
        format!("{damage} of {staying_power}")
    }
}

fn usd(v: f64) -> String {
    format!("${}", crate::report::usd(v))
}
