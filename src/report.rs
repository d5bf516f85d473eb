//! From the engine's counters to what an analyst reads: one row of named figures per
//! replicate (`replicates.csv`), their distribution (`summary.json`), and a table on
//! stdout.
//!
//! Percentiles are nearest-rank: p5 is the smallest value with at least 5% of replicates
//! at or below it. Costs are in USD: offence is what a side launched, defence what it
//! fired, losses the value of its assets in proportion to damage (capped at the value).

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::engine::layout::*;
use crate::engine::plan::Plan;
use crate::scenario::{Scenario, ThreatClass};
use crate::world::{LogEntry, RunOutput};

/// Mean, spread and range of one figure across replicates.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Stat {
    pub mean: f64,
    pub p5: f64,
    pub p95: f64,
    pub min: f64,
    pub max: f64,
}

impl Stat {
    pub fn of(values: &[f64]) -> Stat {
        if values.is_empty() {
            return Stat {
                mean: 0.0,
                p5: 0.0,
                p95: 0.0,
                min: 0.0,
                max: 0.0,
            };
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let rank = |q: f64| v[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
        // Summed in replicate order, so the mean does not depend on thread count.
        let mean = values.iter().sum::<f64>() / n as f64;
        Stat {
            mean,
            p5: rank(0.05),
            p95: rank(0.95),
            min: v[0],
            max: v[n - 1],
        }
    }

    /// Standard error of the mean, for tests.
    pub fn std_error(values: &[f64]) -> f64 {
        let n = values.len() as f64;
        if n < 2.0 {
            return 0.0;
        }
        let m = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
        (var / n).sqrt()
    }
}

/// Named figures, one row per replicate.
#[derive(Clone, Debug, Default)]
pub struct Figures {
    pub names: Vec<String>,
    pub rows: Vec<Vec<f64>>,
}

impl Figures {
    pub fn column(&self, name: &str) -> Option<Vec<f64>> {
        let i = self.names.iter().position(|n| n == name)?;
        Some(self.rows.iter().map(|r| r[i]).collect())
    }

    pub fn stat(&self, name: &str) -> Stat {
        Stat::of(&self.column(name).unwrap_or_default())
    }
}

/// Sides that have defensive units, in side order: they get `fired_by_<side>` and
/// `intercepted_<class>_by_<side>` figures.
fn defending_sides(sc: &Scenario) -> Vec<usize> {
    (0..sc.sides.len())
        .filter(|&s| sc.batteries.iter().any(|b| b.side == s))
        .collect()
}

/// The names of the per-replicate figures of a scenario, in column order of
/// `replicates.csv` (the first is `replicate`). They depend on the scenario's ids only.
pub fn figure_names(sc: &Scenario) -> Vec<String> {
    let mut names: Vec<String> = vec!["replicate".into()];
    for c in ThreatClass::ALL {
        for what in [
            "launched",
            "failed",
            "undetected",
            "intercepted",
            "leaked",
            "airborne_at_end",
            "not_launched",
        ] {
            names.push(format!("{what}_{}", c.name()));
        }
    }
    for what in ["launched", "intercepted", "leaked", "hits"] {
        names.push(format!("{what}_total"));
    }
    for a in &sc.assets {
        names.push(format!("hits_{}", a.id));
        names.push(format!("damage_{}", a.id));
        names.push(format!("out_{}", a.id));
    }
    for ic in &sc.interceptors {
        names.push(format!("fired_{}", ic.id));
    }
    for s in defending_sides(sc) {
        let id = &sc.sides[s].id;
        names.push(format!("fired_by_{id}"));
        for c in ThreatClass::ALL {
            names.push(format!("intercepted_{}_by_{id}", c.name()));
        }
    }
    for s in &sc.sides {
        names.push(format!("offence_usd_{}", s.id));
        names.push(format!("defence_usd_{}", s.id));
        names.push(format!("losses_usd_{}", s.id));
    }
    names.push("magazines_exhausted".into());
    for t in &sc.triggers {
        names.push(format!("trigger_{}", t.id));
    }
    names
}

/// Build the per-replicate figures from a run.
pub fn figures(sc: &Scenario, plan: &Plan, out: &RunOutput) -> Figures {
    let r = out.replicates as usize;
    let fs = &out.final_state;
    let nw = plan.weapons.len();
    let ns = plan.slots.len();
    let na = plan.assets.len();
    let nt = sc.triggers.len();
    let stride = nw * WEAPON_COUNTERS as usize + ns * SLOT_COUNTERS as usize;
    let slot_base = nw * WEAPON_COUNTERS as usize;
    let names = figure_names(sc);
    let defending = defending_sides(sc);

    let mut rows = Vec::with_capacity(r);
    for rep in 0..r {
        let c = &fs.counters[rep * stride..(rep + 1) * stride];
        let assets = &fs.assets[rep * na..(rep + 1) * na];
        let mags = &fs.magazines[rep * ns..(rep + 1) * ns];
        let mut row = Vec::with_capacity(names.len());
        row.push(rep as f64);
        let mut class = [[0u64; 7]; 4];
        let mut offence = vec![0.0; sc.sides.len()];
        for (w, spec) in sc.weapons.iter().enumerate() {
            let at = |k: u32| c[w * WEAPON_COUNTERS as usize + k as usize] as u64;
            let ci = spec.class.index();
            // Launched counts attempts: launched = failed + intercepted + leaked + airborne.
            class[ci][0] += at(C_LAUNCHED) + at(C_FAILED_LAUNCH);
            class[ci][1] += at(C_FAILED_LAUNCH) + at(C_FAILED_FLIGHT);
            class[ci][2] += at(C_UNDETECTED);
            class[ci][3] += at(C_INTERCEPTED);
            class[ci][4] += at(C_LEAKED);
            class[ci][6] += at(C_ABORTED);
        }
        // Offence cost per side: weapons launched, a failed launch included.
        let t = plan.tracks.len();
        let threats = &fs.threats[rep * t..(rep + 1) * t];
        let mut never_started = [0u64; 4];
        // Threats killed, per side of the killing battery and class: a killed threat's
        // last engagement (`last_opp`) is the one that killed it.
        let mut kills = vec![[0u64; 4]; sc.sides.len()];
        for (k, th) in threats.iter().enumerate() {
            let info = &plan.track_info[k];
            let w = &sc.weapons[info.weapon];
            let st = th.status & STATUS_MASK;
            if st == PENDING {
                never_started[w.class.index()] += 1;
            } else if st == FLYING {
                class[w.class.index()][5] += 1;
            } else if st == KILLED && th.last_opp != NONE {
                let o = &plan.opportunities[(plan.tracks[k].opp_first + th.last_opp) as usize];
                kills[sc.batteries[o.battery as usize].side][w.class.index()] += 1;
            }
            if st != PENDING && st != ABORTED {
                offence[sc.sites[info.site].side] += w.cost_usd;
            }
        }
        for ci in 0..4 {
            class[ci][6] += never_started[ci];
            for v in class[ci] {
                row.push(v as f64);
            }
        }
        let sum = |i: usize| (0..4).map(|ci| class[ci][i]).sum::<u64>() as f64;
        row.push(sum(0));
        row.push(sum(3));
        row.push(sum(4));
        row.push(assets.iter().map(|a| a.hits as f64).sum());
        let mut losses = vec![0.0; sc.sides.len()];
        for (a, spec) in sc.assets.iter().enumerate() {
            row.push(assets[a].hits as f64);
            row.push(assets[a].damage as f64);
            row.push((assets[a].out_at != NEVER) as u32 as f64);
            let frac = (assets[a].damage as f64 / spec.staying_power as f64).min(1.0);
            losses[spec.side] += spec.value_usd * frac;
        }
        let mut fired = vec![0u64; sc.interceptors.len()];
        let mut fired_by = vec![0u64; sc.sides.len()];
        let mut defence = vec![0.0; sc.sides.len()];
        for (s, slot) in plan.slots.iter().enumerate() {
            let n = c[slot_base + s * SLOT_COUNTERS as usize + C_FIRED as usize] as u64;
            fired[slot.interceptor as usize] += n;
            let side = sc.batteries[slot.battery as usize].side;
            fired_by[side] += n;
            defence[side] += n as f64 * sc.interceptors[slot.interceptor as usize].cost_usd;
        }
        for f in fired {
            row.push(f as f64);
        }
        for &s in &defending {
            row.push(fired_by[s] as f64);
            for k in kills[s] {
                row.push(k as f64);
            }
        }
        for s in 0..sc.sides.len() {
            row.push(offence[s]);
            row.push(defence[s]);
            row.push(losses[s]);
        }
        row.push(mags.iter().filter(|m| m.empty_at != NEVER).count() as f64);
        for ti in 0..nt {
            row.push((out.fired[rep * nt + ti] != NEVER) as u32 as f64);
        }
        debug_assert_eq!(row.len(), names.len(), "figure_names and figures disagree");
        rows.push(row);
    }
    Figures { names, rows }
}

#[derive(Serialize)]
pub struct Summary {
    pub scenario: ScenarioFacts,
    pub run: RunFacts,
    pub threats: Vec<ClassFigures>,
    pub totals: Totals,
    pub assets: Vec<AssetFigures>,
    pub interceptors: Vec<InterceptorFigures>,
    pub sides: Vec<SideFigures>,
    pub magazines: Vec<MagazineFigures>,
    pub triggers: Vec<TriggerFigures>,
}

#[derive(Serialize)]
pub struct ScenarioFacts {
    pub name: String,
    pub file: String,
    pub tick_seconds: u32,
    pub ticks: u32,
    pub threats_planned: u32,
    pub defensive_units: u32,
    pub launchers: u32,
}

#[derive(Serialize)]
pub struct RunFacts {
    pub replicates: u32,
    pub seed: u32,
    pub backend: String,
    pub adapter: String,
    /// Ticks at which anything ran (the others are skipped).
    pub visited_ticks: u64,
    /// Kernel invocations over threat rows (active tracks x replicates, summed).
    pub threat_steps: u64,
    /// Ticks threats spent in flight, summed: the work of a naive per-tick stepper.
    pub threat_ticks_in_flight: u64,
    /// The only figures that change from run to run of the same seed.
    pub timing: Timing,
}

#[derive(Serialize)]
pub struct Timing {
    pub threads: usize,
    pub wall_seconds: f64,
    pub replicates_per_second: f64,
    pub threat_ticks_per_second: f64,
}

#[derive(Serialize)]
pub struct ClassFigures {
    pub class: String,
    pub planned: u32,
    pub launched: Stat,
    pub failed: Stat,
    pub undetected: Stat,
    pub intercepted: Stat,
    pub leaked: Stat,
    /// Still flying when the scenario ends.
    pub airborne_at_end: Stat,
    pub not_launched: Stat,
}

#[derive(Serialize)]
pub struct Totals {
    pub launched: Stat,
    pub intercepted: Stat,
    pub leaked: Stat,
    pub hits: Stat,
}

#[derive(Serialize)]
pub struct AssetFigures {
    pub id: String,
    pub name: String,
    pub side: String,
    pub hits: Stat,
    pub damage: Stat,
    pub out_of_action: f64,
}

#[derive(Serialize)]
pub struct InterceptorFigures {
    pub id: String,
    pub name: String,
    pub fired: Stat,
    pub cost_usd: Stat,
}

#[derive(Serialize)]
pub struct SideFigures {
    pub id: String,
    pub offence_usd: Stat,
    pub defence_usd: Stat,
    pub losses_usd: Stat,
}

#[derive(Serialize)]
pub struct MagazineFigures {
    pub battery: String,
    pub interceptor: String,
    pub fired: Stat,
    /// Share of replicates in which the magazine ran dry (ready and reserve).
    pub exhausted: f64,
    /// Mean time it ran dry, over those replicates, in seconds from the start.
    pub exhausted_at_s: Option<f64>,
}

#[derive(Serialize)]
pub struct TriggerFigures {
    pub id: String,
    pub fired: f64,
    pub fired_at_s: Option<f64>,
}

pub fn summary(sc: &Scenario, plan: &Plan, out: &RunOutput, fig: &Figures) -> Summary {
    let r = out.replicates as usize;
    let planned = plan.tracks_by_class(sc);
    let threats = ThreatClass::ALL
        .iter()
        .map(|c| {
            let n = c.name();
            ClassFigures {
                class: n.into(),
                planned: planned[c.index()] as u32,
                launched: fig.stat(&format!("launched_{n}")),
                failed: fig.stat(&format!("failed_{n}")),
                undetected: fig.stat(&format!("undetected_{n}")),
                intercepted: fig.stat(&format!("intercepted_{n}")),
                leaked: fig.stat(&format!("leaked_{n}")),
                airborne_at_end: fig.stat(&format!("airborne_at_end_{n}")),
                not_launched: fig.stat(&format!("not_launched_{n}")),
            }
        })
        .collect();
    let assets = sc
        .assets
        .iter()
        .map(|a| AssetFigures {
            id: a.id.clone(),
            name: a.name.clone(),
            side: sc.sides[a.side].id.clone(),
            hits: fig.stat(&format!("hits_{}", a.id)),
            damage: fig.stat(&format!("damage_{}", a.id)),
            out_of_action: fig.stat(&format!("out_{}", a.id)).mean,
        })
        .collect();
    let interceptors = sc
        .interceptors
        .iter()
        .map(|ic| {
            let fired = fig.column(&format!("fired_{}", ic.id)).unwrap_or_default();
            let cost: Vec<f64> = fired.iter().map(|n| n * ic.cost_usd).collect();
            InterceptorFigures {
                id: ic.id.clone(),
                name: ic.name.clone(),
                fired: Stat::of(&fired),
                cost_usd: Stat::of(&cost),
            }
        })
        .collect();
    let sides = sc
        .sides
        .iter()
        .map(|s| SideFigures {
            id: s.id.clone(),
            offence_usd: fig.stat(&format!("offence_usd_{}", s.id)),
            defence_usd: fig.stat(&format!("defence_usd_{}", s.id)),
            losses_usd: fig.stat(&format!("losses_usd_{}", s.id)),
        })
        .collect();
    let fs = &out.final_state;
    let ns = plan.slots.len();
    let nw = plan.weapons.len();
    let stride = nw * WEAPON_COUNTERS as usize + ns * SLOT_COUNTERS as usize;
    let tick_s = sc.tick_seconds as f64;
    let magazines = plan
        .slot_info
        .iter()
        .enumerate()
        .map(|(s, info)| {
            let b = &sc.batteries[info.battery];
            let ic = &sc.interceptors[b.magazines[info.magazine].interceptor];
            let empties: Vec<f64> = (0..r)
                .map(|rep| fs.magazines[rep * ns + s].empty_at)
                .filter(|&t| t != NEVER)
                .map(|t| t as f64 * tick_s)
                .collect();
            let fired: Vec<f64> = (0..r)
                .map(|rep| {
                    fs.counters
                        [rep * stride + nw * WEAPON_COUNTERS as usize + s * SLOT_COUNTERS as usize]
                        as f64
                })
                .collect();
            MagazineFigures {
                battery: b.id.clone(),
                interceptor: ic.id.clone(),
                fired: Stat::of(&fired),
                exhausted: empties.len() as f64 / r.max(1) as f64,
                exhausted_at_s: (!empties.is_empty())
                    .then(|| empties.iter().sum::<f64>() / empties.len() as f64),
            }
        })
        .collect();
    let nt = sc.triggers.len();
    let triggers = sc
        .triggers
        .iter()
        .enumerate()
        .map(|(ti, t)| {
            let at: Vec<f64> = (0..r)
                .map(|rep| out.fired[rep * nt + ti])
                .filter(|&x| x != NEVER)
                .map(|x| x as f64 * tick_s)
                .collect();
            TriggerFigures {
                id: t.id.clone(),
                fired: at.len() as f64 / r.max(1) as f64,
                fired_at_s: (!at.is_empty()).then(|| at.iter().sum::<f64>() / at.len() as f64),
            }
        })
        .collect();
    Summary {
        scenario: ScenarioFacts {
            name: sc.name.clone(),
            file: sc.file.clone(),
            tick_seconds: sc.tick_seconds,
            ticks: sc.ticks,
            threats_planned: plan.tracks.len() as u32,
            defensive_units: sc.batteries.len() as u32,
            launchers: plan.launchers,
        },
        run: RunFacts {
            replicates: out.replicates,
            seed: out.seed,
            backend: out.backend.kind.clone(),
            adapter: out.backend.adapter.clone(),
            visited_ticks: out.stats.visited_ticks,
            threat_steps: out.stats.threat_steps,
            threat_ticks_in_flight: out.stats.threat_ticks_in_flight,
            timing: Timing {
                threads: out.stats.threads,
                wall_seconds: out.stats.wall_seconds,
                replicates_per_second: out.replicates as f64 / out.stats.wall_seconds.max(1e-9),
                threat_ticks_per_second: out.stats.threat_ticks_in_flight as f64
                    / out.stats.wall_seconds.max(1e-9),
            },
        },
        threats,
        totals: Totals {
            launched: fig.stat("launched_total"),
            intercepted: fig.stat("intercepted_total"),
            leaked: fig.stat("leaked_total"),
            hits: fig.stat("hits_total"),
        },
        assets,
        interceptors,
        sides,
        magazines,
        triggers,
    }
}

/// `replicates.csv`: a header of figure names, then one row per replicate.
pub fn write_csv(fig: &Figures, path: &Path) -> std::io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(&fig.names)?;
    for row in &fig.rows {
        w.write_record(row.iter().map(|v| format_number(*v)))?;
    }
    w.flush()
}

/// Whole numbers without a decimal point; others with Rust's shortest exact form.
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

pub fn write_json(summary: &Summary, path: &Path) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    serde_json::to_writer_pretty(&mut f, summary)?;
    writeln!(f)?;
    f.flush()
}

pub fn write_log(log: &[LogEntry], tick_s: u32, path: &Path) -> std::io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(["time_s", "replicate", "kind", "text"])?;
    for e in log {
        w.write_record([
            (e.tick as u64 * tick_s as u64).to_string(),
            e.replicate.map_or("all".to_string(), |r| r.to_string()),
            serde_json::to_value(e.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            e.text.clone(),
        ])?;
    }
    w.flush()
}

/// USD in a short human form: `1.12 bn`, `104.3 M`, `550 k`.
pub fn usd(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.2} bn", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1} M", v / 1e6)
    } else if a >= 1e3 {
        format!("{:.0} k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

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
    out.push_str(&format!(
        "{} — {} replicates, seed {}, {} ({})\nfigures: mean [p5–p95] across replicates\n\n",
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
    out
}

/// Refuse `[[reported]]` entries that name no figure of the scenario, each at the place of
/// its name in the file, with the nearest names.
pub fn check_reported(sc: &Scenario) -> Result<(), crate::scenario::LoadError> {
    let names = figure_names(sc);
    let known: Vec<&String> = names.iter().filter(|n| *n != "replicate").collect();
    let diagnostics: Vec<crate::scenario::Diagnostic> = sc
        .reported
        .iter()
        .filter(|r| !known.contains(&&r.figure))
        .map(|r| {
            r.figure_at.error(format!(
                "{}; the figures are the column names of replicates.csv",
                crate::scenario::unknown("figure", &r.figure, known.iter().copied())
            ))
        })
        .collect();
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(crate::scenario::LoadError { diagnostics })
    }
}
