//! Reading scenario and database files, and turning byte offsets and key paths into
//! `file:line:column` diagnostics.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::limits::MAX_FILE_BYTES;

/// The default scenario and its database, compiled into the binary so that
/// `hormuz run` works with no files at hand.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "scenarios/gulf-2026.toml",
        include_str!("../../scenarios/gulf-2026.toml"),
    ),
    (
        "scenarios/db/weapons.toml",
        include_str!("../../scenarios/db/weapons.toml"),
    ),
    (
        "scenarios/calibration/al-asad-2020.toml",
        include_str!("../../scenarios/calibration/al-asad-2020.toml"),
    ),
    (
        "scenarios/calibration/israel-apr-2024.toml",
        include_str!("../../scenarios/calibration/israel-apr-2024.toml"),
    ),
    (
        "scenarios/calibration/israel-oct-2024.toml",
        include_str!("../../scenarios/calibration/israel-oct-2024.toml"),
    ),
    (
        "scenarios/calibration/red-sea-dec-2024.toml",
        include_str!("../../scenarios/calibration/red-sea-dec-2024.toml"),
    ),
    (
        "scenarios/calibration/red-sea-nov-2024.toml",
        include_str!("../../scenarios/calibration/red-sea-nov-2024.toml"),
    ),
];

/// The calibration scenarios (`hormuz calibrate`), in the order of the events.
pub const CALIBRATION_SCENARIOS: &[&str] = &[
    "scenarios/calibration/al-asad-2020.toml",
    "scenarios/calibration/israel-apr-2024.toml",
    "scenarios/calibration/israel-oct-2024.toml",
    "scenarios/calibration/red-sea-dec-2024.toml",
    "scenarios/calibration/red-sea-nov-2024.toml",
];

pub const DEFAULT_SCENARIO: &str = "scenarios/gulf-2026.toml";

/// One problem found in an input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based; 0 when the problem concerns the file as a whole.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: error: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: error: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

/// Where a value is written: a file, a line and column (0 when the value cannot be found),
/// and its key path. Kept for checks made after loading, by layers that know what the
/// scenario layer does not (the report layer checks `[[reported]]` figure names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The key path as written in messages: `reported[3].figure`.
    pub path: String,
}

impl Place {
    /// A problem with the value written here: `file:line:col: error: path: message`.
    pub fn error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: self.file.clone(),
            line: self.line,
            column: self.column,
            message: format!("{}: {}", self.path, message.into()),
        }
    }
}

/// Most problems a load reports in full; past them only their number is reported (a file
/// of 16 MiB can hold millions of mistakes, each with a message and a place to find).
pub const MAX_DIAGNOSTICS: usize = 1000;
/// Most "did you mean" lists a load computes (each compares an id with every known one).
pub const MAX_SUGGESTIONS: usize = 100;

/// Every problem found while loading a scenario; loading reports them all at once, up to
/// [`MAX_DIAGNOSTICS`], and how many more there are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
    /// Problems found beyond the first [`MAX_DIAGNOSTICS`], not reported one by one.
    pub omitted: usize,
}

impl LoadError {
    pub fn new(diagnostics: Vec<Diagnostic>) -> LoadError {
        LoadError {
            diagnostics,
            omitted: 0,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        if self.omitted > 0 {
            write!(
                f,
                "\n... and {} more errors (the first {} are shown)",
                self.omitted,
                self.diagnostics.len()
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

impl From<Diagnostic> for LoadError {
    fn from(d: Diagnostic) -> Self {
        LoadError::new(vec![d])
    }
}

/// Where scenario files come from: the file system, or the copies built into the binary.
#[derive(Clone, Debug)]
pub enum Origin {
    Disk(PathBuf),
    Embedded(&'static str),
}

/// A file's text, with what is needed to point into it.
pub struct SourceFile {
    pub name: String,
    pub text: String,
    pub origin: Origin,
    line_starts: Vec<usize>,
    /// All ASCII: a column is a byte offset within its line.
    ascii: bool,
}

impl SourceFile {
    pub fn new(name: String, text: String, origin: Origin) -> SourceFile {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            ascii: text.is_ascii(),
            name,
            text,
            origin,
            line_starts,
        }
    }

    pub fn read(origin: Origin) -> Result<SourceFile, Diagnostic> {
        match &origin {
            Origin::Disk(path) => {
                let text = read_text(path)?;
                Ok(SourceFile::new(path.display().to_string(), text, origin))
            }
            Origin::Embedded(name) => match EMBEDDED.iter().find(|(n, _)| n == name) {
                Some((n, text)) => Ok(SourceFile::new(
                    format!("<embedded>/{n}"),
                    (*text).to_string(),
                    origin.clone(),
                )),
                None => Err(Diagnostic {
                    file: format!("<embedded>/{name}"),
                    line: 0,
                    column: 0,
                    message: "no such file is built into hormuz".into(),
                }),
            },
        }
    }

    /// Resolve a path written inside this file (a database file) relative to it.
    pub fn sibling(&self, relative: &str) -> Origin {
        match &self.origin {
            Origin::Disk(p) => {
                let base = p.parent().unwrap_or(Path::new("."));
                Origin::Disk(base.join(relative))
            }
            Origin::Embedded(name) => {
                // Resolve `..` and `.` by hand: embedded names are plain `a/b/c` strings.
                let mut parts: Vec<&str> = name.split('/').collect();
                parts.pop();
                for part in relative.split(['/', '\\']) {
                    match part {
                        "" | "." => {}
                        ".." => {
                            parts.pop();
                        }
                        p => parts.push(p),
                    }
                }
                let joined = parts.join("/");
                let found = EMBEDDED.iter().find(|(n, _)| *n == joined).map(|(n, _)| *n);
                Origin::Embedded(found.unwrap_or("<missing>"))
            }
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        // Characters, not bytes; counted only where they differ (a long line with many
        // errors in it is not counted over for each).
        let col = if self.ascii {
            offset - start + 1
        } else {
            self.text[start..offset].chars().count() + 1
        };
        (line + 1, col)
    }

    pub fn diagnostic(&self, span: Option<Range<usize>>, message: String) -> Diagnostic {
        let (line, column) = match span {
            Some(s) => self.line_col(s.start),
            None => (0, 0),
        };
        Diagnostic {
            file: self.name.clone(),
            line,
            column,
            message,
        }
    }

    /// Deserialize the whole file, or say where and why it cannot be.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, Diagnostic> {
        toml::from_str::<T>(&self.text).map_err(|e| {
            let message = e.message().trim().to_string();
            self.diagnostic(e.span(), message)
        })
    }
}

/// Read a text file from disk: only a regular file (a FIFO or a device such as `/dev/zero`
/// is refused at once, before anything is read from it), at most `MAX_FILE_BYTES`, in
/// UTF-8 (invalid bytes are reported at their line and column, like any other error).
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let name = path.display().to_string();
    let fail = |line: usize, column: usize, message: String| Diagnostic {
        file: name.clone(),
        line,
        column,
        message,
    };
    let bytes = read_capped(path).map_err(|m| fail(0, 0, m))?;
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let line_start = bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
        // The bytes before `at` are valid UTF-8: count characters, as columns are counted.
        let column = 1 + String::from_utf8_lossy(&bytes[line_start..at])
            .chars()
            .count();
        fail(
            line,
            column,
            format!("invalid UTF-8 at byte {at}: save the file as UTF-8"),
        )
    })
}

/// The bytes of a regular file of at most `MAX_FILE_BYTES`, or why not.
fn read_capped(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot read the file: {e}");
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // Opening a FIFO for reading waits for a writer: open without waiting, then look at
    // what was opened (no race between a check of the path and the open).
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err(format!(
            "not a regular file ({}); hormuz reads scenario and database files only from regular files",
            file_kind(&meta)
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow while it is read: never take more than the cap and one byte.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

fn too_large(bytes: u64) -> String {
    format!(
        "the file has {} bytes or more; hormuz reads files of at most {} bytes ({} MiB)",
        bytes,
        MAX_FILE_BYTES,
        MAX_FILE_BYTES >> 20
    )
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

/// One step of a path into a TOML document: `batteries[3].magazine[0].interceptor`.
#[derive(Clone, Debug)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A key path, built while validating, and resolved to a span only when an error is
/// reported (so the happy path pays nothing for it).
#[derive(Clone, Debug, Default)]
pub struct KeyPath(pub Vec<Step>);

impl KeyPath {
    pub fn key(&self, k: &str) -> KeyPath {
        let mut p = self.clone();
        p.0.push(Step::Key(k.to_string()));
        p
    }

    pub fn index(&self, i: usize) -> KeyPath {
        let mut p = self.clone();
        p.0.push(Step::Index(i));
        p
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Step::Key(k) if i == 0 => write!(f, "{k}")?,
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

type Found<'a, 'i> = (Range<usize>, &'a toml::Spanned<DeValue<'i>>);

fn find_key<'a, 'i>(t: &'a DeTable<'i>, k: &str) -> Option<Found<'a, 'i>> {
    t.iter()
        .find(|(key, _)| key.get_ref().as_ref() == k)
        .map(|(key, v)| (key.span(), v))
}

/// A key a unit takes from the template it names (`template = "id"`): where the template
/// writes it.
fn from_template<'a, 'i>(
    root: &'a DeTable<'i>,
    unit: &DeTable<'i>,
    k: &str,
) -> Option<Found<'a, 'i>> {
    let name = unit.get("template")?.get_ref().as_str()?;
    let DeValue::Array(list) = root.get("templates")?.get_ref() else {
        return None;
    };
    list.iter().find_map(|x| match x.get_ref() {
        DeValue::Table(t) if t.get("id").and_then(|v| v.get_ref().as_str()) == Some(name) => {
            find_key(t, k)
        }
        _ => None,
    })
}

/// The span of the value at `path`, or of the deepest table on the way to it when the
/// key itself is absent (a missing field is reported at its table). A key a unit takes
/// from its template is found in the template.
pub fn span_of(text: &str, path: &KeyPath) -> Option<Range<usize>> {
    Some(span_in(&DeTable::parse(text).ok()?, path))
}

/// A document parsed once for finding spans (see [`span_in`]).
pub type SpanTree<'t> = toml::Spanned<DeTable<'t>>;

/// [`span_of`] in a document already parsed, for callers that look up many paths.
pub fn span_in(root: &SpanTree<'_>, path: &KeyPath) -> Range<usize> {
    let mut best = root.span();
    let mut current: Option<&DeValue> = None;
    let mut table: Option<&DeTable> = Some(root.get_ref());
    for step in &path.0 {
        let next = match (step, table, current) {
            (Step::Key(k), Some(t), _) => {
                find_key(t, k).or_else(|| from_template(root.get_ref(), t, k))
            }
            (Step::Index(i), _, Some(DeValue::Array(a))) => a.get(*i).map(|v| (v.span(), v)),
            _ => None,
        };
        let Some((key_span, value)) = next else {
            break;
        };
        // Point at the value for scalars, at the key line for tables and arrays of tables.
        best = match value.get_ref() {
            DeValue::Table(_) | DeValue::Array(_) => {
                if value.span().start < key_span.start {
                    key_span
                } else {
                    value.span()
                }
            }
            _ => value.span(),
        };
        current = Some(value.get_ref());
        table = match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
    }
    best
}
