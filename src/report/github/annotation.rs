//! The annotations: one per leak group (at the leak's line) and per failing test that reported no leak
//! (at its failing line), ranked by level, severity and reach, and capped to what the runner shows.
//! Plain data; [`super::command`] writes them, the check run sends them.

use std::collections::BTreeSet;
use std::path::Path;

use crate::model::FailureKind;
use crate::paths::in_repo;
use crate::text::{plural, truncate, Keep};
use crate::view::{FailureEntry, LeakEntry, View};

/// The runner shows at most this many annotations of one level (error, warning, notice) per step.
pub const PER_LEVEL_CAP: usize = 10;
/// The runner shows at most this many annotations per job.
pub const PER_JOB_CAP: usize = 50;
/// The runner cuts annotation messages at this many characters.
pub const MESSAGE_LIMIT: usize = 4096;
/// Titles are kept within this many characters (the check-run API's limit).
pub const TITLE_LIMIT: usize = 255;

/// The level of an annotation, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// `::error` (check runs: `failure`): makes the run fail.
    Error,
    /// `::warning`: reported, does not fail the run (per `--fail-on`).
    Warning,
    /// `::notice`: known leaks listed in the baseline.
    Notice,
}

impl Level {
    /// The workflow command name.
    pub fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }

    /// The check-run API's `annotation_level`.
    pub fn check_level(self) -> &'static str {
        match self {
            Level::Error => "failure",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// What an annotation is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A leak group, by id.
    Leak(String),
    /// A failure without leaks.
    Failure {
        /// The package.
        package: String,
        /// The test (`None` for package-level failures).
        test: Option<String>,
    },
}

/// One annotation before escaping: what the workflow command and the check run both carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Error, warning or notice.
    pub level: Level,
    /// The file, relative to the repository root; `None` when nothing in the repository can be named.
    pub file: Option<String>,
    /// The line in `file`.
    pub line: Option<u32>,
    /// The column, when known.
    pub col: Option<u32>,
    /// The title (at most [`TITLE_LIMIT`] characters).
    pub title: String,
    /// The message (at most [`MESSAGE_LIMIT`] characters).
    pub message: String,
    /// What it is about.
    pub subject: Subject,
    /// One line naming it, for the list of annotations that did not fit.
    pub short: String,
}

/// Which findings fail the run (derived from `--fail-on`): those become errors, the others warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failing tests fail the run.
    pub failures_fail: bool,
    /// Leaks not in the baseline fail the run.
    pub leaks_fail: bool,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            failures_fail: true,
            leaks_fail: true,
        }
    }
}

/// What every GitHub sink (annotations, summary, check run) shares: where the root is in the
/// repository, which findings fail the run, and whether annotations are printed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Context {
    /// The root's place in the repository ([`repo_prefix`]).
    pub prefix: String,
    /// Which findings are errors.
    pub policy: Policy,
    /// Annotations are printed as workflow commands (`--github`).
    pub annotate: bool,
}

impl Context {
    /// Every annotation of the view, ranked ([`annotations`]).
    pub fn annotations(&self, view: &View) -> Vec<Annotation> {
        annotations(view, self.policy, &self.prefix)
    }

    /// How many annotations the runner's caps leave out (0 when none are printed).
    pub fn omitted_annotations(&self, view: &View) -> usize {
        if self.annotate {
            cap(&self.annotations(view)).omitted
        } else {
            0
        }
    }
}

/// The annotations that fit the runner's caps.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capped {
    /// The annotations to print, in rank order; the last one of a level that overflowed says how many
    /// more there are and lists them.
    pub shown: Vec<Annotation>,
    /// How many annotations were not printed on their own.
    pub omitted: usize,
}

/// A path relative to the repository root: `prefix` (the root's place in the repository, `""` or ending
/// in `/`) joined with a root-relative path.
pub fn repo_path(prefix: &str, file: &str) -> String {
    format!("{prefix}{}", file.trim_start_matches("./"))
}

/// The root's place in the repository checked out at `workspace`: `""` when they are the same folder or
/// the root is outside the workspace, else the relative path with `/` separators and a trailing `/`.
pub fn repo_prefix(root: &Path, workspace: &Path) -> String {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (root, workspace) = (canon(root), canon(workspace));
    match root.strip_prefix(&workspace) {
        Ok(rel) if !rel.as_os_str().is_empty() => {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            format!("{}/", parts.join("/"))
        }
        _ => String::new(),
    }
}

/// The distinct tests that saw a leak, as `package.Test`.
pub fn tests_of(l: &LeakEntry) -> BTreeSet<String> {
    l.occurrences
        .iter()
        .filter_map(|o| o.test.as_ref().map(|t| format!("{}.{t}", o.package)))
        .collect()
}

/// "seen by 3 tests", or where a leak nobody's test saw was reported.
pub fn reach_phrase(l: &LeakEntry) -> String {
    let n = tests_of(l).len();
    if n > 0 {
        return format!("seen by {}", plural(n, "test", "tests"));
    }
    if l.occurrences.iter().any(|o| !o.package.is_empty()) {
        "seen after the tests (package level)".to_string()
    } else {
        "seen in a goroutine dump".to_string()
    }
}

/// `pkg.Test`, or `pkg` for a package-level report.
pub fn who(package: &str, test: Option<&str>) -> String {
    match test {
        Some(t) => format!("{package}.{t}"),
        None => package.to_string(),
    }
}

/// Where a leak annotation goes, relative to the root: the leak's location when it is in the
/// repository, else the innermost stack frame that is, else the `go` statement, else the failing line of
/// the test that first saw it (standard-library leaks such as an unclosed `httptest.Server` have no
/// frame of their own in the repository).
pub fn leak_anchor(l: &LeakEntry, failures: &[FailureEntry]) -> Option<(String, u32)> {
    if let Some(loc) = l.location.as_ref().filter(|loc| in_repo(&loc.file)) {
        return Some((loc.file.clone(), loc.line));
    }
    if let Some(f) = l.stack.iter().find(|f| in_repo(&f.file) && f.line > 0) {
        return Some((f.file.clone(), f.line));
    }
    if let Some(c) = l
        .created_by
        .as_ref()
        .filter(|c| in_repo(&c.file) && c.line > 0)
    {
        return Some((c.file.clone(), c.line));
    }
    let first = l
        .first_seen
        .as_ref()
        .map(|f| (f.package.as_str(), f.test.as_deref()));
    let seen = first.into_iter().chain(
        l.occurrences
            .iter()
            .map(|o| (o.package.as_str(), o.test.as_deref())),
    );
    for (pkg, test) in seen {
        if let Some(f) = failures
            .iter()
            .find(|f| f.package == pkg && f.test.as_deref() == test)
        {
            if let (Some(file), Some(line)) = (&f.file, f.line) {
                if in_repo(file) {
                    return Some((file.clone(), line));
                }
            }
        }
    }
    None
}

fn leak_annotation(
    l: &LeakEntry,
    failures: &[FailureEntry],
    policy: Policy,
    prefix: &str,
) -> Annotation {
    let level = if l.known {
        Level::Notice
    } else if policy.leaks_fail {
        Level::Error
    } else {
        Level::Warning
    };
    let shown = |file: &str| {
        if in_repo(file) {
            repo_path(prefix, file)
        } else {
            file.to_string()
        }
    };
    let anchor = leak_anchor(l, failures);
    let title = format!(
        "{}goroutine leak ({}): {}",
        if l.known { "known " } else { "" },
        l.cause,
        reach_phrase(l)
    );
    let mut message = format!(
        "{} {} at {}",
        plural(l.goroutines, "goroutine", "goroutines"),
        l.doing(),
        l.function
    );
    if let Some(loc) = &l.location {
        message.push_str(&format!(" ({}:{})", shown(&loc.file), loc.line));
    }
    match &l.created_by {
        Some(c) => message.push_str(&format!(
            ", started by {} at {}:{}.",
            c.function,
            shown(&c.file),
            c.line
        )),
        None => message.push('.'),
    }
    if !l.advice.is_empty() {
        message.push('\n');
        message.push_str(&l.advice);
    }
    message.push('\n');
    if let Some(f) = &l.first_seen {
        message.push_str(&format!(
            "First seen in {}; ",
            who(&f.package, f.test.as_deref())
        ));
    }
    message.push_str(&format!("leak id {}.", l.id));
    if l.known {
        message.push_str(" Known: listed in the baseline.");
    }
    let at = anchor
        .as_ref()
        .map(|(f, n)| format!(" at {}:{n}", repo_path(prefix, f)))
        .unwrap_or_default();
    Annotation {
        level,
        file: anchor.as_ref().map(|(f, _)| repo_path(prefix, f)),
        line: anchor.as_ref().map(|(_, n)| *n),
        col: None,
        title: truncate(&title, TITLE_LIMIT, Keep::Start),
        message: truncate(&message, MESSAGE_LIMIT, Keep::Start),
        subject: Subject::Leak(l.id.clone()),
        short: format!("leak {} ({}){at}", l.id, l.cause),
    }
}

fn failure_title(f: &FailureEntry) -> String {
    let what = match f.kind {
        FailureKind::Build => "build failed",
        FailureKind::Timeout => "test timed out",
        FailureKind::Panic => "test panicked",
        FailureKind::Package => "package failed",
        FailureKind::Race => "data race",
        FailureKind::Incomplete => "test did not finish",
        FailureKind::Test => "test failed",
    };
    format!("{what}: {}", who(&f.package, f.test.as_deref()))
}

fn failure_annotation(f: &FailureEntry, policy: Policy, prefix: &str) -> Annotation {
    let level = if policy.failures_fail {
        Level::Error
    } else {
        Level::Warning
    };
    let file = f
        .file
        .as_deref()
        .filter(|f| in_repo(f))
        .map(|p| repo_path(prefix, p));
    let line = file.as_ref().and(f.line);
    let at = match (&file, line) {
        (Some(p), Some(n)) => format!(" at {p}:{n}"),
        _ => String::new(),
    };
    let title = failure_title(f);
    Annotation {
        level,
        col: file.as_ref().and(f.column),
        file,
        line,
        message: truncate(&f.message, MESSAGE_LIMIT, Keep::Start),
        subject: Subject::Failure {
            package: f.package.clone(),
            test: f.test.clone(),
        },
        short: format!("{title}{at}"),
        title: truncate(&title, TITLE_LIMIT, Keep::Start),
    }
}

/// How severe a finding is: build failures (nothing in the package ran) first, then leaks, then
/// failures that broke the test binary (timeouts, panics, races, package-level), then plain test
/// failures.
fn class(a: &Annotation, report: &View) -> u8 {
    match &a.subject {
        Subject::Leak(_) => 1,
        Subject::Failure { package, test } => {
            let kind = report
                .failures
                .iter()
                .find(|f| &f.package == package && &f.test == test)
                .map(|f| f.kind)
                .unwrap_or(FailureKind::Test);
            match kind {
                FailureKind::Build => 0,
                FailureKind::Test => 3,
                FailureKind::Timeout
                | FailureKind::Panic
                | FailureKind::Package
                | FailureKind::Race
                | FailureKind::Incomplete => 2,
            }
        }
    }
}

/// How far a leak reaches: the tests (or package-level reports) that saw it, then its goroutines.
fn reach(a: &Annotation, report: &View) -> (usize, usize) {
    match &a.subject {
        Subject::Leak(id) => report
            .leaks
            .iter()
            .find(|l| &l.id == id)
            .map(|l| {
                let tests = tests_of(l).len();
                let packages: BTreeSet<&str> = l
                    .occurrences
                    .iter()
                    .filter(|o| o.test.is_none())
                    .map(|o| o.package.as_str())
                    .collect();
                (tests + packages.len(), l.goroutines)
            })
            .unwrap_or((0, 0)),
        Subject::Failure { .. } => (0, 0),
    }
}

/// Every annotation of the report, ranked by level, severity and reach (ties keep the report's order):
/// one per leak group and one per failure that reported no leak (a test that failed only through its
/// failing subtests is left to them). `prefix` is the root's place in the repository (see
/// [`repo_prefix`]).
pub fn annotations(report: &View, policy: Policy, prefix: &str) -> Vec<Annotation> {
    let mut out: Vec<Annotation> = report
        .leaks
        .iter()
        .map(|l| leak_annotation(l, &report.failures, policy, prefix))
        .collect();
    for f in report.failures.iter().filter(|f| f.leaks.is_empty()) {
        let only_subtests = f.message.starts_with("subtests failed")
            && f.test.as_ref().is_some_and(|t| {
                let sub = format!("{t}/");
                report.failures.iter().any(|g| {
                    g.package == f.package && g.test.as_ref().is_some_and(|n| n.starts_with(&sub))
                })
            });
        if !only_subtests {
            out.push(failure_annotation(f, policy, prefix));
        }
    }
    // Stable: ties keep the report's order.
    out.sort_by_cached_key(|a| {
        (
            a.level,
            class(a, report),
            std::cmp::Reverse(reach(a, report)),
        )
    });
    out
}

/// Keeps at most [`PER_LEVEL_CAP`] annotations of each level (and [`PER_JOB_CAP`] in all): when a level
/// has more, its last shown annotation says how many more there are and lists them (within the message
/// limit). `all` must be ranked ([`annotations`]).
pub fn cap(all: &[Annotation]) -> Capped {
    let mut shown = Vec::new();
    let mut omitted = 0;
    for level in [Level::Error, Level::Warning, Level::Notice] {
        let of_level: Vec<&Annotation> = all.iter().filter(|a| a.level == level).collect();
        let room = PER_LEVEL_CAP.min(PER_JOB_CAP.saturating_sub(shown.len()));
        if of_level.len() <= room {
            shown.extend(of_level.into_iter().cloned());
            continue;
        }
        if room == 0 {
            omitted += of_level.len();
            continue;
        }
        shown.extend(of_level[..room - 1].iter().map(|a| (*a).clone()));
        let rest = &of_level[room - 1..];
        let more = rest.len() - 1;
        omitted += more;
        let mut last = rest[0].clone();
        let note = format!(
            "\n\n{} not shown as {} annotations (GitHub shows {PER_LEVEL_CAP} per step); they are listed below and in the job summary:",
            plural(more, "more problem", "more problems"),
            level.command()
        );
        let mut text = format!("{}{note}", last.message);
        // Keep the note whole even when the message is long.
        let budget = MESSAGE_LIMIT.saturating_sub(note.chars().count() + 40);
        if last.message.chars().count() > budget {
            text = format!("{}{note}", truncate(&last.message, budget, Keep::Start));
        }
        let mut listed = 0;
        for a in &rest[1..] {
            let line = format!("\n- {}", a.short);
            if text.chars().count() + line.chars().count() + 20 > MESSAGE_LIMIT {
                break;
            }
            text.push_str(&line);
            listed += 1;
        }
        if listed < more {
            text.push_str(&format!("\n- and {} more", more - listed));
        }
        last.message = truncate(&text, MESSAGE_LIMIT, Keep::Start);
        shown.push(last);
    }
    Capped { shown, omitted }
}
