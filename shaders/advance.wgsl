// Kernel 1 of 5, `advance`: one invocation per (replicate, track) pair
// that `schedule` listed.
// Launches threats whose time has come, fails the unreliable ones, notices impacts,
// lets a decoy whose missile was killed before apogee vanish, and puts every detected
// threat with an engagement open to it (and none in flight) on the candidate list. A
// decoy launches, is detected and fails with its missile (its draws are the missile's)
// and counts in no figure of the missile's class. Twin of `src/engine/cpu/advance.rs`;
// `common.wgsl` is prepended.

// The replicates with candidates this tick, for `allocate`, after the list header and
// the candidate count of each replicate (see `common.wgsl`).
@group(0) @binding(22) var<storage, read_write> lanes: array<atomic<u32>>;

fn push_lane(r: u32) {
    let i = atomicAdd(&lanes[L_COUNT], 1u);
    atomicStore(&lanes[LIST_HEADER + params.replicates + i], r);
    if i % LIST_WORKGROUP == 0u {
        atomicMax(&lanes[L_GROUPS], groups_for(i));
    }
}

// Put track `k` on replicate `r`'s candidate list, for `allocate`, and the replicate on
// `lanes` with its first candidate; a full list is flagged, not dropped silently.
fn push_candidate(r: u32, k: u32) {
    let i = atomicAdd(&lanes[LIST_HEADER + r], 1u);
    if i == 0u {
        push_lane(r);
    }
    if i < params.tracks {
        candidates[r * params.tracks + i] = k;
    } else {
        set_status(S_OVERFLOW);
    }
}
// This tick's pairs from `schedule`, read-only: it is also this kernel's indirect
// dispatch buffer (see `common.wgsl`).
@group(0) @binding(21) var<storage, read> pairs: array<u32>;
@group(0) @binding(13) var<storage, read_write> counters: array<atomic<u32>>;

fn count(r: u32, index: u32) {
    atomicAdd(&counters[r * params.counters + index], 1u);
}

fn count_if(r: u32, base: u32, counter: u32) {
    if base != NONE {
        count(r, base + counter);
    }
}

// x: workgroups over this tick's (replicate, track) pairs (indirect; see `common.wgsl`).
@compute @workgroup_size(LIST_WORKGROUP)
fn advance(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let n = pairs[L_COUNT];
    var i = id.x;
    for (; i < n; i += groups.x * LIST_WORKGROUP) {
        let row = pairs[LIST_HEADER + i];
        advance_one(row / params.tracks, row % params.tracks);
    }
    // Cut short by lavapipe's loop cap (see `common.wgsl`): say so rather
    // than skip pairs.
    if i < n {
        set_status(S_LOOP_LIMIT);
    }
}

// The twin for replicate `r` and track `k`.
fn advance_one(r: u32, k: u32) {
    let tick = params.tick;
    let row = r * params.tracks + k;
    // Only the words the early exit needs are read before it (`schedule` took it already
    // for the pairs it did not list).
    let status = threats[row].status & STATUS_MASK;
    let start = group_start[r * params.groups + tracks[k].group];
    let due = status == PENDING && start != NEVER && start + launch_offset(r, k, start) == tick;
    if wake[row] != tick && !due {
        return;
    }
    let tr = tracks[k];
    var th = threats[row];
    // A decoy counts in no figure of its weapon's: it adds 0 to its weapon's counters.
    let missile = tr.stream == k;
    let base = select(NONE, tr.weapon * WEAPON_COUNTERS, missile);
    if status == PENDING {
        if !due {
            return;
        }
        if !launcher_alive(r, tr.launcher) {
            th.status = ABORTED;
            count_if(r, base, C_ABORTED);
            if missile {
                record(r, tick, k, E_ABORTED, 0u);
            }
            threats[row] = th;
            set_wake(row, DONE);
            return;
        }
        if !roll(r, tr.stream, D_LAUNCH, launch_ok(r, k)) {
            th.status = FAILED_LAUNCH;
            count_if(r, base, C_FAILED_LAUNCH);
            if missile {
                record(r, tick, k, E_LAUNCH_FAILED, 0u);
            }
            threats[row] = th;
            set_wake(row, DONE);
            return;
        }
        count_if(r, base, C_LAUNCHED);
        th.status = FLYING;
        th.launch = tick;
        if roll(r, tr.stream, D_DETECT, detect_ok(r, k)) {
            th.status |= DETECTED;
        } else {
            count_if(r, base, C_UNDETECTED);
        }
        if !roll(r, tr.stream, D_FLIGHT, flight_ok(r, tr.weapon)) {
            th.fail_age = rand(r, tr.stream, D_FAIL_AGE) % tr.flight;
        }
        if missile {
            record(r, tick, k, E_LAUNCH, (th.status & DETECTED) >> 8u);
        }
    } else if status != FLYING {
        set_wake(row, DONE);
        return;
    }
    let age = tick - th.launch;
    if age >= th.fail_age {
        th.status = FAILED_FLIGHT | (th.status & DETECTED);
        count_if(r, base, C_FAILED_FLIGHT);
        if missile {
            record(r, tick, k, E_FLIGHT_FAILED, 0u);
        }
        threats[row] = th;
        set_wake(row, DONE);
        return;
    }
    if age >= tr.flight {
        // Arrived: `impact` resolves it this tick.
        threats[row] = th;
        set_wake(row, tick);
        return;
    }
    // A decoy separates at apogee, unless its missile was killed before: the missile's
    // row is read at the separation tick, before any kernel can kill it this tick (its
    // own invocation of this kernel may write it now, but never to KILLED, so the value
    // read decides the same whichever runs first).
    if !missile && age == tr.separation
        && (threats[r * params.tracks + tr.stream].status & STATUS_MASK) == KILLED {
        th.status = VANISHED | (th.status & DETECTED);
        threats[row] = th;
        set_wake(row, DONE);
        return;
    }
    if (th.status & DETECTED) != 0u && th.shot_opp == NONE {
        var ready = false;
        // Over the open opportunities only: `opp_state` is `OPP_CLOSED` for the others.
        var open = open_at(tr, th.done, tick - th.launch);
        while open != 0u {
            let j = firstTrailingBit(open);
            open &= open - 1u;
            let s = opp_state(r, tr, th, j, tick);
            if s == OPP_SPENT {
                th.done |= 1u << j;
            } else if s == OPP_READY {
                ready = true;
            }
        }
        if open != 0u {
            set_status(S_LOOP_LIMIT);
        }
        if ready {
            // `allocate` says again whether it must wait for a channel.
            th.free_at = NEVER;
            push_candidate(r, k);
        }
    }
    threats[row] = th;
    let next = next_wake(r, tr, th, tick);
    set_wake(row, next);
}
