//! Per-kernel timings for `hormuz bench`: each kernel in its own pass with timestamp
//! queries where the adapter has them, else in its own submission timed by the host.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::backend::GpuBackend;
use super::{KERNELS, L_COUNT, LIST_HEADER};
use crate::engine::Kernel;
use crate::engine::layout::*;

/// Kernel timings gathered while [`GpuBackend::set_profiling`] is on.
#[derive(Clone, Debug, Default)]
pub struct KernelProfile {
    /// Seconds in each kernel, in [`KERNELS`] order.
    pub seconds: [f64; 5],
    /// Bytes of rows and tables each kernel must read and write (a lower bound: the
    /// rows every invocation touches).
    pub bytes: [u64; 5],
    /// Pairs or replicates each kernel ran its twin for (for `schedule`, every
    /// replicate at every tick).
    pub invocations: [u64; 5],
    /// Timed by timestamp queries (else by wall time around each kernel's submission).
    pub timestamps: bool,
}

/// Bytes every invocation of a kernel reads or writes whatever its path: `schedule`
/// reads its replicate's next wake and reports it to the clock; `advance` reads the listed
/// pair, the track and the threat row and writes the row and its wake; `allocate` reads
/// the listed replicate and its candidate count and resets it; `engage` reads the listed
/// pair and the row's `shot_opp`; `impact` reads the listed pair, the row's status and its
/// wake, and puts the wake in the calendar (a head, a link, the next wake).
const TRACK: u64 = std::mem::size_of::<Track>() as u64;
const THREAT: u64 = std::mem::size_of::<Threat>() as u64;
pub const KERNEL_BYTES: [u64; 5] = [
    4 + 4,
    4 + TRACK + THREAT + 4 + 4 + THREAT + 4,
    4 + 4 + 4,
    4 + 4,
    4 + 4 + 4 + 4 + 4 + 4,
];

/// Bytes of the resolved timestamps: a begin and an end per kernel.
const TIMES_BYTES: u64 = 2 * 8 * KERNELS.len() as u64;

/// The queries (set, resolve buffer, staging) where the adapter has them, and the
/// timings so far.
pub(super) struct Profiler {
    queries: Option<(wgpu::QuerySet, wgpu::Buffer, wgpu::Buffer)>,
    profile: Arc<Mutex<KernelProfile>>,
}

impl GpuBackend {
    /// Time each kernel from now on (each kernel then gets its own pass, or its own
    /// submission where the adapter has no timestamp queries). The returned handle
    /// accumulates the timings, and stays readable after the backend moves into the
    /// host loop.
    pub fn set_profiling(&mut self) -> Arc<Mutex<KernelProfile>> {
        let c = &self.ctx;
        let queries = c.timestamps.then(|| {
            let set = c.device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("kernel times"),
                ty: wgpu::QueryType::Timestamp,
                count: 2 * KERNELS.len() as u32,
            });
            let resolve = c.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("kernel times"),
                size: TIMES_BYTES,
                usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            });
            let staging = c.staging("kernel times", TIMES_BYTES);
            (set, resolve, staging)
        });
        let profile = Arc::new(Mutex::new(KernelProfile {
            timestamps: c.timestamps,
            ..KernelProfile::default()
        }));
        self.profiler = Some(Profiler {
            queries,
            profile: profile.clone(),
        });
        profile
    }

    /// Run the kernels with timing, and count what each ran over; the caller submits
    /// `encoder` afterwards.
    pub(super) fn run_profiled(
        &mut self,
        mut encoder: wgpu::CommandEncoder,
    ) -> Result<wgpu::CommandEncoder, String> {
        let c = self.ctx.clone();
        let Some(profiler) = self.profiler.take() else {
            return Ok(encoder);
        };
        let mut seconds = [0.0f64; 5];
        if let Some((set, resolve, staging)) = &profiler.queries {
            for kernel in Kernel::ALL {
                let i = kernel.index() as u32;
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some(kernel.name()),
                    timestamp_writes: Some(wgpu::ComputePassTimestampWrites {
                        query_set: set,
                        beginning_of_pass_write_index: Some(2 * i),
                        end_of_pass_write_index: Some(2 * i + 1),
                    }),
                });
                self.dispatch(&mut pass, kernel);
            }
            let n = 2 * KERNELS.len() as u32;
            encoder.resolve_query_set(set, 0..n, resolve, 0);
            encoder.copy_buffer_to_buffer(resolve, 0, staging, 0, TIMES_BYTES);
            c.queue.submit([encoder.finish()]);
            let ts: Vec<u64> = c.read(staging, 0..TIMES_BYTES)?;
            let period = c.queue.get_timestamp_period() as f64 * 1e-9;
            for (kernel, s) in seconds.iter_mut().enumerate() {
                *s = ts[2 * kernel + 1].saturating_sub(ts[2 * kernel]) as f64 * period;
            }
        } else {
            c.queue.submit([encoder.finish()]);
            c.wait()?;
            for (kernel, s) in Kernel::ALL.into_iter().zip(seconds.iter_mut()) {
                let mut e = c.device.create_command_encoder(&Default::default());
                {
                    let mut pass = e.begin_compute_pass(&Default::default());
                    self.dispatch(&mut pass, kernel);
                }
                let t0 = Instant::now();
                c.queue.submit([e.finish()]);
                c.wait()?;
                *s = t0.elapsed().as_secs_f64();
            }
        }
        // What the list kernels ran over: the lengths of the batches' lists.
        let header = LIST_HEADER * 4;
        let staging = c.staging("list headers", 2 * header * self.batches.len() as u64);
        let mut e = c.device.create_command_encoder(&Default::default());
        for (i, b) in self.batches.iter().enumerate() {
            let at = 2 * i as u64 * header;
            e.copy_buffer_to_buffer(&b.pairs, 0, &staging, at, header);
            e.copy_buffer_to_buffer(&b.lanes, 0, &staging, at + header, header);
        }
        c.queue.submit([e.finish()]);
        let words: Vec<u32> = c.read(&staging, 0..2 * header * self.batches.len() as u64)?;
        let (mut pairs, mut lanes) = (0u64, 0u64);
        for h in words.chunks(2 * LIST_HEADER as usize) {
            pairs += h[L_COUNT] as u64;
            lanes += h[LIST_HEADER as usize + L_COUNT] as u64;
        }
        let invocations = [self.replicates as u64, pairs, lanes, pairs, pairs];
        // A reader that panicked holding the lock leaves the timings as they were.
        if let Ok(mut p) = profiler.profile.lock() {
            for kernel in 0..KERNELS.len() {
                p.seconds[kernel] += seconds[kernel];
                p.invocations[kernel] += invocations[kernel];
                p.bytes[kernel] += invocations[kernel] * KERNEL_BYTES[kernel];
            }
        }
        self.profiler = Some(profiler);
        Ok(c.device.create_command_encoder(&Default::default()))
    }
}
