//! The window's contents. All state here is the window's own; the exercise lives on the
//! worker thread, which this module talks to only through commands and reports. Nothing
//! here blocks, reads files or steps the engine.
//!
//! One file per part of the window: `clock` the bar along the top, `map_view` the map
//! with its units, threats and marks, `panels` the side panels (left: threats, costs,
//! hits, magazines; right: the selected unit, the inject form, the what-if, files),
//! `inject` the inject form itself, `log` the exercise log along the bottom. This file
//! holds the window's state, the frame's layout and the reports from the worker.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::TryRecvError;
use std::thread::JoinHandle;

use eframe::egui::{self, Color32, Pos2, Rect, RichText};

use super::live::{LogLine, Session, Snapshot, UnitInfo};
use super::map::{BaseMap, View};
use super::worker::{Command, Report, Start, WhatIf, Worker};
use crate::geo::LatLon;
use crate::scenario::Scenario;

mod clock;
mod inject;
mod log;
mod map_view;
mod panels;

pub use inject::{InjectForm, InjectKind};
pub use panels::{Chart, unit_card};

/// How the window starts.
#[derive(Clone, Debug)]
pub struct AppOptions {
    /// Simulated seconds per real second.
    pub speed: f64,
    /// Start the clock as soon as the exercise is open.
    pub play: bool,
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions {
            speed: 60.0,
            play: false,
        }
    }
}

struct Status {
    text: String,
    error: bool,
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
    view: Option<View>,
    view_moved: bool,
    map_rect: Option<Rect>,
    /// Units' screen positions in the last frame.
    unit_screen: Vec<Pos2>,
    hovered: Option<usize>,
    selected: Option<usize>,
    pub rings: [bool; 3],
    pub labels: bool,
    ring_cache: HashMap<usize, (LatLon, Vec<Pos2>)>,
    pub log_side: Option<usize>,
    pub log_kinds: [bool; 8],
    pub form: InjectForm,
    picking: bool,
    inject_error: Option<String>,
    status: Option<Status>,
    speed: f64,
    /// The clock bar's "run to" time, as typed (HH:MM or HH:MM:SS).
    pub run_to: String,
    pub what_if_replicates: u32,
    what_if_progress: Option<(u32, u32)>,
    what_if: Option<Arc<WhatIf>>,
    pub chart: Chart,
    pub save_path: String,
    pub load_path: String,
    pub export_dir: String,
    scenario_file: Option<String>,
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
    let units = |s: usize| sc.batteries.iter().filter(|b| b.side == s).count();
    let defender = (0..sc.sides.len())
        .max_by_key(|&s| (units(s), std::cmp::Reverse(s)))
        .unwrap_or(0);
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
            options,
            worker: None,
            base_map: Some(std::thread::spawn(BaseMap::load)),
            map: None,
            session: None,
            snap: None,
            failed: None,
            lines: Vec::new(),
            view: None,
            view_moved: false,
            map_rect: None,
            unit_screen: Vec::new(),
            hovered: None,
            selected: None,
            rings: [true, true, false],
            labels: true,
            ring_cache: HashMap::new(),
            log_side: None,
            log_kinds: [true; 8],
            form: InjectForm::default(),
            picking: false,
            inject_error: None,
            status: None,
            speed,
            run_to: String::new(),
            what_if_replicates: 1000,
            what_if_progress: None,
            what_if: None,
            chart: Chart::Leakers,
            save_path: "exercise.json".into(),
            load_path: "exercise.json".into(),
            export_dir: "hormuz-aar".into(),
            scenario_file,
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

    pub fn what_if(&self) -> Option<&WhatIf> {
        self.what_if.as_deref()
    }

    /// The last notice or error of the status line.
    pub fn status(&self) -> Option<&str> {
        self.status.as_ref().map(|s| s.text.as_str())
    }

    pub fn inject_error(&self) -> Option<&str> {
        self.inject_error.as_deref()
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

    /// The map's rectangle and view in the last frame.
    pub fn map_geometry(&self) -> Option<(Rect, View)> {
        Some((self.map_rect?, self.view?))
    }

    /// Where a unit was drawn in the last frame.
    pub fn unit_screen_pos(&self, id: &str) -> Option<Pos2> {
        let s = self.session.as_ref()?;
        let i = s.units.iter().position(|u| u.id == id)?;
        self.unit_screen.get(i).copied()
    }

    pub fn send(&self, c: Command) {
        if let Some(w) = &self.worker {
            let _ = w.commands.send(c);
        }
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
        egui::Panel::top("clock").show(ui, |ui| self.top_bar(ui));
        if self.session.is_none() {
            egui::CentralPanel::default().show(ui, |ui| self.waiting(ui));
            return;
        }
        egui::Panel::left("state")
            .resizable(true)
            .default_size(290.0)
            .size_range(200.0..=520.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| self.state_panel(ui));
            });
        egui::Panel::right("orders")
            .resizable(true)
            .default_size(320.0)
            .size_range(220.0..=520.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| self.orders_panel(ui));
            });
        egui::Panel::bottom("log")
            .resizable(true)
            .default_size(170.0)
            .show(ui, |ui| self.log_panel(ui));
        egui::CentralPanel::default().show(ui, |ui| self.map_panel(ui));
        if self.snap.as_ref().is_some_and(|s| s.playing) || self.what_if_progress.is_some() {
            ctx.request_repaint();
        }
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
        let Some(worker) = &self.worker else { return };
        loop {
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
            match report {
                Report::Session(s) => {
                    let same = self
                        .session
                        .as_ref()
                        .is_some_and(|old| old.scenario.file == s.scenario.file);
                    if !same {
                        self.form = InjectForm::default();
                        self.selected = None;
                        self.what_if = None;
                    }
                    self.session = Some(s);
                    self.lines.clear();
                    self.ring_cache.clear();
                    self.failed = None;
                    self.snap = None;
                }
                Report::Snapshot(snap) => {
                    if self.session.as_ref().is_none_or(|s| s.epoch != snap.epoch) {
                        continue; // of a session already replaced
                    }
                    let first = self.snap.is_none();
                    self.lines.extend(snap.lines.iter().cloned());
                    self.snap = Some(Snapshot {
                        lines: Vec::new(),
                        ..*snap
                    });
                    if first && self.options.play {
                        self.options.play = false;
                        let _ = worker.commands.send(Command::Speed(self.speed));
                        let _ = worker.commands.send(Command::Play);
                    }
                }
                Report::Failed(e) => {
                    self.failed = Some(e);
                    self.session = None;
                    self.snap = None;
                }
                Report::Rejected(e) => {
                    if e.starts_with("inject refused") {
                        self.inject_error = Some(e.clone());
                    }
                    self.status = Some(Status {
                        text: e,
                        error: true,
                    });
                }
                Report::Notice(n) => {
                    self.status = Some(Status {
                        text: n,
                        error: false,
                    })
                }
                Report::WhatIfProgress { done, total } => {
                    self.what_if_progress = Some((done, total));
                }
                Report::WhatIf(w) => {
                    self.what_if_progress = None;
                    self.what_if = Some(w);
                }
            }
        }
    }

    fn waiting(&mut self, ui: &mut egui::Ui) {
        if let Some(e) = &self.failed {
            ui.heading(RichText::new("The exercise could not be opened").color(Color32::RED));
            ui.add_space(8.0);
            egui::ScrollArea::vertical().show(ui, |ui| {
                for line in e.lines() {
                    ui.label(RichText::new(line).monospace().color(Color32::LIGHT_RED));
                }
            });
            ui.add_space(8.0);
            ui.label("Fix the file and open it again, or load a saved exercise above.");
        } else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Planning the scenario and replaying the exercise…");
            });
        }
    }
}
