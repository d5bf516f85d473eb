//! `hormuz calibrate`: the calibration scenarios against what was publicly reported
//! (`crate::calibrate` does the comparison). A miss is a failure while running (exit 1).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;

use super::flags::RunFlags;
use super::progress::progress_bar;
use super::run::drawn_batch;
use super::run::{BackendChoice, choose_backend};
use crate::calibrate::fit::{FitConfig, fit, joint_parameters, simulate};
use crate::calibrate::{describe_misses, fit_report, render, run_event};
use crate::engine::budget::Estimate;
use crate::engine::params::{DrawnThresholds, Draws};
use crate::engine::plan;
use crate::engine::posterior::Posterior;
use crate::error::Failure;
use crate::scenario::Scenario;
use crate::scenario::{self, CALIBRATION_SCENARIOS, Origin};
use crate::world::{Engine, Progress};

#[derive(Args, Debug, Clone)]
#[command(
    mut_arg("replicates", |a| a.help("Monte Carlo replicates per event")),
    mut_arg("seed", |a| a.help("Seed of the random streams, the same for every event")),
    mut_arg("memory_budget", |a| a.help("Memory one event's run may use for per-replicate state, e.g. 4GiB")),
)]
pub struct CalibrateArgs {
    #[command(flatten)]
    pub flags: RunFlags,
    /// Run the scenarios of this folder (every *.toml, in name order) instead of the
    /// calibration scenarios built into hormuz, e.g. after editing the database.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Fit the uncertain figures to every reported figure by rejection ABC, and write
    /// posterior.json and fit.md (prior against posterior, leave-one-event-out) into
    /// this folder.
    #[arg(long, value_name = "DIR", conflicts_with = "posterior")]
    pub fit: Option<PathBuf>,
    /// Prior parameter sets a fit simulates (one replicate each, per event).
    #[arg(long, default_value_t = 4000, value_parser = clap::value_parser!(u32).range(100..=1_000_000), requires = "fit")]
    pub sets: u32,
    /// Fraction of the sets a fit accepts, the closest to the reports (at least
    /// 20 sets).
    #[arg(long, default_value_t = 0.05, value_parser = fraction, requires = "fit")]
    pub accept: f64,
    /// Run the events with their uncertain figures drawn from this posterior (a file
    /// written by --fit; `built-in` for scenarios/posterior.json), to compare the fitted
    /// model with the reports.
    #[arg(long, value_name = "FILE")]
    pub posterior: Option<PathBuf>,
    /// Where a fit runs: `auto` takes a hardware GPU when there is one.
    #[arg(long, value_enum, default_value_t = BackendChoice::Auto, requires = "fit")]
    pub backend: BackendChoice,
}

/// A fraction in (0, 1].
fn fraction(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("expected a fraction such as 0.05, found {s:?}"))?;
    if v > 0.0 && v <= 1.0 {
        Ok(v)
    } else {
        Err(format!("{v} is not in (0, 1]"))
    }
}

/// The built-in calibration scenarios, or the scenarios among the `*.toml` of `dir`, in
/// name order: a file that a scenario of the folder names as its database, or that holds
/// a database and no `[scenario]`, is not a scenario.
fn origins(dir: Option<&PathBuf>) -> Result<Vec<Origin>, Failure> {
    let Some(dir) = dir else {
        return Ok(CALIBRATION_SCENARIOS
            .iter()
            .map(|n| Origin::Embedded(n))
            .collect());
    };
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Failure::input(format!(
            "--dir {}: cannot read the folder: {e}",
            dir.display()
        ))
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let databases: Vec<PathBuf> = files.iter().flat_map(|f| databases_named(f)).collect();
    files.retain(|f| {
        let named = databases.iter().any(|d| same_file(d, f));
        if named || looks_like_database(f) {
            eprintln!(
                "calibrate: {} is a weapons database, not a scenario",
                f.display()
            );
            return false;
        }
        true
    });
    if files.is_empty() {
        return Err(Failure::input(format!(
            "--dir {}: no scenario (*.toml with a [scenario] table) in the folder",
            dir.display()
        )));
    }
    Ok(files.into_iter().map(Origin::Disk).collect())
}

/// The database files a scenario file names (none when it cannot be read or parsed: it is
/// then reported as a scenario).
fn databases_named(file: &Path) -> Vec<PathBuf> {
    let Ok(text) = scenario::source::read_text(file) else {
        return Vec::new();
    };
    let Ok(doc) = toml::from_str::<toml::Table>(&text) else {
        return Vec::new();
    };
    let base = file.parent().unwrap_or(Path::new("."));
    doc.get("scenario")
        .and_then(|s| s.get("database"))
        .and_then(|d| d.as_array())
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str())
                .map(|n| base.join(n))
                .collect()
        })
        .unwrap_or_default()
}

/// A file with `threats` or `interceptors` and no `[scenario]`.
fn looks_like_database(file: &Path) -> bool {
    let Ok(text) = scenario::source::read_text(file) else {
        return false;
    };
    let Ok(doc) = toml::from_str::<toml::Table>(&text) else {
        return false;
    };
    !doc.contains_key("scenario")
        && (doc.contains_key("threats") || doc.contains_key("interceptors"))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

pub fn main(a: &CalibrateArgs) -> Result<(), Failure> {
    let f = &a.flags;
    let replicates = if a.fit.is_some() {
        a.sets
    } else {
        f.replicates
    };
    // Every event is loaded and planned within the budget before the first one runs, and
    // every bad one is reported, not only the first.
    let mut events = Vec::new();
    let mut refused = Vec::new();
    for o in origins(a.dir.as_ref())? {
        let planned = crate::calibrate::load_event(o)
            .map_err(Failure::from)
            .and_then(|sc| {
                let budget = crate::report::budget(&sc, replicates, 0, f.memory_budget);
                let (plan, estimate) = plan::build_for(&sc, &budget)?;
                Ok((Arc::new(sc), Arc::new(plan), estimate))
            });
        match planned {
            Ok(e) => events.push(e),
            Err(e) => refused.push(e.message),
        }
    }
    if !refused.is_empty() {
        return Err(Failure::input(refused.join("\n")));
    }
    if let Some(dir) = &a.fit {
        return fit_main(a, dir, events);
    }
    let posterior = match &a.posterior {
        Some(p) => Some(load_posterior(p)?),
        None => None,
    };
    let mut results = Vec::new();
    for (sc, mut plan, _) in events {
        if let Some((posterior, name)) = &posterior {
            check_drawable(&sc, "--posterior")?;
            let draws = Draws::from_posterior(&sc, &plan, f.seed, posterior.clone(), name)
                .map_err(Failure::input)?;
            Arc::get_mut(&mut plan)
                .ok_or_else(|| Failure::runtime("the event's plan is already shared"))?
                .draws = Some(Arc::new(draws));
        }
        eprintln!("calibrating: {} ({} replicates)", sc.file, f.replicates);
        let r = run_event(sc, plan, f.replicates, f.seed, f.threads()).map_err(Failure::runtime)?;
        results.push(r);
    }
    print!("{}", render(&results));
    let misses = describe_misses(&results);
    if misses.is_empty() {
        return Ok(());
    }
    Err(Failure::runtime(format!(
        "calibration: the model misses {} reported figure(s):\n  {}",
        misses.len(),
        misses.join("\n  ")
    )))
}

/// A posterior file, or the built-in one (`built-in`), with the name errors give it.
pub(super) fn load_posterior(path: &Path) -> Result<(Arc<Posterior>, String), Failure> {
    let p = if path == Path::new("built-in") {
        Posterior::built_in().map_err(Failure::runtime)?
    } else {
        Posterior::load(path).map_err(|e| Failure::input(format!("--posterior {e}")))?
    };
    let name = if path == Path::new("built-in") {
        crate::engine::posterior::BUILT_IN_NAME.to_string()
    } else {
        path.display().to_string()
    };
    Ok((Arc::new(p), name))
}

/// Refuse a scenario with an uncertain figure the run cannot draw per replicate.
fn check_drawable(sc: &Scenario, what: &str) -> Result<(), Failure> {
    match sc.parameters.iter().find(|p| !DrawnThresholds::reads(p)) {
        Some(p) => Err(Failure::input(format!(
            "{what}: {}: {} cannot be drawn per replicate yet (docs/scenario.md, Uncertain figures); write it as one number",
            sc.file, p.path
        ))),
        None => Ok(()),
    }
}

/// `--fit`: every event once per prior set, then the posterior, `fit.md` and the tables.
fn fit_main(
    a: &CalibrateArgs,
    dir: &Path,
    events: Vec<(Arc<Scenario>, Arc<plan::Plan>, Estimate)>,
) -> Result<(), Failure> {
    let f = &a.flags;
    for (sc, _, _) in &events {
        check_drawable(sc, "--fit")?;
    }
    let scenarios: Vec<Arc<Scenario>> = events.iter().map(|e| e.0.clone()).collect();
    let priors = joint_parameters(&scenarios).map_err(Failure::input)?;
    if scenarios.iter().all(|sc| sc.reported.is_empty()) {
        return Err(Failure::input(
            "--fit: the events report no figure ([[reported]]) to fit against",
        ));
    }
    if priors.is_empty() {
        return Err(Failure::input(
            "--fit: the events have no uncertain figure to fit (docs/scenario.md, Uncertain figures)",
        ));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::runtime(format!("--fit {}: {e}", dir.display())))?;
    let gpu = choose_backend(a.backend)?;
    let engine = if gpu {
        Engine::Gpu
    } else {
        Engine::Cpu(f.threads())
    };
    let config = FitConfig {
        sets: a.sets,
        accept: a.accept,
        seed: f.seed,
    };
    let started = std::time::Instant::now();
    let mut sims = Vec::new();
    for (sc, plan, estimate) in &events {
        let draws = Draws::new(sc, plan, f.seed);
        let batch = drawn_batch(estimate, &draws);
        let pb = progress_bar(
            a.sets as u64 * sc.ticks as u64,
            "fitting",
            "{percent:>3}% {msg} (ETA {eta})",
        );
        pb.set_message(sc.file.clone());
        let progress = |p: Progress| pb.set_position(p.done);
        let s = simulate(sc, plan, &config, engine, batch, progress).map_err(Failure::runtime)?;
        pb.finish_and_clear();
        eprintln!(
            "fit: {} simulated for {} prior sets ({:.0} s so far)",
            sc.file,
            a.sets,
            started.elapsed().as_secs_f64()
        );
        sims.push(s);
    }
    let result = fit(&sims, priors, &config);
    let json = result.posterior.to_json();
    let text = fit_report::render(&result);
    let io =
        |p: PathBuf| move |e: std::io::Error| Failure::runtime(format!("{}: {e}", p.display()));
    let (pj, pm) = (dir.join("posterior.json"), dir.join("fit.md"));
    std::fs::write(&pj, json).map_err(io(pj.clone()))?;
    std::fs::write(&pm, &text).map_err(io(pm.clone()))?;
    print!("{text}");
    eprintln!(
        "fit: {} of {} sets accepted in {:.0} s; wrote {} and {}",
        result.posterior.fit.accepted,
        a.sets,
        started.elapsed().as_secs_f64(),
        pj.display(),
        pm.display()
    );
    Ok(())
}
