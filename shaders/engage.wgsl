// Kernel 3 of 5, `engage`: one invocation per (replicate, track) pair
// that `schedule` listed.
// Resolves the salvo `allocate` assigned: each interceptor kills independently with its
// Pk against the threat's class. Keeps the doctrine's count (a look before the next
// shot) and retires an opportunity once its doctrine is spent. Twin of
// `src/engine/cpu/engage.rs`; `common.wgsl` is prepended.

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
    // As in `advance`, the row is read in full only past the early exit.
    if threats[row].shot_opp == NONE {
        return;
    }
    var th = threats[row];
    let tr = tracks[k];
    let threat_class = weapons[tr.weapon].threat_class;
    let j = th.shot_opp;
    let o = opportunities[tr.opp_first + j];
    let pk = slots[o.slot].pk[threat_class];
    var killed = false;
    var s = 0u;
    for (; s < th.shots; s += 1u) {
        if roll(r, k, D_KILL + s, pk) {
            killed = true;
        }
    }
    if s < th.shots {
        set_status(S_LOOP_LIMIT);
    }
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
    if shots_for(o.slot, threat_class, th.engagements) == 0u {
        th.done |= 1u << j;
    }
    th.shot_opp = NONE;
    th.shots = 0u;
    if killed {
        th.status = KILLED | (th.status & DETECTED);
        count(r, tr.weapon * WEAPON_COUNTERS + C_INTERCEPTED);
        count(r, params.slot_counters + o.slot * SLOT_COUNTERS + C_KILLS);
        record(r, tick, k, E_KILLED, o.slot);
        threats[row] = th;
        set_wake(row, DONE);
        return;
    }
    threats[row] = th;
    let next = next_wake(r, tr, th, tick);
    set_wake(row, next);
}
