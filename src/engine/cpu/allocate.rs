//! Kernel 2 of 5, `allocate`: one invocation per replicate (with candidates, on the GPU).
//! Serves the candidates in priority order (earliest impact, then track index), each
//! from its first open opportunity (upper tier first) whose battery has a free fire
//! channel this tick and whose magazine holds the doctrine's next salvo. Resolving the
//! competition for channels and rounds in one ordered pass per replicate makes the
//! outcome independent of thread timing. The candidate count is left as it is: the host
//! empties the list before each tick (`Lane::begin_tick`). Twin of
//! `shaders/allocate.wgsl`.

use super::*;

pub fn allocate(tb: &Tables, lane: &mut Lane) {
    let tick = tb.params.tick;
    let n = lane.candidate_count;
    if n == 0 {
        return;
    }
    sort_candidates(tb, lane, n);
    let mut used = [0u32; MAX_BATTERIES];
    for i in 0..n {
        let k = lane.candidates[i as usize];
        let tr = tb.tracks[k as usize];
        let mut th = lane.threats[k as usize];
        let threat_class = tb.weapons[tr.weapon as usize].class;
        let age = tick - th.launch;
        // Over the open opportunities only: the others are skipped.
        let mut open = open_at(tb, &tr, th.done, age);
        while open != 0 {
            let j = open.trailing_zeros();
            open &= open - 1;
            let o = tb.opportunities[(tr.opp_first + j) as usize];
            if used[o.battery as usize] >= tb.batteries[o.battery as usize].channels {
                continue;
            }
            if !battery_up(tb, lane, o.battery) {
                continue;
            }
            let slot = tb.slots[o.slot as usize];
            let mut m = reloaded(lane.magazines[o.slot as usize], &slot, tick);
            let e = if th.last_opp == j { th.engagements } else { 0 };
            let shots = shots_for(tb, o.slot, threat_class, e);
            if shots == 0 || m.ready < shots {
                lane.magazines[o.slot as usize] = m;
                continue;
            }
            m.ready -= shots;
            if m.reload_at == NEVER && m.reserve > 0 && slot.reload_ticks > 0 {
                m.reload_at = tick + slot.reload_ticks;
            }
            if m.ready + m.reserve == 0 && m.empty_at == NEVER {
                m.empty_at = tick;
            }
            lane.magazines[o.slot as usize] = m;
            used[o.battery as usize] += 1;
            th.shot_opp = j;
            th.shots = shots;
            lane.threats[k as usize] = th;
            let c = tb.params.slot_counters + o.slot * SLOT_COUNTERS;
            lane.counters[(c + C_FIRED) as usize] += shots;
            count(lane, c + C_ENGAGEMENTS);
            record(lane, tick, k, E_ENGAGED, o.slot | (shots << 16));
            break;
        }
    }
}
