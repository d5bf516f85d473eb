// Kernel 4 of 5, `impact`: one invocation per (replicate, track) pair
// that `schedule` listed.
// A threat that arrived lands at its impact point (its weapon's scatter around the aim
// point) or, for a submunition warhead, at each of its submunitions' points around it:
// a point inside the target's footprint is a hit, and a hit does damage unless the
// asset's hardness absorbs it; the damage that reaches the asset's staying power puts it
// out of action (its batteries fall silent). A leaker that every battery able to engage
// it let fall is counted as ignored, and as ignored inside when it hit all the same. A
// decoy lands and does nothing. Last, each listed row's wake goes into its replicate's
// calendar and the run's clock, so the host knows the next tick worth running. Twin of
// `src/engine/cpu/impact.rs`; `common.wgsl` is prepended.

// This tick's pairs from `schedule`, read-only: it is also this kernel's indirect
// dispatch buffer (see `common.wgsl`).
@group(0) @binding(21) var<storage, read> pairs: array<u32>;
@group(0) @binding(13) var<storage, read_write> counters: array<atomic<u32>>;
// The `assets` buffer as atomic words (4 per `AssetState`, at the offsets of its fields:
// checked against `layout.rs`): several threats of one replicate may hit one asset in the
// same tick.
@group(0) @binding(19) var<storage, read_write> asset_words: array<atomic<u32>>;

// The calendars, as atomic words: several listed rows of a replicate put their wakes in
// it at once.
@group(0) @binding(11) var<storage, read_write> calendar: array<atomic<u32>>;

const ASSET_HITS: u32 = 0u;
const ASSET_DAMAGE: u32 = 1u;
const ASSET_OUT_AT: u32 = 2u;
const ASSET_AWAY: u32 = 3u;

fn count(r: u32, index: u32) {
    atomicAdd(&counters[r * params.counters + index], 1u);
}

// Put row `k` in replicate `r`'s calendar at tick `w` (the twin's `push_wake`, with
// atomics).
fn push_wake(r: u32, w: u32, k: u32) {
    let c = r * CALENDAR_WORDS;
    let page = atomicLoad(&calendar[c + CAL_PAGE]);
    var head: u32;
    if (w >> WHEEL_SHIFT) == page {
        let s = w & (WHEEL - 1u);
        head = CAL_NEAR + s;
        atomicOr(&calendar[c + CAL_NEAR_BITS + s / 32u], 1u << (s % 32u));
    } else if (w >> (2u * WHEEL_SHIFT)) == (page >> WHEEL_SHIFT) {
        let s = (w >> WHEEL_SHIFT) & (WHEEL - 1u);
        head = CAL_FAR + s;
        atomicOr(&calendar[c + CAL_FAR_BITS + s / 32u], 1u << (s % 32u));
        atomicMin(&calendar[c + CAL_FAR_MIN + s], w);
    } else {
        head = CAL_OVERFLOW;
        atomicMin(&calendar[c + CAL_OVERFLOW_MIN], w);
    }
    link[r * params.tracks + k] = atomicExchange(&calendar[c + head], k);
    atomicMin(&calendar[c + CAL_NEXT], w);
}

fn ignored(r: u32, k: u32, th: Threat) -> bool {
    let tr = tracks[k];
    if (th.status & DETECTED) == 0u || tr.opp_count == 0u {
        return false;
    }
    var j = 0u;
    for (; j < tr.opp_count; j += 1u) {
        let o = opportunities[tr.opp_first + j];
        if engageable(r, k, th, o.battery) {
            return false;
        }
    }
    if j < tr.opp_count {
        set_status(S_LOOP_LIMIT);
    }
    return true;
}

// x: workgroups over this tick's (replicate, track) pairs (indirect; see `common.wgsl`).
@compute @workgroup_size(LIST_WORKGROUP)
fn impact(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let n = pairs[L_COUNT];
    var i = id.x;
    for (; i < n; i += groups.x * LIST_WORKGROUP) {
        let row = pairs[LIST_HEADER + i];
        impact_one(row / params.tracks, row % params.tracks);
    }
    // Cut short by lavapipe's loop cap (see `common.wgsl`): say so rather
    // than skip pairs.
    if i < n {
        set_status(S_LOOP_LIMIT);
    }
}

// The twin for replicate `r` and track `k`.
fn impact_one(r: u32, k: u32) {
    let tick = params.tick;
    let row = r * params.tracks + k;
    // As in `advance`, the track and the threat row are read in full only for a threat
    // that arrives.
    let status = threats[row].status & STATUS_MASK;
    if status == FLYING && wake[row] == tick && tick - threats[row].launch >= tracks[k].flight {
        var th = threats[row];
        let tr = tracks[k];
        let w = weapon_row(tr.weapon);
        let at = tr.target_asset;
        var arg = tr.target_asset;
        if tr.stream == k {
            let base = tr.weapon * WEAPON_COUNTERS;
            count(r, base + C_LEAKED);
            // Where it lands, and for submunitions where each of them does.
            let centre = impact_point(r, k, th);
            // A ship off its station is not there to hit.
            let present = atomicLoad(&asset_words[(r * params.assets + at) * 4u + ASSET_AWAY]) == 0u;
            var hits = 0u;
            var damage = 0u;
            if w.submunitions == 0u {
                if present && on_target(k, centre) {
                    hits = 1u;
                    if !roll(r, k, D_DAMAGE, asset_rows[at].hardness) {
                        damage = 1u;
                    }
                }
            } else {
                var i = 0u;
                for (; i < w.submunitions; i += 1u) {
                    let d = D_SUB + 3u * i;
                    let rad = radius(keyed(r, k, th.launch, d), w.sub_scatter);
                    let p = shift(centre, polar(rad, keyed(r, k, th.launch, d + 1u)));
                    if present && on_target(k, p) {
                        hits += 1u;
                        if !roll(r, k, d + 2u, asset_rows[at].hardness) {
                            damage += 1u;
                        }
                    }
                }
                if i < w.submunitions {
                    set_status(S_LOOP_LIMIT);
                }
            }
            if ignored(r, k, th) {
                count(r, base + C_IGNORED);
                if hits > 0u {
                    count(r, base + C_IGNORED_INSIDE);
                }
            }
            let word = (r * params.assets + at) * 4u;
            if hits > 0u {
                arg |= LEAK_HIT | (hits << LEAK_HITS_SHIFT);
                atomicAdd(&asset_words[word + ASSET_HITS], hits);
                set_status(S_ASSETS_CHANGED);
            }
            if damage > 0u {
                arg |= LEAK_DAMAGE | (damage << LEAK_DAMAGE_SHIFT);
                let before = atomicAdd(&asset_words[word + ASSET_DAMAGE], damage);
                // Exactly one leaker brings damage to the staying power, whatever the
                // order of threads; which one it was is not recorded, as that would
                // depend on it.
                let sp = asset_rows[at].staying_power;
                if before < sp && before + damage >= sp {
                    atomicStore(&asset_words[word + ASSET_OUT_AT], tick);
                }
            }
        }
        th.status = LEAKED | (th.status & DETECTED);
        record(r, tick, k, E_LEAKED, arg);
        threats[row] = th;
        set_wake(row, DONE);
    }
    // Last, the row's wake goes into its replicate's calendar (once a tick, whatever
    // set it), and the run's clock learns of it. A listed row never waits for launch
    // past its tick (`advance` launched or dropped it).
    let w = wake[row];
    if w != NEVER && w != DONE {
        if w <= tick {
            set_status(S_LATE_WAKE);
        } else {
            push_wake(r, w, k);
            note_next(w);
        }
    }
}
