//! The `goleash` command line: flags → pipeline → reports → exit status.

use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use goleash::baseline::Baseline;
use goleash::input;
use goleash::paths::{find_go_mod_root, Resolver};
use goleash::report::github::{self, StopCommands};
use goleash::report::terminal::{self as term, ColorChoice};
use goleash::report::{self, junit::JunitSink, terminal::TerminalSink};
use goleash::runner;
use goleash::{LiveSink, Pipeline};

/// Exit status: the tool itself could not do its job.
const EXIT_TOOL: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// Failing tests or leaks.
    Any,
    /// Only leaks that are not in the baseline.
    Leak,
    /// Never: always exit 0 (unless goleash itself fails).
    Never,
}

/// Finds, groups and explains goroutine leaks in `go test` output, and writes JUnit XML and a JSON report.
#[derive(Debug, Parser)]
#[command(
    name = "goleash",
    version,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    subcommand: Option<Sub>,
    /// Input files (`go test -json` streams, plain `go test` output, or goroutine dumps); `-` or none reads standard input.
    inputs: Vec<PathBuf>,
    /// Write JUnit XML to PATH.
    #[arg(long, value_name = "PATH")]
    junit: Option<PathBuf>,
    /// Write the JSON report to PATH (`-` for standard output).
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// The source tree the tests ran on (default: $GITHUB_WORKSPACE under GitHub Actions, else the nearest folder upward holding go.mod).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Known leaks (one id per line) that are reported but do not fail the run.
    #[arg(long, value_name = "PATH")]
    baseline: Option<PathBuf>,
    /// Write the ids of every leak found, in the baseline format.
    #[arg(long, value_name = "PATH")]
    write_baseline: Option<PathBuf>,
    /// Write the fixes the advice engine is sure of as a unified diff (relative to --root) that `git apply` takes.
    #[arg(long, value_name = "PATH")]
    fix_diff: Option<PathBuf>,
    /// What makes the exit status 1.
    #[arg(long, value_enum, default_value = "any")]
    fail_on: FailOn,
    /// Print only failures, leaks and the totals line.
    #[arg(short, long)]
    quiet: bool,
    /// Colour the terminal output: auto (when standard output is a terminal and NO_COLOR is unset), always, never.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    color: ColorChoice,
    /// Print GitHub workflow-command annotations on standard output: auto (when GITHUB_ACTIONS=true), always, never.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    github: github::Mode,
    /// Append a Markdown job summary to PATH (under GitHub Actions the default is $GITHUB_STEP_SUMMARY).
    #[arg(long, value_name = "PATH")]
    summary: Option<PathBuf>,
    /// Publish a check run named goleash with every annotation through the GitHub API (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_API_URL).
    #[arg(long)]
    checks: bool,
    /// Write SARIF 2.1.0 to PATH, one result per leak group, for code scanning.
    #[arg(long, value_name = "PATH")]
    sarif: Option<PathBuf>,
    /// Run this command (after `--`) and read what it prints; `-json` is added to `go test` when missing.
    #[arg(last = true, value_name = "CMD", conflicts_with = "inputs")]
    command: Vec<OsString>,
}

const AFTER_HELP: &str = "\
Examples:
  Read a stream from a pipe:
    go test -json ./... 2>&1 | goleash --junit junit.xml
  Run go test itself (adds -json; exits non-zero when go test fails, no pipefail needed):
    goleash -- go test -race ./...
  Read saved outputs, e.g. one per CI shard, as one run:
    goleash --json report.json shard1.json shard2.json
  Plain text and goroutine dumps work too:
    go test -v ./... 2>&1 | goleash --fail-on leak
    curl -s localhost:6060/debug/pprof/goroutine?debug=2 | goleash

Exit status: 0 nothing to fail on, 1 failing tests or leaks (per --fail-on) or a failed
`-- COMMAND`, 2 goleash could not do its job (unreadable input, unwritable output, bad flag,
a command that cannot be started).";

/// Subcommands.
#[derive(Debug, Subcommand)]
enum Sub {
    /// Print a completion script for a shell (e.g. `goleash completions bash > /etc/bash_completion.d/goleash`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff; e.g. `goleash man > goleash.1`).
    Man,
}

/// Prints what a subcommand produces.
fn run_subcommand(sub: &Sub) -> io::Result<u8> {
    let mut out = io::stdout().lock();
    let mut cmd = Cli::command();
    match sub {
        Sub::Completions { shell } => {
            clap_complete::generate(*shell, &mut cmd, "goleash", &mut out);
        }
        Sub::Man => ignore_broken_pipe(clap_mangen::Man::new(cmd).render(&mut out))?,
    }
    Ok(0)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.subcommand {
        Some(sub) => run_subcommand(sub),
        None => run(cli),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("goleash: {e}");
            ExitCode::from(EXIT_TOOL)
        }
    }
}

fn default_root() -> Option<PathBuf> {
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        if let Some(ws) = std::env::var_os("GITHUB_WORKSPACE") {
            return Some(PathBuf::from(ws));
        }
    }
    let cwd = std::env::current_dir().ok()?;
    find_go_mod_root(&cwd)
}

fn run(cli: Cli) -> io::Result<u8> {
    let root = cli.root.clone().or_else(default_root);
    let resolver = Resolver::new(root);
    let baseline = match &cli.baseline {
        Some(p) => {
            Baseline::parse(&std::fs::read_to_string(p).map_err(|e| report::with_path(e, p))?)
        }
        None => Baseline::default(),
    };
    // Open every output before reading anything: a bad path fails fast.
    let mut junit = cli.junit.as_deref().map(JunitSink::create).transpose()?;
    for p in [&cli.json, &cli.write_baseline, &cli.fix_diff, &cli.sarif]
        .into_iter()
        .flatten()
    {
        if p.as_os_str() != "-" {
            check_writable(p)?;
        }
    }
    if let Some(p) = &cli.summary {
        github_summary_check(p)?;
    }
    let stdout_is_json = cli.json.as_deref().is_some_and(|p| p.as_os_str() == "-");
    // Under --github (or GitHub Actions at all), nothing echoed from the test output may act as a
    // workflow command: stdout is inert until our own annotations (a random token ends the stretch),
    // stderr is neutralised line by line, JSON on stdout is escaped.
    let on_actions = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    let annotate = cli
        .github
        .active(std::env::var("GITHUB_ACTIONS").ok().as_deref());
    let guard = annotate || on_actions;
    let mut stop = match guard && !stdout_is_json {
        // A closed standard output (`| head`) means nobody reads commands: nothing to guard.
        true => match StopCommands::start(&mut io::stdout().lock()) {
            Ok(s) => Some(s),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => None,
            Err(e) => return Err(e),
        },
        false => None,
    };
    let inert = |s: String| {
        if guard {
            github::neutralise(&s).into_owned()
        } else {
            s
        }
    };
    let term_opts = term::Options::for_stdout(cli.color, cli.quiet);
    let mut terminal = TerminalSink::new(!stdout_is_json, term_opts);
    let mut sinks: Vec<&mut dyn LiveSink> = vec![&mut terminal];
    if let Some(j) = junit.as_mut() {
        sinks.push(j);
    }
    let mut pipeline = Pipeline::new(resolver.clone(), sinks);
    let inputs = if cli.inputs.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        cli.inputs.clone()
    };
    let mut child = None;
    if !cli.command.is_empty() {
        let mut running = runner::Running::start(&cli.command)?;
        pipeline.input_name = running.command.clone();
        input::read(running.reader(), &mut pipeline)?;
        let command = running.command.clone();
        child = Some((running.wait()?, command));
    }
    for path in inputs.iter().filter(|_| cli.command.is_empty()) {
        if path.as_os_str() == "-" {
            pipeline.input_name = "-".to_string();
            input::read(io::stdin(), &mut pipeline)?;
        } else {
            let f = File::open(path).map_err(|e| report::with_path(e, path))?;
            pipeline.input_name = path.display().to_string();
            input::read(f, &mut pipeline).map_err(|e| report::with_path(e, path))?;
        }
    }
    let (analysis, sink_error) = pipeline.finish();
    if let Some(e) = sink_error {
        return Err(e);
    }
    if let Some(j) = junit {
        j.finish()?;
    }
    let mut report = report::json::build(&analysis, &resolver);
    baseline.apply(&mut report);
    if let Some(p) = &cli.json {
        if p.as_os_str() == "-" {
            let mut out = io::stdout().lock();
            if guard {
                let mut buf = Vec::new();
                report::json::write(&mut buf, &report)?;
                let text = String::from_utf8_lossy(&buf);
                ignore_broken_pipe(io::Write::write_all(
                    &mut out,
                    github::neutralise_json(&text).as_bytes(),
                ))?;
            } else {
                ignore_broken_pipe(report::json::write(&mut out, &report))?;
            }
        } else {
            report::write_atomic(p, |w| report::json::write(w, &report))?;
        }
    }
    if let Some(p) = &cli.write_baseline {
        report::write_atomic(p, |w| w.write_all(Baseline::render(&report).as_bytes()))?;
    }
    if let Some(p) = &cli.fix_diff {
        let fd = goleash::fixdiff::write(p, &analysis.groups, &resolver)?;
        eprintln!("goleash: {}", goleash::fixdiff::summary_line(&fd, p));
    }
    for w in &analysis.run.warnings {
        eprintln!(
            "{}",
            inert(format!(
                "goleash: warning: {}:{}: {}",
                w.input, w.line, w.message
            ))
        );
    }
    if analysis.run.warnings_dropped > 0 {
        eprintln!(
            "goleash: warning: {} more input problems not shown",
            analysis.run.warnings_dropped
        );
    }
    for stale in &report.baseline.stale {
        eprintln!("goleash: baseline entry {stale} no longer occurs; remove it from the baseline");
    }
    if !stdout_is_json {
        let mut out = io::stdout().lock();
        ignore_broken_pipe(term::write_final(&mut out, &report, &resolver, &term_opts))?;
    }
    let new_leaks = report.leaks.iter().filter(|l| !l.known).count();
    let failing = report.summary.failed > 0;
    let fail = match cli.fail_on {
        FailOn::Any => failing || new_leaks > 0,
        FailOn::Leak => new_leaks > 0,
        FailOn::Never => false,
    };
    let policy = github::Policy {
        failures_fail: cli.fail_on == FailOn::Any,
        leaks_fail: cli.fail_on != FailOn::Never,
    };
    github_outputs(
        &cli,
        &report,
        &resolver,
        policy,
        fail,
        annotate,
        stop.as_mut(),
    )?;
    let code = u8::from(fail);
    Ok(match &child {
        Some((status, command)) => {
            if let Some(note) =
                runner::failure_note(command, status, &report, &analysis.run.stray.text())
            {
                eprint!("{}", inert(note));
            }
            runner::combined_status(code, status)
        }
        None => code,
    })
}

/// Fails, naming the path, when the summary file cannot be appended to.
fn github_summary_check(path: &Path) -> io::Result<()> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map(drop)
        .map_err(|e| report::with_path(e, path))
}

/// The GitHub outputs, after the analysis: annotations (workflow commands, after the end of the inert
/// stretch of standard output), the job summary, SARIF and the check run. Problems with the check run
/// or the default summary file are warnings, never exit status 2.
fn github_outputs(
    cli: &Cli,
    report: &report::json::Report,
    resolver: &Resolver,
    policy: github::Policy,
    fail: bool,
    annotate: bool,
    stop: Option<&mut StopCommands>,
) -> io::Result<()> {
    use report::{checks, sarif, summary};
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let prefix = match (&resolver.root, env("GITHUB_WORKSPACE")) {
        (Some(root), Some(ws)) => github::repo_prefix(root, Path::new(&ws)),
        _ => String::new(),
    };
    let all = github::annotations(report, policy, &prefix);
    let capped = github::cap(&all);
    let on_actions = env("GITHUB_ACTIONS").as_deref() == Some("true");
    let guard = annotate || on_actions;
    if let Some(s) = stop {
        ignore_broken_pipe(s.end(&mut io::stdout().lock()))?;
    }
    if annotate {
        let stdout_is_json = cli.json.as_deref().is_some_and(|p| p.as_os_str() == "-");
        let r = if stdout_is_json {
            github::write_commands(&mut io::stderr().lock(), &capped)
        } else {
            github::write_commands(&mut io::stdout().lock(), &capped)
        };
        ignore_broken_pipe(r)?;
    }
    let links = summary::Links::new(
        env("GITHUB_SERVER_URL").as_deref(),
        env("GITHUB_REPOSITORY").as_deref(),
        env("GITHUB_SHA").as_deref(),
    );
    let opts = summary::Options {
        prefix: prefix.clone(),
        links,
        omitted_annotations: if annotate { capped.omitted } else { 0 },
        ..summary::Options::default()
    };
    let summary_path = cli.summary.clone().map(|p| (p, true)).or_else(|| {
        env("GITHUB_STEP_SUMMARY")
            .filter(|_| on_actions)
            .map(|p| (PathBuf::from(p), false))
    });
    if let Some((path, explicit)) = summary_path {
        let text = summary::render(
            report,
            &summary::Options {
                limit: summary::room_left(&path, summary::SUMMARY_LIMIT),
                ..opts.clone()
            },
        );
        match summary::append(&path, &text) {
            Err(e) if explicit => return Err(e),
            Err(e) => eprintln!("goleash: warning: job summary not written: {e}"),
            Ok(()) => {}
        }
    }
    if let Some(p) = &cli.sarif {
        let log = sarif::build(report, &prefix, policy.leaks_fail);
        report::write_atomic(p, |w| sarif::write(w, &log))?;
    }
    if cli.checks {
        let inert = |s: String| {
            if guard {
                github::neutralise(&s).into_owned()
            } else {
                s
            }
        };
        match checks::Config::from_env(env) {
            Err(why) => eprintln!("goleash: warning: check run not published: {why}"),
            Ok(config) => {
                let requests = checks::plan(
                    report,
                    &all,
                    checks::conclusion(fail, &all),
                    &config.target.sha,
                    &opts,
                );
                match checks::publish(&config, &requests) {
                    Ok(p) => eprintln!(
                        "{}",
                        inert(format!(
                            "goleash: check run {} published with {} annotations{}",
                            checks::CHECK_NAME,
                            p.annotations,
                            p.html_url.map(|u| format!(": {u}")).unwrap_or_default()
                        ))
                    ),
                    Err(why) => eprintln!(
                        "{}",
                        inert(format!("goleash: warning: check run not published: {why}"))
                    ),
                }
            }
        }
    }
    Ok(())
}

/// A closed standard output (`| head`) ends quietly.
fn ignore_broken_pipe(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Fails, naming the path, when a file cannot be created in the output's folder.
fn check_writable(path: &Path) -> io::Result<()> {
    let dir = report::parent_dir(path);
    tempfile::tempfile_in(&dir)
        .map(drop)
        .map_err(|e| report::with_path(e, path))
}
