//! The window's contents: clock bar, map, panels, injects, what-if, files. All state here
//! is the window's own; the exercise lives on the worker thread, which this module talks
//! to only through commands and reports. Nothing here blocks, reads files or steps the
//! engine.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::mpsc::TryRecvError;
use std::thread::JoinHandle;

use eframe::egui::{
    self, Align2, Color32, FontId, Pos2, Rect, RichText, Sense, Shape, Stroke, Vec2,
};
use egui_plot::{Bar, BarChart, LineStyle, Plot, VLine};

use super::charts;
use super::live::{LineKind, LogLine, Session, Snapshot, UnitInfo, UnitKind, clock};
use super::map::{self, BaseMap, View};
use super::worker::{Command, Report, Start, WhatIf, Worker};
use crate::engine::layout::NEVER;
use crate::exercise::Inject;
use crate::geo::LatLon;
use crate::report::Stat;
use crate::scenario::{Scenario, ThreatClass};

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

/// What a facilitator can inject, as the form offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InjectKind {
    Salvo,
    Strike,
    Activate,
    Switch,
    Relocate,
    Divert,
}

impl InjectKind {
    pub const ALL: [InjectKind; 6] = [
        InjectKind::Salvo,
        InjectKind::Strike,
        InjectKind::Activate,
        InjectKind::Switch,
        InjectKind::Relocate,
        InjectKind::Divert,
    ];

    fn name(self) -> &'static str {
        match self {
            InjectKind::Salvo => "Salvo",
            InjectKind::Strike => "Strike on launch sites",
            InjectKind::Activate => "Activate militia",
            InjectKind::Switch => "Switch battery on/off",
            InjectKind::Relocate => "Relocate battery",
            InjectKind::Divert => "Divert carrier",
        }
    }
}

/// The inject form's fields (indices into the scenario's lists).
#[derive(Clone, Debug)]
pub struct InjectForm {
    pub kind: InjectKind,
    pub site: usize,
    pub weapon: usize,
    pub count: u32,
    pub targets: BTreeSet<usize>,
    pub over_min: u32,
    pub strike_sites: BTreeSet<usize>,
    pub fraction: f64,
    pub militias: BTreeSet<usize>,
    pub battery: usize,
    pub online: bool,
    pub to: LatLon,
    pub carrier: usize,
    pub speed_kn: f64,
}

impl Default for InjectForm {
    fn default() -> Self {
        InjectForm {
            kind: InjectKind::Salvo,
            site: 0,
            weapon: 0,
            count: 4,
            targets: BTreeSet::new(),
            over_min: 5,
            strike_sites: BTreeSet::new(),
            fraction: 0.3,
            militias: BTreeSet::new(),
            battery: 0,
            online: false,
            to: LatLon::new(25.0, 55.0),
            carrier: 0,
            speed_kn: 25.0,
        }
    }
}

impl InjectForm {
    /// The inject the form describes, or what is missing.
    pub fn build(&self, sc: &Scenario) -> Result<Inject, String> {
        let ids = |set: &BTreeSet<usize>, f: &dyn Fn(usize) -> String| -> Vec<String> {
            set.iter().map(|&i| f(i)).collect()
        };
        match self.kind {
            InjectKind::Salvo => {
                let site = sc.sites.get(self.site).ok_or("choose a launch site")?;
                let (weapon, _) = site
                    .inventory
                    .get(self.weapon)
                    .ok_or("choose a weapon the site holds")?;
                if self.targets.is_empty() {
                    return Err("choose at least one target".into());
                }
                Ok(Inject::Salvo {
                    from: site.id.clone(),
                    weapon: sc.weapons[*weapon].id.clone(),
                    count: self.count.max(1),
                    targets: ids(&self.targets, &|a| sc.assets[a].id.clone()),
                    over_s: self.over_min * 60,
                })
            }
            InjectKind::Strike => {
                if self.strike_sites.is_empty() {
                    return Err("choose at least one site to strike".into());
                }
                Ok(Inject::Strike {
                    sites: ids(&self.strike_sites, &|s| sc.sites[s].id.clone()),
                    fraction: self.fraction.clamp(0.0, 1.0),
                })
            }
            InjectKind::Activate => {
                if self.militias.is_empty() {
                    return Err("choose at least one militia".into());
                }
                Ok(Inject::Activate {
                    militias: ids(&self.militias, &|s| sc.sites[s].id.clone()),
                })
            }
            InjectKind::Switch => Ok(Inject::Switch {
                battery: sc
                    .batteries
                    .get(self.battery)
                    .ok_or("choose a battery")?
                    .id
                    .clone(),
                online: self.online,
            }),
            InjectKind::Relocate => Ok(Inject::Relocate {
                battery: sc
                    .batteries
                    .get(self.battery)
                    .ok_or("choose a battery")?
                    .id
                    .clone(),
                to: self.to,
            }),
            InjectKind::Divert => Ok(Inject::Divert {
                carrier: sc
                    .carriers
                    .get(self.carrier)
                    .ok_or("the scenario has no carrier")?
                    .id
                    .clone(),
                to: self.to,
                speed_kn: self.speed_kn,
            }),
        }
    }
}

/// Which histogram the what-if shows: leakers, or hits on one asset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chart {
    Leakers,
    Hits(usize),
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
    pub what_if_replicates: u32,
    what_if_progress: Option<(u32, u32)>,
    what_if: Option<Arc<WhatIf>>,
    pub chart: Chart,
    pub save_path: String,
    pub load_path: String,
    pub export_dir: String,
    scenario_file: Option<String>,
}

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

/// Colour of a side: blues and greens for the first side and those it does not fight,
/// reds and oranges for the sides it fights.
pub fn side_colour(sc: &Scenario, side: usize) -> Color32 {
    let hostile = |s: usize| sc.sides[0].hostile.get(s).copied().unwrap_or(false);
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

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            let title = self
                .session
                .as_ref()
                .map(|s| s.scenario.name.clone())
                .unwrap_or_else(|| "hormuz".into());
            ui.strong(title);
            ui.separator();
            if let (Some(s), Some(snap)) = (&self.session, &self.snap) {
                let sc = &s.scenario;
                ui.label(
                    RichText::new(format!(
                        "T+{} / {}",
                        clock(snap.tick, sc.tick_seconds),
                        clock(sc.ticks, sc.tick_seconds)
                    ))
                    .monospace()
                    .size(16.0),
                );
                if snap.playing {
                    if ui.button("Pause").clicked() {
                        self.send(Command::Pause);
                    }
                } else if ui
                    .add_enabled(!snap.finished, egui::Button::new("Play"))
                    .clicked()
                {
                    self.send(Command::Play);
                }
                if ui
                    .add_enabled(!snap.finished, egui::Button::new("Step"))
                    .on_hover_text("Run to the next moment at which anything happens")
                    .clicked()
                {
                    self.send(Command::Step);
                }
                let r = ui.add(
                    egui::Slider::new(&mut self.speed, 1.0..=3600.0)
                        .logarithmic(true)
                        .text("× speed")
                        .max_decimals(0),
                );
                if r.drag_stopped() || (r.changed() && !r.dragged()) {
                    self.send(Command::Speed(self.speed));
                }
                for s in [1.0, 60.0, 600.0, 3600.0] {
                    if ui.small_button(format!("{s}×")).clicked() {
                        self.speed = s;
                        self.send(Command::Speed(s));
                    }
                }
                if snap.finished {
                    ui.label("end of the scenario");
                }
            }
            if let Some(st) = &self.status {
                ui.separator();
                let colour = if st.error {
                    Color32::LIGHT_RED
                } else {
                    Color32::LIGHT_GREEN
                };
                let first = st.text.lines().next().unwrap_or_default().to_string();
                ui.label(RichText::new(first).color(colour))
                    .on_hover_text(st.text.clone());
            }
        });
    }

    // ---- map

    fn map_panel(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Range rings:");
            for t in 0..3 {
                ui.checkbox(&mut self.rings[t], format!("tier {}", t + 1));
            }
            ui.checkbox(&mut self.labels, "labels");
            ui.separator();
            for c in ThreatClass::ALL {
                swatch(ui, Mark::Threat(CLASS_COLOURS[c.index()]));
                ui.label(c.name());
            }
            swatch(ui, Mark::Intercept);
            ui.label("intercept");
            swatch(ui, Mark::Impact);
            ui.label("impact");
        });
        let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        self.map_rect = Some(rect);
        // The theatre fills the map until the user moves it (the panels settle first).
        if !self.view_moved {
            self.view = Some(View::theatre(rect));
        }
        let view = self.view.get_or_insert_with(|| View::theatre(rect));
        if response.dragged() {
            view.pan(response.drag_delta());
            self.view_moved = true;
        }
        if let Some(hover) = response.hover_pos() {
            let (scroll, zoom) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
            let factor = (scroll * 0.0025).exp() * zoom;
            if factor != 1.0 {
                view.zoom_about(rect, hover, factor);
                self.view_moved = true;
            }
        }
        let view = *view;
        let painter = ui.painter_at(rect);
        match &self.map {
            Some(Ok(m)) => m.paint(&painter, rect, &view),
            Some(Err(e)) => {
                painter.rect_filled(rect, 0.0, map::SEA);
                let _ = painter.text(
                    rect.center(),
                    Align2::CENTER_CENTER,
                    format!("base map: {e}"),
                    FontId::proportional(14.0),
                    Color32::LIGHT_RED,
                );
            }
            None => {
                painter.rect_filled(rect, 0.0, map::SEA);
            }
        }
        let (Some(session), Some(snap)) = (self.session.clone(), self.snap.clone()) else {
            return;
        };
        let sc = &session.scenario;
        let seconds = snap.tick as f64 * sc.tick_seconds as f64;
        self.paint_rings(&painter, rect, &view, &session, &snap, seconds);
        self.place_units(rect, &view, &session, seconds);
        self.paint_threats(&painter, rect, &view, &session, &snap);
        self.paint_units(&painter, &view, &session, &snap);
        self.hovered = response.hover_pos().and_then(|p| self.unit_at(p));
        if response.clicked()
            && let Some(p) = response.interact_pointer_pos()
        {
            if self.picking {
                self.form.to = view.screen_to_lat_lon(rect, p);
                self.picking = false;
            } else {
                self.selected = self.unit_at(p);
                if let Some(i) = self.selected {
                    self.prefill(&session.units[i].clone(), &session);
                }
            }
        }
        // Scale bar and the position under the cursor.
        let lat = response
            .hover_pos()
            .map(|p| view.screen_to_lat_lon(rect, p).lat)
            .unwrap_or_else(|| view.screen_to_lat_lon(rect, rect.center()).lat);
        let (km, len) = map::scale_bar(view.km_per_point(lat), 160.0);
        let base = rect.left_bottom() + Vec2::new(14.0, -16.0);
        let ink = Color32::from_gray(230);
        painter.line_segment([base, base + Vec2::new(len, 0.0)], Stroke::new(2.0, ink));
        for x in [0.0, len] {
            painter.line_segment(
                [base + Vec2::new(x, -5.0), base + Vec2::new(x, 0.0)],
                Stroke::new(2.0, ink),
            );
        }
        painter.text(
            base + Vec2::new(len / 2.0, -6.0),
            Align2::CENTER_BOTTOM,
            format!("{} km", charts_fmt(km)),
            FontId::proportional(12.0),
            ink,
        );
        if let Some(p) = response.hover_pos() {
            let ll = view.screen_to_lat_lon(rect, p);
            painter.text(
                rect.right_bottom() + Vec2::new(-10.0, -10.0),
                Align2::RIGHT_BOTTOM,
                format!(
                    "{:.3}°{} {:.3}°{}",
                    ll.lat.abs(),
                    if ll.lat >= 0.0 { "N" } else { "S" },
                    ll.lon.abs(),
                    if ll.lon >= 0.0 { "E" } else { "W" }
                ),
                FontId::monospace(13.0),
                ink,
            );
        }
        if self.picking {
            painter.text(
                rect.center_top() + Vec2::new(0.0, 12.0),
                Align2::CENTER_TOP,
                "click the map to choose the point",
                FontId::proportional(15.0),
                Color32::YELLOW,
            );
        }
        if let Some(h) = self.hovered
            && let Some(pos) = response.hover_pos()
        {
            let unit = session.units[h].clone();
            egui::Area::new(egui::Id::unique("unit-hover"))
                .fixed_pos(pos + Vec2::new(16.0, 16.0))
                .order(egui::Order::Tooltip)
                .interactable(false)
                .show(ui.ctx(), |ui| {
                    egui::Frame::popup(ui.style()).show(ui, |ui| {
                        ui.set_max_width(320.0);
                        unit_card(ui, &session, &snap, &unit);
                    });
                });
        }
    }

    fn paint_rings(
        &mut self,
        painter: &egui::Painter,
        rect: Rect,
        view: &View,
        session: &Session,
        snap: &Snapshot,
        seconds: f64,
    ) {
        let sc = &session.scenario;
        for u in &session.units {
            let (Some(b), Some(km)) = (u.battery, u.ring_km) else {
                continue;
            };
            let tier = sc.batteries[b].tier as usize;
            if km <= 0.0 || !self.rings[tier.clamp(1, 3) - 1] {
                continue;
            }
            let pos = sc.battery_position(b, seconds);
            let entry = self
                .ring_cache
                .entry(b)
                .or_insert_with(|| (pos, map::ring(pos, km, 72)));
            if entry.0 != pos {
                *entry = (pos, map::ring(pos, km, 72));
            }
            let on = snap.online.get(b).copied().unwrap_or(true);
            let colour = if on {
                side_colour(sc, u.side).gamma_multiply(match tier {
                    1 => 0.55,
                    2 => 0.4,
                    _ => 0.3,
                })
            } else {
                Color32::from_gray(110).gamma_multiply(0.5)
            };
            let pts: Vec<Pos2> = entry.1.iter().map(|p| view.to_screen(rect, *p)).collect();
            if on {
                painter.add(Shape::closed_line(pts, Stroke::new(1.0, colour)));
            } else {
                painter.extend(Shape::dashed_line(&pts, Stroke::new(1.0, colour), 6.0, 5.0));
            }
        }
    }

    /// Screen positions of the units; batteries that share a spot fan out around it.
    fn place_units(&mut self, rect: Rect, view: &View, session: &Session, seconds: f64) {
        let sc = &session.scenario;
        let mut groups: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
        self.unit_screen.clear();
        for (i, u) in session.units.iter().enumerate() {
            let p = u.position(sc, seconds);
            self.unit_screen.push(view.lat_lon_to_screen(rect, p));
            if u.kind == UnitKind::Battery || u.kind == UnitKind::AirWing {
                let key = (
                    (p.lat * 100.0).round() as i64,
                    (p.lon * 100.0).round() as i64,
                );
                groups.entry(key).or_default().push(i);
            }
        }
        let spread = (view.scale * 0.04).clamp(9.0, 14.0);
        for members in groups.values() {
            let n = members.len() as f32;
            for (j, &i) in members.iter().enumerate() {
                let a = j as f32 / n * std::f32::consts::TAU - std::f32::consts::FRAC_PI_2;
                self.unit_screen[i] += Vec2::new(a.cos(), a.sin()) * spread;
            }
        }
    }

    fn unit_at(&self, p: Pos2) -> Option<usize> {
        self.unit_screen
            .iter()
            .enumerate()
            .map(|(i, s)| (i, s.distance(p)))
            .filter(|(_, d)| *d <= 9.0)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    }

    fn paint_threats(
        &self,
        painter: &egui::Painter,
        rect: Rect,
        view: &View,
        session: &Session,
        snap: &Snapshot,
    ) {
        let sc = &session.scenario;
        let plan = &session.plan;
        let tick_s = sc.tick_seconds as f64;
        for &(k, launch) in &snap.flying {
            let info = &plan.track_info[k as usize];
            let class = sc.weapons[info.weapon].class;
            let colour = CLASS_COLOURS[class.index()];
            let age = snap.tick.saturating_sub(launch) as f64 * tick_s;
            let trail = (info.flight_s * 0.08).clamp(20.0, 1800.0).min(age);
            let pts: Vec<Pos2> = (0..=6)
                .map(|i| {
                    let t = age - trail * (1.0 - i as f64 / 6.0);
                    view.lat_lon_to_screen(rect, info.position(class, t).0)
                })
                .collect();
            let head = pts[pts.len() - 1];
            painter.add(Shape::line(
                pts,
                Stroke::new(1.5, colour.gamma_multiply(0.5)),
            ));
            painter.circle_filled(head, 2.8, colour);
        }
        // Intercepts and impacts of the last 20 simulated minutes, fading.
        let window = (1200.0 / tick_s) as u32;
        for l in self.lines.iter().rev() {
            if l.tick + window < snap.tick {
                break;
            }
            let Some(at) = l.at else { continue };
            let fade = 1.0 - (snap.tick.saturating_sub(l.tick) as f32 / window as f32);
            let p = view.lat_lon_to_screen(rect, at);
            match l.kind {
                LineKind::Intercept => paint_mark(painter, p, Mark::Intercept, fade),
                LineKind::Leaker if l.hit => paint_mark(painter, p, Mark::Hit, fade),
                LineKind::Leaker => paint_mark(painter, p, Mark::Impact, fade),
                _ => {}
            }
        }
    }

    fn paint_units(
        &self,
        painter: &egui::Painter,
        view: &View,
        session: &Session,
        snap: &Snapshot,
    ) {
        let sc = &session.scenario;
        for (i, u) in session.units.iter().enumerate() {
            let p = self.unit_screen[i];
            if !painter.clip_rect().expand(20.0).contains(p) {
                continue;
            }
            let colour = side_colour(sc, u.side);
            let out = u
                .asset
                .is_some_and(|a| snap.assets.get(a).is_some_and(|s| s.out_at != NEVER));
            let silent = u
                .battery
                .is_some_and(|b| !snap.online.get(b).copied().unwrap_or(true));
            let fill = if out || silent {
                Color32::from_gray(120)
            } else {
                colour
            };
            let dark = Stroke::new(1.0, Color32::from_gray(20));
            symbol(painter, u.kind, p, fill, dark);
            if out {
                painter.circle_stroke(p, 9.0, Stroke::new(2.0, Color32::RED));
            }
            if let Some(a) = u.asset
                && let Some(st) = snap.assets.get(a)
                && st.hits > 0
            {
                painter.text(
                    p + Vec2::new(6.0, -6.0),
                    Align2::LEFT_BOTTOM,
                    format!("{}", st.hits),
                    FontId::proportional(11.0),
                    Color32::from_rgb(255, 110, 90),
                );
            }
            if self.selected == Some(i) || self.hovered == Some(i) {
                painter.circle_stroke(p, 11.0, Stroke::new(1.5, Color32::WHITE));
            }
            let show_label = self.labels
                && match u.kind {
                    UnitKind::Carrier | UnitKind::LaunchSite | UnitKind::Militia => true,
                    UnitKind::Battery | UnitKind::AirWing | UnitKind::Escort => view.scale > 150.0,
                    _ => view.scale > 40.0,
                };
            if show_label {
                painter.text(
                    p + Vec2::new(8.0, 2.0),
                    Align2::LEFT_TOP,
                    &u.name,
                    FontId::proportional(11.0),
                    colour.gamma_multiply(0.9),
                );
            }
        }
    }

    fn prefill(&mut self, unit: &UnitInfo, session: &Session) {
        let sc = &session.scenario;
        if let Some(b) = unit.battery
            && matches!(self.form.kind, InjectKind::Switch | InjectKind::Relocate)
        {
            self.form.battery = b;
        }
        if let Some(c) = unit.carrier
            && self.form.kind == InjectKind::Divert
        {
            self.form.carrier = c;
        }
        if let Some(s) = unit.site {
            match self.form.kind {
                InjectKind::Salvo if self.form.site != s => {
                    self.form.site = s;
                    self.form.weapon = 0;
                }
                InjectKind::Strike if sc.sites[s].militia.is_none() => {
                    self.form.strike_sites.insert(s);
                }
                _ => {}
            }
        }
        if let Some(a) = unit.asset
            && self.form.kind == InjectKind::Salvo
            && let Some(site) = sc.sites.get(self.form.site)
            && sc.sides[site.side].hostile[sc.assets[a].side]
        {
            self.form.targets.insert(a);
        }
    }

    // ---- left: magazines, assets, costs

    fn state_panel(&mut self, ui: &mut egui::Ui) {
        let (Some(session), Some(snap)) = (self.session.clone(), self.snap.clone()) else {
            return;
        };
        let sc = &session.scenario;
        let plan = &session.plan;
        egui::CollapsingHeader::new("Threats")
            .default_open(true)
            .show(ui, |ui| {
                egui::Grid::new("totals").striped(true).show(ui, |ui| {
                    ui.strong("class");
                    ui.strong("launched");
                    ui.strong("killed");
                    ui.strong("leaked");
                    ui.strong("in flight");
                    ui.end_row();
                    let mut flying = [0u32; 4];
                    for &(k, _) in &snap.flying {
                        let c = sc.weapons[plan.track_info[k as usize].weapon].class;
                        flying[c.index()] += 1;
                    }
                    for c in ThreatClass::ALL {
                        let t = snap.totals[c.index()];
                        ui.label(RichText::new(c.name()).color(CLASS_COLOURS[c.index()]));
                        ui.label(t[0].to_string());
                        ui.label(t[1].to_string());
                        ui.label(t[2].to_string());
                        ui.label(flying[c.index()].to_string());
                        ui.end_row();
                    }
                });
            });
        egui::CollapsingHeader::new("Costs so far")
            .default_open(true)
            .show(ui, |ui| {
                egui::Grid::new("costs").striped(true).show(ui, |ui| {
                    ui.strong("side");
                    ui.strong("offence");
                    ui.strong("defence");
                    ui.strong("losses");
                    ui.end_row();
                    for (s, side) in sc.sides.iter().enumerate() {
                        let c = &snap.costs;
                        if c.offence[s] == 0.0 && c.defence[s] == 0.0 && c.losses[s] == 0.0 {
                            continue;
                        }
                        ui.label(RichText::new(&side.id).color(side_colour(sc, s)))
                            .on_hover_text(&side.name);
                        ui.label(usd(c.offence[s]));
                        ui.label(usd(c.defence[s]));
                        ui.label(usd(c.losses[s]));
                        ui.end_row();
                    }
                });
            });
        egui::CollapsingHeader::new("Leakers and hits per asset")
            .default_open(true)
            .show(ui, |ui| {
                egui::Grid::new("assets").striped(true).show(ui, |ui| {
                    ui.strong("asset");
                    ui.strong("leakers");
                    ui.strong("hits");
                    ui.strong("damage");
                    ui.end_row();
                    let mut any = false;
                    for (a, spec) in sc.assets.iter().enumerate() {
                        let st = snap.assets[a];
                        let leak = snap.leakers[a];
                        if leak == 0 && st.hits == 0 {
                            continue;
                        }
                        any = true;
                        let mut name = RichText::new(&spec.id).color(side_colour(sc, spec.side));
                        if st.out_at != NEVER {
                            name = name.strikethrough();
                        }
                        ui.label(name).on_hover_text(&spec.name);
                        ui.label(leak.to_string());
                        ui.label(st.hits.to_string());
                        ui.label(format!("{}/{}", st.damage, spec.staying_power));
                        ui.end_row();
                    }
                    if !any {
                        ui.label("no leaker yet");
                        ui.end_row();
                    }
                });
            });
        egui::CollapsingHeader::new("Magazines")
            .default_open(true)
            .show(ui, |ui| {
                for (b, bat) in sc.batteries.iter().enumerate() {
                    let on = snap.online.get(b).copied().unwrap_or(true);
                    let mut title = RichText::new(&bat.name).color(side_colour(sc, bat.side));
                    if !on {
                        title = title.weak().italics();
                    }
                    ui.add(egui::Label::new(title).truncate())
                        .on_hover_text(&bat.id);
                    for (s, info) in plan.slot_info.iter().enumerate() {
                        if info.battery != b {
                            continue;
                        }
                        let m = &bat.magazines[info.magazine];
                        let st = snap.magazines[s];
                        let cap = plan.slots[s].capacity.max(1);
                        let ic = &sc.interceptors[m.interceptor];
                        let text = if m.reserve > 0 {
                            format!("{} {}/{} +{}", ic.id, st.ready, cap, st.reserve)
                        } else {
                            format!("{} {}/{}", ic.id, st.ready, cap)
                        };
                        let frac = st.ready as f32 / cap as f32;
                        let fill = if frac < 0.25 {
                            Color32::from_rgb(200, 70, 50)
                        } else {
                            Color32::from_rgb(60, 120, 180)
                        };
                        ui.add(
                            egui::ProgressBar::new(frac)
                                .text(text)
                                .fill(fill)
                                .desired_height(14.0),
                        );
                    }
                }
            });
    }

    // ---- right: selected unit, injects, what-if, files

    fn orders_panel(&mut self, ui: &mut egui::Ui) {
        let (Some(session), Some(snap)) = (self.session.clone(), self.snap.clone()) else {
            return;
        };
        if let Some(i) = self.selected {
            let unit = session.units[i].clone();
            egui::CollapsingHeader::new("Selected unit")
                .default_open(true)
                .show(ui, |ui| {
                    unit_card(ui, &session, &snap, &unit);
                    if ui.small_button("clear selection").clicked() {
                        self.selected = None;
                    }
                });
        }
        egui::CollapsingHeader::new("Inject")
            .default_open(true)
            .show(ui, |ui| self.inject_form(ui, &session, &snap));
        egui::CollapsingHeader::new("What-if")
            .default_open(true)
            .show(ui, |ui| self.what_if_panel(ui, &session, &snap));
        egui::CollapsingHeader::new("Exercise file and report")
            .default_open(false)
            .show(ui, |ui| self.files_panel(ui));
    }

    fn inject_form(&mut self, ui: &mut egui::Ui, session: &Session, snap: &Snapshot) {
        let sc = &session.scenario;
        let f = &mut self.form;
        egui::ComboBox::new("inject-kind", "order")
            .selected_text(f.kind.name())
            .show_ui(ui, |ui| {
                for k in InjectKind::ALL {
                    ui.selectable_value(&mut f.kind, k, k.name());
                }
            });
        let launch_sites: Vec<usize> = (0..sc.sites.len()).collect();
        match f.kind {
            InjectKind::Salvo => {
                if sc.sites.is_empty() {
                    ui.label("the scenario has no launch site");
                    return;
                }
                f.site = f.site.min(sc.sites.len() - 1);
                egui::ComboBox::new("salvo-site", "site")
                    .selected_text(&sc.sites[f.site].id)
                    .show_ui(ui, |ui| {
                        for &s in &launch_sites {
                            if ui.selectable_label(f.site == s, &sc.sites[s].id).clicked() {
                                f.site = s;
                                f.weapon = 0;
                            }
                        }
                    });
                let site = &sc.sites[f.site];
                f.weapon = f.weapon.min(site.inventory.len().saturating_sub(1));
                if let Some(&(w, rounds)) = site.inventory.get(f.weapon) {
                    egui::ComboBox::new("salvo-weapon", "weapon")
                        .selected_text(format!("{} ({rounds} held)", sc.weapons[w].id))
                        .show_ui(ui, |ui| {
                            for (j, &(w, r)) in site.inventory.iter().enumerate() {
                                ui.selectable_value(
                                    &mut f.weapon,
                                    j,
                                    format!("{} ({r} held)", sc.weapons[w].id),
                                );
                            }
                        });
                    let range = sc.weapons[w].range_km;
                    ui.horizontal(|ui| {
                        let l = ui.label("count");
                        ui.add(egui::DragValue::new(&mut f.count).range(1..=500))
                            .labelled_by(l.id);
                        let l = ui.label("over (min)");
                        ui.add(egui::DragValue::new(&mut f.over_min).range(0..=600))
                            .labelled_by(l.id);
                    });
                    ui.label(format!("targets within {range:.0} km:"));
                    egui::ScrollArea::vertical()
                        .id_salt("targets")
                        .max_height(120.0)
                        .show(ui, |ui| {
                            for (a, asset) in sc.assets.iter().enumerate() {
                                if !sc.sides[site.side].hostile[asset.side] {
                                    continue;
                                }
                                let d = site
                                    .position
                                    .distance_km(sc.position_of(asset.placement, 0.0));
                                if d > range {
                                    continue;
                                }
                                let mut on = f.targets.contains(&a);
                                if ui
                                    .checkbox(&mut on, format!("{} ({d:.0} km)", asset.id))
                                    .changed()
                                {
                                    if on {
                                        f.targets.insert(a);
                                    } else {
                                        f.targets.remove(&a);
                                    }
                                }
                            }
                        });
                } else {
                    ui.label("this site holds no weapon");
                }
            }
            InjectKind::Strike => {
                egui::ScrollArea::vertical()
                    .id_salt("strike")
                    .max_height(140.0)
                    .show(ui, |ui| {
                        for (s, site) in sc.sites.iter().enumerate() {
                            let mut on = f.strike_sites.contains(&s);
                            let alive = snap.launchers_alive[s];
                            if ui
                                .checkbox(
                                    &mut on,
                                    format!("{} ({alive}/{} launchers)", site.id, site.launchers),
                                )
                                .changed()
                            {
                                if on {
                                    f.strike_sites.insert(s);
                                } else {
                                    f.strike_sites.remove(&s);
                                }
                            }
                        }
                    });
                ui.add(egui::Slider::new(&mut f.fraction, 0.0..=1.0).text("share destroyed"));
            }
            InjectKind::Activate => {
                let waiting = super::live::inactive_militias(sc, &session.plan);
                let militias: Vec<usize> = (0..sc.sites.len())
                    .filter(|&s| sc.sites[s].militia.is_some())
                    .collect();
                if militias.is_empty() {
                    ui.label("the scenario has no militia");
                }
                for s in militias {
                    let mut on = f.militias.contains(&s);
                    let note = if waiting.contains(&s) {
                        "waiting"
                    } else {
                        "already active or due"
                    };
                    if ui
                        .checkbox(&mut on, format!("{} ({note})", sc.sites[s].id))
                        .changed()
                    {
                        if on {
                            f.militias.insert(s);
                        } else {
                            f.militias.remove(&s);
                        }
                    }
                }
            }
            InjectKind::Switch | InjectKind::Relocate => {
                if sc.batteries.is_empty() {
                    ui.label("the scenario has no battery");
                    return;
                }
                f.battery = f.battery.min(sc.batteries.len() - 1);
                egui::ComboBox::new("battery", "battery")
                    .selected_text(&sc.batteries[f.battery].id)
                    .show_ui(ui, |ui| {
                        for (b, bat) in sc.batteries.iter().enumerate() {
                            let on = snap.online.get(b).copied().unwrap_or(true);
                            ui.selectable_value(
                                &mut f.battery,
                                b,
                                format!("{} ({})", bat.id, if on { "on" } else { "off" }),
                            );
                        }
                    });
                if f.kind == InjectKind::Switch {
                    ui.horizontal(|ui| {
                        ui.radio_value(&mut f.online, true, "on");
                        ui.radio_value(&mut f.online, false, "off");
                    });
                } else {
                    point_fields(ui, &mut f.to, &mut self.picking);
                }
            }
            InjectKind::Divert => {
                if sc.carriers.is_empty() {
                    ui.label("the scenario has no carrier");
                    return;
                }
                f.carrier = f.carrier.min(sc.carriers.len() - 1);
                egui::ComboBox::new("carrier", "carrier")
                    .selected_text(&sc.carriers[f.carrier].id)
                    .show_ui(ui, |ui| {
                        for (c, car) in sc.carriers.iter().enumerate() {
                            ui.selectable_value(&mut f.carrier, c, &car.id);
                        }
                    });
                point_fields(ui, &mut f.to, &mut self.picking);
                ui.add(
                    egui::Slider::new(&mut f.speed_kn, 1.0..=35.0)
                        .text("knots")
                        .max_decimals(0),
                );
            }
        }
        let label = format!("Give inject at T+{}", clock(snap.tick, sc.tick_seconds));
        if ui.button(label).clicked() {
            match self.form.build(sc) {
                Ok(inject) => {
                    self.inject_error = None;
                    self.send(Command::Inject(inject));
                }
                Err(e) => self.inject_error = Some(e),
            }
        }
        if let Some(e) = &self.inject_error {
            for line in e.lines() {
                ui.label(RichText::new(line).color(Color32::LIGHT_RED));
            }
        }
        if !session.injects.is_empty() {
            ui.label(format!("{} injects given", session.injects.len()));
        }
    }

    fn what_if_panel(&mut self, ui: &mut egui::Ui, session: &Session, snap: &Snapshot) {
        let sc = &session.scenario;
        ui.horizontal(|ui| {
            let l = ui.label("replicates");
            ui.add(egui::DragValue::new(&mut self.what_if_replicates).range(1..=100_000))
                .labelled_by(l.id);
        });
        let running = self.what_if_progress.is_some();
        if ui
            .add_enabled(
                !running,
                egui::Button::new(format!(
                    "Run what-if from T+{}",
                    clock(snap.tick, sc.tick_seconds)
                )),
            )
            .clicked()
        {
            self.what_if_progress = Some((0, 1));
            self.send(Command::WhatIf {
                replicates: self.what_if_replicates,
            });
        }
        if let Some((done, total)) = self.what_if_progress {
            ui.add(
                egui::ProgressBar::new(done as f32 / total.max(1) as f32)
                    .show_percentage()
                    .text(format!("what-if running: {done}/{total} ticks")),
            );
        }
        let Some(w) = self.what_if.clone() else {
            return;
        };
        ui.label(format!(
            "{} replicates from T+{} ({:.1} s)",
            w.replicates,
            clock(w.from_tick, sc.tick_seconds),
            w.wall_seconds
        ));
        let hit_assets: Vec<usize> = w
            .hits
            .iter()
            .enumerate()
            .filter(|(_, h)| h.2.iter().any(|&x| x > 0.0))
            .map(|(i, _)| i)
            .collect();
        let name = |c: Chart| match c {
            Chart::Leakers => "leakers (whole scenario)".to_string(),
            Chart::Hits(a) => format!("hits on {}", w.hits[a].0),
        };
        egui::ComboBox::new("chart", "chart")
            .selected_text(name(self.chart))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut self.chart, Chart::Leakers, name(Chart::Leakers));
                for &a in &hit_assets {
                    ui.selectable_value(&mut self.chart, Chart::Hits(a), name(Chart::Hits(a)));
                }
            });
        let values: &[f64] = match self.chart {
            Chart::Leakers => &w.leakers,
            Chart::Hits(a) => &w.hits[a].2,
        };
        let stat = Stat::of(values);
        let bars: Vec<Bar> = charts::histogram(values)
            .iter()
            .map(|b| {
                Bar::new(
                    if b.width <= 1.0 { b.start } else { b.centre() },
                    b.count as f64,
                )
                .width(b.width * 0.9)
            })
            .collect();
        Plot::new("what-if-histogram")
            .height(180.0)
            .allow_scroll(false)
            .allow_drag(false)
            .allow_zoom(false)
            .show(ui, |p| {
                p.bar_chart(
                    BarChart::new(name(self.chart), bars).color(Color32::from_rgb(90, 140, 210)),
                );
                p.vline(VLine::new("mean", stat.mean).color(Color32::RED).width(2.0));
                for (n, x) in [("p5", stat.p5), ("p95", stat.p95)] {
                    p.vline(
                        VLine::new(n, x)
                            .color(Color32::LIGHT_GRAY)
                            .style(LineStyle::dashed_dense()),
                    );
                }
            });
        ui.label(format!(
            "mean {:.1} · p5 {} · p95 {} · min {} · max {}",
            stat.mean, stat.p5, stat.p95, stat.min, stat.max
        ));
    }

    fn files_panel(&mut self, ui: &mut egui::Ui) {
        egui::Grid::new("files").show(ui, |ui| {
            ui.text_edit_singleline(&mut self.save_path)
                .on_hover_text("file to save the exercise to");
            if ui.button("Save exercise").clicked() {
                self.send(Command::Save(self.save_path.clone().into()));
            }
            ui.end_row();
            ui.text_edit_singleline(&mut self.load_path)
                .on_hover_text("saved exercise to load");
            if ui.button("Load exercise").clicked() {
                self.send(Command::Load(self.load_path.clone().into()));
            }
            ui.end_row();
            ui.text_edit_singleline(&mut self.export_dir)
                .on_hover_text("folder for the after-action report");
            if ui
                .button("Export report")
                .on_hover_text("events.csv, and the what-if's charts as PNG")
                .clicked()
            {
                self.send(Command::Export(self.export_dir.clone().into()));
            }
            ui.end_row();
        });
        if let Some(f) = &self.scenario_file {
            ui.label(RichText::new(format!("scenario: {f}")).weak());
        }
    }

    // ---- bottom: the exercise log

    fn log_panel(&mut self, ui: &mut egui::Ui) {
        let Some(session) = self.session.clone() else {
            return;
        };
        let sc = &session.scenario;
        ui.horizontal_wrapped(|ui| {
            ui.strong("Exercise log");
            egui::ComboBox::new("log-side", "sides")
                .selected_text(match self.log_side {
                    None => "all sides".to_string(),
                    Some(s) => sc.sides[s].name.clone(),
                })
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.log_side, None, "all sides");
                    for (s, side) in sc.sides.iter().enumerate() {
                        ui.selectable_value(&mut self.log_side, Some(s), &side.name);
                    }
                });
            for (i, k) in LineKind::ALL.iter().enumerate() {
                ui.toggle_value(&mut self.log_kinds[i], k.name());
            }
        });
        let kinds = self.log_kinds;
        let side = self.log_side;
        let shown: Vec<usize> = self
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                let k = LineKind::ALL.iter().position(|x| *x == l.kind).unwrap_or(0);
                kinds[k] && side.is_none_or(|s| l.sides.contains(&s))
            })
            .map(|(i, _)| i)
            .collect();
        let row = ui
            .text_style_height(&egui::TextStyle::Monospace)
            .max(ui.spacing().interact_size.y);
        let mut centre = None;
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .stick_to_bottom(true)
            .show_rows(ui, row, shown.len(), |ui, range| {
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
                for &i in &shown[range] {
                    let l = &self.lines[i];
                    let colour = match l.kind {
                        LineKind::Leaker => Color32::from_rgb(255, 120, 100),
                        LineKind::Intercept => Color32::from_rgb(140, 230, 170),
                        LineKind::Inject => Color32::YELLOW,
                        LineKind::Trigger => Color32::from_rgb(255, 190, 90),
                        _ => ui.visuals().text_color(),
                    };
                    let text = RichText::new(format!(
                        "{}  {:<9}  {}",
                        clock(l.tick, sc.tick_seconds),
                        l.kind.name(),
                        l.text
                    ))
                    .monospace()
                    .color(colour);
                    let r = ui.selectable_label(false, text);
                    if r.clicked() {
                        centre = l.at;
                    }
                }
            });
        if let Some(at) = centre
            && let Some(v) = &mut self.view
        {
            let p = map::project(at);
            v.center = [p.x, p.y];
            v.scale = v.scale.max(60.0);
            self.view_moved = true;
        }
    }
}

/// Marks on the map, also drawn in the legend.
#[derive(Clone, Copy)]
enum Mark {
    Threat(Color32),
    Intercept,
    /// A leaker that missed (or did no harm).
    Impact,
    /// A leaker that hit.
    Hit,
}

fn paint_mark(painter: &egui::Painter, p: Pos2, mark: Mark, fade: f32) {
    match mark {
        Mark::Threat(c) => {
            painter.circle_filled(p, 2.8, c.gamma_multiply(fade));
        }
        Mark::Intercept => {
            let c = Color32::from_rgb(120, 255, 160).gamma_multiply(fade);
            let d = 3.5;
            for (a, b) in [
                (Vec2::new(-d, -d), Vec2::new(d, d)),
                (Vec2::new(-d, d), Vec2::new(d, -d)),
            ] {
                painter.line_segment([p + a, p + b], Stroke::new(1.5, c));
            }
        }
        Mark::Impact | Mark::Hit => {
            let c = Color32::from_rgb(255, 60, 40).gamma_multiply(fade);
            painter.circle_stroke(p, 6.0, Stroke::new(1.8, c));
            if matches!(mark, Mark::Hit) {
                painter.circle_filled(p, 3.0, c);
            }
        }
    }
}

fn swatch(ui: &mut egui::Ui, mark: Mark) {
    let (rect, _) = ui.allocate_exact_size(Vec2::splat(14.0), Sense::hover());
    paint_mark(ui.painter(), rect.center(), mark, 1.0);
}

fn charts_fmt(km: f64) -> String {
    if km >= 1.0 {
        format!("{km:.0}")
    } else {
        format!("{km:.1}")
    }
}

fn point_fields(ui: &mut egui::Ui, to: &mut LatLon, picking: &mut bool) {
    ui.horizontal(|ui| {
        let l = ui.label("to lat");
        ui.add(
            egui::DragValue::new(&mut to.lat)
                .range(-90.0..=90.0)
                .speed(0.05)
                .max_decimals(3),
        )
        .labelled_by(l.id);
        let l = ui.label("lon");
        ui.add(
            egui::DragValue::new(&mut to.lon)
                .range(-180.0..=180.0)
                .speed(0.05)
                .max_decimals(3),
        )
        .labelled_by(l.id);
        if ui
            .selectable_label(*picking, "pick on map")
            .on_hover_text("then click the map")
            .clicked()
        {
            *picking = !*picking;
        }
    });
}

/// A unit's symbol: squares for bases, circles for cities, diamonds for ships and launch
/// sites, triangles for batteries.
fn symbol(painter: &egui::Painter, kind: UnitKind, p: Pos2, fill: Color32, edge: Stroke) {
    let diamond = |r: f32| {
        vec![
            p + Vec2::new(0.0, -r),
            p + Vec2::new(r, 0.0),
            p + Vec2::new(0.0, r),
            p + Vec2::new(-r, 0.0),
        ]
    };
    let triangle = |r: f32, up: bool| {
        let s = if up { 1.0 } else { -1.0 };
        vec![
            p + Vec2::new(0.0, -r * s),
            p + Vec2::new(r * 0.9, r * 0.6 * s),
            p + Vec2::new(-r * 0.9, r * 0.6 * s),
        ]
    };
    match kind {
        UnitKind::Base | UnitKind::Site => {
            let r = if kind == UnitKind::Base { 4.5 } else { 3.5 };
            painter.rect(
                Rect::from_center_size(p, Vec2::splat(r * 2.0)),
                0.0,
                fill,
                edge,
                egui::StrokeKind::Middle,
            );
        }
        UnitKind::City => {
            painter.circle(p, 4.5, fill, edge);
        }
        UnitKind::Ship | UnitKind::Escort => {
            painter.add(Shape::convex_polygon(diamond(4.5), fill, edge));
        }
        UnitKind::Carrier => {
            painter.add(Shape::convex_polygon(diamond(8.0), fill, edge));
            painter.text(
                p,
                Align2::CENTER_CENTER,
                "CV",
                FontId::proportional(8.0),
                Color32::BLACK,
            );
        }
        UnitKind::Battery => {
            painter.add(Shape::convex_polygon(triangle(5.0, true), fill, edge));
        }
        UnitKind::AirWing => {
            painter.add(Shape::convex_polygon(triangle(5.0, true), fill, edge));
            painter.circle_stroke(p, 7.0, Stroke::new(1.0, fill));
        }
        UnitKind::LaunchSite => {
            painter.add(Shape::convex_polygon(diamond(6.0), fill, edge));
            painter.circle_filled(p, 1.8, Color32::BLACK);
        }
        UnitKind::Militia => {
            painter.add(Shape::convex_polygon(triangle(5.5, false), fill, edge));
        }
    }
}

/// The unit card: what the unit is, and its live state.
pub fn unit_card(ui: &mut egui::Ui, session: &Session, snap: &Snapshot, unit: &UnitInfo) {
    let sc = &session.scenario;
    let plan = &session.plan;
    let seconds = snap.tick as f64 * sc.tick_seconds as f64;
    ui.heading(RichText::new(&unit.name).color(side_colour(sc, unit.side)));
    ui.label(format!(
        "{} of {} · {}",
        unit.kind.describe(),
        sc.sides[unit.side].name,
        unit.id
    ));
    let p = unit.position(sc, seconds);
    ui.label(format!("at {:.2}°N {:.2}°E", p.lat, p.lon));
    if let Some(a) = unit.asset {
        let st = snap.assets[a];
        let spec = &sc.assets[a];
        ui.label(format!(
            "hits {} · damaging {} of {} to put it out of action · leakers {}",
            st.hits, st.damage, spec.staying_power, snap.leakers[a]
        ));
        if st.out_at != NEVER {
            ui.label(
                RichText::new(format!(
                    "OUT OF ACTION since T+{}",
                    clock(st.out_at, sc.tick_seconds)
                ))
                .color(Color32::RED)
                .strong(),
            );
        } else {
            ui.label("in action");
        }
    }
    if let Some(b) = unit.battery {
        let bat = &sc.batteries[b];
        let on = snap.online.get(b).copied().unwrap_or(true);
        let host_out = bat
            .host
            .is_some_and(|h| snap.assets.get(h).is_some_and(|s| s.out_at != NEVER));
        ui.label(format!(
            "{} · tier {} · {} fire channels · range {:.0} km",
            bat.system,
            bat.tier,
            bat.channels,
            unit.ring_km.unwrap_or(0.0)
        ));
        if !on {
            ui.label(RichText::new("switched off").color(Color32::LIGHT_RED));
        } else if host_out {
            ui.label(RichText::new("silent: its host is out of action").color(Color32::LIGHT_RED));
        } else {
            ui.label("switched on");
        }
        for (s, info) in plan.slot_info.iter().enumerate() {
            if info.battery != b {
                continue;
            }
            let m = &bat.magazines[info.magazine];
            let st = snap.magazines[s];
            ui.label(format!(
                "{}: {} of {} ready, {} in reserve",
                sc.interceptors[m.interceptor].name, st.ready, plan.slots[s].capacity, st.reserve
            ));
        }
    }
    if let Some(s) = unit.site {
        let site = &sc.sites[s];
        ui.label(format!(
            "launchers {} of {} standing · {} rounds launched so far",
            snap.launchers_alive[s], site.launchers, snap.launched[s]
        ));
        let inv: Vec<String> = site
            .inventory
            .iter()
            .map(|(w, n)| format!("{} {n}", sc.weapons[*w].id))
            .collect();
        ui.label(format!("inventory: {}", inv.join(", ")));
        if let Some(m) = &site.militia {
            ui.label(format!(
                "{:.0} launches an hour once active",
                m.rate_per_hour
            ));
        }
    }
    if let Some(c) = unit.carrier
        && unit.kind == UnitKind::Carrier
    {
        let route = &sc.carriers[c].route;
        ui.label(format!("steams at {:.0} kn", route.speed_kmh / 1.852));
    }
}
