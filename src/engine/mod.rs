//! The Monte Carlo engine: the plan (shared tables), the flat per-replicate arrays, the
//! kernels and the backends that run them. It is a leaf: the host loop that drives it
//! tick by tick lives above it and is never named here.

pub mod backend;
pub mod budget;
pub mod cpu;
pub mod decisions;
pub mod gpu;
pub mod lanes;
pub mod layout;
pub mod next_tick;
pub mod params;
pub mod plan;
pub mod posterior;
pub mod rng;
pub mod snapshot;

/// The five kernels of a tick, in the order they run. Each exists twice: the CPU twin in
/// `cpu/` and the WGSL in `shaders/<name>.wgsl`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// Puts started groups in each replicate's calendar; lists the rows due this tick.
    Schedule,
    /// Launches, failures, arrivals; puts threats on the candidate list.
    Advance,
    /// Gives each candidate a fire channel and rounds, in priority order.
    Allocate,
    /// Kill draws of the salvos `allocate` assigned.
    Engage,
    /// Hits, damage, out of action; puts each listed row's next wake in its calendar.
    Impact,
}

impl Kernel {
    pub const ALL: [Kernel; 5] = [
        Kernel::Schedule,
        Kernel::Advance,
        Kernel::Allocate,
        Kernel::Engage,
        Kernel::Impact,
    ];

    /// The entry point and file name: `shaders/<name>.wgsl`, `cpu/<name>.rs`.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Schedule => "schedule",
            Kernel::Advance => "advance",
            Kernel::Allocate => "allocate",
            Kernel::Engage => "engage",
            Kernel::Impact => "impact",
        }
    }

    /// Position in [`Kernel::ALL`] (and in `gpu::KERNELS`).
    pub fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Kernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
