//! The clock bar along the top, one row at any width: the scenario's name, the clock and
//! its controls (play, pause, step, run to a time, speed), and whose view the window
//! shows (with the team windows).

use eframe::egui::{self, RichText};

use super::{ExerciseApp, SPEEDS, Status};
use crate::app::fog::Team;
use crate::app::live::clock;
use crate::app::worker::Command;
use crate::scenario::types::Clock;

impl ExerciseApp {
    pub(super) fn top_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_centered(|ui| {
            let title = self
                .session
                .as_ref()
                .map(|s| s.scenario.name.clone())
                .unwrap_or_else(|| "hormuz".into());
            // The title takes what the controls leave.
            let room = (ui.available_width() - 760.0).clamp(40.0, 420.0);
            ui.scope(|ui| {
                ui.set_max_width(room);
                ui.add(egui::Label::new(RichText::new(&title).strong()).truncate())
                    .on_hover_text(title);
            });
            ui.separator();
            let (Some(s), Some(snap)) = (&self.session, &self.snap) else {
                return;
            };
            let sc = &s.scenario;
            let shown = self.scrub.unwrap_or(snap.tick);
            ui.label(
                RichText::new(format!(
                    "T+{} / {}",
                    clock(shown, sc.tick_seconds),
                    clock(sc.ticks, sc.tick_seconds)
                ))
                .monospace()
                .size(16.0),
            );
            let (finished, playing, tick_seconds) = (snap.finished, snap.playing, sc.tick_seconds);
            if playing {
                if ui.button("Pause").on_hover_text("Space").clicked() {
                    self.send(Command::Pause);
                }
            } else if ui
                .add_enabled(!finished, egui::Button::new("Play"))
                .on_hover_text("Space")
                .clicked()
            {
                self.send(Command::Play);
            }
            if ui
                .add_enabled(!finished, egui::Button::new("Step"))
                .on_hover_text("Run to the next moment at which anything happens (the right arrow)")
                .clicked()
            {
                self.send(Command::Step);
            }
            self.run_to_field(ui, tick_seconds);
            self.speed_box(ui);
            ui.separator();
            self.view_box(ui);
        });
    }

    /// The speed: presets, and + and - on the keyboard.
    fn speed_box(&mut self, ui: &mut egui::Ui) {
        let before = self.speed;
        egui::ComboBox::from_id_salt("speed")
            .width(70.0)
            .selected_text(format!("{}×", self.speed))
            .show_ui(ui, |ui| {
                for s in SPEEDS {
                    ui.selectable_value(&mut self.speed, s, format!("{s}×"));
                }
            })
            .response
            .on_hover_text("Simulated seconds per real second (+ and - on the keyboard)");
        if self.speed != before {
            self.send(Command::Speed(self.speed));
        }
    }

    /// Whose view this window shows, and the team windows.
    fn view_box(&mut self, ui: &mut egui::Ui) {
        egui::ComboBox::from_id_salt("view")
            .width(100.0)
            .selected_text(self.team.name())
            .show_ui(ui, |ui| {
                for t in Team::ALL {
                    ui.selectable_value(&mut self.team, t, t.name());
                }
            })
            .response
            .on_hover_text("Whose view this window shows: the white cell sees everything");
        for team in [Team::Blue, Team::Red] {
            let i = super::teams::index(team).expect("a team");
            let mut open = self.team_windows[i].is_some();
            if ui
                .toggle_value(&mut open, format!("{} window", team.name()))
                .on_hover_text(format!(
                    "A window of its own with {}'s view only, for the team's screen",
                    team.name()
                ))
                .changed()
            {
                self.set_team_window(team, open);
            }
        }
    }

    /// "Run to" a time of the scenario, forward or back: the clock goes straight there
    /// and stops, however fast the machine is (a briefing's next phase, or a test's exact
    /// tick). A field without a button, so the bar keeps to one line.
    fn run_to_field(&mut self, ui: &mut egui::Ui, tick_seconds: u32) {
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut self.run_to)
                    .hint_text("run to")
                    .desired_width(60.0),
            )
            .on_hover_text(
                "Go to a time of the scenario and stop there, forward or back: HH:MM or HH:MM:SS, then Enter",
            );
        if !(field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))) {
            return;
        }
        match Clock::parse(&self.run_to) {
            Some(t) => self.send(Command::RunTo(t.0 / tick_seconds.max(1))),
            None => {
                self.status = Some(Status {
                    text: format!(
                        "run to: expected a time HH:MM or HH:MM:SS, found {:?}",
                        self.run_to
                    ),
                    error: true,
                })
            }
        }
    }
}
