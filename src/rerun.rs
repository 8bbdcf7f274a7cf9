//! Reruns of failed tests (`--rerun-fails`): which tests to run again, package by package, and how the
//! attempts merge into final results. Pure planning and merging: no I/O; the wrapper mode runs the
//! commands this module builds.
//!
//! # Planning
//!
//! From the failures of a finished attempt ([`Failed`], built by [`failures_to_rerun`] from the
//! failures and the leak attribution), [`plan`] chooses, per package, one `go test` with
//! `-run '^(TestA|TestB)$'`:
//!
//! - a failed test is rerun; a failed subtest by its top-level parent (Go's `-run` without a `/` filters
//!   top-level tests only, so every subtest of the parent runs again);
//! - a test that failed only because it **inherited** a leak (every goroutine goleak reported in it was
//!   already reported by an earlier test of the same binary) is never rerun alone: its introducers are
//!   rerun with it, before it (`-run` keeps the source order), so its new result is observed, and it
//!   follows the introducer's;
//! - a **package-level** leak failure (`goleak.VerifyTestMain`) reruns the tests its leaks are
//!   attributed to: the introducer of an inherited goroutine, or the test whose function is on the
//!   leaked goroutine's stack or its `created by` frame (`pkg.TestX`, `pkg.TestX.func1`). When one of its
//!   goroutines names no test, the whole package is rerun (no `-run`);
//! - a panic, a timeout or a test that never ended killed the test binary, so tests after it never ran:
//!   the whole package is rerun;
//! - a build failure is not rerun: it would fail the same way.
//!
//! Before the first rerun, the number of failed tests (subtests counted, not the parents they made fail;
//! a package-level failure counts as one) is checked against `--rerun-fails-max-failures`: over it,
//! nothing is rerun (as gotestsum does).
//!
//! # Merging
//!
//! [`merge`] takes every attempt's results and gives each test (and each package's package-level
//! failure) its [`History`]: the results of the attempts in which it ran. The final result is the last
//! one; a test is **flaky** when it failed in an attempt and passed in the last one.

use std::collections::BTreeSet;
use std::ffi::OsString;

use crate::analysis::Failure;
use crate::leak::Groups;
use crate::model::{FailureKind, Package, TestResult};

/// What the planner knows about one failure of a finished attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    /// The package.
    pub package: String,
    /// The failed test (a subtest by its full name); `None` for a package-level failure.
    pub test: Option<String>,
    /// How it failed.
    pub kind: FailureKind,
    /// For a test whose every reported goroutine was inherited: the tests that introduced them (in
    /// first-seen order). Empty for a test that failed on its own.
    pub inherited_from: Vec<String>,
    /// For a package-level leak failure: the tests its leaks are attributed to, in first-seen order.
    pub introducers: Vec<String>,
    /// For a package-level leak failure: some of its leaked goroutines name no test.
    pub unattributed: bool,
}

/// Which tests of a package a rerun runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Targets {
    /// These top-level tests, in the order they were first named.
    Tests(Vec<String>),
    /// The whole package (no `-run`).
    Package,
}

/// Why a package is rerun as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WholeReason {
    /// A panic, timeout or unfinished test killed the binary: later tests never ran.
    BinaryDied(FailureKind),
    /// A package-level failure whose leaks name no test (or that reported no leak at all).
    Unattributed,
}

/// One `go test` of a rerun.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageRerun {
    /// The package's import path (what the command tests).
    pub package: String,
    /// Which of its tests.
    pub targets: Targets,
    /// Why the whole package, when [`Targets::Package`].
    pub whole: Option<WholeReason>,
}

impl PackageRerun {
    /// The `-run` pattern: `^(TestA|TestB)$` (names regexp-quoted); `None` for the whole package.
    pub fn run_pattern(&self) -> Option<String> {
        match &self.targets {
            Targets::Package => None,
            Targets::Tests(names) => Some(format!(
                "^({})$",
                names
                    .iter()
                    .map(|n| quote_meta(n))
                    .collect::<Vec<_>>()
                    .join("|")
            )),
        }
    }
}

/// A package whose failures are not rerun, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotRerun {
    /// It did not build.
    BuildFailed,
}

/// What to rerun after an attempt.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// One `go test` per package, in the order the packages' failures were listed.
    pub reruns: Vec<PackageRerun>,
    /// Packages with failures that are not rerun.
    pub not_rerun: Vec<(String, NotRerun)>,
}

/// The attempt had more failed tests than `--rerun-fails-max-failures` allows: nothing is rerun.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverBudget {
    /// Failed tests counted.
    pub failures: usize,
    /// The budget.
    pub max: usize,
}

impl std::fmt::Display for OverBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} failed tests exceed --rerun-fails-max-failures {}: nothing is rerun",
            self.failures, self.max
        )
    }
}

/// The number of failed tests the budget counts: every failure except a test whose failure is only that
/// of its failed subtests (a parent of another failed test of the same package).
pub fn failure_count(failures: &[Failed]) -> usize {
    failures
        .iter()
        .filter(|f| match &f.test {
            None => true,
            Some(t) => !failures.iter().any(|o| {
                o.package == f.package
                    && o.test
                        .as_deref()
                        .is_some_and(|n| n.len() > t.len() && is_subtest_of(n, t))
            }),
        })
        .count()
}

/// Plans the reruns of these failures (see the module docs); `Err` when they exceed `max_failures`.
pub fn plan(failures: &[Failed], max_failures: usize) -> Result<Plan, OverBudget> {
    let count = failure_count(failures);
    if count > max_failures {
        return Err(OverBudget {
            failures: count,
            max: max_failures,
        });
    }
    let mut packages: Vec<&str> = Vec::new();
    for f in failures {
        if !packages.contains(&f.package.as_str()) {
            packages.push(&f.package);
        }
    }
    let mut out = Plan::default();
    for pkg in packages {
        let mine: Vec<&Failed> = failures.iter().filter(|f| f.package == pkg).collect();
        if mine.iter().any(|f| f.kind == FailureKind::Build) {
            out.not_rerun.push((pkg.to_string(), NotRerun::BuildFailed));
            continue;
        }
        let died = mine.iter().find_map(|f| match f.kind {
            k @ (FailureKind::Panic | FailureKind::Timeout | FailureKind::Incomplete) => Some(k),
            _ => None,
        });
        let unattributed = mine
            .iter()
            .any(|f| f.test.is_none() && (f.unattributed || f.introducers.is_empty()));
        let whole = match (died, unattributed) {
            (Some(k), _) => Some(WholeReason::BinaryDied(k)),
            (None, true) => Some(WholeReason::Unattributed),
            (None, false) => None,
        };
        if let Some(why) = whole {
            out.reruns.push(PackageRerun {
                package: pkg.to_string(),
                targets: Targets::Package,
                whole: Some(why),
            });
            continue;
        }
        let mut names: Vec<String> = Vec::new();
        let mut add = |n: &str| {
            let top = top_level(n);
            if !names.iter().any(|x| x == top) {
                names.push(top.to_string());
            }
        };
        for f in &mine {
            for intro in f.inherited_from.iter().chain(&f.introducers) {
                add(intro);
            }
            if let Some(t) = &f.test {
                add(t);
            }
        }
        out.reruns.push(PackageRerun {
            package: pkg.to_string(),
            targets: Targets::Tests(names),
            whole: None,
        });
    }
    Ok(out)
}

/// The top-level test of a (sub)test name: `TestTable/b` → `TestTable`.
pub fn top_level(name: &str) -> &str {
    name.split('/').next().unwrap_or(name)
}

fn is_subtest_of(name: &str, parent: &str) -> bool {
    name.strip_prefix(parent)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// Go's `regexp.QuoteMeta`: every character the regexp syntax gives a meaning is escaped.
pub fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The test a function of package `package` belongs to, when it is a test function or one of its
/// closures: `example.com/x.TestA.func1` → `TestA` (also for the external `x_test` package). Go's rule
/// for test names applies: `Test` followed by nothing or a character that is not a lower-case letter.
pub fn test_of_function<'a>(package: &str, function: &'a str) -> Option<&'a str> {
    let rest = function.strip_prefix(package)?;
    let rest = rest.strip_prefix("_test").unwrap_or(rest);
    let rest = rest.strip_prefix('.')?;
    let name = rest.split('.').next()?;
    let after = name.strip_prefix("Test")?;
    if after.chars().next().is_some_and(|c| c.is_lowercase()) || name == "TestMain" {
        return None;
    }
    Some(name)
}

/// The planner's view of a finished attempt's failures: each failure with the introducers of what it
/// only inherited, and for a package-level failure the tests its leaks are attributed to.
pub fn failures_to_rerun<A>(failures: &[Failure], groups: &Groups<A>) -> Vec<Failed> {
    failures
        .iter()
        .map(|f| {
            let mut out = Failed {
                package: f.package.clone(),
                test: f.test.clone(),
                kind: f.kind,
                inherited_from: Vec::new(),
                introducers: Vec::new(),
                unattributed: false,
            };
            // Every report of a leak in this failure's test (or package output), with its group.
            let reports: Vec<_> = groups
                .groups
                .iter()
                .flat_map(|g| g.occurrences.iter().map(move |o| (g, o)))
                .filter(|(_, o)| o.package == f.package && o.test == f.test)
                .collect();
            // The test that first reported the same goroutine of the same package.
            let introducer = |goroutine: u64| {
                groups
                    .groups
                    .iter()
                    .flat_map(|g| g.occurrences.iter())
                    .find(|o| o.package == f.package && o.goroutine == goroutine && !o.inherited)
                    .and_then(|o| o.test.clone())
            };
            let push = |names: &mut Vec<String>, n: String| {
                if !names.contains(&n) {
                    names.push(n);
                }
            };
            match &f.test {
                Some(_) => {
                    if !reports.is_empty() && reports.iter().all(|(_, o)| o.inherited) {
                        // Every introducer must be a test (a package-level report comes after the
                        // tests, so it cannot be one); otherwise the test counts as failed on its own.
                        let from: Option<Vec<String>> = reports
                            .iter()
                            .map(|(_, o)| introducer(o.goroutine))
                            .collect();
                        for t in from.unwrap_or_default() {
                            push(&mut out.inherited_from, t);
                        }
                    }
                }
                None => {
                    for (g, o) in &reports {
                        let named = if o.inherited {
                            introducer(o.goroutine)
                        } else {
                            let rep = &g.representative;
                            rep.frames
                                .iter()
                                .chain(rep.created_by.iter())
                                .find_map(|fr| test_of_function(&f.package, &fr.function))
                                .map(str::to_string)
                        };
                        match named {
                            Some(t) => push(&mut out.introducers, t),
                            None => out.unattributed = true,
                        }
                    }
                }
            }
            out
        })
        .collect()
}

/// Go flags (of `go build` and `go test`) that take a value as the next argument when written without
/// `=`. Any other flag is a boolean one; any other argument is a package pattern.
const VALUE_FLAGS: &[&str] = &[
    "C",
    "asmflags",
    "bench",
    "benchtime",
    "blockprofile",
    "blockprofilerate",
    "buildmode",
    "compiler",
    "count",
    "covermode",
    "coverpkg",
    "coverprofile",
    "cpu",
    "cpuprofile",
    "exec",
    "fuzz",
    "fuzzcachedir",
    "fuzzminimizetime",
    "fuzztime",
    "gccgoflags",
    "gcflags",
    "installsuffix",
    "ldflags",
    "list",
    "memprofile",
    "memprofilerate",
    "mod",
    "modfile",
    "mutexprofile",
    "mutexprofilefraction",
    "o",
    "outputdir",
    "overlay",
    "p",
    "parallel",
    "pgo",
    "pkgdir",
    "run",
    "shuffle",
    "skip",
    "tags",
    "test.run",
    "timeout",
    "toolexec",
    "trace",
    "vet",
];

/// The command of a rerun: the original `go test` command with its package patterns replaced by
/// `package` and any `-run` replaced by `pattern` (none for the whole package); `-count=1` is added when
/// no `-count` was given, so that no result comes from the test cache. The arguments after `-args` stay.
/// `None` when `argv` is not a `go … test` command.
pub fn command(argv: &[OsString], package: &str, pattern: Option<&str>) -> Option<Vec<OsString>> {
    let test_at = argv.iter().position(|a| a == "test")?;
    let program = std::path::Path::new(argv.first()?);
    if program.file_stem().unwrap_or(program.as_os_str()) != "go" {
        return None;
    }
    let mut out: Vec<OsString> = argv[..=test_at].to_vec();
    let mut has_count = false;
    let mut i = test_at + 1;
    let mut tail: Vec<OsString> = Vec::new();
    while i < argv.len() {
        let a = argv[i].to_string_lossy();
        if a == "-args" || a == "--args" {
            tail = argv[i..].to_vec();
            break;
        }
        if let Some(flag) = a.strip_prefix("--").or_else(|| a.strip_prefix('-')) {
            let (name, inline) = match flag.split_once('=') {
                Some((n, _)) => (n, true),
                None => (flag, false),
            };
            let takes_value = !inline && VALUE_FLAGS.contains(&name);
            let n = if takes_value { 2 } else { 1 };
            if name == "run" || name == "test.run" {
                i += n;
                continue;
            }
            if name == "count" || name == "test.count" {
                has_count = true;
            }
            out.extend(argv[i..(i + n).min(argv.len())].iter().cloned());
            i += n;
            continue;
        }
        // A package pattern: dropped (the rerun names its package).
        i += 1;
    }
    if !has_count {
        out.push("-count=1".into());
    }
    if let Some(p) = pattern {
        out.push("-run".into());
        out.push(p.into());
    }
    out.push(package.into());
    out.extend(tail);
    Some(out)
}

/// The results one attempt gave for one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The attempt: 1 for the first run, 2 for the first rerun, …
    pub number: u32,
    /// The package.
    pub package: String,
    /// Every test that ended in this attempt (subtests included), with its result.
    pub tests: Vec<(String, TestResult)>,
    /// The package had a package-level failure (TestMain, a timeout, a build failure) in this attempt.
    pub package_failed: bool,
}

impl Attempt {
    /// The results of a finished package (before its per-test records are dropped). A test that never
    /// ended counts as failed: it did not pass.
    pub fn of(package: &Package, number: u32) -> Attempt {
        Attempt {
            number,
            package: package.name.clone(),
            tests: package
                .tests
                .iter()
                .map(|t| {
                    let r = match t.result {
                        TestResult::Running => TestResult::Fail,
                        r => r,
                    };
                    (t.name.clone(), r)
                })
                .collect(),
            package_failed: package.package_failure.is_some() || package.failed_build.is_some(),
        }
    }
}

/// The results of one test (or of one package's package-level outcome) over the attempts in which it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// The package.
    pub package: String,
    /// The test; `None` for the package-level outcome.
    pub test: Option<String>,
    /// `(attempt, result)` in attempt order; a package-level outcome is `Fail` or `Pass`.
    pub results: Vec<(u32, TestResult)>,
}

impl History {
    /// The result of the last attempt in which it ran.
    pub fn final_result(&self) -> TestResult {
        self.results
            .last()
            .map(|r| r.1)
            .unwrap_or(TestResult::Running)
    }

    /// Failed in an attempt, passed in the last one.
    pub fn flaky(&self) -> bool {
        self.final_result() == TestResult::Pass
            && self.results.iter().any(|r| r.1 == TestResult::Fail)
    }

    /// How many attempts it ran in.
    pub fn attempts(&self) -> usize {
        self.results.len()
    }
}

/// Merges the attempts into one history per test and per package-level outcome, in first-seen order.
/// A package's package-level outcome is listed once it failed in an attempt.
pub fn merge(attempts: &[Attempt]) -> Vec<History> {
    let mut out: Vec<History> = Vec::new();
    let record = |out: &mut Vec<History>,
                  package: &str,
                  test: Option<&str>,
                  at: (u32, TestResult)| {
        match out
            .iter_mut()
            .find(|h| h.package == package && h.test.as_deref() == test)
        {
            Some(h) => h.results.push(at),
            None => out.push(History {
                package: package.to_string(),
                test: test.map(str::to_string),
                results: vec![at],
            }),
        }
    };
    let mut ordered: Vec<&Attempt> = attempts.iter().collect();
    ordered.sort_by_key(|a| a.number);
    let mut failed_packages: BTreeSet<&str> = BTreeSet::new();
    for a in ordered {
        for (name, result) in &a.tests {
            record(&mut out, &a.package, Some(name), (a.number, *result));
        }
        if a.package_failed || failed_packages.contains(a.package.as_str()) {
            failed_packages.insert(&a.package);
            let r = if a.package_failed {
                TestResult::Fail
            } else {
                TestResult::Pass
            };
            record(&mut out, &a.package, None, (a.number, r));
        }
    }
    out
}

/// A failed attempt of a test (or of a package's package-level outcome) before its last attempt, kept for
/// the JUnit `<flakyFailure>`/`<rerunFailure>` elements.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlierFailure {
    /// The test; `None` for the package-level failure (TestMain, `goleak.VerifyTestMain`).
    pub test: Option<String>,
    /// The attempt that failed (1 for the first run).
    pub attempt: u32,
    /// How it failed.
    pub kind: FailureKind,
    /// The failure message of that attempt.
    pub message: String,
    /// The output of that attempt.
    pub output: String,
    /// Its seconds.
    pub elapsed: f64,
}

impl EarlierFailure {
    /// The failures of `package` that a rerun `later` replaces: every failed test `later` ran again, and
    /// the package-level failure when `later` reran the package.
    pub fn replaced(package: &Package, later: &Package, attempt: u32) -> Vec<EarlierFailure> {
        let mut out = Vec::new();
        for t in &later.tests {
            if let Some(old) = package
                .test(&t.name)
                .filter(|o| o.failed() || o.result == TestResult::Running)
            {
                out.push(EarlierFailure {
                    test: Some(old.name.clone()),
                    attempt,
                    kind: old.kind.unwrap_or(FailureKind::Test),
                    message: old
                        .error_line
                        .clone()
                        .unwrap_or_else(|| "test failed".to_string()),
                    output: old.output.text(),
                    elapsed: old.elapsed.unwrap_or(0.0),
                });
            }
        }
        if let Some(msg) = &package.package_failure {
            out.push(EarlierFailure {
                test: None,
                attempt,
                kind: if package.timeout.is_some() {
                    FailureKind::Timeout
                } else {
                    FailureKind::Package
                },
                message: msg.clone(),
                output: package.output.text(),
                elapsed: 0.0,
            });
        }
        out
    }
}

/// A test that failed and then passed, as the JSON report lists it (`"flaky"`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Flaky {
    /// The package.
    pub package: String,
    /// The test; `null` for a package-level failure (TestMain) that passed on a rerun.
    pub test: Option<String>,
    /// How many attempts it ran in, the passing one included.
    pub attempts: usize,
}

/// The flaky tests of merged histories, in first-seen order.
pub fn flaky(histories: &[History]) -> Vec<Flaky> {
    histories
        .iter()
        .filter(|h| h.flaky())
        .map(|h| Flaky {
            package: h.package.clone(),
            test: h.test.clone(),
            attempts: h.attempts(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(pkg: &str, test: Option<&str>, kind: FailureKind) -> Failed {
        Failed {
            package: pkg.to_string(),
            test: test.map(str::to_string),
            kind,
            inherited_from: Vec::new(),
            introducers: Vec::new(),
            unattributed: false,
        }
    }

    fn tests(names: &[&str]) -> Targets {
        Targets::Tests(names.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn failed_tests_and_subtests_by_their_parent_one_command_per_package() {
        let f = vec![
            failed("p/a", Some("TestOne"), FailureKind::Test),
            failed("p/a", Some("TestTable"), FailureKind::Test),
            failed("p/a", Some("TestTable/b"), FailureKind::Test),
            failed("p/b", Some("TestRace"), FailureKind::Race),
            failed("p/a", Some("TestTwo/x/y"), FailureKind::Test),
        ];
        assert_eq!(failure_count(&f), 4);
        let p = plan(&f, 10).unwrap();
        assert_eq!(p.reruns.len(), 2);
        assert_eq!(p.reruns[0].package, "p/a");
        assert_eq!(
            p.reruns[0].targets,
            tests(&["TestOne", "TestTable", "TestTwo"])
        );
        assert_eq!(
            p.reruns[0].run_pattern().as_deref(),
            Some("^(TestOne|TestTable|TestTwo)$")
        );
        assert_eq!(p.reruns[1].run_pattern().as_deref(), Some("^(TestRace)$"));
        assert!(p.not_rerun.is_empty());
    }

    #[test]
    fn an_inheritor_is_rerun_with_its_introducer_before_it() {
        let mut seer = failed("p/inherit", Some("TestSeesWatcher"), FailureKind::Test);
        seer.inherited_from = vec!["TestLeaksWatcher".to_string()];
        // The introducer did not fail itself (it has no VerifyNone): it is rerun all the same.
        let p = plan(&[seer], 10).unwrap();
        assert_eq!(
            p.reruns[0].run_pattern().as_deref(),
            Some("^(TestLeaksWatcher|TestSeesWatcher)$")
        );
    }

    #[test]
    fn a_testmain_leak_reruns_its_introducers_or_the_whole_package() {
        let mut main = failed("p/m", None, FailureKind::Package);
        main.introducers = vec!["TestStartsPoller".into(), "TestStartsWorker".into()];
        let p = plan(std::slice::from_ref(&main), 10).unwrap();
        assert_eq!(
            p.reruns[0].run_pattern().as_deref(),
            Some("^(TestStartsPoller|TestStartsWorker)$")
        );
        assert_eq!(p.reruns[0].whole, None);
        main.unattributed = true;
        let p = plan(&[main], 10).unwrap();
        assert_eq!(p.reruns[0].targets, Targets::Package);
        assert_eq!(p.reruns[0].whole, Some(WholeReason::Unattributed));
        assert_eq!(p.reruns[0].run_pattern(), None);
        // A package failure that reported no leak at all names nothing either.
        let p = plan(&[failed("p/m", None, FailureKind::Package)], 10).unwrap();
        assert_eq!(p.reruns[0].whole, Some(WholeReason::Unattributed));
    }

    #[test]
    fn a_dead_binary_reruns_the_package_and_a_build_failure_is_not_rerun() {
        let f = vec![
            failed("p/t", Some("TestHangs"), FailureKind::Timeout),
            failed("p/t", None, FailureKind::Timeout),
            failed("p/x", Some("TestBoom"), FailureKind::Panic),
            failed("p/b", None, FailureKind::Build),
        ];
        let p = plan(&f, 10).unwrap();
        assert_eq!(
            p.reruns,
            vec![
                PackageRerun {
                    package: "p/t".into(),
                    targets: Targets::Package,
                    whole: Some(WholeReason::BinaryDied(FailureKind::Timeout)),
                },
                PackageRerun {
                    package: "p/x".into(),
                    targets: Targets::Package,
                    whole: Some(WholeReason::BinaryDied(FailureKind::Panic)),
                },
            ]
        );
        assert_eq!(
            p.not_rerun,
            vec![("p/b".to_string(), NotRerun::BuildFailed)]
        );
    }

    #[test]
    fn over_the_budget_nothing_is_rerun() {
        let f: Vec<Failed> = (0..4)
            .map(|i| failed("p", Some(&format!("Test{i}")), FailureKind::Test))
            .collect();
        assert!(plan(&f, 4).is_ok());
        let e = plan(&f, 3).unwrap_err();
        assert_eq!(
            e,
            OverBudget {
                failures: 4,
                max: 3
            }
        );
        assert_eq!(
            e.to_string(),
            "4 failed tests exceed --rerun-fails-max-failures 3: nothing is rerun"
        );
    }

    #[test]
    fn test_names_from_functions() {
        let p = "example.com/leaky/rerun/mainleak";
        assert_eq!(
            test_of_function(p, "example.com/leaky/rerun/mainleak.TestStartsPoller.func1"),
            Some("TestStartsPoller")
        );
        assert_eq!(
            test_of_function(p, "example.com/leaky/rerun/mainleak_test.TestX"),
            Some("TestX")
        );
        assert_eq!(
            test_of_function(p, "example.com/leaky/rerun/mainleak.poll"),
            None
        );
        assert_eq!(
            test_of_function(p, "example.com/leaky/rerun/mainleak.Testify"),
            None
        );
        assert_eq!(
            test_of_function(p, "example.com/leaky/rerun/mainleak.TestMain"),
            None
        );
        assert_eq!(
            test_of_function(p, "example.com/leaky/rerun/mainleakx.TestA"),
            None
        );
        assert_eq!(test_of_function(p, "example.com/other.TestA"), None);
        assert_eq!(
            test_of_function(p, "example.com/leaky/rerun/mainleak.Test"),
            Some("Test")
        );
    }

    #[test]
    fn quote_meta_like_go() {
        assert_eq!(quote_meta("TestA"), "TestA");
        assert_eq!(
            quote_meta("a.b+c(d)|[e]{f}^$*?\\"),
            r"a\.b\+c\(d\)\|\[e\]\{f\}\^\$\*\?\\"
        );
    }

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn rerun_commands_replace_packages_and_run() {
        let argv = os(&[
            "go", "test", "-json", "-race", "-timeout", "20s", "-run", "TestX", "./...", "-tags=a",
            "-p", "2", "./other", "-args", "-v", "x",
        ]);
        assert_eq!(
            command(&argv, "example.com/m/p", Some("^(TestA)$")).unwrap(),
            os(&[
                "go",
                "test",
                "-json",
                "-race",
                "-timeout",
                "20s",
                "-tags=a",
                "-p",
                "2",
                "-count=1",
                "-run",
                "^(TestA)$",
                "example.com/m/p",
                "-args",
                "-v",
                "x",
            ])
        );
        let argv = os(&["/usr/bin/go", "test", "-count=3", "--run=X", "./..."]);
        assert_eq!(
            command(&argv, "m/p", None).unwrap(),
            os(&["/usr/bin/go", "test", "-count=3", "m/p"])
        );
        assert_eq!(command(&os(&["make", "test"]), "m/p", None), None);
        assert_eq!(command(&os(&["go", "vet"]), "m/p", None), None);
    }

    fn attempt(n: u32, pkg: &str, tests: &[(&str, TestResult)], package_failed: bool) -> Attempt {
        Attempt {
            number: n,
            package: pkg.into(),
            tests: tests.iter().map(|(t, r)| (t.to_string(), *r)).collect(),
            package_failed,
        }
    }

    #[test]
    fn merging_attempts_finds_flaky_tests_and_keeps_final_results() {
        use TestResult::*;
        let a = vec![
            attempt(
                1,
                "p",
                &[
                    ("TestStable", Pass),
                    ("TestFlaky", Fail),
                    ("TestBroken", Fail),
                ],
                true,
            ),
            attempt(1, "q", &[("TestOK", Pass)], false),
            attempt(2, "p", &[("TestFlaky", Pass), ("TestBroken", Fail)], true),
            attempt(3, "p", &[("TestBroken", Fail)], false),
        ];
        let h = merge(&a);
        let find = |t: Option<&str>| {
            h.iter()
                .find(|x| x.test.as_deref() == t && x.package == "p")
                .unwrap()
        };
        assert_eq!(find(Some("TestStable")).results, vec![(1, Pass)]);
        assert_eq!(find(Some("TestFlaky")).results, vec![(1, Fail), (2, Pass)]);
        assert_eq!(find(Some("TestBroken")).final_result(), Fail);
        assert!(!find(Some("TestBroken")).flaky());
        assert_eq!(find(None).results, vec![(1, Fail), (2, Fail), (3, Pass)]);
        assert_eq!(
            flaky(&h),
            vec![
                Flaky {
                    package: "p".into(),
                    test: Some("TestFlaky".into()),
                    attempts: 2
                },
                Flaky {
                    package: "p".into(),
                    test: None,
                    attempts: 3
                },
            ]
        );
        // A package that never failed at package level has no package-level history.
        assert!(!h.iter().any(|x| x.package == "q" && x.test.is_none()));
    }
}
