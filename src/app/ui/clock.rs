//! The clock bar along the top: the scenario's name, the clock and its controls (play,
//! pause, step, run to a time, speed), and the status line.

use eframe::egui::{self, Color32, RichText};

use super::{ExerciseApp, Status};
use crate::app::live::clock;
use crate::app::worker::Command;
use crate::scenario::types::Clock;

impl ExerciseApp {
    pub(super) fn top_bar(&mut self, ui: &mut egui::Ui) {
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
                let (finished, tick_seconds) = (snap.finished, sc.tick_seconds);
                if snap.playing {
                    if ui.button("Pause").clicked() {
                        self.send(Command::Pause);
                    }
                } else if ui
                    .add_enabled(!finished, egui::Button::new("Play"))
                    .clicked()
                {
                    self.send(Command::Play);
                }
                if ui
                    .add_enabled(!finished, egui::Button::new("Step"))
                    .on_hover_text("Run to the next moment at which anything happens")
                    .clicked()
                {
                    self.send(Command::Step);
                }
                self.run_to_field(ui, finished, tick_seconds);
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
                if finished {
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

    /// "Run to" a time of the scenario: the clock goes straight there and stops, however
    /// fast the machine is (a briefing's next phase, or a test's exact tick). A field
    /// without a button, so the bar keeps to one line in a 1280-point window.
    fn run_to_field(&mut self, ui: &mut egui::Ui, finished: bool, tick_seconds: u32) {
        let field = ui
            .add_enabled(
                !finished,
                egui::TextEdit::singleline(&mut self.run_to)
                    .hint_text("run to")
                    .desired_width(60.0),
            )
            .on_hover_text(
                "Run the clock to a time of the scenario and stop there: HH:MM or HH:MM:SS, then Enter",
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
