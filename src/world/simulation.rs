//! [`Simulation`], the host loop: one world and one backend advanced tick by tick, and
//! the functions that run a whole simulation on either backend.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::SingleThreadedExecutor;

use super::batches::{Engine, run_collected};
use super::components::*;
use super::{spawning, systems};
use crate::engine::backend::{Backend, BackendInfo, CpuBackend, FinalState, StepLimit};
use crate::engine::budget::{CPU_BATCH, GPU_BATCH};
use crate::engine::layout::{Event, NEVER};
use crate::engine::plan::Plan;
use crate::scenario::Scenario;

/// Run a scenario to the end on the CPU backend, in batches of
/// [`crate::engine::budget::CPU_BATCH`] replicates, and keep the whole outcome.
pub fn run_cpu(
    scenario: Arc<Scenario>,
    plan: Arc<Plan>,
    config: &RunConfig,
    threads: Option<usize>,
    progress: impl FnMut(u32, u32),
) -> Result<RunOutput, String> {
    let batch = config.replicates.clamp(1, CPU_BATCH);
    run_collected(
        &scenario,
        &plan,
        config,
        Engine::Cpu(threads),
        batch,
        progress,
    )
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
    let batch = config.replicates.clamp(1, GPU_BATCH);
    run_collected(&scenario, &plan, config, Engine::Gpu, batch, progress)
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
    /// Kernel invocations over threat rows: the rows the replicates' calendars had due,
    /// summed over the ticks.
    pub threat_steps: u64,
    /// Ticks threats spent in flight, summed over replicates: what a stepper that moved
    /// every threat every tick would have done.
    pub threat_ticks_in_flight: u64,
    pub wall_seconds: f64,
    pub threads: usize,
}

impl RunStats {
    /// Add another batch's work (the wall time is the caller's to measure).
    pub fn add(&mut self, other: &RunStats) {
        self.visited_ticks += other.visited_ticks;
        self.threat_steps += other.threat_steps;
        self.threat_ticks_in_flight += other.threat_ticks_in_flight;
        self.threads = self.threads.max(other.threads);
    }
}

pub struct RunOutput {
    pub replicates: u32,
    pub seed: u32,
    pub final_state: FinalState,
    pub fired: Vec<u32>,
    /// Each replicate's outcome of each decision (`Replicates::paths`).
    pub paths: Vec<u32>,
    pub events: Vec<(u32, Event)>,
    pub log: Vec<LogEntry>,
    pub stats: RunStats,
    pub backend: BackendInfo,
}

impl RunOutput {
    /// Keep the first `n` replicates only (and what is logged for every replicate).
    pub fn truncate(&mut self, n: u32, plan: &Plan) {
        if n >= self.replicates {
            return;
        }
        let n_ = n as usize;
        let fs = &mut self.final_state;
        fs.counters.truncate(n_ * plan.counter_stride() as usize);
        fs.magazines.truncate(n_ * plan.slots.len());
        fs.assets.truncate(n_ * plan.assets.len());
        fs.threats.truncate(n_ * plan.tracks.len());
        let triggers = self.fired.len() / self.replicates.max(1) as usize;
        self.fired.truncate(n_ * triggers);
        let decisions = self.paths.len() / self.replicates.max(1) as usize;
        self.paths.truncate(n_ * decisions);
        self.events.retain(|(r, _)| *r < n);
        self.log.retain(|e| e.replicate.is_none_or(|r| r < n));
        self.replicates = n;
    }

    /// Append the next batch, whose replicates start at replicate `first` of the run:
    /// their final states, triggers, events and log entries (those for every replicate
    /// are the same in each batch, and kept once).
    pub fn append(&mut self, other: RunOutput, first: u32) {
        let fs = other.final_state;
        self.final_state.counters.extend(fs.counters);
        self.final_state.magazines.extend(fs.magazines);
        self.final_state.assets.extend(fs.assets);
        self.final_state.threats.extend(fs.threats);
        self.fired.extend(other.fired);
        self.paths.extend(other.paths);
        self.events
            .extend(other.events.into_iter().map(|(r, e)| (r + first, e)));
        sort_events(&mut self.events);
        self.log.extend(other.log.into_iter().filter_map(|mut e| {
            e.replicate = Some(e.replicate? + first);
            Some(e)
        }));
        self.log.sort_by_key(|e| (e.tick, e.replicate));
        self.replicates += other.replicates;
        self.stats.add(&other.stats);
    }
}

/// The host loop: one `bevy_ecs` world and one backend, advanced tick by tick. Ticks at
/// which nothing can happen in any replicate are skipped.
pub struct Simulation {
    pub world: World,
    pub(super) decide: Schedule,
    pub(super) assess: Schedule,
    pub backend: Box<dyn Backend>,
    /// The earliest tick any replicate's calendar holds (the backend reports it after
    /// each step), or `NEVER`.
    pub(super) next_due: u32,
    /// Steps run no tick past this one (`advance_to`'s target).
    horizon: u32,
    pub(super) events: Vec<(u32, Event)>,
    pub(super) stats: RunStats,
    started: std::time::Instant,
    /// The tick last run, or `None` before the first.
    pub(super) last: Option<u32>,
}

impl Simulation {
    pub fn new(
        scenario: Arc<Scenario>,
        plan: Arc<Plan>,
        config: &RunConfig,
        backend: Box<dyn Backend>,
    ) -> Simulation {
        Simulation::batch(scenario, plan, config, 0, backend)
    }

    /// A simulation of `config.replicates` replicates whose first is replicate `first` of
    /// a larger run (its RNG key): one batch of a run. Replicates never interact, so a
    /// replicate's outcome does not depend on the batch it runs in.
    pub fn batch(
        scenario: Arc<Scenario>,
        plan: Arc<Plan>,
        config: &RunConfig,
        first: u32,
        backend: Box<dyn Backend>,
    ) -> Simulation {
        let world = spawning::build_world(&scenario, &plan, config, first);
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
            next_due: NEVER,
            horizon: NEVER,
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
        let next = self.next_due.min(self.next_decision());
        (next < self.clock().end).then_some(next)
    }

    /// The next tick at which the host has something to decide (an order due, a
    /// trigger's order coming up), or `NEVER`.
    pub(super) fn next_decision(&self) -> u32 {
        let after = self.last.map_or(0, |t| t + 1);
        let mut next = NEVER;
        let tl = self.world.resource::<Timeline>();
        if let Some(&(t, _)) = tl.fixed.get(tl.cursor) {
            next = next.min(t.max(after));
        }
        if let Some(&(t, _, _)) = self.world.resource::<Replicates>().pending.first() {
            next = next.min(t.max(after));
        }
        next
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
        self.horizon = tick;
        let run = (|| -> Result<(), String> {
            while let Some(t) = self.next_tick() {
                if t > tick {
                    break;
                }
                self.run_tick(t)?;
            }
            Ok(())
        })();
        self.horizon = NEVER;
        run?;
        self.world.resource_mut::<Clock>().tick = tick.min(self.clock().end);
        Ok(())
    }

    /// Run tick `tick`: the host's decisions, then, when some replicate has a row due or a
    /// group starts, the kernels (through later ticks too where the backend can run them
    /// before the next decision), then the triggers of the replicates whose assets
    /// changed.
    fn run_tick(&mut self, tick: u32) -> Result<(), String> {
        self.world.resource_mut::<Clock>().tick = tick;
        self.read_reports(tick)?;
        self.decide.run(&mut self.world);
        let starts = self.send_outbox()?;
        let plan = self.world.resource::<Shared>().plan.clone();

        let mut last = tick;
        if self.next_due == tick || starts {
            let reps = self.world.resource::<Replicates>();
            let (count, first, seed) = (reps.count, reps.first, reps.seed);
            let has_triggers = !self.world.resource::<Shared>().scenario.triggers.is_empty();
            let params = plan.params(tick, seed, count, first);
            let limit = StepLimit {
                until: self
                    .next_decision()
                    .min(self.clock().end)
                    .min(self.horizon.saturating_add(1)),
                stop_on_hit: has_triggers,
            };
            let report = self.backend.step(params, limit)?;
            self.next_due = report.next;
            self.stats.threat_steps += report.steps;
            self.stats.visited_ticks += report.lane_ticks;
            self.backend.drain_events(&mut self.events)?;
            last = report.last;
            if last != tick {
                self.world.resource_mut::<Clock>().tick = last;
            }
            if report.assets_changed && has_triggers {
                let mut reps = self.world.resource_mut::<Replicates>();
                let reps = &mut *reps;
                self.backend
                    .changed_assets(&mut reps.changed, &mut reps.assets)?;
                self.assess.run(&mut self.world);
            }
        }
        self.last = Some(last);
        Ok(())
    }

    /// Before the host decides at `tick`: where a magazine report falls due then, every
    /// replicate's magazines as they stand, for the `cells_below` triggers.
    pub(super) fn read_reports(&mut self, tick: u32) -> Result<(), String> {
        let tl = self.world.resource::<Timeline>();
        let due = tl.fixed[tl.cursor.min(tl.fixed.len())..]
            .iter()
            .take_while(|(t, _)| *t <= tick)
            .any(|(_, d)| matches!(d, Due::Report(_)));
        let magazines = if due {
            self.backend.magazines()?
        } else {
            Vec::new()
        };
        self.world.resource_mut::<Replicates>().magazines = magazines;
        Ok(())
    }

    /// Hand the backend what the systems decided (the outbox, emptied); whether a group
    /// started.
    pub(super) fn send_outbox(&mut self) -> Result<bool, String> {
        let mut outbox = std::mem::take(&mut *self.world.resource_mut::<Outbox>());
        if !outbox.uploads.is_empty() {
            self.backend.upload(&outbox.uploads)?;
        }
        let starts = !outbox.started.is_empty();
        outbox.uploads.clear();
        outbox.started.clear();
        outbox.switches.clear();
        outbox.away.clear();
        *self.world.resource_mut::<Outbox>() = outbox;
        Ok(starts)
    }

    /// Carry replicate 0 forward as `replicates` replicates that share its past and draw
    /// their own futures: the what-if of a live exercise. Only a backend that keeps its
    /// state in host memory (the CPU) can be forked. The forks' random keys are 1, 2, ..,
    /// so none repeats the live run's future.
    pub fn fork(&self, replicates: u32, threads: Option<usize>) -> Result<Simulation, String> {
        self.fork_with(self.shared().plan, replicates, threads)
    }

    /// The run's first replicate (its index in the whole run).
    pub fn first_replicate(&self) -> u32 {
        self.world.resource::<Replicates>().first
    }

    /// As [`Simulation::fork`], the forks run with `plan`: this simulation's, or one that
    /// carries the forks' rows of drawn thresholds (`Draws::batch_plan` for replicates
    /// `first_replicate() + 1..`).
    pub fn fork_with(
        &self,
        plan: Arc<Plan>,
        replicates: u32,
        threads: Option<usize>,
    ) -> Result<Simulation, String> {
        let shared = Shared {
            plan,
            ..self.shared()
        };
        let lane = self
            .backend
            .lane(0)
            .ok_or("the what-if needs the live run on the CPU backend")?;
        let lanes = (0..replicates)
            .map(|r| {
                let mut l = lane.clone();
                l.replicate = r;
                // The CPU's memos were found for the live run's replicate and plan.
                l.forget_memos(&shared.plan);
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
            // A fork keeps the decisions the live replicate has taken (their orders are in
            // `pending`); those still ahead on the timeline each fork replicate takes itself.
            let d = live.paths.len() / live.count.max(1) as usize;
            reps.paths = row(&live.paths, d);
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
        sim.next_due = self.next_due;
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
    /// Run to the end and collect the outcome: replicate by replicate between the host's
    /// decisions where the backend can (the CPU; see `world::lanes`), else tick by tick.
    pub fn run(mut self, mut progress: impl FnMut(u32, u32)) -> Result<RunOutput, String> {
        let end = self.clock().end;
        if self.backend.lane_major().is_some() {
            self.run_lane_major(&mut progress)?;
        } else {
            while self.step()? {
                progress(self.clock().tick, end);
            }
        }
        progress(end, end);
        self.finish()
    }

    pub fn finish(mut self) -> Result<RunOutput, String> {
        let final_state = self.backend.finish()?;
        let shared = self.shared();
        // Taken, not cloned: a copy of every replicate's launchers and group starts would
        // cost what the memory estimate does not count.
        let (count, seed, fired, paths) = {
            let mut reps = self.world.resource_mut::<Replicates>();
            let paths = std::mem::take(&mut reps.paths);
            (
                reps.count,
                reps.seed,
                std::mem::take(&mut reps.fired),
                paths,
            )
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
            paths,
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
