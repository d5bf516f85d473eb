//! The figures of a run, defined once: [`table`] lists the figures of a scenario in column
//! order, and each [`Figure`] knows its name and how to compute it from one replicate's
//! [`Tally`]. The CSV header, the per-replicate values, the JSON summary (which looks
//! figures up by [`Figure`]) and the names a `[[reported]]` entry may use all come from it.

use crate::engine::backend::FinalState;
use crate::engine::layout::*;
use crate::engine::plan::Plan;
use crate::scenario::uncertain::Owner;
use crate::scenario::{Diagnostic, LoadError, Scenario, ThreatClass};
use crate::world::RunOutput;

use super::Stat;

/// How threats of a class fared, one figure each; launched = failed + intercepted +
/// leaked + airborne at the end (undetected threats are among the leaked and failed; the
/// ignored among the leaked).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Launch attempts, a failed launch included.
    Launched,
    /// Failed at launch or in flight.
    Failed,
    Undetected,
    Intercepted,
    Leaked,
    /// Still flying when the scenario ends.
    AirborneAtEnd,
    /// Never launched: its order never came, or its launcher was destroyed first.
    NotLaunched,
    /// Leakers that every battery able to engage them let fall (predicted outside the
    /// footprint of what it defends).
    Ignored,
    /// Of those, the ones that hit all the same (landed inside the footprint).
    IgnoredInside,
}

impl Outcome {
    pub const ALL: [Outcome; 9] = [
        Outcome::Launched,
        Outcome::Failed,
        Outcome::Undetected,
        Outcome::Intercepted,
        Outcome::Leaked,
        Outcome::AirborneAtEnd,
        Outcome::NotLaunched,
        Outcome::Ignored,
        Outcome::IgnoredInside,
    ];
    /// The outcomes summed over classes into a `<outcome>_total` figure.
    pub const TOTALS: [Outcome; 3] = [Outcome::Launched, Outcome::Intercepted, Outcome::Leaked];

    pub fn name(self) -> &'static str {
        match self {
            Outcome::Launched => "launched",
            Outcome::Failed => "failed",
            Outcome::Undetected => "undetected",
            Outcome::Intercepted => "intercepted",
            Outcome::Leaked => "leaked",
            Outcome::AirborneAtEnd => "airborne_at_end",
            Outcome::NotLaunched => "not_launched",
            Outcome::Ignored => "ignored",
            Outcome::IgnoredInside => "ignored_inside",
        }
    }
}

/// One figure of a replicate: a column of `replicates.csv`. Indices are into the
/// scenario's assets, interceptors, sides and triggers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// The replicate's number (the first column; not a figure a report can name).
    Replicate,
    Class(ThreatClass, Outcome),
    /// An outcome summed over the classes.
    Total(Outcome),
    /// Hits on all assets.
    HitsTotal,
    Hits(usize),
    /// Damaging hits (not absorbed by hardness).
    Damage(usize),
    /// 1 when the asset was put out of action, else 0.
    OutOfAction(usize),
    /// Vertical-launch cells an asset's batteries emptied or opened: per magazine slot,
    /// rounds fired over rounds a cell holds, rounded up (`per_cell`).
    Cells(usize),
    /// Rounds of an interceptor fired.
    Fired(usize),
    /// Threats an interceptor type killed (the kill of the engagement that ended them).
    Kills(usize),
    /// Rounds of an interceptor that failed (launch, guidance, fuze): no kill drawn.
    Malfunctioned(usize),
    /// Rounds fired by a side's batteries.
    FiredBy(usize),
    /// Threats of a class killed by a side's batteries.
    InterceptedBy(usize, ThreatClass),
    /// Weapons a side launched (a failed launch included), in USD.
    OffenceUsd(usize),
    /// Interceptors a side fired, in USD.
    DefenceUsd(usize),
    /// The value of a side's assets in proportion to their damage (capped at the value).
    LossesUsd(usize),
    /// Decoys of ballistic missiles: engagements and rounds spent on them, and decoys
    /// shot down.
    DecoyEngagements,
    DecoyRounds,
    DecoysKilled,
    /// Magazines that ran dry (ready and reserve).
    MagazinesExhausted,
    /// 1 when the trigger fired, else 0.
    Trigger(usize),
    /// The index of the outcome the decision took (as written), or -1 where it was not
    /// taken: a number, like every column, so that shards, Parquet and expressions read it.
    Decision(usize),
}

/// The figures of a scenario in column order. They depend on the scenario's ids only.
pub fn table(sc: &Scenario) -> Vec<Figure> {
    let mut t = vec![Figure::Replicate];
    for c in ThreatClass::ALL {
        t.extend(Outcome::ALL.map(|o| Figure::Class(c, o)));
    }
    t.extend(Outcome::TOTALS.map(Figure::Total));
    t.push(Figure::HitsTotal);
    for a in 0..sc.assets.len() {
        t.extend([Figure::Hits(a), Figure::Damage(a), Figure::OutOfAction(a)]);
    }
    t.extend(cell_hosts(sc).into_iter().map(Figure::Cells));
    t.extend((0..sc.interceptors.len()).map(Figure::Fired));
    t.extend((0..sc.interceptors.len()).map(Figure::Kills));
    t.extend((0..sc.interceptors.len()).map(Figure::Malfunctioned));
    t.extend([
        Figure::DecoyEngagements,
        Figure::DecoyRounds,
        Figure::DecoysKilled,
    ]);
    for s in defending_sides(sc) {
        t.push(Figure::FiredBy(s));
        t.extend(ThreatClass::ALL.map(|c| Figure::InterceptedBy(s, c)));
    }
    for s in 0..sc.sides.len() {
        t.extend([
            Figure::OffenceUsd(s),
            Figure::DefenceUsd(s),
            Figure::LossesUsd(s),
        ]);
    }
    t.push(Figure::MagazinesExhausted);
    t.extend((0..sc.triggers.len()).map(Figure::Trigger));
    t.extend((0..sc.decisions.len()).map(Figure::Decision));
    t
}

/// Assets (ships) that host a battery with a magazine of vertical-launch cells, in asset
/// order: they get `cells_<asset>`.
fn cell_hosts(sc: &Scenario) -> Vec<usize> {
    (0..sc.assets.len())
        .filter(|&a| {
            sc.batteries.iter().any(|b| {
                b.host == Some(a)
                    && b.magazines
                        .iter()
                        .any(|m| sc.interceptors[m.interceptor].per_cell.is_some())
            })
        })
        .collect()
}

/// Sides that have defensive units, in side order: they get `fired_by_<side>` and
/// `intercepted_<class>_by_<side>` figures.
fn defending_sides(sc: &Scenario) -> Vec<usize> {
    (0..sc.sides.len())
        .filter(|&s| sc.batteries.iter().any(|b| b.side == s))
        .collect()
}

impl Figure {
    /// Whether the figure is an amount of money: a sum of unit costs and shares of asset
    /// values, whose values need not repeat across replicates (the summary's memory
    /// estimate counts a histogram value per replicate for it).
    pub fn is_money(&self) -> bool {
        matches!(
            self,
            Figure::OffenceUsd(_) | Figure::DefenceUsd(_) | Figure::LossesUsd(_)
        )
    }

    /// The column name in `replicates.csv`.
    pub fn name(self, sc: &Scenario) -> String {
        let side = |s: usize| &sc.sides[s].id;
        match self {
            Figure::Replicate => "replicate".into(),
            Figure::Class(c, o) => format!("{}_{}", o.name(), c.name()),
            Figure::Total(o) => format!("{}_total", o.name()),
            Figure::HitsTotal => "hits_total".into(),
            Figure::Hits(a) => format!("hits_{}", sc.assets[a].id),
            Figure::Damage(a) => format!("damage_{}", sc.assets[a].id),
            Figure::OutOfAction(a) => format!("out_{}", sc.assets[a].id),
            Figure::Cells(a) => format!("cells_{}", sc.assets[a].id),
            Figure::Fired(i) => format!("fired_{}", sc.interceptors[i].id),
            Figure::Kills(i) => format!("kills_{}", sc.interceptors[i].id),
            Figure::Malfunctioned(i) => format!("malfunctioned_{}", sc.interceptors[i].id),
            Figure::DecoyEngagements => "decoy_engagements".into(),
            Figure::DecoyRounds => "decoy_rounds".into(),
            Figure::DecoysKilled => "decoys_killed".into(),
            Figure::FiredBy(s) => format!("fired_by_{}", side(s)),
            Figure::InterceptedBy(s, c) => format!("intercepted_{}_by_{}", c.name(), side(s)),
            Figure::OffenceUsd(s) => format!("offence_usd_{}", side(s)),
            Figure::DefenceUsd(s) => format!("defence_usd_{}", side(s)),
            Figure::LossesUsd(s) => format!("losses_usd_{}", side(s)),
            Figure::MagazinesExhausted => "magazines_exhausted".into(),
            Figure::Trigger(t) => format!("trigger_{}", sc.triggers[t].id),
            Figure::Decision(d) => format!("decision_{}", sc.decisions[d].id),
        }
    }

    /// The figure's value in one replicate.
    fn value(self, t: &Tally) -> f64 {
        match self {
            Figure::Replicate => t.replicate as f64,
            Figure::Class(c, o) => t.class[c.index()][o as usize] as f64,
            Figure::Total(o) => t.class.iter().map(|c| c[o as usize]).sum::<u64>() as f64,
            Figure::HitsTotal => t.assets.iter().map(|a| a.hits as f64).sum(),
            Figure::Hits(a) => t.assets[a].hits as f64,
            Figure::Damage(a) => t.assets[a].damage as f64,
            Figure::OutOfAction(a) => (t.assets[a].out_at != NEVER) as u32 as f64,
            Figure::Cells(a) => t.cells[a] as f64,
            Figure::Fired(i) => t.fired[i] as f64,
            Figure::Kills(i) => t.kills_by[i] as f64,
            Figure::Malfunctioned(i) => t.malfunctioned[i] as f64,
            Figure::DecoyEngagements => t.decoys[0] as f64,
            Figure::DecoyRounds => t.decoys[1] as f64,
            Figure::DecoysKilled => t.decoys[2] as f64,
            Figure::FiredBy(s) => t.fired_by[s] as f64,
            Figure::InterceptedBy(s, c) => t.kills[s][c.index()] as f64,
            Figure::OffenceUsd(s) => t.offence_usd[s],
            Figure::DefenceUsd(s) => t.defence_usd[s],
            Figure::LossesUsd(s) => t.losses_usd[s],
            Figure::MagazinesExhausted => t.magazines_exhausted as f64,
            Figure::Trigger(k) => (t.triggers[k] != NEVER) as u32 as f64,
            Figure::Decision(d) => match t.paths.get(d) {
                Some(&k) if k != crate::engine::decisions::NOT_TAKEN => k as f64,
                _ => -1.0,
            },
        }
    }
}

/// The names a `[[reported]]` entry may use: every column of `replicates.csv` but
/// `replicate`.
pub fn reportable_names(sc: &Scenario) -> Vec<String> {
    table(sc)
        .into_iter()
        .filter(|f| *f != Figure::Replicate)
        .map(|f| f.name(sc))
        .collect()
}

/// Refuse `[[reported]]` entries whose figure is neither a figure of the scenario nor an
/// expression over them (`super::expr`), each at the place of its name in the file, an
/// unknown name with the closest names first; in file order. The scenario layer checks the
/// rest of each entry when it loads; this check belongs here, with the figures.
pub fn check_reported(sc: &Scenario) -> Result<(), LoadError> {
    if sc.reported.is_empty() {
        return Ok(());
    }
    let names = reportable_names(sc);
    // Bounded like the checker's: the first so many problems in full (each unknown name
    // is scored against every figure name for "did you mean").
    let mut bad = 0;
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for r in &sc.reported {
        if let Err(e) = super::expr::parse(&r.figure, &names) {
            bad += 1;
            if diagnostics.len() < crate::scenario::MAX_DIAGNOSTICS {
                diagnostics.push(r.figure_at.error(e));
            }
        }
    }
    diagnostics.sort_by_key(|d| (d.line, d.column));
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(LoadError {
            omitted: bad - diagnostics.len(),
            diagnostics,
        })
    }
}

/// Named figures, one row per replicate, in the columns of [`table`].
#[derive(Clone, Debug, Default)]
pub struct Figures {
    /// The table the columns come from.
    pub figures: Vec<Figure>,
    /// The column names: each figure's name.
    pub names: Vec<String>,
    pub rows: Vec<Vec<f64>>,
    /// The run's index of the first row's replicate.
    pub first: u32,
}

impl Figures {
    pub fn column(&self, name: &str) -> Option<Vec<f64>> {
        let i = self.names.iter().position(|n| n == name)?;
        Some(self.rows.iter().map(|r| r[i]).collect())
    }

    pub fn stat(&self, name: &str) -> Stat {
        Stat::of(&self.column(name).unwrap_or_default())
    }

    /// The values of a figure across replicates (empty when the table lacks it).
    pub fn column_of(&self, f: Figure) -> Vec<f64> {
        match self.figures.iter().position(|&x| x == f) {
            Some(i) => self.rows.iter().map(|r| r[i]).collect(),
            None => Vec::new(),
        }
    }

    pub fn stat_of(&self, f: Figure) -> Stat {
        Stat::of(&self.column_of(f))
    }

    /// The values of a figure or of an expression over figures (`super::expr`), in
    /// replicate order, the replicates where it has no value (a division by zero) left
    /// out; an error says what is wrong with the expression.
    pub fn values(&self, figure: &str) -> Result<Vec<f64>, String> {
        let e = super::expr::parse(figure, &self.names)?;
        Ok(self.rows.iter().filter_map(|r| e.eval(r)).collect())
    }

    /// As [`Figures::values`], one entry per replicate: `None` where it has no value.
    pub fn values_by_row(&self, figure: &str) -> Result<Vec<Option<f64>>, String> {
        let e = super::expr::parse(figure, &self.names)?;
        Ok(self.rows.iter().map(|r| e.eval(r)).collect())
    }
}

/// Build the per-replicate figures from a run.
pub fn figures(sc: &Scenario, plan: &Plan, out: &RunOutput) -> Figures {
    figures_of_batch(sc, plan, out, 0)
}

/// The figures of a batch whose replicates start at replicate `first` of the run (the
/// `replicate` column counts from there).
pub fn figures_of_batch(sc: &Scenario, plan: &Plan, out: &RunOutput, first: u32) -> Figures {
    let figures = table(sc);
    let names = figures.iter().map(|f| f.name(sc)).collect();
    let rows = (0..out.replicates as usize)
        .map(|rep| {
            let costs = UnitCosts::of(sc, plan, first + rep as u32);
            let mut tally = Tally::of(sc, plan, out, rep, &costs);
            tally.replicate += first as usize;
            figures.iter().map(|f| f.value(&tally)).collect()
        })
        .collect();
    Figures {
        figures,
        names,
        rows,
        first,
    }
}

/// The unit costs of one replicate: the scenario's, or the replicate's own draws of those
/// written as distributions when the run draws its parameters.
pub(super) struct UnitCosts {
    pub weapon: Vec<f64>,
    pub interceptor: Vec<f64>,
}

impl UnitCosts {
    pub fn of(sc: &Scenario, plan: &Plan, replicate: u32) -> UnitCosts {
        let mut costs = UnitCosts {
            weapon: sc.weapons.iter().map(|w| w.cost_usd).collect(),
            interceptor: sc.interceptors.iter().map(|i| i.cost_usd).collect(),
        };
        let Some(d) = &plan.draws else {
            return costs;
        };
        // Only the drawn costs: the other parameters are not needed here.
        for (i, p) in d.parameters.iter().enumerate() {
            match (p.owner, p.field.as_str()) {
                (Owner::Weapon(w), "cost_usd") => costs.weapon[w] = d.value_of(replicate, i),
                (Owner::Interceptor(k), "cost_usd") => {
                    costs.interceptor[k] = d.value_of(replicate, i)
                }
                _ => {}
            }
        }
        costs
    }
}

/// One replicate's counts, gathered in one pass over its state; every figure reads from
/// it. Money is summed in a fixed order (tracks, assets, slots), so the sums do not depend
/// on the backend or the thread count.
struct Tally<'a> {
    replicate: usize,
    /// Per class, per [`Outcome`].
    class: [[u64; Outcome::ALL.len()]; 4],
    assets: &'a [AssetState],
    /// Per asset: vertical-launch cells its batteries used.
    cells: Vec<u64>,
    /// Per interceptor.
    fired: Vec<u64>,
    /// Kills per interceptor.
    kills_by: Vec<u64>,
    malfunctioned: Vec<u64>,
    /// Decoy engagements, rounds at decoys, decoys killed.
    decoys: [u64; 3],
    /// Per side.
    fired_by: Vec<u64>,
    /// Per side of the killing battery, per class.
    kills: Vec<[u64; 4]>,
    offence_usd: Vec<f64>,
    defence_usd: Vec<f64>,
    losses_usd: Vec<f64>,
    magazines_exhausted: usize,
    /// Per trigger: the tick it fired, or `NEVER`.
    triggers: &'a [u32],
    /// Per decision: the outcome it took, or `NOT_TAKEN`.
    paths: &'a [u32],
}

impl<'a> Tally<'a> {
    fn of(
        sc: &Scenario,
        plan: &Plan,
        out: &'a RunOutput,
        rep: usize,
        costs: &UnitCosts,
    ) -> Tally<'a> {
        let fs = &out.final_state;
        let (na, ns, nt, nsides) = (
            plan.assets.len(),
            plan.slots.len(),
            sc.triggers.len(),
            sc.sides.len(),
        );
        let mut t = Tally {
            replicate: rep,
            class: [[0; Outcome::ALL.len()]; 4],
            assets: &fs.assets[rep * na..(rep + 1) * na],
            cells: vec![0; sc.assets.len()],
            fired: vec![0; sc.interceptors.len()],
            kills_by: vec![0; sc.interceptors.len()],
            malfunctioned: vec![0; sc.interceptors.len()],
            decoys: [0; 3],
            fired_by: vec![0; nsides],
            kills: vec![[0; 4]; nsides],
            offence_usd: vec![0.0; nsides],
            defence_usd: vec![0.0; nsides],
            losses_usd: vec![0.0; nsides],
            magazines_exhausted: fs.magazines[rep * ns..(rep + 1) * ns]
                .iter()
                .filter(|m| m.empty_at != NEVER)
                .count(),
            triggers: &out.fired[rep * nt..(rep + 1) * nt],
            paths: out
                .paths
                .get(rep * sc.decisions.len()..(rep + 1) * sc.decisions.len())
                .unwrap_or(&[]),
        };
        let counters = Counters::of(plan, fs, rep);
        t.count_weapons(sc, &counters);
        t.count_threats(sc, plan, fs, rep, costs);
        t.count_interceptors(sc, plan, &counters, costs);
        for (a, spec) in sc.assets.iter().enumerate() {
            let frac = (t.assets[a].damage as f64 / spec.staying_power as f64).min(1.0);
            t.losses_usd[spec.side] += spec.value_usd * frac;
        }
        t
    }

    /// The per-weapon counters the kernels keep, summed per class.
    fn count_weapons(&mut self, sc: &Scenario, c: &Counters) {
        for (w, spec) in sc.weapons.iter().enumerate() {
            let at = |k: u32| c.weapon(w, k) as u64;
            let class = &mut self.class[spec.class.index()];
            class[Outcome::Launched as usize] += at(C_LAUNCHED) + at(C_FAILED_LAUNCH);
            class[Outcome::Failed as usize] += at(C_FAILED_LAUNCH) + at(C_FAILED_FLIGHT);
            class[Outcome::Undetected as usize] += at(C_UNDETECTED);
            class[Outcome::Intercepted as usize] += at(C_INTERCEPTED);
            class[Outcome::Leaked as usize] += at(C_LEAKED);
            class[Outcome::NotLaunched as usize] += at(C_ABORTED);
            class[Outcome::Ignored as usize] += at(C_IGNORED);
            class[Outcome::IgnoredInside as usize] += at(C_IGNORED_INSIDE);
            self.decoys[0] += at(C_DECOY_ENGAGEMENTS);
            self.decoys[1] += at(C_DECOY_ROUNDS);
            self.decoys[2] += at(C_DECOY_KILLED);
        }
    }

    /// What only the threat rows tell: threats never started or still flying, kills per
    /// side of the killing battery, and the cost of what each side launched.
    fn count_threats(
        &mut self,
        sc: &Scenario,
        plan: &Plan,
        fs: &FinalState,
        rep: usize,
        costs: &UnitCosts,
    ) {
        let n = plan.tracks.len();
        for (k, th) in fs.threats[rep * n..(rep + 1) * n].iter().enumerate() {
            if plan.is_decoy(k) {
                // A decoy is no threat of its class, and costs nothing of its own.
                continue;
            }
            let info = &plan.track_info[k];
            let w = &sc.weapons[info.weapon];
            let class = &mut self.class[w.class.index()];
            let st = th.status & STATUS_MASK;
            if st == PENDING {
                class[Outcome::NotLaunched as usize] += 1;
            } else if st == FLYING {
                class[Outcome::AirborneAtEnd as usize] += 1;
            } else if st == KILLED && th.last_opp != NONE {
                // A killed threat's last engagement is the one that killed it.
                let o = &plan.opportunities[(plan.tracks[k].opp_first + th.last_opp) as usize];
                self.kills[sc.batteries[o.battery as usize].side][w.class.index()] += 1;
            }
            if st != PENDING && st != ABORTED {
                self.offence_usd[sc.sites[info.site].side] += costs.weapon[info.weapon];
            }
        }
    }

    /// Rounds fired per magazine slot, per interceptor and per side, and their cost.
    fn count_interceptors(&mut self, sc: &Scenario, plan: &Plan, c: &Counters, costs: &UnitCosts) {
        for (s, slot) in plan.slots.iter().enumerate() {
            let n = c.slot(s, C_FIRED) as u64;
            self.fired[slot.interceptor as usize] += n;
            let battery = &sc.batteries[slot.battery as usize];
            if let (Some(host), Some(per)) = (
                battery.host,
                sc.interceptors[slot.interceptor as usize].per_cell,
            ) {
                self.cells[host] += n.div_ceil(per as u64);
            }
            self.kills_by[slot.interceptor as usize] += c.slot(s, C_KILLS) as u64;
            self.malfunctioned[slot.interceptor as usize] += c.slot(s, C_MALFUNCTIONS) as u64;
            let side = sc.batteries[slot.battery as usize].side;
            self.fired_by[side] += n;
            self.defence_usd[side] += n as f64 * costs.interceptor[slot.interceptor as usize];
        }
    }
}

/// One replicate's counters: per weapon, then per magazine slot.
pub(super) struct Counters<'a> {
    c: &'a [u32],
    slot_base: usize,
}

impl<'a> Counters<'a> {
    pub fn of(plan: &Plan, fs: &'a FinalState, rep: usize) -> Counters<'a> {
        let stride = plan.counter_stride() as usize;
        Counters {
            c: &fs.counters[rep * stride..(rep + 1) * stride],
            slot_base: plan.slot_counter_base() as usize,
        }
    }

    pub fn weapon(&self, w: usize, k: u32) -> u32 {
        self.c[w * WEAPON_COUNTERS as usize + k as usize]
    }

    pub fn slot(&self, s: usize, k: u32) -> u32 {
        self.c[self.slot_base + s * SLOT_COUNTERS as usize + k as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{self, Origin};

    const AL_ASAD: &str = "scenarios/calibration/al-asad-2020.toml";

    #[test]
    fn a_reported_figure_must_be_a_column_but_replicate() {
        let mut sc = scenario::load(Origin::Embedded(AL_ASAD)).unwrap();
        assert_eq!(check_reported(&sc), Ok(()));
        // Entries 1 and 3 of the file (the model holds them in canonical order).
        let at = |sc: &Scenario, f: &str| sc.reported.iter().position(|r| r.figure == f).unwrap();
        let (failed, hits) = (at(&sc, "failed_ballistic"), at(&sc, "hits_al-asad"));
        sc.reported[hits].figure = "hits_al-assad".into();
        sc.reported[failed].figure = "replicate".into();
        let e = check_reported(&sc).unwrap_err();
        let text = crate::scenario::source::EMBEDDED
            .iter()
            .find(|(n, _)| *n == AL_ASAD)
            .unwrap()
            .1;
        // The lines where the two names are written, 1-based, in file order.
        let lines: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.starts_with("figure = "))
            .map(|(i, _)| i + 1)
            .collect();
        let at: Vec<(usize, usize)> = e.diagnostics.iter().map(|d| (d.line, d.column)).collect();
        assert_eq!(at, [(lines[1], 10), (lines[3], 10)]);
        let hint = e.diagnostics[1].to_string();
        assert!(
            hint.starts_with(&format!(
                "<embedded>/{AL_ASAD}:{}:10: error: reported[3].figure: unknown figure \"hits_al-assad\"; the closest figures: hits_al-asad, ",
                lines[3]
            )),
            "{hint}"
        );
        assert!(
            e.diagnostics[0]
                .message
                .starts_with("reported[1].figure: unknown figure \"replicate\""),
            "{}",
            e.diagnostics[0]
        );
    }

    #[test]
    fn a_reported_figure_may_be_a_ratio_of_figures() {
        let mut sc = scenario::load(Origin::Embedded(AL_ASAD)).unwrap();
        sc.reported[0].figure =
            "intercepted_ballistic / (intercepted_ballistic + leaked_ballistic)".into();
        assert_eq!(check_reported(&sc), Ok(()));
        sc.reported[0].figure = "kills_pac-2-gem-t / intercepted_totl".into();
        let e = check_reported(&sc).unwrap_err();
        assert!(
            e.diagnostics[0].message.contains(
                "unknown figure \"intercepted_totl\"; the closest figures: intercepted_total"
            ),
            "{}",
            e.diagnostics[0]
        );
    }

    #[test]
    fn the_table_starts_with_the_replicate_and_names_each_figure_once() {
        let sc = scenario::load(Origin::Embedded(scenario::DEFAULT_SCENARIO)).unwrap();
        let t = table(&sc);
        assert_eq!(t[0], Figure::Replicate);
        let mut names: Vec<String> = t.iter().map(|f| f.name(&sc)).collect();
        assert_eq!(
            names[..3],
            ["replicate", "launched_ballistic", "failed_ballistic"]
        );
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "a figure name appears twice");
        assert_eq!(reportable_names(&sc).len(), n - 1);
    }
}
