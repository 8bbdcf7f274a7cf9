//! The `go test -json` (test2json) reader.
//!
//! Tolerant: a line that is not a JSON object is kept as stray output (or as build output under a
//! `# pkg` header, which is how Go before 1.24 printed build errors next to the JSON stream); a line that
//! looks like an event but does not decode is reported as a warning with its line number and kept as stray
//! output. Output that test2json split across several events (long lines) is joined back into whole lines.
//! Go ≤ 1.23 printed a build failure as text next to the JSON (`# pkg`, the compiler's errors, `FAIL\tpkg
//! [build failed]`): that text becomes the package's build failure. A stream whose events carry no
//! `Package` at all (`go tool test2json` without `-p`) is read under [`gotest::NO_PACKAGE`].

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;

use super::{fastjson, Consumer};
use crate::event::{Action, Event, OutputType};
use crate::gotest;

/// One test2json event as it is in the stream; only the fields goleash reads.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Raw<'a> {
    #[serde(rename = "Action", borrow)]
    action: Option<Cow<'a, str>>,
    #[serde(rename = "Package", borrow)]
    package: Option<Cow<'a, str>>,
    #[serde(rename = "Test", borrow)]
    test: Option<Cow<'a, str>>,
    #[serde(rename = "Elapsed")]
    elapsed: Option<f64>,
    #[serde(rename = "Output", borrow)]
    output: Option<Cow<'a, str>>,
    #[serde(rename = "OutputType", borrow)]
    output_type: Option<Cow<'a, str>>,
    #[serde(rename = "FailedBuild", borrow)]
    failed_build: Option<Cow<'a, str>>,
    #[serde(rename = "ImportPath", borrow)]
    import_path: Option<Cow<'a, str>>,
    #[serde(rename = "Key", borrow)]
    key: Option<Cow<'a, str>>,
    #[serde(rename = "Value", borrow)]
    value: Option<Cow<'a, str>>,
}

/// An event some of whose detail fields (`Elapsed`, `OutputType`, `FailedBuild`, `Key`, `Value`) have the
/// wrong JSON type: the event is read without them, rather than lost. The fields that say what the event
/// is (`Action`, `Package`, `Test`, `Output`, `ImportPath`) must be right, or the line is not an event.
#[derive(Default)]
struct Lenient {
    action: Option<String>,
    package: Option<String>,
    test: Option<String>,
    elapsed: Option<f64>,
    output: Option<String>,
    output_type: Option<String>,
    failed_build: Option<String>,
    import_path: Option<String>,
    key: Option<String>,
    value: Option<String>,
    /// The fields ignored, as `"Elapsed" (a string)`.
    wrong: Vec<String>,
}

impl Lenient {
    /// `None` unless `object` is a JSON object whose only faults are detail fields of the wrong type.
    fn read(object: &str) -> Option<Lenient> {
        use serde_json::Value;
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(object) else {
            return None;
        };
        let mut l = Lenient::default();
        for (k, v) in &map {
            let (slot, detail) = match k.as_str() {
                "Action" => (&mut l.action, false),
                "Package" => (&mut l.package, false),
                "Test" => (&mut l.test, false),
                "Output" => (&mut l.output, false),
                "ImportPath" => (&mut l.import_path, false),
                "OutputType" => (&mut l.output_type, true),
                "FailedBuild" => (&mut l.failed_build, true),
                "Key" => (&mut l.key, true),
                "Value" => (&mut l.value, true),
                "Elapsed" => {
                    match v {
                        Value::Number(n) => l.elapsed = n.as_f64(),
                        Value::Null => {}
                        other => l.wrong.push(format!("{k:?} ({})", json_kind(other))),
                    }
                    continue;
                }
                _ => continue,
            };
            match v {
                Value::String(s) => *slot = Some(s.clone()),
                Value::Null => {}
                _ if detail => l.wrong.push(format!("{k:?} ({})", json_kind(v))),
                _ => return None,
            }
        }
        (l.action.is_some() && !l.wrong.is_empty()).then_some(l)
    }

    fn parsed(&self) -> Parsed<'_> {
        Parsed {
            action: self.action.as_deref(),
            package: self.package.as_deref(),
            test: self.test.as_deref(),
            elapsed: self.elapsed,
            output: self.output.as_deref(),
            output_type: self.output_type.as_deref(),
            failed_build: self.failed_build.as_deref(),
            import_path: self.import_path.as_deref(),
            key: self.key.as_deref(),
            value: self.value.as_deref(),
        }
    }
}

/// What kind of JSON value this is, in words.
fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// A cheap check that a line is a test2json event (used for format detection).
pub fn looks_like_event(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('{') && t.contains("\"Action\"")
}

/// One event's fields, borrowed from the line or the decoder's scratch buffer.
struct Parsed<'a> {
    action: Option<&'a str>,
    package: Option<&'a str>,
    test: Option<&'a str>,
    elapsed: Option<f64>,
    output: Option<&'a str>,
    output_type: Option<&'a str>,
    failed_build: Option<&'a str>,
    import_path: Option<&'a str>,
    key: Option<&'a str>,
    value: Option<&'a str>,
}

/// How many unknown actions are warned about one by one; the rest are counted.
const UNKNOWN_SHOWN: usize = 5;

/// Decodes test2json lines into events.
#[derive(Debug, Default)]
pub struct Decoder {
    /// Decoded strings of the current line.
    scratch: String,
    /// Output pieces without their `\n` yet, per (package, test).
    partial: HashMap<(String, String), String>,
    /// The package whose `# pkg` build-output block is being read.
    build_header: Option<String>,
    /// Unknown actions already warned about.
    unknown_warned: usize,
    /// The line of the last unknown action.
    unknown_last: usize,
    /// An event named a package.
    seen_package: bool,
    /// The stream's events name no package (`test2json` without `-p`): they are read under
    /// [`gotest::NO_PACKAGE`].
    no_package: bool,
    /// At least one event was read.
    pub recognised: bool,
}

impl Decoder {
    /// A decoder with nothing pending.
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Decodes one line (with or without its `\n`).
    pub fn line(&mut self, line: &str, lineno: usize, consumer: &mut dyn Consumer) {
        let trimmed = line.trim();
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        match fastjson::parse(trimmed, &mut scratch) {
            Some(f) => self.parsed_line(line, trimmed, &f, &scratch, lineno, consumer),
            None => self.unparsed_line(line, lineno, consumer),
        }
        self.scratch = scratch;
    }

    /// Decodes a line the fast reader already took apart: `object` is the trimmed line its `fields`
    /// spans refer to, `scratch` holds its decoded strings.
    pub fn parsed_line(
        &mut self,
        line: &str,
        object: &str,
        f: &fastjson::Fields,
        scratch: &str,
        lineno: usize,
        consumer: &mut dyn Consumer,
    ) {
        let t = |span| fastjson::text(span, object, scratch);
        let p = Parsed {
            action: t(&f.action),
            package: t(&f.package),
            test: t(&f.test),
            elapsed: f.elapsed,
            output: t(&f.output),
            output_type: t(&f.output_type),
            failed_build: t(&f.failed_build),
            import_path: t(&f.import_path),
            key: t(&f.key),
            value: t(&f.value),
        };
        self.event(line, p, lineno, consumer);
    }

    /// Decodes a line the fast reader did not take: a general JSON object, or not JSON at all.
    pub fn unparsed_line(&mut self, line: &str, lineno: usize, consumer: &mut dyn Consumer) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            return;
        }
        if !trimmed.starts_with('{') {
            self.non_json(line, consumer);
            return;
        }
        match serde_json::from_str::<Raw>(trimmed) {
            Ok(raw) => {
                let p = Parsed {
                    action: raw.action.as_deref(),
                    package: raw.package.as_deref(),
                    test: raw.test.as_deref(),
                    elapsed: raw.elapsed,
                    output: raw.output.as_deref(),
                    output_type: raw.output_type.as_deref(),
                    failed_build: raw.failed_build.as_deref(),
                    import_path: raw.import_path.as_deref(),
                    key: raw.key.as_deref(),
                    value: raw.value.as_deref(),
                };
                self.event(line, p, lineno, consumer);
            }
            Err(e) => match Lenient::read(trimmed) {
                // Only details have the wrong type: the event is kept without them.
                Some(l) => {
                    consumer.warn(
                        lineno,
                        format!(
                            "event fields with the wrong type ignored: {}",
                            l.wrong.join(", ")
                        ),
                    );
                    self.event(line, l.parsed(), lineno, consumer);
                }
                None => {
                    consumer.warn(
                        lineno,
                        format!("not a valid go test -json event ({e}); kept as plain output"),
                    );
                    self.non_json(line, consumer);
                }
            },
        }
    }

    fn event(&mut self, line: &str, raw: Parsed, lineno: usize, consumer: &mut dyn Consumer) {
        self.build_header = None;
        let Some(action_name) = raw.action else {
            consumer.warn(
                lineno,
                "event without an Action; kept as plain output".to_string(),
            );
            self.non_json(line, consumer);
            return;
        };
        let mut action = Action::from_name(action_name);
        if action == Action::Unknown {
            // A newer test2json (`"Action":"retry"` is proposed upstream): never silent, and its output,
            // if it carries any, is kept as the output of its test.
            if self.unknown_warned < UNKNOWN_SHOWN {
                let what = if raw.output.is_some() {
                    "its output kept"
                } else {
                    "ignored"
                };
                consumer.warn(lineno, format!("unknown action {action_name:?}: {what}"));
            }
            self.unknown_warned += 1;
            self.unknown_last = lineno;
            if raw.output.is_none() {
                return;
            }
            action = Action::Output;
        }
        let import_path = raw.import_path.unwrap_or_default();
        if matches!(action, Action::BuildOutput | Action::BuildFail) {
            if let Some(out) = raw.output {
                consumer.build_output(import_path, out);
            }
            return;
        }
        let mut package = raw.package.unwrap_or_default();
        let test = raw.test;
        if !package.is_empty() {
            self.seen_package = true;
        } else if !self.seen_package && (self.no_package || action != Action::Output) {
            // `go tool test2json` without `-p`: no event names a package.
            self.no_package = true;
            package = gotest::NO_PACKAGE;
        } else if action != Action::Output {
            consumer.warn(
                lineno,
                format!("{action_name:?} event without a Package ignored"),
            );
            return;
        }
        self.recognised = true;
        let mut ev = Event {
            action,
            package,
            test,
            elapsed: raw.elapsed,
            output: None,
            output_type: raw
                .output_type
                .map(OutputType::from_name)
                .unwrap_or_default(),
            failed_build: raw.failed_build,
            key: raw.key,
            value: raw.value,
        };
        if action == Action::Output {
            let Some(out) = raw.output else {
                return;
            };
            if !out.ends_with('\n') {
                // A piece of a longer line: wait for the rest.
                let key_test = test.unwrap_or_default();
                self.partial
                    .entry((package.to_string(), key_test.to_string()))
                    .or_default()
                    .push_str(out);
                return;
            }
            if !self.partial.is_empty() {
                let key = (package.to_string(), test.unwrap_or_default().to_string());
                if let Some(mut head) = self.partial.remove(&key) {
                    head.push_str(out);
                    ev.output = Some(&head);
                    consumer.event(&ev);
                    return;
                }
            }
            // One event may carry several lines (rare, but allowed): split them.
            if out[..out.len() - 1].contains('\n') {
                for piece in out.split_inclusive('\n') {
                    ev.output = Some(piece);
                    consumer.event(&ev);
                }
                return;
            }
            ev.output = Some(out);
            consumer.event(&ev);
            return;
        }
        // Any other event of a test (or of a package) ends the lines pending for it.
        self.flush(package, test, consumer);
        consumer.event(&ev);
    }

    fn non_json(&mut self, line: &str, consumer: &mut dyn Consumer) {
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some(pkg) = gotest::build_header(content) {
            self.build_header = Some(pkg.to_string());
            return;
        }
        if let Some(r) = gotest::result_line(content).filter(|r| r.build_failed) {
            // Go ≤ 1.23: `FAIL\tpkg [build failed]` as text, and no JSON event for the package.
            self.build_header = None;
            self.recognised = true;
            let package = r.package;
            consumer.event(&Event {
                action: Action::Start,
                package,
                ..Event::default()
            });
            consumer.event(&Event::output(package, None, line));
            consumer.event(&Event {
                action: Action::Fail,
                package,
                failed_build: Some(package),
                ..Event::default()
            });
            return;
        }
        match &self.build_header {
            Some(pkg) => consumer.build_output(pkg, line),
            None => consumer.stray(line),
        }
    }

    /// Emits the pending pieces of `(package, test)`, or of the whole package when `test` is `None`.
    fn flush(&mut self, package: &str, test: Option<&str>, consumer: &mut dyn Consumer) {
        if self.partial.is_empty() {
            return;
        }
        let keys: Vec<(String, String)> = self
            .partial
            .keys()
            .filter(|(p, t)| p == package && test.is_none_or(|want| want == t))
            .cloned()
            .collect();
        for key in keys {
            if let Some(text) = self.partial.remove(&key) {
                let t = (!key.1.is_empty()).then_some(key.1.as_str());
                consumer.event(&Event::output(&key.0, t, &text));
            }
        }
    }

    /// Emits every pending piece (end of input).
    pub fn finish(&mut self, consumer: &mut dyn Consumer) {
        if self.unknown_warned > UNKNOWN_SHOWN {
            consumer.warn(
                self.unknown_last,
                format!(
                    "{} more events with an unknown action (the last one on this line): their output kept, the rest ignored",
                    self.unknown_warned - UNKNOWN_SHOWN
                ),
            );
            self.unknown_warned = 0;
        }
        let mut keys: Vec<(String, String)> = self.partial.keys().cloned().collect();
        keys.sort();
        for key in keys {
            if let Some(text) = self.partial.remove(&key) {
                let t = (!key.1.is_empty()).then_some(key.1.as_str());
                consumer.event(&Event::output(&key.0, t, &text));
            }
        }
    }
}
