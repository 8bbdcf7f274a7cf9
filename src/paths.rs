//! Stack paths → paths a developer (and GitHub) can use.
//!
//! Stack traces carry absolute paths of the machine that ran the tests (a container, a CI runner), or
//! module-relative ones with `-trimpath`. A [`Resolver`] turns them into paths relative to `--root`
//! through the module path in `--root`'s `go.mod`: a frame of `example.com/m/pkg.F` at
//! `/anything/pkg/f.go` is `pkg/f.go` when `go.mod` says `module example.com/m`. Standard-library frames
//! become `$GOROOT/src/…`, dependencies `module@version/path`.

use std::path::PathBuf;

use crate::dump::{self, Frame};

/// Resolves stack paths against a source root.
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    /// The source root (`--root`), when known.
    pub root: Option<PathBuf>,
    /// The module path from `root/go.mod`, when there is one.
    pub module: Option<String>,
}

/// Reads `module …` from a `go.mod` file's text.
pub fn module_path(go_mod: &str) -> Option<String> {
    go_mod.lines().find_map(|l| {
        let l = l.trim();
        let rest = l.strip_prefix("module")?;
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        let m = rest.split("//").next()?.trim().trim_matches('"');
        (!m.is_empty()).then(|| m.to_string())
    })
}

impl Resolver {
    /// A resolver that knows the module path without reading a file.
    pub fn with_module(root: Option<PathBuf>, module: &str) -> Resolver {
        Resolver {
            root,
            module: Some(module.to_string()),
        }
    }

    /// The import path of a package with an external test package's `_test` suffix removed.
    fn package_dir_path(function: &str) -> &str {
        let pkg = dump::package_of(function);
        pkg.strip_suffix("_test").unwrap_or(pkg)
    }

    /// True when the frame is in the user's own code: in `--root`'s module when it is known, else neither
    /// the standard library nor a dependency from the module cache.
    pub fn is_user_code(&self, f: &Frame) -> bool {
        let pkg = Self::package_dir_path(&f.function);
        if let Some(m) = &self.module {
            if pkg == m
                || pkg
                    .strip_prefix(m.as_str())
                    .is_some_and(|r| r.starts_with('/'))
            {
                return true;
            }
        }
        if f.file.contains("/pkg/mod/") || is_std_package(pkg) && pkg != "main" {
            return false;
        }
        if pkg == "main" {
            return true;
        }
        self.module.is_none()
    }

    /// The frame's file as a path relative to the root (for user code), `$GOROOT/src/…` for the standard
    /// library, `module@version/…` for dependencies, or as printed when nothing better is known.
    pub fn display_path(&self, f: &Frame) -> String {
        let file = f.file.replace('\\', "/");
        if let Some(i) = file.find("/pkg/mod/") {
            return file[i + "/pkg/mod/".len()..].to_string();
        }
        let pkg = Self::package_dir_path(&f.function);
        if let Some(m) = &self.module {
            if let Some(rest) = pkg.strip_prefix(m.as_str()) {
                if rest.is_empty() || rest.starts_with('/') {
                    let dir = rest.trim_start_matches('/');
                    let base = file.rsplit('/').next().unwrap_or(&file);
                    return if dir.is_empty() {
                        base.to_string()
                    } else {
                        format!("{dir}/{base}")
                    };
                }
            }
        }
        if is_std_package(pkg) && pkg != "main" {
            let marker = format!("/src/{pkg}/");
            if let Some(i) = file.rfind(&marker) {
                return format!("$GOROOT{}", &file[i..]);
            }
        }
        if let Some(root) = &self.root {
            let root_s = root.to_string_lossy().replace('\\', "/");
            if let Some(rest) = file.strip_prefix(root_s.trim_end_matches('/')) {
                return rest.trim_start_matches('/').to_string();
            }
        }
        file
    }
}

/// True for standard-library import paths: the first element has no dot.
pub fn is_std_package(pkg: &str) -> bool {
    let first = pkg.split('/').next().unwrap_or(pkg);
    !first.contains('.')
}

/// True when a report path names a file of the repository: relative, not under `$GOROOT`, not a module
/// cache path (`module@version/…`), not escaping upward.
pub fn in_repo(file: &str) -> bool {
    let first = file.split('/').next().unwrap_or("");
    !file.is_empty()
        && !file.starts_with('/')
        && !file.starts_with('$')
        && !file.contains('\\')
        && !file.split('/').any(|seg| seg.contains('@'))
        && !first.contains(':')
        && !file.split('/').any(|s| s == "..")
}

/// The folder of a package relative to the root, through the module path (`None` when the package is
/// not in the root's module).
pub fn package_dir(package: &str, resolver: &Resolver) -> Option<String> {
    let pkg = package.strip_suffix("_test").unwrap_or(package);
    let m = resolver.module.as_deref()?;
    if pkg == m {
        return Some(String::new());
    }
    pkg.strip_prefix(m)
        .and_then(|r| r.strip_prefix('/'))
        .map(str::to_string)
}

/// `(file, line, column)` from a message that starts with Go's `file.go:LINE:` or `file.go:LINE:COL:`.
pub fn message_position(message: &str) -> Option<(&str, u32, Option<u32>)> {
    crate::gotest::position(message).map(|p| (p.file, p.line, p.column))
}

#[cfg(test)]
mod tests {
    #[test]
    fn message_positions_parse() {
        assert_eq!(
            message_position("misc_test.go:12: want 1"),
            Some(("misc_test.go", 12, None))
        );
        assert_eq!(
            message_position("buildfail/util_test.go:7:11: undefined: x"),
            Some(("buildfail/util_test.go", 7, Some(11)))
        );
        assert_eq!(message_position("panic: boom: x"), None);
        assert_eq!(message_position("test timed out after 20s"), None);
        assert_eq!(message_position("a b.go:3: x"), None);
    }

    #[test]
    fn in_repo_rejects_foreign_paths() {
        assert!(in_repo("pkg/f.go"));
        assert!(!in_repo("$GOROOT/src/net/fd_unix.go"));
        assert!(!in_repo("go.uber.org/goleak@v1.3.0/leaks.go"));
        assert!(!in_repo("/abs/f.go"));
        assert!(!in_repo("../f.go"));
        assert!(!in_repo("C:/x.go"));
        assert!(!in_repo(""));
    }

    use super::*;

    fn frame(function: &str, file: &str) -> Frame {
        Frame {
            function: function.to_string(),
            file: file.to_string(),
            line: 3,
            ..Frame::default()
        }
    }

    #[test]
    fn module_path_is_read() {
        assert_eq!(
            module_path("// c\nmodule example.com/m // x\n\ngo 1.24\n").as_deref(),
            Some("example.com/m")
        );
        assert_eq!(module_path("modulex foo"), None);
    }

    #[test]
    fn paths_resolve_through_the_module() {
        let r = Resolver::with_module(None, "example.com/m");
        let f = frame("example.com/m/pkg.F.func1", "/builds/xyz/pkg/f.go");
        assert_eq!(r.display_path(&f), "pkg/f.go");
        assert!(r.is_user_code(&f));
        let t = frame("example.com/m/pkg_test.TestX", "/other/pkg/f_test.go");
        assert_eq!(r.display_path(&t), "pkg/f_test.go");
        let s = frame(
            "net/http.(*persistConn).readLoop",
            "/usr/local/go/src/net/http/transport.go",
        );
        assert_eq!(r.display_path(&s), "$GOROOT/src/net/http/transport.go");
        assert!(!r.is_user_code(&s));
        let d = frame(
            "go.uber.org/goleak.Find",
            "/root/go/pkg/mod/go.uber.org/goleak@v1.3.0/leaks.go",
        );
        assert_eq!(r.display_path(&d), "go.uber.org/goleak@v1.3.0/leaks.go");
        assert!(!r.is_user_code(&d));
        let trimmed = frame("example.com/m.Top", "example.com/m/top.go");
        assert_eq!(r.display_path(&trimmed), "top.go");
    }
}
