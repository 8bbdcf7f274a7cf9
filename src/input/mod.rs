//! Input: reads bytes, detects each input's format from its content and turns it into [`Event`]s.
//!
//! Three formats are read (see [`Format`]); whatever the format, every line reaches the consumer: test
//! events through [`Consumer::event`], lines that belong to no test or package through
//! [`Consumer::stray`], and problems with the input through [`Consumer::warn`]. Nothing is fatal but an
//! I/O error.
//!
//! Before anything reads a line, the CI log forms of [`crate::logform`] are undone (GitHub Actions
//! timestamps and CR line ends when every line of the input's start has them, colour codes once a line of
//! `go test`'s own carried some, the tab of a dropped or expanded stack `file:line`), so a copied CI log
//! gives the report of the plain capture; one warning names the forms undone.

pub mod fastjson;
pub mod json;
pub mod text;

use std::io::{self, Read};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::event::Event;
use crate::logform::{self, LineNormalizer, LogForms};

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
    if crate::gotest::is_framing_line(c)
        || c == "PASS"
        || c == "FAIL"
        || crate::gotest::result_line(c).is_some()
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

/// What reading one input found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// The format the input was read as (a text input in which JSON events start is [`Format::Json`]).
    pub format: Format,
    /// Something in the input was `go test` output or a goroutine dump (an event, a framing or result
    /// line, a goroutine header). `false` for prose, a `Cargo.toml`, an empty input: most often the wrong
    /// file, or a `go` command that never started.
    pub recognised: bool,
}

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

/// The reading thread parses a batch's JSON itself only when at least this many batches wait for the
/// calling thread (which is then the slower one); otherwise it hands the batch over unparsed and the
/// calling thread parses it. So the two cores share the work whatever the sinks cost.
const BACKLOG_TO_PARSE: usize = 2;

/// Lines read and (for JSON) parsed by the reading thread.
#[derive(Default)]
struct Batch {
    data: String,
    scratch: String,
    lines: Vec<LineRec>,
    /// The JSON lines were parsed (else the calling thread parses them).
    parsed: bool,
}

enum Msg {
    Format(Format),
    Batch(Batch),
    /// The CI log forms undone in the input, and the first line that had one (sent last).
    Forms(LogForms, usize),
}

/// Reads one input to its end, detecting its format, and feeds the consumer. Returns the format used and
/// whether anything was recognised.
///
/// A reading thread reads, splits lines, repairs invalid UTF-8 and parses JSON; the calling thread
/// decodes events and feeds the consumer, so the two cores share the work. Lines are handed over as soon
/// as a read comes back short, so a live pipe is processed incrementally. Buffers go back to the reader
/// once used, so a long stream allocates nothing new.
pub fn read<R: Read + Send>(reader: R, consumer: &mut dyn Consumer) -> io::Result<Outcome> {
    let (tx, rx) = mpsc::sync_channel::<Msg>(4);
    let (back_tx, back_rx) = mpsc::channel::<Batch>();
    let backlog = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let backlog_ref = &backlog;
        let producer = std::thread::Builder::new()
            .name("goleash-reader".to_string())
            .spawn_scoped(scope, move || produce(reader, tx, back_rx, backlog_ref))?;
        let format = consume(rx, back_tx, &backlog, consumer);
        match producer.join() {
            Ok(Ok(())) => Ok(format),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(io::Error::other("the input reader thread failed")),
        }
    })
}

/// The size of one read buffer.
const CHUNK: usize = 1 << 20;

/// The reading thread's state.
struct Producer<'a> {
    tx: mpsc::SyncSender<Msg>,
    /// Batches sent and not yet taken by the calling thread.
    backlog: &'a AtomicUsize,
    back: mpsc::Receiver<Batch>,
    format: Option<Format>,
    /// Batches read before the format was known.
    held: Vec<Batch>,
    /// Undoes CI log forms (timestamps, CR, colours, de-indented stacks) before anything reads a line;
    /// `None` until the input's first lines decided its [`logform::Plan`].
    normalizer: Option<LineNormalizer>,
    /// The first line a log form was undone in.
    first_form_line: Option<usize>,
    lineno: usize,
    /// Scratch buffers and line lists of batches that came back, for reuse.
    spare: Vec<(String, Vec<LineRec>)>,
}

impl Producer<'_> {
    /// A buffer of `CHUNK` bytes (or more), recycled when one came back.
    fn buffer(&mut self, min: usize) -> Vec<u8> {
        let mut v = match self.back.try_recv() {
            Ok(b) => {
                self.spare.push((b.scratch, b.lines));
                b.data.into_bytes()
            }
            Err(_) => Vec::new(),
        };
        // Only the part never used before is zeroed: reads overwrite what they fill.
        let want = min.max(CHUNK);
        if v.len() < want {
            v.resize(want, 0);
        }
        v
    }

    /// Turns complete lines into a batch and hands it over. `false` when the consumer is gone.
    fn ship(&mut self, data: Vec<u8>) -> bool {
        let mut batch = Batch::default();
        if let Some((mut scratch, mut lines)) = self.spare.pop() {
            scratch.clear();
            lines.clear();
            batch.scratch = scratch;
            batch.lines = lines;
        }
        match String::from_utf8(data) {
            Ok(text) => {
                batch.data = text;
                let mut start = 0;
                while start < batch.data.len() {
                    let end = memchr::memchr(b'\n', &batch.data.as_bytes()[start..])
                        .map_or(batch.data.len(), |i| start + i + 1);
                    self.lineno += 1;
                    batch.lines.push(LineRec {
                        range: start..end,
                        lineno: self.lineno,
                        repaired: false,
                        parsed: None,
                    });
                    start = end;
                }
            }
            Err(e) => {
                // Rare: repair line by line, so that only the bad lines are marked.
                let bytes = e.into_bytes();
                let mut start = 0;
                while start < bytes.len() {
                    let end = memchr::memchr(b'\n', &bytes[start..])
                        .map_or(bytes.len(), |i| start + i + 1);
                    let line = String::from_utf8_lossy(&bytes[start..end]);
                    let repaired = matches!(line, std::borrow::Cow::Owned(_));
                    let at = batch.data.len();
                    batch.data.push_str(&line);
                    self.lineno += 1;
                    batch.lines.push(LineRec {
                        range: at..batch.data.len(),
                        lineno: self.lineno,
                        repaired,
                        parsed: None,
                    });
                    start = end;
                }
            }
        }
        match self.format {
            Some(f) => {
                self.normalize(&mut batch);
                if self.backlog.load(Ordering::Relaxed) >= BACKLOG_TO_PARSE {
                    parse_batch(&mut batch, f);
                }
                self.send(batch)
            }
            None => {
                self.held.push(batch);
                let seen: usize = self.held.iter().map(|b| b.lines.len()).sum();
                if !self.settle_plan(seen >= DETECT_LINES) {
                    return true;
                }
                // A JSON event anywhere in the first lines wins: Go ≤ 1.23 printed build failures as text
                // before the JSON.
                let mut detected = None;
                let lines = self
                    .held
                    .iter()
                    .flat_map(|b| b.lines.iter().map(move |r| &b.data[r.range.clone()]));
                for line in lines.take(DETECT_LINES) {
                    match classify_line(line) {
                        Some(Format::Json) => {
                            detected = Some(Format::Json);
                            break;
                        }
                        Some(f) if detected.is_none() => detected = Some(f),
                        _ => {}
                    }
                }
                match detected {
                    Some(f) => self.decide(f),
                    None if seen >= DETECT_LINES => self.decide(Format::Text),
                    None => true,
                }
            }
        }
    }

    /// Decides the input's log forms from the lines held so far, unless decided already, and undoes them
    /// in the held batches. `false` while the lines do not decide yet (and `at_end` is not set).
    fn settle_plan(&mut self, at_end: bool) -> bool {
        if self.normalizer.is_some() {
            return true;
        }
        let lines = self.held.iter().flat_map(|b| {
            b.lines
                .iter()
                .map(move |r| b.data[r.range.clone()].trim_end_matches('\n'))
        });
        let Some(plan) = logform::plan(lines, at_end) else {
            return false;
        };
        self.normalizer = Some(LineNormalizer::for_input(plan, |l| {
            classify_line(l).is_some()
        }));
        let mut held = std::mem::take(&mut self.held);
        for b in &mut held {
            self.normalize(b);
        }
        self.held = held;
        true
    }

    /// Undoes the input's log forms in a batch (a copy is made only when a line changes). JSON event lines
    /// are left alone when the input has no whole-line form and no escape byte: nothing can change them.
    fn normalize(&mut self, batch: &mut Batch) {
        let Some(n) = self.normalizer.as_mut() else {
            return;
        };
        let Batch { data, lines, .. } = batch;
        let plain =
            n.plan() == logform::Plan::default() && memchr::memchr(0x1b, data.as_bytes()).is_none();
        let mut out: Option<String> = None;
        for rec in lines.iter_mut() {
            let raw = &data[rec.range.clone()];
            let (body, nl) = match raw.strip_suffix('\n') {
                Some(b) => (b, "\n"),
                None => (raw, ""),
            };
            let changed = if plain && body.trim_start().starts_with('{') {
                n.reset_context();
                None
            } else {
                let l = n.line(body);
                (l.len() != body.len() || l.as_ptr() != body.as_ptr()).then_some(l)
            };
            match (&mut out, changed) {
                (None, None) => {}
                (o @ None, Some(l)) => {
                    let mut s = String::with_capacity(data.len());
                    s.push_str(&data[..rec.range.start]);
                    let start = s.len();
                    s.push_str(&l);
                    s.push_str(nl);
                    rec.range = start..s.len();
                    *o = Some(s);
                    self.first_form_line.get_or_insert(rec.lineno);
                }
                (Some(s), changed) => {
                    let start = s.len();
                    match changed {
                        Some(l) => {
                            s.push_str(&l);
                            self.first_form_line.get_or_insert(rec.lineno);
                        }
                        None => s.push_str(body),
                    }
                    s.push_str(nl);
                    rec.range = start..s.len();
                }
            }
        }
        if let Some(s) = out {
            *data = s;
        }
    }

    /// The format is known: send it and the batches held until now.
    fn decide(&mut self, f: Format) -> bool {
        self.format = Some(f);
        if self.tx.send(Msg::Format(f)).is_err() {
            return false;
        }
        for batch in std::mem::take(&mut self.held) {
            if !self.send(batch) {
                return false;
            }
        }
        true
    }

    /// Hands a batch over. `false` when the consumer is gone.
    fn send(&mut self, batch: Batch) -> bool {
        self.backlog.fetch_add(1, Ordering::Relaxed);
        self.tx.send(Msg::Batch(batch)).is_ok()
    }
}

/// The reading thread: bytes → batches of whole lines.
fn produce<R: Read>(
    mut reader: R,
    tx: mpsc::SyncSender<Msg>,
    back: mpsc::Receiver<Batch>,
    backlog: &AtomicUsize,
) -> io::Result<()> {
    let mut p = Producer {
        tx,
        backlog,
        back,
        format: None,
        held: Vec::new(),
        normalizer: None,
        first_form_line: None,
        lineno: 0,
        spare: Vec::new(),
    };
    let mut buf = p.buffer(CHUNK);
    let mut filled = 0usize;
    let mut result = Ok(());
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
                result = Err(e);
                0
            }
        };
        let eof = n == 0;
        filled += n;
        let complete = if eof {
            filled
        } else {
            memchr::memrchr(b'\n', &buf[..filled]).map_or(0, |i| i + 1)
        };
        let short = n < want;
        if complete > 0 && (eof || short || filled >= buf.len() / 2) {
            let rest = filled - complete;
            let mut next = p.buffer(rest * 2);
            next[..rest].copy_from_slice(&buf[complete..filled]);
            let mut data = std::mem::replace(&mut buf, next);
            data.truncate(complete);
            filled = rest;
            if !p.ship(data) {
                return result;
            }
        }
        if eof {
            break;
        }
    }
    if p.format.is_none() {
        p.settle_plan(true);
        p.decide(Format::Text);
    }
    if let Some(n) = &p.normalizer {
        if !n.seen().is_empty() {
            let _ =
                p.tx.send(Msg::Forms(n.seen(), p.first_form_line.unwrap_or(1)));
        }
    }
    result
}

/// Parses the JSON lines of a batch (for JSON input), in the reading thread.
fn parse_batch(batch: &mut Batch, format: Format) {
    if format != Format::Json || batch.parsed {
        return;
    }
    batch.parsed = true;
    let Batch {
        data,
        scratch,
        lines,
        ..
    } = batch;
    for rec in lines.iter_mut() {
        let line = &data[rec.range.clone()];
        let trimmed = line.trim();
        if trimmed.starts_with('{') {
            let off = rec.range.start + (trimmed.as_ptr() as usize - line.as_ptr() as usize);
            rec.parsed = fastjson::parse(trimmed, scratch).map(|f| (off..off + trimmed.len(), f));
        }
    }
}

/// The calling thread: batches → events.
fn consume(
    rx: mpsc::Receiver<Msg>,
    back: mpsc::Sender<Batch>,
    backlog: &AtomicUsize,
    consumer: &mut dyn Consumer,
) -> Outcome {
    let mut format = Format::Text;
    let mut json_dec = json::Decoder::new();
    let mut text_dec = text::Decoder::new();
    let mut dump_text = String::new();
    for msg in rx {
        let mut batch = match msg {
            Msg::Format(f) => {
                format = f;
                continue;
            }
            Msg::Batch(b) => b,
            Msg::Forms(forms, line) => {
                consumer.warn(
                    line,
                    format!("read as a CI log: {} undone", forms.describe()),
                );
                continue;
            }
        };
        backlog.fetch_sub(1, Ordering::Relaxed);
        parse_batch(&mut batch, format);
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
                Format::Text
                    if line.trim_start().starts_with('{') && json::looks_like_event(line) =>
                {
                    // JSON events after text: the rest of the input is a JSON stream.
                    format = Format::Json;
                    json_dec.line(line, rec.lineno, consumer);
                }
                Format::Text => text_dec.line(line, consumer),
                Format::Dump => dump_text.push_str(line),
            }
        }
        // The reader may be gone already; then the buffer is simply freed.
        let _ = back.send(batch);
    }
    text_dec.finish(consumer);
    match format {
        Format::Json => json_dec.finish(consumer),
        Format::Text => {}
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
                return Outcome {
                    format: Format::Text,
                    recognised: true,
                };
            }
            consumer.dump(dump_text);
            return Outcome {
                format,
                recognised: true,
            };
        }
    }
    Outcome {
        format,
        recognised: json_dec.recognised || text_dec.recognised,
    }
}
