//! [`Simulation`], the host loop: one world and one backend advanced tick by tick, and
//! the functions that run a whole simulation on either backend.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::SingleThreadedExecutor;

use super::components::*;
use super::{spawning, systems};
use crate::engine::backend::{Backend, BackendInfo, CpuBackend, FinalState};
use crate::engine::gpu::GpuBackend;
use crate::engine::layout::{Event, NEVER};
use crate::engine::plan::Plan;
use crate::scenario::Scenario;

/// Run a scenario to the end on the CPU backend.
pub fn run_cpu(
    scenario: Arc<Scenario>,
    plan: Arc<Plan>,
    config: &RunConfig,
    threads: Option<usize>,
    progress: impl FnMut(u32, u32),
) -> Result<RunOutput, String> {
    let backend = CpuBackend::new(
        plan.clone(),
        config.replicates,
        config.record.clone(),
        threads,
    )?;
    Simulation::new(scenario, plan, config, Box::new(backend)).run(progress)
}

/// Run a scenario to the end on the GPU backend (the process-wide device; see
/// [`crate::engine::gpu::GpuContext`]). Same seed, same bytes as [`run_cpu`]. `threads`
/// is accepted for symmetry and ignored: the device decides its own parallelism (on
/// lavapipe, `LP_NUM_THREADS`).
pub fn run_gpu(
    scenario: Arc<Scenario>,
    plan: Arc<Plan>,
    config: &RunConfig,
    threads: Option<usize>,
    progress: impl FnMut(u32, u32),
) -> Result<RunOutput, String> {
    let _ = threads;
    let backend = GpuBackend::new(plan.clone(), config.replicates, config.record.clone(), None)?;
    Simulation::new(scenario, plan, config, Box::new(backend)).run(progress)
}

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
        let world = spawning::build_world(&scenario, &plan, config);
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
        if let Some(&(t, _)) = tl.fixed.get(tl.cursor) {
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
            self.backend.upload(&outbox.uploads)?;
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
        outbox.away.clear();
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
            let params = plan.params(tick, seed, count, first, self.active.len() as u32);
            let report = self.backend.step(params, &self.active)?;
            for (i, &k) in self.active.iter().enumerate() {
                self.track_next[k as usize] = report.track_next[i];
            }
            self.backend.drain_events(&mut self.events)?;
            self.stats.threat_steps += self.active.len() as u64 * count as u64;
            if report.assets_changed && has_triggers {
                let assets = self.backend.assets()?;
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
        let backend = CpuBackend::from_lanes(shared.plan.clone(), lanes, threads)?;
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
        // Battery switches and ships away in port carry over (the doctrine system uploads
        // them).
        let mut online = self
            .world
            .try_query::<(&BatteryIndex, &Online, &Away)>()
            .expect("registered");
        let switched: Vec<(usize, bool, bool)> = online
            .iter(&self.world)
            .map(|(b, o, a)| (b.0, o.0, a.0))
            .collect();
        let mut q = sim.world.query::<(&BatteryIndex, &mut Online, &mut Away)>();
        for (b, mut o, mut a) in q.iter_mut(&mut sim.world) {
            if let Some(&(_, on, away)) = switched.iter().find(|(i, _, _)| *i == b.0) {
                o.0 = on;
                a.0 = away;
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
        let final_state = self.backend.finish()?;
        let shared = self.shared();
        // Taken, not cloned: a copy of every replicate's launchers and group starts would
        // cost what the memory estimate does not count.
        let (count, seed, fired) = {
            let mut reps = self.world.resource_mut::<Replicates>();
            (reps.count, reps.seed, std::mem::take(&mut reps.fired))
        };
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
            replicates: count,
            seed,
            final_state,
            fired,
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
