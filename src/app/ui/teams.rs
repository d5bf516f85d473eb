//! The team windows: one native window per team (an egui viewport; inside the main window
//! where the platform has no second window, as under the test harness), each showing only
//! that team's view: its clock, its side of the tables, its map under the fog of war and
//! its log. No controls: the white cell runs the exercise from the main window.

use eframe::egui::{self, RichText};

use super::{ExerciseApp, Scene, log, map_view, panels};
use crate::app::fog::Team;
use crate::app::live::clock;

/// The slot of a team's window.
pub(super) fn index(team: Team) -> Option<usize> {
    match team {
        Team::White => None,
        Team::Blue => Some(0),
        Team::Red => Some(1),
    }
}

impl ExerciseApp {
    /// Show the open team windows; a window closed by its user is forgotten.
    pub(super) fn team_viewports(&mut self, ctx: &egui::Context) {
        for team in [Team::Blue, Team::Red] {
            let i = index(team).expect("a team");
            if self.team_windows[i].is_none() {
                continue;
            }
            let id = egui::ViewportId::from_hash_of(("hormuz-team", i));
            let builder = egui::ViewportBuilder::default()
                .with_title(format!("hormuz — {} team", team.name()))
                .with_inner_size([1100.0, 720.0])
                .with_min_inner_size([640.0, 420.0]);
            let close = ctx.show_viewport_immediate(id, builder, |ui, _| {
                self.team_window(ui, team);
                ui.ctx().input(|i| i.viewport().close_requested())
            });
            if close {
                self.team_windows[i] = None;
            }
        }
    }

    fn team_window(&mut self, ui: &mut egui::Ui, team: Team) {
        let i = index(team).expect("a team");
        let (Some(session), Some(snap), Some(w)) =
            (&self.session, &self.snap, self.team_windows[i].as_mut())
        else {
            ui.label("waiting for the exercise…");
            return;
        };
        let scene = Scene {
            session,
            snap,
            lines: &self.lines,
            shots: &self.shots,
            team,
            base: self.map.as_ref(),
        };
        let sc = &session.scenario;
        let size = ui.available_rect_before_wrap().size();
        egui::Panel::top(("team-top", i))
            .exact_size(30.0)
            .show(ui, |ui| {
                ui.horizontal_centered(|ui| {
                    ui.strong(format!("{} team", team.name()));
                    ui.separator();
                    ui.label(
                        RichText::new(format!(
                            "T+{} / {}",
                            clock(snap.tick, sc.tick_seconds),
                            clock(sc.ticks, sc.tick_seconds)
                        ))
                        .monospace()
                        .size(16.0),
                    );
                    ui.separator();
                    ui.add(egui::Label::new(RichText::new(&sc.name).weak()).truncate());
                });
            });
        egui::Panel::bottom(("team-log", i))
            .exact_size((size.y * 0.25).clamp(80.0, 240.0))
            .show(ui, |ui| {
                if let Some(at) = log::show(ui, &mut w.log, &scene) {
                    w.map.centre(at);
                }
            });
        egui::Panel::left(("team-state", i))
            .exact_size((size.x * 0.26).clamp(160.0, 320.0))
            .show(ui, |ui| {
                egui::ScrollArea::both()
                    .id_salt(("team-state-scroll", i))
                    .show(ui, |ui| panels::state_panel(ui, &scene));
            });
        egui::CentralPanel::default().show(ui, |ui| {
            map_view::show(ui, &mut w.map, &scene, None, false);
        });
    }
}
