//! Team views with fog of war (issue 16): the white cell sees everything; Blue its own
//! units and magazines and the threats it detected; Red its launches and stocks and the
//! hits it can claim, not the intercepts. The main window's view selector, and a window
//! per team (an egui viewport; embedded in the main window under the test harness).
#![cfg(feature = "desktop")]

mod common;

use std::path::Path;

use common::app::*;
use common::data_dir;
use eframe::egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use hormuz::app::fog::{self, Team};
use hormuz::app::live::LineKind;
use hormuz::scenario::Origin;

/// The smoke scenario where Blue detects only half of what is aimed at it.
fn half_seen(dir: &Path) -> Origin {
    let data = data_dir();
    std::fs::copy(data.join("db.toml"), dir.join("db.toml")).unwrap();
    let text = std::fs::read_to_string(data.join("smoke.toml")).unwrap().replace(
        "name = \"Blue\"\nhostile_to = [\"red\"]",
        "name = \"Blue\"\nhostile_to = [\"red\"]\ndetection = { ballistic = 0.5, drone = 0.5, assumed = true }",
    );
    assert!(text.contains("detection"));
    std::fs::write(dir.join("half.toml"), text).unwrap();
    Origin::Disk(dir.join("half.toml"))
}

/// Log rows on screen (buttons whose text starts with a time).
fn rows(h: &H) -> Vec<String> {
    h.query_all_by_role(Role::Button)
        .filter_map(|n| n.accesskit_node().label())
        .filter(|t| t.len() > 10 && t.as_bytes()[2] == b':' && t.as_bytes()[5] == b':')
        .collect()
}

fn only_kind(h: &mut H, kind: LineKind) {
    h.state_mut().log.kinds = LineKind::ALL.map(|k| k == kind);
    h.step();
    h.step();
}

#[test]
fn blue_sees_its_own_units_and_only_the_threats_it_detected() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open(half_seen(dir.path()));
    run_to(&mut h, 150); // the drones and the first missiles are in the air
    let (session, snap) = {
        let a = h.state();
        (a.session().unwrap().clone(), a.snapshot().unwrap().clone())
    };
    let white = fog::threats(&session, &snap, Team::White);
    let blue = fog::threats(&session, &snap, Team::Blue);
    let undetected = snap
        .threats
        .iter()
        .filter(|t| t.fate == fog::Fate::Flying && !t.detected)
        .count();
    assert!(undetected > 0, "some flights are not detected");
    assert_eq!(blue.len(), white.len() - undetected);
    h.state_mut().team = Team::Blue;
    h.step();
    h.step();
    assert!(h.state().unit_screen_pos("sam").is_some());
    assert!(h.state().unit_screen_pos("base").is_some());
    assert!(
        h.state().unit_screen_pos("pad").is_none(),
        "Red's pad is hidden"
    );
    // Its log: launches it detected only.
    only_kind(&mut h, LineKind::Launch);
    let seen = rows(&h);
    assert!(!seen.is_empty());
    assert!(seen.iter().all(|r| !r.contains("not detected")), "{seen:?}");
    h.state_mut().team = Team::White;
    h.step();
    h.step();
    assert!(rows(&h).iter().any(|r| r.contains("not detected")));
    // Its magazines by side, not Red's stocks.
    h.state_mut().team = Team::Blue;
    h.step();
    h.get_by_label("Magazines by side");
    assert!(h.query_by_label("Launch sites: rounds left").is_none());
}

#[test]
fn red_sees_its_launches_and_the_hits_it_can_claim_not_the_intercepts() {
    let mut h = smoke();
    // Go to the moment the first missile is shot down (the past replays exactly).
    run_to_the_end(&mut h);
    let shot_down = h
        .state()
        .lines()
        .iter()
        .find(|l| l.kind == LineKind::Intercept)
        .expect("an intercept")
        .tick;
    run_to(&mut h, shot_down);
    h.state_mut().team = Team::Red;
    h.step();
    h.step();
    assert!(h.state().unit_screen_pos("pad").is_some());
    assert!(h.state().unit_screen_pos("base").is_some(), "its target");
    assert!(
        h.state().unit_screen_pos("sam").is_none(),
        "not Blue's battery"
    );
    let (session, snap) = {
        let a = h.state();
        (a.session().unwrap().clone(), a.snapshot().unwrap().clone())
    };
    // Missiles shot down still fly, as far as Red knows, until they should have landed.
    let killed = snap
        .threats
        .iter()
        .enumerate()
        .filter(|(k, t)| {
            t.fate == fog::Fate::Killed && snap.tick < t.launch + session.plan.tracks[*k].flight
        })
        .count();
    assert!(killed > 0, "something was shot down and is still due");
    let red = fog::threats(&session, &snap, Team::Red);
    assert_eq!(red.iter().filter(|s| s.presumed).count(), killed);
    let totals = fog::totals(&session, &snap, Team::Red);
    assert!(
        totals.iter().all(|row| row[1].is_none()),
        "no intercepts known"
    );
    // Its log has no intercept; its panels claim hits and count its stocks.
    only_kind(&mut h, LineKind::Intercept);
    assert!(rows(&h).is_empty());
    h.get_by_label("Hits claimed");
    h.get_by_label("Launch sites: rounds left");
    assert!(h.query_by_label("Magazines by side").is_none());
    h.state_mut().team = Team::White;
    h.step();
    h.step();
    assert!(!rows(&h).is_empty(), "the white cell sees the intercepts");
}

#[test]
fn a_team_window_shows_only_that_teams_view() {
    let mut h = smoke();
    run_to(&mut h, 300);
    h.get_by_label("Blue window").click();
    h.step();
    h.step();
    h.step();
    h.get_by_label("Blue team");
    assert!(h.state().team_unit_screen_pos(Team::Blue, "sam").is_some());
    assert!(h.state().team_unit_screen_pos(Team::Blue, "pad").is_none());
    // The main window keeps the white cell's view.
    assert!(h.state().unit_screen_pos("pad").is_some());
    // (Under the harness the team windows are drawn inside the main one, over its bar.)
    h.state_mut().set_team_window(Team::Red, true);
    h.step();
    h.step();
    h.step();
    h.get_by_label("Red team");
    assert!(h.state().team_unit_screen_pos(Team::Red, "pad").is_some());
    assert!(h.state().team_unit_screen_pos(Team::Red, "sam").is_none());
    // Closed again.
    h.state_mut().set_team_window(Team::Blue, false);
    h.step();
    h.step();
    assert!(h.query_by_label("Blue team").is_none());
    assert!(h.state().team_unit_screen_pos(Team::Blue, "sam").is_none());
}
