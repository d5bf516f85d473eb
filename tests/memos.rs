//! The CPU's shortcuts against the kernels as the WGSL runs them (ARCHITECTURE, Twin
//! equivalence): `advance` looks at each open window once where `advance.wgsl` looks twice
//! (`cpu::advance::advance_with`), and `allocate` takes a candidate's open windows from
//! `advance` (the lane's `open`) and remembers which batteries engage a threat (its
//! `engages` bits) where `allocate.wgsl` scans and asks each time
//! (`cpu::allocate::allocate_with`; in a debug build it checks each `open` it takes), and
//! `engage` takes a next wake from one look per window (`cpu::engage::engage_with`). From
//! the state recorded before each of the two kernels at every tick of real runs (the
//! built-in scenario's wide war, the mechanisms case with decoys, let-fall, radar and
//! channel limits, and a magazine that reloads), both ways are run on copies of every
//! replicate and must leave the same rows; the memos aside, which only the shortcuts keep.

mod common;

use std::sync::{Arc, Mutex};

use hormuz::engine::Kernel;
use hormuz::engine::backend::CpuBackend;
use hormuz::engine::cpu::advance::{advance, advance_as_wgsl};
use hormuz::engine::cpu::allocate::{allocate, allocate_as_wgsl};
use hormuz::engine::cpu::engage::{engage, engage_as_wgsl};
use hormuz::engine::cpu::{Lane, Tables};
use hormuz::engine::layout::*;
use hormuz::engine::plan::{self, Plan};
use hormuz::engine::snapshot::TickState;
use hormuz::scenario::{self, Scenario};
use hormuz::world::{RunConfig, Simulation};

/// What the comparisons covered.
#[derive(Default, Debug)]
struct Covered {
    /// `advance` of a detected threat with no engagement in flight: the one look's case.
    looked: u64,
    /// Candidates whose lane remembered a battery that engages them: the memo's case.
    remembered: u64,
    /// Threats whose wake the one look set to the next tick.
    next_tick: u64,
    /// `engage` of a flying threat with no engagement in flight, passed over for want of
    /// a channel or just back from an intercept: its next wake looked at once.
    woken: u64,
    ticks: u64,
}

/// A lane without the memos, which only the shortcuts keep.
fn less_memo(lane: &Lane) -> Lane {
    Lane {
        engages: Vec::new(),
        open: Vec::new(),
        looks: Vec::new(),
        looked: Vec::new(),
        looks_tick: 0,
        ..lane.clone()
    }
}

fn check(plan: &Plan, kernel: Kernel, s: &TickState, covered: &mut Covered) {
    let tb = Tables::new(plan, &s.batteries, s.params, &s.started);
    let tick = s.params.tick;
    for (r, lane) in s.lanes.iter().enumerate() {
        let (mut once, mut twice) = (lane.clone(), lane.clone());
        match kernel {
            Kernel::Advance => {
                for &k in &lane.pairs[..lane.pair_count as usize] {
                    let th = lane.threats[k as usize];
                    if th.status & STATUS_MASK == FLYING
                        && th.status & DETECTED != 0
                        && th.shot_opp == NONE
                    {
                        covered.looked += 1;
                    }
                    advance(&tb, &mut once, k);
                    advance_as_wgsl(&tb, &mut twice, k);
                    if once.wake[k as usize] == tick + 1 {
                        covered.next_tick += 1;
                    }
                }
                assert_eq!(
                    less_memo(&once),
                    less_memo(&twice),
                    "advance at tick {tick}, replicate {r}"
                );
            }
            Kernel::Allocate => {
                let n = lane.candidate_count as usize;
                covered.remembered += lane.candidates[..n]
                    .iter()
                    .filter(|&&k| lane.engages[k as usize] != 0)
                    .count() as u64;
                allocate(&tb, &mut once);
                allocate_as_wgsl(&tb, &mut twice);
                assert_eq!(
                    less_memo(&once),
                    less_memo(&twice),
                    "allocate at tick {tick}, replicate {r}"
                );
            }
            Kernel::Engage => {
                for &k in &lane.pairs[..lane.pair_count as usize] {
                    let th = lane.threats[k as usize];
                    if th.status & STATUS_MASK == FLYING
                        && th.status & DETECTED != 0
                        && (th.free_at != NEVER || th.intercept_at == tick)
                    {
                        covered.woken += 1;
                    }
                    engage(&tb, &mut once, k);
                    engage_as_wgsl(&tb, &mut twice, k);
                }
                assert_eq!(once, twice, "engage at tick {tick}, replicate {r}");
            }
            _ => return,
        }
    }
    covered.ticks += 1;
}

/// Run `sc` on the CPU backend to its end, checking the three kernels before every tick.
fn compare_runs(sc: Scenario, replicates: u32, seed: u32) -> Covered {
    let plan = Arc::new(plan::build(&sc));
    let config = RunConfig {
        replicates,
        seed,
        record: 0..1,
    };
    let covered = Arc::new(Mutex::new(Covered::default()));
    let mut backend = CpuBackend::new(
        plan.clone(),
        config.replicates,
        config.record.clone(),
        Some(1),
    )
    .expect("cpu backend");
    let (c, p) = (covered.clone(), plan.clone());
    backend.observe(Box::new(move |kernel, state| {
        check(&p, kernel, state, &mut c.lock().unwrap())
    }));
    let mut sim = Simulation::new(Arc::new(sc), plan, &config, Box::new(backend));
    while sim.step().expect("step") {}
    std::mem::take(&mut *covered.lock().unwrap())
}

/// The built-in scenario with the wide war's decisions taken by hand.
fn wide_war() -> Scenario {
    let mut sc = scenario::load_path(None).expect("the built-in scenario loads");
    for (d, o) in [
        ("talks", "collapse"),
        ("strike", "limited"),
        ("retaliation", "wide"),
        ("proxies", "join"),
    ] {
        sc.take_by_hand(d, o).expect("the wide war's decisions");
    }
    sc
}

#[test]
fn the_cpu_shortcuts_leave_the_rows_the_wgsl_way_leaves_in_the_wide_war() {
    let c = compare_runs(wide_war(), 2, 2026);
    eprintln!("wide war: {c:?}");
    // Enough of each case that a shortcut that went wrong would show.
    assert!(c.looked > 10_000, "{c:?}");
    assert!(c.next_tick > 1_000, "{c:?}");
    assert!(c.remembered > 100, "{c:?}");
    assert!(c.woken > 1_000, "{c:?}");
}

#[test]
fn the_cpu_shortcuts_leave_the_rows_the_wgsl_way_leaves_with_every_mechanism() {
    let (sc, _) = common::mechanisms::kernel_cases().load();
    let c = compare_runs((*sc).clone(), 4, 7);
    eprintln!("mechanisms: {c:?}");
    assert!(c.looked > 100, "{c:?}");
    assert!(c.remembered > 10, "{c:?}");
}

#[test]
fn the_cpu_shortcuts_leave_the_rows_the_wgsl_way_leaves_while_magazines_reload() {
    // A window open while its magazine reloads: the wake set to the reload.
    let (sc, _) = common::setups::reloading().load();
    let c = compare_runs((*sc).clone(), 3, 5);
    eprintln!("reloading: {c:?}");
    assert!(c.looked > 100, "{c:?}");
}

#[test]
fn a_what_if_forgets_the_memos_found_for_the_live_replicate() {
    // A what-if's replicates draw their own futures (by replicate): the live replicate's
    // memo of which batteries engage a threat is not theirs.
    let sc = wide_war();
    let plan = Arc::new(plan::build(&sc));
    let config = RunConfig {
        replicates: 1,
        seed: 2026,
        record: 0..0,
    };
    let backend = CpuBackend::new(plan.clone(), 1, 0..0, Some(1)).expect("cpu backend");
    let mut live = Simulation::new(Arc::new(sc), plan, &config, Box::new(backend));
    let remembers = |l: &Lane| l.engages.iter().any(|&e| e != 0);
    while !remembers(live.backend.lane(0).expect("a CPU lane")) {
        assert!(live.step().expect("step"), "the run ended before any memo");
    }
    let fork = live.fork(3, Some(1)).expect("a what-if");
    let lane = live.backend.lane(0).expect("a CPU lane");
    for r in 0..3 {
        let f = fork.backend.lane(r).expect("a CPU lane");
        assert_eq!(f.threats, lane.threats);
        assert!(!remembers(f), "replicate {r} kept the live memo");
        assert_eq!(f.looks_tick, NEVER);
    }
}
