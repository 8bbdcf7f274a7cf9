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

/// Undoes the [`LogForm`]s line by line and remembers which it saw.
#[derive(Debug, Default)]
pub struct LineNormalizer {
    seen: LogForms,
    /// The previous line (normalized) called for a file line.
    expect_file: bool,
}

impl LineNormalizer {
    /// A normalizer that has seen nothing yet.
    pub fn new() -> LineNormalizer {
        LineNormalizer::default()
    }

    /// The forms seen so far.
    pub fn seen(&self) -> LogForms {
        self.seen
    }

    /// One line (without its `\n`) in the form `go test` printed it.
    pub fn line<'a>(&mut self, line: &'a str) -> Cow<'a, str> {
        let mut l: &'a str = line;
        if let Some(s) = l.strip_suffix('\r') {
            self.seen.insert(LogForm::Crlf);
            l = s;
        }
        if let Some(s) = strip_timestamp(l) {
            self.seen.insert(LogForm::GithubTimestamps);
            l = s;
        }
        let mut out = strip_ansi(l);
        if let Cow::Owned(_) = out {
            self.seen.insert(LogForm::Ansi);
        }
        let t = out.trim_start_matches(' ');
        let expect = self.expect_file;
        self.expect_file = wants_file_line(t.trim_start_matches('\t').trim_end());
        if expect && !t.starts_with('\t') && is_bare_file_line(t.trim_end()) {
            self.seen.insert(LogForm::Deindented);
            let indent = out.len() - t.len();
            let mut s = String::with_capacity(out.len() + 1);
            s.push_str(&out[..indent]);
            s.push('\t');
            s.push_str(&out[indent..]);
            out = Cow::Owned(s);
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
