//! Scenario files: syntax (`types`, with unit templates expanded by `templates`), reading
//! and error positions (`source`), meaning (`validate`), the indexed result (`model`), and
//! the sizes the model is built for (`limits`). The input layer: it imports only `geo`.

pub mod launches;
pub mod limits;
pub mod model;
pub mod source;
mod templates;
pub mod types;
pub mod uncertain;
mod validate;

use std::path::Path;

pub use model::*;
pub use source::{
    CALIBRATION_SCENARIOS, DEFAULT_SCENARIO, Diagnostic, LoadError, MAX_DIAGNOSTICS,
    MAX_SUGGESTIONS, Origin, Place, SourceFile,
};
pub use validate::unknown;

/// Load and check a scenario and the database files it names.
pub fn load(origin: Origin) -> Result<Scenario, LoadError> {
    load_source(SourceFile::read(origin)?)
}

/// SHA-256 digests (hex) of a scenario file's text and of its database files' texts (each
/// name as the scenario lists it, its length and its text, in the listed order): what a
/// shard's manifest records, so that shards of different inputs are never merged.
pub fn digests(path: Option<&Path>) -> Result<(String, String), LoadError> {
    use sha2::{Digest, Sha256};
    let origin = match path {
        Some(p) => Origin::Disk(p.to_path_buf()),
        None => Origin::Embedded(DEFAULT_SCENARIO),
    };
    let main = SourceFile::read(origin)?;
    let file = templates::parse_scenario(&main)?;
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let mut db = Sha256::new();
    for rel in &file.scenario.database {
        let f = SourceFile::read(main.sibling(rel))?;
        db.update((rel.len() as u64).to_le_bytes());
        db.update(rel.as_bytes());
        db.update((f.text.len() as u64).to_le_bytes());
        db.update(f.text.as_bytes());
    }
    Ok((
        hex(&Sha256::digest(main.text.as_bytes())),
        hex(&db.finalize()),
    ))
}

/// Load a scenario from disk, or the embedded default when `path` is `None`.
pub fn load_path(path: Option<&Path>) -> Result<Scenario, LoadError> {
    match path {
        Some(p) => load(Origin::Disk(p.to_path_buf())),
        None => load(Origin::Embedded(DEFAULT_SCENARIO)),
    }
}

/// Load a scenario held in memory (tests, the desktop app), with database paths
/// resolved against `dir`.
pub fn load_str(name: &str, text: &str, dir: &Path) -> Result<Scenario, LoadError> {
    let origin = Origin::Disk(dir.join(name));
    load_source(SourceFile::new(name.to_string(), text.to_string(), origin))
}

/// The tick length a scenario file declares, read from its syntax alone (no database,
/// no checks of meaning).
pub fn tick_seconds(origin: Origin) -> Result<u32, LoadError> {
    let main = SourceFile::read(origin)?;
    let file = templates::parse_scenario(&main)?;
    Ok(file.scenario.tick_seconds)
}

/// The duration a scenario file declares, in seconds, read from its syntax alone (its
/// templates expanded; no database, no checks of meaning).
pub fn duration_seconds(origin: Origin) -> Result<u32, LoadError> {
    let main = SourceFile::read(origin)?;
    let file = templates::parse_scenario(&main)?;
    Ok(file.scenario.duration.seconds())
}

/// Load a scenario with extra TOML appended to its main file: the orders a facilitator
/// injected during an exercise. Diagnostics in the extra text point past the file's end.
pub fn load_with_extra(origin: Origin, extra: &str) -> Result<Scenario, LoadError> {
    let main = SourceFile::read(origin)?;
    if extra.is_empty() {
        return load_source(main);
    }
    let text = format!("{}\n{}", main.text, extra);
    load_source(SourceFile::new(
        main.name.clone(),
        text,
        main.origin.clone(),
    ))
}

/// Load a scenario held in memory together with the texts of (some of) its database files,
/// given by the names the scenario's `database` list uses; other database files are read
/// relative to `dir`. `hormuz sweep` loads its edited copies this way.
pub fn load_with_databases(
    name: &str,
    text: &str,
    dir: &Path,
    databases: &[(String, String)],
) -> Result<Scenario, LoadError> {
    let origin = Origin::Disk(dir.join(name));
    let main = SourceFile::new(name.to_string(), text.to_string(), origin);
    load_source_with(main, databases)
}

fn load_source(main: SourceFile) -> Result<Scenario, LoadError> {
    load_source_with(main, &[])
}

fn load_source_with(
    main: SourceFile,
    databases: &[(String, String)],
) -> Result<Scenario, LoadError> {
    let file = templates::parse_scenario(&main)?;
    let mut db_files = Vec::new();
    let mut diagnostics = Vec::new();
    for (i, rel) in file.scenario.database.iter().enumerate() {
        if let Some((_, t)) = databases.iter().find(|(n, _)| n == rel) {
            let name = match main.sibling(rel) {
                Origin::Disk(p) => p.display().to_string(),
                Origin::Embedded(n) => format!("<embedded>/{n}"),
            };
            db_files.push(SourceFile::new(name, t.clone(), main.sibling(rel)));
            continue;
        }
        match SourceFile::read(main.sibling(rel)) {
            Ok(f) => db_files.push(f),
            Err(mut d) => {
                // Say which line named the missing file.
                let path = source::KeyPath::default()
                    .key("scenario")
                    .key("database")
                    .index(i);
                let at = main.diagnostic(source::span_of(&main.text, &path), String::new());
                d.message = format!(
                    "{} (named at {}:{}:{})",
                    d.message, at.file, at.line, at.column
                );
                diagnostics.push(d);
            }
        }
    }
    if file.scenario.database.is_empty() {
        let path = source::KeyPath::default().key("scenario").key("database");
        diagnostics.push(main.diagnostic(
            source::span_of(&main.text, &path),
            "scenario.database: expected at least one weapons-database file".into(),
        ));
    }
    let mut dbs = Vec::new();
    for f in &db_files {
        match f.parse::<types::DatabaseFile>() {
            Ok(db) => dbs.push(db),
            Err(d) => diagnostics.push(d),
        }
    }
    if !diagnostics.is_empty() {
        return Err(LoadError::new(diagnostics));
    }
    let mut files = vec![&main];
    files.extend(db_files.iter());
    let mut ck = validate::Checker::new(files);
    match validate::validate(&mut ck, &file, &dbs) {
        Some(s) if ck.diagnostics.is_empty() => Ok(s),
        _ => Err(LoadError {
            diagnostics: ck.diagnostics,
            omitted: ck.omitted,
        }),
    }
}
