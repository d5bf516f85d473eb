//! The timeline under the map: the whole scenario as a scrubber, with the scenario's
//! phases as bands, its fixed-time orders, the triggers that fired, the injects (given,
//! or ahead after going back) and the what-ifs run as marks. Drag or click it to go to a
//! time: forward the clock runs there, back the exercise replays to it exactly.

use eframe::egui::{self, Align2, Color32, FontId, Pos2, Rect, Sense, Shape, Stroke, Vec2};

use super::ExerciseApp;
use crate::app::live::{LineKind, clock};
use crate::app::worker::Command;
use crate::scenario::types::Clock;
use crate::scenario::{Action, When};

/// A phase of the scenario, read from its description: lines such as
/// `Phase B (02:00): a limited US punitive strike ...` or `Phase C (02:25-12:45): ...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Phase {
    pub name: String,
    pub start_s: u32,
    pub end_s: Option<u32>,
    pub title: String,
}

/// The phases a scenario's description names, in order.
pub fn phases(description: &str) -> Vec<Phase> {
    let text = description.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("Phase ") {
        rest = &rest[i + 6..];
        let Some((name, after)) = rest.split_once(" (") else {
            break;
        };
        let Some((times, after)) = after.split_once("): ") else {
            continue;
        };
        if name.contains(' ') || name.is_empty() {
            continue;
        }
        let (a, b) = match times.split_once('-') {
            Some((a, b)) => (a, Some(b)),
            None => (times, None),
        };
        let Some(start) = Clock::parse(a.trim()) else {
            continue;
        };
        let end = b.and_then(|b| Clock::parse(b.trim())).map(|c| c.0);
        let title: String = after
            .split(". ")
            .next()
            .unwrap_or_default()
            .trim_end_matches('.')
            .to_string();
        out.push(Phase {
            name: name.to_string(),
            start_s: start.0,
            end_s: end,
            title,
        });
        rest = after;
    }
    out
}

/// One mark on the timeline.
struct Mark {
    tick: u32,
    kind: MarkKind,
    text: String,
}

#[derive(Clone, Copy, PartialEq)]
enum MarkKind {
    Order,
    Trigger,
    Inject { ahead: bool },
    WhatIf,
}

const PHASE_COLOURS: [Color32; 4] = [
    Color32::from_rgb(60, 80, 110),
    Color32::from_rgb(80, 70, 110),
    Color32::from_rgb(60, 100, 90),
    Color32::from_rgb(100, 80, 60),
];

impl ExerciseApp {
    /// The timeline's phases and marks as (tick, text): "phase A: incidents", "order
    /// wave: salvo of 20", a trigger's log line, "inject-1: ...", "what-if ...".
    pub fn timeline_marks(&self) -> Vec<(u32, String)> {
        let mut out: Vec<(u32, String)> = match &self.session {
            Some(s) => phases(&s.scenario.description)
                .into_iter()
                .map(|p| {
                    (
                        p.start_s / s.scenario.tick_seconds.max(1),
                        format!("phase {}: {}", p.name, p.title),
                    )
                })
                .collect(),
            None => Vec::new(),
        };
        out.extend(self.marks().into_iter().map(|m| (m.tick, m.text)));
        out.sort_by_key(|m| m.0);
        out
    }

    fn marks(&self) -> Vec<Mark> {
        let (Some(session), Some(snap)) = (&self.session, &self.snap) else {
            return Vec::new();
        };
        let sc = &session.scenario;
        let mut marks = Vec::new();
        for o in sc.orders.iter().filter(|o| !o.inject) {
            if let When::At(t) = o.when {
                let what = match &o.action {
                    Action::Salvo { count, .. } => format!("salvo of {count}"),
                    Action::Strike { .. } => "strike".into(),
                    Action::Activate { .. } => "militias activated".into(),
                    Action::Switch { .. } => "battery switched".into(),
                    Action::Relocate { .. } => "battery relocated".into(),
                    Action::Divert { .. } => "carrier diverted".into(),
                    Action::Resupply { rounds, .. } => format!("resupply of {rounds} rounds"),
                    Action::Rearm { .. } => "ship to port to rearm".into(),
                };
                marks.push(Mark {
                    tick: t,
                    kind: MarkKind::Order,
                    text: format!("order {}: {what}", o.id),
                });
            }
        }
        // Each decision at its time, with what it may come to (the log says what it did).
        for d in &sc.decisions {
            let outcomes: Vec<&str> = d.outcomes.iter().map(|o| o.id.as_str()).collect();
            marks.push(Mark {
                tick: d.at,
                kind: MarkKind::Order,
                text: format!("decision {}: {}", d.id, outcomes.join(" / ")),
            });
        }
        for l in self.lines.iter().filter(|l| l.kind == LineKind::Trigger) {
            marks.push(Mark {
                tick: l.tick,
                kind: MarkKind::Trigger,
                text: l.text.clone(),
            });
        }
        for (i, g) in session.injects.iter().enumerate() {
            marks.push(Mark {
                tick: g.tick,
                kind: MarkKind::Inject {
                    ahead: g.tick > snap.tick,
                },
                text: format!(
                    "inject-{}: {}",
                    i + 1,
                    crate::app::live::describe_inject(&g.inject).1
                ),
            });
        }
        for (t, text) in &self.what_if_marks {
            marks.push(Mark {
                tick: *t,
                kind: MarkKind::WhatIf,
                text: text.clone(),
            });
        }
        marks
    }

    /// The timeline: phases, marks, where the clock is; drag or click to go to a time.
    pub(super) fn timeline(&mut self, ui: &mut egui::Ui) {
        let (Some(session), Some(snap)) = (self.session.clone(), self.snap.as_ref()) else {
            return;
        };
        let sc = &session.scenario;
        let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        let bar = Rect::from_min_max(
            Pos2::new(rect.left() + 10.0, rect.top() + 4.0),
            Pos2::new(rect.right() - 10.0, rect.bottom() - 14.0),
        );
        let end = sc.ticks.max(1);
        let per_tick = bar.width() / end as f32;
        let x_of = |t: u32| bar.left() + t.min(end) as f32 * per_tick;
        let tick_at = |x: f32| (((x - bar.left()) / per_tick).round().max(0.0) as u32).min(end);
        self.drawn.timeline = Some((bar, bar.left(), per_tick));
        let painter = ui.painter_at(rect);
        painter.rect_filled(bar, 3.0, Color32::from_gray(38));
        // Phases as bands along the top half, named.
        let band = Rect::from_min_max(bar.min, Pos2::new(bar.right(), bar.center().y));
        for (i, p) in phases(&sc.description).iter().enumerate() {
            let (a, b) = (
                p.start_s / sc.tick_seconds,
                p.end_s.map(|e| e / sc.tick_seconds),
            );
            let r = Rect::from_min_max(
                Pos2::new(x_of(a), band.top()),
                Pos2::new(x_of(b.unwrap_or(a + end / 200).max(a + 1)), band.bottom()),
            );
            painter.rect_filled(r, 2.0, PHASE_COLOURS[i % PHASE_COLOURS.len()]);
            painter.text(
                r.left_center() + Vec2::new(3.0, 0.0),
                Align2::LEFT_CENTER,
                format!("Phase {}", p.name),
                FontId::proportional(10.0),
                Color32::from_gray(220),
            );
        }
        // Hours.
        let hour = 3600 / sc.tick_seconds.max(1);
        let step = if end / hour.max(1) > 12 {
            2 * hour
        } else {
            hour
        };
        for t in (0..=end).step_by(step.max(1) as usize) {
            painter.text(
                Pos2::new(x_of(t), bar.bottom() + 1.0),
                Align2::CENTER_TOP,
                format!("{:02}", t / hour.max(1)),
                FontId::monospace(9.0),
                Color32::from_gray(150),
            );
        }
        let marks = self.marks();
        let y = bar.center().y + bar.height() / 4.0;
        for m in &marks {
            paint_mark(&painter, Pos2::new(x_of(m.tick), y), m.kind);
        }
        // Where the clock is, and where it is being dragged to.
        let now = x_of(snap.tick);
        painter.line_segment(
            [
                Pos2::new(now, bar.top() - 2.0),
                Pos2::new(now, bar.bottom() + 2.0),
            ],
            Stroke::new(2.0, Color32::WHITE),
        );
        if let Some(p) = response.interact_pointer_pos()
            && (response.dragged() || response.drag_started())
        {
            self.scrub = Some(tick_at(p.x));
        }
        if let Some(t) = self.scrub {
            let x = x_of(t);
            painter.line_segment(
                [Pos2::new(x, bar.top()), Pos2::new(x, bar.bottom())],
                Stroke::new(2.0, Color32::YELLOW),
            );
        }
        let release = response.drag_stopped() || response.clicked();
        if release && let Some(p) = response.interact_pointer_pos() {
            let t = self.scrub.take().unwrap_or_else(|| tick_at(p.x));
            self.send(Command::RunTo(t));
        } else if !response.dragged() {
            self.scrub = None;
        }
        if let Some(p) = response.hover_pos() {
            let t = tick_at(p.x);
            let near: Vec<&Mark> = marks
                .iter()
                .filter(|m| (x_of(m.tick) - p.x).abs() <= 4.0)
                .collect();
            let tip = std::iter::once(format!(
                "T+{}: click or drag to go there{}",
                clock(t, sc.tick_seconds),
                if t < snap.tick {
                    " (the exercise replays to it)"
                } else {
                    ""
                }
            ))
            .chain(
                near.iter()
                    .map(|m| format!("T+{} {}", clock(m.tick, sc.tick_seconds), m.text)),
            )
            .collect::<Vec<_>>()
            .join("\n");
            response.on_hover_text_at_pointer(tip);
        }
    }
}

fn paint_mark(painter: &egui::Painter, p: Pos2, kind: MarkKind) {
    match kind {
        MarkKind::Order => {
            painter.line_segment(
                [p + Vec2::new(0.0, -5.0), p + Vec2::new(0.0, 5.0)],
                Stroke::new(1.0, Color32::from_gray(170)),
            );
        }
        MarkKind::Trigger => {
            let d = 4.5;
            painter.add(Shape::convex_polygon(
                vec![
                    p + Vec2::new(0.0, -d),
                    p + Vec2::new(d, 0.0),
                    p + Vec2::new(0.0, d),
                    p + Vec2::new(-d, 0.0),
                ],
                Color32::from_rgb(255, 170, 60),
                Stroke::NONE,
            ));
        }
        MarkKind::Inject { ahead } => {
            let pts = vec![
                p + Vec2::new(0.0, -6.0),
                p + Vec2::new(5.0, 4.0),
                p + Vec2::new(-5.0, 4.0),
            ];
            if ahead {
                painter.add(Shape::closed_line(pts, Stroke::new(1.5, Color32::YELLOW)));
            } else {
                painter.add(Shape::convex_polygon(pts, Color32::YELLOW, Stroke::NONE));
            }
        }
        MarkKind::WhatIf => {
            painter.circle_stroke(p, 4.5, Stroke::new(1.8, Color32::from_rgb(110, 170, 255)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_read_from_the_description() {
        let d = "Intro.
Phase A (00:00-02:00): incidents. Boats harass a tanker.
Phase B (02:00): a limited
US punitive strike. More.
Phase C (02:25-12:45): Iran retaliates across theatres.";
        let p = phases(d);
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].name, "A");
        assert_eq!((p[0].start_s, p[0].end_s), (0, Some(7200)));
        assert_eq!(p[0].title, "incidents");
        assert_eq!(p[1].title, "a limited US punitive strike");
        assert_eq!(p[1].end_s, None);
        assert_eq!(p[2].start_s, 2 * 3600 + 25 * 60);
        assert!(phases("no phases here").is_empty());
    }
}
