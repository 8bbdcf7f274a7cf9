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
use super::{Frame, Goroutine};

/// A leak detector other than goleak, synctest, timeouts and goroutineleak profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Detector {
    /// github.com/fortytw2/leaktest.
    Leaktest,
    /// Gomega's gleak.
    Gleak,
    /// go-openapi/testify v2 `NoGoRoutineLeak`.
    Testify,
    /// gRPC's internal/leakcheck style: `Leaked goroutine: <stack>`.
    Leakcheck,
    /// `fatal error: all goroutines are asleep - deadlock!`.
    FatalDeadlock,
    /// A leak detector that crashed (goleak's `panic: Failed to parse stack trace: …`); its dump is still read.
    DetectorFailed,
}

impl Detector {
    /// The `sources` value of the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Detector::Leaktest => "leaktest",
            Detector::Gleak => "gleak",
            Detector::Testify => "testify",
            Detector::Leakcheck => "leakcheck",
            Detector::FatalDeadlock => "fatal-deadlock",
            Detector::DetectorFailed => "detector-failed",
        }
    }
}

/// One report of a detector in a test's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectorBlock {
    /// Which detector printed it.
    pub detector: Detector,
    /// Byte range of the report in the text, from the start of its first line to the end of its last.
    pub span: Range<usize>,
    /// The goroutines it names, in order.
    pub goroutines: Vec<Goroutine>,
    /// The number of goroutines the detector itself says it found, when it says (gleak's `N goroutines`,
    /// testify's `N goroutines:`).
    pub stated_count: Option<usize>,
}

/// The detector of a `panic:` or `fatal error:` line (leading whitespace removed), when it is one of
/// [`Detector::FatalDeadlock`] or [`Detector::DetectorFailed`].
pub fn panic_detector(line: &str) -> Option<Detector> {
    if line.starts_with("fatal error: all goroutines are asleep - deadlock!") {
        Some(Detector::FatalDeadlock)
    } else if line.starts_with("panic: Failed to parse stack trace") {
        Some(Detector::DetectorFailed)
    } else {
        None
    }
}

/// Lines of `text` with their byte ranges (without `\n` and a trailing `\r`).
fn lines(text: &str) -> Vec<(Range<usize>, &str)> {
    let mut v = Vec::new();
    let mut pos = 0;
    for raw in text.split_inclusive('\n') {
        let l = raw.strip_suffix('\n').unwrap_or(raw);
        let l = l.strip_suffix('\r').unwrap_or(l);
        v.push((pos..pos + l.len(), l));
        pos += raw.len();
    }
    v
}

fn indent_of(l: &str) -> usize {
    l.len() - l.trim_start_matches([' ', '\t']).len()
}

/// Finds every leaktest, leakcheck, gleak and testify report in one test's output.
pub fn find(text: &str) -> Vec<DetectorBlock> {
    let mut out = Vec::new();
    if !text.contains("eaked goroutine: ")
        && !text.contains("not to leak ")
        && !text.contains("found leaked go routines: ")
    {
        return out;
    }
    let ls = lines(text);
    let mut i = 0;
    while i < ls.len() {
        let (range, l) = (&ls[i].0, ls[i].1);
        let consumed = if let Some(at) = l.find("eaked goroutine: goroutine ") {
            stack_report(&ls, i, at, &mut out)
        } else if let Some(at) = l.find("Expected not to leak ") {
            gleak_report(&ls, i, &l[at..], range.start, &mut out)
        } else if let Some(at) = l.find("found leaked go routines: ") {
            testify_report(
                &ls,
                i,
                &l[at + "found leaked go routines: ".len()..],
                &mut out,
            )
        } else {
            0
        };
        i += consumed.max(1);
    }
    out
}

/// `…leaked goroutine: goroutine N [state]:` at line `i` (`at`: where `eaked goroutine: ` starts), then the
/// continuation lines, indented deeper than the line itself.
fn stack_report(
    ls: &[(Range<usize>, &str)],
    i: usize,
    at: usize,
    out: &mut Vec<DetectorBlock>,
) -> usize {
    let l = ls[i].1;
    let before = &l[..at.saturating_sub(1)];
    if !(l[at.saturating_sub(1)..].starts_with("Leaked")
        || l[at.saturating_sub(1)..].starts_with("leaked"))
    {
        return 0;
    }
    let detector = if before.contains("leaktest") {
        Detector::Leaktest
    } else {
        Detector::Leakcheck
    };
    let header = &l[at + "eaked goroutine: ".len()..];
    let base = indent_of(l);
    let mut end = i + 1;
    while end < ls.len() && !ls[end].1.trim().is_empty() && indent_of(ls[end].1) > base {
        end += 1;
    }
    let cont = ls[i + 1..end]
        .iter()
        .map(|(_, l)| indent_of(l))
        .min()
        .unwrap_or(0);
    let mut dump = String::with_capacity(256);
    dump.push_str(header);
    dump.push('\n');
    for (_, cl) in &ls[i + 1..end] {
        // Continuation lines keep their own tab after the common indentation.
        dump.push_str(&cl[cont.min(indent_of(cl))..]);
        dump.push('\n');
    }
    let goroutines = parse(&dump);
    if goroutines.is_empty() {
        return 0;
    }
    out.push(DetectorBlock {
        detector,
        span: ls[i].0.start..ls[end - 1].0.end,
        goroutines,
        stated_count: None,
    });
    end - i
}

/// gleak's `Expected not to leak N goroutines:` (`t`: from `Expected`) at line `i`.
fn gleak_report(
    ls: &[(Range<usize>, &str)],
    i: usize,
    t: &str,
    _start: usize,
    out: &mut Vec<DetectorBlock>,
) -> usize {
    let stated = t
        .strip_prefix("Expected not to leak ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok());
    let base = indent_of(ls[i].1);
    let mut end = i + 1;
    let mut dump = String::new();
    while end < ls.len() && !ls[end].1.trim().is_empty() && indent_of(ls[end].1) > base {
        let l = ls[end].1.trim();
        if l.starts_with("goroutine ") {
            if !dump.is_empty() {
                dump.push('\n');
            }
            dump.push_str(l);
            if !l.ends_with(':') {
                dump.push(':');
            }
            dump.push('\n');
        } else if let Some(at) = l.rfind(" at ") {
            // `F(...) at dir/file.go:21`, `created by F in goroutine 18 at dir/file.go:15`
            dump.push_str(&l[..at]);
            dump.push_str("\n\t");
            dump.push_str(&l[at + 4..]);
            dump.push('\n');
        } else {
            dump.push_str(l);
            dump.push('\n');
        }
        end += 1;
    }
    let goroutines = parse(&dump);
    if goroutines.is_empty() {
        return 0;
    }
    out.push(DetectorBlock {
        detector: Detector::Gleak,
        span: ls[i].0.start..ls[end - 1].0.end,
        goroutines,
        stated_count: stated,
    });
    end - i
}

/// testify's `found leaked go routines: ` (`rest`: what follows it) at line `i`.
fn testify_report(
    ls: &[(Range<usize>, &str)],
    i: usize,
    rest: &str,
    out: &mut Vec<DetectorBlock>,
) -> usize {
    let mut goroutines = Vec::new();
    let mut stated = None;
    let mut end = i + 1;
    let take = |s: &str, gs: &mut Vec<Goroutine>| -> bool {
        let s = s.trim_start_matches([' ', '\t']);
        match record_frame(s) {
            Some(f) => {
                gs.push(Goroutine {
                    frames: vec![f],
                    ..Goroutine::default()
                });
                true
            }
            None => false,
        }
    };
    if let Some(n) = rest.strip_suffix(" goroutines:") {
        stated = n.trim().parse::<usize>().ok();
        // The records follow as continuation lines of testify's `Error:` field.
        while end < ls.len() && take(ls[end].1, &mut goroutines) {
            end += 1;
        }
    } else if !take(rest, &mut goroutines) {
        return 0;
    }
    if goroutines.is_empty() {
        return 0;
    }
    out.push(DetectorBlock {
        detector: Detector::Testify,
        span: ls[i].0.start..ls[end - 1].0.end,
        goroutines,
        stated_count: stated,
    });
    end - i
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
        assert_eq!(b[0].detector, Detector::Leaktest);
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
        assert_eq!(
            (b[0].detector, b[0].stated_count),
            (Detector::Gleak, Some(1))
        );
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
        assert_eq!(b[0].detector, Detector::Testify);
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
        assert_eq!(b[0].detector, Detector::Leakcheck);
        assert_eq!(b[0].goroutines[0].id, 4);
        assert_eq!(
            panic_detector("fatal error: all goroutines are asleep - deadlock!"),
            Some(Detector::FatalDeadlock)
        );
        assert_eq!(
            panic_detector("panic: Failed to parse stack trace: parse function: no function found: \"...51 frames elided...\""),
            Some(Detector::DetectorFailed)
        );
        assert_eq!(panic_detector("panic: boom"), None);
        assert!(find("nothing here\n").is_empty());
    }
}
