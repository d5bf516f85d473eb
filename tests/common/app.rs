//! Shared helpers of the app's kittest tests: open an exercise headless, wait for the
//! worker, click, run the clock by command, and the small scenarios the tests use.
//!
//! The clock moves only by command (`Command::RunTo`), never by playing: how far a played
//! clock gets depends on how fast the machine is. Waits are for the worker to finish
//! something (planning, a replay, a what-if, a file), with a limit only a hung engine
//! reaches, and the tests assert on what it produced, not on when.

use std::path::Path;

use super::data_dir;
use std::time::{Duration, Instant};

use eframe::egui::{Event, Modifiers, PointerButton, Pos2, Vec2};
use egui_kittest::Harness;
use hormuz::app::ExerciseApp;
use hormuz::app::ui::AppOptions;
use hormuz::app::worker::{Command, Start};
use hormuz::scenario::{DEFAULT_SCENARIO, Origin};

pub type H = Harness<'static, ExerciseApp>;

/// A harness on the app, `size` points, without waiting for anything.
pub fn harness(start: Start, size: Vec2) -> H {
    let app = ExerciseApp::new(start, AppOptions::default());
    Harness::builder()
        .with_size(size)
        .build_ui_state(|ui, app: &mut ExerciseApp| app.show(ui), app)
}

pub fn open_sized(origin: Origin, size: Vec2) -> H {
    let mut h = harness(
        Start::Scenario {
            origin,
            seed: 5,
            at_s: 0,
        },
        size,
    );
    wait(&mut h, "the exercise to open", |a| {
        a.ready() || a.failed().is_some()
    });
    h
}

pub fn open(origin: Origin) -> H {
    open_sized(origin, Vec2::new(1280.0, 800.0))
}

pub fn smoke() -> H {
    open(Origin::Disk(data_dir().join("smoke.toml")))
}

/// The built-in scenario.
pub fn gulf() -> H {
    open(Origin::Embedded(DEFAULT_SCENARIO))
}

/// Step frames until `done` holds (the engine works on its own thread meanwhile).
pub fn wait(h: &mut H, what: &str, done: impl Fn(&ExerciseApp) -> bool) {
    let t = Instant::now();
    h.step();
    while !done(h.state()) {
        // Generous: a loaded machine is slow, not wrong; only a hung engine gets here.
        assert!(
            t.elapsed() < Duration::from_secs(600),
            "timed out waiting for {what}; status: {:?}; inject: {:?}",
            h.state().status(),
            h.state().inject_error()
        );
        // A poll of the worker, not a pace: no test counts frames or reads the wall clock.
        std::thread::sleep(Duration::from_millis(5));
        h.step();
    }
    h.step();
}

/// Wait until every command sent so far has been handled: the worker answers in order,
/// so once a save's notice is in, so is all that came before it.
pub fn settle(h: &mut H) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("settle.json");
    h.state().send(Command::Save(file.clone()));
    wait(h, "the worker to settle", |a| {
        a.status().is_some_and(|s| s.contains("settle.json"))
    });
}

pub fn click_at(h: &mut H, pos: Pos2) {
    h.event(Event::PointerMoved(pos));
    for pressed in [true, false] {
        h.event(Event::PointerButton {
            pos,
            button: PointerButton::Primary,
            pressed,
            modifiers: Modifiers::default(),
        });
    }
    h.step();
    h.remove_cursor();
    h.step();
}

/// Run the clock to `tick` by command and wait until the window shows it there.
pub fn run_to(h: &mut H, tick: u32) {
    h.state().send(Command::RunTo(tick));
    wait(h, &format!("tick {tick}"), |a| {
        a.snapshot().is_some_and(|s| s.tick == tick && !s.playing)
    });
}

pub fn run_to_the_end(h: &mut H) {
    let end = h.state().session().unwrap().scenario.ticks;
    run_to(h, end);
    assert!(h.state().snapshot().unwrap().finished);
}

/// Wait for the worker's answer to an inject: accepted (one more inject in the session)
/// or refused (an inject error). Returns whether it was accepted.
pub fn inject_answer(h: &mut H, before: usize) -> bool {
    wait(h, "the inject to be planned or refused", |a| {
        a.inject_error().is_some()
            || (a.session().is_some_and(|s| s.injects.len() > before) && a.snapshot().is_some())
    });
    h.state().session().unwrap().injects.len() > before
}

/// The smoke scenario with missiles to spare at the pad (40 tbm held, 20 ordered).
pub fn spare(dir: &Path) -> Origin {
    let data = data_dir();
    std::fs::copy(data.join("db.toml"), dir.join("db.toml")).unwrap();
    let text = std::fs::read_to_string(data.join("smoke.toml"))
        .unwrap()
        .replace("inventory = { tbm = 20,", "inventory = { tbm = 40,");
    std::fs::write(dir.join("spare.toml"), text).unwrap();
    Origin::Disk(dir.join("spare.toml"))
}

/// A carrier steaming from the Arabian Sea towards the Gulf of Oman, a base in Qatar with
/// a battery, and a launch pad at Bandar Abbas whose 1,000 km missile cannot reach the
/// carrier at the start (about 1,120 km) but can a few hours later.
pub fn carrier(dir: &Path) -> Origin {
    std::fs::copy(data_dir().join("db.toml"), dir.join("db.toml")).unwrap();
    let text = r#"
[scenario]
name = "Carrier"
duration = "12:00"
database = ["db.toml"]

[[sides]]
id = "blue"
name = "Blue"
hostile_to = ["red"]

[[sides]]
id = "red"
name = "Red"
hostile_to = ["blue"]

[[assets]]
id = "base"
name = "Base"
side = "blue"
kind = "base"
position = { lat = 25.1, lon = 51.3 }
vulnerability = { value_usd = 1e9, staying_power = 5, hardness = 0.0 }

[[carriers]]
id = "cv"
name = "Carrier"
side = "blue"
position = { lat = 20.0, lon = 64.0 }
waypoints = [{ lat = 24.0, lon = 59.5 }]
speed_kn = 30
vulnerability = { value_usd = 13e9, staying_power = 4, hardness = 0.6 }

[[batteries]]
id = "sam"
name = "SAM"
side = "blue"
system = "patriot"
host = "base"
channels = 4
tier = 2
magazine = [{ interceptor = "lower", ready = 16 }]
doctrine = { ballistic = [1, 1], drone = [1] }

[[launch_sites]]
id = "pad"
name = "Pad"
side = "red"
position = { lat = 27.2, lon = 56.3 }
launchers = 10
reload_s = 600
inventory = { tbm = 40, owd = 10 }

[[orders]]
id = "wave"
at = "00:10"
salvo = { from = "pad", weapon = "tbm", count = 10, targets = ["base"], over = "00:05" }
"#;
    std::fs::write(dir.join("carrier.toml"), text).unwrap();
    Origin::Disk(dir.join("carrier.toml"))
}
