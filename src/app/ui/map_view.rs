//! The map view: the base map, pan and zoom, range rings, units, threats in flight, the
//! marks of intercepts and impacts, the scale bar, and the card of the unit under the
//! pointer. Clicking a unit selects it (and fills the inject form from it); while the
//! form picks a point, clicking the map chooses it.

use std::collections::HashMap;

use eframe::egui::{self, Align2, Color32, FontId, Pos2, Rect, Sense, Shape, Stroke, Vec2};

use super::{CLASS_COLOURS, ExerciseApp, side_colour, unit_card};
use crate::app::live::{LineKind, Session, Snapshot, UnitKind};
use crate::app::map::{self, View};
use crate::engine::layout::NEVER;
use crate::scenario::ThreatClass;

impl ExerciseApp {
    pub(super) fn map_panel(&mut self, ui: &mut egui::Ui) {
        self.map_legend(ui);
        let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        self.map_rect = Some(rect);
        let view = self.navigate(ui, rect, &response);
        let painter = ui.painter_at(rect);
        self.paint_base(&painter, rect, &view);
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
        paint_scale_and_cursor(&painter, rect, &view, response.hover_pos());
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

    /// The row above the map: which range rings and labels to draw, and the marks' legend.
    fn map_legend(&mut self, ui: &mut egui::Ui) {
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
    }

    /// This frame's view: the whole theatre until the user drags or zooms the map.
    fn navigate(&mut self, ui: &egui::Ui, rect: Rect, response: &egui::Response) -> View {
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
        *view
    }

    /// Land and sea, or what kept the base map from loading.
    fn paint_base(&self, painter: &egui::Painter, rect: Rect, view: &View) {
        match &self.map {
            Some(Ok(m)) => m.paint(painter, rect, view),
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
        &mut self,
        painter: &egui::Painter,
        view: &View,
        session: &Session,
        snap: &Snapshot,
    ) {
        let sc = &session.scenario;
        self.drawn.map_labels.clear();
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
                let r = painter.text(
                    p + Vec2::new(8.0, 2.0),
                    Align2::LEFT_TOP,
                    &u.name,
                    FontId::proportional(11.0),
                    colour.gamma_multiply(0.9),
                );
                self.drawn.map_labels.push((i, r));
            }
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
        format!("{} km", km_text(km)),
        FontId::proportional(12.0),
        ink,
    );
    if let Some(p) = hover {
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

fn km_text(km: f64) -> String {
    if km >= 1.0 {
        format!("{km:.0}")
    } else {
        format!("{km:.1}")
    }
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
