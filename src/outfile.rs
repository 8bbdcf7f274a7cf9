//! Report files, written whole or not at all: the bytes go to a temporary file beside the target (mode
//! 0644 less the umask), which is renamed over it once complete. Errors name the target path.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Writes a file atomically: the bytes go to a temporary file in the same folder, which is renamed over
/// `path` only once everything was written. An error names the path.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Error> {
    let mut tmp = named_temp_beside(path)?;
    {
        let mut w = io::BufWriter::new(tmp.as_file_mut());
        write(&mut w).map_err(|e| Error::output(path, e))?;
        w.flush().map_err(|e| Error::output(path, e))?;
    }
    tmp.persist(path)
        .map_err(|e| Error::output(path, e.error))?;
    Ok(())
}

/// A named temporary file in the folder of `path`, readable like a file the user wrote (0644 less the
/// umask, not tempfile's 0600), for a report that is renamed over `path` once complete. An error names
/// `path`, not the temporary name.
pub fn named_temp_beside(path: &Path) -> Result<tempfile::NamedTempFile, Error> {
    let dir = parent_dir(path);
    // An unnamed file first: its error is the plain one ("Not a directory", "Permission denied").
    check_writable(path)?;
    let mut b = tempfile::Builder::new();
    b.prefix(".goleash-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o644));
    }
    b.tempfile_in(&dir).map_err(|e| Error::output(path, e))
}

/// Fails, naming the path, when a file cannot be created in the output's folder.
pub fn check_writable(path: &Path) -> Result<(), Error> {
    tempfile::tempfile_in(parent_dir(path))
        .map(drop)
        .map_err(|e| Error::output(path, e))
}

/// The folder a file is written in (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
