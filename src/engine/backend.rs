//! Where the kernels run. The host loop (`crate::world::Simulation`) drives a
//! [`Backend`] tick by tick: it uploads what the world decided (groups started, launchers
//! lost, batteries switched), runs the five kernels over the active tracks of every
//! replicate, and reads back only what the world needs next.

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;

use super::cpu::{self, Lane, Tables};
use super::layout::*;
use super::plan::Plan;

/// A change the world makes to per-replicate state between ticks.
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
    fn upload(&mut self, changes: &[Upload]);
    fn step(&mut self, params: Params, active: &[u32]) -> Result<StepReport, String>;
    /// Asset state of every replicate (replicate-major), for triggers.
    fn assets(&mut self) -> Vec<AssetState>;
    /// Events recorded this tick, as (local replicate, event).
    fn drain_events(&mut self, out: &mut Vec<(u32, Event)>);
    fn finish(&mut self) -> FinalState;
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
    /// The plan's battery table, with the world's on/off switches applied.
    batteries: Vec<BatteryRow>,
    lanes: Vec<Lane>,
    track_next: Vec<AtomicU32>,
    pool: rayon::ThreadPool,
    threads: usize,
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
        })
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

    fn upload(&mut self, changes: &[Upload]) {
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
            }
        }
    }

    fn step(&mut self, params: Params, active: &[u32]) -> Result<StepReport, String> {
        let plan = &self.plan;
        let tb = Tables {
            params,
            tracks: &plan.tracks,
            weapons: &plan.weapons,
            opportunities: &plan.opportunities,
            slots: &plan.slots,
            batteries: &self.batteries,
            assets: &plan.assets,
            active,
        };
        for &k in active {
            self.track_next[k as usize].store(0, Ordering::Relaxed);
        }
        let track_next = &self.track_next;
        let n = active.len() as u32;
        let (changed, overflow) = self.pool.install(|| {
            self.lanes
                .par_iter_mut()
                .map(|lane| {
                    lane.event_count = 0;
                    lane.status = [0; STATUS_WORDS];
                    lane.work_count = 0;
                    for a in 0..n {
                        cpu::schedule(&tb, lane, a, track_next);
                    }
                    for i in 0..lane.work_count {
                        cpu::advance(&tb, lane, lane.work[i as usize]);
                    }
                    cpu::allocate(&tb, lane);
                    for i in 0..lane.work_count {
                        cpu::engage(&tb, lane, lane.work[i as usize]);
                    }
                    for i in 0..lane.work_count {
                        cpu::impact(&tb, lane, lane.work[i as usize], track_next);
                    }
                    (
                        lane.status[S_ASSETS_CHANGED] != 0,
                        lane.status[S_OVERFLOW] != 0,
                    )
                })
                .reduce(|| (false, false), |a, b| (a.0 || b.0, a.1 || b.1))
        });
        if overflow {
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
            assets_changed: changed,
        })
    }

    fn assets(&mut self) -> Vec<AssetState> {
        self.lanes
            .iter()
            .flat_map(|l| l.assets.iter().copied())
            .collect()
    }

    fn drain_events(&mut self, out: &mut Vec<(u32, Event)>) {
        for (r, lane) in self.lanes.iter_mut().enumerate() {
            for e in &lane.events[..lane.event_count as usize] {
                out.push((r as u32, *e));
            }
            lane.event_count = 0;
        }
    }

    fn finish(&mut self) -> FinalState {
        FinalState {
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
        }
    }

    fn lane(&self, replicate: u32) -> Option<&Lane> {
        self.lanes.get(replicate as usize)
    }
}
