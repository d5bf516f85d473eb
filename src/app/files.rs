//! Files of the exercise app: a saved exercise (JSON: the scenario it runs, the seed, the
//! clock, the injects and the log) and the after-action report (the log as CSV, the
//! what-if charts as PNG).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::charts;
use super::live::{LineKind, LogLine, Session, clock};
use super::worker::WhatIf;
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
    std::fs::write(path, text + "\n").map_err(|e| format!("{}: cannot write: {e}", path.display()))
}

pub fn load_exercise(path: &Path) -> Result<SavedExercise, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
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
    if let Some(g) = saved.injects.iter().find(|g| g.tick > saved.tick) {
        return Err(format!(
            "{}: error: an inject at tick {} comes after the saved clock (tick {})",
            path.display(),
            g.tick,
            saved.tick
        ));
    }
    Ok(saved)
}

/// The exercise log as CSV.
pub fn write_log_csv(path: &Path, session: &Session, lines: &[LogLine]) -> Result<(), String> {
    let io = |e: csv::Error| format!("{}: {e}", path.display());
    let sc = &session.scenario;
    let mut w = csv::Writer::from_path(path).map_err(io)?;
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
    w.flush().map_err(|e| format!("{}: {e}", path.display()))
}

/// The title of a what-if chart: leakers, or the hits on the asset named.
pub fn what_if_title(session: &Session, w: &WhatIf, asset: Option<&str>) -> String {
    let from = clock(w.from_tick, session.scenario.tick_seconds);
    match asset {
        None => format!("Leakers, {} replicates from {from}", w.replicates),
        Some(name) => format!("Hits on {name}, {} replicates from {from}", w.replicates),
    }
}

/// The after-action report into `dir`: `events.csv`, and with a what-if, `what-if.csv`,
/// `leakers.png` and `hits-<asset>.png` for every asset hit in some replicate. Returns
/// the names of the files written.
pub fn export(
    dir: &Path,
    session: &Session,
    lines: &[LogLine],
    what_if: Option<&WhatIf>,
) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
    let mut written = vec!["events.csv".to_string()];
    write_log_csv(&dir.join("events.csv"), session, lines)?;
    let Some(w) = what_if else {
        return Ok(written);
    };
    charts::histogram_png(
        &dir.join("leakers.png"),
        &what_if_title(session, w, None),
        "leakers (whole scenario)",
        &w.leakers,
    )?;
    written.push("leakers.png".into());
    for (id, name, hits) in &w.hits {
        if hits.iter().all(|&h| h == 0.0) {
            continue;
        }
        let file = format!("hits-{id}.png");
        charts::histogram_png(
            &dir.join(&file),
            &what_if_title(session, w, Some(name)),
            "hits",
            hits,
        )?;
        written.push(file);
    }
    let path = dir.join("what-if.csv");
    let io = |e: csv::Error| format!("{}: {e}", path.display());
    let mut csv = csv::Writer::from_path(&path).map_err(io)?;
    let mut header = vec!["replicate".to_string(), "leakers".to_string()];
    header.extend(w.hits.iter().map(|(id, _, _)| format!("hits_{id}")));
    csv.write_record(&header).map_err(io)?;
    for r in 0..w.leakers.len() {
        let mut row = vec![r.to_string(), crate::report::format_number(w.leakers[r])];
        row.extend(
            w.hits
                .iter()
                .map(|(_, _, h)| crate::report::format_number(h[r])),
        );
        csv.write_record(&row).map_err(io)?;
    }
    csv.flush()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    written.push("what-if.csv".into());
    Ok(written)
}
