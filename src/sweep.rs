//! `hormuz sweep`: run a scenario over a grid of edited values and tabulate the outcome.
//!
//! Each `--vary KEY=FROM..TO:STEP` names one value of the scenario or of its weapons
//! database by ids (`orders.<order-id>.salvo.count`, `batteries.<id>.channels`,
//! `batteries.<id>.magazine.<interceptor>.ready`, `interceptors.<id>.pk.ballistic`,
//! `threats.<id>.launch_reliability`, ...). The grid is the cartesian product of the
//! ranges, the first key varying slowest. Each grid point edits the TOML with `toml_edit`
//! (comments and layout kept), loads it through the checker like any scenario, and runs
//! `N` replicates with the **same seed** `S` at every point (common random numbers): a row
//! is exactly what `hormuz run` gives for the edited files with `--seed S`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml_edit::{DocumentMut, Item, Table, Value};

use crate::engine::plan;
use crate::report::{self, Stat, format_number};
use crate::scenario;
use crate::world::RunConfig;

/// One `--vary`: a key and the values it takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub key: String,
    pub values: Vec<f64>,
}

/// Most grid points a sweep may ask for.
pub const MAX_POINTS: usize = 100_000;

/// Parse `KEY=FROM..TO:STEP`.
pub fn parse_axis(s: &str) -> Result<Axis, String> {
    let bad = |why: &str| {
        format!(
            "--vary {s}: {why}; expected KEY=FROM..TO:STEP, e.g. orders.wave-1.salvo.count=10..50:10"
        )
    };
    let (key, range) = s.split_once('=').ok_or_else(|| bad("no `=`"))?;
    let key = key.trim();
    if key.is_empty() || key.split('.').any(str::is_empty) {
        return Err(bad("empty key or key segment"));
    }
    let (span, step) = range.split_once(':').ok_or_else(|| bad("no `:STEP`"))?;
    let (from, to) = span
        .split_once("..")
        .ok_or_else(|| bad("no `..` between FROM and TO"))?;
    let num = |x: &str, what: &str| -> Result<f64, String> {
        let v: f64 = x
            .trim()
            .parse()
            .map_err(|_| bad(&format!("{what} {x:?} is not a number")))?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(bad(&format!("{what} must be finite")))
        }
    };
    let (from, to, step) = (num(from, "FROM")?, num(to, "TO")?, num(step, "STEP")?);
    if step <= 0.0 {
        return Err(bad("STEP must be above 0"));
    }
    if to < from {
        return Err(bad("TO is below FROM"));
    }
    let n = ((to - from) / step + 1e-9).floor() as usize + 1;
    if n > MAX_POINTS {
        return Err(bad(&format!("{n} values, more than {MAX_POINTS}")));
    }
    // Round away the binary noise of repeated steps (0.1 + 0.2).
    let values = (0..n)
        .map(|i| {
            let v = from + i as f64 * step;
            (v * 1e12).round() / 1e12
        })
        .collect();
    Ok(Axis {
        key: key.to_string(),
        values,
    })
}

/// The grid points, first axis slowest.
pub fn grid(axes: &[Axis]) -> Vec<Vec<f64>> {
    let mut points = vec![Vec::new()];
    for a in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                a.values.iter().map(move |&v| {
                    let mut q = p.clone();
                    q.push(v);
                    q
                })
            })
            .collect();
    }
    points
}

/// The scenario file and its database files as editable documents.
pub struct Documents {
    /// File name of the scenario, for messages and for `load_with_databases`.
    pub name: String,
    pub dir: PathBuf,
    pub scenario: DocumentMut,
    /// (name as written in `database`, document).
    pub databases: Vec<(String, DocumentMut)>,
}

impl Documents {
    pub fn read(path: &Path) -> Result<Documents, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read the file: {e}", path.display()))?;
        // Syntax and meaning are checked (with positions) by the normal loader first.
        scenario::load(scenario::Origin::Disk(path.to_path_buf())).map_err(|e| e.to_string())?;
        let scenario: DocumentMut = text
            .parse()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let mut databases = Vec::new();
        let names: Vec<String> = scenario["scenario"]["database"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        for n in names {
            let p = dir.join(&n);
            let t = std::fs::read_to_string(&p)
                .map_err(|e| format!("{}: cannot read the file: {e}", p.display()))?;
            let d: DocumentMut = t.parse().map_err(|e| format!("{}: {e}", p.display()))?;
            databases.push((n, d));
        }
        Ok(Documents {
            name: path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            dir,
            scenario,
            databases,
        })
    }

    /// Set `key` to `v` in whichever document holds its first segment.
    pub fn set(&mut self, key: &str, v: f64) -> Result<(), String> {
        let segs: Vec<&str> = key.split('.').collect();
        let top = segs[0];
        let doc = if self.scenario.contains_key(top) {
            &mut self.scenario
        } else if let Some((_, d)) = self.databases.iter_mut().find(|(_, d)| d.contains_key(top)) {
            d
        } else {
            return Err(format!(
                "{key}: no `{top}` in the scenario or its database (e.g. orders, batteries, assets, launch_sites, militias, threats, interceptors)"
            ));
        };
        let mut node = Node::Item(doc.as_item_mut());
        for (i, seg) in segs.iter().enumerate() {
            node = match child(node, seg) {
                Some(n) => n,
                None if i == 1 => {
                    return Err(format!("{key}: no entry of `{top}` has id {seg:?}"));
                }
                None => {
                    return Err(format!("{key}: `{}` has no {seg:?}", segs[..i].join(".")));
                }
            };
        }
        set_number(node, key, v)
    }

    /// The edited texts: the scenario, and each database as (name, text).
    pub fn texts(&self) -> (String, Vec<(String, String)>) {
        (
            self.scenario.to_string(),
            self.databases
                .iter()
                .map(|(n, d)| (n.clone(), d.to_string()))
                .collect(),
        )
    }
}

enum Node<'a> {
    Item(&'a mut Item),
    Table(&'a mut Table),
    Value(&'a mut Value),
}

/// An element of an array named by a segment: its `id`, or a magazine's `interceptor`.
fn names(get: impl Fn(&str) -> Option<String>, seg: &str) -> bool {
    ["id", "interceptor"]
        .iter()
        .any(|k| get(k).as_deref() == Some(seg))
}

fn child<'a>(node: Node<'a>, seg: &str) -> Option<Node<'a>> {
    match node {
        Node::Item(Item::Table(t)) | Node::Table(t) => t.get_mut(seg).map(Node::Item),
        Node::Item(Item::ArrayOfTables(a)) => a
            .iter_mut()
            .find(|t| names(|k| t.get(k)?.as_str().map(str::to_string), seg))
            .map(Node::Table),
        Node::Item(Item::Value(v)) => child(Node::Value(v), seg),
        Node::Item(Item::None) => None,
        Node::Value(Value::InlineTable(t)) => t.get_mut(seg).map(Node::Value),
        Node::Value(Value::Array(a)) => a
            .iter_mut()
            .find(|e| {
                e.as_inline_table()
                    .is_some_and(|t| names(|k| t.get(k)?.as_str().map(str::to_string), seg))
            })
            .map(Node::Value),
        Node::Value(_) => None,
    }
}

fn set_number(node: Node, key: &str, v: f64) -> Result<(), String> {
    let value = match node {
        Node::Value(val) => val,
        Node::Item(Item::Value(val)) => val,
        // A figure `{ value = .., source = .. }` written as a table.
        Node::Item(Item::Table(t)) | Node::Table(t) => match t.get_mut("value") {
            Some(Item::Value(val)) => val,
            _ => return Err(format!("{key}: not a number")),
        },
        Node::Item(_) => return Err(format!("{key}: not a number")),
    };
    // A figure written inline: set its `value`.
    if let Value::InlineTable(t) = value {
        return match t.get_mut("value") {
            Some(val) => set_number(Node::Value(val), key, v),
            None => Err(format!(
                "{key}: a table, not a number; name one of its keys"
            )),
        };
    }
    let decor = value.decor().clone();
    *value = match value {
        Value::Integer(_) => {
            if v.fract() != 0.0 || v < i64::MIN as f64 || v > i64::MAX as f64 {
                return Err(format!(
                    "{key}: expects a whole number, the range gives {v}"
                ));
            }
            Value::from(v as i64)
        }
        Value::Float(_) => Value::from(v),
        _ => return Err(format!("{key}: not a number")),
    };
    *value.decor_mut() = decor;
    Ok(())
}

/// One grid point's outcome: the mean, p5 and p95 of every figure, and the cost exchange.
#[derive(Clone, Debug)]
pub struct PointResult {
    pub values: Vec<f64>,
    pub stats: Vec<Stat>,
    /// Mean defence cost over mean offence cost (all sides), 0 when nothing was launched.
    pub cost_exchange: f64,
}

/// The whole sweep.
pub struct SweepResult {
    pub axes: Vec<Axis>,
    /// Figure names (without `replicate`).
    pub figures: Vec<String>,
    pub points: Vec<PointResult>,
}

/// Run every grid point. `progress` is told after each point.
pub fn run(
    docs: &Documents,
    axes: &[Axis],
    replicates: u32,
    seed: u32,
    threads: Option<usize>,
    memory_budget: u64,
    mut progress: impl FnMut(usize),
) -> Result<SweepResult, crate::cli::Failure> {
    use crate::cli::Failure;
    let points = grid(axes);
    if points.len() > MAX_POINTS {
        return Err(Failure::input(format!(
            "--vary: the grid has {} points, more than {MAX_POINTS}",
            points.len()
        )));
    }
    // Every key must resolve before anything runs.
    for a in axes {
        let mut d = Documents {
            name: docs.name.clone(),
            dir: docs.dir.clone(),
            scenario: docs.scenario.clone(),
            databases: docs.databases.clone(),
        };
        d.set(&a.key, a.values[0])
            .map_err(|e| Failure::input(format!("--vary {e}")))?;
    }
    let mut figures: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, p) in points.iter().enumerate() {
        let mut d = Documents {
            name: docs.name.clone(),
            dir: docs.dir.clone(),
            scenario: docs.scenario.clone(),
            databases: docs.databases.clone(),
        };
        let at: Vec<String> = axes
            .iter()
            .zip(p)
            .map(|(a, v)| format!("{} = {}", a.key, format_number(*v)))
            .collect();
        for (a, v) in axes.iter().zip(p) {
            d.set(&a.key, *v)
                .map_err(|e| Failure::input(format!("--vary {e}")))?;
        }
        let (text, dbs) = d.texts();
        let sc = scenario::load_with_databases(&d.name, &text, &d.dir, &dbs).map_err(|e| {
            Failure::input(format!(
                "the scenario is not valid at {}:\n{e}",
                at.join(", ")
            ))
        })?;
        let sc = Arc::new(sc);
        let plan = Arc::new(plan::build(&sc));
        crate::cli::check_budget(&sc, &plan, replicates, memory_budget)?;
        let config = RunConfig {
            replicates,
            seed,
            record: 0..0,
        };
        let run = crate::world::run_cpu(sc.clone(), plan.clone(), &config, threads, |_, _| {})
            .map_err(Failure::runtime)?;
        let fig = report::figures(&sc, &plan, &run);
        if figures.is_empty() {
            figures = fig.names[1..].to_vec();
        }
        let stats = figures.iter().map(|n| fig.stat(n)).collect();
        let total = |prefix: &str| -> f64 {
            let cols: Vec<Vec<f64>> = fig
                .names
                .iter()
                .filter(|n| n.starts_with(prefix))
                .filter_map(|n| fig.column(n))
                .collect();
            cols.iter().flatten().sum::<f64>() / fig.rows.len().max(1) as f64
        };
        let (defence, offence) = (total("defence_usd_"), total("offence_usd_"));
        out.push(PointResult {
            values: p.clone(),
            stats,
            cost_exchange: if offence > 0.0 {
                defence / offence
            } else {
                0.0
            },
        });
        progress(i + 1);
    }
    Ok(SweepResult {
        axes: axes.to_vec(),
        figures,
        points: out,
    })
}

/// `sweep.csv`: the varied values, then `<figure>_mean`, `_p5`, `_p95` for every figure,
/// then `cost_exchange`; one row per grid point.
pub fn write_csv(r: &SweepResult, path: &Path) -> std::io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    let mut header: Vec<String> = r.axes.iter().map(|a| a.key.clone()).collect();
    for f in &r.figures {
        for s in ["mean", "p5", "p95"] {
            header.push(format!("{f}_{s}"));
        }
    }
    header.push("cost_exchange".into());
    w.write_record(&header)?;
    for p in &r.points {
        let mut row: Vec<String> = p.values.iter().map(|v| format_number(*v)).collect();
        for s in &p.stats {
            row.push(format_number(s.mean));
            row.push(format_number(s.p5));
            row.push(format_number(s.p95));
        }
        row.push(format_number(p.cost_exchange));
        w.write_record(&row)?;
    }
    w.flush()
}

/// The plots, drawn with plotters on its bitmap backend, with a font compiled in (DejaVu
/// Sans) so that no system font is needed.
pub mod plot {
    use std::path::Path;
    use std::sync::Once;

    use plotters::prelude::*;

    use super::SweepResult;
    use crate::report::format_number;

    static FONT: Once = Once::new();

    fn register_font() {
        FONT.call_once(|| {
            // Fails only on a malformed font, which the crate does not ship.
            let _ = plotters::style::register_font(
                "sans-serif",
                FontStyle::Normal,
                dejavu::sans::regular(),
            );
        });
    }

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

    /// A curve per series against the first key; `band` gives the p5-p95 band, if any.
    fn draw(
        r: &SweepResult,
        path: &Path,
        title: &str,
        y_label: &str,
        y: &dyn Fn(usize) -> f64,
        band: Option<&dyn Fn(usize) -> (f64, f64)>,
    ) -> Result<(), String> {
        register_font();
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
        let root = BitMapBackend::new(path, (900, 560)).into_drawing_area();
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
}

/// The `sweep` subcommand.
pub mod cli {
    use std::path::PathBuf;

    use clap::Args;

    use crate::cli::{Failure, parse_bytes};

    #[derive(Args, Debug, Clone)]
    pub struct SweepArgs {
        /// Scenario file to sweep.
        pub scenario: PathBuf,
        /// KEY=FROM..TO:STEP, e.g. orders.wave-1.salvo.count=10..50:10; repeat for a grid.
        #[arg(long = "vary", required = true, value_parser = super::parse_axis)]
        pub vary: Vec<super::Axis>,
        /// Monte Carlo replicates per grid point.
        #[arg(short = 'n', long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
        pub replicates: u32,
        /// Seed, the same at every grid point (common random numbers).
        #[arg(short, long, default_value_t = 2026)]
        pub seed: u32,
        /// Folder for sweep.csv, saturation.png and cost-exchange.png.
        #[arg(short, long, default_value = "hormuz-sweep")]
        pub out: PathBuf,
        /// Worker threads (default: all cores).
        #[arg(short = 'j', long, value_parser = clap::value_parser!(u32).range(1..=1024))]
        pub threads: Option<u32>,
        /// Memory one grid point's run may use for per-replicate state.
        #[arg(long, default_value = "4GiB", value_parser = parse_bytes)]
        pub memory_budget: u64,
    }

    pub fn sweep(a: &SweepArgs) -> Result<(), Failure> {
        let docs = super::Documents::read(&a.scenario).map_err(Failure::input)?;
        let n = super::grid(&a.vary).len();
        let pb = indicatif::ProgressBar::new(n as u64);
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "sweeping {bar:40} {pos}/{len} grid points [{elapsed_precise}]",
            )
            .expect("valid template"),
        );
        let result = super::run(
            &docs,
            &a.vary,
            a.replicates,
            a.seed,
            a.threads.map(|t| t as usize),
            a.memory_budget,
            |i| pb.set_position(i as u64),
        );
        pb.finish_and_clear();
        let result = result?;
        std::fs::create_dir_all(&a.out).map_err(|e| {
            Failure::runtime(format!(
                "--out {}: cannot create the folder: {e}",
                a.out.display()
            ))
        })?;
        let io = |e: std::io::Error| Failure::runtime(format!("{}: {e}", a.out.display()));
        super::write_csv(&result, &a.out.join("sweep.csv")).map_err(io)?;
        super::plot::saturation(&result, &a.out.join("saturation.png"))
            .map_err(Failure::runtime)?;
        super::plot::cost_exchange(&result, &a.out.join("cost-exchange.png"))
            .map_err(Failure::runtime)?;
        eprintln!(
            "{} grid points x {} replicates, seed {} at every point; wrote sweep.csv, saturation.png, cost-exchange.png to {}",
            n,
            a.replicates,
            a.seed,
            a.out.display()
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_parse_and_reject() {
        let a = parse_axis("orders.w.salvo.count=10..30:10").unwrap();
        assert_eq!(a.values, vec![10.0, 20.0, 30.0]);
        let a = parse_axis("interceptors.x.pk.ballistic=0.1..0.3:0.1").unwrap();
        assert_eq!(a.values, vec![0.1, 0.2, 0.3]);
        assert_eq!(parse_axis("k=1..1:5").unwrap().values, vec![1.0]);
        for bad in [
            "k",
            "k=1..2",
            "k=1:1",
            "k=2..1:1",
            "k=1..2:0",
            "k=a..2:1",
            "=1..2:1",
            "a..b=1..2:1",
        ] {
            assert!(parse_axis(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_grid_is_the_cartesian_product_first_key_slowest() {
        let a = Axis {
            key: "a".into(),
            values: vec![1.0, 2.0, 3.0],
        };
        let b = Axis {
            key: "b".into(),
            values: vec![10.0, 20.0],
        };
        let g = grid(&[a, b]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![1.0, 10.0]);
        assert_eq!(g[1], vec![1.0, 20.0]);
        assert_eq!(g[5], vec![3.0, 20.0]);
    }

    #[test]
    fn keys_edit_numbers_in_place() {
        let mut d = Documents {
            name: "s.toml".into(),
            dir: ".".into(),
            scenario: r#"
[[batteries]]
id = "sam" # the SAM
channels = 4
magazine = [{ interceptor = "lower", ready = 16 }]

[[orders]]
id = "wave"
salvo = { from = "pad", count = 20, over = "00:05" }
"#
            .parse()
            .unwrap(),
            databases: vec![(
                "db.toml".into(),
                "[[threats]]\nid = \"tbm\"\nlaunch_reliability = { value = 0.9, assumed = true }\n\n[[interceptors]]\nid = \"lower\"\npk = { ballistic = 0.8, assumed = true }\n"
                    .parse()
                    .unwrap(),
            )],
        };
        d.set("batteries.sam.channels", 6.0).unwrap();
        d.set("batteries.sam.magazine.lower.ready", 32.0).unwrap();
        d.set("orders.wave.salvo.count", 40.0).unwrap();
        d.set("interceptors.lower.pk.ballistic", 0.5).unwrap();
        d.set("threats.tbm.launch_reliability", 0.75).unwrap();
        let (s, dbs) = d.texts();
        assert!(s.contains("id = \"sam\" # the SAM\nchannels = 6\n"), "{s}");
        assert!(s.contains("ready = 32 }"), "{s}");
        assert!(s.contains("count = 40,"), "{s}");
        assert!(
            dbs[0]
                .1
                .contains("pk = { ballistic = 0.5, assumed = true }"),
            "{}",
            dbs[0].1
        );
        assert!(
            dbs[0].1.contains("{ value = 0.75, assumed = true }"),
            "{}",
            dbs[0].1
        );
        assert!(
            d.set("batteries.sma.channels", 1.0)
                .unwrap_err()
                .contains("no entry of `batteries` has id \"sma\"")
        );
        assert!(
            d.set("batteries.sam.chanels", 1.0)
                .unwrap_err()
                .contains("`batteries.sam` has no \"chanels\"")
        );
        assert!(
            d.set("batteries.sam.channels", 2.5)
                .unwrap_err()
                .contains("whole number")
        );
        assert!(
            d.set("nothing.x.y", 1.0)
                .unwrap_err()
                .contains("no `nothing`")
        );
        assert!(
            d.set("batteries.sam.magazine", 1.0)
                .unwrap_err()
                .contains("not a number")
        );
    }
}
