//! The terminal: one line per package as it finishes, then the leaks, the failures and the totals.

use std::io::{self, Write};

use crate::model::PackageResult;
use crate::report::json::Report;
use crate::{LiveSink, PackageDone};

/// Prints a line per finished package while the stream is still coming.
pub struct TerminalSink {
    enabled: bool,
    quiet: bool,
}

impl TerminalSink {
    /// A sink that prints when `enabled`; with `quiet`, only failing packages.
    pub fn new(enabled: bool, quiet: bool) -> TerminalSink {
        TerminalSink { enabled, quiet }
    }
}

/// The word for a package result.
pub fn result_word(r: PackageResult) -> &'static str {
    match r {
        PackageResult::Running => "RUN",
        PackageResult::Pass => "ok",
        PackageResult::Fail => "FAIL",
        PackageResult::Skip => "skip",
        PackageResult::BuildFail => "BUILD FAIL",
        PackageResult::Timeout => "TIMEOUT",
        PackageResult::Panic => "PANIC",
        PackageResult::Incomplete => "INCOMPLETE",
    }
}

/// The live line of one package.
pub fn package_line(done: &PackageDone) -> String {
    let p = done.package;
    let c = p.counts;
    let mut ids: Vec<&str> = done.findings.iter().map(|f| f.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut s = format!(
        "{:<10} {}  {} passed, {} failed, {} skipped",
        result_word(p.result),
        p.name,
        c.passed,
        c.failed,
        c.skipped
    );
    if let Some(e) = p.elapsed {
        s.push_str(&format!("  ({e:.2}s)"));
    }
    if !ids.is_empty() {
        s.push_str(&format!(
            "  {} leak{}",
            ids.len(),
            if ids.len() == 1 { "" } else { "s" }
        ));
    }
    s
}

impl LiveSink for TerminalSink {
    fn package_done(&mut self, done: &PackageDone) -> io::Result<()> {
        if !self.enabled {
            return Ok(());
        }
        let failing = !matches!(done.package.result, PackageResult::Pass | PackageResult::Skip)
            || !done.findings.is_empty();
        if self.quiet && !failing {
            return Ok(());
        }
        let mut out = io::stdout().lock();
        let r = writeln!(out, "{}", package_line(done)).and_then(|_| out.flush());
        match r {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.enabled = false;
                Ok(())
            }
            other => other,
        }
    }
}

/// The end of the run: leaks, failures, totals.
pub fn write_final(w: &mut dyn Write, report: &Report, _quiet: bool, _color: bool) -> io::Result<()> {
    if !report.leaks.is_empty() {
        writeln!(w)?;
    }
    for l in &report.leaks {
        let tests: std::collections::BTreeSet<String> = l
            .occurrences
            .iter()
            .filter_map(|o| o.test.as_ref().map(|t| format!("{}.{}", o.package, t)))
            .collect();
        writeln!(
            w,
            "leak {} [{}] {} goroutine{} blocked in {}{}",
            l.id,
            l.cause,
            l.goroutines,
            if l.goroutines == 1 { "" } else { "s" },
            l.state,
            if l.known { " (known, in baseline)" } else { "" }
        )?;
        if let Some(loc) = &l.location {
            writeln!(w, "  at {} ({}:{})", l.function, loc.file, loc.line)?;
        }
        if let Some(c) = &l.created_by {
            writeln!(w, "  created by {} ({}:{})", c.function, c.file, c.line)?;
        }
        if let Some(f) = &l.first_seen {
            writeln!(
                w,
                "  introduced by {}{}; seen by {} test{}",
                f.package,
                f.test.as_ref().map(|t| format!(".{t}")).unwrap_or_default(),
                tests.len(),
                if tests.len() == 1 { "" } else { "s" }
            )?;
        }
        writeln!(w, "  fix: {}", l.advice)?;
    }
    if !report.failures.is_empty() {
        writeln!(w)?;
    }
    for f in &report.failures {
        writeln!(
            w,
            "FAIL [{}] {}{}: {}",
            f.kind,
            f.package,
            f.test.as_ref().map(|t| format!(".{t}")).unwrap_or_default(),
            f.message
        )?;
    }
    let s = &report.summary;
    writeln!(
        w,
        "\n{} packages, {} tests: {} passed, {} failed, {} skipped; {} leaks ({} goroutines)",
        s.packages, s.tests, s.passed, s.failed, s.skipped, s.leaks, s.leaked_goroutines
    )
}
