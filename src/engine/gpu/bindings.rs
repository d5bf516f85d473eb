//! The shaders' `@group(0)` bindings: their numbers, which a kernel's entry point uses,
//! and the bind group of one kernel over one batch.

use super::context::{GpuContext, Pipeline};

/// Binding numbers of `@group(0)`, as declared in the shaders.
pub mod binding {
    pub const PARAMS: u32 = 0;
    pub const TRACKS: u32 = 1;
    // 2 was the weapons' rows, now in `tables` (`plan::tables::weapon_base`).
    pub const OPPORTUNITIES: u32 = 3;
    pub const SLOTS: u32 = 4;
    pub const BATTERIES: u32 = 5;
    pub const ASSET_ROWS: u32 = 6;
    /// The groups started this tick.
    pub const STARTED: u32 = 7;
    pub const THREATS: u32 = 8;
    pub const WAKE: u32 = 9;
    pub const CANDIDATES: u32 = 10;
    /// The replicates' calendars.
    pub const CALENDAR: u32 = 11;
    pub const MAGAZINES: u32 = 12;
    pub const COUNTERS: u32 = 13;
    pub const ASSETS: u32 = 14;
    pub const GROUP_START: u32 = 15;
    pub const LAUNCHERS: u32 = 16;
    pub const EVENTS: u32 = 17;
    pub const STATUS: u32 = 18;
    /// `assets` as atomic words, in `impact`.
    pub const ASSET_WORDS: u32 = 19;
    /// The run's clock words.
    pub const CLOCK: u32 = 20;
    /// This tick's (replicate, track) pairs with work, from `schedule`.
    pub const PAIRS: u32 = 21;
    /// The candidate count of each replicate, and the replicates with candidates.
    pub const LANES: u32 = 22;
    /// Lookup tables: scatter, kill thresholds, footprints.
    pub const TABLES: u32 = 23;
    /// Each replicate's channels and radar tracks, in `allocate`.
    pub const FIRE_CONTROL: u32 = 24;
    /// Each threat row's successor in its calendar list.
    pub const LINK: u32 = 25;
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

/// The buffers a batch binds: the run's shared ones and the batch's own.
pub(super) struct Buffers<'a> {
    pub(super) params: &'a wgpu::Buffer,
    pub(super) tracks: &'a wgpu::Buffer,
    pub(super) opportunities: &'a wgpu::Buffer,
    pub(super) slots: &'a wgpu::Buffer,
    pub(super) batteries: &'a wgpu::Buffer,
    pub(super) asset_rows: &'a wgpu::Buffer,
    pub(super) started: &'a wgpu::Buffer,
    pub(super) threats: &'a wgpu::Buffer,
    pub(super) wake: &'a wgpu::Buffer,
    pub(super) calendar: &'a wgpu::Buffer,
    pub(super) link: &'a wgpu::Buffer,
    pub(super) candidates: &'a wgpu::Buffer,
    pub(super) magazines: &'a wgpu::Buffer,
    pub(super) counters: &'a wgpu::Buffer,
    pub(super) assets: &'a wgpu::Buffer,
    pub(super) group_start: &'a wgpu::Buffer,
    pub(super) launchers: &'a wgpu::Buffer,
    pub(super) events: &'a wgpu::Buffer,
    pub(super) status: &'a wgpu::Buffer,
    pub(super) clock: &'a wgpu::Buffer,
    pub(super) pairs: &'a wgpu::Buffer,
    pub(super) lanes: &'a wgpu::Buffer,
    pub(super) tables: &'a wgpu::Buffer,
    pub(super) fire_control: &'a wgpu::Buffer,
}

impl Buffers<'_> {
    /// The buffer behind a binding number, or `None` for a number no shader declares.
    fn get(&self, b: u32) -> Option<&wgpu::Buffer> {
        Some(match b {
            binding::PARAMS => self.params,
            binding::TRACKS => self.tracks,
            binding::OPPORTUNITIES => self.opportunities,
            binding::SLOTS => self.slots,
            binding::BATTERIES => self.batteries,
            binding::ASSET_ROWS => self.asset_rows,
            binding::STARTED => self.started,
            binding::THREATS => self.threats,
            binding::WAKE => self.wake,
            binding::CALENDAR => self.calendar,
            binding::LINK => self.link,
            binding::CANDIDATES => self.candidates,
            binding::MAGAZINES => self.magazines,
            binding::COUNTERS => self.counters,
            binding::ASSETS | binding::ASSET_WORDS => self.assets,
            binding::GROUP_START => self.group_start,
            binding::LAUNCHERS => self.launchers,
            binding::EVENTS => self.events,
            binding::STATUS => self.status,
            binding::CLOCK => self.clock,
            binding::PAIRS => self.pairs,
            binding::LANES => self.lanes,
            binding::TABLES => self.tables,
            binding::FIRE_CONTROL => self.fire_control,
            _ => return None,
        })
    }
}

/// One kernel's bind group over a batch's buffers: the bindings its entry point uses.
pub(super) fn bind_group(
    ctx: &GpuContext,
    kernel: &Pipeline,
    buffers: &Buffers,
) -> Result<wgpu::BindGroup, String> {
    let entries = kernel
        .bindings
        .iter()
        .map(|&b| {
            let buffer = buffers
                .get(b)
                .ok_or_else(|| format!("kernel {} uses unknown binding {b}", kernel.name))?;
            Ok(wgpu::BindGroupEntry {
                binding: b,
                resource: buffer.as_entire_binding(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some(kernel.name),
        layout: &kernel.layout,
        entries: &entries,
    }))
}
