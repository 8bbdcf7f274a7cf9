//! Input: reads bytes, detects each input's format from its content and turns it into [`Event`]s.
//!
//! Three formats are read (see [`Format`]); whatever the format, every line reaches the consumer: test
//! events through [`Consumer::event`], lines that belong to no test or package through
//! [`Consumer::stray`], and problems with the input through [`Consumer::warn`]. Nothing is fatal but an
//! I/O error.

pub mod fastjson;
pub mod json;
pub mod text;

use std::io::{self, BufRead};

use crate::event::Event;

/// The format of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `go test -json` (test2json) events, possibly with non-JSON lines mixed in.
    Json,
    /// Plain `go test` text, verbose or not.
    Text,
    /// A bare goroutine dump (a panic log, a `debug=2` goroutine profile, a goroutineleak profile).
    Dump,
}

/// What the readers deliver their results to.
pub trait Consumer {
    /// One event (output is always one whole line).
    fn event(&mut self, ev: &Event);
    /// A line of build output for an import path (`build-output`, or a `# pkg` block in text).
    fn build_output(&mut self, import_path: &str, line: &str);
    /// A line that belongs to no package.
    fn stray(&mut self, line: &str);
    /// A problem with the input at a 1-based line.
    fn warn(&mut self, line: usize, message: String);
    /// A whole input that is a bare goroutine dump.
    fn dump(&mut self, text: String);
}

/// How many lines are looked at, at most, before the format is decided.
const DETECT_LINES: usize = 200;

/// Guesses the format from one line; `None` when the line says nothing.
pub fn classify_line(line: &str) -> Option<Format> {
    let t = line.trim_start();
    if t.starts_with('{') && json::looks_like_event(t) {
        return Some(Format::Json);
    }
    let c = line.trim_end_matches(['\n', '\r']);
    if crate::model::is_framing_line(c)
        || c == "PASS"
        || c == "FAIL"
        || c.starts_with("ok  \t")
        || c.starts_with("FAIL\t")
        || c.starts_with("?   \t")
    {
        return Some(Format::Text);
    }
    let tt = c.trim_start();
    if tt.starts_with("goroutineleak profile: total")
        || tt.starts_with("goroutine profile: total")
        || (tt.starts_with("goroutine ") && tt.ends_with("]:"))
    {
        return Some(Format::Dump);
    }
    None
}

/// Reads one input to its end, detecting its format, and feeds the consumer. Returns the format used.
pub fn read<R: BufRead>(mut reader: R, consumer: &mut dyn Consumer) -> io::Result<Format> {
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut lineno = 0usize;
    let mut pending: Vec<String> = Vec::new();
    let mut format = None;
    // Detection: look at the first lines until one of them tells.
    while format.is_none() {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&buf).into_owned();
        format = classify_line(&line);
        pending.push(line);
        if pending.len() >= DETECT_LINES {
            break;
        }
    }
    let format = format.unwrap_or(Format::Text);
    match format {
        Format::Dump => {
            let mut text = pending.concat();
            let mut rest = Vec::new();
            reader.read_to_end(&mut rest)?;
            text.push_str(&String::from_utf8_lossy(&rest));
            // A non-verbose `go test` run that timed out also starts with a dump: if the package's closing
            // line comes later, it is text after all.
            if text.lines().any(|l| classify_line(l) == Some(Format::Text)) {
                let mut dec = text::Decoder::new();
                for line in text.split_inclusive('\n') {
                    dec.line(line, consumer);
                }
                dec.finish(consumer);
                return Ok(Format::Text);
            }
            consumer.dump(text);
        }
        Format::Json => {
            let mut dec = json::Decoder::new();
            for line in &pending {
                lineno += 1;
                dec.line(line, lineno, consumer);
            }
            loop {
                buf.clear();
                if reader.read_until(b'\n', &mut buf)? == 0 {
                    break;
                }
                lineno += 1;
                match std::str::from_utf8(&buf) {
                    Ok(s) => dec.line(s, lineno, consumer),
                    Err(_) => {
                        consumer.warn(lineno, "invalid UTF-8 replaced with U+FFFD".to_string());
                        let s = String::from_utf8_lossy(&buf).into_owned();
                        dec.line(&s, lineno, consumer);
                    }
                }
            }
            dec.finish(consumer);
        }
        Format::Text => {
            let mut dec = text::Decoder::new();
            for line in &pending {
                dec.line(line, consumer);
            }
            loop {
                buf.clear();
                if reader.read_until(b'\n', &mut buf)? == 0 {
                    break;
                }
                let s = String::from_utf8_lossy(&buf);
                dec.line(&s, consumer);
            }
            dec.finish(consumer);
        }
    }
    Ok(format)
}
