//! One failure: `FAIL   pkg.TestName  file:line` and, indented below, its first error line and leaks.

use super::style::{columns, guard_lines, paint, short_package, Options, Paint};
use crate::gotest;
use crate::model::FailureKind;
use crate::paths::Resolver;
use crate::text::{sanitize, truncate, wrap, Keep};
use crate::view::FailureEntry;

/// Where a failure is, as `file:line[:column]`.
pub(super) fn failure_at(f: &FailureEntry) -> Option<String> {
    let file = f.file.as_deref()?;
    Some(match (f.line, f.column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        (Some(l), None) => format!("{file}:{l}"),
        _ => file.to_string(),
    })
}

pub(super) fn failure_word(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::Build => "BUILD",
        FailureKind::Timeout => "TIMEOUT",
        FailureKind::Panic => "PANIC",
        FailureKind::Race => "RACE",
        FailureKind::Incomplete => "INCOMPLETE",
        FailureKind::Test | FailureKind::Package => "FAIL",
    }
}

/// One failure: `FAIL   pkg.TestName  file:line` and, indented below, its first error line and leaks.
pub fn render_failure(f: &FailureEntry, resolver: &Resolver, opts: &Options) -> String {
    let word = format!("{:<7}", failure_word(f.kind));
    let who = sanitize(&match &f.test {
        Some(t) => format!("{}.{t}", short_package(&f.package, resolver)),
        None => short_package(&f.package, resolver),
    })
    .into_owned();
    let at = failure_at(f).map(|a| sanitize(&a).into_owned());
    let mut head = format!(
        "{} {}",
        paint(&word, Paint::Red, opts.color),
        paint(&who, Paint::Bold, opts.color)
    );
    let head_cols = columns(&word) + 1 + columns(&who);
    let room = opts.width.saturating_sub(head_cols + 2);
    // The message keeps Go's `file.go:NN:` prefix unless the resolved location is shown instead.
    // A message's continuation lines (testify's block, a multi-line `t.Errorf`) are shown below it.
    let (first, rest) = f
        .message
        .trim()
        .split_once('\n')
        .unwrap_or((f.message.trim(), ""));
    let mut message = first.trim();
    if let Some(a) = at.as_ref().filter(|_| room >= 8) {
        head.push_str("  ");
        head.push_str(&paint(
            &truncate(a, room, Keep::End),
            Paint::Dim,
            opts.color,
        ));
        message = gotest::without_position(message);
    }
    let mut message = sanitize(message.trim_end_matches(':').trim()).into_owned();
    if !f.leaks.is_empty() {
        let ids: Vec<String> = f.leaks.iter().map(|i| sanitize(i).into_owned()).collect();
        let tail = format!(
            "({} {})",
            if ids.len() == 1 { "leak" } else { "leaks" },
            ids.join(", ")
        );
        message = if message.is_empty() {
            tail
        } else {
            format!("{message} {tail}")
        };
    }
    let indent = " ".repeat(8);
    let mut text = head;
    let width = opts.width.saturating_sub(indent.len()).max(20);
    for l in wrap(&message, width, 3) {
        text.push('\n');
        text.push_str(&indent);
        text.push_str(&l);
    }
    for line in rest.lines() {
        text.push('\n');
        if line.trim().is_empty() {
            continue;
        }
        text.push_str(&indent);
        text.push_str(&truncate(&sanitize(line.trim_end()), width, Keep::Start));
    }
    guard_lines(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_positions_are_stripped_from_messages() {
        assert_eq!(
            gotest::without_position("first_test.go:17: boom: x"),
            "boom: x"
        );
        assert_eq!(
            gotest::without_position("buildfail/util_test.go:7:11: undefined: x"),
            "undefined: x"
        );
        assert_eq!(
            gotest::without_position("panic: boom: x.go:3: y"),
            "panic: boom: x.go:3: y"
        );
        assert_eq!(gotest::without_position("x.go:1:2:3: y"), "x.go:1:2:3: y");
        assert_eq!(gotest::without_position("x.go:: y"), "x.go:: y");
        assert_eq!(gotest::without_position("test failed"), "test failed");
    }
}
