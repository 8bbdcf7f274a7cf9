//! Input: reads bytes, detects each input's format from its content and turns it into [`Event`]s.
//!
//! Three formats are read (see [`Format`]); whatever the format, every line reaches the consumer: test
//! events through [`Consumer::event`], lines that belong to no test or package through
//! [`Consumer::stray`], and problems with the input through [`Consumer::warn`]. Nothing is fatal but an
//! I/O error.

pub mod fastjson;
pub mod json;
pub mod text;

use std::io::{self, Read};
use std::sync::mpsc;

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

/// How many bytes of lines a batch gathers before it is handed over (a short read hands it over sooner,
/// so that a live pipe is processed as it comes).
const BATCH_BYTES: usize = 512 * 1024;

/// One line of a batch.
struct LineRec {
    /// The whole line in [`Batch::data`], with its `\n`.
    range: std::ops::Range<usize>,
    /// The line's number in the input (1-based).
    lineno: usize,
    /// The line was not valid UTF-8 (it was repaired with U+FFFD).
    repaired: bool,
    /// For JSON input: the trimmed object's range and its fields, when the fast reader took it.
    parsed: Option<(std::ops::Range<usize>, fastjson::Fields)>,
}

/// Lines read and (for JSON) parsed by the reading thread.
#[derive(Default)]
struct Batch {
    data: String,
    scratch: String,
    lines: Vec<LineRec>,
}

enum Msg {
    Format(Format),
    Batch(Batch),
}

/// Reads one input to its end, detecting its format, and feeds the consumer. Returns the format used.
///
/// A reading thread reads, splits lines, repairs invalid UTF-8 and parses JSON; the calling thread
/// decodes events and feeds the consumer, so the two cores share the work. Lines are handed over as soon
/// as a read comes back short, so a live pipe is processed incrementally.
pub fn read<R: Read + Send>(reader: R, consumer: &mut dyn Consumer) -> io::Result<Format> {
    let (tx, rx) = mpsc::sync_channel::<Msg>(4);
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || produce(reader, tx));
        let format = consume(rx, consumer);
        match producer.join() {
            Ok(Ok(())) => Ok(format),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(io::Error::other("the input reader thread failed")),
        }
    })
}

/// The reading thread: lines → batches.
fn produce<R: Read>(mut reader: R, tx: mpsc::SyncSender<Msg>) -> io::Result<()> {
    let mut buf = vec![0u8; 1 << 20];
    let mut filled = 0usize;
    let mut lineno = 0usize;
    let mut format: Option<Format> = None;
    let mut pending: Vec<(String, bool)> = Vec::new();
    let mut batch = Batch::default();
    loop {
        if filled == buf.len() {
            // A line longer than the buffer: make room.
            buf.resize(buf.len() * 2, 0);
        }
        let want = buf.len() - filled;
        let n = match reader.read(&mut buf[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // Whatever was read before the error is still processed.
                let _ = tx.send(Msg::Format(format.unwrap_or(Format::Text)));
                let _ = tx.send(Msg::Batch(batch));
                return Err(e);
            }
        };
        let eof = n == 0;
        filled += n;
        let mut start = 0;
        loop {
            let end = match memchr::memchr(b'\n', &buf[start..filled]) {
                Some(nl) => start + nl + 1,
                None if eof && start < filled => filled,
                None => break,
            };
            let bytes = &buf[start..end];
            start = end;
            lineno += 1;
            let (line, repaired) = match std::str::from_utf8(bytes) {
                Ok(s) => (std::borrow::Cow::Borrowed(s), false),
                Err(_) => (String::from_utf8_lossy(bytes), true),
            };
            match format {
                Some(f) => add_line(&mut batch, f, &line, lineno, repaired),
                None => {
                    let detected = classify_line(&line);
                    pending.push((line.into_owned(), repaired));
                    if detected.is_some() || pending.len() >= DETECT_LINES {
                        let f = detected.unwrap_or(Format::Text);
                        format = Some(f);
                        if tx.send(Msg::Format(f)).is_err() {
                            return Ok(());
                        }
                        let first = lineno + 1 - pending.len();
                        for (i, (l, r)) in pending.drain(..).enumerate() {
                            add_line(&mut batch, f, &l, first + i, r);
                        }
                    }
                }
            }
        }
        buf.copy_within(start..filled, 0);
        filled -= start;
        let short = n < want;
        let ready = !batch.lines.is_empty() && (eof || short || batch.data.len() >= BATCH_BYTES);
        if ready && tx.send(Msg::Batch(std::mem::take(&mut batch))).is_err() {
            return Ok(());
        }
        if eof {
            break;
        }
    }
    if format.is_none() {
        let f = Format::Text;
        let _ = tx.send(Msg::Format(f));
        let first = lineno + 1 - pending.len();
        for (i, (l, r)) in pending.drain(..).enumerate() {
            add_line(&mut batch, f, &l, first + i, r);
        }
        let _ = tx.send(Msg::Batch(batch));
    }
    Ok(())
}

fn add_line(batch: &mut Batch, format: Format, line: &str, lineno: usize, repaired: bool) {
    let at = batch.data.len();
    batch.data.push_str(line);
    let parsed = if format == Format::Json {
        let trimmed = line.trim();
        if trimmed.starts_with('{') {
            let off = at + (trimmed.as_ptr() as usize - line.as_ptr() as usize);
            fastjson::parse(trimmed, &mut batch.scratch).map(|f| (off..off + trimmed.len(), f))
        } else {
            None
        }
    } else {
        None
    };
    batch.lines.push(LineRec {
        range: at..batch.data.len(),
        lineno,
        repaired,
        parsed,
    });
}

/// The calling thread: batches → events.
fn consume(rx: mpsc::Receiver<Msg>, consumer: &mut dyn Consumer) -> Format {
    let mut format = Format::Text;
    let mut json_dec = json::Decoder::new();
    let mut text_dec = text::Decoder::new();
    let mut dump_text = String::new();
    for msg in rx {
        let batch = match msg {
            Msg::Format(f) => {
                format = f;
                continue;
            }
            Msg::Batch(b) => b,
        };
        for rec in &batch.lines {
            let line = &batch.data[rec.range.clone()];
            if rec.repaired {
                consumer.warn(rec.lineno, "invalid UTF-8 replaced with U+FFFD".to_string());
            }
            match format {
                Format::Json => match &rec.parsed {
                    Some((r, fields)) => json_dec.parsed_line(
                        line,
                        &batch.data[r.clone()],
                        fields,
                        &batch.scratch,
                        rec.lineno,
                        consumer,
                    ),
                    None => json_dec.unparsed_line(line, rec.lineno, consumer),
                },
                Format::Text => text_dec.line(line, consumer),
                Format::Dump => dump_text.push_str(line),
            }
        }
    }
    match format {
        Format::Json => json_dec.finish(consumer),
        Format::Text => text_dec.finish(consumer),
        Format::Dump => {
            // A non-verbose `go test` run that timed out also starts with a dump: if a package's closing
            // line comes later, it is text after all.
            if dump_text
                .lines()
                .any(|l| classify_line(l) == Some(Format::Text))
            {
                for line in dump_text.split_inclusive('\n') {
                    text_dec.line(line, consumer);
                }
                text_dec.finish(consumer);
                return Format::Text;
            }
            consumer.dump(dump_text);
        }
    }
    format
}
