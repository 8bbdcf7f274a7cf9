//! The terminal: one line per package as it finishes, then the leaks, the failures and the totals.
//!
//! While the stream is still coming, [`TerminalSink`] prints one line per finished package (result, test
//! counts, duration, leaks found) and flushes it at once. At the end [`write_final`] renders every leak
//! group as a [miette] diagnostic — its id and cause, the line of source it is blocked on and the `go`
//! statement that started it when the source is under `--root` (the stack otherwise), the tests that
//! saw it and the fix — then the failures, then one totals line.
//!
//! Everything a test printed (names, messages, stack paths) and every line of source shown is made
//! inert first ([`sanitize`]): no control character reaches the terminal, so test output cannot move
//! the cursor, change colours or hide text, and no line this module writes starts with `::` (a GitHub
//! workflow command).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, IsTerminal, Write};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, Severity, SourceCode, SourceSpan, SpanContents,
};

use crate::dump::Frame;
use crate::dump::Source;
use crate::error::{ignore_broken_pipe, Error};
use crate::model::FailureKind;
use crate::model::PackageResult;
use crate::paths::Resolver;
use crate::pipeline::{PackageDone, Sink};
use crate::text::{plural, sanitize, sanitize_source, truncate, wrap, Keep};
use crate::view::{FailureEntry, LeakEntry, OccurrenceEntry, View};

/// Display width in columns (characters: every text here is made of narrow ones but for the odd symbol).
fn columns(s: &str) -> usize {
    s.chars().count()
}

/// The width used when standard output is not a terminal and `COLUMNS` does not say otherwise.
pub const DEFAULT_WIDTH: usize = 100;

/// Narrower than this, output is laid out as if it were this wide.
pub const MIN_WIDTH: usize = 40;

/// At most this many frames are listed for a leak whose source is not at hand.
const MAX_FRAMES: usize = 12;

/// At most this many tests are named per line of a leak.
const MAX_TESTS: usize = 8;

/// When to colour the output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// When standard output is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always, even into a pipe or with `NO_COLOR` set.
    Always,
    /// Never.
    Never,
}

/// How terminal output looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Print only failures, leaks and the totals line (no lines for passing or skipped packages).
    pub quiet: bool,
    /// Use ANSI colours.
    pub color: bool,
    /// The width to fit, in columns.
    pub width: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            quiet: false,
            color: false,
            width: DEFAULT_WIDTH,
        }
    }
}

impl Options {
    /// The options for standard output: colour per `choice`, the value of `NO_COLOR` and whether it is
    /// a terminal; the terminal's width (else the value of `COLUMNS`, else [`DEFAULT_WIDTH`]).
    pub fn for_stdout(
        choice: ColorChoice,
        quiet: bool,
        no_color: Option<&std::ffi::OsStr>,
        columns: Option<&str>,
    ) -> Options {
        let stdout = io::stdout();
        let tty = stdout.is_terminal();
        let size = if tty {
            terminal_size::terminal_size_of(&stdout).map(|(w, _)| usize::from(w.0))
        } else {
            None
        };
        Options {
            quiet,
            color: use_color(choice, tty, no_color),
            width: width_for(size, columns),
        }
    }
}

/// Whether to colour: `always` and `never` say so; `auto` colours a terminal unless `NO_COLOR` is set to
/// a non-empty value.
pub fn use_color(
    choice: ColorChoice,
    is_terminal: bool,
    no_color: Option<&std::ffi::OsStr>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && no_color.is_none_or(|v| v.is_empty()),
    }
}

/// The width to fit: the terminal's when known, else a numeric `COLUMNS`, else [`DEFAULT_WIDTH`]; never
/// below [`MIN_WIDTH`].
pub fn width_for(terminal: Option<usize>, columns: Option<&str>) -> usize {
    terminal
        .filter(|w| *w > 0)
        .or_else(|| {
            columns
                .and_then(|c| c.trim().parse::<usize>().ok())
                .filter(|w| *w > 0)
        })
        .unwrap_or(DEFAULT_WIDTH)
        .max(MIN_WIDTH)
}

/// A line that would start (after blanks) with `::` gets a `| ` in front, so that no line written to
/// the terminal can act as a GitHub workflow command.
fn guard_lines(text: &str) -> Cow<'_, str> {
    if !text.split('\n').any(|l| l.trim_start().starts_with("::")) {
        return Cow::Borrowed(text);
    }
    let lines: Vec<String> = text
        .split('\n')
        .map(|l| {
            if l.trim_start().starts_with("::") {
                format!("| {l}")
            } else {
                l.to_string()
            }
        })
        .collect();
    Cow::Owned(lines.join("\n"))
}

/// ANSI styles used outside miette's diagnostics.
#[derive(Clone, Copy)]
enum Paint {
    Green,
    Red,
    Yellow,
    Dim,
    Bold,
}

fn paint(s: &str, p: Paint, on: bool) -> String {
    if !on || s.is_empty() {
        return s.to_string();
    }
    let code = match p {
        Paint::Green => "32",
        Paint::Red => "1;31",
        Paint::Yellow => "33",
        Paint::Dim => "2",
        Paint::Bold => "1",
    };
    format!("\u{1b}[{code}m{s}\u{1b}[0m")
}

/// The word for a package result.
pub fn result_word(r: PackageResult) -> &'static str {
    match r {
        PackageResult::Running => "RUN",
        PackageResult::Pass => "ok",
        PackageResult::Fail => "FAIL",
        PackageResult::Skip => "skip",
        PackageResult::BuildFail => "BUILD FAIL",
        PackageResult::Timeout => "TIMEOUT",
        PackageResult::Panic => "PANIC",
        PackageResult::Incomplete => "INCOMPLETE",
    }
}

fn result_paint(r: PackageResult) -> Paint {
    match r {
        PackageResult::Pass => Paint::Green,
        PackageResult::Skip | PackageResult::Running => Paint::Yellow,
        _ => Paint::Red,
    }
}

/// "5 passed, 3 failed, 1 skipped" without the zero parts; "no test files" / "no tests" when there are
/// none.
fn counts_text(p: &crate::model::Package) -> String {
    let c = p.counts;
    let build_failed = p.failed_build.is_some();
    let no_test_files = p.no_test_files;
    // A package is skipped as a whole only when it has no test files.
    let skipped_package = p.result == PackageResult::Skip;
    let mut parts = Vec::new();
    if c.passed > 0 {
        parts.push(format!("{} passed", c.passed));
    }
    if c.failed > 0 && !(build_failed && c.tests == c.failed && c.failed == 1) {
        parts.push(format!("{} failed", c.failed));
    }
    if c.skipped > 0 {
        parts.push(format!("{} skipped", c.skipped));
    }
    if parts.is_empty() {
        return if build_failed {
            "build failed".to_string()
        } else if no_test_files || skipped_package {
            "no test files".to_string()
        } else {
            "no tests".to_string()
        };
    }
    parts.join(", ")
}

/// The live line of one package, fitted to `opts.width`:
/// `FAIL   example.com/x/fetch  3 failed  1.38s  1 leak`.
pub fn package_line(done: &PackageDone, opts: &Options) -> String {
    let p = done.package;
    let mut ids: Vec<&str> = done.findings.iter().map(|f| f.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let word = result_word(p.result);
    let counts = counts_text(p);
    let time = if p.cached {
        "(cached)".to_string()
    } else {
        p.elapsed.map(|e| format!("{e:.2}s")).unwrap_or_default()
    };
    let leaks = if ids.is_empty() {
        String::new()
    } else {
        plural(ids.len(), "leak", "leaks")
    };
    let name = sanitize(&p.name);
    // Plain widths decide the layout; colours are added afterwards.
    let word_col = format!("{word:<7}");
    let fixed = columns(&word_col)
        + 1
        + [&counts, &time, &leaks]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| 2 + columns(s))
            .sum::<usize>();
    let name = truncate(&name, opts.width.saturating_sub(fixed).max(12), Keep::End);
    let c = opts.color;
    let mut s = format!("{} {}", paint(&word_col, result_paint(p.result), c), name);
    s.push_str("  ");
    s.push_str(&counts);
    if !time.is_empty() {
        s.push_str("  ");
        s.push_str(&paint(&time, Paint::Dim, c));
    }
    if !leaks.is_empty() {
        s.push_str("  ");
        s.push_str(&paint(&leaks, Paint::Red, c));
    }
    s
}

/// Prints a line per finished package while the stream is still coming, flushing each line, and the
/// final report ([`write_final`]) at the end of the run.
pub struct TerminalSink {
    out: Box<dyn Write>,
    enabled: bool,
    live: bool,
    opts: Options,
    resolver: Resolver,
}

impl TerminalSink {
    /// A sink printing to standard output when `enabled` (not when standard output carries the JSON
    /// report); with `opts.quiet`, only packages that failed or leaked. `resolver` shortens package names.
    pub fn new(enabled: bool, opts: Options, resolver: Resolver) -> TerminalSink {
        TerminalSink::with_writer(Box::new(io::stdout()), enabled, opts, resolver)
    }

    /// A sink printing to any writer (tests read what it wrote).
    pub fn with_writer(
        out: Box<dyn Write>,
        enabled: bool,
        opts: Options,
        resolver: Resolver,
    ) -> TerminalSink {
        TerminalSink {
            out,
            enabled,
            live: enabled,
            opts,
            resolver,
        }
    }
}

impl Sink for TerminalSink {
    fn run_done(&mut self, view: &View) -> Result<(), Error> {
        if !self.enabled {
            return Ok(());
        }
        let r = write_final(&mut self.out, view, &self.resolver, &self.opts);
        Ok(ignore_broken_pipe(r)?)
    }

    fn package_done(&mut self, done: &PackageDone) -> Result<(), Error> {
        if !self.live {
            return Ok(());
        }
        let failing = !matches!(
            done.package.result,
            PackageResult::Pass | PackageResult::Skip
        ) || !done.findings.is_empty();
        if self.opts.quiet && !failing {
            return Ok(());
        }
        let line = package_line(done, &self.opts);
        let r = writeln!(self.out, "{}", guard_lines(&line)).and_then(|_| self.out.flush());
        match r {
            // A closed reader (`| head`) stops the live lines, not the run.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.live = false;
                Ok(())
            }
            other => Ok(other?),
        }
    }
}

/// Source files shown in one diagnostic, laid end to end so that one miette `SourceCode` can serve
/// labels in several files; each span reads back with its own file's name and line numbers.
#[derive(Debug, Default)]
struct Sources {
    /// `(name, text, offset of the text's first byte)`.
    files: Vec<(String, String, usize)>,
}

impl Sources {
    /// The offset of the file's text, adding it when new.
    fn add(&mut self, name: &str, text: String) -> usize {
        if let Some((_, _, base)) = self.files.iter().find(|(n, _, _)| n == name) {
            return *base;
        }
        // One byte of gap: no span can run from one file into the next.
        let base = self.files.last().map_or(0, |(_, t, b)| b + t.len() + 1);
        self.files.push((name.to_string(), text, base));
        base
    }

    fn text(&self, name: &str) -> Option<(&str, usize)> {
        self.files
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, t, b)| (t.as_str(), *b))
    }
}

impl SourceCode for Sources {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (name, text, base) = self
            .files
            .iter()
            .find(|(_, t, b)| *b <= span.offset() && span.offset() + span.len() <= b + t.len())
            .ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new((span.offset() - base).into(), span.len());
        let c = text.as_str().read_span(&local, before, after)?;
        let global = SourceSpan::new((c.span().offset() + base).into(), c.span().len());
        Ok(Box::new(MietteSpanContents::new_named(
            name.clone(),
            c.data(),
            global,
            c.line(),
            c.column(),
            c.line_count(),
        )))
    }
}

/// The byte range of a line's code: from its first non-blank character to the end of the code, without a
/// trailing `//` comment. `None` when the line does not exist or holds no code.
fn code_span(text: &str, line: u32) -> Option<(usize, usize)> {
    let idx = usize::try_from(line).ok()?.checked_sub(1)?;
    let mut start = 0usize;
    for (i, l) in text.split('\n').enumerate() {
        if i == idx {
            let code = strip_comment(l);
            let trimmed_start = code.len() - code.trim_start().len();
            let code = code.trim();
            if code.is_empty() {
                return None;
            }
            return Some((start + trimmed_start, code.len()));
        }
        start += l.len() + 1;
    }
    None
}

/// A Go line without its trailing `//` comment (string, rune and raw-string literals are skipped).
fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == b'\\' && q != b'`' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => {
                if c == b'"' || c == b'\'' || c == b'`' {
                    quote = Some(c);
                } else if c == b'/' && b.get(i + 1) == Some(&b'/') {
                    return &line[..i];
                }
            }
        }
        i += 1;
    }
    line
}

/// The label under the line a goroutine is blocked on.
fn blocked_label(state: &str) -> String {
    match state {
        "running" | "runnable" => "still running here".to_string(),
        "sleep" => "sleeping here".to_string(),
        "IO wait" => "waiting for I/O here".to_string(),
        "select" => "blocked in select here".to_string(),
        "select (no cases)" => "blocked in an empty select here".to_string(),
        s => format!("blocked on {} here", sanitize(s)),
    }
}

/// What the goroutines are doing, for the title: "blocked on chan send", "still running".
fn state_phrase(state: &str) -> String {
    match state {
        "running" | "runnable" => "still running".to_string(),
        "sleep" => "sleeping".to_string(),
        "IO wait" => "waiting for I/O".to_string(),
        "select" => "blocked in select".to_string(),
        "" => "leaked".to_string(),
        s => format!("blocked on {}", sanitize(s)),
    }
}

/// An import path as short as it can be said: relative to the module when it is in it.
fn short_package(pkg: &str, resolver: &Resolver) -> String {
    let pkg = pkg.strip_suffix("_test").unwrap_or(pkg);
    if let Some(m) = &resolver.module {
        if pkg == m {
            return m.rsplit('/').next().unwrap_or(m).to_string();
        }
        if let Some(rest) = pkg
            .strip_prefix(m.as_str())
            .and_then(|r| r.strip_prefix('/'))
        {
            return rest.to_string();
        }
    }
    pkg.to_string()
}

/// `pkg.TestName` for a test, `package pkg` for a package-level report.
fn test_name(o: &OccurrenceEntry, resolver: &Resolver) -> String {
    if o.package.is_empty() {
        return "a goroutine dump".to_string();
    }
    let pkg = short_package(&o.package, resolver);
    match &o.test {
        Some(t) => sanitize(&format!("{pkg}.{t}")).into_owned(),
        None => sanitize(&format!("package {pkg}")).into_owned(),
    }
}

/// How a report source found a leak, in words.
fn found_by(source: Source) -> &'static str {
    match source {
        Source::Goleak => "found by goleak",
        Source::GoleakMain => "found by goleak.VerifyTestMain",
        Source::Synctest => "found by synctest",
        Source::Timeout => "found in the timeout's goroutine dump",
        Source::Panic => "found in the panic's goroutine dump",
        Source::Dump => "found in a goroutine dump",
    }
}

fn name_list(names: &[String]) -> String {
    if names.len() <= MAX_TESTS {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..MAX_TESTS].join(", "),
        names.len() - MAX_TESTS
    )
}

/// One leak group as a miette diagnostic.
#[derive(Debug)]
struct LeakDiagnostic {
    message: String,
    help: Option<String>,
    sources: Sources,
    labels: Vec<LabeledSpan>,
    severity: Severity,
}

impl fmt::Display for LeakDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LeakDiagnostic {}

impl Diagnostic for LeakDiagnostic {
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        (!self.labels.is_empty()).then_some(&self.sources as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = _>>)
    }
}

/// Reads a source file for a frame under the root: `(display name, sanitized text)`.
fn load_source(
    function: &str,
    file: &str,
    line: u32,
    resolver: &Resolver,
) -> Option<(String, String)> {
    let frame = Frame {
        function: function.to_string(),
        file: file.to_string(),
        line,
        ..Frame::default()
    };
    // Through `source`, the only code that opens files under --root (safe path, inside the root, size
    // cap). TODO(sinks): have the view carry the excerpt so that this sink reads no file at all.
    let (_, bytes) = crate::source::frame_bytes(resolver, &frame)?;
    let text = sanitize_source(&String::from_utf8_lossy(&bytes));
    Some((sanitize(&resolver.display_path(&frame)).into_owned(), text))
}

/// Adds a label on a line of a file under the root; false when there is no such source or line.
fn label_line(
    d: &mut LeakDiagnostic,
    (function, file, line): (&str, &str, u32),
    label: String,
    primary: bool,
    resolver: &Resolver,
) -> bool {
    let name = sanitize(&resolver.display_path(&Frame {
        function: function.to_string(),
        file: file.to_string(),
        line,
        ..Frame::default()
    }))
    .into_owned();
    let (text, base) = match d.sources.text(&name) {
        Some((t, b)) => (t.to_string(), b),
        None => match load_source(function, file, line, resolver) {
            Some((n, t)) => {
                let base = d.sources.add(&n, t.clone());
                (t, base)
            }
            None => return false,
        },
    };
    let Some((start, len)) = code_span(&text, line) else {
        return false;
    };
    let span = SourceSpan::new((base + start).into(), len);
    d.labels.push(if primary {
        LabeledSpan::new_primary_with_span(Some(label), span)
    } else {
        LabeledSpan::new_with_span(Some(label), span)
    });
    true
}

/// Builds the diagnostic of one leak group.
fn leak_diagnostic(l: &LeakEntry, resolver: &Resolver) -> LeakDiagnostic {
    let mut d = LeakDiagnostic {
        message: String::new(),
        help: (!l.advice.is_empty()).then(|| sanitize(&l.advice).into_owned()),
        sources: Sources::default(),
        labels: Vec::new(),
        severity: if l.known {
            Severity::Warning
        } else {
            Severity::Error
        },
    };
    // The blocking line: the location's frame, found again in the stack for its function.
    let loc_frame = l.location.as_ref().and_then(|loc| {
        l.stack
            .iter()
            .find(|f| f.file == loc.file && f.line == loc.line)
            .map(|f| (f.function.as_str(), f.file.as_str(), f.line))
    });
    let shown_location =
        loc_frame.is_some_and(|f| label_line(&mut d, f, blocked_label(&l.state), true, resolver));
    let shown_creator = shown_location
        && l.created_by.as_ref().is_some_and(|c| {
            label_line(
                &mut d,
                (c.function.as_str(), c.file.as_str(), c.line),
                "started here".to_string(),
                false,
                resolver,
            )
        });

    let mut lines: Vec<String> = Vec::new();
    let mut title = format!(
        "leak {} · {}: {} {}",
        sanitize(&l.id),
        sanitize(&l.cause.to_string()),
        plural(l.goroutines, "goroutine", "goroutines"),
        state_phrase(&l.state)
    );
    if l.known {
        title.push_str(" (known, in the baseline)");
    }
    lines.push(title);
    lines.push(format!("in {}", sanitize(&l.function)));
    if let Some(c) = &l.created_by {
        if shown_creator {
            lines.push(format!("started by {}", sanitize(&c.function)));
        } else {
            lines.push(format!(
                "started by {} at {}:{}",
                sanitize(&c.function),
                sanitize(&c.file),
                c.line
            ));
        }
    }
    // The tests that saw it: those that introduced it, those that only inherited it.
    let mut per_test: BTreeMap<(usize, String), bool> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for o in &l.occurrences {
        let name = test_name(o, resolver);
        if !order.contains(&name) {
            order.push(name.clone());
        }
        let pos = order.iter().position(|n| *n == name).unwrap_or(0);
        let introduced = per_test.entry((pos, name)).or_insert(false);
        *introduced |= !o.inherited;
    }
    let introduced: Vec<String> = per_test
        .iter()
        .filter(|(_, i)| **i)
        .map(|((_, n), _)| n.clone())
        .collect();
    let inherited: Vec<String> = per_test
        .iter()
        .filter(|(_, i)| !**i)
        .map(|((_, n), _)| n.clone())
        .collect();
    let mut found: Vec<&str> = Vec::new();
    for s in l
        .sources
        .iter()
        .copied()
        .chain(l.occurrences.iter().map(|o| o.source))
    {
        let phrase = found_by(s);
        if !found.contains(&phrase) {
            found.push(phrase);
        }
    }
    let found = found.join(", ");
    if introduced.is_empty() {
        lines.push(found);
    } else {
        lines.push(format!(
            "introduced by {} ({found})",
            name_list(&introduced)
        ));
    }
    if !inherited.is_empty() {
        lines.push(format!("inherited by {}", name_list(&inherited)));
    }
    if !shown_location {
        lines.push("stack:".to_string());
        let start = l
            .stack
            .iter()
            .position(|f| !crate::leak::is_machinery(&f.function))
            .unwrap_or(0);
        let frames = &l.stack[start..];
        for f in frames.iter().take(MAX_FRAMES) {
            lines.push(format!(
                "  {}  {}:{}",
                sanitize(&f.function),
                sanitize(&f.file),
                f.line
            ));
        }
        if frames.len() > MAX_FRAMES {
            lines.push(format!(
                "  … {}",
                plural(frames.len() - MAX_FRAMES, "more frame", "more frames")
            ));
        }
    }
    d.message = lines.join("\n");
    d
}

/// Renders one leak group (a miette diagnostic, colour and width per `opts`).
pub fn render_leak(l: &LeakEntry, resolver: &Resolver, opts: &Options) -> String {
    let d = leak_diagnostic(l, resolver);
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false)
        .with_context_lines(1)
        .tab_width(4);
    let mut out = String::new();
    if handler.render_report(&mut out, &d).is_err() {
        out = d.message.clone();
    }
    let trimmed = out.trim_end_matches('\n');
    guard_lines(trimmed).into_owned()
}

/// A failure message without the `file.go:NN:` (or `file.go:NN:CC:`) prefix Go puts before it: the
/// location is shown on its own, resolved (the report's `file`/`line`/`column`).
fn strip_position(message: &str) -> &str {
    let msg = message.trim();
    let Some((head, rest)) = msg.split_once(": ") else {
        return msg;
    };
    let mut parts = head.split(':');
    let file = parts.next().unwrap_or("");
    let numbers: Vec<&str> = parts.collect();
    let is_number = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if file.ends_with(".go")
        && !file.contains(char::is_whitespace)
        && (1..=2).contains(&numbers.len())
        && numbers.iter().all(is_number)
    {
        rest
    } else {
        msg
    }
}

/// Where a failure is, as `file:line[:column]`.
fn failure_at(f: &FailureEntry) -> Option<String> {
    let file = f.file.as_deref()?;
    Some(match (f.line, f.column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        (Some(l), None) => format!("{file}:{l}"),
        _ => file.to_string(),
    })
}

fn failure_word(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::Build => "BUILD",
        FailureKind::Timeout => "TIMEOUT",
        FailureKind::Panic => "PANIC",
        FailureKind::Race => "RACE",
        FailureKind::Incomplete => "INCOMPLETE",
        FailureKind::Test | FailureKind::Package => "FAIL",
    }
}

/// One failure: `FAIL   pkg.TestName  file:line` and, indented below, its first error line and leaks.
pub fn render_failure(f: &FailureEntry, resolver: &Resolver, opts: &Options) -> String {
    let word = format!("{:<7}", failure_word(f.kind));
    let who = sanitize(&match &f.test {
        Some(t) => format!("{}.{t}", short_package(&f.package, resolver)),
        None => short_package(&f.package, resolver),
    })
    .into_owned();
    let at = failure_at(f).map(|a| sanitize(&a).into_owned());
    let mut head = format!(
        "{} {}",
        paint(&word, Paint::Red, opts.color),
        paint(&who, Paint::Bold, opts.color)
    );
    let head_cols = columns(&word) + 1 + columns(&who);
    let room = opts.width.saturating_sub(head_cols + 2);
    // The message keeps Go's `file.go:NN:` prefix unless the resolved location is shown instead.
    let mut message = f.message.trim();
    if let Some(a) = at.as_ref().filter(|_| room >= 8) {
        head.push_str("  ");
        head.push_str(&paint(
            &truncate(a, room, Keep::End),
            Paint::Dim,
            opts.color,
        ));
        message = strip_position(message);
    }
    let mut message = sanitize(message.trim_end_matches(':').trim()).into_owned();
    if !f.leaks.is_empty() {
        let ids: Vec<String> = f.leaks.iter().map(|i| sanitize(i).into_owned()).collect();
        let tail = format!(
            "({} {})",
            if ids.len() == 1 { "leak" } else { "leaks" },
            ids.join(", ")
        );
        message = if message.is_empty() {
            tail
        } else {
            format!("{message} {tail}")
        };
    }
    let indent = " ".repeat(8);
    let mut text = head;
    for l in wrap(&message, opts.width.saturating_sub(indent.len()).max(20), 3) {
        text.push('\n');
        text.push_str(&indent);
        text.push_str(&l);
    }
    guard_lines(&text).into_owned()
}

/// The totals line: `26 packages, 44 tests: 17 passed, 26 failed, 1 skipped; 21 leaks (29 goroutines)`.
pub fn totals_line(report: &View, opts: &Options) -> String {
    let s = &report.summary;
    let c = opts.color;
    let passed = format!("{} passed", s.passed);
    let failed = format!("{} failed", s.failed);
    let leaks = format!(
        "{} ({})",
        plural(s.leaks, "leak", "leaks"),
        plural(s.leaked_goroutines, "goroutine", "goroutines")
    );
    let known = report.leaks.iter().filter(|l| l.known).count();
    let new_leaks = s.leaks - known.min(s.leaks);
    let mut line = format!(
        "{}, {}: {}, {}, {} skipped; {}",
        plural(s.packages, "package", "packages"),
        plural(s.tests, "test", "tests"),
        paint(&passed, Paint::Green, c && s.passed > 0),
        paint(&failed, Paint::Red, c && s.failed > 0),
        s.skipped,
        paint(
            &leaks,
            if new_leaks > 0 {
                Paint::Red
            } else {
                Paint::Yellow
            },
            c && s.leaks > 0
        ),
    );
    if known > 0 {
        line.push_str(&format!(", {known} known"));
    }
    line
}

/// The end of the run: every leak group, then every failure, then the totals line.
pub fn write_final(
    w: &mut dyn Write,
    report: &View,
    resolver: &Resolver,
    opts: &Options,
) -> io::Result<()> {
    if !report.leaks.is_empty() {
        let n = report.leaks.len();
        writeln!(w)?;
        writeln!(
            w,
            "{}",
            paint(&plural(n, "leak", "leaks"), Paint::Bold, opts.color)
        )?;
        for l in &report.leaks {
            writeln!(w)?;
            writeln!(w, "{}", render_leak(l, resolver, opts))?;
        }
    }
    if !report.failures.is_empty() {
        let n = report.failures.len();
        writeln!(w)?;
        writeln!(
            w,
            "{}",
            paint(&plural(n, "failure", "failures"), Paint::Bold, opts.color)
        )?;
        writeln!(w)?;
        for f in &report.failures {
            writeln!(w, "{}", render_failure(f, resolver, opts))?;
        }
    }
    if !report.flaky.is_empty() {
        let n = report.flaky.len();
        writeln!(w)?;
        writeln!(
            w,
            "{}",
            paint(
                &format!(
                    "{} (failed, then passed on a rerun)",
                    plural(n, "flaky test", "flaky tests")
                ),
                Paint::Bold,
                opts.color
            )
        )?;
        writeln!(w)?;
        for f in &report.flaky {
            let who = match &f.test {
                Some(t) => format!("{}.{t}", short_package(&f.package, resolver)),
                None => format!(
                    "{} (package-level failure)",
                    short_package(&f.package, resolver)
                ),
            };
            writeln!(
                w,
                "{} {}  {}",
                paint("FLAKY  ", Paint::Yellow, opts.color),
                paint(&sanitize(&who), Paint::Bold, opts.color),
                paint(
                    &plural(f.attempts, "attempt", "attempts"),
                    Paint::Dim,
                    opts.color
                )
            )?;
        }
    }
    writeln!(w)?;
    writeln!(w, "{}", totals_line(report, opts))?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_span_skips_indentation_and_comment() {
        let text = "package x\n\n\tgo func() { // start\n\t\tch <- \"a // b\" // LEAK\n}\n";
        assert_eq!(code_span(text, 3), Some((12, 11)));
        assert_eq!(&text[12..23], "go func() {");
        let (s, n) = code_span(text, 4).unwrap();
        assert_eq!(&text[s..s + n], "ch <- \"a // b\"");
        assert_eq!(code_span(text, 2), None);
        assert_eq!(code_span(text, 0), None);
        assert_eq!(code_span(text, 99), None);
    }

    #[test]
    fn comments_are_stripped_outside_literals() {
        assert_eq!(strip_comment("x := 1 // c"), "x := 1 ");
        assert_eq!(strip_comment("s := `//` + '/' // c"), "s := `//` + '/' ");
        assert_eq!(strip_comment(r#"s := "\"//" // c"#), r#"s := "\"//" "#);
        assert_eq!(strip_comment("// only"), "");
        assert_eq!(strip_comment("a / b"), "a / b");
    }

    #[test]
    fn sources_read_back_each_file_with_its_name() {
        let mut s = Sources::default();
        let a = s.add("a.go", "one\ntwo\n".to_string());
        let b = s.add("b.go", "three\nfour\n".to_string());
        assert_eq!((a, b), (0, 9));
        assert_eq!(s.add("a.go", String::new()), 0);
        let c = s
            .read_span(&SourceSpan::new((b + 6).into(), 4), 0, 0)
            .unwrap();
        assert_eq!(c.name(), Some("b.go"));
        assert_eq!(c.line(), 1);
        assert_eq!(c.data(), b"four");
        assert_eq!(c.span().offset(), b + 6);
        // A span across two files reads nothing.
        assert!(s.read_span(&SourceSpan::new(4.into(), 8), 0, 0).is_err());
    }

    #[test]
    fn lines_starting_with_a_workflow_command_are_guarded() {
        assert_eq!(guard_lines("a\n  ::error::x\nb"), "a\n|   ::error::x\nb");
        assert_eq!(guard_lines("a :: b"), "a :: b");
    }

    #[test]
    fn go_positions_are_stripped_from_messages() {
        assert_eq!(strip_position("first_test.go:17: boom: x"), "boom: x");
        assert_eq!(
            strip_position("buildfail/util_test.go:7:11: undefined: x"),
            "undefined: x"
        );
        assert_eq!(
            strip_position("panic: boom: x.go:3: y"),
            "panic: boom: x.go:3: y"
        );
        assert_eq!(strip_position("x.go:1:2:3: y"), "x.go:1:2:3: y");
        assert_eq!(strip_position("x.go:: y"), "x.go:: y");
        assert_eq!(strip_position("test failed"), "test failed");
    }
}
