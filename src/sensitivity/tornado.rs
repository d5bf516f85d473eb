//! `tornado.png`: the PRCCs as horizontal bars from zero, the strongest at the top, drawn
//! with plotters on its bitmap backend and a font compiled in (DejaVu Sans).

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Ranked;

/// Below this p-value a bar is drawn solid; above it, pale.
pub const SIGNIFICANT: f64 = 0.05;

const RAISES: RGBColor = RGBColor(31, 119, 180);
const LOWERS: RGBColor = RGBColor(214, 39, 40);

/// Draw the rows that have a coefficient (at most `top` of them, in the order given) as a
/// tornado chart of `figure` over `replicates` replicates.
pub fn draw(
    rows: &[Ranked],
    figure: &str,
    replicates: usize,
    top: usize,
    path: &Path,
) -> Result<(), String> {
    crate::atomic::register_plot_font();
    let e = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let shown: Vec<&Ranked> = rows
        .iter()
        .filter(|r| r.coefficient.prcc.is_some())
        .take(top)
        .collect();
    let n = shown.len().max(1);
    let height = (120 + 34 * n as u32).max(260);
    let root = BitMapBackend::new(path, (1000, height)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let caption = format!("PRCC of {figure} ({replicates} replicates)");
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(380)
        .build_cartesian_2d(-1.0..1.0, 0.0..n as f64)
        .map_err(|x| e(&x))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .y_labels(0)
        .x_desc(format!(
            "partial rank correlation coefficient (blue: raises the figure, red: lowers it; pale: p >= {SIGNIFICANT})"
        ))
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(|x| e(&x))?;
    chart
        .draw_series(shown.iter().enumerate().map(|(k, r)| bar(k, n, r)))
        .map_err(|x| e(&x))?;
    // The zero line.
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, n as f64)],
            BLACK.stroke_width(1),
        )))
        .map_err(|x| e(&x))?;
    // The names, left of the axis, each at its bar's middle.
    let style =
        TextStyle::from(("sans-serif", 14).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
    for (k, r) in shown.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(-1.0, row_middle(k, n)));
        root.draw(&Text::new(r.group.label(), (x - 8, y), &style))
            .map_err(|x| e(&x))?;
    }
    root.present().map_err(|x| e(&x))?;
    Ok(())
}

/// The middle of the `k`-th shown row (0 the strongest, at the top) of `n`.
fn row_middle(k: usize, n: usize) -> f64 {
    (n - k) as f64 - 0.5
}

/// The bar of the `k`-th shown row of `n`.
fn bar(k: usize, n: usize, r: &Ranked) -> Rectangle<(f64, f64)> {
    let c = &r.coefficient;
    let v = c.prcc.unwrap_or(0.0);
    let colour = if v < 0.0 { LOWERS } else { RAISES };
    let solid = c.p.is_some_and(|p| p < SIGNIFICANT);
    let style = if solid {
        colour.filled()
    } else {
        colour.mix(0.3).filled()
    };
    let y = row_middle(k, n);
    Rectangle::new([(0.0, y - 0.35), (v, y + 0.35)], style)
}
