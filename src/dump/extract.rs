//! Finding the blocks of `go test` output that report leaked goroutines.
//!
//! [`extract`] scans the output of one test (or a package's output) for goleak reports, synctest bubble
//! deadlocks, test timeouts, panics and goroutineleak profiles, and returns the suspect goroutines of each
//! block. [`extract_bare_dump`] handles an input that is a goroutine dump as a whole.

use std::ops::Range;

use memchr::memmem;

use super::parse::{parse, parse_line_header, parse_region};
use super::{Frame, Goroutine, Source};

/// What [`extract`] found in one test's output.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Extraction {
    /// The suspect goroutines, in output order.
    pub suspects: Vec<Suspect>,
    /// The blocks of output that report goroutines (goleak lists, panic and timeout dumps, profiles), in
    /// output order. A panic, timeout or synctest block is recorded even when none of its goroutines is a
    /// suspect.
    pub blocks: Vec<Block>,
    /// The first test timeout (`panic: test timed out after …`), when one was printed.
    pub timeout: Option<TimeoutInfo>,
    /// The first panic or fatal error line followed by a goroutine dump (`panic: boom [recovered,
    /// repanicked]`, `fatal error: all goroutines are asleep - deadlock!`, synctest's `panic: deadlock: …`),
    /// leading whitespace removed. Timeouts are reported in [`Extraction::timeout`] instead.
    pub panic: Option<String>,
    /// Leak detectors that crashed (goleak's parser), once each: Go 1.24's panic chain prints the message
    /// (and the dump in it) twice, the second time is the same failure and its goroutines are not
    /// repeated.
    pub failures: Vec<super::detectors::DetectorFailure>,
}

/// One goroutine that may have leaked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspect {
    /// Which report named it.
    pub source: Source,
    /// The goroutine as parsed.
    pub goroutine: Goroutine,
    /// Index of its block in [`Extraction::blocks`] (0 for [`extract_bare_dump`], whose block is the whole
    /// input).
    pub block: usize,
}

/// A block of output that reports goroutines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// What kind of report it is.
    pub source: Source,
    /// Byte range of the block in the text given to [`extract`]: from the start of its first line (e.g.
    /// `    x_test.go:11: found unexpected goroutines:` or `panic: …`) to the end of its last line (e.g.
    /// goleak's closing `]`), that line's `\n` excluded.
    pub span: Range<usize>,
}

/// A test binary timeout (`after`, and the `running` tests without their durations): the one type
/// [`crate::gotest`] reads it into.
pub type TimeoutInfo = crate::gotest::Timeout;

/// How many lines after a `panic:` line may come before the goroutine dump (panic chains, multi-line
/// messages, the list of running tests).
const MAX_PANIC_PREAMBLE_LINES: usize = 20_000;

/// Finds every leak report in the output of one test (or of a package), given as one string with `\n`
/// line ends.
///
/// - goleak `VerifyNone` lists (v1.2.x and v1.3.0) → [`Source::Goleak`], every listed goroutine;
/// - goleak `VerifyTestMain` output (`goleak: Errors on successful test run: found unexpected
///   goroutines:`, `… unsuccessful test run: …`) → [`Source::GoleakMain`];
/// - synctest deadlocks (`panic: deadlock: … bubble …`) → [`Source::Synctest`]: the bubble's goroutines that
///   have a user frame (not the panicking test goroutine, not `testingSynctestTest`/`tRunner` harness);
/// - test timeouts → [`Source::Timeout`]: every goroutine with a frame outside the runtime/testing harness;
/// - other panics and fatal errors followed by a dump → [`Source::Panic`]: every goroutine but the
///   panicking one (the first, when `running`) that has a user frame;
/// - the runtime's global deadlock (`fatal error: all goroutines are asleep - deadlock!`) →
///   [`Source::FatalDeadlock`], goleak's own crash (`panic: Failed to parse stack trace: …`, its message
///   holds the dump) → [`Source::DetectorFailed`], chosen as for panics;
/// - leaktest, gleak, testify v2 and gRPC-style reports → their own sources (see
///   [`detectors`](super::detectors));
/// - goroutineleak profiles → [`Source::Dump`]: the `(leaked)` goroutines of a `debug=2` dump, every
///   record of a `debug=1` profile (one goroutine with its [`Goroutine::count`](super::Goroutine::count), id 0).
///
/// Text without any `oroutine` or `go routines` substring is rejected at memory-scan speed.
pub fn extract(text: &str) -> Extraction {
    let mut ex = Extraction::default();
    let bytes = text.as_bytes();
    if memmem::find(bytes, b"oroutine").is_none() && memmem::find(bytes, b"go routines").is_none() {
        return ex;
    }
    let len = bytes.len();
    // leaktest, gleak, testify and gRPC-style reports, merged into the scan in output order.
    let mut others = super::detectors::find(text).into_iter().peekable();
    let mut pos = 0;
    while pos < len {
        let nl = memchr::memchr(b'\n', &bytes[pos..]).map_or(len, |i| pos + i);
        let after = if nl < len { nl + 1 } else { len };
        if let Some(b) = others.next_if(|b| b.span.start <= pos) {
            let end = b.span.end;
            push_block(&mut ex, b.source, b.span, b.goroutines);
            pos = memchr::memchr(b'\n', &bytes[end.min(len)..]).map_or(len, |i| end + i + 1);
            continue;
        }
        let raw = &text[pos..nl];
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let t = line.trim_start_matches([' ', '\t']);
        let next = match t.as_bytes().first() {
            Some(b'p') if t.starts_with("panic: ") => panic_block(text, &mut ex, pos, t, after),
            Some(b'f') if t.starts_with("fatal error: ") => {
                panic_block(text, &mut ex, pos, t, after)
            }
            Some(b'g') if t.starts_with("goroutine ") => raw_dump_block(text, &mut ex, pos),
            Some(b'g') if t.starts_with("goroutineleak profile:") => {
                profile_block(text, &mut ex, pos)
            }
            _ => None,
        };
        let next = next.or_else(|| {
            if t.trim_end().ends_with("found unexpected goroutines:") {
                let source = if t.starts_with("goleak: Errors on") {
                    Source::GoleakMain
                } else {
                    Source::Goleak
                };
                goleak_block(text, &mut ex, pos, after, source)
            } else {
                None
            }
        });
        pos = match next {
            Some(n) if n > pos => n,
            _ => after,
        };
    }
    ex
}

fn push_block(ex: &mut Extraction, source: Source, span: Range<usize>, gs: Vec<Goroutine>) {
    let block = ex.blocks.len();
    ex.blocks.push(Block { source, span });
    ex.suspects.extend(gs.into_iter().map(|goroutine| Suspect {
        source,
        goroutine,
        block,
    }));
}

/// The `found unexpected goroutines:` line at `start`; the list starts at `after`.
fn goleak_block(
    text: &str,
    ex: &mut Extraction,
    start: usize,
    after: usize,
    source: Source,
) -> Option<usize> {
    let first = line_at(text, after);
    if !first
        .trim_start_matches([' ', '\t'])
        .starts_with("[Goroutine ")
    {
        return None;
    }
    let region = parse_region(text, after, true);
    if region.goroutines.is_empty() {
        return None;
    }
    push_block(ex, source, start..region.end, region.goroutines);
    Some(region.next)
}

/// A `panic:`/`fatal error:` line `t` at `start`: find the dump that follows.
fn panic_block(
    text: &str,
    ex: &mut Extraction,
    start: usize,
    t: &str,
    after: usize,
) -> Option<usize> {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let mut pos = after;
    let mut scan = crate::gotest::TimeoutScan::new();
    scan.line(t);
    let mut header = None;
    for _ in 0..MAX_PANIC_PREAMBLE_LINES {
        if pos >= len {
            break;
        }
        let nl = memchr::memchr(b'\n', &bytes[pos..]).map_or(len, |i| pos + i);
        let line = line_at(text, pos);
        let lt = line.trim_start_matches([' ', '\t']).trim_end();
        if lt.starts_with("goroutine ") && parse_line_header(lt).is_some() {
            header = Some(pos);
            break;
        }
        if lt.starts_with("=== ") || lt.starts_with("--- ") || lt.starts_with("FAIL\t") {
            break;
        }
        scan.line(line);
        pos = if nl < len { nl + 1 } else { len };
    }
    let header = header?;
    let region = parse_region(text, header, true);
    let span = start..region.end;
    let t = t.trim_end();
    if let Some(after) = t.strip_prefix("panic: test timed out after ") {
        if ex.timeout.is_none() {
            ex.timeout = Some(TimeoutInfo {
                after: after.trim().to_string(),
                running: scan.timeout.map(|to| to.running).unwrap_or_default(),
            });
        }
        let gs = region
            .goroutines
            .into_iter()
            .filter(has_user_frame)
            .collect();
        push_block(ex, Source::Timeout, span, gs);
        return Some(region.next);
    }
    if ex.panic.is_none() {
        ex.panic = Some(t.to_string());
    }
    let is_synctest = t
        .strip_prefix("panic: deadlock: ")
        .is_some_and(|m| m.contains("bubble"));
    if is_synctest {
        let gs = region
            .goroutines
            .into_iter()
            .filter(|g| (g.bubble.is_some() || g.durable) && has_user_frame(g))
            .collect();
        push_block(ex, Source::Synctest, span, gs);
    } else {
        let mut gs = region.goroutines;
        // The panicking goroutine comes first; a panic chain that runs on into the runtime's own trace
        // (goleak's crash on Go 1.24) prints it once more.
        if let Some(first) = gs.first().filter(|g| g.state == "running").map(|g| g.id) {
            gs.retain(|g| !(g.id == first && g.state == "running"));
        }
        gs.retain(has_user_frame);
        let source = super::detectors::panic_detector(t).unwrap_or(Source::Panic);
        if source == Source::DetectorFailed {
            let message = crate::text::truncate(
                t.strip_prefix("panic: ").unwrap_or(t),
                4096,
                crate::text::Keep::Start,
            );
            match ex.failures.iter().find(|f| f.message == message) {
                Some(first) => {
                    let block = first.block;
                    let seen: std::collections::HashSet<u64> = ex
                        .suspects
                        .iter()
                        .filter(|s| s.block == block)
                        .map(|s| s.goroutine.id)
                        .collect();
                    gs.retain(|g| !seen.contains(&g.id));
                }
                None => ex.failures.push(super::detectors::DetectorFailure {
                    detector: super::detectors::Detector::Goleak,
                    message,
                    block: ex.blocks.len(),
                }),
            }
        }
        push_block(ex, source, span, gs);
    }
    Some(region.next)
}

/// A runtime header outside any panic: a `debug=2` dump; only `(leaked)` goroutines are suspects.
fn raw_dump_block(text: &str, ex: &mut Extraction, start: usize) -> Option<usize> {
    parse_line_header(line_at(text, start))?;
    let region = parse_region(text, start, true);
    if region.goroutines.iter().any(|g| g.leaked) {
        let gs = region.goroutines.into_iter().filter(|g| g.leaked).collect();
        push_block(ex, Source::Dump, start..region.end, gs);
    }
    Some(region.next)
}

/// `goroutineleak profile: total N` (`debug=1`): every record is a suspect.
fn profile_block(text: &str, ex: &mut Extraction, start: usize) -> Option<usize> {
    let region = parse_region(text, start, true);
    if !region.goroutines.is_empty() {
        push_block(ex, Source::Dump, start..region.end, region.goroutines);
    }
    Some(region.next)
}

/// The line starting at `pos`, without its `\n` or `\r`.
fn line_at(text: &str, pos: usize) -> &str {
    let Some(rest) = text.get(pos..) else {
        return "";
    };
    let line = match memchr::memchr(b'\n', rest.as_bytes()) {
        Some(i) => &rest[..i],
        None => rest,
    };
    line.strip_suffix('\r').unwrap_or(line)
}

/// Suspects of an input that is a goroutine dump as a whole (a panic log, a `debug=2` goroutine profile, a
/// goroutineleak profile in either form), all with [`Source::Dump`] and block 0.
///
/// For a goroutineleak profile (a `goroutineleak profile:` line, a `(leaked)` mark, or the
/// `runtime/pprof.writeGoroutineLeak` writer in the dump) only the leaked goroutines are returned (every
/// record of the `debug=1` form). Otherwise every goroutine in a blocking state (not `running`,
/// `runnable` or another transient scheduler state; `debug=1` records have no state and count as blocked)
/// that has a user frame, except the profile writer itself.
pub fn extract_bare_dump(text: &str) -> Vec<Suspect> {
    let gs = parse(text);
    let leak_profile = gs.iter().any(|g| g.leaked)
        || memmem::find(text.as_bytes(), b"goroutineleak profile:").is_some()
        || gs.iter().any(|g| {
            g.frames
                .iter()
                .any(|f| f.function == "runtime/pprof.writeGoroutineLeak")
        });
    gs.into_iter()
        .filter(|g| {
            if leak_profile {
                g.leaked
            } else {
                is_blocked(g) && has_user_frame(g) && !is_profile_writer(g)
            }
        })
        .map(|goroutine| Suspect {
            source: Source::Dump,
            goroutine,
            block: 0,
        })
        .collect()
}

/// Whether a goroutine's state is a wait (not `running`, `runnable` or a transient scheduler state).
pub fn is_blocked(g: &Goroutine) -> bool {
    !matches!(
        g.state.as_str(),
        "running" | "runnable" | "dead" | "idle" | "copystack" | "preempted" | "moribund" | "???"
    )
}

fn is_profile_writer(g: &Goroutine) -> bool {
    g.frames
        .iter()
        .any(|f| f.function.starts_with("runtime/pprof.write"))
}

/// Whether a frame belongs to the Go runtime or the test harness: packages `runtime`, `runtime/…`,
/// `testing`, `testing/…`, `os/signal`, `internal/…`, builtins without a package (`panic`), and `main`
/// functions of the generated `_testmain.go`.
pub fn is_harness_frame(f: &Frame) -> bool {
    if !f.function.contains('.') {
        return true;
    }
    let pkg = f.package();
    pkg == "runtime"
        || pkg.starts_with("runtime/")
        || pkg == "testing"
        || pkg.starts_with("testing/")
        || pkg == "os/signal"
        || pkg.starts_with("internal/")
        || (pkg == "main" && f.file.ends_with("_testmain.go"))
}

/// Whether a goroutine has at least one frame outside the runtime/testing harness (see
/// [`is_harness_frame`]).
pub fn has_user_frame(g: &Goroutine) -> bool {
    g.frames.iter().any(|f| !is_harness_frame(f))
}

/// Cheap format detection: whether `text` starts (first non-empty line) with a goroutine header, a
/// `goroutineleak profile:`/`goroutine profile:` line, or a `panic:`/`fatal error:` line followed by a
/// goroutine header within its first 64 KiB.
pub fn looks_like_dump(text: &str) -> bool {
    const WINDOW: usize = 64 * 1024;
    let mut lines = text.split('\n').take(4096);
    let first = loop {
        match lines.next() {
            Some(l) if l.trim().is_empty() => continue,
            Some(l) => break l.trim(),
            None => return false,
        }
    };
    if first.starts_with("goroutineleak profile:")
        || first.starts_with("goroutine profile:")
        || parse_line_header(first).is_some()
    {
        return true;
    }
    if !(first.starts_with("panic: ") || first.starts_with("fatal error: ")) {
        return false;
    }
    let mut seen = 0;
    for l in lines {
        seen += l.len() + 1;
        if seen > WINDOW {
            return false;
        }
        let l = l.trim();
        if l.starts_with("goroutine ") && parse_line_header(l).is_some() {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::parse::samples::*;
    use super::*;

    fn ids(ex: &Extraction) -> Vec<(Source, u64, usize)> {
        ex.suspects
            .iter()
            .map(|s| (s.source, s.goroutine.id, s.block))
            .collect()
    }

    fn block_text<'a>(text: &'a str, ex: &Extraction, i: usize) -> &'a str {
        &text[ex.blocks[i].span.clone()]
    }

    #[test]
    fn goleak_v13() {
        let ex = extract(GOLEAK_V13);
        assert_eq!(
            ids(&ex),
            [20, 21, 22, 23, 24].map(|id| (Source::Goleak, id, 0))
        );
        assert_eq!(ex.blocks.len(), 1);
        assert_eq!(ex.blocks[0].span, 19..1836);
        let b = block_text(GOLEAK_V13, &ex, 0);
        assert!(b.starts_with("    x_test.go:11: found unexpected goroutines:\n        [Goroutine 20 in state chan send,"));
        assert!(b.ends_with("\t/tmp/gl13/x.go:21 +0x194\n        ]"));
        assert_eq!((ex.timeout, ex.panic), (None, None));
        let g = &ex.suspects[1].goroutine;
        assert_eq!(
            (g.state.as_str(), g.frames.len(), g.frames[0].inlined),
            ("chan send", 1, true)
        );
    }

    #[test]
    fn goleak_v12() {
        let ex = extract(GOLEAK_V12);
        assert_eq!(
            ids(&ex),
            [8, 9, 10, 11, 12].map(|id| (Source::Goleak, id, 0))
        );
        let b = block_text(GOLEAK_V12, &ex, 0);
        assert!(b.starts_with("    x_test.go:11: found unexpected goroutines:\n"));
        assert!(b.ends_with("+0x194\n        ]"));
        assert_eq!(ex.suspects[2].goroutine.frames.len(), 6);
    }

    #[test]
    fn goleak_verify_test_main() {
        let ex = extract(GOLEAK_MAIN);
        assert_eq!(
            ids(&ex),
            [8, 9, 10, 11, 12].map(|id| (Source::GoleakMain, id, 0))
        );
        let b = block_text(GOLEAK_MAIN, &ex, 0);
        assert!(b.starts_with(
            "goleak: Errors on successful test run: found unexpected goroutines:\n[Goroutine 8 "
        ));
        assert!(b.ends_with("\n]"));
        assert!(GOLEAK_MAIN[ex.blocks[0].span.end..].starts_with("\nFAIL\texample.com/x\t"));
        // Unreleased goleak: no space after the colon, and the `RunOnFailure` form.
        for head in [
            "goleak: Errors on successful test run:found unexpected goroutines:",
            "goleak: Errors on unsuccessful test run: found unexpected goroutines:",
        ] {
            let text = GOLEAK_MAIN.replace(
                "goleak: Errors on successful test run: found unexpected goroutines:",
                head,
            );
            let ex = extract(&text);
            assert_eq!(ex.suspects.len(), 5);
            assert_eq!(ex.blocks[0].source, Source::GoleakMain);
            assert!(block_text(&text, &ex, 0).starts_with(head));
        }
    }

    #[test]
    fn synctest_go126_leak_and_deadlock() {
        let ex = extract(SYNCTEST_LEAK);
        assert_eq!(ids(&ex), [(Source::Synctest, 22, 0)]);
        assert_eq!(
            ex.panic.as_deref(),
            Some("panic: deadlock: main bubble goroutine has exited but blocked goroutines remain [recovered, repanicked]")
        );
        let b = block_text(SYNCTEST_LEAK, &ex, 0);
        assert!(b.starts_with("panic: deadlock: main bubble"));
        assert!(b.ends_with("\t/tmp/st/st_test.go:11 +0x5f"));
        assert_eq!(ex.suspects[0].goroutine.bubble, Some(1));

        // The harness goroutine (testingSynctestTest) and the panicking one are not suspects; the bubble's
        // test function blocked on a channel is.
        let ex = extract(SYNCTEST_BLOCKED);
        assert_eq!(
            ids(&ex),
            [(Source::Synctest, 9, 0), (Source::Synctest, 10, 0)]
        );
        assert_eq!(
            ex.suspects[0].goroutine.frames[0].function,
            "example.com/st.TestBubbleBlocked.func1"
        );
    }

    #[test]
    fn synctest_go124() {
        let ex = extract(SYNCTEST_GO124);
        assert_eq!(
            ids(&ex),
            [(Source::Synctest, 7, 0), (Source::Synctest, 8, 0)]
        );
        assert_eq!(
            ex.panic.as_deref(),
            Some("panic: deadlock: all goroutines in bubble are blocked [recovered]")
        );
        assert!(block_text(SYNCTEST_GO124, &ex, 0).ends_with("\t/tmp/st124/st_test.go:11 +0x5f"));
        assert_eq!(ex.suspects[1].goroutine.bubble, Some(6));
    }

    #[test]
    fn timeout() {
        let ex = extract(TIMEOUT);
        assert_eq!(
            ex.timeout,
            Some(TimeoutInfo {
                after: "2s".into(),
                running: vec!["TestHang".into(), "TestSleep".into()],
            })
        );
        assert_eq!(ex.panic, None);
        // Not the alarm goroutine (17) nor main (1); both hung tests and the worker.
        assert_eq!(
            ids(&ex),
            [
                (Source::Timeout, 7, 0),
                (Source::Timeout, 8, 0),
                (Source::Timeout, 9, 0)
            ]
        );
        assert_eq!(ex.blocks[0].span, 117..1831);
        assert!(block_text(TIMEOUT, &ex, 0)
            .starts_with("panic: test timed out after 2s\n\trunning tests:\n"));
    }

    #[test]
    fn panics() {
        let ex = extract(PANIC_ALL);
        assert_eq!(
            ex.panic.as_deref(),
            Some("panic: assignment to entry in nil map [recovered, repanicked]")
        );
        // 19 is the panicking goroutine, 1 is the harness; 5 is the worker the test started.
        assert_eq!(ids(&ex), [(Source::Panic, 5, 0)]);
        let g = &ex.suspects[0].goroutine;
        assert_eq!((g.state.as_str(), g.parent_id), ("runnable", Some(19)));
        assert_eq!(ex.blocks[0].source, Source::Panic);
        assert!(block_text(PANIC_ALL, &ex, 0).ends_with("\t/tmp/to/p_test.go:6 +0x66"));

        let ex = extract(FATAL_DEADLOCK);
        assert_eq!(
            ex.panic.as_deref(),
            Some("fatal error: all goroutines are asleep - deadlock!")
        );
        assert_eq!(ids(&ex), [(Source::FatalDeadlock, 1, 0)]);
        assert_eq!(block_text(FATAL_DEADLOCK, &ex, 0).lines().count(), 5);

        // Without GOTRACEBACK=all only the panicking goroutine is printed: a block, no suspect.
        let text = "--- FAIL: TestP (0.00s)\npanic: boom\n\ngoroutine 7 [running]:\nx.TestP(0x1)\n\t/a/x_test.go:5 +0x1\nFAIL\tx\t0.1s\n";
        let ex = extract(text);
        assert_eq!((ex.suspects.len(), ex.blocks.len()), (0, 1));
        assert_eq!(
            block_text(text, &ex, 0),
            "panic: boom\n\ngoroutine 7 [running]:\nx.TestP(0x1)\n\t/a/x_test.go:5 +0x1"
        );
        // A `panic:` in a log line with no dump is not a panic.
        let ex = extract("    x_test.go:3: panic: not really\n--- FAIL: TestQ\ngoroutine talk\n");
        assert_eq!(ex, Extraction::default());
    }

    #[test]
    fn leak_profiles_in_output() {
        let ex = extract(LEAK_PROFILE_DEBUG2);
        assert_eq!(ids(&ex), [7, 8, 9, 10].map(|id| (Source::Dump, id, 0)));
        let ex = extract(LEAK_PROFILE_DEBUG1);
        assert_eq!(ids(&ex), [0, 0].map(|id| (Source::Dump, id, 0)));
        let counts: Vec<u64> = ex.suspects.iter().map(|s| s.goroutine.count).collect();
        assert_eq!(counts, [3, 1]);
        assert_eq!(ex.blocks[0].span, 0..LEAK_PROFILE_DEBUG1.trim_end().len());
        // A debug=2 goroutine profile without leaks, and a debug=1 goroutine profile: no blocks.
        let plain = LEAK_PROFILE_DEBUG2.replace(" (leaked)", "");
        assert_eq!(extract(&plain), Extraction::default());
        assert_eq!(extract(GOROUTINE_PROFILE_DEBUG1), Extraction::default());
    }

    #[test]
    fn several_blocks_in_one_output() {
        let text = format!("{GOLEAK_V13}{LEAK_PROFILE_DEBUG1}{TIMEOUT}");
        let ex = extract(&text);
        let sources: Vec<_> = ex.blocks.iter().map(|b| b.source).collect();
        assert_eq!(sources, [Source::Goleak, Source::Dump, Source::Timeout]);
        assert_eq!(ex.suspects.len(), 5 + 2 + 3);
        assert_eq!(ex.suspects.last().map(|s| s.block), Some(2));
        assert!(block_text(&text, &ex, 2).starts_with("panic: test timed out after 2s"));
        assert!(ex.timeout.is_some());
    }

    #[test]
    fn bare_dumps() {
        let v: Vec<_> = extract_bare_dump(LEAK_PROFILE_DEBUG2)
            .iter()
            .map(|s| s.goroutine.id)
            .collect();
        assert_eq!(v, [7, 8, 9, 10]);
        let counts: Vec<u64> = extract_bare_dump(LEAK_PROFILE_DEBUG1)
            .iter()
            .map(|s| s.goroutine.count)
            .collect();
        assert_eq!(counts, [3, 1]);
        // No leak found: the profile writer shows it is a goroutineleak profile, so nothing is reported.
        assert!(extract_bare_dump(&LEAK_PROFILE_DEBUG2.replace(" (leaked)", "")).is_empty());
        // A goroutine profile: blocked goroutines with user frames, not the writer.
        let s = extract_bare_dump(GOROUTINE_PROFILE_DEBUG1);
        let tops: Vec<_> = s
            .iter()
            .map(|s| (s.goroutine.frames[0].function.as_str(), s.goroutine.count))
            .collect();
        assert_eq!(
            tops,
            [
                ("main.leaky.func1", 3),
                ("main.main.func1.1", 1),
                ("time.Sleep", 1)
            ]
        );
        // A panic log: not the running goroutine, not runtime-only ones.
        let s = extract_bare_dump(SYSTEM);
        assert_eq!(s.iter().map(|s| s.goroutine.id).collect::<Vec<_>>(), [22]);
        assert!(s.iter().all(|s| s.source == Source::Dump && s.block == 0));
    }

    #[test]
    fn format_detection() {
        for yes in [
            LEAK_PROFILE_DEBUG1,
            LEAK_PROFILE_DEBUG2,
            GOROUTINE_PROFILE_DEBUG1,
            SYSTEM,
            FATAL_DEADLOCK,
            DEEP,
            ANCESTORS,
        ] {
            assert!(looks_like_dump(yes), "{yes:.40}");
        }
        for no in [
            "",
            "{\"Time\":\"2026-01-01T00:00:00Z\",\"Action\":\"start\"}\n",
            TIMEOUT,
            GOLEAK_V13,
            "panic: boom\n\nno dump here\n",
        ] {
            assert!(!looks_like_dump(no), "{no:.40}");
        }
    }

    #[test]
    fn harness_frames() {
        let f = |function: &str, file: &str| Frame {
            function: function.into(),
            file: file.into(),
            ..Frame::default()
        };
        for h in [
            f("runtime.gopark", ""),
            f("runtime/pprof.writeGoroutine", ""),
            f("testing.tRunner", ""),
            f("testing/synctest.testingSynctestTest", ""),
            f("internal/poll.runtime_pollWait", ""),
            f("os/signal.loop", ""),
            f("panic", ""),
            f("main.main", "_testmain.go"),
        ] {
            assert!(is_harness_frame(&h), "{h:?}");
        }
        for u in [
            f("main.main", "/src/cmd/x/main.go"),
            f("net/http.(*persistConn).readLoop", ""),
            f("time.Sleep", ""),
            f("sync.(*WaitGroup).Wait", ""),
            f("example.com/x.Leak.func1", ""),
        ] {
            assert!(!is_harness_frame(&u), "{u:?}");
        }
    }

    #[test]
    fn never_panics_on_prefixes_and_noise() {
        for text in [GOLEAK_V12, SYNCTEST_GO124, TIMEOUT, LEAK_PROFILE_DEBUG1] {
            for (i, _) in text.char_indices() {
                let _ = extract(&text[..i]);
                let _ = extract(&text[i..]);
            }
            let _ = extract_bare_dump(text);
        }
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let pieces: &[&str] = &[
            "panic: ",
            "fatal error: ",
            "goroutine 1 [running]:",
            "goroutine 2 [chan send (leaked)]:",
            "found unexpected goroutines:",
            "[Goroutine 3 in state select, with x.F on top of the stack:",
            "\n",
            "\t",
            " ",
            "x.F()",
            "\t/a.go:1 +0x1",
            "]",
            "goroutineleak profile: total 2",
            "2 @ 0x1",
            "#\t0x1\tx.F+0x1\t/a.go:2",
            "running tests:",
            "\t\tTestX (1s)",
            "panic: test timed out after 1s",
            "panic: deadlock: all goroutines in bubble are blocked",
            "ü",
            "\r",
        ];
        for _ in 0..3000 {
            let mut s = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mut y = x;
            for _ in 0..(x % 40) {
                y = y
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s.push_str(pieces[((y >> 33) % pieces.len() as u64) as usize]);
            }
            let ex = extract(&s);
            for b in &ex.blocks {
                assert!(s.get(b.span.clone()).is_some());
            }
            for sus in &ex.suspects {
                assert!(sus.block < ex.blocks.len());
            }
            let _ = extract_bare_dump(&s);
            let _ = looks_like_dump(&s);
        }
    }
}
