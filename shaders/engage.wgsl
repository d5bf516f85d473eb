// Kernel 3 of 5, `engage`: one invocation per (replicate, track) pair
// that `schedule` listed.
// Resolves the salvo `allocate` assigned, at its intercept (after the interceptors'
// fly-out; in the same tick when it is shorter than a tick): each interceptor works with
// its reliability, and one that works kills independently with its Pk against the
// threat's weapon (a manoeuvring re-entry vehicle lowers it per tier). A failed round is
// counted apart. Retires the opportunity once its doctrine is spent; the look of
// shoot-look-shoot comes after the intercept. Until the intercept, it only reports the
// threat's next wake. Twin of `src/engine/cpu/engage.rs`; `common.wgsl` is prepended.

// This tick's pairs from `schedule`, read-only: it is also this kernel's indirect
// dispatch buffer (see `common.wgsl`).
@group(0) @binding(21) var<storage, read> pairs: array<u32>;
@group(0) @binding(13) var<storage, read_write> counters: array<atomic<u32>>;

fn count(r: u32, index: u32) {
    atomicAdd(&counters[r * params.counters + index], 1u);
}

// x: workgroups over this tick's (replicate, track) pairs (indirect; see `common.wgsl`).
@compute @workgroup_size(LIST_WORKGROUP)
fn engage(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let n = pairs[L_COUNT];
    var i = id.x;
    for (; i < n; i += groups.x * LIST_WORKGROUP) {
        let row = pairs[LIST_HEADER + i];
        engage_one(row / params.tracks, row % params.tracks);
    }
    // Cut short by lavapipe's loop cap (see `common.wgsl`): say so rather
    // than skip pairs.
    if i < n {
        set_status(S_LOOP_LIMIT);
    }
}

// The twin for replicate `r` and track `k`.
fn engage_one(r: u32, k: u32) {
    let tick = params.tick;
    let row = r * params.tracks + k;
    // As in `advance`, the row is read in full only past the early exit. A threat that
    // failed in flight this tick (in `advance`) is no longer there to meet.
    let shot_opp = threats[row].shot_opp;
    let status = threats[row].status;
    if shot_opp == NONE || (status & STATUS_MASK) != FLYING {
        // A candidate `allocate` passed over for want of a channel: its next look is
        // when one frees, not the next tick `advance` assumed.
        if shot_opp == NONE && (status & STATUS_MASK) == FLYING && threats[row].free_at != NEVER {
            let th = threats[row];
            let tr = tracks[k];
            set_wake(row, next_wake(r, tr, th, tick));
        }
        return;
    }
    var th = threats[row];
    let tr = tracks[k];
    if th.intercept_at != tick {
        // In flight: started this tick, it meets the threat later.
        set_wake(row, next_wake(r, tr, th, tick));
        return;
    }
    let threat_class = weapon_row(tr.weapon).threat_class;
    let j = th.shot_opp;
    let o = opportunities[tr.opp_first + j];
    let pk = kill_threshold(r, o.slot, tr.weapon);
    var killed = false;
    var failed = 0u;
    var s = 0u;
    for (; s < th.shots; s += 1u) {
        if !roll(r, k, D_WORKS + s, round_works(r, o.slot)) {
            failed += 1u;
        } else if roll(r, k, D_KILL + s, pk) {
            killed = true;
        }
    }
    if s < th.shots {
        set_status(S_LOOP_LIMIT);
    }
    let c = params.slot_counters + o.slot * SLOT_COUNTERS;
    atomicAdd(&counters[r * params.counters + c + C_MALFUNCTIONS], failed);
    if shots_for(o.slot, threat_class, th.engagements) == 0u {
        th.done |= 1u << j;
    }
    th.shot_opp = NONE;
    th.shots = 0u;
    th.intercept_at = NEVER;
    if killed {
        th.status = KILLED | (th.status & DETECTED);
        let w = tr.weapon * WEAPON_COUNTERS;
        if tr.stream == k {
            count(r, w + C_INTERCEPTED);
            count(r, c + C_KILLS);
        } else {
            count(r, w + C_DECOY_KILLED);
        }
        record(r, tick, k, E_KILLED, o.slot);
        threats[row] = th;
        set_wake(row, DONE);
        return;
    }
    threats[row] = th;
    let next = next_wake(r, tr, th, tick);
    set_wake(row, next);
}
