//! The command line: the only reader of flags and environment variables.
//!
//! [`main`] parses the flags (clap), reads the environment once ([`Env`]) and turns both into the
//! [`Settings`] that [`crate::app::run`] works from; no other module reads `std::env`. The flag values
//! are clap enums of their own, mapped here onto the sinks' types.

use std::ffi::OsString;
use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::app::{self, Settings};
use crate::error::{ignore_broken_pipe, render, Error};
use crate::report::checks;
use crate::report::github::Mode;
use crate::report::junit::Flavor;
use crate::report::summary::Links;
use crate::report::terminal::{self, ColorChoice};
use crate::source::find_go_mod_root;
use crate::view::FailOn;

/// Exit status: the tool itself could not do its job.
pub const EXIT_TOOL: u8 = 2;

/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOnArg {
    /// Failing tests or leaks.
    Any,
    /// Only leaks that are not in the baseline.
    Leak,
    /// As `any`, and tests that failed and then passed on a rerun (`--rerun-fails`).
    Flaky,
    /// Only leaks and failing tests that the `--baseline` (a previous JSON report) does not have.
    New,
    /// Never: always exit 0 (unless goleash itself fails).
    Never,
}

impl From<FailOnArg> for FailOn {
    fn from(a: FailOnArg) -> FailOn {
        match a {
            FailOnArg::Any => FailOn::Any,
            FailOnArg::Leak => FailOn::Leak,
            FailOnArg::Flaky => FailOn::Flaky,
            FailOnArg::New => FailOn::New,
            FailOnArg::Never => FailOn::Never,
        }
    }
}

/// `--junit-flavor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum JunitFlavorArg {
    /// Strict junit-10.xsd (Jenkins); the failing file:line starts the failure text.
    Jenkins,
    /// As jenkins, plus `file` and `line` on every testcase (GitLab, CircleCI, mikepenz/action-junit-report).
    Gitlab,
    /// Maven Surefire's surefire-test-report-3.0.xsd: one testsuite, flakyFailure/rerunFailure in its order.
    Surefire,
}

impl From<JunitFlavorArg> for Flavor {
    fn from(a: JunitFlavorArg) -> Flavor {
        match a {
            JunitFlavorArg::Jenkins => Flavor::Jenkins,
            JunitFlavorArg::Gitlab => Flavor::Gitlab,
            JunitFlavorArg::Surefire => Flavor::Surefire,
        }
    }
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorArg {
    /// When standard output is a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always, even into a pipe or with `NO_COLOR` set.
    Always,
    /// Never.
    Never,
}

impl From<ColorArg> for ColorChoice {
    fn from(a: ColorArg) -> ColorChoice {
        match a {
            ColorArg::Auto => ColorChoice::Auto,
            ColorArg::Always => ColorChoice::Always,
            ColorArg::Never => ColorChoice::Never,
        }
    }
}

/// `--github`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GithubArg {
    /// When `GITHUB_ACTIONS=true`.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl From<GithubArg> for Mode {
    fn from(a: GithubArg) -> Mode {
        match a {
            GithubArg::Auto => Mode::Auto,
            GithubArg::Always => Mode::Always,
            GithubArg::Never => Mode::Never,
        }
    }
}

/// Finds, groups and explains goroutine leaks in `go test` output, and writes JUnit XML and a JSON report.
#[derive(Debug, Parser)]
#[command(
    name = "goleash",
    version,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    subcommand: Option<Sub>,
    /// Input files (`go test -json` streams, plain `go test` output, or goroutine dumps); `-` or none reads standard input.
    inputs: Vec<PathBuf>,
    /// Write JUnit XML to PATH.
    #[arg(long, value_name = "PATH")]
    junit: Option<PathBuf>,
    /// The JUnit consumers' rules to follow: jenkins (strict junit-10.xsd), gitlab (adds file and line
    /// on every testcase), surefire (Maven Surefire's schema, one testsuite).
    #[arg(
        long,
        value_enum,
        value_name = "FLAVOR",
        default_value = "jenkins",
        requires = "junit"
    )]
    junit_flavor: JunitFlavorArg,
    /// Write the JSON report to PATH (`-` for standard output).
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// The source tree the tests ran on (default: $GITHUB_WORKSPACE under GitHub Actions, else the nearest folder upward holding go.mod).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Known leaks and failures: a previous goleash JSON report (`--json`), or leak ids one per line;
    /// reported, but they do not fail the run (failures only under `--fail-on new`).
    #[arg(long, value_name = "PATH")]
    baseline: Option<PathBuf>,
    /// Write the ids of every leak found, in the baseline format.
    #[arg(long, value_name = "PATH")]
    write_baseline: Option<PathBuf>,
    /// Write the fixes the advice engine is sure of as a unified diff (relative to --root) that `git apply` takes.
    #[arg(long, value_name = "PATH")]
    fix_diff: Option<PathBuf>,
    /// What makes the exit status 1: any (failing tests or leaks), leak (only leaks), new (only leaks and
    /// failing tests the --baseline does not have), flaky (as any, and tests that failed and then passed
    /// on a rerun), never.
    #[arg(long, value_enum, default_value = "any")]
    fail_on: FailOnArg,
    /// With `-- go test …`: rerun the failed tests of each package up to N times (default 2), one
    /// `go test -run '^(TestA|TestB)$'` per package; a test that only inherited a leak is rerun with the
    /// test that introduced it, a TestMain leak reruns the tests its stacks name.
    #[arg(
        long,
        value_name = "N",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "2",
        requires = "command"
    )]
    rerun_fails: Option<u32>,
    /// Rerun nothing when the first run has more failed tests than N.
    #[arg(long, value_name = "N", default_value_t = 10, requires = "rerun_fails")]
    rerun_fails_max_failures: usize,
    /// Print only failures, leaks and the totals line.
    #[arg(short, long)]
    quiet: bool,
    /// Colour the terminal output: auto (when standard output is a terminal and NO_COLOR is unset), always, never.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    color: ColorArg,
    /// Print GitHub workflow-command annotations on standard output: auto (when GITHUB_ACTIONS=true), always, never.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    github: GithubArg,
    /// Append a Markdown job summary to PATH (under GitHub Actions the default is $GITHUB_STEP_SUMMARY).
    #[arg(long, value_name = "PATH")]
    summary: Option<PathBuf>,
    /// Publish a check run with every annotation through the GitHub API (GOLEASH_GITHUB_TOKEN or GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_API_URL).
    #[arg(long)]
    checks: bool,
    /// The commit of the check run (default: the pull request's head on pull_request, the triggering head on workflow_run, else GITHUB_SHA).
    #[arg(long, value_name = "SHA", requires = "checks")]
    check_sha: Option<String>,
    /// The check run's name (default: goleash, with the job, runner and matrix values under GitHub Actions).
    #[arg(long, value_name = "NAME", requires = "checks")]
    check_name: Option<String>,
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

/// The environment variables goleash reads, read once.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// `GITHUB_ACTIONS`, unset when empty.
    pub github_actions: Option<String>,
    /// `GITHUB_WORKSPACE`, unset when empty.
    pub github_workspace: Option<OsString>,
    /// `GITHUB_STEP_SUMMARY`, unset when empty.
    pub github_step_summary: Option<String>,
    /// `GITHUB_SERVER_URL`, unset when empty.
    pub github_server_url: Option<String>,
    /// `GITHUB_REPOSITORY`, unset when empty.
    pub github_repository: Option<String>,
    /// `GITHUB_SHA`, unset when empty.
    pub github_sha: Option<String>,
    /// `NO_COLOR`.
    pub no_color: Option<OsString>,
    /// `COLUMNS`.
    pub columns: Option<String>,
    /// The current folder.
    pub cwd: Option<PathBuf>,
}

/// A variable's value, `None` when unset, empty or not Unicode.
fn var(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.is_empty())
}

impl Env {
    /// The process's environment.
    pub fn read() -> Env {
        Env {
            github_actions: var("GITHUB_ACTIONS"),
            github_workspace: std::env::var_os("GITHUB_WORKSPACE"),
            github_step_summary: var("GITHUB_STEP_SUMMARY"),
            github_server_url: var("GITHUB_SERVER_URL"),
            github_repository: var("GITHUB_REPOSITORY"),
            github_sha: var("GITHUB_SHA"),
            no_color: std::env::var_os("NO_COLOR"),
            columns: std::env::var("COLUMNS").ok(),
            cwd: std::env::current_dir().ok(),
        }
    }

    /// `GITHUB_ACTIONS=true`.
    pub fn on_actions(&self) -> bool {
        self.github_actions.as_deref() == Some("true")
    }

    /// The default `--root`: `GITHUB_WORKSPACE` under GitHub Actions, else the nearest folder upward
    /// from the current one that holds `go.mod`.
    pub fn default_root(&self) -> Option<PathBuf> {
        if self.on_actions() {
            if let Some(ws) = &self.github_workspace {
                return Some(PathBuf::from(ws));
            }
        }
        find_go_mod_root(self.cwd.as_deref()?)
    }
}

impl Cli {
    /// The settings of a run from these flags and `env`.
    fn settings(self, env: &Env) -> Settings {
        let on_actions = env.on_actions();
        let annotate = Mode::from(self.github).active(env.github_actions.as_deref());
        let summary = self.summary.clone().map(|p| (p, true)).or_else(|| {
            env.github_step_summary
                .clone()
                .filter(|_| on_actions)
                .map(|p| (PathBuf::from(p), false))
        });
        let stdout_is_json = self.json.as_deref().is_some_and(|p| p.as_os_str() == "-");
        let terminal = terminal::Options::for_stdout(
            self.color.into(),
            self.quiet,
            env.no_color.as_deref(),
            env.columns.as_deref(),
        );
        let checks = self.checks.then(|| {
            checks::Config::from_env(|k| match k {
                "GITHUB_REPOSITORY" => env.github_repository.clone(),
                "GITHUB_SHA" => env.github_sha.clone(),
                other => var(other),
            })
            .and_then(|c| c.with_overrides(self.check_sha.as_deref(), self.check_name.as_deref()))
        });
        Settings {
            root: self.root.clone().or_else(|| env.default_root()),
            inputs: if self.inputs.is_empty() {
                vec![PathBuf::from("-")]
            } else {
                self.inputs
            },
            command: self.command,
            junit: self.junit,
            junit_flavor: self.junit_flavor.into(),
            json: self.json,
            baseline: self.baseline,
            write_baseline: self.write_baseline,
            fix_diff: self.fix_diff,
            sarif: self.sarif,
            summary,
            fail_on: self.fail_on.into(),
            terminal,
            stdout_is_json,
            annotate,
            guard: annotate || on_actions,
            workspace: env
                .github_workspace
                .clone()
                .filter(|w| !w.is_empty())
                .map(PathBuf::from),
            links: Links::new(
                env.github_server_url.as_deref(),
                env.github_repository.as_deref(),
                env.github_sha.as_deref(),
            ),
            checks,
            rerun: self.rerun_fails.map(|reruns| crate::attempts::Settings {
                reruns,
                max_failures: self.rerun_fails_max_failures,
            }),
        }
    }
}

/// Prints what a subcommand produces.
fn run_subcommand(sub: &Sub) -> Result<u8, Error> {
    let mut out = io::stdout().lock();
    let mut cmd = Cli::command();
    match sub {
        Sub::Completions { shell } => {
            // Into memory first: clap_complete panics when its writer fails (`| true` closes the pipe).
            let mut buf = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "goleash", &mut buf);
            ignore_broken_pipe(io::Write::write_all(&mut out, &buf))?;
        }
        Sub::Man => ignore_broken_pipe(clap_mangen::Man::new(cmd).render(&mut out))?,
    }
    Ok(0)
}

/// The `goleash` command: parses the flags, runs, prints goleash's own error (exit status 2).
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            if let Some(hint) = go_style_flag_hint(std::env::args_os().skip(1)) {
                eprintln!("{hint}");
            }
            e.exit()
        }
    };
    let result = match &cli.subcommand {
        Some(sub) => run_subcommand(sub),
        None => {
            let env = Env::read();
            app::run(cli.settings(&env))
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprint!("{}", render(&e));
            ExitCode::from(EXIT_TOOL)
        }
    }
}

/// A hint for a Go-style flag (`-junit`, `-json`: one dash) among `args` before `--`, which clap reads
/// as short flags: `goleash: -junit is not a flag; goleash's flags take two dashes: --junit`.
pub fn go_style_flag_hint(args: impl IntoIterator<Item = std::ffi::OsString>) -> Option<String> {
    let cmd = Cli::command();
    let longs: Vec<String> = cmd
        .get_arguments()
        .filter_map(|a| a.get_long().map(str::to_string))
        .collect();
    args.into_iter()
        .take_while(|a| a != "--")
        .filter_map(|a| a.into_string().ok())
        .find_map(|a| {
            let name = a.strip_prefix('-')?;
            let name = name.split('=').next().unwrap_or(name);
            (!name.starts_with('-') && name.len() > 1 && longs.iter().any(|l| l == name)).then(
                || format!("goleash: {a} is not a flag; goleash's flags take two dashes: --{name}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_style_flags_get_a_hint() {
        let args = |v: &[&str]| {
            v.iter()
                .map(|s| std::ffi::OsString::from(*s))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            go_style_flag_hint(args(&["-junit", "x.xml"])).as_deref(),
            Some("goleash: -junit is not a flag; goleash's flags take two dashes: --junit")
        );
        assert_eq!(
            go_style_flag_hint(args(&["-json=r.json"])).as_deref(),
            Some("goleash: -json=r.json is not a flag; goleash's flags take two dashes: --json")
        );
        assert_eq!(go_style_flag_hint(args(&["-q", "--", "go", "-json"])), None);
        assert_eq!(go_style_flag_hint(args(&["-nosuch"])), None);
    }

    #[test]
    fn the_parser_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_default_root_is_the_workspace_only_under_actions() {
        let env = Env {
            github_actions: Some("true".into()),
            github_workspace: Some("/ws".into()),
            cwd: Some(PathBuf::from("/")),
            ..Env::default()
        };
        assert_eq!(env.default_root(), Some(PathBuf::from("/ws")));
        let env = Env {
            github_actions: None,
            ..env
        };
        assert_eq!(
            env.default_root(),
            find_go_mod_root(std::path::Path::new("/"))
        );
    }
}
