//! The GPU backend: the kernels of `shaders/` run by wgpu over all replicates.
//!
//! - `context.rs`: [`GpuContext`], the instance, adapter, device, queue and the compiled
//!   kernels, created once per process and shared by every run; the buffer helpers.
//! - `bindings.rs`: the binding numbers of the shaders, which a kernel uses (found by
//!   naga), and the bind group of one kernel over one batch's buffers.
//! - `batching.rs`: how many replicates go in each batch, from the adapter's limits and
//!   the plan's sizes: a pure function, tested without a device.
//! - `backend.rs`: [`GpuBackend`], one run's buffers, sized once and reused every tick.
//!   Replicates are split into batches so that each per-replicate buffer fits the
//!   adapter's storage binding limit; each batch has its own copy of the per-replicate
//!   buffers and bind groups (calendars included), while the shared tables, the event
//!   buffer, the status words and the clock are bound in every batch.
//! - `profiling.rs`: per-kernel timings for `hormuz bench`.
//! - `replay.rs`: one kernel's WGSL over a recorded [`crate::engine::snapshot::TickState`],
//!   for the per-kernel tests.
//!
//! One submission runs several ticks: for each, empty the batches' work lists, the five
//! kernels in order, each over every batch (wgpu orders dispatches that share a writable
//! buffer), then `next_tick` moves the clock to the next tick any calendar holds (or
//! calls the rest of the submission off where the host must decide); then one copy of the
//! status words, the event counts and the clock into one staging buffer, which is all the
//! host reads back.
//! Asset state, events and the final state are read only when the host asks for them;
//! every read-back that fails is an error, never a panic.
//!
//! The four twins of `src/engine/cpu/` (advance, allocate, engage, impact) run, on the
//! GPU, over work lists that a fifth kernel, `schedule`, builds each tick from each
//! replicate's calendar: the rows due now. For every other row the twins would change
//! nothing. On lavapipe, which runs every instruction of a kernel for every
//! invocation (masked, not skipped), this is what makes the GPU path affordable: without
//! it every pair paid for the whole of `advance`. See `shaders/common.wgsl`.
//!
//! Lavapipe (Mesa 22.3) also gives each invocation 65,535 loop iterations in all, over
//! every loop it runs, and then ends every loop without a word; the kernels check where
//! each loop ends that it ended where the twin's does and report `S_LOOP_LIMIT`, which
//! [`GpuBackend`]'s `step` returns as an error.

mod backend;
mod batching;
mod bindings;
mod context;
mod profiling;
mod replay;

#[cfg(test)]
mod layout_tests;

pub use backend::GpuBackend;
pub use batching::{BatchLimits, RunShape, batch_sizes, largest_batch};
pub use bindings::{binding, used_bindings};
pub use context::{GpuContext, NO_ADAPTER, adapter_info, probe_adapters};
pub use profiling::{KERNEL_BYTES, KernelProfile};
pub use replay::{Replayed, replay, replay_next_tick};

/// Structs, constants, bindings and helpers shared by every kernel.
pub const COMMON_WGSL: &str = include_str!("../../../shaders/common.wgsl");

/// The kernels in the order they run each tick (`engine::Kernel::ALL`): (entry point,
/// source without common). `schedule` runs once per replicate and lists the rows its
/// calendar holds for the tick; the twins of the CPU kernels run over its lists (see
/// `shaders/common.wgsl`).
pub const KERNELS: [(&str, &str); 5] = [
    ("schedule", include_str!("../../../shaders/schedule.wgsl")),
    ("advance", include_str!("../../../shaders/advance.wgsl")),
    ("allocate", include_str!("../../../shaders/allocate.wgsl")),
    ("engage", include_str!("../../../shaders/engage.wgsl")),
    ("impact", include_str!("../../../shaders/impact.wgsl")),
];

/// The clock of a submission of several ticks (`shaders/next_tick.wgsl`), compiled after
/// the kernels: pipeline and bind group `CLOCK_PIPELINE`.
pub const CLOCK_KERNEL: (&str, &str) =
    ("next_tick", include_str!("../../../shaders/next_tick.wgsl"));
pub const CLOCK_PIPELINE: usize = KERNELS.len();
/// Most ticks one submission records: the host reads back once per submission, and a
/// submission stops early (its remaining ticks do nothing) where the host must decide.
pub const MAX_TICKS_PER_SUBMISSION: u32 = 32;

/// The header of a work list (`pairs`, `lanes`), as in the shaders: the indirect dispatch
/// arguments of the kernels that run over it, then its length.
pub const LIST_HEADER: u64 = 4;
pub const L_GROUPS: usize = 0;
pub const L_COUNT: usize = 3;
/// Most workgroups an append asks for (the least `max_compute_workgroups_per_dimension`).
pub const MAX_LIST_GROUPS: u32 = 65535;
/// A list's header at the start of a tick: no workgroups (x = 0, y = z = 1), no entries.
const EMPTY_LIST: [u32; LIST_HEADER as usize] = [0, 1, 1, 0];

/// Invocations per workgroup (along x: replicates in `schedule`, list entries in the
/// others), as in the shaders (`LIST_WORKGROUP`).
pub const WORKGROUP: u32 = 64;

/// A kernel's full source: `common.wgsl` prepended to the kernel.
pub fn kernel_source(kernel: &str) -> String {
    format!("{COMMON_WGSL}\n{kernel}")
}

/// A list's header with `count` entries, as the kernels that append leave it: the x
/// workgroups cover every entry (the shaders' `groups_for`).
fn list_header(count: u32) -> [u32; LIST_HEADER as usize] {
    let groups = if count == 0 {
        0
    } else {
        ((count - 1) / WORKGROUP + 1).min(MAX_LIST_GROUPS)
    };
    [groups, 1, 1, count]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_are_listed_in_the_order_they_run() {
        let names: Vec<&str> = KERNELS.iter().map(|k| k.0).collect();
        let order: Vec<&str> = crate::engine::Kernel::ALL
            .iter()
            .map(|k| k.name())
            .collect();
        assert_eq!(names, order);
    }

    #[test]
    fn a_list_header_covers_its_entries() {
        assert_eq!(list_header(0), EMPTY_LIST);
        assert_eq!(list_header(1), [1, 1, 1, 1]);
        assert_eq!(list_header(64), [1, 1, 1, 64]);
        assert_eq!(list_header(65), [2, 1, 1, 65]);
        assert_eq!(list_header(u32::MAX)[0], MAX_LIST_GROUPS);
    }
}
