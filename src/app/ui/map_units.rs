//! Units on the map: where each is drawn, stacks of units at one place (fanned out when
//! zoomed in or under the pointer, a count on them otherwise), their symbols, and labels
//! placed so that they avoid each other (most important units first: carriers, launch
//! sites, militias, bases, cities, then the rest when zoomed in). Hovering a unit shows
//! its card; hovering a stack lists its units.

use eframe::egui::{self, Align2, Color32, FontId, Pos2, Rect, Shape, Stroke, Vec2};

use super::map_view::MapState;
use super::{Scene, side_colour, unit_card};
use crate::app::live::UnitKind;
use crate::app::map::View;
use crate::engine::layout::NEVER;

/// Units closer than this on the screen form a stack.
const STACK_POINTS: f32 = 14.0;
/// Zoomed in at least this far (points per degree), stacks are always fanned out.
const FAN_SCALE: f32 = 120.0;

/// Where each unit the team sees is drawn this frame: its true place, or fanned out
/// around its stack's place.
pub(super) fn place(
    state: &mut MapState,
    rect: Rect,
    view: &View,
    scene: &Scene<'_>,
    seconds: f64,
    hover: Option<Pos2>,
) {
    let sc = &scene.session.scenario;
    let units = &scene.session.units;
    state.truth = units
        .iter()
        .map(|u| {
            scene
                .team
                .sees_unit(sc, u)
                .then(|| view.lat_lon_to_screen(rect, u.position(sc, seconds)))
        })
        .collect();
    state.drawn = state.truth.clone();
    // Stacks: each unit joins the first stack whose place is within reach.
    let mut stacks: Vec<(Pos2, Vec<usize>)> = Vec::new();
    for (i, p) in state.truth.iter().enumerate() {
        let Some(p) = *p else { continue };
        match stacks
            .iter_mut()
            .find(|(at, _)| at.distance(p) < STACK_POINTS)
        {
            Some((_, members)) => members.push(i),
            None => stacks.push((p, vec![i])),
        }
    }
    // The stack under the pointer stays open while the pointer is over its fan.
    let open = state.stack.take().filter(|(at, members)| {
        hover.is_some_and(|h| h.distance(*at) <= fan_radius(members.len()) + 14.0)
    });
    let hovered = hover.and_then(|h| {
        stacks
            .iter()
            .find(|(at, m)| m.len() > 1 && at.distance(h) < STACK_POINTS)
            .cloned()
    });
    state.stack = open.or(hovered);
    for (at, members) in &stacks {
        let is_open = state.stack.as_ref().is_some_and(|(_, m)| m == members);
        if members.len() < 2 || !(is_open || view.scale >= FAN_SCALE) {
            continue;
        }
        let r = fan_radius(members.len());
        for (j, &i) in members.iter().enumerate() {
            let a = j as f32 / members.len() as f32 * std::f32::consts::TAU
                - std::f32::consts::FRAC_PI_2;
            state.drawn[i] = Some(*at + Vec2::new(a.cos(), a.sin()) * r);
        }
    }
    state.hovered = hover.and_then(|p| unit_at(state, p));
}

fn fan_radius(n: usize) -> f32 {
    (6.0 * n as f32).clamp(18.0, 60.0)
}

/// The unit drawn under a point, if any.
pub(super) fn unit_at(state: &MapState, p: Pos2) -> Option<usize> {
    state
        .drawn
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|s| (i, s.distance(p))))
        .filter(|(_, d)| *d <= 9.0)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// Label priority: lower first.
fn rank(kind: UnitKind) -> u8 {
    match kind {
        UnitKind::Carrier => 0,
        UnitKind::LaunchSite | UnitKind::Militia => 1,
        UnitKind::Base => 2,
        UnitKind::City => 3,
        UnitKind::Ship | UnitKind::Site => 4,
        UnitKind::Escort | UnitKind::Battery | UnitKind::AirWing => 5,
    }
}

/// Symbols, leader lines of fanned units, counts on closed stacks, hits, and the labels.
pub(super) fn paint(
    state: &mut MapState,
    painter: &egui::Painter,
    view: &View,
    scene: &Scene<'_>,
    selected: Option<usize>,
) {
    let sc = &scene.session.scenario;
    let snap = scene.snap;
    let clip = painter.clip_rect();
    // Leader lines first, under the symbols.
    for (i, d) in state.drawn.iter().enumerate() {
        if let (Some(d), Some(t)) = (d, state.truth[i])
            && d.distance(t) > 1.0
        {
            painter.line_segment([t, *d], Stroke::new(1.0, Color32::from_gray(170)));
            painter.circle_filled(t, 2.0, Color32::from_gray(200));
        }
    }
    let dark = Stroke::new(1.0, Color32::from_gray(20));
    let mut obstacles: Vec<Rect> = Vec::new();
    for (i, u) in scene.session.units.iter().enumerate() {
        let Some(p) = state.drawn[i] else { continue };
        if !clip.expand(20.0).contains(p) {
            continue;
        }
        let out = u
            .asset
            .is_some_and(|a| snap.assets.get(a).is_some_and(|s| s.out_at != NEVER));
        let silent = u
            .battery
            .is_some_and(|b| !snap.online.get(b).copied().unwrap_or(true))
            && scene.team.owns(sc, u.side);
        // A ship off its station in the live replicate (gone to port, or in reserve), and
        // what it carries: greyed like a battery switched off.
        let host = u
            .asset
            .or_else(|| u.battery.and_then(|b| sc.batteries[b].host));
        let away = host.is_some_and(|a| snap.assets.get(a).is_some_and(|s| s.away != 0))
            && scene.team.owns(sc, u.side);
        let fill = if out || silent || away {
            Color32::from_gray(120)
        } else {
            side_colour(sc, u.side)
        };
        symbol(painter, u.kind, p, fill, dark);
        obstacles.push(Rect::from_center_size(p, Vec2::splat(10.0)));
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
        if selected == Some(i) || state.hovered == Some(i) {
            painter.circle_stroke(p, 11.0, Stroke::new(1.5, Color32::WHITE));
        }
    }
    paint_stack_counts(state, painter);
    state.placed.clear();
    if state.labels {
        place_labels(state, painter, view, scene, &obstacles);
    }
}

/// A count on each stack drawn closed ("3" where three units stand at one place).
fn paint_stack_counts(state: &MapState, painter: &egui::Painter) {
    let mut seen: Vec<(Pos2, usize)> = Vec::new();
    for (i, t) in state.truth.iter().enumerate() {
        let (Some(t), Some(d)) = (t, state.drawn[i]) else {
            continue;
        };
        if d.distance(*t) > 1.0 {
            continue; // fanned
        }
        match seen.iter_mut().find(|(p, _)| p.distance(*t) < STACK_POINTS) {
            Some((_, n)) => *n += 1,
            None => seen.push((*t, 1)),
        }
    }
    for (p, n) in seen.into_iter().filter(|(_, n)| *n > 1) {
        let at = p + Vec2::new(-8.0, -8.0);
        painter.circle_filled(at, 6.0, Color32::from_gray(235));
        painter.text(
            at,
            Align2::CENTER_CENTER,
            n.to_string(),
            FontId::proportional(9.0),
            Color32::BLACK,
        );
    }
}

/// Labels, most important first, each at the first of four places (right, left, above,
/// below) that overlaps no label already placed, no symbol and not the map's edge.
fn place_labels(
    state: &mut MapState,
    painter: &egui::Painter,
    view: &View,
    scene: &Scene<'_>,
    obstacles: &[Rect],
) {
    let sc = &scene.session.scenario;
    let clip = painter.clip_rect().shrink(2.0);
    let mut order: Vec<usize> = (0..scene.session.units.len())
        .filter(|&i| state.drawn[i].is_some_and(|p| clip.contains(p)))
        .filter(|&i| {
            let k = scene.session.units[i].kind;
            rank(k) < 5 || view.scale > 150.0
        })
        .collect();
    let stacked = |i: usize| {
        state.hovered == Some(i) || state.stack.as_ref().is_some_and(|(_, m)| m.contains(&i))
    };
    order.sort_by_key(|&i| (!stacked(i), rank(scene.session.units[i].kind), i));
    let font = FontId::proportional(11.0);
    for i in order {
        let u = &scene.session.units[i];
        let p = state.drawn[i].expect("filtered");
        let colour = side_colour(sc, u.side).gamma_multiply(0.9);
        let galley = painter.layout_no_wrap(u.name.clone(), font.clone(), colour);
        let size = galley.size();
        let candidates = [
            Pos2::new(p.x + 9.0, p.y - size.y / 2.0),
            Pos2::new(p.x - 9.0 - size.x, p.y - size.y / 2.0),
            Pos2::new(p.x - size.x / 2.0, p.y - 9.0 - size.y),
            Pos2::new(p.x - size.x / 2.0, p.y + 9.0),
        ];
        let own = Rect::from_center_size(p, Vec2::splat(10.0));
        let free = candidates
            .into_iter()
            .map(|c| Rect::from_min_size(c, size))
            .find(|r| {
                clip.contains_rect(*r)
                    && !state
                        .placed
                        .iter()
                        .any(|(_, q)| q.expand(1.0).intersects(*r))
                    && !obstacles.iter().any(|o| *o != own && o.intersects(*r))
            });
        if let Some(r) = free {
            painter.galley(r.min, galley, colour);
            state.placed.push((i, r));
        }
    }
}

/// The card of the unit under the pointer, or the list of the stack under it.
pub(super) fn hover_card(ui: &egui::Ui, state: &MapState, scene: &Scene<'_>, pos: Pos2) {
    let sc = &scene.session.scenario;
    let show = |add: &mut dyn FnMut(&mut egui::Ui)| {
        egui::Area::new(ui.scope_id().with("unit-hover"))
            .fixed_pos(pos + Vec2::new(16.0, 16.0))
            .order(egui::Order::Tooltip)
            .interactable(false)
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_max_width(320.0);
                    add(ui);
                });
            });
    };
    if let Some(h) = state.hovered {
        let unit = scene.session.units[h].clone();
        show(&mut |ui| unit_card(ui, scene, &unit));
    } else if let Some((at, members)) = &state.stack
        && at.distance(pos) < STACK_POINTS
    {
        show(&mut |ui| {
            ui.strong(format!("{} units here", members.len()));
            for &i in members {
                let u = &scene.session.units[i];
                ui.label(
                    egui::RichText::new(format!("{} — {}", u.name, u.kind.describe()))
                        .color(side_colour(sc, u.side)),
                );
            }
            ui.label(egui::RichText::new("point at one for its card").weak());
        });
    }
}

/// Marks on the map, also drawn in the legend.
#[derive(Clone, Copy)]
pub(super) enum Mark {
    Threat(Color32),
    Intercept,
    /// A leaker that missed (or did no harm).
    Impact,
    /// A leaker that hit.
    Hit,
}

pub(super) fn paint_mark(painter: &egui::Painter, p: Pos2, mark: Mark, fade: f32) {
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

/// A unit's symbol: squares for bases, circles for cities, diamonds for ships and launch
/// sites, triangles for batteries.
pub(super) fn symbol(
    painter: &egui::Painter,
    kind: UnitKind,
    p: Pos2,
    fill: Color32,
    edge: Stroke,
) {
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
