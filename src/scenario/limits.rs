//! The sizes the model is built for. The kernels keep fixed-size arrays and bit fields
//! sized by these (`engine::layout` and `shaders/common.wgsl` take them from here), so a
//! scenario beyond them is refused when it is loaded.

/// Defensive units (batteries, escorts, air wings): the allocation kernel keeps one
/// fire-channel counter per battery in private memory.
pub const MAX_BATTERIES: usize = 128;
/// Engagements per doctrine: one byte each in `SlotRow::doctrine`.
pub const MAX_ENGAGEMENTS: usize = 4;
/// Shots per engagement: the byte that holds an engagement's shots.
pub const MAX_SHOTS: u32 = 255;
/// Times one repeated order falls due (`times`): a year of hourly salvos.
pub const MAX_REPEATS: u32 = 10_000;
/// Orders of a scenario, every time of a repeated order counted: checked before repeats
/// are expanded, so that `times` cannot multiply the scenario's size unchecked.
pub const MAX_ORDERS: usize = 100_000;
/// Fire channels per battery: `allocate` scans a battery's channels for a free one.
pub const MAX_CHANNELS: u32 = 64;
/// Decoys per warhead: each is a track of its own.
pub const MAX_DECOYS: u32 = 8;
/// Submunitions per warhead: `impact` loops over them, and an event holds their hits in
/// 7 bits.
pub const MAX_SUBMUNITIONS: u32 = 100;
/// How far a footprint may reach from its asset's position, km: the kernels test impact
/// points in integers in a frame of +-32.7 km around it (`engine::plan`).
pub const MAX_FOOTPRINT_KM: f64 = 30.0;
/// Vertices of a footprint polygon, at most (`impact` loops over them).
pub const MAX_VERTICES: usize = 64;
/// Scatter (CEP, impact prediction, submunition spread) at most, m: the integer frame's
/// reach.
pub const MAX_SCATTER_M: f64 = 30_000.0;
