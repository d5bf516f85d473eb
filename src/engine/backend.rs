//! Where the kernels run. The host loop drives a [`Backend`] step by step: it uploads
//! what the host decided (groups started, launchers lost, batteries switched, magazines
//! changed), runs the five kernels over the rows each replicate's calendar holds for a
//! tick (through later ticks too, up to the host's next decision, where the backend can),
//! and reads back only what the host needs next. Every read can fail on the GPU (a lost device, a failed map): each
//! returns the failure, never panics.

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;

use super::Kernel;
use super::cpu::{self, Lane, Tables};
use super::lanes::LaneMajor;
use super::layout::*;
use super::plan::Plan;
use super::snapshot::{Observer, TickState};

/// A change the host makes to per-replicate state between ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upload {
    /// Group `group` starts at `tick` in replicate `replicate` (local index).
    GroupStart {
        replicate: u32,
        group: u32,
        tick: u32,
    },
    /// Launcher word `word` of a replicate becomes `bits`.
    Launchers {
        replicate: u32,
        word: u32,
        bits: u32,
    },
    /// A battery is switched on or off in every replicate.
    BatteryOnline { battery: u32, online: bool },
    /// A ship leaves its station (`away`) or takes it in replicate `replicate` alone (a
    /// trip to port that a trigger ordered, a relief).
    Away {
        replicate: u32,
        asset: u32,
        away: bool,
    },
    /// A magazine slot changes at `tick` in replicates `first..end` (local indices).
    Magazine {
        first: u32,
        end: u32,
        slot: u32,
        tick: u32,
        change: MagazineChange,
    },
}

/// What the host does to a magazine between ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MagazineChange {
    /// Rounds delivered to the reserve (an airlift, a convoy).
    Resupply(u32),
    /// Refilled in port to its loadout.
    Refill { ready: u32, reserve: u32 },
}

impl MagazineChange {
    /// The magazine after the change at `tick`. The reloads due by `tick` complete first
    /// (the kernels apply reloads lazily, and rounds that arrive at `tick` must not feed a
    /// reload that fell before it). A delivery starts a reload when none is under way and
    /// the launchers have room; a refill leaves nothing to reload. `empty_at` keeps the
    /// first time the magazine ran dry.
    pub fn apply(self, m: MagazineState, slot: &SlotRow, tick: u32) -> MagazineState {
        let mut m = cpu::reloaded(m, slot, tick);
        match self {
            MagazineChange::Resupply(rounds) => {
                m.reserve = m.reserve.saturating_add(rounds);
                if m.reload_at == NEVER
                    && m.ready < slot.capacity
                    && m.reserve > 0
                    && slot.reload_ticks > 0
                {
                    m.reload_at = tick.saturating_add(slot.reload_ticks);
                }
            }
            MagazineChange::Refill { ready, reserve } => {
                m.ready = ready;
                m.reserve = reserve;
                m.reload_at = NEVER;
            }
        }
        m
    }
}

/// How far one step may run: from `Params::tick` through the ticks the calendars hold
/// before `until` (a tick at which the host must decide something), stopping after a tick
/// at which an asset was hit when `stop_on_hit` (triggers may fire). A backend may run
/// just the first tick; the GPU runs several per submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepLimit {
    pub until: u32,
    pub stop_on_hit: bool,
}

impl StepLimit {
    /// Just the one tick.
    pub const ONE: StepLimit = StepLimit {
        until: 0,
        stop_on_hit: true,
    };
}

/// What the host learns from one step.
#[derive(Clone, Debug, Default)]
pub struct StepReport {
    /// The last tick the step ran.
    pub last: u32,
    /// Ticks the step ran.
    pub ticks: u32,
    /// The earliest tick any replicate's calendar holds after the step, or `NEVER`.
    pub next: u32,
    /// Some asset was hit at the last tick (triggers need a fresh look: see
    /// [`Backend::changed_assets`]).
    pub assets_changed: bool,
    /// Threat rows the kernels ran for (the rows `schedule` listed), summed over the ticks.
    pub steps: u64,
    /// Replicate-ticks with rows listed: for each tick, the replicates that listed any.
    pub lane_ticks: u64,
}

/// Per-replicate state at the end of a run.
#[derive(Clone, Debug)]
pub struct FinalState {
    pub counters: Vec<u32>,
    pub magazines: Vec<MagazineState>,
    pub assets: Vec<AssetState>,
    /// Threat status per replicate and track (replicate-major), for event tables.
    pub threats: Vec<Threat>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendInfo {
    /// "cpu" or "gpu".
    pub kind: String,
    /// Adapter name and API for the GPU; the architecture for the CPU.
    pub adapter: String,
    /// Host threads the backend uses (not part of any result).
    pub threads: usize,
}

pub trait Backend: Send {
    fn info(&self) -> BackendInfo;
    /// Apply the host's changes before the next step; a GPU read-back that fails (a
    /// magazine change reads the magazines first) is an error.
    fn upload(&mut self, changes: &[Upload]) -> Result<(), String>;
    /// Run the tick `params.tick` (and perhaps later ones, within `limit`): every
    /// replicate's calendar says which of its rows the kernels visit.
    fn step(&mut self, params: Params, limit: StepLimit) -> Result<StepReport, String>;
    /// The replicates whose assets changed in the last step, ascending, into `changed`,
    /// and their asset rows into `assets` (every replicate's, replicate-major), for
    /// triggers.
    fn changed_assets(
        &mut self,
        changed: &mut Vec<u32>,
        assets: &mut [AssetState],
    ) -> Result<(), String>;
    /// Every replicate's magazines as they stand (replicate-major, a row per slot; reloads
    /// are applied lazily, so `cpu::reloaded` gives them at a tick), for the host's
    /// magazine reports.
    fn magazines(&mut self) -> Result<Vec<MagazineState>, String>;
    /// Events recorded this tick, as (local replicate, event).
    fn drain_events(&mut self, out: &mut Vec<(u32, Event)>) -> Result<(), String>;
    fn finish(&mut self) -> Result<FinalState, String>;
    /// One replicate's live state, where the backend keeps it in host memory (the app).
    fn lane(&self, _replicate: u32) -> Option<&Lane> {
        None
    }
    /// The backend as one that runs each replicate through its own ticks, where it can.
    fn lane_major(&mut self) -> Option<&mut dyn LaneMajor> {
        None
    }
}

/// The CPU backend: the twin kernels over replicates in parallel with rayon. Replicates
/// never touch each other's state within a tick, so running each replicate's five
/// kernels back to back gives what five dispatches over all replicates give.
pub struct CpuBackend {
    pub(super) plan: std::sync::Arc<Plan>,
    /// The plan's battery table, with the host's on/off switches applied.
    pub(super) batteries: Vec<BatteryRow>,
    pub(super) lanes: Vec<Lane>,
    /// Groups started by the uploads since the last step.
    pub(super) started: Vec<Started>,
    /// The run's clock (`CLOCK_NEXT`).
    pub(super) clock: AtomicU32,
    /// Each lane's next wake (its calendar's `CAL_NEXT`, lowered to the tick of a group
    /// start uploaded for it): a step runs only the lanes due at its tick, and touches no
    /// other lane's memory.
    pub(super) due: Vec<u32>,
    /// Replicates whose assets changed in the last step, ascending.
    changed: Vec<u32>,
    /// The replicates that record events, and the events they recorded in lane-major
    /// steps (drained tick by tick from their lanes), per lane.
    recorded: std::ops::Range<u32>,
    pub(super) drained: Vec<Vec<Event>>,
    pub(super) pool: rayon::ThreadPool,
    threads: usize,
    pub(super) observer: Option<Observer>,
}

impl CpuBackend {
    pub fn new(
        plan: std::sync::Arc<Plan>,
        replicates: u32,
        record: std::ops::Range<u32>,
        threads: Option<usize>,
    ) -> Result<CpuBackend, String> {
        let pool = CpuBackend::pool(threads)?;
        // Built on the pool: the lanes' first touch (page faults, zeroing) is most of the
        // cost of a batch's start, and would otherwise be serial on the main thread.
        let lanes = pool.install(|| {
            (0..replicates)
                .into_par_iter()
                .map(|r| Lane::new(&plan, r, record.contains(&r)))
                .collect()
        });
        Ok(CpuBackend::with_pool(plan, lanes, pool))
    }

    /// A backend that carries on from given replicate states (a fork of a live run).
    pub fn from_lanes(
        plan: std::sync::Arc<Plan>,
        lanes: Vec<Lane>,
        threads: Option<usize>,
    ) -> Result<CpuBackend, String> {
        let pool = CpuBackend::pool(threads)?;
        Ok(CpuBackend::with_pool(plan, lanes, pool))
    }

    fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, String> {
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(t) = threads {
            builder = builder.num_threads(t);
        }
        builder.build().map_err(|e| e.to_string())
    }

    fn with_pool(
        plan: std::sync::Arc<Plan>,
        lanes: Vec<Lane>,
        pool: rayon::ThreadPool,
    ) -> CpuBackend {
        let threads = pool.current_num_threads();
        let first = lanes.iter().position(|l| !l.events.is_empty()).unwrap_or(0);
        let due = lanes
            .iter()
            .map(|l| l.calendar[CAL_NEXT as usize])
            .collect();
        let n = lanes.iter().filter(|l| !l.events.is_empty()).count();
        CpuBackend {
            batteries: plan.batteries.clone(),
            plan,
            lanes,
            started: Vec::new(),
            clock: AtomicU32::new(NEVER),
            due,
            changed: Vec::new(),
            recorded: first as u32..(first + n) as u32,
            drained: vec![Vec::new(); n],
            pool,
            threads,
            observer: None,
        }
    }

    /// The replicates that record events.
    pub(super) fn recorded_range(&self) -> std::ops::Range<u32> {
        self.recorded.clone()
    }

    /// Call `observer` with the whole state before each kernel of every tick from now on:
    /// how the per-kernel tests record the states they replay. The kernels then run one
    /// at a time over all replicates, as dispatches do on the GPU, on one thread; the
    /// results are the same bits.
    pub fn observe(&mut self, observer: Observer) {
        self.observer = Some(observer);
    }

    /// One tick kernel by kernel, with the observer called before each.
    fn step_observed(&mut self, params: Params, started: &[Started], observer: &mut Observer) {
        let mut state = TickState {
            params,
            started: started.to_vec(),
            batteries: self.batteries.clone(),
            lanes: std::mem::take(&mut self.lanes),
            clock: NEVER,
        };
        for lane in &mut state.lanes {
            lane.begin_tick();
        }
        for kernel in Kernel::ALL {
            observer(kernel, &state);
            state.run_twin(&self.plan, kernel);
        }
        self.clock.store(state.clock, Ordering::Relaxed);
        self.lanes = state.lanes;
        for (d, l) in self.due.iter_mut().zip(&self.lanes) {
            *d = l.calendar[CAL_NEXT as usize];
        }
    }
}

/// Below this many lanes due at a tick, they run on the calling thread: handing them to
/// the pool would cost more than their work.
const SERIAL_LANES: usize = 8;

/// What one tick of the lanes adds up to: rows listed, lanes that listed any, the status
/// words or-ed, and the replicates whose assets changed (ascending).
#[derive(Default)]
struct TickSum {
    steps: u64,
    lane_ticks: u64,
    status: [u32; STATUS_WORDS],
    changed: Vec<u32>,
}

impl TickSum {
    fn of(r: usize, lane: &mut Lane) -> TickSum {
        let status = lane.take_status();
        TickSum {
            steps: lane.pair_count as u64,
            lane_ticks: (lane.pair_count > 0) as u64,
            status,
            changed: if status[S_ASSETS_CHANGED] != 0 {
                vec![r as u32]
            } else {
                Vec::new()
            },
        }
    }

    /// `self` then `other`, in replicate order.
    fn then(mut self, mut other: TickSum) -> TickSum {
        self.steps += other.steps;
        self.lane_ticks += other.lane_ticks;
        for (a, b) in self.status.iter_mut().zip(other.status) {
            *a |= b;
        }
        self.changed.append(&mut other.changed);
        self
    }
}

impl Backend for CpuBackend {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            kind: "cpu".into(),
            adapter: format!("host {}", std::env::consts::ARCH),
            threads: self.threads,
        }
    }

    fn upload(&mut self, changes: &[Upload]) -> Result<(), String> {
        for c in changes {
            match *c {
                Upload::GroupStart {
                    replicate,
                    group,
                    tick,
                } => {
                    self.lanes[replicate as usize].group_start[group as usize] = tick;
                    let d = &mut self.due[replicate as usize];
                    *d = (*d).min(tick);
                    if !self.started.iter().any(|s| s.group == group) {
                        self.started.push(self.plan.started(group));
                    }
                }
                Upload::Launchers {
                    replicate,
                    word,
                    bits,
                } => self.lanes[replicate as usize].launchers[word as usize] = bits,
                Upload::BatteryOnline { battery, online } => {
                    self.batteries[battery as usize].online = online as u32
                }
                Upload::Away {
                    replicate,
                    asset,
                    away,
                } => self.lanes[replicate as usize].assets[asset as usize].away = away as u32,
                Upload::Magazine {
                    first,
                    end,
                    slot,
                    tick,
                    change,
                } => {
                    let row = &self.plan.slots[slot as usize];
                    for lane in &mut self.lanes[first as usize..end as usize] {
                        let m = &mut lane.magazines[slot as usize];
                        *m = change.apply(*m, row, tick);
                    }
                }
            }
        }
        Ok(())
    }

    fn step(&mut self, params: Params, _limit: StepLimit) -> Result<StepReport, String> {
        self.clock.store(NEVER, Ordering::Relaxed);
        let started = std::mem::take(&mut self.started);
        let params = Params {
            started: started.len() as u32,
            ..params
        };
        let sum = if let Some(mut observer) = self.observer.take() {
            self.step_observed(params, &started, &mut observer);
            self.observer = Some(observer);
            self.lanes
                .iter_mut()
                .enumerate()
                .fold(TickSum::default(), |a, (r, l)| a.then(TickSum::of(r, l)))
        } else {
            let tb = Tables::new(&self.plan, &self.batteries, params, &started);
            let clock = &self.clock;
            let tick = params.tick;
            // The lanes due now run their five kernels back to back; the others sit out
            // (their calendars hold nothing at this tick, and no group starts in them).
            let run = |(r, (lane, due)): (usize, (&mut Lane, &mut u32))| {
                lane.begin_tick();
                for kernel in Kernel::ALL {
                    cpu::run(kernel, &tb, lane, clock);
                }
                *due = lane.calendar[CAL_NEXT as usize];
                TickSum::of(r, lane)
            };
            let busy = self.due.iter().filter(|&&d| d == tick).count();
            let lanes = self.lanes.iter_mut().zip(self.due.iter_mut()).enumerate();
            if busy < SERIAL_LANES {
                lanes
                    .filter(|(_, (_, d))| **d == tick)
                    .map(run)
                    .fold(TickSum::default(), TickSum::then)
            } else {
                let (lanes, due) = (&mut self.lanes, &mut self.due);
                self.pool.install(|| {
                    lanes
                        .par_iter_mut()
                        .zip(due.par_iter_mut())
                        .enumerate()
                        .filter(|(_, (_, d))| **d == tick)
                        .map(run)
                        .reduce(TickSum::default, TickSum::then)
                })
            }
        };
        // The run's next tick: the earliest wake of any lane, run or not.
        let next = self.due.iter().copied().min().unwrap_or(NEVER);
        check_status(&sum.status, params.tick)?;
        self.changed = sum.changed;
        Ok(StepReport {
            last: params.tick,
            ticks: 1,
            next,
            assets_changed: sum.status[S_ASSETS_CHANGED] != 0,
            steps: sum.steps,
            lane_ticks: sum.lane_ticks,
        })
    }

    fn changed_assets(
        &mut self,
        changed: &mut Vec<u32>,
        assets: &mut [AssetState],
    ) -> Result<(), String> {
        let a = self.plan.assets.len();
        changed.clear();
        for &r in &self.changed {
            let lane = &self.lanes[r as usize];
            assets[r as usize * a..(r as usize + 1) * a].copy_from_slice(&lane.assets);
            changed.push(r);
        }
        Ok(())
    }

    fn magazines(&mut self) -> Result<Vec<MagazineState>, String> {
        Ok(self
            .lanes
            .iter()
            .flat_map(|l| l.magazines.iter().copied())
            .collect())
    }

    fn drain_events(&mut self, out: &mut Vec<(u32, Event)>) -> Result<(), String> {
        let (first, end) = (self.recorded.start as usize, self.recorded.end as usize);
        for (r, lane) in self.lanes[first..end].iter_mut().enumerate() {
            let kept = std::mem::take(&mut self.drained[r]);
            out.extend(kept.into_iter().map(|e| ((first + r) as u32, e)));
            for e in &lane.events[..lane.event_count as usize] {
                out.push(((first + r) as u32, *e));
            }
            lane.event_count = 0;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<FinalState, String> {
        let lanes = std::mem::take(&mut self.lanes);
        let n = lanes.len();
        let width = |f: fn(&Lane) -> usize| lanes.first().map_or(0, f);
        // Zeroed by calloc: the pages are touched first by the pool's copies below.
        let mut fs = FinalState {
            counters: bytemuck::zeroed_vec(n * width(|l| l.counters.len())),
            magazines: bytemuck::zeroed_vec(n * width(|l| l.magazines.len())),
            assets: bytemuck::zeroed_vec(n * width(|l| l.assets.len())),
            threats: bytemuck::zeroed_vec(n * width(|l| l.threats.len())),
        };
        let parts = (
            lanes,
            per_lane(&mut fs.counters, n),
            per_lane(&mut fs.magazines, n),
            per_lane(&mut fs.assets, n),
            per_lane(&mut fs.threats, n),
        );
        // Each lane is freed as soon as it is copied: the final state does not double
        // the memory of the run.
        self.pool.install(|| {
            parts
                .into_par_iter()
                .for_each(|(lane, counters, magazines, assets, threats)| {
                    counters.copy_from_slice(&lane.counters);
                    magazines.copy_from_slice(&lane.magazines);
                    assets.copy_from_slice(&lane.assets);
                    threats.copy_from_slice(&lane.threats);
                })
        });
        Ok(fs)
    }

    fn lane(&self, replicate: u32) -> Option<&Lane> {
        self.lanes.get(replicate as usize)
    }

    fn lane_major(&mut self) -> Option<&mut dyn LaneMajor> {
        // The per-kernel tests' observer sees whole ticks: tick by tick then.
        if self.observer.is_some() {
            None
        } else {
            Some(self)
        }
    }
}

/// `all` cut into `n` equal parts, one per lane (empty parts where it is empty).
fn per_lane<T>(all: &mut [T], n: usize) -> Vec<&mut [T]> {
    match all.len().checked_div(n) {
        Some(width) if width > 0 => all.chunks_mut(width).collect(),
        _ => (0..n).map(|_| <&mut [T]>::default()).collect(),
    }
}

/// A step's status words as an error: a full event or candidate buffer, a calendar that
/// fell behind, a loop cut short on the GPU.
pub fn check_status(status: &[u32], tick: u32) -> Result<(), String> {
    if status[S_LOOP_LIMIT] != 0 {
        return Err(format!(
            "a GPU kernel loop was cut short at tick {tick} (lavapipe ends loops after \
             65,535 iterations): run this scenario on the CPU backend"
        ));
    }
    if status[S_OVERFLOW] != 0 {
        return Err(format!(
            "an event or candidate buffer overflowed at tick {tick}"
        ));
    }
    if status[S_LATE_WAKE] != 0 {
        return Err(format!(
            "a threat's wake fell behind the clock at tick {tick}: an engine bug, please \
             report it with the scenario and seed"
        ));
    }
    Ok(())
}
