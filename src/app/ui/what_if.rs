//! The what-if in the right panel: how many replicates, run from now (or branch with and
//! without an inject, from the inject's time), the progress, and the histogram of leakers
//! or of hits on an asset, two overlaid for a branch, counted in whole numbers; a what-if
//! from now may be split by the outcome of one decision (stacked bars, one colour per
//! outcome, its share in the legend).

use eframe::egui::{self, Color32, RichText};
use egui_plot::{Bar, BarChart, Legend, LineStyle, Plot, VLine};

use super::ExerciseApp;
use crate::app::charts::{self, OUTCOMES, SERIES};
use crate::app::live::{Session, Snapshot, clock};
use crate::app::whatif::WhatIf;
use crate::app::worker::Command;
use crate::report::Stat;

/// Which histogram the what-if shows: leakers, or hits on one asset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chart {
    Leakers,
    Hits(usize),
}

/// A what-if's progress: how far, in ticks of the scenario to run (all runs of a branch
/// together), on a line of its own above a bar.
pub fn what_if_progress(ui: &mut egui::Ui, done: u32, total: u32) {
    let frac = done as f32 / total.max(1) as f32;
    ui.add(egui::Label::new(format!("what-if running: {:.0}%", frac * 100.0)).wrap())
        .on_hover_text(format!("{done} of {total} ticks"));
    ui.add(egui::ProgressBar::new(frac).desired_height(8.0));
}

impl ExerciseApp {
    pub(super) fn what_if_panel(&mut self, ui: &mut egui::Ui, session: &Session, snap: &Snapshot) {
        let sc = &session.scenario;
        ui.horizontal(|ui| {
            let l = ui.label("replicates");
            ui.add(egui::DragValue::new(&mut self.what_if_replicates).range(1..=1_000_000))
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
                branch: None,
            });
        }
        if let Some((done, total)) = self.what_if_progress {
            what_if_progress(ui, done, total);
        }
        let Some(w) = self.what_if.clone() else {
            return;
        };
        let first = &w.runs[0];
        ui.add(
            egui::Label::new(format!(
                "{} replicates from T+{} ({:.1} s){}",
                first.replicates,
                clock(first.from_tick, sc.tick_seconds),
                first.wall_seconds,
                if w.runs.len() > 1 {
                    format!(": {} and {}", w.runs[0].label, w.runs[1].label)
                } else {
                    String::new()
                }
            ))
            .wrap(),
        );
        ui.add(egui::Label::new(format!("intervals under {}", first.uncertainty)).wrap());
        self.chart_choice(ui, &w);
        let series: Vec<(&str, &[f64])> = w
            .runs
            .iter()
            .map(|r| {
                let v: &[f64] = match self.chart {
                    Chart::Leakers => &r.leakers,
                    Chart::Hits(a) => &r.hits[a].2,
                };
                (r.label.as_str(), v)
            })
            .collect();
        self.split_choice(ui, &w);
        match self.split.filter(|_| w.runs.len() == 1) {
            Some(d) => self.split_histogram(ui, first, series[0].1, d),
            None => self.histogram(ui, &series),
        }
        for (name, values) in &series {
            let stat = Stat::of(values);
            ui.add(
                egui::Label::new(format!(
                    "{}mean {:.1} · p5 {} · p95 {} · min {} · max {}",
                    if name.is_empty() {
                        String::new()
                    } else {
                        format!("{name}: ")
                    },
                    stat.mean,
                    stat.p5,
                    stat.p95,
                    stat.min,
                    stat.max
                ))
                .wrap(),
            );
        }
    }

    fn chart_choice(&mut self, ui: &mut egui::Ui, w: &crate::app::worker::Outcome) {
        let first = &w.runs[0];
        let hit_assets: Vec<usize> = (0..first.hits.len())
            .filter(|&a| w.runs.iter().any(|r| r.hits[a].2.iter().any(|&x| x > 0.0)))
            .collect();
        if let Chart::Hits(a) = self.chart
            && a >= first.hits.len()
        {
            self.chart = Chart::Leakers;
        }
        let name = |c: Chart| match c {
            Chart::Leakers => "leakers (whole scenario)".to_string(),
            Chart::Hits(a) => format!("hits on {}", first.hits[a].0),
        };
        egui::ComboBox::new("chart", "chart")
            .selected_text(name(self.chart))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut self.chart, Chart::Leakers, name(Chart::Leakers));
                for &a in &hit_assets {
                    ui.selectable_value(&mut self.chart, Chart::Hits(a), name(Chart::Hits(a)));
                }
            });
    }

    /// Which decision's outcomes split the histogram, if any: offered for a what-if from
    /// now of a scenario with decisions.
    fn split_choice(&mut self, ui: &mut egui::Ui, w: &crate::app::worker::Outcome) {
        let decisions = &w.runs[0].decisions;
        if self.split.is_some_and(|d| d >= decisions.len()) {
            self.split = None;
        }
        if decisions.is_empty() {
            return;
        }
        if w.runs.len() > 1 {
            ui.label(RichText::new("split by path: for a what-if from now").weak());
            return;
        }
        let name = |d: Option<usize>| match d {
            None => "no split".to_string(),
            Some(d) => format!("outcome of {}", decisions[d].0),
        };
        egui::ComboBox::new("split", "split by")
            .selected_text(name(self.split))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut self.split, None, name(None));
                for d in 0..decisions.len() {
                    ui.selectable_value(&mut self.split, Some(d), name(Some(d)));
                }
            });
    }

    /// The histogram of `values` split by the outcome of decision `d`: each outcome's
    /// bars stacked on the previous ones' (together the unsplit histogram), its share of
    /// the replicates in the legend.
    fn split_histogram(&mut self, ui: &mut egui::Ui, w: &WhatIf, values: &[f64], d: usize) {
        let (id, names) = &w.decisions[d];
        let parts = charts::split_by_path(values, &w.paths, w.decisions.len(), d, names);
        let what = match self.chart {
            Chart::Leakers => "leakers",
            Chart::Hits(_) => "hits",
        };
        let bins = parts.first().map_or(0, |p| p.bins.len());
        let totals: Vec<u32> = (0..bins)
            .map(|b| parts.iter().map(|p| p.bins[b].count).sum())
            .collect();
        let tallest = totals.iter().copied().max().unwrap_or(0);
        let legend: Vec<String> = parts
            .iter()
            .map(|p| {
                let share = p.replicates as f64 / w.replicates.max(1) as f64;
                format!(
                    "{id} {}: {:.0}% ({} replicates)",
                    p.outcome,
                    share * 100.0,
                    p.replicates
                )
            })
            .collect();
        let texts = std::cell::RefCell::new(Vec::new());
        let r = histogram_plot(tallest as u64, &texts).show(ui, |p| {
            let mut below = vec![0u32; bins];
            for (k, (part, label)) in parts.iter().zip(&legend).enumerate() {
                let (r, g, b) = OUTCOMES[k % OUTCOMES.len()];
                let bars: Vec<Bar> = part
                    .bins
                    .iter()
                    .zip(&mut below)
                    .map(|(bin, base)| {
                        // Where the unsplit histogram puts its bar: on the value,
                        // or the middle of a bin of several.
                        let x = if bin.width > 1.0 {
                            bin.centre()
                        } else {
                            bin.start
                        };
                        let bar = Bar::new(x, bin.count as f64)
                            .width(bin.width.max(1.0) * 0.84)
                            .base_offset(*base as f64)
                            .name(format!(
                                "{} {what}, {id} {}: {} replicates",
                                bin.label(),
                                part.outcome,
                                bin.count
                            ));
                        *base += bin.count;
                        bar
                    })
                    .collect();
                let chart = BarChart::new(label, bars)
                    .color(Color32::from_rgb(r, g, b))
                    .element_formatter(Box::new(|bar: &Bar, _: &BarChart| bar.name.clone()));
                p.bar_chart(chart);
            }
        });
        self.drawn.histogram_rect = Some(r.response.rect);
        let b = r.transform.bounds();
        self.drawn.histogram = Some(super::HistogramDrawn {
            bounds: [b.min()[0], b.min()[1], b.max()[0], b.max()[1]],
            tallest,
            texts: texts.into_inner(),
            legend,
        });
        ui.label(
            RichText::new(format!(
                "stacked by the outcome of {id}, in the legend with its share"
            ))
            .weak()
            .small(),
        );
    }

    /// The histogram: bars in whole numbers (a bin of several counts is labelled as a
    /// range), the mean (solid) and the 5th and 95th percentiles (dashed), room above the
    /// tallest bar.
    fn histogram(&mut self, ui: &mut egui::Ui, series: &[(&str, &[f64])]) {
        let values: Vec<&[f64]> = series.iter().map(|s| s.1).collect();
        let bins = charts::histograms(&values);
        let n = series.len().max(1) as f64;
        let tallest = bins.iter().flatten().map(|b| b.count).max().unwrap_or(0);
        let texts = std::cell::RefCell::new(Vec::new());
        let what = match self.chart {
            Chart::Leakers => "leakers",
            Chart::Hits(_) => "hits",
        };
        let r = histogram_plot(tallest as u64, &texts).show(ui, |p| {
            for (i, ((name, values), bins)) in series.iter().zip(&bins).enumerate() {
                let (r, g, b) = SERIES[i % SERIES.len()];
                let colour = Color32::from_rgb(r, g, b);
                let bars: Vec<Bar> = bins
                    .iter()
                    .map(|bin| {
                        let w = bin.width.max(1.0) * 0.84 / n;
                        let x = bin.start - 0.42 * bin.width.max(1.0)
                            + if bin.width > 1.0 {
                                bin.width / 2.0
                            } else {
                                0.0
                            }
                            + (i as f64 + 0.5) * w;
                        Bar::new(x, bin.count as f64).width(w).name(format!(
                            "{} {what}: {} replicates",
                            bin.label(),
                            bin.count
                        ))
                    })
                    .collect();
                let label = if name.is_empty() { what } else { name };
                let chart = BarChart::new(label, bars)
                    .color(colour)
                    .element_formatter(Box::new(|bar: &Bar, _: &BarChart| bar.name.clone()));
                p.bar_chart(chart);
                let stat = Stat::of(values);
                p.vline(
                    VLine::new(format!("{label} mean"), stat.mean)
                        .color(colour)
                        .width(2.0),
                );
                for x in [stat.p5, stat.p95] {
                    p.vline(
                        VLine::new(format!("{label} p5–p95"), x)
                            .color(colour.gamma_multiply(0.7))
                            .style(LineStyle::dashed_dense()),
                    );
                }
            }
        });
        self.drawn.histogram_rect = Some(r.response.rect);
        let hover = r.hovered_plot_item.is_some();
        let b = r.transform.bounds();
        let mut texts = texts.into_inner();
        if hover || r.response.hovered() {
            // What the bar under the pointer says (its element formatter's text).
            if let Some(pos) = r.response.hover_pos() {
                let x = r.transform.value_from_position(pos).x;
                if let Some(bin) = bins.first().and_then(|bs| {
                    bs.iter().find(|bin| {
                        x >= bin.start - 0.5 && x < bin.start + bin.width.max(1.0) - 0.5
                    })
                }) {
                    texts.push(format!("{} {what}: {} replicates", bin.label(), bin.count));
                }
            }
        }
        self.drawn.histogram = Some(super::HistogramDrawn {
            bounds: [b.min()[0], b.min()[1], b.max()[0], b.max()[1]],
            tallest,
            texts,
            legend: Vec::new(),
        });
        ui.label(
            RichText::new("solid line at the mean, dashed at p5 and p95")
                .weak()
                .small(),
        );
    }
}

/// The what-if's histogram frame: counts on both axes, a fixed view, the x ticks drawn kept
/// in `texts` (the tests read them).
fn histogram_plot(tallest: u64, texts: &std::cell::RefCell<Vec<String>>) -> Plot<'_> {
    Plot::new("what-if-histogram")
        .height(180.0)
        .allow_scroll(false)
        .allow_drag(false)
        .allow_zoom(false)
        .include_y(0.0)
        .include_y(tallest.max(1) as f64 * 1.2)
        .x_axis_formatter(move |mark, _| {
            let t = charts::count_tick(mark.value);
            texts.borrow_mut().push(t.clone());
            t
        })
        .y_axis_formatter(|mark, _| charts::count_tick(mark.value))
        .label_formatter(|_| None)
        .legend(Legend::default())
}
