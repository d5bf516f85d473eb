//! The whole state of a tick just before one kernel runs: every replicate's buffers and
//! what the kernels of that tick read. The CPU backend hands one to an observer before
//! each kernel ([`crate::engine::backend::CpuBackend::observe`]); the per-kernel tests
//! (`tests/kernels.rs`) run one kernel's twin on a copy and its WGSL on the device from
//! the same state ([`crate::engine::gpu::replay`]), and compare what each wrote.

use std::sync::atomic::AtomicU32;

use super::Kernel;
use super::cpu::{self, Lane, Tables};
use super::layout::*;
use super::plan::Plan;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TickState {
    /// This tick's constants, for all replicates (`first_replicate` is the RNG key of
    /// the first lane; no replicate records events by `Params`, lanes do by their own
    /// event buffers).
    pub params: Params,
    /// Groups that start this tick in some replicate.
    pub started: Vec<Started>,
    /// The plan's battery table with the host's on/off switches.
    pub batteries: Vec<BatteryRow>,
    pub lanes: Vec<Lane>,
    /// The run's clock so far this tick: the earliest wake the kernels have reported
    /// (`layout::CLOCK_NEXT`), `NEVER` before any.
    pub clock: u32,
}

impl TickState {
    /// Run one kernel's CPU twin over every replicate.
    pub fn run_twin(&mut self, plan: &Plan, kernel: Kernel) {
        let clock = AtomicU32::new(self.clock);
        let tb = Tables::new(plan, &self.batteries, self.params, &self.started);
        for lane in &mut self.lanes {
            cpu::run(kernel, &tb, lane, &clock);
        }
        self.clock = clock.into_inner();
    }

    /// The run's status words: every replicate's, or-ed (the GPU keeps one set per run).
    pub fn status(&self) -> [u32; STATUS_WORDS] {
        let mut words = [0; STATUS_WORDS];
        for lane in &self.lanes {
            for (w, &s) in words.iter_mut().zip(&lane.status) {
                *w |= s;
            }
        }
        words
    }

    /// The replicates (lane indices) that record events, which must be consecutive.
    pub fn recorded(&self) -> std::ops::Range<u32> {
        let first = self.lanes.iter().position(|l| !l.events.is_empty());
        let n = self.lanes.iter().filter(|l| !l.events.is_empty()).count();
        let first = first.unwrap_or(0) as u32;
        first..first + n as u32
    }
}

/// Called with the state before each kernel of each tick (see
/// [`crate::engine::backend::CpuBackend::observe`]).
pub type Observer = Box<dyn FnMut(Kernel, &TickState) + Send>;
