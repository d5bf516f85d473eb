//! The plan: everything the replicates share, computed once on the host before the first
//! tick. Orders and militias expand into tracks (one per threat that may be launched),
//! and each track's flight is swept once against every battery envelope to find its
//! engagement opportunities. The kernels then never test geometry: a drone that flies for
//! eight hours costs nothing between the few ticks when something can happen to it.
//!
//! Geometry uses f64 here and only here; what reaches the kernels is integers (ticks,
//! indices, u32 thresholds), so every backend sees the same bits.

mod flyout;
mod guidance;
pub use guidance::kinematics;
mod limits;
pub mod sensors;
mod sweep;
pub mod tables;
mod windows;

use rayon::prelude::*;

use super::budget::{Budget, Estimate, Sizes};
use super::layout::*;
use super::rng::threshold;
use crate::geo::LatLon;
use crate::scenario::launches::{Start, militia_offset, salvo_offset};
use crate::scenario::{Action, BatteryChoice, Scenario, ThreatClass, Timing, When};
pub use limits::{Limits, PlanError};
use sweep::sweep;
pub use windows::distance_to_arc_km;
use windows::{Work, windows};

/// The longest flight, in ticks, a track may have: far past any scenario's end
/// (`MAX_TICKS`), so that a launch tick plus a flight never wraps a `u32`. Only a weapon
/// with a sub-metre range aimed further than that range (at a ship that moved) comes near.
pub const MAX_FLIGHT_TICKS: u32 = 1 << 27;

/// What starts a group of tracks.
#[derive(Clone, Debug, PartialEq)]
pub enum GroupKind {
    /// A salvo order.
    Order(usize),
    /// A militia's campaign of launches.
    Militia(usize),
}

#[derive(Clone, Debug)]
pub struct Group {
    pub kind: GroupKind,
    pub first_track: u32,
    pub tracks: u32,
    /// Start tick shared by every replicate, when known before the run.
    pub fixed_start: Option<u32>,
    /// Tick assumed for geometry (moving ships) when the start depends on a trigger.
    pub nominal_start: u32,
}

/// Host-side facts about a track that the kernels do not need.
#[derive(Clone, Debug)]
pub struct TrackInfo {
    pub site: usize,
    pub weapon: usize,
    pub target: usize,
    pub origin: LatLon,
    pub aim: LatLon,
    pub distance_km: f64,
    pub flight_s: f64,
    /// Apogee for this distance (ballistic, rocket) or cruise altitude, km.
    pub peak_km: f64,
}

impl TrackInfo {
    /// Ground position and altitude `seconds` after launch.
    pub fn position(&self, class: ThreatClass, seconds: f64) -> (LatLon, f64) {
        let f = (seconds / self.flight_s).clamp(0.0, 1.0);
        let alt = match class {
            ThreatClass::Ballistic | ThreatClass::Rocket => 4.0 * self.peak_km * f * (1.0 - f),
            ThreatClass::Cruise | ThreatClass::Drone => self.peak_km,
        };
        (self.origin.lerp(self.aim, f), alt)
    }
}

/// Which battery and magazine a slot is.
#[derive(Clone, Copy, Debug)]
pub struct SlotInfo {
    pub battery: usize,
    pub magazine: usize,
}

#[derive(Clone)]
pub struct Plan {
    /// The scenario file it was planned from, as diagnostics name it.
    pub file: String,
    pub tracks: Vec<Track>,
    pub track_info: Vec<TrackInfo>,
    pub opportunities: Vec<Opportunity>,
    pub windows: Vec<[u32; 2]>, // each opportunity's [enter, exit]: `cpu::Tables::windows`
    pub groups: Vec<Group>,
    pub weapons: Vec<WeaponRow>,
    pub slots: Vec<SlotRow>,
    pub slot_info: Vec<SlotInfo>,
    pub batteries: Vec<BatteryRow>,
    pub assets: Vec<AssetRow>,
    /// Each asset's state at the start: a ship held in reserve (`Asset::reserve`) starts
    /// off station.
    pub initial_assets: Vec<AssetState>,
    /// Full magazines at the start, one per slot.
    pub magazines: Vec<MagazineState>,
    /// The kernels' lookup tables (`tables`): scatter, kill thresholds, footprints.
    pub tables: Vec<u32>,
    /// A replicate's fire-control words at the start: every channel free (from tick 0),
    /// every radar track free (`NONE`).
    pub fire_control: Vec<u32>,
    pub launchers: u32,
    pub launcher_words: u32,
    /// Tracks whose opportunities beyond `MAX_OPPORTUNITIES` were dropped (latest first).
    pub dropped_opportunities: Vec<(u32, u32)>,
    /// Sweep steps planning took (against [`Limits::sweep_steps`]).
    pub sweep_steps: u64,
    /// Where a batch's drawn thresholds are in `tables` (all 0: none); how each batch's
    /// are made: `draws` in the run's plan, `batch_of` in a batch's (decisions read it).
    pub drawn: super::params::DrawnLayout,
    pub draws: Option<std::sync::Arc<super::params::Draws>>,
    pub batch_of: Option<std::sync::Arc<super::params::Draws>>,
    /// Each group by what starts it: an order or militia finds its group at once, however
    /// many there are.
    group_index: std::collections::HashMap<GroupKey, usize>,
}

/// [`GroupKind`] as a map key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum GroupKey {
    Order(usize),
    Militia(usize),
}

impl Plan {
    pub fn group_of_militia(&self, site: usize) -> Option<usize> {
        self.group_index.get(&GroupKey::Militia(site)).copied()
    }

    /// The slot of a battery's magazine.
    pub fn slot_of(&self, battery: usize, magazine: usize) -> Option<u32> {
        self.slot_info
            .iter()
            .position(|s| s.battery == battery && s.magazine == magazine)
            .map(|s| s as u32)
    }

    pub fn group_of_order(&self, order: usize) -> Option<usize> {
        self.group_index.get(&GroupKey::Order(order)).copied()
    }

    /// Counters per replicate (`Params::counters`): `WEAPON_COUNTERS` per weapon, then
    /// `SLOT_COUNTERS` per magazine slot.
    pub fn counter_stride(&self) -> u32 {
        self.slot_counter_base() + self.slots.len() as u32 * SLOT_COUNTERS
    }

    /// Offset of the first per-slot counter within a replicate's counters
    /// (`Params::slot_counters`).
    pub fn slot_counter_base(&self) -> u32 {
        self.weapons.len() as u32 * WEAPON_COUNTERS
    }

    /// One replicate's launcher words at the start: every launcher alive.
    pub fn launchers_alive(&self) -> Vec<u32> {
        let mut words = vec![0u32; self.launcher_words as usize];
        for l in 0..self.launchers {
            words[(l / 32) as usize] |= 1 << (l % 32);
        }
        words
    }

    /// Group `group` as an entry of the kernels' list of groups started this tick.
    pub fn started(&self, group: u32) -> Started {
        let g = &self.groups[group as usize];
        Started {
            group,
            first_track: g.first_track,
            tracks: g.tracks,
            _pad: 0,
        }
    }

    /// The per-tick constants of the kernels for `replicates` replicates whose first has
    /// RNG key `first_replicate`; no group started yet (a backend counts those uploaded)
    /// and no replicate records events (a backend sets which of its own do).
    pub fn params(&self, tick: u32, seed: u32, replicates: u32, first_replicate: u32) -> Params {
        Params {
            tick,
            seed,
            replicates,
            first_replicate,
            tracks: self.tracks.len() as u32,
            started: 0,
            batteries: self.batteries.len() as u32,
            slots: self.slots.len() as u32,
            assets: self.assets.len() as u32,
            weapons: self.weapons.len() as u32,
            groups: self.groups.len() as u32,
            launcher_words: self.launcher_words,
            counters: self.counter_stride(),
            slot_counters: self.slot_counter_base(),
            record_first: 0,
            record_count: 0,
            fire_control: self.fire_control.len() as u32,
            drawn_index: self.drawn.index,
            drawn_base: self.drawn.base,
            drawn_words: self.drawn.words,
        }
    }

    /// A decoy's track: it rides on another (`Track::stream`).
    pub fn is_decoy(&self, k: usize) -> bool {
        self.tracks[k].stream != k as u32
    }

    /// Tracks per threat class (decoys not counted).
    pub fn tracks_by_class(&self, sc: &Scenario) -> [usize; 4] {
        let mut n = [0; 4];
        for (k, t) in self.track_info.iter().enumerate() {
            if !self.is_decoy(k) {
                n[sc.weapons[t.weapon].class.index()] += 1;
            }
        }
        n
    }
}

/// One track to plan: who fires what at what, when within its group.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spec {
    group: u32,
    site: usize,
    weapon: usize,
    target: usize,
    offset: u32,
    /// Ticks over which the launch is drawn per replicate (random timing), or 0.
    jitter: u32,
    /// A decoy: the spec of the missile it rides on.
    parent: Option<usize>,
}

/// A salvo order's tracks: launchers round-robin from the site's cursor, launches
/// spread over the order's interval and never faster than a launcher reloads (or, with
/// random timing, drawn over it per replicate). Each missile with decoys is followed by
/// its decoys' tracks, in the same group.
struct Expansion {
    groups: Vec<Group>,
    specs: Vec<Spec>,
    launcher_of: Vec<u32>,
    /// Each site's next launcher, round-robin across its orders.
    cursor: Vec<u64>,
}

impl Expansion {
    /// A track, and its decoys' after it.
    fn push(&mut self, sc: &Scenario, spec: Spec, launcher: u32) -> u32 {
        let parent = self.specs.len();
        self.specs.push(spec);
        self.launcher_of.push(launcher);
        let decoys = sc.weapons[spec.weapon].decoys;
        for _ in 0..decoys {
            self.specs.push(Spec {
                parent: Some(parent),
                ..spec
            });
            self.launcher_of.push(launcher);
        }
        1 + decoys
    }
}

impl Expansion {
    fn salvo(&mut self, sc: &Scenario, oi: usize) {
        let Action::Salvo {
            site,
            weapon,
            ref targets,
            over_ticks,
            timing,
            ..
        } = sc.orders[oi].action
        else {
            return;
        };
        let Some(rounds) = sc.salvo_rounds(oi) else {
            return;
        };
        let g = self.groups.len() as u32;
        let s = &sc.sites[site];
        let first = self.specs.len() as u32;
        let launchers = s.launchers.max(1) as u64;
        let mut tracks = 0;
        for j in 0..rounds.planned as u64 {
            let launcher = s.first_launcher + ((self.cursor[site] + j) % launchers) as u32;
            let (offset, jitter) = match timing {
                // Below the scenario's ticks: only rounds that launch before the end are
                // planned (`scenario::launches`).
                Timing::Even => (salvo_offset(j, rounds.total, over_ticks, s) as u32, 0),
                // Drawn over `over` in each replicate (`cpu::launch_offset`).
                Timing::Random => (0, over_ticks),
            };
            let spec = Spec {
                group: g,
                site,
                weapon,
                target: targets[(j % targets.len() as u64) as usize],
                offset,
                jitter,
                parent: None,
            };
            tracks += self.push(sc, spec, launcher);
        }
        // The rounds left out would have used launchers too: later orders go on from there.
        self.cursor[site] = (self.cursor[site] + rounds.total) % launchers;
        let start = sc.order_start(oi);
        self.groups.push(Group {
            kind: GroupKind::Order(oi),
            first_track: first,
            tracks,
            fixed_start: start.fixed,
            nominal_start: start.nominal,
        });
    }

    /// A militia's campaign: its planned rounds, its inventory interleaved in proportion,
    /// each launch at a target its weapon can reach, at the militia's rate.
    fn militia(&mut self, sc: &Scenario, si: usize, start: Start) {
        let s = &sc.sites[si];
        let (Some(m), Some(rounds)) = (&s.militia, sc.militia_rounds(si)) else {
            return;
        };
        let g = self.groups.len() as u32;
        let first = self.specs.len() as u32;
        let mut left: Vec<u64> = s.inventory.iter().map(|x| x.1 as u64).collect();
        // Targets each weapon can reach, and a round-robin cursor per weapon.
        let reach = sc.militia_reach(si, start);
        let mut rr = vec![0usize; s.inventory.len()];
        for j in 0..rounds.planned as u64 {
            // Interleave weapons in proportion to what is left of each (rounds below 2^32:
            // the products fit a u64).
            let Some(pick) = (0..left.len()).filter(|&i| left[i] > 0).max_by(|&a, &b| {
                let fa = left[a] * s.inventory[b].1 as u64;
                let fb = left[b] * s.inventory[a].1 as u64;
                fa.cmp(&fb).then(b.cmp(&a))
            }) else {
                break; // cannot happen: `planned` is at most the rounds held
            };
            left[pick] -= 1;
            let targets = &reach[pick];
            if targets.is_empty() {
                continue; // refused by the checker: cannot happen for a valid scenario
            }
            let target = targets[rr[pick] % targets.len()];
            rr[pick] += 1;
            let spec = Spec {
                group: g,
                site: si,
                weapon: s.inventory[pick].0,
                target,
                offset: militia_offset(j, m.rate_per_hour, sc.tick_seconds) as u32,
                jitter: 0,
                parent: None,
            };
            let launcher = s.first_launcher + (j % s.launchers.max(1) as u64) as u32;
            self.push(sc, spec, launcher);
        }
        self.groups.push(Group {
            kind: GroupKind::Militia(si),
            first_track: first,
            tracks: self.specs.len() as u32 - first,
            fixed_start: start.fixed,
            nominal_start: start.nominal,
        });
    }
}

/// Groups in this order: salvo orders in time order (their fixed start, or for a
/// triggered order its delay; a tie by index, which is id order), so that a site's
/// launchers are used round-robin in the order the salvos come; then militias in index
/// order; then salvo orders injected during an exercise, likewise, so that an inject never
/// renumbers the tracks (and random streams) already planned. The scenario's lists are in
/// canonical order, so none of this depends on where an order stands in the file.
fn expand(sc: &Scenario, tracks: usize) -> Expansion {
    let mut ex = Expansion {
        groups: Vec::new(),
        specs: Vec::with_capacity(tracks),
        launcher_of: Vec::with_capacity(tracks),
        cursor: vec![0; sc.sites.len()],
    };
    let in_time_order = |inject: bool| {
        let mut list: Vec<(u32, usize)> = (0..sc.orders.len())
            .filter(|&i| sc.orders[i].inject == inject)
            .map(|i| match sc.orders[i].when {
                When::At(t) => (t, i),
                When::After { delay, .. } => (delay, i),
            })
            .collect();
        list.sort_unstable();
        list
    };
    for (_, oi) in in_time_order(false) {
        ex.salvo(sc, oi);
    }
    for (si, start) in sc.militia_starts().into_iter().enumerate() {
        ex.militia(sc, si, start);
    }
    for (_, oi) in in_time_order(true) {
        ex.salvo(sc, oi);
    }
    ex
}

/// The defence's tables: one slot (and full magazine) per magazine of each battery, and
/// each battery's fire-control words (channels, radar tracks) in a replicate.
struct Defence {
    slots: Vec<SlotRow>,
    slot_info: Vec<SlotInfo>,
    magazines: Vec<MagazineState>,
    batteries: Vec<BatteryRow>,
    /// Slots of each battery, in magazine order.
    slots_of: Vec<Vec<u32>>,
    fire_control: Vec<u32>,
}

fn defence(sc: &Scenario) -> Defence {
    let mut d = Defence {
        slots: Vec::new(),
        slot_info: Vec::new(),
        magazines: Vec::new(),
        batteries: Vec::new(),
        slots_of: Vec::new(),
        fire_control: Vec::new(),
    };
    for (bi, b) in sc.batteries.iter().enumerate() {
        let mut mine = Vec::new();
        for (mi, m) in b.magazines.iter().enumerate() {
            let ic = &sc.interceptors[m.interceptor];
            let mut doctrine = [0u32; 4];
            for c in ThreatClass::ALL {
                for (k, &n) in b.doctrine[c.index()].iter().enumerate() {
                    doctrine[c.index()] |= n.min(255) << (8 * k);
                }
            }
            mine.push(d.slots.len() as u32);
            d.slots.push(SlotRow {
                battery: bi as u32,
                interceptor: m.interceptor as u32,
                capacity: m.ready,
                per_reload: m.per_reload,
                reload_ticks: m.reload_ticks,
                reliability: threshold(ic.reliability),
                doctrine,
            });
            d.slot_info.push(SlotInfo {
                battery: bi,
                magazine: mi,
            });
            d.magazines.push(MagazineState {
                ready: m.ready,
                reserve: m.reserve,
                reload_at: NEVER,
                empty_at: NEVER,
            });
        }
        d.slots_of.push(mine);
        let channel_first = d.fire_control.len() as u32;
        d.fire_control
            .extend(std::iter::repeat_n(0, b.channels as usize));
        let radar_first = d.fire_control.len() as u32;
        let radar_tracks = b.radar_tracks.unwrap_or(0);
        d.fire_control
            .extend(std::iter::repeat_n(NONE, radar_tracks as usize));
        d.batteries.push(BatteryRow {
            channels: b.channels,
            host: b.host.map_or(NONE, |h| h as u32),
            tier: b.tier,
            online: 1,
            channel_first,
            radar_tracks,
            radar_first,
            prediction: tables::frame_units(b.impact_prediction_m),
            discrimination: threshold(b.discrimination),
            ..BatteryRow::default()
        });
    }
    d
}

/// Tracks swept at a time: planning's memory beyond the plan itself is this many swept
/// tracks, and the budget is checked after each chunk.
pub const CHUNK: usize = 4096;

/// Most sweep steps planning takes (envelope samples, and the points of the coarse screen
/// of each envelope): `gulf-2026` takes 9.3 million, 3.5% of it (`hormuz check` prints the
/// count), in under a second; the limit is reached in well under a minute.
pub const MAX_SWEEP_STEPS: u64 = 1 << 28;

/// One track as the sweep leaves it: its row, its host-side facts, its opportunities
/// (the earliest `MAX_OPPORTUNITIES`) and how many later ones were dropped.
type Swept = (Track, TrackInfo, Vec<Opportunity>, u32);

/// Bytes of one swept track while its chunk is being appended to the plan.
pub const BYTES_PER_SWEPT_TRACK: u64 = (std::mem::size_of::<Swept>()
    + MAX_OPPORTUNITIES * std::mem::size_of::<Opportunity>()
    + 16) as u64;

/// Plan a scenario for a run within `budget`, and the run's estimate from the finished
/// plan (what `hormuz check` prints).
pub fn build_for(sc: &Scenario, budget: &Budget) -> Result<(Plan, Estimate), PlanError> {
    let plan = build_within(sc, &Limits::within(budget))?;
    let estimate = budget.check(sc, &Sizes::of_plan(&plan, sc))?;
    Ok((plan, estimate))
}

/// Plan a scenario known to be small (tests, benchmarks): no memory budget, no bound on
/// the sweep. The commands plan with [`build_within`].
pub fn build(sc: &Scenario) -> Plan {
    let unbounded = Limits {
        budget: None,
        sweep_steps: u64::MAX,
    };
    match build_within(sc, &unbounded) {
        Ok(p) => p,
        Err(e) => unreachable!("planning without limits cannot be refused: {e}"),
    }
}

/// Expand the scenario into tracks and sweep each against every envelope, within
/// `limits`: the memory is checked before the first track is expanded (from the threats
/// the scenario plans) and after each chunk of tracks is swept (as opportunities are
/// found), the sweep's steps as they are taken.
pub fn build_within(sc: &Scenario, limits: &Limits) -> Result<Plan, PlanError> {
    let planned = Sizes::of_scenario(sc);
    if let Some(b) = limits.budget {
        b.check(sc, &planned)?;
    }
    let Expansion {
        groups,
        specs,
        launcher_of,
        ..
    } = expand(sc, planned.tracks as usize);
    let Defence {
        slots,
        slot_info,
        magazines,
        batteries,
        slots_of,
        fire_control,
    } = defence(sc);
    let mut assets: Vec<AssetRow> = sc
        .assets
        .iter()
        .map(|a| AssetRow {
            side: a.side as u32,
            staying_power: a.staying_power,
            hardness: threshold(a.hardness),
            ..AssetRow::default()
        })
        .collect();
    let weapons: Vec<WeaponRow> = sc
        .weapons
        .iter()
        .map(|w| WeaponRow {
            class: w.class.index() as u32,
            flight_ok: threshold(w.flight_reliability),
            scatter: tables::cep_sigma(w.cep_m),
            submunitions: w.submunitions.map_or(0, |s| s.0),
            sub_scatter: w.submunitions.map_or(0, |s| tables::frame_units(s.1)),
        })
        .collect();
    let tables = tables::build(sc, &slots, &weapons, &mut assets);

    let work = Work::new(limits.sweep_steps);
    let mut tracks = Vec::with_capacity(specs.len());
    let mut track_info = Vec::with_capacity(specs.len());
    let mut opportunities = Vec::new();
    let mut dropped = Vec::new();
    for (chunk, launchers) in specs.chunks(CHUNK).zip(launcher_of.chunks(CHUNK)) {
        // Geometry, one track at a time, in parallel: each result depends on its track only.
        // A decoy flies its missile's path, from apogee on.
        let swept: Vec<Option<Swept>> = chunk
            .par_iter()
            .zip(launchers.par_iter())
            .map(|(spec, &launcher)| {
                let start = groups[spec.group as usize].nominal_start;
                sweep(sc, &slots_of, spec, start, launcher, &work)
            })
            .collect();
        if work.exceeded() {
            return Err(PlanError::Sweep {
                file: sc.file.clone(),
                limit: limits.sweep_steps,
                tracks: specs.len(),
                ticks: sc.ticks,
            });
        }
        for (mut t, info, opps, lost) in swept.into_iter().flatten() {
            let k = tracks.len();
            t.stream = specs[k].parent.unwrap_or(k) as u32;
            t.opp_first = opportunities.len() as u32;
            t.opp_count = opps.len() as u32;
            opportunities.extend(opps);
            if lost > 0 {
                dropped.push((k as u32, lost));
            }
            tracks.push(t);
            track_info.push(info);
        }
        if let Some(b) = limits.budget {
            let so_far = Sizes {
                opportunities: opportunities.len() as u64,
                ..planned
            };
            b.check(sc, &so_far)?;
        }
    }
    opportunities.shrink_to_fit();
    let launchers = sc.total_launchers().min(u32::MAX as u64) as u32;
    Ok(Plan {
        file: sc.file.clone(),
        tracks,
        track_info,
        windows: opportunities.iter().map(|o| [o.enter, o.exit]).collect(),
        opportunities,
        weapons,
        slots,
        slot_info,
        batteries,
        assets,
        initial_assets: sc
            .assets
            .iter()
            .map(|a| AssetState {
                away: a.reserve as u32,
                ..AssetState::INITIAL
            })
            .collect(),
        magazines,
        tables,
        fire_control,
        launchers,
        launcher_words: launchers.div_ceil(32).max(1),
        dropped_opportunities: dropped,
        sweep_steps: work.spent(),
        drawn: Default::default(),
        draws: None,
        batch_of: None,
        group_index: groups
            .iter()
            .enumerate()
            .map(|(g, group)| match group.kind {
                GroupKind::Order(o) => (GroupKey::Order(o), g),
                GroupKind::Militia(s) => (GroupKey::Militia(s), g),
            })
            .collect(),
        groups,
    })
}
