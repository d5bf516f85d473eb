//! The exercise log along the bottom of a window, as the viewing team saw it, filtered by
//! side and kind. A line clicked is shown whole (wrapped) above the list, and the map
//! centres on where it happened.

use eframe::egui::{self, Color32, RichText};

use super::{ExerciseApp, Scene};
use crate::app::live::{LineKind, LogLine, clock};
use crate::geo::LatLon;

/// A log's filters and the line clicked.
#[derive(Clone, Debug)]
pub struct LogFilter {
    pub side: Option<usize>,
    pub kinds: [bool; 8],
    /// The line shown whole: (tick, text).
    pub chosen: Option<(u32, String)>,
}

impl Default for LogFilter {
    fn default() -> Self {
        LogFilter {
            side: None,
            kinds: [true; 8],
            chosen: None,
        }
    }
}

fn colour(ui: &egui::Ui, l: &LogLine) -> Color32 {
    match l.kind {
        LineKind::Leaker => Color32::from_rgb(255, 120, 100),
        LineKind::Intercept => Color32::from_rgb(140, 230, 170),
        LineKind::Inject => Color32::YELLOW,
        LineKind::Trigger => Color32::from_rgb(255, 190, 90),
        _ => ui.visuals().text_color(),
    }
}

/// Draw a log; returns where to centre the map when a line with a place was clicked.
pub(super) fn show(ui: &mut egui::Ui, filter: &mut LogFilter, scene: &Scene<'_>) -> Option<LatLon> {
    let sc = &scene.session.scenario;
    ui.horizontal(|ui| {
        ui.strong("Exercise log");
        egui::ComboBox::new(ui.scope_id().with("log-side"), "sides")
            .width(130.0)
            .selected_text(match filter.side {
                None => "all sides".to_string(),
                Some(s) => sc.sides[s].name.clone(),
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.side, None, "all sides");
                for (s, side) in sc.sides.iter().enumerate() {
                    if scene.team.owns(sc, s) || scene.team == crate::app::fog::Team::White {
                        ui.selectable_value(&mut filter.side, Some(s), &side.name);
                    }
                }
            });
        for (i, k) in LineKind::ALL.iter().enumerate() {
            ui.toggle_value(&mut filter.kinds[i], k.name());
        }
    });
    let tick_s = sc.tick_seconds;
    let text = |l: &LogLine| {
        format!(
            "{}  {:<9}  {}",
            clock(l.tick, tick_s),
            l.kind.name(),
            l.text
        )
    };
    if let Some((tick, t)) = &filter.chosen {
        let line = format!("{}  {t}", clock(*tick, tick_s));
        ui.horizontal(|ui| {
            if ui.small_button("×").on_hover_text("close").clicked() {
                filter.chosen = None;
            }
            ui.add(egui::Label::new(RichText::new(line).monospace().strong()).wrap());
        });
    }
    let kinds = filter.kinds;
    let side = filter.side;
    let shown: Vec<&LogLine> = scene
        .lines
        .iter()
        .filter(|l| {
            let k = LineKind::ALL.iter().position(|x| *x == l.kind).unwrap_or(0);
            kinds[k] && side.is_none_or(|s| l.sides.contains(&s)) && scene.team.sees_line(l)
        })
        .collect();
    let row = ui.text_style_height(&egui::TextStyle::Monospace) + 3.0;
    let mut centre = None;
    ui.spacing_mut().item_spacing.y = 0.0;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .stick_to_bottom(true)
        .show_rows(ui, row, shown.len(), |ui, range| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
            for l in &shown[range] {
                let r = ui.add(
                    egui::Button::selectable(
                        false,
                        RichText::new(text(l)).monospace().color(colour(ui, l)),
                    )
                    .min_size(egui::vec2(0.0, row)),
                );
                if r.clicked() {
                    centre = l.at;
                    filter.chosen = Some((l.tick, format!("{}  {}", l.kind.name(), l.text)));
                }
            }
        });
    centre
}

impl ExerciseApp {
    pub(super) fn log_panel(&mut self, ui: &mut egui::Ui) {
        let (Some(session), Some(snap)) = (&self.session, &self.snap) else {
            return;
        };
        let scene = Scene {
            session,
            snap,
            lines: &self.lines,
            shots: &self.shots,
            team: self.team,
            base: None,
        };
        if let Some(at) = show(ui, &mut self.log, &scene) {
            self.main_map.centre(at);
        }
    }
}
