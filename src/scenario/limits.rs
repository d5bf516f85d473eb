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
/// Times one repeated order falls due (`times`): a year of hourly salvos.
pub const MAX_REPEATS: u32 = 10_000;
/// Magazine reports a `cells_below` trigger asks for over the scenario: each one stops
/// every replicate and reads its magazines.
pub const MAX_REPORTS: u32 = 10_000;
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
/// A seeker's (or an operator's) acquisition range at most, km: beyond any radar horizon.
pub const MAX_ACQUISITION_KM: f64 = 500.0;
/// Rounds one vertical-launch cell holds at most (ESSM: 4).
pub const MAX_PER_CELL: u32 = 8;
/// A ship's speed when it manoeuvres at most, kn.
pub const MAX_MANOEUVRE_KN: f64 = 60.0;
/// Vertices of a footprint polygon, at most (`impact` loops over them).
pub const MAX_VERTICES: usize = 64;
/// Scatter (CEP, impact prediction, submunition spread) at most, m: the integer frame's
/// reach.
pub const MAX_SCATTER_M: f64 = 30_000.0;
/// Decisions of a scenario: each replicate draws each one on the host, and carries their
/// outcomes through the run.
pub const MAX_DECISIONS: usize = 256;
/// Outcomes of a decision.
pub const MAX_OUTCOMES: usize = 64;
