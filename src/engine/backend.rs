//! Where the kernels run. The host loop drives a [`Backend`] tick by tick: it uploads
//! what the host decided (groups started, launchers lost, batteries switched), runs the
//! five kernels over the active tracks of every replicate, and reads back only what the
//! host needs next. Every read can fail on the GPU (a lost device, a failed map): each
//! returns the failure, never panics.

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;

use super::Kernel;
use super::cpu::{self, Lane, Tables};
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

/// What the host learns from one tick.
#[derive(Clone, Debug, Default)]
pub struct StepReport {
    /// Earliest wake over all replicates for each active track, in the order given.
    pub track_next: Vec<u32>,
    /// Some asset was hit this tick (triggers need a fresh look).
    pub assets_changed: bool,
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
    fn step(&mut self, params: Params, active: &[u32]) -> Result<StepReport, String>;
    /// Asset state of every replicate (replicate-major), for triggers.
    fn assets(&mut self) -> Result<Vec<AssetState>, String>;
    /// Events recorded this tick, as (local replicate, event).
    fn drain_events(&mut self, out: &mut Vec<(u32, Event)>) -> Result<(), String>;
    fn finish(&mut self) -> Result<FinalState, String>;
    /// One replicate's live state, where the backend keeps it in host memory (the app).
    fn lane(&self, _replicate: u32) -> Option<&Lane> {
        None
    }
}

/// The CPU backend: the twin kernels over replicates in parallel with rayon. Replicates
/// never touch each other's state within a tick, so running each replicate's five
/// kernels back to back gives what five dispatches over all replicates give.
pub struct CpuBackend {
    plan: std::sync::Arc<Plan>,
    /// The plan's battery table, with the host's on/off switches applied.
    batteries: Vec<BatteryRow>,
    lanes: Vec<Lane>,
    track_next: Vec<AtomicU32>,
    pool: rayon::ThreadPool,
    threads: usize,
    observer: Option<Observer>,
}

impl CpuBackend {
    pub fn new(
        plan: std::sync::Arc<Plan>,
        replicates: u32,
        record: std::ops::Range<u32>,
        threads: Option<usize>,
    ) -> Result<CpuBackend, String> {
        let lanes = (0..replicates)
            .map(|r| Lane::new(&plan, r, record.contains(&r)))
            .collect();
        CpuBackend::from_lanes(plan, lanes, threads)
    }

    /// A backend that carries on from given replicate states (a fork of a live run).
    pub fn from_lanes(
        plan: std::sync::Arc<Plan>,
        lanes: Vec<Lane>,
        threads: Option<usize>,
    ) -> Result<CpuBackend, String> {
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(t) = threads {
            builder = builder.num_threads(t);
        }
        let pool = builder.build().map_err(|e| e.to_string())?;
        let threads = pool.current_num_threads();
        let track_next = (0..plan.tracks.len()).map(|_| AtomicU32::new(0)).collect();
        Ok(CpuBackend {
            batteries: plan.batteries.clone(),
            plan,
            lanes,
            track_next,
            pool,
            threads,
            observer: None,
        })
    }

    /// Call `observer` with the whole state before each kernel of every tick from now on:
    /// how the per-kernel tests record the states they replay. The kernels then run one
    /// at a time over all replicates, as dispatches do on the GPU, on one thread; the
    /// results are the same bits.
    pub fn observe(&mut self, observer: Observer) {
        self.observer = Some(observer);
    }

    /// One tick kernel by kernel, with the observer called before each.
    fn step_observed(&mut self, params: Params, active: &[u32], observer: &mut Observer) {
        let mut state = TickState {
            params,
            active_list: active.to_vec(),
            batteries: self.batteries.clone(),
            lanes: std::mem::take(&mut self.lanes),
            track_next: self
                .track_next
                .iter()
                .map(|n| n.load(Ordering::Relaxed))
                .collect(),
        };
        for lane in &mut state.lanes {
            lane.begin_tick();
        }
        for kernel in Kernel::ALL {
            observer(kernel, &state);
            state.run_twin(&self.plan, kernel);
        }
        for (n, &v) in self.track_next.iter().zip(&state.track_next) {
            n.store(v, Ordering::Relaxed);
        }
        self.lanes = state.lanes;
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
                } => self.lanes[replicate as usize].group_start[group as usize] = tick,
                Upload::Launchers {
                    replicate,
                    word,
                    bits,
                } => self.lanes[replicate as usize].launchers[word as usize] = bits,
                Upload::BatteryOnline { battery, online } => {
                    self.batteries[battery as usize].online = online as u32
                }
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

    fn step(&mut self, params: Params, active: &[u32]) -> Result<StepReport, String> {
        for &k in active {
            self.track_next[k as usize].store(0, Ordering::Relaxed);
        }
        if let Some(mut observer) = self.observer.take() {
            self.step_observed(params, active, &mut observer);
            self.observer = Some(observer);
        } else {
            let tb = Tables::new(&self.plan, &self.batteries, params, active);
            let track_next = &self.track_next;
            let lanes = &mut self.lanes;
            self.pool.install(|| {
                lanes.par_iter_mut().for_each(|lane| {
                    lane.begin_tick();
                    for kernel in Kernel::ALL {
                        cpu::run(kernel, &tb, lane, track_next);
                    }
                })
            });
        }
        let status = |w: usize| self.lanes.iter().any(|l| l.status[w] != 0);
        if status(S_OVERFLOW) {
            return Err(format!(
                "an event or candidate buffer overflowed at tick {}",
                params.tick
            ));
        }
        Ok(StepReport {
            track_next: active
                .iter()
                .map(|&k| !self.track_next[k as usize].load(Ordering::Relaxed))
                .collect(),
            assets_changed: status(S_ASSETS_CHANGED),
        })
    }

    fn assets(&mut self) -> Result<Vec<AssetState>, String> {
        Ok(self
            .lanes
            .iter()
            .flat_map(|l| l.assets.iter().copied())
            .collect())
    }

    fn drain_events(&mut self, out: &mut Vec<(u32, Event)>) -> Result<(), String> {
        for (r, lane) in self.lanes.iter_mut().enumerate() {
            for e in &lane.events[..lane.event_count as usize] {
                out.push((r as u32, *e));
            }
            lane.event_count = 0;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<FinalState, String> {
        Ok(FinalState {
            counters: self
                .lanes
                .iter()
                .flat_map(|l| l.counters.iter().copied())
                .collect(),
            magazines: self
                .lanes
                .iter()
                .flat_map(|l| l.magazines.iter().copied())
                .collect(),
            assets: self
                .lanes
                .iter()
                .flat_map(|l| l.assets.iter().copied())
                .collect(),
            threats: self
                .lanes
                .iter()
                .flat_map(|l| l.threats.iter().copied())
                .collect(),
        })
    }

    fn lane(&self, replicate: u32) -> Option<&Lane> {
        self.lanes.get(replicate as usize)
    }
}
