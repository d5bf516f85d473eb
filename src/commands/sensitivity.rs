//! `hormuz sensitivity`: which uncertain parameters drive a figure (`crate::sensitivity`:
//! partial rank correlation, Marino et al. 2008); the ranking on stdout,
//! `sensitivity.csv` and `tornado.png` in `--out`.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use super::create_out;
use super::flags::RunFlags;
use super::progress::progress_bar;
use super::run::{
    BackendChoice, ParametersChoice, check_parameters, choose_backend, draw_parameters,
};
use crate::engine::budget::{CPU_BATCH, GPU_BATCH, human_bytes};
use crate::engine::plan;
use crate::error::Failure;
use crate::report::{expr, reportable_names, table};
use crate::scenario;
use crate::sensitivity::{self, Prcc, PrccError, Ranked, prcc::samples_needed, tornado};
use crate::world::{Engine, Progress, RunConfig};

/// Most rows `--top` shows.
pub const MAX_TOP: i64 = 1000;

#[derive(Args, Debug, Clone)]
pub struct SensitivityArgs {
    /// Scenario file with uncertain figures (docs/scenario.md, "Uncertain figures").
    pub scenario: PathBuf,
    /// The figure to explain: a column of replicates.csv (e.g. leaked_total), or an
    /// expression over them as in a `[[reported]]` entry.
    #[arg(long)]
    pub figure: String,
    #[command(flatten)]
    pub flags: RunFlags,
    /// Where the kernels run, as for `hormuz run`.
    #[arg(short, long, value_enum, default_value_t = BackendChoice::Auto)]
    pub backend: BackendChoice,
    /// Folder for sensitivity.csv and tornado.png.
    #[arg(short, long, default_value = "hormuz-sensitivity")]
    pub out: PathBuf,
    /// Parameters shown in the table and the chart, strongest first (the CSV has all).
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..=MAX_TOP))]
    pub top: u32,
    /// Take a decision by hand, as `hormuz run --decide` does (its probabilities then
    /// change nothing and rank near zero).
    #[arg(long, value_name = "DECISION=OUTCOME", value_parser = super::run::parse_decide)]
    pub decide: Vec<(String, String)>,
}

pub fn main(a: &SensitivityArgs) -> Result<(), Failure> {
    let f = &a.flags;
    let gpu = choose_backend(a.backend)?;
    let mut sc = scenario::load_path(Some(&a.scenario))?;
    crate::report::check_reported(&sc)?;
    super::run::pin(&mut sc, &a.decide)?;
    // The figure is checked against the names an analyst sees (`replicate` is no figure),
    // then read from the whole row.
    let bad_figure = |e: String| Failure::input(format!("--figure: {e}"));
    expr::parse(&a.figure, &reportable_names(&sc)).map_err(bad_figure)?;
    let names: Vec<String> = table(&sc).iter().map(|x| x.name(&sc)).collect();
    let figure = expr::parse(&a.figure, &names).map_err(bad_figure)?;
    if sc.parameters.is_empty() {
        return Err(Failure::input(format!(
            "{}: no figure is written as a distribution, so nothing is drawn and there is nothing to rank; write the uncertain ones as distributions (docs/scenario.md, \"Uncertain figures\")",
            a.scenario.display()
        )));
    }
    check_parameters(&sc, ParametersChoice::Draw)?;
    let groups = sensitivity::groups(&sc.parameters);
    let needed = samples_needed(groups.len());
    if (f.replicates as usize) < needed {
        return Err(Failure::input(format!(
            "-n {}: too few replicates for {} drawn parameters; PRCC needs at least {needed} (replicates - 1 - parameters degrees of freedom), and many more for a useful test",
            f.replicates,
            groups.len()
        )));
    }
    // The draws and the figure are held for every replicate: they come out of the budget
    // before the run is sized in what is left.
    let held = sensitivity::sample_bytes(f.replicates, groups.len());
    if held >= f.memory_budget {
        return Err(Failure::input(format!(
            "-n {}: the analysis holds {} of draws and figure values ({} parameters), more than --memory-budget {}",
            f.replicates,
            human_bytes(held),
            groups.len(),
            human_bytes(f.memory_budget)
        )));
    }
    let budget = crate::report::budget(&sc, f.replicates, 0, f.memory_budget - held)
        .streamed(if gpu { GPU_BATCH } else { CPU_BATCH });
    let (plan, estimate) = plan::build_for(&sc, &budget)?;
    let (sc, mut plan) = (Arc::new(sc), Arc::new(plan));
    let question = sensitivity::Question { figure, groups };
    let batch = draw_parameters(&sc, &mut plan, &estimate, f.seed, None, "")?;
    let engine = if gpu {
        Engine::Gpu
    } else {
        Engine::Cpu(f.threads())
    };
    let config = RunConfig {
        replicates: f.replicates,
        seed: f.seed,
        record: 0..0,
    };
    let pb = progress_bar(
        f.replicates as u64 * sc.ticks as u64,
        "simulating",
        "{percent:>3}% {msg} (ETA {eta})",
    );
    let progress = |p: Progress| {
        pb.set_position(p.done);
        pb.set_message(format!("replicates {}-{}", p.first, p.first + p.batch - 1));
    };
    let samples = sensitivity::collect(&sc, &plan, &config, engine, batch, &question, progress)
        .map_err(Failure::runtime);
    pb.finish_and_clear();
    let samples = samples?;
    if samples.dropped > 0 {
        eprintln!(
            "{} of {} replicates left out: the figure has no value in them (a ratio over zero)",
            samples.dropped, f.replicates
        );
    }
    let (rows, result) = sensitivity::rank(&question.groups, &samples).map_err(|e| match e {
        PrccError::Collinear { column } => Failure::input(format!(
            "--figure {}: the ranks of {} are a linear combination of the other parameters' ranks over these replicates: its partial correlation is undefined; run more replicates (-n)",
            a.figure,
            question.groups[column].label()
        )),
        e => Failure::input(format!("--figure {}: {e}", a.figure)),
    })?;
    create_out(&a.out)?;
    let csv = a.out.join("sensitivity.csv");
    sensitivity::write_csv(&rows, &result, &a.figure, &csv)
        .map_err(|e| Failure::runtime(format!("{}: {e}", csv.display())))?;
    let png = a.out.join("tornado.png");
    tornado::draw(&rows, &a.figure, result.samples, a.top as usize, &png)
        .map_err(Failure::runtime)?;
    print!(
        "{}",
        render(&sc.name, &a.figure, f.seed, &rows, &result, a.top)
    );
    eprintln!(
        "{} replicates in {:.2} s; wrote sensitivity.csv and tornado.png to {}",
        f.replicates,
        samples.stats.wall_seconds,
        a.out.display()
    );
    Ok(())
}

/// The table on stdout: the first `top` rows.
fn render(name: &str, figure: &str, seed: u32, rows: &[Ranked], r: &Prcc, top: u32) -> String {
    use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(["rank", "parameter", "PRCC", "t", "p", "note"]);
    let num = |v: Option<f64>, fmt: &dyn Fn(f64) -> String| v.map(fmt).unwrap_or_default();
    for (i, row) in rows.iter().take(top as usize).enumerate() {
        let c = &row.coefficient;
        t.add_row([
            (i + 1).to_string(),
            row.group.label(),
            num(c.prcc, &|x| format!("{x:+.3}")),
            num(c.t, &|x| format!("{x:.2}")),
            num(c.p, &p_value),
            c.note.clone().unwrap_or_default(),
        ]);
    }
    let more = if rows.len() > top as usize {
        format!(
            "\n{} of {} parameters shown (--top); all in sensitivity.csv\n",
            top,
            rows.len()
        )
    } else {
        String::new()
    };
    format!(
        "{name} — sensitivity of {figure}: partial rank correlation (PRCC, Marino et al. 2008) over {} replicates, seed {seed}; t on {} degrees of freedom, p two-sided\n{t}\n{more}",
        r.samples, r.df
    )
}

fn p_value(p: f64) -> String {
    if p == 0.0 {
        // Below what an f64 holds (or a PRCC of exactly ±1).
        "< 1e-300".to_string()
    } else if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}
