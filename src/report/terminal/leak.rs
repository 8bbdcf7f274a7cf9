//! One leak group as a [miette] diagnostic: its id and cause, the line of source it is blocked on and
//! the `go` statement that started it when the source is under `--root` (the stack otherwise), the tests
//! that saw it and the fix.

use std::collections::HashMap;
use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, Severity, SourceCode, SourceSpan, SpanContents,
};

use super::style::{guard_lines, short_package, Options};
use crate::dump::{Frame, Source};
use crate::paths::Resolver;
use crate::text::{plural, sanitize, sanitize_source};
use crate::view::{LeakEntry, OccurrenceEntry, SourceTexts};

/// At most this many frames are listed for a leak whose source is not at hand.
pub(super) const MAX_FRAMES: usize = 12;

/// At most this many tests are named per line of a leak.
pub(super) const MAX_TESTS: usize = 8;

/// Source files shown in one diagnostic, laid end to end so that one miette `SourceCode` can serve
/// labels in several files; each span reads back with its own file's name and line numbers.
#[derive(Debug, Default)]
pub(super) struct Sources {
    /// `(name, text, offset of the text's first byte)`.
    files: Vec<(String, String, usize)>,
}

impl Sources {
    /// The offset of the file's text, adding it when new.
    fn add(&mut self, name: &str, text: String) -> usize {
        if let Some((_, _, base)) = self.files.iter().find(|(n, _, _)| n == name) {
            return *base;
        }
        // One byte of gap: no span can run from one file into the next.
        let base = self.files.last().map_or(0, |(_, t, b)| b + t.len() + 1);
        self.files.push((name.to_string(), text, base));
        base
    }

    fn text(&self, name: &str) -> Option<(&str, usize)> {
        self.files
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, t, b)| (t.as_str(), *b))
    }
}

impl SourceCode for Sources {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (name, text, base) = self
            .files
            .iter()
            .find(|(_, t, b)| *b <= span.offset() && span.offset() + span.len() <= b + t.len())
            .ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new((span.offset() - base).into(), span.len());
        let c = text.as_str().read_span(&local, before, after)?;
        let global = SourceSpan::new((c.span().offset() + base).into(), c.span().len());
        Ok(Box::new(MietteSpanContents::new_named(
            name.clone(),
            c.data(),
            global,
            c.line(),
            c.column(),
            c.line_count(),
        )))
    }
}

/// The byte range of a line's code: from its first non-blank character to the end of the code, without a
/// trailing `//` comment. `None` when the line does not exist or holds no code.
pub(super) fn code_span(text: &str, line: u32) -> Option<(usize, usize)> {
    let idx = usize::try_from(line).ok()?.checked_sub(1)?;
    let mut start = 0usize;
    for (i, l) in text.split('\n').enumerate() {
        if i == idx {
            let code = strip_comment(l);
            let trimmed_start = code.len() - code.trim_start().len();
            let code = code.trim();
            if code.is_empty() {
                return None;
            }
            return Some((start + trimmed_start, code.len()));
        }
        start += l.len() + 1;
    }
    None
}

/// A Go line without its trailing `//` comment (string, rune and raw-string literals are skipped).
pub(super) fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == b'\\' && q != b'`' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => {
                if c == b'"' || c == b'\'' || c == b'`' {
                    quote = Some(c);
                } else if c == b'/' && b.get(i + 1) == Some(&b'/') {
                    return &line[..i];
                }
            }
        }
        i += 1;
    }
    line
}

/// The label under the line a goroutine is blocked on.
pub(super) fn blocked_label(state: &str) -> String {
    match state {
        "running" | "runnable" => "still running here".to_string(),
        "sleep" => "sleeping here".to_string(),
        "IO wait" => "waiting for I/O here".to_string(),
        "select" => "blocked in select here".to_string(),
        "select (no cases)" => "blocked in an empty select here".to_string(),
        s => format!("blocked on {} here", sanitize(s)),
    }
}

/// What the goroutines are doing, for the title: "blocked on chan send", "still running".
pub(super) fn state_phrase(state: &str) -> String {
    match state {
        "running" | "runnable" => "still running".to_string(),
        "sleep" => "sleeping".to_string(),
        "IO wait" => "waiting for I/O".to_string(),
        "select" => "blocked in select".to_string(),
        "" => "leaked".to_string(),
        s => format!("blocked on {}", sanitize(s)),
    }
}

/// `pkg.TestName` for a test, `package pkg` for a package-level report.
pub(super) fn test_name(o: &OccurrenceEntry, resolver: &Resolver) -> String {
    if o.package.is_empty() {
        return "a goroutine dump".to_string();
    }
    let pkg = short_package(&o.package, resolver);
    match &o.test {
        Some(t) => sanitize(&format!("{pkg}.{t}")).into_owned(),
        None => sanitize(&format!("package {pkg}")).into_owned(),
    }
}

/// How a report source found a leak, in words.
pub(super) fn found_by(source: Source) -> &'static str {
    match source {
        Source::Goleak => "found by goleak",
        Source::GoleakMain => "found by goleak.VerifyTestMain",
        Source::Synctest => "found by synctest",
        Source::Timeout => "found in the timeout's goroutine dump",
        Source::Panic => "found in the panic's goroutine dump",
        Source::Dump => "found in a goroutine dump",
        Source::Leaktest => "found by leaktest",
        Source::Gleak => "found by gleak",
        Source::Testify => "found by testify's NoGoRoutineLeak",
        Source::Leakcheck => "found by a leak check",
        Source::FatalDeadlock => "found in the global deadlock's goroutine dump",
        Source::DetectorFailed => "found in the dump of a leak detector that crashed",
    }
}

pub(super) fn name_list(names: &[String]) -> String {
    if names.len() <= MAX_TESTS {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..MAX_TESTS].join(", "),
        names.len() - MAX_TESTS
    )
}

/// One leak group as a miette diagnostic.
#[derive(Debug)]
pub(super) struct LeakDiagnostic {
    message: String,
    help: Option<String>,
    sources: Sources,
    labels: Vec<LabeledSpan>,
    severity: Severity,
}

impl fmt::Display for LeakDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LeakDiagnostic {}

impl Diagnostic for LeakDiagnostic {
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        (!self.labels.is_empty()).then_some(&self.sources as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = _>>)
    }
}

/// The source file of a frame under the root, from the view's texts: `(display name, sanitized text)`.
pub(super) fn load_source(
    function: &str,
    file: &str,
    line: u32,
    texts: &SourceTexts,
    resolver: &Resolver,
) -> Option<(String, String)> {
    let frame = Frame {
        function: function.to_string(),
        file: file.to_string(),
        line,
        ..Frame::default()
    };
    let text = texts.get(&(function.to_string(), file.to_string()))?;
    Some((
        sanitize(&resolver.display_path(&frame)).into_owned(),
        sanitize_source(text),
    ))
}

/// Adds a label on a line of a file under the root; false when there is no such source or line.
pub(super) fn label_line(
    d: &mut LeakDiagnostic,
    (function, file, line): (&str, &str, u32),
    label: String,
    primary: bool,
    texts: &SourceTexts,
    resolver: &Resolver,
) -> bool {
    let name = sanitize(&resolver.display_path(&Frame {
        function: function.to_string(),
        file: file.to_string(),
        line,
        ..Frame::default()
    }))
    .into_owned();
    let (text, base) = match d.sources.text(&name) {
        Some((t, b)) => (t.to_string(), b),
        None => match load_source(function, file, line, texts, resolver) {
            Some((n, t)) => {
                let base = d.sources.add(&n, t.clone());
                (t, base)
            }
            None => return false,
        },
    };
    let Some((start, len)) = code_span(&text, line) else {
        return false;
    };
    let span = SourceSpan::new((base + start).into(), len);
    d.labels.push(if primary {
        LabeledSpan::new_primary_with_span(Some(label), span)
    } else {
        LabeledSpan::new_with_span(Some(label), span)
    });
    true
}

/// Builds the diagnostic of one leak group.
pub(super) fn leak_diagnostic(
    l: &LeakEntry,
    texts: &SourceTexts,
    resolver: &Resolver,
) -> LeakDiagnostic {
    let mut d = LeakDiagnostic {
        message: String::new(),
        help: (!l.advice.is_empty()).then(|| sanitize(&l.advice).into_owned()),
        sources: Sources::default(),
        labels: Vec::new(),
        severity: if l.known {
            Severity::Warning
        } else {
            Severity::Error
        },
    };
    // The blocking line: the location's frame, found again in the stack for its function.
    let loc_frame = l.location.as_ref().and_then(|loc| {
        l.stack
            .iter()
            .find(|f| f.file == loc.file && f.line == loc.line)
            .map(|f| (f.function.as_str(), f.file.as_str(), f.line))
    });
    let shown_location = loc_frame
        .is_some_and(|f| label_line(&mut d, f, blocked_label(&l.state), true, texts, resolver));
    let shown_creator = shown_location
        && l.created_by.as_ref().is_some_and(|c| {
            label_line(
                &mut d,
                (c.function.as_str(), c.file.as_str(), c.line),
                "started here".to_string(),
                false,
                texts,
                resolver,
            )
        });

    let mut lines: Vec<String> = Vec::new();
    let mut title = format!(
        "leak {} · {}: {} {}",
        sanitize(&l.id),
        sanitize(&l.cause.to_string()),
        plural(l.goroutines, "goroutine", "goroutines"),
        state_phrase(&l.state)
    );
    if l.known {
        title.push_str(" (known, in the baseline)");
    }
    lines.push(title);
    lines.push(format!("in {}", sanitize(&l.function)));
    if let Some(c) = &l.created_by {
        if shown_creator {
            lines.push(format!("started by {}", sanitize(&c.function)));
        } else {
            lines.push(format!(
                "started by {} at {}:{}",
                sanitize(&c.function),
                sanitize(&c.file),
                c.line
            ));
        }
    }
    // The tests that saw it, in first-seen order: those that introduced it, those that only inherited
    // it. A hash index, not a search of the list: a group seen by every test of a long stream has
    // hundreds of thousands of occurrences.
    let mut per_test: Vec<(String, bool)> = Vec::new();
    let mut position: HashMap<String, usize> = HashMap::new();
    for o in &l.occurrences {
        let name = test_name(o, resolver);
        match position.get(&name) {
            Some(&i) => per_test[i].1 |= !o.inherited,
            None => {
                position.insert(name.clone(), per_test.len());
                per_test.push((name, !o.inherited));
            }
        }
    }
    let introduced: Vec<String> = per_test
        .iter()
        .filter(|(_, i)| *i)
        .map(|(n, _)| n.clone())
        .collect();
    let inherited: Vec<String> = per_test
        .iter()
        .filter(|(_, i)| !*i)
        .map(|(n, _)| n.clone())
        .collect();
    let mut found: Vec<&str> = Vec::new();
    for s in l
        .sources
        .iter()
        .copied()
        .chain(l.occurrences.iter().map(|o| o.source))
    {
        let phrase = found_by(s);
        if !found.contains(&phrase) {
            found.push(phrase);
        }
    }
    let found = found.join(", ");
    if introduced.is_empty() {
        lines.push(found);
    } else {
        lines.push(format!(
            "introduced by {} ({found})",
            name_list(&introduced)
        ));
    }
    if !inherited.is_empty() {
        lines.push(format!("inherited by {}", name_list(&inherited)));
    }
    if !shown_location {
        lines.push("stack:".to_string());
        let start = l
            .stack
            .iter()
            .position(|f| !crate::leak::is_machinery(&f.function))
            .unwrap_or(0);
        let frames = &l.stack[start..];
        for f in frames.iter().take(MAX_FRAMES) {
            lines.push(format!(
                "  {}  {}:{}",
                sanitize(&f.function),
                sanitize(&f.file),
                f.line
            ));
        }
        if frames.len() > MAX_FRAMES {
            lines.push(format!(
                "  … {}",
                plural(frames.len() - MAX_FRAMES, "more frame", "more frames")
            ));
        }
    }
    d.message = lines.join("\n");
    d
}

/// Renders one leak group (a miette diagnostic, colour and width per `opts`).
pub fn render_leak(
    l: &LeakEntry,
    texts: &SourceTexts,
    resolver: &Resolver,
    opts: &Options,
) -> String {
    let d = leak_diagnostic(l, texts, resolver);
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false)
        .with_context_lines(1)
        .tab_width(4);
    let mut out = String::new();
    if handler.render_report(&mut out, &d).is_err() {
        out = d.message.clone();
    }
    let trimmed = out.trim_end_matches('\n');
    guard_lines(trimmed).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_span_skips_indentation_and_comment() {
        let text = "package x\n\n\tgo func() { // start\n\t\tch <- \"a // b\" // LEAK\n}\n";
        assert_eq!(code_span(text, 3), Some((12, 11)));
        assert_eq!(&text[12..23], "go func() {");
        let (s, n) = code_span(text, 4).unwrap();
        assert_eq!(&text[s..s + n], "ch <- \"a // b\"");
        assert_eq!(code_span(text, 2), None);
        assert_eq!(code_span(text, 0), None);
        assert_eq!(code_span(text, 99), None);
    }

    #[test]
    fn comments_are_stripped_outside_literals() {
        assert_eq!(strip_comment("x := 1 // c"), "x := 1 ");
        assert_eq!(strip_comment("s := `//` + '/' // c"), "s := `//` + '/' ");
        assert_eq!(strip_comment(r#"s := "\"//" // c"#), r#"s := "\"//" "#);
        assert_eq!(strip_comment("// only"), "");
        assert_eq!(strip_comment("a / b"), "a / b");
    }

    #[test]
    fn sources_read_back_each_file_with_its_name() {
        let mut s = Sources::default();
        let a = s.add("a.go", "one\ntwo\n".to_string());
        let b = s.add("b.go", "three\nfour\n".to_string());
        assert_eq!((a, b), (0, 9));
        assert_eq!(s.add("a.go", String::new()), 0);
        let c = s
            .read_span(&SourceSpan::new((b + 6).into(), 4), 0, 0)
            .unwrap();
        assert_eq!(c.name(), Some("b.go"));
        assert_eq!(c.line(), 1);
        assert_eq!(c.data(), b"four");
        assert_eq!(c.span().offset(), b + 6);
        // A span across two files reads nothing.
        assert!(s.read_span(&SourceSpan::new(4.into(), 8), 0, 0).is_err());
    }
}
