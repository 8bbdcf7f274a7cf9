//! The checks every fuzz target makes on whatever bytes it is given, shared with the regression tests:
//! `tests/hardening.rs` replays `fuzz/regressions/<target>/` and the seed corpus through the same
//! functions, so a crash the fuzzer once found stays fixed.
//!
//! Whatever the input, goleash must not panic, and what it writes must hold together:
//! - every JUnit suite is well-formed XML made only of characters XML 1.0 allows, whose `tests`,
//!   `failures`, `errors` and `skipped` attributes match its test cases;
//! - the JUnit totals agree with the JSON report's summary (no test is lost between the two), and the
//!   summary adds up (`tests = passed + failed + skipped`);
//! - the JSON report serializes and reads back as JSON;
//! - the fast test2json reader never disagrees with `serde_json` on a line both accept.
#![allow(dead_code)]

use std::io;

use goleash::error::Error;
use goleash::input::{self, fastjson, json, text};
use goleash::paths::Resolver;
use goleash::report::{self, junit};
use goleash::{PackageDone, Pipeline, Sink};

/// Totals over the JUnit suites rendered so far.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Test cases.
    pub tests: usize,
    /// `failure` and `error` elements.
    pub failed: usize,
    /// `skipped` elements.
    pub skipped: usize,
}

/// A live sink that renders each finished package as JUnit and checks the XML.
#[derive(Debug, Default)]
pub struct CheckSink {
    /// What the suites held.
    pub totals: Totals,
    /// Suites rendered.
    pub suites: usize,
}

impl Sink for CheckSink {
    fn package_done(&mut self, done: &PackageDone) -> Result<(), Error> {
        let suite = junit::render_suite(done);
        let counted = check_xml(&suite.xml);
        assert_eq!(
            counted.tests, suite.totals.tests,
            "testcase elements vs the suite's tests attribute"
        );
        assert_eq!(
            counted.failed,
            suite.totals.failures + suite.totals.errors,
            "failure/error elements vs the suite's attributes"
        );
        assert_eq!(
            counted.skipped, suite.totals.skipped,
            "skipped elements vs the suite's attribute"
        );
        self.totals.tests += counted.tests;
        self.totals.failed += counted.failed;
        self.totals.skipped += counted.skipped;
        self.suites += 1;
        Ok(())
    }
}

/// True for the characters XML 1.0 allows in a document.
pub fn xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{a}' | '\u{d}' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Parses one `testsuite` element (or a whole document) and fails unless it is well-formed XML of
/// allowed characters with valid attributes and entities. Returns what it holds.
pub fn check_xml(xml: &[u8]) -> Totals {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(xml).expect("JUnit XML is UTF-8");
    if let Some(bad) = text.chars().find(|&c| !xml_char(c)) {
        panic!("JUnit XML holds a character XML 1.0 forbids: {:?}", bad);
    }
    let mut reader = quick_xml::Reader::from_str(text);
    let mut totals = Totals::default();
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        let ev = reader
            .read_event()
            .unwrap_or_else(|e| panic!("JUnit XML is not well-formed: {e}"));
        let start = match &ev {
            Event::Start(s) | Event::Empty(s) => Some(s.clone()),
            _ => None,
        };
        if let Some(s) = start {
            if depth == 0 {
                roots += 1;
            }
            for a in s.attributes() {
                let a = a.unwrap_or_else(|e| panic!("bad attribute: {e}"));
                a.unescape_value()
                    .unwrap_or_else(|e| panic!("bad attribute value: {e}"));
            }
            match s.name().as_ref() {
                b"testcase" => totals.tests += 1,
                b"failure" | b"error" => totals.failed += 1,
                b"skipped" => totals.skipped += 1,
                _ => {}
            }
        }
        match ev {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth = depth
                    .checked_sub(1)
                    .expect("an end tag without a start tag")
            }
            Event::Text(t) => {
                t.decode().unwrap_or_else(|e| panic!("bad text: {e}"));
            }
            Event::GeneralRef(r) => {
                if r.is_char_ref() {
                    let c = r
                        .resolve_char_ref()
                        .unwrap_or_else(|e| panic!("bad character reference: {e}"));
                    assert!(
                        c.is_some_and(xml_char),
                        "a character reference to a forbidden character"
                    );
                } else {
                    let name = r
                        .decode()
                        .unwrap_or_else(|e| panic!("bad entity reference: {e}"));
                    assert!(
                        matches!(name.as_ref(), "lt" | "gt" | "amp" | "apos" | "quot"),
                        "an undefined entity &{name};"
                    );
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unclosed elements");
    assert!(roots <= 1, "more than one root element");
    totals
}

/// Ends the pipeline and checks the JSON report: it adds up, has one failure entry per failed case, and
/// reads back as JSON. Returns its (tests, failed, skipped).
fn finish_and_check(pipeline: Pipeline<'_>) -> (usize, usize, usize) {
    let resolver = pipeline.resolver.clone();
    let (analysis, err) = pipeline.finish();
    assert!(err.is_none(), "the check sink never fails");
    let report = goleash::view::build(&analysis, &resolver);
    let s = &report.summary;
    assert_eq!(
        s.tests,
        s.passed + s.failed + s.skipped,
        "the summary adds up"
    );
    assert_eq!(
        report.failures.len(),
        s.failed,
        "one failure entry per failed test case"
    );
    let mut buf = Vec::new();
    report::json::write(&mut buf, &report).expect("writing to a Vec cannot fail");
    let back: serde_json::Value = serde_json::from_slice(&buf).expect("the JSON report reads back");
    assert_eq!(back["summary"]["tests"], s.tests);
    (s.tests, s.failed, s.skipped)
}

/// Fails unless the JUnit suites counted what the JSON report counts: no test is lost between the two.
fn same_counts(junit: Totals, json: (usize, usize, usize)) {
    assert_eq!(
        (junit.tests, junit.failed, junit.skipped),
        json,
        "JUnit (tests, failed, skipped) vs the JSON summary"
    );
}

/// Runs `feed` on a fresh pipeline with a [`CheckSink`], then checks everything.
fn with_pipeline(feed: impl FnOnce(&mut Pipeline<'_>)) {
    let mut sink = CheckSink::default();
    let json = {
        let mut pipeline = Pipeline::new(Resolver::new(None), vec![&mut sink]);
        pipeline.input_name = "fuzz".to_string();
        feed(&mut pipeline);
        finish_and_check(pipeline)
    };
    same_counts(sink.totals, json);
}

/// Feeds `data` to the test2json decoder line by line, through the model, leak extraction and the JUnit
/// renderer; also compares the fast reader with `serde_json` on every line.
pub fn check_json(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    with_pipeline(|pipeline| {
        let mut decoder = json::Decoder::new();
        let mut scratch = String::new();
        for (i, line) in text.split_inclusive('\n').enumerate() {
            fast_agrees_with_serde(line.trim(), &mut scratch);
            decoder.line(line, i + 1, pipeline);
        }
        decoder.finish(pipeline);
    });
}

/// Feeds `data` to the plain-text decoder line by line, through the same checks.
pub fn check_text(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    with_pipeline(|pipeline| {
        let mut decoder = text::Decoder::new();
        for line in s.split_inclusive('\n') {
            decoder.line(line, pipeline);
        }
        decoder.finish(pipeline);
    });
}

/// Feeds `data` to the whole reader (format detection, the reading thread, UTF-8 repair, every
/// format), through the same checks.
pub fn check_read(data: &[u8]) {
    with_pipeline(|pipeline| {
        input::read(io::Cursor::new(data), pipeline).expect("reading from memory cannot fail");
    });
}

/// The goroutine-dump parser and extractor: no panic, and every block span and suspect index valid.
pub fn check_dump(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = goleash::dump::parse(&text);
    let _ = goleash::dump::extract_bare_dump(&text);
    let _ = goleash::dump::looks_like_dump(&text);
    let ex = goleash::dump::extract(&text);
    for b in &ex.blocks {
        assert!(
            text.get(b.span.clone()).is_some(),
            "block span {:?} is not a slice of the text",
            b.span
        );
    }
    for s in &ex.suspects {
        assert!(
            s.block < ex.blocks.len(),
            "suspect of block {} of {}",
            s.block,
            ex.blocks.len()
        );
    }
}

/// When both the fast reader and `serde_json` take a line, they must read the same fields.
pub fn fast_agrees_with_serde(line: &str, scratch: &mut String) {
    scratch.clear();
    let Some(f) = fastjson::parse(line, scratch) else {
        return;
    };
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(line) else {
        return;
    };
    let field =
        |span: &Option<fastjson::Span>| fastjson::text(span, line, scratch).map(str::to_string);
    for (name, got) in [
        ("Action", field(&f.action)),
        ("Package", field(&f.package)),
        ("Test", field(&f.test)),
        ("Output", field(&f.output)),
        ("OutputType", field(&f.output_type)),
        ("FailedBuild", field(&f.failed_build)),
        ("ImportPath", field(&f.import_path)),
        ("Key", field(&f.key)),
        ("Value", field(&f.value)),
    ] {
        let want = map.get(name).and_then(|v| v.as_str()).map(str::to_string);
        assert_eq!(
            got, want,
            "fastjson and serde_json disagree on {name} in {line:?}"
        );
    }
    // serde_json's default float parsing may round a long mantissa one unit in the last place away
    // from the correctly rounded value the standard library gives: both are the same number of seconds.
    let want = map.get("Elapsed").and_then(|v| v.as_f64());
    let close = match (f.elapsed, want) {
        (Some(a), Some(b)) => a == b || (a - b).abs() <= a.abs().max(b.abs()) * 1e-15,
        (a, b) => a == b,
    };
    assert!(
        close,
        "fastjson and serde_json disagree on Elapsed in {line:?}: {:?} vs {want:?}",
        f.elapsed
    );
}
