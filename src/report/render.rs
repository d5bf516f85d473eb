//! The tables `hormuz run` prints on stdout.

use super::summary::Summary;
use super::{Stat, format_number, usd};

fn spread(s: &Stat) -> String {
    format!(
        "{:.1} [{}–{}]",
        s.mean,
        format_number(s.p5),
        format_number(s.p95)
    )
}

fn spread_usd(s: &Stat) -> String {
    format!("{} [{}–{}]", usd(s.mean), usd(s.p5), usd(s.p95))
}

/// The table printed on stdout.
pub fn render(s: &Summary) -> String {
    use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
    let mut out = String::new();
    let new_table = |header: &[&str]| {
        let mut t = Table::new();
        t.load_style(UTF8_FULL_CONDENSED);
        t.set_header(header.iter().copied());
        t
    };
    let across = match &s.run.uncertainty {
        Some(u) => format!("across replicates ({u})"),
        None => "across replicates".to_string(),
    };
    out.push_str(&format!(
        "{} — {} replicates, seed {}, {} ({})\nfigures: mean [p5–p95] {across}\n\n",
        s.scenario.name, s.run.replicates, s.run.seed, s.run.backend, s.run.adapter
    ));
    let mut t = new_table(&[
        "threats",
        "planned",
        "launched",
        "failed",
        "undetected",
        "intercepted",
        "leaked",
    ]);
    for c in &s.threats {
        if c.planned == 0 {
            continue;
        }
        t.add_row(vec![
            c.class.clone(),
            c.planned.to_string(),
            spread(&c.launched),
            spread(&c.failed),
            spread(&c.undetected),
            spread(&c.intercepted),
            spread(&c.leaked),
        ]);
    }
    t.add_row(vec![
        "all".into(),
        s.scenario.threats_planned.to_string(),
        spread(&s.totals.launched),
        String::new(),
        String::new(),
        spread(&s.totals.intercepted),
        spread(&s.totals.leaked),
    ]);
    out.push_str(&format!("{t}\n\n"));

    let mut t = new_table(&["asset", "side", "hits", "damage", "out of action"]);
    let mut any = false;
    for a in &s.assets {
        if a.hits.max == 0.0 {
            continue;
        }
        any = true;
        t.add_row(vec![
            a.name.clone(),
            a.side.clone(),
            spread(&a.hits),
            spread(&a.damage),
            format!("{:.0}%", a.out_of_action * 100.0),
        ]);
    }
    if any {
        out.push_str(&format!("{t}\n\n"));
    } else {
        out.push_str("no asset was hit in any replicate\n\n");
    }

    let mut t = new_table(&["interceptor", "fired", "cost USD"]);
    for i in &s.interceptors {
        if i.fired.max == 0.0 {
            continue;
        }
        t.add_row(vec![
            i.name.clone(),
            spread(&i.fired),
            spread_usd(&i.cost_usd),
        ]);
    }
    out.push_str(&format!("{t}\n\n"));

    let mut t = new_table(&["side", "offence USD", "defence USD", "losses USD"]);
    for sd in &s.sides {
        if sd.offence_usd.max == 0.0 && sd.defence_usd.max == 0.0 && sd.losses_usd.max == 0.0 {
            continue;
        }
        t.add_row(vec![
            sd.id.clone(),
            spread_usd(&sd.offence_usd),
            spread_usd(&sd.defence_usd),
            spread_usd(&sd.losses_usd),
        ]);
    }
    out.push_str(&format!("{t}\n\n"));

    let mut t = new_table(&["magazine ran dry", "interceptor", "replicates", "mean time"]);
    let mut any = false;
    for m in &s.magazines {
        if let Some(at) = m.exhausted_at_s {
            any = true;
            t.add_row(vec![
                m.battery.clone(),
                m.interceptor.clone(),
                format!("{:.0}%", m.exhausted * 100.0),
                crate::scenario::types::Clock(at.round() as u32).to_string(),
            ]);
        }
    }
    if any {
        out.push_str(&format!("{t}\n\n"));
    } else {
        out.push_str("no magazine ran dry in any replicate\n\n");
    }

    if !s.triggers.is_empty() {
        let mut t = new_table(&["trigger", "fired in", "mean time"]);
        for tr in &s.triggers {
            t.add_row(vec![
                tr.id.clone(),
                format!("{:.0}%", tr.fired * 100.0),
                tr.fired_at_s
                    .map(|x| crate::scenario::types::Clock(x.round() as u32).to_string())
                    .unwrap_or_else(|| "-".into()),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    out.push_str(&decisions(s));
    out
}

/// Each decision's outcomes, their share of replicates and the leakers and hits over the
/// replicates that took each, mean [p5–p95] (nothing without decisions).
fn decisions(s: &Summary) -> String {
    if s.decisions.is_empty() {
        return String::new();
    }
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header([
        "decision",
        "outcome",
        "share of replicates",
        "leaked",
        "hits",
    ]);
    let mean = |o: &super::paths::OutcomeShare, name: &str| {
        o.figures.get(name).map_or("-".to_string(), |c| {
            format!(
                "{:.1} [{}–{}]",
                c.mean,
                format_number(c.p5),
                format_number(c.p95)
            )
        })
    };
    for d in &s.decisions {
        for o in &d.outcomes {
            t.add_row(vec![
                d.id.clone(),
                o.id.clone(),
                format!("{:.1}%", o.share * 100.0),
                mean(o, "leaked_total"),
                mean(o, "hits_total"),
            ]);
        }
        if d.not_taken > 0.0 {
            t.add_row(vec![
                d.id.clone(),
                "(not taken)".into(),
                format!("{:.1}%", d.not_taken * 100.0),
                "-".into(),
                "-".into(),
            ]);
        }
    }
    format!("\n{t}\n")
}
