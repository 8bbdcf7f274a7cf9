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
        let b = &view.baseline;
        let accounted = |id: &String| b.fixed.iter().chain(&b.not_run).any(|f| &f.id == id);
        for stale in b.stale.iter().filter(|id| !accounted(id)) {
            eprintln!(
                "goleash: baseline entry {stale} no longer occurs; remove it from the baseline"
            );
        }
        let who = |r: &crate::view::TestRef| match &r.test {
            Some(t) => format!("{}.{t}", r.package),
            None => format!("{} (package-level failure)", r.package),
        };
        let mut lines = Vec::new();
        for id in &b.new {
            lines.push(format!("goleash: new since the baseline: leak {id}"));
        }
        for id in &b.known {
            lines.push(format!(
                "goleash: still there since the baseline: leak {id}"
            ));
        }
        for f in &b.fixed {
            lines.push(format!(
                "goleash: fixed since the baseline: leak {} ({})",
                f.id, f.function
            ));
        }
        for f in &b.not_run {
            lines.push(format!(
                "goleash: baseline leak {} ({}) not checked: no package it occurred in ran",
                f.id, f.function
            ));
        }
        for r in &b.new_failures {
            lines.push(format!(
                "goleash: new failure since the baseline: {}",
                who(r)
            ));
        }
        for r in &b.still_failing {
            lines.push(format!(
                "goleash: still failing since the baseline: {}",
                who(r)
            ));
        }
        for r in &b.fixed_failures {
            lines.push(format!(
                "goleash: fixed failure since the baseline: {}",
                who(r)
            ));
        }
        // Only for a JSON report as baseline (an id list only marks leaks known).
        if b.from_report {
            for line in lines {
                if self.inert {
                    eprintln!("{}", neutralise(&line));
                } else {
                    eprintln!("{line}");
                }
            }
        }
        Ok(())
    }
}
