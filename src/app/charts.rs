//! Charts of an exercise: histograms of what-if figures (one run, or two overlaid for a
//! branch) and the launches and leakers per hour, as the window shows them (binning,
//! counting) and as the after-action report embeds them (SVG, drawn with plotters; the
//! text is the browser's, so no font is needed here).

use std::sync::Once;

use plotters::prelude::*;

use super::fog::Team;
use super::live::{LineKind, LogLine};
use crate::report::Stat;

/// One bar: values in `[start, start + width)` (whole numbers: `start..start+width`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bin {
    pub start: f64,
    pub width: f64,
    pub count: u32,
}

impl Bin {
    pub fn centre(&self) -> f64 {
        self.start + self.width / 2.0
    }

    /// The counts the bar holds: `7`, or `10–14`.
    pub fn label(&self) -> String {
        if self.width <= 1.0 {
            format!("{:.0}", self.start)
        } else {
            format!("{:.0}–{:.0}", self.start, self.start + self.width - 1.0)
        }
    }
}

/// Bins for counts (whole numbers): one per value up to 60 distinct values, wider beyond.
pub fn histogram(values: &[f64]) -> Vec<Bin> {
    histograms(&[values]).pop().unwrap_or_default()
}

/// Bins shared by several series of counts, so that their bars line up.
pub fn histograms(series: &[&[f64]]) -> Vec<Vec<Bin>> {
    let all = series.iter().flat_map(|s| s.iter().copied());
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v.floor()), hi.max(v.floor()))
    });
    if !lo.is_finite() {
        return series.iter().map(|_| Vec::new()).collect();
    }
    let span = hi - lo + 1.0;
    let width = if span <= 60.0 {
        1.0
    } else {
        (span / 40.0).ceil()
    };
    let n = (span / width).ceil() as usize;
    series
        .iter()
        .map(|values| {
            let mut bins: Vec<Bin> = (0..n)
                .map(|i| Bin {
                    start: lo + i as f64 * width,
                    width,
                    count: 0,
                })
                .collect();
            for v in values.iter() {
                let i = (((v.floor() - lo) / width) as usize).min(n - 1);
                bins[i].count += 1;
            }
            bins
        })
        .collect()
}

/// One outcome's part of a histogram split by path: its name, the replicates that took it,
/// and its bars (the unsplit histogram's bins).
#[derive(Clone, Debug, PartialEq)]
pub struct PathPart {
    pub outcome: String,
    pub replicates: u32,
    pub bins: Vec<Bin>,
}

/// The histogram of `values` (one per replicate) split by the outcome of decision `d` in
/// `paths` (replicate-major, one word per decision, `decisions` of them): per
/// outcome of `names` its part, then "not taken" when some replicate did not take it. The
/// parts share the bins of `histogram(values)`, so stacked they are that histogram.
pub fn split_by_path(
    values: &[f64],
    paths: &[u32],
    decisions: usize,
    d: usize,
    names: &[String],
) -> Vec<PathPart> {
    let mut groups: Vec<Vec<f64>> = vec![Vec::new(); names.len() + 1];
    for (r, &v) in values.iter().enumerate() {
        let k = paths
            .get(r * decisions + d)
            .map_or(names.len(), |&k| (k as usize).min(names.len()));
        groups[k].push(v);
    }
    let series: Vec<&[f64]> = groups.iter().map(Vec::as_slice).collect();
    let bins = histograms(&series);
    let not_taken = "not taken".to_string();
    names
        .iter()
        .chain([&not_taken])
        .zip(groups.iter().zip(bins))
        .enumerate()
        .filter(|(k, (_, (g, _)))| *k < names.len() || !g.is_empty())
        .map(|(_, (name, (g, bins)))| PathPart {
            outcome: name.clone(),
            replicates: g.len() as u32,
            bins,
        })
        .collect()
}

/// Colours of the parts of a histogram split by path, one per outcome (cycled).
pub const OUTCOMES: [(u8, u8, u8); 6] = [
    (70, 110, 170),
    (220, 120, 40),
    (90, 160, 90),
    (190, 70, 80),
    (150, 110, 190),
    (140, 140, 140),
];

/// A tick label on a count axis: whole numbers only (no "7.5 hits").
pub fn count_tick(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{:.0}", x.round() + 0.0) // + 0.0: no "-0"
    } else {
        String::new()
    }
}

/// Launches and leakers per hour of the scenario, as a team saw them (from the log).
pub fn per_hour(lines: &[LogLine], tick_seconds: u32, end_tick: u32, team: Team) -> Vec<[u32; 2]> {
    let ticks_per_hour = (3600 / tick_seconds.max(1)).max(1);
    let hours = (end_tick.div_ceil(ticks_per_hour)).max(1) as usize;
    let mut out = vec![[0u32; 2]; hours];
    for l in lines.iter().filter(|l| team.sees_line(l)) {
        let h = ((l.tick / ticks_per_hour) as usize).min(hours - 1);
        match l.kind {
            LineKind::Launch => out[h][0] += 1,
            LineKind::Leaker => out[h][1] += 1,
            _ => {}
        }
    }
    out
}

/// Plotters lays text out with a font's metrics: egui's own font, so that none needs to be
/// installed (the browser draws the SVG's text with its own).
fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            epaint_default_fonts::UBUNTU_LIGHT,
        );
    });
}

/// Colours of the series of an overlaid histogram (the first is the run as it stands).
pub const SERIES: [(u8, u8, u8); 2] = [(70, 110, 170), (220, 120, 40)];

/// A histogram of one or more series (sharing bins) as SVG: its title, lines of notes
/// under it (the injects in force), bars, and each series' mean (solid) and 5th and 95th
/// percentiles (dashed).
pub fn histogram_svg(
    title: &str,
    notes: &[String],
    x_label: &str,
    series: &[(&str, &[f64])],
) -> Result<String, String> {
    register_font();
    let mut svg = String::new();
    draw_histogram(&mut svg, (title, notes), x_label, series)
        .map_err(|e| format!("{title}: {e}"))?;
    Ok(svg)
}

/// Text broken into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let last = lines.last_mut().expect("one line");
        if !last.is_empty() && last.len() + word.len() + 1 > width {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

fn draw_histogram(
    svg: &mut String,
    (title, notes): (&str, &[String]),
    x_label: &str,
    series: &[(&str, &[f64])],
) -> Result<(), Box<dyn std::error::Error>> {
    let values: Vec<&[f64]> = series.iter().map(|s| s.1).collect();
    let bins = histograms(&values);
    let lines: Vec<String> = notes.iter().flat_map(|n| wrap(n, 100)).collect();
    let head = 40 + 18 * lines.len() as u32;
    let all = SVGBackend::with_string(svg, (900, 500 + head)).into_drawing_area();
    all.fill(&WHITE)?;
    let (top, root) = all.split_vertically(head);
    let centred = TextStyle::from(("sans-serif", 22).into_font()).pos(
        plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Top,
        ),
    );
    top.draw(&Text::new(title, (450, 8), centred))?;
    for (i, l) in lines.iter().enumerate() {
        top.draw(&Text::new(
            l.as_str(),
            (16, 40 + 18 * i as i32),
            ("sans-serif", 14).into_font().color(&RGBColor(80, 90, 110)),
        ))?;
    }
    let first = bins.first().map(|b| b.as_slice()).unwrap_or_default();
    let (x0, x1) = match (first.first(), first.last()) {
        (Some(a), Some(b)) => (a.start - 0.5, b.start + b.width + 0.5),
        _ => (0.0, 1.0),
    };
    let tallest = bins
        .iter()
        .flatten()
        .map(|b| b.count)
        .max()
        .unwrap_or(1)
        .max(1);
    // Room above the tallest bar for its count and the marks' labels.
    let top_y = tallest as f64 * 1.25;
    let mut chart = ChartBuilder::on(&root)
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, 0.0..top_y)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_desc(x_label)
        .y_desc("replicates")
        .x_label_formatter(&|x| count_tick(*x))
        .y_label_formatter(&|y| count_tick(*y))
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .draw()?;
    let n = series.len().max(1) as f64;
    for (i, ((name, values), bins)) in series.iter().zip(&bins).enumerate() {
        let (r, g, b) = SERIES[i % SERIES.len()];
        let colour = RGBColor(r, g, b);
        chart
            .draw_series(bins.iter().map(|bin| {
                let w = bin.width.max(1.0) * 0.84 / n;
                let l = bin.start - 0.42 * bin.width.max(1.0)
                    + i as f64 * w
                    + if bin.width > 1.0 {
                        bin.width / 2.0
                    } else {
                        0.0
                    };
                Rectangle::new([(l, 0.0), (l + w, bin.count as f64)], colour.filled())
            }))?
            .label(if name.is_empty() { "replicates" } else { name })
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
        let stat = Stat::of(values);
        let style = colour.stroke_width(2);
        chart.draw_series(LineSeries::new(
            [(stat.mean, 0.0), (stat.mean, top_y)],
            style,
        ))?;
        for x in [stat.p5, stat.p95] {
            chart.draw_series(DashedLineSeries::new([(x, 0.0), (x, top_y)], 6, 4, style))?;
        }
        chart.draw_series(std::iter::once(Text::new(
            format!(
                "{}mean {:.1} · p5 {} · p95 {}",
                if name.is_empty() {
                    String::new()
                } else {
                    format!("{name}: ")
                },
                stat.mean,
                stat.p5,
                stat.p95
            ),
            (x0 + (x1 - x0) * 0.02, top_y * (0.97 - 0.07 * i as f64)),
            ("sans-serif", 15).into_font().color(&colour),
        )))?;
    }
    if series.len() > 1 {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 15))
            .draw()?;
    }
    root.present()?;
    Ok(())
}

/// Launches and leakers per hour as SVG bars, side by side.
pub fn per_hour_svg(title: &str, hours: &[[u32; 2]]) -> Result<String, String> {
    register_font();
    let mut svg = String::new();
    draw_per_hour(&mut svg, title, hours).map_err(|e| format!("{title}: {e}"))?;
    Ok(svg)
}

fn draw_per_hour(
    svg: &mut String,
    title: &str,
    hours: &[[u32; 2]],
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(svg, (900, 360)).into_drawing_area();
    root.fill(&WHITE)?;
    let tallest = hours.iter().flatten().copied().max().unwrap_or(1).max(1);
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..hours.len() as f64, 0.0..tallest as f64 * 1.15)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_desc("hour of the scenario")
        .y_desc("per hour")
        .x_label_formatter(&|x| count_tick(*x))
        .y_label_formatter(&|y| count_tick(*y))
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .draw()?;
    for (i, (name, colour)) in [
        ("launches", RGBColor(70, 110, 170)),
        ("leakers", RGBColor(210, 60, 50)),
    ]
    .into_iter()
    .enumerate()
    {
        chart
            .draw_series(hours.iter().enumerate().map(|(h, v)| {
                let l = h as f64 + 0.1 + i as f64 * 0.4;
                Rectangle::new([(l, 0.0), (l + 0.38, v[i] as f64)], colour.filled())
            }))?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_one_bin_each() {
        let b = histogram(&[0.0, 1.0, 1.0, 3.0]);
        assert_eq!(b.len(), 4);
        assert_eq!(b.iter().map(|b| b.count).collect::<Vec<_>>(), [1, 2, 0, 1]);
        assert_eq!(b[0].start, 0.0);
        assert_eq!(b[1].label(), "1");
    }

    #[test]
    fn wide_ranges_get_wider_bins_labelled_as_ranges() {
        let v: Vec<f64> = (0..500).map(|i| i as f64).collect();
        let b = histogram(&v);
        assert!(b.len() <= 40 && b.len() > 20);
        assert_eq!(b.iter().map(|b| b.count).sum::<u32>(), 500);
        assert_eq!(b[1].label(), "13–25");
        assert!(histogram(&[]).is_empty());
    }

    #[test]
    fn two_series_share_their_bins() {
        let h = histograms(&[&[0.0, 2.0], &[5.0, 5.0]]);
        assert_eq!(h[0].len(), 6);
        assert_eq!(h[1].len(), 6);
        assert_eq!(h[1][5].count, 2);
    }

    #[test]
    fn count_axes_have_whole_ticks_only() {
        assert_eq!(count_tick(7.0), "7");
        assert_eq!(count_tick(7.5), "");
        assert_eq!(count_tick(-0.0), "0");
    }

    #[test]
    fn a_chart_is_svg_with_bars_and_marks() {
        let v: Vec<f64> = (0..200).map(|i| ((i * 7) % 13) as f64).collect();
        let w: Vec<f64> = (0..200).map(|i| ((i * 5) % 9) as f64).collect();
        let notes = ["inject-1 at T+00:10:00: sam switched off".to_string()];
        let svg = histogram_svg(
            "leakers",
            &notes,
            "leakers",
            &[("with", &v), ("without", &w)],
        )
        .unwrap();
        assert!(svg.contains("sam switched off"));
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        assert!(svg.contains("mean"));
        assert!(svg.contains("without"));
        assert!(svg.matches("<rect").count() > 20);
        assert!(!svg.contains(">7.5<"));
    }
}
