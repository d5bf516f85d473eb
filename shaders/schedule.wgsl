// Kernel 0 of 5, `schedule`: one invocation per replicate.
// Reads the replicate's calendar (`layout.rs`, `CAL_*`): puts the threats of groups that
// start now at their launch ticks, turns the wheels to this tick's page when the
// replicate has something due in it, and lists the rows due now for the four kernels that
// follow, which run over that list only. Last, it reports the replicate's next wake to the
// run's clock (`impact` reports the wakes it adds). A replicate with nothing due does no
// more than that. Twin of `src/engine/cpu/schedule.rs`; `common.wgsl` is prepended.

// The rows due this tick, as threat rows `r * params.tracks + k`, after the list header
// (see `common.wgsl`).
@group(0) @binding(21) var<storage, read_write> pairs: array<atomic<u32>>;
// The calendars: one invocation owns its replicate's, so plain words.
@group(0) @binding(11) var<storage, read_write> calendar: array<u32>;

// Append threat row `row` to the work list, growing the workgroups that cover it.
fn push_pair(row: u32) {
    let i = atomicAdd(&pairs[L_COUNT], 1u);
    atomicStore(&pairs[LIST_HEADER + i], row);
    if i % LIST_WORKGROUP == 0u {
        atomicMax(&pairs[L_GROUPS], groups_for(i));
    }
}

// The twin's `due_at`: a row's wake, or, waiting for launch, its group's start plus its
// launch offset.
fn due_at(r: u32, k: u32) -> u32 {
    let w = wake[r * params.tracks + k];
    if w != NEVER {
        return w;
    }
    let start = group_start[r * params.groups + tracks[k].group];
    return start + launch_offset(r, k, start);
}

// The twin's `push_wake`, on plain words.
fn push_wake(r: u32, w: u32, k: u32) {
    let c = r * CALENDAR_WORDS;
    let page = calendar[c + CAL_PAGE];
    var head: u32;
    if (w >> WHEEL_SHIFT) == page {
        let s = w & (WHEEL - 1u);
        head = CAL_NEAR + s;
        calendar[c + CAL_NEAR_BITS + s / 32u] |= 1u << (s % 32u);
    } else if (w >> (2u * WHEEL_SHIFT)) == (page >> WHEEL_SHIFT) {
        let s = (w >> WHEEL_SHIFT) & (WHEEL - 1u);
        head = CAL_FAR + s;
        calendar[c + CAL_FAR_BITS + s / 32u] |= 1u << (s % 32u);
        calendar[c + CAL_FAR_MIN + s] = min(calendar[c + CAL_FAR_MIN + s], w);
    } else {
        head = CAL_OVERFLOW;
        calendar[c + CAL_OVERFLOW_MIN] = min(calendar[c + CAL_OVERFLOW_MIN], w);
    }
    link[r * params.tracks + k] = calendar[c + head];
    calendar[c + head] = k;
    calendar[c + CAL_NEXT] = min(calendar[c + CAL_NEXT], w);
}

// x: the replicates of the batch, in groups of 64.
@compute @workgroup_size(64)
fn schedule(@builtin(global_invocation_id) id: vec3<u32>) {
    let r = id.x;
    if r >= params.replicates {
        return;
    }
    let c = r * CALENDAR_WORDS;
    let tick = params.tick;
    // A tick of a submission that the clock called off (see `next_tick.wgsl`).
    if tick == NONE {
        return;
    }
    // The threats of groups that start now in this replicate wait for launch in the
    // calendar (their wake stays `NEVER`; `due_at` gives their tick).
    var g = 0u;
    for (; g < params.started; g += 1u) {
        let s = started[g];
        if group_start[r * params.groups + s.group] == tick {
            var i = 0u;
            for (; i < s.tracks; i += 1u) {
                let k = s.first_track + i;
                push_wake(r, tick + launch_offset(r, k, tick), k);
            }
            if i < s.tracks {
                set_status(S_LOOP_LIMIT);
            }
        }
    }
    if g < params.started {
        set_status(S_LOOP_LIMIT);
    }
    let next = calendar[c + CAL_NEXT];
    if next < tick {
        // The host skipped a tick this replicate needed.
        set_status(S_LATE_WAKE);
    }
    if next == tick {
        turn_to(r, tick);
        // The rows due now, listed; the slot is empty after.
        let s = tick & (WHEEL - 1u);
        var k = calendar[c + CAL_NEAR + s];
        calendar[c + CAL_NEAR + s] = NONE;
        calendar[c + CAL_NEAR_BITS + s / 32u] &= ~(1u << (s % 32u));
        var listed = 0u;
        while k != NONE {
            let after = link[r * params.tracks + k];
            push_pair(r * params.tracks + k);
            k = after;
            listed += 1u;
        }
        if k != NONE {
            set_status(S_LOOP_LIMIT);
        }
        // What the ticks of a submission did (the CPU backend counts it from its lanes).
        if listed > 0u {
            atomicAdd(&clock[CLOCK_LANES], 1u);
            atomicAdd(&clock[CLOCK_STEPS], listed);
        }
        calendar[c + CAL_NEXT] = earliest(r, tick);
    }
    note_next(calendar[c + CAL_NEXT]);
}

// The twin's `turn_to`: the far slot of `tick`'s page spread over the near wheel, and,
// in a new epoch, the overflow list over both wheels first.
fn turn_to(r: u32, tick: u32) {
    let c = r * CALENDAR_WORDS;
    let page = tick >> WHEEL_SHIFT;
    let old = calendar[c + CAL_PAGE];
    if page == old {
        return;
    }
    calendar[c + CAL_PAGE] = page;
    if (page >> WHEEL_SHIFT) != (old >> WHEEL_SHIFT) {
        let k = calendar[c + CAL_OVERFLOW];
        calendar[c + CAL_OVERFLOW] = NONE;
        calendar[c + CAL_OVERFLOW_MIN] = NEVER;
        spread(r, k);
    }
    let s = page & (WHEEL - 1u);
    let k = calendar[c + CAL_FAR + s];
    calendar[c + CAL_FAR + s] = NONE;
    calendar[c + CAL_FAR_MIN + s] = NEVER;
    calendar[c + CAL_FAR_BITS + s / 32u] &= ~(1u << (s % 32u));
    spread(r, k);
}

// Every row of the list that starts at `first` back in the calendar, each at its tick.
fn spread(r: u32, first: u32) {
    var k = first;
    while k != NONE {
        let after = link[r * params.tracks + k];
        let w = due_at(r, k);
        push_wake(r, w, k);
        k = after;
    }
    if k != NONE {
        set_status(S_LOOP_LIMIT);
    }
}

// The first set bit of a wheel's occupancy after slot `s`, or `WHEEL`.
fn first_after(r: u32, bits: u32, s: u32) -> u32 {
    let c = r * CALENDAR_WORDS;
    var w = (s + 1u) / 32u;
    var found = WHEEL;
    for (; w < WHEEL_WORDS; w += 1u) {
        var b = calendar[c + bits + w];
        if w == (s + 1u) / 32u {
            b &= ~0u << ((s + 1u) % 32u);
        }
        if b != 0u {
            found = w * 32u + firstTrailingBit(b);
            break;
        }
    }
    // Cut short by lavapipe's loop cap: neither found nor at the end.
    if found == WHEEL && w < WHEEL_WORDS {
        set_status(S_LOOP_LIMIT);
    }
    return found;
}

// The twin's `earliest`: the earliest tick in the calendar after `tick`.
fn earliest(r: u32, tick: u32) -> u32 {
    let c = r * CALENDAR_WORDS;
    let page = calendar[c + CAL_PAGE];
    let i = first_after(r, CAL_NEAR_BITS, tick & (WHEEL - 1u));
    if i < WHEEL {
        return (page << WHEEL_SHIFT) | i;
    }
    let j = first_after(r, CAL_FAR_BITS, page & (WHEEL - 1u));
    if j < WHEEL {
        return calendar[c + CAL_FAR_MIN + j];
    }
    return calendar[c + CAL_OVERFLOW_MIN];
}
