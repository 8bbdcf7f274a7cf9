//! Property tests of the JUnit writer: whatever the package and test names and whatever the tests print
//! (any Unicode, control characters, markup, very long lines), the file goleash writes is valid against
//! Jenkins' junit-10.xsd (`xmllint --schema`), and holds one test case per test with its name and result.
//! Each generated case is one `go test -json` stream of one or more packages written through the real
//! pipeline and JUnit sink into one file, validated once.

use std::path::Path;

use proptest::prelude::*;
use quick_xml::events::Event as XmlEvent;
use serde_json::json;

use goleash::paths::Resolver;
use goleash::report::junit::JunitSink;
use goleash::{Pipeline, Sink};

use crate::oracle;

/// How a generated test ends.
#[derive(Debug, Clone, Copy, PartialEq)]
enum End {
    Pass,
    Fail,
    Skip,
    /// Started, never ended (the binary died).
    Never,
}

/// One generated test.
#[derive(Debug, Clone)]
struct GenTest {
    name: String,
    output: Vec<String>,
    end: End,
}

/// One generated package.
#[derive(Debug, Clone)]
struct GenPackage {
    name: String,
    tests: Vec<GenTest>,
}

/// Text with what XML and goleash find hard: markup, entities, quotes, controls, NUL, U+FFFE, CR,
/// framing look-alikes, goroutine-dump look-alikes, and any Unicode.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<".to_string()),
        Just(">".to_string()),
        Just("&".to_string()),
        Just("&amp;".to_string()),
        Just("]]>".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("\u{0}".to_string()),
        Just("\u{1b}[31m".to_string()),
        Just("\u{fffe}\u{ffff}".to_string()),
        Just("\r".to_string()),
        Just("\t".to_string()),
        Just(" ".to_string()),
        Just("--- FAIL: ".to_string()),
        Just("=== RUN   ".to_string()),
        Just("goroutine 7 [chan send]:".to_string()),
        Just("x_test.go:12: ".to_string()),
        Just("panic: ".to_string()),
        Just("\u{10ffff}\u{e000}\u{d7ff}".to_string()),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

fn end() -> impl Strategy<Value = End> {
    prop_oneof![
        Just(End::Pass),
        Just(End::Fail),
        Just(End::Skip),
        Just(End::Never)
    ]
}

fn package() -> impl Strategy<Value = GenPackage> {
    let test = (hostile(), prop::collection::vec(hostile(), 0..4), end())
        .prop_map(|(name, output, end)| GenTest { name, output, end });
    (hostile(), prop::collection::vec(test, 1..6)).prop_map(|(name, tests)| {
        // Names are made unique (a repeated name is the same test to go test); a package needs a name.
        let tests = tests
            .into_iter()
            .enumerate()
            .map(|(i, t)| GenTest {
                name: format!("{}#{i}", t.name),
                ..t
            })
            .collect();
        GenPackage {
            name: format!("p/{name}"),
            tests,
        }
    })
}

/// The `go test -json` stream of the packages, one after the other.
fn stream(packages: &[GenPackage]) -> String {
    let mut s = String::new();
    let mut line = |v: serde_json::Value| {
        s.push_str(&v.to_string());
        s.push('\n');
    };
    for p in packages {
        line(json!({"Action": "start", "Package": p.name}));
        for t in &p.tests {
            line(json!({"Action": "run", "Package": p.name, "Test": t.name}));
            for o in &t.output {
                line(
                    json!({"Action": "output", "Package": p.name, "Test": t.name, "Output": format!("{o}\n")}),
                );
            }
            let action = match t.end {
                End::Pass => "pass",
                End::Fail => "fail",
                End::Skip => "skip",
                End::Never => continue,
            };
            line(json!({"Action": action, "Package": p.name, "Test": t.name, "Elapsed": 0.5}));
        }
        let failed = p
            .tests
            .iter()
            .any(|t| matches!(t.end, End::Fail | End::Never));
        line(
            json!({"Action": if failed { "fail" } else { "pass" }, "Package": p.name, "Elapsed": 1.0}),
        );
    }
    s
}

/// An attribute value with tab, LF and CR as spaces: XML readers normalize attribute values so
/// (XML 1.0, 3.3.3), so that is all of them a JUnit consumer can rely on.
fn normalized(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

/// What a reader gets from the attribute goleash writes for `s`: control characters made visible
/// (`\xNN`), white space normalized.
fn attribute_as_read(s: &str) -> String {
    normalized(&goleash::text::xml_safe(s))
}

/// The test cases of a JUnit file: (suite, name, outcome element or "pass").
fn cases(xml: &str) -> Vec<(String, String, String)> {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut suite = String::new();
    let attr = crate::common::xml_attr;
    loop {
        match r.read_event().unwrap() {
            XmlEvent::Start(s) if s.name().as_ref() == b"testsuite" => suite = attr(&s, b"name"),
            XmlEvent::Start(s) | XmlEvent::Empty(s) if s.name().as_ref() == b"testcase" => {
                out.push((
                    normalized(&suite),
                    normalized(&attr(&s, b"name")),
                    "pass".to_string(),
                ));
            }
            XmlEvent::Start(s) | XmlEvent::Empty(s)
                if matches!(s.name().as_ref(), b"failure" | b"error" | b"skipped") =>
            {
                if let Some(last) = out.last_mut() {
                    last.2 = String::from_utf8(s.name().as_ref().to_vec()).unwrap();
                }
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    out
}

/// Writes the stream through the pipeline and the real JUnit sink; returns the file's text.
fn write_junit(dir: &Path, input: &str) -> String {
    let path = dir.join("junit.xml");
    let mut sink = JunitSink::create(&path, goleash::report::junit::Flavor::Jenkins).unwrap();
    {
        let sinks: Vec<&mut dyn Sink> = vec![&mut sink];
        let mut pipeline = Pipeline::new(Resolver::new(None), sinks);
        goleash::input::read(input.as_bytes(), &mut pipeline).unwrap();
        let (_, err) = pipeline.finish();
        assert!(err.is_none());
    }
    sink.finish().unwrap();
    std::fs::read_to_string(path).unwrap()
}

proptest! {
    // Each case runs xmllint once; 64 cases of up to 3 packages of up to 5 tests take a few seconds.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn junit_is_schema_valid_for_any_names_and_output(packages in prop::collection::vec(package(), 1..4)) {
        // Package names must differ: the same name twice is one package run twice.
        let mut packages = packages;
        for (i, p) in packages.iter_mut().enumerate() {
            p.name = format!("{}{i}", p.name);
        }
        let dir = tempfile::tempdir().unwrap();
        let xml = write_junit(dir.path(), &stream(&packages));
        crate::common::assert_schema_valid(&dir.path().join("junit.xml"));
        oracle::check_xml(xml.as_bytes());
        let mut want = Vec::new();
        for p in &packages {
            for t in &p.tests {
                // A test that printed a panic failed by panicking: an error, not a failure.
                let panicked = t
                    .output
                    .iter()
                    .flat_map(|o| o.split('\n'))
                    .any(|l| l.starts_with("panic: ") || l.starts_with("fatal error: "));
                let outcome = match t.end {
                    End::Pass => "pass",
                    End::Fail if panicked => "error",
                    End::Fail => "failure",
                    End::Skip => "skipped",
                    End::Never => "error",
                };
                want.push((attribute_as_read(&p.name), attribute_as_read(&t.name), outcome.to_string()));
            }
        }
        prop_assert_eq!(cases(&xml), want);
    }
}

/// The plain `go test -v` text of the packages: framing lines around hostile names and output.
fn text_stream(packages: &[GenPackage]) -> String {
    let mut s = String::new();
    for p in packages {
        let mut failed = false;
        for t in &p.tests {
            s.push_str(&format!("=== RUN   {}\n", t.name));
            for o in &t.output {
                s.push_str(&format!("    {o}\n"));
            }
            let word = match t.end {
                End::Pass => "PASS",
                End::Fail => "FAIL",
                End::Skip => "SKIP",
                End::Never => continue,
            };
            failed |= t.end == End::Fail;
            s.push_str(&format!("--- {word}: {} (0.50s)\n", t.name));
        }
        let ok = !failed && p.tests.iter().all(|t| t.end != End::Never);
        s.push_str(if ok { "PASS\n" } else { "FAIL\n" });
        s.push_str(&format!(
            "{}\t{}\t1.0s\n",
            if ok { "ok  " } else { "FAIL" },
            p.name.replace(['\t', '\n', '\r'], "_")
        ));
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    // Text has no escaping at all: hostile names and output may frame, close or split packages any way
    // they like. Whatever structure goleash reads into it, the file stays schema-valid and consistent.
    #[test]
    fn junit_from_hostile_text_is_schema_valid(packages in prop::collection::vec(package(), 1..4)) {
        let dir = tempfile::tempdir().unwrap();
        let xml = write_junit(dir.path(), &text_stream(&packages));
        crate::common::assert_schema_valid(&dir.path().join("junit.xml"));
        oracle::check_xml(xml.as_bytes());
    }
}

#[test]
fn attribute_normalization_is_what_xml_readers_do() {
    assert_eq!(attribute_as_read("a\tb\nc\rd\u{0}"), "a b c d\\x00");
    assert_eq!(normalized("x\r\ny"), "x  y");
}
