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

/// Replaces what XML 1.0 cannot carry (control characters other than tab, newline and carriage return,
/// U+FFFE and U+FFFF) with a visible `\xNN`/`\u{NNNN}` escape, so that nothing a test printed is lost and the
/// file stays valid.
pub fn xml_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    // Fast path on bytes: the characters to replace are ASCII controls, or U+FFFE/U+FFFF (0xEF …).
    if !s
        .bytes()
        .any(|b| (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r') || b == 0xEF)
        || !s.chars().any(bad)
    {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if bad(c) {
            if (c as u32) < 0x100 {
                out.push_str(&format!("\\x{:02x}", c as u32));
            } else {
                out.push_str(&format!("\\u{{{:04x}}}", c as u32));
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_safe_escapes_controls_only() {
        assert_eq!(xml_safe("a\tb\nc"), "a\tb\nc");
        assert_eq!(xml_safe("\u{1b}[31mred\u{0}"), "\\x1b[31mred\\x00");
        assert_eq!(xml_safe("x\u{ffff}"), "x\\u{ffff}");
    }
}
