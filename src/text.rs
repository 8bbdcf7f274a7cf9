//! Text helpers every layer shares: making characters visible, counting nouns, cutting to a length.
//!
//! One helper per job, so that every report escapes, pluralises and truncates the same way:
//!
//! - [`escape_char`] writes a character as the visible `\xNN` / `\u{NNNN}` escape; [`escape_where`]
//!   applies it to the characters a predicate picks. [`sanitize`] (terminal lines), [`sanitize_source`]
//!   (a source file shown in the terminal) and [`xml_safe`] (JUnit) are built on it, and so is the
//!   Markdown summary's escaping.
//! - [`plural`]: `1 leak`, `2 leaks`.
//! - [`truncate`]: at most N characters, cut at the end or the start with `…`.
//! - [`wrap`]: words to lines of at most N columns (through `textwrap`).

use std::borrow::Cow;
use std::fmt::Write as _;

/// Writes `c` as a visible escape: `\xNN` below U+0100, else `\u{NNNN}`.
pub fn escape_char(out: &mut String, c: char) {
    let n = c as u32;
    if n < 0x100 {
        let _ = write!(out, "\\x{n:02x}");
    } else {
        let _ = write!(out, "\\u{{{n:04x}}}");
    }
}

/// `s` with every character for which `bad` holds written as [`escape_char`] does (borrowed when there
/// is none).
pub fn escape_where(s: &str, bad: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if bad(c) {
            escape_char(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// True for what can change how a terminal shows text: control characters (C0, DEL, C1) and the
/// bidirectional marks and overrides that can reorder what is displayed.
pub fn is_terminal_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// Makes text from test output inert for a terminal, on one line: control characters and the
/// bidirectional overrides ([`is_terminal_unsafe`]) become visible escapes (`\x1b`, `\u{202e}`); a tab
/// becomes a space.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c == '\t' || is_terminal_unsafe(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push(' '),
            c if is_terminal_unsafe(c) => escape_char(&mut out, c),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Like [`sanitize`] for a whole source file: keeps newlines and tabs, drops a carriage return before
/// a newline.
pub fn sanitize_source(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\t' => out.push(c),
            c if is_terminal_unsafe(c) => escape_char(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// True for what XML 1.0 cannot carry: control characters other than tab, newline and carriage return,
/// U+FFFE and U+FFFF.
pub fn is_xml_invalid(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Replaces what XML 1.0 cannot carry ([`is_xml_invalid`]) with a visible escape, so that nothing a
/// test printed is lost and the file stays valid.
pub fn xml_safe(s: &str) -> Cow<'_, str> {
    // Fast path on bytes: the characters to replace are ASCII controls, or U+FFFE/U+FFFF (0xEF …).
    if !s
        .bytes()
        .any(|b| (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r') || b == 0xEF)
    {
        return Cow::Borrowed(s);
    }
    escape_where(s, is_xml_invalid)
}

/// `n` and the noun in the number it takes: `1 leak`, `0 leaks`, `2 leaks`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Which end [`truncate`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Keep the start, cut the end: `abcd…`.
    Start,
    /// Keep the end, cut the start (the end of an import path says the most): `…m/a/b`.
    End,
}

/// `s` in at most `max` characters: unchanged when it fits, else cut with `…` standing for what is
/// left out (GitHub's limits are in characters; the terminal's text is made of narrow characters).
pub fn truncate(s: &str, max: usize, keep: Keep) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let room = max.saturating_sub(1);
    match keep {
        Keep::Start => {
            let mut out: String = s.chars().take(room).collect();
            out.push('…');
            out
        }
        Keep::End => {
            let mut out = String::from("…");
            out.extend(s.chars().skip(n - room));
            out
        }
    }
}

/// Wraps text at spaces to lines of at most `width` columns, in at most `max_lines` lines (the last
/// one ending in ` …` when text was left out); a word longer than a line is cut with `…`. Runs of
/// spaces count as one.
pub fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return Vec::new();
    }
    let joined = words.join(" ");
    let opts = textwrap::Options::new(width.max(1))
        .break_words(false)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit);
    let mut lines: Vec<String> = textwrap::wrap(&joined, opts)
        .into_iter()
        .map(Cow::into_owned)
        .collect();
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            last.push_str(" …");
        }
    }
    lines
        .into_iter()
        .map(|l| truncate(&l, width, Keep::Start))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_visible() {
        assert_eq!(
            escape_where("a\u{1b}b\u{202e}", is_terminal_unsafe),
            "a\\x1bb\\u{202e}"
        );
        assert_eq!(sanitize("a\u{1b}[2Jb\u{7}\tc"), "a\\x1b[2Jb\\x07 c");
        assert_eq!(sanitize_source("a\r\n\tb\u{0}\n"), "a\n\tb\\x00\n");
        assert_eq!(xml_safe("a\tb\nc"), "a\tb\nc");
        assert_eq!(xml_safe("\u{1b}[31mred\u{0}"), "\\x1b[31mred\\x00");
        assert_eq!(xml_safe("x\u{ffff}"), "x\\u{ffff}");
        assert_eq!(xml_safe("ïx"), "ïx");
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "leak", "leaks"), "1 leak");
        assert_eq!(plural(0, "leak", "leaks"), "0 leaks");
        assert_eq!(plural(3, "leak", "leaks"), "3 leaks");
    }

    #[test]
    fn truncation_counts_characters_and_keeps_either_end() {
        assert_eq!(truncate("héllo", 5, Keep::Start), "héllo");
        assert_eq!(truncate("héllo", 4, Keep::Start), "hél…");
        assert_eq!(truncate("example.com/a/b/c", 8, Keep::End), "…m/a/b/c");
        assert_eq!(truncate("short", 8, Keep::End), "short");
        assert_eq!(truncate("abcdefghij", 5, Keep::Start), "abcd…");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_caps_lines() {
        assert_eq!(wrap("aa bb cc dd", 5, 3), ["aa bb", "cc dd"]);
        assert_eq!(wrap("aa  bb   cc dd", 5, 3), ["aa bb", "cc dd"]);
        assert_eq!(wrap("aa bb cc dd ee ff gg", 5, 2), ["aa bb", "cc d…"]);
        assert_eq!(wrap("abcdefgh", 5, 2), ["abcd…"]);
        assert_eq!(wrap("x abcdefgh y", 5, 3), ["x", "abcd…", "y"]);
        assert_eq!(wrap("", 5, 2), Vec::<String>::new());
    }
}
