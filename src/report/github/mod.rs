//! GitHub Actions workflow commands: one annotation per leak group (at the leak's line) and per failing
//! test that reported no leak (at its failing line), escaped exactly as the runner parses them, ranked
//! and capped to what the runner shows; and the means to keep test output that goleash echoes from ever
//! acting as a workflow command.
//!
//! How the runner reads a line (actions/runner `ActionCommand`): after trimming leading white space, a
//! line that starts with `::` and has a second `::` is a command (`::name props::data`); the legacy form
//! `##[name props]data` is a command *anywhere* in a line. Lines are split on `\n`, `\r\n` and a lone
//! `\r`. `::stop-commands::TOKEN` makes the runner ignore every command until `::TOKEN::`.
//!
//! | file | job |
//! | --- | --- |
//! | `annotation.rs` | the annotations of a view: anchor, level, text, rank, caps |
//! | `command.rs` | their escaping as workflow commands |
//! | `inert.rs` | `::stop-commands::` and neutralising echoed output |
//!
//! Everything here works on the view and returns plain data or strings; only the `write_*` functions
//! and [`AnnotationsSink`] do output.

mod annotation;
mod command;
mod inert;

use std::io;

pub use annotation::{
    annotations, cap, leak_anchor, reach_phrase, repo_path, repo_prefix, tests_of, who, Annotation,
    Capped, Context, Level, Policy, Subject, MESSAGE_LIMIT, PER_JOB_CAP, PER_LEVEL_CAP,
    TITLE_LIMIT,
};
pub use command::{command_line, escape_data, escape_property, write_commands};
pub use inert::{is_dotnet_space, neutralise, neutralise_json, stop_token, StopCommands};

use crate::error::{ignore_broken_pipe, Error};
use crate::pipeline::Sink;
use crate::view::View;

/// When to print workflow commands (`--github`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// When `GITHUB_ACTIONS=true`.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Mode {
    /// Whether commands are printed, given the value of `GITHUB_ACTIONS`.
    pub fn active(self, github_actions: Option<&str>) -> bool {
        match self {
            Mode::Auto => github_actions == Some("true"),
            Mode::Always => true,
            Mode::Never => false,
        }
    }
}

/// The GitHub annotations sink: at the end of the run, ends the inert stretch of standard output (when
/// one was started) and prints the capped annotations as workflow commands.
#[derive(Debug)]
pub struct AnnotationsSink {
    stop: Option<StopCommands>,
    to_stderr: bool,
    context: Context,
}

impl AnnotationsSink {
    /// A sink that ends `stop` (started before the input was read) and, when `context.annotate`,
    /// prints the annotations on standard output, or on standard error when standard output carries the
    /// JSON report (`to_stderr`).
    pub fn new(stop: Option<StopCommands>, to_stderr: bool, context: Context) -> AnnotationsSink {
        AnnotationsSink {
            stop,
            to_stderr,
            context,
        }
    }
}

impl Sink for AnnotationsSink {
    fn run_done(&mut self, view: &View) -> Result<(), Error> {
        if let Some(s) = self.stop.as_mut() {
            ignore_broken_pipe(s.end(&mut io::stdout().lock()))?;
        }
        if self.context.annotate {
            let capped = cap(&self.context.annotations(view));
            let r = if self.to_stderr {
                write_commands(&mut io::stderr().lock(), &capped)
            } else {
                write_commands(&mut io::stdout().lock(), &capped)
            };
            ignore_broken_pipe(r)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_auto_follows_github_actions() {
        assert!(Mode::Auto.active(Some("true")));
        assert!(!Mode::Auto.active(Some("false")));
        assert!(!Mode::Auto.active(None));
        assert!(Mode::Always.active(None));
        assert!(!Mode::Never.active(Some("true")));
    }
}
