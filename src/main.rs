//! The `goleash` command line: flags → pipeline → reports → exit status.

use std::fs::File;
use std::io::{self, BufReader, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

use goleash::baseline::Baseline;
use goleash::input;
use goleash::paths::{find_go_mod_root, Resolver};
use goleash::report::{self, junit::JunitSink, terminal::TerminalSink};
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
    after_help = "Examples:\n  go test -json ./... 2>&1 | goleash --junit junit.xml\n  goleash --json report.json test-output.json shard2.json\n  go test -v ./... 2>&1 | goleash --fail-on leak\n\nExit status: 0 nothing to fail on, 1 failing tests or leaks (per --fail-on), 2 goleash could not do its job."
)]
struct Cli {
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
    /// What makes the exit status 1.
    #[arg(long, value_enum, default_value = "any")]
    fail_on: FailOn,
    /// Print only failures, leaks and the totals line.
    #[arg(short, long)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
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
        Some(p) => Baseline::parse(
            &std::fs::read_to_string(p).map_err(|e| report::with_path(e, p))?,
        ),
        None => Baseline::default(),
    };
    // Open every output before reading anything: a bad path fails fast.
    let mut junit = cli.junit.as_deref().map(JunitSink::create).transpose()?;
    for p in [&cli.json, &cli.write_baseline].into_iter().flatten() {
        if p.as_os_str() != "-" {
            check_writable(p)?;
        }
    }
    let stdout_is_json = cli.json.as_deref().is_some_and(|p| p.as_os_str() == "-");
    let mut terminal = TerminalSink::new(!stdout_is_json, cli.quiet);
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
    for path in &inputs {
        if path.as_os_str() == "-" {
            pipeline.input_name = "-".to_string();
            input::read(io::stdin().lock(), &mut pipeline)?;
        } else {
            let f = File::open(path).map_err(|e| report::with_path(e, path))?;
            pipeline.input_name = path.display().to_string();
            input::read(BufReader::with_capacity(1 << 20, f), &mut pipeline)
                .map_err(|e| report::with_path(e, path))?;
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
            ignore_broken_pipe(report::json::write(&mut out, &report))?;
        } else {
            report::write_atomic(p, |w| report::json::write(w, &report))?;
        }
    }
    if let Some(p) = &cli.write_baseline {
        report::write_atomic(p, |w| w.write_all(Baseline::render(&report).as_bytes()))?;
    }
    for w in &analysis.run.warnings {
        eprintln!("goleash: warning: {}:{}: {}", w.input, w.line, w.message);
    }
    if analysis.run.warnings_dropped > 0 {
        eprintln!("goleash: warning: {} more input problems not shown", analysis.run.warnings_dropped);
    }
    for stale in &report.baseline.stale {
        eprintln!("goleash: baseline entry {stale} no longer occurs; remove it from the baseline");
    }
    if !stdout_is_json {
        let mut out = io::stdout().lock();
        let color = io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        ignore_broken_pipe(report::terminal::write_final(&mut out, &report, cli.quiet, color))?;
    }
    let new_leaks = report.leaks.iter().filter(|l| !l.known).count();
    let failing = report.summary.failed > 0;
    let fail = match cli.fail_on {
        FailOn::Any => failing || new_leaks > 0,
        FailOn::Leak => new_leaks > 0,
        FailOn::Never => false,
    };
    Ok(u8::from(fail))
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
    tempfile::tempfile_in(&dir).map(drop).map_err(|e| report::with_path(e, path))
}
