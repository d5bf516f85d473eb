//! Kernel 0 of 5, `schedule`: one invocation per (replicate, active track).
//! A track is active when any replicate needs it, so most pairs have nothing to do this
//! tick. `schedule` lists the pairs that pass the first test of `advance` for the four
//! kernels that follow, which run over that list only; for every other pair nothing can
//! change this tick, and it reports the pair's next wake here, as `impact` does for the
//! listed ones. Twin of `shaders/schedule.wgsl`.

use std::sync::atomic::{AtomicU32, Ordering};

use super::*;

/// Append track `k` to the lane's work list. A track is listed at most once a tick, and
/// the list has room for every track.
#[inline]
pub fn push_pair(lane: &mut Lane, k: u32) {
    let i = lane.pair_count;
    lane.pairs[i as usize] = k;
    lane.pair_count = i + 1;
}

pub fn schedule(tb: &Tables, lane: &mut Lane, a: u32, track_next: &[AtomicU32]) {
    let tick = tb.params.tick;
    let k = tb.active_list[a as usize];
    let w = lane.wake[k as usize];
    let mut due = false;
    let mut next = w;
    // Only a threat waiting for launch has no wake of its own: its group's start decides.
    if w == NEVER {
        let start = lane.group_start[tb.tracks[k as usize].group as usize];
        if start != NEVER {
            next = start + launch_offset(tb, lane, k, start);
        }
        due = start != NEVER && next == tick;
    }
    if w == tick || due {
        push_pair(lane, k);
    } else {
        track_next[k as usize].fetch_max(!next, Ordering::Relaxed);
    }
}
