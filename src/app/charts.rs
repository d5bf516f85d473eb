//! Histograms of what-if figures: the binning the window and the report share, and the
//! PNG rendering of the after-action report (plotters into a pixel buffer, with the
//! font egui embeds, so no system font is needed).

use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;

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
}

/// Bins for counts (whole numbers): one per value up to 60 distinct values, wider beyond.
pub fn histogram(values: &[f64]) -> Vec<Bin> {
    if values.is_empty() {
        return Vec::new();
    }
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min).floor();
    let hi = values
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max)
        .floor();
    let span = hi - lo + 1.0;
    let width = if span <= 60.0 {
        1.0
    } else {
        (span / 40.0).ceil()
    };
    let n = (span / width).ceil() as usize;
    let mut bins: Vec<Bin> = (0..n)
        .map(|i| Bin {
            start: lo + i as f64 * width,
            width,
            count: 0,
        })
        .collect();
    for v in values {
        let i = (((v.floor() - lo) / width) as usize).min(n - 1);
        bins[i].count += 1;
    }
    bins
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // egui's own font: the charts need no font installed on the machine.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            epaint_default_fonts::UBUNTU_LIGHT,
        );
    });
}

/// A histogram as a PNG: bars, the mean (solid) and p5/p95 (dashed) marked.
pub fn histogram_png(
    path: &Path,
    title: &str,
    x_label: &str,
    values: &[f64],
) -> Result<(), String> {
    let (w, h) = (900u32, 520u32);
    let mut buf = vec![255u8; (w * h * 3) as usize];
    draw_histogram(&mut buf, (w, h), title, x_label, values)
        .map_err(|e| format!("{}: cannot draw the chart: {e}", path.display()))?;
    let img = image::RgbImage::from_raw(w, h, buf).ok_or("chart buffer has the wrong size")?;
    img.save_with_format(path, image::ImageFormat::Png)
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn draw_histogram(
    buf: &mut [u8],
    size: (u32, u32),
    title: &str,
    x_label: &str,
    values: &[f64],
) -> Result<(), Box<dyn std::error::Error>> {
    register_font();
    let bins = histogram(values);
    let stat = Stat::of(values);
    let root = BitMapBackend::with_buffer(buf, size).into_drawing_area();
    root.fill(&WHITE)?;
    let (x0, x1) = match (bins.first(), bins.last()) {
        (Some(a), Some(b)) => (a.start - 0.5, b.start + b.width + 0.5),
        _ => (0.0, 1.0),
    };
    let top = bins.iter().map(|b| b.count).max().unwrap_or(1).max(1) as f64 * 1.12;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 24))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, 0.0..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc(x_label)
        .y_desc("replicates")
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .draw()?;
    let bar = RGBColor(70, 110, 170);
    chart.draw_series(bins.iter().map(|b| {
        let (l, r) = if b.width <= 1.0 {
            (b.start - 0.4, b.start + 0.4)
        } else {
            (b.start, b.start + b.width * 0.92)
        };
        Rectangle::new([(l, 0.0), (r, b.count as f64)], bar.filled())
    }))?;
    let marks = [
        (stat.mean, RED, format!("mean {:.1}", stat.mean)),
        (stat.p5, BLACK, format!("p5 {}", stat.p5)),
        (stat.p95, BLACK, format!("p95 {}", stat.p95)),
    ];
    for (i, (x, color, label)) in marks.iter().enumerate() {
        let style = color.stroke_width(2);
        if i == 0 {
            chart.draw_series(LineSeries::new([(*x, 0.0), (*x, top)], style))?;
        } else {
            chart.draw_series(DashedLineSeries::new([(*x, 0.0), (*x, top)], 6, 4, style))?;
        }
        chart.draw_series(std::iter::once(Text::new(
            label.clone(),
            (*x, top * (0.97 - 0.06 * i as f64)),
            ("sans-serif", 15).into_font().color(color),
        )))?;
    }
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
    }

    #[test]
    fn wide_ranges_get_wider_bins() {
        let v: Vec<f64> = (0..500).map(|i| i as f64).collect();
        let b = histogram(&v);
        assert!(b.len() <= 40 && b.len() > 20);
        assert_eq!(b.iter().map(|b| b.count).sum::<u32>(), 500);
        assert!(histogram(&[]).is_empty());
    }

    #[test]
    fn a_chart_is_a_png_with_bars() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h.png");
        let v: Vec<f64> = (0..200).map(|i| ((i * 7) % 13) as f64).collect();
        histogram_png(&p, "leakers", "leakers", &v).unwrap();
        let img = image::open(&p).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (900, 520));
        let bar = img.pixels().filter(|p| p.0 == [70, 110, 170]).count();
        assert!(bar > 5000, "{bar} bar pixels");
        let dark = img.pixels().filter(|p| p.0.iter().all(|&c| c < 80)).count();
        assert!(dark > 200, "text and axes: {dark}");
    }
}
