//! Log forms: `go test` output as it comes out of CI systems rather than out of `go test`.
//!
//! | form | what it looks like | undone by |
//! | --- | --- | --- |
//! | [`LogForm::GithubTimestamps`] | a GitHub Actions log download: `2026-05-09T01:47:38.1310910Z ` before every line | [`strip_timestamp`] |
//! | [`LogForm::Ansi`] | colourisers: `ESC[31m--- FAIL: TestX (0.1s)ESC[0m` | [`strip_ansi`] |
//! | [`LogForm::Crlf`] | logs saved on Windows: every line ends in `\r\n` | [`LineNormalizer::line`] |
//! | [`LogForm::Deindented`] | log shippers: the tab before each stack frame's `file:line` dropped, blank lines between goroutines dropped | [`LineNormalizer::line`] puts the tab back |
//!
//! [`LineNormalizer`] undoes all four line by line (a reader feeds it each line, it keeps one line of
//! context), and records which forms it saw so that the reader can say so in one warning
//! ([`LogForms::describe`]). Lines in none of these forms come back unchanged and borrowed.
//!
//! On an input of unknown origin ([`LineNormalizer::for_input`], what `input` uses), nothing is taken from
//! a line because that one line looks like a form: timestamps and CR line ends are undone only when every
//! non-blank line of the input's start has them ([`plan`]), colour codes only once one of `go test`'s own
//! lines carried some (go test never colours them), a tab only where a call line is followed by a bare
//! `file:line` (dropped, or expanded to up to 8 spaces by a tab-expanding copy).

use std::borrow::Cow;

/// One way CI systems change `go test` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LogForm {
    /// GitHub Actions' downloaded logs: an ISO-8601 UTC timestamp and a space before every line.
    GithubTimestamps,
    /// ANSI SGR colour sequences (`ESC[…m`).
    Ansi,
    /// `\r\n` line ends.
    Crlf,
    /// Stack `file:line` lines without their leading tab.
    Deindented,
}

impl LogForm {
    /// Every form, in the order [`LogForms::describe`] names them.
    pub const ALL: [LogForm; 4] = [
        LogForm::GithubTimestamps,
        LogForm::Ansi,
        LogForm::Crlf,
        LogForm::Deindented,
    ];

    /// How a warning names the form.
    pub fn describe(self) -> &'static str {
        match self {
            LogForm::GithubTimestamps => "GitHub Actions log timestamps",
            LogForm::Ansi => "ANSI colour codes",
            LogForm::Crlf => "CRLF line ends",
            LogForm::Deindented => "stack file lines without their leading tab",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of [`LogForm`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogForms(u8);

impl LogForms {
    /// Adds a form.
    pub fn insert(&mut self, f: LogForm) {
        self.0 |= f.bit();
    }

    /// True when `f` is in the set.
    pub fn contains(self, f: LogForm) -> bool {
        self.0 & f.bit() != 0
    }

    /// True when no form was seen.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The forms in the set, in [`LogForm::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = LogForm> {
        LogForm::ALL.into_iter().filter(move |f| self.contains(*f))
    }

    /// `GitHub Actions log timestamps, ANSI colour codes` (empty when none).
    pub fn describe(self) -> String {
        self.iter()
            .map(LogForm::describe)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `line` without a leading GitHub Actions timestamp (`2026-05-09T01:47:38.1310910Z `), or `None` when it
/// has none. The fraction may have 1 to 9 digits.
pub fn strip_timestamp(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    if b.len() < 21 {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let shape = digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 9 {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if b.get(i) != Some(&b'Z') {
        return None;
    }
    match b.get(i + 1) {
        Some(b' ') => Some(&line[i + 2..]),
        None => Some(""),
        _ => None,
    }
}

/// `line` without ANSI SGR sequences (`ESC[` parameters `m`); other escape sequences are left alone.
pub fn strip_ansi(line: &str) -> Cow<'_, str> {
    if !line.as_bytes().contains(&0x1b) {
        return Cow::Borrowed(line);
    }
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        if b[i] == 0x1b && b.get(i + 1) == Some(&b'[') {
            let mut j = i + 2;
            while j < b.len() && (b[j].is_ascii_digit() || b[j] == b';') {
                j += 1;
            }
            if b.get(j) == Some(&b'm') {
                out.push_str(&line[copied..i]);
                i = j + 1;
                copied = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&line[copied..]);
    Cow::Owned(out)
}

/// True for a stack frame's location as the runtime prints it but without its tab:
/// `/abs/file.go:12 +0x1a`, `C:/a/file.go:12`, `example.com/m/f.go:13` (trimpath), `asm_amd64.s:1771 +0x1`.
fn is_bare_file_line(t: &str) -> bool {
    let loc = match t.find(" +0x") {
        Some(p) if t[p + 4..].bytes().all(|c| c.is_ascii_hexdigit()) => &t[..p],
        Some(_) => return false,
        None => t,
    };
    let Some(colon) = loc.rfind(':') else {
        return false;
    };
    let (path, line) = (&loc[..colon], &loc[colon + 1..]);
    !line.is_empty()
        && line.bytes().all(|c| c.is_ascii_digit())
        && !path.contains([' ', '\t', '('])
        && (path.ends_with(".go") || path.ends_with(".s"))
}

/// True for a line the runtime follows with a tab-indented `file:line`: a call `pkg.F(…)` or `created by …`.
fn wants_file_line(t: &str) -> bool {
    t.starts_with("created by ") || (t.ends_with(')') && t.contains('(') && !t.starts_with('#'))
}

/// How many non-blank lines, each with a timestamp, make an input a timestamped log before its end.
pub const EVIDENCE_LINES: usize = 20;

/// The whole-line forms of one input, decided once from its first lines by [`plan`]: a prefix or a line
/// end is undone only when every line has it, never from one line whose content merely looks like it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Plan {
    /// Every non-blank line starts with a GitHub Actions timestamp.
    pub timestamps: bool,
    /// Every non-blank line ends in `\r`.
    pub crlf: bool,
}

/// Decides an input's [`Plan`] from its first lines (without their `\n`), or `None` while they do not decide
/// yet: a form is present when every non-blank line has it, and that takes [`EVIDENCE_LINES`] non-blank
/// lines, or the end of the input (`at_end`). A line without the form decides at once that it is absent.
/// A byte-order mark on the first line is not part of it.
pub fn plan<'a>(lines: impl IntoIterator<Item = &'a str>, at_end: bool) -> Option<Plan> {
    let (mut nonblank, mut ts, mut cr) = (0usize, true, true);
    for (i, l) in lines.into_iter().enumerate() {
        let l = if i == 0 {
            l.strip_prefix('\u{feff}').unwrap_or(l)
        } else {
            l
        };
        if l.trim().is_empty() {
            continue;
        }
        nonblank += 1;
        ts &= strip_timestamp(l.strip_suffix('\r').unwrap_or(l)).is_some();
        cr &= l.ends_with('\r');
        if nonblank >= EVIDENCE_LINES || (!ts && !cr) {
            break;
        }
    }
    let plan = Plan {
        timestamps: nonblank > 0 && ts,
        crlf: nonblank > 0 && cr,
    };
    if at_end || nonblank >= EVIDENCE_LINES || plan == Plan::default() {
        Some(plan)
    } else {
        None
    }
}

/// When ANSI colour codes are removed.
#[derive(Debug, Clone, Copy)]
enum AnsiPolicy {
    /// From every line that has them ([`LineNormalizer::new`]).
    Always,
    /// From a line that is `go test`'s own syntax once they are gone (go test never colours its framing
    /// lines: a colouriser did), and from every line after the first such line.
    Evidence {
        syntax: fn(&str) -> bool,
        seen: bool,
    },
}

/// Undoes the [`LogForm`]s line by line and remembers which it saw.
#[derive(Debug)]
pub struct LineNormalizer {
    seen: LogForms,
    plan: Plan,
    ansi: AnsiPolicy,
    /// No line was normalized yet (a byte-order mark may open it).
    first: bool,
    /// The previous line (normalized) called for a file line: its indentation in bytes.
    expect_file: Option<usize>,
}

impl Default for LineNormalizer {
    fn default() -> LineNormalizer {
        LineNormalizer::new()
    }
}

impl LineNormalizer {
    /// A normalizer that undoes every form wherever a line has it (for text known to be a CI log).
    pub fn new() -> LineNormalizer {
        LineNormalizer {
            seen: LogForms::default(),
            plan: Plan {
                timestamps: true,
                crlf: true,
            },
            ansi: AnsiPolicy::Always,
            first: true,
            expect_file: None,
        }
    }

    /// A normalizer for one input of unknown origin: timestamps and CR line ends as [`plan`] decided,
    /// colour codes once a line that `syntax` recognises (with them removed) carried some.
    pub fn for_input(plan: Plan, syntax: fn(&str) -> bool) -> LineNormalizer {
        LineNormalizer {
            plan,
            ansi: AnsiPolicy::Evidence {
                syntax,
                seen: false,
            },
            ..LineNormalizer::new()
        }
    }

    /// The forms seen so far.
    pub fn seen(&self) -> LogForms {
        self.seen
    }

    /// The whole-line forms this normalizer undoes.
    pub fn plan(&self) -> Plan {
        self.plan
    }

    /// Forgets the line context (the previous line called for a file line), as after a JSON line.
    pub fn reset_context(&mut self) {
        self.expect_file = None;
    }

    /// One line (without its `\n`) in the form `go test` printed it.
    pub fn line<'a>(&mut self, line: &'a str) -> Cow<'a, str> {
        let mut l: &'a str = line;
        if std::mem::take(&mut self.first) {
            l = l.strip_prefix('\u{feff}').unwrap_or(l);
        }
        if self.plan.crlf {
            if let Some(s) = l.strip_suffix('\r') {
                self.seen.insert(LogForm::Crlf);
                l = s;
            }
        }
        if self.plan.timestamps {
            if let Some(s) = strip_timestamp(l) {
                self.seen.insert(LogForm::GithubTimestamps);
                l = s;
            }
        }
        let mut out = Cow::Borrowed(l);
        if l.as_bytes().contains(&0x1b) {
            let stripped = strip_ansi(l);
            let take = match &mut self.ansi {
                AnsiPolicy::Always => true,
                AnsiPolicy::Evidence { syntax, seen } => {
                    *seen = *seen || (stripped.len() != l.len() && syntax(&stripped));
                    *seen
                }
            };
            if take && stripped.len() != l.len() {
                self.seen.insert(LogForm::Ansi);
                out = stripped;
            }
        }
        let t = out.trim_start_matches(' ');
        let indent = out.len() - t.len();
        let expect = self.expect_file;
        self.expect_file = wants_file_line(t.trim_start_matches('\t').trim_end()).then_some(indent);
        if let Some(call_indent) = expect {
            // Dropped (the call's own indentation) or expanded to spaces up to the next tab stop (of 8 or 4
            // columns): the tab is put back after the call's indentation. Any other indentation is the
            // line's own, as in a race report (`  pkg.F()` then `      /x.go:18 +0x7b`).
            let stop = |w: usize| (call_indent / w + 1) * w;
            let expanded = indent == stop(8) || indent == stop(4);
            if (indent == call_indent || expanded)
                && !t.starts_with('\t')
                && is_bare_file_line(t.trim_end())
            {
                self.seen.insert(LogForm::Deindented);
                let mut s = String::with_capacity(out.len() + 1);
                s.push_str(&out[..call_indent]);
                s.push('\t');
                s.push_str(&out[indent..]);
                out = Cow::Owned(s);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(
            strip_timestamp("2026-05-09T01:47:38.1310910Z === RUN   TestX"),
            Some("=== RUN   TestX")
        );
        assert_eq!(strip_timestamp("2026-05-09T01:47:38Z ok"), Some("ok"));
        assert_eq!(strip_timestamp("2026-05-09T01:47:38.1310910Z"), Some(""));
        assert_eq!(strip_timestamp("2026-05-09T01:47:38.1310910 x"), None);
        assert_eq!(strip_timestamp("=== RUN   TestX"), None);
        assert_eq!(strip_timestamp("2026-05-09 01:47:38 x"), None);
    }

    #[test]
    fn ansi() {
        assert_eq!(
            strip_ansi("\x1b[31m--- FAIL: TestX (0.1s)\x1b[0m"),
            "--- FAIL: TestX (0.1s)"
        );
        assert_eq!(strip_ansi("\x1b[1;31mx\x1b[m y"), "x y");
        assert!(matches!(strip_ansi("plain"), Cow::Borrowed("plain")));
        assert_eq!(strip_ansi("\x1b[2Kkept"), "\x1b[2Kkept");
    }

    #[test]
    fn deindented_stacks_get_their_tab_back() {
        let mut n = LineNormalizer::new();
        let lines = [
            "goroutine 7 [runnable]:",
            "example.com/x.NewRegistry.gowrap1()",
            "/w/registry.go:20",
            "runtime.goexit({})",
            "/usr/local/go/src/runtime/asm_amd64.s:1771 +0x1",
            "created by example.com/x.NewRegistry in goroutine 6",
            "/w/registry.go:20 +0x98",
            "        example.com/x.F()",
            "        example.com/x/f.go:13 +0x1e",
            "FAIL\texample.com/x\t0.006s",
            "    x_test.go:12: f.go:13",
        ];
        let out: Vec<String> = lines.iter().map(|l| n.line(l).into_owned()).collect();
        assert_eq!(out[2], "\t/w/registry.go:20");
        assert_eq!(out[4], "\t/usr/local/go/src/runtime/asm_amd64.s:1771 +0x1");
        assert_eq!(out[6], "\t/w/registry.go:20 +0x98");
        assert_eq!(out[8], "        \texample.com/x/f.go:13 +0x1e");
        assert_eq!(out[9], "FAIL\texample.com/x\t0.006s");
        assert_eq!(out[10], "    x_test.go:12: f.go:13");
        assert_eq!(
            n.seen().describe(),
            "stack file lines without their leading tab"
        );
    }

    #[test]
    fn a_plan_needs_every_line() {
        let ts = "2026-05-09T01:47:38.1310910Z ";
        let stamped: Vec<String> = (0..EVIDENCE_LINES)
            .map(|i| format!("{ts}line {i}"))
            .collect();
        let all = |v: &[String], end| plan(v.iter().map(String::as_str), end);
        let yes = Plan {
            timestamps: true,
            crlf: false,
        };
        assert_eq!(all(&stamped, false), Some(yes));
        // Too few lines to tell, unless the input ended.
        assert_eq!(all(&stamped[..3], false), None);
        assert_eq!(all(&stamped[..3], true), Some(yes));
        // One line without the prefix: none is removed.
        let mut mixed = stamped.clone();
        mixed.insert(5, "=== RUN   TestX".to_string());
        assert_eq!(all(&mixed, false), Some(Plan::default()));
        // A plain first line decides at once; blank lines and a byte-order mark do not count.
        assert_eq!(
            plan(["{\"Action\":\"start\"}"], false),
            Some(Plan::default())
        );
        let bom = [
            "\u{feff}2026-05-09T01:47:38Z ok",
            "",
            "2026-05-09T01:47:38Z x\r",
        ];
        assert_eq!(plan(bom, true), Some(yes));
        assert_eq!(
            plan(["a\r", "\r", "b\r"], true),
            Some(Plan {
                timestamps: false,
                crlf: true
            })
        );
        assert_eq!(plan(std::iter::empty(), true), Some(Plan::default()));
    }

    #[test]
    fn an_input_normalizer_follows_its_plan_and_the_evidence() {
        let syntax = |l: &str| l.starts_with("--- ");
        let mut n = LineNormalizer::for_input(Plan::default(), syntax);
        let ts = "2026-05-09T01:47:38Z kept";
        assert_eq!(n.line(ts), ts);
        assert_eq!(n.line("x\r"), "x\r");
        // A test's own colours stay until a framing line shows a colouriser at work.
        assert_eq!(n.line("\x1b[31mred\x1b[0m"), "\x1b[31mred\x1b[0m");
        assert_eq!(
            n.line("\x1b[31m--- FAIL: TestX (0.1s)\x1b[0m"),
            "--- FAIL: TestX (0.1s)"
        );
        assert_eq!(n.line("\x1b[31mred\x1b[0m"), "red");
        assert_eq!(n.seen().describe(), "ANSI colour codes");
        let mut n = LineNormalizer::for_input(
            Plan {
                timestamps: true,
                crlf: true,
            },
            syntax,
        );
        assert_eq!(
            n.line("\u{feff}2026-05-09T01:47:38Z 2026-05-09T01:47:38Z own\r"),
            "2026-05-09T01:47:38Z own"
        );
    }

    #[test]
    fn tab_expanded_file_lines_get_their_tab_back() {
        let mut n = LineNormalizer::new();
        let lines = [
            "main.main()",
            "        /w/main.go:9 +0x1d",
            "    example.com/x.F(...)",
            "        /w/x.go:3",
            "created by main.start in goroutine 1",
            "    /w/main.go:4 +0x25",
            "  example.com/x.CountBoth.func2()",
            "      /w/counter.go:18 +0x7b",
            "main.g()",
            "                /w/main.go:5",
        ];
        let out: Vec<String> = lines.iter().map(|l| n.line(l).into_owned()).collect();
        assert_eq!(out[1], "\t/w/main.go:9 +0x1d");
        assert_eq!(out[3], "    \t/w/x.go:3");
        // Width 4: from column 2 to the stop at 4.
        assert_eq!(out[5], "\t/w/main.go:4 +0x25");
        // A race report's own indentation (4 more, not to a tab stop), and two tab stops deeper: as printed.
        assert_eq!(out[7], "      /w/counter.go:18 +0x7b");
        assert_eq!(out[9], "                /w/main.go:5");
    }

    #[test]
    fn untouched_lines_are_borrowed_and_forms_are_named() {
        let mut n = LineNormalizer::new();
        assert!(matches!(n.line("\tpkg/f.go:1"), Cow::Borrowed(_)));
        assert!(n.seen().is_empty());
        assert_eq!(
            n.line("2026-05-09T01:47:38.1310910Z \x1b[32mok\x1b[0m\r"),
            "ok"
        );
        assert_eq!(
            n.seen().describe(),
            "GitHub Actions log timestamps, ANSI colour codes, CRLF line ends"
        );
    }
}
