//! Output files that appear whole or not at all. Every file a command writes goes to a
//! temporary name in the folder it belongs in (`.NAME.XXXXXX.tmp`) and is renamed to its
//! name once complete and synced: a run killed at any moment (SIGKILL included) leaves the
//! previous complete file or none under the name, never a truncated one. A leaf: every
//! writer uses it, it uses nothing of the crate.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A file being written under a temporary name; [`AtomicFile::commit`] gives it its name.
/// Dropped without a commit, the temporary file is removed.
pub struct AtomicFile {
    w: BufWriter<NamedTempFile>,
    path: PathBuf,
}

/// The temporary file beside `path`, with `suffix` (plotters picks the image format from
/// the extension).
fn temp_beside(path: &Path, suffix: &str) -> io::Result<NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix).suffix(suffix);
    // The mode of a file created the usual way (0666 less the umask), not tempfile's 0600:
    // outputs are shared with the analysts who read them.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(dir)
}

/// Sync the data and give the temporary file its name.
fn persist(tmp: NamedTempFile, path: &Path) -> io::Result<()> {
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

impl AtomicFile {
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        Ok(AtomicFile {
            w: BufWriter::new(temp_beside(path, ".tmp")?),
            path: path.to_path_buf(),
        })
    }

    /// Flush, sync and rename to the final name.
    pub fn commit(self) -> io::Result<()> {
        let tmp = self.w.into_inner().map_err(|e| e.into_error())?;
        persist(tmp, &self.path)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.w.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// Write `path` whole with `write`.
pub fn write_with(
    path: &Path,
    write: impl FnOnce(&mut AtomicFile) -> io::Result<()>,
) -> io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    write(&mut f)?;
    f.commit()
}

/// Write `path` whole with `bytes`.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> io::Result<()> {
    write_with(path, |f| f.write_all(bytes.as_ref()))
}

/// A CSV writer onto an [`AtomicFile`].
pub fn csv_writer(path: &Path) -> io::Result<csv::Writer<AtomicFile>> {
    Ok(csv::Writer::from_writer(AtomicFile::create(path)?))
}

/// Flush a CSV writer from [`csv_writer`] and give its file its name.
pub fn commit_csv(w: csv::Writer<AtomicFile>) -> io::Result<()> {
    w.into_inner().map_err(|e| e.into_error())?.commit()
}

/// Have `render` write a file at a temporary path of the same extension (a library that
/// opens the path itself, such as plotters), then give it `path`.
pub fn render_to<E>(
    path: &Path,
    render: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), RenderError<E>> {
    let suffix = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let tmp = temp_beside(path, &suffix).map_err(RenderError::Io)?;
    render(tmp.path()).map_err(RenderError::Render)?;
    // The renderer wrote through its own handle: reopen to sync what it wrote.
    File::open(tmp.path())
        .and_then(|f| f.sync_all())
        .map_err(RenderError::Io)?;
    tmp.persist(path).map_err(|e| RenderError::Io(e.error))?;
    Ok(())
}

/// A file a renderer could not write: the temporary file, or the renderer's own error.
#[derive(Debug)]
pub enum RenderError<E> {
    Io(io::Error),
    Render(E),
}

/// The font plotters lays text out with in the PNG and SVG plots (`sweep`, `sensitivity`):
/// DejaVu Sans compiled in, so that no system font is needed. Registered once.
pub fn register_plot_font() {
    static FONT: std::sync::Once = std::sync::Once::new();
    FONT.call_once(|| {
        // Fails only on a malformed font, which the crate does not ship.
        let _ = plotters::style::register_font(
            "sans-serif",
            plotters::style::FontStyle::Normal,
            dejavu::sans::regular(),
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_appears_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old\n").unwrap();
        let mut f = AtomicFile::create(&path).unwrap();
        f.write_all(b"new, half").unwrap();
        f.flush().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        drop(f);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        let names = || std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(names(), 1, "a dropped file leaves no temporary file");
        write(&path, "new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(names(), 1);
    }
}
