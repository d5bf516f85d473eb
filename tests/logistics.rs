//! Resupply and trips to port, by hand: a battery whose magazine ran dry fires again once
//! rounds are delivered (in every replicate, or only where a trigger fired), and a ship's
//! battery is silent while the ship is away and full when it is back.

mod common;

use std::sync::Arc;

use common::Db;
use common::logistics::{load, scenario};
use hormuz::engine::plan;
use hormuz::report::Figures;
use hormuz::scenario::{self, Scenario};
use hormuz::world::RunOutput;

fn run(sc: &Arc<Scenario>, replicates: u32) -> (RunOutput, Figures) {
    let plan = Arc::new(plan::build(sc));
    common::run(sc, &plan, replicates, 7, Some(1))
}

fn every(fig: &Figures, column: &str) -> Vec<f64> {
    fig.column(column)
        .unwrap_or_else(|| panic!("no column {column}"))
}

#[test]
fn an_empty_magazine_fires_again_after_a_resupply() {
    let salvos = ["00:01", "02:00"];
    // Without a delivery: four rounds for the first salvo, none for the second.
    let (_, fig) = run(&load(&scenario(&salvos, false, ""), 1.0), 4);
    assert!(
        every(&fig, "intercepted_ballistic")
            .iter()
            .all(|&v| v == 4.0)
    );
    assert!(every(&fig, "magazines_exhausted").iter().all(|&v| v == 1.0));
    // Four rounds delivered at 01:00 reach the launchers one reload (60 s) later.
    let resupply = r#"
[[orders]]
id = "airlift"
at = "01:00"
resupply = { battery = "battery", interceptor = "lower", rounds = 4 }
"#;
    let (out, fig) = run(&load(&scenario(&salvos, false, resupply), 1.0), 4);
    assert!(
        every(&fig, "intercepted_ballistic")
            .iter()
            .all(|&v| v == 8.0)
    );
    assert!(every(&fig, "fired_lower").iter().all(|&v| v == 8.0));
    assert!(every(&fig, "kills_lower").iter().all(|&v| v == 8.0));
    assert!(every(&fig, "leaked_ballistic").iter().all(|&v| v == 4.0));
    assert!(
        out.log
            .iter()
            .any(|e| e.text == "order airlift: 4 lower delivered to battery"),
        "{:?}",
        out.log
    );
    // A delivery after the second salvo comes too late.
    let late = resupply.replace("01:00", "03:00");
    let (_, fig) = run(&load(&scenario(&salvos, false, &late), 1.0), 4);
    assert!(
        every(&fig, "intercepted_ballistic")
            .iter()
            .all(|&v| v == 4.0)
    );
}

#[test]
fn a_triggered_resupply_reaches_only_the_replicates_where_the_trigger_fired() {
    // Pk 0.5: the first salvo's four shots kill two on average, so the base takes 2 + (4 -
    // kills) hits; at four hits or more the trigger fires and rounds are delivered 30
    // minutes later, in that replicate only. The second salvo aims at a depot beside the
    // base, so that its hits do not fire the trigger.
    let extra = r#"
[[assets]]
id = "depot"
name = "Depot"
side = "blue"
kind = "site"
position = { lat = 30.01, lon = 45.0 }
vulnerability = { value_usd = 1e9, staying_power = 1000000 }

[[triggers]]
id = "base-hit"
when = { asset = "base", hits_at_least = 4 }

[[orders]]
id = "convoy"
after = { trigger = "base-hit", delay = "00:30" }
resupply = { battery = "battery", interceptor = "lower", rounds = 4 }
"#;
    let text = scenario(&["00:01", "02:00"], false, extra).replace(
        "at = \"02:00\"\nsalvo = { from = \"pad\", weapon = \"tbm\", count = 6, targets = [\"base\"]",
        "at = \"02:00\"\nsalvo = { from = \"pad\", weapon = \"tbm\", count = 6, targets = [\"depot\"]",
    );
    assert!(text.contains("[\"depot\"]"));
    let (_, fig) = run(&load(&text, 0.5), 64);
    let fired = every(&fig, "fired_lower");
    let trigger = every(&fig, "trigger_base-hit");
    let both = trigger.iter().filter(|&&t| t == 1.0).count();
    assert!(both > 8 && both < 60, "the trigger fired in {both} of 64");
    for (f, t) in fired.iter().zip(&trigger) {
        let expected = if *t == 1.0 { 8.0 } else { 4.0 };
        assert_eq!(*f, expected, "fired {f} with the trigger at {t}");
    }
}

#[test]
fn a_ship_away_in_port_is_silent_and_comes_back_full() {
    // Port 111 km south at 20 kn: three hours each way, an hour in port. The ship leaves
    // at 00:30, leaves port at 04:30 with full magazines, and is back at 07:30.
    let rearm = r#"
[[orders]]
id = "to-port"
at = "00:30"
rearm = { ship = "ship", port = { lat = 29.0, lon = 45.0 }, speed_kn = 20, in_port = "01:00" }
"#;
    // Salvo 1 empties the magazine; salvo 2 comes while the ship is away (magazine full
    // since 04:30, but silent); salvo 3 after it is back.
    let salvos = ["00:01", "05:00", "08:00"];
    let (out, fig) = run(&load(&scenario(&salvos, true, rearm), 1.0), 4);
    assert!(
        every(&fig, "intercepted_ballistic")
            .iter()
            .all(|&v| v == 8.0),
        "{:?}",
        every(&fig, "intercepted_ballistic")
    );
    assert!(every(&fig, "leaked_ballistic").iter().all(|&v| v == 10.0));
    let texts: Vec<&str> = out.log.iter().map(|e| e.text.as_str()).collect();
    for needle in [
        "order to-port: ship leaves station to rearm in port at 29.00, 45.00, back at 07:30:",
        "order to-port: ship leaves port with full magazines",
        "order to-port: ship is back on station",
    ] {
        assert!(
            texts.iter().any(|t| t.starts_with(needle)),
            "{needle:?} not in {texts:?}"
        );
    }
    // 111.2 km at 37.04 km/h: 3 h and 10 s (rounded up to the 5 s tick) each way.
    let at = |needle: &str| {
        out.log
            .iter()
            .find(|e| e.text.contains(needle))
            .map(|e| e.tick * 5)
            .unwrap()
    };
    assert_eq!(at("leaves port"), 4 * 3600 + 30 * 60 + 10);
    assert_eq!(at("back on station"), 7 * 3600 + 30 * 60 + 20);
    // Without the trip the battery stays empty after the first salvo.
    let (_, fig) = run(&load(&scenario(&salvos, true, ""), 1.0), 4);
    assert!(
        every(&fig, "intercepted_ballistic")
            .iter()
            .all(|&v| v == 4.0)
    );
    // The ship is where the trip takes it.
    let sc = load(&scenario(&salvos, true, rearm), 1.0);
    let ship = sc.assets.iter().position(|a| a.id == "ship").unwrap();
    let port = sc.asset_position(ship, 4.0 * 3600.0);
    assert!((port.lat - 29.0).abs() < 1e-9, "{port:?}");
    let halfway = sc.asset_position(ship, 2.0 * 3600.0);
    assert!((halfway.lat - 29.5).abs() < 0.01, "{halfway:?}");
    assert_eq!(sc.asset_position(ship, 8.0 * 3600.0).lat, 30.0);
}

#[test]
fn logistics_orders_are_checked() {
    let bad = |extra: &str, needle: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("db.toml"), Db::default().text()).unwrap();
        let text = scenario(&["00:01"], true, extra);
        let e = scenario::load_str("bad.toml", &text, dir.path()).unwrap_err();
        assert!(e.to_string().contains(needle), "{needle:?} not in:\n{e}");
    };
    bad(
        "[[orders]]\nid = \"x\"\nat = \"01:00\"\nresupply = { battery = \"battery\", interceptor = \"upper\", rounds = 4 }\n",
        "unknown interceptor of this battery \"upper\"; battery holds lower",
    );
    bad(
        "[[orders]]\nid = \"x\"\nat = \"01:00\"\nresupply = { battery = \"battery\", interceptor = \"lower\", rounds = 0 }\n",
        "expected at least 1 round",
    );
    bad(
        "[[orders]]\nid = \"x\"\nat = \"01:00\"\nrearm = { ship = \"base\", port = { lat = 29.0, lon = 45.0 }, speed_kn = 20, in_port = \"01:00\" }\n",
        "base is not a ship",
    );
    bad(
        "[[triggers]]\nid = \"t\"\nwhen = { asset = \"base\", hits_at_least = 1 }\n[[orders]]\nid = \"x\"\nafter = { trigger = \"t\" }\nswitch = { battery = \"battery\", online = false }\n",
        "needs a fixed time `at`",
    );
    bad(
        "[[orders]]\nid = \"x\"\nat = \"01:00\"\nevery = \"02:00\"\ntimes = 3\nrearm = { ship = \"ship\", port = { lat = 29.0, lon = 45.0 }, speed_kn = 20, in_port = \"01:00\" }\n",
        "ship is still away on its previous trip to port until",
    );
}
