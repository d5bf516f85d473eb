// The clock of a submission of several ticks (`next_tick`): one invocation, before each tick but the
// first. It sets the tick the kernels run next to the earliest wake the last tick left in
// the calendars (`CLOCK_NEXT`), or to `NONE` (the kernels then do nothing) once the host
// has something to decide: an order due (`CLOCK_UNTIL`), a hit when triggers may fire, a
// recorded replicate's events near the end of their buffer, or an error. The host runs
// the first tick of a submission itself. Twin of `src/engine/next_tick.rs`; `common.wgsl` is
// prepended.

fn status_word(w: u32) -> u32 {
    return atomicLoad(&status[w]);
}

@compute @workgroup_size(1)
fn next_tick(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x != 0u {
        return;
    }
    let next = atomicLoad(&clock[CLOCK_NEXT]);
    var halt = next >= atomicLoad(&clock[CLOCK_UNTIL]);
    if (status_word(S_OVERFLOW) | status_word(S_LOOP_LIMIT) | status_word(S_LATE_WAKE)) != 0u {
        halt = true;
    }
    if atomicLoad(&clock[CLOCK_STOP_ON_HIT]) != 0u && status_word(S_ASSETS_CHANGED) != 0u {
        halt = true;
    }
    // A recorded replicate's events must have room for another tick's.
    let room = params.tracks * EVENTS_PER_THREAT_TICK;
    var e = 0u;
    for (; e < params.record_count; e += 1u) {
        if status_word(STATUS_WORDS + e) > room {
            halt = true;
        }
    }
    if e < params.record_count {
        set_status(S_LOOP_LIMIT);
    }
    if halt {
        atomicStore(&clock[CLOCK_TICK], NONE);
        return;
    }
    atomicStore(&clock[CLOCK_TICK], next);
    atomicStore(&clock[CLOCK_LAST], next);
    atomicAdd(&clock[CLOCK_TICKS], 1u);
    atomicStore(&clock[CLOCK_NEXT], NEVER);
}
