//! The result of a run: the model's packages, the leak groups and the failures, as the pipeline leaves
//! them ([`Analysis`]); [`failures_of`] lists one finished package's failures with their leak ids.

use crate::advice::Advice;
use crate::leak::{self, Finding};
use crate::model::{self, FailureKind, Package, Run, TestResult};

/// Every leak group of the run, each with its [`Advice`] once classified.
pub type Groups = leak::Groups<Advice>;

/// One leak group with its [`Advice`] once classified.
pub type LeakGroup = leak::LeakGroup<Advice>;

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

/// A leak detector that crashed while checking a test ("detector failed"): the test's leaks are those of
/// the dump its crash printed (`leaks`, reported with source `detector-failed`). Once per crash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DetectorFailure {
    /// The package.
    pub package: String,
    /// The test whose check crashed; `None` for the package's own output.
    pub test: Option<String>,
    /// `goleak`.
    pub detector: crate::dump::detectors::Detector,
    /// The crash's message (its first line, without `panic: `).
    pub message: String,
    /// The ids of the leak groups of the dump it printed.
    pub leaks: Vec<String>,
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
    /// Leak detectors that crashed, in package-finishing order.
    pub detector_failures: Vec<DetectorFailure>,
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
            kind: pkg.package_failure_kind(),
            message: msg.clone(),
            leaks: ids_of(None),
        });
    }
    out
}
