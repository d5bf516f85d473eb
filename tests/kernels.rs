//! A test per kernel, in the style of vello's CPU shaders: from the state recorded just
//! before kernel K at a tick, run only K's WGSL (one dispatch) and only K's CPU twin, and
//! compare every buffer. A drift names the kernel, the buffer, the replicate and the
//! index, where `tests/gpu.rs` can only say that whole runs differ.
//!
//! The states come from CPU runs of `gulf-2026` (four replicates, two of them recording
//! events), of a small setup with reloads (`common::setups::reloading`) and of one in which
//! every engagement mechanism does its work (`common::mechanisms::kernel_cases`: decoys,
//! random launch times, let-fall, radar and channel limits, failed rounds, submunitions),
//! observed before every kernel of every tick (`CpuBackend::observe`). For each kernel the recorder keeps ticks where the twin
//! does real work: at least `MIN_TICKS` of them, and every tick that shows a kind of work
//! (a launch, an engagement, a reload, a kill, a leak, ...) not seen before. Each test
//! then checks that its kernel's ticks cover the kinds of work it exists for.
//!
//! Without a GPU adapter the tests are skipped, visibly, or fail under CI
//! (`common::require_gpu`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::sync::{Arc, Mutex, OnceLock};

use hormuz::engine::Kernel;
use hormuz::engine::backend::CpuBackend;
use hormuz::engine::cpu::{Lane, Tables, open_at, radar_holds};
use hormuz::engine::gpu::{MAX_LIST_GROUPS, Replayed, WORKGROUP, replay};
use hormuz::engine::layout::*;
use hormuz::engine::plan::{self, Plan};
use hormuz::engine::snapshot::TickState;
use hormuz::scenario::{self, Scenario};
use hormuz::world::{RunConfig, Simulation};

/// Kinds of work a kernel did at a tick, read from what its twin changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Work {
    /// `schedule` listed pairs.
    Listed,
    /// A kernel reported the next wake of a track (`schedule`: of a pair it did not list).
    Reported,
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
}

/// What each kernel's ticks must show between them.
fn required(kernel: Kernel) -> &'static [Work] {
    match kernel {
        Kernel::Schedule => &[Work::Listed, Work::Reported],
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
        Kernel::Impact => &[Work::Leak, Work::Hit, Work::Submunitions, Work::Ignored],
    }
}

/// Ticks each kernel is tested at, per recorded run, at least.
const MIN_TICKS: usize = 3;

/// The kinds of work done between `before` and `after` (one kernel's twin).
fn work(plan: &Plan, kernel: Kernel, before: &TickState, after: &TickState) -> BTreeSet<Work> {
    let mut w = BTreeSet::new();
    let tick = before.params.tick;
    let tb = Tables::new(plan, &before.batteries, before.params, &before.active_list);
    if before.track_next != after.track_next {
        w.insert(Work::Reported);
    }
    for (b, a) in before.lanes.iter().zip(&after.lanes) {
        if a.pair_count > b.pair_count {
            w.insert(Work::Listed);
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

/// Whether a kernel can do anything at all from this state (cheap, before a copy).
fn has_work(kernel: Kernel, s: &TickState) -> bool {
    let pairs = |l: &Lane| l.pairs[..l.pair_count as usize].to_vec();
    match kernel {
        Kernel::Schedule => !s.active_list.is_empty(),
        Kernel::Advance => s.lanes.iter().any(|l| l.pair_count > 0),
        Kernel::Allocate => s.lanes.iter().any(|l| l.candidate_count > 0),
        Kernel::Engage => s.lanes.iter().any(|l| {
            pairs(l)
                .iter()
                .any(|&k| l.threats[k as usize].shot_opp != NONE)
        }),
        Kernel::Impact => s.lanes.iter().any(|l| {
            pairs(l).iter().any(|&k| {
                let th = l.threats[k as usize];
                th.status & STATUS_MASK == FLYING && l.wake[k as usize] == s.params.tick
            })
        }),
    }
}

/// A state before a kernel, and what the kernel's twin did from it.
struct Case {
    run: &'static str,
    plan: Arc<Plan>,
    state: TickState,
    work: BTreeSet<Work>,
}

/// What the observer keeps, per kernel.
#[derive(Default)]
struct Recorder {
    cases: BTreeMap<usize, Vec<Case>>,
    seen: BTreeMap<usize, BTreeSet<Work>>,
}

impl Recorder {
    fn done(&self, kernel: Kernel, run: &str) -> bool {
        let i = kernel.index();
        let kept = self
            .cases
            .get(&i)
            .map_or(0, |c| c.iter().filter(|c| c.run == run).count());
        let seen = self.seen.get(&i).cloned().unwrap_or_default();
        kept >= MIN_TICKS && required(kernel).iter().all(|w| seen.contains(w))
    }

    fn observe(&mut self, run: &'static str, plan: &Arc<Plan>, kernel: Kernel, s: &TickState) {
        if self.done(kernel, run) || !has_work(kernel, s) {
            return;
        }
        let mut after = s.clone();
        after.run_twin(plan, kernel);
        let w = work(plan, kernel, s, &after);
        let i = kernel.index();
        let seen = self.seen.entry(i).or_default();
        let kept = self.cases.entry(i).or_default();
        let new = w.iter().any(|x| !seen.contains(x));
        let few = kept.iter().filter(|c| c.run == run).count() < MIN_TICKS;
        if !w.is_empty() && (new || few) {
            seen.extend(w.iter().copied());
            kept.push(Case {
                run,
                plan: plan.clone(),
                state: s.clone(),
                work: w,
            });
        }
    }
}

/// Run a scenario on the CPU backend, recording into `recorder`, until every kernel has
/// its ticks or the run ends.
fn record(
    recorder: &Arc<Mutex<Recorder>>,
    run: &'static str,
    sc: Arc<Scenario>,
    plan: Arc<Plan>,
    config: RunConfig,
) {
    let mut backend = CpuBackend::new(
        plan.clone(),
        config.replicates,
        config.record.clone(),
        Some(1),
    )
    .expect("cpu backend");
    let (r, p) = (recorder.clone(), plan.clone());
    backend.observe(Box::new(move |kernel, state| {
        r.lock().unwrap().observe(run, &p, kernel, state)
    }));
    let mut sim = Simulation::new(sc, plan, &config, Box::new(backend));
    let done = || {
        let r = recorder.lock().unwrap();
        Kernel::ALL.iter().all(|&k| r.done(k, run))
    };
    while !done() && sim.step().expect("step") {}
}

/// Every recorded case, by kernel: recorded once per test run.
fn cases() -> &'static BTreeMap<usize, Vec<Case>> {
    static CASES: OnceLock<BTreeMap<usize, Vec<Case>>> = OnceLock::new();
    CASES.get_or_init(|| {
        let recorder = Arc::new(Mutex::new(Recorder::default()));
        let sc = scenario::load_path(None).expect("the default scenario loads");
        let plan = plan::build(&sc);
        let config = RunConfig {
            replicates: 4,
            seed: 2026,
            record: 1..3,
        };
        record(&recorder, "gulf-2026", Arc::new(sc), Arc::new(plan), config);
        let (sc, plan) = common::setups::reloading().load();
        let config = RunConfig {
            replicates: 3,
            seed: 5,
            record: 0..3,
        };
        record(&recorder, "reloading", sc, plan, config);
        let (sc, plan) = common::mechanisms::kernel_cases().load();
        let config = RunConfig {
            replicates: 4,
            seed: 7,
            record: 1..3,
        };
        record(&recorder, "mechanisms", sc, plan, config);
        let r = std::mem::take(&mut *recorder.lock().unwrap());
        r.cases
    })
}

/// Where the twin and the WGSL disagree, one line each.
struct Drifts {
    kernel: Kernel,
    at: String,
    lines: Vec<String>,
}

impl Drifts {
    fn same<T: PartialEq + Debug>(&mut self, buffer: &str, who: &str, twin: &[T], wgsl: &[T]) {
        if twin.len() != wgsl.len() {
            self.lines.push(format!(
                "{} {}: {buffer} of {who}: {} entries from the twin, {} from the WGSL",
                self.kernel,
                self.at,
                twin.len(),
                wgsl.len()
            ));
            return;
        }
        if let Some(i) = (0..twin.len()).find(|&i| twin[i] != wgsl[i]) {
            self.lines.push(format!(
                "{} {}: {buffer}[{i}] of {who}: twin {:?}, WGSL {:?}",
                self.kernel, self.at, twin[i], wgsl[i]
            ));
        }
    }

    /// A list the invocations append to in any order: the same entries, and the same
    /// stale words after them.
    fn same_list<T: PartialEq + Ord + Copy + Debug>(
        &mut self,
        buffer: &str,
        who: &str,
        (twin, twin_n): (&[T], u32),
        (wgsl, wgsl_n): (&[T], u32),
    ) {
        self.same(&format!("{buffer} count"), who, &[twin_n], &[wgsl_n]);
        let (n, m) = (twin_n as usize, wgsl_n as usize);
        if n != m || twin.len() != wgsl.len() || n > twin.len() {
            return;
        }
        let (mut a, mut b) = (twin[..n].to_vec(), wgsl[..n].to_vec());
        a.sort();
        b.sort();
        self.same(&format!("{buffer} (as a set)"), who, &a, &b);
        self.same(buffer, who, &twin[n..], &wgsl[n..]);
    }
}

/// Compare every buffer of the twin's result with the WGSL's.
fn compare(kernel: Kernel, case: &Case, twin: &TickState, gpu: &Replayed) -> Vec<String> {
    let mut d = Drifts {
        kernel,
        at: format!("at tick {} of {}", case.state.params.tick, case.run),
        lines: Vec::new(),
    };
    let wgsl = &gpu.state;
    for (r, (c, g)) in twin.lanes.iter().zip(&wgsl.lanes).enumerate() {
        let who = format!("replicate {r}");
        d.same("threats", &who, &c.threats, &g.threats);
        d.same("wake", &who, &c.wake, &g.wake);
        d.same("magazines", &who, &c.magazines, &g.magazines);
        d.same("counters", &who, &c.counters, &g.counters);
        d.same("assets", &who, &c.assets, &g.assets);
        d.same("group_start", &who, &c.group_start, &g.group_start);
        d.same("launchers", &who, &c.launchers, &g.launchers);
        d.same_list(
            "pairs",
            &who,
            (&c.pairs, c.pair_count),
            (&g.pairs, g.pair_count),
        );
        if kernel == Kernel::Advance {
            d.same_list(
                "candidates",
                &who,
                (&c.candidates, c.candidate_count),
                (&g.candidates, g.candidate_count),
            );
        } else {
            d.same("candidates", &who, &c.candidates, &g.candidates);
            d.same(
                "candidate count",
                &who,
                &[c.candidate_count],
                &[g.candidate_count],
            );
        }
        d.same_list(
            "events",
            &who,
            (&c.events, c.event_count),
            (&g.events, g.event_count),
        );
    }
    d.same("status", "the run", &twin.status(), &wgsl.status());
    d.same("track_next", "the run", &twin.track_next, &wgsl.track_next);
    let with: Vec<u32> = (0..twin.lanes.len() as u32)
        .filter(|&r| twin.lanes[r as usize].candidate_count > 0)
        .collect();
    let mut listed = gpu.listed.clone();
    listed.sort();
    d.same(
        "lanes (replicates with candidates)",
        "the run",
        &with,
        &listed,
    );
    for (b, headers) in gpu.headers.iter().enumerate() {
        for (name, h) in ["pairs header", "lanes header"].iter().zip(headers) {
            // x workgroups enough for every entry (up to the most a list asks for).
            let need = h[3].div_ceil(WORKGROUP).min(MAX_LIST_GROUPS);
            if h[0] < need || h[0] > MAX_LIST_GROUPS || h[1] != 1 || h[2] != 1 {
                d.lines.push(format!(
                    "{kernel} {}: {name} of batch {b}: {h:?} does not cover its entries",
                    d.at
                ));
            }
        }
    }
    d.lines
}

/// Replay each recorded state before `kernel` on the device and compare with the twin.
fn kernel_matches_its_twin(kernel: Kernel) {
    let Some(ctx) = common::require_gpu() else {
        return;
    };
    let cases = cases()
        .get(&kernel.index())
        .map_or(&[][..], |c| c.as_slice());
    let seen: BTreeSet<Work> = cases.iter().flat_map(|c| c.work.iter().copied()).collect();
    for w in required(kernel) {
        assert!(
            seen.contains(w),
            "{kernel}: no recorded tick shows {w:?} (seen: {seen:?})"
        );
    }
    for run in ["gulf-2026", "reloading", "mechanisms"] {
        let ticks: BTreeSet<u32> = cases
            .iter()
            .filter(|c| c.run == run)
            .map(|c| c.state.params.tick)
            .collect();
        assert!(
            ticks.len() >= MIN_TICKS,
            "{kernel}: {run} gives only ticks {ticks:?}"
        );
    }
    let mut drifts = Vec::new();
    for case in cases {
        let mut twin = case.state.clone();
        twin.run_twin(&case.plan, kernel);
        // Two batches of two for gulf-2026's four replicates, the recorded ones (1, 2)
        // one in each: the batch windows are part of what is checked.
        let gpu = replay(ctx.clone(), case.plan.clone(), kernel, &case.state, Some(3))
            .unwrap_or_else(|e| panic!("{kernel} at tick {}: {e}", case.state.params.tick));
        drifts.extend(compare(kernel, case, &twin, &gpu));
    }
    let ticks: Vec<String> = cases
        .iter()
        .map(|c| format!("{} {} {:?}", c.run, c.state.params.tick, c.work))
        .collect();
    assert!(
        drifts.is_empty(),
        "the WGSL of {kernel} drifted from its twin:\n{}\n(ticks tested: {})",
        drifts
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n"),
        ticks.join("; ")
    );
    eprintln!("{kernel}: the same as its twin at {}", ticks.join("; "));
}

#[test]
fn schedule_matches_its_twin() {
    kernel_matches_its_twin(Kernel::Schedule);
}

#[test]
fn advance_matches_its_twin() {
    kernel_matches_its_twin(Kernel::Advance);
}

#[test]
fn allocate_matches_its_twin() {
    kernel_matches_its_twin(Kernel::Allocate);
}

#[test]
fn engage_matches_its_twin() {
    kernel_matches_its_twin(Kernel::Engage);
}

#[test]
fn impact_matches_its_twin() {
    kernel_matches_its_twin(Kernel::Impact);
}

/// lavapipe gives an invocation 65,535 loop iterations in all, over every loop it runs. A
/// magazine that has reloaded one round a tick for 70,000 ticks makes `reloaded` loop
/// 70,001 times in one call: `allocate`'s WGSL must then either give the twin's result
/// (an adapter without the cap) or say that a loop was cut short, never a wrong result
/// without a word.
#[test]
fn a_loop_cut_short_is_reported_never_quietly_wrong() {
    let Some(ctx) = common::require_gpu() else {
        return;
    };
    let case = cases()[&Kernel::Allocate.index()]
        .iter()
        .find(|c| c.run == "reloading")
        .expect("an allocate tick of the reloading setup");
    // The setup's one magazine: a round a tick from a reserve far larger than the cap.
    let mut plan = (*case.plan).clone();
    let slot = &mut plan.slots[0];
    (slot.capacity, slot.per_reload, slot.reload_ticks) = (1_000_000, 1, 1);
    let plan = Arc::new(plan);
    // The same tick 100,000 ticks later (every age as it was), the magazine empty and
    // reloading since 70,000 ticks, and one candidate a replicate: the cut then falls in
    // the last iteration of every loop around `reloaded`, where checks on those loops
    // alone see nothing.
    let mut state = case.state.clone();
    state.params.tick += 100_000;
    for lane in &mut state.lanes {
        lane.candidate_count = lane.candidate_count.min(1);
        for th in lane.threats.iter_mut().filter(|th| th.launch != NEVER) {
            th.launch += 100_000;
        }
        lane.magazines[0] = MagazineState {
            ready: 0,
            reserve: 1_000_000,
            reload_at: state.params.tick - 70_000,
            empty_at: NEVER,
        };
    }
    let mut twin = state.clone();
    twin.run_twin(&plan, Kernel::Allocate);
    let gpu = replay(ctx.clone(), plan.clone(), Kernel::Allocate, &state, None)
        .unwrap_or_else(|e| panic!("replay: {e}"));
    let cut = gpu.state.status()[S_LOOP_LIMIT] != 0;
    if ctx.adapter.name.contains("llvmpipe") {
        assert!(
            cut,
            "lavapipe cut a loop of 70,001 iterations short without a word"
        );
    }
    if !cut {
        let case = Case {
            run: "reloading, 100,000 ticks on",
            plan,
            state,
            work: BTreeSet::new(),
        };
        let drifts = compare(Kernel::Allocate, &case, &twin, &gpu);
        assert!(drifts.is_empty(), "{}", drifts.join("\n"));
    }
}
