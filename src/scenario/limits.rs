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
