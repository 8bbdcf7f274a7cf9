//! `--json`: writes the view ([`crate::view::View`], whose `Serialize` is the contract) as pretty JSON,
//! to a file (atomically) or to standard output.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::error::{ignore_broken_pipe, Error};
use crate::outfile::write_atomic;
use crate::pipeline::Sink;
use crate::report::github::neutralise_json;
use crate::view::View;

/// Writes the view as pretty JSON and a final newline.
pub fn write(w: &mut dyn Write, view: &View) -> io::Result<()> {
    // `From` keeps an I/O error's kind (a closed stdout stays a broken pipe).
    serde_json::to_writer_pretty(&mut *w, view).map_err(io::Error::from)?;
    w.write_all(b"\n")
}

/// Where the JSON report goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file, written atomically.
    File(PathBuf),
    /// Standard output (`--json -`); `inert` makes it unable to act as a GitHub workflow command.
    Stdout {
        /// Escape `##[` (GitHub's legacy command form) without changing the JSON's value.
        inert: bool,
    },
}

/// The `--json` sink.
#[derive(Debug)]
pub struct JsonSink {
    target: Target,
}

impl JsonSink {
    /// A sink writing to `target` at the end of the run.
    pub fn new(target: Target) -> JsonSink {
        JsonSink { target }
    }
}

impl Sink for JsonSink {
    fn run_done(&mut self, view: &View) -> Result<(), Error> {
        match &self.target {
            Target::File(p) => write_atomic(p, |w| write(w, view)),
            Target::Stdout { inert: true } => {
                let mut buf = Vec::new();
                write(&mut buf, view)?;
                let text = String::from_utf8_lossy(&buf);
                let mut out = io::stdout().lock();
                Ok(ignore_broken_pipe(
                    out.write_all(neutralise_json(&text).as_bytes()),
                )?)
            }
            Target::Stdout { inert: false } => {
                Ok(ignore_broken_pipe(write(&mut io::stdout().lock(), view))?)
            }
        }
    }
}
