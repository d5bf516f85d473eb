// Shared by every kernel: prepended to `schedule.wgsl`, `advance.wgsl`, `allocate.wgsl`,
// `engage.wgsl` and `impact.wgsl` when the pipelines are built. Twin of
// `src/engine/layout.rs` (the structs and constants), `src/engine/rng.rs` (the generator)
// and `src/engine/cpu/mod.rs` (the helpers). A GPU result that differs from the CPU twin
// is a bug.
//
// The twins have the same shape for lavapipe (Mesa's Vulkan on the CPU), which runs
// every instruction of a kernel for every invocation, masked rather than skipped, and pays
// for a loop body whether or not it does anything: the kernels run over work lists
// (below), read rows only past their early exits, and loop over the open opportunities
// only (`open_at`). What differs is indexing: a twin's `lane.threats[k]` is
// `threats[r * params.tracks + k]` here (`row` names that index), its per-lane lists are
// windows of one buffer, its counters and shared words atomics, and each list-driven
// kernel has an entry point that strides over its list and calls `<kernel>_one`, the
// twin. Each loop that the twin runs to its end checks here that it did (`S_LOOP_LIMIT`).
// The results are the twins' to the bit; `tests/kernels.rs` checks each kernel alone,
// `tests/gpu.rs` whole runs.
//
// lavapipe also caps loops: an invocation (in fact each group of invocations it runs as
// one SIMD vector) gets 65,535 loop iterations in all, counted over every loop it runs;
// once they are spent, every loop ends after its current iteration, without a word. So
// every loop here checks, where it ends, that it ended where the twin's does (its
// condition false, or the twin's `break` reached) and sets `S_LOOP_LIMIT` if not, which
// the host returns as an error rather than a wrong result.
//
// Names follow the twin, except where the Rust name is a WGSL reserved word:
// `Params.active` is `active_count`, `Track.target` is `target_asset`,
// `WeaponRow.class` is `threat_class`.
//
// A replicate's arrays are windows of one buffer each: `threats[r * params.tracks + k]`,
// `magazines[r * params.slots + s]`, `calendar[r * CALENDAR_WORDS + w]`, ... where `r` is
// the replicate within this dispatch.
// Where the CPU twin increments a shared counter the kernels use atomics; every other
// word has exactly one writer per dispatch.

// ---- constants (layout.rs, rng.rs, cpu/mod.rs)

const NEVER: u32 = 0xffffffffu;
const NONE: u32 = 0xffffffffu;
const DONE: u32 = 0xfffffffeu;
const MAX_BATTERIES: u32 = 128u;
const MAX_OPPORTUNITIES: u32 = 32u;
const MAX_ENGAGEMENTS: u32 = 4u;

const PENDING: u32 = 0u;
const FLYING: u32 = 1u;
const KILLED: u32 = 2u;
const LEAKED: u32 = 3u;
const FAILED_LAUNCH: u32 = 4u;
const FAILED_FLIGHT: u32 = 5u;
const ABORTED: u32 = 6u;
const VANISHED: u32 = 7u;
const STATUS_MASK: u32 = 0xffu;
const DETECTED: u32 = 0x100u;

const C_LAUNCHED: u32 = 0u;
const C_FAILED_LAUNCH: u32 = 1u;
const C_FAILED_FLIGHT: u32 = 2u;
const C_INTERCEPTED: u32 = 3u;
const C_LEAKED: u32 = 4u;
const C_ABORTED: u32 = 5u;
const C_UNDETECTED: u32 = 6u;
const C_IGNORED: u32 = 7u;
const C_IGNORED_INSIDE: u32 = 8u;
const C_DECOY_ENGAGEMENTS: u32 = 9u;
const C_DECOY_ROUNDS: u32 = 10u;
const C_DECOY_KILLED: u32 = 11u;
const WEAPON_COUNTERS: u32 = 12u;
const C_FIRED: u32 = 0u;
const C_KILLS: u32 = 1u;
const C_ENGAGEMENTS: u32 = 2u;
const C_MALFUNCTIONS: u32 = 3u;
const SLOT_COUNTERS: u32 = 4u;

const E_LAUNCH: u32 = 1u;
const E_LAUNCH_FAILED: u32 = 2u;
const E_FLIGHT_FAILED: u32 = 3u;
const E_ABORTED: u32 = 4u;
const E_ENGAGED: u32 = 5u;
const E_KILLED: u32 = 6u;
const E_LEAKED: u32 = 7u;
const EVENTS_PER_THREAT_TICK: u32 = 3u;
const LEAK_HIT: u32 = 0x10000u;
const LEAK_DAMAGE: u32 = 0x20000u;
const LEAK_HITS_SHIFT: u32 = 18u;
const LEAK_DAMAGE_SHIFT: u32 = 25u;

const FRAME_M: u32 = 4u;
const FRAME_LIMIT: i32 = 8191i;
const OFF_FRAME: u32 = 0xffffffffu;
const QUANTILE_KNOTS: u32 = 1025u;
const QUANTILE_BITS: u32 = 12u;
const ANGLES: u32 = 256u;
const TRIG_BITS: u32 = 14u;
const Q_BASE: u32 = 0u;
const COS_BASE: u32 = 1025u;
const SIN_BASE: u32 = 1281u;
const KILL_BASE: u32 = 1537u;
const WEAPON_WORDS: u32 = 5u;
const FLYOUT_KNOTS: u32 = 8u;
const MAX_FLYOUT: u32 = 4095u;

const S_ASSETS_CHANGED: u32 = 0u;
const S_OVERFLOW: u32 = 1u;
const S_LOOP_LIMIT: u32 = 2u;
const S_LATE_WAKE: u32 = 3u;
const STATUS_WORDS: u32 = 4u;

const WHEEL_SHIFT: u32 = 8u;
const WHEEL: u32 = 256u;
const WHEEL_WORDS: u32 = 8u;
const CAL_PAGE: u32 = 0u;
const CAL_NEXT: u32 = 1u;
const CAL_OVERFLOW_MIN: u32 = 2u;
const CAL_OVERFLOW: u32 = 3u;
const CAL_NEAR_BITS: u32 = 4u;
const CAL_FAR_BITS: u32 = 12u;
const CAL_NEAR: u32 = 20u;
const CAL_FAR: u32 = 276u;
const CAL_FAR_MIN: u32 = 532u;
const CALENDAR_WORDS: u32 = 788u;

const CLOCK_NEXT: u32 = 0u;
const CLOCK_LANES: u32 = 1u;
const CLOCK_STEPS: u32 = 2u;
const CLOCK_TICK: u32 = 3u;
const CLOCK_LAST: u32 = 4u;
const CLOCK_TICKS: u32 = 5u;
const CLOCK_UNTIL: u32 = 6u;
const CLOCK_STOP_ON_HIT: u32 = 7u;
const CLOCK_WORDS: u32 = 8u;
const EVENT_TICKS: u32 = 2u;

const D_LAUNCH: u32 = 0u;
const D_DETECT: u32 = 1u;
const D_FLIGHT: u32 = 2u;
const D_FAIL_AGE: u32 = 3u;
const D_SCATTER: u32 = 4u;
const D_DAMAGE: u32 = 5u;
const D_STRIKE: u32 = 6u;
const D_SCATTER_ANGLE: u32 = 7u;
const D_TIMING: u32 = 8u;
const D_EVADE: u32 = 9u;
const D_KILL: u32 = 16u;
const D_WORKS: u32 = 512u;
const D_DISCRIMINATE: u32 = 1024u;
const D_PREDICT: u32 = 2048u;
const D_SUB: u32 = 4096u;

const L_GROUPS: u32 = 0u;
const L_COUNT: u32 = 3u;
const LIST_HEADER: u32 = 4u;
const MAX_LIST_GROUPS: u32 = 65535u;

const OPP_CLOSED: u32 = 0u;
const OPP_SPENT: u32 = 1u;
const OPP_WAIT: u32 = 2u;
const OPP_READY: u32 = 3u;

// ---- structs (layout.rs: same names, same field order, all u32)

struct Params {
    tick: u32,
    seed: u32,
    replicates: u32,
    first_replicate: u32,
    tracks: u32,
    started: u32,
    batteries: u32,
    slots: u32,
    assets: u32,
    weapons: u32,
    groups: u32,
    launcher_words: u32,
    counters: u32,
    slot_counters: u32,
    record_first: u32,
    record_count: u32,
    fire_control: u32,
    drawn_index: u32,
    drawn_base: u32,
    drawn_words: u32,
}

struct Started {
    group: u32,
    first_track: u32,
    tracks: u32,
    _pad: u32,
}

struct Track {
    group: u32,
    offset: u32,
    launcher: u32,
    weapon: u32,
    target_asset: u32,
    flight: u32,
    opp_first: u32,
    opp_count: u32,
    detect: u32,
    launch_ok: u32,
    stream: u32,
    jitter: u32,
    separation: u32,
    aim_x: u32,
    aim_y: u32,
    evade: u32,
}

struct WeaponRow {
    threat_class: u32,
    flight_ok: u32,
    scatter: u32,
    submunitions: u32,
    sub_scatter: u32,
}

struct Opportunity {
    slot: u32,
    battery: u32,
    enter: u32,
    exit: u32,
    rank: u32,
    hit_first: u32,
    hit_last: u32,
    step: u32,
    flyout: array<u32, 4>,
}

struct SlotRow {
    battery: u32,
    interceptor: u32,
    capacity: u32,
    per_reload: u32,
    reload_ticks: u32,
    reliability: u32,
    doctrine: array<u32, 4>,
}

struct BatteryRow {
    channels: u32,
    host: u32,
    tier: u32,
    online: u32,
    channel_first: u32,
    radar_tracks: u32,
    radar_first: u32,
    prediction: u32,
    discrimination: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

struct AssetRow {
    side: u32,
    staying_power: u32,
    hardness: u32,
    radius2: u32,
    vertex_first: u32,
    vertex_count: u32,
}

struct Threat {
    status: u32,
    launch: u32,
    fail_age: u32,
    done: u32,
    last_opp: u32,
    engagements: u32,
    shot_opp: u32,
    shots: u32,
    intercept_at: u32,
    free_at: u32,
}

struct MagazineState {
    ready: u32,
    reserve: u32,
    reload_at: u32,
    empty_at: u32,
}

struct AssetState {
    hits: u32,
    damage: u32,
    out_at: u32,
    away: u32,
}

struct Event {
    tick: u32,
    track: u32,
    kind: u32,
    arg: u32,
}

// ---- bindings whose access is the same in every kernel. A kernel's pipeline binds only
// those its entry point uses. The kernels declare the others, whose access differs:
// `counters` (13), atomic where several invocations share a replicate; the work lists
// `pairs` (21) and `lanes` (22), atomic where a kernel appends, read-only where the list
// is its indirect dispatch buffer; `calendar` (11), plain in `schedule` (one invocation
// owns a replicate's) and atomic in `impact`; in `impact`, the atomic view of `assets`
// (19); and in `allocate`, the only kernel that reads or writes it, each replicate's fire
// control (24: the tick each channel is free from, the track each radar track holds).

// Per-dispatch constants (the replicates of one batch).
@group(0) @binding(0) var<uniform> params: Params;
// Shared tables.
@group(0) @binding(1) var<storage, read> tracks: array<Track>;
@group(0) @binding(3) var<storage, read> opportunities: array<Opportunity>;
@group(0) @binding(4) var<storage, read> slots: array<SlotRow>;
// The plan's battery table with the host's on/off switches; at most MAX_BATTERIES.
@group(0) @binding(5) var<uniform> batteries: array<BatteryRow, MAX_BATTERIES>;
@group(0) @binding(6) var<storage, read> asset_rows: array<AssetRow>;
// Groups that start this tick in some replicate (`params.started` of them).
@group(0) @binding(7) var<storage, read> started: array<Started>;
// Lookup tables (`plan::tables`): Rayleigh quantiles, cosines and sines, kill thresholds
// per (slot, weapon), footprint vertices (i32 values as their bits).
@group(0) @binding(23) var<storage, read> tables: array<u32>;
// Per-replicate state.
@group(0) @binding(8) var<storage, read_write> threats: array<Threat>;
@group(0) @binding(9) var<storage, read_write> wake: array<u32>;
@group(0) @binding(10) var<storage, read_write> candidates: array<u32>;
@group(0) @binding(12) var<storage, read_write> magazines: array<MagazineState>;
@group(0) @binding(14) var<storage, read> assets: array<AssetState>;
@group(0) @binding(15) var<storage, read> group_start: array<u32>;
@group(0) @binding(16) var<storage, read> launchers: array<u32>;
// Each threat row's successor in its calendar list (see `layout.rs`, `CAL_*`).
@group(0) @binding(25) var<storage, read_write> link: array<u32>;
// Events of the recorded replicates: `(r - params.record_first) * cap + i`.
@group(0) @binding(17) var<storage, read_write> events: array<Event>;
// One per run, shared by every replicate: the status words, then one event count per
// recorded replicate (the `Lane::event_count` of the twin).
@group(0) @binding(18) var<storage, read_write> status: array<atomic<u32>>;
// The run's clock words (`layout.rs`, `CLOCK_*`), shared by every replicate: the earliest
// tick any replicate's calendar holds after the tick, what the ticks of a submission did,
// the tick the kernels run, and the host's limits.
@group(0) @binding(20) var<storage, read_write> clock: array<atomic<u32>>;

// ---- the generator (rng.rs)

fn pcg(v: u32) -> u32 {
    let state = v * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

fn draw(seed: u32, replicate: u32, stream: u32, tick: u32, k: u32) -> u32 {
    var h = pcg(seed ^ 0x9e3779b9u);
    h = pcg(h ^ replicate);
    h = pcg(h ^ stream);
    h = pcg(h ^ tick);
    return pcg(h ^ k);
}

fn chance(u: u32, threshold: u32) -> bool {
    return threshold == 0xffffffffu || u < threshold;
}

// ---- the work lists
//
// Every kernel but `schedule` runs over a list (the CPU twin's is `Lane::pairs`) rather
// than over all (replicate, active track) pairs: `schedule` lists the pairs that pass
// `advance`'s first test, and only they can change this tick (`engage` acts on
// candidates, which `advance` listed; `impact` on arrivals, which `advance` saw). For the
// rest the twins do nothing but report their next wake, which `schedule` does. `advance`
// lists the replicates that got candidates, for `allocate`.
//
// A list is one buffer per batch: the indirect dispatch arguments of the kernels that run
// over it (workgroups x, y, z), the number of entries (`L_COUNT`), then, for `lanes`
// only, the candidate count of each replicate (the twin's `Lane::candidate_count`,
// cleared by the host before each tick), then the entries. Whoever appends entry `i`
// grows the x workgroups to cover it, up to `MAX_LIST_GROUPS`; beyond that each
// invocation takes every (groups x workgroup)-th entry. The kernels that read a list
// declare it read-only (it is their indirect buffer), those that append to it atomic.

// Invocations per workgroup of the kernels that run over lists.
const LIST_WORKGROUP: u32 = 64u;

// The workgroups that cover entry `i`.
fn groups_for(i: u32) -> u32 {
    return min(i / LIST_WORKGROUP + 1u, MAX_LIST_GROUPS);
}

// ---- the helpers (cpu/mod.rs); `r` stands for the twin's `lane`, and the twin's `tb`
// (the shared tables) is the bindings

// A threat's next wake: every kernel sets it here, and only here; `impact` puts it in the
// calendar (the twin's `set_wake`).
fn set_wake(row: u32, w: u32) {
    wake[row] = w;
}

// Lower the run's next tick to `w`; most calls only read it (the twin's `note_next`).
fn note_next(w: u32) {
    if w < atomicLoad(&clock[CLOCK_NEXT]) {
        atomicMin(&clock[CLOCK_NEXT], w);
    }
}

// A status word is set (the twin's `lane.status[word] = 1`).
fn set_status(word: u32) {
    atomicOr(&status[word], 1u);
}

fn record(r: u32, tick: u32, track: u32, kind: u32, arg: u32) {
    let e = r - params.record_first;
    if e >= params.record_count {
        return;
    }
    let cap = params.tracks * EVENTS_PER_THREAT_TICK * EVENT_TICKS;
    let i = atomicAdd(&status[STATUS_WORDS + e], 1u);
    if i < cap {
        events[e * cap + i] = Event(tick, track, kind, arg);
    } else {
        set_status(S_OVERFLOW);
    }
}

fn rand(r: u32, track: u32, k: u32) -> u32 {
    return draw(params.seed, params.first_replicate + r, track, params.tick, k);
}

// Threshold `site` of replicate `r` (`engine::params::DrawnThresholds` numbers the
// sites): its drawn value when the run draws it (a word of the replicate's row in
// `tables`), `planned` (the plan's) otherwise. Twin of `drawn_or` in `cpu/mod.rs`.
fn drawn_or(r: u32, site: u32, planned: u32) -> u32 {
    if params.drawn_words != 0u {
        let at = tables[params.drawn_index + site];
        if at != NONE {
            return tables[params.drawn_base + r * params.drawn_words + at];
        }
    }
    return planned;
}

// The kill threshold of `slot` against `weapon` in replicate `r`.
fn kill_threshold(r: u32, slot: u32, weapon: u32) -> u32 {
    let i = slot * params.weapons + weapon;
    return drawn_or(r, i, tables[KILL_BASE + i]);
}

// Weapon `w`'s row. The rows live in `tables` after the kill thresholds
// (`plan::tables::weapon_base`), not in a binding of their own, so that `advance`, which
// reads drawn thresholds there, binds no more than the 16 storage buffers GL allows.
fn weapon_row(w: u32) -> WeaponRow {
    let b = KILL_BASE + params.slots * params.weapons + w * WEAPON_WORDS;
    return WeaponRow(tables[b], tables[b + 1u], tables[b + 2u], tables[b + 3u], tables[b + 4u]);
}

// The threshold that a launched `weapon` does not fail in flight, in replicate `r`.
fn flight_ok(r: u32, weapon: u32) -> u32 {
    let site = params.slots * params.weapons + weapon;
    return drawn_or(r, site, weapon_row(weapon).flight_ok);
}

// The threshold that the defence detects track `k`, in replicate `r`.
fn detect_ok(r: u32, k: u32) -> u32 {
    let site = params.slots * params.weapons + params.weapons + params.slots + k;
    return drawn_or(r, site, tracks[k].detect);
}

// The threshold that track `k` launches, in replicate `r`.
fn launch_ok(r: u32, k: u32) -> u32 {
    let site = params.slots * params.weapons + params.weapons + params.slots + params.tracks + k;
    return drawn_or(r, site, tracks[k].launch_ok);
}

// The per-axis scatter of `weapon`'s impact point, in replicate `r` (from its CEP).
fn scatter(r: u32, weapon: u32) -> u32 {
    let site = params.slots * params.weapons + params.weapons + params.slots + 2u * params.tracks + weapon;
    return drawn_or(r, site, weapon_row(weapon).scatter);
}

// The threshold that a round of `slot` works, in replicate `r`.
fn round_works(r: u32, slot: u32) -> u32 {
    let site = params.slots * params.weapons + params.weapons + slot;
    return drawn_or(r, site, slots[slot].reliability);
}

fn roll(r: u32, track: u32, k: u32, threshold: u32) -> bool {
    return chance(rand(r, track, k), threshold);
}

fn keyed(r: u32, stream: u32, key_tick: u32, k: u32) -> u32 {
    return draw(params.seed, params.first_replicate + r, stream, key_tick, k);
}

fn launch_offset(r: u32, k: u32, start: u32) -> u32 {
    let tr = tracks[k];
    if tr.jitter == 0u {
        return tr.offset;
    }
    return tr.offset + keyed(r, tr.stream, start, D_TIMING) % (tr.jitter + 1u);
}

fn launcher_alive(r: u32, launcher: u32) -> bool {
    return ((launchers[r * params.launcher_words + launcher / 32u] >> (launcher % 32u)) & 1u) == 1u;
}

fn shots_for(slot: u32, threat_class: u32, n: u32) -> u32 {
    if n >= MAX_ENGAGEMENTS {
        return 0u;
    }
    return (slots[slot].doctrine[threat_class] >> (8u * n)) & 0xffu;
}

fn reloaded(magazine: MagazineState, slot: SlotRow, tick: u32) -> MagazineState {
    var m = magazine;
    while m.reload_at != NEVER && m.reload_at <= tick {
        let room = slot.capacity - min(m.ready, slot.capacity);
        let moved = min(min(slot.per_reload, m.reserve), room);
        m.ready += moved;
        m.reserve -= moved;
        if m.reserve > 0u && m.ready < slot.capacity && slot.reload_ticks > 0u {
            m.reload_at += slot.reload_ticks;
        } else {
            m.reload_at = NEVER;
        }
    }
    if m.reload_at != NEVER && m.reload_at <= tick {
        set_status(S_LOOP_LIMIT);
    }
    return m;
}

fn battery_up(r: u32, b: u32) -> bool {
    let row = batteries[b];
    if row.online == 0u {
        return false;
    }
    if row.host == NONE {
        return true;
    }
    let host = assets[r * params.assets + row.host];
    return host.out_at == NEVER && host.away == 0u;
}

fn opp_state(r: u32, tr: Track, th: Threat, j: u32, tick: u32) -> u32 {
    let o = opportunities[tr.opp_first + j];
    let age = tick - th.launch;
    if age < o.enter || age > o.exit {
        return OPP_CLOSED;
    }
    if !battery_up(r, o.battery) {
        return OPP_SPENT;
    }
    let slot = slots[o.slot];
    let threat_class = weapon_row(tr.weapon).threat_class;
    let n = select(0u, th.engagements, th.last_opp == j);
    let shots = shots_for(o.slot, threat_class, n);
    if shots == 0u {
        return OPP_SPENT;
    }
    let m = reloaded(magazines[r * params.slots + o.slot], slot, tick);
    if m.ready >= shots {
        return OPP_READY;
    }
    if m.reload_at != NEVER {
        return OPP_WAIT;
    }
    return OPP_SPENT;
}

// The opportunities of a track that are not done and whose window holds `age`, as bits.
// Where a twin loops over all of a track's opportunities and does nothing for those
// outside their window, the kernels loop over these bits only, lowest first as the twin
// does: on lavapipe a loop body costs as much when it does nothing, and a track has up to
// 32 opportunities of which one to three are usually open.
fn open_at(tr: Track, done: u32, age: u32) -> u32 {
    var open = 0u;
    var j = 0u;
    for (; j < tr.opp_count; j += 1u) {
        let o = opportunities[tr.opp_first + j];
        if ((done >> j) & 1u) == 0u && age >= o.enter && age <= o.exit {
            open |= 1u << j;
        }
    }
    if j < tr.opp_count {
        set_status(S_LOOP_LIMIT);
    }
    return open;
}

fn flyout_at(o: Opportunity, age: u32) -> u32 {
    let d = age - o.enter;
    let i = min(d / o.step, FLYOUT_KNOTS - 1u);
    let t0 = (o.flyout[i / 2u] >> (16u * (i % 2u))) & 0xffffu;
    if i == FLYOUT_KNOTS - 1u {
        return t0;
    }
    let t1 = (o.flyout[(i + 1u) / 2u] >> (16u * ((i + 1u) % 2u))) & 0xffffu;
    let frac = d - i * o.step;
    if t1 >= t0 {
        return t0 + (t1 - t0) * frac / o.step;
    }
    return t0 - (t0 - t1) * frac / o.step;
}

fn intercept_tick(o: Opportunity, th: Threat, tick: u32) -> u32 {
    let age = tick - th.launch;
    let hit = clamp(age + flyout_at(o, age), o.hit_first, o.hit_last);
    return th.launch + max(hit, age);
}

fn radius(u: u32, sigma: u32) -> i32 {
    let i = Q_BASE + (u >> 22u);
    let frac = (u >> 6u) & 0xffffu;
    let q0 = tables[i];
    let q1 = tables[i + 1u];
    let q = q0 + (((q1 - q0) * frac) >> 16u);
    return i32((q * sigma) >> QUANTILE_BITS);
}

fn polar(rad: i32, v: u32) -> vec2<i32> {
    let a = v >> 24u;
    let c = bitcast<i32>(tables[COS_BASE + a]);
    let s = bitcast<i32>(tables[SIN_BASE + a]);
    return vec2<i32>((rad * c) >> TRIG_BITS, (rad * s) >> TRIG_BITS);
}

fn shift(p: vec2<i32>, q: vec2<i32>) -> vec2<i32> {
    return clamp(p + q, vec2<i32>(-FRAME_LIMIT), vec2<i32>(FRAME_LIMIT));
}

fn impact_point(r: u32, k: u32, th: Threat) -> vec2<i32> {
    let tr = tracks[k];
    let sigma = scatter(r, tr.weapon);
    let rad = radius(keyed(r, k, th.launch, D_SCATTER), sigma);
    let aimed = shift(
        vec2<i32>(bitcast<i32>(tr.aim_x), bitcast<i32>(tr.aim_y)),
        polar(rad, keyed(r, k, th.launch, D_SCATTER_ANGLE)),
    );
    var run = 0i;
    if tr.evade != OFF_FRAME {
        run = i32(tr.evade);
    }
    return shift(aimed, polar(run, keyed(r, k, th.launch, D_EVADE)));
}

fn on_target(k: u32, p: vec2<i32>) -> bool {
    let tr = tracks[k];
    return tr.evade != OFF_FRAME && inside(tr.target_asset, p);
}

fn inside(asset: u32, p: vec2<i32>) -> bool {
    let row = asset_rows[asset];
    if row.vertex_count == 0u {
        return u32(p.x * p.x + p.y * p.y) <= row.radius2;
    }
    var within = false;
    var j = row.vertex_count - 1u;
    var i = 0u;
    for (; i < row.vertex_count; i += 1u) {
        let wa = row.vertex_first + 2u * i;
        let wb = row.vertex_first + 2u * j;
        let a = vec2<i32>(bitcast<i32>(tables[wa]), bitcast<i32>(tables[wa + 1u]));
        let b = vec2<i32>(bitcast<i32>(tables[wb]), bitcast<i32>(tables[wb + 1u]));
        if (a.y > p.y) != (b.y > p.y) {
            let lhs = (p.x - a.x) * (b.y - a.y);
            let rhs = (b.x - a.x) * (p.y - a.y);
            if (b.y > a.y && lhs < rhs) || (b.y < a.y && lhs > rhs) {
                within = !within;
            }
        }
        j = i;
    }
    if i < row.vertex_count {
        set_status(S_LOOP_LIMIT);
    }
    return within;
}

fn engageable(r: u32, k: u32, th: Threat, b: u32) -> bool {
    let tr = tracks[k];
    let row = batteries[b];
    if tr.stream != k && chance(keyed(r, k, th.launch, D_DISCRIMINATE + b), row.discrimination) {
        return false;
    }
    let rad = radius(keyed(r, k, th.launch, D_PREDICT + 2u * b), row.prediction);
    let error = polar(rad, keyed(r, k, th.launch, D_PREDICT + 2u * b + 1u));
    return on_target(k, shift(impact_point(r, k, th), error));
}

fn radar_holds(r: u32, b: u32, k: u32, tick: u32) -> bool {
    let th = threats[r * params.tracks + k];
    if (th.status & STATUS_MASK) != FLYING || th.last_opp == NONE || ((th.done >> th.last_opp) & 1u) == 1u {
        return false;
    }
    let o = opportunities[tracks[k].opp_first + th.last_opp];
    return o.battery == b && (th.shot_opp != NONE || tick - th.launch <= o.exit);
}

fn next_wake(r: u32, tr: Track, th: Threat, tick: u32) -> u32 {
    var next = th.launch + tr.flight;
    if th.fail_age != NEVER {
        next = min(next, th.launch + th.fail_age);
    }
    let age = tick - th.launch;
    if age < tr.separation {
        next = min(next, th.launch + tr.separation);
    }
    if th.shot_opp != NONE {
        return min(next, th.intercept_at);
    }
    if (th.status & DETECTED) == 0u {
        return next;
    }
    // The twin's loop in two: the windows yet to open here, those open through the next
    // tick below (see `open_at`).
    var open = 0u;
    var j = 0u;
    for (; j < tr.opp_count; j += 1u) {
        if ((th.done >> j) & 1u) == 1u {
            continue;
        }
        let o = opportunities[tr.opp_first + j];
        if age + 1u > o.exit {
            continue;
        }
        if o.enter > age {
            next = min(next, th.launch + o.enter);
            continue;
        }
        open |= 1u << j;
    }
    while open != 0u {
        let j = firstTrailingBit(open);
        open &= open - 1u;
        let o = opportunities[tr.opp_first + j];
        let s = opp_state(r, tr, th, j, tick + 1u);
        if s == OPP_READY {
            // The next look; but a window that was ready at this tick already, when
            // `allocate` passed the threat over for want of a channel, waits for one.
            let waits = th.free_at != NEVER && opp_state(r, tr, th, j, tick) == OPP_READY;
            next = min(next, select(tick + 1u, max(th.free_at, tick + 1u), waits));
        } else if s == OPP_WAIT {
            let m = magazines[r * params.slots + o.slot];
            let at = reloaded(m, slots[o.slot], tick).reload_at;
            if at <= th.launch + o.exit {
                next = min(next, max(at, tick + 1u));
            }
        }
    }
    if j < tr.opp_count || open != 0u {
        set_status(S_LOOP_LIMIT);
    }
    return next;
}

// Allocation priority: earliest impact first, then lowest track index.
fn before(r: u32, a: u32, b: u32) -> bool {
    let ia = threats[r * params.tracks + a].launch + tracks[a].flight;
    let ib = threats[r * params.tracks + b].launch + tracks[b].flight;
    return ia < ib || (ia == ib && a < b);
}

fn swap_candidates(r: u32, i: u32, j: u32) {
    let base = r * params.tracks;
    let t = candidates[base + i];
    candidates[base + i] = candidates[base + j];
    candidates[base + j] = t;
}

fn sort_candidates(r: u32, n: u32) {
    if n < 2u {
        return;
    }
    var start = n / 2u;
    while start > 0u {
        start -= 1u;
        sift_down(r, start, n);
    }
    var end = n;
    while end > 1u {
        end -= 1u;
        swap_candidates(r, 0u, end);
        sift_down(r, 0u, end);
    }
    // Cut short by lavapipe's loop cap (see `common.wgsl`): say so rather
    // than sort wrong.
    if start > 0u || end > 1u {
        set_status(S_LOOP_LIMIT);
    }
}

fn sift_down(r: u32, start: u32, end: u32) {
    let base = r * params.tracks;
    var root = start;
    // Set where the twin breaks out: a loop that ended without it was cut short.
    var sifted = false;
    loop {
        var child = 2u * root + 1u;
        if child >= end {
            sifted = true;
            break;
        }
        let c = candidates[base + child];
        if child + 1u < end && before(r, c, candidates[base + child + 1u]) {
            child += 1u;
        }
        if before(r, candidates[base + root], candidates[base + child]) {
            swap_candidates(r, root, child);
            root = child;
        } else {
            sifted = true;
            break;
        }
    }
    if !sifted {
        set_status(S_LOOP_LIMIT);
    }
}
