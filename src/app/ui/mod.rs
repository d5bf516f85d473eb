//! The window's contents. All state here is the window's own; the exercise lives on the
//! worker thread, which this module talks to only through commands and reports. Nothing
//! here blocks, reads files or steps the engine.
//!
//! One file per part of the window: `clock` the bar along the top, `map_view` and
//! `map_units` the map with its units, threats, marks and labels, `timeline` the scrubber
//! under the map, `panels` the left panel (threats, costs and exchange, magazines by side,
//! launches per hour) and the unit card, `inject` the inject form and the injects given
//! (`decide` its decisions taken by hand),
//! `what_if` the what-if and its histograms, `files` saving, loading and the report, `log`
//! the exercise log, `teams` the team windows. This file holds the window's state, the
//! frame's layout, the keyboard and the reports from the worker.

use std::sync::Arc;
use std::sync::mpsc::TryRecvError;
use std::thread::JoinHandle;

use eframe::egui::{self, Color32, Pos2, Rect, RichText};

use super::fog::Team;
use super::live::{LogLine, Session, Shot, Snapshot, UnitInfo};
use super::map::{BaseMap, View};
use super::worker::{Command, Outcome, Report, Start, WhatIf, Worker};
use crate::scenario::Scenario;

mod clock;
mod decide;
mod inject;
mod log;
mod map_units;
mod map_view;
mod orders;
mod panels;
mod teams;
mod timeline;
mod what_if;

pub use inject::{InjectForm, InjectKind};
pub use log::LogFilter;
pub use map_view::MapState;
pub use panels::unit_card;
pub use what_if::{Chart, what_if_progress};

/// How the window starts.
#[derive(Clone, Debug)]
pub struct AppOptions {
    /// Simulated seconds per real second.
    pub speed: f64,
    /// Start the clock as soon as the exercise is open.
    pub play: bool,
    /// The view the main window opens with.
    pub team: Team,
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions {
            speed: 60.0,
            play: false,
            team: Team::White,
        }
    }
}

/// The one line of messages along the bottom of the window.
struct Status {
    text: String,
    error: bool,
}

/// A team's own window (an egui viewport): its map and log.
pub struct TeamWindow {
    pub map: MapState,
    pub log: LogFilter,
}

/// The exercise app's window state.
pub struct ExerciseApp {
    start: Option<Start>,
    options: AppOptions,
    worker: Option<Worker>,
    base_map: Option<JoinHandle<Result<BaseMap, String>>>,
    map: Option<Result<BaseMap, String>>,
    session: Option<Arc<Session>>,
    snap: Option<Snapshot>,
    failed: Option<String>,
    lines: Vec<LogLine>,
    shots: Vec<Shot>,
    /// The main window's view: the white cell's, or one team's.
    pub team: Team,
    /// The team windows (Blue, Red), when open.
    pub team_windows: [Option<TeamWindow>; 2],
    pub main_map: MapState,
    pub log: LogFilter,
    selected: Option<usize>,
    pub form: InjectForm,
    /// The inject the form edits in place of giving a new one (0-based).
    pub editing: Option<usize>,
    picking: bool,
    /// The worker's refusal of the last inject sent, until the form changes.
    inject_error: Option<(String, InjectForm)>,
    /// The form's last check: its key (inject, tick, session) and the outcome.
    form_checked: Option<(String, Result<(), String>)>,
    status: Option<Status>,
    /// A save that would overwrite this file, waiting for the facilitator's answer.
    overwrite: Option<std::path::PathBuf>,
    speed: f64,
    /// The clock bar's "run to" time, as typed (HH:MM or HH:MM:SS).
    pub run_to: String,
    /// Where the timeline's scrubber is being dragged to.
    scrub: Option<u32>,
    pub what_if_replicates: u32,
    what_if_progress: Option<(u32, u32)>,
    what_if: Option<Arc<Outcome>>,
    /// Ticks what-ifs were run from in this exercise, for the timeline.
    what_if_marks: Vec<(u32, String)>,
    pub chart: Chart,
    /// The decision whose outcomes split the what-if's histogram (`None`: not split).
    pub split: Option<usize>,
    pub save_path: String,
    pub load_path: String,
    pub export_dir: String,
    scenario_file: Option<String>,
    drawn: Drawn,
}

/// What the last frame drew where tests cannot see it through the accessibility tree:
/// the map's labels and the what-if histogram's plot.
#[derive(Clone, Debug, Default)]
pub struct Drawn {
    /// Labels on the map: the unit and the label's rectangle.
    pub map_labels: Vec<(usize, Rect)>,
    pub histogram: Option<HistogramDrawn>,
    /// Where the histogram's plot was.
    pub histogram_rect: Option<Rect>,
    /// Where the timeline was, and its scale (screen x of tick 0 and points per tick).
    pub timeline: Option<(Rect, f32, f32)>,
}

/// The what-if histogram as drawn: the plot's bounds, its tallest bar, and the texts its
/// axes and hover label showed.
#[derive(Clone, Debug, Default)]
pub struct HistogramDrawn {
    /// min x, min y, max x, max y.
    pub bounds: [f64; 4],
    pub tallest: u32,
    pub texts: Vec<String>,
    /// A histogram split by path: each outcome's legend entry, with its share.
    pub legend: Vec<String>,
}

/// Threat classes in `ThreatClass::index` order: the map, its legend and the tables.
const CLASS_COLOURS: [Color32; 4] = [
    Color32::from_rgb(255, 84, 64),   // ballistic
    Color32::from_rgb(255, 214, 64),  // cruise
    Color32::from_rgb(226, 120, 255), // drone
    Color32::from_rgb(255, 150, 40),  // rocket
];
const FRIENDLY: [Color32; 5] = [
    Color32::from_rgb(80, 160, 255),
    Color32::from_rgb(130, 220, 255),
    Color32::from_rgb(100, 230, 150),
    Color32::from_rgb(180, 200, 255),
    Color32::from_rgb(120, 255, 220),
];
const HOSTILE: [Color32; 6] = [
    Color32::from_rgb(255, 90, 80),
    Color32::from_rgb(255, 160, 60),
    Color32::from_rgb(255, 120, 190),
    Color32::from_rgb(220, 150, 255),
    Color32::from_rgb(255, 220, 90),
    Color32::from_rgb(200, 110, 90),
];

/// Colour of a side: blues and greens for the defender's side and those it does not
/// fight, reds and oranges for the sides it fights. The defender is the side with the most
/// defensive units (the lowest index on a tie), never a side's place in the file.
pub fn side_colour(sc: &Scenario, side: usize) -> Color32 {
    let defender = crate::app::fog::blue_side(sc);
    let hostile = |s: usize| sc.sides[defender].hostile.get(s).copied().unwrap_or(false);
    let rank = (0..side).filter(|&s| hostile(s) == hostile(side)).count();
    if hostile(side) {
        HOSTILE[rank % HOSTILE.len()]
    } else {
        FRIENDLY[rank % FRIENDLY.len()]
    }
}

/// USD with its sign: `$1.12 bn`.
pub fn usd(v: f64) -> String {
    format!("${}", crate::report::usd(v))
}

/// Speeds the clock offers (simulated seconds per real second).
pub const SPEEDS: [f64; 7] = [1.0, 10.0, 60.0, 300.0, 600.0, 1800.0, 3600.0];

/// What one frame draws from: the session, its snapshot, the log, and who is looking.
pub struct Scene<'a> {
    pub session: &'a Arc<Session>,
    pub snap: &'a Snapshot,
    pub lines: &'a [LogLine],
    pub shots: &'a [Shot],
    pub team: Team,
    pub base: Option<&'a Result<BaseMap, String>>,
}

impl ExerciseApp {
    pub fn new(start: Start, options: AppOptions) -> ExerciseApp {
        let speed = options.speed;
        let scenario_file = match &start {
            Start::Scenario {
                origin: crate::scenario::Origin::Disk(p),
                ..
            } => Some(p.display().to_string()),
            _ => None,
        };
        ExerciseApp {
            start: Some(start),
            team: options.team,
            options,
            worker: None,
            base_map: Some(std::thread::spawn(BaseMap::load)),
            map: None,
            session: None,
            snap: None,
            failed: None,
            lines: Vec::new(),
            shots: Vec::new(),
            team_windows: [None, None],
            main_map: MapState::default(),
            log: LogFilter::default(),
            selected: None,
            form: InjectForm::default(),
            editing: None,
            picking: false,
            inject_error: None,
            form_checked: None,
            status: None,
            overwrite: None,
            speed,
            run_to: String::new(),
            scrub: None,
            what_if_replicates: 1000,
            what_if_progress: None,
            what_if: None,
            what_if_marks: Vec::new(),
            chart: Chart::Leakers,
            split: None,
            save_path: "exercise.json".into(),
            load_path: "exercise.json".into(),
            export_dir: "hormuz-aar".into(),
            scenario_file,
            drawn: Drawn::default(),
        }
    }

    // ---- what tests and the window wrapper read

    pub fn session(&self) -> Option<&Arc<Session>> {
        self.session.as_ref()
    }

    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snap.as_ref()
    }

    pub fn failed(&self) -> Option<&str> {
        self.failed.as_deref()
    }

    pub fn lines(&self) -> &[LogLine] {
        &self.lines
    }

    /// The what-if's run (with every inject in force, for a branch).
    pub fn what_if(&self) -> Option<&WhatIf> {
        self.what_if.as_ref().and_then(|w| w.runs.first())
    }

    /// A branch's second run: without the inject.
    pub fn what_if_branch(&self) -> Option<&WhatIf> {
        self.what_if.as_ref().and_then(|w| w.runs.get(1))
    }

    pub fn what_if_running(&self) -> bool {
        self.what_if_progress.is_some()
    }

    /// The text of the message line.
    pub fn status(&self) -> Option<&str> {
        self.status.as_ref().map(|s| s.text.as_str())
    }

    /// The worker's refusal of the last inject, while the form is as it was sent.
    pub fn inject_error(&self) -> Option<&str> {
        self.inject_error.as_ref().map(|e| e.0.as_str())
    }

    pub fn selected(&self) -> Option<&UnitInfo> {
        let s = self.session.as_ref()?;
        s.units.get(self.selected?)
    }

    /// The base map could not be loaded (the window still runs, without it).
    pub fn map_error(&self) -> Option<&str> {
        match &self.map {
            Some(Err(e)) => Some(e),
            _ => None,
        }
    }

    /// Ready to draw: the exercise is open and the map is loaded.
    pub fn ready(&self) -> bool {
        self.session.is_some() && self.snap.is_some() && matches!(self.map, Some(Ok(_)))
    }

    /// The main map's rectangle and view in the last frame.
    pub fn map_geometry(&self) -> Option<(Rect, View)> {
        Some((self.main_map.rect?, self.main_map.view?))
    }

    /// Where a unit was drawn on the main map in the last frame.
    pub fn unit_screen_pos(&self, id: &str) -> Option<Pos2> {
        let s = self.session.as_ref()?;
        let i = s.units.iter().position(|u| u.id == id)?;
        self.main_map.drawn_at(i)
    }

    /// Where a unit was drawn in a team's window in the last frame.
    pub fn team_unit_screen_pos(&self, team: Team, id: &str) -> Option<Pos2> {
        let s = self.session.as_ref()?;
        let i = s.units.iter().position(|u| u.id == id)?;
        let w = self.team_windows[teams::index(team)?].as_ref()?;
        w.map.drawn_at(i)
    }

    /// What the last frame drew on the map and in the what-if plot.
    pub fn drawn(&self) -> &Drawn {
        &self.drawn
    }

    pub fn send(&self, c: Command) {
        if let Some(w) = &self.worker {
            let _ = w.commands.send(c);
        }
    }

    /// Open or close a team's window.
    pub fn set_team_window(&mut self, team: Team, open: bool) {
        if let Some(i) = teams::index(team) {
            self.team_windows[i] = open.then(|| TeamWindow {
                map: MapState::default(),
                log: LogFilter::default(),
            });
        }
    }

    fn say(&mut self, text: impl Into<String>, error: bool) {
        self.status = Some(Status {
            text: text.into(),
            error,
        });
    }

    // ---- the frame

    /// Draw one frame into `ui` (the whole window).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if self.worker.is_none()
            && let Some(start) = self.start.take()
        {
            let repaint = ctx.clone();
            self.worker = Some(Worker::spawn(start, move || repaint.request_repaint()));
        }
        self.poll(&ctx);
        self.keys(&ctx);
        let size = ui.available_rect_before_wrap().size();
        egui::Panel::top("clock")
            .exact_size(34.0)
            .show(ui, |ui| self.top_bar(ui));
        egui::Panel::bottom("status")
            .exact_size(26.0)
            .show(ui, |ui| self.status_line(ui));
        if self.session.is_none() || self.snap.is_none() {
            egui::CentralPanel::default().show(ui, |ui| self.waiting(ui));
            return;
        }
        egui::Panel::bottom("log")
            .exact_size((size.y * 0.27).clamp(80.0, 280.0))
            .show(ui, |ui| self.log_panel(ui));
        egui::Panel::left("state")
            .exact_size((size.x * 0.22).clamp(150.0, 300.0))
            .show(ui, |ui| {
                egui::ScrollArea::both().show(ui, |ui| self.state_panel(ui));
            });
        egui::Panel::right("orders")
            .exact_size((size.x * 0.25).clamp(170.0, 340.0))
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| self.orders_panel(ui));
            });
        egui::CentralPanel::default().show(ui, |ui| {
            let timeline = 56.0_f32.min(ui.available_height() * 0.3);
            egui::Panel::bottom("timeline")
                .exact_size(timeline)
                .show(ui, |ui| self.timeline(ui));
            self.map_panel(ui);
        });
        self.team_viewports(&ctx);
        if self.snap.as_ref().is_some_and(|s| s.playing) || self.what_if_progress.is_some() {
            ctx.request_repaint();
        }
    }

    /// The keyboard, when no field has it: Space plays or pauses, the arrows step to the
    /// next or previous moment anything happened, + and - change the speed.
    fn keys(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let (space, right, left, plus, minus) = ctx.input(|i| {
            (
                i.key_pressed(egui::Key::Space),
                i.key_pressed(egui::Key::ArrowRight),
                i.key_pressed(egui::Key::ArrowLeft),
                i.key_pressed(egui::Key::Plus) || i.key_pressed(egui::Key::Equals),
                i.key_pressed(egui::Key::Minus),
            )
        });
        let Some(snap) = &self.snap else { return };
        if space {
            self.send(if snap.playing {
                Command::Pause
            } else {
                Command::Play
            });
        }
        if right && !snap.finished {
            self.send(Command::Step);
        }
        if left {
            let back = self.previous_moment(snap.tick);
            self.send(Command::RunTo(back));
        }
        if plus || minus {
            let i = SPEEDS
                .iter()
                .position(|&s| s >= self.speed)
                .unwrap_or(SPEEDS.len() - 1);
            let j = if plus {
                (i + 1).min(SPEEDS.len() - 1)
            } else {
                i.saturating_sub(1)
            };
            self.speed = SPEEDS[j];
            self.send(Command::Speed(self.speed));
        }
    }

    /// The last tick before `tick` at which the log has something (the start if none).
    fn previous_moment(&self, tick: u32) -> u32 {
        self.lines
            .iter()
            .rev()
            .map(|l| l.tick)
            .find(|&t| t < tick)
            .unwrap_or(0)
    }

    fn poll(&mut self, ctx: &egui::Context) {
        if self.base_map.as_ref().is_some_and(|h| h.is_finished())
            && let Some(h) = self.base_map.take()
        {
            self.map = Some(
                h.join()
                    .unwrap_or_else(|_| Err("the map loader stopped".into())),
            );
        } else if self.base_map.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(30));
        }
        loop {
            let Some(worker) = &self.worker else { return };
            let report = match worker.reports.try_recv() {
                Ok(r) => r,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    if self.failed.is_none() {
                        self.failed = Some("the engine thread stopped".into());
                    }
                    break;
                }
            };
            self.report(report);
        }
    }

    fn report(&mut self, report: Report) {
        match report {
            Report::Session(s) => self.new_session(s),
            Report::Snapshot(snap) => {
                if self.session.as_ref().is_none_or(|s| s.epoch != snap.epoch) {
                    return; // of a session already replaced
                }
                let first = self.snap.is_none();
                self.lines.extend(snap.lines.iter().cloned());
                self.shots.extend(snap.shots.iter().copied());
                self.snap = Some(Snapshot {
                    lines: Vec::new(),
                    shots: Vec::new(),
                    ..*snap
                });
                if first && self.options.play {
                    self.options.play = false;
                    self.send(Command::Speed(self.speed));
                    self.send(Command::Play);
                }
            }
            Report::Failed(e) => {
                self.failed = Some(e);
                self.session = None;
                self.snap = None;
            }
            Report::Rejected(e) => self.say(e, true),
            Report::InjectRefused(e) => {
                self.say("inject refused: the inject form says why", true);
                self.inject_error = Some((e, self.form.clone()));
            }
            Report::Notice(n) => self.say(n, false),
            Report::Exists(p) => {
                self.say(
                    format!(
                        "{} exists: overwrite it or choose another name",
                        p.display()
                    ),
                    true,
                );
                self.overwrite = Some(p);
            }
            Report::WhatIfProgress { done, total } => {
                self.what_if_progress = Some((done, total));
            }
            Report::WhatIf(w) => {
                self.what_if_progress = None;
                if let Some(r) = w.runs.first() {
                    let label = if w.runs.len() > 1 {
                        format!("what-if with and without {}", &r.label[5..])
                    } else {
                        format!("what-if of {} replicates", r.replicates)
                    };
                    self.what_if_marks.push((r.from_tick, label));
                }
                self.what_if = Some(w);
            }
            Report::WhatIfRefused(e) => {
                self.what_if_progress = None;
                self.say(e, true);
            }
        }
    }

    fn new_session(&mut self, s: Arc<Session>) {
        let same = self
            .session
            .as_ref()
            .is_some_and(|old| old.scenario.file == s.scenario.file);
        if !same {
            self.form = InjectForm::default();
            self.selected = None;
            self.what_if = None;
            self.what_if_marks.clear();
        }
        let more = self
            .session
            .as_ref()
            .is_some_and(|old| s.injects.len() > old.injects.len());
        if more {
            let sc = &s.scenario;
            let g = &s.injects[s.injects.len() - 1];
            self.say(
                format!(
                    "inject-{} given at T+{}",
                    s.injects.len(),
                    super::live::clock(g.tick, sc.tick_seconds)
                ),
                false,
            );
        } else if self.status.as_ref().is_some_and(|st| st.error) {
            self.status = None;
        }
        self.inject_error = None;
        self.editing = None;
        self.session = Some(s);
        self.lines.clear();
        self.shots.clear();
        self.main_map.forget();
        for w in self.team_windows.iter_mut().flatten() {
            w.map.forget();
        }
        self.failed = None;
        self.snap = None;
    }

    /// The message line: the last notice or error, one line (the whole of it on hover),
    /// and the keyboard's keys.
    fn status_line(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_centered(|ui| {
            let keys = "Space: play or pause · arrows: step forward or back · + and -: speed";
            let room = (ui.available_width() - 300.0).max(60.0);
            if let Some(st) = &self.status {
                let colour = if st.error {
                    Color32::LIGHT_RED
                } else {
                    Color32::LIGHT_GREEN
                };
                let first = st.text.lines().next().unwrap_or_default().to_string();
                ui.scope(|ui| {
                    ui.set_max_width(room);
                    ui.add(egui::Label::new(RichText::new(first).color(colour)).truncate())
                        .on_hover_text(st.text.clone());
                });
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(RichText::new(keys).weak().small());
            });
        });
    }

    /// Until the exercise is open: planning, or why it could not be opened, with a way to
    /// open a saved exercise instead.
    fn waiting(&mut self, ui: &mut egui::Ui) {
        let Some(e) = self.failed.clone() else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Planning the scenario and replaying the exercise…");
            });
            return;
        };
        ui.heading(RichText::new("The exercise could not be opened").color(Color32::RED));
        ui.add_space(8.0);
        egui::ScrollArea::vertical()
            .max_height(ui.available_height() - 90.0)
            .show(ui, |ui| {
                for line in e.lines() {
                    ui.label(RichText::new(line).monospace().color(Color32::LIGHT_RED));
                }
            });
        ui.add_space(8.0);
        ui.label("Fix the file and start hormuz again, or open a saved exercise:");
        ui.horizontal(|ui| {
            ui.add(egui::TextEdit::singleline(&mut self.load_path).desired_width(360.0))
                .on_hover_text("a saved exercise (JSON)");
            if ui.button("Load exercise").clicked() {
                self.send(Command::Load(self.load_path.clone().into()));
            }
        });
    }
}
