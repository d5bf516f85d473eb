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

/// Ticks a scenario may last (`duration / tick_seconds`): 194 days at one-second ticks.
/// Every tick the engine computes (a start, a launch offset, a time of flight) stays below
/// `2^27`, so their sums never wrap a `u32`.
pub const MAX_TICKS: u32 = 1 << 24;
/// Threats a scenario may plan per replicate: the threat rows and their random streams are
/// numbered with `u32`s, and each row costs memory in every replicate.
pub const MAX_TRACKS: u64 = 1 << 24;
/// Launchers across all launch sites and militias: one bit each in every replicate, and a
/// strike draws once per launcher per replicate.
pub const MAX_LAUNCHERS: u64 = 1 << 16;
/// The longest time of flight a ballistic missile or rocket may have at its maximum range:
/// a day (the longest real flights take well under an hour).
pub const MAX_FLIGHT_TIME_S: f64 = 86_400.0;
/// The slowest cruise missile or drone, km/h: a flight across the Earth then still takes
/// fewer than `2^27` one-second ticks.
pub const MIN_SPEED_KMH: f64 = 1.0;
/// The largest scenario or database file read: its text is held in memory and parsed at
/// once.
pub const MAX_FILE_BYTES: u64 = 16 << 20;
