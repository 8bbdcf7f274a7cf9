//! Text from test output as Markdown and HTML that render as the same text: nothing it holds can
//! become markup, a mention, a link or a control sequence.

use crate::text::escape_char;

/// Writes a control character or bidirectional override as a visible escape; true when `c` is
/// neither (the caller writes it).
pub(super) fn visible(c: char, out: &mut String) -> bool {
    if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
        escape_char(out, c);
        return false;
    }
    true
}

/// Text from test output as inline Markdown that renders as the same text, on one line, safe in a
/// table cell: HTML's `<`, `>`, `&` become entities, Markdown's punctuation is backslash-escaped,
/// control characters become visible escapes, and nothing becomes a link or a reference:
///
/// - a `:` is escaped, so no `scheme://` or `mailto:` autolink forms, and the `.` after `www` is, so
///   no `www.` autolink (GFM's extended autolinks match the raw text);
/// - `@` and a `#` before a digit are code spans of their own. GitHub finds mentions, e-mail autolinks
///   and issue references in the *rendered* text, where an entity (`&#64;`) or a backslash escape is
///   already plain `@` again; a code span is a separate element, which no such filter looks into.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("`@`"),
            '#' if chars.peek().is_some_and(char::is_ascii_digit) => out.push_str("`#`"),
            '.' if after_www(&out) => out.push_str("\\."),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' | '{' | '}' | '(' | ')'
            | '$' | ':' => {
                out.push('\\');
                out.push(c);
            }
            c => {
                if visible(c, &mut out) {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// True when `out` ends with `www` (any case) at a word start: a `.` next would begin a GFM
/// `www.` autolink.
fn after_www(out: &str) -> bool {
    let b = out.as_bytes();
    b.len() >= 3
        && b[b.len() - 3..].eq_ignore_ascii_case(b"www")
        && (b.len() == 3 || !b[b.len() - 4].is_ascii_alphanumeric())
}

/// Prose whose `` `code` `` spans (balanced backticks, as the advice engine writes them) stay code
/// spans; everything else is escaped as [`md_text`]. Unbalanced backticks: all of it as [`md_text`].
pub fn md_prose(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return md_text(s);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| if i % 2 == 0 { md_text(p) } else { md_code(p) })
        .collect()
}

/// Text as an inline code span that shows it literally (safe in a table cell: `|` is escaped as GFM
/// tables require).
pub fn md_code(s: &str) -> String {
    let mut body = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => body.push(' '),
            c => {
                if visible(c, &mut body) {
                    body.push(c);
                }
            }
        }
    }
    let body = body.replace('|', "\\|");
    let longest = longest_run(&body, '`');
    let fence = "`".repeat(longest + 1);
    let pad = if body.starts_with('`') || body.ends_with('`') || body.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Text for HTML (inside `<summary>`): `&`, `<`, `>`, `"` become entities, `@` a `<code>` element
/// (see [`md_text`]). Markdown is not read inside an HTML block, so nothing else can become a link.
pub fn html_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // GitHub finds mentions in the rendered text: an element of its own stops it.
            '@' => out.push_str("<code>@</code>"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => {
                if visible(c, &mut out) {
                    out.push(c);
                }
            }
        }
    }
    out
}

pub(super) fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        if c == ch {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// A fenced code block that shows `text` literally, whatever backticks it holds.
pub fn code_block(text: &str) -> String {
    let mut body = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => body.push(c),
            '\r' => {}
            c => {
                if visible(c, &mut body) {
                    body.push(c);
                }
            }
        }
    }
    let fence = "`".repeat(longest_run(&body, '`').max(2) + 1);
    format!("{fence}text\n{body}\n{fence}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            md_text("<script>alert(1)</script> *x* | @bob [a](b)\n`c`"),
            "&lt;script&gt;alert\\(1\\)&lt;/script&gt; \\*x\\* \\| `@`bob \\[a\\]\\(b\\) \\`c\\`"
        );
        assert_eq!(md_text("a\u{1b}[31m"), "a\\x1b\\[31m");
    }

    #[test]
    fn nothing_becomes_a_link_a_mention_or_a_reference() {
        assert_eq!(
            md_text("see www.evil.example, https://x.y/z, ops@corp.example, @team and #12 (#x)"),
            "see www\\.evil.example, https\\://x.y/z, ops`@`corp.example, `@`team and `#`12 \\(\\#x\\)"
        );
        assert_eq!(md_text("WWW.a.b awww.c"), "WWW\\.a.b awww.c");
        assert_eq!(html_text("a@b <i>"), "a<code>@</code>b &lt;i&gt;");
    }

    #[test]
    fn prose_keeps_its_code_spans() {
        assert_eq!(
            md_prose("Close `ch` <now> (a|b) `x<y`"),
            "Close `ch` &lt;now&gt; \\(a\\|b\\) `x<y`"
        );
        assert_eq!(md_prose("odd ` tick"), "odd \\` tick");
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(md_code("a.B"), "`a.B`");
        assert_eq!(md_code("x`y"), "``x`y``");
        assert_eq!(md_code("`x"), "`` `x ``");
        assert_eq!(md_code("a|b"), "`a\\|b`");
    }

    #[test]
    fn code_blocks_use_a_longer_fence() {
        assert_eq!(code_block("a\n```\nb"), "````text\na\n```\nb\n````\n");
        assert_eq!(code_block("x"), "```text\nx\n```\n");
    }
}
