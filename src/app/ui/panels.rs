//! The side panels. Left: threats by class, costs by side, leakers and hits per asset,
//! the magazines. Right: the selected unit's card, the inject form, the what-if with its
//! histogram, and the exercise's files.

use eframe::egui::{self, Color32, RichText};
use egui_plot::{Bar, BarChart, LineStyle, Plot, VLine};

use super::{CLASS_COLOURS, ExerciseApp, side_colour, usd};
use crate::app::charts;
use crate::app::live::{Session, Snapshot, UnitInfo, UnitKind, clock};
use crate::app::worker::Command;
use crate::engine::layout::NEVER;
use crate::engine::plan::Plan;
use crate::report::Stat;
use crate::scenario::{Scenario, ThreatClass};

/// Which histogram the what-if shows: leakers, or hits on one asset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chart {
    Leakers,
    Hits(usize),
}

impl ExerciseApp {
    // ---- left: threats, costs, assets, magazines

    pub(super) fn state_panel(&mut self, ui: &mut egui::Ui) {
        let (Some(session), Some(snap)) = (self.session.clone(), self.snap.clone()) else {
            return;
        };
        let sc = &session.scenario;
        let plan = &session.plan;
        egui::CollapsingHeader::new("Threats")
            .default_open(true)
            .show(ui, |ui| threats_table(ui, sc, plan, &snap));
        egui::CollapsingHeader::new("Costs so far")
            .default_open(true)
            .show(ui, |ui| costs_table(ui, sc, &snap));
        egui::CollapsingHeader::new("Leakers and hits per asset")
            .default_open(true)
            .show(ui, |ui| assets_table(ui, sc, &snap));
        egui::CollapsingHeader::new("Magazines")
            .default_open(true)
            .show(ui, |ui| magazines(ui, sc, plan, &snap));
    }

    // ---- right: the selected unit, inject, what-if, files

    pub(super) fn orders_panel(&mut self, ui: &mut egui::Ui) {
        let (Some(session), Some(snap)) = (self.session.clone(), self.snap.clone()) else {
            return;
        };
        if let Some(i) = self.selected {
            let unit = session.units[i].clone();
            egui::CollapsingHeader::new("Selected unit")
                .default_open(true)
                .show(ui, |ui| {
                    unit_card(ui, &session, &snap, &unit);
                    if ui.small_button("clear selection").clicked() {
                        self.selected = None;
                    }
                });
        }
        egui::CollapsingHeader::new("Inject")
            .default_open(true)
            .show(ui, |ui| self.inject_form(ui, &session, &snap));
        egui::CollapsingHeader::new("What-if")
            .default_open(true)
            .show(ui, |ui| self.what_if_panel(ui, &session, &snap));
        egui::CollapsingHeader::new("Exercise file and report")
            .default_open(false)
            .show(ui, |ui| self.files_panel(ui));
    }

    fn what_if_panel(&mut self, ui: &mut egui::Ui, session: &Session, snap: &Snapshot) {
        let sc = &session.scenario;
        ui.horizontal(|ui| {
            let l = ui.label("replicates");
            ui.add(egui::DragValue::new(&mut self.what_if_replicates).range(1..=100_000))
                .labelled_by(l.id);
        });
        let running = self.what_if_progress.is_some();
        if ui
            .add_enabled(
                !running,
                egui::Button::new(format!(
                    "Run what-if from T+{}",
                    clock(snap.tick, sc.tick_seconds)
                )),
            )
            .clicked()
        {
            self.what_if_progress = Some((0, 1));
            self.send(Command::WhatIf {
                replicates: self.what_if_replicates,
            });
        }
        if let Some((done, total)) = self.what_if_progress {
            what_if_progress(ui, done, total);
        }
        let Some(w) = self.what_if.clone() else {
            return;
        };
        ui.label(format!(
            "{} replicates from T+{} ({:.1} s)",
            w.replicates,
            clock(w.from_tick, sc.tick_seconds),
            w.wall_seconds
        ));
        let hit_assets: Vec<usize> = w
            .hits
            .iter()
            .enumerate()
            .filter(|(_, h)| h.2.iter().any(|&x| x > 0.0))
            .map(|(i, _)| i)
            .collect();
        let name = |c: Chart| match c {
            Chart::Leakers => "leakers (whole scenario)".to_string(),
            Chart::Hits(a) => format!("hits on {}", w.hits[a].0),
        };
        egui::ComboBox::new("chart", "chart")
            .selected_text(name(self.chart))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut self.chart, Chart::Leakers, name(Chart::Leakers));
                for &a in &hit_assets {
                    ui.selectable_value(&mut self.chart, Chart::Hits(a), name(Chart::Hits(a)));
                }
            });
        let values: &[f64] = match self.chart {
            Chart::Leakers => &w.leakers,
            Chart::Hits(a) => &w.hits[a].2,
        };
        let stat = Stat::of(values);
        let bars: Vec<Bar> = charts::histogram(values)
            .iter()
            .map(|b| {
                Bar::new(
                    if b.width <= 1.0 { b.start } else { b.centre() },
                    b.count as f64,
                )
                .width(b.width * 0.9)
            })
            .collect();
        let texts = std::cell::RefCell::new(Vec::new());
        let tallest = bars.iter().map(|b| b.value as u32).max().unwrap_or(0);
        let r = Plot::new("what-if-histogram")
            .height(180.0)
            .allow_scroll(false)
            .allow_drag(false)
            .allow_zoom(false)
            .x_axis_formatter(|mark, range| {
                let t = default_tick(mark, range);
                texts.borrow_mut().push(t.clone());
                t
            })
            .label_formatter(|pos| {
                let t = egui_plot::default_label_formatter(pos);
                texts.borrow_mut().extend(t.clone());
                t
            })
            .show(ui, |p| {
                p.bar_chart(
                    BarChart::new(name(self.chart), bars).color(Color32::from_rgb(90, 140, 210)),
                );
                p.vline(VLine::new("mean", stat.mean).color(Color32::RED).width(2.0));
                for (n, x) in [("p5", stat.p5), ("p95", stat.p95)] {
                    p.vline(
                        VLine::new(n, x)
                            .color(Color32::LIGHT_GRAY)
                            .style(LineStyle::dashed_dense()),
                    );
                }
            });
        self.drawn.histogram_rect = Some(r.response.rect);
        let b = r.transform.bounds();
        self.drawn.histogram = Some(super::HistogramDrawn {
            bounds: [b.min()[0], b.min()[1], b.max()[0], b.max()[1]],
            tallest,
            texts: texts.into_inner(),
        });
        ui.label(format!(
            "mean {:.1} · p5 {} · p95 {} · min {} · max {}",
            stat.mean, stat.p5, stat.p95, stat.min, stat.max
        ));
    }

    fn files_panel(&mut self, ui: &mut egui::Ui) {
        egui::Grid::new("files").show(ui, |ui| {
            ui.text_edit_singleline(&mut self.save_path)
                .on_hover_text("file to save the exercise to");
            if ui.button("Save exercise").clicked() {
                self.send(Command::Save(self.save_path.clone().into()));
            }
            ui.end_row();
            ui.text_edit_singleline(&mut self.load_path)
                .on_hover_text("saved exercise to load");
            if ui.button("Load exercise").clicked() {
                self.send(Command::Load(self.load_path.clone().into()));
            }
            ui.end_row();
            ui.text_edit_singleline(&mut self.export_dir)
                .on_hover_text("folder for the after-action report");
            if ui
                .button("Export report")
                .on_hover_text("events.csv, and the what-if's charts as PNG")
                .clicked()
            {
                self.send(Command::Export(self.export_dir.clone().into()));
            }
            ui.end_row();
        });
        if let Some(f) = &self.scenario_file {
            ui.label(RichText::new(format!("scenario: {f}")).weak());
        }
    }
}

/// A what-if's progress: ticks run of the ticks to run.
pub fn what_if_progress(ui: &mut egui::Ui, done: u32, total: u32) {
    ui.add(
        egui::ProgressBar::new(done as f32 / total.max(1) as f32)
            .show_percentage()
            .text(format!("what-if running: {done}/{total} ticks")),
    );
}

/// egui_plot's own tick label.
fn default_tick(mark: egui_plot::GridMark, _range: &std::ops::RangeInclusive<f64>) -> String {
    let decimals = -mark.step_size.log10().round() as usize;
    eframe::egui::emath::format_with_decimals_in_range(mark.value, decimals..=decimals)
}

/// Launched, killed, leaked and in flight, per threat class.
fn threats_table(ui: &mut egui::Ui, sc: &Scenario, plan: &Plan, snap: &Snapshot) {
    egui::Grid::new("totals").striped(true).show(ui, |ui| {
        ui.strong("class");
        ui.strong("launched");
        ui.strong("killed");
        ui.strong("leaked");
        ui.strong("in flight");
        ui.end_row();
        let mut flying = [0u32; 4];
        for &(k, _) in &snap.flying {
            let c = sc.weapons[plan.track_info[k as usize].weapon].class;
            flying[c.index()] += 1;
        }
        for c in ThreatClass::ALL {
            let t = snap.totals[c.index()];
            ui.label(RichText::new(c.name()).color(CLASS_COLOURS[c.index()]));
            ui.label(t[0].to_string());
            ui.label(t[1].to_string());
            ui.label(t[2].to_string());
            ui.label(flying[c.index()].to_string());
            ui.end_row();
        }
    });
}

/// What each side has spent and lost so far (sides with nothing yet are left out).
fn costs_table(ui: &mut egui::Ui, sc: &Scenario, snap: &Snapshot) {
    egui::Grid::new("costs").striped(true).show(ui, |ui| {
        ui.strong("side");
        ui.strong("offence");
        ui.strong("defence");
        ui.strong("losses");
        ui.end_row();
        for (s, side) in sc.sides.iter().enumerate() {
            let c = &snap.costs;
            if c.offence[s] == 0.0 && c.defence[s] == 0.0 && c.losses[s] == 0.0 {
                continue;
            }
            ui.label(RichText::new(&side.id).color(side_colour(sc, s)))
                .on_hover_text(&side.name);
            ui.label(usd(c.offence[s]));
            ui.label(usd(c.defence[s]));
            ui.label(usd(c.losses[s]));
            ui.end_row();
        }
    });
}

/// Leakers, hits and damage per asset that has had any.
fn assets_table(ui: &mut egui::Ui, sc: &Scenario, snap: &Snapshot) {
    egui::Grid::new("assets").striped(true).show(ui, |ui| {
        ui.strong("asset");
        ui.strong("leakers");
        ui.strong("hits");
        ui.strong("damage");
        ui.end_row();
        let mut any = false;
        for (a, spec) in sc.assets.iter().enumerate() {
            let st = snap.assets[a];
            let leak = snap.leakers[a];
            if leak == 0 && st.hits == 0 {
                continue;
            }
            any = true;
            let mut name = RichText::new(&spec.id).color(side_colour(sc, spec.side));
            if st.out_at != NEVER {
                name = name.strikethrough();
            }
            ui.label(name).on_hover_text(&spec.name);
            ui.label(leak.to_string());
            ui.label(st.hits.to_string());
            ui.label(format!("{}/{}", st.damage, spec.staying_power));
            ui.end_row();
        }
        if !any {
            ui.label("no leaker yet");
            ui.end_row();
        }
    });
}

/// Each battery's magazines as bars of rounds ready (red below a quarter).
fn magazines(ui: &mut egui::Ui, sc: &Scenario, plan: &Plan, snap: &Snapshot) {
    for (b, bat) in sc.batteries.iter().enumerate() {
        let on = snap.online.get(b).copied().unwrap_or(true);
        let mut title = RichText::new(&bat.name).color(side_colour(sc, bat.side));
        if !on {
            title = title.weak().italics();
        }
        ui.add(egui::Label::new(title).truncate())
            .on_hover_text(&bat.id);
        for (s, info) in plan.slot_info.iter().enumerate() {
            if info.battery != b {
                continue;
            }
            let m = &bat.magazines[info.magazine];
            let st = snap.magazines[s];
            let cap = plan.slots[s].capacity.max(1);
            let ic = &sc.interceptors[m.interceptor];
            let text = if m.reserve > 0 {
                format!("{} {}/{} +{}", ic.id, st.ready, cap, st.reserve)
            } else {
                format!("{} {}/{}", ic.id, st.ready, cap)
            };
            let frac = st.ready as f32 / cap as f32;
            let fill = if frac < 0.25 {
                Color32::from_rgb(200, 70, 50)
            } else {
                Color32::from_rgb(60, 120, 180)
            };
            ui.add(
                egui::ProgressBar::new(frac)
                    .text(text)
                    .fill(fill)
                    .desired_height(14.0),
            );
        }
    }
}

/// The unit card: what the unit is, and its live state.
pub fn unit_card(ui: &mut egui::Ui, session: &Session, snap: &Snapshot, unit: &UnitInfo) {
    let sc = &session.scenario;
    let plan = &session.plan;
    let seconds = snap.tick as f64 * sc.tick_seconds as f64;
    ui.heading(RichText::new(&unit.name).color(side_colour(sc, unit.side)));
    ui.label(format!(
        "{} of {} · {}",
        unit.kind.describe(),
        sc.sides[unit.side].name,
        unit.id
    ));
    let p = unit.position(sc, seconds);
    ui.label(format!("at {:.2}°N {:.2}°E", p.lat, p.lon));
    if let Some(a) = unit.asset {
        let st = snap.assets[a];
        let spec = &sc.assets[a];
        ui.label(format!(
            "hits {} · damaging {} of {} to put it out of action · leakers {}",
            st.hits, st.damage, spec.staying_power, snap.leakers[a]
        ));
        if st.out_at != NEVER {
            ui.label(
                RichText::new(format!(
                    "OUT OF ACTION since T+{}",
                    clock(st.out_at, sc.tick_seconds)
                ))
                .color(Color32::RED)
                .strong(),
            );
        } else {
            ui.label("in action");
        }
    }
    if let Some(b) = unit.battery {
        let bat = &sc.batteries[b];
        let on = snap.online.get(b).copied().unwrap_or(true);
        let host_out = bat
            .host
            .is_some_and(|h| snap.assets.get(h).is_some_and(|s| s.out_at != NEVER));
        ui.label(format!(
            "{} · tier {} · {} fire channels · range {:.0} km",
            bat.system,
            bat.tier,
            bat.channels,
            unit.ring_km.unwrap_or(0.0)
        ));
        if !on {
            ui.label(RichText::new("switched off").color(Color32::LIGHT_RED));
        } else if host_out {
            ui.label(RichText::new("silent: its host is out of action").color(Color32::LIGHT_RED));
        } else {
            ui.label("switched on");
        }
        for (s, info) in plan.slot_info.iter().enumerate() {
            if info.battery != b {
                continue;
            }
            let m = &bat.magazines[info.magazine];
            let st = snap.magazines[s];
            ui.label(format!(
                "{}: {} of {} ready, {} in reserve",
                sc.interceptors[m.interceptor].name, st.ready, plan.slots[s].capacity, st.reserve
            ));
        }
    }
    if let Some(s) = unit.site {
        let site = &sc.sites[s];
        ui.label(format!(
            "launchers {} of {} standing · {} rounds launched so far",
            snap.launchers_alive[s], site.launchers, snap.launched[s]
        ));
        let inv: Vec<String> = site
            .inventory
            .iter()
            .map(|(w, n)| format!("{} {n}", sc.weapons[*w].id))
            .collect();
        ui.label(format!("inventory: {}", inv.join(", ")));
        if let Some(m) = &site.militia {
            ui.label(format!(
                "{:.0} launches an hour once active",
                m.rate_per_hour
            ));
        }
    }
    if let Some(c) = unit.carrier
        && unit.kind == UnitKind::Carrier
    {
        let route = &sc.carriers[c].route;
        ui.label(format!("steams at {:.0} kn", route.speed_kmh / 1.852));
    }
}
