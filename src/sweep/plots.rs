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

/// One figure's curve: its name in the legend (empty: "mean"), its mean and its band.
struct Curve<'a> {
    name: String,
    y: &'a dyn Fn(usize) -> f64,
    band: Option<&'a dyn Fn(usize) -> (f64, f64)>,
}

/// A curve per figure and series against the first key, each with its p5-p95 band if it
/// has one. The image is drawn under a temporary name and renamed to `path` when complete.
fn draw(
    r: &SweepResult,
    path: &Path,
    title: &str,
    y_label: &str,
    curves: &[Curve],
) -> Result<(), String> {
    crate::atomic::render_to(path, |target| {
        draw_at(r, path, target, title, y_label, curves)
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
    curves: &[Curve],
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
    for c in curves {
        for i in 0..r.points.len() {
            y1 = y1.max((c.y)(i));
            if let Some(b) = c.band {
                y1 = y1.max(b(i).1);
            }
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
    let all = series(r);
    for (n, c) in curves.iter().enumerate() {
        for (k, (label, idx)) in all.iter().enumerate() {
            let colour = COLOURS[(n * all.len() + k) % COLOURS.len()];
            if let Some(b) = c.band {
                let mut poly: Vec<(f64, f64)> = idx.iter().map(|&i| (xs[i], b(i).1)).collect();
                poly.extend(idx.iter().rev().map(|&i| (xs[i], b(i).0)));
                chart
                    .draw_series(std::iter::once(Polygon::new(poly, colour.mix(0.18))))
                    .map_err(|x| e(&x))?;
            }
            let name = match (c.name.is_empty(), label.is_empty()) {
                (true, true) if c.band.is_some() => "mean (band: p5-p95)".to_string(),
                (true, true) => "mean".to_string(),
                (true, false) => label.clone(),
                (false, true) => c.name.clone(),
                (false, false) => format!("{}, {label}", c.name),
            };
            chart
                .draw_series(LineSeries::new(
                    idx.iter().map(|&i| (xs[i], (c.y)(i))),
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
                        .map(|&i| Circle::new((xs[i], (c.y)(i)), 3, colour.filled())),
                )
                .map_err(|x| e(&x))?;
        }
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
    let curve = Curve {
        name: String::new(),
        y: &|i| r.points[i].stats[k].mean,
        band: Some(&|i| (r.points[i].stats[k].p5, r.points[i].stats[k].p95)),
    };
    draw(
        r,
        path,
        "Saturation: threats that reached their target",
        "leakers per replicate",
        &[curve],
    )
}

/// `cost-exchange.png`: defence cost over offence cost against the first key.
pub fn cost_exchange(r: &SweepResult, path: &Path) -> Result<(), String> {
    let curve = Curve {
        name: String::new(),
        y: &|i| r.points[i].cost_exchange,
        band: None,
    };
    draw(
        r,
        path,
        "Cost exchange: defence USD / offence USD",
        "defence cost / offence cost",
        &[curve],
    )
}

/// `--plot A,B,...`: figures of sweep.csv (their means, with p5-p95 bands) against the
/// first key in one image. Each name must be one of the sweep's figures.
pub fn figures(r: &SweepResult, names: &[String], path: &Path) -> Result<(), String> {
    let mut index = Vec::with_capacity(names.len());
    for n in names {
        match r.figures.iter().position(|f| f == n) {
            Some(k) => index.push(k),
            None => return Err(format!("--plot {n}: not a figure of this sweep")),
        }
    }
    let means: Vec<_> = index
        .iter()
        .map(|&k| move |i: usize| r.points[i].stats[k].mean)
        .collect();
    let bands: Vec<_> = index
        .iter()
        .map(|&k| move |i: usize| (r.points[i].stats[k].p5, r.points[i].stats[k].p95))
        .collect();
    let curves: Vec<Curve> = names
        .iter()
        .zip(means.iter().zip(&bands))
        .map(|(n, (y, b))| Curve {
            name: n.clone(),
            y,
            band: Some(b),
        })
        .collect();
    // A title that fits the image; the legend names every figure.
    let all = names.join(", ");
    let title = if all.len() <= 60 {
        all
    } else {
        format!("{} figures (see the legend)", names.len())
    };
    draw(
        r,
        path,
        &title,
        "per replicate (mean, band: p5-p95)",
        &curves,
    )
}
