//! The exercise log along the bottom of the window.

use eframe::egui::{self, Color32, RichText};

use super::ExerciseApp;
use crate::app::live::{LineKind, clock};
use crate::app::map;

impl ExerciseApp {
    /// The log along the bottom, filtered by side and kind; clicking a line with a place
    /// centres the map on it.
    pub(super) fn log_panel(&mut self, ui: &mut egui::Ui) {
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
