//! `--rerun-fails` in wrapper mode: after the first run, reruns what [`rerun::plan`] chooses (one `go test`
//! per package), reads each rerun through a pipeline of its own, and merges the attempts package by
//! package ([`Package::absorb_rerun`]) into the packages the reports are made from.
//!
//! The first rerun is skipped altogether when the first run has more failed tests than
//! `--rerun-fails-max-failures`; later reruns rerun what still failed, until nothing fails or the number
//! of reruns is reached. The command's exit status follows the final attempts: it counts as a success
//! when every package that failed in the first run was rerun and its last rerun succeeded.

use std::ffi::OsString;
use std::process::ExitStatus;

use crate::analysis::Analysis;
use crate::error::Error;
use crate::input;
use crate::model::{Package, Warning};
use crate::paths::Resolver;
use crate::pipeline::Pipeline;
use crate::rerun::{self, Attempt, EarlierFailure, Flaky, History, NotRerun, OverBudget};
use crate::runner::{self, Running};

/// How many reruns, and the failure budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Reruns at most (`--rerun-fails=N`; gotestsum's default is 2).
    pub reruns: u32,
    /// No rerun at all when the first run has more failed tests (`--rerun-fails-max-failures`).
    pub max_failures: usize,
}

/// One rerun command that ran.
#[derive(Debug, Clone)]
pub struct Ran {
    /// The attempt it made (2 for the first rerun).
    pub attempt: u32,
    /// The package it reran.
    pub package: String,
    /// The command as started, for messages.
    pub command: String,
    /// Its exit status.
    pub status: ExitStatus,
}

/// What the reruns gave.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every package, merged over its attempts, in the first run's order (packages a rerun showed first
    /// come last).
    pub packages: Vec<Package>,
    /// The failed attempts before each test's last one, per package, for JUnit.
    pub earlier: Vec<(String, EarlierFailure)>,
    /// Every test's results over the attempts.
    pub histories: Vec<History>,
    /// The tests (and package-level failures) that failed and then passed.
    pub flaky: Vec<Flaky>,
    /// The rerun commands, in the order they ran.
    pub ran: Vec<Ran>,
    /// The first run had too many failures: nothing was rerun.
    pub over_budget: Option<OverBudget>,
    /// Packages whose failures were not rerun.
    pub not_rerun: Vec<(String, NotRerun)>,
    /// The command counts as a success after the reruns (see the module docs).
    pub succeeded: bool,
    /// The problems every attempt's input had.
    pub warnings: Vec<Warning>,
    /// Warnings not stored (over the model's cap), over all attempts.
    pub warnings_dropped: usize,
}

/// Runs the reruns of a finished first run of `argv` (read with [`Pipeline::keep_tests`]), whose exit
/// status was `first_status`; `note` receives one line per rerun command before it starts.
pub fn run(
    argv: &[OsString],
    first: Analysis,
    first_status: &ExitStatus,
    settings: Settings,
    resolver: &Resolver,
    note: &mut dyn FnMut(String),
) -> Result<Outcome, Error> {
    let mut out = Outcome {
        succeeded: first_status.success(),
        warnings: first.run.warnings,
        warnings_dropped: first.run.warnings_dropped,
        ..Outcome::default()
    };
    let mut attempts: Vec<Attempt> = first
        .run
        .packages
        .iter()
        .map(|p| Attempt::of(p, 1))
        .collect();
    let mut failed = rerun::failures_to_rerun(&first.failures, &first.groups);
    let first_failed: Vec<String> = packages_of(&failed);
    out.packages = first.run.packages;
    // Which attempt each package's current records come from.
    let mut from: Vec<(String, u32)> = Vec::new();
    // Each package's last rerun status.
    let mut last: Vec<(String, bool)> = Vec::new();
    for attempt in 2..=settings.reruns.saturating_add(1) {
        if failed.is_empty() {
            break;
        }
        let budget = if attempt == 2 {
            settings.max_failures
        } else {
            usize::MAX
        };
        let plan = match rerun::plan(&failed, budget) {
            Ok(p) => p,
            Err(e) => {
                out.over_budget = Some(e);
                break;
            }
        };
        for nr in plan.not_rerun {
            if !out.not_rerun.contains(&nr) {
                out.not_rerun.push(nr);
            }
        }
        let mut still: Vec<rerun::Failed> = Vec::new();
        for r in &plan.reruns {
            let Some(cmd) = rerun::command(argv, &r.package, r.run_pattern().as_deref()) else {
                note("goleash: not a `go test` command: failed tests are not rerun".to_string());
                return Ok(finish(out, attempts, &first_failed, &last));
            };
            let command = runner::display(&runner::with_json(&cmd));
            note(format!("goleash: attempt {attempt}: {command}"));
            let mut running = Running::start(&cmd)?;
            let mut pipeline = Pipeline::new(resolver.clone(), Vec::new());
            pipeline.keep_tests = true;
            pipeline.input_name = command.clone();
            input::read(running.reader(), &mut pipeline)?;
            let status = running.wait()?;
            let (mut analysis, _) = pipeline.finish();
            out.warnings.append(&mut analysis.run.warnings);
            out.warnings_dropped += analysis.run.warnings_dropped;
            still.extend(rerun::failures_to_rerun(
                &analysis.failures,
                &analysis.groups,
            ));
            for pkg in analysis.run.packages {
                attempts.push(Attempt::of(&pkg, attempt));
                match out.packages.iter_mut().find(|p| p.name == pkg.name) {
                    Some(p) => {
                        let was = from
                            .iter()
                            .find(|(n, _)| *n == p.name)
                            .map_or(1, |(_, a)| *a);
                        for e in EarlierFailure::replaced(p, &pkg, was) {
                            out.earlier.push((p.name.clone(), e));
                        }
                        match from.iter_mut().find(|(n, _)| *n == p.name) {
                            Some(f) => f.1 = attempt,
                            None => from.push((p.name.clone(), attempt)),
                        }
                        p.absorb_rerun(pkg)
                    }
                    None => out.packages.push(pkg),
                }
            }
            match last.iter_mut().find(|(p, _)| *p == r.package) {
                Some(l) => l.1 = status.success(),
                None => last.push((r.package.clone(), status.success())),
            }
            out.ran.push(Ran {
                attempt,
                package: r.package.clone(),
                command,
                status,
            });
        }
        failed = still;
    }
    Ok(finish(out, attempts, &first_failed, &last))
}

fn finish(
    mut out: Outcome,
    attempts: Vec<Attempt>,
    first_failed: &[String],
    last: &[(String, bool)],
) -> Outcome {
    out.histories = rerun::merge(&attempts);
    out.flaky = rerun::flaky(&out.histories);
    if !out.succeeded && !first_failed.is_empty() {
        out.succeeded = first_failed
            .iter()
            .all(|p| last.iter().any(|(q, ok)| q == p && *ok));
    }
    out
}

fn packages_of(failed: &[rerun::Failed]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in failed {
        if !out.contains(&f.package) {
            out.push(f.package.clone());
        }
    }
    out
}
