//! A test per kernel, in the style of vello's CPU shaders: from the state recorded just
//! before kernel K at a tick, run only K's WGSL (one dispatch) and only K's CPU twin, and
//! compare every buffer. A drift names the kernel, the buffer, the replicate and the
//! index, where `tests/gpu.rs` can only say that whole runs differ.
//!
//! The states come from CPU runs of `gulf-2026` (four replicates, two of them recording
//! events), of a small setup with reloads (`common::setups::reloading`) and of one in which
//! every engagement mechanism does its work (`common::mechanisms::kernel_cases`: decoys,
//! random launch times, let-fall, radar and channel limits, failed rounds, submunitions),
//! observed before every kernel of every tick (`CpuBackend::observe`); the last with a
//! kill probability drawn per replicate (`drawn_pk`); and of ships that move, with weapons
//! aimed where a ship was and a manoeuvring ship's run (`common::guidance::kernel_case`);
//! and of a ship that leaves its station for port, and its relief (`common::station`). For each kernel the recorder keeps
//! ticks where the twin does real work: at least `MIN_TICKS` of them, and every tick that
//! shows a kind of work
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
use hormuz::engine::cpu::Lane;
use hormuz::engine::gpu::{MAX_LIST_GROUPS, Replayed, WORKGROUP, replay};
use hormuz::engine::layout::*;
use hormuz::engine::plan::{self, Plan};
use hormuz::engine::snapshot::TickState;
use hormuz::scenario::{self, Scenario};
use hormuz::world::{RunConfig, Simulation};

#[path = "kernels/work.rs"]
mod work;

use work::{Work, calendar_entries, required, work};

/// Ticks each kernel is tested at, per recorded run, at least.
const MIN_TICKS: usize = 3;

/// Whether a kernel can do anything at all from this state (cheap, before a copy).
fn has_work(kernel: Kernel, s: &TickState) -> bool {
    let pairs = |l: &Lane| l.pairs[..l.pair_count as usize].to_vec();
    match kernel {
        Kernel::Schedule => {
            !s.started.is_empty()
                || s.lanes
                    .iter()
                    .any(|l| l.calendar[CAL_NEXT as usize] == s.params.tick)
        }
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
        let (sc, plan) = drawn_pk(sc, &plan, &config);
        record(&recorder, "mechanisms", sc, plan, config);
        let (sc, plan) = common::guidance::kernel_case().load();
        let config = RunConfig {
            replicates: 3,
            seed: 14,
            record: 0..2,
        };
        record(&recorder, "ships", sc, plan, config);
        // A ship sent to port by its own magazine report and its relief: batteries whose
        // host is away, leakers that land on an empty station.
        let sc = common::station::varied();
        let plan = Arc::new(plan::build(&sc));
        let config = RunConfig {
            replicates: 6,
            seed: 5,
            record: 0..6,
        };
        record(&recorder, "station", sc, plan, config);
        let r = std::mem::take(&mut *recorder.lock().unwrap());
        r.cases
    })
}

/// The mechanisms run with the lower tier's Pk against ballistic missiles, its round
/// reliability, the warhead's launch and in-flight reliability and CEP and the defender's
/// detection of ballistic missiles drawn per replicate (`engine::params`): `engage` and `advance` read
/// them from each replicate's row of `tables`.
fn drawn_pk(sc: Arc<Scenario>, plan: &Arc<Plan>, config: &RunConfig) -> (Arc<Scenario>, Arc<Plan>) {
    use hormuz::engine::params::Draws;
    use hormuz::scenario::uncertain::{Distribution, Owner, Parameter, parameter_id};
    let mut sc = (*sc).clone();
    let lower = sc
        .interceptors
        .iter()
        .position(|i| i.id == "lower")
        .unwrap();
    let path = "interceptors.lower.pk.ballistic";
    sc.parameters.push(Parameter {
        path: path.into(),
        key: path.into(),
        id: parameter_id(path),
        dist: Distribution::Triangular {
            low: 0.2,
            mode: 0.8,
            high: 0.95,
        },
        integer: false,
        owner: Owner::Interceptor(lower),
        field: "pk.ballistic".into(),
    });
    // The lower tier's rounds, the warhead's flight and the defender's detection of
    // ballistic missiles are drawn too (`engage`, `advance`).
    let tbm = sc.weapons.iter().position(|w| w.id == "tbm").unwrap();
    let defender = sc.assets[0].side;
    let detection = format!("sides.{}.detection.ballistic", sc.sides[defender].id);
    for (path, owner, field, low) in [
        (
            "interceptors.lower.reliability",
            Owner::Interceptor(lower),
            "reliability",
            0.5,
        ),
        (
            "threats.tbm.flight_reliability",
            Owner::Weapon(tbm),
            "flight_reliability",
            0.4,
        ),
        (
            detection.as_str(),
            Owner::Side(defender),
            "detection.ballistic",
            0.6,
        ),
        (
            "threats.tbm.launch_reliability",
            Owner::Weapon(tbm),
            "launch_reliability",
            0.7,
        ),
    ] {
        sc.parameters.push(Parameter {
            path: path.into(),
            key: path.into(),
            id: parameter_id(path),
            dist: Distribution::Uniform {
                low,
                high: 1.0,
                point: 0.9,
            },
            integer: false,
            owner,
            field: field.into(),
        });
    }
    // And the warhead's CEP: `impact` (and any kernel that asks where it lands) reads a
    // drawn scatter.
    let path = "threats.tbm.cep_m";
    sc.parameters.push(Parameter {
        path: path.into(),
        key: path.into(),
        id: parameter_id(path),
        dist: Distribution::Uniform {
            low: 0.0,
            high: 2000.0,
            point: 0.0,
        },
        integer: false,
        owner: Owner::Weapon(tbm),
        field: "cep_m".into(),
    });
    let draws = Draws::new(&sc, plan, config.seed);
    assert!(draws.thresholds.words() > 0);
    let plan = draws.batch_plan(plan, 0, config.replicates).unwrap();
    (Arc::new(sc), plan)
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
        // The calendar's words but its lists' heads, and its lists as sets: rows appended
        // at once by several invocations link up in any order.
        let words = |l: &Lane| -> Vec<u32> {
            let mut w = l.calendar.clone();
            w[CAL_OVERFLOW as usize] = 0;
            for slot in CAL_NEAR..CAL_FAR_MIN {
                w[slot as usize] = 0;
            }
            w
        };
        d.same("calendar words", &who, &words(c), &words(g));
        let (ce, ge): (Vec<_>, Vec<_>) = (
            calendar_entries(c).into_iter().collect(),
            calendar_entries(g).into_iter().collect(),
        );
        d.same("calendar entries (list, row)", &who, &ce, &ge);
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
    d.same("clock", "the run", &[twin.clock], &[wgsl.clock]);
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

/// A replicate's calendar turned to a new epoch: the overflow list spreads over both
/// wheels. gulf-2026 ends before its first epoch (65,536 ticks), so the state is a
/// recorded one moved an epoch on, every calendar entry in the overflow list of a
/// calendar last turned in the epoch before.
#[test]
fn schedule_turns_a_new_epoch_as_its_twin() {
    let Some(ctx) = common::require_gpu() else {
        return;
    };
    let case = cases()[&Kernel::Schedule.index()]
        .iter()
        .find(|c| c.run == "gulf-2026" && c.work.contains(&Work::Listed))
        .expect("a schedule tick of gulf-2026 that lists rows");
    const EPOCH: u32 = WHEEL * WHEEL;
    let on = |t: &mut u32| {
        if *t != NEVER && *t != DONE {
            *t += EPOCH;
        }
    };
    let mut state = case.state.clone();
    state.params.tick += EPOCH;
    for lane in &mut state.lanes {
        let entries = calendar_entries(lane);
        for th in &mut lane.threats {
            on(&mut th.launch);
        }
        lane.wake.iter_mut().for_each(on);
        lane.group_start.iter_mut().for_each(on);
        for m in &mut lane.magazines {
            on(&mut m.reload_at);
            on(&mut m.empty_at);
        }
        for a in &mut lane.assets {
            on(&mut a.out_at);
        }
        let page = lane.calendar[CAL_PAGE as usize];
        lane.calendar = empty_calendar().to_vec();
        lane.calendar[CAL_PAGE as usize] = page;
        for (_, k) in entries {
            let w = match lane.wake[k as usize] {
                NEVER => {
                    let tr = &case.plan.tracks[k as usize];
                    lane.group_start[tr.group as usize] + tr.offset
                }
                w => w,
            };
            hormuz::engine::cpu::push_wake(lane, w, k);
        }
        assert!(
            lane.calendar[CAL_OVERFLOW as usize] != NONE
                || lane.calendar[CAL_NEXT as usize] == NEVER
        );
    }
    let mut twin = state.clone();
    twin.run_twin(&case.plan, Kernel::Schedule);
    let listed: u32 = twin.lanes.iter().map(|l| l.pair_count).sum();
    assert!(listed > 0, "the twin lists nothing at the moved tick");
    let gpu = replay(
        ctx.clone(),
        case.plan.clone(),
        Kernel::Schedule,
        &state,
        Some(3),
    )
    .unwrap_or_else(|e| panic!("replay: {e}"));
    let moved = Case {
        run: "gulf-2026, an epoch on",
        plan: case.plan.clone(),
        state,
        work: BTreeSet::new(),
    };
    let drifts = compare(Kernel::Schedule, &moved, &twin, &gpu);
    assert!(drifts.is_empty(), "{}", drifts.join("\n"));
}

/// The clock of a GPU submission of several ticks against its twin
/// (`engine::next_tick`): the next tick from the calendars' earliest wake, or none where
/// the host must decide (an order due, a hit with triggers, events near the end of their
/// buffer, an error).
#[test]
fn next_tick_matches_its_twin() {
    let Some(ctx) = common::require_gpu() else {
        return;
    };
    let (_, plan) = common::setups::reloading().load();
    let room = plan.tracks.len() as u32 * EVENTS_PER_THREAT_TICK;
    let base = {
        let mut c = [0u32; CLOCK_WORDS];
        c[CLOCK_NEXT] = 40;
        c[CLOCK_TICK] = 30;
        c[CLOCK_LAST] = 30;
        c[CLOCK_TICKS] = 3;
        c[CLOCK_UNTIL] = 100;
        c[CLOCK_LANES] = 7;
        c[CLOCK_STEPS] = 9;
        c
    };
    let with = |w: usize, v: u32| {
        let mut c = base;
        c[w] = v;
        c
    };
    let status = |w: usize, counts: &[u32]| {
        let mut s = vec![0u32; STATUS_WORDS];
        if w < STATUS_WORDS {
            s[w] = 1;
        }
        s.extend_from_slice(counts);
        s
    };
    let cases: Vec<(&str, [u32; CLOCK_WORDS], Vec<u32>, u32)> = vec![
        ("the next wake", base, status(STATUS_WORDS, &[]), 0),
        (
            "an order due",
            with(CLOCK_UNTIL, 40),
            status(STATUS_WORDS, &[]),
            0,
        ),
        (
            "nothing left",
            with(CLOCK_NEXT, NEVER),
            status(STATUS_WORDS, &[]),
            0,
        ),
        ("a hit, no triggers", base, status(S_ASSETS_CHANGED, &[]), 0),
        (
            "a hit, triggers",
            with(CLOCK_STOP_ON_HIT, 1),
            status(S_ASSETS_CHANGED, &[]),
            0,
        ),
        ("an overflow", base, status(S_OVERFLOW, &[]), 0),
        ("a loop cut short", base, status(S_LOOP_LIMIT, &[]), 0),
        ("a late wake", base, status(S_LATE_WAKE, &[]), 0),
        (
            "events with room",
            base,
            status(STATUS_WORDS, &[3, room]),
            2,
        ),
        (
            "events without room",
            base,
            status(STATUS_WORDS, &[3, room + 1]),
            2,
        ),
    ];
    for (what, clock, status, recorded) in cases {
        let mut twin = clock;
        hormuz::engine::next_tick::next_tick(
            &mut twin,
            &status,
            plan.tracks.len() as u32,
            recorded,
        );
        let wgsl = hormuz::engine::gpu::replay_next_tick(
            ctx.clone(),
            plan.clone(),
            clock,
            &status,
            recorded,
        )
        .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            wgsl, twin,
            "{what}: the WGSL's clock differs from the twin's"
        );
        let runs =
            what == "the next wake" || what == "a hit, no triggers" || what == "events with room";
        assert_eq!(twin[CLOCK_TICK] != NONE, runs, "{what}");
    }
}
