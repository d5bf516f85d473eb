//! The map view, in the main window and in each team window: the base map, pan and zoom,
//! "fit the theatre", range rings, threats in flight (as the team sees them), the marks of
//! intercepts and impacts, the scale bar and the legend. The units, their stacks and
//! labels are `map_units`. Clicking a unit selects it (and fills the inject form from
//! it); while the form picks a point, clicking the map chooses it.

use std::collections::HashMap;

use eframe::egui::{self, Align2, Color32, FontId, Pos2, Rect, Sense, Shape, Stroke, Vec2};

use super::map_units::{self, Mark, paint_mark, symbol};
use super::{CLASS_COLOURS, ExerciseApp, Scene, side_colour};
use crate::app::fog::{self, Team};
use crate::app::live::{LineKind, UnitKind};
use crate::app::map::{self, View};
use crate::geo::LatLon;
use crate::scenario::ThreatClass;

/// One map's state: its view, where it drew each unit, what is under the pointer, and
/// its switches (range rings per tier, labels, legend).
pub struct MapState {
    pub view: Option<View>,
    moved: bool,
    pub rect: Option<Rect>,
    /// Per unit: where it was drawn (`None`: not on this team's map).
    pub(super) drawn: Vec<Option<Pos2>>,
    /// Per unit: its true place on the screen.
    pub(super) truth: Vec<Option<Pos2>>,
    pub(super) hovered: Option<usize>,
    /// The stack under the pointer, fanned out: its place and its units.
    pub(super) stack: Option<(Pos2, Vec<usize>)>,
    pub rings: [bool; 3],
    pub labels: bool,
    pub legend: bool,
    ring_cache: HashMap<usize, (LatLon, Vec<Pos2>)>,
    /// The labels drawn in the last frame: unit and rectangle.
    pub placed: Vec<(usize, Rect)>,
}

impl Default for MapState {
    fn default() -> Self {
        MapState {
            view: None,
            moved: false,
            rect: None,
            drawn: Vec::new(),
            truth: Vec::new(),
            hovered: None,
            stack: None,
            rings: [true, true, false],
            labels: true,
            legend: false,
            ring_cache: HashMap::new(),
            placed: Vec::new(),
        }
    }
}

impl MapState {
    /// Forget what belongs to the last session (its units and rings).
    pub fn forget(&mut self) {
        self.ring_cache.clear();
        self.drawn.clear();
        self.truth.clear();
        self.hovered = None;
        self.stack = None;
    }

    /// Centre the view on a point, zoomed in at least a little.
    pub fn centre(&mut self, at: LatLon) {
        if let Some(v) = &mut self.view {
            let p = map::project(at);
            v.center = [p.x, p.y];
            v.scale = v.scale.max(60.0);
            self.moved = true;
        }
    }

    pub fn drawn_at(&self, unit: usize) -> Option<Pos2> {
        self.drawn.get(unit).copied().flatten()
    }

    /// The view that shows every unit on this map, with a margin.
    fn fit(&self, rect: Rect, scene: &Scene<'_>) -> View {
        let sc = &scene.session.scenario;
        let seconds = scene.snap.tick as f64 * sc.tick_seconds as f64;
        let (mut s, mut w, mut n, mut e) = (90.0f64, 180.0f64, -90.0f64, -180.0f64);
        for u in &scene.session.units {
            if !scene.team.sees_unit(sc, u) {
                continue;
            }
            let p = u.position(sc, seconds);
            (s, w, n, e) = (s.min(p.lat), w.min(p.lon), n.max(p.lat), e.max(p.lon));
        }
        if s > n {
            return View::theatre(rect);
        }
        let m = 1.0;
        View::fit(rect, LatLon::new(s - m, w - m), LatLon::new(n + m, e + m))
    }
}

/// What a click on the map asked for.
pub(super) enum Click {
    Unit(usize),
    Point(LatLon),
    Nothing,
}

/// Draw a map into the rest of `ui`; returns what a click asked for.
pub(super) fn show(
    ui: &mut egui::Ui,
    state: &mut MapState,
    scene: &Scene<'_>,
    selected: Option<usize>,
    picking: bool,
) -> Option<Click> {
    let fit = toolbar(ui, state);
    let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
    state.rect = Some(rect);
    if fit {
        state.view = Some(state.fit(rect, scene));
        state.moved = true;
    }
    let view = navigate(ui, state, rect, &response);
    let painter = ui.painter_at(rect);
    match scene.base {
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
    let sc = &scene.session.scenario;
    let seconds = scene.snap.tick as f64 * sc.tick_seconds as f64;
    paint_rings(state, &painter, rect, &view, scene, seconds);
    let hover = response.hover_pos();
    map_units::place(state, rect, &view, scene, seconds, hover);
    paint_threats(&painter, rect, &view, scene);
    map_units::paint(state, &painter, &view, scene, selected);
    paint_scale_and_cursor(&painter, rect, &view, hover);
    if picking {
        painter.text(
            rect.center_top() + Vec2::new(0.0, 12.0),
            Align2::CENTER_TOP,
            "click the map to choose the point",
            FontId::proportional(15.0),
            Color32::YELLOW,
        );
    }
    if state.legend {
        legend(ui, rect, scene);
    }
    if let Some(pos) = hover {
        map_units::hover_card(ui, state, scene, pos);
    }
    let p = response.interact_pointer_pos()?;
    if !response.clicked() {
        return None;
    }
    Some(if picking {
        Click::Point(view.screen_to_lat_lon(rect, p))
    } else {
        map_units::unit_at(state, p).map_or(Click::Nothing, Click::Unit)
    })
}

/// The row above the map: range rings per tier, labels, the legend, and "fit the
/// theatre". Returns whether "fit" was pressed.
fn toolbar(ui: &mut egui::Ui, state: &mut MapState) -> bool {
    let mut fit = false;
    ui.horizontal(|ui| {
        ui.label("rings");
        for t in 0..3 {
            ui.toggle_value(&mut state.rings[t], format!("tier {}", t + 1))
                .on_hover_text(format!("range rings of tier {} batteries", t + 1));
        }
        ui.separator();
        ui.toggle_value(&mut state.labels, "labels");
        ui.toggle_value(&mut state.legend, "legend");
        fit = ui
            .button("fit the theatre")
            .on_hover_text("zoom to show every unit")
            .clicked();
    });
    fit
}

/// This frame's view: the whole theatre until the user drags or zooms the map.
fn navigate(ui: &egui::Ui, state: &mut MapState, rect: Rect, response: &egui::Response) -> View {
    if !state.moved {
        state.view = Some(View::theatre(rect));
    }
    let view = state.view.get_or_insert_with(|| View::theatre(rect));
    if response.dragged() {
        view.pan(response.drag_delta());
        state.moved = true;
    }
    if let Some(hover) = response.hover_pos() {
        let (scroll, zoom) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
        let factor = (scroll * 0.0025).exp() * zoom;
        if factor != 1.0 {
            view.zoom_about(rect, hover, factor);
            state.moved = true;
        }
    }
    *view
}

fn paint_rings(
    state: &mut MapState,
    painter: &egui::Painter,
    rect: Rect,
    view: &View,
    scene: &Scene<'_>,
    seconds: f64,
) {
    let sc = &scene.session.scenario;
    for u in &scene.session.units {
        let (Some(b), Some(km)) = (u.battery, u.ring_km) else {
            continue;
        };
        let tier = sc.batteries[b].tier as usize;
        if km <= 0.0 || !state.rings[tier.clamp(1, 3) - 1] || !scene.team.owns(sc, u.side) {
            continue;
        }
        let pos = sc.battery_position(b, seconds);
        let entry = state
            .ring_cache
            .entry(b)
            .or_insert_with(|| (pos, map::ring(pos, km, 72)));
        if entry.0 != pos {
            *entry = (pos, map::ring(pos, km, 72));
        }
        let on = scene.snap.online.get(b).copied().unwrap_or(true);
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

/// Threats in flight with short trails (dashed where the team only presumes the flight),
/// and the intercepts and impacts of the last 20 simulated minutes, fading.
fn paint_threats(painter: &egui::Painter, rect: Rect, view: &View, scene: &Scene<'_>) {
    let sc = &scene.session.scenario;
    let plan = &scene.session.plan;
    let snap = scene.snap;
    let tick_s = sc.tick_seconds as f64;
    for seen in fog::threats(scene.session, snap, scene.team) {
        let info = &plan.track_info[seen.track as usize];
        let class = sc.weapons[info.weapon].class;
        let colour = CLASS_COLOURS[class.index()];
        let age = snap.tick.saturating_sub(seen.launch) as f64 * tick_s;
        let trail = (info.flight_s * 0.08).clamp(20.0, 1800.0).min(age);
        let pts: Vec<Pos2> = (0..=6)
            .map(|i| {
                let t = age - trail * (1.0 - i as f64 / 6.0);
                view.lat_lon_to_screen(rect, info.position(class, t).0)
            })
            .collect();
        let head = pts[pts.len() - 1];
        if seen.presumed {
            painter.extend(Shape::dashed_line(
                &pts,
                Stroke::new(1.2, colour.gamma_multiply(0.5)),
                3.0,
                3.0,
            ));
            painter.circle_stroke(head, 2.8, Stroke::new(1.2, colour));
        } else {
            painter.add(Shape::line(
                pts,
                Stroke::new(1.5, colour.gamma_multiply(0.5)),
            ));
            painter.circle_filled(head, 2.8, colour);
        }
    }
    let window = (1200.0 / tick_s) as u32;
    for l in scene.lines.iter().rev() {
        if l.tick + window < snap.tick {
            break;
        }
        if !scene.team.sees_line(l) {
            continue;
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

/// The scale bar (at the latitude under the pointer, or the map's centre) and the position
/// under the pointer.
fn paint_scale_and_cursor(painter: &egui::Painter, rect: Rect, view: &View, hover: Option<Pos2>) {
    let lat = hover
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
        format!(
            "{} km",
            if km >= 1.0 {
                format!("{km:.0}")
            } else {
                format!("{km:.1}")
            }
        ),
        FontId::proportional(12.0),
        ink,
    );
    if let Some(p) = hover {
        painter.text(
            rect.right_bottom() + Vec2::new(-10.0, -10.0),
            Align2::RIGHT_BOTTOM,
            crate::app::land::point(view.screen_to_lat_lon(rect, p)),
            FontId::monospace(13.0),
            ink,
        );
    }
}

/// The legend in the map's top right corner: unit shapes, side colours, threat classes
/// and marks.
fn legend(ui: &egui::Ui, rect: Rect, scene: &Scene<'_>) {
    let sc = &scene.session.scenario;
    egui::Area::new(ui.scope_id().with("legend"))
        .fixed_pos(rect.right_top() + Vec2::new(-230.0, 8.0))
        .order(egui::Order::Foreground)
        .interactable(false)
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_width(210.0);
                ui.strong("Legend");
                let shapes = [
                    (UnitKind::Base, "base"),
                    (UnitKind::City, "city"),
                    (UnitKind::Site, "site"),
                    (UnitKind::Ship, "ship or escort"),
                    (UnitKind::Carrier, "carrier"),
                    (UnitKind::Battery, "battery"),
                    (UnitKind::AirWing, "air wing (CAP)"),
                    (UnitKind::LaunchSite, "launch site"),
                    (UnitKind::Militia, "militia"),
                ];
                let grey = Color32::from_gray(200);
                for (kind, name) in shapes {
                    swatch_row(ui, name, |p, c| {
                        symbol(p, kind, c.center(), grey, Stroke::new(1.0, Color32::BLACK))
                    });
                }
                ui.separator();
                for (s, side) in sc.sides.iter().enumerate() {
                    if scene.team != Team::White && Team::of_side(sc, s) != scene.team {
                        continue;
                    }
                    let c = side_colour(sc, s);
                    swatch_row(ui, &side.name, |p, r| {
                        p.rect_filled(r.shrink(3.0), 2.0, c);
                    });
                }
                ui.separator();
                for c in ThreatClass::ALL {
                    let colour = CLASS_COLOURS[c.index()];
                    swatch_row(ui, c.name(), |p, r| {
                        paint_mark(p, r.center(), Mark::Threat(colour), 1.0)
                    });
                }
                for (mark, name) in [
                    (Mark::Intercept, "intercept"),
                    (Mark::Impact, "leaker, no hit"),
                    (Mark::Hit, "leaker that hit"),
                ] {
                    swatch_row(ui, name, |p, r| paint_mark(p, r.center(), mark, 1.0));
                }
                if scene.team == Team::Red {
                    ui.label("hollow, dashed: a flight presumed (its end not seen)");
                }
            });
        });
}

fn swatch_row(ui: &mut egui::Ui, name: &str, draw: impl FnOnce(&egui::Painter, Rect)) {
    ui.horizontal(|ui| {
        let (r, _) = ui.allocate_exact_size(Vec2::splat(16.0), Sense::hover());
        draw(ui.painter(), r);
        ui.label(name);
    });
}

impl ExerciseApp {
    /// The main window's map, in its view (the white cell's or a team's).
    pub(super) fn map_panel(&mut self, ui: &mut egui::Ui) {
        let (Some(session), Some(snap)) = (&self.session, &self.snap) else {
            return;
        };
        let scene = Scene {
            session,
            snap,
            lines: &self.lines,
            shots: &self.shots,
            team: self.team,
            base: self.map.as_ref(),
        };
        let click = show(ui, &mut self.main_map, &scene, self.selected, self.picking);
        self.drawn.map_labels = self.main_map.placed.clone();
        match click {
            Some(Click::Point(p)) => {
                self.form.to = p;
                self.picking = false;
            }
            Some(Click::Unit(i)) => {
                self.selected = Some(i);
                let (unit, session) = (session.units[i].clone(), session.clone());
                self.prefill(&unit, &session);
            }
            Some(Click::Nothing) => self.selected = None,
            None => {}
        }
    }
}
