//! A ship that runs low on cells leaves its station in the replicates where it does, and
//! its relief takes the station: by hand on a scenario whose every number is known, then
//! replicate by replicate where the trigger fires in some and not in others.

mod common;

use std::sync::Arc;

use common::Db;
use common::station::{TO_PORT, db, load, scenario, varied};
use hormuz::engine::backend::CpuBackend;
use hormuz::engine::layout::{E_ENGAGED, NEVER};
use hormuz::engine::plan::{self, Plan};
use hormuz::report::{self, Figures};
use hormuz::scenario::{self as scen, Scenario};
use hormuz::world::{Engine, RunConfig, RunOutput, Simulation, run_collected};

/// Every replicate recorded (log and events), on `threads` threads.
fn run(sc: &Arc<Scenario>, replicates: u32, seed: u32) -> (Arc<Plan>, RunOutput, Figures) {
    let plan = Arc::new(plan::build(sc));
    let config = RunConfig {
        replicates,
        seed,
        record: 0..replicates,
    };
    let out = hormuz::world::run_cpu(sc.clone(), plan.clone(), &config, Some(2), |_, _| {})
        .expect("the run");
    let fig = report::figures(sc, &plan, &out);
    (plan, out, fig)
}

fn column(fig: &Figures, name: &str) -> Vec<f64> {
    fig.column(name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// The tick (5 s) of the first log line of replicate `r` that contains `needle`.
fn logged_at(out: &RunOutput, r: u32, needle: &str) -> Option<u32> {
    out.log
        .iter()
        .find(|e| e.replicate == Some(r) && e.text.contains(needle))
        .map(|e| e.tick)
}

const SALVOS: [&str; 4] = ["00:01", "02:00", "05:00", "08:00"];

#[test]
fn a_ship_low_on_cells_leaves_for_port_and_its_relief_holds_the_station() {
    // Pk 1, one shot a threat, eight cells each. 00:01: the destroyer kills six, two cells
    // left; the report at 00:30 says fewer than three and the ship leaves the next tick,
    // 00:30:05, as any order a trigger gives (port 111 km south at 20 kn: 3 h 10 s each
    // way, an hour in port). The relief is on station 30 minutes later and kills the six
    // of 02:00 (two cells left), two of 05:00; the four others land on the empty station.
    // The destroyer leaves port at 04:30:15 with full cells, is back at 07:30:25 (the
    // relief stands down) and kills the six of 08:00.
    let sc = load(&scenario(&SALVOS, "[1]", 8, TO_PORT), 1.0);
    let (_, out, fig) = run(&sc, 3, 7);
    for r in 0..3 {
        let tick = |h: u32, m: u32, s: u32| (h * 3600 + m * 60 + s) / 5;
        assert_eq!(
            logged_at(&out, r, "trigger ddg-low fires"),
            Some(tick(0, 30, 0))
        );
        assert_eq!(
            logged_at(
                &out,
                r,
                "ddg leaves station to rearm in port at 29.00, 45.00, back at 07:30:25"
            ),
            Some(tick(0, 30, 5)),
            "{:?}",
            out.log
        );
        assert_eq!(
            logged_at(&out, r, "relief takes the station of ddg"),
            Some(tick(1, 0, 5))
        );
        assert_eq!(
            logged_at(&out, r, "ddg leaves port with full magazines"),
            Some(tick(4, 30, 15))
        );
        assert_eq!(
            logged_at(&out, r, "ddg is back on station; relief stands down"),
            Some(tick(7, 30, 25))
        );
    }
    assert!(
        column(&fig, "intercepted_ballistic")
            .iter()
            .all(|&v| v == 20.0)
    );
    assert!(column(&fig, "leaked_ballistic").iter().all(|&v| v == 4.0));
    assert!(column(&fig, "fired_vls").iter().all(|&v| v == 20.0));
    // Nothing was there to hit: the destroyer was in port, the relief beside its station.
    assert!(column(&fig, "hits_ddg").iter().all(|&v| v == 0.0));
    assert!(column(&fig, "hits_relief").iter().all(|&v| v == 0.0));
    assert!(column(&fig, "trigger_ddg-low").iter().all(|&v| v == 1.0));

    // A lower threshold: the destroyer stays with two cells, fires them at 02:00 and takes
    // four hits; the report at 02:30 finds it empty and it leaves (back at 09:30:25). The
    // relief kills the six of 05:00 and two of 08:00; four land on the empty station.
    let later = TO_PORT.replace("cells_below = 3", "cells_below = 1");
    let sc = load(&scenario(&SALVOS, "[1]", 8, &later), 1.0);
    let (_, out, fig) = run(&sc, 3, 7);
    assert!(column(&fig, "hits_ddg").iter().all(|&v| v == 4.0));
    assert!(column(&fig, "fired_vls").iter().all(|&v| v == 16.0));
    assert_eq!(
        logged_at(
            &out,
            0,
            "ddg leaves station to rearm in port at 29.00, 45.00, back at 09:30:25"
        ),
        Some((2 * 3600 + 30 * 60 + 5) / 5)
    );
}

#[test]
fn each_replicate_sends_its_ship_to_port_when_its_own_cells_run_low() {
    // Fewer than seven of 24 cells left after two salvos in some replicates only.
    let sc = varied();
    let n = 32;
    let (plan, out, _) = run(&sc, n, 5);
    let ddg = sc.batteries.iter().position(|b| b.id == "ddg-vls").unwrap();
    let relief = sc
        .batteries
        .iter()
        .position(|b| b.id == "relief-vls")
        .unwrap();
    let slot = |b| plan.slot_of(b, 0).unwrap();
    let (ddg_slot, relief_slot) = (slot(ddg), slot(relief));
    let mut left = 0;
    for r in 0..n {
        let fired = out.fired[r as usize];
        let engaged: Vec<(u32, u32)> = out
            .events
            .iter()
            .filter(|(rr, e)| *rr == r && e.kind == E_ENGAGED)
            .map(|(_, e)| (e.tick, e.arg & 0xffff))
            .collect();
        let leave = logged_at(&out, r, "ddg leaves station");
        let relieved = logged_at(&out, r, "relief takes the station");
        let back = logged_at(&out, r, "ddg is back on station").unwrap_or(NEVER);
        if fired == NEVER {
            // Never low: the destroyer fights alone, the relief never engages.
            assert_eq!(leave, None, "replicate {r}");
            assert!(engaged.iter().all(|&(_, s)| s == ddg_slot), "replicate {r}");
            continue;
        }
        left += 1;
        // Reported at a half hour, and gone the next tick.
        assert_eq!(fired % 360, 0, "replicate {r}");
        let gone = fired + 1;
        assert_eq!(leave, Some(gone), "replicate {r}");
        assert_eq!(relieved, Some(gone + 360), "replicate {r}");
        for &(t, s) in &engaged {
            if s == ddg_slot {
                assert!(
                    t < gone || t >= back,
                    "replicate {r}: the destroyer fired at {t} while away"
                );
            } else {
                assert_eq!(s, relief_slot);
                assert!(
                    t >= gone + 360 && t < back,
                    "replicate {r}: the relief fired at {t} off station"
                );
            }
        }
    }
    assert!(
        left > 0 && left < n,
        "the trigger fired in {left} of {n} replicates: the test needs both"
    );
    // Where it came, the relief fought: the salvo at its station met it.
    assert!(
        out.events
            .iter()
            .any(|(_, e)| e.kind == E_ENGAGED && e.arg & 0xffff == relief_slot)
    );
}

#[test]
fn a_trip_a_trigger_orders_gives_the_same_run_in_any_batch_and_loop_order() {
    let sc = varied();
    let plan = Arc::new(plan::build(&sc));
    let config = |n| RunConfig {
        replicates: n,
        seed: 9,
        record: 0..4,
    };
    let text = |out: &RunOutput| {
        let fig = report::figures(&sc, &plan, out);
        (
            fig.rows,
            format!("{:?}", out.log),
            format!("{:?}", out.events),
            out.fired.clone(),
        )
    };
    let cpu = Engine::Cpu(Some(2));
    let whole = run_collected(&sc, &plan, &config(24), cpu, 24, |_, _| {}).unwrap();
    for batch in [5, 1] {
        let cut = run_collected(&sc, &plan, &config(24), cpu, batch, |_, _| {}).unwrap();
        assert_eq!(text(&cut), text(&whole), "batches of {batch}");
    }
    // Tick by tick (the GPU's host loop) against lane by lane (the CPU's).
    let mut sim = Simulation::new(
        sc.clone(),
        plan.clone(),
        &config(24),
        Box::new(CpuBackend::new(plan.clone(), 24, 0..4, Some(1)).unwrap()),
    );
    while sim.step().unwrap() {}
    let ticks = sim.finish().unwrap();
    assert_eq!(text(&ticks), text(&whole));
}

#[test]
fn reports_trips_and_reliefs_are_checked() {
    let bad = |extra: &str, needle: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("db.toml"), db(1.0)).unwrap();
        let text = scenario(&["00:01"], "[1]", 8, extra);
        let e = scen::load_str("bad.toml", &text, dir.path()).unwrap_err();
        assert!(e.to_string().contains(needle), "{needle:?} not in:\n{e}");
    };
    let trigger = |when: &str| format!("[[triggers]]\nid = \"t\"\nwhen = {{ {when} }}\n");
    bad(
        &trigger("side = \"blue\", cells_below = 3"),
        "cells are counted for a ship",
    );
    bad(
        &trigger("asset = \"ddg\", cells_below = 9"),
        "expected 1 to 8 (the cells ddg holds loaded), found 9",
    );
    bad(
        &trigger("asset = \"ddg\", cells_below = 0"),
        "expected 1 to 8",
    );
    bad(
        &trigger("asset = \"ddg\", report_every = \"00:30\""),
        "`report_every` goes with `cells_below`",
    );
    bad(
        &trigger("asset = \"ddg\", cells_below = 3, hits_at_least = 1"),
        "expected exactly one of",
    );
    bad(
        &trigger("asset = \"ddg\", cells_below = 3, report_every = \"00:00:01\""),
        "expected at least one tick (5 s)",
    );
    let long = |extra: &str, needle: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("db.toml"), db(1.0)).unwrap();
        let text = scenario(&["00:01"], "[1]", 8, extra).replace("\"12:00\"", "\"24:00\"");
        let e = scen::load_str("bad.toml", &text, dir.path()).unwrap_err();
        assert!(e.to_string().contains(needle), "{needle:?} not in:\n{e}");
    };
    long(
        &trigger("asset = \"ddg\", cells_below = 3, report_every = \"00:00:05\""),
        "gives 17280 reports over the scenario; at most 10000",
    );
    let rearm = |at: &str, relief: &str| {
        format!(
            "{}[[orders]]\nid = \"x\"\n{at}\nrearm = {{ ship = \"ddg\", port = {{ lat = 29.0, lon = 45.0 }}, speed_kn = 20, in_port = \"01:00\"{relief} }}\n",
            trigger("asset = \"ddg\", cells_below = 3")
        )
    };
    bad(
        &rearm("at = \"01:00\"", ", relief = \"relief\""),
        "for a trip at a fixed time, switch the relief's batteries on",
    );
    bad(
        &rearm("after = { trigger = \"t\" }", ", relief = \"ddg\""),
        "ddg cannot relieve itself",
    );
    bad(
        &rearm("after = { trigger = \"t\" }", ", relief = \"nowhere\""),
        "nowhere",
    );
    let both = format!(
        "{}[[orders]]\nid = \"y\"\nat = \"02:00\"\nrearm = {{ ship = \"ddg\", port = {{ lat = 29.0, lon = 45.0 }}, speed_kn = 20, in_port = \"01:00\" }}\n",
        rearm("after = { trigger = \"t\" }", "")
    );
    bad(
        &both,
        "has a trip to port at a fixed time: a trigger cannot send it too",
    );
    // The database without a cell-counted interceptor: nothing to report.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("db.toml"), Db::default().text()).unwrap();
    let text = scenario(&["00:01"], "[1]", 8, "").replace("\"vls\"", "\"lower\"")
        + &trigger("asset = \"ddg\", cells_below = 3");
    let e = scen::load_str("bad.toml", &text, dir.path()).unwrap_err();
    assert!(
        e.to_string().contains("carries no vertical-launch cells"),
        "{e}"
    );
}
