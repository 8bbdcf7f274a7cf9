//! The report model: what every sink renders, built once from the analysis ([`build`]).
//!
//! Its `Serialize` is the JSON report's contract (version 1, `--json`): `report::json` only writes it.
//! Vocabularies stay typed here ([`FailureKind`], [`Source`]) and serialise to the contract's strings,
//! so a sink matches on an enum, never on a string. A failure's file and line are found while the view
//! is built (through [`crate::source::failure_location`]); no sink looks for them. The baseline
//! ([`crate::baseline`]) applies to the view.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::advice::{Cause, Fix};
use crate::analysis::Analysis;
use crate::analysis::LeakGroup;
use crate::dump::{wrappers, Source};
use crate::leak;
use crate::model::{FailureKind, PackageResult};
use crate::paths::Resolver;
use crate::source;

/// The whole report.
#[derive(Debug, Serialize)]
pub struct View {
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
    /// Tests (and package-level failures, `test` null) that failed and then passed on a rerun
    /// (`--rerun-fails`); absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flaky: Vec<crate::rerun::Flaky>,
    /// Leak detectors that crashed while checking (goleak's stack parser): once per crash, with the leaks of
    /// the dump it printed; absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub detector_failures: Vec<crate::analysis::DetectorFailure>,
    /// Problems with the input (capped; `warnings_dropped` counts the rest).
    pub warnings: Vec<crate::model::Warning>,
    /// Warnings not listed.
    pub warnings_dropped: usize,
    /// What the baseline (`--baseline`) matched.
    pub baseline: BaselineStatus,
    /// The fixes the advice engine is sure of, for `--fix-diff` (not part of the JSON report; empty
    /// unless asked for with [`View::with_fixes`]).
    #[serde(skip)]
    pub fixes: Vec<Fix>,
    /// The source files the leaks' blocking lines and `go` statements are in, for the terminal's
    /// snippets (not part of the JSON report; empty unless asked for with [`View::with_sources`]).
    #[serde(skip)]
    pub sources: SourceTexts,
}

/// Source file texts by the `(function, file)` of the frame that points at them, as the view shows
/// the frame (a sink shows them; only [`View::with_sources`] reads them, through [`crate::source`]).
pub type SourceTexts = BTreeMap<(String, String), String>;

/// What the baseline matched.
#[derive(Debug, Default, Serialize)]
pub struct BaselineStatus {
    /// Leak ids found that the baseline lists (still there): reported, but they do not fail the run.
    pub known: Vec<String>,
    /// Baseline ids that no longer occur.
    pub stale: Vec<String>,
    /// With `--baseline`: leak ids found that the baseline does not list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub new: Vec<String>,
    /// With a JSON report as baseline: its leaks that are gone from packages that ran here.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<FixedLeak>,
    /// With a JSON report as baseline: its leaks that are gone, but whose packages did not run here
    /// (a sharded or filtered run): not called fixed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_run: Vec<FixedLeak>,
    /// With a JSON report as baseline: failures it did not have.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub new_failures: Vec<TestRef>,
    /// With a JSON report as baseline: failures it had too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub still_failing: Vec<TestRef>,
    /// With a JSON report as baseline: its failures that did not fail here, in packages that ran.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixed_failures: Vec<TestRef>,
    /// The baseline was a JSON report (new, still and fixed are listed), not an id list.
    #[serde(skip)]
    pub from_report: bool,
}

/// A leak of the baseline that is gone.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FixedLeak {
    /// Its id.
    pub id: String,
    /// Its function, as the baseline report named it.
    pub function: String,
}

/// A test (or, `test` null, a package-level failure).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TestRef {
    /// Package.
    pub package: String,
    /// Test, `null` for a package-level failure.
    pub test: Option<String>,
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
    pub kind: FailureKind,
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
    /// Listed in a JSON report given as `--baseline`: does not fail the run under `--fail-on new`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub known: bool,
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
    /// How many goroutines this report stands for (a goroutineleak `debug=1` record's count); written only
    /// when it is not 1.
    #[serde(skip_serializing_if = "is_one")]
    pub count: u64,
    /// An earlier test of the same package already reported it.
    pub inherited: bool,
    /// Which mechanism reported it.
    pub source: Source,
}

/// True for 1 (the count of an ordinary occurrence, left out of the JSON).
fn is_one(n: &u64) -> bool {
    *n == 1
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
    pub sources: Vec<Source>,
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
    pub cause: Cause,
    /// What to change.
    pub advice: String,
    /// The representative stack.
    pub stack: Vec<FrameEntry>,
    /// Listed in the baseline: reported, but does not fail the run.
    pub known: bool,
    /// Ids of reports of this goroutine caught before it ran, tied to this leak ([`crate::leak`]'s "A
    /// goroutine caught before it ran"); a baseline listing one of them knows this leak. Absent when
    /// empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
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
        sources: g.sources.clone(),
        state: rep.state.clone(),
        function,
        location: leak::location(rep, resolver).map(|f| Location {
            file: resolver.display_path(f),
            line: f.line,
        }),
        // A goroutine started through `wg.Go`, errgroup or `AfterFunc` is shown created at the user's call
        // of the wrapper (its line read from the source when it is under --root, else 0).
        created_by: wrappers::effective_creator(rep, |entry, w| {
            let (_, bytes) = source::frame_bytes(resolver, entry)?;
            wrappers::call_site_line(&String::from_utf8_lossy(&bytes), entry.line, w)
        })
        .map(|c| CreatedBy {
            file: resolver.display_path(&c),
            function: c.function,
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
                count: o.count,
                inherited: o.inherited,
                source: o.source,
            })
            .collect(),
        first_seen: g.first_seen.as_ref().map(|(p, t)| FirstSeen {
            package: p.clone(),
            test: t.clone(),
        }),
        cause: g.advice.as_ref().map_or(Cause::Unknown, |a| a.cause),
        advice: g
            .advice
            .as_ref()
            .map(|a| a.text.clone())
            .unwrap_or_default(),
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
        aliases: g.aliases.clone(),
    }
}

/// Builds the view of an analysis: totals, packages, failures (with their file and line), leak groups
/// and warnings.
pub fn build(a: &Analysis, resolver: &Resolver) -> View {
    let totals = a.totals();
    View {
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
                let at = crate::source::failure_location(
                    resolver,
                    &f.package,
                    f.test.as_deref(),
                    &f.message,
                );
                FailureEntry {
                    package: f.package.clone(),
                    test: f.test.clone(),
                    kind: f.kind,
                    message: f.message.clone(),
                    leaks: f.leaks.clone(),
                    line: at.as_ref().map(|(_, l, _)| *l),
                    column: at.as_ref().and_then(|(_, _, c)| *c),
                    file: at.map(|(f, _, _)| f),
                    known: false,
                }
            })
            .collect(),
        leaks: a
            .groups
            .groups
            .iter()
            .map(|g| leak_entry(g, resolver))
            .collect(),
        flaky: Vec::new(),
        detector_failures: a
            .detector_failures
            .iter()
            .map(|d| {
                // A leak id may have become an alias since (a not-started report tied later).
                let mut d = d.clone();
                for id in &mut d.leaks {
                    if a.groups.get(id).is_none() {
                        if let Some(g) = a.groups.groups.iter().find(|g| g.aliases.contains(id)) {
                            *id = g.id.clone();
                        }
                    }
                }
                d.leaks.dedup();
                d
            })
            .collect(),
        warnings: a.run.warnings.clone(),
        warnings_dropped: a.run.warnings_dropped,
        baseline: BaselineStatus::default(),
        fixes: Vec::new(),
        sources: SourceTexts::new(),
    }
}

impl LeakEntry {
    /// What the goroutines are doing, for a sentence ("3 goroutines {this} at F"): `blocked in chan
    /// send`, `still running`; a goroutineleak profile's `debug=1` record prints no wait state, and says
    /// so.
    pub fn doing(&self) -> String {
        match self.state.as_str() {
            "" => "leaked (a debug=1 profile record: its stack, no wait state)".to_string(),
            "running" | "runnable" => "still running".to_string(),
            s => format!("blocked in {s}"),
        }
    }
}

impl View {
    /// The view with the text of every source file a leak's blocking line (its location's frame in
    /// the stack) or `go` statement is in, read through [`crate::source`] (for the terminal).
    pub fn with_sources(mut self, resolver: &Resolver) -> View {
        let mut wanted: Vec<(String, String, u32)> = Vec::new();
        for l in &self.leaks {
            if let Some(loc) = &l.location {
                if let Some(f) = l
                    .stack
                    .iter()
                    .find(|f| f.file == loc.file && f.line == loc.line)
                {
                    wanted.push((f.function.clone(), f.file.clone(), f.line));
                }
            }
            if let Some(c) = &l.created_by {
                wanted.push((c.function.clone(), c.file.clone(), c.line));
            }
        }
        for (function, file, line) in wanted {
            let key = (function, file);
            if self.sources.contains_key(&key) {
                continue;
            }
            let frame = crate::dump::Frame {
                function: key.0.clone(),
                file: key.1.clone(),
                line,
                ..crate::dump::Frame::default()
            };
            if let Some((_, bytes)) = crate::source::frame_bytes(resolver, &frame) {
                self.sources
                    .insert(key, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        self
    }

    /// The view with the fixes the advice engine is sure of, as stored on the leak groups when they were
    /// classified (for `--fix-diff`), sorted, without repeats.
    pub fn with_fixes(mut self, a: &Analysis) -> View {
        let mut fixes: Vec<Fix> = a
            .groups
            .groups
            .iter()
            .filter_map(|g| g.advice.as_ref()?.fix.clone())
            .collect();
        fixes.sort();
        fixes.dedup();
        self.fixes = fixes;
        self
    }

    /// Leak groups not listed in the baseline.
    pub fn new_leaks(&self) -> usize {
        self.leaks.iter().filter(|l| !l.known).count()
    }

    /// Leak groups listed in the baseline.
    pub fn known_leaks(&self) -> usize {
        self.leaks.iter().filter(|l| l.known).count()
    }
}

/// What makes a run fail (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// Failing tests or leaks not in the baseline.
    #[default]
    Any,
    /// Only leaks that are not in the baseline.
    Leak,
    /// Never (unless goleash itself fails).
    Never,
    /// Like [`FailOn::Any`], and flaky tests (failed, then passed on a rerun) fail the run too.
    Flaky,
    /// Only leaks and failing tests that the baseline (a previous JSON report, or an id list for leaks)
    /// does not have.
    New,
}

impl FailOn {
    /// Whether the view fails the run under this policy.
    pub fn fails(self, view: &View) -> bool {
        let leaks = view.new_leaks() > 0;
        match self {
            FailOn::Any => view.summary.failed > 0 || leaks,
            FailOn::Flaky => view.summary.failed > 0 || leaks || !view.flaky.is_empty(),
            FailOn::Leak => leaks,
            FailOn::New => leaks || view.failures.iter().any(|f| !f.known),
            FailOn::Never => false,
        }
    }

    /// Whether failing tests fail the run.
    pub fn failures_fail(self) -> bool {
        matches!(self, FailOn::Any | FailOn::Flaky | FailOn::New)
    }

    /// Whether leaks not in the baseline fail the run.
    pub fn leaks_fail(self) -> bool {
        self != FailOn::Never
    }
}
