//! The GPU backend: the kernels of `shaders/` run by wgpu over all replicates.
//!
//! [`GpuContext`] owns the instance, adapter, device, queue and the compute pipelines,
//! created once per process and shared by every run. [`GpuBackend`] owns one run's
//! buffers, sized once and reused every tick. Replicates are split into batches so that
//! each per-replicate buffer fits the adapter's storage binding limit; each batch has its
//! own copy of the per-replicate buffers and bind groups, while the shared tables, the
//! event buffer, the status words and `track_next` are bound in every batch.
//!
//! One tick is one submission: clear the status words and `track_next`, empty the
//! batches' work lists, then the five kernels in order, each over every batch (wgpu orders
//! dispatches that share a writable buffer), then one copy of the status words, the event
//! counts and `track_next` into one staging buffer, which is all the host reads back.
//! Asset state, events and the final state are read only when the world asks for them.
//!
//! The four twins of `src/engine/cpu/` (advance, allocate, engage, impact) run, on the
//! GPU, over work lists that a fifth kernel, `schedule`, builds each tick: the
//! (replicate, track) pairs that pass `advance`'s first test. The other pairs are exactly
//! those for which the twins change nothing and only report a next wake, which
//! `schedule` does. On lavapipe, which runs every instruction of a kernel for every
//! invocation (masked, not skipped), this is what makes the GPU path affordable: without
//! it every pair paid for the whole of `advance`. See `shaders/common.wgsl`.
//!
//! Lavapipe (Mesa 22.3) also ends any loop nest after 65,535 iterations without a word;
//! the kernels check that their loops ran to the end and report `S_LOOP_LIMIT`, which
//! [`GpuBackend::step`] returns as an error.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::Instant;

use bytemuck::Pod;
use wgpu::util::DeviceExt;

use super::backend::{Backend, BackendInfo, FinalState, StepReport, Upload};
use super::layout::*;
use super::plan::Plan;

#[cfg(test)]
mod layout_tests;

/// Structs, constants, bindings and helpers shared by every kernel.
pub const COMMON_WGSL: &str = include_str!("../../../shaders/common.wgsl");

/// The kernels in the order they run each tick: (entry point, source without common).
/// `schedule` runs over every (replicate, active track) pair and lists those with work;
/// the twins of the CPU kernels run over its lists (see `shaders/common.wgsl`).
pub const KERNELS: [(&str, &str); 5] = [
    ("schedule", include_str!("../../../shaders/schedule.wgsl")),
    ("advance", include_str!("../../../shaders/advance.wgsl")),
    ("allocate", include_str!("../../../shaders/allocate.wgsl")),
    ("engage", include_str!("../../../shaders/engage.wgsl")),
    ("impact", include_str!("../../../shaders/impact.wgsl")),
];

/// Index of `schedule` in [`KERNELS`]: the one kernel dispatched over (replicate, active
/// track); the others are dispatched indirectly, over the work lists.
const SCHEDULE: usize = 0;
/// Index of `allocate`, which runs over the list of replicates; the others run over the
/// list of pairs.
const ALLOCATE: usize = 2;

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
/// others), as in the shaders.
pub const WORKGROUP: u32 = 64;

/// The message when wgpu finds no adapter at all.
pub const NO_ADAPTER: &str = "no GPU adapter found: install Mesa's lavapipe \
     (apt-get install mesa-vulkan-drivers) or a GPU driver";

/// A kernel's full source: `common.wgsl` prepended to the kernel.
pub fn kernel_source(kernel: &str) -> String {
    format!("{COMMON_WGSL}\n{kernel}")
}

/// Binding numbers of `@group(0)`, as declared in the shaders.
pub mod binding {
    pub const PARAMS: u32 = 0;
    pub const TRACKS: u32 = 1;
    pub const WEAPONS: u32 = 2;
    pub const OPPORTUNITIES: u32 = 3;
    pub const SLOTS: u32 = 4;
    pub const BATTERIES: u32 = 5;
    pub const ASSET_ROWS: u32 = 6;
    pub const ACTIVE_LIST: u32 = 7;
    pub const THREATS: u32 = 8;
    pub const WAKE: u32 = 9;
    pub const CANDIDATES: u32 = 10;
    pub const MAGAZINES: u32 = 12;
    pub const COUNTERS: u32 = 13;
    pub const ASSETS: u32 = 14;
    pub const GROUP_START: u32 = 15;
    pub const LAUNCHERS: u32 = 16;
    pub const EVENTS: u32 = 17;
    pub const STATUS: u32 = 18;
    /// `assets` as atomic words, in `impact`.
    pub const ASSET_WORDS: u32 = 19;
    pub const TRACK_NEXT: u32 = 20;
    /// This tick's (replicate, track) pairs with work, from `schedule`.
    pub const PAIRS: u32 = 21;
    /// The candidate count of each replicate, and the replicates with candidates.
    pub const LANES: u32 = 22;
}

/// Binding numbers an entry point of a composed source uses, ascending, found by naga
/// (the same analysis wgpu uses to derive the pipeline's layout).
pub fn used_bindings(source: &str, entry: &str) -> Result<Vec<u32>, String> {
    let module = naga::front::wgsl::parse_str(source)
        .map_err(|e| format!("{entry}.wgsl: {}", e.emit_to_string(source)))?;
    let info = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::default(),
    )
    .validate(&module)
    .map_err(|e| format!("{entry}.wgsl: {}", e.emit_to_string(source)))?;
    let index = module
        .entry_points
        .iter()
        .position(|e| e.name == entry)
        .ok_or_else(|| format!("{entry}.wgsl: no entry point {entry}"))?;
    let uses = info.get_entry_point(index);
    let mut used: Vec<u32> = module
        .global_variables
        .iter()
        .filter(|(h, _)| !uses[*h].is_empty())
        .filter_map(|(_, v)| v.binding.as_ref().map(|b| b.binding))
        .collect();
    used.sort_unstable();
    Ok(used)
}

struct Kernel {
    name: &'static str,
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
    bindings: Vec<u32>,
}

/// One device and the compiled kernels, shared by every run in the process.
pub struct GpuContext {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub adapter: wgpu::AdapterInfo,
    pub limits: wgpu::Limits,
    /// Timestamp queries are available (for kernel timings).
    pub timestamps: bool,
    kernels: Vec<Kernel>,
}

static SHARED: OnceLock<Result<Arc<GpuContext>, String>> = OnceLock::new();

impl GpuContext {
    /// A new device on the adapter that `WGPU_BACKEND` (vulkan, gl, ...),
    /// `WGPU_ADAPTER_NAME` and `WGPU_POWER_PREF` select, or the default one.
    pub fn new() -> Result<GpuContext, String> {
        // The kernels write their own indirect dispatch arguments, always within the
        // limits (see `shaders/common.wgsl`), so wgpu's check of them, one more dispatch
        // for each, is left off unless WGPU_VALIDATION_INDIRECT_CALL asks for it.
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.flags = wgpu::InstanceFlags::from_build_config()
            .difference(wgpu::InstanceFlags::VALIDATION_INDIRECT_CALL);
        let instance = wgpu::Instance::new(desc.with_env());
        let adapter = pollster::block_on(pick_adapter(&instance))?;
        let features = adapter.features() & wgpu::Features::TIMESTAMP_QUERY;
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("hormuz"),
            required_features: features,
            required_limits: limits.clone(),
            memory_hints: wgpu::MemoryHints::Performance,
            ..Default::default()
        }))
        .map_err(|e| format!("cannot open the GPU device: {e}"))?;
        let info = adapter.get_info();
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let mut kernels = Vec::new();
        for (name, text) in KERNELS {
            let source = kernel_source(text);
            let bindings = used_bindings(&source, name)?;
            let storage = bindings
                .iter()
                .filter(|&&b| b != binding::PARAMS && b != binding::BATTERIES)
                .count() as u32;
            if storage > limits.max_storage_buffers_per_shader_stage {
                return Err(format!(
                    "kernel {name} needs {storage} storage buffers; the adapter allows {}",
                    limits.max_storage_buffers_per_shader_stage
                ));
            }
            let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(name),
                source: wgpu::ShaderSource::Wgsl(Cow::Owned(source)),
            });
            let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(name),
                layout: None,
                module: &module,
                entry_point: Some(name),
                compilation_options: Default::default(),
                cache: None,
            });
            let layout = pipeline.get_bind_group_layout(0);
            kernels.push(Kernel {
                name,
                pipeline,
                layout,
                bindings,
            });
        }
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(format!("the GPU rejected a kernel: {e}"));
        }
        Ok(GpuContext {
            device,
            queue,
            adapter: info,
            limits,
            timestamps: !features.is_empty(),
            kernels,
        })
    }

    /// The process-wide context, created on first use; the error, if any, is kept too.
    pub fn shared() -> Result<Arc<GpuContext>, String> {
        SHARED
            .get_or_init(|| GpuContext::new().map(Arc::new))
            .clone()
    }

    /// "name (backend)", e.g. "llvmpipe (LLVM 15.0.6, 256 bits) (vulkan)".
    pub fn describe(&self) -> String {
        format!("{} ({})", self.adapter.name, self.adapter.backend)
    }

    /// Wait for everything submitted so far.
    fn wait(&self) -> Result<(), String> {
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|e| format!("GPU wait failed: {e}"))
    }

    /// Map `range` of a MAP_READ buffer after the work submitted so far, copy it out,
    /// unmap.
    fn read(&self, buffer: &wgpu::Buffer, range: Range<u64>) -> Result<Vec<u8>, String> {
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let slice = buffer.slice(range);
        let (tx, rx) = mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        self.wait()?;
        rx.recv()
            .map_err(|_| "GPU readback was dropped".to_string())?
            .map_err(|e| format!("GPU readback failed: {e}"))?;
        let data = slice
            .get_mapped_range()
            .map_err(|e| format!("GPU readback failed: {e:?}"))?
            .to_vec();
        buffer.unmap();
        Ok(data)
    }

    fn staging(&self, label: &str, size: u64) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: size.max(4).next_multiple_of(4),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// A storage buffer holding `data`, padded to at least 64 bytes (one row of every
    /// struct) so that empty tables still bind.
    fn storage<T: Pod>(&self, label: &str, data: &[T]) -> wgpu::Buffer {
        let bytes: &[u8] = bytemuck::cast_slice(data);
        let usage = wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_DST
            | wgpu::BufferUsages::COPY_SRC;
        if bytes.len() >= 64 {
            self.device
                .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some(label),
                    contents: bytes,
                    usage,
                })
        } else {
            let mut padded = bytes.to_vec();
            padded.resize(64, 0);
            self.device
                .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some(label),
                    contents: &padded,
                    usage,
                })
        }
    }

    /// A zeroed storage buffer of `bytes` (at least 64).
    fn zeroed(&self, label: &str, bytes: u64) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: bytes.max(64).next_multiple_of(4),
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_DST
                | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        })
    }

    /// A zeroed work list (see `shaders/common.wgsl`): storage for the kernels and the
    /// indirect dispatch arguments of those that run over it.
    fn list(&self, label: &str, bytes: u64) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: bytes.max(64).next_multiple_of(4),
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::INDIRECT
                | wgpu::BufferUsages::COPY_DST
                | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        })
    }

    fn uniform<T: Pod>(&self, label: &str, data: &[T]) -> wgpu::Buffer {
        self.device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: bytemuck::cast_slice(data),
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            })
    }
}

async fn pick_adapter(instance: &wgpu::Instance) -> Result<wgpu::Adapter, String> {
    if let Ok(want) = std::env::var("WGPU_ADAPTER_NAME") {
        let want = want.to_lowercase();
        let adapters = instance.enumerate_adapters(wgpu::Backends::all()).await;
        let names: Vec<String> = adapters.iter().map(|a| a.get_info().name).collect();
        return adapters
            .into_iter()
            .find(|a| a.get_info().name.to_lowercase().contains(&want))
            .ok_or_else(|| {
                format!(
                    "no GPU adapter matches WGPU_ADAPTER_NAME={want:?}; found: {}",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                )
            });
    }
    instance
        .request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::from_env().unwrap_or_default(),
            ..Default::default()
        })
        .await
        .map_err(|e| format!("{NO_ADAPTER} ({e})"))
}

/// The adapter the GPU backend would use, as (name, backend), or `None` when there is
/// none (or its device cannot be opened).
pub fn adapter_info() -> Option<(String, String)> {
    GpuContext::shared()
        .ok()
        .map(|c| (c.adapter.name.clone(), c.adapter.backend.to_string()))
}

/// Kernel timings gathered while [`GpuBackend::set_profiling`] is on.
#[derive(Clone, Debug, Default)]
pub struct KernelProfile {
    /// Seconds in each kernel, in [`KERNELS`] order.
    pub seconds: [f64; 5],
    /// Bytes of rows and tables each kernel must read and write (a lower bound: the
    /// rows every invocation touches).
    pub bytes: [u64; 5],
    /// Pairs or replicates each kernel ran its twin for (for `schedule`, every
    /// (replicate, active track) pair).
    pub invocations: [u64; 5],
    /// Timed by timestamp queries (else by wall time around each kernel's submission).
    pub timestamps: bool,
}

/// Bytes every invocation of a kernel reads or writes whatever its path: `schedule`
/// reads the active entry and the threat's wake, and lists the pair or reports its next
/// wake (a threat waiting for launch also reads its track's group and offset and the
/// group's start); `advance` reads the
/// listed pair, the track and the threat row and writes the row and its wake; `allocate`
/// reads the listed replicate and its candidate count and resets it; `engage` reads the
/// listed pair and the row's `shot_opp`; `impact` reads the listed pair, the row's status,
/// its wake and reports the next wake.
const TRACK: u64 = std::mem::size_of::<Track>() as u64;
const THREAT: u64 = std::mem::size_of::<Threat>() as u64;
pub const KERNEL_BYTES: [u64; 5] = [
    4 + 4 + 4,
    4 + TRACK + THREAT + 4 + 4 + THREAT + 4,
    4 + 4 + 4,
    4 + 4,
    4 + 4 + 4 + 4,
];

/// Bytes of the resolved timestamps: a begin and an end per kernel.
const TIMES_BYTES: u64 = 2 * 8 * KERNELS.len() as u64;

/// Per-replicate buffers of one batch.
struct Batch {
    /// First replicate (local index in the run) and count.
    first: u32,
    replicates: u32,
    params: wgpu::Buffer,
    threats: wgpu::Buffer,
    wake: wgpu::Buffer,
    candidates: wgpu::Buffer,
    magazines: wgpu::Buffer,
    counters: wgpu::Buffer,
    assets: wgpu::Buffer,
    group_start: wgpu::Buffer,
    launchers: wgpu::Buffer,
    /// This tick's work lists (see `shaders/common.wgsl`).
    pairs: wgpu::Buffer,
    lanes: wgpu::Buffer,
    bind_groups: Vec<wgpu::BindGroup>,
}

struct Profiler {
    queries: Option<(wgpu::QuerySet, wgpu::Buffer, wgpu::Buffer)>,
    profile: Arc<Mutex<KernelProfile>>,
}

/// The GPU backend. See the module documentation.
pub struct GpuBackend {
    ctx: Arc<GpuContext>,
    plan: Arc<Plan>,
    replicates: u32,
    record: Range<u32>,
    batches: Vec<Batch>,
    batteries: wgpu::Buffer,
    active_list: wgpu::Buffer,
    events: wgpu::Buffer,
    status: wgpu::Buffer,
    track_next: wgpu::Buffer,
    /// Staging for the per-tick readback: status words and event counts, then track_next.
    readback: wgpu::Buffer,
    /// Lazily created staging for `assets()` and `drain_events()`.
    assets_staging: Option<wgpu::Buffer>,
    events_staging: Option<wgpu::Buffer>,
    /// Host mirrors of what the world uploads.
    battery_rows: Vec<BatteryRow>,
    group_start: Vec<u32>,
    launchers: Vec<u32>,
    /// Event counts per recorded replicate after the last step.
    event_counts: Vec<u32>,
    profiler: Option<Profiler>,
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

    pub fn with_context(
        ctx: Arc<GpuContext>,
        plan: Arc<Plan>,
        replicates: u32,
        record: Range<u32>,
        max_batch: Option<u32>,
    ) -> Result<GpuBackend, String> {
        // The RNG key offset of the first replicate comes with each step's Params.
        if plan.batteries.len() > MAX_BATTERIES {
            return Err(format!(
                "{} batteries; the kernels handle at most {MAX_BATTERIES}",
                plan.batteries.len()
            ));
        }
        let limits = &ctx.limits;
        let t = plan.tracks.len() as u64;
        let s = plan.slots.len() as u64;
        let a = plan.assets.len() as u64;
        let g = plan.groups.len() as u64;
        let lw = plan.launcher_words as u64;
        let counters =
            plan.weapons.len() as u64 * WEAPON_COUNTERS as u64 + s * SLOT_COUNTERS as u64;
        let record = record.start.min(replicates)..record.end.min(replicates);
        let recorded = record.len() as u64;
        let cap = t * EVENTS_PER_THREAT_TICK as u64;

        let binding_limit = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size)
            .saturating_sub(LIST_HEADER * 4);
        let widest_row = [
            t * THREAT,
            (t + 1) * 4,
            s * std::mem::size_of::<MagazineState>() as u64,
            counters * 4,
            a * std::mem::size_of::<AssetState>() as u64,
            g * 4,
            lw * 4,
        ]
        .into_iter()
        .max()
        .unwrap_or(4)
        .max(4);
        let by_binding = binding_limit / widest_row;
        if by_binding == 0 {
            return Err(format!(
                "one replicate needs a {widest_row}-byte buffer; the adapter binds at most \
                 {binding_limit} bytes"
            ));
        }
        let event_bytes = recorded * cap * std::mem::size_of::<Event>() as u64;
        if event_bytes > binding_limit {
            return Err(format!(
                "recording events for {recorded} replicates needs {event_bytes} bytes; the \
                 adapter binds at most {binding_limit}: record fewer replicates"
            ));
        }
        let max_groups = limits.max_compute_workgroups_per_dimension as u64;
        if t > max_groups * max_groups {
            return Err(format!("{t} tracks exceed what one dispatch can cover"));
        }
        let per_batch = by_binding
            .min(max_groups * WORKGROUP as u64)
            // Listed pairs are threat rows, u32 indices.
            .min(u32::MAX as u64 / t.max(1))
            .min(max_batch.unwrap_or(u32::MAX).max(1) as u64)
            .min(u32::MAX as u64) as u32;
        let n_batches = replicates.div_ceil(per_batch).max(1);
        let size = replicates.div_ceil(n_batches).max(1);

        let c = ctx.clone();
        let scope = c.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let mut battery_rows = plan.batteries.clone();
        battery_rows.resize(MAX_BATTERIES, BatteryRow::default());
        let tracks = c.storage("tracks", &plan.tracks);
        let weapons = c.storage("weapons", &plan.weapons);
        let opportunities = c.storage("opportunities", &plan.opportunities);
        let slots = c.storage("slots", &plan.slots);
        let batteries = c.uniform("batteries", &battery_rows);
        let asset_rows = c.storage("asset_rows", &plan.assets);
        let active_list = c.zeroed("active_list", t * 4);
        let events = c.zeroed("events", event_bytes);
        let status_words = STATUS_WORDS as u64 + recorded;
        let status = c.zeroed("status", status_words * 4);
        let track_next = c.zeroed("track_next", t * 4);
        let readback = c.staging("readback", (status_words + t) * 4);

        let mut launchers = vec![0u32; replicates as usize * lw as usize];
        for r in 0..replicates as usize {
            for l in 0..plan.launchers {
                launchers[r * lw as usize + (l / 32) as usize] |= 1 << (l % 32);
            }
        }
        let group_start = vec![NEVER; replicates as usize * g as usize];

        let mut batches = Vec::new();
        let mut first = 0;
        while first < replicates {
            let n = size.min(replicates - first);
            let rows = n as usize * t as usize;
            let threats = c.storage("threats", &vec![Threat::INITIAL; rows]);
            let wake = c.storage("wake", &vec![NEVER; rows]);
            let candidates = c.zeroed("candidates", rows as u64 * 4);
            let mags: Vec<MagazineState> = (0..n)
                .flat_map(|_| plan.magazines.iter().copied())
                .collect();
            let magazines = c.storage("magazines", &mags);
            let counters_buf = c.zeroed("counters", n as u64 * counters * 4);
            let assets = c.storage(
                "assets",
                &vec![AssetState::INITIAL; n as usize * a as usize],
            );
            let gs = first as usize * g as usize..(first + n) as usize * g as usize;
            let group_start_buf = c.storage("group_start", &group_start[gs.clone()]);
            let ls = first as usize * lw as usize..(first + n) as usize * lw as usize;
            let launchers_buf = c.storage("launchers", &launchers[ls.clone()]);
            let pairs = c.list("pairs", (LIST_HEADER + n as u64 * t) * 4);
            let lanes = c.list("lanes", (LIST_HEADER + 2 * n as u64) * 4);
            let params = c.uniform("params", &[Params::default()]);
            let mut batch = Batch {
                first,
                replicates: n,
                params,
                threats,
                wake,
                candidates,
                magazines,
                counters: counters_buf,
                assets,
                group_start: group_start_buf,
                launchers: launchers_buf,
                pairs,
                lanes,
                bind_groups: Vec::new(),
            };
            for k in &c.kernels {
                let entries: Vec<wgpu::BindGroupEntry> = k
                    .bindings
                    .iter()
                    .map(|&b| wgpu::BindGroupEntry {
                        binding: b,
                        resource: match b {
                            binding::PARAMS => batch.params.as_entire_binding(),
                            binding::TRACKS => tracks.as_entire_binding(),
                            binding::WEAPONS => weapons.as_entire_binding(),
                            binding::OPPORTUNITIES => opportunities.as_entire_binding(),
                            binding::SLOTS => slots.as_entire_binding(),
                            binding::BATTERIES => batteries.as_entire_binding(),
                            binding::ASSET_ROWS => asset_rows.as_entire_binding(),
                            binding::ACTIVE_LIST => active_list.as_entire_binding(),
                            binding::THREATS => batch.threats.as_entire_binding(),
                            binding::WAKE => batch.wake.as_entire_binding(),
                            binding::CANDIDATES => batch.candidates.as_entire_binding(),
                            binding::MAGAZINES => batch.magazines.as_entire_binding(),
                            binding::COUNTERS => batch.counters.as_entire_binding(),
                            binding::ASSETS | binding::ASSET_WORDS => {
                                batch.assets.as_entire_binding()
                            }
                            binding::GROUP_START => batch.group_start.as_entire_binding(),
                            binding::LAUNCHERS => batch.launchers.as_entire_binding(),
                            binding::EVENTS => events.as_entire_binding(),
                            binding::STATUS => status.as_entire_binding(),
                            binding::TRACK_NEXT => track_next.as_entire_binding(),
                            binding::PAIRS => batch.pairs.as_entire_binding(),
                            binding::LANES => batch.lanes.as_entire_binding(),
                            other => unreachable!("kernel {} uses unknown binding {other}", k.name),
                        },
                    })
                    .collect();
                let bg = c.device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some(k.name),
                    layout: &k.layout,
                    entries: &entries,
                });
                batch.bind_groups.push(bg);
            }
            batches.push(batch);
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
            batteries,
            active_list,
            events,
            status,
            track_next,
            readback,
            assets_staging: None,
            events_staging: None,
            battery_rows,
            group_start,
            launchers,
            event_counts: vec![0; recorded as usize],
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

    /// Time each kernel from now on (each kernel then gets its own pass, or its own
    /// submission where the adapter has no timestamp queries). The returned handle
    /// accumulates the timings, and stays readable after the backend moves into a
    /// [`crate::world::Simulation`].
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

    /// Workgroups along y and z that cover `active` tracks.
    fn track_groups(&self, active: u32) -> (u32, u32) {
        let max = self.ctx.limits.max_compute_workgroups_per_dimension;
        if active <= max {
            (active.max(1), 1)
        } else {
            (max, active.div_ceil(max))
        }
    }

    fn dispatch(&self, pass: &mut wgpu::ComputePass, kernel: usize, active: u32) {
        let (y, z) = self.track_groups(active);
        let k = &self.ctx.kernels[kernel];
        pass.set_pipeline(&k.pipeline);
        for b in &self.batches {
            pass.set_bind_group(0, &b.bind_groups[kernel], &[]);
            match kernel {
                SCHEDULE => pass.dispatch_workgroups(b.replicates.div_ceil(WORKGROUP), y, z),
                ALLOCATE => pass.dispatch_workgroups_indirect(&b.lanes, 0),
                _ => pass.dispatch_workgroups_indirect(&b.pairs, 0),
            }
        }
    }

    /// Run the kernels with timing, and count what each ran over; the caller submits
    /// `encoder` afterwards.
    fn run_profiled(
        &mut self,
        mut encoder: wgpu::CommandEncoder,
        active: u32,
    ) -> Result<wgpu::CommandEncoder, String> {
        let c = self.ctx.clone();
        let profiler = self.profiler.take().expect("profiling on");
        let mut seconds = [0.0f64; 5];
        if let Some((set, resolve, staging)) = &profiler.queries {
            for (kernel, (name, _)) in KERNELS.iter().enumerate() {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some(name),
                    timestamp_writes: Some(wgpu::ComputePassTimestampWrites {
                        query_set: set,
                        beginning_of_pass_write_index: Some(2 * kernel as u32),
                        end_of_pass_write_index: Some(2 * kernel as u32 + 1),
                    }),
                });
                self.dispatch(&mut pass, kernel, active);
            }
            let n = 2 * KERNELS.len() as u32;
            encoder.resolve_query_set(set, 0..n, resolve, 0);
            encoder.copy_buffer_to_buffer(resolve, 0, staging, 0, TIMES_BYTES);
            c.queue.submit([encoder.finish()]);
            let data = c.read(staging, 0..TIMES_BYTES)?;
            let ts: &[u64] = bytemuck::cast_slice(&data);
            let period = c.queue.get_timestamp_period() as f64 * 1e-9;
            for (kernel, s) in seconds.iter_mut().enumerate() {
                *s = ts[2 * kernel + 1].saturating_sub(ts[2 * kernel]) as f64 * period;
            }
        } else {
            c.queue.submit([encoder.finish()]);
            c.wait()?;
            for (kernel, s) in seconds.iter_mut().enumerate() {
                let mut e = c.device.create_command_encoder(&Default::default());
                {
                    let mut pass = e.begin_compute_pass(&Default::default());
                    self.dispatch(&mut pass, kernel, active);
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
        let data = c.read(&staging, 0..2 * header * self.batches.len() as u64)?;
        let words: &[u32] = bytemuck::cast_slice(&data);
        let (mut pairs, mut lanes) = (0u64, 0u64);
        for h in words.chunks(2 * LIST_HEADER as usize) {
            pairs += h[L_COUNT] as u64;
            lanes += h[LIST_HEADER as usize + L_COUNT] as u64;
        }
        let invocations = [
            self.replicates as u64 * active as u64,
            pairs,
            lanes,
            pairs,
            pairs,
        ];
        {
            let mut p = profiler.profile.lock().expect("profile lock");
            for kernel in 0..KERNELS.len() {
                p.seconds[kernel] += seconds[kernel];
                p.invocations[kernel] += invocations[kernel];
                p.bytes[kernel] += invocations[kernel] * KERNEL_BYTES[kernel];
            }
        }
        self.profiler = Some(profiler);
        Ok(c.device.create_command_encoder(&Default::default()))
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
    fn read_batches<T: Pod>(
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
            let data = c.read(&staging, 0..bytes)?;
            out.extend_from_slice(bytemuck::cast_slice::<u8, T>(&data));
        }
        out.truncate(self.replicates as usize * per_replicate);
        Ok(out)
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
        let data = c.read(staging, 0..total)?;
        Ok(bytemuck::cast_slice(&data).to_vec())
    }

    fn try_drain_events(&mut self, out: &mut Vec<(u32, Event)>) -> Result<(), String> {
        let cap = self.plan.tracks.len() * EVENTS_PER_THREAT_TICK as usize;
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
                e.copy_buffer_to_buffer(&self.events, at, staging, at, (n * size) as u64);
            }
        }
        c.queue.submit([e.finish()]);
        let data = c.read(staging, 0..total)?;
        let events: &[Event] = bytemuck::cast_slice(&data);
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
        let counters = plan.weapons.len() * WEAPON_COUNTERS as usize
            + plan.slots.len() * SLOT_COUNTERS as usize;
        Ok(FinalState {
            counters: self.read_batches(|b| &b.counters, counters)?,
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

    fn upload(&mut self, changes: &[Upload]) {
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
            }
        }
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
            q.write_buffer(&self.batteries, 0, bytemuck::cast_slice(&self.battery_rows));
        }
    }

    fn step(&mut self, params: Params, active: &[u32]) -> Result<StepReport, String> {
        let c = self.ctx.clone();
        let n_active = active.len() as u32;
        if n_active == 0 {
            return Ok(StepReport::default());
        }
        c.queue
            .write_buffer(&self.active_list, 0, bytemuck::cast_slice(active));
        let record_count = self.record.len() as u32;
        for b in &self.batches {
            let p = Params {
                replicates: b.replicates,
                first_replicate: params.first_replicate.wrapping_add(b.first),
                active: n_active,
                record_first: self.record.start.wrapping_sub(b.first),
                record_count,
                ..params
            };
            c.queue.write_buffer(&b.params, 0, bytemuck::bytes_of(&p));
        }
        let mut encoder = c.device.create_command_encoder(&Default::default());
        encoder.clear_buffer(&self.status, 0, None);
        encoder.clear_buffer(&self.track_next, 0, None);
        for b in &self.batches {
            // Empty lists, and (in `lanes`) no candidates yet.
            c.queue
                .write_buffer(&b.pairs, 0, bytemuck::cast_slice(&EMPTY_LIST));
            c.queue
                .write_buffer(&b.lanes, 0, bytemuck::cast_slice(&EMPTY_LIST));
            encoder.clear_buffer(&b.lanes, LIST_HEADER * 4, Some(b.replicates as u64 * 4));
        }
        if self.profiler.is_some() {
            encoder = self.run_profiled(encoder, n_active)?;
        } else {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            for kernel in 0..KERNELS.len() {
                self.dispatch(&mut pass, kernel, n_active);
            }
        }
        let status_bytes = (STATUS_WORDS + self.event_counts.len()) as u64 * 4;
        let next_bytes = self.plan.tracks.len() as u64 * 4;
        encoder.copy_buffer_to_buffer(&self.status, 0, &self.readback, 0, status_bytes);
        encoder.copy_buffer_to_buffer(
            &self.track_next,
            0,
            &self.readback,
            status_bytes,
            next_bytes,
        );
        c.queue.submit([encoder.finish()]);
        let data = c.read(&self.readback, 0..status_bytes + next_bytes)?;
        let words: &[u32] = bytemuck::cast_slice(&data);
        let (status, track_next) = words.split_at(status_bytes as usize / 4);
        for (i, n) in self.event_counts.iter_mut().enumerate() {
            *n = status[STATUS_WORDS + i];
        }
        if status[S_LOOP_LIMIT] != 0 {
            return Err(format!(
                "a GPU kernel loop was cut short at tick {} (lavapipe ends loops after \
                 65,535 iterations): run this scenario on the CPU backend",
                params.tick
            ));
        }
        if status[S_OVERFLOW] != 0 {
            return Err(format!(
                "an event or candidate buffer overflowed at tick {}",
                params.tick
            ));
        }
        Ok(StepReport {
            track_next: active.iter().map(|&k| !track_next[k as usize]).collect(),
            assets_changed: status[S_ASSETS_CHANGED] != 0,
        })
    }

    fn assets(&mut self) -> Vec<AssetState> {
        self.try_assets()
            .unwrap_or_else(|e| panic!("reading asset state back from the GPU: {e}"))
    }

    fn drain_events(&mut self, out: &mut Vec<(u32, Event)>) {
        self.try_drain_events(out)
            .unwrap_or_else(|e| panic!("reading events back from the GPU: {e}"))
    }

    fn finish(&mut self) -> FinalState {
        self.try_finish()
            .unwrap_or_else(|e| panic!("reading the final state back from the GPU: {e}"))
    }
}
