// Kernel 2 of 5, `allocate`: one invocation per replicate with candidates (listed by
// `advance` here; the twin returns at once when it has none).
// Serves the candidates in priority order (earliest impact, then track index), each
// from its first open opportunity (upper tier first) whose battery has a free fire
// channel this tick and whose magazine holds the doctrine's next salvo. Resolving the
// competition for channels and rounds in one ordered pass per replicate makes the
// outcome independent of thread timing. Twin of `src/engine/cpu/allocate.rs`;
// `common.wgsl` is prepended. One invocation owns all of its replicate's rows, so only
// the shared status words need atomics here.

// The replicates with candidates this tick, from `advance`, read-only: it is also this
// kernel's indirect dispatch buffer. The host clears the candidate counts in it before
// each tick (the twin's `Lane::begin_tick`).
@group(0) @binding(22) var<storage, read> lanes: array<u32>;
@group(0) @binding(13) var<storage, read_write> counters: array<u32>;

fn count(r: u32, index: u32) {
    counters[r * params.counters + index] += 1u;
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
    var used: array<u32, MAX_BATTERIES>;
    var i = 0u;
    for (; i < n; i += 1u) {
        let k = candidates[r * params.tracks + i];
        let row = r * params.tracks + k;
        let tr = tracks[k];
        var th = threats[row];
        let threat_class = weapons[tr.weapon].threat_class;
        let age = tick - th.launch;
        // Over the open opportunities only: the others are skipped.
        var open = open_at(tr, th.done, age);
        while open != 0u {
            let j = firstTrailingBit(open);
            open &= open - 1u;
            let o = opportunities[tr.opp_first + j];
            if used[o.battery] >= batteries[o.battery].channels {
                continue;
            }
            if !battery_up(r, o.battery) {
                continue;
            }
            let slot = slots[o.slot];
            let ms = r * params.slots + o.slot;
            var m = reloaded(magazines[ms], slot, tick);
            let e = select(0u, th.engagements, th.last_opp == j);
            let shots = shots_for(o.slot, threat_class, e);
            if shots == 0u || m.ready < shots {
                magazines[ms] = m;
                continue;
            }
            m.ready -= shots;
            if m.reload_at == NEVER && m.reserve > 0u && slot.reload_ticks > 0u {
                m.reload_at = tick + slot.reload_ticks;
            }
            if m.ready + m.reserve == 0u && m.empty_at == NEVER {
                m.empty_at = tick;
            }
            magazines[ms] = m;
            used[o.battery] += 1u;
            th.shot_opp = j;
            th.shots = shots;
            threats[row] = th;
            let c = params.slot_counters + o.slot * SLOT_COUNTERS;
            counters[r * params.counters + c + C_FIRED] += shots;
            count(r, c + C_ENGAGEMENTS);
            record(r, tick, k, E_ENGAGED, o.slot | (shots << 16u));
            break;
        }
        // Windows left and none engaged it: the loop was cut short (it breaks only when
        // it engages).
        if open != 0u && th.shot_opp == NONE {
            set_status(S_LOOP_LIMIT);
        }
    }
    // Cut short by lavapipe's loop cap (see `common.wgsl`): say so rather
    // than skip some.
    if i < n {
        set_status(S_LOOP_LIMIT);
    }
}
