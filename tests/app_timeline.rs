//! The timeline (issue 16): going back in time by dragging the scrubber (a replay to that
//! tick, exactly the past as it was), injects removed or edited and replayed, a what-if
//! branched with and without an inject, the marks, and the keyboard.
#![cfg(feature = "desktop")]

mod common;

use common::app::*;
use eframe::egui::{Event, Key, Modifiers, PointerButton, Pos2};
use egui_kittest::kittest::Queryable;
use hormuz::app::ui::InjectKind;
use hormuz::app::worker::Command;

/// Where the timeline puts `tick`.
fn timeline_x(h: &H, tick: u32) -> Pos2 {
    let (bar, x0, per_tick) = h.state().drawn().timeline.expect("the timeline is drawn");
    Pos2::new(x0 + tick as f32 * per_tick, bar.center().y)
}

fn switch_sam_off(h: &mut H) {
    {
        let f = &mut h.state_mut().form;
        f.kind = InjectKind::Switch;
        f.battery = 0;
        f.online = false;
    }
    h.step();
    let before = h.state().session().unwrap().injects.len();
    h.get_by_label_contains("Give inject at").click();
    assert!(inject_answer(h, before), "{:?}", h.state().inject_error());
}

#[test]
fn dragging_the_timeline_back_replays_the_past_exactly() {
    let mut h = smoke();
    run_to(&mut h, 600);
    let before: Vec<_> = h.state().lines().to_vec();
    let epoch = h.state().session().unwrap().epoch;
    let from = timeline_x(&h, 600);
    let to = timeline_x(&h, 200);
    h.event(Event::PointerMoved(from));
    h.event(Event::PointerButton {
        pos: from,
        button: PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::default(),
    });
    h.step();
    for i in 1..=5 {
        h.event(Event::PointerMoved(from + (to - from) * i as f32 / 5.0));
        h.step();
    }
    h.event(Event::PointerButton {
        pos: to,
        button: PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::default(),
    });
    h.step();
    wait(&mut h, "the replay", |a| {
        a.session().is_some_and(|s| s.epoch != epoch) && a.snapshot().is_some_and(|s| s.tick < 600)
    });
    let tick = h.state().snapshot().unwrap().tick;
    assert!((190..=210).contains(&tick), "went back to {tick}");
    let upto: Vec<_> = before.iter().filter(|l| l.tick <= tick).cloned().collect();
    assert_eq!(h.state().lines(), &upto[..], "the past replays as it was");
    // And on again to where it was: the same log.
    run_to(&mut h, 600);
    assert_eq!(h.state().lines(), &before[..]);
}

#[test]
fn an_inject_removed_replays_the_exercise_without_it() {
    let mut h = smoke();
    switch_sam_off(&mut h);
    run_to_the_end(&mut h);
    assert_eq!(h.state().snapshot().unwrap().magazines[0].ready, 16);
    let epoch = h.state().session().unwrap().epoch;
    h.get_by_label("remove").click();
    wait(&mut h, "the replay without it", |a| {
        a.session().is_some_and(|s| s.epoch != epoch) && a.snapshot().is_some()
    });
    let a = h.state();
    assert!(a.session().unwrap().injects.is_empty());
    let snap = a.snapshot().unwrap();
    assert!(snap.finished, "replayed to where the clock was");
    assert!(snap.magazines[0].ready < 16, "the battery fought");
    assert!(a.lines().iter().all(|l| !l.text.contains("switched off")));
}

#[test]
fn an_inject_edited_is_replaced_at_its_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open(spare(dir.path()));
    run_to(&mut h, 240);
    let tracks = h.state().session().unwrap().plan.tracks.len();
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
    }
    h.step();
    h.get_by_label_contains("Give inject at").click();
    assert!(inject_answer(&mut h, 0));
    run_to(&mut h, 480);
    h.get_by_label("edit").click();
    h.step();
    assert_eq!(h.state().editing, Some(0));
    assert_eq!(h.state().form.count, 5);
    h.state_mut().form.count = 3;
    h.step();
    let epoch = h.state().session().unwrap().epoch;
    h.get_by_label_contains("Replace inject-1 at T+00:20:00")
        .click();
    wait(&mut h, "the replacement", |a| {
        a.session().is_some_and(|s| s.epoch != epoch) && a.snapshot().is_some()
    });
    let a = h.state();
    let s = a.session().unwrap();
    assert_eq!(s.injects.len(), 1);
    assert_eq!(s.injects[0].tick, 240, "at the inject's own time");
    assert_eq!(s.plan.tracks.len(), tracks + 3);
    assert_eq!(
        a.snapshot().unwrap().tick,
        480,
        "replayed to where the clock was"
    );
    assert!(a.lines().iter().any(|l| l.text.contains("salvo of 3 tbm")));
}

#[test]
fn a_what_if_branches_with_and_without_an_inject() {
    let mut h = smoke();
    switch_sam_off(&mut h);
    run_to(&mut h, 180);
    h.state_mut().what_if_replicates = 200;
    h.step();
    h.get_by_label("what-if with/without").click();
    wait(&mut h, "the branch", |a| a.what_if_branch().is_some());
    let a = h.state();
    let (with, without) = (a.what_if().unwrap(), a.what_if_branch().unwrap());
    assert_eq!(with.label, "with inject-1");
    assert_eq!(without.label, "without inject-1");
    assert_eq!(with.from_tick, 0, "from the inject's time");
    assert_eq!((with.leakers.len(), without.leakers.len()), (200, 200));
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(
        mean(&with.leakers) > mean(&without.leakers),
        "without its battery the base takes more: {} vs {}",
        mean(&with.leakers),
        mean(&without.leakers)
    );
    assert!(with.injects[0].contains("sam switched off"));
    assert!(without.injects.is_empty());
    // Both histograms are drawn, and the timeline marks the what-if.
    h.get_by_label_contains("with inject-1: mean");
    h.get_by_label_contains("without inject-1: mean");
    let marks = h.state().timeline_marks();
    assert!(
        marks
            .iter()
            .any(|(t, m)| *t == 0 && m.contains("what-if with and without inject-1")),
        "{marks:?}"
    );
}

#[test]
fn the_timeline_marks_phases_orders_triggers_and_injects() {
    let mut h = gulf();
    let marks = h.state().timeline_marks();
    let tick = |hh: u32, mm: u32| (hh * 3600 + mm * 60) / 5;
    for (t, text) in [
        (tick(0, 0), "phase A: incidents"),
        (tick(0, 30), "phase B: decisions"),
        (
            tick(2, 25),
            "phase C: on the wide path, Iran retaliates across theatres",
        ),
        (tick(1, 0), "order probe-drones-carrier: salvo of 2"),
        (tick(0, 30), "decision talks: hold / collapse"),
        (tick(1, 55), "decision strike: none / limited / broad"),
    ] {
        assert!(
            marks.iter().any(|(at, m)| *at == t && m.starts_with(text)),
            "{text} at {t}: {marks:?}"
        );
    }
    run_to(&mut h, tick(14, 0));
    let fired: Vec<_> = h
        .state()
        .lines()
        .iter()
        .filter(|l| l.kind == hormuz::app::live::LineKind::Trigger)
        .map(|l| (l.tick, l.text.clone()))
        .collect();
    let marks = h.state().timeline_marks();
    for f in &fired {
        assert!(marks.contains(f), "trigger {f:?} not marked");
    }
}

#[test]
fn the_arrows_step_and_the_plus_and_minus_keys_change_the_speed() {
    let mut h = smoke();
    h.key_press(Key::ArrowRight);
    h.step();
    settle(&mut h);
    let after_step = h.state().snapshot().unwrap().tick;
    assert!(after_step > 0, "the right arrow steps");
    run_to(&mut h, 300);
    let previous = h
        .state()
        .lines()
        .iter()
        .rev()
        .map(|l| l.tick)
        .find(|&t| t < 300)
        .unwrap();
    h.key_press(Key::ArrowLeft);
    h.step();
    wait(&mut h, "the step back", |a| {
        a.snapshot().is_some_and(|s| s.tick == previous)
    });
    let speed = h.state().snapshot().unwrap().speed;
    h.key_press(Key::Plus);
    h.step();
    settle(&mut h);
    let faster = h.state().snapshot().unwrap().speed;
    assert!(faster > speed, "{speed} then {faster}");
    h.key_press(Key::Minus);
    h.step();
    settle(&mut h);
    assert_eq!(h.state().snapshot().unwrap().speed, speed);
    // Typing in a field is not a shortcut.
    h.state().send(Command::Pause);
    settle(&mut h);
}
