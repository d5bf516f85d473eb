//! The plots, drawn with plotters on its bitmap backend, with a font compiled in (DejaVu
//! Sans) so that no system font is needed.

use std::path::Path;

use plotters::prelude::*;

use super::SweepResult;
use crate::report::format_number;

/// Series of one plot: one per combination of the keys after the first.
fn series(r: &SweepResult) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, p) in r.points.iter().enumerate() {
        let label: Vec<String> = r.axes[1..]
            .iter()
            .zip(&p.values[1..])
            .map(|(a, v)| format!("{} = {}", a.key, format_number(*v)))
            .collect();
        let label = label.join(", ");
        match out.iter_mut().find(|(l, _)| *l == label) {
            Some((_, v)) => v.push(i),
            None => out.push((label, vec![i])),
        }
    }
    out
}

const COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];

/// A curve per series against the first key; `band` gives the p5-p95 band, if any. The
/// image is drawn under a temporary name and renamed to `path` when complete.
fn draw(
    r: &SweepResult,
    path: &Path,
    title: &str,
    y_label: &str,
    y: &dyn Fn(usize) -> f64,
    band: Option<&dyn Fn(usize) -> (f64, f64)>,
) -> Result<(), String> {
    crate::atomic::render_to(path, |target| {
        draw_at(r, path, target, title, y_label, y, band)
    })
    .map_err(|e| match e {
        crate::atomic::RenderError::Io(e) => format!("{}: {e}", path.display()),
        crate::atomic::RenderError::Render(e) => e,
    })
}

/// [`draw`] into the file `target`; messages name `path`.
fn draw_at(
    r: &SweepResult,
    path: &Path,
    target: &Path,
    title: &str,
    y_label: &str,
    y: &dyn Fn(usize) -> f64,
    band: Option<&dyn Fn(usize) -> (f64, f64)>,
) -> Result<(), String> {
    crate::atomic::register_plot_font();
    let e = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let xs: Vec<f64> = r.points.iter().map(|p| p.values[0]).collect();
    let (x0, x1) = xs
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    let (x0, x1) = if x1 > x0 {
        (x0, x1)
    } else {
        (x0 - 1.0, x0 + 1.0)
    };
    let mut y1 = 0.0f64;
    for i in 0..r.points.len() {
        y1 = y1.max(y(i));
        if let Some(b) = band {
            y1 = y1.max(b(i).1);
        }
    }
    let y1 = if y1 > 0.0 { y1 * 1.08 } else { 1.0 };
    let root = BitMapBackend::new(target, (900, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(x0..x1, 0.0..y1)
        .map_err(|x| e(&x))?;
    chart
        .configure_mesh()
        .x_desc(r.axes[0].key.as_str())
        .y_desc(y_label)
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(|x| e(&x))?;
    for (k, (label, idx)) in series(r).iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        if let Some(b) = band {
            let mut poly: Vec<(f64, f64)> = idx.iter().map(|&i| (xs[i], b(i).1)).collect();
            poly.extend(idx.iter().rev().map(|&i| (xs[i], b(i).0)));
            chart
                .draw_series(std::iter::once(Polygon::new(poly, colour.mix(0.18))))
                .map_err(|x| e(&x))?;
        }
        let name = if label.is_empty() {
            if band.is_some() {
                "mean (band: p5-p95)".to_string()
            } else {
                "mean".to_string()
            }
        } else {
            label.clone()
        };
        chart
            .draw_series(LineSeries::new(
                idx.iter().map(|&i| (xs[i], y(i))),
                colour.stroke_width(2),
            ))
            .map_err(|x| e(&x))?
            .label(name)
            .legend(move |(x, yy)| {
                PathElement::new(vec![(x, yy), (x + 20, yy)], colour.stroke_width(2))
            });
        chart
            .draw_series(
                idx.iter()
                    .map(|&i| Circle::new((xs[i], y(i)), 3, colour.filled())),
            )
            .map_err(|x| e(&x))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|x| e(&x))?;
    root.present().map_err(|x| e(&x))?;
    Ok(())
}

/// `saturation.png`: leakers (all classes) against the first key, with the p5-p95 band.
pub fn saturation(r: &SweepResult, path: &Path) -> Result<(), String> {
    let k = r
        .figures
        .iter()
        .position(|f| f == "leaked_total")
        .ok_or("no leaked_total figure")?;
    draw(
        r,
        path,
        "Saturation: threats that reached their target",
        "leakers per replicate",
        &|i| r.points[i].stats[k].mean,
        Some(&|i| (r.points[i].stats[k].p5, r.points[i].stats[k].p95)),
    )
}

/// `cost-exchange.png`: defence cost over offence cost against the first key.
pub fn cost_exchange(r: &SweepResult, path: &Path) -> Result<(), String> {
    draw(
        r,
        path,
        "Cost exchange: defence USD / offence USD",
        "defence cost / offence cost",
        &|i| r.points[i].cost_exchange,
        None,
    )
}
