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
pub(crate) const GOLEAK_V13: &str = include_str!("../../fixtures/dumps/unit/goleak-v13.txt");

pub(crate) const GOLEAK_V12: &str = include_str!("../../fixtures/dumps/unit/goleak-v12.txt");

pub(crate) const GOLEAK_MAIN: &str = include_str!("../../fixtures/dumps/unit/goleak-main.txt");

pub(crate) const SYNCTEST_LEAK: &str = include_str!("../../fixtures/dumps/unit/synctest-leak.txt");

pub(crate) const SYNCTEST_BLOCKED: &str = include_str!("../../fixtures/dumps/unit/synctest-blocked.txt");

pub(crate) const SYNCTEST_GO124: &str = include_str!("../../fixtures/dumps/unit/synctest-go124.txt");

pub(crate) const TIMEOUT: &str = include_str!("../../fixtures/dumps/unit/timeout.txt");

pub(crate) const PANIC_ALL: &str = include_str!("../../fixtures/dumps/unit/panic-all.txt");

pub(crate) const FATAL_DEADLOCK: &str = include_str!("../../fixtures/dumps/unit/fatal-deadlock.txt");

pub(crate) const LEAK_PROFILE_DEBUG1: &str = include_str!("../../fixtures/dumps/unit/leak-profile-debug1.txt");

pub(crate) const LEAK_PROFILE_DEBUG2: &str = include_str!("../../fixtures/dumps/unit/leak-profile-debug2.txt");

pub(crate) const GOROUTINE_PROFILE_DEBUG1: &str = include_str!("../../fixtures/dumps/unit/goroutine-profile-debug1.txt");

pub(crate) const SYSTEM: &str = include_str!("../../fixtures/dumps/unit/system.txt");

pub(crate) const ANCESTORS: &str = include_str!("../../fixtures/dumps/unit/ancestors.txt");

pub(crate) const LABELS_GO126: &str = include_str!("../../fixtures/dumps/unit/labels-go126.txt");

pub(crate) const LABELS_GO127: &str = include_str!("../../fixtures/dumps/unit/labels-go127.txt");

pub(crate) const DEEP: &str = include_str!("../../fixtures/dumps/unit/deep.txt");
}
