//! Files of the exercise app: a saved exercise (JSON: the scenario it runs, the seed, the
//! clock, the injects and the log; an inject may lie ahead of the clock after going back
//! in time) and the after-action report (one HTML document, with the log and the
//! what-if's figures as CSV beside it).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::live::{LineKind, LogLine, Session, clock};
pub use super::report::{Report, what_if_title};
use super::whatif::Outcome;
use crate::exercise::{Exercise, Given};
use crate::scenario::Origin;
use crate::scenario::source::EMBEDDED;

pub const FORMAT: &str = "hormuz exercise";
pub const VERSION: u32 = 1;

/// Where the scenario of a saved exercise comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioRef {
    /// A scenario built into hormuz, by name.
    Embedded(String),
    /// A scenario file (absolute when saved).
    File(PathBuf),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedLine {
    pub time: String,
    pub tick: u32,
    pub kind: LineKind,
    pub sides: Vec<String>,
    pub text: String,
}

/// An exercise as saved: enough to replay it exactly to where it was.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedExercise {
    pub format: String,
    pub version: u32,
    pub scenario: ScenarioRef,
    pub seed: u32,
    /// The clock when saved, in ticks (and as a time, for the reader).
    pub tick: u32,
    pub time: String,
    pub injects: Vec<Given>,
    /// The exercise log up to `tick`, for the record; loading replays it.
    pub log: Vec<SavedLine>,
}

impl SavedExercise {
    pub fn new(
        exercise: &Exercise,
        session: &Session,
        tick: u32,
        lines: &[LogLine],
    ) -> Result<SavedExercise, String> {
        let sc = &session.scenario;
        let scenario = match &exercise.origin {
            Origin::Embedded(n) => ScenarioRef::Embedded(n.to_string()),
            Origin::Disk(p) => ScenarioRef::File(
                std::fs::canonicalize(p).map_err(|e| format!("{}: {e}", p.display()))?,
            ),
        };
        Ok(SavedExercise {
            format: FORMAT.into(),
            version: VERSION,
            scenario,
            seed: exercise.seed,
            tick,
            time: clock(tick, sc.tick_seconds),
            injects: exercise.injects.clone(),
            log: lines
                .iter()
                .map(|l| SavedLine {
                    time: clock(l.tick, sc.tick_seconds),
                    tick: l.tick,
                    kind: l.kind,
                    sides: l.sides.iter().map(|&s| sc.sides[s].id.clone()).collect(),
                    text: l.text.clone(),
                })
                .collect(),
        })
    }

    /// The exercise to replay (its scenario is checked when it is planned).
    pub fn exercise(&self) -> Result<Exercise, String> {
        let origin = match &self.scenario {
            ScenarioRef::Embedded(name) => match EMBEDDED.iter().find(|(n, _)| n == name) {
                Some((n, _)) => Origin::Embedded(n),
                None => {
                    return Err(format!(
                        "the exercise names a built-in scenario {name:?} that this hormuz does not have"
                    ));
                }
            },
            ScenarioRef::File(p) => Origin::Disk(p.clone()),
        };
        let mut ex = Exercise::new(origin, self.seed);
        ex.injects = self.injects.clone();
        Ok(ex)
    }
}

pub fn save_exercise(saved: &SavedExercise, path: &Path) -> Result<(), String> {
    let text = serde_json::to_string_pretty(saved).map_err(|e| e.to_string())?;
    crate::atomic::write(path, text + "\n")
        .map_err(|e| format!("{}: cannot write: {e}", path.display()))
}

pub fn load_exercise(path: &Path) -> Result<SavedExercise, String> {
    let text = crate::scenario::source::read_text(path).map_err(|d| d.to_string())?;
    let saved: SavedExercise = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: error: not a saved exercise: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    if saved.format != FORMAT || saved.version != VERSION {
        return Err(format!(
            "{}: error: expected format {FORMAT:?} version {VERSION}, found {:?} version {}",
            path.display(),
            saved.format,
            saved.version
        ));
    }
    Ok(saved)
}

/// The exercise log as CSV.
pub fn write_log_csv(path: &Path, session: &Session, lines: &[LogLine]) -> Result<(), String> {
    let io = |e: csv::Error| format!("{}: {e}", path.display());
    let sc = &session.scenario;
    let mut w = crate::atomic::csv_writer(path).map_err(|e| format!("{}: {e}", path.display()))?;
    w.write_record(["time", "time_s", "kind", "sides", "text", "lat", "lon"])
        .map_err(io)?;
    for l in lines {
        let sides: Vec<&str> = l.sides.iter().map(|&s| sc.sides[s].id.as_str()).collect();
        let (lat, lon) =
            l.at.map(|p| (format!("{:.3}", p.lat), format!("{:.3}", p.lon)))
                .unwrap_or_default();
        w.write_record([
            clock(l.tick, sc.tick_seconds),
            (l.tick as u64 * sc.tick_seconds as u64).to_string(),
            l.kind.name().to_string(),
            sides.join(" "),
            l.text.clone(),
            lat,
            lon,
        ])
        .map_err(io)?;
    }
    crate::atomic::commit_csv(w).map_err(|e| format!("{}: {e}", path.display()))
}

/// The after-action report into `dir`: `report.html` (the whole report, charts inline),
/// `events.csv` (the log), and after a what-if `what-if.csv` (its figures per replicate).
/// Returns the names of the files written.
pub fn export(dir: &Path, report: &Report<'_>) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
    let html = report.html()?;
    let path = dir.join("report.html");
    crate::atomic::write(&path, html)
        .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    let mut written = vec!["report.html".to_string(), "events.csv".to_string()];
    write_log_csv(&dir.join("events.csv"), report.session, report.lines)?;
    if let Some(w) = report.what_if {
        write_what_if_csv(&dir.join("what-if.csv"), w)?;
        written.push("what-if.csv".into());
    }
    Ok(written)
}

/// A what-if's figures per replicate, one row per run and replicate, with the outcome of
/// each decision the replicate took (`not taken`).
fn write_what_if_csv(path: &Path, w: &Outcome) -> Result<(), String> {
    let io = |e: csv::Error| format!("{}: {e}", path.display());
    let mut csv =
        crate::atomic::csv_writer(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let first = &w.runs[0];
    let mut header = vec![
        "run".to_string(),
        "replicate".to_string(),
        "leakers".to_string(),
    ];
    header.extend(first.hits.iter().map(|(id, _, _)| format!("hits_{id}")));
    header.extend(
        first
            .decisions
            .iter()
            .map(|(id, _)| format!("decision_{id}")),
    );
    csv.write_record(&header).map_err(io)?;
    for run in &w.runs {
        for r in 0..run.leakers.len() {
            let mut row = vec![
                if run.label.is_empty() {
                    "what-if".to_string()
                } else {
                    run.label.clone()
                },
                r.to_string(),
                crate::report::format_number(run.leakers[r]),
            ];
            row.extend(
                run.hits
                    .iter()
                    .map(|(_, _, h)| crate::report::format_number(h[r])),
            );
            // Each decision's outcome in the replicate, by its id.
            let nd = run.decisions.len();
            row.extend(run.decisions.iter().enumerate().map(|(d, (_, outcomes))| {
                run.paths
                    .get(r * nd + d)
                    .and_then(|&k| outcomes.get(k as usize))
                    .map_or("not taken".to_string(), String::clone)
            }));
            csv.write_record(&row).map_err(io)?;
        }
    }
    crate::atomic::commit_csv(csv).map_err(|e| format!("{}: {e}", path.display()))
}
