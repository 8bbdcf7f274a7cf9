//! Report sinks. Each one only reads the model and the leak groups; none changes them.

pub mod checks;
pub mod github;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod summary;
pub mod terminal;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes a file atomically: the bytes go to a temporary file in the same folder, which is renamed over
/// `path` only once everything was written. An error names the path.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut tmp = named_temp_beside(path)?;
    {
        let mut w = io::BufWriter::new(tmp.as_file_mut());
        write(&mut w).map_err(|e| with_path(e, path))?;
        w.flush().map_err(|e| with_path(e, path))?;
    }
    tmp.persist(path).map_err(|e| with_path(e.error, path))?;
    Ok(())
}

/// A named temporary file in the folder of `path`, readable like a file the user wrote (0644 less the
/// umask, not tempfile's 0600), for a report that is renamed over `path` once complete. An error names
/// `path`, not the temporary name.
pub fn named_temp_beside(path: &Path) -> io::Result<tempfile::NamedTempFile> {
    let dir = parent_dir(path);
    // An unnamed file first: its error is the plain one ("Not a directory", "Permission denied").
    tempfile::tempfile_in(&dir).map_err(|e| with_path(e, path))?;
    let mut b = tempfile::Builder::new();
    b.prefix(".goleash-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o644));
    }
    b.tempfile_in(&dir).map_err(|e| with_path(e, path))
}

/// The folder a file is written in (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// An I/O error that says which path it concerns.
pub fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}
