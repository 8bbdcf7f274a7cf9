//! `go test`'s own line syntax, in one place: the framing lines of the testing package (`=== RUN`,
//! `--- FAIL: …`), the result lines of `go test` (`ok  \tpkg\t0.1s`, `FAIL\tpkg [build failed]`, with tabs
//! or with the spaces of a copied log), the `file.go:N:C:` prefix of messages, build-error headers
//! (`# pkg_test [pkg.test]`), benchmark result lines and the runtime's test-timeout report (`panic: test
//! timed out after 5s` + `running tests:` at any indentation, as Go ≤ 1.22 and Go 1.23+ print it).
//!
//! Pure functions on one line (plus [`TimeoutScan`], which reads the few lines of a timeout report);
//! nothing here knows about packages, tests or events.

/// The package name used when the input never names one: a compiled test binary's output (`./x.test
/// -test.v`) or `go tool test2json` run without `-p`.
pub const NO_PACKAGE: &str = "(no package)";

/// How a test or package ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// `--- PASS`, `ok`.
    Pass,
    /// `--- FAIL`, `FAIL`.
    Fail,
    /// `--- SKIP`, `?` (no test files).
    Skip,
}

/// A framing line of the testing package.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Frame<'a> {
    /// `=== RUN   TestX`.
    Run(&'a str),
    /// `=== PAUSE TestX`.
    Pause(&'a str),
    /// `=== CONT  TestX` or `=== NAME  TestX` (the name may be empty: package-level output follows).
    Cont(&'a str),
    /// `=== ATTR  TestX key value`.
    Attr(&'a str),
    /// `--- PASS: TestX (0.01s)` and the other ends; `elapsed` in seconds when printed.
    End {
        /// How the test ended.
        verdict: Verdict,
        /// The test's full name.
        name: &'a str,
        /// Seconds.
        elapsed: Option<f64>,
    },
    /// `--- BENCH: BenchmarkX` (a benchmark's log header).
    Bench(&'a str),
}

impl<'a> Frame<'a> {
    /// The test the frame names (empty for `=== CONT  ` alone).
    pub fn name(&self) -> &'a str {
        match *self {
            Frame::Run(n) | Frame::Pause(n) | Frame::Cont(n) | Frame::Bench(n) => n,
            Frame::Attr(rest) => rest.split(' ').next().unwrap_or(""),
            Frame::End { name, .. } => name,
        }
    }
}

/// Start markers of framing lines, as the testing package pads them.
const START_MARKERS: [&str; 5] = ["=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "=== ATTR"];
/// End markers of framing lines.
const END_MARKERS: [(&str, Verdict); 3] = [
    ("--- PASS: ", Verdict::Pass),
    ("--- FAIL: ", Verdict::Fail),
    ("--- SKIP: ", Verdict::Skip),
];

/// Parses a framing line (leading spaces and tabs are allowed: subtests' ends are indented).
pub fn frame(line: &str) -> Option<Frame<'_>> {
    let t = line
        .trim_end_matches(['\n', '\r'])
        .trim_start_matches([' ', '\t']);
    if let Some(rest) = t.strip_prefix("=== ") {
        let (word, name) = rest.split_once(' ').unwrap_or((rest, ""));
        let name = name.trim();
        return match word {
            "RUN" => Some(Frame::Run(name)),
            "PAUSE" => Some(Frame::Pause(name)),
            "CONT" | "NAME" => Some(Frame::Cont(name)),
            "ATTR" => Some(Frame::Attr(name)),
            _ => None,
        };
    }
    if let Some(name) = t.strip_prefix("--- BENCH: ") {
        return Some(Frame::Bench(name.trim()));
    }
    for (marker, verdict) in END_MARKERS {
        if let Some(rest) = t.strip_prefix(marker) {
            let (name, elapsed) = split_elapsed(rest.trim_end());
            return Some(Frame::End {
                verdict,
                name,
                elapsed,
            });
        }
    }
    None
}

/// `TestX (0.01s)` → (`TestX`, 0.01); `TestX` → (`TestX`, None).
fn split_elapsed(rest: &str) -> (&str, Option<f64>) {
    match rest.rsplit_once(" (") {
        Some((name, d)) if d.ends_with(')') => (
            name,
            d.trim_end_matches(')').trim_end_matches('s').parse().ok(),
        ),
        _ => (rest, None),
    }
}

/// True for `=== RUN`, `--- FAIL: …` and the other lines the testing package frames tests with.
pub fn is_framing_line(line: &str) -> bool {
    let t = line.trim_start_matches([' ', '\t']);
    START_MARKERS.iter().any(|m| t.starts_with(m))
        || t.starts_with("--- BENCH: ")
        || END_MARKERS.iter().any(|(m, _)| t.starts_with(m))
}

/// A framing line glued to the end of a test's output that had no newline (`some text--- PASS: TestZ
/// (0.06s)`, `no newline=== RUN   TestP/b`): the byte offset where the frame starts, and the frame. Only
/// complete frames are taken (an end with its duration, a start with the testing package's padding), so
/// that text merely quoting `--- FAIL:` is left alone.
pub fn glued_frame(line: &str) -> Option<(usize, Frame<'_>)> {
    let content = line.trim_end_matches(['\n', '\r']);
    if content.len() < 8 || is_framing_line(content) {
        return None;
    }
    for marker in [
        "=== RUN   ",
        "=== CONT  ",
        "=== NAME  ",
        "=== PAUSE ",
        "--- PASS: ",
        "--- FAIL: ",
        "--- SKIP: ",
    ] {
        let Some(at) = content.rfind(marker) else {
            continue;
        };
        if at == 0 {
            continue;
        }
        let tail = &content[at..];
        let name = tail[marker.len()..].trim_end();
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let f = frame(tail)?;
        let complete = match f {
            Frame::End { name, elapsed, .. } => elapsed.is_some() && !name.contains(' '),
            Frame::Run(n) | Frame::Cont(n) | Frame::Pause(n) => !n.contains(' '),
            _ => false,
        };
        if complete {
            return Some((at, f));
        }
    }
    None
}

/// One `go test` result line: `ok  \tpkg\t0.1s`, `FAIL\tpkg\t0.1s`, `?   \tpkg\t[no test files]`,
/// `FAIL\tpkg [build failed]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResultLine<'a> {
    /// `ok` → pass, `FAIL` → fail, `?` → skip.
    pub verdict: Verdict,
    /// The import path.
    pub package: &'a str,
    /// Seconds, when printed.
    pub elapsed: Option<f64>,
    /// `[build failed]`.
    pub build_failed: bool,
    /// `[setup failed]`.
    pub setup_failed: bool,
    /// `(cached)`.
    pub cached: bool,
    /// `[no test files]`.
    pub no_test_files: bool,
}

/// Parses a result line. The fields may be separated by tabs (as `go test` prints them) or by spaces (a
/// tab-expanded or copied log: `ok      pkg    0.001s`, `ok  \tpkg 0.160s`); with spaces, what follows
/// the package must be one of `go test`'s own fields, so that prose starting with "ok" is not a result.
pub fn result_line(line: &str) -> Option<ResultLine<'_>> {
    let content = line.trim_end_matches(['\n', '\r']);
    let (verdict, rest) = if let Some(r) = content.strip_prefix("ok") {
        (Verdict::Pass, r)
    } else if let Some(r) = content.strip_prefix("FAIL") {
        (Verdict::Fail, r)
    } else if let Some(r) = content.strip_prefix('?') {
        (Verdict::Skip, r)
    } else {
        return None;
    };
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let tabbed = rest.trim_start_matches(' ').starts_with('\t');
    let rest = rest.trim_start_matches([' ', '\t']);
    let (package, fields) = match rest.find([' ', '\t']) {
        Some(i) => (&rest[..i], rest[i..].trim_start_matches([' ', '\t'])),
        None => (rest, ""),
    };
    if package.is_empty() || !package.chars().all(is_import_path_char) {
        return None;
    }
    let mut r = ResultLine {
        verdict,
        package,
        elapsed: None,
        build_failed: false,
        setup_failed: false,
        cached: false,
        no_test_files: false,
    };
    let mut f = fields;
    let mut known = true;
    while !f.is_empty() {
        let (tok, more) = if let Some(b) = f.strip_prefix('[') {
            match b.find(']') {
                Some(i) => (&f[..i + 2], &f[i + 2..]),
                None => (f, ""),
            }
        } else if f.starts_with("coverage:") {
            (f, "")
        } else {
            match f.find([' ', '\t']) {
                Some(i) => (&f[..i], &f[i..]),
                None => (f, ""),
            }
        };
        match tok {
            "[build failed]" => r.build_failed = true,
            "[setup failed]" => r.setup_failed = true,
            "[no test files]" => r.no_test_files = true,
            "(cached)" => r.cached = true,
            t if t.starts_with('[') || t.starts_with("coverage:") => {}
            t => match parse_duration(t) {
                Some(s) if r.elapsed.is_none() => r.elapsed = Some(s),
                _ => known = false,
            },
        }
        f = more.trim_start_matches([' ', '\t']);
    }
    if r.build_failed {
        r.verdict = Verdict::Fail;
    }
    // `ok  \tpkg`-style lines are go test's own whatever follows; with spaces only, everything after the
    // package must be one of its fields, and `ok`/`?` need at least one (a duration, `[no test files]`).
    let plain = fields.is_empty() && verdict != Verdict::Fail;
    if !tabbed && (!known || plain) {
        return None;
    }
    Some(r)
}

/// Characters of an import path (and of the `command-line-arguments` pseudo-package).
fn is_import_path_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '/' | '-' | '_' | '~' | '+' | '@')
}

/// `0.123s`, `12s` → seconds.
fn parse_duration(t: &str) -> Option<f64> {
    let n = t.strip_suffix('s')?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    n.parse().ok()
}

/// True for the package's own closing lines (`PASS`, `FAIL`, result lines, `coverage: …`, `exit status
/// 1`, `testing: warning: no tests to run`), which say nothing a report does not already say.
pub fn is_package_closing_line(line: &str) -> bool {
    let t = line.trim_end_matches(['\n', '\r']);
    t == "PASS"
        || t == "FAIL"
        || t.starts_with("exit status ")
        || t.starts_with("coverage: ")
        || t.starts_with("testing: warning: no tests to run")
        || result_line(t).is_some()
}

/// A source position at the start of a message: `file.go:LINE:` or `file.go:LINE:COL:` (the testing
/// package's prefix of `t.Log`/`t.Error` lines, the compiler's of errors), after indentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position<'a> {
    /// The file as printed (`x_test.go`, `pkg/x.go`, `/abs/x.go`).
    pub file: &'a str,
    /// The 1-based line.
    pub line: u32,
    /// The 1-based column, when printed.
    pub column: Option<u32>,
}

/// Parses the `file.go:LINE(:COL):` a message starts with (followed by a space or the end of the line).
pub fn position(message: &str) -> Option<Position<'_>> {
    position_and_rest(message).map(|(p, _)| p)
}

/// The message after the `file.go:LINE(:COL):` it starts with (see [`position`]), trimmed; the whole
/// message, trimmed, when it starts with none.
pub fn without_position(message: &str) -> &str {
    match position_and_rest(message) {
        Some((_, rest)) => rest.trim(),
        None => message.trim(),
    }
}

fn position_and_rest(message: &str) -> Option<(Position<'_>, &str)> {
    let msg = message
        .trim_end_matches(['\n', '\r'])
        .trim_start_matches([' ', '\t']);
    let go = msg.find(".go:")?;
    let file = &msg[..go + 3];
    if file.is_empty() || file.contains(char::is_whitespace) || file == ".go" {
        return None;
    }
    let rest = &msg[go + 4..];
    let (line, rest) = leading_number(rest)?;
    let rest = rest.strip_prefix(':')?;
    let (column, rest) = match leading_number(rest) {
        Some((c, r)) => (Some(c), r.strip_prefix(':')?),
        None => (None, rest),
    };
    if line == 0 || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((Position { file, line, column }, rest))
}

fn leading_number(s: &str) -> Option<(u32, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    Some((s[..digits].parse().ok()?, &s[digits..]))
}

/// True for a `t.Log`/`t.Error` line: `    x_test.go:12: message`.
pub fn is_test_log_line(line: &str) -> bool {
    position(line).is_some()
}

/// The package a build-error header is about: `# pkg` → `pkg`, and for a test package (`# pkg_test
/// [pkg.test]`, `# pkg [pkg.test]`) the package under test, `pkg`. `None` for a line that is not such
/// a header (a Markdown title with words in it).
pub fn build_header(line: &str) -> Option<&str> {
    let h = line
        .trim_end_matches(['\n', '\r'])
        .strip_prefix("# ")?
        .trim();
    let (path, suffix) = match h.split_once(' ') {
        Some((p, s)) => (p, Some(s)),
        None => (h, None),
    };
    if path.is_empty() || !path.chars().all(is_import_path_char) {
        return None;
    }
    match suffix {
        None => Some(path),
        Some(s) => {
            let inner = s.strip_prefix('[')?.strip_suffix(']')?;
            if inner.contains(' ') {
                return None;
            }
            Some(inner.strip_suffix(".test").unwrap_or(path))
        }
    }
}

/// The package under test of an import path as `go` prints it in build events and headers:
/// `pkg [pkg.test]` → `pkg`, `pkg_test [pkg.test]` → `pkg`, `pkg` → `pkg`.
pub fn package_under_test(import_path: &str) -> &str {
    match import_path.split_once(" [") {
        Some((path, rest)) => rest
            .strip_suffix(']')
            .and_then(|inner| inner.strip_suffix(".test"))
            .filter(|p| !p.contains(' '))
            .unwrap_or(path),
        None => import_path,
    }
}

/// A benchmark result line: `BenchmarkSum-2   \t      10\t       140.2 ns/op` → `BenchmarkSum` (the
/// `-N` GOMAXPROCS suffix removed, as test2json names it).
pub fn bench_result(line: &str) -> Option<&str> {
    let t = line.trim_end_matches(['\n', '\r']);
    if !t.starts_with("Benchmark") {
        return None;
    }
    let mut fields = t.split_whitespace();
    let name = fields.next()?;
    let iterations = fields.next()?;
    if !iterations.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    fields.next()?.parse::<f64>().ok()?;
    let unit = fields.next()?;
    if !unit.contains('/') {
        return None;
    }
    Some(match name.rsplit_once('-') {
        Some((base, procs)) if procs.bytes().all(|b| b.is_ascii_digit()) && !procs.is_empty() => {
            base
        }
        _ => name,
    })
}

/// A test binary timeout as the runtime reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeout {
    /// `20s` in `panic: test timed out after 20s`.
    pub after: String,
    /// The tests listed under `running tests:`, without their durations (`TestX`, `TestY/sub`).
    pub running: Vec<String>,
}

/// `panic: test timed out after 5s` (after indentation) → `5s`.
pub fn timeout_after(line: &str) -> Option<&str> {
    line.trim_end_matches(['\n', '\r'])
        .trim_start_matches([' ', '\t'])
        .strip_prefix("panic: test timed out after ")
        .map(str::trim)
}

/// Reads a timeout report line by line: `panic: test timed out after 5s`, then `running tests:` and one
/// `TestX (5s)` line per running test, each indented deeper than `running tests:` (Go 1.23+ indents them
/// by one and two tabs, Go ≤ 1.22 by none and one).
#[derive(Debug, Clone, Default)]
pub struct TimeoutScan {
    /// The timeout, once its `panic:` line was seen.
    pub timeout: Option<Timeout>,
    /// The indentation of `running tests:` while its list is read.
    list_indent: Option<usize>,
    /// Only a `panic: test timed out` line at the start of a line counts (the runtime prints it there;
    /// an indented one is a test quoting a subprocess's output).
    line_start: bool,
}

impl TimeoutScan {
    /// A scanner that has seen nothing.
    pub fn new() -> TimeoutScan {
        TimeoutScan::default()
    }

    /// A scanner that takes the `panic:` line only at the start of a line, as the runtime prints it to a
    /// test binary's output.
    pub fn at_line_start() -> TimeoutScan {
        TimeoutScan {
            line_start: true,
            ..TimeoutScan::default()
        }
    }

    /// Reads one line; true when it is part of the timeout report (the `panic:` line, `running tests:`
    /// or a running test).
    pub fn line(&mut self, line: &str) -> bool {
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some(after) =
            timeout_after(content).filter(|_| !self.line_start || content.starts_with("panic: "))
        {
            self.timeout = Some(Timeout {
                after: after.to_string(),
                running: Vec::new(),
            });
            self.list_indent = None;
            return true;
        }
        let Some(timeout) = self.timeout.as_mut() else {
            return false;
        };
        let t = content.trim_start_matches([' ', '\t']);
        let indent = content.len() - t.len();
        if t.trim_end() == "running tests:" {
            self.list_indent = Some(indent);
            return true;
        }
        if let Some(header) = self.list_indent {
            if indent > header && !t.trim().is_empty() {
                let name = t.trim_end();
                let name = match name.rsplit_once(" (") {
                    Some((n, _)) if name.ends_with(')') => n,
                    _ => name,
                };
                timeout.running.push(name.to_string());
                return true;
            }
            self.list_indent = None;
        }
        false
    }

    /// True while the `running tests:` list is being read.
    pub fn in_list(&self) -> bool {
        self.list_indent.is_some()
    }
}

/// True for a line of package output that reports a failure by itself (after the tests, in TestMain):
/// a panic, a fatal error, a data race, goleak's report. Informational TestMain output is not.
pub fn is_failure_line(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("panic: ")
        || t.starts_with("fatal error: ")
        || t.starts_with("goleak: ")
        || t.starts_with("WARNING: DATA RACE")
        || t == "=================="
        || t.contains("found unexpected goroutines")
        || races_found(t).is_some()
}

/// `Found 2 data race(s)` → 2.
pub fn races_found(line: &str) -> Option<u32> {
    line.trim()
        .strip_prefix("Found ")?
        .strip_suffix(" data race(s)")?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames() {
        assert_eq!(frame("=== RUN   TestA/b\n"), Some(Frame::Run("TestA/b")));
        assert_eq!(frame("=== CONT  \n"), Some(Frame::Cont("")));
        assert_eq!(frame("=== NAME  TestA"), Some(Frame::Cont("TestA")));
        assert_eq!(
            frame("    --- FAIL: TestA/b (0.25s)"),
            Some(Frame::End {
                verdict: Verdict::Fail,
                name: "TestA/b",
                elapsed: Some(0.25)
            })
        );
        assert_eq!(
            frame("=== ATTR  TestA k v").map(|f| f.name()),
            Some("TestA")
        );
        assert_eq!(frame("=== nothing"), None);
        assert_eq!(frame("--- FAILED"), None);
    }

    #[test]
    fn glued_frames() {
        let (at, f) = glued_frame("some inline text--- PASS: TestZ (0.06s)\n").unwrap();
        assert_eq!(at, 16);
        assert_eq!(
            f,
            Frame::End {
                verdict: Verdict::Pass,
                name: "TestZ",
                elapsed: Some(0.06)
            }
        );
        assert_eq!(
            glued_frame("no newline from child=== RUN   TestParent/other"),
            Some((21, Frame::Run("TestParent/other")))
        );
        assert_eq!(glued_frame("--- PASS: TestZ (0.06s)"), None);
        assert_eq!(glued_frame("the log says --- FAIL: and then"), None);
        assert_eq!(glued_frame("x--- FAIL: TestZ"), None);
    }

    #[test]
    fn result_lines_with_tabs_or_spaces() {
        let r = result_line("ok  \texample.com/p\t0.160s\tcoverage: 10.0% of statements").unwrap();
        assert_eq!(
            (r.verdict, r.package, r.elapsed),
            (Verdict::Pass, "example.com/p", Some(0.16))
        );
        let r = result_line("ok      example.com/p   0.001s").unwrap();
        assert_eq!((r.package, r.elapsed), ("example.com/p", Some(0.001)));
        let r = result_line("ok  \texample.com/p 0.400s  coverage: 10.0% of statements").unwrap();
        assert_eq!((r.package, r.elapsed), ("example.com/p", Some(0.4)));
        let r = result_line("FAIL    example.com/p  0.003s").unwrap();
        assert_eq!((r.verdict, r.elapsed), (Verdict::Fail, Some(0.003)));
        let r = result_line("FAIL    example.com/p [build failed]").unwrap();
        assert!(r.build_failed);
        let r = result_line("?       example.com/p   [no test files]").unwrap();
        assert!(r.no_test_files && r.verdict == Verdict::Skip);
        let r = result_line("ok  \texample.com/p\t(cached)").unwrap();
        assert!(r.cached);
        assert_eq!(result_line("ok so this is prose"), None);
        assert_eq!(result_line("FAIL"), None);
        assert_eq!(result_line("okay\tx"), None);
        assert_eq!(result_line("? what"), None);
    }

    #[test]
    fn positions() {
        assert_eq!(
            position("    misc_test.go:12: want 1"),
            Some(Position {
                file: "misc_test.go",
                line: 12,
                column: None
            })
        );
        assert_eq!(
            position("buildfail/util_test.go:7:11: undefined: x").map(|p| (p.file, p.column)),
            Some(("buildfail/util_test.go", Some(11)))
        );
        assert_eq!(position("panic: boom: x"), None);
        assert_eq!(position("a b.go:3: x"), None);
        assert_eq!(position("\t/abs/x.go:12 +0x1d"), None);
        assert_eq!(position("x.go:0: x"), None);
        assert!(is_test_log_line("    x_test.go:12: boom"));
        assert!(!is_test_log_line("    at x.go:12 boom"));
    }

    #[test]
    fn build_headers() {
        assert_eq!(
            build_header("# example.com/x_test [example.com/x.test]"),
            Some("example.com/x")
        );
        assert_eq!(
            build_header("# example.com/x [example.com/x.test]"),
            Some("example.com/x")
        );
        assert_eq!(build_header("# example.com/x"), Some("example.com/x"));
        assert_eq!(build_header("# goleash — the contract"), None);
        assert_eq!(
            package_under_test("example.com/x_test [example.com/x.test]"),
            "example.com/x"
        );
        assert_eq!(package_under_test("example.com/x"), "example.com/x");
    }

    #[test]
    fn bench_results() {
        assert_eq!(
            bench_result("BenchmarkSum-2   \t      10\t       140.2 ns/op"),
            Some("BenchmarkSum")
        );
        assert_eq!(bench_result("BenchmarkSum is slow"), None);
    }

    #[test]
    fn timeouts_at_any_indentation() {
        for lines in [
            &[
                "panic: test timed out after 5s",
                "\trunning tests:",
                "\t\tTestHang (5s)",
                "\t\tTestB/c (5s)",
                "",
                "goroutine 1 [running]:",
            ][..],
            &[
                "panic: test timed out after 5s",
                "running tests:",
                "\tTestHang (5s)",
                "\tTestB/c (5s)",
                "",
                "goroutine 1 [running]:",
            ][..],
        ] {
            let mut s = TimeoutScan::new();
            let taken: Vec<bool> = lines.iter().map(|l| s.line(l)).collect();
            assert_eq!(taken, vec![true, true, true, true, false, false]);
            assert_eq!(
                s.timeout,
                Some(Timeout {
                    after: "5s".to_string(),
                    running: vec!["TestHang".to_string(), "TestB/c".to_string()]
                })
            );
        }
    }
}
