//! The terminal: one line per package as it finishes, then the leaks, the failures and the totals.
//!
//! While the stream is still coming, [`TerminalSink`] prints one line per finished package (result, test
//! counts, duration, leaks found) and flushes it at once. At the end [`write_final`] renders every leak
//! group as a [miette] diagnostic — its id and cause, the line of source it is blocked on and the `go`
//! statement that started it when the source is under `--root` (the stack otherwise), the tests that
//! saw it and the fix — then the failures, then one totals line.
//!
//! | file | job |
//! | --- | --- |
//! | `style.rs` | options (colour, width, quiet), paint, the workflow-command guard |
//! | `live.rs` | the line of each finished package |
//! | `leak.rs` | each leak group as a miette diagnostic with its source lines |
//! | `failure.rs` | each failure with its location and first error line |
//! | `totals.rs` | the totals line |
//!
//! Everything a test printed (names, messages, stack paths) and every line of source shown is made
//! inert first ([`crate::text::sanitize`]): no control character reaches the terminal, so test output cannot move
//! the cursor, change colours or hide text, and no line this module writes starts with `::` (a GitHub
//! workflow command).

mod failure;
mod leak;
mod live;
mod style;
mod totals;

use std::io::{self, Write};

pub use failure::render_failure;
pub use leak::render_leak;
pub use live::{package_line, result_word};
pub use style::{use_color, width_for, ColorChoice, Options, DEFAULT_WIDTH, MIN_WIDTH};
pub use totals::totals_line;

use crate::error::{ignore_broken_pipe, Error};
use crate::model::PackageResult;
use crate::paths::Resolver;
use crate::pipeline::{PackageDone, Sink};
use crate::text::{plural, sanitize};
use crate::view::View;
use style::{guard_lines, paint, short_package, Paint};

/// Prints a line per finished package while the stream is still coming, flushing each line, and the
/// final report ([`write_final`]) at the end of the run.
pub struct TerminalSink {
    out: Box<dyn Write>,
    enabled: bool,
    live: bool,
    opts: Options,
    resolver: Resolver,
}

impl TerminalSink {
    /// A sink printing to standard output when `enabled` (not when standard output carries the JSON
    /// report); with `opts.quiet`, only packages that failed or leaked. `resolver` shortens package names.
    pub fn new(enabled: bool, opts: Options, resolver: Resolver) -> TerminalSink {
        TerminalSink::with_writer(Box::new(io::stdout()), enabled, opts, resolver)
    }

    /// A sink printing to any writer (tests read what it wrote).
    pub fn with_writer(
        out: Box<dyn Write>,
        enabled: bool,
        opts: Options,
        resolver: Resolver,
    ) -> TerminalSink {
        TerminalSink {
            out,
            enabled,
            live: enabled,
            opts,
            resolver,
        }
    }
}

impl Sink for TerminalSink {
    fn run_done(&mut self, view: &View) -> Result<(), Error> {
        if !self.enabled {
            return Ok(());
        }
        let r = write_final(&mut self.out, view, &self.resolver, &self.opts);
        Ok(ignore_broken_pipe(r)?)
    }

    fn package_done(&mut self, done: &PackageDone) -> Result<(), Error> {
        if !self.live {
            return Ok(());
        }
        let failing = !matches!(
            done.package.result,
            PackageResult::Pass | PackageResult::Skip
        ) || !done.findings.is_empty();
        if self.opts.quiet && !failing {
            return Ok(());
        }
        let line = package_line(done, &self.opts);
        let r = writeln!(self.out, "{}", guard_lines(&line)).and_then(|_| self.out.flush());
        match r {
            // A closed reader (`| head`) stops the live lines, not the run.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.live = false;
                Ok(())
            }
            other => Ok(other?),
        }
    }
}

/// The end of the run: every leak group, then every failure, then the totals line.
pub fn write_final(
    w: &mut dyn Write,
    report: &View,
    resolver: &Resolver,
    opts: &Options,
) -> io::Result<()> {
    if !report.leaks.is_empty() {
        let n = report.leaks.len();
        writeln!(w)?;
        writeln!(
            w,
            "{}",
            paint(&plural(n, "leak", "leaks"), Paint::Bold, opts.color)
        )?;
        for l in &report.leaks {
            writeln!(w)?;
            writeln!(w, "{}", render_leak(l, &report.sources, resolver, opts))?;
        }
    }
    if !report.failures.is_empty() {
        let n = report.failures.len();
        writeln!(w)?;
        writeln!(
            w,
            "{}",
            paint(&plural(n, "failure", "failures"), Paint::Bold, opts.color)
        )?;
        writeln!(w)?;
        for f in &report.failures {
            writeln!(w, "{}", render_failure(f, resolver, opts))?;
        }
    }
    if !report.flaky.is_empty() {
        let n = report.flaky.len();
        writeln!(w)?;
        writeln!(
            w,
            "{}",
            paint(
                &format!(
                    "{} (failed, then passed on a rerun)",
                    plural(n, "flaky test", "flaky tests")
                ),
                Paint::Bold,
                opts.color
            )
        )?;
        writeln!(w)?;
        for f in &report.flaky {
            let who = match &f.test {
                Some(t) => format!("{}.{t}", short_package(&f.package, resolver)),
                None => format!(
                    "{} (package-level failure)",
                    short_package(&f.package, resolver)
                ),
            };
            writeln!(
                w,
                "{} {}  {}",
                paint("FLAKY  ", Paint::Yellow, opts.color),
                paint(&sanitize(&who), Paint::Bold, opts.color),
                paint(
                    &plural(f.attempts, "attempt", "attempts"),
                    Paint::Dim,
                    opts.color
                )
            )?;
        }
    }
    if !report.detector_failures.is_empty() {
        let n = report.detector_failures.len();
        writeln!(w)?;
        writeln!(
            w,
            "{}",
            paint(
                &format!(
                    "{} (the leaks are read from the dump it printed)",
                    plural(n, "leak detector failed", "leak detectors failed")
                ),
                Paint::Bold,
                opts.color
            )
        )?;
        writeln!(w)?;
        for d in &report.detector_failures {
            let pkg = short_package(&d.package, resolver);
            let who = match &d.test {
                Some(t) => format!("{pkg}.{t}"),
                None => format!("package {pkg}"),
            };
            let leaks = if d.leaks.is_empty() {
                "no leak in its dump".to_string()
            } else {
                format!(
                    "{} {}",
                    if d.leaks.len() == 1 { "leak" } else { "leaks" },
                    d.leaks.join(", ")
                )
            };
            writeln!(
                w,
                "{} {}  {}: {}  {}",
                paint("DETECTOR FAILED", Paint::Red, opts.color),
                paint(&sanitize(&who), Paint::Bold, opts.color),
                d.detector.as_str(),
                sanitize(&d.message),
                paint(&leaks, Paint::Dim, opts.color)
            )?;
        }
    }
    writeln!(w)?;
    writeln!(w, "{}", totals_line(report, opts))?;
    w.flush()
}
