//! The totals line at the end of the run.

use super::style::{paint, Options, Paint};
use crate::text::plural;
use crate::view::View;

/// The totals line: `26 packages, 44 tests: 17 passed, 26 failed, 1 skipped; 21 leaks (29 goroutines)`.
pub fn totals_line(report: &View, opts: &Options) -> String {
    let s = &report.summary;
    let c = opts.color;
    let passed = format!("{} passed", s.passed);
    let failed = format!("{} failed", s.failed);
    let leaks = format!(
        "{} ({})",
        plural(s.leaks, "leak", "leaks"),
        plural(s.leaked_goroutines, "goroutine", "goroutines")
    );
    let known = report.leaks.iter().filter(|l| l.known).count();
    let new_leaks = s.leaks - known.min(s.leaks);
    let mut line = format!(
        "{}, {}: {}, {}, {} skipped; {}",
        plural(s.packages, "package", "packages"),
        plural(s.tests, "test", "tests"),
        paint(&passed, Paint::Green, c && s.passed > 0),
        paint(&failed, Paint::Red, c && s.failed > 0),
        s.skipped,
        paint(
            &leaks,
            if new_leaks > 0 {
                Paint::Red
            } else {
                Paint::Yellow
            },
            c && s.leaks > 0
        ),
    );
    if known > 0 {
        line.push_str(&format!(", {known} known"));
    }
    line
}
