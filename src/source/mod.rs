//! The only code that opens or locates files under `--root`.
//!
//! Everything goleash reads from the source tree goes through here, with one safe-path predicate
//! ([`is_safe_path`]: relative, no `.`/`..`/empty components, no `\`, no control characters), one
//! containment check ([`file_under_root`]: the file stays inside the root once symbolic links are
//! resolved) and one size cap ([`MAX_FILE_BYTES`]):
//!
//! - the root's `go.mod` and `go.work` (the module paths a [`Resolver`] resolves stack paths through,
//!   [`Resolver::new`]; it also checks whether a root-relative path is a file, for paths no module
//!   resolves), and the nearest folder holding a `go.mod` ([`find_go_mod_root`]);
//! - the file a stack frame points at ([`Resolver::source_file`], [`frame_bytes`]) for the advice engine
//!   and the terminal's code excerpts, and the non-test files of its package ([`package_go_files`]);
//! - where a failure happened ([`failure_location`]: the `file.go:NN:` of its message, checked on disk,
//!   else the test function's declaration in the package's `_test.go` files), and where every test
//!   function of a package is declared ([`test_declarations`], for JUnit's `file`/`line`);
//! - [`go`]: a light reading of Go source (functions, blocks, channel operations, `make(chan …)`) for the
//!   advice engine.
//!
//! Nothing here writes, and nothing outside the root is ever read: a path that is not safe, or that
//! leaves the root through a link, is treated as missing.

pub mod go;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::dump::Frame;
use crate::paths::{in_repo, message_position, module_path, package_dir, workspace_uses, Resolver};

/// Files larger than this are never read.
pub const MAX_FILE_BYTES: u64 = 2 << 20;
/// At most this many files of one package are read.
pub const MAX_PACKAGE_FILES: usize = 200;
/// At most this many bytes of one package are read.
pub const MAX_PACKAGE_BYTES: u64 = 8 << 20;

/// True for a path that is safe to open under the root: relative, `/`-separated, no empty, `.` or `..`
/// component, no `\`, no control characters.
pub fn is_safe_path(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.starts_with('/')
        && rel
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
        && !rel.chars().any(|c| c == '\\' || c.is_control())
}

/// True for a safe path ([`is_safe_path`]) that also needs no quoting in a patch header: only ASCII
/// letters, digits and `._-/+@~` (what `--fix-diff` may name).
pub fn is_plain_path(rel: &str) -> bool {
    is_safe_path(rel)
        && rel.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | '+' | '@' | '~')
        })
}

/// The file `rel` under `root`, when `rel` is safe and the file is a regular file that stays inside the
/// root once symbolic links are resolved.
pub fn file_under_root(root: &Path, rel: &str) -> Option<PathBuf> {
    if !is_safe_path(rel) {
        return None;
    }
    let root = root.canonicalize().ok()?;
    let p = root.join(rel).canonicalize().ok()?;
    (p.starts_with(&root) && p.is_file()).then_some(p)
}

/// The folder `rel` under `root` (`""`: the root itself), when it stays inside the root.
fn dir_under_root(root: &Path, rel: &str) -> Option<PathBuf> {
    if !rel.is_empty() && !is_safe_path(rel) {
        return None;
    }
    let root = root.canonicalize().ok()?;
    let p = root.join(rel).canonicalize().ok()?;
    (p.starts_with(&root) && p.is_dir()).then_some(p)
}

/// The bytes of the file `rel` under `root`, when it is there ([`file_under_root`]) and at most
/// [`MAX_FILE_BYTES`] long.
pub fn read_bytes(root: &Path, rel: &str) -> Option<Vec<u8>> {
    let p = file_under_root(root, rel)?;
    if std::fs::metadata(&p).ok()?.len() > MAX_FILE_BYTES {
        return None;
    }
    std::fs::read(p).ok()
}

/// The text of the file `rel` under `root` ([`read_bytes`]), when it is UTF-8.
pub fn read_text(root: &Path, rel: &str) -> Option<String> {
    String::from_utf8(read_bytes(root, rel)?).ok()
}

/// The nearest folder from `start` upward that holds a `go.mod`.
pub fn find_go_mod_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| d.join("go.mod").is_file())
        .map(Path::to_path_buf)
}

impl Resolver {
    /// A resolver for `root` (reads `root/go.mod` when present).
    pub fn new(root: Option<PathBuf>) -> Resolver {
        // Absolute, so that absolute stack paths under it match (a relative `--root` is common).
        let root = root.map(|r| std::fs::canonicalize(&r).unwrap_or(r));
        let module = root
            .as_deref()
            .and_then(|r| read_text(r, "go.mod"))
            .and_then(|t| module_path(&t));
        // A `go.work` at the root: every module it uses resolves to its folder.
        let workspace: Vec<(String, String)> = root
            .as_deref()
            .and_then(|r| read_text(r, "go.work"))
            .map(|t| {
                workspace_uses(&t)
                    .into_iter()
                    .filter(|dir| !dir.is_empty())
                    .filter_map(|dir| {
                        let go_mod = read_text(root.as_deref()?, &format!("{dir}/go.mod"))?;
                        Some((module_path(&go_mod)?, dir))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let resolver = Resolver::of(root.clone(), module, workspace);
        match root {
            Some(r) => resolver.with_probe(Arc::new(move |rel: &str| {
                file_under_root(&r, rel).is_some()
            })),
            None => resolver,
        }
    }

    /// The file on disk under the root for a frame of user code, when it exists there.
    pub fn source_file(&self, f: &Frame) -> Option<PathBuf> {
        let root = self.root.as_ref()?;
        if !self.is_user_code(f) {
            return None;
        }
        file_under_root(root, &self.display_path(f))
    }
}

/// The root-relative path and bytes of the user-code file a frame points at (at most
/// [`MAX_FILE_BYTES`]).
pub fn frame_bytes(resolver: &Resolver, f: &Frame) -> Option<(String, Vec<u8>)> {
    let root = resolver.root.as_ref()?;
    if !resolver.is_user_code(f) {
        return None;
    }
    let rel = resolver.display_path(f);
    let bytes = read_bytes(root, &rel)?;
    Some((rel, bytes))
}

/// The non-test `.go` files (root-relative path, text) in the folder of the root-relative file `rel`, in
/// name order: at most [`MAX_PACKAGE_FILES`] files and [`MAX_PACKAGE_BYTES`] bytes, each at most
/// [`MAX_FILE_BYTES`].
pub fn package_go_files(root: &Path, rel: &str) -> Vec<(String, String)> {
    let dir_rel = rel.rsplit_once('/').map_or("", |(d, _)| d);
    let Some(dir) = dir_under_root(root, dir_rel) else {
        return Vec::new();
    };
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = rd
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".go") && !n.ends_with("_test.go"))
        .collect();
    names.sort();
    names.truncate(MAX_PACKAGE_FILES);
    let mut budget = MAX_PACKAGE_BYTES;
    names
        .into_iter()
        .filter_map(|n| {
            let r = if dir_rel.is_empty() {
                n
            } else {
                format!("{dir_rel}/{n}")
            };
            let p = file_under_root(root, &r)?;
            let len = std::fs::metadata(&p).ok()?.len();
            if len > MAX_FILE_BYTES || len > budget {
                return None;
            }
            budget -= len;
            Some((r, std::fs::read_to_string(p).ok()?))
        })
        .collect()
}

/// Where a failure happened, as `(file, line, column)` relative to the root: the `file.go:NN:` its
/// message starts with, resolved to the package's folder through the module path (a bare file name is in
/// the package's folder; build errors name paths from where `go` ran); else the declaration of the test
/// function (`TestMain` for a package-level failure) in the package's `_test.go` files. When the root is
/// a folder on disk the file must exist there.
///
/// Called by the view ([`crate::view`]) when it builds a failure entry; no sink looks for files.
pub fn failure_location(
    resolver: &Resolver,
    package: &str,
    test: Option<&str>,
    message: &str,
) -> Option<(String, u32, Option<u32>)> {
    let dir = package_dir(package, resolver);
    let on_disk = resolver.root.as_deref().filter(|r| r.is_dir());
    let join = |d: &str, f: &str| {
        if d.is_empty() {
            f.to_string()
        } else {
            format!("{d}/{f}")
        }
    };
    // The position is on the message's first line (its continuation lines follow it).
    let first = message.lines().next().unwrap_or_default();
    if let Some((file, line, col)) = message_position(first) {
        let mut candidates: Vec<String> = Vec::new();
        let file = file.replace('\\', "/");
        let base = file.rsplit('/').next().unwrap_or(&file).to_string();
        if file.starts_with('/') {
            if let Some(root) = resolver.root.as_deref() {
                let root_s = root.to_string_lossy().replace('\\', "/");
                if let Some(rest) = file.strip_prefix(root_s.trim_end_matches('/')) {
                    candidates.push(rest.trim_start_matches('/').to_string());
                }
            }
        } else if file.contains('/') {
            candidates.push(file.trim_start_matches("./").to_string());
        }
        if let Some(d) = &dir {
            candidates.push(join(d, &base));
        }
        let found = candidates.into_iter().find(|c| {
            in_repo(c)
                && match on_disk {
                    Some(root) => file_under_root(root, c).is_some(),
                    None => true,
                }
        });
        if let Some(file) = found {
            return Some((file, line, col));
        }
    }
    let root = on_disk?;
    let dir = dir?;
    let func = match test {
        Some(t) => t.split('/').next().unwrap_or(t),
        None => "TestMain",
    };
    let (file, line) = find_test_func(root, &dir, func)?;
    Some((join(&dir, &file), line, None))
}

/// The `_test.go` file in the root-relative folder `dir` and the line where `func NAME(` is declared.
fn find_test_func(root: &Path, dir: &str, name: &str) -> Option<(String, u32)> {
    declarations_in(root, dir, Some(name)).remove(name)
}

/// Where the test functions of a package are declared: each top-level `func Name(` of its `_test.go`
/// files by name, as `(root-relative file, line)`. Empty when the root is not a folder on disk or the
/// package is not in the root's module. Reads each of the package's test files once (within the caps of
/// [`read_text`]); for the JUnit `file`/`line` of cases that did not fail.
pub fn test_declarations(
    resolver: &Resolver,
    package: &str,
) -> std::collections::BTreeMap<String, (String, u32)> {
    let (Some(root), Some(dir)) = (
        resolver.root.as_deref().filter(|r| r.is_dir()),
        package_dir(package, resolver),
    ) else {
        return std::collections::BTreeMap::new();
    };
    declarations_in(root, &dir, None)
        .into_iter()
        .map(|(name, (file, line))| {
            let rel = if dir.is_empty() {
                file
            } else {
                format!("{dir}/{file}")
            };
            (name, (rel, line))
        })
        .collect()
}

/// The top-level functions declared in the `_test.go` files of the root-relative folder `dir` (only
/// `only`, when given), by name: `(file name, line)`. Several files may declare one under different
/// build constraints: one without any wins, else the last (the newest Go version's, by the usual file
/// naming).
fn declarations_in(
    root: &Path,
    dir: &str,
    only: Option<&str>,
) -> std::collections::BTreeMap<String, (String, u32)> {
    let mut found = std::collections::BTreeMap::new();
    let Some(abs) = dir_under_root(root, dir) else {
        return found;
    };
    let Ok(entries) = std::fs::read_dir(abs) else {
        return found;
    };
    let mut files: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with("_test.go"))
        .collect();
    files.sort();
    // Names declared in a file without build constraints: final.
    let mut settled = std::collections::BTreeSet::new();
    for file in files {
        let rel = if dir.is_empty() {
            file.clone()
        } else {
            format!("{dir}/{file}")
        };
        let Some(text) = read_text(root, &rel) else {
            continue;
        };
        let mut constrained = false;
        for (i, l) in text.lines().enumerate() {
            if l.starts_with("//go:build") {
                constrained = true;
                continue;
            }
            let Some(rest) = l.strip_prefix("func ") else {
                continue;
            };
            let Some(name) = rest.split_once('(').map(|(n, _)| n) else {
                continue;
            };
            if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if only.is_some_and(|o| o != name) || settled.contains(name) {
                continue;
            }
            let Ok(line) = u32::try_from(i + 1) else {
                continue;
            };
            found.insert(name.to_string(), (file.clone(), line));
            if !constrained {
                settled.insert(name.to_string());
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_paths() {
        assert!(is_safe_path("a/b_c-1.go") && is_plain_path("a/b_c-1.go"));
        assert!(is_safe_path("a/ü b.go") && !is_plain_path("a/ü b.go"));
        for p in [
            "",
            "/etc/passwd",
            "../x.go",
            "a/../b.go",
            "a//b.go",
            "./a.go",
            "a\\b.go",
            "a\nb.go",
        ] {
            assert!(!is_safe_path(p) && !is_plain_path(p), "{p:?}");
        }
        for p in ["a b.go", "a\"b.go"] {
            assert!(is_safe_path(p) && !is_plain_path(p), "{p:?}");
        }
    }

    #[test]
    fn nothing_outside_the_root_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("p")).unwrap();
        std::fs::write(root.join("p/f.go"), "package p\n").unwrap();
        std::fs::write(dir.path().join("secret.go"), "package secret\n").unwrap();
        assert_eq!(read_text(&root, "p/f.go").as_deref(), Some("package p\n"));
        assert_eq!(read_text(&root, "../secret.go"), None);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.go"), root.join("p/link.go"))
                .unwrap();
            assert_eq!(read_text(&root, "p/link.go"), None);
            assert_eq!(
                package_go_files(&root, "p/f.go"),
                [("p/f.go".to_string(), "package p\n".to_string())]
            );
        }
    }
}
