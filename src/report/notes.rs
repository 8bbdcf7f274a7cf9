//! Standard error at the end of the run: one line per input warning (`goleash: warning: INPUT:LINE:
//! message`), how many were not shown, and the baseline entries that no longer occur.

use crate::error::Error;
use crate::pipeline::Sink;
use crate::report::github::neutralise;
use crate::view::View;

/// The notes sink.
#[derive(Debug, Default)]
pub struct NotesSink {
    inert: bool,
}

impl NotesSink {
    /// A sink printing on standard error; `inert` neutralises what could act as a GitHub workflow
    /// command (the warnings quote the input).
    pub fn new(inert: bool) -> NotesSink {
        NotesSink { inert }
    }
}

impl Sink for NotesSink {
    fn run_done(&mut self, view: &View) -> Result<(), Error> {
        for w in &view.warnings {
            let line = format!("goleash: warning: {}:{}: {}", w.input, w.line, w.message);
            if self.inert {
                eprintln!("{}", neutralise(&line));
            } else {
                eprintln!("{line}");
            }
        }
        if view.warnings_dropped > 0 {
            eprintln!(
                "goleash: warning: {} more input problems not shown",
                view.warnings_dropped
            );
        }
        for stale in &view.baseline.stale {
            eprintln!(
                "goleash: baseline entry {stale} no longer occurs; remove it from the baseline"
            );
        }
        Ok(())
    }
}
