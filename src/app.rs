//! One run, from [`Settings`] to the exit status: open every output first (a bad path fails before
//! anything is read), build the list of sinks from the settings, read the inputs through the pipeline,
//! build the view once, let every sink render it in order, and decide the exit status.
//!
//! The order of [`sinks`] is the order of the output: the files (JUnit, JSON, baseline, fix diff), the
//! input warnings on standard error, the terminal report, then the GitHub outputs (the end of the inert
//! stretch and the annotations, the job summary, SARIF, the check run).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use crate::baseline::Baseline;
use crate::error::Error;
use crate::input;
use crate::outfile::check_writable;
use crate::paths::Resolver;
use crate::pipeline::{Pipeline, Sink};
use crate::report::checks::{ChecksSink, Config};
use crate::report::fixdiff::FixDiffSink;
use crate::report::github::{self, AnnotationsSink, Context, Policy, StopCommands};
use crate::report::json::{JsonSink, Target};
use crate::report::junit::{Flavor, JunitSink};
use crate::report::summary::{self, Links, SummarySink};
use crate::report::terminal::{self, TerminalSink};
use crate::report::{baseline::BaselineSink, notes::NotesSink, sarif::SarifSink};
use crate::runner;
use crate::view::{self, FailOn, View};

/// Exit status when no input held anything recognisable as `go test` output or a goroutine dump (the
/// contract's exit 2: most often the wrong file, or a `go` command that never started).
const EXIT_NOTHING_RECOGNISED: u8 = 2;

/// Everything a run needs, from the flags and the environment ([`crate::cli`]).
#[derive(Debug)]
pub struct Settings {
    /// Input files (`-` is standard input); ignored when `command` is set.
    pub inputs: Vec<PathBuf>,
    /// The command to run (after `--`), empty when none.
    pub command: Vec<std::ffi::OsString>,
    /// `--junit`.
    pub junit: Option<PathBuf>,
    /// `--junit-flavor`.
    pub junit_flavor: Flavor,
    /// `--json` (`-` is standard output).
    pub json: Option<PathBuf>,
    /// `--root` or its default.
    pub root: Option<PathBuf>,
    /// `--baseline`.
    pub baseline: Option<PathBuf>,
    /// `--write-baseline`.
    pub write_baseline: Option<PathBuf>,
    /// `--fix-diff`.
    pub fix_diff: Option<PathBuf>,
    /// `--sarif`.
    pub sarif: Option<PathBuf>,
    /// The job summary file and whether the user named it (`--summary`) rather than the default
    /// (`$GITHUB_STEP_SUMMARY` under GitHub Actions).
    pub summary: Option<(PathBuf, bool)>,
    /// `--fail-on`.
    pub fail_on: FailOn,
    /// How the terminal output looks.
    pub terminal: terminal::Options,
    /// `--json -`: standard output carries the JSON report (no terminal output).
    pub stdout_is_json: bool,
    /// Print annotations (`--github`).
    pub annotate: bool,
    /// Nothing echoed from test output may act as a workflow command (annotations, or GitHub Actions
    /// at all).
    pub guard: bool,
    /// `$GITHUB_WORKSPACE`, to place the root in the repository.
    pub workspace: Option<PathBuf>,
    /// Where the summary's links point.
    pub links: Option<Links>,
    /// `--checks`: the check run's configuration, or why there is none.
    pub checks: Option<Result<Config, String>>,
    /// `--rerun-fails`, `--rerun-fails-max-failures` (with a command only).
    pub rerun: Option<crate::attempts::Settings>,
}

/// The exit status of a run whose sinks all succeeded: 1 when the view fails the run per `fail_on`,
/// made at least 1 by a failed child command (under `--fail-on new`, only by one whose failure the
/// report does not explain).
pub fn exit_status(view: &View, fail_on: FailOn, child: Option<&std::process::ExitStatus>) -> u8 {
    let code = u8::from(fail_on.fails(view));
    // Under `--fail-on new`, a child whose failure the report explains (it lists failures) failed
    // for what the policy weighs; only an unexplained failure (go test that could not run) counts.
    if fail_on == FailOn::New && !view.failures.is_empty() {
        return code;
    }
    match child {
        Some(status) => runner::combined_status(code, status),
        None => code,
    }
}

/// Every sink the settings ask for, in output order. Opens the JUnit file and starts the inert
/// stretch of standard output, so it runs before any input is read.
pub fn sinks(s: &Settings, resolver: &Resolver) -> Result<Vec<Box<dyn Sink>>, Error> {
    let junit = s
        .junit
        .as_deref()
        .map(|p| JunitSink::create(p, s.junit_flavor).map_err(|e| name_the_flag("--junit", p, e)))
        .transpose()?;
    for (flag, p) in [
        ("--json", &s.json),
        ("--write-baseline", &s.write_baseline),
        ("--fix-diff", &s.fix_diff),
        ("--sarif", &s.sarif),
    ] {
        if let Some(p) = p.as_deref().filter(|p| p.as_os_str() != "-") {
            check_writable(p).map_err(|e| name_the_flag(flag, p, e))?;
        }
    }
    if let Some((p, true)) = &s.summary {
        summary::open_for_append(p)?;
    }
    // Under --github (or GitHub Actions at all), nothing echoed from the test output may act as a
    // workflow command: stdout is inert until our own annotations (a random token ends the stretch),
    // stderr is neutralised line by line, JSON on stdout is escaped.
    let stop = match s.guard && !s.stdout_is_json {
        // A closed standard output (`| head`) means nobody reads commands: nothing to guard.
        true => match StopCommands::start(&mut io::stdout().lock()) {
            Ok(s) => Some(s),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => None,
            Err(e) => return Err(e.into()),
        },
        false => None,
    };
    let prefix = match (&resolver.root, &s.workspace) {
        (Some(root), Some(ws)) => github::repo_prefix(root, ws),
        _ => String::new(),
    };
    let context = Context {
        prefix: prefix.clone(),
        policy: Policy {
            failures_fail: s.fail_on.failures_fail(),
            leaks_fail: s.fail_on.leaks_fail(),
        },
        annotate: s.annotate,
    };
    let summary_opts = summary::Options {
        prefix,
        links: s.links.clone(),
        ..summary::Options::default()
    };
    let mut out: Vec<Box<dyn Sink>> = Vec::new();
    if let Some(j) = junit {
        out.push(Box::new(j));
    }
    if let Some(p) = &s.json {
        out.push(Box::new(JsonSink::new(if p.as_os_str() == "-" {
            Target::Stdout { inert: s.guard }
        } else {
            Target::File(p.clone())
        })));
    }
    if let Some(p) = &s.write_baseline {
        out.push(Box::new(BaselineSink::new(p.clone())));
    }
    if let Some(p) = &s.fix_diff {
        out.push(Box::new(FixDiffSink::new(p.clone())));
    }
    out.push(Box::new(NotesSink::new(s.guard)));
    out.push(Box::new(TerminalSink::new(
        !s.stdout_is_json,
        s.terminal,
        resolver.clone(),
    )));
    out.push(Box::new(AnnotationsSink::new(
        stop,
        s.stdout_is_json,
        context.clone(),
    )));
    if let Some((path, explicit)) = &s.summary {
        out.push(Box::new(SummarySink::new(
            path.clone(),
            *explicit,
            summary_opts.clone(),
            context.clone(),
        )));
    }
    if let Some(p) = &s.sarif {
        out.push(Box::new(SarifSink::new(p.clone(), context.clone())));
    }
    if let Some(config) = &s.checks {
        out.push(Box::new(ChecksSink::new(
            config.clone(),
            context,
            s.fail_on,
            summary_opts,
            s.guard,
        )));
    }
    Ok(out)
}

/// An output whose folder does not exist: says so and names the flag (`goleash: --junit
/// no/dir/j.xml: the folder no/dir does not exist`), so that it does not read like a missing input.
fn name_the_flag(flag: &str, path: &Path, e: Error) -> Error {
    let dir = crate::outfile::parent_dir(path);
    if e.kind() != io::ErrorKind::NotFound || dir.is_dir() {
        return e;
    }
    Error::output(
        &PathBuf::from(format!("{flag} {}", path.display())),
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("the folder {} does not exist", dir.display()),
        ),
    )
}

/// Reads one input file (or standard input for `-`) through the pipeline; whether anything in it was
/// recognised as `go test` output or a goroutine dump.
fn read_input(path: &Path, pipeline: &mut Pipeline) -> Result<bool, Error> {
    if path.as_os_str() == "-" {
        pipeline.input_name = "-".to_string();
        if io::IsTerminal::is_terminal(&io::stdin()) {
            eprintln!(
                "goleash: waiting for `go test -json` output on standard input (e.g. `go test -json ./... 2>&1 | goleash`, or name files, or `goleash -- go test ./...`); end it with Ctrl-D"
            );
        }
        return Ok(input::read(io::stdin(), pipeline)?.recognised);
    }
    let f = File::open(path).map_err(|e| Error::input(path, e))?;
    pipeline.input_name = path.display().to_string();
    let outcome = input::read(f, pipeline).map_err(|e| Error::input(path, e))?;
    Ok(outcome.recognised)
}

/// Runs goleash with these settings; the exit status, or goleash's own error (exit status 2).
pub fn run(s: Settings) -> Result<u8, Error> {
    let resolver = Resolver::new(s.root.clone());
    let baseline = match &s.baseline {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| Error::input(p, e))?;
            Baseline::parse(&text)
                .map_err(|e| Error::input(p, io::Error::new(io::ErrorKind::InvalidData, e)))?
        }
        None => Baseline::default(),
    };
    let mut sinks = sinks(&s, &resolver)?;
    let mut pipeline = Pipeline::new(
        resolver.clone(),
        sinks
            .iter_mut()
            .map(|b| b.as_mut() as &mut dyn Sink)
            .collect(),
    );
    // The gitlab flavor places every case, passed ones at their test function's declaration.
    pipeline.declarations = s.junit.is_some() && s.junit_flavor == Flavor::Gitlab;
    let mut child = None;
    let mut flaky = Vec::new();
    // Inputs in which nothing was recognised (prose, the wrong file, a `go` that never started).
    let mut unrecognised = Vec::new();
    if s.command.is_empty() {
        for path in &s.inputs {
            if !read_input(path, &mut pipeline)? {
                unrecognised.push(match path.as_os_str() == "-" {
                    true => "standard input".to_string(),
                    false => path.display().to_string(),
                });
            }
        }
    } else if let Some(settings) = s.rerun {
        // The first run is read on its own (no sink sees it yet), then the reruns; the sinks receive
        // the packages merged over the attempts.
        let mut first = Pipeline::new(resolver.clone(), Vec::new());
        first.keep_tests = true;
        let mut running = runner::Running::start(&s.command)?;
        first.input_name = running.command.clone();
        input::read(running.reader(), &mut first)?;
        let command = running.command.clone();
        let status = running.wait()?;
        let (analysis, _) = first.finish();
        let stray = analysis.run.stray.text();
        let guard = s.guard;
        let mut note = |line: String| {
            if guard {
                eprintln!("{}", github::neutralise(&line));
            } else {
                eprintln!("{line}");
            }
        };
        let outcome = crate::attempts::run(
            &s.command, analysis, &status, settings, &resolver, &mut note,
        )?;
        if let Some(e) = &outcome.over_budget {
            note(format!("goleash: {e}"));
        }
        for pkg in outcome.packages {
            let earlier: Vec<crate::rerun::EarlierFailure> = outcome
                .earlier
                .iter()
                .filter(|(p, _)| *p == pkg.name)
                .map(|(_, e)| e.clone())
                .collect();
            pipeline.add_finished(pkg, &earlier);
        }
        pipeline.analysis.run.warnings = outcome.warnings;
        pipeline.analysis.run.warnings_dropped = outcome.warnings_dropped;
        for line in stray.split_inclusive('\n') {
            pipeline.analysis.run.stray.push(line);
        }
        flaky = outcome.flaky;
        // The exit status follows the final attempts: a rerun that passed stands for the first run.
        let last_ok = outcome.ran.iter().rev().find(|r| r.status.success());
        let status = match (outcome.succeeded, last_ok) {
            (true, Some(r)) if !status.success() => r.status,
            _ => status,
        };
        child = Some((status, command));
    } else {
        let mut running = runner::Running::start(&s.command)?;
        pipeline.input_name = running.command.clone();
        input::read(running.reader(), &mut pipeline)?;
        let command = running.command.clone();
        child = Some((running.wait()?, command));
    }
    let (analysis, sink_error) = pipeline.finish();
    if let Some(e) = sink_error {
        return Err(e);
    }
    let mut view = view::build(&analysis, &resolver);
    view.flaky = flaky;
    if !s.stdout_is_json {
        view = view.with_sources(&resolver);
    }
    if s.fix_diff.is_some() {
        view = view.with_fixes(&analysis);
    }
    baseline.apply(&mut view);
    for sink in &mut sinks {
        sink.run_done(&view)?;
    }
    let nothing_recognised = s.command.is_empty() && unrecognised.len() == s.inputs.len();
    for name in &unrecognised {
        let level = if nothing_recognised {
            "error"
        } else {
            "warning"
        };
        let note =
            format!("goleash: {level}: nothing in {name} is go test output or a goroutine dump\n");
        if s.guard {
            eprint!("{}", github::neutralise(&note));
        } else {
            eprint!("{note}");
        }
    }
    if nothing_recognised {
        return Ok(EXIT_NOTHING_RECOGNISED);
    }
    let status = exit_status(&view, s.fail_on, child.as_ref().map(|(st, _)| st));
    if let Some((st, command)) = &child {
        if let Some(note) =
            runner::failure_note(command, st, view.failures.len(), &analysis.run.stray.text())
        {
            if s.guard {
                eprint!("{}", github::neutralise(&note));
            } else {
                eprint!("{note}");
            }
        }
    }
    Ok(status)
}
