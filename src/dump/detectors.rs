//! Leak reports of other detectors than goleak, as they print them (captured in
//! `fixtures/streams/wild/`, see its README):
//!
//! - fortytw2/leaktest v1.3.0: `leaktest.go:150: leaktest: leaked goroutine: goroutine 22 [select]:` and the
//!   goroutine's stack as the error's continuation lines (after `leaktest: timed out checking goroutines`);
//! - gRPC's internal/leakcheck (and checkers copying it): `leakcheck.go:70: Leaked goroutine: goroutine 4
//!   [select]:` + the stack;
//! - Gomega's gleak (`HaveLeaked`): `Expected not to leak 1 goroutines:`, then per goroutine a header
//!   without colon (`goroutine 19 [select]`) and one line per frame, `F(...) at dir/file.go:21` and
//!   `created by F in goroutine 18 at dir/file.go:15`;
//! - go-openapi/testify v2 `NoGoRoutineLeak`: `found leaked go routines: ` + the innermost frame line of each
//!   labelled `debug=1` record (`#\t0x53c557\tpkg.F+0x77\t/abs/file.go:21`), preceded by `N goroutines:`
//!   when there are several records. testify drops the records' counts: each record counts as one
//!   goroutine, with id 0, no state and that one frame.
//!
//! [`find`] returns every such block of one test's output with its goroutines; [`panic_detector`] names the
//! detector of a `panic:`/`fatal error:` line (the runtime's global deadlock, goleak's own parser crash).

use std::ops::Range;

use super::parse::parse;
use super::{Frame, Goroutine, Source};

/// One report of a detector in a test's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectorBlock {
    /// Which detector printed it.
    pub source: Source,
    /// Byte range of the report in the text, from the start of its first line to the end of its last.
    pub span: Range<usize>,
    /// The goroutines it names, in order.
    pub goroutines: Vec<Goroutine>,
    /// The number of goroutines the detector itself says it found, when it says (gleak's `N goroutines`,
    /// testify's `N goroutines:`).
    pub stated_count: Option<usize>,
}

/// A leak detector that can fail while checking and say so in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Detector {
    /// go.uber.org/goleak: its stack parser panics (`panic: Failed to parse stack trace: …`, v1.3.0 on
    /// `...N frames elided...` and ancestor blocks) with the whole dump in the message.
    Goleak,
}

impl Detector {
    /// Its name in reports (`goleak`).
    pub fn as_str(self) -> &'static str {
        match self {
            Detector::Goleak => "goleak",
        }
    }
}

/// A leak detector that crashed in a test's output: the test's leaks are then not what the detector
/// said (it said nothing), but what the dump its crash printed shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectorFailure {
    /// Which detector.
    pub detector: Detector,
    /// Its panic message's first line, without `panic: ` (capped).
    pub message: String,
    /// Index of the block of its dump in [`Extraction::blocks`](super::Extraction::blocks).
    pub block: usize,
}

/// The source of a `panic:` or `fatal error:` line (leading whitespace removed), when it is
/// [`Source::FatalDeadlock`] or [`Source::DetectorFailed`].
pub fn panic_detector(line: &str) -> Option<Source> {
    if line.starts_with("fatal error: all goroutines are asleep - deadlock!") {
        Some(Source::FatalDeadlock)
    } else if line.starts_with("panic: Failed to parse stack trace") {
        Some(Source::DetectorFailed)
    } else {
        None
    }
}

/// The line starting at `pos` (without `\n` and a trailing `\r`), its range, and where the next starts.
fn line_at(text: &str, pos: usize) -> (Range<usize>, &str, usize) {
    let rest = &text[pos..];
    let (raw, next) = match rest.find('\n') {
        Some(i) => (&rest[..i], pos + i + 1),
        None => (rest, text.len()),
    };
    let l = raw.strip_suffix('\r').unwrap_or(raw);
    (pos..pos + l.len(), l, next)
}

fn indent_of(l: &str) -> usize {
    l.len() - l.trim_start_matches([' ', '\t']).len()
}

/// The lines after `pos` that are not blank and indented deeper than `base`: `(their ranges and texts,
/// where the line after them starts)`.
fn continuation(text: &str, mut pos: usize, base: usize) -> (Vec<(Range<usize>, &str)>, usize) {
    let mut v = Vec::new();
    while pos < text.len() {
        let (r, l, next) = line_at(text, pos);
        if l.trim().is_empty() || indent_of(l) <= base {
            break;
        }
        v.push((r, l));
        pos = next;
    }
    (v, pos)
}

/// Finds every leaktest, leakcheck, gleak and testify report in one test's output, in output order.
pub fn find(text: &str) -> Vec<DetectorBlock> {
    let mut out = Vec::new();
    if !text.contains("eaked goroutine: goroutine ")
        && !text.contains("Expected not to leak ")
        && !text.contains("found leaked go routines: ")
    {
        return out;
    }
    let mut pos = 0;
    while pos < text.len() {
        let (range, l, next) = line_at(text, pos);
        let found = if let Some(at) = l.find("eaked goroutine: goroutine ") {
            stack_report(text, range, l, at, next)
        } else if l.contains("Expected not to leak ") {
            gleak_report(text, range, l, next)
        } else if let Some(at) = l.find("found leaked go routines: ") {
            testify_report(
                text,
                range,
                &l[at + "found leaked go routines: ".len()..],
                next,
            )
        } else {
            None
        };
        pos = match found {
            Some((b, after)) => {
                out.push(b);
                after
            }
            None => next,
        };
    }
    out
}

/// `…leaked goroutine: goroutine N [state]:` (`at`: where `eaked goroutine: ` starts in `l`), then the
/// continuation lines, indented deeper than the line itself.
fn stack_report(
    text: &str,
    range: Range<usize>,
    l: &str,
    at: usize,
    next: usize,
) -> Option<(DetectorBlock, usize)> {
    let lead = at.checked_sub(1)?;
    if !matches!(l.as_bytes()[lead], b'L' | b'l') {
        return None;
    }
    let source = if l[..lead].contains("leaktest") {
        Source::Leaktest
    } else {
        Source::Leakcheck
    };
    let (cont, after) = continuation(text, next, indent_of(l));
    let common = cont.iter().map(|(_, l)| indent_of(l)).min().unwrap_or(0);
    let mut dump = String::with_capacity(256);
    dump.push_str(&l[at + "eaked goroutine: ".len()..]);
    dump.push('\n');
    for (_, cl) in &cont {
        // Continuation lines keep their own tab after the common indentation.
        dump.push_str(&cl[common.min(indent_of(cl))..]);
        dump.push('\n');
    }
    let goroutines = parse(&dump);
    if goroutines.is_empty() {
        return None;
    }
    let end = cont.last().map_or(range.end, |(r, _)| r.end);
    let block = DetectorBlock {
        source,
        span: range.start..end,
        goroutines,
        stated_count: None,
    };
    Some((block, after))
}

/// gleak's `Expected not to leak N goroutines:` line `l`.
fn gleak_report(
    text: &str,
    range: Range<usize>,
    l: &str,
    next: usize,
) -> Option<(DetectorBlock, usize)> {
    let stated = l
        .split("Expected not to leak ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok());
    let (cont, after) = continuation(text, next, indent_of(l));
    let mut dump = String::new();
    for (_, cl) in &cont {
        let t = cl.trim();
        if t.starts_with("goroutine ") {
            if !dump.is_empty() {
                dump.push('\n');
            }
            dump.push_str(t);
            if !t.ends_with(':') {
                dump.push(':');
            }
            dump.push('\n');
        } else if let Some(at) = t.rfind(" at ") {
            // `F(...) at dir/file.go:21`, `created by F in goroutine 18 at dir/file.go:15`
            dump.push_str(&t[..at]);
            dump.push_str("\n\t");
            dump.push_str(&t[at + 4..]);
            dump.push('\n');
        } else {
            dump.push_str(t);
            dump.push('\n');
        }
    }
    let goroutines = parse(&dump);
    if goroutines.is_empty() {
        return None;
    }
    let end = cont.last().map_or(range.end, |(r, _)| r.end);
    let block = DetectorBlock {
        source: Source::Gleak,
        span: range.start..end,
        goroutines,
        stated_count: stated,
    };
    Some((block, after))
}

/// testify's `found leaked go routines: ` (`rest`: what follows it on its line).
fn testify_report(
    text: &str,
    range: Range<usize>,
    rest: &str,
    next: usize,
) -> Option<(DetectorBlock, usize)> {
    let record = |s: &str| {
        record_frame(s.trim_start_matches([' ', '\t'])).map(|f| Goroutine {
            frames: vec![f],
            ..Goroutine::default()
        })
    };
    let mut goroutines = Vec::new();
    let mut stated = None;
    let mut end = range.end;
    let mut after = next;
    if let Some(n) = rest.strip_suffix(" goroutines:") {
        stated = Some(n.trim().parse::<usize>().ok()?);
        // The records follow as continuation lines of testify's `Error:` field.
        while after < text.len() {
            let (r, l, n) = line_at(text, after);
            let Some(g) = record(l) else { break };
            goroutines.push(g);
            end = r.end;
            after = n;
        }
    } else {
        goroutines.push(record(rest)?);
    }
    if goroutines.is_empty() {
        return None;
    }
    let block = DetectorBlock {
        source: Source::Testify,
        span: range.start..end,
        goroutines,
        stated_count: stated,
    };
    Some((block, after))
}

/// A `debug=1` frame line `#\t0x53c557\tpkg.F+0x77\t/abs/file.go:21`.
fn record_frame(s: &str) -> Option<Frame> {
    let mut it = s.strip_prefix('#')?.trim_start().split('\t');
    let pc = it.next()?;
    if !pc.starts_with("0x") {
        return None;
    }
    let func = it.next()?;
    let loc = it.next()?.trim();
    let function = match func.rfind("+0x") {
        Some(p) => &func[..p],
        None => func,
    };
    let (file, line) = match loc.rfind(':') {
        Some(c) => (&loc[..c], loc[c + 1..].parse().unwrap_or(0)),
        None => (loc, 0),
    };
    Some(Frame {
        function: function.to_string(),
        args: String::new(),
        file: file.to_string(),
        line,
        inlined: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaktest_report() {
        let t = "=== RUN   TestPoolLeaktest\n    leaktest.go:132: leaktest: timed out checking goroutines\n    leaktest.go:150: leaktest: leaked goroutine: goroutine 22 [select]:\n        example.com/wild/detectors.(*Pool).loop(...)\n        \t/w/detectors/pool.go:21\n        created by example.com/wild/detectors.NewPool in goroutine 21\n        \t/w/detectors/pool.go:15 +0xbf\n--- FAIL: TestPoolLeaktest (0.34s)\n";
        let b = find(t);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].source, Source::Leaktest);
        let g = &b[0].goroutines[0];
        assert_eq!((g.id, g.state.as_str()), (22, "select"));
        assert_eq!(
            g.frames[0].function,
            "example.com/wild/detectors.(*Pool).loop"
        );
        assert_eq!(
            (g.frames[0].file.as_str(), g.frames[0].line),
            ("/w/detectors/pool.go", 21)
        );
        let c = g.created_by.as_ref().unwrap();
        assert_eq!(
            (c.function.as_str(), c.line),
            ("example.com/wild/detectors.NewPool", 15)
        );
        assert_eq!(&t[b[0].span.clone()][..20], "    leaktest.go:150:");
        assert!(t[b[0].span.clone()].ends_with("pool.go:15 +0xbf"));
    }

    #[test]
    fn gleak_report_with_its_own_frame_format() {
        let t = "    gleak_test.go:17: \n        Timed out after 0.300s.\n        Expected not to leak 1 goroutines:\n            goroutine 19 [select]\n                example.com/wild/detectors.(*Pool).loop(...) at detectors/pool.go:21\n                created by example.com/wild/detectors.NewPool in goroutine 18 at detectors/pool.go:15\n--- FAIL: TestPoolGleak (0.31s)\n";
        let b = find(t);
        assert_eq!(b.len(), 1);
        assert_eq!((b[0].source, b[0].stated_count), (Source::Gleak, Some(1)));
        let g = &b[0].goroutines[0];
        assert_eq!((g.id, g.state.as_str()), (19, "select"));
        assert_eq!(
            (g.frames[0].file.as_str(), g.frames[0].line),
            ("detectors/pool.go", 21)
        );
        assert_eq!(g.created_by.as_ref().unwrap().line, 15);
        assert_eq!(g.parent_id, Some(18));
    }

    #[test]
    fn testify_records() {
        let one = "        \tError:      \tfound leaked go routines: #\t0x53c557\texample.com/x.(*Pool).loop+0x77\t/w/pool.go:21\n        \tTest:       \tTestPoolTestify\n";
        let b = find(one);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].source, Source::Testify);
        assert_eq!(b[0].goroutines.len(), 1);
        let f = &b[0].goroutines[0].frames[0];
        assert_eq!(
            (f.function.as_str(), f.file.as_str(), f.line),
            ("example.com/x.(*Pool).loop", "/w/pool.go", 21)
        );
        let two = "        \tError:      \tfound leaked go routines: 2 goroutines:\n        \t            \t#\t0x1\tx.A+0x1\t/w/a.go:1\n        \t            \t#\t0x2\tx.B+0x2\t/w/b.go:2\n        \tTest:       \tT\n";
        let b = find(two);
        assert_eq!((b[0].goroutines.len(), b[0].stated_count), (2, Some(2)));
        assert_eq!(b[0].goroutines[1].frames[0].function, "x.B");
    }

    #[test]
    fn grpc_style_and_panic_detectors() {
        let t = "    leakcheck.go:70: Leaked goroutine: goroutine 4 [select]:\n        example.com/wild/leakcheck.(*Conn).reader(...)\n        \t/w/leakcheck/conn.go:20\n        created by example.com/wild/leakcheck.Dial in goroutine 3\n        \t/w/leakcheck/conn.go:14 +0xbf\n";
        let b = find(t);
        assert_eq!(b[0].source, Source::Leakcheck);
        assert_eq!(b[0].goroutines[0].id, 4);
        assert_eq!(
            panic_detector("fatal error: all goroutines are asleep - deadlock!"),
            Some(Source::FatalDeadlock)
        );
        assert_eq!(
            panic_detector("panic: Failed to parse stack trace: parse function: no function found: \"...51 frames elided...\""),
            Some(Source::DetectorFailed)
        );
        assert_eq!(panic_detector("panic: boom"), None);
        assert!(find("nothing here\n").is_empty());
    }
}
