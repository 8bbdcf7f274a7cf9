//! GitHub Actions workflow commands: one annotation per leak group (at the leak's line) and per failing
//! test that reported no leak (at its failing line), escaped exactly as the runner parses them, ranked
//! and capped to what the runner shows; and the means to keep test output that goleash echoes from ever
//! acting as a workflow command.
//!
//! How the runner reads a line (actions/runner `ActionCommand`): after trimming leading white space, a
//! line that starts with `::` and has a second `::` is a command (`::name props::data`); the legacy form
//! `##[name props]data` is a command *anywhere* in a line. Lines are split on `\n`, `\r\n` and a lone
//! `\r`. `::stop-commands::TOKEN` makes the runner ignore every command until `::TOKEN::`.
//!
//! Everything here works on the JSON report ([`Report`]) and returns plain data or strings; only the
//! `write_*` functions do output.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::Path;

use crate::error::{ignore_broken_pipe, Error};
use crate::model::FailureKind;
use crate::paths::in_repo;
use crate::pipeline::Sink;
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

/// When to print workflow commands (`--github`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// When `GITHUB_ACTIONS=true`.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Mode {
    /// Whether commands are printed, given the value of `GITHUB_ACTIONS`.
    pub fn active(self, github_actions: Option<&str>) -> bool {
        match self {
            Mode::Auto => github_actions == Some("true"),
            Mode::Always => true,
            Mode::Never => false,
        }
    }
}

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
        "{} blocked in {} at {}",
        plural(l.goroutines, "goroutine", "goroutines"),
        l.state,
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

/// Escapes a command's data (the message): `%` first, then CR and LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value: like [`escape_data`], plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The workflow command line of an annotation (without the newline):
/// `::error file=F,line=L,col=C,title=T::message`.
pub fn command_line(a: &Annotation) -> String {
    let mut props: Vec<String> = Vec::new();
    if let Some(f) = &a.file {
        props.push(format!("file={}", escape_property(f)));
        if let Some(l) = a.line {
            props.push(format!("line={l}"));
            if let Some(c) = a.col {
                props.push(format!("col={c}"));
            }
        }
    }
    props.push(format!("title={}", escape_property(&a.title)));
    format!(
        "::{} {}::{}",
        a.level.command(),
        props.join(","),
        escape_data(&a.message)
    )
}

/// Writes the capped annotations as workflow commands, one per line.
pub fn write_commands(w: &mut dyn Write, capped: &Capped) -> io::Result<()> {
    for a in &capped.shown {
        writeln!(w, "{}", command_line(a))?;
    }
    w.flush()
}

/// A fresh random token for `::stop-commands::` (32 hex digits from the operating system's random
/// source, falling back to the process's randomly keyed hasher).
pub fn stop_token() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        use std::hash::{BuildHasher, Hasher};
        for (i, chunk) in bytes.chunks_mut(8).enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(i);
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0),
            );
            h.write_u32(std::process::id());
            chunk.copy_from_slice(&h.finish().to_le_bytes());
        }
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("goleash-{hex}")
}

/// Stops the runner from reading commands on standard output until [`StopCommands::end`] (or drop):
/// everything printed in between, test output included, is inert.
#[derive(Debug)]
pub struct StopCommands {
    token: Option<String>,
}

impl StopCommands {
    /// Prints `::stop-commands::TOKEN` with a fresh random token.
    pub fn start(w: &mut dyn Write) -> io::Result<StopCommands> {
        let token = stop_token();
        writeln!(w, "::stop-commands::{token}")?;
        w.flush()?;
        Ok(StopCommands { token: Some(token) })
    }

    /// The token.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Prints `::TOKEN::`: the runner reads commands again.
    pub fn end(&mut self, w: &mut dyn Write) -> io::Result<()> {
        if let Some(t) = self.token.take() {
            writeln!(w, "::{t}::")?;
            w.flush()?;
        }
        Ok(())
    }
}

impl Drop for StopCommands {
    fn drop(&mut self) {
        let mut out = io::stdout().lock();
        let _ = self.end(&mut out);
    }
}

/// The GitHub annotations sink: at the end of the run, ends the inert stretch of standard output (when
/// one was started) and prints the capped annotations as workflow commands.
#[derive(Debug)]
pub struct AnnotationsSink {
    stop: Option<StopCommands>,
    to_stderr: bool,
    context: Context,
}

impl AnnotationsSink {
    /// A sink that ends `stop` (started before the input was read) and, when `context.annotate`,
    /// prints the annotations on standard output, or on standard error when standard output carries the
    /// JSON report (`to_stderr`).
    pub fn new(stop: Option<StopCommands>, to_stderr: bool, context: Context) -> AnnotationsSink {
        AnnotationsSink {
            stop,
            to_stderr,
            context,
        }
    }
}

impl Sink for AnnotationsSink {
    fn run_done(&mut self, view: &View) -> Result<(), Error> {
        if let Some(s) = self.stop.as_mut() {
            ignore_broken_pipe(s.end(&mut io::stdout().lock()))?;
        }
        if self.context.annotate {
            let capped = cap(&self.context.annotations(view));
            let r = if self.to_stderr {
                write_commands(&mut io::stderr().lock(), &capped)
            } else {
                write_commands(&mut io::stdout().lock(), &capped)
            };
            ignore_broken_pipe(r)?;
        }
        Ok(())
    }
}

/// True for what .NET's `char.IsWhiteSpace` (the runner's `TrimStart`) counts as white space.
pub fn is_dotnet_space(c: char) -> bool {
    matches!(
        c,
        '\u{9}'..='\u{d}'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Makes text inert for the runner, line by line (for standard error, which `::stop-commands::` on
/// standard output does not reliably cover): a line that would start with `::` gets `| ` in front, and
/// the legacy `##[` becomes `## [`. Lines are cut where the runner cuts them (`\n`, `\r`).
pub fn neutralise(text: &str) -> Cow<'_, str> {
    let risky =
        |l: &str| l.trim_start_matches(is_dotnet_space).starts_with("::") || l.contains("##[");
    if !text.split(['\n', '\r']).any(risky) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    loop {
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let line = &rest[..end];
        if line.trim_start_matches(is_dotnet_space).starts_with("::") {
            out.push_str("| ");
        }
        out.push_str(&line.replace("##[", "## ["));
        if end == rest.len() {
            break;
        }
        let sep = &rest[end..end + 1];
        out.push_str(sep);
        rest = &rest[end + 1..];
    }
    Cow::Owned(out)
}

/// Makes pretty-printed JSON inert without changing its value: `##[` can only occur inside strings,
/// where `#\u0023[` means the same; no line of it starts with `::`.
pub fn neutralise_json(json: &str) -> Cow<'_, str> {
    if json.contains("##[") {
        Cow::Owned(json.replace("##[", "#\\u0023["))
    } else {
        Cow::Borrowed(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_property("a:b,c%d\ne"), "a%3Ab%2Cc%25d%0Ae");
    }

    #[test]
    fn neutralise_marks_command_lines() {
        assert_eq!(neutralise("ok line"), "ok line");
        assert_eq!(
            neutralise("a\n  ::add-mask::x\rb ##[set-output name=a;]b"),
            "a\n|   ::add-mask::x\rb ## [set-output name=a;]b"
        );
        assert_eq!(neutralise("\u{a0}::error::x"), "| \u{a0}::error::x");
        assert_eq!(neutralise_json("\"##[x]\""), "\"#\\u0023[x]\"");
    }

    #[test]
    fn tokens_are_random() {
        let a = stop_token();
        assert_eq!(a.len(), "goleash-".len() + 32);
        assert_ne!(a, stop_token());
    }

    #[test]
    fn mode_auto_follows_github_actions() {
        assert!(Mode::Auto.active(Some("true")));
        assert!(!Mode::Auto.active(Some("false")));
        assert!(!Mode::Auto.active(None));
        assert!(Mode::Always.active(None));
        assert!(!Mode::Never.active(Some("true")));
    }
}
