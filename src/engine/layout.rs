//! The flat `#[repr(C)]` arrays the kernels work on. Each struct here has a WGSL twin of
//! the same name and field order in `shaders/common.wgsl`; all fields are `u32`, so the
//! layouts agree without padding rules.
//!
//! Shared tables (one copy for all replicates) come from the plan; per-replicate state
//! is indexed `replicate * stride + i`.

use bytemuck::{Pod, Zeroable};

/// "Never" for ticks, "none" for indices. A threat's wake is `NEVER` while it waits for
/// launch (its group's start decides when), and `DONE` once it has no future at all, so
/// that `schedule` can tell the two apart from the wake alone.
pub const NEVER: u32 = u32::MAX;
pub const NONE: u32 = u32::MAX;
pub const DONE: u32 = u32::MAX - 1;

/// The allocation kernel keeps one free-channel count per battery in private memory.
pub const MAX_BATTERIES: usize = 128;
/// Opportunities per track: one bit each in `Threat::done`.
pub const MAX_OPPORTUNITIES: usize = 32;
/// Engagements per doctrine: one byte each in `SlotRow::doctrine`.
pub const MAX_ENGAGEMENTS: usize = 4;

// Threat status (low byte of `Threat::status`).
pub const PENDING: u32 = 0;
pub const FLYING: u32 = 1;
pub const KILLED: u32 = 2;
pub const LEAKED: u32 = 3;
pub const FAILED_LAUNCH: u32 = 4;
pub const FAILED_FLIGHT: u32 = 5;
/// Never launched: its launcher was destroyed first.
pub const ABORTED: u32 = 6;
/// A decoy that never separated: the missile it rode on was killed before apogee.
pub const VANISHED: u32 = 7;
pub const STATUS_MASK: u32 = 0xff;
/// Flag: the defence detected and classified the threat.
pub const DETECTED: u32 = 0x100;

// Per-replicate counters, per weapon (stride `WEAPON_COUNTERS`).
pub const C_LAUNCHED: u32 = 0;
pub const C_FAILED_LAUNCH: u32 = 1;
pub const C_FAILED_FLIGHT: u32 = 2;
pub const C_INTERCEPTED: u32 = 3;
pub const C_LEAKED: u32 = 4;
pub const C_ABORTED: u32 = 5;
pub const C_UNDETECTED: u32 = 6;
/// Leakers that every battery able to engage them let fall (predicted outside the
/// footprint of what it defends).
pub const C_IGNORED: u32 = 7;
/// Of those, the ones that landed inside their target's footprint all the same.
pub const C_IGNORED_INSIDE: u32 = 8;
/// Engagements and rounds spent on this weapon's decoys, and decoys shot down.
pub const C_DECOY_ENGAGEMENTS: u32 = 9;
pub const C_DECOY_ROUNDS: u32 = 10;
pub const C_DECOY_KILLED: u32 = 11;
pub const WEAPON_COUNTERS: u32 = 12;
// ... then per magazine slot (stride `SLOT_COUNTERS`), from `Params::slot_counters`.
pub const C_FIRED: u32 = 0;
pub const C_KILLS: u32 = 1;
pub const C_ENGAGEMENTS: u32 = 2;
/// Rounds that failed (launch, guidance, fuze): their kill was never drawn.
pub const C_MALFUNCTIONS: u32 = 3;
pub const SLOT_COUNTERS: u32 = 4;

// Event kinds, recorded for chosen replicates.
pub const E_LAUNCH: u32 = 1;
pub const E_LAUNCH_FAILED: u32 = 2;
pub const E_FLIGHT_FAILED: u32 = 3;
pub const E_ABORTED: u32 = 4;
pub const E_ENGAGED: u32 = 5;
pub const E_KILLED: u32 = 6;
pub const E_LEAKED: u32 = 7;
/// Most events one threat can raise in one tick (launch, engaged, killed).
pub const EVENTS_PER_THREAT_TICK: u32 = 3;

// Bits of the `E_LEAKED` argument above the asset index: any hit, any damage, then the
// number of hits (impact points inside the footprint: more than one for submunitions)
// and of damaging hits, 7 bits each.
pub const LEAK_HIT: u32 = 1 << 16;
pub const LEAK_DAMAGE: u32 = 1 << 17;
pub const LEAK_HITS_SHIFT: u32 = 18;
pub const LEAK_DAMAGE_SHIFT: u32 = 25;

// The integer frame in which impact points are placed and tested against footprints
// (`engine::plan::geometry`): units of `FRAME_M` metres east and north of the target
// asset's position, each coordinate within +-`FRAME_LIMIT` units (32.8 km), so that
// every product the tests take fits an i32.
pub const FRAME_M: u32 = 4;
pub const FRAME_LIMIT: i32 = 8191;
/// `Track::evade` of a threat whose aim point lies beyond the frame: nothing it does can
/// land inside its target's footprint.
pub const OFF_FRAME: u32 = u32::MAX;
// The constant tables at the head of `tables` (`Plan::tables`): the standard Rayleigh
// radius at `QUANTILE_KNOTS` probabilities (fixed point, `QUANTILE_BITS`), then the cosine
// and the sine of `ANGLES` directions (fixed point, `TRIG_BITS`); then the kill
// thresholds, one per (slot, weapon); then the weapons' rows (`WEAPON_WORDS` each); then
// footprint vertices, x and y.
pub const QUANTILE_KNOTS: u32 = 1025;
pub const QUANTILE_BITS: u32 = 12;
pub const ANGLES: u32 = 256;
pub const TRIG_BITS: u32 = 14;
pub const Q_BASE: u32 = 0;
pub const COS_BASE: u32 = Q_BASE + QUANTILE_KNOTS;
pub const SIN_BASE: u32 = COS_BASE + ANGLES;
pub const KILL_BASE: u32 = SIN_BASE + ANGLES;
/// Words of a `WeaponRow` in `tables` (`plan::tables::weapon_base`).
pub const WEAPON_WORDS: u32 = (std::mem::size_of::<WeaponRow>() / 4) as u32;
/// Knots of an opportunity's fly-out table: 16 bits each, two per word.
pub const FLYOUT_KNOTS: u32 = 8;
/// Fly-out ticks at most (a knot holds 12 bits of it, so that interpolating fits a u32).
pub const MAX_FLYOUT: u32 = 4095;

// Status words, read back by the host each tick.
pub const S_ASSETS_CHANGED: usize = 0;
pub const S_OVERFLOW: usize = 1;
/// A kernel loop stopped short (lavapipe gives an invocation 65,535 loop iterations in
/// all); set by the GPU kernels only, which check where each loop ends that it ended
/// where the twin's does.
pub const S_LOOP_LIMIT: usize = 2;
/// A threat's next wake was not after the tick that set it, or a replicate's calendar
/// held a wake the host skipped: a kernel bug, returned as an error, never a threat that
/// silently stops.
pub const S_LATE_WAKE: usize = 3;
pub const STATUS_WORDS: usize = 4;

// A replicate's calendar: which of its threat rows wake at which tick, so that a tick
// touches only the rows due in each replicate. A hierarchical timing wheel of
// `CALENDAR_WORDS` words per replicate: the near wheel holds the ticks of one page
// (`WHEEL` ticks) tick by tick, the far wheel the pages of one epoch (`WHEEL` pages) page
// by page, and an overflow list what lies beyond. Each slot is a list threaded through
// `link` (one word per threat row; a row is in at most one list). When the host reaches a
// replicate's next wake in a later page, the far slot of that page is spread over the near
// wheel (and, in a later epoch, the overflow list over both): each row moves at most twice.
pub const WHEEL_SHIFT: u32 = 8;
pub const WHEEL: u32 = 1 << WHEEL_SHIFT;
/// Words of one wheel's occupancy bits.
pub const WHEEL_WORDS: u32 = WHEEL / 32;
/// The page (tick >> `WHEEL_SHIFT`) the near wheel holds.
pub const CAL_PAGE: u32 = 0;
/// The earliest tick any row of the replicate wakes, or `NEVER`.
pub const CAL_NEXT: u32 = 1;
/// The earliest tick in the overflow list, or `NEVER`.
pub const CAL_OVERFLOW_MIN: u32 = 2;
/// The head of the overflow list, or `NONE`.
pub const CAL_OVERFLOW: u32 = 3;
/// Bits of the near slots that hold rows.
pub const CAL_NEAR_BITS: u32 = 4;
/// Bits of the far slots that hold rows.
pub const CAL_FAR_BITS: u32 = CAL_NEAR_BITS + WHEEL_WORDS;
/// Heads of the near slots (tick & (WHEEL - 1)).
pub const CAL_NEAR: u32 = CAL_FAR_BITS + WHEEL_WORDS;
/// Heads of the far slots (page & (WHEEL - 1)).
pub const CAL_FAR: u32 = CAL_NEAR + WHEEL;
/// The earliest tick in each far slot, or `NEVER`.
pub const CAL_FAR_MIN: u32 = CAL_FAR + WHEEL;
pub const CALENDAR_WORDS: u32 = CAL_FAR_MIN + WHEEL;

/// A calendar with nothing in it, at page 0.
pub fn empty_calendar() -> [u32; CALENDAR_WORDS as usize] {
    let mut c = [NONE; CALENDAR_WORDS as usize];
    c[CAL_PAGE as usize] = 0;
    c[CAL_NEXT as usize] = NEVER;
    c[CAL_OVERFLOW_MIN as usize] = NEVER;
    for w in CAL_NEAR_BITS..CAL_NEAR {
        c[w as usize] = 0;
    }
    c
}

// The run's clock words, shared by every replicate of a step (see `engine::next_tick`).
/// The earliest tick any replicate's calendar holds after the tick (the host's next
/// tick, unless an order comes first).
pub const CLOCK_NEXT: usize = 0;
/// On the GPU, summed over a submission's ticks: the replicates that listed rows, and the
/// rows listed (the CPU backend counts both from its lanes, so the twin of `schedule`
/// leaves these words alone).
pub const CLOCK_LANES: usize = 1;
pub const CLOCK_STEPS: usize = 2;
/// The tick the kernels run (`NONE`: none, the submission is over), the last they ran,
/// and how many they ran.
pub const CLOCK_TICK: usize = 3;
pub const CLOCK_LAST: usize = 4;
pub const CLOCK_TICKS: usize = 5;
/// The host's limits for a submission: no tick from `CLOCK_UNTIL` on, none after a hit
/// when `CLOCK_STOP_ON_HIT` is set.
pub const CLOCK_UNTIL: usize = 6;
pub const CLOCK_STOP_ON_HIT: usize = 7;
pub const CLOCK_WORDS: usize = 8;
/// Ticks of events a recorded replicate's buffer holds: a tick starts only with room for
/// one more (see `engine::next_tick`).
pub const EVENT_TICKS: u32 = 2;

/// Events a recorded replicate's buffer holds, for a plan of `tracks` threats.
pub const fn event_capacity(tracks: usize) -> usize {
    tracks * EVENTS_PER_THREAT_TICK as usize * EVENT_TICKS as usize
}

/// Per-tick constants shared by every kernel.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable, PartialEq, Eq)]
pub struct Params {
    pub tick: u32,
    pub seed: u32,
    /// Replicates in this dispatch.
    pub replicates: u32,
    /// Global index of the first replicate in this dispatch (the RNG key).
    pub first_replicate: u32,
    pub tracks: u32,
    /// Groups that start this tick in some replicate: entries of the `started` list.
    pub started: u32,
    pub batteries: u32,
    pub slots: u32,
    pub assets: u32,
    pub weapons: u32,
    pub groups: u32,
    pub launcher_words: u32,
    /// Counters per replicate.
    pub counters: u32,
    /// Offset of the first per-slot counter within a replicate's counters.
    pub slot_counters: u32,
    /// Replicates `[record_first, record_first + record_count)` record events.
    pub record_first: u32,
    pub record_count: u32,
    /// Fire-control words per replicate: channels, then radar tracks.
    pub fire_control: u32,
    /// A run that draws its parameters (`engine::params::DrawnThresholds`): where in
    /// `tables` the index of drawn thresholds is (per site, its word in a replicate's row,
    /// or `NONE`: the plan's), where the row of the dispatch's first replicate starts, and
    /// the words of a row (0: nothing drawn, the plan's thresholds throughout).
    pub drawn_index: u32,
    pub drawn_base: u32,
    pub drawn_words: u32,
}

/// A group (an order's salvo or a militia) that starts this tick in some replicate: its
/// threats go into the calendars of the replicates where it starts, at their launch ticks.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable, PartialEq, Eq)]
pub struct Started {
    pub group: u32,
    pub first_track: u32,
    pub tracks: u32,
    pub _pad: u32,
}

/// One planned threat: a launch from a launcher at a target, the same in every replicate.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable, PartialEq, Eq)]
pub struct Track {
    /// The order or militia whose start launches it.
    pub group: u32,
    /// Ticks from the group's start to launch.
    pub offset: u32,
    pub launcher: u32,
    pub weapon: u32,
    pub target: u32,
    /// Ticks from launch to impact.
    pub flight: u32,
    pub opp_first: u32,
    pub opp_count: u32,
    /// Probability threshold that the defence detects it.
    pub detect: u32,
    /// Probability threshold that it launches: the weapon's reliability times its site's.
    pub launch_ok: u32,
    /// The track whose draws decide its launch, detection, failure and timing: itself,
    /// or for a decoy the missile it rides on.
    pub stream: u32,
    /// Ticks over which its launch is drawn per replicate (random timing), or 0.
    pub jitter: u32,
    /// A decoy: the age at which it separates (apogee); 0 for a warhead.
    pub separation: u32,
    /// Where it flies to, east and north of where its target is at impact, frame units
    /// (i32 bits): 0 for a weapon that follows its target, a ship's run since the
    /// targeting data for one aimed at fixed coordinates (`engine::plan`).
    pub aim_x: u32,
    pub aim_y: u32,
    /// How far a manoeuvring ship runs on a course drawn per threat (`D_EVADE`), frame
    /// units; `OFF_FRAME` when the aim point is beyond the frame: it cannot hit.
    pub evade: u32,
}

/// A weapon type's class, in-flight reliability as a u32 threshold (launch reliability
/// depends on the site too: it is in [`Track`]) and where it lands.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable, PartialEq, Eq)]
pub struct WeaponRow {
    pub class: u32,
    pub flight_ok: u32,
    /// Standard deviation of its impact point per axis, frame units (CEP / 1.1774).
    pub scatter: u32,
    /// Submunitions (0: one warhead) and the standard deviation of their pattern.
    pub submunitions: u32,
    pub sub_scatter: u32,
}

/// A window in which one magazine of one battery can start an engagement of one track:
/// ages (ticks since launch) `enter..=exit`, chosen so that the interceptor meets the
/// threat inside the envelope, at ages `hit_first..=hit_last`. A track's opportunities are
/// listed in allocation order: upper tier first, then the scenario's battery-choice rule
/// (`rank`), then battery, then magazine preference.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable, PartialEq, Eq)]
pub struct Opportunity {
    pub slot: u32,
    pub battery: u32,
    pub enter: u32,
    pub exit: u32,
    /// Opportunities of equal rank are tied under the rule: the battery with the most
    /// rounds ready among them engages.
    pub rank: u32,
    pub hit_first: u32,
    pub hit_last: u32,
    /// Ticks between the knots of `flyout`.
    pub step: u32,
    /// Fly-out ticks of an engagement started at age `enter + i * step`, 16 bits each.
    pub flyout: [u32; 4],
}

/// One magazine (one interceptor type) of one battery.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable, PartialEq, Eq)]
pub struct SlotRow {
    pub battery: u32,
    pub interceptor: u32,
    /// Rounds on the launchers when full.
    pub capacity: u32,
    pub per_reload: u32,
    /// 0: no reload.
    pub reload_ticks: u32,
    /// Threshold of the probability that a round works (its kill thresholds, one per
    /// weapon, are in `tables`).
    pub reliability: u32,
    /// Shots per engagement per class, one byte per engagement, 0 ending the list.
    pub doctrine: [u32; 4],
}

/// A battery's fire control, in a uniform array (48 bytes: a multiple of 16).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable, PartialEq, Eq)]
pub struct BatteryRow {
    /// Engagements it can guide at once: each keeps a channel busy until its intercept.
    pub channels: u32,
    /// Asset whose loss silences the battery, or `NONE`.
    pub host: u32,
    pub tier: u32,
    /// 0 when switched off.
    pub online: u32,
    /// Its channels' words in a replicate's fire control: the tick each is free from.
    pub channel_first: u32,
    /// Threats its radar tracks at once (0: no limit), and their words: the track each
    /// holds, or `NONE`.
    pub radar_tracks: u32,
    pub radar_first: u32,
    /// Standard deviation of its predicted impact point per axis, frame units.
    pub prediction: u32,
    /// Threshold of the probability that it tells a decoy from a warhead.
    pub discrimination: u32,
    pub _pad0: u32,
    pub _pad1: u32,
    pub _pad2: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable, PartialEq, Eq)]
pub struct AssetRow {
    pub side: u32,
    pub staying_power: u32,
    /// Threshold of the probability that a hit does no damage.
    pub hardness: u32,
    /// A circular footprint's squared radius, frame units (when `vertex_count` is 0).
    pub radius2: u32,
    /// A polygon's vertices: x, y pairs in `tables` from word `vertex_first`.
    pub vertex_first: u32,
    pub vertex_count: u32,
}

/// One threat in one replicate: 40 bytes, plus 4 in `wake`, 4 in the candidate list, 4 in
/// the work list and 4 in the calendar's `link`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable, PartialEq, Eq)]
pub struct Threat {
    /// `PENDING`..`ABORTED`, with the `DETECTED` flag.
    pub status: u32,
    pub launch: u32,
    /// Age at which it fails in flight, or `NEVER`.
    pub fail_age: u32,
    /// Bit i: opportunity i of its track is spent.
    pub done: u32,
    /// Opportunity (index within the track) that engaged it last, or `NONE`.
    pub last_opp: u32,
    /// Engagements by `last_opp` so far.
    pub engagements: u32,
    /// Opportunity whose engagement is in flight, or `NONE`; set by `allocate`, cleared
    /// by `engage` at the intercept.
    pub shot_opp: u32,
    pub shots: u32,
    /// Tick of the intercept of the engagement in flight, or `NEVER`.
    pub intercept_at: u32,
    /// When `allocate` last passed it over because every battery that could engage it
    /// had all its channels busy: the first tick one of them frees a channel (its next
    /// look is not before). `NEVER` otherwise.
    pub free_at: u32,
}

impl Threat {
    pub const INITIAL: Threat = Threat {
        status: PENDING,
        launch: NEVER,
        fail_age: NEVER,
        done: 0,
        last_opp: NONE,
        engagements: 0,
        shot_opp: NONE,
        shots: 0,
        intercept_at: NEVER,
        free_at: NEVER,
    };
}

/// One magazine in one replicate.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable, PartialEq, Eq)]
pub struct MagazineState {
    pub ready: u32,
    pub reserve: u32,
    /// Tick the reload in progress completes, or `NEVER`.
    pub reload_at: u32,
    /// Tick the magazine ran out of rounds altogether, or `NEVER`.
    pub empty_at: u32,
}

/// One defended asset in one replicate.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable, PartialEq, Eq)]
pub struct AssetState {
    pub hits: u32,
    pub damage: u32,
    /// Tick it was put out of action, or `NEVER`.
    pub out_at: u32,
    /// 1 while a ship is off its station in this replicate (gone to port to rearm, or
    /// held in reserve until it relieves another): its batteries are silent and what
    /// lands on its station finds nothing there. Set by the host only.
    pub away: u32,
}

impl AssetState {
    pub const INITIAL: AssetState = AssetState {
        hits: 0,
        damage: 0,
        out_at: NEVER,
        away: 0,
    };
}

/// Something that happened to a threat, for event tables and the live map.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable, PartialEq, Eq, PartialOrd, Ord)]
pub struct Event {
    pub tick: u32,
    pub track: u32,
    pub kind: u32,
    /// `E_ENGAGED`: slot | shots << 16; `E_KILLED`: slot; `E_LEAKED`: asset | LEAK_* bits
    /// and counts; `E_LAUNCH`: 1 if detected.
    pub arg: u32,
}

/// Bytes of device memory per threat per replicate: the row, its wake tick, its
/// candidate-list slot, its slot in the work list `schedule` fills and its calendar link.
pub const BYTES_PER_THREAT: usize = std::mem::size_of::<Threat>() + 4 + 4 + 4 + 4;
