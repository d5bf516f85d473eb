//! The `bevy_ecs` world: the few complex agents as entities, the decisions as systems in
//! an explicit schedule, and [`Simulation`], the host loop that runs the schedule and
//! the kernel backend tick by tick.
//!
//! What every replicate shares (where the carrier is, which orders are due, which
//! batteries are switched on) lives in entities and resources. What diverges between
//! replicates (group starts, surviving launchers, fired triggers, asset damage) lives in
//! the per-replicate arrays of [`Replicates`] and of the backend.

pub mod systems;

use std::collections::BTreeSet;
use std::sync::Arc;

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{ScheduleLabel, SingleThreadedExecutor};

use crate::engine::backend::{Backend, BackendInfo, FinalState, Upload};
use crate::engine::layout::{AssetState, Event, NEVER, Params, SLOT_COUNTERS, WEAPON_COUNTERS};
use crate::engine::plan::Plan;
use crate::geo::LatLon;
use crate::scenario::{Action, Placement, Scenario, When};

// ---- components

/// Name and side of a unit, for display and logs.
#[derive(Component, Clone, Debug)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub side: usize,
}

/// Where a unit stands now.
#[derive(Component, Clone, Copy, Debug)]
pub struct Position(pub LatLon);

/// How a unit moves: fixed, or with a carrier.
#[derive(Component, Clone, Copy, Debug)]
pub struct Placed(pub Placement);

#[derive(Component, Clone, Copy, Debug)]
pub struct CarrierIndex(pub usize);

#[derive(Component, Clone, Copy, Debug)]
pub struct AssetIndex(pub usize);

#[derive(Component, Clone, Copy, Debug)]
pub struct BatteryIndex(pub usize);

/// A battery's switch, set by facilitator injects; the doctrine system carries changes
/// to the kernels.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Online(pub bool);

#[derive(Component, Clone, Copy, Debug)]
pub struct Tier(pub u32);

/// A launch site or militia.
#[derive(Component, Clone, Copy, Debug)]
pub struct SiteIndex(pub usize);

#[derive(Component, Clone, Copy, Debug)]
pub struct Militia;

// ---- resources

#[derive(Resource, Clone, Copy, Debug)]
pub struct Clock {
    pub tick: u32,
    pub tick_seconds: u32,
    pub end: u32,
}

impl Clock {
    pub fn seconds(&self) -> f64 {
        self.tick as f64 * self.tick_seconds as f64
    }
}

#[derive(Resource, Clone)]
pub struct Shared {
    pub scenario: Arc<Scenario>,
    pub plan: Arc<Plan>,
}

/// Orders and activations at fixed times, in time order.
#[derive(Resource, Clone, Debug, Default)]
pub struct Timeline {
    /// (tick, order index or `usize::MAX` for a militia's own activation, militia site).
    pub fixed: Vec<(u32, usize, usize)>,
    pub cursor: usize,
}

/// Host-side per-replicate state.
#[derive(Resource, Clone, Debug)]
pub struct Replicates {
    pub count: u32,
    /// Global index of replicate 0 (the RNG key).
    pub first: u32,
    pub seed: u32,
    pub group_start: Vec<u32>,
    pub launchers: Vec<u32>,
    /// Tick each trigger fired, per replicate, or `NEVER`.
    pub fired: Vec<u32>,
    /// Latest asset state read back from the backend.
    pub assets: Vec<AssetState>,
    /// Actions due later in one replicate: (tick, replicate, order).
    pub pending: BTreeSet<(u32, u32, usize)>,
    /// Replicates whose decisions go into the log.
    pub logged: std::ops::Range<u32>,
}

/// What the systems decided this tick that the backend must hear about.
#[derive(Resource, Clone, Debug, Default)]
pub struct Outbox {
    pub uploads: Vec<Upload>,
    /// Batteries switched on or off this tick, for the `Online` components.
    pub switches: Vec<(usize, bool)>,
    /// Groups started this tick in at least one replicate: (group, start tick).
    pub started: Vec<(u32, u32)>,
}

/// The exercise log: orders, triggers, strikes, incidents.
#[derive(Resource, Clone, Debug, Default)]
pub struct Log {
    pub entries: Vec<LogEntry>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LogEntry {
    pub tick: u32,
    /// The replicate concerned, or `None` for what happened in all of them.
    pub replicate: Option<u32>,
    pub kind: LogKind,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    Order,
    Strike,
    Trigger,
    Incident,
    Inject,
}

#[derive(ScheduleLabel, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Decide;

#[derive(ScheduleLabel, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Assess;

/// How a run is asked for.
#[derive(Clone, Debug)]
pub struct RunConfig {
    pub replicates: u32,
    pub seed: u32,
    /// Replicates (local indices) whose events are recorded.
    pub record: std::ops::Range<u32>,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct RunStats {
    /// Ticks at which anything ran (the rest are skipped).
    pub visited_ticks: u64,
    /// Kernel invocations over threat rows: active tracks x replicates, summed over ticks.
    pub threat_steps: u64,
    /// Ticks threats spent in flight, summed over replicates: what a stepper that moved
    /// every threat every tick would have done.
    pub threat_ticks_in_flight: u64,
    pub wall_seconds: f64,
    pub threads: usize,
}

pub struct RunOutput {
    pub replicates: u32,
    pub seed: u32,
    pub final_state: FinalState,
    pub fired: Vec<u32>,
    pub events: Vec<(u32, Event)>,
    pub log: Vec<LogEntry>,
    pub stats: RunStats,
    pub backend: BackendInfo,
}

/// The host loop: one `bevy_ecs` world and one backend, advanced tick by tick. Ticks at
/// which nothing can happen in any replicate are skipped.
pub struct Simulation {
    pub world: World,
    decide: Schedule,
    assess: Schedule,
    pub backend: Box<dyn Backend>,
    /// Earliest tick any replicate needs each track, as far as the host knows.
    track_next: Vec<u32>,
    active: Vec<u32>,
    events: Vec<(u32, Event)>,
    stats: RunStats,
    started: std::time::Instant,
    /// The tick last run, or `None` before the first.
    last: Option<u32>,
}

impl Simulation {
    pub fn new(
        scenario: Arc<Scenario>,
        plan: Arc<Plan>,
        config: &RunConfig,
        backend: Box<dyn Backend>,
    ) -> Simulation {
        let mut world = World::new();
        spawn_units(&mut world, &scenario);
        let r = config.replicates as usize;
        let mut launchers = vec![0u32; r * plan.launcher_words as usize];
        for rep in 0..r {
            for l in 0..plan.launchers {
                launchers[rep * plan.launcher_words as usize + (l / 32) as usize] |= 1 << (l % 32);
            }
        }
        let mut fixed = Vec::new();
        for (i, o) in scenario.orders.iter().enumerate() {
            if let When::At(t) = o.when {
                fixed.push((t, i, 0));
            }
        }
        for (si, s) in scenario.sites.iter().enumerate() {
            if let Some(t) = s.militia.as_ref().and_then(|m| m.active) {
                fixed.push((t, usize::MAX, si));
            }
        }
        fixed.sort();
        world.insert_resource(Clock {
            tick: 0,
            tick_seconds: scenario.tick_seconds,
            end: scenario.ticks,
        });
        world.insert_resource(Timeline { fixed, cursor: 0 });
        world.insert_resource(Replicates {
            count: config.replicates,
            first: 0,
            seed: config.seed,
            group_start: vec![NEVER; r * plan.groups.len()],
            launchers,
            fired: vec![NEVER; r * scenario.triggers.len()],
            assets: Vec::new(),
            pending: BTreeSet::new(),
            logged: config.record.clone(),
        });
        world.insert_resource(Outbox::default());
        let mut log = Log::default();
        for inc in &scenario.incidents {
            log.entries.push(LogEntry {
                tick: inc.tick,
                replicate: None,
                kind: LogKind::Incident,
                text: inc.text.clone(),
            });
        }
        world.insert_resource(log);
        world.insert_resource(Shared {
            scenario: scenario.clone(),
            plan: plan.clone(),
        });

        let mut decide = Schedule::new(Decide);
        decide.set_executor(SingleThreadedExecutor::default());
        decide.add_systems(
            (
                systems::move_carriers,
                systems::issue_orders,
                systems::run_scheduled,
                systems::apply_switches,
                systems::doctrine,
            )
                .chain(),
        );
        let mut assess = Schedule::new(Assess);
        assess.set_executor(SingleThreadedExecutor::default());
        assess.add_systems(systems::evaluate_triggers);

        Simulation {
            world,
            decide,
            assess,
            backend,
            track_next: vec![NEVER; plan.tracks.len()],
            active: Vec::new(),
            events: Vec::new(),
            stats: RunStats::default(),
            started: std::time::Instant::now(),
            last: None,
        }
    }

    pub fn clock(&self) -> Clock {
        *self.world.resource::<Clock>()
    }

    pub fn shared(&self) -> Shared {
        self.world.resource::<Shared>().clone()
    }

    /// The next tick at which anything can happen, or `None` when the run is over.
    pub fn next_tick(&self) -> Option<u32> {
        let clock = self.clock();
        let after = self.last.map_or(0, |t| t + 1);
        let mut next = self
            .track_next
            .iter()
            .copied()
            .filter(|&t| t >= after)
            .min()
            .unwrap_or(NEVER);
        let tl = self.world.resource::<Timeline>();
        if let Some(&(t, _, _)) = tl.fixed.get(tl.cursor) {
            next = next.min(t.max(after));
        }
        if let Some(&(t, _, _)) = self.world.resource::<Replicates>().pending.first() {
            next = next.min(t.max(after));
        }
        (next < clock.end).then_some(next)
    }

    /// Run the next tick at which anything happens; `false` when the run is over.
    pub fn step(&mut self) -> Result<bool, String> {
        let Some(tick) = self.next_tick() else {
            return Ok(false);
        };
        self.run_tick(tick)?;
        Ok(true)
    }

    /// Run every tick up to and including `tick` (the desktop app's clock).
    pub fn advance_to(&mut self, tick: u32) -> Result<(), String> {
        while let Some(t) = self.next_tick() {
            if t > tick {
                break;
            }
            self.run_tick(t)?;
        }
        self.world.resource_mut::<Clock>().tick = tick.min(self.clock().end);
        Ok(())
    }

    fn run_tick(&mut self, tick: u32) -> Result<(), String> {
        self.world.resource_mut::<Clock>().tick = tick;
        self.decide.run(&mut self.world);

        let plan = self.world.resource::<Shared>().plan.clone();
        let mut outbox = std::mem::take(&mut *self.world.resource_mut::<Outbox>());
        if !outbox.uploads.is_empty() {
            self.backend.upload(&outbox.uploads);
        }
        for &(g, start) in &outbox.started {
            let grp = &plan.groups[g as usize];
            for k in grp.first_track..grp.first_track + grp.tracks {
                let t = start.saturating_add(plan.tracks[k as usize].offset);
                let n = &mut self.track_next[k as usize];
                *n = (*n).min(t);
            }
        }
        outbox.uploads.clear();
        outbox.started.clear();
        outbox.switches.clear();
        *self.world.resource_mut::<Outbox>() = outbox;

        self.active.clear();
        self.active.extend(
            self.track_next
                .iter()
                .enumerate()
                .filter(|&(_, &t)| t == tick)
                .map(|(k, _)| k as u32),
        );
        let reps = self.world.resource::<Replicates>();
        let (count, first, seed) = (reps.count, reps.first, reps.seed);
        let has_triggers = !self.world.resource::<Shared>().scenario.triggers.is_empty();
        if !self.active.is_empty() {
            let params = Params {
                tick,
                seed,
                replicates: count,
                first_replicate: first,
                tracks: plan.tracks.len() as u32,
                active: self.active.len() as u32,
                batteries: plan.batteries.len() as u32,
                slots: plan.slots.len() as u32,
                assets: plan.assets.len() as u32,
                weapons: plan.weapons.len() as u32,
                groups: plan.groups.len() as u32,
                launcher_words: plan.launcher_words,
                counters: plan.weapons.len() as u32 * WEAPON_COUNTERS
                    + plan.slots.len() as u32 * SLOT_COUNTERS,
                slot_counters: plan.weapons.len() as u32 * WEAPON_COUNTERS,
                record_first: 0,
                record_count: 0,
            };
            let report = self.backend.step(params, &self.active)?;
            for (i, &k) in self.active.iter().enumerate() {
                self.track_next[k as usize] = report.track_next[i];
            }
            self.backend.drain_events(&mut self.events);
            self.stats.threat_steps += self.active.len() as u64 * count as u64;
            if report.assets_changed && has_triggers {
                let assets = self.backend.assets();
                self.world.resource_mut::<Replicates>().assets = assets;
                self.assess.run(&mut self.world);
            }
        }
        self.stats.visited_ticks += 1;
        self.last = Some(tick);
        Ok(())
    }

    /// Carry replicate 0 forward as `replicates` replicates that share its past and draw
    /// their own futures: the what-if of a live exercise. Only a backend that keeps its
    /// state in host memory (the CPU) can be forked. The forks' random keys are 1, 2, ..,
    /// so none repeats the live run's future.
    pub fn fork(&self, replicates: u32, threads: Option<usize>) -> Result<Simulation, String> {
        let shared = self.shared();
        let lane = self
            .backend
            .lane(0)
            .ok_or("the what-if needs the live run on the CPU backend")?;
        let lanes = (0..replicates)
            .map(|r| {
                let mut l = lane.clone();
                l.replicate = r;
                l.events = Vec::new();
                l.event_count = 0;
                l
            })
            .collect();
        let backend =
            crate::engine::backend::CpuBackend::from_lanes(shared.plan.clone(), lanes, threads)?;
        let config = RunConfig {
            replicates,
            seed: self.world.resource::<Replicates>().seed,
            record: 0..0,
        };
        let mut sim = Simulation::new(
            shared.scenario.clone(),
            shared.plan.clone(),
            &config,
            Box::new(backend),
        );
        *sim.world.resource_mut::<Clock>() = self.clock();
        *sim.world.resource_mut::<Timeline>() = self.world.resource::<Timeline>().clone();
        let live = self.world.resource::<Replicates>().clone();
        {
            let mut reps = sim.world.resource_mut::<Replicates>();
            reps.first = live.first + 1;
            let row = |v: &[u32], n: usize| -> Vec<u32> {
                (0..replicates as usize)
                    .flat_map(|_| v[..n].iter().copied())
                    .collect()
            };
            let g = live.group_start.len() / live.count.max(1) as usize;
            let w = live.launchers.len() / live.count.max(1) as usize;
            let t = live.fired.len() / live.count.max(1) as usize;
            reps.group_start = row(&live.group_start, g);
            reps.launchers = row(&live.launchers, w);
            reps.fired = row(&live.fired, t);
            let a = live.assets.len() / live.count.max(1) as usize;
            reps.assets = (0..replicates as usize)
                .flat_map(|_| live.assets[..a].iter().copied())
                .collect();
            reps.pending = live
                .pending
                .iter()
                .filter(|p| p.1 == 0)
                .flat_map(|&(tick, _, order)| (0..replicates).map(move |r| (tick, r, order)))
                .collect();
        }
        // Battery switches made so far carry over (the doctrine system uploads them).
        let mut online = self
            .world
            .try_query::<(&BatteryIndex, &Online)>()
            .expect("registered");
        let switched: Vec<(usize, bool)> =
            online.iter(&self.world).map(|(b, o)| (b.0, o.0)).collect();
        let mut q = sim.world.query::<(&BatteryIndex, &mut Online)>();
        for (b, mut o) in q.iter_mut(&mut sim.world) {
            if let Some(&(_, on)) = switched.iter().find(|(i, _)| *i == b.0) {
                o.0 = on;
            }
        }
        sim.track_next = self.track_next.clone();
        sim.last = self.last;
        Ok(sim)
    }

    /// Events recorded so far, (replicate, event), in (tick, replicate, track, kind) order.
    pub fn events(&mut self) -> &[(u32, Event)] {
        sort_events(&mut self.events);
        &self.events
    }

    pub fn log(&self) -> &[LogEntry] {
        &self.world.resource::<Log>().entries
    }

    /// Run to the end and collect the outcome.
    pub fn run(mut self, mut progress: impl FnMut(u32, u32)) -> Result<RunOutput, String> {
        let end = self.clock().end;
        while self.step()? {
            progress(self.clock().tick, end);
        }
        progress(end, end);
        self.finish()
    }

    pub fn finish(mut self) -> Result<RunOutput, String> {
        let final_state = self.backend.finish();
        let shared = self.shared();
        let reps = self.world.resource::<Replicates>().clone();
        // Ticks in flight: what a naive per-tick stepper would have moved.
        let end = self.clock().end;
        let t = shared.plan.tracks.len();
        let mut in_flight = 0u64;
        for (i, th) in final_state.threats.iter().enumerate() {
            if th.launch != NEVER {
                let tr = &shared.plan.tracks[i % t];
                let stop = th.launch.saturating_add(tr.flight).min(end);
                in_flight += stop.saturating_sub(th.launch) as u64;
            }
        }
        self.stats.threat_ticks_in_flight = in_flight;
        self.stats.wall_seconds = self.started.elapsed().as_secs_f64();
        self.stats.threads = self.backend.info().threads;
        sort_events(&mut self.events);
        let mut log = self.world.resource::<Log>().entries.clone();
        log.sort_by_key(|e| (e.tick, e.replicate));
        Ok(RunOutput {
            replicates: reps.count,
            seed: reps.seed,
            final_state,
            fired: reps.fired,
            events: self.events,
            log,
            stats: self.stats,
            backend: self.backend.info(),
        })
    }
}

/// The order events are reported in: backends append them in thread order.
fn sort_events(events: &mut [(u32, Event)]) {
    events.sort_by_key(|(r, e)| (e.tick, *r, e.track, e.kind, e.arg));
}

fn spawn_units(world: &mut World, sc: &Scenario) {
    for (i, a) in sc.assets.iter().enumerate() {
        world.spawn((
            Unit {
                id: a.id.clone(),
                name: a.name.clone(),
                side: a.side,
            },
            Position(sc.position_of(a.placement, 0.0)),
            Placed(a.placement),
            AssetIndex(i),
        ));
    }
    for (i, c) in sc.carriers.iter().enumerate() {
        // The carrier's own asset entity carries the route index too.
        let asset = c.asset;
        let mut q = world.query::<(Entity, &AssetIndex)>();
        let e = q
            .iter(world)
            .find(|(_, a)| a.0 == asset)
            .map(|(e, _)| e)
            .expect("carrier asset spawned above");
        world.entity_mut(e).insert(CarrierIndex(i));
    }
    for (i, b) in sc.batteries.iter().enumerate() {
        world.spawn((
            Unit {
                id: b.id.clone(),
                name: b.name.clone(),
                side: b.side,
            },
            Position(sc.position_of(b.placement, 0.0)),
            Placed(b.placement),
            BatteryIndex(i),
            Online(true),
            Tier(b.tier),
        ));
    }
    for (i, s) in sc.sites.iter().enumerate() {
        let mut e = world.spawn((
            Unit {
                id: s.id.clone(),
                name: s.name.clone(),
                side: s.side,
            },
            Position(s.position),
            Placed(Placement::Fixed(s.position)),
            SiteIndex(i),
        ));
        if s.militia.is_some() {
            e.insert(Militia);
        }
    }
}

/// Carry out an order in the given replicates at `tick`.
pub(crate) fn execute(
    order: usize,
    replicates: std::ops::Range<u32>,
    tick: u32,
    shared: &Shared,
    reps: &mut Replicates,
    outbox: &mut Outbox,
    log: &mut Log,
) {
    let sc = &shared.scenario;
    let plan = &shared.plan;
    let o = &sc.orders[order];
    let all = replicates.start == 0 && replicates.end == reps.count;
    let logged_range = reps.logged.clone();
    let logged = |r: u32| logged_range.contains(&r);
    match &o.action {
        Action::Salvo { .. } => {
            if let Some(g) = plan.group_of_order(order) {
                start_group(g, replicates.clone(), tick, reps, outbox);
            }
            let text = format!("order {}: salvo begins", o.id);
            push_log(log, tick, replicates, all, &logged, LogKind::Order, &text);
        }
        Action::Activate { militias } => {
            for &m in militias {
                if let Some(g) = plan.group_of_militia(m) {
                    start_group(g, replicates.clone(), tick, reps, outbox);
                }
            }
            let names: Vec<&str> = militias.iter().map(|&m| sc.sites[m].id.as_str()).collect();
            let text = format!("order {}: {} activated", o.id, names.join(", "));
            push_log(log, tick, replicates, all, &logged, LogKind::Order, &text);
        }
        Action::Switch { battery, online } => {
            outbox.switches.push((*battery, *online));
            let text = format!(
                "order {}: {} switched {}",
                o.id,
                sc.batteries[*battery].id,
                if *online { "on" } else { "off" }
            );
            push_log(log, tick, replicates, all, &logged, LogKind::Order, &text);
        }
        Action::Relocate { battery, to } => {
            let text = format!(
                "order {}: {} relocated to {:.2}, {:.2}",
                o.id, sc.batteries[*battery].id, to.lat, to.lon
            );
            push_log(log, tick, replicates, all, &logged, LogKind::Order, &text);
        }
        Action::Divert {
            carrier,
            to,
            speed_kn,
        } => {
            let text = format!(
                "order {}: {} diverted to {:.2}, {:.2} at {speed_kn} kn",
                o.id, sc.carriers[*carrier].id, to.lat, to.lon
            );
            push_log(log, tick, replicates, all, &logged, LogKind::Order, &text);
        }
        Action::Strike { sites, fraction } => {
            let threshold = crate::engine::rng::threshold(*fraction);
            let words = plan.launcher_words;
            for r in replicates.clone() {
                let base = (r * words) as usize;
                let mut destroyed = 0;
                for &s in sites {
                    let site = &sc.sites[s];
                    for l in site.first_launcher..site.first_launcher + site.launchers {
                        let (w, bit) = (base + (l / 32) as usize, 1u32 << (l % 32));
                        if reps.launchers[w] & bit == 0 {
                            continue;
                        }
                        let u = crate::engine::rng::draw(
                            reps.seed,
                            reps.first + r,
                            crate::engine::rng::STRIKE_STREAM | l,
                            tick,
                            crate::engine::rng::D_STRIKE,
                        );
                        if crate::engine::rng::chance(u, threshold) {
                            reps.launchers[w] &= !bit;
                            destroyed += 1;
                        }
                    }
                }
                for w in 0..words {
                    outbox.uploads.push(Upload::Launchers {
                        replicate: r,
                        word: w,
                        bits: reps.launchers[base + w as usize],
                    });
                }
                if logged(r) {
                    log.entries.push(LogEntry {
                        tick,
                        replicate: Some(r),
                        kind: LogKind::Strike,
                        text: format!("order {}: strike destroys {destroyed} launchers", o.id),
                    });
                }
            }
            if all {
                let names: Vec<&str> = sites.iter().map(|&m| sc.sites[m].id.as_str()).collect();
                log.entries.push(LogEntry {
                    tick,
                    replicate: None,
                    kind: LogKind::Strike,
                    text: format!(
                        "order {}: strike on {} ({:.0}% of launchers each)",
                        o.id,
                        names.join(", "),
                        fraction * 100.0
                    ),
                });
            }
        }
    }
}

fn push_log(
    log: &mut Log,
    tick: u32,
    replicates: std::ops::Range<u32>,
    all: bool,
    logged: &dyn Fn(u32) -> bool,
    kind: LogKind,
    text: &str,
) {
    if all {
        log.entries.push(LogEntry {
            tick,
            replicate: None,
            kind,
            text: text.to_string(),
        });
    } else {
        for r in replicates.filter(|&r| logged(r)) {
            log.entries.push(LogEntry {
                tick,
                replicate: Some(r),
                kind,
                text: text.to_string(),
            });
        }
    }
}

pub(crate) fn start_group(
    group: usize,
    replicates: std::ops::Range<u32>,
    tick: u32,
    reps: &mut Replicates,
    outbox: &mut Outbox,
) {
    let groups = reps.group_start.len() / reps.count.max(1) as usize;
    let mut any = false;
    for r in replicates {
        let slot = &mut reps.group_start[r as usize * groups + group];
        if *slot == NEVER {
            *slot = tick;
            any = true;
            outbox.uploads.push(Upload::GroupStart {
                replicate: r,
                group: group as u32,
                tick,
            });
        }
    }
    if any {
        outbox.started.push((group as u32, tick));
    }
}
