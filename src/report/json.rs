//! The machine-readable report (`--json`), version 1 of the contract.

use std::io::{self, Write};

use serde::Serialize;

use crate::leak::{self, LeakGroup};
use crate::model::PackageResult;
use crate::paths::Resolver;
use crate::Analysis;

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Always 1.
    pub version: u32,
    /// Totals.
    pub summary: Summary,
    /// One entry per package.
    pub packages: Vec<PackageEntry>,
    /// Every failure.
    pub failures: Vec<FailureEntry>,
    /// Every leak group.
    pub leaks: Vec<LeakEntry>,
    /// Problems with the input (capped; `warnings_dropped` counts the rest).
    pub warnings: Vec<crate::model::Warning>,
    /// Warnings not listed.
    pub warnings_dropped: usize,
    /// What the baseline (`--baseline`) matched.
    pub baseline: BaselineStatus,
}

/// What the baseline matched.
#[derive(Debug, Default, Serialize)]
pub struct BaselineStatus {
    /// Leak ids found that the baseline lists: reported, but they do not fail the run.
    pub known: Vec<String>,
    /// Baseline ids that no longer occur.
    pub stale: Vec<String>,
}

/// Totals.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Packages.
    pub packages: usize,
    /// Test cases.
    pub tests: usize,
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
    /// Leak groups.
    pub leaks: usize,
    /// Distinct leaked goroutines.
    pub leaked_goroutines: usize,
}

/// One package.
#[derive(Debug, Serialize)]
pub struct PackageEntry {
    /// Import path.
    pub name: String,
    /// `pass | fail | skip | build-fail | timeout | panic | incomplete`.
    pub result: PackageResult,
    /// Seconds.
    pub elapsed: Option<f64>,
    /// Test cases.
    pub tests: usize,
    /// Failed.
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
}

/// One failure.
#[derive(Debug, Serialize)]
pub struct FailureEntry {
    /// Package.
    pub package: String,
    /// Test, `null` for package-level failures.
    pub test: Option<String>,
    /// `test | build | timeout | panic | package | race | incomplete`.
    pub kind: &'static str,
    /// The one-line message.
    pub message: String,
    /// Leak ids it reported.
    pub leaks: Vec<String>,
    /// Where it failed, relative to `--root`: the `file.go:NN:` the message starts with, resolved to the
    /// package's folder, else the test function's declaration (`TestMain` for package-level failures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The line in `file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The column, when the message names one (build errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

/// A file and line.
#[derive(Debug, Serialize, Clone, PartialEq, Eq)]
pub struct Location {
    /// Relative to `--root` when resolvable.
    pub file: String,
    /// Line.
    pub line: u32,
}

/// The `created_by` of a leak.
#[derive(Debug, Serialize, Clone, PartialEq, Eq)]
pub struct CreatedBy {
    /// The function with the `go` statement.
    pub function: String,
    /// Its file.
    pub file: String,
    /// The line of the `go` statement.
    pub line: u32,
}

/// One occurrence.
#[derive(Debug, Serialize)]
pub struct OccurrenceEntry {
    /// Package (empty for bare dump inputs).
    pub package: String,
    /// Test (`null` for package-level reports).
    pub test: Option<String>,
    /// Goroutine id.
    pub goroutine: u64,
    /// An earlier test of the same package already reported it.
    pub inherited: bool,
    /// Which mechanism reported it.
    pub source: &'static str,
}

/// Where a leak was first seen.
#[derive(Debug, Serialize)]
pub struct FirstSeen {
    /// Package.
    pub package: String,
    /// Test.
    pub test: Option<String>,
}

/// A stack frame.
#[derive(Debug, Serialize)]
pub struct FrameEntry {
    /// Function.
    pub function: String,
    /// File (resolved).
    pub file: String,
    /// Line.
    pub line: u32,
}

/// One leak group.
#[derive(Debug, Serialize)]
pub struct LeakEntry {
    /// Stable id.
    pub id: String,
    /// Sources.
    pub sources: Vec<&'static str>,
    /// Normalized wait state.
    pub state: String,
    /// Innermost frame that is not runtime machinery.
    pub function: String,
    /// Innermost frame in the user's own code.
    pub location: Option<Location>,
    /// Where the goroutine was started.
    pub created_by: Option<CreatedBy>,
    /// Distinct goroutines.
    pub goroutines: usize,
    /// Every report.
    pub occurrences: Vec<OccurrenceEntry>,
    /// The first test that introduced it.
    pub first_seen: Option<FirstSeen>,
    /// The cause.
    pub cause: String,
    /// What to change.
    pub advice: String,
    /// The representative stack.
    pub stack: Vec<FrameEntry>,
    /// Listed in the baseline: reported, but does not fail the run.
    pub known: bool,
}

/// Builds a leak entry from a group.
pub fn leak_entry(g: &LeakGroup, resolver: &Resolver) -> LeakEntry {
    let rep = &g.representative;
    let function = rep
        .frames
        .iter()
        .find(|f| !leak::is_machinery(&f.function))
        .or(rep.frames.first())
        .map(|f| f.function.clone())
        .unwrap_or_default();
    LeakEntry {
        id: g.id.clone(),
        sources: g.sources.iter().map(|s| s.as_str()).collect(),
        state: rep.state.clone(),
        function,
        location: leak::location(rep, resolver).map(|f| Location {
            file: resolver.display_path(f),
            line: f.line,
        }),
        created_by: rep.created_by.as_ref().map(|c| CreatedBy {
            function: c.function.clone(),
            file: resolver.display_path(c),
            line: c.line,
        }),
        goroutines: g.goroutines,
        occurrences: g
            .occurrences
            .iter()
            .map(|o| OccurrenceEntry {
                package: o.package.clone(),
                test: o.test.clone(),
                goroutine: o.goroutine,
                inherited: o.inherited,
                source: o.source.as_str(),
            })
            .collect(),
        first_seen: g.first_seen.as_ref().map(|(p, t)| FirstSeen {
            package: p.clone(),
            test: t.clone(),
        }),
        cause: g.cause.clone().unwrap_or_else(|| "unknown".to_string()),
        advice: g.advice.clone().unwrap_or_default(),
        stack: rep
            .frames
            .iter()
            .map(|f| FrameEntry {
                function: f.function.clone(),
                file: resolver.display_path(f),
                line: f.line,
            })
            .collect(),
        known: false,
    }
}

/// Builds the report.
pub fn build(a: &Analysis, resolver: &Resolver) -> Report {
    let totals = a.totals();
    Report {
        version: 1,
        summary: Summary {
            packages: a.run.packages.len(),
            tests: totals.tests,
            passed: totals.passed,
            failed: totals.failed,
            skipped: totals.skipped,
            leaks: a.groups.groups.len(),
            leaked_goroutines: a.groups.leaked_goroutines(),
        },
        packages: a
            .run
            .packages
            .iter()
            .map(|p| PackageEntry {
                name: p.name.clone(),
                result: p.result,
                elapsed: p.elapsed,
                tests: p.counts.tests,
                failed: p.counts.failed,
                skipped: p.counts.skipped,
            })
            .collect(),
        failures: a
            .failures
            .iter()
            .map(|f| {
                let at = crate::report::github::failure_location(
                    resolver,
                    &f.package,
                    f.test.as_deref(),
                    &f.message,
                );
                FailureEntry {
                    package: f.package.clone(),
                    test: f.test.clone(),
                    kind: f.kind.as_str(),
                    message: f.message.clone(),
                    leaks: f.leaks.clone(),
                    file: at.as_ref().map(|(l, _)| l.file.clone()),
                    line: at.as_ref().map(|(l, _)| l.line),
                    column: at.and_then(|(_, c)| c),
                }
            })
            .collect(),
        leaks: a
            .groups
            .groups
            .iter()
            .map(|g| leak_entry(g, resolver))
            .collect(),
        warnings: a.run.warnings.clone(),
        warnings_dropped: a.run.warnings_dropped,
        baseline: BaselineStatus::default(),
    }
}

/// Writes the report as pretty JSON.
pub fn write(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    // `From` keeps an I/O error's kind (a closed stdout stays a broken pipe).
    serde_json::to_writer_pretty(&mut *w, report).map_err(io::Error::from)?;
    w.write_all(b"\n")
}
