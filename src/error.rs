//! goleash's own errors: what stops it from doing its job (exit status 2), each naming what it concerns.
//!
//! Bad *content* in the input is never an [`Error`]: it is a warning in the report. An [`Error`] is an
//! input that cannot be read, an output that cannot be written, a command that cannot be started. Each
//! is a [`miette::Diagnostic`] with a code (`goleash::input`, `goleash::output`, …); [`render`] prints it the way goleash always has
//! (`goleash: PATH: reason`, then any help line).

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

/// An error that stops goleash from doing its job.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file that cannot be opened or read.
    #[error("{}: {source}", path.display())]
    Input {
        /// The input.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// An output path that cannot be written (checked before anything is read, and when writing).
    #[error("{}: {source}", path.display())]
    Output {
        /// The output.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A command after `--` that cannot be started or waited for.
    #[error("cannot run `{command}`: {source}")]
    Command {
        /// The command as a person would type it.
        command: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The command after `--` started, but waiting for it failed.
    #[error("waiting for `{command}`: {source}")]
    Wait {
        /// The command as a person would type it.
        command: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Anything else that went wrong with standard input or output, or an input problem that names
    /// no path (its message says what).
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl miette::Diagnostic for Error {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let code = match self {
            Error::Input { .. } => "goleash::input",
            Error::Output { .. } => "goleash::output",
            Error::Command { .. } | Error::Wait { .. } => "goleash::command",
            Error::Io(_) => "goleash::io",
        };
        Some(Box::new(code))
    }
}

impl Error {
    /// An input error naming `path`.
    pub fn input(path: &Path, source: io::Error) -> Error {
        Error::Input {
            path: path.to_path_buf(),
            source,
        }
    }

    /// An output error naming `path`.
    pub fn output(path: &Path, source: io::Error) -> Error {
        Error::Output {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The kind of the underlying I/O error.
    pub fn kind(&self) -> io::ErrorKind {
        match self {
            Error::Input { source, .. }
            | Error::Output { source, .. }
            | Error::Command { source, .. }
            | Error::Wait { source, .. }
            | Error::Io(source) => source.kind(),
        }
    }

    /// True for a closed reader of standard output (`| head`): the run ends quietly.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// `Ok` for a closed standard output (`| head`): nobody reads any more, which is not an error.
pub fn ignore_broken_pipe(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// A diagnostic as goleash prints it on standard error: `goleash: MESSAGE` and, when it has one, an
/// indented `help:` line.
pub fn render(d: &dyn miette::Diagnostic) -> String {
    let mut s = format!("goleash: {d}\n");
    if let Some(help) = d.help() {
        let _ = writeln!(s, "  help: {help}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_their_path_and_keep_the_kind() {
        let e = Error::output(
            Path::new("no/such/out"),
            io::Error::from(io::ErrorKind::NotFound),
        );
        assert_eq!(e.to_string(), "no/such/out: entity not found");
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert_eq!(render(&e), "goleash: no/such/out: entity not found\n");
        let code = miette::Diagnostic::code(&e).map(|c| c.to_string());
        assert_eq!(code.as_deref(), Some("goleash::output"));
    }
}
