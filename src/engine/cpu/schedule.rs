//! Kernel 0 of 5, `schedule`: one invocation per replicate.
//! Reads the replicate's calendar (`layout::CAL_*`): puts the threats of groups that start
//! now at their launch ticks, turns the wheels to this tick's page when the replicate has
//! something due in it, and lists the rows due now for the four kernels that follow, which
//! run over that list only. Last, it reports the replicate's next wake to the run's clock
//! (`impact` reports the wakes it adds). A replicate with nothing due does no more than
//! that. Twin of `shaders/schedule.wgsl`.

use std::sync::atomic::AtomicU32;

use super::*;

/// Append track `k` to the lane's work list. A row is listed at most once a tick (it is
/// in one calendar list at a time), and the list has room for every track.
#[inline]
pub fn push_pair(lane: &mut Lane, k: u32) {
    let i = lane.pair_count;
    lane.pairs[i as usize] = k;
    lane.pair_count = i + 1;
}

pub fn schedule(tb: &Tables, lane: &mut Lane, clock: &AtomicU32) {
    let tick = tb.params.tick;
    // A tick of a submission that the clock called off (see `engine::next_tick`).
    if tick == NONE {
        return;
    }
    // The threats of groups that start now in this replicate wait for launch in the
    // calendar (their wake stays `NEVER`; `due_at` gives their tick).
    for g in 0..tb.params.started {
        let s = tb.started[g as usize];
        if lane.group_start[s.group as usize] == tick {
            for i in 0..s.tracks {
                let k = s.first_track + i;
                push_wake(lane, tick + launch_offset(tb, lane, k, tick), k);
            }
        }
    }
    let next = lane.calendar[CAL_NEXT as usize];
    if next < tick {
        // The host skipped a tick this replicate needed.
        set_status(lane, S_LATE_WAKE);
    }
    if next == tick {
        turn_to(tb, lane, tick);
        // The rows due now, listed; the slot is empty after.
        let s = tick & (WHEEL - 1);
        let mut k = lane.calendar[(CAL_NEAR + s) as usize];
        lane.calendar[(CAL_NEAR + s) as usize] = NONE;
        lane.calendar[(CAL_NEAR_BITS + s / 32) as usize] &= !(1 << (s % 32));
        while k != NONE {
            let after = lane.link[k as usize];
            push_pair(lane, k);
            k = after;
        }
        lane.calendar[CAL_NEXT as usize] = earliest(lane, tick);
    }
    note_next(clock, lane.calendar[CAL_NEXT as usize]);
}

/// Turn the calendar to the page of `tick`, the replicate's next wake: the far slot of
/// that page spreads over the near wheel, and, in a new epoch, the overflow list over both
/// wheels first. The slots of the pages in between are empty: their ticks come before the
/// replicate's next wake.
fn turn_to(tb: &Tables, lane: &mut Lane, tick: u32) {
    let page = tick >> WHEEL_SHIFT;
    let old = lane.calendar[CAL_PAGE as usize];
    if page == old {
        return;
    }
    lane.calendar[CAL_PAGE as usize] = page;
    if page >> WHEEL_SHIFT != old >> WHEEL_SHIFT {
        let k = lane.calendar[CAL_OVERFLOW as usize];
        lane.calendar[CAL_OVERFLOW as usize] = NONE;
        lane.calendar[CAL_OVERFLOW_MIN as usize] = NEVER;
        spread(tb, lane, k);
    }
    let s = page & (WHEEL - 1);
    let k = lane.calendar[(CAL_FAR + s) as usize];
    lane.calendar[(CAL_FAR + s) as usize] = NONE;
    lane.calendar[(CAL_FAR_MIN + s) as usize] = NEVER;
    lane.calendar[(CAL_FAR_BITS + s / 32) as usize] &= !(1 << (s % 32));
    spread(tb, lane, k);
}

/// Put every row of the list that starts at `k` back in the calendar, each at its tick.
fn spread(tb: &Tables, lane: &mut Lane, first: u32) {
    let mut k = first;
    while k != NONE {
        let after = lane.link[k as usize];
        let w = due_at(tb, lane, k);
        push_wake(lane, w, k);
        k = after;
    }
}

/// The first set bit of a wheel's occupancy after slot `s`, or `WHEEL`.
#[inline]
fn first_after(lane: &Lane, bits: u32, s: u32) -> u32 {
    let mut w = (s + 1) / 32;
    let mut found = WHEEL;
    while w < WHEEL_WORDS {
        let mut b = lane.calendar[(bits + w) as usize];
        if w == (s + 1) / 32 {
            b &= !0u32 << ((s + 1) % 32);
        }
        if b != 0 {
            found = w * 32 + b.trailing_zeros();
            break;
        }
        w += 1;
    }
    found
}

/// The earliest tick in the calendar after `tick` (whose slot is empty): the next near
/// slot that holds rows, else the earliest tick of the next far slot that does, else the
/// overflow list's.
fn earliest(lane: &Lane, tick: u32) -> u32 {
    let page = lane.calendar[CAL_PAGE as usize];
    let i = first_after(lane, CAL_NEAR_BITS, tick & (WHEEL - 1));
    if i < WHEEL {
        return (page << WHEEL_SHIFT) | i;
    }
    let j = first_after(lane, CAL_FAR_BITS, page & (WHEEL - 1));
    if j < WHEEL {
        return lane.calendar[(CAL_FAR_MIN + j) as usize];
    }
    lane.calendar[CAL_OVERFLOW_MIN as usize]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::engine::rng::draw;

    /// A lane of `t` rows with nothing but a calendar, and tables with one group of all
    /// of them (offset `i` for row `i`).
    fn setup(t: u32) -> (Lane, Vec<Track>) {
        let tracks: Vec<Track> = (0..t)
            .map(|i| Track {
                offset: i,
                ..Track::default()
            })
            .collect();
        let lane = Lane {
            replicate: 0,
            threats: vec![Threat::INITIAL; t as usize],
            wake: vec![NEVER; t as usize],
            calendar: empty_calendar().to_vec(),
            link: vec![NONE; t as usize],
            candidates: vec![0; t as usize],
            candidate_count: 0,
            pairs: vec![0; t as usize],
            pair_count: 0,
            magazines: Vec::new(),
            counters: Vec::new(),
            assets: Vec::new(),
            group_start: vec![NEVER],
            launchers: Vec::new(),
            fire_control: Vec::new(),
            engages: Vec::new(),
            open: Vec::new(),
            looks: Vec::new(),
            looked: Vec::new(),
            looks_tick: NEVER,
            events: Vec::new(),
            event_count: 0,
            status: [0; STATUS_WORDS],
        };
        (lane, tracks)
    }

    fn tables<'a>(tracks: &'a [Track], tick: u32, started: &'a [Started]) -> Tables<'a> {
        Tables {
            params: Params {
                tick,
                tracks: tracks.len() as u32,
                started: started.len() as u32,
                ..Params::default()
            },
            tracks,
            weapons: &[],
            opportunities: &[],
            windows: &[],
            slots: &[],
            batteries: &[],
            asset_rows: &[],
            tables: &[],
            started,
        }
    }

    /// The CPU's candidate sort and the WGSL's heapsort (its twin) give one order, on
    /// lists of every length up to a few hundred, with ties of impact tick broken by index.
    #[test]
    fn the_candidate_sorts_agree() {
        let t = 400;
        let (mut lane, mut tracks) = setup(t);
        for k in 0..t {
            tracks[k as usize].flight = 1 + draw(3, 0, k, 0, 0) % 40;
            lane.threats[k as usize].launch = draw(3, 0, k, 0, 1) % 60;
        }
        let tb = tables(&tracks, 100, &[]);
        for n in 0..t {
            let list: Vec<u32> = (0..n).map(|i| draw(5, n, i, 0, 0) % t).collect();
            // Candidates are distinct rows.
            let mut seen = std::collections::BTreeSet::new();
            let list: Vec<u32> = list.into_iter().filter(|&k| seen.insert(k)).collect();
            let m = list.len() as u32;
            lane.candidates[..m as usize].copy_from_slice(&list);
            sort_candidates(&tb, &mut lane, m);
            let quick = lane.candidates[..m as usize].to_vec();
            lane.candidates[..m as usize].copy_from_slice(&list);
            heap_sort_candidates(&tb, &mut lane, m);
            assert_eq!(quick, &lane.candidates[..m as usize], "{m} candidates");
            assert!(quick.windows(2).all(|w| before(&tb, &lane, w[0], w[1])));
        }
    }

    /// Rows woken at random gaps, from one tick to past two epochs, against a map of
    /// (tick, rows): every tick the calendar gives as next is the map's first, and
    /// `schedule` lists exactly the map's rows for it, each once.
    #[test]
    fn the_calendar_lists_each_row_at_its_tick_through_pages_and_epochs() {
        let t = 300;
        let (mut lane, tracks) = setup(t);
        let started = [Started {
            group: 0,
            first_track: 0,
            tracks: t,
            _pad: 0,
        }];
        // The group starts at tick 5: row i is due at 5 + i.
        lane.group_start[0] = 5;
        let mut expect: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for i in 0..t {
            expect.entry(5 + i).or_default().push(i);
        }
        let clock = AtomicU32::new(NEVER);
        schedule(&tables(&tracks, 5, &started), &mut lane, &clock);
        let mut tick = 5;
        let mut draws = 0;
        let mut visited = 0;
        loop {
            let mut listed: Vec<u32> = lane.pairs[..lane.pair_count as usize].to_vec();
            listed.sort();
            let mut want = expect.remove(&tick).unwrap_or_default();
            want.sort();
            assert_eq!(listed, want, "rows listed at tick {tick}");
            assert_eq!(lane.status, [0; STATUS_WORDS], "at tick {tick}");
            // Each listed row wakes again after a gap of 1 tick to 3 epochs, or ends.
            for &k in &listed {
                draws += 1;
                let u = draw(7, 0, k, tick, draws);
                if u.is_multiple_of(5) {
                    set_wake(&mut lane, k, DONE);
                    continue;
                }
                let gap = 1 + match u % 4 {
                    0 => u % 3,
                    1 => u % WHEEL,
                    2 => u % (WHEEL * WHEEL),
                    _ => u % (3 * WHEEL * WHEEL),
                };
                set_wake(&mut lane, k, tick + gap);
                push_wake(&mut lane, tick + gap, k);
                expect.entry(tick + gap).or_default().push(k);
            }
            let next = lane.calendar[CAL_NEXT as usize];
            assert_eq!(
                next,
                expect.keys().next().copied().unwrap_or(NEVER),
                "the next wake after tick {tick}"
            );
            if next == NEVER {
                break;
            }
            tick = next;
            visited += 1;
            lane.begin_tick();
            let clock = AtomicU32::new(NEVER);
            schedule(&tables(&tracks, tick, &[]), &mut lane, &clock);
            assert!(clock.load(std::sync::atomic::Ordering::Relaxed) > tick);
        }
        assert!(
            tick > 2 * WHEEL * WHEEL,
            "the rows reached epoch 2 ({tick})"
        );
        assert!(visited > 1000, "{visited} ticks visited");
    }
}
