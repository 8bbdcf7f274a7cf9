//! The pipeline: drives events through the model, leak extraction and advice, and hands each finished
//! package to the sinks ([`Sink::package_done`]); at the end of the run the sinks render the view
//! ([`Sink::run_done`]).
//!
//! [`Pipeline`] is the [`input::Consumer`] the readers feed; when a package ends it extracts that
//! package's leaks, hands the package to the sinks (JUnit is written package by package) and then drops
//! the package's per-test records, so memory does not grow with the input.

use std::ops::Range;

use crate::analysis::{failures_of, Analysis, Failure, Groups};
use crate::dump::{self, Source};
use crate::error::Error;
use crate::event::Event;
use crate::input;
use crate::leak::{self, Finding};
use crate::model::Package;
use crate::paths::Resolver;
use crate::rerun::EarlierFailure;
use crate::view::View;

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
    /// The failed attempts before the last one of this package's tests (`--rerun-fails`; else empty).
    pub earlier: &'a [EarlierFailure],
    /// Where its failures happened and its tests are declared, found through [`crate::source`].
    pub places: &'a Places,
}

/// Where a finished package's failures happened and its test functions are declared, relative to
/// `--root`: found by the pipeline (the one reader of the source tree here), so that a sink writing
/// package by package (JUnit's `file`/`line`) never looks for files.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Places {
    /// For each of the package's failures, in [`PackageDone::failures`] order: file, line, column
    /// ([`crate::source::failure_location`]).
    pub failures: Vec<Option<(String, u32, Option<u32>)>>,
    /// The declaration of each top-level test function by name, when the pipeline was asked for them
    /// ([`Pipeline::declarations`]; [`crate::source::test_declarations`]).
    pub declarations: std::collections::BTreeMap<String, (String, u32)>,
}

impl Places {
    /// Where a test (or, for `None`, the package-level failure) is: its failure's place when it failed
    /// there, else its top-level function's declaration.
    pub fn of(&self, failures: &[Failure], test: Option<&str>) -> Option<(&str, u32)> {
        let failed = failures
            .iter()
            .zip(&self.failures)
            .find(|(f, _)| f.test.as_deref() == test)
            .and_then(|(_, at)| at.as_ref())
            .map(|(file, line, _)| (file.as_str(), *line));
        failed.or_else(|| {
            let func = test.map_or("TestMain", |t| t.split('/').next().unwrap_or(t));
            self.declarations
                .get(func)
                .map(|(file, line)| (file.as_str(), *line))
        })
    }
}

/// A report sink: told about each package as it finishes, then about the whole run once.
///
/// Sinks only render: they read what they are given and never change the analysis or open a file under
/// `--root`. Both methods default to doing nothing.
pub trait Sink {
    /// Called once per finished package, in finishing order.
    fn package_done(&mut self, _done: &PackageDone) -> Result<(), Error> {
        Ok(())
    }

    /// Called once at the end of the run, in the order the sinks were listed; the first error stops the
    /// run (exit status 2).
    fn run_done(&mut self, _view: &View) -> Result<(), Error> {
        Ok(())
    }
}

/// Drives events through the model, leak extraction and advice, and finished packages to the sinks.
pub struct Pipeline<'s> {
    /// What has been learned so far.
    pub analysis: Analysis,
    /// Path resolution.
    pub resolver: Resolver,
    sinks: Vec<&'s mut dyn Sink>,
    /// The input being read (for warnings).
    pub input_name: String,
    /// The first error a sink returned.
    pub sink_error: Option<Error>,
    /// Keep per-test records after a package ends (tests and tools that inspect the model).
    pub keep_tests: bool,
    /// Find where every test function of a finished package is declared ([`Places::declarations`]), for
    /// a sink that places every case (JUnit's `gitlab` flavor).
    pub declarations: bool,
}

impl<'s> Pipeline<'s> {
    /// A pipeline feeding finished packages to these sinks.
    pub fn new(resolver: Resolver, sinks: Vec<&'s mut dyn Sink>) -> Pipeline<'s> {
        Pipeline {
            analysis: Analysis::default(),
            resolver,
            sinks,
            input_name: "-".to_string(),
            sink_error: None,
            keep_tests: false,
            declarations: false,
        }
    }

    /// Ends the run: closes packages that never ended and returns the analysis.
    pub fn finish(mut self) -> (Analysis, Option<Error>) {
        let ended = self.analysis.run.finish();
        for pi in ended {
            self.package_done(pi);
        }
        (self.analysis, self.sink_error)
    }

    /// Takes a package that was read and finished elsewhere (the merged attempts of `--rerun-fails`) as
    /// if it had just ended, with the failed attempts its tests had before their last: its leaks are
    /// extracted and the sinks receive it.
    pub fn add_finished(&mut self, pkg: Package, earlier: &[EarlierFailure]) {
        let pi = self.analysis.run.add_finished(pkg);
        self.package_done_with(pi, earlier);
    }

    fn package_done(&mut self, pi: usize) {
        self.package_done_with(pi, &[]);
    }

    fn package_done_with(&mut self, pi: usize, earlier: &[EarlierFailure]) {
        let pkg = &self.analysis.run.packages[pi];
        let (mut findings, blocks, crashes) = leak::collect_package(pkg);
        self.analysis.groups.add(&mut findings);
        for c in crashes {
            let mut leaks: Vec<String> = Vec::new();
            for f in findings.iter().filter(|f| {
                f.occurrence.source == Source::DetectorFailed && f.occurrence.test == c.test
            }) {
                if !leaks.contains(&f.id) {
                    leaks.push(f.id.clone());
                }
            }
            self.analysis
                .detector_failures
                .push(crate::analysis::DetectorFailure {
                    package: pkg.name.clone(),
                    test: c.test,
                    detector: c.detector,
                    message: c.message,
                    leaks,
                });
        }
        classify_new_groups(&mut self.analysis.groups, &self.resolver);
        let failures = failures_of(pkg, &findings);
        let places = if self.sinks.is_empty() {
            Places::default()
        } else {
            Places {
                failures: failures
                    .iter()
                    .map(|f| {
                        crate::source::failure_location(
                            &self.resolver,
                            &f.package,
                            f.test.as_deref(),
                            &f.message,
                        )
                    })
                    .collect(),
                declarations: match self.declarations {
                    true => crate::source::test_declarations(&self.resolver, &pkg.name),
                    false => Default::default(),
                },
            }
        };
        for sink in self.sinks.iter_mut() {
            let done = PackageDone {
                package: pkg,
                findings: &findings,
                blocks: &blocks,
                failures: &failures,
                groups: &self.analysis.groups,
                resolver: &self.resolver,
                earlier,
                places: &places,
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
///
/// This is the one place the advice engine runs: the whole [`crate::advice::Advice`] (cause, text, sure
/// fix with its file's text, goleak ignore option) is stored on the group, and every sink (`--fix-diff`
/// included) renders what is stored.
fn classify_new_groups(groups: &mut Groups, resolver: &Resolver) {
    for g in groups.groups.iter_mut().filter(|g| g.advice.is_none()) {
        g.advice = Some(crate::advice::advise(&g.representative, resolver));
    }
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
        let mut findings: Vec<Finding> = suspects
            .into_iter()
            .map(|s| Finding::new("", None, s.source, false, s.goroutine))
            .collect();
        self.analysis.groups.add(&mut findings);
        classify_new_groups(&mut self.analysis.groups, &self.resolver);
    }
}
