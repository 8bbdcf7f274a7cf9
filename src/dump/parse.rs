//! A tolerant, hand-written parser for goroutine dumps.
//!
//! It reads every form the Go runtime, `runtime/pprof` and goleak print:
//!
//! - runtime headers `goroutine N [state(, N minutes)(, locked to thread)(, synctest bubble N)]:`, with the
//!   ` (leaked)`, ` (durable)`, ` (scan)` and Go 1.24 ` (synctest)` marks, Go 1.26 labels inside the bracket
//!   (`[select labels:{"id": "7"}]:`), Go 1.27 labels after it (`[select] {id: 7}:`) and the
//!   `gp=0x… m=… mp=…` fields of system tracebacks;
//! - goleak's slice elements (`[Goroutine 20 in state chan send, with F on top of the stack:`, ` Goroutine 8 …`,
//!   the closing `]`), v1.2.x's repeated raw header included;
//! - frames, inlined frames, `created by`, `...N frames elided...`, `[originating from goroutine N]:`
//!   ancestor sections (their ids are recorded, their frames skipped) and
//!   `goroutine running on other thread; stack unavailable`;
//! - `debug=1` profiles (`goroutineleak profile: total 3`, `3 @ 0x…`, `#\t0x…\tpkg.F+0x1d\t/abs/f.go:12`).
//!
//! The whole dump may be indented at any depth: the indentation of each goroutine header is stripped from
//! the lines that follow it. The parser never panics and never allocates per line beyond the strings it
//! stores in the result.

use super::{Frame, Goroutine};

/// Parses every goroutine found anywhere in `text` (a whole dump, or any text holding dumps).
///
/// Lines that are not part of a dump are skipped. Each `debug=1` profile record (`N @ 0x…`) becomes one
/// goroutine with [`Goroutine::count`] `N` (a count is data, never copies: panicparse's `Bucket`), id 0 and
/// an empty state; records of a `goroutineleak profile:` have [`Goroutine::leaked`] set.
pub fn parse(text: &str) -> Vec<Goroutine> {
    parse_region(text, 0, false).goroutines
}

/// Parses one goroutine header line into a [`Goroutine`] without frames, or `None` when `line` is not a
/// header.
///
/// Both the runtime form (`goroutine 20 [chan send, 2 minutes]:`, with `gp=`/`m=` fields or labels) and
/// goleak's form (`[Goroutine 20 in state chan send, with F on top of the stack:`) are read; leading
/// whitespace and a trailing `\r` are ignored.
pub fn parse_line_header(line: &str) -> Option<Goroutine> {
    let t = trim_ws_start(line).trim_end();
    if let Some(rest) = t.strip_prefix("goroutine ") {
        return parse_runtime_header(rest);
    }
    let rest = t.strip_prefix('[').unwrap_or(t);
    parse_goleak_header(rest.strip_prefix("Goroutine ")?)
}

/// The result of parsing a region of text.
pub(crate) struct Region {
    /// The goroutines found.
    pub goroutines: Vec<Goroutine>,
    /// The end (exclusive, before its `\n`) of the last line that belonged to the dump; the region's start
    /// when nothing was consumed.
    pub end: usize,
    /// Where scanning should go on: the start of the first line after the dump.
    pub next: usize,
}

/// Parses from byte `start` (a line start). In `strict` mode the region stops at the first line that is not
/// dump syntax (or after goleak's closing `]`); otherwise the whole rest of the text is read and unknown
/// lines are skipped.
pub(crate) fn parse_region(text: &str, start: usize, strict: bool) -> Region {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let mut b = Builder::default();
    let mut pos = start.min(len);
    let mut end = pos;
    let mut first = true;
    // Indentation of the current goroutine's header, as a byte range of `text`.
    let mut indent: &str = "";
    while pos < len {
        let nl = memchr::memchr(b'\n', &bytes[pos..]).map_or(len, |i| pos + i);
        let after = if nl < len { nl + 1 } else { len };
        let raw = &text[pos..nl];
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let class = classify(line, indent);
        let mut stop_after = false;
        match class {
            Line::Blank => {
                b.pending = Pending::None;
                pos = after;
                continue;
            }
            Line::Header(g, ind, goleak) => {
                indent = &line[..ind];
                b.header(*g, goleak);
            }
            Line::Ancestor(id) => match b.cur.as_mut() {
                Some(g) => {
                    if let Some(id) = id {
                        g.ancestors.push(id);
                    }
                    b.in_ancestor = true;
                    b.pending = Pending::None;
                }
                None if strict => break,
                None => {}
            },
            Line::GoleakEnd => {
                b.flush();
                if strict {
                    end = pos + line.len();
                    pos = after;
                    return Region {
                        goroutines: b.out,
                        end,
                        next: pos,
                    };
                }
            }
            Line::CreatedBy(rest) => {
                if b.cur.is_none() && strict {
                    break;
                }
                b.created_by(rest);
            }
            Line::Elided(n) => {
                if b.cur.is_none() && strict {
                    break;
                }
                if !b.in_ancestor {
                    if let Some(g) = b.cur.as_mut() {
                        g.elided = Some(n);
                    }
                }
            }
            Line::Unavailable => {
                if let Some(g) = b.cur.as_mut() {
                    g.stack_unavailable = true;
                } else if strict {
                    break;
                }
            }
            Line::File(rest) => {
                if b.cur.is_none() && strict {
                    break;
                }
                let rest = rest.trim_end();
                if b.goleak_list && rest.ends_with(']') {
                    // goleak's closing bracket glued to the last file line.
                    b.file(rest.trim_end_matches(']'));
                    b.flush();
                    stop_after = strict;
                } else {
                    b.file(rest);
                }
            }
            Line::Function(c) => {
                let framed = b.cur.is_some() && next_is_file_line(text, after, indent);
                match parse_function(c) {
                    Some(f) if framed => b.frame(f),
                    _ => {
                        if strict {
                            break;
                        }
                        b.flush();
                    }
                }
            }
            Line::ProfileHeader(leak) => {
                if strict && !first {
                    break;
                }
                b.flush();
                b.leak_profile = leak;
                indent = "";
            }
            Line::Record(count) => {
                b.flush();
                b.cur = Some(Goroutine {
                    leaked: b.leak_profile,
                    count: count.max(1),
                    ..Goroutine::default()
                });
                b.in_ancestor = false;
                b.pending = Pending::None;
            }
            Line::ProfLabels(l) => match b.cur.as_mut() {
                Some(g) => g.labels = Some(l.to_string()),
                None if strict => break,
                None => {}
            },
            Line::ProfFrame(c) => match (b.cur.as_mut(), parse_profile_frame(c)) {
                (Some(g), Some(f)) => g.frames.push(f),
                _ if strict => break,
                _ => {}
            },
            Line::Other => {
                if strict {
                    break;
                }
                b.flush();
            }
        }
        first = false;
        end = pos + line.len();
        pos = after;
        if stop_after {
            break;
        }
    }
    b.flush();
    Region {
        goroutines: b.out,
        end,
        next: pos,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pending {
    None,
    Frame,
    CreatedBy,
}

struct Builder {
    out: Vec<Goroutine>,
    cur: Option<Goroutine>,
    /// `cur` was started by a goleak element header.
    cur_goleak: bool,
    /// A goleak list (`[Goroutine …`) is being read.
    goleak_list: bool,
    pending: Pending,
    in_ancestor: bool,
    leak_profile: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            out: Vec::new(),
            cur: None,
            cur_goleak: false,
            goleak_list: false,
            pending: Pending::None,
            in_ancestor: false,
            leak_profile: false,
        }
    }
}

impl Builder {
    fn flush(&mut self) {
        if let Some(g) = self.cur.take() {
            self.out.push(g);
        }
        self.cur_goleak = false;
        self.pending = Pending::None;
        self.in_ancestor = false;
    }

    fn header(&mut self, g: Goroutine, goleak: bool) {
        if !goleak && self.cur_goleak {
            if let Some(cur) = self.cur.as_ref() {
                // goleak v1.2.x repeats the raw header inside each element.
                if cur.id == g.id && cur.frames.is_empty() && cur.created_by.is_none() {
                    self.cur_goleak = false;
                    return;
                }
            }
        }
        self.flush();
        self.cur = Some(g);
        self.cur_goleak = goleak;
        if goleak {
            self.goleak_list = true;
        }
    }

    fn frame(&mut self, f: Frame) {
        if self.in_ancestor {
            self.pending = Pending::None;
            return;
        }
        if let Some(g) = self.cur.as_mut() {
            g.frames.push(f);
            self.pending = Pending::Frame;
        }
    }

    fn created_by(&mut self, rest: &str) {
        if self.in_ancestor {
            self.pending = Pending::None;
            return;
        }
        let Some(g) = self.cur.as_mut() else { return };
        let rest = rest.trim_end();
        let (function, parent) = match rest.rfind(" in goroutine ") {
            Some(i) => (&rest[..i], rest[i + 14..].trim().parse::<u64>().ok()),
            None => (rest, None),
        };
        g.created_by = Some(Frame {
            function: function.to_string(),
            ..Frame::default()
        });
        g.parent_id = parent;
        self.pending = Pending::CreatedBy;
    }

    fn file(&mut self, rest: &str) {
        let Some(g) = self.cur.as_mut() else { return };
        let target = match self.pending {
            Pending::Frame => g.frames.last_mut(),
            Pending::CreatedBy => g.created_by.as_mut(),
            Pending::None => None,
        };
        if let Some(f) = target {
            let (file, line) = parse_file_loc(rest);
            f.file = file.to_string();
            f.line = line;
        }
        self.pending = Pending::None;
    }
}

/// One classified line.
enum Line<'a> {
    Blank,
    /// A header, the length of its indentation, and whether it is goleak's form.
    Header(Box<Goroutine>, usize, bool),
    Ancestor(Option<u64>),
    GoleakEnd,
    CreatedBy(&'a str),
    Elided(u32),
    Unavailable,
    File(&'a str),
    Function(&'a str),
    ProfileHeader(bool),
    Record(u64),
    ProfLabels(&'a str),
    ProfFrame(&'a str),
    Other,
}

fn trim_ws_start(s: &str) -> &str {
    s.trim_start_matches([' ', '\t'])
}

fn classify<'a>(line: &'a str, indent: &str) -> Line<'a> {
    let t = trim_ws_start(line);
    let tb = t.as_bytes();
    let Some(&first) = tb.first() else {
        return Line::Blank;
    };
    let ws = line.len() - t.len();
    match first {
        b'\r' if t.trim_end().is_empty() => return Line::Blank,
        b'g' => {
            if let Some(rest) = t.strip_prefix("goroutine ") {
                if rest.as_bytes().first().is_some_and(u8::is_ascii_digit) {
                    return match parse_runtime_header(rest.trim_end()) {
                        Some(g) => Line::Header(Box::new(g), ws, false),
                        None => Line::Other,
                    };
                }
                if rest.starts_with("running on other thread") {
                    return Line::Unavailable;
                }
            }
            if t.starts_with("goroutineleak profile:") {
                return Line::ProfileHeader(true);
            }
            if t.starts_with("goroutine profile:") {
                return Line::ProfileHeader(false);
            }
        }
        b'G' | b'[' => {
            if let Some(rest) = t.strip_prefix("[Goroutine ") {
                return match parse_goleak_header(rest.trim_end()) {
                    Some(g) => Line::Header(Box::new(g), ws, true),
                    None => Line::Other,
                };
            }
            if let Some(rest) = t.strip_prefix("Goroutine ") {
                // Continuation elements are printed after a single space: `<indent> Goroutine 8 …`.
                let ind = if ws > 0 && line.as_bytes()[ws - 1] == b' ' {
                    ws - 1
                } else {
                    ws
                };
                return match parse_goleak_header(rest.trim_end()) {
                    Some(g) => Line::Header(Box::new(g), ind, true),
                    None => Line::Other,
                };
            }
            if let Some(rest) = t.strip_prefix("[originating from goroutine ") {
                let n = rest.bytes().take_while(u8::is_ascii_digit).count();
                return Line::Ancestor(rest[..n].parse().ok());
            }
        }
        b']' if t.trim_end() == "]" => return Line::GoleakEnd,
        b'#' => {
            if let Some(l) = t.strip_prefix("# labels: ") {
                return Line::ProfLabels(l.trim_end());
            }
            if t.starts_with("#\t") {
                return Line::ProfFrame(t);
            }
        }
        b'0'..=b'9' => {
            let n = tb.iter().take_while(|b| b.is_ascii_digit()).count();
            if t[n..].starts_with(" @ ") {
                // A count too large for `u64` is kept as the largest one (totals saturate).
                let count = t[..n].parse::<u64>().unwrap_or(u64::MAX);
                return Line::Record(count);
            }
        }
        _ => {}
    }
    // Content lines: strip the header's indentation, then any stray spaces (Go never starts a frame or
    // file line with a space).
    let c = match line.strip_prefix(indent) {
        Some(c) => c,
        None => line,
    };
    let c = c.trim_start_matches(' ');
    if let Some(rest) = c.strip_prefix('\t') {
        if trim_ws_start(rest).starts_with("goroutine running on other thread") {
            return Line::Unavailable;
        }
        return Line::File(rest);
    }
    if let Some(rest) = c.strip_prefix("created by ") {
        return Line::CreatedBy(rest);
    }
    if let Some(rest) = c.strip_prefix("...") {
        let rest = rest.trim_end();
        if rest == "additional frames elided..." {
            return Line::Elided(0);
        }
        if let Some(n) = rest.strip_suffix(" frames elided...") {
            if let Ok(n) = n.parse::<u32>() {
                return Line::Elided(n);
            }
        }
        return Line::Other;
    }
    let ct = c.trim_end();
    if ct.ends_with(')') && !c.starts_with('\t') {
        return Line::Function(ct);
    }
    Line::Other
}

/// Whether the line starting at `pos` is a frame's file line (`<indent>\t/abs/file.go:12 …`).
fn next_is_file_line(text: &str, pos: usize, indent: &str) -> bool {
    let Some(rest) = text.get(pos..) else {
        return false;
    };
    let rest = match rest.strip_prefix(indent) {
        Some(r) => r,
        None => rest,
    };
    let rest = rest.trim_start_matches(' ');
    rest.starts_with('\t') && !trim_ws_start(rest).starts_with("goroutine running on other thread")
}

fn split_number(s: &str) -> Option<(u64, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// `rest` follows `goroutine `: `20 [chan send]:`, `1 gp=0x… m=nil [chan receive]:`,
/// `5 [select] {id: 7}:`.
fn parse_runtime_header(rest: &str) -> Option<Goroutine> {
    let (id, rest) = split_number(rest)?;
    let rest = rest.strip_suffix(':')?;
    let open = rest.find(" [")?;
    let pre = rest[..open].trim();
    if !pre.is_empty() && !pre.starts_with("gp=") {
        return None;
    }
    let body = &rest[open + 2..];
    let (bracket, labels) = if let Some(b) = body.strip_suffix(']') {
        (b, None)
    } else if body.ends_with('}') {
        let i = body.find("] {")?;
        (&body[..i], Some(&body[i + 2..]))
    } else {
        return None;
    };
    let mut g = Goroutine {
        id,
        ..Goroutine::default()
    };
    apply_state(&mut g, bracket);
    if let Some(l) = labels {
        g.labels = Some(l.to_string());
    }
    Some(g)
}

/// `rest` follows `Goroutine `: `20 in state chan send, with F on top of the stack:`.
fn parse_goleak_header(rest: &str) -> Option<Goroutine> {
    let (id, rest) = split_number(rest)?;
    let rest = rest.strip_prefix(" in state ")?;
    let rest = rest.strip_suffix(" on top of the stack:")?;
    let i = rest.rfind(", with ")?;
    let mut g = Goroutine {
        id,
        ..Goroutine::default()
    };
    apply_state(&mut g, &rest[..i]);
    Some(g)
}

/// Fills the state fields from the text between a header's brackets.
fn apply_state(g: &mut Goroutine, bracket: &str) {
    g.raw_state = bracket.to_string();
    let mut s = bracket;
    if let Some(i) = s.find(" labels:{") {
        g.labels = Some(s[i + 8..].to_string());
        s = &s[..i];
    } else if let Some(rest) = s.strip_prefix("labels:{") {
        g.labels = Some(format!("{{{rest}"));
        s = "";
    }
    let mut parts = s.split(", ");
    let mut state = parts.next().unwrap_or("");
    for p in parts {
        if let Some(m) = p
            .strip_suffix(" minutes")
            .or_else(|| p.strip_suffix(" minute"))
        {
            if let Ok(n) = m.parse() {
                g.wait_minutes = Some(n);
            }
        } else if p == "locked to thread" {
            g.locked_to_thread = true;
        } else if let Some(n) = p
            .strip_prefix("synctest bubble ")
            .or_else(|| p.strip_prefix("synctest group "))
        {
            if let Ok(n) = n.parse() {
                g.bubble = Some(n);
            }
        }
    }
    loop {
        if let Some(s2) = state.strip_suffix(" (leaked)") {
            g.leaked = true;
            state = s2;
        } else if let Some(s2) = state.strip_suffix(" (scan)") {
            state = s2;
        } else if let Some(s2) = state
            .strip_suffix(" (durable)")
            .or_else(|| state.strip_suffix(" (synctest)"))
        {
            g.durable = true;
            state = s2;
        } else {
            break;
        }
    }
    g.state = state.to_string();
}

/// `pkg.(*T).Method(0x1, ...)` → the frame without file.
fn parse_function(c: &str) -> Option<Frame> {
    let inner = c.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let function = &inner[..open];
    if function.is_empty() || function.bytes().any(|b| b == b' ' || b == b'\t') {
        return None;
    }
    let args = &inner[open + 1..];
    Some(Frame {
        function: function.to_string(),
        args: args.to_string(),
        inlined: args == "...",
        ..Frame::default()
    })
}

/// `/abs/file.go:12 +0x1a fp=… sp=… pc=…` → (`/abs/file.go`, 12).
fn parse_file_loc(s: &str) -> (&str, u32) {
    let s = s.trim_end();
    let loc = match s.find(" +0x") {
        Some(i) => &s[..i],
        None => s,
    };
    let loc = loc.trim_end_matches(']').trim_end();
    if let Some(i) = loc.rfind(':') {
        if let Ok(n) = loc[i + 1..].parse::<u32>() {
            return (&loc[..i], n);
        }
    }
    (loc, 0)
}

/// `#\t0x4dc9dd\tmain.leaky.func1+0x1d\t/tmp/main.go:13` (tabs may repeat for alignment).
fn parse_profile_frame(c: &str) -> Option<Frame> {
    let mut fields = c.split('\t').filter(|f| !f.is_empty());
    fields.next()?; // "#"
    fields.next()?; // pc
    let func = fields.next()?.trim();
    let function = match func.rfind("+0x") {
        Some(i) => &func[..i],
        None => func,
    };
    let (file, line) = match fields.next() {
        Some(loc) => parse_file_loc(loc),
        None => ("", 0),
    };
    Some(Frame {
        function: function.to_string(),
        file: file.to_string(),
        line,
        ..Frame::default()
    })
}

#[cfg(test)]
mod tests {
    use super::samples::*;
    use super::*;

    fn frame(g: &Goroutine, i: usize) -> (&str, &str, &str, u32, bool) {
        let f = &g.frames[i];
        (&f.function, &f.args, &f.file, f.line, f.inlined)
    }

    fn created(g: &Goroutine) -> (&str, &str, u32) {
        let f = g.created_by.as_ref().expect("created by");
        (&f.function, &f.file, f.line)
    }

    #[test]
    fn header_plain() {
        let g = parse_line_header("goroutine 20 [chan send]:").unwrap();
        assert_eq!(
            (g.id, g.state.as_str(), g.raw_state.as_str()),
            (20, "chan send", "chan send")
        );
        assert!(!g.leaked && !g.durable && !g.locked_to_thread);
        assert_eq!((g.bubble, g.wait_minutes, g.labels), (None, None, None));
    }

    #[test]
    fn header_marks_minutes_lock_bubble() {
        let g = parse_line_header(
            "goroutine 7 [chan receive (durable), 3 minutes, locked to thread, synctest bubble 2]:",
        )
        .unwrap();
        assert_eq!(g.id, 7);
        assert_eq!(g.state, "chan receive");
        assert_eq!(
            g.raw_state,
            "chan receive (durable), 3 minutes, locked to thread, synctest bubble 2"
        );
        assert!(g.durable && g.locked_to_thread && !g.leaked);
        assert_eq!((g.wait_minutes, g.bubble), (Some(3), Some(2)));

        let g = parse_line_header("goroutine 19 [chan receive (synctest), synctest group 18]:")
            .unwrap();
        assert_eq!(
            (g.state.as_str(), g.durable, g.bubble),
            ("chan receive", true, Some(18))
        );

        let g = parse_line_header("goroutine 22 [select (no cases) (leaked)]:").unwrap();
        assert_eq!((g.state.as_str(), g.leaked), ("select (no cases)", true));

        let g = parse_line_header("goroutine 4 [GC worker (idle) (scan), 1 minutes]:").unwrap();
        assert_eq!(
            (g.state.as_str(), g.wait_minutes),
            ("GC worker (idle)", Some(1))
        );

        let g = parse_line_header("goroutine 12 [chan receive (nil chan)]:").unwrap();
        assert_eq!(g.state, "chan receive (nil chan)");
        let g = parse_line_header("goroutine 11 [sleep, locked to thread]:").unwrap();
        assert_eq!((g.state.as_str(), g.locked_to_thread), ("sleep", true));
    }

    #[test]
    fn header_system_and_labels() {
        let g = parse_line_header("goroutine 1 gp=0xc000002380 m=nil [chan receive]:").unwrap();
        assert_eq!((g.id, g.state.as_str()), (1, "chan receive"));
        let g = parse_line_header("goroutine 1 gp=0x2441b70ca1e0 m=3 mp=0x2441b70fd008 [running]:")
            .unwrap();
        assert_eq!((g.id, g.state.as_str()), (1, "running"));
        // Go 1.26, GODEBUG=tracebacklabels=1: inside the bracket.
        let g =
            parse_line_header(r#"goroutine 22 [select (no cases) labels:{"id": "7"}]:"#).unwrap();
        assert_eq!(g.state, "select (no cases)");
        assert_eq!(g.raw_state, r#"select (no cases) labels:{"id": "7"}"#);
        assert_eq!(g.labels.as_deref(), Some(r#"{"id": "7"}"#));
        // Go 1.27: after the bracket.
        let g = parse_line_header("goroutine 22 [select (no cases)] {id: 7}:").unwrap();
        assert_eq!(
            (g.state.as_str(), g.raw_state.as_str()),
            ("select (no cases)", "select (no cases)")
        );
        assert_eq!(g.labels.as_deref(), Some("{id: 7}"));
        let g = parse_line_header("goroutine 5 [select, 2 minutes] {id: 7, \"a b\": x}:").unwrap();
        assert_eq!((g.state.as_str(), g.wait_minutes), ("select", Some(2)));
        assert_eq!(g.labels.as_deref(), Some("{id: 7, \"a b\": x}"));
    }

    #[test]
    fn header_goleak_and_rejects() {
        let g = parse_line_header(
            "        [Goroutine 20 in state chan send, with example.com/x.Leak.func1 on top of the stack:",
        )
        .unwrap();
        assert_eq!((g.id, g.state.as_str()), (20, "chan send"));
        let g = parse_line_header(
            " Goroutine 9 in state chan send (durable), synctest bubble 1, with example.com/x.F on top of the stack:",
        )
        .unwrap();
        assert_eq!(
            (g.id, g.state.as_str(), g.bubble, g.durable),
            (9, "chan send", Some(1), true)
        );
        for bad in [
            "goroutine running on other thread; stack unavailable",
            "goroutine 5 [select",
            "goroutine x [select]:",
            "goroutine 5 foo [select]:",
            "goroutine 99999999999999999999999 [select]:",
            "Goroutine 8 in state select",
            "",
            "[",
        ] {
            assert!(parse_line_header(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn goleak_v13_list() {
        let gs = parse(GOLEAK_V13);
        assert_eq!(
            gs.iter().map(|g| g.id).collect::<Vec<_>>(),
            [20, 21, 22, 23, 24]
        );
        let g = &gs[0];
        assert_eq!(
            (g.state.as_str(), g.raw_state.as_str()),
            ("chan send", "chan send")
        );
        assert_eq!(g.frames.len(), 1);
        assert_eq!(
            frame(g, 0),
            ("example.com/x.Leak.func1", "", "/tmp/gl13/x.go", 11, false)
        );
        assert_eq!(created(g), ("example.com/x.Leak", "/tmp/gl13/x.go", 11));
        assert_eq!(g.parent_id, Some(19));
        // Generic method, inlined.
        assert_eq!(
            frame(&gs[1], 0),
            (
                "example.com/x.(*Box[...]).Send",
                "...",
                "/tmp/gl13/x.go",
                7,
                true
            )
        );
        let g = &gs[2];
        assert_eq!(g.state, "sync.Mutex.Lock");
        assert_eq!(g.frames.len(), 6);
        assert_eq!(
            frame(g, 0),
            (
                "internal/sync.runtime_SemacquireMutex",
                "0x0?, 0x0?, 0x0?",
                "/usr/local/go/src/runtime/sema.go",
                95,
                false
            )
        );
        assert_eq!(
            frame(g, 4),
            (
                "example.com/x.Leak.func2.1",
                "...",
                "/tmp/gl13/x.go",
                17,
                true
            )
        );
        assert_eq!(
            frame(g, 5),
            ("example.com/x.Leak.func2", "", "/tmp/gl13/x.go", 17, false)
        );
        assert_eq!(created(g), ("example.com/x.Leak", "/tmp/gl13/x.go", 16));
        assert_eq!(gs[3].state, "select (no cases)");
        assert_eq!(gs[4].state, "chan receive (nil chan)");
        assert_eq!(
            created(&gs[4]),
            ("example.com/x.Leak", "/tmp/gl13/x.go", 21)
        );
    }

    #[test]
    fn goleak_v12_repeated_header() {
        let gs = parse(GOLEAK_V12);
        assert_eq!(
            gs.iter().map(|g| g.id).collect::<Vec<_>>(),
            [8, 9, 10, 11, 12]
        );
        assert_eq!(gs[2].frames.len(), 6);
        assert_eq!(gs[4].state, "chan receive (nil chan)");
        assert_eq!(
            created(&gs[4]),
            ("example.com/x.Leak", "/tmp/gl12/x.go", 21)
        );
        assert_eq!(gs[4].parent_id, Some(7));
        assert_eq!(
            frame(&gs[0], 0),
            ("example.com/x.Leak.func1", "", "/tmp/gl12/x.go", 11, false)
        );
    }

    #[test]
    fn goleak_main_unindented() {
        let gs = parse(GOLEAK_MAIN);
        assert_eq!(gs.len(), 5);
        assert_eq!(
            frame(&gs[0], 0),
            (
                "example.com/x.Leak.func1",
                "",
                "/tmp/glmain/x.go",
                11,
                false
            )
        );
        assert_eq!(gs[0].parent_id, Some(7));
    }

    #[test]
    fn closing_bracket_glued_to_file_line() {
        let text = "[Goroutine 20 in state chan send, with x.F on top of the stack:\nx.F()\n\t/abs/x.go:22 +0x76]\n";
        let gs = parse(text);
        assert_eq!(gs.len(), 1);
        assert_eq!(frame(&gs[0], 0), ("x.F", "", "/abs/x.go", 22, false));
        let r = parse_region(text, 0, true);
        assert_eq!(
            (r.goroutines.len(), r.end, r.next),
            (1, text.len() - 1, text.len())
        );
        let inl = "    [Goroutine 2 in state select, with x.G on top of the stack:\n    x.G(...)\n    \t/abs/x.go:7]\n";
        assert_eq!(
            frame(&parse(inl)[0], 0),
            ("x.G", "...", "/abs/x.go", 7, true)
        );
    }

    #[test]
    fn synctest_dumps() {
        let gs = parse(SYNCTEST_LEAK);
        assert_eq!(gs.len(), 2);
        assert_eq!(
            (gs[0].id, gs[0].state.as_str(), gs[0].frames.len()),
            (19, "running", 7)
        );
        assert_eq!(
            frame(&gs[0], 2),
            (
                "panic",
                "{0x56c4e0?, 0xb8d95e220d8?}",
                "/usr/local/go/src/runtime/panic.go",
                860,
                false
            )
        );
        assert_eq!(
            created(&gs[0]),
            (
                "testing.(*T).Run",
                "/usr/local/go/src/testing/testing.go",
                2101
            )
        );
        let g = &gs[1];
        assert_eq!(
            (g.id, g.state.as_str(), g.raw_state.as_str()),
            (22, "chan send", "chan send (durable), synctest bubble 1")
        );
        assert_eq!(
            (g.durable, g.bubble, g.parent_id),
            (true, Some(1), Some(21))
        );
        assert_eq!(
            frame(g, 0),
            (
                "example.com/st.TestBubbleLeak.func1.1",
                "",
                "/tmp/st/st_test.go",
                11,
                false
            )
        );

        let gs = parse(SYNCTEST_GO124);
        let ids: Vec<_> = gs.iter().map(|g| (g.id, g.bubble)).collect();
        assert_eq!(ids, [(6, None), (1, None), (7, Some(6)), (8, Some(6))]);
        assert_eq!(
            (gs[2].state.as_str(), gs[2].durable),
            ("chan receive", true)
        );
        assert_eq!(
            frame(&gs[0], 4),
            (
                "testing/synctest.Run",
                "...",
                "/tmp/go124/x/go/src/testing/synctest/synctest.go",
                38,
                true
            )
        );
        assert_eq!(
            created(&gs[2]),
            (
                "internal/synctest.Run",
                "/tmp/go124/x/go/src/runtime/synctest.go",
                178
            )
        );
        assert_eq!(gs[1].frames.last().unwrap().file, "_testmain.go");
    }

    #[test]
    fn timeout_dump() {
        let gs = parse(TIMEOUT);
        let ids: Vec<_> = gs
            .iter()
            .map(|g| (g.id, g.state.as_str(), g.frames.len()))
            .collect();
        assert_eq!(
            ids,
            [
                (17, "running", 1),
                (1, "chan receive", 5),
                (7, "sync.WaitGroup.Wait", 4),
                (8, "sleep", 3),
                (9, "chan receive", 1)
            ]
        );
        assert_eq!(
            created(&gs[0]),
            ("time.goFunc", "/usr/local/go/src/time/sleep.go", 215)
        );
        assert_eq!(gs[0].parent_id, None);
        assert_eq!(
            frame(&gs[1], 4),
            ("main.main", "", "_testmain.go", 48, false)
        );
        assert_eq!(
            frame(&gs[4], 0),
            (
                "example.com/to.worker",
                "...",
                "/tmp/to/to_test.go",
                9,
                true
            )
        );
        assert_eq!((gs[4].parent_id, created(&gs[4]).2), (Some(7), 13));
    }

    #[test]
    fn system_traceback_fp_sp_pc() {
        let gs = parse(SYSTEM);
        assert_eq!(gs.iter().map(|g| g.id).collect::<Vec<_>>(), [1, 2, 22]);
        assert_eq!(
            frame(&gs[0], 1),
            ("main.main", "", "/tmp/pr/leak/main.go", 37, false)
        );
        assert_eq!(
            frame(&gs[0], 3),
            (
                "runtime.goexit",
                "{}",
                "/usr/local/go/src/runtime/asm_amd64.s",
                1771,
                false
            )
        );
        assert_eq!(gs[1].state, "force gc (idle)");
        assert_eq!(
            frame(&gs[1], 1),
            (
                "runtime.goparkunlock",
                "...",
                "/usr/local/go/src/runtime/proc.go",
                468,
                true
            )
        );
        assert_eq!(
            created(&gs[1]),
            ("runtime.init.7", "/usr/local/go/src/runtime/proc.go", 363)
        );
        assert_eq!(gs[2].state, "select (no cases)");
        assert_eq!(gs[2].labels.as_deref(), Some(r#"{"id": "7"}"#));
    }

    #[test]
    fn labels_go126_and_go127() {
        for (text, labels) in [(LABELS_GO126, r#"{"id": "7"}"#), (LABELS_GO127, "{id: 7}")] {
            let gs = parse(text);
            assert_eq!(gs.len(), 2);
            assert_eq!((gs[0].id, gs[0].state.as_str()), (22, "select (no cases)"));
            assert_eq!(gs[0].labels.as_deref(), Some(labels));
            assert_eq!(frame(&gs[0], 0).0, "main.main.func1.1");
            assert_eq!(
                (gs[1].id, gs[1].state.as_str(), gs[1].locked_to_thread),
                (23, "sleep", true)
            );
        }
    }

    #[test]
    fn ancestors_are_recorded_not_parsed() {
        let gs = parse(ANCESTORS);
        assert_eq!(gs.len(), 2);
        assert_eq!(
            (gs[0].id, gs[0].ancestors.as_slice(), gs[0].frames.len()),
            (19, &[1u64][..], 1)
        );
        assert_eq!(created(&gs[0]), ("main.leaky", "/tmp/pr/leak/main.go", 13));
        assert_eq!((gs[1].id, gs[1].frames.len()), (20, 1));
    }

    #[test]
    fn elided_frames() {
        let gs = parse(DEEP);
        assert_eq!(gs.len(), 3);
        let g = &gs[1];
        assert_eq!((g.id, g.frames.len(), g.elided), (19, 100, Some(101)));
        assert_eq!(
            frame(g, 0),
            ("main.rec", "...", "/tmp/pr/deep/main.go", 12, true)
        );
        assert_eq!(created(g), ("main.main", "/tmp/pr/deep/main.go", 18));
        let text = "goroutine 5 [chan receive]:\nx.F()\n\t/a.go:1 +0x1\n...additional frames elided...\ncreated by x.G\n\t/a.go:9 +0x2\n";
        let g = &parse(text)[0];
        assert_eq!(
            (g.elided, g.parent_id, created(g)),
            (Some(0), None, ("x.G", "/a.go", 9))
        );
    }

    #[test]
    fn profiles_debug1() {
        // One goroutine per record, its count as data.
        let gs = parse(LEAK_PROFILE_DEBUG1);
        assert_eq!(gs.iter().map(|g| g.count).collect::<Vec<_>>(), [3, 1]);
        assert!(gs
            .iter()
            .all(|g| g.leaked && g.id == 0 && g.state.is_empty()));
        assert_eq!(
            frame(&gs[0], 0),
            ("main.leaky.func1", "", "/tmp/pr/leak/main.go", 13, false)
        );
        assert_eq!(gs[1].labels.as_deref(), Some(r#"{"id":"7"}"#));
        let gs = parse(GOROUTINE_PROFILE_DEBUG1);
        assert_eq!(gs.iter().map(|g| g.count).collect::<Vec<_>>(), [3, 1, 1, 1]);
        assert!(gs.iter().all(|g| !g.leaked));
        // Alignment tabs.
        assert_eq!(
            frame(&gs[1], 3),
            ("main.main", "", "/tmp/pr/leak/main.go", 35, false)
        );
        assert_eq!(gs[3].frames.len(), 2);
        let huge = "goroutineleak profile: total 9\n99999999999999999999999 @ 0x1\n#\t0x1\tx.F+0x1\t/a.go:3\n";
        let gs = parse(huge);
        assert_eq!((gs.len(), gs[0].count), (1, u64::MAX));
    }

    #[test]
    fn leak_profile_debug2() {
        let gs = parse(LEAK_PROFILE_DEBUG2);
        let v: Vec<_> = gs
            .iter()
            .map(|g| (g.id, g.state.as_str(), g.leaked))
            .collect();
        assert_eq!(
            v,
            [
                (1, "running", false),
                (7, "chan send", true),
                (8, "chan send", true),
                (9, "chan send", true),
                (10, "select (no cases)", true),
                (11, "sleep", false)
            ]
        );
        assert_eq!(gs[4].raw_state, "select (no cases) (leaked)");
    }

    #[test]
    fn indentation_tabs_crlf_and_odd_lines() {
        // Indented with tabs (old t.Error style), CRLF line ends.
        let text = "\t\tgoroutine 7 [select]:\r\n\t\tx.F(0x1)\r\n\t\t\t/abs/x.go:5 +0x1\r\n\t\tcreated by x.G in goroutine 3\r\n\t\t\t/abs/x.go:9 +0x2\r\n";
        let g = &parse(text)[0];
        assert_eq!(frame(g, 0), ("x.F", "0x1", "/abs/x.go", 5, false));
        assert_eq!(
            (created(g), g.parent_id),
            (("x.G", "/abs/x.go", 9), Some(3))
        );
        // Two dumps at different depths; unrelated lines in between are skipped.
        let text = "  goroutine 1 [running]:\n  x.A()\n  \t/a.go:1 +0x1\n--- FAIL: TestX (0.00s)\nlog (x)\n            goroutine 2 [sleep]:\n            x.B()\n            \t/b.go:2\n";
        let gs = parse(text);
        assert_eq!(gs.len(), 2);
        assert_eq!((gs[0].frames.len(), gs[1].frames.len()), (1, 1));
        assert_eq!(frame(&gs[1], 0), ("x.B", "", "/b.go", 2, false));
        // Stack unavailable; Windows path with a space; old `created by` without goroutine id.
        let text = "goroutine 3 [running]:\n\tgoroutine running on other thread; stack unavailable\ncreated by x.F\n\tC:/Program Files/x.go:4 +0x2\n\ngoroutine 4 [chan receive, 12 minutes]:\nx.G()\n\tC:/Program Files/y.go:8 +0x3\n";
        let gs = parse(text);
        assert!(gs[0].stack_unavailable && gs[0].frames.is_empty());
        assert_eq!(
            (created(&gs[0]), gs[0].parent_id),
            (("x.F", "C:/Program Files/x.go", 4), None)
        );
        assert_eq!(
            (gs[1].wait_minutes, frame(&gs[1], 0).2),
            (Some(12), "C:/Program Files/y.go")
        );
    }

    #[test]
    fn strict_region_stops_at_foreign_lines() {
        let text = "goroutine 9 [chan receive]:\nx.F(...)\n\t/a.go:9\n\nFAIL\tpkg\t2.0s\ngoroutine 10 [select]:\n";
        let r = parse_region(text, 0, true);
        assert_eq!(r.goroutines.len(), 1);
        assert_eq!(
            &text[..r.end],
            "goroutine 9 [chan receive]:\nx.F(...)\n\t/a.go:9"
        );
        assert_eq!(&text[r.next..], "FAIL\tpkg\t2.0s\ngoroutine 10 [select]:\n");
        let text = "goroutine 9 [chan receive]:\nx.F()\n\t/a.go:9\n--- FAIL: TestX (0.01s)\n\t/not/a/frame.go:1\n";
        let r = parse_region(text, 0, true);
        assert_eq!(
            &text[r.next..],
            "--- FAIL: TestX (0.01s)\n\t/not/a/frame.go:1\n"
        );
    }

    /// A small xorshift generator: no extra crate.
    pub(crate) struct XorShift(pub u64);

    impl XorShift {
        pub(crate) fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }
    }

    #[test]
    fn never_panics_on_prefixes_and_noise() {
        for text in [
            PANIC_ALL,
            GOLEAK_V12,
            SYSTEM,
            LEAK_PROFILE_DEBUG1,
            LABELS_GO127,
        ] {
            for (i, _) in text.char_indices() {
                let _ = parse(&text[..i]);
                let _ = parse(&text[i..]);
                let _ = parse_line_header(&text[i..]);
            }
        }
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let alphabet: &[&str] = &[
            "goroutine ",
            "Goroutine ",
            "[",
            "]",
            ":",
            "(",
            ")",
            "...",
            " ",
            "\t",
            "\n",
            "\r",
            "1",
            "0x",
            "+0x1f",
            "created by ",
            " in goroutine ",
            "frames elided",
            "(leaked)",
            ", ",
            "{",
            "}",
            "é",
            "#",
            " @ ",
            "labels:{",
            "[originating from goroutine ",
            "x.F",
            "/a.go:",
            "\u{1F600}",
        ];
        for _ in 0..3000 {
            let mut s = String::new();
            for _ in 0..(rng.next() % 60) {
                s.push_str(alphabet[(rng.next() % alphabet.len() as u64) as usize]);
            }
            let _ = parse(&s);
            let _ = parse_line_header(&s);
            let bytes: Vec<u8> = (0..(rng.next() % 200)).map(|_| rng.next() as u8).collect();
            let _ = parse(&String::from_utf8_lossy(&bytes));
        }
    }
}

#[cfg(test)]
#[rustfmt::skip]
pub(crate) mod samples {
// Real output captured with Go 1.26.8 (1.24.11 and 1.27.3 where named), goleak v1.3.0 and v1.2.1.
pub(crate) const GOLEAK_V13: &str = r#"=== RUN   TestLeak
    x_test.go:11: found unexpected goroutines:
        [Goroutine 20 in state chan send, with example.com/x.Leak.func1 on top of the stack:
        example.com/x.Leak.func1()
        	/tmp/gl13/x.go:11 +0x1e
        created by example.com/x.Leak in goroutine 19
        	/tmp/gl13/x.go:11 +0x66
         Goroutine 21 in state chan send, with example.com/x.(*Box[...]).Send on top of the stack:
        example.com/x.(*Box[...]).Send(...)
        	/tmp/gl13/x.go:7
        created by example.com/x.Leak in goroutine 19
        	/tmp/gl13/x.go:13 +0xf1
         Goroutine 22 in state sync.Mutex.Lock, with internal/sync.runtime_SemacquireMutex on top of the stack:
        internal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)
        	/usr/local/go/src/runtime/sema.go:95 +0x25
        internal/sync.(*Mutex).lockSlow(0x182e86c860b8)
        	/usr/local/go/src/internal/sync/mutex.go:149 +0x15d
        internal/sync.(*Mutex).Lock(...)
        	/usr/local/go/src/internal/sync/mutex.go:70
        sync.(*Mutex).Lock(...)
        	/usr/local/go/src/sync/mutex.go:46
        example.com/x.Leak.func2.1(...)
        	/tmp/gl13/x.go:17
        example.com/x.Leak.func2()
        	/tmp/gl13/x.go:17 +0x2f
        created by example.com/x.Leak in goroutine 19
        	/tmp/gl13/x.go:16 +0x165
         Goroutine 23 in state select (no cases), with example.com/x.Leak.func3 on top of the stack:
        example.com/x.Leak.func3()
        	/tmp/gl13/x.go:19 +0xf
        created by example.com/x.Leak in goroutine 19
        	/tmp/gl13/x.go:19 +0x171
         Goroutine 24 in state chan receive (nil chan), with example.com/x.Leak.func4 on top of the stack:
        example.com/x.Leak.func4()
        	/tmp/gl13/x.go:21 +0x19
        created by example.com/x.Leak in goroutine 19
        	/tmp/gl13/x.go:21 +0x194
        ]
--- FAIL: TestLeak (0.44s)
FAIL
FAIL	example.com/x	0.456s
FAIL
"#;

pub(crate) const GOLEAK_V12: &str = r#"=== RUN   TestLeak
    x_test.go:11: found unexpected goroutines:
        [Goroutine 8 in state chan send, with example.com/x.Leak.func1 on top of the stack:
        goroutine 8 [chan send]:
        example.com/x.Leak.func1()
        	/tmp/gl12/x.go:11 +0x1e
        created by example.com/x.Leak in goroutine 7
        	/tmp/gl12/x.go:11 +0x66
        
         Goroutine 9 in state chan send, with example.com/x.(*Box[...]).Send on top of the stack:
        goroutine 9 [chan send]:
        example.com/x.(*Box[...]).Send(...)
        	/tmp/gl12/x.go:7
        created by example.com/x.Leak in goroutine 7
        	/tmp/gl12/x.go:13 +0xf1
        
         Goroutine 10 in state sync.Mutex.Lock, with internal/sync.runtime_SemacquireMutex on top of the stack:
        goroutine 10 [sync.Mutex.Lock]:
        internal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)
        	/usr/local/go/src/runtime/sema.go:95 +0x25
        internal/sync.(*Mutex).lockSlow(0x1a9d4395c150)
        	/usr/local/go/src/internal/sync/mutex.go:149 +0x15d
        internal/sync.(*Mutex).Lock(...)
        	/usr/local/go/src/internal/sync/mutex.go:70
        sync.(*Mutex).Lock(...)
        	/usr/local/go/src/sync/mutex.go:46
        example.com/x.Leak.func2.1(...)
        	/tmp/gl12/x.go:17
        example.com/x.Leak.func2()
        	/tmp/gl12/x.go:17 +0x2f
        created by example.com/x.Leak in goroutine 7
        	/tmp/gl12/x.go:16 +0x165
        
         Goroutine 11 in state select (no cases), with example.com/x.Leak.func3 on top of the stack:
        goroutine 11 [select (no cases)]:
        example.com/x.Leak.func3()
        	/tmp/gl12/x.go:19 +0xf
        created by example.com/x.Leak in goroutine 7
        	/tmp/gl12/x.go:19 +0x171
        
         Goroutine 12 in state chan receive (nil chan), with example.com/x.Leak.func4 on top of the stack:
        goroutine 12 [chan receive (nil chan)]:
        example.com/x.Leak.func4()
        	/tmp/gl12/x.go:21 +0x19
        created by example.com/x.Leak in goroutine 7
        	/tmp/gl12/x.go:21 +0x194
        ]
--- FAIL: TestLeak (0.45s)
FAIL
FAIL	example.com/x	0.448s
FAIL
"#;

pub(crate) const GOLEAK_MAIN: &str = r#"=== RUN   TestLeak
--- PASS: TestLeak (0.00s)
PASS
goleak: Errors on successful test run: found unexpected goroutines:
[Goroutine 8 in state chan send, with example.com/x.Leak.func1 on top of the stack:
example.com/x.Leak.func1()
	/tmp/glmain/x.go:11 +0x1e
created by example.com/x.Leak in goroutine 7
	/tmp/glmain/x.go:11 +0x66
 Goroutine 9 in state chan send, with example.com/x.(*Box[...]).Send on top of the stack:
example.com/x.(*Box[...]).Send(...)
	/tmp/glmain/x.go:7
created by example.com/x.Leak in goroutine 7
	/tmp/glmain/x.go:13 +0xf1
 Goroutine 10 in state sync.Mutex.Lock, with internal/sync.runtime_SemacquireMutex on top of the stack:
internal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)
	/usr/local/go/src/runtime/sema.go:95 +0x25
internal/sync.(*Mutex).lockSlow(0xc6b1521c150)
	/usr/local/go/src/internal/sync/mutex.go:149 +0x15d
internal/sync.(*Mutex).Lock(...)
	/usr/local/go/src/internal/sync/mutex.go:70
sync.(*Mutex).Lock(...)
	/usr/local/go/src/sync/mutex.go:46
example.com/x.Leak.func2.1(...)
	/tmp/glmain/x.go:17
example.com/x.Leak.func2()
	/tmp/glmain/x.go:17 +0x2f
created by example.com/x.Leak in goroutine 7
	/tmp/glmain/x.go:16 +0x165
 Goroutine 11 in state select (no cases), with example.com/x.Leak.func3 on top of the stack:
example.com/x.Leak.func3()
	/tmp/glmain/x.go:19 +0xf
created by example.com/x.Leak in goroutine 7
	/tmp/glmain/x.go:19 +0x171
 Goroutine 12 in state chan receive (nil chan), with example.com/x.Leak.func4 on top of the stack:
example.com/x.Leak.func4()
	/tmp/glmain/x.go:21 +0x19
created by example.com/x.Leak in goroutine 7
	/tmp/glmain/x.go:21 +0x194
]
FAIL	example.com/x	0.450s
FAIL
"#;

pub(crate) const SYNCTEST_LEAK: &str = r#"=== RUN   TestBubbleLeak
--- FAIL: TestBubbleLeak (0.00s)
panic: deadlock: main bubble goroutine has exited but blocked goroutines remain [recovered, repanicked]

goroutine 19 [running]:
testing.tRunner.func1.2({0x56c4e0, 0xb8d95e220d8})
	/usr/local/go/src/testing/testing.go:1974 +0x232
testing.tRunner.func1()
	/usr/local/go/src/testing/testing.go:1977 +0x349
panic({0x56c4e0?, 0xb8d95e220d8?})
	/usr/local/go/src/runtime/panic.go:860 +0x13a
internal/synctest.Run(0xb8d95e24140)
	/usr/local/go/src/runtime/synctest.go:251 +0x2de
testing/synctest.Test(0xb8d95e1e488, 0x594128)
	/usr/local/go/src/testing/synctest/synctest.go:290 +0x90
example.com/st.TestBubbleLeak(0xb8d95e1e488?)
	/tmp/st/st_test.go:9 +0x1a
testing.tRunner(0xb8d95e1e488, 0x594078)
	/usr/local/go/src/testing/testing.go:2036 +0xea
created by testing.(*T).Run in goroutine 1
	/usr/local/go/src/testing/testing.go:2101 +0x4c5

goroutine 22 [chan send (durable), synctest bubble 1]:
example.com/st.TestBubbleLeak.func1.1()
	/tmp/st/st_test.go:11 +0x1e
created by example.com/st.TestBubbleLeak.func1 in goroutine 21
	/tmp/st/st_test.go:11 +0x5f
FAIL	example.com/st	0.004s
FAIL
"#;

pub(crate) const SYNCTEST_BLOCKED: &str = r#"=== RUN   TestBubbleBlocked
--- FAIL: TestBubbleBlocked (0.00s)
panic: deadlock: all goroutines in bubble are blocked [recovered, repanicked]

goroutine 7 [running]:
testing.tRunner.func1.2({0x56c4e0, 0x374784a7a0f0})
	/usr/local/go/src/testing/testing.go:1974 +0x232
testing.tRunner.func1()
	/usr/local/go/src/testing/testing.go:1977 +0x349
panic({0x56c4e0?, 0x374784a7a0f0?})
	/usr/local/go/src/runtime/panic.go:860 +0x13a
internal/synctest.Run(0x374784ac6160)
	/usr/local/go/src/runtime/synctest.go:251 +0x2de
testing/synctest.Test(0x374784a806c8, 0x594120)
	/usr/local/go/src/testing/synctest/synctest.go:290 +0x90
example.com/st.TestBubbleBlocked(0x374784a806c8?)
	/tmp/st/st2_test.go:9 +0x1a
testing.tRunner(0x374784a806c8, 0x594070)
	/usr/local/go/src/testing/testing.go:2036 +0xea
created by testing.(*T).Run in goroutine 1
	/usr/local/go/src/testing/testing.go:2101 +0x4c5

goroutine 8 [chan receive (durable), synctest bubble 1]:
testing/synctest.testingSynctestTest(0x374784a806c8, 0x594120)
	/usr/local/go/src/testing/testing.go:2151 +0x292
testing/synctest.Test.func1()
	/usr/local/go/src/testing/synctest/synctest.go:291 +0x25
created by testing/synctest.Test in goroutine 7
	/usr/local/go/src/testing/synctest/synctest.go:290 +0x90

goroutine 9 [chan receive (durable), synctest bubble 1]:
example.com/st.TestBubbleBlocked.func1(0x374784a80908?)
	/tmp/st/st2_test.go:12 +0x74
testing.tRunner(0x374784a80908, 0x594120)
	/usr/local/go/src/testing/testing.go:2036 +0xea
created by testing/synctest.testingSynctestTest in goroutine 8
	/usr/local/go/src/testing/testing.go:2150 +0x277

goroutine 10 [chan send (durable), synctest bubble 1]:
example.com/st.TestBubbleBlocked.func1.1()
	/tmp/st/st2_test.go:11 +0x1e
created by example.com/st.TestBubbleBlocked.func1 in goroutine 9
	/tmp/st/st2_test.go:11 +0x5f
FAIL	example.com/st	0.008s
FAIL
"#;

pub(crate) const SYNCTEST_GO124: &str = r#"=== RUN   TestBubbleBlocked
--- FAIL: TestBubbleBlocked (0.00s)
panic: deadlock: all goroutines in bubble are blocked [recovered]
	panic: deadlock: all goroutines in bubble are blocked

goroutine 6 [running]:
testing.tRunner.func1.2({0x5477a0, 0x5afbd0})
	/tmp/go124/x/go/src/testing/testing.go:1734 +0x21c
testing.tRunner.func1()
	/tmp/go124/x/go/src/testing/testing.go:1737 +0x35e
panic({0x5477a0?, 0x5afbd0?})
	/tmp/go124/x/go/src/runtime/panic.go:792 +0x132
internal/synctest.Run(0x584540)
	/tmp/go124/x/go/src/runtime/synctest.go:209 +0x245
testing/synctest.Run(...)
	/tmp/go124/x/go/src/testing/synctest/synctest.go:38
example.com/st.TestBubbleBlocked(0xc000003880?)
	/tmp/st124/st_test.go:9 +0x1b
testing.tRunner(0xc000003880, 0x584458)
	/tmp/go124/x/go/src/testing/testing.go:1792 +0xf4
created by testing.(*T).Run in goroutine 1
	/tmp/go124/x/go/src/testing/testing.go:1851 +0x413

goroutine 1 [chan receive]:
testing.(*T).Run(0xc0000036c0, {0x579d25?, 0xc000076b30?}, 0x584458)
	/tmp/go124/x/go/src/testing/testing.go:1859 +0x431
testing.runTests.func1(0xc0000036c0)
	/tmp/go124/x/go/src/testing/testing.go:2279 +0x37
testing.tRunner(0xc0000036c0, 0xc000076c70)
	/tmp/go124/x/go/src/testing/testing.go:1792 +0xf4
testing.runTests(0xc00000e018, {0x6a0bf0, 0x1, 0x1}, {0x6abde0?, 0x7?, 0x6aac60?})
	/tmp/go124/x/go/src/testing/testing.go:2277 +0x4b4
testing.(*M).Run(0xc00007a140)
	/tmp/go124/x/go/src/testing/testing.go:2142 +0x64a
main.main()
	_testmain.go:45 +0x9b

goroutine 7 [chan receive (synctest), synctest group 6]:
example.com/st.TestBubbleBlocked.func1()
	/tmp/st124/st_test.go:12 +0x74
created by internal/synctest.Run in goroutine 6
	/tmp/go124/x/go/src/runtime/synctest.go:178 +0x10d

goroutine 8 [chan send (synctest), synctest group 6]:
example.com/st.TestBubbleBlocked.func1.1()
	/tmp/st124/st_test.go:11 +0x1e
created by example.com/st.TestBubbleBlocked.func1 in goroutine 7
	/tmp/st124/st_test.go:11 +0x5f
FAIL	example.com/st	0.004s
FAIL
"#;

pub(crate) const TIMEOUT: &str = r#"=== RUN   TestHang
=== PAUSE TestHang
=== RUN   TestSleep
=== PAUSE TestSleep
=== CONT  TestHang
=== CONT  TestSleep
panic: test timed out after 2s
	running tests:
		TestHang (2s)
		TestSleep (2s)

goroutine 17 [running]:
testing.(*M).startAlarm.func1()
	/usr/local/go/src/testing/testing.go:2802 +0x354
created by time.goFunc
	/usr/local/go/src/time/sleep.go:215 +0x2d

goroutine 1 [chan receive]:
testing.tRunner.func1()
	/usr/local/go/src/testing/testing.go:1993 +0x445
testing.tRunner(0xefb4e954488, 0xefb4e9b0c58)
	/usr/local/go/src/testing/testing.go:2042 +0x123
testing.runTests({0x58844a, 0xe}, {0x58844a, 0xe}, 0xefb4e94e060, {0x6ce7c0, 0x2, 0x2}, {0xc2babff0515ce319, 0x773841a7, ...})
	/usr/local/go/src/testing/testing.go:2583 +0x505
testing.(*M).Run(0xefb4e9b4140)
	/usr/local/go/src/testing/testing.go:2443 +0x6ac
main.main()
	_testmain.go:48 +0x9b

goroutine 7 [sync.WaitGroup.Wait]:
sync.runtime_SemacquireWaitGroup(0x10?, 0x80?)
	/usr/local/go/src/runtime/sema.go:114 +0x2e
sync.(*WaitGroup).Wait(0xefb4e950150)
	/usr/local/go/src/sync/waitgroup.go:206 +0x85
example.com/to.TestHang(0xefb4e9546c8?)
	/tmp/to/to_test.go:16 +0x8f
testing.tRunner(0xefb4e9546c8, 0x594178)
	/usr/local/go/src/testing/testing.go:2036 +0xea
created by testing.(*T).Run in goroutine 1
	/usr/local/go/src/testing/testing.go:2101 +0x4c5

goroutine 8 [sleep]:
time.Sleep(0x34630b8a000)
	/usr/local/go/src/runtime/time.go:363 +0x165
example.com/to.TestSleep(0xefb4e954908?)
	/tmp/to/to_test.go:21 +0x25
testing.tRunner(0xefb4e954908, 0x594180)
	/usr/local/go/src/testing/testing.go:2036 +0xea
created by testing.(*T).Run in goroutine 1
	/usr/local/go/src/testing/testing.go:2101 +0x4c5

goroutine 9 [chan receive]:
example.com/to.worker(...)
	/tmp/to/to_test.go:9
created by example.com/to.TestHang in goroutine 7
	/tmp/to/to_test.go:13 +0x66
FAIL	example.com/to	2.008s
FAIL
"#;

pub(crate) const PANIC_ALL: &str = r#"=== RUN   TestPanic
--- FAIL: TestPanic (0.00s)
panic: assignment to entry in nil map [recovered, repanicked]

goroutine 19 [running]:
testing.tRunner.func1.2({0x55b7c0, 0x6ccc40})
	/usr/local/go/src/testing/testing.go:1974 +0x232
testing.tRunner.func1()
	/usr/local/go/src/testing/testing.go:1977 +0x349
panic({0x55b7c0?, 0x6ccc40?})
	/usr/local/go/src/runtime/panic.go:860 +0x13a
example.com/to.TestPanic(0x1db0e9eee248?)
	/tmp/to/p_test.go:8 +0x85
testing.tRunner(0x1db0e9eee248, 0x594190)
	/usr/local/go/src/testing/testing.go:2036 +0xea
created by testing.(*T).Run in goroutine 1
	/usr/local/go/src/testing/testing.go:2101 +0x4c5

goroutine 1 [runnable]:
testing.(*T).Run(0x1db0e9eee008, {0x586ca1?, 0x0?}, 0x594190)
	/usr/local/go/src/testing/testing.go:2109 +0x4e5
testing.runTests.func1(0x1db0e9eee008)
	/usr/local/go/src/testing/testing.go:2585 +0x3e
testing.tRunner(0x1db0e9eee008, 0x1db0e9edbc58)
	/usr/local/go/src/testing/testing.go:2036 +0xea
testing.runTests({0x588455, 0xe}, {0x588455, 0xe}, 0x1db0e9ea0048, {0x6d2000, 0x3, 0x3}, {0xc2bac08e714841d9, 0x8bb2cc286b, ...})
	/usr/local/go/src/testing/testing.go:2583 +0x505
testing.(*M).Run(0x1db0e9e92140)
	/usr/local/go/src/testing/testing.go:2443 +0x6ac
main.main()
	_testmain.go:50 +0x9b

goroutine 5 [runnable]:
example.com/to.TestPanic.gowrap1()
	/tmp/to/p_test.go:6
runtime.goexit({})
	/usr/local/go/src/runtime/asm_amd64.s:1771 +0x1
created by example.com/to.TestPanic in goroutine 19
	/tmp/to/p_test.go:6 +0x66
FAIL	example.com/to	0.007s
FAIL
"#;

pub(crate) const FATAL_DEADLOCK: &str = r#"fatal error: all goroutines are asleep - deadlock!

goroutine 1 [chan receive]:
main.main()
	/tmp/pr/dl/main.go:8 +0x8a
exit status 2
"#;

pub(crate) const LEAK_PROFILE_DEBUG1: &str = r#"goroutineleak profile: total 4
3 @ 0x47e14e 0x41491c 0x414517 0x4dc9de 0x484681
#	0x4dc9dd	main.leaky.func1+0x1d	/tmp/pr/leak/main.go:13

1 @ 0x47e14e 0x45f866 0x4dcc2f 0x484681
# labels: {"id":"7"}
#	0x4dcc2e	main.main.func1.1+0xe	/tmp/pr/leak/main.go:21

"#;

pub(crate) const LEAK_PROFILE_DEBUG2: &str = r#"goroutine 1 [running]:
runtime/pprof.writeGoroutineStacks({0x519238, 0x199dff4f8040})
	/usr/local/go/src/runtime/pprof/pprof.go:819 +0x6b
runtime/pprof.writeGoroutineLeak({0x519238, 0x199dff4f8040}, 0x2)
	/usr/local/go/src/runtime/pprof/pprof.go:806 +0xa8
runtime/pprof.(*Profile).WriteTo(0x50e128?, {0x519238?, 0x199dff4f8040?}, 0x456f7f?)
	/usr/local/go/src/runtime/pprof/pprof.go:408 +0x149
main.main()
	/tmp/pr/leak/main.go:31 +0x125

goroutine 7 [chan send (leaked)]:
main.leaky.func1()
	/tmp/pr/leak/main.go:13 +0x1e
created by main.leaky in goroutine 1
	/tmp/pr/leak/main.go:13 +0x5f

goroutine 8 [chan send (leaked)]:
main.leaky.func1()
	/tmp/pr/leak/main.go:13 +0x1e
created by main.leaky in goroutine 1
	/tmp/pr/leak/main.go:13 +0x5f

goroutine 9 [chan send (leaked)]:
main.leaky.func1()
	/tmp/pr/leak/main.go:13 +0x1e
created by main.leaky in goroutine 1
	/tmp/pr/leak/main.go:13 +0x5f

goroutine 10 [select (no cases) (leaked)]:
main.main.func1.1()
	/tmp/pr/leak/main.go:21 +0xf
created by main.main.func1 in goroutine 1
	/tmp/pr/leak/main.go:21 +0x1a

goroutine 11 [sleep, locked to thread]:
time.Sleep(0x34630b8a000)
	/usr/local/go/src/runtime/time.go:363 +0x165
main.main.func2()
	/tmp/pr/leak/main.go:23 +0x25
created by main.main in goroutine 1
	/tmp/pr/leak/main.go:23 +0x9e
"#;

pub(crate) const GOROUTINE_PROFILE_DEBUG1: &str = r#"goroutine profile: total 6
3 @ 0x47e14e 0x41491c 0x414517 0x4dc9de 0x484681
#	0x4dc9dd	main.leaky.func1+0x1d	/tmp/pr/leak/main.go:13

1 @ 0x442bd1 0x47d4bd 0x4c9171 0x4c8e05 0x4c5c89 0x4dcb92 0x44d115 0x484681
#	0x4c9170	runtime/pprof.writeRuntimeProfile+0xb0	/usr/local/go/src/runtime/pprof/pprof.go:851
#	0x4c8e04	runtime/pprof.writeGoroutine+0x44	/usr/local/go/src/runtime/pprof/pprof.go:784
#	0x4c5c88	runtime/pprof.(*Profile).WriteTo+0x148	/usr/local/go/src/runtime/pprof/pprof.go:408
#	0x4dcb91	main.main+0x191				/tmp/pr/leak/main.go:35
#	0x44d114	runtime.main+0x2d4			/usr/local/go/src/runtime/proc.go:290

1 @ 0x47e14e 0x45f866 0x4dcc2f 0x484681
# labels: {"id":"7"}
#	0x4dcc2e	main.main.func1.1+0xe	/tmp/pr/leak/main.go:21

1 @ 0x47e14e 0x481365 0x4dcc65 0x484681
#	0x481364	time.Sleep+0x164	/usr/local/go/src/runtime/time.go:363
#	0x4dcc64	main.main.func2+0x24	/tmp/pr/leak/main.go:23

"#;

pub(crate) const SYSTEM: &str = r#"panic: boom

goroutine 1 gp=0x2441b70ca1e0 m=3 mp=0x2441b70fd008 [running]:
panic({0x4e9e40?, 0x5186e0?})
	/usr/local/go/src/runtime/panic.go:879 +0x16f fp=0x2441b718eed8 sp=0x2441b718ee28 pc=0x47dcef
main.main()
	/tmp/pr/leak/main.go:37 +0x1c5 fp=0x2441b718ef48 sp=0x2441b718eed8 pc=0x4dcbc5
runtime.main()
	/usr/local/go/src/runtime/proc.go:290 +0x2d5 fp=0x2441b718efe0 sp=0x2441b718ef48 pc=0x44d115
runtime.goexit({})
	/usr/local/go/src/runtime/asm_amd64.s:1771 +0x1 fp=0x2441b718efe8 sp=0x2441b718efe0 pc=0x484681

goroutine 2 gp=0x2441b70ca780 m=nil [force gc (idle)]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
	/usr/local/go/src/runtime/proc.go:462 +0xce fp=0x2441b7104fa8 sp=0x2441b7104f88 pc=0x47e14e
runtime.goparkunlock(...)
	/usr/local/go/src/runtime/proc.go:468
runtime.forcegchelper()
	/usr/local/go/src/runtime/proc.go:375 +0xb3 fp=0x2441b7104fe0 sp=0x2441b7104fa8 pc=0x44d433
runtime.goexit({})
	/usr/local/go/src/runtime/asm_amd64.s:1771 +0x1 fp=0x2441b7104fe8 sp=0x2441b7104fe0 pc=0x484681
created by runtime.init.7 in goroutine 1
	/usr/local/go/src/runtime/proc.go:363 +0x1a

goroutine 22 gp=0x2441b7180960 m=nil [select (no cases) labels:{"id": "7"}]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
	/usr/local/go/src/runtime/proc.go:462 +0xce fp=0x2441b71027a0 sp=0x2441b7102780 pc=0x47e14e
runtime.block()
	/usr/local/go/src/runtime/select.go:104 +0x26 fp=0x2441b71027d0 sp=0x2441b71027a0 pc=0x45f866
main.main.func1.1()
	/tmp/pr/leak/main.go:21 +0xf fp=0x2441b71027e0 sp=0x2441b71027d0 pc=0x4dcc2f
runtime.goexit({})
	/usr/local/go/src/runtime/asm_amd64.s:1771 +0x1 fp=0x2441b71027e8 sp=0x2441b71027e0 pc=0x484681
created by main.main.func1 in goroutine 1
	/tmp/pr/leak/main.go:21 +0x1a
"#;

pub(crate) const ANCESTORS: &str = r#"goroutine 19 [chan send]:
main.leaky.func1()
	/tmp/pr/leak/main.go:13 +0x1e
created by main.leaky in goroutine 1
	/tmp/pr/leak/main.go:13 +0x5f
[originating from goroutine 1]:
main.leaky(...)
	/tmp/pr/leak/main.go:14 +0x5f
main.main(...)
	/tmp/pr/leak/main.go:17 +0x25

goroutine 20 [chan send]:
main.leaky.func1()
	/tmp/pr/leak/main.go:13 +0x1e
created by main.leaky in goroutine 1
	/tmp/pr/leak/main.go:13 +0x5f
[originating from goroutine 1]:
main.leaky(...)
	/tmp/pr/leak/main.go:14 +0x5f
main.main(...)
	/tmp/pr/leak/main.go:17 +0x25
"#;

pub(crate) const LABELS_GO126: &str = r#"goroutine 22 [select (no cases) labels:{"id": "7"}]:
main.main.func1.1()
	/tmp/pr/leak/main.go:21 +0xf
created by main.main.func1 in goroutine 1
	/tmp/pr/leak/main.go:21 +0x1a

goroutine 23 [sleep, locked to thread]:
time.Sleep(0x34630b8a000)
	/usr/local/go/src/runtime/time.go:363 +0x165
main.main.func2()
	/tmp/pr/leak/main.go:23 +0x25
created by main.main in goroutine 1
	/tmp/pr/leak/main.go:23 +0x9e
"#;

pub(crate) const LABELS_GO127: &str = r#"goroutine 22 [select (no cases)] {id: 7}:
main.main.func1.1()
	/tmp/pr/leak/main.go:21 +0xf
created by main.main.func1 in goroutine 1
	/tmp/pr/leak/main.go:21 +0x1a

goroutine 23 [sleep, locked to thread]:
time.Sleep(0x34630b8a000)
	/tmp/go127/x/go/src/runtime/time.go:368 +0x165
main.main.func2()
	/tmp/pr/leak/main.go:23 +0x25
created by main.main in goroutine 1
	/tmp/pr/leak/main.go:23 +0x9d
"#;

pub(crate) const DEEP: &str = r#"
panic: deep

goroutine 1 [running]:
main.main()
	/tmp/pr/deep/main.go:27 +0xf8

goroutine 19 [chan receive]:
main.rec(...)
	/tmp/pr/deep/main.go:12
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x2f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x2b?, 0x18d887860e0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
...101 frames elided...
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
main.rec(0x0?, 0x0?)
	/tmp/pr/deep/main.go:14 +0x3f
main.rec(...)
	/tmp/pr/deep/main.go:14
created by main.main in goroutine 1
	/tmp/pr/deep/main.go:18 +0x66

goroutine 20 [sleep]:
time.Sleep(0x34630b8a000)
	/usr/local/go/src/runtime/time.go:363 +0x165
main.main.func1()
	/tmp/pr/deep/main.go:19 +0x1d
created by main.main in goroutine 1
	/tmp/pr/deep/main.go:19 +0x72
"#;
}
