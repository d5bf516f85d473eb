//! The CPU twins of the WGSL kernels: the specification and the test oracle.
//!
//! Each kernel is one function over one replicate's state (a [`Lane`]) and the shared
//! [`Tables`]; `shaders/<kernel>.wgsl` is a line-by-line translation in which the lane's
//! arrays are windows `replicate * stride ..` of one storage buffer each: the same names,
//! the same loops, the same helpers, only the indexing differs (and the few reads the
//! WGSL defers past an early exit for lavapipe, which the twins defer too). Inside a
//! kernel: no allocation, no maps, no f64, no recursion; probabilities are u32
//! thresholds. This module holds what every kernel shares (`shaders/common.wgsl`).

pub mod advance;
pub mod allocate;
pub mod engage;
pub mod impact;
pub mod schedule;

pub use advance::advance;
pub use allocate::allocate;
pub use engage::engage;
pub use impact::impact;
pub use schedule::schedule;

use std::sync::atomic::{AtomicU32, Ordering};

use super::Kernel;
use super::layout::*;
use super::plan::Plan;
use super::rng::{
    D_DISCRIMINATE, D_EVADE, D_PREDICT, D_SCATTER, D_SCATTER_ANGLE, D_TIMING, chance, draw,
};

/// Read-only tables shared by every replicate.
#[derive(Clone, Copy)]
pub struct Tables<'a> {
    pub params: Params,
    pub tracks: &'a [Track],
    pub weapons: &'a [WeaponRow],
    pub opportunities: &'a [Opportunity],
    /// Each opportunity's `[enter, exit]` (`Plan::windows`): the same words as its row's,
    /// packed for the scans over a track's windows. Not a binding: the WGSL reads
    /// `opportunities`.
    pub windows: &'a [[u32; 2]],
    pub slots: &'a [SlotRow],
    pub batteries: &'a [BatteryRow],
    pub asset_rows: &'a [AssetRow],
    /// Lookup tables: scatter, kill thresholds, footprints (`plan::tables`).
    pub tables: &'a [u32],
    /// Groups that start this tick in some replicate.
    pub started: &'a [Started],
}

impl<'a> Tables<'a> {
    /// The plan's tables, with `batteries` (the plan's, switched on and off by the host)
    /// and this tick's constants and started groups.
    pub fn new(
        plan: &'a Plan,
        batteries: &'a [BatteryRow],
        params: Params,
        started: &'a [Started],
    ) -> Tables<'a> {
        Tables {
            params,
            tracks: &plan.tracks,
            weapons: &plan.weapons,
            opportunities: &plan.opportunities,
            windows: &plan.windows,
            slots: &plan.slots,
            batteries,
            asset_rows: &plan.assets,
            tables: &plan.tables,
            started,
        }
    }
}

/// One replicate's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    /// Index of this replicate within the run (the RNG key).
    pub replicate: u32,
    pub threats: Vec<Threat>,
    /// Next tick each threat needs a kernel, `NEVER` while it waits for launch, `DONE`
    /// when it has no future. Written through [`set_wake`] only.
    pub wake: Vec<u32>,
    /// The replicate's calendar (`layout::CAL_*`): which rows wake at which tick.
    pub calendar: Vec<u32>,
    /// Each row's successor in its calendar list, or `NONE`.
    pub link: Vec<u32>,
    pub candidates: Vec<u32>,
    pub candidate_count: u32,
    /// This tick's tracks with something to do, listed by `schedule` (the WGSL's `pairs`).
    pub pairs: Vec<u32>,
    pub pair_count: u32,
    pub magazines: Vec<MagazineState>,
    pub counters: Vec<u32>,
    pub assets: Vec<AssetState>,
    /// Start tick of each group (order or militia), or `NEVER`.
    pub group_start: Vec<u32>,
    /// One bit per launcher: 1 while it survives.
    pub launchers: Vec<u32>,
    /// Each battery's channels (the tick each is free from) and radar tracks (the track
    /// each holds, or `NONE`), at `BatteryRow::channel_first` and `radar_first`.
    pub fire_control: Vec<u32>,
    /// CPU only (no buffer on the GPU): bit `j` of row `k` once the battery of the row's
    /// opportunity `j` was found to engage it ([`engageable`], fixed from its launch), so
    /// that `allocate` does not ask again ([`allocate::allocate_with`]).
    pub engages: Vec<u32>,
    /// CPU only: each candidate's open windows (`open_at`'s bits) as `advance` left them
    /// this tick, which `allocate` reads rather than scanning the windows again (see
    /// [`allocate::allocate_with`]). Written for every row `advance` puts on the list.
    pub open: Vec<u32>,
    /// CPU only: each slot's battery and magazine as `advance`'s looks found them at tick
    /// `looks_tick` (bit `s` of `looked` once slot `s`'s is there; [`advance::SlotLook`]).
    pub looks: Vec<advance::SlotLook>,
    pub looked: Vec<u32>,
    pub looks_tick: u32,
    /// This tick's events when the replicate records them (capacity fixed at setup).
    pub events: Vec<Event>,
    pub event_count: u32,
    pub status: [u32; STATUS_WORDS],
}

impl Lane {
    pub fn new(plan: &Plan, replicate: u32, record: bool) -> Lane {
        let t = plan.tracks.len();
        Lane {
            replicate,
            threats: vec![Threat::INITIAL; t],
            wake: vec![NEVER; t],
            calendar: empty_calendar().to_vec(),
            link: vec![NONE; t],
            candidates: vec![0; t],
            candidate_count: 0,
            pairs: vec![0; t],
            pair_count: 0,
            magazines: plan.magazines.clone(),
            counters: vec![0; plan.counter_stride() as usize],
            assets: plan.initial_assets.clone(),
            group_start: vec![NEVER; plan.groups.len()],
            launchers: plan.launchers_alive(),
            fire_control: plan.fire_control.clone(),
            engages: vec![0; t],
            open: vec![0; t],
            looks: vec![advance::SlotLook::default(); plan.slots.len()],
            looked: vec![0; plan.slots.len().div_ceil(32)],
            looks_tick: NEVER,
            events: if record {
                vec![Event::default(); event_capacity(t)]
            } else {
                Vec::new()
            },
            event_count: 0,
            status: [0; STATUS_WORDS],
        }
    }

    /// Empty what lasts one tick: the events, the work list and the candidate list (what
    /// the GPU backend clears before each tick). The status words are taken by the host
    /// when it reads them ([`Lane::take_status`]).
    #[inline]
    pub fn begin_tick(&mut self) {
        self.event_count = 0;
        self.pair_count = 0;
        self.candidate_count = 0;
        self.looks_tick = NEVER;
    }

    /// The status words set since the last call, cleared.
    #[inline]
    pub fn take_status(&mut self) -> [u32; STATUS_WORDS] {
        std::mem::take(&mut self.status)
    }
}

/// One kernel over one replicate, as one dispatch of its WGSL runs it over one
/// replicate: `schedule` and `allocate` once, the others over the pairs `schedule`
/// listed. `clock` is the run's [`CLOCK_NEXT`] word.
pub fn run(kernel: Kernel, tb: &Tables, lane: &mut Lane, clock: &AtomicU32) {
    match kernel {
        Kernel::Schedule => schedule(tb, lane, clock),
        Kernel::Advance => {
            for i in 0..lane.pair_count {
                advance(tb, lane, lane.pairs[i as usize]);
            }
        }
        Kernel::Allocate => allocate(tb, lane),
        Kernel::Engage => {
            for i in 0..lane.pair_count {
                engage(tb, lane, lane.pairs[i as usize]);
            }
        }
        Kernel::Impact => {
            for i in 0..lane.pair_count {
                impact(tb, lane, lane.pairs[i as usize], clock);
            }
        }
    }
}

/// A threat's next wake: every kernel sets it here, and only here. `impact`, the last
/// kernel of a tick for every listed row, puts the row's wake in the calendar then
/// ([`push_wake`]), once: a wake set twice in one tick (by `advance`, then `engage`)
/// leaves no stale entry behind. Twin of `set_wake` in `common.wgsl`.
#[inline]
pub fn set_wake(lane: &mut Lane, k: u32, w: u32) {
    lane.wake[k as usize] = w;
}

/// The tick at which row `k`'s calendar entry falls due: its wake, or, for a threat
/// waiting for launch (wake `NEVER`), its group's start plus its launch offset.
#[inline]
pub fn due_at(tb: &Tables, lane: &Lane, k: u32) -> u32 {
    let w = lane.wake[k as usize];
    if w != NEVER {
        return w;
    }
    let start = lane.group_start[tb.tracks[k as usize].group as usize];
    start + launch_offset(tb, lane, k, start)
}

/// Put row `k` in the calendar at tick `w` (not before the tick the calendar's page
/// holds): in the near wheel when `w` falls in its page, in the far wheel when in its
/// epoch, in the overflow list beyond. Twin of `push_wake` in `schedule.wgsl` (plain
/// words: one invocation owns the replicate) and `impact.wgsl` (atomics).
#[inline]
pub fn push_wake(lane: &mut Lane, w: u32, k: u32) {
    let c = &mut lane.calendar;
    let page = c[CAL_PAGE as usize];
    let head;
    if w >> WHEEL_SHIFT == page {
        let s = w & (WHEEL - 1);
        head = CAL_NEAR + s;
        c[(CAL_NEAR_BITS + s / 32) as usize] |= 1 << (s % 32);
    } else if w >> (2 * WHEEL_SHIFT) == page >> WHEEL_SHIFT {
        let s = (w >> WHEEL_SHIFT) & (WHEEL - 1);
        head = CAL_FAR + s;
        c[(CAL_FAR_BITS + s / 32) as usize] |= 1 << (s % 32);
        let m = &mut c[(CAL_FAR_MIN + s) as usize];
        *m = (*m).min(w);
    } else {
        head = CAL_OVERFLOW;
        let m = &mut c[CAL_OVERFLOW_MIN as usize];
        *m = (*m).min(w);
    }
    lane.link[k as usize] = c[head as usize];
    c[head as usize] = k;
    let n = &mut c[CAL_NEXT as usize];
    *n = (*n).min(w);
}

/// Lower the run's next tick to `w`. Most calls find it lower already, and only read it
/// (on the CPU, a shared word that is only read stays in every core's cache).
#[inline]
pub fn note_next(clock: &AtomicU32, w: u32) {
    if w < clock.load(Ordering::Relaxed) {
        clock.fetch_min(w, Ordering::Relaxed);
    }
}

/// Append an event if this replicate records them; a full buffer is flagged, not dropped
/// silently.
#[inline]
pub fn record(lane: &mut Lane, tick: u32, track: u32, kind: u32, arg: u32) {
    if lane.events.is_empty() {
        return;
    }
    let i = lane.event_count;
    if (i as usize) < lane.events.len() {
        lane.events[i as usize] = Event {
            tick,
            track,
            kind,
            arg,
        };
        lane.event_count = i + 1;
    } else {
        set_status(lane, S_OVERFLOW);
    }
}

/// A status word is set.
#[inline]
pub fn set_status(lane: &mut Lane, word: usize) {
    lane.status[word] = 1;
}

#[inline]
pub fn rand(tb: &Tables, lane: &Lane, track: u32, k: u32) -> u32 {
    draw(
        tb.params.seed,
        tb.params.first_replicate + lane.replicate,
        track,
        tb.params.tick,
        k,
    )
}

/// Threshold `site` of this lane's replicate (`engine::params::DrawnThresholds`
/// numbers the sites): its drawn value when the run draws it (a word of the replicate's
/// row in `tables`), `planned` (the plan's) otherwise. Twin of `drawn_or` in `common.wgsl`;
/// every threshold a drawn parameter can change is read through it.
#[inline]
pub fn drawn_or(tb: &Tables, lane: &Lane, site: u32, planned: u32) -> u32 {
    let p = &tb.params;
    if p.drawn_words != 0 {
        let at = tb.tables[(p.drawn_index + site) as usize];
        if at != NONE {
            return tb.tables[(p.drawn_base + lane.replicate * p.drawn_words + at) as usize];
        }
    }
    planned
}

/// The kill threshold of `slot` against `weapon` in this lane's replicate.
#[inline]
pub fn kill_threshold(tb: &Tables, lane: &Lane, slot: u32, weapon: u32) -> u32 {
    let i = slot * tb.params.weapons + weapon;
    drawn_or(tb, lane, i, tb.tables[(KILL_BASE + i) as usize])
}

/// The threshold that a launched `weapon` does not fail in flight, in this replicate.
#[inline]
pub fn flight_ok(tb: &Tables, lane: &Lane, weapon: u32) -> u32 {
    let site = tb.params.slots * tb.params.weapons + weapon;
    drawn_or(tb, lane, site, tb.weapons[weapon as usize].flight_ok)
}

/// The threshold that the defence detects track `k`, in this replicate.
#[inline]
pub fn detect_ok(tb: &Tables, lane: &Lane, k: u32) -> u32 {
    let p = &tb.params;
    let site = p.slots * p.weapons + p.weapons + p.slots + k;
    drawn_or(tb, lane, site, tb.tracks[k as usize].detect)
}

/// The threshold that track `k` launches, in this replicate.
#[inline]
pub fn launch_ok(tb: &Tables, lane: &Lane, k: u32) -> u32 {
    let p = &tb.params;
    let site = p.slots * p.weapons + p.weapons + p.slots + p.tracks + k;
    drawn_or(tb, lane, site, tb.tracks[k as usize].launch_ok)
}

/// The per-axis scatter of `weapon`'s impact point, in this replicate (from its CEP).
#[inline]
pub fn scatter(tb: &Tables, lane: &Lane, weapon: u32) -> u32 {
    let p = &tb.params;
    let site = p.slots * p.weapons + p.weapons + p.slots + 2 * p.tracks + weapon;
    drawn_or(tb, lane, site, tb.weapons[weapon as usize].scatter)
}

/// The threshold that a round of `slot` works, in this replicate.
#[inline]
pub fn round_works(tb: &Tables, lane: &Lane, slot: u32) -> u32 {
    let p = &tb.params;
    let site = p.slots * p.weapons + p.weapons + slot;
    drawn_or(tb, lane, site, tb.slots[slot as usize].reliability)
}

#[inline]
pub fn roll(tb: &Tables, lane: &Lane, track: u32, k: u32, threshold: u32) -> bool {
    chance(rand(tb, lane, track, k), threshold)
}

/// A draw keyed by a given tick rather than this one: a launch tick or a group's start,
/// so that any kernel at any later tick recomputes the same value.
#[inline]
pub fn keyed(tb: &Tables, lane: &Lane, stream: u32, key_tick: u32, k: u32) -> u32 {
    draw(
        tb.params.seed,
        tb.params.first_replicate + lane.replicate,
        stream,
        key_tick,
        k,
    )
}

/// Ticks from its group's start at which track `k` launches in this replicate: its
/// planned offset, plus for random timing a draw over its jitter (keyed by the start,
/// and by its missile's stream, so that decoys launch with their missile).
#[inline]
pub fn launch_offset(tb: &Tables, lane: &Lane, k: u32, start: u32) -> u32 {
    let tr = tb.tracks[k as usize];
    if tr.jitter == 0 {
        return tr.offset;
    }
    tr.offset + keyed(tb, lane, tr.stream, start, D_TIMING) % (tr.jitter + 1)
}

#[inline]
pub fn count(lane: &mut Lane, index: u32) {
    lane.counters[index as usize] += 1;
}

#[inline]
pub fn launcher_alive(lane: &Lane, launcher: u32) -> bool {
    (lane.launchers[(launcher / 32) as usize] >> (launcher % 32)) & 1 == 1
}

/// Shots of engagement number `n` (0-based) under a slot's doctrine for a class; 0 when
/// the doctrine allows no more engagements.
#[inline]
pub fn shots_for(tb: &Tables, slot: u32, threat_class: u32, n: u32) -> u32 {
    if n >= MAX_ENGAGEMENTS as u32 {
        return 0;
    }
    (tb.slots[slot as usize].doctrine[threat_class as usize] >> (8 * n)) & 0xff
}

/// A magazine after the reloads that complete by `tick`: one launcher at a time,
/// `per_reload` rounds each `reload_ticks`, from the reserve, up to capacity.
#[inline]
pub fn reloaded(m: MagazineState, slot: &SlotRow, tick: u32) -> MagazineState {
    let mut m = m;
    while m.reload_at != NEVER && m.reload_at <= tick {
        let room = slot.capacity - m.ready.min(slot.capacity);
        let moved = slot.per_reload.min(m.reserve).min(room);
        m.ready += moved;
        m.reserve -= moved;
        if m.reserve > 0 && m.ready < slot.capacity && slot.reload_ticks > 0 {
            m.reload_at += slot.reload_ticks;
        } else {
            m.reload_at = NEVER;
        }
    }
    m
}

#[inline]
pub fn battery_up(tb: &Tables, lane: &Lane, b: u32) -> bool {
    let row = tb.batteries[b as usize];
    if row.online == 0 {
        return false;
    }
    if row.host == NONE {
        return true;
    }
    let host = lane.assets[row.host as usize];
    host.out_at == NEVER && host.away == 0
}

/// An opportunity's state for a threat at a tick.
pub const OPP_CLOSED: u32 = 0;
/// Never usable again for this threat: mark it done.
pub const OPP_SPENT: u32 = 1;
/// Open, but the magazine must reload first.
pub const OPP_WAIT: u32 = 2;
/// Open, and the magazine can fire the doctrine's next engagement.
pub const OPP_READY: u32 = 3;

#[inline]
pub fn opp_state(tb: &Tables, lane: &Lane, tr: &Track, th: &Threat, j: u32, tick: u32) -> u32 {
    let o = tb.opportunities[(tr.opp_first + j) as usize];
    let age = tick - th.launch;
    if age < o.enter || age > o.exit {
        return OPP_CLOSED;
    }
    if !battery_up(tb, lane, o.battery) {
        return OPP_SPENT;
    }
    let slot = &tb.slots[o.slot as usize];
    let threat_class = tb.weapons[tr.weapon as usize].class;
    let n = if th.last_opp == j { th.engagements } else { 0 };
    let shots = shots_for(tb, o.slot, threat_class, n);
    if shots == 0 {
        return OPP_SPENT;
    }
    let m = reloaded(lane.magazines[o.slot as usize], slot, tick);
    if m.ready >= shots {
        return OPP_READY;
    }
    if m.reload_at != NEVER {
        return OPP_WAIT;
    }
    OPP_SPENT
}

/// The opportunities of a track that are not done and whose window holds `age`, as
/// bits. The kernels loop over these bits, lowest first, rather than over every
/// opportunity of the track: a track has up to 32, of which one to three are usually
/// open, and on lavapipe (the WGSL twins) a loop body costs as much when it does nothing.
#[inline]
pub fn open_at(tb: &Tables, tr: &Track, done: u32, age: u32) -> u32 {
    let mut open = 0u32;
    for j in 0..tr.opp_count {
        // `opportunities[..].enter` and `.exit` in the WGSL (`Tables::windows`).
        let [enter, exit] = tb.windows[(tr.opp_first + j) as usize];
        if (done >> j) & 1 == 0 && age >= enter && age <= exit {
            open |= 1 << j;
        }
    }
    open
}

/// Fly-out ticks of an engagement by opportunity `o` started at age `age` (within its
/// window): its knots, linearly interpolated in integers (`plan::flyout`).
#[inline]
pub fn flyout_at(o: &Opportunity, age: u32) -> u32 {
    let d = age - o.enter;
    let i = (d / o.step).min(FLYOUT_KNOTS - 1);
    let knot = |i: u32| (o.flyout[(i / 2) as usize] >> (16 * (i % 2))) & 0xffff;
    let t0 = knot(i);
    if i == FLYOUT_KNOTS - 1 {
        return t0;
    }
    let (t1, frac) = (knot(i + 1), d - i * o.step);
    if t1 >= t0 {
        t0 + (t1 - t0) * frac / o.step
    } else {
        t0 - (t0 - t1) * frac / o.step
    }
}

/// The tick an engagement by opportunity `o` started now meets the threat: after its
/// fly-out, inside the envelope.
#[inline]
pub fn intercept_tick(o: &Opportunity, th: &Threat, tick: u32) -> u32 {
    let age = tick - th.launch;
    let hit = (age + flyout_at(o, age)).clamp(o.hit_first, o.hit_last);
    th.launch + hit.max(age)
}

/// A radius from the standard Rayleigh quantile table at uniform draw `u`, linearly
/// interpolated between knots, scaled by `sigma` (frame units).
#[inline]
pub fn radius(tb: &Tables, u: u32, sigma: u32) -> i32 {
    let i = (Q_BASE + (u >> 22)) as usize;
    let frac = (u >> 6) & 0xffff;
    let (q0, q1) = (tb.tables[i], tb.tables[i + 1]);
    let q = q0 + (((q1 - q0) * frac) >> 16);
    ((q * sigma) >> QUANTILE_BITS) as i32
}

/// A point at radius `r` from the origin in the direction of uniform draw `v`.
#[inline]
pub fn polar(tb: &Tables, rad: i32, v: u32) -> [i32; 2] {
    let a = v >> 24;
    let c = tb.tables[(COS_BASE + a) as usize] as i32;
    let s = tb.tables[(SIN_BASE + a) as usize] as i32;
    [(rad * c) >> TRIG_BITS, (rad * s) >> TRIG_BITS]
}

/// `p + q`, each coordinate kept within the frame (beyond it, nothing is inside).
#[inline]
pub fn shift(p: [i32; 2], q: [i32; 2]) -> [i32; 2] {
    [
        (p[0] + q[0]).clamp(-FRAME_LIMIT, FRAME_LIMIT),
        (p[1] + q[1]).clamp(-FRAME_LIMIT, FRAME_LIMIT),
    ]
}

/// Where threat `k` lands, around where its target is: its weapon's scatter around its
/// aim point (the plan's offset for a weapon aimed at fixed coordinates), shifted by a
/// manoeuvring ship's run on a course drawn by the launch tick (the same in every kernel
/// that asks).
#[inline]
pub fn impact_point(tb: &Tables, lane: &Lane, k: u32, th: &Threat) -> [i32; 2] {
    let tr = tb.tracks[k as usize];
    let sigma = scatter(tb, lane, tr.weapon);
    let rad = radius(tb, keyed(tb, lane, k, th.launch, D_SCATTER), sigma);
    let aimed = shift(
        [tr.aim_x as i32, tr.aim_y as i32],
        polar(tb, rad, keyed(tb, lane, k, th.launch, D_SCATTER_ANGLE)),
    );
    let mut run = 0;
    if tr.evade != OFF_FRAME {
        run = tr.evade as i32;
    }
    shift(
        aimed,
        polar(tb, run, keyed(tb, lane, k, th.launch, D_EVADE)),
    )
}

/// Whether a point where threat `k` lands is inside its target's footprint: never for an
/// aim point beyond the frame.
#[inline]
pub fn on_target(tb: &Tables, k: u32, p: [i32; 2]) -> bool {
    let tr = tb.tracks[k as usize];
    tr.evade != OFF_FRAME && inside(tb, tr.target, p)
}

/// Whether a point lies inside an asset's footprint: a circle, or a polygon by the
/// crossing rule (every product within an i32: coordinates are within the frame).
#[inline]
pub fn inside(tb: &Tables, asset: u32, p: [i32; 2]) -> bool {
    let row = tb.asset_rows[asset as usize];
    if row.vertex_count == 0 {
        return (p[0] * p[0] + p[1] * p[1]) as u32 <= row.radius2;
    }
    let vertex = |i: u32| {
        let w = (row.vertex_first + 2 * i) as usize;
        [tb.tables[w] as i32, tb.tables[w + 1] as i32]
    };
    let mut within = false;
    let mut j = row.vertex_count - 1;
    for i in 0..row.vertex_count {
        let (a, b) = (vertex(i), vertex(j));
        if (a[1] > p[1]) != (b[1] > p[1]) {
            // Left of the edge from a to b, on the side of increasing y.
            let lhs = (p[0] - a[0]) * (b[1] - a[1]);
            let rhs = (b[0] - a[0]) * (p[1] - a[1]);
            if (b[1] > a[1] && lhs < rhs) || (b[1] < a[1] && lhs > rhs) {
                within = !within;
            }
        }
        j = i;
    }
    within
}

/// Whether battery `b` would engage threat `k` at all: a decoy it does not tell from a
/// warhead, or a threat whose impact point, as the battery predicts it (its own error on
/// the true one), falls inside the target's footprint. Otherwise it lets it fall.
#[inline]
pub fn engageable(tb: &Tables, lane: &Lane, k: u32, th: &Threat, b: u32) -> bool {
    let tr = tb.tracks[k as usize];
    let row = tb.batteries[b as usize];
    if tr.stream != k
        && chance(
            keyed(tb, lane, k, th.launch, D_DISCRIMINATE + b),
            row.discrimination,
        )
    {
        return false;
    }
    let rad = radius(
        tb,
        keyed(tb, lane, k, th.launch, D_PREDICT + 2 * b),
        row.prediction,
    );
    let error = polar(
        tb,
        rad,
        keyed(tb, lane, k, th.launch, D_PREDICT + 2 * b + 1),
    );
    on_target(tb, k, shift(impact_point(tb, lane, k, th), error))
}

/// Whether battery `b`'s radar still holds the track it took for threat `k`: the threat
/// flies, the battery engaged it last and is not done with it, and it may still engage
/// it (its window is open, or an engagement is in flight). A radar track is taken at the
/// battery's first engagement and freed by the threat's end, by a hand-off to another
/// battery or by the end of the battery's engagements, with no kernel having to say so.
#[inline]
pub fn radar_holds(tb: &Tables, lane: &Lane, b: u32, k: u32, tick: u32) -> bool {
    let th = lane.threats[k as usize];
    if th.status & STATUS_MASK != FLYING || th.last_opp == NONE || (th.done >> th.last_opp) & 1 == 1
    {
        return false;
    }
    let o = tb.opportunities[(tb.tracks[k as usize].opp_first + th.last_opp) as usize];
    o.battery == b && (th.shot_opp != NONE || tick - th.launch <= o.exit)
}

/// The next tick at which a flying threat needs a kernel: impact, failure, a decoy's
/// separation, the intercept of an engagement in flight, a window opening, the next look
/// while a window stays open (the next tick, or when a fire channel frees if every
/// battery that could take it had its channels busy: `Threat::free_at`), or a reload it
/// is waiting for.
#[inline]
pub fn next_wake(tb: &Tables, lane: &Lane, tr: &Track, th: &Threat, tick: u32) -> u32 {
    let mut next = th.launch + tr.flight;
    if th.fail_age != NEVER {
        next = next.min(th.launch + th.fail_age);
    }
    let age = tick - th.launch;
    if age < tr.separation {
        next = next.min(th.launch + tr.separation);
    }
    if th.shot_opp != NONE {
        return next.min(th.intercept_at);
    }
    if th.status & DETECTED == 0 {
        return next;
    }
    // The windows yet to open here; those open through the next tick below, over their
    // bits (see `open_at`).
    let mut open = 0u32;
    for j in 0..tr.opp_count {
        if (th.done >> j) & 1 == 1 {
            continue;
        }
        // `opportunities[..].enter` and `.exit` in the WGSL (`Tables::windows`).
        let [enter, exit] = tb.windows[(tr.opp_first + j) as usize];
        if age + 1 > exit {
            continue;
        }
        if enter > age {
            next = next.min(th.launch + enter);
            continue;
        }
        open |= 1 << j;
    }
    while open != 0 {
        let j = open.trailing_zeros();
        open &= open - 1;
        let o = tb.opportunities[(tr.opp_first + j) as usize];
        let s = opp_state(tb, lane, tr, th, j, tick + 1);
        if s == OPP_READY {
            // The next look; but a window that was ready at this tick already, when
            // `allocate` passed the threat over for want of a channel, waits for one.
            let waits = th.free_at != NEVER && opp_state(tb, lane, tr, th, j, tick) == OPP_READY;
            next = next.min(if waits {
                th.free_at.max(tick + 1)
            } else {
                tick + 1
            });
        } else if s == OPP_WAIT {
            let m = lane.magazines[o.slot as usize];
            let at = reloaded(m, &tb.slots[o.slot as usize], tick).reload_at;
            if at <= th.launch + o.exit {
                next = next.min(at.max(tick + 1));
            }
        }
    }
    next
}

/// Allocation priority: earliest impact first, then lowest track index.
#[inline]
pub fn before(tb: &Tables, lane: &Lane, a: u32, b: u32) -> bool {
    let ia = lane.threats[a as usize].launch + tb.tracks[a as usize].flight;
    let ib = lane.threats[b as usize].launch + tb.tracks[b as usize].flight;
    ia < ib || (ia == ib && a < b)
}

/// The candidate list in allocation order, [`before`]'s. The CPU sorts by the same key
/// with the standard library's unstable sort, which makes fewer comparisons than a
/// heapsort: it matters on the long lists of a wide salvo; a list of up to 128 sorts its
/// keys, computed once each (two loads of rows), on the stack. The
/// keys are unique, so any correct sort agrees with the WGSL's heapsort
/// ([`heap_sort_candidates`], its twin; a test checks they agree).
pub fn sort_candidates(tb: &Tables, lane: &mut Lane, n: u32) {
    let threats = &lane.threats;
    let key = |k: u32| {
        let impact = threats[k as usize].launch + tb.tracks[k as usize].flight;
        ((impact as u64) << 32) | k as u64
    };
    let list = &mut lane.candidates[..n as usize];
    // A short list (most ticks) sorts its keys on the stack, each computed once.
    const ON_STACK: usize = 128;
    if list.len() <= ON_STACK {
        let mut keys = [0u64; ON_STACK];
        for (slot, &k) in keys.iter_mut().zip(list.iter()) {
            *slot = key(k);
        }
        keys[..list.len()].sort_unstable();
        for (k, &sorted) in list.iter_mut().zip(keys.iter()) {
            *k = sorted as u32;
        }
    } else {
        list.sort_unstable_by_key(|&k| key(k));
    }
}

/// Heapsort of the candidate list by [`before`]: in place, no recursion, the same
/// order on every backend. Twin of `sort_candidates` in `common.wgsl`.
pub fn heap_sort_candidates(tb: &Tables, lane: &mut Lane, n: u32) {
    if n < 2 {
        return;
    }
    // Build a max-heap, then pop the largest to the end.
    let mut start = n / 2;
    while start > 0 {
        start -= 1;
        sift_down(tb, lane, start, n);
    }
    let mut end = n;
    while end > 1 {
        end -= 1;
        lane.candidates.swap(0, end as usize);
        sift_down(tb, lane, 0, end);
    }
}

#[inline]
fn sift_down(tb: &Tables, lane: &mut Lane, start: u32, end: u32) {
    let mut root = start;
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            break;
        }
        let c = lane.candidates[child as usize];
        if child + 1 < end && before(tb, lane, c, lane.candidates[(child + 1) as usize]) {
            child += 1;
        }
        let r = lane.candidates[root as usize];
        let c = lane.candidates[child as usize];
        if before(tb, lane, r, c) {
            lane.candidates.swap(root as usize, child as usize);
            root = child;
        } else {
            break;
        }
    }
}
