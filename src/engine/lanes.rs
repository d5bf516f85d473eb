//! Lane-major stepping, the CPU backend's loop order: each replicate runs through its own
//! due ticks, one after another, while its rows are in the core's cache, instead of every
//! replicate taking one tick at a time. The kernels are the same twins, tick by tick,
//! over the same state, so the results are the same bits; only the order in which
//! replicates take their ticks differs, and replicates never touch each other's state.
//!
//! The host stops each lane where it has something to decide for it: before a tick at
//! which an order falls due in that replicate (`stops`), and after a tick at which its
//! assets changed when a trigger may then fire (`stop_after_hit`).

use rayon::prelude::*;

use super::Kernel;
use super::backend::{CpuBackend, check_status};
use super::cpu::{self, Lane, Tables};
use super::layout::*;

/// A backend that runs each replicate through its own ticks.
pub trait LaneMajor {
    /// Run every lane through the ticks its calendar holds before `stops[r]` (a lane that
    /// a group starts in first runs the tick it starts), and stop a lane after a tick at
    /// which its assets changed if `stop_after_hit(r, assets)`. `params` gives all but the
    /// tick.
    fn run_lanes(
        &mut self,
        params: Params,
        stops: &[u32],
        stop_after_hit: &(dyn Fn(u32, &[AssetState]) -> bool + Sync),
    ) -> Result<LanesReport, String>;
    /// The tick each lane runs next (`NEVER` when none).
    fn due(&self) -> &[u32];
    /// A lane's asset state.
    fn lane_assets(&self, replicate: u32) -> &[AssetState];
}

/// What a lane-major step did.
#[derive(Clone, Debug, Default)]
pub struct LanesReport {
    /// The lanes stopped after a hit, and the tick, in replicate order.
    pub hits: Vec<(u32, u32)>,
    /// Threat rows listed, and replicate-ticks with rows listed.
    pub steps: u64,
    pub lane_ticks: u64,
}

/// One lane's share of a step: its work, where it stopped after a hit, and the first
/// tick whose status words were an error.
#[derive(Default)]
struct LaneRun {
    report: LanesReport,
    failed: Option<(u32, [u32; STATUS_WORDS])>,
}

impl LaneRun {
    fn then(mut self, other: LaneRun) -> LaneRun {
        self.report.hits.extend(other.report.hits);
        self.report.steps += other.report.steps;
        self.report.lane_ticks += other.report.lane_ticks;
        self.failed = match (self.failed, other.failed) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        };
        self
    }
}

impl LaneMajor for CpuBackend {
    fn run_lanes(
        &mut self,
        params: Params,
        stops: &[u32],
        stop_after_hit: &(dyn Fn(u32, &[AssetState]) -> bool + Sync),
    ) -> Result<LanesReport, String> {
        let started = std::mem::take(&mut self.started);
        let (plan, batteries, clock) = (&self.plan, &self.batteries, &self.clock);
        clock.store(NEVER, std::sync::atomic::Ordering::Relaxed);
        let run =
            |(r, ((lane, due), events)): (usize, ((&mut Lane, &mut u32), &mut Vec<Event>))| {
                let mut out = LaneRun::default();
                // Groups start only at a lane's first tick here: the host uploads them where
                // the lane stands.
                let mut started = &started[..];
                while *due < stops[r] {
                    let tick = *due;
                    let p = Params {
                        tick,
                        started: started.len() as u32,
                        ..params
                    };
                    let tb = Tables::new(plan, batteries, p, started);
                    started = &[];
                    lane.begin_tick();
                    for kernel in Kernel::ALL {
                        cpu::run(kernel, &tb, lane, clock);
                    }
                    *due = lane.calendar[CAL_NEXT as usize];
                    out.report.steps += lane.pair_count as u64;
                    out.report.lane_ticks += (lane.pair_count > 0) as u64;
                    if !lane.events.is_empty() {
                        events.extend_from_slice(&lane.events[..lane.event_count as usize]);
                        lane.event_count = 0;
                    }
                    let status = lane.take_status();
                    if status[S_OVERFLOW] | status[S_LOOP_LIMIT] | status[S_LATE_WAKE] != 0 {
                        out.failed = Some((tick, status));
                        break;
                    }
                    if status[S_ASSETS_CHANGED] != 0 && stop_after_hit(r as u32, &lane.assets) {
                        out.report.hits.push((r as u32, tick));
                        break;
                    }
                }
                out
            };
        // Recorded lanes keep their events here between ticks; the others have none.
        let recorded = self.recorded_range();
        let mut none: Vec<Vec<Event>> = Vec::new();
        none.resize_with(self.lanes.len(), Vec::new);
        for (i, r) in recorded.clone().enumerate() {
            none[r as usize] = std::mem::take(&mut self.drained[i]);
        }
        let (lanes, due) = (&mut self.lanes, &mut self.due);
        let sum = self.pool.install(|| {
            lanes
                .par_iter_mut()
                .zip(due.par_iter_mut())
                .zip(none.par_iter_mut())
                .enumerate()
                .map(run)
                .reduce(LaneRun::default, LaneRun::then)
        });
        for (i, r) in recorded.enumerate() {
            self.drained[i] = std::mem::take(&mut none[r as usize]);
        }
        if let Some((tick, status)) = sum.failed {
            check_status(&status, tick)?;
        }
        Ok(sum.report)
    }

    fn due(&self) -> &[u32] {
        &self.due
    }

    fn lane_assets(&self, replicate: u32) -> &[AssetState] {
        &self.lanes[replicate as usize].assets
    }
}
