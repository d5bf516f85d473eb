//! The exercise app's window logic, headless, with egui's own test harness: the real
//! `ExerciseApp` with its engine thread, driven by pointer events and button clicks.
//!
//! The clock moves only by command (`Command::RunTo`, the clock bar's "run to"), never by
//! playing: how far a played clock gets depends on how fast the machine is. Waits are for
//! the worker to finish something (planning, a replay, a what-if, a file), with a limit
//! only a hung engine reaches, and the tests assert on what it produced, not on when.
#![cfg(feature = "desktop")]

mod common;

use common::app::*;
use common::data_dir;
use eframe::egui::Key;
use eframe::egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use hormuz::app::ExerciseApp;
use hormuz::app::live::LineKind;
use hormuz::app::ui::{AppOptions, InjectKind};
use hormuz::app::worker::{Command, Start};
use hormuz::scenario::Origin;

#[test]
fn hovering_a_unit_shows_its_card_and_clicking_selects_it() {
    let mut h = smoke();
    // The battery stands at its base: hovering the stack fans it out.
    let stack = h
        .state()
        .unit_screen_pos("sam")
        .expect("the battery is drawn");
    assert_eq!(h.state().unit_screen_pos("base"), Some(stack));
    h.hover_at(stack);
    h.step();
    h.step();
    h.get_by_label_contains("2 units here");
    let pos = h.state().unit_screen_pos("sam").unwrap();
    assert!(pos.distance(stack) > 10.0, "fanned out");
    h.hover_at(pos);
    h.step();
    h.step();
    h.get_by_label_contains("Test lower-tier interceptor: 16 of 16 ready");
    assert!(h.query_by_label("Selected unit").is_none());
    h.event(eframe::egui::Event::PointerButton {
        pos,
        button: eframe::egui::PointerButton::Primary,
        pressed: true,
        modifiers: Default::default(),
    });
    h.event(eframe::egui::Event::PointerButton {
        pos,
        button: eframe::egui::PointerButton::Primary,
        pressed: false,
        modifiers: Default::default(),
    });
    h.step();
    h.remove_cursor();
    h.step();
    h.step();
    assert_eq!(h.state().selected().map(|u| u.id.as_str()), Some("sam"));
    h.get_by_label("Selected unit");
    h.get_by_label_contains("patriot · tier 2");
    // Clicking the launch site selects it instead; its card counts its launchers.
    let pad = h.state().unit_screen_pos("pad").unwrap();
    click_at(&mut h, pad);
    assert_eq!(h.state().selected().map(|u| u.id.as_str()), Some("pad"));
    h.get_by_label_contains("launchers 10 of 10 standing");
}

#[test]
fn a_battery_switched_off_by_an_inject_fires_no_more() {
    // Without the inject the battery engages and its magazine drains.
    let mut control = smoke();
    run_to_the_end(&mut control);
    assert!(control.state().snapshot().unwrap().magazines[0].ready < 16);

    let mut h = smoke();
    h.state_mut().form.kind = InjectKind::Switch;
    h.state_mut().form.battery = 0;
    h.state_mut().form.online = false;
    h.step();
    h.get_by_label_contains("Give inject at T+00:00:00").click();
    wait(&mut h, "the inject to be planned", |a| {
        a.session().is_some_and(|s| s.injects.len() == 1) && a.snapshot().is_some()
    });
    run_to_the_end(&mut h);
    let app = h.state();
    let snap = app.snapshot().unwrap();
    assert!(!snap.online[0], "the battery stays off");
    assert_eq!(snap.magazines[0].ready, 16, "not one round fired");
    assert!(app.lines().iter().all(|l| l.kind != LineKind::Intercept));
    assert!(
        app.lines()
            .iter()
            .any(|l| l.text.contains("sam switched off"))
    );
    assert!(
        app.lines()
            .iter()
            .any(|l| l.kind == LineKind::Inject && l.text.starts_with("inject-1 given"))
    );
}

#[test]
fn play_at_the_end_of_the_scenario_stops_at_once() {
    let mut h = smoke();
    run_to_the_end(&mut h);
    h.state().send(Command::Play);
    // Reports come in order: once the save's notice is in, so is all that Play did.
    let dir = tempfile::tempdir().unwrap();
    h.state().send(Command::Save(dir.path().join("ex.json")));
    wait(&mut h, "the save", |a| {
        a.status().is_some_and(|s| s.starts_with("saved "))
    });
    assert!(!h.state().snapshot().unwrap().playing);
    assert!(h.query_by_label("Pause").is_none());
    h.get_by_label("Play");
}

#[test]
fn a_salvo_inject_adds_threats_and_a_refused_one_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open(spare(dir.path()));
    let before = h.state().session().unwrap().plan.tracks.len();
    // Run to minute 20, then order five more missiles.
    run_to(&mut h, 240);
    let tick = h.state().snapshot().unwrap().tick;
    let launched_before = h.state().snapshot().unwrap().launched[0];
    let tbm = {
        let sc = &h.state().session().unwrap().scenario;
        sc.sites[0]
            .inventory
            .iter()
            .position(|&(w, _)| sc.weapons[w].id == "tbm")
            .unwrap()
    };
    {
        let f = &mut h.state_mut().form;
        f.kind = InjectKind::Salvo;
        f.site = 0;
        f.weapon = tbm;
        f.count = 5;
        f.targets = [0].into();
        f.over_min = 1;
    }
    h.step();
    h.get_by_label_contains("Give inject at").click();
    wait(&mut h, "the salvo to be planned", |a| {
        a.session().is_some_and(|s| s.injects.len() == 1) && a.snapshot().is_some()
    });
    let app = h.state();
    assert_eq!(app.session().unwrap().plan.tracks.len(), before + 5);
    assert_eq!(
        app.snapshot().unwrap().tick,
        tick,
        "replayed to where it was"
    );
    // The past is replayed as it was; the salvo starts now (its first round may be away).
    let launched = app.snapshot().unwrap().launched[0];
    assert!((launched_before..=launched_before + 1).contains(&launched));
    // Ten minutes on, the salvo is away.
    run_to(&mut h, tick + 120);
    let launched = h.state().snapshot().unwrap().launched[0];
    assert!(
        launched >= launched_before + 5,
        "{launched_before} then {launched}"
    );

    // Fifty more is beyond the pad's inventory: the form says so and offers no button.
    h.state_mut().form.count = 50;
    h.step();
    h.get_by_label_contains("Pad has 15 Test ballistic missile left; this salvo asks for 50");
    assert!(
        h.get_by_label_contains("Give inject at")
            .accesskit_node()
            .is_disabled()
    );
    assert_eq!(h.state().session().unwrap().injects.len(), 1);
}

#[test]
fn a_what_if_produces_a_histogram() {
    let mut h = smoke();
    // To minute 15 through the clock bar's "run to" field.
    let field = h.get_by_role(Role::TextInput);
    field.focus();
    field.type_text("00:15");
    h.step();
    h.key_press(Key::Enter);
    wait(&mut h, "minute 15", |a| {
        a.snapshot().is_some_and(|s| s.tick == 180)
    });
    // Back in time: the exercise replays to minute 10 exactly, then on to 15 again.
    let before: Vec<_> = h.state().lines().to_vec();
    run_to(&mut h, 120);
    let upto: Vec<_> = before.iter().filter(|l| l.tick <= 120).cloned().collect();
    assert_eq!(h.state().lines(), &upto[..]);
    run_to(&mut h, 180);
    assert_eq!(h.state().lines(), &before[..]);
    h.state_mut().what_if_replicates = 300;
    h.step();
    h.get_by_label_contains("Run what-if from").click();
    wait(&mut h, "the what-if", |a| a.what_if().is_some());
    let w = h.state().what_if().unwrap().clone();
    assert_eq!(w.replicates, 300);
    assert_eq!(w.leakers.len(), 300);
    let distinct: std::collections::BTreeSet<u64> = w.leakers.iter().map(|&x| x as u64).collect();
    assert!(distinct.len() > 1, "replicates draw their own futures");
    h.get_by_label_contains("300 replicates from T+00:15");
    h.get_by_label_contains("mean ");
    // The histogram counts every replicate.
    let bins = hormuz::app::charts::histogram(&w.leakers);
    assert_eq!(bins.iter().map(|b| b.count).sum::<u32>(), 300);

    // The after-action report: one HTML document, the log and the figures as CSV.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("aar");
    h.state_mut().export_dir = out.display().to_string();
    h.state().send(Command::Export(out.clone()));
    wait(&mut h, "the export", |a| {
        a.status().is_some_and(|s| s.starts_with("wrote "))
    });
    let csv = std::fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(csv.starts_with("time,time_s,kind,sides,text,lat,lon"));
    assert!(csv.contains(",launch,"));
    let figures = std::fs::read_to_string(out.join("what-if.csv")).unwrap();
    assert_eq!(figures.lines().count(), 301);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg"), "the charts are in the document");
}

#[test]
fn an_exercise_saved_and_loaded_comes_back_where_it_was() {
    let mut h = smoke();
    h.state_mut().form.kind = InjectKind::Switch;
    h.state_mut().form.online = false;
    h.step();
    h.get_by_label_contains("Give inject at").click();
    wait(&mut h, "the inject", |a| {
        a.session().is_some_and(|s| s.injects.len() == 1) && a.snapshot().is_some()
    });
    run_to(&mut h, 360);
    let tick = h.state().snapshot().unwrap().tick;
    let lines = h.state().lines().len();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ex.json");
    h.state().send(Command::Save(file.clone()));
    wait(&mut h, "the save", |a| {
        a.status().is_some_and(|s| s.starts_with("saved "))
    });
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("\"format\": \"hormuz exercise\""), "{text}");
    assert!(text.contains("\"kind\": \"switch\""), "{text}");

    // A fresh window opens the saved exercise at the same tick with the same log.
    let app = ExerciseApp::new(Start::Saved(file.clone()), AppOptions::default());
    let mut h2 = Harness::builder()
        .with_size(eframe::egui::Vec2::new(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut ExerciseApp| app.show(ui), app);
    wait(&mut h2, "the saved exercise", |a| a.ready());
    assert_eq!(h2.state().snapshot().unwrap().tick, tick);
    assert_eq!(h2.state().lines().len(), lines);
    assert_eq!(h2.state().lines(), h.state().lines());

    // A file that is not an exercise is refused with its place, and the run goes on.
    std::fs::write(&file, "{ \"format\": 3 }").unwrap();
    h.state().send(Command::Load(file.clone()));
    wait(&mut h, "the refusal", |a| {
        a.snapshot().is_some() && a.status().is_some_and(|s| s.contains("ex.json:1:"))
    });
    assert_eq!(h.state().snapshot().unwrap().tick, tick);
}

#[test]
fn a_scenario_that_fails_to_load_shows_the_error_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_dir();
    std::fs::copy(data.join("db.toml"), dir.path().join("db.toml")).unwrap();
    let text = std::fs::read_to_string(data.join("smoke.toml"))
        .unwrap()
        .replace("weapon = \"tbm\"", "weapon = \"tbx\"");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, text).unwrap();
    let mut h = open(Origin::Disk(bad));
    assert!(h.state().failed().is_some());
    let err = h.state().failed().expect("a load error").to_string();
    assert!(err.contains("bad.toml:"), "{err}");
    assert!(err.contains("tbx"), "{err}");
    h.get_by_label("The exercise could not be opened");
    h.get_by_label_contains("orders[0].salvo.weapon");
    // The window keeps running.
    for _ in 0..5 {
        h.step();
    }
    assert!(h.state().session().is_none());
}

#[test]
fn clicking_a_log_line_centres_the_map_on_it() {
    let mut h = smoke();
    run_to_the_end(&mut h);
    let (_, before) = h.state().map_geometry().unwrap();
    // The log follows the latest lines; with the threats' lines hidden the orders show.
    assert!(
        h.query_by_label_contains("order drones: salvo begins")
            .is_none()
    );
    for k in ["launch", "intercept", "leaker"] {
        h.get_by_role_and_label(Role::Button, k).click();
    }
    h.step();
    h.step();
    h.get_by_label_contains("order drones: salvo begins")
        .click();
    h.step();
    h.step();
    let (_, after) = h.state().map_geometry().unwrap();
    assert_ne!(before, after);
    // The order's launch site is now in the middle of the map.
    let pad = hormuz::app::map::project(hormuz::geo::LatLon::new(33.0, 49.0));
    assert!((after.center[0] - pad.x).abs() < 1e-3 && (after.center[1] - pad.y).abs() < 1e-3);
    // The line clicked is shown whole above the list; hiding orders takes it out of the
    // list.
    h.get_by_role_and_label(Role::Button, "order").click();
    h.step();
    h.step();
    assert!(
        h.query_all_by_label_contains("order drones: salvo begins")
            .all(|n| n.accesskit_node().role() != Role::Button)
    );
}

#[test]
fn the_inject_form_builds_every_kind_of_inject() {
    use hormuz::exercise::Inject;
    let h = smoke();
    let sc = h.state().session().unwrap().scenario.clone();
    let mut f = h.state().form.clone();
    f.kind = InjectKind::Salvo;
    f.targets.clear();
    assert_eq!(f.build(&sc).unwrap_err(), "choose at least one target");
    f.targets.insert(0);
    assert!(matches!(f.build(&sc).unwrap(), Inject::Salvo { ref from, .. } if from == "pad"));
    f.kind = InjectKind::Strike;
    assert!(f.build(&sc).is_err());
    f.strike_sites.insert(0);
    assert_eq!(
        f.build(&sc).unwrap(),
        Inject::Strike {
            sites: vec!["pad".into()],
            fraction: f.fraction
        }
    );
    f.kind = InjectKind::Activate;
    assert_eq!(f.build(&sc).unwrap_err(), "choose at least one militia");
    f.kind = InjectKind::Relocate;
    f.to = hormuz::geo::LatLon::new(36.0, 40.0);
    assert_eq!(
        f.build(&sc).unwrap(),
        Inject::Relocate {
            battery: "sam".into(),
            to: f.to
        }
    );
    f.kind = InjectKind::Divert;
    assert_eq!(f.build(&sc).unwrap_err(), "the scenario has no carrier");
}
