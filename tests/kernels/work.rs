//! The kinds of work a kernel did at a tick, read from what its twin changed, and the
//! kinds each kernel's recorded ticks must show between them (`tests/kernels.rs`).

use std::collections::BTreeSet;

use hormuz::engine::Kernel;
use hormuz::engine::cpu::{Lane, Tables, open_at, radar_holds};
use hormuz::engine::layout::*;
use hormuz::engine::plan::Plan;
use hormuz::engine::snapshot::TickState;

/// Kinds of work a kernel did at a tick, read from what its twin changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Work {
    /// `schedule` listed pairs.
    Listed,
    /// A kernel lowered the run's clock (the next tick any replicate needs).
    Reported,
    /// `schedule` put the threats of a group that starts now in the calendar.
    Released,
    /// `schedule` turned a calendar to a later page (far slot over the near wheel).
    Turned,
    /// `impact` put a row's next wake in the calendar.
    Queued,
    Launch,
    FailedLaunch,
    Aborted,
    FlightFailed,
    /// A threat went on the candidate list.
    Candidate,
    Engagement,
    /// A magazine took rounds from its reserve.
    Reload,
    /// A magazine ran out of rounds altogether.
    Emptied,
    Kill,
    /// A salvo that killed nothing.
    Miss,
    Leak,
    Hit,
    OutOfAction,
    /// A launch at a time drawn per replicate (random timing).
    JitteredLaunch,
    /// A decoy whose missile was killed before it separated.
    Vanished,
    /// A candidate left unengaged: every channel of a battery that could engage it busy.
    ChannelBusy,
    /// A candidate left unengaged: the radar of a battery that could engage it full.
    RadarFull,
    /// A battery let a threat fall (predicted outside the footprint) or told a decoy.
    LetFall,
    DecoyEngaged,
    /// An engagement started at an earlier tick meets its threat after the fly-out.
    Intercept,
    /// An engagement in flight: `engage` only reports the threat's next wake.
    InFlight,
    /// A round failed (interceptor reliability).
    Malfunction,
    /// A submunition warhead landed.
    Submunitions,
    /// A leaker every battery let fall.
    Ignored,
    /// A leaker aimed off where its target is (fixed coordinates at a ship that moved, or
    /// a manoeuvring ship's run): the plan's offset and the drawn run.
    OffAim,
    /// A leaker aimed at a ship away from its station (gone to port, or in reserve):
    /// nothing there to hit.
    OffStation,
}

/// What each kernel's ticks must show between them.
pub fn required(kernel: Kernel) -> &'static [Work] {
    match kernel {
        Kernel::Schedule => &[Work::Listed, Work::Reported, Work::Released, Work::Turned],
        Kernel::Advance => &[
            Work::Launch,
            Work::Candidate,
            Work::JitteredLaunch,
            Work::Vanished,
        ],
        Kernel::Allocate => &[
            Work::Engagement,
            Work::Reload,
            Work::Emptied,
            Work::ChannelBusy,
            Work::RadarFull,
            Work::LetFall,
            Work::DecoyEngaged,
        ],
        Kernel::Engage => &[
            Work::Kill,
            Work::Miss,
            Work::Intercept,
            Work::InFlight,
            Work::Malfunction,
        ],
        Kernel::Impact => &[
            Work::Leak,
            Work::Hit,
            Work::Submunitions,
            Work::Ignored,
            Work::Queued,
            Work::OffAim,
            Work::OffStation,
        ],
    }
}

/// The kinds of work done between `before` and `after` (one kernel's twin).
pub fn work(plan: &Plan, kernel: Kernel, before: &TickState, after: &TickState) -> BTreeSet<Work> {
    let mut w = BTreeSet::new();
    let tick = before.params.tick;
    let tb = Tables::new(plan, &before.batteries, before.params, &before.started);
    if before.clock != after.clock {
        w.insert(Work::Reported);
    }
    for (b, a) in before.lanes.iter().zip(&after.lanes) {
        if a.pair_count > b.pair_count {
            w.insert(Work::Listed);
        }
        let (cb, ca) = (calendar_entries(b), calendar_entries(a));
        let rows_before: BTreeSet<u32> = cb.iter().map(|e| e.1).collect();
        for &(_, k) in ca.iter().filter(|e| !rows_before.contains(&e.1)) {
            if k != NONE {
                w.insert(match a.wake[k as usize] {
                    NEVER => Work::Released,
                    _ => Work::Queued,
                });
            }
        }
        if a.calendar[CAL_PAGE as usize] != b.calendar[CAL_PAGE as usize] {
            w.insert(Work::Turned);
        }
        if a.candidate_count > b.candidate_count {
            w.insert(Work::Candidate);
        }
        let candidates = &b.candidates[..b.candidate_count as usize];
        for (k, (tb_, ta)) in b.threats.iter().zip(&a.threats).enumerate() {
            let (sb, sa) = (tb_.status & STATUS_MASK, ta.status & STATUS_MASK);
            let change = match sa {
                _ if sa == sb => None,
                FLYING if plan.tracks[k].jitter > 0 => Some(Work::JitteredLaunch),
                FLYING => Some(Work::Launch),
                FAILED_LAUNCH => Some(Work::FailedLaunch),
                ABORTED => Some(Work::Aborted),
                FAILED_FLIGHT => Some(Work::FlightFailed),
                KILLED => Some(Work::Kill),
                LEAKED => Some(Work::Leak),
                VANISHED => Some(Work::Vanished),
                _ => None,
            };
            if change == Some(Work::JitteredLaunch) {
                w.insert(Work::Launch);
            }
            let tr = plan.tracks[k];
            if change == Some(Work::Leak) && (tr.aim_x != 0 || tr.aim_y != 0 || tr.evade != 0) {
                w.insert(Work::OffAim);
            }
            if change == Some(Work::Leak) && b.assets[tr.target as usize].away != 0 {
                w.insert(Work::OffStation);
            }
            w.extend(change);
            if sb != LEAKED
                && sa == LEAKED
                && plan.weapons[plan.tracks[k].weapon as usize].submunitions > 0
            {
                w.insert(Work::Submunitions);
            }
            if tb_.shot_opp == NONE && ta.shot_opp != NONE {
                w.insert(Work::Engagement);
            }
            if kernel == Kernel::Engage && tb_.shot_opp != NONE && tb_.intercept_at == tick {
                if sa == FLYING {
                    w.insert(Work::Miss);
                }
                if !candidates.contains(&(k as u32)) {
                    w.insert(Work::Intercept);
                }
            }
            if kernel == Kernel::Engage && tb_.shot_opp != NONE && tb_.intercept_at > tick {
                w.insert(Work::InFlight);
            }
            let last = if tb_.last_opp == NONE {
                0
            } else {
                1 << tb_.last_opp
            };
            if kernel == Kernel::Allocate && (ta.done & !tb_.done & !last) != 0 {
                w.insert(Work::LetFall);
            }
        }
        if kernel == Kernel::Allocate {
            for &k in candidates {
                if a.threats[k as usize].shot_opp != NONE {
                    continue;
                }
                w.extend(blocked(plan, &tb, b, k, tick));
            }
        }
        let weapon_counter = |l: &Lane, c: u32| -> u32 {
            (0..plan.weapons.len())
                .map(|i| l.counters[i * WEAPON_COUNTERS as usize + c as usize])
                .sum()
        };
        if weapon_counter(a, C_DECOY_ENGAGEMENTS) > weapon_counter(b, C_DECOY_ENGAGEMENTS) {
            w.insert(Work::DecoyEngaged);
        }
        if weapon_counter(a, C_IGNORED) > weapon_counter(b, C_IGNORED) {
            w.insert(Work::Ignored);
        }
        let base = plan.slot_counter_base() as usize;
        let failed = |l: &Lane| -> u32 {
            (0..plan.slots.len())
                .map(|s| l.counters[base + s * SLOT_COUNTERS as usize + C_MALFUNCTIONS as usize])
                .sum()
        };
        if failed(a) > failed(b) {
            w.insert(Work::Malfunction);
        }
        for (x, y) in b.magazines.iter().zip(&a.magazines) {
            if y.ready > x.ready {
                w.insert(Work::Reload);
            }
            if x.empty_at == NEVER && y.empty_at != NEVER {
                w.insert(Work::Emptied);
            }
        }
        for (x, y) in b.assets.iter().zip(&a.assets) {
            if y.hits > x.hits {
                w.insert(Work::Hit);
            }
            if x.out_at == NEVER && y.out_at != NEVER {
                w.insert(Work::OutOfAction);
            }
        }
    }
    w
}

/// Every (list, row) of a replicate's calendar: the near slots are lists `0..WHEEL`, the
/// far slots `WHEEL..2 * WHEEL`, the overflow list `2 * WHEEL`. A list that does not end
/// within the rows of the lane is reported as one entry `(list, NONE)`.
pub fn calendar_entries(l: &Lane) -> BTreeSet<(u32, u32)> {
    let mut out = BTreeSet::new();
    let heads = (0..WHEEL)
        .map(|s| (s, CAL_NEAR + s))
        .chain((0..WHEEL).map(|s| (WHEEL + s, CAL_FAR + s)))
        .chain([(2 * WHEEL, CAL_OVERFLOW)]);
    for (list, head) in heads {
        let mut k = l.calendar[head as usize];
        let mut n = 0;
        while k != NONE {
            if n > l.link.len() || k as usize >= l.link.len() {
                out.insert((list, NONE));
                break;
            }
            out.insert((list, k));
            k = l.link[k as usize];
            n += 1;
        }
    }
    out
}

/// Why candidate `k` may have been left unengaged: a battery able to engage it with every
/// channel busy, or with its radar full of other threats (read from the state before
/// `allocate`).
fn blocked(plan: &Plan, tb: &Tables, lane: &Lane, k: u32, tick: u32) -> Vec<Work> {
    let mut why = Vec::new();
    let tr = plan.tracks[k as usize];
    let th = lane.threats[k as usize];
    let mut open = open_at(tb, &tr, th.done, tick - th.launch);
    while open != 0 {
        let j = open.trailing_zeros();
        open &= open - 1;
        let b = plan.opportunities[(tr.opp_first + j) as usize].battery;
        let row = tb.batteries[b as usize];
        let words = |first: u32, n: u32| (first..first + n).map(|i| lane.fire_control[i as usize]);
        if words(row.channel_first, row.channels).all(|t| t > tick) {
            why.push(Work::ChannelBusy);
        }
        if row.radar_tracks > 0
            && !radar_holds(tb, lane, b, k, tick)
            && words(row.radar_first, row.radar_tracks)
                .all(|h| h != NONE && radar_holds(tb, lane, b, h, tick))
        {
            why.push(Work::RadarFull);
        }
    }
    why
}
