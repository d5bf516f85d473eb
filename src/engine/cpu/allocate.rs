//! Kernel 2 of 5, `allocate`: one invocation per replicate (with candidates, on the GPU).
//! Serves the candidates in priority order (earliest impact, then track index). Each
//! takes, among its open opportunities of the best rank under the scenario's battery
//! rule (upper tier first), the battery with the most rounds ready, counting only a
//! battery that would engage it (it does not let it fall, and does not tell it for a
//! decoy), has a free fire channel and a free radar track (or holds it already), and
//! whose magazine holds the doctrine's next salvo. The engagement keeps the channel busy
//! until its intercept, after the interceptor's fly-out. Resolving the competition for
//! channels, radar tracks and rounds in one ordered pass per replicate makes the outcome
//! independent of thread timing; this kernel is the only one that writes the fire-control
//! words. The candidate count is left as it is: the host empties the list before each
//! tick (`Lane::begin_tick`). Twin of `shaders/allocate.wgsl`.

use super::*;

/// The channel words of battery `b` in a replicate's fire control.
#[inline]
fn channel(row: &BatteryRow, c: u32) -> usize {
    (row.channel_first + c) as usize
}

/// Whether battery `b` can take the radar track of threat `k` now: no limit, a track it
/// holds already, or a free one (a word that holds no track, or one it no longer holds).
#[inline]
fn radar_free(tb: &Tables, lane: &Lane, b: u32, k: u32, tick: u32) -> bool {
    let row = tb.batteries[b as usize];
    if row.radar_tracks == 0 || radar_holds(tb, lane, b, k, tick) {
        return true;
    }
    for i in 0..row.radar_tracks {
        let held = lane.fire_control[(row.radar_first + i) as usize];
        if held == NONE || !radar_holds(tb, lane, b, held, tick) {
            return true;
        }
    }
    false
}

/// Battery `b` takes the radar track of threat `k` (which `radar_free` allowed).
#[inline]
fn take_radar(tb: &Tables, lane: &mut Lane, b: u32, k: u32, tick: u32) {
    let row = tb.batteries[b as usize];
    if row.radar_tracks == 0 || radar_holds(tb, lane, b, k, tick) {
        return;
    }
    for i in 0..row.radar_tracks {
        let w = (row.radar_first + i) as usize;
        let held = lane.fire_control[w];
        if held == NONE || !radar_holds(tb, lane, b, held, tick) {
            lane.fire_control[w] = k;
            return;
        }
    }
}

/// Battery `b`'s channels free this tick, and the first tick one of them frees when none
/// is (`NEVER` when one is).
#[inline]
fn channels_free(lane: &Lane, row: &BatteryRow, tick: u32) -> (u32, u32) {
    let mut free = 0u32;
    let mut first = NEVER;
    for c in 0..row.channels {
        let at = lane.fire_control[channel(row, c)];
        if at <= tick {
            free += 1;
        } else {
            first = first.min(at);
        }
    }
    if free > 0 { (free, NEVER) } else { (0, first) }
}

/// The twin of `allocate.wgsl`, with the CPU's memos of the open windows and of
/// [`engageable`] (see [`allocate_with`]).
#[inline]
pub fn allocate(tb: &Tables, lane: &mut Lane) {
    allocate_with(tb, lane, true);
}

/// `allocate` as the WGSL runs it, line for line: the windows scanned and [`engageable`]
/// asked every time. The oracle of `allocate`'s memos (`tests/memos.rs`).
pub fn allocate_as_wgsl(tb: &Tables, lane: &mut Lane) {
    allocate_with(tb, lane, false);
}

/// `allocate`, with the CPU's memos (`memo`) or as the WGSL runs it. With them, each
/// candidate's open windows are those `advance` found this tick (`Lane::open`: nothing
/// between the two kernels changes a threat's done bits), not scanned again; and it
/// remembers which batteries engage a threat.
/// [`engageable`]'s verdict for a threat and a battery is fixed once the threat flies:
/// every draw it makes is keyed by the launch tick, and it reads only the track, the
/// battery's discrimination and prediction (which the host never changes: it switches a
/// battery on and off), the replicate's scatter and the plan's footprints. A battery that
/// lets the threat fall marks the window done, and is not asked again; one that engages it
/// is remembered in `Lane::engages` and not asked again either.
#[inline(always)]
pub fn allocate_with(tb: &Tables, lane: &mut Lane, memo: bool) {
    let tick = tb.params.tick;
    let n = lane.candidate_count;
    if n == 0 {
        return;
    }
    sort_candidates(tb, lane, n);
    // Free channels per battery this tick, counted at a battery's first use (bit b of
    // `counted`), and when none is free, the first tick one frees.
    let mut free = [0u32; MAX_BATTERIES];
    let mut frees_at = [NEVER; MAX_BATTERIES];
    let mut counted = [0u32; MAX_BATTERIES / 32];
    for i in 0..n {
        let k = lane.candidates[i as usize];
        let tr = tb.tracks[k as usize];
        let mut th = lane.threats[k as usize];
        let threat_class = tb.weapons[tr.weapon as usize].class;
        let age = tick - th.launch;
        // The best opportunity so far: its index, rank and rounds ready.
        let mut best = NONE;
        let mut best_rank = 0u32;
        let mut best_ready = 0u32;
        // The battery of the last opportunity that could engage: only its first
        // magazine in preference order counts.
        let mut last_battery = NONE;
        // When it is passed over: the first tick a channel frees at the batteries whose
        // channels were all busy, unless something else held it back (`held`).
        let mut wait = NEVER;
        let mut held = false;
        // Over the open opportunities only, in allocation order (rank never falls).
        let mut open = if memo {
            debug_assert_eq!(lane.open[k as usize], open_at(tb, &tr, th.done, age));
            lane.open[k as usize]
        } else {
            open_at(tb, &tr, th.done, age)
        };
        while open != 0 {
            let j = open.trailing_zeros();
            let o = tb.opportunities[(tr.opp_first + j) as usize];
            if best != NONE && o.rank != best_rank {
                break;
            }
            open &= open - 1;
            let b = o.battery as usize;
            if (counted[b / 32] >> (b % 32)) & 1 == 0 {
                counted[b / 32] |= 1 << (b % 32);
                (free[b], frees_at[b]) = channels_free(lane, &tb.batteries[b], tick);
            }
            if o.battery == last_battery {
                continue;
            }
            if free[b] == 0 {
                wait = wait.min(frees_at[b]);
                continue;
            }
            if !battery_up(tb, lane, o.battery) {
                held = true;
                continue;
            }
            if !memo || (lane.engages[k as usize] >> j) & 1 == 0 {
                if !engageable(tb, lane, k, &th, o.battery) {
                    // Let fall (or seen for a decoy): this battery never engages it.
                    th.done |= 1 << j;
                    continue;
                }
                if memo {
                    lane.engages[k as usize] |= 1 << j;
                }
            }
            if !radar_free(tb, lane, o.battery, k, tick) {
                held = true;
                continue;
            }
            let slot = tb.slots[o.slot as usize];
            let m = reloaded(lane.magazines[o.slot as usize], &slot, tick);
            lane.magazines[o.slot as usize] = m;
            let e = if th.last_opp == j { th.engagements } else { 0 };
            let shots = shots_for(tb, o.slot, threat_class, e);
            if shots == 0 || m.ready < shots {
                continue;
            }
            last_battery = o.battery;
            if best == NONE || m.ready > best_ready {
                best = j;
                best_rank = o.rank;
                best_ready = m.ready;
            }
        }
        th.free_at = if held { NEVER } else { wait };
        if best != NONE {
            th.free_at = NEVER;
            engage_with(tb, lane, k, &mut th, best, tick);
            let b = tb.opportunities[(tr.opp_first + best) as usize].battery as usize;
            free[b] -= 1;
            if free[b] == 0 {
                frees_at[b] = channels_free(lane, &tb.batteries[b], tick).1;
            }
        }
        lane.threats[k as usize] = th;
    }
}

/// Start the engagement of threat `k` by its opportunity `j`: the rounds, a channel busy
/// until the intercept, the radar track, the doctrine's count, the counters.
#[inline]
fn engage_with(tb: &Tables, lane: &mut Lane, k: u32, th: &mut Threat, j: u32, tick: u32) {
    let tr = tb.tracks[k as usize];
    let o = tb.opportunities[(tr.opp_first + j) as usize];
    let slot = tb.slots[o.slot as usize];
    let threat_class = tb.weapons[tr.weapon as usize].class;
    let e = if th.last_opp == j { th.engagements } else { 0 };
    let shots = shots_for(tb, o.slot, threat_class, e);
    let mut m = lane.magazines[o.slot as usize];
    m.ready -= shots;
    if m.reload_at == NEVER && m.reserve > 0 && slot.reload_ticks > 0 {
        m.reload_at = tick + slot.reload_ticks;
    }
    if m.ready + m.reserve == 0 && m.empty_at == NEVER {
        m.empty_at = tick;
    }
    lane.magazines[o.slot as usize] = m;
    let at = intercept_tick(&o, th, tick);
    let row = tb.batteries[o.battery as usize];
    // A free channel, busy from now on: there is one (`free`).
    for c in 0..row.channels {
        if lane.fire_control[channel(&row, c)] <= tick {
            // Busy through the intercept, and through this tick at least.
            lane.fire_control[channel(&row, c)] = at.max(tick + 1);
            break;
        }
    }
    lane.threats[k as usize] = *th;
    take_radar(tb, lane, o.battery, k, tick);
    if th.last_opp != j {
        // A battery that handed the threat to another does not come back to it.
        if th.last_opp != NONE {
            th.done |= 1 << th.last_opp;
        }
        th.last_opp = j;
        th.engagements = 1;
    } else {
        th.engagements += 1;
    }
    th.shot_opp = j;
    th.shots = shots;
    th.intercept_at = at;
    let c = tb.params.slot_counters + o.slot * SLOT_COUNTERS;
    lane.counters[(c + C_FIRED) as usize] += shots;
    count(lane, c + C_ENGAGEMENTS);
    if tr.stream != k {
        let w = tr.weapon * WEAPON_COUNTERS;
        count(lane, w + C_DECOY_ENGAGEMENTS);
        lane.counters[(w + C_DECOY_ROUNDS) as usize] += shots;
    }
    record(lane, tick, k, E_ENGAGED, o.slot | (shots << 16));
}
