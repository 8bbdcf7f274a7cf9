//! A fast reader for the flat JSON objects test2json prints, one per line.
//!
//! test2json events are flat objects of strings and numbers. This reader takes exactly that shape —
//! borrowing every string that has no escape, decoding the others into one scratch buffer — and gives up
//! (returns `None`) on anything else, so the caller can fall back to `serde_json` for the general case and
//! its error message. It is lenient in one way: raw control characters inside strings are taken as they
//! are. A differential test checks it against `serde_json` on every fixture line.

use std::ops::Range;

/// Where a decoded string is: in the line itself, or in the scratch buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    /// A byte range of the line (the string had no escapes).
    Line(Range<usize>),
    /// A byte range of the scratch buffer (decoded).
    Scratch(Range<usize>),
}

/// The fields goleash reads, as spans.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Fields {
    /// `Action`.
    pub action: Option<Span>,
    /// `Package`.
    pub package: Option<Span>,
    /// `Test`.
    pub test: Option<Span>,
    /// `Elapsed`.
    pub elapsed: Option<f64>,
    /// `Output`.
    pub output: Option<Span>,
    /// `OutputType`.
    pub output_type: Option<Span>,
    /// `FailedBuild`.
    pub failed_build: Option<Span>,
    /// `ImportPath`.
    pub import_path: Option<Span>,
    /// `Key`.
    pub key: Option<Span>,
    /// `Value`.
    pub value: Option<Span>,
}

/// Resolves a span to its text.
pub fn text<'a>(span: &Option<Span>, line: &'a str, scratch: &'a str) -> Option<&'a str> {
    match span {
        None => None,
        Some(Span::Line(r)) => line.get(r.clone()),
        Some(Span::Scratch(r)) => scratch.get(r.clone()),
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\r' | b'\n') {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// A string starting after its opening quote; returns its span.
    fn string(&mut self, line: &str, scratch: &mut String) -> Option<Span> {
        let start = self.i;
        // Fast scan to the closing quote or the first escape.
        let rest = &self.b[start..];
        let stop = memchr::memchr2(b'"', b'\\', rest)?;
        if rest[stop] == b'"' {
            // Raw control characters are not valid JSON; test2json never prints them, and taking them
            // as they are is harmless, so the fast path does not spend a pass looking for them.
            self.i = start + stop + 1;
            return Some(Span::Line(start..start + stop));
        }
        // Has escapes: decode into scratch.
        let s0 = scratch.len();
        scratch.push_str(line.get(start..start + stop)?);
        self.i = start + stop;
        loop {
            let rest = &self.b[self.i..];
            let stop = memchr::memchr2(b'"', b'\\', rest)?;
            let chunk = line.get(self.i..self.i + stop)?;
            scratch.push_str(chunk);
            self.i += stop;
            if self.b[self.i] == b'"' {
                self.i += 1;
                return Some(Span::Scratch(s0..scratch.len()));
            }
            // An escape.
            let e = *self.b.get(self.i + 1)?;
            self.i += 2;
            match e {
                b'"' => scratch.push('"'),
                b'\\' => scratch.push('\\'),
                b'/' => scratch.push('/'),
                b'b' => scratch.push('\u{8}'),
                b'f' => scratch.push('\u{c}'),
                b'n' => scratch.push('\n'),
                b'r' => scratch.push('\r'),
                b't' => scratch.push('\t'),
                b'u' => {
                    let hi = self.hex4()?;
                    let c = if (0xD800..0xDC00).contains(&hi) {
                        // A surrogate pair, or a lone high surrogate.
                        if self.b.get(self.i) == Some(&b'\\')
                            && self.b.get(self.i + 1) == Some(&b'u')
                        {
                            let save = self.i;
                            self.i += 2;
                            let lo = self.hex4()?;
                            if (0xDC00..0xE000).contains(&lo) {
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            } else {
                                self.i = save;
                                None
                            }
                        } else {
                            None
                        }
                    } else {
                        char::from_u32(hi)
                    };
                    scratch.push(c.unwrap_or('\u{FFFD}'));
                }
                _ => return None,
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.b.get(self.i..self.i + 4)?;
        let mut v = 0u32;
        for &c in h {
            v = v * 16 + (c as char).to_digit(16)?;
        }
        self.i += 4;
        Some(v)
    }

    fn number(&mut self) -> Option<f64> {
        let start = self.i;
        while self.i < self.b.len()
            && matches!(
                self.b[self.i],
                b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'
            )
        {
            self.i += 1;
        }
        std::str::from_utf8(&self.b[start..self.i])
            .ok()?
            .parse()
            .ok()
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            true
        } else {
            false
        }
    }
}

/// Reads one flat test2json object. `None` when the line is not exactly that shape (the caller falls back
/// to a general JSON parser). Decoded strings are appended to `scratch`, which the caller clears per line.
pub fn parse(line: &str, scratch: &mut String) -> Option<Fields> {
    let mut c = Cursor {
        b: line.as_bytes(),
        i: 0,
    };
    let mut f = Fields::default();
    c.ws();
    if !c.eat(b'{') {
        return None;
    }
    c.ws();
    if c.eat(b'}') {
        c.ws();
        return (c.i == c.b.len()).then_some(f);
    }
    loop {
        c.ws();
        if !c.eat(b'"') {
            return None;
        }
        let key = c.string(line, scratch)?;
        let key = match &key {
            Span::Line(r) => &line[r.clone()],
            Span::Scratch(_) => return None,
        };
        c.ws();
        if !c.eat(b':') {
            return None;
        }
        c.ws();
        let slot = match key {
            "Action" => Some(&mut f.action),
            "Package" => Some(&mut f.package),
            "Test" => Some(&mut f.test),
            "Output" => Some(&mut f.output),
            "OutputType" => Some(&mut f.output_type),
            "FailedBuild" => Some(&mut f.failed_build),
            "ImportPath" => Some(&mut f.import_path),
            "Key" => Some(&mut f.key),
            "Value" => Some(&mut f.value),
            _ => None,
        };
        match c.b.get(c.i)? {
            b'"' => {
                c.i += 1;
                let s = c.string(line, scratch)?;
                match slot {
                    Some(slot) => *slot = Some(s),
                    None if key == "Elapsed" => return None,
                    None => {}
                }
            }
            b'n' => {
                if !c.literal(b"null") {
                    return None;
                }
            }
            b't' | b'f' => {
                if slot.is_some()
                    || key == "Elapsed"
                    || !(c.literal(b"true") || c.literal(b"false"))
                {
                    return None;
                }
            }
            b'-' | b'0'..=b'9' => {
                if slot.is_some() {
                    return None;
                }
                let n = c.number()?;
                if key == "Elapsed" {
                    f.elapsed = Some(n);
                }
            }
            _ => return None,
        }
        c.ws();
        if c.eat(b',') {
            continue;
        }
        if c.eat(b'}') {
            break;
        }
        return None;
    }
    c.ws();
    (c.i == c.b.len()).then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_plain_strings_and_decodes_escapes() {
        let line = r#"{"Time":"2026-01-01T00:00:00Z","Action":"output","Package":"p","Test":"T\u00e9","Output":"a\tb \"q\" \ud83d\ude00\n","Elapsed":0.25}"#;
        let mut scratch = String::new();
        let f = parse(line, &mut scratch).unwrap();
        assert_eq!(text(&f.action, line, &scratch), Some("output"));
        assert!(matches!(f.action, Some(Span::Line(_))));
        assert_eq!(text(&f.test, line, &scratch), Some("Té"));
        assert_eq!(text(&f.output, line, &scratch), Some("a\tb \"q\" 😀\n"));
        assert_eq!(f.elapsed, Some(0.25));
    }

    #[test]
    fn gives_up_on_other_shapes() {
        let mut s = String::new();
        assert!(parse(r#"{"Action":["x"]}"#, &mut s).is_none());
        assert!(parse(r#"{"Action":"x"} trailing"#, &mut s).is_none());
        assert!(parse(r#"{"Action":"x""#, &mut s).is_none());
        assert!(parse(r#"{"Elapsed":"1"}"#, &mut s).is_none());
        assert!(parse(r#"{"Action":1}"#, &mut s).is_none());
        assert!(parse(r#"{"Action":"\x"}"#, &mut s).is_none());
        assert!(parse(r#"{"Action":"pass","Extra":{"a":1}}"#, &mut s).is_none());
        assert_eq!(
            parse(r#"{"Action":"pass","N":null,"B":true}"#, &mut s).map(|f| f.elapsed),
            Some(None)
        );
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let line = r#"{"Output":"x\ud800y\udc00z"}"#;
        let mut s = String::new();
        let f = parse(line, &mut s).unwrap();
        assert_eq!(text(&f.output, line, &s), Some("x\u{FFFD}y\u{FFFD}z"));
    }
}
