//! Hostile and broken input, and output safety: the catalogue of issue 9.
//!
//! Every case runs the real binary on a damaged input and checks, exactly: the exit status (0 or 1 per
//! policy, never a panic and never 2 for bad *content*), a JUnit file that `xmllint` accepts against
//! Jenkins' schema, every test that finished before the damage with its result, and one warning per bad
//! line naming the input and the line (`goleash: warning: INPUT:LINE: message` on stderr, the same in the
//! JSON report's `warnings`). Then: reports are written atomically, unwritable paths are exit 2 with the
//! path named, a closed stdout ends quietly, an idle pipe is read to its end. Last, every input a fuzz
//! target ever crashed on (`fuzz/regressions/`) and every fixture stream is replayed through the fuzz
//! oracle (`fuzz/oracle.rs`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::common::{assert_schema_valid, junitparser_totals, repo, stream, Goleash, BIN};
use crate::oracle;

/// What one run of the binary on one damaged input produced.
struct Outcome {
    status: i32,
    stdout: String,
    stderr: String,
    junit: String,
    json: Value,
    dir: tempfile::TempDir,
}

impl Outcome {
    /// The JSON report's warnings as `INPUT:LINE: message`.
    fn warnings(&self) -> Vec<String> {
        self.json["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                format!(
                    "{}:{}: {}",
                    w["input"].as_str().unwrap(),
                    w["line"],
                    w["message"].as_str().unwrap()
                )
            })
            .collect()
    }

    /// The warnings printed on stderr, without the `goleash: warning: ` prefix.
    fn stderr_warnings(&self) -> Vec<String> {
        self.stderr
            .lines()
            .filter_map(|l| l.strip_prefix("goleash: warning: "))
            .map(str::to_string)
            .collect()
    }

    /// Every test case of the JUnit file as `suite | name | outcome`, in file order.
    fn cases(&self) -> Vec<String> {
        junit_cases(&self.junit)
    }

    fn summary(&self) -> (u64, u64, u64, u64) {
        let s = &self.json["summary"];
        let n = |k: &str| s[k].as_u64().unwrap();
        (n("tests"), n("passed"), n("failed"), n("skipped"))
    }

    fn leak_ids(&self) -> Vec<String> {
        self.json["leaks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_string())
            .collect()
    }
}

/// The binary with no environment that changes what it prints.
fn goleash() -> Goleash {
    Goleash::new().env("NO_COLOR", "1")
}

/// Writes `bytes` as `name` in a fresh folder and runs goleash there on it (so warnings name `name`),
/// with `--junit junit.xml --json report.json` and `extra`. Fails on a panic, on an exit status other
/// than 0 or 1, on a JUnit file xmllint rejects, and when stderr and the JSON report disagree on the
/// warnings.
fn run_input(name: &str, bytes: &[u8], extra: &[&str]) -> Outcome {
    let run = goleash().in_temp();
    std::fs::write(run.temp().join(name), bytes).unwrap();
    let out = run
        .args(["--junit", "junit.xml", "--json", "report.json"])
        .args(extra)
        .arg(name)
        .run();
    let o = Outcome {
        status: out.status,
        junit: out.file("junit.xml").unwrap_or_default(),
        json: out.json_file("report.json").unwrap_or(Value::Null),
        stdout: out.stdout,
        stderr: out.stderr,
        dir: out.dir,
    };
    assert!(
        !o.stderr.contains("panicked"),
        "{name}: goleash panicked:\n{}",
        o.stderr
    );
    // Exit 2 only for the contract's "nothing recognised" (issue 13), never for bad content.
    assert!(
        o.status == 0
            || o.status == 1
            || (o.status == 2 && o.stderr.contains("is go test output or a goroutine dump")),
        "{name}: exit {}:\n{}",
        o.status,
        o.stderr
    );
    assert_schema_valid(&o.dir.path().join("junit.xml"));
    let mut shown = o.warnings();
    let dropped = o.json["warnings_dropped"].as_u64().unwrap();
    if dropped > 0 {
        shown.push(format!("{dropped} more input problems not shown"));
    }
    assert_eq!(
        o.stderr_warnings(),
        shown,
        "{name}: stderr and the JSON report list the same warnings"
    );
    o
}

/// Runs goleash on a fixture file as it is (the reference for damaged copies of it).
fn run_fixture(rel: &str, extra: &[&str]) -> Outcome {
    run_input(
        Path::new(rel).file_name().unwrap().to_str().unwrap(),
        &std::fs::read(stream(rel)).unwrap(),
        extra,
    )
}

/// `suite | name | outcome` for every test case of a JUnit document (outcome: `pass`, `skipped`, or
/// `failure:TYPE` / `error:TYPE` with the message).
fn junit_cases(xml: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut suite = String::new();
    let mut case: Option<String> = None;
    let attr = crate::common::xml_attr;
    loop {
        match r.read_event().unwrap() {
            Event::Start(s) | Event::Empty(s) if s.name().as_ref() == b"testsuite" => {
                suite = attr(&s, b"name")
            }
            Event::Start(s) if s.name().as_ref() == b"testcase" => case = Some(attr(&s, b"name")),
            Event::Empty(s) if s.name().as_ref() == b"testcase" => {
                out.push(format!("{suite} | {} | pass", attr(&s, b"name")));
            }
            Event::Start(s) | Event::Empty(s) if s.name().as_ref() == b"skipped" => {
                out.push(format!("{suite} | {} | skipped", case.take().unwrap()));
            }
            Event::Start(s) | Event::Empty(s)
                if matches!(s.name().as_ref(), b"failure" | b"error") =>
            {
                let tag = String::from_utf8(s.name().as_ref().to_vec()).unwrap();
                out.push(format!(
                    "{suite} | {} | {tag}:{}: {}",
                    case.take().unwrap(),
                    attr(&s, b"type"),
                    attr(&s, b"message")
                ));
            }
            Event::End(e) if e.name().as_ref() == b"testcase" => {
                if let Some(c) = case.take() {
                    out.push(format!("{suite} | {c} | pass"));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The lines of one package of the real go1.26 capture.
fn package_lines(package: &str) -> Vec<String> {
    let key = format!("\"Package\":\"{package}\"");
    std::fs::read_to_string(stream("go1.26/test.json"))
        .unwrap()
        .lines()
        .filter(|l| l.contains(&key))
        .map(|l| format!("{l}\n"))
        .collect()
}

const CLEAN: &str = "example.com/leaky/clean";
const RECEIVER: &str = "example.com/leaky/forgottenreceiver";

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The five passing tests of the clean package, as JUnit cases.
fn clean_cases() -> Vec<String> {
    [
        "TestSquares",
        "TestEmpty",
        "TestSub",
        "TestSub/one",
        "TestSub/two",
    ]
    .iter()
    .map(|t| format!("{CLEAN} | {t} | pass"))
    .collect()
}

/// A deterministic stream of pseudo-random bytes (xorshift), the same on every run.
fn garbage(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------
// The catalogue of bad inputs
// ---------------------------------------------------------------------------------------------------

#[test]
fn empty_input_is_an_empty_run_and_exit_2() {
    // Nothing recognised (issue 13): most often a `go test` that never ran.
    let o = run_input("empty.json", b"", &[]);
    assert_eq!(o.status, 2);
    assert_eq!(o.cases(), Vec::<String>::new());
    assert_eq!(o.summary(), (0, 0, 0, 0));
    assert_eq!(o.warnings(), Vec::<String>::new());
    assert_eq!(
        o.stdout,
        "\n0 packages, 0 tests: 0 passed, 0 failed, 0 skipped; 0 leaks (0 goroutines)\n"
    );
    assert_eq!(
        o.stderr,
        "goleash: error: nothing in empty.json is go test output or a goroutine dump\n"
    );
    assert_eq!(
        junitparser_totals(&o.dir.path().join("junit.xml")),
        (0, 0, 0, 0)
    );
}

#[test]
fn binary_garbage_warns_once_per_invalid_line_capped_then_counted() {
    let data = garbage(256 * 1024, 0x9e37_79b9_7f4a_7c15);
    let invalid: Vec<usize> = data
        .split_inclusive(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, l)| std::str::from_utf8(l).is_err())
        .map(|(i, _)| i + 1)
        .collect();
    assert!(
        invalid.len() > 200,
        "the garbage has more bad lines than the cap: {}",
        invalid.len()
    );
    let o = run_input("garbage.bin", &data, &[]);
    assert_eq!(o.status, 2, "nothing in it is go test output");
    assert_eq!(o.summary(), (0, 0, 0, 0));
    let want: Vec<String> = invalid[..200]
        .iter()
        .map(|l| format!("garbage.bin:{l}: invalid UTF-8 replaced with U+FFFD"))
        .collect();
    assert_eq!(o.warnings(), want);
    assert_eq!(o.json["warnings_dropped"], invalid.len() - 200);
    assert!(
        o.stderr.ends_with(&format!(
            "goleash: warning: {} more input problems not shown\n\
             goleash: error: nothing in garbage.bin is go test output or a goroutine dump\n",
            invalid.len() - 200
        )),
        "{}",
        o.stderr
    );
}

#[test]
fn invalid_utf8_is_repaired_and_named_and_the_tests_survive() {
    let lines = package_lines(CLEAN);
    let mut bytes: Vec<u8> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if i == 3 {
            // A byte that is not UTF-8 inside the Output string of `--- PASS: TestSquares (0.00s)`.
            let at = l.find("TestSquares (").unwrap();
            bytes.extend_from_slice(&l.as_bytes()[..at]);
            bytes.push(0xff);
            bytes.extend_from_slice(&l.as_bytes()[at..]);
        } else {
            bytes.extend_from_slice(l.as_bytes());
        }
        if i == 4 {
            bytes.extend_from_slice(b"\xff\xfe stray \xc3\x28\n");
        }
    }
    let o = run_input("utf8.json", &bytes, &[]);
    assert_eq!(o.status, 0);
    assert_eq!(o.cases(), clean_cases());
    assert_eq!(
        o.warnings(),
        strings(&[
            "utf8.json:4: invalid UTF-8 replaced with U+FFFD",
            "utf8.json:6: invalid UTF-8 replaced with U+FFFD"
        ])
    );
}

#[test]
fn invalid_utf8_in_a_failing_tests_text_output_reaches_junit_repaired() {
    let text = b"=== RUN   TestBytes\n    bytes_test.go:9: got \xff\xfe want ok\n--- FAIL: TestBytes (0.01s)\nFAIL\nFAIL\texample.com/bytes\t0.02s\n";
    let o = run_input("bytes.txt", text, &[]);
    assert_eq!(o.status, 1);
    assert_eq!(
        o.cases(),
        strings(&["example.com/bytes | TestBytes | failure:test: bytes_test.go:9: got \u{fffd}\u{fffd} want ok"])
    );
    assert_eq!(
        o.warnings(),
        strings(&["bytes.txt:2: invalid UTF-8 replaced with U+FFFD"])
    );
}

#[test]
fn nul_and_control_bytes_stay_visible_and_the_xml_valid() {
    // test2json escapes what a test prints (`\u0000`); raw NULs arrive on stray lines and in text.
    let json = concat!(
        "{\"Action\":\"start\",\"Package\":\"example.com/nul\"}\n",
        "{\"Action\":\"run\",\"Package\":\"example.com/nul\",\"Test\":\"TestNul\"}\n",
        "{\"Action\":\"output\",\"Package\":\"example.com/nul\",\"Test\":\"TestNul\",\"Output\":\"    nul_test.go:5: got \\u0000\\u001b[31m\\u0007 bell\\n\"}\n",
        "\u{0}\u{0}\u{0} raw NULs on a stray line \u{0}\n",
        "{\"Action\":\"fail\",\"Package\":\"example.com/nul\",\"Test\":\"TestNul\",\"Elapsed\":0.01}\n",
        "{\"Action\":\"run\",\"Package\":\"example.com/nul\",\"Test\":\"Test\\u0000Name\"}\n",
        "{\"Action\":\"pass\",\"Package\":\"example.com/nul\",\"Test\":\"Test\\u0000Name\",\"Elapsed\":0}\n",
        "{\"Action\":\"fail\",\"Package\":\"example.com/nul\",\"Elapsed\":0.02}\n",
    );
    let o = run_input("nul.json", json.as_bytes(), &[]);
    assert_eq!(o.status, 1);
    assert_eq!(
        o.cases(),
        strings(&[
            "example.com/nul | TestNul | failure:test: nul_test.go:5: got \\x00\\x1b[31m\\x07 bell",
            "example.com/nul | Test\\x00Name | pass",
        ])
    );
    assert!(
        o.junit
            .contains("nul_test.go:5: got \\x00\\x1b[31m\\x07 bell\n"),
        "{}",
        o.junit
    );
    assert_eq!(
        o.warnings(),
        Vec::<String>::new(),
        "NUL bytes are content, not damage"
    );

    let text = "=== RUN   TestNul\n    nul_test.go:5: raw \u{0} here\n--- FAIL: TestNul (0.00s)\nFAIL\nFAIL\texample.com/nul\t0.01s\n";
    let o = run_input("nul.txt", text.as_bytes(), &[]);
    assert_eq!(o.status, 1);
    assert_eq!(
        o.cases(),
        strings(&["example.com/nul | TestNul | failure:test: nul_test.go:5: raw \\x00 here"])
    );
}

#[test]
fn crlf_line_endings_read_exactly_like_lf() {
    // Undone by the readers (`logform`): every line ends in CR LF.
    let root = crate::common::module();
    let root = root.to_str().unwrap();
    for rel in ["go1.26/test.json", "go1.26/test-v.txt", "go1.26/test.txt"] {
        let lf = run_fixture(rel, &["--root", root]);
        let crlf_bytes = std::fs::read_to_string(stream(rel))
            .unwrap()
            .replace('\n', "\r\n");
        let name = Path::new(rel).file_name().unwrap().to_str().unwrap();
        let mut crlf = run_input(name, crlf_bytes.as_bytes(), &["--root", root]);
        assert_eq!(crlf.status, lf.status, "{rel}");
        // The one difference: a warning that says which log form was undone.
        let warnings = std::mem::take(&mut crlf.json["warnings"]);
        assert_eq!(
            warnings,
            serde_json::json!([{"input": name, "line": 1, "message": "read as a CI log: CRLF line ends undone"}]),
            "{rel}"
        );
        crlf.json["warnings"] = serde_json::json!([]);
        assert_eq!(crlf.json, lf.json, "{rel}: the same JSON report");
        // XML readers turn CR LF into LF (XML 1.0, 2.11): what they read is the same.
        assert_eq!(
            crlf.junit.replace("\r\n", "\n"),
            lf.junit,
            "{rel}: the same JUnit"
        );
        assert_eq!(crlf.stdout, lf.stdout, "{rel}: the same terminal report");
    }
}

#[test]
fn a_json_line_cut_at_eof_is_named_and_the_package_keeps_its_printed_verdict() {
    let lines = package_lines(CLEAN);
    let last = lines.last().unwrap();
    let mut data = lines[..lines.len() - 1].concat();
    data.push_str(&last[..50]);
    let o = run_input("cut.json", data.as_bytes(), &[]);
    // The cut line is the package's `pass` event; the `ok  \tpkg` line before it is the package's own
    // verdict (issue 13: the output's verdict wins), so nothing failed.
    assert_eq!(o.status, 0, "the package printed ok");
    assert_eq!(o.cases(), clean_cases());
    assert_eq!(o.summary(), (5, 5, 0, 0));
    assert_eq!(
        o.warnings(),
        strings(&["cut.json:24: not a valid go test -json event (EOF while parsing a value at line 1 column 50); kept as plain output"])
    );
}

#[test]
fn a_stream_cut_inside_a_test_keeps_every_finished_test() {
    let lines = package_lines(CLEAN);
    // Killed after `=== RUN   TestSub/one`: two tests passed, two never ended.
    let o = run_input("killed.json", lines[..13].concat().as_bytes(), &[]);
    assert_eq!(o.status, 1);
    assert_eq!(
        o.cases(),
        strings(&[
            "example.com/leaky/clean | TestSquares | pass",
            "example.com/leaky/clean | TestEmpty | pass",
            "example.com/leaky/clean | TestSub | error:incomplete: test started but never ended: the test binary exited or crashed",
            "example.com/leaky/clean | TestSub/one | error:incomplete: test started but never ended: the test binary exited or crashed",
        ])
    );
    assert_eq!(o.warnings(), Vec::<String>::new());
}

#[test]
fn a_whole_run_cut_anywhere_keeps_the_packages_that_ended_before_the_cut() {
    let root = crate::common::module();
    let root = root.to_str().unwrap();
    let full = run_fixture("go1.26/test.json", &["--root", root]);
    let data = std::fs::read_to_string(stream("go1.26/test.json")).unwrap();
    let lines: Vec<&str> = data.split_inclusive('\n').collect();
    let package_of = |l: &str| -> Option<String> {
        let v: Value = serde_json::from_str(l).ok()?;
        v["Package"].as_str().map(str::to_string)
    };
    for cut in [lines.len() / 5, lines.len() / 2, lines.len() * 4 / 5] {
        // Cut in the middle of a line, as a killed writer leaves it.
        let mut input = lines[..cut].concat();
        input.push_str(&lines[cut][..lines[cut].len() / 2]);
        let o = run_input("part.json", input.as_bytes(), &["--root", root]);
        assert_eq!(o.status, 1);
        // Packages whose last event came before the cut.
        let ended: Vec<String> = full.json["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .filter(|name| {
                let last = lines
                    .iter()
                    .rposition(|l| package_of(l).as_deref() == Some(name.as_str()))
                    .unwrap();
                last < cut
            })
            .collect();
        assert!(ended.len() >= 3, "cut {cut}: {ended:?}");
        let keep = |v: &Value, key: &str| -> Vec<Value> {
            v[key]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| {
                    let name = e["package"].as_str().or(e["name"].as_str());
                    ended.iter().any(|n| Some(n.as_str()) == name)
                })
                .cloned()
                .collect()
        };
        assert_eq!(
            keep(&o.json, "packages"),
            keep(&full.json, "packages"),
            "cut {cut}"
        );
        assert_eq!(
            keep(&o.json, "failures"),
            keep(&full.json, "failures"),
            "cut {cut}"
        );
        let full_cases: Vec<String> = full
            .cases()
            .into_iter()
            .filter(|c| ended.iter().any(|n| c.starts_with(&format!("{n} | "))))
            .collect();
        let cut_cases: Vec<String> = o
            .cases()
            .into_iter()
            .filter(|c| ended.iter().any(|n| c.starts_with(&format!("{n} | "))))
            .collect();
        assert_eq!(cut_cases, full_cases, "cut {cut}");
        let w = o.warnings();
        assert_eq!(w.len(), 1, "cut {cut}: only the cut line is bad: {w:?}");
        let prefix = format!(
            "part.json:{}: not a valid go test -json event (EOF while parsing ",
            cut + 1
        );
        assert!(w[0].starts_with(&prefix), "cut {cut}: {w:?}");
    }
}

#[test]
fn a_100_mb_line_is_read_and_capped() {
    // A 100 MB stray line between the events of a JSON stream.
    let big = "x".repeat(100 << 20);
    let mut lines = package_lines(CLEAN);
    lines.insert(4, format!("{big}\n"));
    let o = run_input("big.json", lines.concat().as_bytes(), &[]);
    assert_eq!(o.status, 0);
    assert_eq!(o.cases(), clean_cases());
    assert_eq!(o.warnings(), Vec::<String>::new());
    drop(lines);

    // A 100 MB `t.Error` line: the message is cut to 4 KiB, the body keeps its head and tail.
    let text = format!(
        "=== RUN   TestBig\n    big_test.go:3: {big}\n--- FAIL: TestBig (0.01s)\n=== RUN   TestSmall\n--- PASS: TestSmall (0.00s)\nFAIL\nFAIL\texample.com/big\t0.1s\n"
    );
    drop(big);
    let o = run_input("big.txt", text.as_bytes(), &[]);
    drop(text);
    assert_eq!(o.status, 1);
    let message = format!(
        "big_test.go:3: {}…",
        "x".repeat(goleash::model::MESSAGE_CAP - "big_test.go:3: ".len())
    );
    assert_eq!(
        o.cases(),
        vec![
            format!("example.com/big | TestBig | failure:test: {message}"),
            "example.com/big | TestSmall | pass".to_string(),
        ]
    );
    assert_eq!(o.json["failures"][0]["message"], message.as_str());
    let size = std::fs::metadata(o.dir.path().join("junit.xml"))
        .unwrap()
        .len();
    assert!(size < 200 * 1024, "the JUnit body is capped: {size} bytes");
    assert!(o
        .junit
        .contains("bytes of output cut here; the full output is in the go test log]"));
}

#[test]
fn a_12_mb_test_name_and_attribute_are_cut_to_fit_xml_readers() {
    // libxml2 refuses attribute values over 10 MB; goleash cuts them at 64 KiB.
    let name = "n".repeat(12 << 20);
    let json = format!(
        "{{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"{name}\"}}\n\
         {{\"Action\":\"attr\",\"Package\":\"p\",\"Test\":\"{name}\",\"Key\":\"k\",\"Value\":\"{name}\"}}\n\
         {{\"Action\":\"pass\",\"Package\":\"p\",\"Test\":\"{name}\",\"Elapsed\":0}}\n\
         {{\"Action\":\"pass\",\"Package\":\"p\",\"Elapsed\":0}}\n"
    );
    let o = run_input("long.json", json.as_bytes(), &[]);
    assert_eq!(o.status, 0);
    let cut = format!("{}…", "n".repeat(goleash::report::junit::ATTR_CAP));
    assert_eq!(o.cases(), vec![format!("p | {cut} | pass")]);
    assert!(o.junit.len() < 300 * 1024, "{} bytes", o.junit.len());
}

#[test]
fn events_with_wrong_types_missing_fields_and_unknown_actions() {
    let json = r#"{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestA","Elapsed":"0.5"}
{"Action":7,"Package":"p","Test":"TestB"}
{"Action":"run","Package":["p"],"Test":"TestB"}
{"Action":"run","Package":"p","Test":"TestC"}
{"Action":"output","Package":"p","Test":"TestC","Output":42}
{"Action":"output","Package":"p","Test":"TestC","Output":"    c_test.go:4: boom\n","OutputType":false}
{"Action":"fail","Package":"p","Test":"TestC","Elapsed":-1}
{"Package":"p","Test":"TestD"}
{"Action":"run","Test":"TestE"}
{"Action":"frobnicate","Package":"p","Test":"TestC"}
{"Action":"run","Package":"p","Test":"TestF","Elapsed":1e999}
{"Action":"pass","Package":"p","Test":"TestF","Elapsed":NaN}
{"Action":"pass","Package":"p","Test":"TestF","Elapsed":0.25}
{"Action":"attr","Package":"p","Test":"TestF","Key":"k","Value":{"v":1}}
{"Action":"pass","Package":"p","Elapsed":0.1}
"#;
    let o = run_input("types.json", json.as_bytes(), &[]);
    assert_eq!(o.status, 1, "TestC failed");
    assert_eq!(
        o.cases(),
        strings(&[
            "p | TestA | pass",
            "p | TestC | failure:test: c_test.go:4: boom",
            "p | TestF | pass"
        ])
    );
    assert_eq!(
        o.warnings(),
        strings(&[
            r#"types.json:3: event fields with the wrong type ignored: "Elapsed" (a string)"#,
            "types.json:4: not a valid go test -json event (invalid type: integer `7`, expected a string at line 1 column 11); kept as plain output",
            "types.json:5: not a valid go test -json event (invalid type: sequence, expected a string at line 1 column 26); kept as plain output",
            "types.json:7: not a valid go test -json event (invalid type: integer `42`, expected a string at line 1 column 59); kept as plain output",
            r#"types.json:8: event fields with the wrong type ignored: "OutputType" (a boolean)"#,
            "types.json:10: event without an Action; kept as plain output",
            r#"types.json:11: "run" event without a Package ignored"#,
            r#"types.json:12: unknown action "frobnicate": ignored"#,
            "types.json:14: not a valid go test -json event (expected value at line 1 column 57); kept as plain output",
            r#"types.json:16: event fields with the wrong type ignored: "Value" (an object)"#,
        ])
    );
}

#[test]
fn unknown_actions_are_named_five_times_then_counted() {
    let mut json = String::from("{\"Action\":\"start\",\"Package\":\"p\"}\n");
    for i in 0..12 {
        json.push_str(&format!("{{\"Action\":\"future{i}\",\"Package\":\"p\"}}\n"));
    }
    json.push_str("{\"Action\":\"skip\",\"Package\":\"p\",\"Elapsed\":0}\n");
    let o = run_input("future.json", json.as_bytes(), &[]);
    assert_eq!(o.status, 0);
    let mut want: Vec<String> = (0..5)
        .map(|i| {
            format!(
                "future.json:{}: unknown action \"future{i}\": ignored",
                i + 2
            )
        })
        .collect();
    want.push(
        "future.json:13: 7 more events with an unknown action (the last one on this line): their output kept, the rest ignored"
            .to_string(),
    );
    assert_eq!(o.warnings(), want);
}

#[test]
fn an_unknown_action_keeps_its_output_and_is_warned_about() {
    // A test2json that knows `T.Retry` (proposed upstream): the event is not understood, its output is
    // the test's output all the same, and the counts do not change.
    let json = r#"{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestR"}
{"Action":"output","Package":"p","Test":"TestR","Output":"=== RUN   TestR\n"}
{"Action":"retry","Package":"p","Test":"TestR","Output":"    r_test.go:9: flaky: retrying\n"}
{"Action":"retry","Package":"p","Test":"TestR"}
{"Action":"output","Package":"p","Test":"TestR","Output":"    r_test.go:12: boom\n"}
{"Action":"fail","Package":"p","Test":"TestR","Elapsed":0.1}
{"Action":"fail","Package":"p","Elapsed":0.2}
"#;
    let o = run_input("retry.json", json.as_bytes(), &[]);
    assert_eq!(o.status, 1);
    assert_eq!(o.summary(), (1, 0, 1, 0));
    assert_eq!(
        o.warnings(),
        strings(&[
            r#"retry.json:4: unknown action "retry": its output kept"#,
            r#"retry.json:5: unknown action "retry": ignored"#,
        ])
    );
    assert_eq!(
        o.cases(),
        strings(&["p | TestR | failure:test: r_test.go:9: flaky: retrying"])
    );
    assert!(
        o.junit.contains("r_test.go:9: flaky: retrying"),
        "{}",
        o.junit
    );
    assert!(o.junit.contains("r_test.go:12: boom"));
}

#[test]
fn out_of_order_and_duplicated_events_never_undo_a_failure() {
    let json = r#"{"Action":"pass","Package":"p","Test":"TestEndFirst","Elapsed":0.1}
{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:3: boom\n"}
{"Action":"fail","Package":"p","Test":"TestA","Elapsed":0.2}
{"Action":"pass","Package":"p","Test":"TestA","Elapsed":0.2}
{"Action":"skip","Package":"p","Test":"TestA","Elapsed":0.2}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"pass","Package":"p","Test":"TestB","Elapsed":0.3}
{"Action":"pass","Package":"p","Test":"TestB","Elapsed":0.3}
{"Action":"start","Package":"p"}
{"Action":"output","Package":"p","Test":"TestZ/sub","Output":"orphan line\n"}
{"Action":"fail","Package":"p","Elapsed":0.5}
{"Action":"pass","Package":"p","Test":"TestLate","Elapsed":0.1}
{"Action":"pass","Package":"p","Elapsed":0.5}
"#;
    let o = run_input("order.json", json.as_bytes(), &[]);
    assert_eq!(o.status, 1);
    assert_eq!(
        o.cases(),
        strings(&[
            "p | TestEndFirst | pass",
            "p | TestA | failure:test: a_test.go:3: boom",
            "p | TestB | pass",
            "p | TestZ/sub | error:incomplete: test started but never ended: the test binary exited or crashed",
            // Events after the package's end: the package runs again (as another shard would).
            "p | TestLate | pass",
        ])
    );
    assert_eq!(o.summary(), (5, 3, 2, 0));
    assert_eq!(o.warnings(), Vec::<String>::new());
}

#[test]
fn a_goleak_block_without_its_closing_bracket_is_the_same_leak() {
    let root = crate::common::module();
    let root = root.to_str().unwrap();
    let lines = package_lines(RECEIVER);
    let whole = run_input("whole.json", lines.concat().as_bytes(), &["--root", root]);
    let unclosed: String = lines
        .iter()
        .filter(|l| !l.contains(r#""Output":"        ]\n""#))
        .cloned()
        .collect();
    assert_eq!(unclosed.lines().count(), lines.len() - 1);
    let o = run_input("unclosed.json", unclosed.as_bytes(), &["--root", root]);
    assert_eq!(o.status, 1);
    assert_eq!(o.leak_ids(), strings(&["11300904db41"]));
    assert_eq!(o.json["leaks"], whole.json["leaks"]);
    assert_eq!(o.cases(), whole.cases());
    assert_eq!(o.warnings(), Vec::<String>::new());

    // Cut right after the `created by` function line: still the same goroutine and group.
    let cut: Vec<String> = lines
        .iter()
        .filter(|l| !l.contains(r#""Output":"        ]\n""#) && !l.contains("notify.go:17 +0xc8"))
        .cloned()
        .collect();
    let o = run_input("cut.json", cut.concat().as_bytes(), &["--root", root]);
    assert_eq!(o.leak_ids(), strings(&["11300904db41"]));
}

#[test]
fn a_dump_with_unparseable_frames_keeps_the_rest_of_the_dump() {
    let root = crate::common::module();
    let root = root.to_str().unwrap();
    let intact = run_fixture("dumps/goroutine-debug2.txt", &["--root", root]);
    assert_eq!(intact.leak_ids().len(), 5);
    let text = std::fs::read_to_string(stream("dumps/goroutine-debug2.txt")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    // Goroutine 18 (`main.sender`) loses both lines of its only frame.
    assert_eq!(lines[10], "goroutine 18 [chan send]:");
    lines[11] = "main.sender((((garbage";
    lines[12] = "\tnot a file line at all";
    let damaged = lines.join("\n") + "\n";
    let o = run_input("damaged.txt", damaged.as_bytes(), &["--root", root]);
    assert_eq!(o.status, 1, "the intact leaks fail the run");
    let want: Vec<String> = intact
        .leak_ids()
        .into_iter()
        .filter(|id| id != "367ecda59a60")
        .collect();
    assert_eq!(
        o.leak_ids(),
        want,
        "every goroutine whose frames parse is still reported"
    );
    assert_eq!(o.summary(), (0, 0, 0, 0));

    // Inside a failing test, a goleak block with garbage frames: the failure and its message remain.
    let lines = package_lines(RECEIVER);
    let garbled: String = lines
        .iter()
        .map(|l| {
            l.replace("OnReady.func1()\\n", "OnReady.func1(((\\n")
                .replace(
                    "\\t/work/main/fixtures/go/forgottenreceiver/notify.go:18 +0x45",
                    "\\t:::notafile +0xZZ",
                )
        })
        .collect();
    let o = run_input("garbled.json", garbled.as_bytes(), &["--root", root]);
    assert_eq!(o.status, 1);
    assert_eq!(
        o.cases(),
        strings(&[
            "example.com/leaky/forgottenreceiver | TestOnReadyNeverReady | failure:test: notify_test.go:14: found unexpected goroutines:"
        ])
    );
}

#[test]
fn two_packages_interleaved_line_by_line() {
    let root = crate::common::module();
    let root = root.to_str().unwrap();
    // JSON: every event names its package, so interleaving changes nothing.
    let (a, b) = (package_lines(CLEAN), package_lines(RECEIVER));
    let mut mixed = String::new();
    for i in 0..a.len().max(b.len()) {
        for side in [&a, &b] {
            if let Some(l) = side.get(i) {
                mixed.push_str(l);
            }
        }
    }
    let o = run_input("mixed.json", mixed.as_bytes(), &["--root", root]);
    let apart = run_input(
        "apart.json",
        (a.concat() + &b.concat()).as_bytes(),
        &["--root", root],
    );
    assert_eq!(o.status, 1);
    assert_eq!(o.json["packages"], apart.json["packages"]);
    assert_eq!(o.json["failures"], apart.json["failures"]);
    assert_eq!(o.json["leaks"], apart.json["leaks"]);
    assert_eq!(o.summary(), (6, 5, 1, 0));

    // Text names the package only on its closing line: interleaved text cannot be told apart, but no
    // test is lost and each keeps its result.
    let v = std::fs::read_to_string(stream("go1.26/test-v.txt")).unwrap();
    let v: Vec<&str> = v.split_inclusive('\n').collect();
    let (a, b) = (&v[3..15], &v[29..40]);
    assert!(
        a[11].starts_with("ok  \texample.com/leaky/clean")
            && b[10].starts_with("FAIL\texample.com/leaky/forgottenreceiver")
    );
    let mut mixed = String::new();
    for i in 0..a.len().max(b.len()) {
        for side in [a, b] {
            if let Some(l) = side.get(i) {
                mixed.push_str(l);
            }
        }
    }
    let o = run_input("mixed.txt", mixed.as_bytes(), &["--root", root]);
    assert_eq!(o.status, 1);
    let mut results: Vec<String> = o
        .cases()
        .iter()
        .map(|c| c.split(" | ").skip(1).collect::<Vec<_>>().join(" | "))
        .map(|c| c.split(':').next().unwrap().to_string())
        .collect();
    results.sort();
    assert_eq!(
        results,
        strings(&[
            "TestEmpty | pass",
            "TestOnReadyNeverReady | failure",
            "TestSquares | pass",
            "TestSub | pass",
            "TestSub/one | pass",
            "TestSub/two | pass",
        ])
    );
    assert_eq!(o.summary(), (6, 5, 1, 0));
}

#[test]
fn a_timeout_report_in_a_package_that_did_not_build_is_not_a_second_failure() {
    // Found by the text fuzz target: the build failure and a timeout line in the package's output gave two
    // package-level failures but one counted test case, so JUnit and the JSON report disagreed.
    let text = "# example.com/b [example.com/b.test]\nb/x_test.go:3:1: undefined: y\n=== CONT  TestX\nPASS\npanic: test timed out after 20s\nFAIL\texample.com/b [build failed]\n";
    let o = run_input("bt.txt", text.as_bytes(), &[]);
    assert_eq!(o.status, 1);
    assert_eq!(
        o.cases(),
        strings(&[
            "example.com/b | [build failed] | error:build: b/x_test.go:3:1: undefined: y",
            "example.com/b | TestX | error:incomplete: test started but never ended: the test binary exited or crashed",
        ])
    );
    assert_eq!(o.summary(), (2, 0, 2, 0));
    assert_eq!(o.json["failures"].as_array().unwrap().len(), 2);
    assert_eq!(
        junitparser_totals(&o.dir.path().join("junit.xml")),
        (2, 0, 2, 0)
    );
}

#[test]
fn bad_lines_are_warned_up_to_the_cap_then_counted() {
    let mut json = String::from("{\"Action\":\"start\",\"Package\":\"p\"}\n");
    for i in 0..300 {
        json.push_str(&format!(
            "{{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"x{i}\n"
        ));
    }
    json.push_str("{\"Action\":\"pass\",\"Package\":\"p\",\"Elapsed\":0}\n");
    let o = run_input("many.json", json.as_bytes(), &[]);
    assert_eq!(o.status, 0);
    assert_eq!(o.warnings().len(), 200);
    assert_eq!(
        o.warnings()[199],
        "many.json:201: not a valid go test -json event (EOF while parsing a string at line 1 column 47); kept as plain output"
    );
    assert_eq!(o.json["warnings_dropped"], 100);
    assert!(o
        .stderr
        .ends_with("goleash: warning: 100 more input problems not shown\n"));
}

// ---------------------------------------------------------------------------------------------------
// Output safety
// ---------------------------------------------------------------------------------------------------

/// The names in a folder, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_failed_run_leaves_earlier_reports_whole_and_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for f in ["junit.xml", "report.json", "out.sarif", "baseline.txt"] {
        std::fs::write(d.join(f), "earlier\n").unwrap();
    }
    std::fs::create_dir(d.join("not-a-file")).unwrap();
    // The second input is a folder: reading fails after the first input was read.
    let out = goleash()
        .current_dir(d)
        .args([
            "--junit",
            "junit.xml",
            "--json",
            "report.json",
            "--sarif",
            "out.sarif",
        ])
        .args(["--write-baseline", "baseline.txt"])
        .arg(stream("go1.26/test.json"))
        .arg("not-a-file")
        .run();
    assert_eq!(out.status, 2);
    assert_eq!(
        out.stderr,
        "goleash: not-a-file: Is a directory (os error 21)\n"
    );
    for f in ["junit.xml", "report.json", "out.sarif", "baseline.txt"] {
        assert_eq!(
            std::fs::read_to_string(d.join(f)).unwrap(),
            "earlier\n",
            "{f} untouched"
        );
    }
    assert_eq!(
        listing(d),
        strings(&[
            "baseline.txt",
            "junit.xml",
            "not-a-file",
            "out.sarif",
            "report.json"
        ])
    );
}

#[test]
fn an_output_path_that_cannot_be_written_is_exit_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a-file"), "").unwrap();
    std::fs::create_dir(d.join("a-dir")).unwrap();
    let input = stream("go1.26/test.json");
    for flag in [
        "--junit",
        "--json",
        "--sarif",
        "--write-baseline",
        "--fix-diff",
        "--summary",
    ] {
        // Under a file: checked before anything is read.
        let out = goleash()
            .current_dir(d)
            .args([flag, "a-file/out"])
            .arg(&input)
            .run();
        assert_eq!(out.status, 2, "{flag}");
        assert_eq!(out.stdout, "", "{flag}: nothing read");
        assert_eq!(
            out.stderr, "goleash: a-file/out: Not a directory (os error 20)\n",
            "{flag}"
        );
    }
    for flag in ["--junit", "--json", "--sarif", "--write-baseline"] {
        // A folder where the file should go: found when the file is put in place.
        let out = goleash()
            .current_dir(d)
            .args([flag, "a-dir"])
            .arg(&input)
            .run();
        assert_eq!(out.status, 2, "{flag}");
        assert_eq!(
            out.stderr, "goleash: a-dir: Is a directory (os error 21)\n",
            "{flag}"
        );
        assert_eq!(
            listing(&d.join("a-dir")),
            Vec::<String>::new(),
            "{flag}: nothing left inside"
        );
    }
    assert_eq!(
        listing(d),
        strings(&["a-dir", "a-file"]),
        "no temporary files left behind"
    );
}

/// Runs goleash with its stdout closed before it writes anything; returns (status, stderr) and the
/// folder with the reports it still wrote.
fn run_with_closed_stdout(args: &[&str]) -> (i32, String, tempfile::TempDir) {
    let mut run = goleash().in_temp().args(["--junit", "junit.xml"]);
    if !args.contains(&"--json") {
        run = run.args(["--json", "report.json"]);
    }
    let (mut cmd, dir) = run.command();
    let mut child = cmd
        .arg("--root")
        .arg(crate::common::module())
        .args(args)
        .arg(stream("go1.26/test.json"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap().code().unwrap_or(-1);
    (status, err, dir)
}

#[test]
fn a_closed_stdout_ends_quietly_and_the_reports_are_still_written() {
    let reference = run_fixture(
        "go1.26/test.json",
        &["--root", crate::common::module().to_str().unwrap()],
    );
    for args in [&[][..], &["--quiet"][..]] {
        let (status, err, dir) = run_with_closed_stdout(args);
        assert_eq!(status, 1, "{args:?}: the run's own status");
        assert_eq!(err, "", "{args:?}: no panic, no broken pipe message");
        let junit = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
        assert_eq!(junit_cases(&junit), reference.cases(), "{args:?}");
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
                .unwrap();
        assert_eq!(json, reference.json, "{args:?}");
    }
}

#[test]
fn head_dash_1_in_a_shell_pipeline() {
    let input = stream("go1.26/test.json");
    let script = format!(
        "'{}' --color never '{}' | head -1; echo \"status ${{PIPESTATUS[0]}}\"",
        BIN,
        input.display()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "BUILD FAIL example.com/leaky/buildfail  build failed  0.00s\nstatus 1\n"
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn annotations_to_a_closed_stdout_end_quietly() {
    let (status, err, _dir) = run_with_closed_stdout(&["--github", "always"]);
    assert_eq!(err, "");
    assert_eq!(status, 1);
}

#[test]
fn json_to_a_closed_stdout_ends_quietly() {
    let (status, err, _dir) = run_with_closed_stdout(&["--json", "-"]);
    assert_eq!(err, "");
    assert_eq!(status, 1);
}

#[test]
fn an_idle_pipe_is_read_to_its_end_and_the_reports_written_when_it_closes() {
    let root = crate::common::module();
    let reference = run_fixture("go1.26/test.json", &["--root", root.to_str().unwrap()]);
    let (mut cmd, dir) = goleash()
        .in_temp()
        .args([
            "--junit",
            "junit.xml",
            "--json",
            "report.json",
            "--color",
            "never",
            "--root",
        ])
        .arg(&root)
        .command();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let data = std::fs::read(stream("go1.26/test.json")).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&data).unwrap();
    stdin.flush().unwrap();
    // Everything is written but the pipe stays open: nothing may be put in place yet.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        child.try_wait().unwrap(),
        None,
        "still waiting for the end of the input"
    );
    // (A temporary file of goleash's own may be there; the reports are not.)
    let early: Vec<String> = listing(dir.path())
        .into_iter()
        .filter(|f| !f.starts_with(".goleash-"))
        .collect();
    assert_eq!(
        early,
        Vec::<String>::new(),
        "no report before the input ends"
    );
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(listing(dir.path()), strings(&["junit.xml", "report.json"]));
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    assert_eq!(junit, reference.junit);
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(json, reference.json);
}

// ---------------------------------------------------------------------------------------------------
// Fuzz regressions and seeds, through the fuzz targets' own checks
// ---------------------------------------------------------------------------------------------------

/// The files in `fuzz/regressions/<target>/`.
fn regressions(target: &str) -> Vec<PathBuf> {
    let dir = repo().join("fuzz/regressions").join(target);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| {
            d.map(|e| e.unwrap().path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Every fixture stream (not compressed), at any depth under fixtures/streams (not the READMEs).
fn fixture_streams() -> Vec<PathBuf> {
    fn walk(dir: &Path, v: &mut Vec<PathBuf>) {
        for f in std::fs::read_dir(dir).unwrap() {
            let p = f.unwrap().path();
            if p.is_dir() {
                walk(&p, v);
            } else if p.extension().is_some_and(|e| e != "gz" && e != "md") {
                v.push(p);
            }
        }
    }
    let mut v = Vec::new();
    walk(&repo().join("fixtures/streams"), &mut v);
    v.sort();
    v
}

#[test]
fn fuzz_regressions_stay_fixed() {
    let mut n = 0;
    for (target, check) in [
        ("json", oracle::check_json as fn(&[u8])),
        ("text", oracle::check_text),
        ("read", oracle::check_read),
        ("dump", oracle::check_dump),
    ] {
        for p in regressions(target) {
            let data = std::fs::read(&p).unwrap();
            let r = std::panic::catch_unwind(|| check(&data));
            assert!(r.is_ok(), "{target}: {} fails again", p.display());
            n += 1;
        }
    }
    assert!(n >= 1, "the regression corpus is there");
}

#[test]
fn every_fixture_stream_passes_every_fuzz_check() {
    let streams = fixture_streams();
    assert!(streams.len() >= 13, "{streams:?}");
    for p in streams {
        let data = std::fs::read(&p).unwrap();
        oracle::check_json(&data);
        oracle::check_text(&data);
        oracle::check_read(&data);
        oracle::check_dump(&data);
    }
}
