//! How terminal output looks: the options (colour, width, quiet), ANSI paint, column counting, short
//! package names, and the guard that keeps any line from acting as a GitHub workflow command.

use std::borrow::Cow;
use std::io::{self, IsTerminal};

use crate::paths::Resolver;

/// Display width in columns (characters: every text here is made of narrow ones but for the odd symbol).
pub(super) fn columns(s: &str) -> usize {
    s.chars().count()
}

/// The width used when standard output is not a terminal and `COLUMNS` does not say otherwise.
pub const DEFAULT_WIDTH: usize = 100;

/// Narrower than this, output is laid out as if it were this wide.
pub const MIN_WIDTH: usize = 40;

/// When to colour the output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// When standard output is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always, even into a pipe or with `NO_COLOR` set.
    Always,
    /// Never.
    Never,
}

/// How terminal output looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Print only failures, leaks and the totals line (no lines for passing or skipped packages).
    pub quiet: bool,
    /// Use ANSI colours.
    pub color: bool,
    /// The width to fit, in columns.
    pub width: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            quiet: false,
            color: false,
            width: DEFAULT_WIDTH,
        }
    }
}

impl Options {
    /// The options for standard output: colour per `choice`, the value of `NO_COLOR` and whether it is
    /// a terminal; the terminal's width (else the value of `COLUMNS`, else [`DEFAULT_WIDTH`]).
    pub fn for_stdout(
        choice: ColorChoice,
        quiet: bool,
        no_color: Option<&std::ffi::OsStr>,
        columns: Option<&str>,
    ) -> Options {
        let stdout = io::stdout();
        let tty = stdout.is_terminal();
        let size = if tty {
            terminal_size::terminal_size_of(&stdout).map(|(w, _)| usize::from(w.0))
        } else {
            None
        };
        Options {
            quiet,
            color: use_color(choice, tty, no_color),
            width: width_for(size, columns),
        }
    }
}

/// Whether to colour: `always` and `never` say so; `auto` colours a terminal unless `NO_COLOR` is set to
/// a non-empty value.
pub fn use_color(
    choice: ColorChoice,
    is_terminal: bool,
    no_color: Option<&std::ffi::OsStr>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && no_color.is_none_or(|v| v.is_empty()),
    }
}

/// The width to fit: the terminal's when known, else a numeric `COLUMNS`, else [`DEFAULT_WIDTH`]; never
/// below [`MIN_WIDTH`].
pub fn width_for(terminal: Option<usize>, columns: Option<&str>) -> usize {
    terminal
        .filter(|w| *w > 0)
        .or_else(|| {
            columns
                .and_then(|c| c.trim().parse::<usize>().ok())
                .filter(|w| *w > 0)
        })
        .unwrap_or(DEFAULT_WIDTH)
        .max(MIN_WIDTH)
}

/// A line that would start (after blanks) with `::` gets a `| ` in front, so that no line written to
/// the terminal can act as a GitHub workflow command.
pub(super) fn guard_lines(text: &str) -> Cow<'_, str> {
    if !text.split('\n').any(|l| l.trim_start().starts_with("::")) {
        return Cow::Borrowed(text);
    }
    let lines: Vec<String> = text
        .split('\n')
        .map(|l| {
            if l.trim_start().starts_with("::") {
                format!("| {l}")
            } else {
                l.to_string()
            }
        })
        .collect();
    Cow::Owned(lines.join("\n"))
}

/// ANSI styles used outside miette's diagnostics.
#[derive(Clone, Copy)]
pub(super) enum Paint {
    Green,
    Red,
    Yellow,
    Dim,
    Bold,
}

pub(super) fn paint(s: &str, p: Paint, on: bool) -> String {
    if !on || s.is_empty() {
        return s.to_string();
    }
    let code = match p {
        Paint::Green => "32",
        Paint::Red => "1;31",
        Paint::Yellow => "33",
        Paint::Dim => "2",
        Paint::Bold => "1",
    };
    format!("\u{1b}[{code}m{s}\u{1b}[0m")
}

/// An import path as short as it can be said: relative to the module when it is in it.
pub(super) fn short_package(pkg: &str, resolver: &Resolver) -> String {
    let pkg = pkg.strip_suffix("_test").unwrap_or(pkg);
    if let Some(m) = &resolver.module {
        if pkg == m {
            return m.rsplit('/').next().unwrap_or(m).to_string();
        }
        if let Some(rest) = pkg
            .strip_prefix(m.as_str())
            .and_then(|r| r.strip_prefix('/'))
        {
            return rest.to_string();
        }
    }
    pkg.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_starting_with_a_workflow_command_are_guarded() {
        assert_eq!(guard_lines("a\n  ::error::x\nb"), "a\n|   ::error::x\nb");
        assert_eq!(guard_lines("a :: b"), "a :: b");
    }
}
