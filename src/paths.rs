//! Stack paths → paths a developer (and GitHub) can use.
//!
//! Stack traces carry absolute paths of the machine that ran the tests (a container, a CI runner, a
//! Windows runner's `D:/a/…`), or module-relative ones with `-trimpath`. A [`Resolver`] turns them into
//! paths that do not depend on where the capture was taken nor on where the checkout is:
//!
//! - user code → relative to `--root`, through the module path in `--root`'s `go.mod` (and the modules a
//!   `go.work` at the root uses): a frame of `example.com/m/pkg.F` at `/anything/pkg/f.go` is `pkg/f.go`
//!   when `go.mod` says `module example.com/m`; a `-trimpath` path `example.com/m/pkg/f.go` too;
//! - vendored dependencies (`…/vendor/<import path>/f.go`) → `vendor/<import path>/f.go`;
//! - the standard library → `$GOROOT/src/…`, recognised from the file path itself, so that linknamed
//!   frames (`internal/poll.runtime_pollWait` in `…/src/runtime/netpoll.go`), the module-proxy toolchain's
//!   GOROOT (`…/pkg/mod/golang.org/toolchain@v0.0.1-go1.27.3.linux-amd64/src/…`) and `-trimpath` paths
//!   (`sync/waitgroup.go`) all read `$GOROOT/src/…`;
//! - dependencies from the module cache → `module@version/path`;
//! - anything else (package `main` of a bare dump, whose function names no module): the longest suffix of
//!   the printed path that is a file under `--root` (checked through [`Resolver::with_probe`]'s probe),
//!   else the path as printed.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::dump::{self, Frame};

/// Tells whether a root-relative path is a file under the root (see [`Resolver::with_probe`]).
pub type Probe = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Resolves stack paths against a source root.
#[derive(Clone, Default)]
pub struct Resolver {
    /// The source root (`--root`), when known.
    pub root: Option<PathBuf>,
    /// The module path from `root/go.mod`, when there is one.
    pub module: Option<String>,
    /// The other modules of a `go.work` workspace at the root: `(module path, folder relative to the
    /// root)`, from each `use` directive's `go.mod`.
    pub workspace: Vec<(String, String)>,
    /// Checks root-relative paths on disk (set by the `source` layer); `None`: nothing is checked.
    probe: Option<Probe>,
    /// What the probe answered, by printed path.
    probed: Arc<Mutex<HashMap<String, Option<String>>>>,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("root", &self.root)
            .field("module", &self.module)
            .field("workspace", &self.workspace)
            .field("probe", &self.probe.is_some())
            .finish()
    }
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

/// The folders a `go.work` file's `use` directives name (`use ./app`, `use ( ./a "./b" )`), relative to
/// the file's folder, without `./` (`"."`, the folder itself, is `""`).
pub fn workspace_uses(go_work: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    for l in go_work.lines() {
        let l = l.split("//").next().unwrap_or_default().trim();
        let dir = if in_block {
            if l.starts_with(')') {
                in_block = false;
                continue;
            }
            l
        } else if let Some(rest) = l.strip_prefix("use") {
            let rest = rest.trim();
            if let Some(inner) = rest.strip_prefix('(') {
                in_block = true;
                inner.trim()
            } else if l.len() > 3 && l[3..].starts_with([' ', '\t']) {
                rest
            } else {
                continue;
            }
        } else {
            continue;
        };
        let dir = dir.trim_matches('"').trim_end_matches('/');
        if dir.is_empty() {
            continue;
        }
        let dir = dir.strip_prefix("./").unwrap_or(dir);
        out.push(if dir == "." {
            String::new()
        } else {
            dir.to_string()
        });
    }
    out
}

/// The printed file with `\` as `/`.
fn slashed(file: &str) -> std::borrow::Cow<'_, str> {
    if file.contains('\\') {
        std::borrow::Cow::Owned(file.replace('\\', "/"))
    } else {
        std::borrow::Cow::Borrowed(file)
    }
}

/// True for a path as printed on the machine that ran the tests (`/x/…`, `C:/x/…`), not one that
/// `-trimpath` made module-relative.
fn is_absolute(file: &str) -> bool {
    let b = file.as_bytes();
    file.starts_with('/')
        || (b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/')
}

/// `$GOROOT/src/…` for the standard library's file `file` of package `pkg`, when it is one.
fn goroot_path(pkg: &str, file: &str) -> Option<String> {
    if file.starts_with('<') {
        return None;
    }
    if is_absolute(file) {
        // The package's own folder first; a linknamed frame (`internal/poll.runtime_pollWait` in
        // `runtime/netpoll.go`) is in another folder of the same `src`.
        let marker = format!("/src/{pkg}/");
        let i = file.rfind(&marker).or_else(|| file.rfind("/src/"))?;
        return Some(format!("$GOROOT{}", &file[i..]));
    }
    // `-trimpath`: `sync/waitgroup.go`; a short form `http/transport.go` of `net/http`.
    let (dir, base) = file.rsplit_once('/')?;
    if dir != pkg && pkg.ends_with(&format!("/{dir}")) {
        return Some(format!("$GOROOT/src/{pkg}/{base}"));
    }
    Some(format!("$GOROOT/src/{file}"))
}

impl Resolver {
    /// A resolver that knows the module path without reading a file.
    pub fn with_module(root: Option<PathBuf>, module: &str) -> Resolver {
        Resolver {
            root,
            module: Some(module.to_string()),
            ..Resolver::default()
        }
    }

    /// A resolver for `root` with its module path and the other modules of its workspace.
    pub fn of(
        root: Option<PathBuf>,
        module: Option<String>,
        workspace: Vec<(String, String)>,
    ) -> Resolver {
        Resolver {
            root,
            module,
            workspace,
            ..Resolver::default()
        }
    }

    /// The resolver with a probe that says whether a root-relative path is a file under the root: used
    /// for printed paths no module path resolves (see the module docs). Each printed path is probed once.
    pub fn with_probe(mut self, probe: Probe) -> Resolver {
        self.probe = Some(probe);
        self
    }

    /// The import path of a package with an external test package's `_test` suffix removed.
    fn package_dir_path(function: &str) -> &str {
        let pkg = dump::package_of(function);
        pkg.strip_suffix("_test").unwrap_or(pkg)
    }

    /// Every module of the root: `(module path, folder relative to the root)`, the root's own first.
    pub fn modules(&self) -> impl Iterator<Item = (&str, &str)> {
        self.module
            .as_deref()
            .map(|m| (m, ""))
            .into_iter()
            .chain(self.workspace.iter().map(|(m, d)| (m.as_str(), d.as_str())))
    }

    /// The folder (relative to the root) of a package of one of the root's modules.
    pub fn package_folder(&self, pkg: &str) -> Option<String> {
        let pkg = pkg.strip_suffix("_test").unwrap_or(pkg);
        self.modules()
            .filter_map(|(m, dir)| {
                let rest = pkg.strip_prefix(m)?;
                if !(rest.is_empty() || rest.starts_with('/')) {
                    return None;
                }
                let rest = rest.trim_start_matches('/');
                Some((m.len(), join(dir, rest)))
            })
            .max_by_key(|(len, _)| *len)
            .map(|(_, d)| d)
    }

    /// True when the frame is in the user's own code: in one of `--root`'s modules when they are known,
    /// else neither the standard library nor a dependency from the module cache.
    pub fn is_user_code(&self, f: &Frame) -> bool {
        let pkg = Self::package_dir_path(&f.function);
        if self.package_folder(pkg).is_some() {
            return true;
        }
        if f.file.contains("/pkg/mod/") || is_std_package(pkg) && pkg != "main" {
            return false;
        }
        if pkg == "main" {
            return true;
        }
        self.module.is_none() && self.workspace.is_empty()
    }

    /// The frame's file as a path relative to the root (for user code), `$GOROOT/src/…` for the standard
    /// library, `module@version/…` for dependencies, `vendor/…` for vendored ones, or as printed when
    /// nothing better is known (see the module docs).
    pub fn display_path(&self, f: &Frame) -> String {
        let file = slashed(&f.file);
        let file = file.as_ref();
        if let Some(i) = file.find("/pkg/mod/") {
            let rest = &file[i + "/pkg/mod/".len()..];
            // The toolchain the go command downloaded (GOTOOLCHAIN): its GOROOT is in the module cache.
            if rest.starts_with("golang.org/toolchain@") {
                if let Some(j) = rest.find("/src/") {
                    return format!("$GOROOT{}", &rest[j..]);
                }
            }
            return rest.to_string();
        }
        let pkg = Self::package_dir_path(&f.function);
        let base = file.rsplit('/').next().unwrap_or(file);
        if let Some(dir) = self.package_folder(pkg) {
            return join(&dir, base);
        }
        if is_std_package(pkg) && pkg != "main" {
            if let Some(p) = goroot_path(pkg, file) {
                return p;
            }
        }
        if !is_std_package(pkg) {
            let marker = format!("/vendor/{pkg}/");
            if let Some(i) = file.rfind(&marker) {
                return format!("vendor/{pkg}/{}", &file[i + marker.len()..]);
            }
        }
        if !is_absolute(file) {
            // `-trimpath`: `<module path>/<folder>/f.go`.
            let best = self
                .modules()
                .filter_map(|(m, dir)| {
                    let rest = file.strip_prefix(m)?.strip_prefix('/')?;
                    Some((m.len(), join(dir, rest)))
                })
                .max_by_key(|(len, _)| *len);
            if let Some((_, p)) = best {
                return p;
            }
            return file.to_string();
        }
        if let Some(root) = &self.root {
            let root_s = slashed(&root.to_string_lossy()).into_owned();
            if let Some(rest) = file
                .strip_prefix(root_s.trim_end_matches('/'))
                .and_then(|r| r.strip_prefix('/'))
            {
                return rest.to_string();
            }
        }
        self.probed_path(file).unwrap_or_else(|| file.to_string())
    }

    /// The longest suffix of an absolute printed path that the probe finds under the root.
    fn probed_path(&self, file: &str) -> Option<String> {
        let probe = self.probe.as_ref()?;
        if let Ok(cache) = self.probed.lock() {
            if let Some(hit) = cache.get(file) {
                return hit.clone();
            }
        }
        let found = file
            .match_indices('/')
            .map(|(i, _)| &file[i + 1..])
            .find(|rest| !rest.is_empty() && probe(rest))
            .map(str::to_string);
        if let Ok(mut cache) = self.probed.lock() {
            cache.insert(file.to_string(), found.clone());
        }
        found
    }
}

/// `dir/rest`, or `rest` when `dir` is empty (and `dir` when `rest` is).
fn join(dir: &str, rest: &str) -> String {
    match (dir.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (false, true) => dir.to_string(),
        (false, false) => format!("{dir}/{rest}"),
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
    resolver.package_folder(package)
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

    #[test]
    fn goroot_is_recognised_from_any_frame_and_any_toolchain() {
        let r = Resolver::with_module(None, "example.com/m");
        let cases = [
            // Linknamed: the package's folder is not in the path.
            (
                "internal/poll.runtime_pollWait",
                "/usr/local/go/src/runtime/netpoll.go",
                "$GOROOT/src/runtime/netpoll.go",
            ),
            (
                "sync.runtime_SemacquireWaitGroup",
                "C:/hostedtoolcache/windows/go/1.26.7/x64/src/runtime/sema.go",
                "$GOROOT/src/runtime/sema.go",
            ),
            // The module-proxy toolchain (GOTOOLCHAIN=go1.27.3).
            (
                "testing.tRunner",
                "/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.27.3.linux-amd64/src/testing/testing.go",
                "$GOROOT/src/testing/testing.go",
            ),
            (
                "testing.tRunner",
                "C:/Users/runneradmin/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.27.3.windows-amd64/src/testing/testing.go",
                "$GOROOT/src/testing/testing.go",
            ),
            // -trimpath: no GOROOT at all.
            ("sync.(*WaitGroup).Wait", "sync/waitgroup.go", "$GOROOT/src/sync/waitgroup.go"),
            ("internal/poll.runtime_pollWait", "runtime/netpoll.go", "$GOROOT/src/runtime/netpoll.go"),
            // gleak's short form: the last folder only.
            ("net/http.(*conn).serve", "http/server.go", "$GOROOT/src/net/http/server.go"),
            // A dependency from the module cache, and vendored.
            (
                "golang.org/x/sync/errgroup.(*Group).Go.func1",
                "C:/Users/runneradmin/go/pkg/mod/golang.org/x/sync@v0.16.0/errgroup/errgroup.go",
                "golang.org/x/sync@v0.16.0/errgroup/errgroup.go",
            ),
            (
                "golang.org/x/sync/errgroup.(*Group).Go.func1",
                "/tmp/v/wild/vendor/golang.org/x/sync/errgroup/errgroup.go",
                "vendor/golang.org/x/sync/errgroup/errgroup.go",
            ),
            // Windows workspace of the module itself.
            ("example.com/m/pkg.F", "D:/a/m/m/pkg/f.go", "pkg/f.go"),
        ];
        for (function, file, want) in cases {
            assert_eq!(r.display_path(&frame(function, file)), want, "{file}");
        }
        assert!(!r.is_user_code(&frame(
            "golang.org/x/sync/errgroup.(*Group).Go.func1",
            "/tmp/v/wild/vendor/golang.org/x/sync/errgroup/errgroup.go"
        )));
    }

    #[test]
    fn workspace_modules_resolve_to_their_folders() {
        assert_eq!(
            workspace_uses("go 1.25\n\nuse (\n\t./app\n\t\"./lib\" // c\n)\nuse ./tools/\nuse .\n"),
            ["app", "lib", "tools", ""]
        );
        let r = Resolver::of(
            None,
            None,
            vec![
                ("example.com/wildapp".into(), "app".into()),
                ("example.com/wildlib".into(), "lib".into()),
            ],
        );
        let lib = frame("example.com/wildlib.run", "/ci/work/lib/watch.go");
        assert_eq!(r.display_path(&lib), "lib/watch.go");
        assert!(r.is_user_code(&lib));
        let trimmed = frame(
            "example.com/wildapp.Forward.func1",
            "example.com/wildapp/app.go",
        );
        assert_eq!(r.display_path(&trimmed), "app/app.go");
        assert!(!r.is_user_code(&frame("example.com/other.F", "/x/f.go")));
        assert_eq!(
            package_dir("example.com/wildlib_test", &r).as_deref(),
            Some("lib")
        );
    }

    #[test]
    fn paths_no_module_names_are_probed_under_the_root() {
        let r = Resolver::with_module(None, "example.com/m").with_probe(Arc::new(|rel: &str| {
            rel == "cmd/tool/main.go" || rel == "main.go"
        }));
        // The capture's checkout was elsewhere: its longest suffix that is a file under the root.
        let f = frame("main.main", "/work/main/fixtures/go/cmd/tool/main.go");
        assert_eq!(r.display_path(&f), "cmd/tool/main.go");
        assert_eq!(r.display_path(&f), "cmd/tool/main.go");
        assert_eq!(
            r.display_path(&frame("main.main", "D:/a/m/m/cmd/tool/main.go")),
            "cmd/tool/main.go"
        );
        // Nothing under the root: as printed.
        assert_eq!(
            r.display_path(&frame("main.main", "/elsewhere/x/other.go")),
            "/elsewhere/x/other.go"
        );
    }
}
