// Kernel 0 of 5, `schedule`: one invocation per (replicate, active track).
// A track is active when any replicate needs it, so most pairs have nothing to do. This
// kernel lists the pairs that pass the first test of `advance` (its twin's early exit)
// for the kernels that follow, which run over that list; for every other pair nothing
// can change this tick, and it reports the pair's next wake here, as the last lines of
// the twin of `impact` do. Twin of `src/engine/cpu/schedule.rs`; `common.wgsl` is
// prepended.

// The pairs with something to do this tick, as threat rows `r * params.tracks + k`,
// after the list header (see `common.wgsl`).
@group(0) @binding(21) var<storage, read_write> pairs: array<atomic<u32>>;

// Append threat row `row` to the work list, growing the workgroups that cover it.
fn push_pair(row: u32) {
    let i = atomicAdd(&pairs[L_COUNT], 1u);
    atomicStore(&pairs[LIST_HEADER + i], row);
    if i % LIST_WORKGROUP == 0u {
        atomicMax(&pairs[L_GROUPS], groups_for(i));
    }
}

// x: replicates of the batch in groups of 64; y (+ z * y-groups): the active tracks.
@compute @workgroup_size(64)
fn schedule(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let r = id.x;
    let a = id.y + id.z * groups.y;
    if r >= params.replicates || a >= params.active_count {
        return;
    }
    let tick = params.tick;
    let k = active_list[a];
    let row = r * params.tracks + k;
    // `wake` is track-major (see `common.wgsl`): `schedule` reads one track's wakes
    // across replicates as one contiguous run.
    let wi = k * params.replicates + r;
    let w = wake[wi];
    var due = false;
    var next = w;
    // Only a threat waiting for launch has no wake of its own: its group's start decides.
    if w == NEVER {
        let start = group_start[r * params.groups + tracks[k].group];
        if start != NEVER {
            next = start + launch_offset(r, k, start);
        }
        due = start != NEVER && next == tick;
    }
    if w == tick || due {
        push_pair(row);
    } else {
        atomicMax(&track_next[k], ~next);
    }
}
