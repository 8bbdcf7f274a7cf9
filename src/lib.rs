//! goleash: reads what `go test` prints, finds the goroutine leaks that goleak, testing/synctest, test
//! timeouts, panics and goroutineleak profiles report, groups every report of the same leak under one
//! stable id, says which test introduced it, and writes JUnit XML and a JSON report.
//!
//! The data flows one way through small modules:
//!
//! ```text
//! bytes ─ input::{json,text} ─▶ Event ─ model::Run ─▶ Package (on its end)
//!        ─ leak::collect_package (dump::extract) ─▶ Finding ─ leak::Groups ─▶ LeakGroup
//!        ─ report::{junit, json} (each only reads)
//! ```
//!
//! [`Pipeline`] drives it: it is the [`input::Consumer`] the readers feed; when a package ends it
//! extracts that package's leaks, hands the package to the live sinks (JUnit is written package by
//! package) and then drops the package's per-test records, so memory does not grow with the input.

pub mod advice;
pub mod baseline;
pub mod dump;
pub mod event;
pub mod fixdiff;
pub mod input;
pub mod leak;
pub mod model;
pub mod paths;
pub mod report;
pub mod runner;
pub mod text;

use std::ops::Range;

use dump::Source;
use event::Event;
use leak::{Finding, Groups};
use model::{FailureKind, Package, Run, TestResult};
use paths::Resolver;

/// One failure of the run, as reports list it.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The package.
    pub package: String,
    /// The test; `None` for package-level failures (build, TestMain, a timeout outside any test).
    pub test: Option<String>,
    /// Why it failed.
    pub kind: FailureKind,
    /// The one-line message.
    pub message: String,
    /// The leak ids this failure reported.
    pub leaks: Vec<String>,
}

/// Everything a sink needs about one finished package.
pub struct PackageDone<'a> {
    /// The package with its tests and kept output.
    pub package: &'a Package,
    /// The leaked goroutines its output reported, attributed.
    pub findings: &'a [Finding],
    /// The dump blocks found per test (`None` = package output), to show summaries instead of raw dumps.
    pub blocks: &'a [(Option<String>, Source, Range<usize>)],
    /// The failures of this package, as listed in [`Analysis::failures`].
    pub failures: &'a [Failure],
    /// Every leak group so far (this package's included).
    pub groups: &'a Groups,
    /// Path resolution for locations.
    pub resolver: &'a Resolver,
}

/// A sink that receives packages as they finish.
pub trait LiveSink {
    /// Called once per finished package, in finishing order.
    fn package_done(&mut self, done: &PackageDone) -> std::io::Result<()>;
}

/// The result of a whole run.
#[derive(Debug, Default)]
pub struct Analysis {
    /// The run (packages keep their counts; their per-test records are dropped as they finish).
    pub run: Run,
    /// Every leak group.
    pub groups: Groups,
    /// Every failure, in package-finishing order.
    pub failures: Vec<Failure>,
    /// Suspects from bare goroutine dump inputs, grouped like the rest.
    pub dump_inputs: usize,
}

impl Analysis {
    /// Total test cases (package-level failure cases included).
    pub fn totals(&self) -> model::Counts {
        let mut c = model::Counts::default();
        for p in &self.run.packages {
            c.tests += p.counts.tests;
            c.passed += p.counts.passed;
            c.failed += p.counts.failed;
            c.skipped += p.counts.skipped;
        }
        c
    }
}

/// Drives events through the model, leak extraction and the live sinks.
pub struct Pipeline<'s> {
    /// What has been learned so far.
    pub analysis: Analysis,
    /// Path resolution.
    pub resolver: Resolver,
    sinks: Vec<&'s mut dyn LiveSink>,
    /// The input being read (for warnings).
    pub input_name: String,
    /// The first I/O error a sink returned.
    pub sink_error: Option<std::io::Error>,
    /// Keep per-test records after a package ends (tests and tools that inspect the model).
    pub keep_tests: bool,
}

impl<'s> Pipeline<'s> {
    /// A pipeline with these live sinks.
    pub fn new(resolver: Resolver, sinks: Vec<&'s mut dyn LiveSink>) -> Pipeline<'s> {
        Pipeline {
            analysis: Analysis::default(),
            resolver,
            sinks,
            input_name: "-".to_string(),
            sink_error: None,
            keep_tests: false,
        }
    }

    /// Ends the run: closes packages that never ended and returns the analysis.
    pub fn finish(mut self) -> (Analysis, Option<std::io::Error>) {
        let ended = self.analysis.run.finish();
        for pi in ended {
            self.package_done(pi);
        }
        (self.analysis, self.sink_error)
    }

    fn package_done(&mut self, pi: usize) {
        let pkg = &self.analysis.run.packages[pi];
        let (mut findings, blocks) = leak::collect_package(pkg);
        self.analysis.groups.add(&mut findings);
        classify_new_groups(&mut self.analysis.groups, &self.resolver);
        let failures = failures_of(pkg, &findings);
        for sink in self.sinks.iter_mut() {
            let done = PackageDone {
                package: pkg,
                findings: &findings,
                blocks: &blocks,
                failures: &failures,
                groups: &self.analysis.groups,
                resolver: &self.resolver,
            };
            if let Err(e) = sink.package_done(&done) {
                if self.sink_error.is_none() {
                    self.sink_error = Some(e);
                }
            }
        }
        self.analysis.failures.extend(failures);
        if !self.keep_tests {
            self.analysis.run.packages[pi].compact();
        }
    }
}

/// Gives every group that has no cause yet its cause and advice.
fn classify_new_groups(groups: &mut Groups, resolver: &Resolver) {
    for g in groups.groups.iter_mut().filter(|g| g.cause.is_none()) {
        let a = advice::advise(&g.representative, resolver);
        g.cause = Some(a.cause.to_string());
        g.advice = Some(a.text);
    }
}

/// The failures of a finished package, with their leak ids and messages.
pub fn failures_of(pkg: &Package, findings: &[Finding]) -> Vec<Failure> {
    let mut out = Vec::new();
    let ids_of = |test: Option<&str>| {
        let mut ids: Vec<String> = Vec::new();
        for f in findings
            .iter()
            .filter(|f| f.occurrence.test.as_deref() == test)
        {
            if !ids.contains(&f.id) {
                ids.push(f.id.clone());
            }
        }
        ids
    };
    if let Some(build) = &pkg.failed_build {
        let first = pkg
            .build_output
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("# "))
            .map(model::clean_line);
        out.push(Failure {
            package: pkg.name.clone(),
            test: None,
            kind: FailureKind::Build,
            message: first.unwrap_or_else(|| format!("build failed: {build}")),
            leaks: Vec::new(),
        });
    }
    for t in pkg.tests.iter().filter(|t| t.result == TestResult::Fail) {
        let mut message = t.error_line.clone().unwrap_or_else(|| {
            let prefix = format!("{}/", t.name);
            let failed: Vec<&str> = pkg
                .tests
                .iter()
                .filter(|s| s.failed() && s.name.starts_with(&prefix))
                .map(|s| s.name.as_str())
                .collect();
            if failed.is_empty() {
                "test failed".to_string()
            } else {
                format!("subtests failed: {}", failed.join(", "))
            }
        });
        if let Some(note) = leak::inherited_note(findings, &t.name) {
            message = note;
        }
        out.push(Failure {
            package: pkg.name.clone(),
            test: Some(t.name.clone()),
            kind: t.kind.unwrap_or(FailureKind::Test),
            message,
            leaks: ids_of(Some(&t.name)),
        });
    }
    if let Some(msg) = &pkg.package_failure {
        out.push(Failure {
            package: pkg.name.clone(),
            test: None,
            kind: if pkg.timeout.is_some() {
                FailureKind::Timeout
            } else if pkg.result == model::PackageResult::Incomplete {
                FailureKind::Incomplete
            } else {
                FailureKind::Package
            },
            message: msg.clone(),
            leaks: ids_of(None),
        });
    }
    out
}

impl input::Consumer for Pipeline<'_> {
    fn event(&mut self, ev: &Event) {
        if let Some(pi) = self.analysis.run.apply(ev) {
            self.package_done(pi);
        }
    }

    fn build_output(&mut self, import_path: &str, line: &str) {
        self.analysis.run.add_build_output(import_path, line);
    }

    fn stray(&mut self, line: &str) {
        self.analysis.run.add_stray(line);
    }

    fn warn(&mut self, line: usize, message: String) {
        let input = self.input_name.clone();
        self.analysis.run.warn(&input, line, message);
    }

    fn dump(&mut self, text: String) {
        self.analysis.dump_inputs += 1;
        let suspects = dump::extract_bare_dump(&text);
        let package = String::new();
        let mut findings: Vec<Finding> = suspects
            .into_iter()
            .map(|s| {
                let sig = leak::signature(&s.goroutine);
                Finding {
                    occurrence: leak::Occurrence {
                        package: package.clone(),
                        test: None,
                        goroutine: s.goroutine.id,
                        inherited: false,
                        source: s.source,
                    },
                    id: leak::id_of(&sig),
                    goroutine: s.goroutine,
                }
            })
            .collect();
        self.analysis.groups.add(&mut findings);
        classify_new_groups(&mut self.analysis.groups, &self.resolver);
    }
}
