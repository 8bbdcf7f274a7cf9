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

/// A test binary timeout.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TimeoutInfo {
    /// The timeout as printed (`20s`, `10m0s`).
    pub after: String,
    /// The tests that were running, without their durations (`TestX`, `TestY/sub`).
    pub running: Vec<String>,
}

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
/// - goroutineleak profiles → [`Source::Dump`]: the `(leaked)` goroutines of a `debug=2` dump, every
///   record of a `debug=1` profile (one copy per counted goroutine, id 0).
///
/// Text without any `oroutine` substring is rejected at memory-scan speed.
pub fn extract(text: &str) -> Extraction {
    let mut ex = Extraction::default();
    let bytes = text.as_bytes();
    if memmem::find(bytes, b"oroutine").is_none() {
        return ex;
    }
    let len = bytes.len();
    let mut pos = 0;
    while pos < len {
        let nl = memchr::memchr(b'\n', &bytes[pos..]).map_or(len, |i| pos + i);
        let after = if nl < len { nl + 1 } else { len };
        let raw = &text[pos..nl];
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let t = line.trim_start_matches([' ', '\t']);
        let next = match t.as_bytes().first() {
            Some(b'p') if t.starts_with("panic: ") => panic_block(text, &mut ex, pos, t, after),
            Some(b'f') if t.starts_with("fatal error: ") => panic_block(text, &mut ex, pos, t, after),
            Some(b'g') if t.starts_with("goroutine ") => raw_dump_block(text, &mut ex, pos),
            Some(b'g') if t.starts_with("goroutineleak profile:") => profile_block(text, &mut ex, pos),
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
    if !first.trim_start_matches([' ', '\t']).starts_with("[Goroutine ") {
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
    let mut running: Option<Vec<String>> = None;
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
        if lt == "running tests:" {
            running = Some(Vec::new());
        } else if let Some(r) = running.as_mut() {
            if !lt.is_empty() {
                let name = match lt.rfind(" (") {
                    Some(i) if lt.ends_with(')') => &lt[..i],
                    _ => lt,
                };
                r.push(name.to_string());
            }
        }
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
                running: running.unwrap_or_default(),
            });
        }
        let gs = region.goroutines.into_iter().filter(has_user_frame).collect();
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
        if gs.first().is_some_and(|g| g.state == "running") {
            gs.remove(0);
        }
        gs.retain(has_user_frame);
        push_block(ex, Source::Panic, span, gs);
    }
    Some(region.next)
}

/// A runtime header outside any panic: a `debug=2` dump; only `(leaked)` goroutines are suspects.
fn raw_dump_block(text: &str, ex: &mut Extraction, start: usize) -> Option<usize> {
    if parse_line_header(line_at(text, start)).is_none() {
        return None;
    }
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
