//! [`GpuBackend`]: one run's buffers on the device, the tick's submission and the
//! read-backs. See the module documentation of `gpu`.

use std::ops::Range;
use std::sync::Arc;

use bytemuck::Pod;

use super::batching::{BatchLimits, RunShape, batch_sizes, largest_batch};
use super::bindings::{Buffers, bind_group};
use super::context::GpuContext;
use super::profiling::Profiler;
use super::{CLOCK_PIPELINE, EMPTY_LIST, LIST_HEADER, MAX_TICKS_PER_SUBMISSION, WORKGROUP};
use crate::engine::Kernel;
use crate::engine::backend::{
    Backend, BackendInfo, FinalState, StepLimit, StepReport, Upload, check_status,
};
use crate::engine::layout::*;
use crate::engine::plan::Plan;

/// Buffers shared by every batch of a run: the plan's tables and the run's own.
pub(super) struct RunBuffers {
    pub(super) tracks: wgpu::Buffer,
    pub(super) opportunities: wgpu::Buffer,
    pub(super) slots: wgpu::Buffer,
    pub(super) batteries: wgpu::Buffer,
    pub(super) asset_rows: wgpu::Buffer,
    pub(super) tables: wgpu::Buffer,
    /// This tick's started groups.
    pub(super) started: wgpu::Buffer,
    pub(super) events: wgpu::Buffer,
    pub(super) status: wgpu::Buffer,
    /// The run's clock words (`CLOCK_*`).
    pub(super) clock: wgpu::Buffer,
    /// What the ticks of a submission copy from: an empty list's header (whose first
    /// word is also the 0 that `Params::started` takes after the first tick).
    pub(super) constants: wgpu::Buffer,
}

impl RunBuffers {
    fn new(
        c: &GpuContext,
        plan: &Plan,
        battery_rows: &[BatteryRow],
        shape: &RunShape,
    ) -> RunBuffers {
        RunBuffers {
            tracks: c.storage("tracks", &plan.tracks),
            opportunities: c.storage("opportunities", &plan.opportunities),
            slots: c.storage("slots", &plan.slots),
            batteries: c.uniform("batteries", battery_rows),
            asset_rows: c.storage("asset_rows", &plan.assets),
            tables: c.storage("tables", &plan.tables),
            started: c.zeroed(
                "started",
                shape.groups * std::mem::size_of::<Started>() as u64,
            ),
            events: c.zeroed("events", shape.event_bytes()),
            status: c.zeroed("status", status_words(shape) * 4),
            clock: c.zeroed("clock", CLOCK_WORDS as u64 * 4),
            constants: c.storage("constants", &EMPTY_LIST),
        }
    }
}

/// The status words, then one event count per recorded replicate.
fn status_words(shape: &RunShape) -> u64 {
    STATUS_WORDS as u64 + shape.recorded
}

/// Per-replicate buffers of one batch.
pub(super) struct Batch {
    /// First replicate (local index in the run) and count.
    pub(super) first: u32,
    pub(super) replicates: u32,
    pub(super) params: wgpu::Buffer,
    pub(super) threats: wgpu::Buffer,
    pub(super) wake: wgpu::Buffer,
    /// The replicates' calendars (`CALENDAR_WORDS` each) and the rows' links.
    pub(super) calendar: wgpu::Buffer,
    pub(super) link: wgpu::Buffer,
    pub(super) candidates: wgpu::Buffer,
    pub(super) magazines: wgpu::Buffer,
    pub(super) counters: wgpu::Buffer,
    pub(super) assets: wgpu::Buffer,
    pub(super) group_start: wgpu::Buffer,
    pub(super) launchers: wgpu::Buffer,
    /// Each replicate's channels and radar tracks (`Plan::fire_control`).
    pub(super) fire_control: wgpu::Buffer,
    /// This tick's work lists (see `shaders/common.wgsl`).
    pub(super) pairs: wgpu::Buffer,
    pub(super) lanes: wgpu::Buffer,
    /// One per kernel, in `KERNELS` order.
    pub(super) bind_groups: Vec<wgpu::BindGroup>,
}

impl Batch {
    /// Replicates `first..first + n` at the start of a run, with the host's mirrors of
    /// the group starts and launcher words.
    fn new(
        c: &GpuContext,
        plan: &Plan,
        (first, n): (u32, u32),
        mirrors: (&[u32], &[u32]),
        run: &RunBuffers,
    ) -> Result<Batch, String> {
        let (group_start, launchers) = mirrors;
        let t = plan.tracks.len();
        let (g, lw) = (plan.groups.len(), plan.launcher_words as usize);
        let rows = n as usize * t;
        let mags: Vec<MagazineState> = (0..n)
            .flat_map(|_| plan.magazines.iter().copied())
            .collect();
        let span = |stride: usize| first as usize * stride..(first + n) as usize * stride;
        let mut batch = Batch {
            first,
            replicates: n,
            params: c.uniform("params", &[Params::default()]),
            threats: c.storage("threats", &vec![Threat::INITIAL; rows]),
            wake: c.storage("wake", &vec![NEVER; rows]),
            calendar: c.storage(
                "calendar",
                &(0..n).flat_map(|_| empty_calendar()).collect::<Vec<u32>>(),
            ),
            link: c.zeroed("link", rows as u64 * 4),
            candidates: c.zeroed("candidates", rows as u64 * 4),
            magazines: c.storage("magazines", &mags),
            counters: c.zeroed("counters", n as u64 * plan.counter_stride() as u64 * 4),
            assets: c.storage(
                "assets",
                &(0..n)
                    .flat_map(|_| plan.initial_assets.iter().copied())
                    .collect::<Vec<_>>(),
            ),
            group_start: c.storage("group_start", &group_start[span(g)]),
            launchers: c.storage("launchers", &launchers[span(lw)]),
            fire_control: c.storage(
                "fire_control",
                &(0..n)
                    .flat_map(|_| plan.fire_control.iter().copied())
                    .collect::<Vec<u32>>(),
            ),
            pairs: c.list("pairs", (LIST_HEADER + rows as u64) * 4),
            lanes: c.list("lanes", (LIST_HEADER + 2 * n as u64) * 4),
            bind_groups: Vec::new(),
        };
        let buffers = Buffers {
            params: &batch.params,
            tracks: &run.tracks,
            opportunities: &run.opportunities,
            slots: &run.slots,
            batteries: &run.batteries,
            asset_rows: &run.asset_rows,
            started: &run.started,
            threats: &batch.threats,
            wake: &batch.wake,
            calendar: &batch.calendar,
            link: &batch.link,
            candidates: &batch.candidates,
            magazines: &batch.magazines,
            counters: &batch.counters,
            assets: &batch.assets,
            group_start: &batch.group_start,
            launchers: &batch.launchers,
            events: &run.events,
            status: &run.status,
            clock: &run.clock,
            pairs: &batch.pairs,
            lanes: &batch.lanes,
            tables: &run.tables,
            fire_control: &batch.fire_control,
        };
        let bind_groups = c
            .kernels
            .iter()
            .map(|k| bind_group(c, k, &buffers))
            .collect::<Result<Vec<_>, String>>()?;
        batch.bind_groups = bind_groups;
        Ok(batch)
    }
}

/// The GPU backend. See the module documentation of `gpu`.
pub struct GpuBackend {
    pub(super) ctx: Arc<GpuContext>,
    pub(super) plan: Arc<Plan>,
    pub(super) replicates: u32,
    pub(super) record: Range<u32>,
    pub(super) batches: Vec<Batch>,
    pub(super) run: RunBuffers,
    /// Staging for the per-tick readback: status words and event counts, the clock, then
    /// each batch's work-list header.
    readback: wgpu::Buffer,
    /// Groups started by the uploads since the last step.
    started: Vec<Started>,
    /// Ticks recorded in the next submission.
    ticks_per_submission: u32,
    /// Lazily created staging for `assets()` and `drain_events()`.
    assets_staging: Option<wgpu::Buffer>,
    events_staging: Option<wgpu::Buffer>,
    /// Host mirrors of what the host uploads.
    pub(super) battery_rows: Vec<BatteryRow>,
    group_start: Vec<u32>,
    launchers: Vec<u32>,
    /// Event counts per recorded replicate after the last step.
    pub(super) event_counts: Vec<u32>,
    pub(super) profiler: Option<Profiler>,
}

impl GpuBackend {
    /// A backend on the process-wide context. `max_batch` caps the replicates per batch
    /// (tests use it to force several batches); the adapter's limits cap it anyway.
    pub fn new(
        plan: Arc<Plan>,
        replicates: u32,
        record: Range<u32>,
        max_batch: Option<u32>,
    ) -> Result<GpuBackend, String> {
        let ctx = GpuContext::shared()?;
        GpuBackend::with_context(ctx, plan, replicates, record, max_batch)
    }

    /// The most replicates the process-wide device holds in one batch of buffers, for a
    /// run of `plan` recording `recorded` replicates (`batching::largest_batch`).
    pub fn largest_batch(plan: &Plan, recorded: u32) -> Result<u32, String> {
        let ctx = GpuContext::shared()?;
        largest_batch(&BatchLimits::of(&ctx.limits), &RunShape::of(plan, recorded))
    }

    pub fn with_context(
        ctx: Arc<GpuContext>,
        plan: Arc<Plan>,
        replicates: u32,
        record: Range<u32>,
        max_batch: Option<u32>,
    ) -> Result<GpuBackend, String> {
        let record = record.start.min(replicates)..record.end.min(replicates);
        let shape = RunShape::of(&plan, record.len() as u32);
        let limits = BatchLimits::of(&ctx.limits);
        let sizes = batch_sizes(&limits, &shape, replicates, max_batch)?;
        // The tables grow with the replicates when a run draws its parameters (a row of
        // drawn thresholds each, `engine::params`): bound them before the buffer is made.
        let table_bytes = plan.tables.len() as u64 * 4;
        if table_bytes > limits.storage_binding {
            return Err(format!(
                "{replicates} replicates' drawn thresholds make the kernels' tables {table_bytes} bytes, above the adapter's {} a buffer: use a smaller --memory-budget (smaller batches)",
                limits.storage_binding
            ));
        }

        let c = ctx.clone();
        let scope = c.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let mut battery_rows = plan.batteries.clone();
        battery_rows.resize(MAX_BATTERIES, BatteryRow::default());
        let run = RunBuffers::new(&c, &plan, &battery_rows, &shape);
        let readback = c.staging("readback", (status_words(&shape) + CLOCK_WORDS as u64) * 4);
        let launchers: Vec<u32> = (0..replicates)
            .flat_map(|_| plan.launchers_alive())
            .collect();
        let group_start = vec![NEVER; replicates as usize * plan.groups.len()];
        let mut batches = Vec::with_capacity(sizes.len());
        let mut first = 0;
        for n in sizes {
            let mirrors = (group_start.as_slice(), launchers.as_slice());
            batches.push(Batch::new(&c, &plan, (first, n), mirrors, &run)?);
            first += n;
        }
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(format!(
                "not enough GPU memory for {replicates} replicates: {e}"
            ));
        }
        Ok(GpuBackend {
            ctx,
            plan,
            replicates,
            record,
            batches,
            run,
            readback,
            started: Vec::new(),
            ticks_per_submission: 1,
            assets_staging: None,
            events_staging: None,
            battery_rows,
            group_start,
            launchers,
            event_counts: vec![0; shape.recorded as usize],
            profiler: None,
        })
    }

    /// Replicates per batch, in order.
    pub fn batch_sizes(&self) -> Vec<u32> {
        self.batches.iter().map(|b| b.replicates).collect()
    }

    pub fn context(&self) -> &Arc<GpuContext> {
        &self.ctx
    }

    /// Record one kernel's dispatch over every batch: `schedule` over the replicates, the
    /// others indirectly over the work lists.
    pub(super) fn dispatch(&self, pass: &mut wgpu::ComputePass, kernel: Kernel) {
        pass.set_pipeline(&self.ctx.kernels[kernel.index()].pipeline);
        for b in &self.batches {
            pass.set_bind_group(0, &b.bind_groups[kernel.index()], &[]);
            match kernel {
                Kernel::Schedule => {
                    pass.dispatch_workgroups(b.replicates.div_ceil(WORKGROUP), 1, 1)
                }
                Kernel::Allocate => pass.dispatch_workgroups_indirect(&b.lanes, 0),
                _ => pass.dispatch_workgroups_indirect(&b.pairs, 0),
            }
        }
    }

    /// Each batch's `Params`: the run's, for its replicates and its recorded ones.
    pub(super) fn write_params(&self, params: Params) {
        let record_count = self.record.len() as u32;
        for b in &self.batches {
            let p = Params {
                replicates: b.replicates,
                first_replicate: params.first_replicate.wrapping_add(b.first),
                record_first: self.record.start.wrapping_sub(b.first),
                record_count,
                // This batch's rows start at its first replicate's.
                drawn_base: params.drawn_base + b.first * params.drawn_words,
                ..params
            };
            self.ctx
                .queue
                .write_buffer(&b.params, 0, bytemuck::bytes_of(&p));
        }
    }

    /// The start of a submission: its first tick's constants and started groups
    /// written, the status words emptied, the clock set to that tick with the host's
    /// limits, the work lists emptied.
    fn begin_tick(
        &self,
        params: Params,
        started: &[Started],
        limit: StepLimit,
    ) -> wgpu::CommandEncoder {
        let c = &self.ctx;
        if !started.is_empty() {
            c.queue
                .write_buffer(&self.run.started, 0, bytemuck::cast_slice(started));
        }
        self.write_params(params);
        let mut clock = [0u32; CLOCK_WORDS];
        clock[CLOCK_NEXT] = NEVER;
        clock[CLOCK_TICK] = params.tick;
        clock[CLOCK_LAST] = params.tick;
        clock[CLOCK_TICKS] = 1;
        clock[CLOCK_UNTIL] = limit.until;
        clock[CLOCK_STOP_ON_HIT] = limit.stop_on_hit as u32;
        c.queue
            .write_buffer(&self.run.clock, 0, bytemuck::cast_slice(&clock));
        let mut encoder = c.device.create_command_encoder(&Default::default());
        encoder.clear_buffer(&self.run.status, 0, None);
        for b in &self.batches {
            // Empty lists, and (in `lanes`) no candidates yet.
            c.queue
                .write_buffer(&b.pairs, 0, bytemuck::cast_slice(&EMPTY_LIST));
            c.queue
                .write_buffer(&b.lanes, 0, bytemuck::cast_slice(&EMPTY_LIST));
            encoder.clear_buffer(&b.lanes, LIST_HEADER * 4, Some(b.replicates as u64 * 4));
        }
        encoder
    }

    /// The next tick of a submission: the clock decides it (or calls it off), each batch
    /// takes it as its `params.tick` (and no group starts after the first tick), the work
    /// lists are emptied, then the five kernels.
    fn record_next_tick(&self, encoder: &mut wgpu::CommandEncoder, first_after_start: bool) {
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&self.ctx.kernels[CLOCK_PIPELINE].pipeline);
            pass.set_bind_group(0, &self.batches[0].bind_groups[CLOCK_PIPELINE], &[]);
            pass.dispatch_workgroups(1, 1, 1);
        }
        let tick = (CLOCK_TICK * 4) as u64;
        let started = std::mem::offset_of!(Params, started) as u64;
        for b in &self.batches {
            encoder.copy_buffer_to_buffer(&self.run.clock, tick, &b.params, 0, 4);
            if first_after_start {
                encoder.copy_buffer_to_buffer(&self.run.constants, 0, &b.params, started, 4);
            }
            let header = LIST_HEADER * 4;
            encoder.copy_buffer_to_buffer(&self.run.constants, 0, &b.pairs, 0, header);
            encoder.copy_buffer_to_buffer(&self.run.constants, 0, &b.lanes, 0, header);
            encoder.clear_buffer(&b.lanes, header, Some(b.replicates as u64 * 4));
        }
        let mut pass = encoder.begin_compute_pass(&Default::default());
        for kernel in Kernel::ALL {
            self.dispatch(&mut pass, kernel);
        }
    }

    /// Submit the ticks and read back what the host needs: the status words, the event
    /// counts and the clock.
    fn end_tick(
        &mut self,
        mut encoder: wgpu::CommandEncoder,
        tick: u32,
    ) -> Result<StepReport, String> {
        let c = self.ctx.clone();
        let status_bytes = (STATUS_WORDS + self.event_counts.len()) as u64 * 4;
        let clock_bytes = CLOCK_WORDS as u64 * 4;
        encoder.copy_buffer_to_buffer(&self.run.status, 0, &self.readback, 0, status_bytes);
        encoder.copy_buffer_to_buffer(
            &self.run.clock,
            0,
            &self.readback,
            status_bytes,
            clock_bytes,
        );
        c.queue.submit([encoder.finish()]);
        let words: Vec<u32> = c.read(&self.readback, 0..status_bytes + clock_bytes)?;
        let (status, clock) = words.split_at(status_bytes as usize / 4);
        for (i, n) in self.event_counts.iter_mut().enumerate() {
            *n = status[STATUS_WORDS + i];
        }
        check_status(status, clock[CLOCK_LAST].max(tick))?;
        Ok(StepReport {
            last: clock[CLOCK_LAST],
            ticks: clock[CLOCK_TICKS],
            next: clock[CLOCK_NEXT],
            assets_changed: status[S_ASSETS_CHANGED] != 0,
            steps: clock[CLOCK_STEPS] as u64,
            lane_ticks: clock[CLOCK_LANES] as u64,
        })
    }

    /// Write the words `dirty` of a per-replicate host mirror to each batch's buffer.
    fn flush(
        queue: &wgpu::Queue,
        batches: &[Batch],
        mirror: &[u32],
        stride: usize,
        dirty: (usize, usize),
        buffer: impl Fn(&Batch) -> &wgpu::Buffer,
    ) {
        for b in batches {
            let lo = b.first as usize * stride;
            let hi = (b.first + b.replicates) as usize * stride;
            let (s, e) = (dirty.0.max(lo), dirty.1.min(hi));
            if s < e {
                queue.write_buffer(
                    buffer(b),
                    ((s - lo) * 4) as u64,
                    bytemuck::cast_slice(&mirror[s..e]),
                );
            }
        }
    }

    /// Copy a range of every batch's buffer into host memory, batch by batch.
    /// The first `words` words of a storage buffer.
    pub(super) fn read_words(
        &self,
        buffer: &wgpu::Buffer,
        words: usize,
    ) -> Result<Vec<u32>, String> {
        let bytes = words as u64 * 4;
        if bytes == 0 {
            return Ok(Vec::new());
        }
        let c = &self.ctx;
        let staging = c.staging("readback words", bytes);
        let mut e = c.device.create_command_encoder(&Default::default());
        e.copy_buffer_to_buffer(buffer, 0, &staging, 0, bytes);
        c.queue.submit([e.finish()]);
        c.read(&staging, 0..bytes)
    }

    pub(super) fn read_batches<T: Pod>(
        &self,
        buffer: impl Fn(&Batch) -> &wgpu::Buffer,
        per_replicate: usize,
    ) -> Result<Vec<T>, String> {
        let c = &self.ctx;
        let size = std::mem::size_of::<T>();
        let mut out = Vec::with_capacity(self.replicates as usize * per_replicate);
        let largest = self
            .batches
            .iter()
            .map(|b| b.replicates as u64)
            .max()
            .unwrap_or(0)
            * (per_replicate * size) as u64;
        if largest == 0 {
            return Ok(out);
        }
        let staging = c.staging("readback batch", largest);
        for b in &self.batches {
            let bytes = (b.replicates as usize * per_replicate * size) as u64;
            let mut e = c.device.create_command_encoder(&Default::default());
            e.copy_buffer_to_buffer(buffer(b), 0, &staging, 0, bytes);
            c.queue.submit([e.finish()]);
            out.extend(c.read::<T>(&staging, 0..bytes)?);
        }
        out.truncate(self.replicates as usize * per_replicate);
        Ok(out)
    }

    /// Magazine changes (`Upload::Magazine`) depend on the magazines' state on the
    /// device: read back the magazines of each batch a change touches, change them as the
    /// CPU backend does (`MagazineChange::apply`), and write them back. Deliveries and
    /// trips to port are rare; one batch at a time bounds the host memory they take.
    fn change_magazines(&mut self, changes: &[Upload]) -> Result<(), String> {
        let ns = self.plan.slots.len();
        let size = std::mem::size_of::<MagazineState>();
        let c = self.ctx.clone();
        for b in &self.batches {
            let (lo, hi) = (b.first, b.first + b.replicates);
            let touches = |c: &&Upload| matches!(c, Upload::Magazine { first, end, .. } if *first < hi && *end > lo);
            if !changes.iter().any(|x| touches(&x)) {
                continue;
            }
            let bytes = (b.replicates as usize * ns * size) as u64;
            let staging = c.staging("magazines readback", bytes);
            let mut e = c.device.create_command_encoder(&Default::default());
            e.copy_buffer_to_buffer(&b.magazines, 0, &staging, 0, bytes);
            c.queue.submit([e.finish()]);
            let mut mags: Vec<MagazineState> = c.read(&staging, 0..bytes)?;
            for x in changes.iter().filter(touches) {
                let Upload::Magazine {
                    first,
                    end,
                    slot,
                    tick,
                    change,
                } = *x
                else {
                    continue;
                };
                let row = &self.plan.slots[slot as usize];
                for r in first.max(lo)..end.min(hi) {
                    let m = &mut mags[(r - lo) as usize * ns + slot as usize];
                    *m = change.apply(*m, row, tick);
                }
            }
            c.queue
                .write_buffer(&b.magazines, 0, bytemuck::cast_slice(&mags));
        }
        Ok(())
    }

    /// A ship's `away` word in one replicate (`Upload::Away`): one word of its batch's
    /// `assets` buffer.
    fn write_away(&self, replicate: u32, asset: u32, away: bool) {
        let Some(b) = self
            .batches
            .iter()
            .find(|b| (b.first..b.first + b.replicates).contains(&replicate))
        else {
            return;
        };
        let row = (replicate - b.first) as u64 * self.plan.assets.len() as u64 + asset as u64;
        let offset = row * std::mem::size_of::<AssetState>() as u64
            + std::mem::offset_of!(AssetState, away) as u64;
        self.ctx
            .queue
            .write_buffer(&b.assets, offset, bytemuck::bytes_of(&(away as u32)));
    }

    fn try_assets(&mut self) -> Result<Vec<AssetState>, String> {
        let c = self.ctx.clone();
        let a = self.plan.assets.len();
        let total = (self.replicates as usize * a * std::mem::size_of::<AssetState>()) as u64;
        if total == 0 {
            return Ok(Vec::new());
        }
        let staging = self
            .assets_staging
            .get_or_insert_with(|| c.staging("assets readback", total));
        let mut e = c.device.create_command_encoder(&Default::default());
        let mut offset = 0;
        for b in &self.batches {
            let bytes = (b.replicates as usize * a * std::mem::size_of::<AssetState>()) as u64;
            e.copy_buffer_to_buffer(&b.assets, 0, staging, offset, bytes);
            offset += bytes;
        }
        c.queue.submit([e.finish()]);
        c.read(staging, 0..total)
    }

    fn try_drain_events(&mut self, out: &mut Vec<(u32, Event)>) -> Result<(), String> {
        let cap = event_capacity(self.plan.tracks.len());
        let size = std::mem::size_of::<Event>();
        if self.event_counts.iter().all(|&n| n == 0) {
            return Ok(());
        }
        let c = self.ctx.clone();
        let total = (self.event_counts.len() * cap * size) as u64;
        let staging = self
            .events_staging
            .get_or_insert_with(|| c.staging("events readback", total));
        let mut e = c.device.create_command_encoder(&Default::default());
        for (i, &n) in self.event_counts.iter().enumerate() {
            let n = n.min(cap as u32) as usize;
            if n > 0 {
                let at = (i * cap * size) as u64;
                e.copy_buffer_to_buffer(&self.run.events, at, staging, at, (n * size) as u64);
            }
        }
        c.queue.submit([e.finish()]);
        let events: Vec<Event> = c.read(staging, 0..total)?;
        for (i, n) in self.event_counts.iter_mut().enumerate() {
            let k = (*n).min(cap as u32) as usize;
            for ev in &events[i * cap..i * cap + k] {
                out.push((self.record.start + i as u32, *ev));
            }
            *n = 0;
        }
        Ok(())
    }

    fn try_finish(&mut self) -> Result<FinalState, String> {
        let plan = self.plan.clone();
        Ok(FinalState {
            counters: self.read_batches(|b| &b.counters, plan.counter_stride() as usize)?,
            magazines: self.read_batches(|b| &b.magazines, plan.slots.len())?,
            assets: self.read_batches(|b| &b.assets, plan.assets.len())?,
            threats: self.read_batches(|b| &b.threats, plan.tracks.len())?,
        })
    }
}

impl Backend for GpuBackend {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            kind: "gpu".into(),
            adapter: self.ctx.describe(),
            threads: 1,
        }
    }

    fn upload(&mut self, changes: &[Upload]) -> Result<(), String> {
        let g = self.plan.groups.len();
        let lw = self.plan.launcher_words as usize;
        let mut groups_dirty = (usize::MAX, 0);
        let mut launchers_dirty = (usize::MAX, 0);
        let mut batteries_dirty = false;
        // Touched words as (first, end); empty while first >= end.
        let widen = |r: &mut (usize, usize), i: usize| {
            r.0 = r.0.min(i);
            r.1 = r.1.max(i + 1);
        };
        for c in changes {
            match *c {
                Upload::GroupStart {
                    replicate,
                    group,
                    tick,
                } => {
                    let i = replicate as usize * g + group as usize;
                    self.group_start[i] = tick;
                    widen(&mut groups_dirty, i);
                    if !self.started.iter().any(|s| s.group == group) {
                        self.started.push(self.plan.started(group));
                    }
                }
                Upload::Launchers {
                    replicate,
                    word,
                    bits,
                } => {
                    let i = replicate as usize * lw + word as usize;
                    self.launchers[i] = bits;
                    widen(&mut launchers_dirty, i);
                }
                Upload::BatteryOnline { battery, online } => {
                    self.battery_rows[battery as usize].online = online as u32;
                    batteries_dirty = true;
                }
                Upload::Away {
                    replicate,
                    asset,
                    away,
                } => self.write_away(replicate, asset, away),
                Upload::Magazine { .. } => {}
            }
        }
        self.change_magazines(changes)
            .map_err(|e| format!("changing magazines on the GPU: {e}"))?;
        let q = &self.ctx.queue;
        Self::flush(q, &self.batches, &self.group_start, g, groups_dirty, |b| {
            &b.group_start
        });
        Self::flush(
            q,
            &self.batches,
            &self.launchers,
            lw,
            launchers_dirty,
            |b| &b.launchers,
        );
        if batteries_dirty {
            q.write_buffer(
                &self.run.batteries,
                0,
                bytemuck::cast_slice(&self.battery_rows),
            );
        }
        Ok(())
    }

    fn step(&mut self, params: Params, limit: StepLimit) -> Result<StepReport, String> {
        let started = std::mem::take(&mut self.started);
        let params = Params {
            started: started.len() as u32,
            ..params
        };
        let mut encoder = self.begin_tick(params, &started, limit);
        // Several ticks a submission (as many as the last one ran, doubled up to
        // `MAX_TICKS_PER_SUBMISSION`), but one when profiling, kernel by kernel.
        let ticks = if self.profiler.is_some() || limit.until <= params.tick.saturating_add(1) {
            1
        } else {
            self.ticks_per_submission
        };
        if self.profiler.is_some() {
            encoder = self.run_profiled(encoder)?;
        } else {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            for kernel in Kernel::ALL {
                self.dispatch(&mut pass, kernel);
            }
        }
        for t in 1..ticks {
            self.record_next_tick(&mut encoder, t == 1 && params.started > 0);
        }
        let report = self.end_tick(encoder, params.tick)?;
        self.ticks_per_submission = if report.ticks >= ticks {
            (ticks * 2).min(MAX_TICKS_PER_SUBMISSION)
        } else {
            report.ticks.max(1)
        };
        Ok(report)
    }

    fn changed_assets(
        &mut self,
        changed: &mut Vec<u32>,
        assets: &mut [AssetState],
    ) -> Result<(), String> {
        let now = self
            .try_assets()
            .map_err(|e| format!("reading asset state back from the GPU: {e}"))?;
        // The replicates whose rows differ from those the host holds: a hit always counts.
        let a = self.plan.assets.len().max(1);
        changed.clear();
        for (r, (new, old)) in now.chunks(a).zip(assets.chunks_mut(a)).enumerate() {
            if new != old {
                old.copy_from_slice(new);
                changed.push(r as u32);
            }
        }
        Ok(())
    }

    fn magazines(&mut self) -> Result<Vec<MagazineState>, String> {
        let ns = self.plan.slots.len();
        self.read_batches(|b| &b.magazines, ns)
            .map_err(|e| format!("reading magazines back from the GPU: {e}"))
    }

    fn drain_events(&mut self, out: &mut Vec<(u32, Event)>) -> Result<(), String> {
        self.try_drain_events(out)
            .map_err(|e| format!("reading events back from the GPU: {e}"))
    }

    fn finish(&mut self) -> Result<FinalState, String> {
        self.try_finish()
            .map_err(|e| format!("reading the final state back from the GPU: {e}"))
    }
}
