//! One kernel's WGSL, one dispatch, over a recorded state: the GPU side of the
//! per-kernel tests (`tests/kernels.rs`). The state is uploaded into a fresh
//! [`GpuBackend`]'s buffers in the layout the kernels use (the work lists with their
//! headers, the status words and the clock shared by the run), the kernel runs once over
//! every batch, and every buffer comes back as lanes again.

use std::sync::Arc;

use super::backend::GpuBackend;
use super::context::GpuContext;
use super::{L_COUNT, LIST_HEADER, list_header};
use crate::engine::Kernel;
use crate::engine::cpu::Lane;
use crate::engine::layout::*;
use crate::engine::plan::Plan;
use crate::engine::snapshot::TickState;

/// What a kernel's WGSL left after one dispatch.
#[derive(Clone, Debug)]
pub struct Replayed {
    /// Every buffer as lanes. Each lane's `status` holds the run's status words (the GPU
    /// keeps one set per run); `pairs` and `candidates` are in the order the invocations
    /// appended them.
    pub state: TickState,
    /// Replicates the `lanes` list names (those with candidates), in list order.
    pub listed: Vec<u32>,
    /// Each batch's list headers after the dispatch: `pairs`, then `lanes`.
    pub headers: Vec<[[u32; LIST_HEADER as usize]; 2]>,
}

/// Run `kernel`'s WGSL once over `state` on `ctx`, in batches of at most `max_batch`
/// replicates.
pub fn replay(
    ctx: Arc<GpuContext>,
    plan: Arc<Plan>,
    kernel: Kernel,
    state: &TickState,
    max_batch: Option<u32>,
) -> Result<Replayed, String> {
    let n = state.lanes.len() as u32;
    let mut gpu = GpuBackend::with_context(ctx.clone(), plan, n, state.recorded(), max_batch)?;
    gpu.load(state)?;
    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        gpu.dispatch(&mut pass, kernel);
    }
    ctx.queue.submit([encoder.finish()]);
    gpu.unload(state)
}

/// Write `data` at the start of `buffer` (nothing when empty).
fn put<T: bytemuck::Pod>(q: &wgpu::Queue, buffer: &wgpu::Buffer, data: &[T]) {
    if !data.is_empty() {
        q.write_buffer(buffer, 0, bytemuck::cast_slice(data));
    }
}

/// Threat rows of one batch's lanes, and the like: `f` of each lane, concatenated.
fn concat<T: Copy>(lanes: &[Lane], f: impl Fn(&Lane) -> &[T]) -> Vec<T> {
    lanes.iter().flat_map(|l| f(l).iter().copied()).collect()
}

impl GpuBackend {
    /// Write `state` into this backend's buffers, as the kernels lay it out.
    fn load(&mut self, state: &TickState) -> Result<(), String> {
        let c = self.ctx.clone();
        let q = &c.queue;
        let t = self.plan.tracks.len();
        if state.lanes.iter().any(|l| l.threats.len() != t)
            || state.batteries.len() > self.battery_rows.len()
        {
            return Err("the recorded state is not of this plan".into());
        }
        self.battery_rows[..state.batteries.len()].copy_from_slice(&state.batteries);
        put(q, &self.run.batteries, &self.battery_rows);
        put(q, &self.run.started, &state.started);
        self.write_params(state.params);
        let mut clock = [0u32; CLOCK_WORDS];
        clock[CLOCK_NEXT] = state.clock;
        put(q, &self.run.clock, &clock);
        let recorded = &state.lanes[self.record.start as usize..self.record.end as usize];
        let mut status = state.status().to_vec();
        status.extend(recorded.iter().map(|l| l.event_count));
        put(q, &self.run.status, &status);
        put(q, &self.run.events, &concat(recorded, |l| &l.events));
        for b in &self.batches {
            let lanes = &state.lanes[b.first as usize..(b.first + b.replicates) as usize];
            put(q, &b.threats, &concat(lanes, |l| &l.threats));
            put(q, &b.wake, &concat(lanes, |l| &l.wake));
            put(q, &b.calendar, &concat(lanes, |l| &l.calendar));
            put(q, &b.link, &concat(lanes, |l| &l.link));
            put(q, &b.candidates, &concat(lanes, |l| &l.candidates));
            put(q, &b.magazines, &concat(lanes, |l| &l.magazines));
            put(q, &b.counters, &concat(lanes, |l| &l.counters));
            put(q, &b.assets, &concat(lanes, |l| &l.assets));
            put(q, &b.group_start, &concat(lanes, |l| &l.group_start));
            put(q, &b.launchers, &concat(lanes, |l| &l.launchers));
            put(q, &b.fire_control, &concat(lanes, |l| &l.fire_control));
            // Entries are threat rows `r * tracks + k` of the batch.
            let rows: Vec<u32> = lanes
                .iter()
                .enumerate()
                .flat_map(|(r, l)| {
                    let base = (r * t) as u32;
                    l.pairs[..l.pair_count as usize]
                        .iter()
                        .map(move |&k| base + k)
                })
                .collect();
            let mut pairs = list_header(rows.len() as u32).to_vec();
            pairs.extend(rows);
            put(q, &b.pairs, &pairs);
            // The header, each replicate's candidate count, then those with candidates.
            let with: Vec<u32> = (0..b.replicates)
                .filter(|&r| lanes[r as usize].candidate_count > 0)
                .collect();
            let mut list = list_header(with.len() as u32).to_vec();
            list.extend(lanes.iter().map(|l| l.candidate_count));
            list.extend(with);
            put(q, &b.lanes, &list);
        }
        Ok(())
    }

    /// Every buffer back as lanes, with `state` (the input) for what the device does
    /// not hold per replicate (which replicate a lane is, a lane's stale list entries).
    fn unload(&self, state: &TickState) -> Result<Replayed, String> {
        let t = self.plan.tracks.len();
        let mut lanes = state.lanes.clone();
        let threats: Vec<Threat> = self.read_batches(|b| &b.threats, t)?;
        let wake: Vec<u32> = self.read_batches(|b| &b.wake, t)?;
        let calendar: Vec<u32> = self.read_batches(|b| &b.calendar, CALENDAR_WORDS as usize)?;
        let link: Vec<u32> = self.read_batches(|b| &b.link, t)?;
        let candidates: Vec<u32> = self.read_batches(|b| &b.candidates, t)?;
        let magazines: Vec<MagazineState> =
            self.read_batches(|b| &b.magazines, self.plan.slots.len())?;
        let counters: Vec<u32> =
            self.read_batches(|b| &b.counters, self.plan.counter_stride() as usize)?;
        let assets: Vec<AssetState> = self.read_batches(|b| &b.assets, self.plan.assets.len())?;
        let group_start: Vec<u32> =
            self.read_batches(|b| &b.group_start, self.plan.groups.len())?;
        let launchers: Vec<u32> =
            self.read_batches(|b| &b.launchers, self.plan.launcher_words as usize)?;
        let fire_control: Vec<u32> =
            self.read_batches(|b| &b.fire_control, self.plan.fire_control.len())?;
        let chunk = |v: &[u32], r: usize, n: usize| v[r * n..(r + 1) * n].to_vec();
        for (r, lane) in lanes.iter_mut().enumerate() {
            lane.threats = threats[r * t..(r + 1) * t].to_vec();
            lane.wake = chunk(&wake, r, t);
            lane.calendar = chunk(&calendar, r, CALENDAR_WORDS as usize);
            lane.link = chunk(&link, r, t);
            lane.candidates = chunk(&candidates, r, t);
            let s = self.plan.slots.len();
            lane.magazines = magazines[r * s..(r + 1) * s].to_vec();
            lane.counters = chunk(&counters, r, lane.counters.len());
            let a = self.plan.assets.len();
            lane.assets = assets[r * a..(r + 1) * a].to_vec();
            lane.group_start = chunk(&group_start, r, lane.group_start.len());
            lane.launchers = chunk(&launchers, r, lane.launchers.len());
            lane.fire_control = chunk(&fire_control, r, lane.fire_control.len());
        }
        let mut listed = Vec::new();
        let mut headers = Vec::new();
        for b in &self.batches {
            let (first, n) = (b.first as usize, b.replicates as usize);
            let header = LIST_HEADER as usize;
            let pairs = self.read_words(&b.pairs, header + n * t)?;
            let list = self.read_words(&b.lanes, header + 2 * n)?;
            for lane in &mut lanes[first..first + n] {
                lane.pair_count = 0;
            }
            for &row in &pairs[header..header + (pairs[L_COUNT] as usize).min(n * t)] {
                let (r, k) = (row as usize / t, row % t as u32);
                let lane = lanes
                    .get_mut(first + r)
                    .filter(|_| r < n)
                    .ok_or_else(|| format!("pairs lists threat row {row}, outside its batch"))?;
                lane.pairs[lane.pair_count as usize] = k;
                lane.pair_count += 1;
            }
            for (r, lane) in lanes[first..first + n].iter_mut().enumerate() {
                lane.candidate_count = list[header + r];
            }
            let count = (list[L_COUNT] as usize).min(n);
            listed.extend(
                list[header + n..header + n + count]
                    .iter()
                    .map(|&r| b.first + r),
            );
            let head = |v: &[u32]| [v[0], v[1], v[2], v[3]];
            headers.push([head(&pairs), head(&list)]);
        }
        let recorded = self.record.len();
        let status = self.read_words(&self.run.status, STATUS_WORDS + recorded)?;
        for lane in &mut lanes {
            lane.status.copy_from_slice(&status[..STATUS_WORDS]);
        }
        let cap = event_capacity(t);
        let words = self.read_words(&self.run.events, recorded * cap * 4)?;
        let events: Vec<Event> = words
            .chunks_exact(4)
            .map(|w| Event {
                tick: w[0],
                track: w[1],
                kind: w[2],
                arg: w[3],
            })
            .collect();
        let start = self.record.start as usize;
        for (e, lane) in lanes[start..start + recorded].iter_mut().enumerate() {
            lane.event_count = status[STATUS_WORDS + e];
            lane.events = events[e * cap..(e + 1) * cap].to_vec();
        }
        Ok(Replayed {
            state: TickState {
                params: state.params,
                started: state.started.clone(),
                batteries: state.batteries.clone(),
                lanes,
                clock: self.read_words(&self.run.clock, CLOCK_WORDS)?[CLOCK_NEXT],
            },
            listed,
            headers,
        })
    }
}

/// The clock of a submission (`next_tick.wgsl`), one dispatch, from the run's clock and
/// status words (and one event count per recorded replicate after the status words),
/// for `recorded` recorded replicates of a plan: the clock words after it.
pub fn replay_next_tick(
    ctx: Arc<GpuContext>,
    plan: Arc<Plan>,
    clock: [u32; CLOCK_WORDS],
    status: &[u32],
    recorded: u32,
) -> Result<[u32; CLOCK_WORDS], String> {
    let gpu = GpuBackend::with_context(
        ctx.clone(),
        plan.clone(),
        recorded.max(1),
        0..recorded,
        None,
    )?;
    let q = &ctx.queue;
    gpu.write_params(plan.params(0, 0, recorded.max(1), 0));
    put(q, &gpu.run.clock, &clock);
    put(q, &gpu.run.status, status);
    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        pass.set_pipeline(&ctx.kernels[super::CLOCK_PIPELINE].pipeline);
        pass.set_bind_group(0, &gpu.batches[0].bind_groups[super::CLOCK_PIPELINE], &[]);
        pass.dispatch_workgroups(1, 1, 1);
    }
    ctx.queue.submit([encoder.finish()]);
    let words = gpu.read_words(&gpu.run.clock, CLOCK_WORDS)?;
    let mut out = [0; CLOCK_WORDS];
    out.copy_from_slice(&words);
    Ok(out)
}
