//! The plan: everything the replicates share, computed once on the host before the first
//! tick. Orders and militias expand into tracks (one per threat that may be launched),
//! and each track's flight is swept once against every battery envelope to find its
//! engagement opportunities. The kernels then never test geometry: a drone that flies for
//! eight hours costs nothing between the few ticks when something can happen to it.
//!
//! Geometry uses f64 here and only here; what reaches the kernels is integers (ticks,
//! indices, u32 thresholds), so every backend sees the same bits.

use rayon::prelude::*;

use super::budget::{Budget, BudgetError, Estimate, Sizes};
use super::layout::*;
use super::rng::threshold;
use super::windows::{Work, windows};
use crate::geo::LatLon;
use crate::scenario::launches::{Start, militia_offset, salvo_offset};
use crate::scenario::{Action, Scenario, ThreatClass};

pub use super::windows::distance_to_arc_km;

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
    pub groups: Vec<Group>,
    pub weapons: Vec<WeaponRow>,
    pub slots: Vec<SlotRow>,
    pub slot_info: Vec<SlotInfo>,
    pub batteries: Vec<BatteryRow>,
    pub assets: Vec<AssetRow>,
    /// Full magazines at the start, one per slot.
    pub magazines: Vec<MagazineState>,
    pub launchers: u32,
    pub launcher_words: u32,
    /// Tracks whose opportunities beyond `MAX_OPPORTUNITIES` were dropped (latest first).
    pub dropped_opportunities: Vec<(u32, u32)>,
    /// Sweep steps planning took (against [`Limits::sweep_steps`]).
    pub sweep_steps: u64,
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

    /// The per-tick constants of the kernels for `replicates` replicates whose first has
    /// RNG key `first_replicate`, with `active` tracks active; no replicate records events
    /// (a backend sets which of its own do).
    pub fn params(
        &self,
        tick: u32,
        seed: u32,
        replicates: u32,
        first_replicate: u32,
        active: u32,
    ) -> Params {
        Params {
            tick,
            seed,
            replicates,
            first_replicate,
            tracks: self.tracks.len() as u32,
            active,
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
        }
    }

    /// Tracks per threat class.
    pub fn tracks_by_class(&self, sc: &Scenario) -> [usize; 4] {
        let mut n = [0; 4];
        for t in &self.track_info {
            n[sc.weapons[t.weapon].class.index()] += 1;
        }
        n
    }
}

/// One planned launch: its group, site, weapon, target and offset from the group's start.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spec {
    group: u32,
    site: usize,
    weapon: usize,
    target: usize,
    offset: u32,
    launcher: u32,
}

/// Orders and militias expanded into launches, one per track.
struct Expansion {
    groups: Vec<Group>,
    specs: Vec<Spec>,
    /// Each site's next launcher, round-robin across its orders.
    cursor: Vec<u64>,
}

impl Expansion {
    /// A salvo order's planned rounds (`scenario::launches`): launchers round-robin from
    /// the site's cursor, launches spread over the order's interval and never faster than
    /// a launcher reloads.
    fn salvo(&mut self, sc: &Scenario, oi: usize) {
        let Action::Salvo {
            site,
            weapon,
            ref targets,
            over_ticks,
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
        for j in 0..rounds.planned as u64 {
            self.specs.push(Spec {
                group: g,
                site,
                weapon,
                target: targets[(j % targets.len() as u64) as usize],
                // Below the scenario's ticks: only rounds that launch before the end are planned.
                offset: salvo_offset(j, rounds.total, over_ticks, s) as u32,
                launcher: s.first_launcher + ((self.cursor[site] + j) % launchers) as u32,
            });
        }
        // The rounds left out would have used launchers too: later orders go on from there.
        self.cursor[site] = (self.cursor[site] + rounds.total) % launchers;
        let start = sc.order_start(oi);
        self.groups.push(Group {
            kind: GroupKind::Order(oi),
            first_track: first,
            tracks: rounds.planned,
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
            self.specs.push(Spec {
                group: g,
                site: si,
                weapon: s.inventory[pick].0,
                target,
                offset: militia_offset(j, m.rate_per_hour, sc.tick_seconds) as u32,
                launcher: s.first_launcher + (j % s.launchers.max(1) as u64) as u32,
            });
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

/// Groups in this order: salvo orders in file order, then militias in file order, then
/// salvo orders injected during an exercise, so that an inject never renumbers the
/// tracks (and random streams) already planned.
fn expand(sc: &Scenario, tracks: usize) -> Expansion {
    let mut ex = Expansion {
        groups: Vec::new(),
        specs: Vec::with_capacity(tracks),
        cursor: vec![0; sc.sites.len()],
    };
    for oi in (0..sc.orders.len()).filter(|&i| !sc.orders[i].inject) {
        ex.salvo(sc, oi);
    }
    for (si, start) in sc.militia_starts().into_iter().enumerate() {
        ex.militia(sc, si, start);
    }
    for oi in (0..sc.orders.len()).filter(|&i| sc.orders[i].inject) {
        ex.salvo(sc, oi);
    }
    ex
}

/// The defence's tables: one slot (and full magazine) per magazine of each battery.
struct Defence {
    slots: Vec<SlotRow>,
    slot_info: Vec<SlotInfo>,
    magazines: Vec<MagazineState>,
    batteries: Vec<BatteryRow>,
    /// Slots of each battery, in magazine order.
    slots_of: Vec<Vec<u32>>,
}

fn defence(sc: &Scenario) -> Defence {
    let mut d = Defence {
        slots: Vec::new(),
        slot_info: Vec::new(),
        magazines: Vec::new(),
        batteries: Vec::new(),
        slots_of: Vec::new(),
    };
    for (bi, b) in sc.batteries.iter().enumerate() {
        let mut mine = Vec::new();
        for (mi, m) in b.magazines.iter().enumerate() {
            let ic = &sc.interceptors[m.interceptor];
            let mut pk = [0u32; 4];
            let mut doctrine = [0u32; 4];
            for c in ThreatClass::ALL {
                pk[c.index()] = threshold(ic.pk[c.index()]);
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
                pk,
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
        d.batteries.push(BatteryRow {
            channels: b.channels,
            host: b.host.map_or(NONE, |h| h as u32),
            tier: b.tier,
            online: 1,
        });
    }
    d
}

/// Tracks swept at a time: planning's memory beyond the plan itself is this many swept
/// tracks, and the budget is checked after each chunk.
pub const CHUNK: usize = 4096;

/// Most sweep steps planning takes (envelope samples, and the points of the coarse screen
/// of each envelope): `gulf-2026` takes 9.1 million, 3.4% of it (`hormuz check` prints the
/// count), in under a second; the limit is reached in well under a minute.
pub const MAX_SWEEP_STEPS: u64 = 1 << 28;

/// One track as the sweep leaves it: its row, its host-side facts, its opportunities
/// (the earliest `MAX_OPPORTUNITIES`) and how many later ones were dropped.
type Swept = (Track, TrackInfo, Vec<Opportunity>, u32);

/// Bytes of one swept track while its chunk is being appended to the plan.
pub const BYTES_PER_SWEPT_TRACK: u64 = (std::mem::size_of::<Swept>()
    + MAX_OPPORTUNITIES * std::mem::size_of::<Opportunity>()
    + 16) as u64;

/// What planning may spend.
#[derive(Clone, Copy, Debug)]
pub struct Limits<'a> {
    /// The run the plan is for and its memory budget: planning stops as soon as the plan
    /// and the replicates' state cannot fit. `None`: no budget.
    pub budget: Option<&'a Budget>,
    /// Most sweep steps ([`MAX_SWEEP_STEPS`] for the commands).
    pub sweep_steps: u64,
}

/// Why a scenario cannot be planned: its memory or its planning time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    Budget(BudgetError),
    /// The sweep would take more than `limit` steps.
    Sweep {
        file: String,
        limit: u64,
        tracks: usize,
        ticks: u32,
    },
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::Budget(e) => e.fmt(f),
            PlanError::Sweep {
                file,
                limit,
                tracks,
                ticks,
            } => write!(
                f,
                "{file}: planning {tracks} threats over {ticks} ticks would take more than {limit} sweep steps (ticks of flight within reach of each envelope, up to 8 samples a tick), the most hormuz takes; plan fewer threats, make the flights shorter than the scenario, or lengthen `tick_seconds`"
            ),
        }
    }
}

impl std::error::Error for PlanError {}

impl From<BudgetError> for PlanError {
    fn from(e: BudgetError) -> PlanError {
        PlanError::Budget(e)
    }
}

impl<'a> Limits<'a> {
    /// The commands' limits: `budget`, and at most [`MAX_SWEEP_STEPS`].
    pub fn within(budget: &'a Budget) -> Limits<'a> {
        Limits {
            budget: Some(budget),
            sweep_steps: MAX_SWEEP_STEPS,
        }
    }
}

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
    let Expansion { groups, specs, .. } = expand(sc, planned.tracks as usize);
    let Defence {
        slots,
        slot_info,
        magazines,
        batteries,
        slots_of,
    } = defence(sc);
    let assets = sc
        .assets
        .iter()
        .map(|a| AssetRow {
            side: a.side as u32,
            staying_power: a.staying_power,
            hardness: threshold(a.hardness),
            _pad: 0,
        })
        .collect();
    let weapons = sc
        .weapons
        .iter()
        .map(|w| WeaponRow {
            class: w.class.index() as u32,
            flight_ok: threshold(w.flight_reliability),
            accuracy: threshold(w.accuracy),
        })
        .collect();

    let work = Work::new(limits.sweep_steps);
    let mut tracks = Vec::with_capacity(specs.len());
    let mut track_info = Vec::with_capacity(specs.len());
    let mut opportunities = Vec::new();
    let mut dropped = Vec::new();
    for chunk in specs.chunks(CHUNK) {
        // Geometry, one track at a time, in parallel: each result depends on its track only.
        let swept: Vec<Option<Swept>> = chunk
            .par_iter()
            .map(|spec| sweep(sc, &slots_of, spec, &groups, &work))
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
            let k = tracks.len() as u32;
            t.opp_first = opportunities.len() as u32;
            t.opp_count = opps.len() as u32;
            opportunities.extend(opps);
            if lost > 0 {
                dropped.push((k, lost));
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
        opportunities,
        weapons,
        slots,
        slot_info,
        batteries,
        assets,
        magazines,
        launchers,
        launcher_words: launchers.div_ceil(32).max(1),
        dropped_opportunities: dropped,
        sweep_steps: work.spent(),
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

/// Time of flight (s) and peak altitude (km) of a weapon over a distance.
pub fn kinematics(w: &crate::scenario::Weapon, distance_km: f64) -> (f64, f64) {
    match w.class {
        ThreatClass::Ballistic | ThreatClass::Rocket => {
            let x = (distance_km / w.range_km).max(1e-6);
            (w.flight_time_s * x.sqrt(), w.apogee_km * x)
        }
        ThreatClass::Cruise | ThreatClass::Drone => {
            (distance_km / w.speed_kmh * 3600.0, w.altitude_km)
        }
    }
}

/// One track: where it is aimed, how long it flies, and its windows in every envelope
/// of a hostile battery; `None` when the sweep ran over `work`'s limit.
fn sweep(
    sc: &Scenario,
    slots_of: &[Vec<u32>],
    spec: &Spec,
    groups: &[Group],
    work: &Work,
) -> Option<Swept> {
    let &Spec {
        group,
        site,
        weapon,
        target,
        offset,
        launcher,
    } = spec;
    let start = groups[group as usize].nominal_start;
    let tick_s = sc.tick_seconds as f64;
    let w = &sc.weapons[weapon];
    let s = &sc.sites[site];
    let launch_s = (start as f64 + offset as f64) * tick_s;
    // The earliest launch in any replicate: ages from here to the end can be reached.
    let end_age = sc.ticks.saturating_sub(start.saturating_add(offset));
    let origin = s.position;
    // Aim where the target will be at impact (ships move): two fixed-point steps suffice.
    let placement = sc.assets[target].placement;
    let mut aim = sc.position_of(placement, launch_s);
    for _ in 0..2 {
        let (tof, _) = kinematics(w, origin.distance_km(aim).max(0.001));
        aim = sc.position_of(placement, launch_s + tof);
    }
    let distance = origin.distance_km(aim).max(0.001);
    let (flight_s, peak) = kinematics(w, distance);
    let flight = ((flight_s / tick_s).ceil() as u32).clamp(1, MAX_FLIGHT_TICKS);
    let info = TrackInfo {
        site,
        weapon,
        target,
        origin,
        aim,
        distance_km: distance,
        flight_s,
        peak_km: peak,
    };
    let class = w.class;
    let threat_side = s.side;
    let mut opps: Vec<(u32, u32, Opportunity)> = Vec::new(); // (tier, enter) for ordering
    let mut found = 0u64;
    for (bi, b) in sc.batteries.iter().enumerate() {
        if !sc.sides[b.side].hostile[threat_side] {
            continue;
        }
        for (mi, m) in b.magazines.iter().enumerate() {
            let Some(env) = b.envelope(&sc.interceptors[m.interceptor], class) else {
                continue;
            };
            let slot = slots_of[bi][mi];
            let w = windows(sc, &info, class, bi, launch_s, flight, end_age, env, work)?;
            found += w.total as u64;
            for (enter, exit) in w.runs {
                opps.push((
                    b.tier,
                    enter,
                    Opportunity {
                        slot,
                        battery: bi as u32,
                        enter,
                        exit,
                    },
                ));
            }
        }
    }
    // Keep the earliest windows when there are more than the threat row can track.
    opps.sort_by_key(|o| (o.1, o.0, o.2.battery, o.2.slot));
    opps.truncate(MAX_OPPORTUNITIES);
    let lost = (found - opps.len() as u64).min(u32::MAX as u64) as u32;
    // Allocation order: upper tier first, then battery, then magazine preference.
    opps.sort_by_key(|o| (o.0, o.2.battery, o.2.slot, o.1));
    let side = sc.assets[target].side;
    let track = Track {
        group,
        offset,
        launcher,
        weapon: weapon as u32,
        target: target as u32,
        flight,
        opp_first: 0,
        opp_count: 0,
        detect: threshold(sc.sides[side].detection[class.index()]),
        launch_ok: threshold(w.launch_reliability * s.launch_reliability),
    };
    Some((track, info, opps.into_iter().map(|o| o.2).collect(), lost))
}
