// Kernel 2 of 5, `allocate`: one invocation per replicate with candidates (listed by
// `advance` here; the twin returns at once when it has none).
// Serves the candidates in priority order (earliest impact, then track index). Each
// takes, among its open opportunities of the best rank under the scenario's battery
// rule (upper tier first), the battery with the most rounds ready, counting only a
// battery that would engage it (it does not let it fall, and does not tell it for a
// decoy), has a free fire channel and a free radar track (or holds it already), and
// whose magazine holds the doctrine's next salvo. The engagement keeps the channel busy
// until its intercept, after the interceptor's fly-out. Resolving the competition for
// channels, radar tracks and rounds in one ordered pass per replicate makes the outcome
// independent of thread timing; this kernel is the only one that touches the fire
// control. Twin of `src/engine/cpu/allocate.rs`; `common.wgsl` is prepended. One
// invocation owns all of its replicate's rows, so only the shared status words need
// atomics here.

// The replicates with candidates this tick, from `advance`, read-only: it is also this
// kernel's indirect dispatch buffer. The host clears the candidate counts in it before
// each tick (the twin's `Lane::begin_tick`).
@group(0) @binding(22) var<storage, read> lanes: array<u32>;
@group(0) @binding(13) var<storage, read_write> counters: array<u32>;

// Each replicate's channels (the tick each is free from) and radar tracks (the track
// each holds, or NONE): `params.fire_control` words a replicate.
@group(0) @binding(24) var<storage, read_write> fire_control: array<u32>;

fn count(r: u32, index: u32) {
    counters[r * params.counters + index] += 1u;
}

fn channel(r: u32, row: BatteryRow, c: u32) -> u32 {
    return r * params.fire_control + row.channel_first + c;
}

// The twin's `channels_free`: (free channels, the first tick one frees when none is).
fn channels_free(r: u32, row: BatteryRow, tick: u32) -> vec2<u32> {
    var free = 0u;
    var first = NEVER;
    var c = 0u;
    for (; c < row.channels; c += 1u) {
        let at = fire_control[channel(r, row, c)];
        if at <= tick {
            free += 1u;
        } else {
            first = min(first, at);
        }
    }
    if c < row.channels {
        set_status(S_LOOP_LIMIT);
    }
    return select(vec2<u32>(0u, first), vec2<u32>(free, NEVER), free > 0u);
}

fn radar_free(r: u32, b: u32, k: u32, tick: u32) -> bool {
    let row = batteries[b];
    if row.radar_tracks == 0u || radar_holds(r, b, k, tick) {
        return true;
    }
    var i = 0u;
    for (; i < row.radar_tracks; i += 1u) {
        let held = fire_control[r * params.fire_control + row.radar_first + i];
        if held == NONE || !radar_holds(r, b, held, tick) {
            return true;
        }
    }
    if i < row.radar_tracks {
        set_status(S_LOOP_LIMIT);
    }
    return false;
}

fn take_radar(r: u32, b: u32, k: u32, tick: u32) {
    let row = batteries[b];
    if row.radar_tracks == 0u || radar_holds(r, b, k, tick) {
        return;
    }
    var i = 0u;
    for (; i < row.radar_tracks; i += 1u) {
        let w = r * params.fire_control + row.radar_first + i;
        let held = fire_control[w];
        if held == NONE || !radar_holds(r, b, held, tick) {
            fire_control[w] = k;
            return;
        }
    }
    // `radar_free` allowed it: the loop ends at a free track, unless it was cut short.
    set_status(S_LOOP_LIMIT);
}

// x: workgroups over this tick's replicates with candidates (indirect; see `common.wgsl`).
@compute @workgroup_size(LIST_WORKGROUP)
fn allocate(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let n = lanes[L_COUNT];
    var i = id.x;
    for (; i < n; i += groups.x * LIST_WORKGROUP) {
        allocate_one(lanes[LIST_HEADER + params.replicates + i]);
    }
    // Cut short by lavapipe's loop cap (see `common.wgsl`): say so rather
    // than skip some.
    if i < n {
        set_status(S_LOOP_LIMIT);
    }
}

// The twin for replicate `r`.
fn allocate_one(r: u32) {
    let tick = params.tick;
    let n = lanes[LIST_HEADER + r];
    if n == 0u {
        return;
    }
    sort_candidates(r, n);
    // Free channels per battery this tick, counted at a battery's first use (bit b of
    // `counted`), and when none is free, the first tick one frees.
    var free: array<u32, MAX_BATTERIES>;
    var frees_at: array<u32, MAX_BATTERIES>;
    var counted: array<u32, 4>;
    var i = 0u;
    for (; i < n; i += 1u) {
        let k = candidates[r * params.tracks + i];
        let row = r * params.tracks + k;
        let tr = tracks[k];
        var th = threats[row];
        let threat_class = weapon_row(tr.weapon).threat_class;
        let age = tick - th.launch;
        // The best opportunity so far: its index, rank and rounds ready.
        var best = NONE;
        var best_rank = 0u;
        var best_ready = 0u;
        // The battery of the last opportunity that could engage: only its first
        // magazine in preference order counts.
        var last_battery = NONE;
        // When it is passed over: the first tick a channel frees at the batteries whose
        // channels were all busy, unless something else held it back (`held`).
        var wait = NEVER;
        var held = false;
        // Set where the twin breaks out: a loop that ends otherwise with bits left was
        // cut short.
        var stopped = false;
        // Over the open opportunities only, in allocation order (rank never falls).
        var open = open_at(tr, th.done, age);
        while open != 0u {
            let j = firstTrailingBit(open);
            let o = opportunities[tr.opp_first + j];
            if best != NONE && o.rank != best_rank {
                stopped = true;
                break;
            }
            open &= open - 1u;
            let b = o.battery;
            if ((counted[b / 32u] >> (b % 32u)) & 1u) == 0u {
                counted[b / 32u] |= 1u << (b % 32u);
                let f = channels_free(r, batteries[b], tick);
                free[b] = f.x;
                frees_at[b] = f.y;
            }
            if o.battery == last_battery {
                continue;
            }
            if free[b] == 0u {
                wait = min(wait, frees_at[b]);
                continue;
            }
            if !battery_up(r, o.battery) {
                held = true;
                continue;
            }
            if !engageable(r, k, th, o.battery) {
                // Let fall (or seen for a decoy): this battery never engages it.
                th.done |= 1u << j;
                continue;
            }
            if !radar_free(r, o.battery, k, tick) {
                held = true;
                continue;
            }
            let slot = slots[o.slot];
            let ms = r * params.slots + o.slot;
            let m = reloaded(magazines[ms], slot, tick);
            magazines[ms] = m;
            let e = select(0u, th.engagements, th.last_opp == j);
            let shots = shots_for(o.slot, threat_class, e);
            if shots == 0u || m.ready < shots {
                continue;
            }
            last_battery = o.battery;
            if best == NONE || m.ready > best_ready {
                best = j;
                best_rank = o.rank;
                best_ready = m.ready;
            }
        }
        if open != 0u && !stopped {
            set_status(S_LOOP_LIMIT);
        }
        th.free_at = select(wait, NEVER, held);
        if best != NONE {
            th.free_at = NEVER;
            th = engage_with(r, k, th, best, tick);
            let b = opportunities[tr.opp_first + best].battery;
            free[b] -= 1u;
            if free[b] == 0u {
                frees_at[b] = channels_free(r, batteries[b], tick).y;
            }
        }
        threats[row] = th;
    }
    // Cut short by lavapipe's loop cap (see `common.wgsl`): say so rather
    // than skip some.
    if i < n {
        set_status(S_LOOP_LIMIT);
    }
}

// The twin's `engage_with`, returning the threat row it changes.
fn engage_with(r: u32, k: u32, threat: Threat, j: u32, tick: u32) -> Threat {
    var th = threat;
    let tr = tracks[k];
    let o = opportunities[tr.opp_first + j];
    let slot = slots[o.slot];
    let threat_class = weapon_row(tr.weapon).threat_class;
    let e = select(0u, th.engagements, th.last_opp == j);
    let shots = shots_for(o.slot, threat_class, e);
    let ms = r * params.slots + o.slot;
    var m = magazines[ms];
    m.ready -= shots;
    if m.reload_at == NEVER && m.reserve > 0u && slot.reload_ticks > 0u {
        m.reload_at = tick + slot.reload_ticks;
    }
    if m.ready + m.reserve == 0u && m.empty_at == NEVER {
        m.empty_at = tick;
    }
    magazines[ms] = m;
    let at = intercept_tick(o, th, tick);
    let row = batteries[o.battery];
    var c = 0u;
    var taken = false;
    for (; c < row.channels; c += 1u) {
        if fire_control[channel(r, row, c)] <= tick {
            // Busy through the intercept, and through this tick at least.
            fire_control[channel(r, row, c)] = max(at, tick + 1u);
            taken = true;
            break;
        }
    }
    if !taken {
        set_status(S_LOOP_LIMIT);
    }
    threats[r * params.tracks + k] = th;
    take_radar(r, o.battery, k, tick);
    if th.last_opp != j {
        // A battery that handed the threat to another does not come back to it.
        if th.last_opp != NONE {
            th.done |= 1u << th.last_opp;
        }
        th.last_opp = j;
        th.engagements = 1u;
    } else {
        th.engagements += 1u;
    }
    th.shot_opp = j;
    th.shots = shots;
    th.intercept_at = at;
    let cs = params.slot_counters + o.slot * SLOT_COUNTERS;
    counters[r * params.counters + cs + C_FIRED] += shots;
    count(r, cs + C_ENGAGEMENTS);
    if tr.stream != k {
        let w = tr.weapon * WEAPON_COUNTERS;
        count(r, w + C_DECOY_ENGAGEMENTS);
        counters[r * params.counters + w + C_DECOY_ROUNDS] += shots;
    }
    record(r, tick, k, E_ENGAGED, o.slot | (shots << 16u));
    return th;
}
