//! The live line of each finished package: `FAIL   example.com/x/fetch  3 failed  1.38s  1 leak`.

use super::style::{columns, paint, Options, Paint};
use crate::model::PackageResult;
use crate::pipeline::PackageDone;
use crate::text::{plural, sanitize, truncate, Keep};

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

pub(super) fn result_paint(r: PackageResult) -> Paint {
    match r {
        PackageResult::Pass => Paint::Green,
        PackageResult::Skip | PackageResult::Running => Paint::Yellow,
        _ => Paint::Red,
    }
}

/// "5 passed, 3 failed, 1 skipped" without the zero parts; "no test files" / "no tests" when there are
/// none.
pub(super) fn counts_text(p: &crate::model::Package) -> String {
    let c = p.counts;
    let build_failed = p.failed_build.is_some();
    let no_test_files = p.no_test_files;
    // A package is skipped as a whole only when it has no test files.
    let skipped_package = p.result == PackageResult::Skip;
    let mut parts = Vec::new();
    if c.passed > 0 {
        parts.push(format!("{} passed", c.passed));
    }
    if c.failed > 0 && !(build_failed && c.tests == c.failed && c.failed == 1) {
        parts.push(format!("{} failed", c.failed));
    }
    if c.skipped > 0 {
        parts.push(format!("{} skipped", c.skipped));
    }
    if parts.is_empty() {
        return if build_failed {
            "build failed".to_string()
        } else if no_test_files || skipped_package {
            "no test files".to_string()
        } else {
            "no tests".to_string()
        };
    }
    parts.join(", ")
}

/// The live line of one package, fitted to `opts.width`:
/// `FAIL   example.com/x/fetch  3 failed  1.38s  1 leak`.
pub fn package_line(done: &PackageDone, opts: &Options) -> String {
    let p = done.package;
    let mut ids: Vec<&str> = done.findings.iter().map(|f| f.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let word = result_word(p.result);
    let counts = counts_text(p);
    let time = if p.cached {
        "(cached)".to_string()
    } else {
        p.elapsed.map(|e| format!("{e:.2}s")).unwrap_or_default()
    };
    let leaks = if ids.is_empty() {
        String::new()
    } else {
        plural(ids.len(), "leak", "leaks")
    };
    let name = sanitize(&p.name);
    // Plain widths decide the layout; colours are added afterwards.
    let word_col = format!("{word:<7}");
    let fixed = columns(&word_col)
        + 1
        + [&counts, &time, &leaks]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| 2 + columns(s))
            .sum::<usize>();
    let name = truncate(&name, opts.width.saturating_sub(fixed).max(12), Keep::End);
    let c = opts.color;
    let mut s = format!("{} {}", paint(&word_col, result_paint(p.result), c), name);
    s.push_str("  ");
    s.push_str(&counts);
    if !time.is_empty() {
        s.push_str("  ");
        s.push_str(&paint(&time, Paint::Dim, c));
    }
    if !leaks.is_empty() {
        s.push_str("  ");
        s.push_str(&paint(&leaks, Paint::Red, c));
    }
    s
}
