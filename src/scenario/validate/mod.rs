//! Meaning checks: every reference resolves, every number is finite and in range, every
//! figure has a source, every order can be carried out. Collects all problems, each
//! pointed at `file:line:column`, instead of stopping at the first.
//!
//! One module per section, run in file order by [`validate`], which hands each section the
//! id tables of the sections before it. Every section walks its entries in canonical
//! order (`canonical`: by id), so that no index depends on where an entry stands in the
//! file; diagnostics still point at the file's own `line:column`, and are sorted by it.
//! The sections:
//! - `database`: weapons and interceptors (the database files);
//! - `units`: sides, the unit-id namespace, assets, carriers with their escorts and air wings;
//! - `batteries`: `[[batteries]]`, and the fire control every kind of battery shares;
//! - `sites`: launch sites and militias;
//! - `triggers`: per-replicate conditions, a ship's magazine reports (`cells_below`) among
//!   them;
//! - `orders`: orders (and the moves they plan ahead), incidents; `repeats`, the orders that
//!   fall due several times (`every`, `times`); `logistics`, resupply and ships' trips to
//!   port (`rearm`): at a fixed time planned ahead, or ordered per replicate with a relief;
//! - `reported`: the `[[reported]]` figures of calibration scenarios (their names are checked
//!   by the report layer, which defines the figures: `report::check_reported`);
//! - `values`: checks of single values the sections share (numbers, provenance, positions);
//! - `suggest`: "did you mean" for unknown ids.

mod batteries;
mod canonical;
mod database;
mod decisions;
mod logistics;
mod orders;
mod repeats;
mod reported;
mod sites;
mod suggest;
mod triggers;
mod units;
mod values;

pub use suggest::unknown;

use std::cell::OnceCell;

use toml::de::DeTable;

use super::limits::{MAX_BATTERIES, MAX_TICKS, MAX_TRACKS};
use super::model::*;
use super::source::{
    KeyPath, MAX_DIAGNOSTICS, MAX_SUGGESTIONS, Place, SourceFile, SpanTree, span_in,
};
use super::types::{self, Clock};
use super::uncertain::{Owner, Parameter};

/// The scenario file is file 0 of a [`Checker`]; database files follow.
const SCENARIO: usize = 0;

/// The database or scenario entry whose figures are being checked: its parameter path
/// prefix (`threats.emad`), the depth of its key path, and its index.
pub(crate) struct Entry {
    pub prefix: String,
    pub depth: usize,
    pub owner: Owner,
}

/// Collects diagnostics against one of several files.
pub(crate) struct Checker<'a> {
    pub files: Vec<&'a SourceFile>,
    pub diagnostics: Vec<super::source::Diagnostic>,
    /// Problems found beyond the first `MAX_DIAGNOSTICS`: counted, not reported.
    pub omitted: usize,
    /// "Did you mean" lists computed so far (at most `MAX_SUGGESTIONS`).
    suggested: usize,
    /// Each file parsed for spans once, when the first place in it is asked for (a file
    /// with many errors is not parsed again for each).
    trees: Vec<OnceCell<Option<SpanTree<'a>>>>,
    /// The entry being checked, for naming its uncertain figures.
    pub entry: Option<Entry>,
    /// The figures written as distributions so far.
    pub parameters: Vec<Parameter>,
}

impl<'a> Checker<'a> {
    pub fn new(files: Vec<&'a SourceFile>) -> Checker<'a> {
        Checker {
            trees: files.iter().map(|_| OnceCell::new()).collect(),
            files,
            diagnostics: Vec::new(),
            omitted: 0,
            suggested: 0,
            entry: None,
            parameters: Vec::new(),
        }
    }

    fn full(&self) -> bool {
        self.diagnostics.len() >= MAX_DIAGNOSTICS
    }

    fn err(&mut self, file: usize, path: &KeyPath, message: impl Into<String>) {
        if self.full() {
            self.omitted += 1;
            return;
        }
        let d = self.place(file, path).error(message);
        self.diagnostics.push(d);
    }

    /// An id that names nothing `what` is, with the near misses among `known` while
    /// fewer than `MAX_SUGGESTIONS` lists have been computed.
    fn unknown<'k>(
        &mut self,
        file: usize,
        path: &KeyPath,
        what: &str,
        id: &str,
        known: impl Iterator<Item = &'k (impl AsRef<str> + 'k + ?Sized)>,
    ) {
        if self.full() {
            self.omitted += 1;
            return;
        }
        let message = if self.suggested < MAX_SUGGESTIONS {
            self.suggested += 1;
            unknown(what, id, known)
        } else {
            format!("unknown {what} {id:?}")
        };
        self.err(file, path, message);
    }

    /// The owner of the figure at `path` of the current entry, and the keys below the
    /// entry (`pk.ballistic`; a figure's `value` key left out).
    fn parameter_field(&self, path: &KeyPath) -> Option<(Owner, String)> {
        let e = self.entry.as_ref()?;
        let mut out = String::new();
        for step in path.0.iter().skip(e.depth) {
            let part = match step {
                super::source::Step::Key(k) if k == "value" => continue,
                super::source::Step::Key(k) => k.clone(),
                super::source::Step::Index(i) => i.to_string(),
            };
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&part);
        }
        Some((e.owner, out))
    }

    /// Where the value at `path` of a file is written.
    fn place(&self, file: usize, path: &KeyPath) -> Place {
        let f = self.files[file];
        let tree = self.trees[file].get_or_init(|| DeTable::parse(&f.text).ok());
        let span = tree.as_ref().map(|t| span_in(t, path));
        let at = f.diagnostic(span, String::new());
        Place {
            file: at.file,
            line: at.line,
            column: at.column,
            path: path.to_string(),
        }
    }
}

/// The scenario's clock, from its header: times in the file become ticks.
#[derive(Clone, Copy)]
struct Time {
    tick_s: u32,
    /// Simulated ticks: the duration, rounded up.
    ticks: u32,
    /// The duration; a time at or after it falls after the end.
    end: Clock,
}

impl Time {
    fn ticks_of(self, c: Clock) -> u32 {
        c.seconds() / self.tick_s
    }

    fn after_end(self, c: Clock) -> bool {
        c >= self.end
    }
}

/// Check the whole scenario, section by section; `None` when anything is wrong (the
/// diagnostics are in `ck`).
pub(crate) fn validate(
    ck: &mut Checker<'_>,
    file: &types::ScenarioFile,
    dbs: &[types::DatabaseFile],
) -> Option<Scenario> {
    let time = header(ck, &file.scenario);
    let db = database::check(ck, dbs);
    let mut unit_ids = units::UnitIds::default();
    let mut units = units::check(ck, file, &db, &mut unit_ids, time);
    batteries::check(ck, &file.batteries, &db, &mut units, &mut unit_ids, time);
    units.resolve_defends(ck);
    let sites = sites::check(ck, file, &db, &units, &mut unit_ids, time);
    let triggers = triggers::triggers(
        ck,
        &file.triggers,
        &units,
        &sites.list,
        &db.interceptors,
        time,
    );
    let mut decisions = decisions::check(ck, file, &triggers, time);
    let known = orders::Known {
        db: &db,
        units: &units,
        sites: &sites,
        triggers: &triggers,
        decisions: &decisions,
        battery_ids: orders::first_of(units.batteries.iter().map(|b| b.id.as_str())),
        carrier_ids: orders::first_of(units.carriers.iter().map(|c| c.id.as_str())),
    };
    let (mut orders, order_paths, at_sea) = orders::orders(ck, &file.orders, &known, time);
    let incidents = orders::incidents(ck, &file.incidents, time);
    let units::Units {
        sides,
        mut assets,
        mut carriers,
        mut batteries,
        ..
    } = units;
    orders::plan_moves(&orders, &mut batteries, &mut carriers, time.tick_s);
    logistics::plan_trips(
        ck,
        &mut orders,
        &order_paths,
        &mut assets,
        &carriers,
        time.tick_s,
    );
    logistics::check_reliefs(
        ck,
        &orders,
        &order_paths,
        &mut assets,
        &carriers,
        &batteries,
    );
    if batteries.len() > MAX_BATTERIES {
        ck.err(
            SCENARIO,
            &KeyPath::default().key("batteries"),
            format!(
                "{} defensive units; the engine supports at most {MAX_BATTERIES}",
                batteries.len(),
            ),
        );
    }
    let reported = reported::check(ck, &file.reported);
    let sites::Sites {
        list: site_list,
        paths: site_paths,
        ..
    } = sites;
    let h = &file.scenario;
    let mut parameters = values::parameters(ck);
    let mut decision_list = std::mem::take(&mut decisions.list);
    decisions::link(&decisions, &mut decision_list, &mut parameters);
    let scenario = Scenario {
        name: h.name.clone(),
        description: h.description.clone().unwrap_or_default(),
        start: h.start.clone(),
        file: ck.files[SCENARIO].name.clone(),
        tick_seconds: time.tick_s,
        ticks: time.ticks,
        battery_choice: h.battery_choice,
        sides: sides.list,
        weapons: db.weapons,
        interceptors: db.interceptors,
        assets,
        carriers,
        batteries,
        sites: site_list,
        orders,
        triggers: triggers.list,
        decisions: decision_list,
        incidents,
        reported,
        parameters,
    };
    orders::check_at_sea(ck, &at_sea, &scenario);
    if ck.diagnostics.is_empty() {
        launches(ck, &site_paths, &order_paths, &scenario);
    }
    // The sections walk their entries in canonical order; problems read in file order.
    let files = &ck.files;
    let rank = |d: &super::source::Diagnostic| files.iter().position(|f| f.name == d.file);
    ck.diagnostics.sort_by_key(|d| (rank(d), d.line, d.column));
    ck.diagnostics.is_empty().then_some(scenario)
}

/// What the rest of the checks make computable: the launches each salvo order and militia
/// plans. Each weapon of a militia reaches a target when the militia can first fire (a
/// ship may have sailed out of range by then), and the threats planned in all stay within
/// what the engine numbers; the order or militia that plans the most is named.
fn launches(ck: &mut Checker, site_paths: &[KeyPath], order_paths: &[KeyPath], sc: &Scenario) {
    let militia_path = |site: usize| site_paths[site].clone();
    let starts = sc.militia_starts();
    for (si, s) in sc.sites.iter().enumerate() {
        for (reach, &(w, _)) in sc.militia_reach(si, starts[si]).iter().zip(&s.inventory) {
            if reach.is_empty() {
                let wp = &sc.weapons[w];
                ck.err(
                    SCENARIO,
                    &militia_path(si).key("inventory").key(&wp.id),
                    format!(
                        "no target is within the {} km range of {} when the militia can first fire ({})",
                        wp.range_km,
                        wp.id,
                        Clock(starts[si].nominal.saturating_mul(sc.tick_seconds))
                    ),
                );
            }
        }
    }
    let orders = (0..sc.orders.len()).filter_map(|o| {
        let r = sc.salvo_rounds(o)?;
        let p = &order_paths[o];
        Some((p.key("salvo").key("count"), r.tracks))
    });
    let militias = (0..sc.sites.len()).filter_map(|s| {
        let r = sc.militia_rounds(s)?;
        Some((militia_path(s).key("inventory"), r.tracks))
    });
    let groups: Vec<(KeyPath, u64)> = orders.chain(militias).collect();
    let total: u64 = groups.iter().map(|g| g.1).sum();
    if total > MAX_TRACKS
        && let Some((path, most)) = groups.iter().max_by_key(|g| g.1)
    {
        ck.err(
            SCENARIO,
            path,
            format!(
                "plans {most} threats, and the scenario {total} in all; hormuz plans at most {MAX_TRACKS} threats per replicate (rounds that would launch after the end are not planned)"
            ),
        );
    }
}

/// `[scenario]`: the tick and the duration.
fn header(ck: &mut Checker, h: &types::Header) -> Time {
    let hp = KeyPath::default().key("scenario");
    if h.tick_seconds == 0 || h.tick_seconds > 600 {
        ck.err(
            SCENARIO,
            &hp.key("tick_seconds"),
            format!(
                "expected a tick between 1 and 600 seconds, found {}",
                h.tick_seconds
            ),
        );
    }
    if h.duration.seconds() == 0 {
        ck.err(
            SCENARIO,
            &hp.key("duration"),
            "expected a duration above 00:00",
        );
    }
    let tick_s = h.tick_seconds.clamp(1, 600);
    let ticks = h.duration.seconds().div_ceil(tick_s).max(1);
    if ticks > MAX_TICKS {
        ck.err(
            SCENARIO,
            &hp.key("duration"),
            format!(
                "{} at {tick_s} s a tick is {ticks} ticks; hormuz runs at most {MAX_TICKS}: shorten the scenario or lengthen `tick_seconds`",
                h.duration
            ),
        );
    }
    Time {
        tick_s,
        ticks: ticks.min(MAX_TICKS),
        end: h.duration,
    }
}
