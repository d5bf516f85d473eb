//! `hormuz merge`: the shards of one run, each a folder with its `manifest.json`, its
//! rows and its summary state, put back together as the single run's `replicates.csv`,
//! `summary.json` and `log.csv`, byte for byte (apart from `run.timing`). The shards must
//! be of the same run and tile its replicates exactly; the summary is built again
//! replicate by replicate, in replicate order, as the single run builds it.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use super::shard::{MANIFEST, Manifest, Record, STATE, replay};
use super::{RunFacts, Summary, SummaryBuilder, read_columns};
use crate::engine::backend::BackendInfo;
use crate::engine::plan::Plan;
use crate::scenario::Scenario;

/// A finished shard: its folder and record.
pub struct Shard {
    pub dir: PathBuf,
    pub record: Record,
}

/// Why shards cannot be merged: bad input (a shard missing, duplicated, overlapping,
/// of another run, or damaged), or a failure to write the outputs.
#[derive(Debug)]
pub enum MergeError {
    BadInput(String),
    Io(String),
}

/// Read the shards' manifests and check that they are of one run and tile its
/// replicates `0..N` exactly; the shards in replicate order.
pub fn check(dirs: &[PathBuf]) -> Result<Vec<Shard>, MergeError> {
    let bad = MergeError::BadInput;
    let mut shards = Vec::with_capacity(dirs.len());
    for dir in dirs {
        let path = dir.join(MANIFEST);
        let record = Record::read(&path).map_err(bad)?.ok_or_else(|| {
            bad(format!(
                "{}: no {MANIFEST}: not a finished shard (one still running, or killed: run it again, with --resume)",
                dir.display()
            ))
        })?;
        if record.manifest.shard.is_none() {
            return Err(bad(format!(
                "{}: not a shard (a run without --shard)",
                dir.display()
            )));
        }
        shards.push(Shard {
            dir: dir.clone(),
            record,
        });
    }
    let Some(first) = shards.first() else {
        return Err(bad("no shard folders given".into()));
    };
    let m0: &Manifest = &first.record.manifest;
    for s in &shards[1..] {
        let d = s.record.manifest.differences(m0);
        if !d.is_empty() {
            return Err(bad(format!(
                "{}: a shard of another run than {}: {}",
                s.dir.display(),
                first.dir.display(),
                d.join(", ")
            )));
        }
    }
    let total = m0.replicates;
    let unit = if m0.sweep.is_some() {
        "grid points"
    } else {
        "replicates"
    };
    shards.sort_by_key(|s| (s.record.manifest.first, s.record.manifest.end));
    let mut next = 0u32;
    let mut last: Option<&Shard> = None;
    for s in &shards {
        let m = &s.record.manifest;
        if m.first > next {
            return Err(bad(format!(
                "{unit} {next}..{} are missing: no shard given holds them{}",
                m.first,
                last.map_or(String::new(), |l| format!(
                    " (they come after {} and before {})",
                    l.dir.display(),
                    s.dir.display()
                ))
            )));
        }
        if m.first < next {
            let l = last.expect("a shard before one that starts before the next replicate");
            let lm = &l.record.manifest;
            let what = if (lm.first, lm.end) == (m.first, m.end) {
                "are the same shard"
            } else {
                "overlap"
            };
            return Err(bad(format!(
                "{} and {} {what} ({unit} {}..{})",
                l.dir.display(),
                s.dir.display(),
                m.first,
                next.min(m.end)
            )));
        }
        next = m.end;
        last = Some(s);
    }
    if next != total {
        return Err(bad(format!(
            "{unit} {next}..{total} are missing: no shard given holds them (after {})",
            last.map_or(String::new(), |l| l.dir.display().to_string())
        )));
    }
    Ok(shards)
}

/// Write the merged `replicates.csv`, `summary.json` and `log.csv` into `out`, and return
/// the summary. `sc` and `plan` are the run's (their digests checked by the caller).
pub fn merge(
    sc: &Scenario,
    plan: &Plan,
    shards: &[Shard],
    out: &Path,
) -> Result<Summary, MergeError> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |e: std::io::Error| MergeError::Io(format!("{}: {e}", p.display()))
    };
    let bad = MergeError::BadInput;
    let rows_path = out.join("replicates.csv");
    concat(shards, "replicates.csv", &rows_path)?;
    // The summary, replicate by replicate.
    let mut builder = SummaryBuilder::new(sc, plan);
    let mut stats = crate::world::RunStats::default();
    let mut backends: Vec<(String, String)> = Vec::new();
    for s in shards {
        let m = &s.record.manifest;
        let what = s.dir.display().to_string();
        replay(
            &mut builder,
            &s.dir.join("replicates.csv"),
            &s.dir.join(STATE),
            (m.end - m.first) as u64,
            m.first,
            &what,
        )
        .map_err(bad)?;
        let st = s.record.stats.stats();
        stats.add(&st);
        stats.wall_seconds += st.wall_seconds;
        let b = (s.record.backend.clone(), s.record.adapter.clone());
        if !backends.contains(&b) {
            backends.push(b);
        }
    }
    // The same run on different machines: the bytes agree; the backends are listed.
    let join = |f: fn(&(String, String)) -> &String| {
        backends
            .iter()
            .map(f)
            .cloned()
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let backend = BackendInfo {
        kind: join(|b| &b.0),
        adapter: join(|b| &b.1),
        threads: stats.threads,
    };
    let m0 = &shards[0].record.manifest;
    let mut facts = RunFacts::of(m0.replicates, m0.seed, &backend, &stats);
    facts.uncertainty = plan.draws.as_ref().map(|d| d.describe());
    let summary = builder
        .finish(facts, &mut |visit, columns| {
            read_columns(&rows_path, columns, visit)
        })
        .map_err(MergeError::Io)?;
    let json = out.join("summary.json");
    super::write_json(&summary, &json).map_err(io(&json))?;
    merge_logs(shards, &out.join("log.csv"))?;
    Ok(summary)
}

/// The table `name` of every shard, one after the other, as `path`: the header once
/// (every shard's checked against the first's), then each shard's rows, byte for byte.
pub fn concat(shards: &[Shard], name: &str, path: &Path) -> Result<(), MergeError> {
    let bad = MergeError::BadInput;
    let io = |e: std::io::Error| MergeError::Io(format!("{}: {e}", path.display()));
    let mut rows = crate::atomic::AtomicFile::create(path).map_err(io)?;
    let mut header: Option<String> = None;
    for s in shards {
        let from = s.dir.join(name);
        let mut r = BufReader::new(
            std::fs::File::open(&from).map_err(|e| bad(format!("{}: {e}", from.display())))?,
        );
        let mut line = String::new();
        r.read_line(&mut line)
            .map_err(|e| bad(format!("{}: {e}", from.display())))?;
        match &header {
            None => {
                rows.write_all(line.as_bytes()).map_err(io)?;
                header = Some(line);
            }
            Some(h) if *h == line => {}
            Some(_) => {
                return Err(bad(format!(
                    "{}: its columns differ from those of {}",
                    from.display(),
                    shards[0].dir.join(name).display()
                )));
            }
        }
        std::io::copy(&mut r, &mut rows).map_err(io)?;
    }
    rows.commit().map_err(io)
}

/// `log.csv`: the shards' entries in the order a single run sorts them (by time, then
/// replicate, `all` first; ties in replicate order). Entries for every replicate come
/// once, from the first shard.
fn merge_logs(shards: &[Shard], path: &Path) -> Result<(), MergeError> {
    let bad = MergeError::BadInput;
    let mut entries: Vec<(u64, Option<u64>, csv::StringRecord)> = Vec::new();
    let mut header = None;
    for (i, s) in shards.iter().enumerate() {
        let p = s.dir.join("log.csv");
        let e = |e: csv::Error| bad(format!("{}: {e}", p.display()));
        let mut r = csv::Reader::from_path(&p).map_err(e)?;
        header.get_or_insert(r.headers().map_err(e)?.clone());
        for rec in r.records() {
            let rec = rec.map_err(e)?;
            let num = |j: usize| rec.get(j).and_then(|t| t.parse::<u64>().ok());
            let time =
                num(0).ok_or_else(|| bad(format!("{}: a row without a time", p.display())))?;
            let rep = num(1);
            if rep.is_none() && i > 0 {
                continue;
            }
            entries.push((time, rep, rec));
        }
    }
    entries.sort_by_key(|e| (e.0, e.1));
    let io = |e: std::io::Error| MergeError::Io(format!("{}: {e}", path.display()));
    let mut w = crate::atomic::csv_writer(path).map_err(io)?;
    if let Some(h) = header {
        w.write_record(&h).map_err(|e| io(e.into()))?;
    }
    for (_, _, rec) in &entries {
        w.write_record(rec).map_err(|e| io(e.into()))?;
    }
    crate::atomic::commit_csv(w).map_err(io)
}
