//! The clock of a GPU submission of several ticks (`shaders/next_tick.wgsl`, its WGSL twin):
//! before each tick but the first, the tick the kernels run next, from the clock words
//! (`layout::CLOCK_*`) and the status words. The CPU backend needs no such thing (the host
//! loop decides each tick, and the CPU runs it at once); this twin is the specification
//! `tests/kernels.rs` checks the WGSL against.

use super::layout::*;

/// One invocation of the clock: `clock` and `status` are the run's words, `tracks` and
/// `recorded` the plan's threats and the replicates that record events.
pub fn next_tick(clock: &mut [u32; CLOCK_WORDS], status: &[u32], tracks: u32, recorded: u32) {
    let next = clock[CLOCK_NEXT];
    let mut halt = next >= clock[CLOCK_UNTIL];
    if (status[S_OVERFLOW] | status[S_LOOP_LIMIT] | status[S_LATE_WAKE]) != 0 {
        halt = true;
    }
    if clock[CLOCK_STOP_ON_HIT] != 0 && status[S_ASSETS_CHANGED] != 0 {
        halt = true;
    }
    // A recorded replicate's events must have room for another tick's.
    let room = tracks * EVENTS_PER_THREAT_TICK;
    for e in 0..recorded {
        if status[STATUS_WORDS + e as usize] > room {
            halt = true;
        }
    }
    if halt {
        clock[CLOCK_TICK] = NONE;
        return;
    }
    clock[CLOCK_TICK] = next;
    clock[CLOCK_LAST] = next;
    clock[CLOCK_TICKS] += 1;
    clock[CLOCK_NEXT] = NEVER;
}
