//! The test model: packages → tests, built incrementally from [`Event`]s.
//!
//! This is the only place that holds mutable state about the run. It knows what a test's result is and why
//! it failed (assertion, panic, timeout, race, build failure, never finished, package-level failure), keeps
//! the output worth keeping (failing tests, package-level output, capped) and drops the rest, so that memory
//! stays bounded by what a report needs. It does not parse goroutine dumps: that is [`crate::dump`]'s job.

use std::collections::VecDeque;
use std::sync::LazyLock;

use memchr::memmem;

use rustc_hash::FxHashMap as HashMap;

use serde::Serialize;

use crate::event::{Action, Event, OutputType};
pub use crate::gotest::Timeout;
use crate::gotest::{self, TimeoutScan, Verdict};

/// How much of one test's output is kept from its start.
pub const HEAD_CAP: usize = 4 << 20;
/// How much of one test's output is kept from its end (whole lines).
pub const TAIL_CAP: usize = 4 << 20;

/// The result of one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TestResult {
    /// Started, not ended (yet).
    Running,
    /// Passed.
    Pass,
    /// Failed; [`Test::kind`] says how.
    Fail,
    /// Skipped.
    Skip,
}

/// Why a test (or a package) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureKind {
    /// An ordinary test failure (`t.Error`, `t.Fatal`, goleak's `VerifyNone`).
    Test,
    /// The package did not build.
    Build,
    /// The test binary timed out while this test ran.
    Timeout,
    /// The test panicked.
    Panic,
    /// A package-level failure (TestMain, `goleak.VerifyTestMain`, output after the tests).
    Package,
    /// The race detector found a data race during the test.
    Race,
    /// The test started and never ended (the binary crashed or exited).
    Incomplete,
}

impl FailureKind {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Test => "test",
            FailureKind::Build => "build",
            FailureKind::Timeout => "timeout",
            FailureKind::Panic => "panic",
            FailureKind::Package => "package",
            FailureKind::Race => "race",
            FailureKind::Incomplete => "incomplete",
        }
    }
}

/// The result of one package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageResult {
    /// Still running.
    Running,
    /// Passed.
    Pass,
    /// Failed.
    Fail,
    /// No test files, or every test skipped.
    Skip,
    /// The package did not build.
    BuildFail,
    /// The test binary timed out.
    Timeout,
    /// A test panicked and killed the binary.
    Panic,
    /// The package never reported an end (input cut short).
    Incomplete,
}

/// Output kept for a test or package: the head in full, then the tail as whole lines, within caps.
#[derive(Debug, Clone, Default)]
pub struct Output {
    head: String,
    tail: VecDeque<String>,
    tail_bytes: usize,
    /// Bytes dropped between head and tail.
    pub dropped_bytes: usize,
    /// Lines dropped between head and tail.
    pub dropped_lines: usize,
}

impl Output {
    /// Appends one line (with its `\n`, if any).
    pub fn push(&mut self, line: &str) {
        if self.tail.is_empty() && self.head.len() + line.len() <= HEAD_CAP {
            self.head.push_str(line);
            return;
        }
        self.tail.push_back(line.to_string());
        self.tail_bytes += line.len();
        while self.tail_bytes > TAIL_CAP && self.tail.len() > 1 {
            if let Some(old) = self.tail.pop_front() {
                self.tail_bytes -= old.len();
                self.dropped_bytes += old.len();
                self.dropped_lines += 1;
            }
        }
    }

    /// True when nothing was kept.
    pub fn is_empty(&self) -> bool {
        self.head.is_empty() && self.tail.is_empty()
    }

    /// The kept output as one string; a note marks where lines were dropped.
    pub fn text(&self) -> String {
        if self.tail.is_empty() {
            return self.head.clone();
        }
        let mut s = String::with_capacity(self.head.len() + self.tail_bytes + 80);
        s.push_str(&self.head);
        if self.dropped_lines > 0 {
            s.push_str(&format!(
                "[goleash: {} lines ({} bytes) of output cut here]\n",
                self.dropped_lines, self.dropped_bytes
            ));
        }
        for l in &self.tail {
            s.push_str(l);
        }
        s
    }

    /// Drops everything kept.
    pub fn clear(&mut self) {
        *self = Output::default();
    }
}

/// One test (or subtest, by its full name).
#[derive(Debug, Clone)]
pub struct Test {
    /// Full name, `TestA/sub`.
    pub name: String,
    /// The result.
    pub result: TestResult,
    /// For failed tests: why.
    pub kind: Option<FailureKind>,
    /// Seconds, when reported.
    pub elapsed: Option<f64>,
    /// Output without framing lines. Dropped when the test passes (unless it printed a goroutineleak
    /// profile).
    pub output: Output,
    /// The first error line: `OutputType: error` when present, else the first `file_test.go:NN:` line,
    /// else the panic line.
    pub error_line: Option<String>,
    /// The first `panic:` or `fatal error:` line.
    pub panic_line: Option<String>,
    /// `t.Attr` pairs.
    pub attrs: Vec<(String, String)>,
    /// The skip reason (first output line of a skipped test).
    pub skip_reason: Option<String>,
    /// Output mentions a goroutineleak profile: kept even when the test passes.
    pub keep_output: bool,
    /// The race detector reported during this test.
    pub race: bool,
    /// An `error` line was seen through `OutputType`, which is then trusted over heuristics.
    typed_error: bool,
    /// While the error line's continuation lines are being added to it: the indentation (in spaces)
    /// of the error line; continuation lines carry four more.
    error_open: Option<usize>,
    /// Blank continuation lines not yet added (added only when more text follows).
    error_blanks: usize,
}

impl Test {
    fn new(name: &str) -> Test {
        Test {
            name: name.to_string(),
            result: TestResult::Running,
            kind: None,
            elapsed: None,
            output: Output::default(),
            error_line: None,
            panic_line: None,
            attrs: Vec::new(),
            skip_reason: None,
            keep_output: false,
            race: false,
            typed_error: false,
            error_open: None,
            error_blanks: 0,
        }
    }

    /// True when the test failed.
    pub fn failed(&self) -> bool {
        self.result == TestResult::Fail
    }
}

/// One package (one test binary).
#[derive(Debug, Clone)]
pub struct Package {
    /// The import path.
    pub name: String,
    /// The result.
    pub result: PackageResult,
    /// Seconds, when reported.
    pub elapsed: Option<f64>,
    /// Tests in the order they started.
    pub tests: Vec<Test>,
    index: TestIndex,
    /// Output that belongs to no test: TestMain, `goleak.VerifyTestMain`, crashes outside tests.
    pub output: Output,
    /// The compiler's messages when the build failed.
    pub build_output: String,
    /// The package's build failed (possibly because of a dependency named here).
    pub failed_build: Option<String>,
    /// The result came from the test cache.
    pub cached: bool,
    /// `[no test files]`.
    pub no_test_files: bool,
    /// A timeout, if the binary timed out.
    pub timeout: Option<Timeout>,
    /// A package-level failure that no test accounts for (set when the package ends).
    pub package_failure: Option<String>,
    /// What kind of failure [`Package::package_failure`] is (set with it).
    pub package_failure_kind: Option<FailureKind>,
    /// The package ended (pass/fail/skip event).
    pub done: bool,
    /// The last test that a framing line named: where unattributed text-format output goes.
    current: Option<usize>,
    /// Reads the runtime's timeout report.
    scan: TimeoutScan,
    /// The verdict of the package's own result line (`FAIL\tpkg\t0.1s`), which wins over the event's.
    output_verdict: Option<Verdict>,
    /// `Found N data race(s)` in the package's own output (a race outside any test).
    race_summary: Option<String>,
    /// The first `panic:`/`fatal error:` line of the package's own output (an init panic, TestMain).
    package_panic: Option<String>,
    /// Counts of tests, kept when the tests themselves are dropped.
    pub counts: Counts,
    /// Counts of earlier runs of the same package (another shard, a repeated stream).
    prior: Counts,
    /// The lone `PASS`/`FAIL` line that ends the tests was seen.
    after_tests: bool,
    /// The first line of package output after the tests ended (TestMain, `goleak.VerifyTestMain`).
    epilogue: Option<String>,
}

/// Test name → position in [`Package::tests`] (the newest record of a name), without a second copy of
/// each name: most events look a test up, and a large run has a million of them.
#[derive(Debug, Clone, Default)]
struct TestIndex {
    table: hashbrown::HashTable<usize>,
}

fn name_hash(name: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    name.hash(&mut h);
    h.finish()
}

impl TestIndex {
    fn get(&self, tests: &[Test], name: &str) -> Option<usize> {
        self.table
            .find(name_hash(name), |&i| tests[i].name == name)
            .copied()
    }

    /// Points `name` at `i` (which must already be in `tests`).
    fn set(&mut self, tests: &[Test], name: &str, i: usize) {
        let h = name_hash(name);
        match self.table.find_mut(h, |&j| tests[j].name == name) {
            Some(slot) => *slot = i,
            None => {
                self.table
                    .insert_unique(h, i, |&j| name_hash(&tests[j].name));
            }
        }
    }
}

/// Test counts of a package.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Test cases (including package-level failures).
    pub tests: usize,
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
}

impl Package {
    fn new(name: &str) -> Package {
        Package {
            name: name.to_string(),
            result: PackageResult::Running,
            elapsed: None,
            tests: Vec::new(),
            index: TestIndex::default(),
            output: Output::default(),
            build_output: String::new(),
            failed_build: None,
            cached: false,
            no_test_files: false,
            timeout: None,
            package_failure: None,
            package_failure_kind: None,
            done: false,
            current: None,
            scan: TimeoutScan::at_line_start(),
            output_verdict: None,
            race_summary: None,
            package_panic: None,
            counts: Counts::default(),
            prior: Counts::default(),
            after_tests: false,
            epilogue: None,
        }
    }

    /// The test with this full name.
    pub fn test(&self, name: &str) -> Option<&Test> {
        self.index.get(&self.tests, name).map(|i| &self.tests[i])
    }

    fn test_index(&mut self, name: &str) -> usize {
        if let Some(i) = self.current {
            if self.tests.get(i).is_some_and(|t| t.name == name) {
                return i;
            }
        }
        if let Some(i) = self.index.get(&self.tests, name) {
            return i;
        }
        self.tests.push(Test::new(name));
        let i = self.tests.len() - 1;
        self.index.set(&self.tests, name, i);
        i
    }

    /// Releases the per-test records and output once every report has read them, keeping the counts.
    pub fn compact(&mut self) {
        // Released, not cleared: a finished package keeps no memory proportional to its tests.
        self.tests = Vec::new();
        self.index = TestIndex::default();
        self.output.clear();
        self.build_output = String::new();
    }

    /// Takes in a rerun of this package (`--rerun-fails`): every test the rerun ran replaces its record
    /// here (a test new to the package is added), the package-level outcome (result, output, timeout,
    /// package-level failure, build failure) becomes the rerun's, and the elapsed times add up. A
    /// package whose rerun passed still fails while a test of an earlier attempt stays failed.
    pub fn absorb_rerun(&mut self, later: Package) {
        for t in later.tests {
            match self.index.get(&self.tests, &t.name) {
                Some(i) => self.tests[i] = t,
                None => {
                    self.tests.push(t);
                    let i = self.tests.len() - 1;
                    let name = self.tests[i].name.clone();
                    self.index.set(&self.tests, &name, i);
                }
            }
        }
        self.elapsed = match (self.elapsed, later.elapsed) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => b.or(a),
        };
        self.output = later.output;
        self.build_output = later.build_output;
        self.failed_build = later.failed_build;
        self.cached = later.cached;
        self.no_test_files = later.no_test_files;
        self.timeout = later.timeout;
        self.package_failure = later.package_failure;
        self.package_failure_kind = later.package_failure_kind;
        self.done = later.done;
        self.result = later.result;
        if self.result == PackageResult::Pass && self.tests.iter().any(|t| t.failed()) {
            self.result = PackageResult::Fail;
        }
        self.recount();
    }

    fn recount(&mut self) {
        let mut c = self.prior;
        for t in &self.tests {
            c.tests += 1;
            match t.result {
                TestResult::Pass => c.passed += 1,
                TestResult::Fail => c.failed += 1,
                TestResult::Skip => c.skipped += 1,
                TestResult::Running => {}
            }
        }
        if self.package_failure.is_some() || self.failed_build.is_some() {
            c.tests += 1;
            c.failed += 1;
        }
        self.counts = c;
    }
}

/// A problem with the input, reported and then stepped over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The input's name (`-` for standard input).
    pub input: String,
    /// The 1-based line number.
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

/// The whole run: every package of every input.
#[derive(Debug, Default)]
pub struct Run {
    /// Packages in the order they started.
    pub packages: Vec<Package>,
    index: HashMap<String, usize>,
    /// Build output per import path (`build-output` events, and `# pkg` blocks in text), waiting for the
    /// package's failure.
    build_output: HashMap<String, String>,
    /// Output that belongs to no package (non-JSON lines in a JSON stream, text before any package).
    pub stray: Output,
    /// Problems with the input.
    pub warnings: Vec<Warning>,
    /// The package of the previous event (most events follow one another in one package).
    last_package: Option<usize>,
    /// How many warnings were not stored (over [`Run::MAX_WARNINGS`]).
    pub warnings_dropped: usize,
}

/// Searchers built once: every output line is searched for these.
static RACE_DETECTED: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(": race detected during execution of test"));
static LEAK_PROFILE: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("goroutineleak profile: total"));
static LEAKED_MARK: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(" (leaked)"));

/// True for `=== RUN`, `--- FAIL: …` and the other lines the testing package frames tests with.
pub fn is_framing_line(line: &str) -> bool {
    gotest::is_framing_line(line)
}

/// True for the package's own closing lines (`PASS`, `FAIL`, `ok  \tpkg\t0.1s`, `FAIL\tpkg\t0.1s`,
/// `coverage: …`, `exit status 1`), which say nothing a report does not already say.
pub fn is_package_framing_line(line: &str) -> bool {
    gotest::is_package_closing_line(line)
}

/// The most bytes of one line kept as a message (error line, panic line, skip reason, package failure):
/// a longer line is cut at a character boundary and ends in `…`.
pub const MESSAGE_CAP: usize = 4096;

/// At most this many continuation lines are added to a failure message.
pub const MESSAGE_LINES: usize = 40;

/// The indentation of an error line whose following, further-indented lines continue its message
/// (`t.Errorf` with line breaks, testify's `Error Trace:`/`Error:`/`expected:`/`actual:` block, a
/// go-cmp diff); `None` when the line itself reports goroutines (a detector's dump follows, not a
/// message).
fn opens_message(line: &str) -> Option<usize> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    (!starts_dump(line.trim_start()) && !line.contains("goroutine ")).then_some(indent)
}

/// A continuation line's text that starts a goroutine dump or a stack (goleak's list, a debug=1
/// record, a frame's file line): the message ends before it.
fn starts_dump(text: &str) -> bool {
    let t = text.trim_start();
    let numbered = |rest: &str, then: &str| {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        digits > 0 && rest[digits..].starts_with(then)
    };
    t.starts_with("[Goroutine ")
        || t.starts_with("Goroutine ")
        || t.strip_prefix("goroutine ")
            .is_some_and(|r| numbered(r, " ["))
        || numbered(t, " @ 0x")
        || (t.starts_with('/') && t.contains(".go:"))
}

/// Adds `line` to the test's error message when it continues it (indented four spaces more than the
/// error line at `indent`, and not the start of a dump); whether it did. Blank lines are added only
/// when text follows them; the message stops growing at [`MESSAGE_LINES`] lines or [`MESSAGE_CAP`]
/// bytes (with `…`).
fn continue_message(t: &mut Test, line: &str, indent: usize) -> bool {
    let Some(message) = t.error_line.as_mut() else {
        return false;
    };
    if line.trim().is_empty() {
        t.error_blanks += 1;
        return true;
    }
    let lead = indent + 4;
    if line.len() < lead || !line.as_bytes()[..lead].iter().all(|b| *b == b' ') {
        return false;
    }
    let text = &line[lead..];
    if starts_dump(text) {
        return false;
    }
    let text = text.strip_prefix('\t').unwrap_or(text).trim_end();
    if message.ends_with('…') || message.lines().count() > MESSAGE_LINES {
        return true;
    }
    for _ in 0..std::mem::take(&mut t.error_blanks) {
        message.push('\n');
    }
    message.push('\n');
    message.push_str(text);
    if message.len() > MESSAGE_CAP || message.lines().count() > MESSAGE_LINES {
        let mut capped = cap_message(message);
        if !capped.ends_with('…') {
            capped.push('…');
        }
        *message = capped;
    }
    true
}

/// A line as a one-line message: trimmed, and cut to [`MESSAGE_CAP`] bytes.
pub fn clean_line(line: &str) -> String {
    cap_message(line.trim())
}

/// `s` cut to [`MESSAGE_CAP`] bytes at a character boundary, with `…` where it was cut.
pub fn cap_message(s: &str) -> String {
    if s.len() <= MESSAGE_CAP {
        return s.to_string();
    }
    let mut end = MESSAGE_CAP;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

impl Run {
    /// At most this many warnings are stored; the rest are counted.
    pub const MAX_WARNINGS: usize = 200;

    /// An empty run.
    pub fn new() -> Run {
        Run::default()
    }

    /// Records a problem with the input.
    pub fn warn(&mut self, input: &str, line: usize, message: impl Into<String>) {
        if self.warnings.len() < Self::MAX_WARNINGS {
            self.warnings.push(Warning {
                input: input.to_string(),
                line,
                message: message.into(),
            });
        } else {
            self.warnings_dropped += 1;
        }
    }

    /// The package with this import path.
    pub fn package(&self, name: &str) -> Option<&Package> {
        self.index.get(name).map(|&i| &self.packages[i])
    }

    fn package_index(&mut self, name: &str) -> usize {
        if let Some(i) = self.last_package {
            if self.packages[i].name == name && !self.packages[i].done {
                return i;
            }
        }
        let i = self.package_index_slow(name);
        self.last_package = Some(i);
        i
    }

    fn package_index_slow(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            if self.packages[i].done {
                // The same package again (another shard or `-count`): it runs anew, keeping what it had.
                let p = &mut self.packages[i];
                p.done = false;
                p.result = PackageResult::Running;
                p.prior = p.counts;
                p.tests.clear();
                p.index = TestIndex::default();
                p.package_failure = None;
                p.package_failure_kind = None;
                p.failed_build = None;
                p.timeout = None;
                p.scan = TimeoutScan::at_line_start();
                p.output_verdict = None;
                p.race_summary = None;
                p.package_panic = None;
                p.after_tests = false;
                p.epilogue = None;
            }
            return i;
        }
        self.packages.push(Package::new(name));
        let i = self.packages.len() - 1;
        self.index.insert(name.to_string(), i);
        i
    }

    /// Records a line of build output for an import path (`build-output`, or a `# pkg` block).
    pub fn add_build_output(&mut self, import_path: &str, line: &str) {
        let key = gotest::package_under_test(import_path);
        let buf = self.build_output.entry(key.to_string()).or_default();
        if buf.len() < HEAD_CAP {
            buf.push_str(line);
            if !line.ends_with('\n') {
                buf.push('\n');
            }
        }
    }

    /// Records a line of output that belongs to no package.
    pub fn add_stray(&mut self, line: &str) {
        self.stray.push(line);
        if !line.ends_with('\n') {
            self.stray.push("\n");
        }
    }

    /// Applies one event. Returns the index of the package when this event ended it.
    pub fn apply(&mut self, ev: &Event) -> Option<usize> {
        match ev.action {
            Action::BuildOutput => {
                if let Some(line) = ev.output {
                    self.add_build_output(ev.package, line);
                }
                return None;
            }
            Action::BuildFail => return None,
            _ => {}
        }
        if ev.package.is_empty() {
            if let Some(line) = ev.output {
                self.add_stray(line);
            }
            return None;
        }
        let pi = self.package_index(ev.package);
        let pkg = &mut self.packages[pi];
        // `=== CONT  ` with no name (Go 1.18, before package-level output) names no test.
        let test = ev.test.filter(|t| !t.is_empty());
        match (ev.action, test) {
            (Action::Start, _) => None,
            (Action::Run, Some(name)) => {
                let ti = pkg.test_index(name);
                let t = &mut pkg.tests[ti];
                if t.result != TestResult::Running {
                    // A rerun (`-count=2`): a fresh record under the same name.
                    pkg.tests.push(Test::new(name));
                    let ti = pkg.tests.len() - 1;
                    pkg.index.set(&pkg.tests, name, ti);
                    pkg.current = Some(ti);
                } else {
                    pkg.current = Some(ti);
                }
                None
            }
            (Action::Pause | Action::Cont, Some(name)) => {
                let ti = pkg.test_index(name);
                pkg.current = Some(ti);
                None
            }
            (Action::Output, Some(name)) => {
                let ti = pkg.test_index(name);
                if let Some(line) = ev.output {
                    pkg.test_output(ti, line, ev.output_type);
                }
                None
            }
            (Action::Output, None) => {
                if let Some(line) = ev.output {
                    pkg.package_output(line);
                }
                None
            }
            (Action::Attr, Some(name)) => {
                let ti = pkg.test_index(name);
                pkg.tests[ti].attrs.push((
                    cap_message(ev.key.unwrap_or_default()),
                    cap_message(ev.value.unwrap_or_default()),
                ));
                None
            }
            (Action::Bench, Some(name)) => {
                let ti = pkg.test_index(name);
                let t = &mut pkg.tests[ti];
                if t.result == TestResult::Running {
                    t.result = TestResult::Pass;
                    t.elapsed = ev.elapsed;
                    t.output.clear();
                }
                None
            }
            (Action::Pass | Action::Fail | Action::Skip, Some(name)) => {
                let ti = pkg.test_index(name);
                let t = &mut pkg.tests[ti];
                if t.result == TestResult::Fail && ev.action != Action::Fail {
                    // A second end for a test that already failed (a damaged or merged stream): a failure
                    // is never undone.
                    return None;
                }
                t.elapsed = ev.elapsed;
                t.result = match ev.action {
                    Action::Pass => TestResult::Pass,
                    Action::Fail => TestResult::Fail,
                    _ => TestResult::Skip,
                };
                match t.result {
                    TestResult::Fail => {
                        t.kind = Some(if t.panic_line.is_some() {
                            FailureKind::Panic
                        } else if t.race {
                            FailureKind::Race
                        } else {
                            FailureKind::Test
                        });
                    }
                    TestResult::Pass if !t.keep_output => t.output.clear(),
                    _ => {}
                }
                None
            }
            (Action::Pass | Action::Fail | Action::Skip, None) => {
                pkg.elapsed = ev.elapsed;
                let failed_build = ev
                    .failed_build
                    .map(|b| gotest::package_under_test(b).to_string());
                let build_output = failed_build
                    .as_ref()
                    .and_then(|b| self.build_output.remove(b))
                    .or_else(|| self.build_output.remove(ev.package));
                let pkg = &mut self.packages[pi];
                if let Some(out) = build_output {
                    pkg.build_output.push_str(&out);
                }
                if failed_build.is_some() {
                    pkg.failed_build = failed_build;
                }
                pkg.end(ev.action);
                Some(pi)
            }
            _ => None,
        }
    }

    /// Adds a package that finished elsewhere (the attempts of `--rerun-fails`, merged) and returns its
    /// position. Its name must not be in the run yet.
    pub fn add_finished(&mut self, pkg: Package) -> usize {
        let i = self.packages.len();
        self.index.insert(pkg.name.clone(), i);
        self.packages.push(pkg);
        i
    }

    /// Ends every package that never reported its end (the input was cut short). Returns their indexes.
    pub fn finish(&mut self) -> Vec<usize> {
        let mut ended = Vec::new();
        let leftover: Vec<(String, String)> = self.build_output.drain().collect();
        for (path, out) in leftover {
            // Build output whose package never reported: a build failure all the same, when it holds a
            // compiler-style `file.go:N:C:` line; else (a Markdown `# Title` read as text) plain lines.
            if !out.lines().any(gotest::is_test_log_line) {
                for line in out.split_inclusive('\n') {
                    self.add_stray(line);
                }
                continue;
            }
            let pi = self.package_index(&path);
            let pkg = &mut self.packages[pi];
            if !pkg.done {
                pkg.build_output.push_str(&out);
                pkg.failed_build = Some(path);
            }
        }
        for (i, pkg) in self.packages.iter_mut().enumerate() {
            if !pkg.done {
                pkg.end(Action::Unknown);
                ended.push(i);
            }
        }
        ended
    }
}

impl Package {
    fn test_output(&mut self, ti: usize, line: &str, ty: OutputType) {
        let content = line.trim_end_matches(['\n', '\r']);
        if ty == OutputType::Frame || is_framing_line(content) {
            if let Some(gotest::Frame::End {
                name: reason_test, ..
            }) = gotest::frame(content)
            {
                // `--- SKIP: TestX` etc. make the named test current for the lines that follow.
                if let Some(i) = self.index.get(&self.tests, reason_test) {
                    self.current = Some(i);
                }
            }
            return;
        }
        self.note_runtime_line(content);
        let t = &mut self.tests[ti];
        let continued = t.error_open.is_some_and(|indent| {
            (ty == OutputType::ErrorContinue || (!t.typed_error && ty == OutputType::Plain))
                && continue_message(t, content, indent)
        });
        if !continued {
            t.error_open = None;
            t.error_blanks = 0;
            if ty == OutputType::Error {
                if !t.typed_error {
                    t.error_line = Some(clean_line(content));
                    t.error_open = opens_message(content);
                }
                t.typed_error = true;
            } else if !t.typed_error && t.error_line.is_none() && gotest::is_test_log_line(content)
            {
                t.error_line = Some(clean_line(content));
                t.error_open = opens_message(content);
            }
        }
        if t.panic_line.is_none()
            && (content.starts_with("panic: ") || content.starts_with("fatal error: "))
        {
            t.panic_line = Some(clean_line(content));
        }
        if content.starts_with("WARNING: DATA RACE")
            || RACE_DETECTED.find(content.as_bytes()).is_some()
        {
            t.race = true;
        }
        if !t.keep_output
            && (LEAK_PROFILE.find(content.as_bytes()).is_some()
                || LEAKED_MARK.find(content.as_bytes()).is_some())
        {
            t.keep_output = true;
        }
        if t.skip_reason.is_none() && !content.trim().is_empty() {
            t.skip_reason = Some(clean_line(content));
        }
        t.output.push(line);
        if !line.ends_with('\n') {
            t.output.push("\n");
        }
    }

    fn package_output(&mut self, line: &str) {
        let content = line.trim_end_matches(['\n', '\r']);
        let result = gotest::result_line(content);
        if let Some(r) = result {
            if r.no_test_files {
                self.no_test_files = true;
            }
            if r.cached {
                self.cached = true;
            }
            if r.package == self.name {
                self.output_verdict = Some(r.verdict);
            }
        } else if content.starts_with("--- ") && content.contains("(cached)") {
            self.cached = true;
        }
        self.note_runtime_line(content);
        if content == "PASS" || content == "FAIL" {
            self.after_tests = true;
        }
        if result.is_some() || is_package_framing_line(content) {
            return;
        }
        if self.race_summary.is_none() && gotest::races_found(content).is_some() {
            self.race_summary = Some(clean_line(content));
        }
        if self.package_panic.is_none()
            && self.timeout.is_none()
            && (content.starts_with("panic: ") || content.starts_with("fatal error: "))
        {
            self.package_panic = Some(clean_line(content));
        }
        // After the tests, only a line that reports a failure by itself (goleak, a panic, a race) is one:
        // informational TestMain output (net's "Socket statistical information:") is not.
        if self.after_tests && self.epilogue.is_none() && gotest::is_failure_line(content) {
            self.epilogue = Some(clean_line(content));
        }
        self.output.push(line);
        if !line.ends_with('\n') {
            self.output.push("\n");
        }
    }

    /// Watches for the runtime's timeout report in any output.
    fn note_runtime_line(&mut self, content: &str) {
        if self.scan.line(content) {
            self.timeout.clone_from(&self.scan.timeout);
        }
    }

    /// The message of a package-level failure that no failing test accounts for, and its kind: a data
    /// race outside any test, an init or TestMain panic, else the first line of the package's output.
    fn own_failure(&self) -> (FailureKind, Option<String>) {
        if let Some(races) = &self.race_summary {
            return (FailureKind::Race, Some(self.race_message(races)));
        }
        if let Some(panic) = &self.package_panic {
            return (FailureKind::Panic, Some(panic.clone()));
        }
        let text = self.output.text();
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && *l != "==================")
            .map(clean_line);
        (FailureKind::Package, first)
    }

    /// `data race outside of any test (Found 1 data race(s)); tests that ran: TestA, TestB`.
    fn race_message(&self, races: &str) -> String {
        let ran: Vec<&str> = self
            .tests
            .iter()
            .filter(|t| !t.name.contains('/'))
            .map(|t| t.name.as_str())
            .collect();
        let mut m = format!("data race outside of any test ({races})");
        if !ran.is_empty() {
            const SHOWN: usize = 10;
            m.push_str("; tests that ran: ");
            m.push_str(&ran[..ran.len().min(SHOWN)].join(", "));
            if ran.len() > SHOWN {
                m.push_str(&format!(" and {} more", ran.len() - SHOWN));
            }
        }
        cap_message(&m)
    }

    fn end(&mut self, action: Action) {
        self.done = true;
        // The output's own verdict wins: old test2json ended a package with `pass` when a race after the
        // tests made it print `FAIL\tpkg`.
        let action = match (action, self.output_verdict) {
            (Action::Pass | Action::Skip | Action::Unknown, Some(Verdict::Fail)) => Action::Fail,
            (Action::Unknown, Some(Verdict::Pass)) => Action::Pass,
            (Action::Unknown, Some(Verdict::Skip)) => Action::Skip,
            (a, _) => a,
        };
        let timeout_running: Vec<String> = self
            .timeout
            .as_ref()
            .map(|t| t.running.clone())
            .unwrap_or_default();
        let is_timed_out = |name: &str| {
            timeout_running.iter().any(|r| {
                r == name
                    || r.strip_prefix(name)
                        .is_some_and(|rest| rest.starts_with('/'))
                    || name
                        .strip_prefix(r.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
        };
        // Plain `go test` output names a timed-out test only in the `running tests:` list.
        for name in &timeout_running {
            if self.index.get(&self.tests, name).is_none() {
                self.test_index(name);
            }
        }
        // A test without an end of its own passed when its package printed `ok` (its `--- PASS` was
        // glued to output without a newline) or when a parent passed: a parent cannot pass with a
        // failing subtest.
        let passed_parents: Vec<String> = self
            .tests
            .iter()
            .filter(|t| t.result == TestResult::Pass)
            .map(|t| t.name.clone())
            .collect();
        let has_passed_parent = |name: &str| {
            passed_parents.iter().any(|p| {
                name.strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
            })
        };
        let mut any_panic = false;
        for t in &mut self.tests {
            // test2json starts benchmarks with `run` and never ends them: one that the package did not
            // fail ran to its end.
            if t.result == TestResult::Running
                && t.panic_line.is_none()
                && (action == Action::Pass || has_passed_parent(&t.name))
            {
                t.result = TestResult::Pass;
                t.output.clear();
                continue;
            }
            if t.result == TestResult::Running {
                t.result = TestResult::Fail;
                t.kind = Some(if self.timeout.is_some() && is_timed_out(&t.name) {
                    FailureKind::Timeout
                } else if t.panic_line.is_some() {
                    FailureKind::Panic
                } else {
                    FailureKind::Incomplete
                });
            } else if t.result == TestResult::Fail
                && self.timeout.is_some()
                && is_timed_out(&t.name)
            {
                t.kind = Some(FailureKind::Timeout);
            }
            if t.kind == Some(FailureKind::Panic) {
                any_panic = true;
            }
            if t.failed() && t.error_line.is_none() {
                t.error_line = match t.kind {
                    Some(FailureKind::Timeout) => self
                        .timeout
                        .as_ref()
                        .map(|to| format!("test timed out after {}", to.after)),
                    Some(FailureKind::Incomplete) => Some(
                        "test started but never ended: the test binary exited or crashed"
                            .to_string(),
                    ),
                    _ => t.panic_line.clone(),
                };
            }
        }
        let any_test_failed = self.tests.iter().any(Test::failed);
        let own = (!any_test_failed).then(|| self.own_failure());
        let own_panic = own.as_ref().is_some_and(|(k, _)| *k == FailureKind::Panic);
        self.result = if self.failed_build.is_some() {
            PackageResult::BuildFail
        } else {
            match action {
                Action::Pass => PackageResult::Pass,
                Action::Skip => PackageResult::Skip,
                Action::Fail if self.timeout.is_some() => PackageResult::Timeout,
                Action::Fail if any_panic || own_panic => PackageResult::Panic,
                Action::Fail => PackageResult::Fail,
                _ if self.timeout.is_some() => PackageResult::Timeout,
                _ => PackageResult::Incomplete,
            }
        };
        if self.output.text().contains("[build failed]") && self.failed_build.is_none() {
            self.failed_build = Some(self.name.clone());
            self.result = PackageResult::BuildFail;
        }
        // A failure no test accounts for: TestMain, goleak.VerifyTestMain, a race or a panic outside any
        // test. When tests failed too, only output after the tests that reports a failure by itself (the
        // epilogue) makes it a failure of its own.
        let package_failed =
            matches!(action, Action::Fail) || self.result == PackageResult::Incomplete;
        if package_failed && self.failed_build.is_none() && self.timeout.is_none() {
            if let Some((kind, first)) = own {
                let kind = match self.result {
                    PackageResult::Incomplete if kind == FailureKind::Package => {
                        FailureKind::Incomplete
                    }
                    _ => kind,
                };
                self.package_failure_kind = Some(kind);
                self.package_failure = Some(first.unwrap_or_else(|| match self.result {
                    PackageResult::Incomplete => {
                        "the package never reported a result: the input ends before it".to_string()
                    }
                    _ => "the package failed outside of any test (TestMain, or the test binary's exit status)"
                        .to_string(),
                }));
            } else if let Some(line) = &self.epilogue {
                match &self.race_summary {
                    Some(races) => {
                        self.package_failure = Some(self.race_message(races));
                        self.package_failure_kind = Some(FailureKind::Race);
                    }
                    None => {
                        self.package_failure = Some(line.clone());
                        self.package_failure_kind = Some(match self.result {
                            PackageResult::Incomplete => FailureKind::Incomplete,
                            _ => FailureKind::Package,
                        });
                    }
                }
            }
        }
        // A package that did not build ran no test binary: a timeout report in its output is not its own.
        if self.timeout.is_some()
            && self.failed_build.is_none()
            && !self
                .tests
                .iter()
                .any(|t| t.kind == Some(FailureKind::Timeout))
        {
            self.package_failure_kind = Some(FailureKind::Timeout);
            self.package_failure = Some(format!(
                "test binary timed out after {} outside of any test",
                self.timeout
                    .as_ref()
                    .map(|t| t.after.as_str())
                    .unwrap_or("?")
            ));
        }
        self.current = None;
        self.scan = TimeoutScan::at_line_start();
        self.recount();
    }

    /// The kind of the package-level failure ([`Package::package_failure`]).
    pub fn package_failure_kind(&self) -> FailureKind {
        self.package_failure_kind.unwrap_or(FailureKind::Package)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev<'a>(action: Action, test: Option<&'a str>, output: Option<&'a str>) -> Event<'a> {
        Event {
            action,
            package: "example.com/p",
            test,
            output,
            ..Event::default()
        }
    }

    /// The error line of one failed test that printed `lines`.
    fn message_of(lines: &[&str]) -> Option<String> {
        let mut run = Run::new();
        run.apply(&ev(Action::Run, Some("TestA"), None));
        for l in lines {
            run.apply(&ev(Action::Output, Some("TestA"), Some(l)));
        }
        run.apply(&ev(Action::Fail, Some("TestA"), None));
        run.apply(&ev(Action::Fail, None, None));
        run.packages[0].tests[0].error_line.clone()
    }

    #[test]
    fn messages_keep_their_continuation_lines_but_no_dump() {
        // testify (as captured in fixtures/streams/go1.26-rerun/assertmsg-v.txt): the block is the message.
        assert_eq!(
            message_of(&[
                "    assert_test.go:19: \n",
                "        \tError:      \tNot equal: \n",
                "        \t            \texpected: 6\n",
                "\n",
                "        \tMessages:   \tsum\n",
                "\n",
                "    assert_test.go:20: later\n",
            ])
            .as_deref(),
            Some("assert_test.go:19:\nError:      \tNot equal:\n            \texpected: 6\n\nMessages:   \tsum")
        );
        // goleak: the goroutine list that follows is a dump, not the message.
        assert_eq!(
            message_of(&[
                "    a_test.go:17: found unexpected goroutines:\n",
                "        [Goroutine 20 in state chan send, with m.F.func1 on top of the stack:\n",
                "        m.F.func1()\n",
            ])
            .as_deref(),
            Some("a_test.go:17: found unexpected goroutines:")
        );
        // A line indented less is not a continuation; a frame's file line ends the message.
        assert_eq!(
            message_of(&[
                "    a_test.go:3: boom\n",
                "      not four more\n",
                "        more\n",
            ])
            .as_deref(),
            Some("a_test.go:3: boom")
        );
        assert_eq!(
            message_of(&[
                "    a_test.go:3: stuck\n",
                "        m.F()\n",
                "        \t/abs/m/f.go:12 +0x1d\n",
                "        after\n",
            ])
            .as_deref(),
            Some("a_test.go:3: stuck\nm.F()")
        );
        let many: Vec<String> = (0..100).map(|i| format!("        line {i}\n")).collect();
        let mut lines = vec!["    a_test.go:3: long\n"];
        lines.extend(many.iter().map(String::as_str));
        let m = message_of(&lines).unwrap();
        assert_eq!(m.lines().count(), MESSAGE_LINES + 1);
        assert!(m.ends_with("line 39…"), "{m}");
    }

    #[test]
    fn passing_test_output_is_dropped_failing_kept() {
        let mut run = Run::new();
        run.apply(&ev(Action::Run, Some("TestA"), None));
        run.apply(&ev(
            Action::Output,
            Some("TestA"),
            Some("=== RUN   TestA\n"),
        ));
        run.apply(&ev(
            Action::Output,
            Some("TestA"),
            Some("    a_test.go:3: hello\n"),
        ));
        run.apply(&ev(Action::Pass, Some("TestA"), None));
        run.apply(&ev(Action::Run, Some("TestB"), None));
        run.apply(&ev(
            Action::Output,
            Some("TestB"),
            Some("    b_test.go:9: boom\n"),
        ));
        run.apply(&ev(
            Action::Output,
            Some("TestB"),
            Some("--- FAIL: TestB (0.00s)\n"),
        ));
        run.apply(&ev(Action::Fail, Some("TestB"), None));
        let done = run.apply(&ev(Action::Fail, None, None));
        assert_eq!(done, Some(0));
        let p = &run.packages[0];
        assert!(p.tests[0].output.is_empty());
        assert_eq!(p.tests[1].output.text(), "    b_test.go:9: boom\n");
        assert_eq!(p.tests[1].error_line.as_deref(), Some("b_test.go:9: boom"));
        assert_eq!(p.tests[1].kind, Some(FailureKind::Test));
        assert_eq!(p.result, PackageResult::Fail);
        assert_eq!(p.package_failure, None);
        assert_eq!(
            p.counts,
            Counts {
                tests: 2,
                passed: 1,
                failed: 1,
                skipped: 0
            }
        );
    }

    #[test]
    fn timeout_fails_running_tests() {
        let mut run = Run::new();
        run.apply(&ev(Action::Run, Some("TestHang"), None));
        run.apply(&ev(Action::Run, Some("TestOther"), None));
        run.apply(&ev(Action::Pass, Some("TestOther"), None));
        for l in [
            "panic: test timed out after 2s\n",
            "\trunning tests:\n",
            "\t\tTestHang (2s)\n",
            "\n",
            "goroutine 1 [running]:\n",
        ] {
            run.apply(&ev(Action::Output, Some("TestHang"), Some(l)));
        }
        run.apply(&ev(Action::Fail, None, None));
        let p = &run.packages[0];
        assert_eq!(p.result, PackageResult::Timeout);
        assert_eq!(
            p.timeout.as_ref().unwrap().running,
            vec!["TestHang".to_string()]
        );
        assert_eq!(p.tests[0].kind, Some(FailureKind::Timeout));
        assert_eq!(
            p.tests[0].error_line.as_deref(),
            Some("test timed out after 2s")
        );
        assert_eq!(p.tests[1].result, TestResult::Pass);
        assert_eq!(p.package_failure, None);
    }

    #[test]
    fn package_failure_after_passing_tests() {
        let mut run = Run::new();
        run.apply(&ev(Action::Run, Some("TestA"), None));
        run.apply(&ev(Action::Pass, Some("TestA"), None));
        run.apply(&ev(Action::Output, None, Some("PASS\n")));
        run.apply(&ev(
            Action::Output,
            None,
            Some("goleak: Errors on successful test run: found unexpected goroutines:\n"),
        ));
        run.apply(&ev(
            Action::Output,
            None,
            Some("FAIL\texample.com/p\t0.4s\n"),
        ));
        run.apply(&ev(Action::Fail, None, None));
        let p = &run.packages[0];
        assert_eq!(
            p.package_failure.as_deref(),
            Some("goleak: Errors on successful test run: found unexpected goroutines:")
        );
        assert_eq!(
            p.counts,
            Counts {
                tests: 2,
                passed: 1,
                failed: 1,
                skipped: 0
            }
        );
    }

    #[test]
    fn a_rerun_replaces_the_tests_it_ran_and_the_package_outcome() {
        let mut first = Run::new();
        for (t, a) in [
            ("TestA", Action::Fail),
            ("TestB", Action::Pass),
            ("TestC", Action::Fail),
        ] {
            first.apply(&ev(Action::Run, Some(t), None));
            first.apply(&ev(a, Some(t), None));
        }
        first.apply(&ev(
            Action::Output,
            None,
            Some("FAIL\texample.com/p\t0.4s\n"),
        ));
        first.apply(&ev(Action::Fail, None, None));
        let mut rerun = Run::new();
        for (t, a) in [("TestA", Action::Pass), ("TestD", Action::Pass)] {
            rerun.apply(&ev(Action::Run, Some(t), None));
            rerun.apply(&ev(a, Some(t), None));
        }
        rerun.apply(&ev(Action::Pass, None, None));
        let mut p = first.packages.remove(0);
        p.absorb_rerun(rerun.packages.remove(0));
        let results: Vec<(&str, TestResult)> = p
            .tests
            .iter()
            .map(|t| (t.name.as_str(), t.result))
            .collect();
        assert_eq!(
            results,
            vec![
                ("TestA", TestResult::Pass),
                ("TestB", TestResult::Pass),
                ("TestC", TestResult::Fail),
                ("TestD", TestResult::Pass),
            ]
        );
        assert_eq!(p.test("TestD").map(|t| t.result), Some(TestResult::Pass));
        // TestC was not rerun and still fails: so does the package, though the rerun passed.
        assert_eq!(p.result, PackageResult::Fail);
        assert_eq!(
            p.counts,
            Counts {
                tests: 4,
                passed: 3,
                failed: 1,
                skipped: 0
            }
        );
        let mut run = Run::new();
        assert_eq!(run.add_finished(p), 0);
        assert_eq!(run.package("example.com/p").map(|p| p.tests.len()), Some(4));
    }

    #[test]
    fn benchmarks_that_never_end_passed_with_their_package() {
        let mut run = Run::new();
        run.apply(&ev(Action::Run, Some("BenchmarkRepeat"), None));
        run.apply(&ev(
            Action::Output,
            Some("BenchmarkRepeat"),
            Some("BenchmarkRepeat-2   \t     100\t       350.4 ns/op\n"),
        ));
        run.apply(&ev(Action::Run, Some("TestHang"), None));
        run.apply(&ev(Action::Pass, None, None));
        let p = &run.packages[0];
        // A package that printed `ok` has no incomplete tests.
        assert_eq!(p.tests[0].result, TestResult::Pass);
        assert_eq!(p.tests[1].result, TestResult::Pass);
    }
}
