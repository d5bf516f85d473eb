//! The right panel: the selected unit's card, the inject form and the injects given, the
//! what-if, and the exercise's files (save, asking before overwriting; load; the
//! after-action report).

use eframe::egui::{self, Color32, RichText};

use super::{ExerciseApp, Scene, unit_card};
use crate::app::worker::Command;

impl ExerciseApp {
    pub(super) fn orders_panel(&mut self, ui: &mut egui::Ui) {
        let (Some(session), Some(snap)) = (self.session.clone(), self.snap.clone()) else {
            return;
        };
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
        if let Some(i) = self.selected {
            let unit = session.units[i].clone();
            egui::CollapsingHeader::new("Selected unit")
                .default_open(true)
                .show(ui, |ui| {
                    let scene = Scene {
                        session: &session,
                        snap: &snap,
                        lines: &self.lines,
                        shots: &self.shots,
                        team: self.team,
                        base: None,
                    };
                    unit_card(ui, &scene, &unit);
                    if ui.small_button("clear selection").clicked() {
                        self.selected = None;
                    }
                });
        }
        egui::CollapsingHeader::new("Inject")
            .default_open(true)
            .show(ui, |ui| {
                self.inject_form(ui, &session, &snap);
                ui.separator();
                self.injects_list(ui, &session, &snap);
            });
        egui::CollapsingHeader::new("What-if")
            .default_open(true)
            .show(ui, |ui| self.what_if_panel(ui, &session, &snap));
        egui::CollapsingHeader::new("Exercise file and report")
            .default_open(false)
            .show(ui, |ui| self.files_panel(ui));
    }

    fn files_panel(&mut self, ui: &mut egui::Ui) {
        let wide = (ui.available_width() - 8.0).max(120.0);
        ui.label("save the exercise to");
        ui.add(egui::TextEdit::singleline(&mut self.save_path).desired_width(wide))
            .on_hover_text("file to save the exercise to (JSON)");
        if let Some(p) = self.overwrite.clone() {
            ui.label(
                RichText::new(format!("{} already exists.", p.display())).color(Color32::YELLOW),
            );
            ui.horizontal(|ui| {
                if ui.button("Overwrite").clicked() {
                    self.overwrite = None;
                    self.send(Command::SaveOver(p));
                }
                if ui.button("Cancel").clicked() {
                    self.overwrite = None;
                    self.status = None;
                }
            });
        } else if ui.button("Save exercise").clicked() {
            self.send(Command::Save(self.save_path.clone().into()));
        }
        ui.add_space(4.0);
        ui.label("load a saved exercise");
        ui.add(egui::TextEdit::singleline(&mut self.load_path).desired_width(wide))
            .on_hover_text("saved exercise to load");
        if ui.button("Load exercise").clicked() {
            self.send(Command::Load(self.load_path.clone().into()));
        }
        ui.add_space(4.0);
        ui.label("after-action report into the folder");
        ui.add(egui::TextEdit::singleline(&mut self.export_dir).desired_width(wide))
            .on_hover_text("folder for the after-action report");
        if ui
            .button("Export report")
            .on_hover_text("report.html (summary, charts, log), events.csv and what-if.csv")
            .clicked()
        {
            self.send(Command::Export(self.export_dir.clone().into()));
        }
        if let Some(f) = &self.scenario_file {
            ui.label(RichText::new(format!("scenario: {f}")).weak());
        }
    }
}
