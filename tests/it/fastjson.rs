//! Differential test: the fast test2json reader agrees with serde_json on every line of every captured
//! JSON stream (fixtures and the std stream), and on crafted edge cases.

use std::io::Read;

use crate::common::*;
use goleash::input::fastjson;

fn check_line(line: &str) -> bool {
    let mut scratch = String::new();
    let Some(f) = fastjson::parse(line, &mut scratch) else {
        // Falling back is always allowed; it must only never be wrong.
        return false;
    };
    let v: serde_json::Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("fast path accepted invalid JSON {line:?}: {e}"));
    let field = |name: &str| v.get(name).and_then(|x| x.as_str());
    assert_eq!(
        fastjson::text(&f.action, line, &scratch),
        field("Action"),
        "{line}"
    );
    assert_eq!(
        fastjson::text(&f.package, line, &scratch),
        field("Package"),
        "{line}"
    );
    assert_eq!(
        fastjson::text(&f.test, line, &scratch),
        field("Test"),
        "{line}"
    );
    assert_eq!(
        fastjson::text(&f.output, line, &scratch),
        field("Output"),
        "{line}"
    );
    assert_eq!(
        fastjson::text(&f.output_type, line, &scratch),
        field("OutputType"),
        "{line}"
    );
    assert_eq!(
        fastjson::text(&f.import_path, line, &scratch),
        field("ImportPath"),
        "{line}"
    );
    assert_eq!(
        fastjson::text(&f.failed_build, line, &scratch),
        field("FailedBuild"),
        "{line}"
    );
    assert_eq!(
        f.elapsed,
        v.get("Elapsed").and_then(|x| x.as_f64()),
        "{line}"
    );
    true
}

#[test]
fn fast_reader_matches_serde_on_every_captured_line() {
    let mut texts = Vec::new();
    for rel in [
        "go1.24/test.json",
        "go1.25/test.json",
        "go1.26/test.json",
        "go1.26-shifted/test.json",
    ] {
        texts.push(std::fs::read_to_string(stream(rel)).unwrap());
    }
    let mut std_text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(stream("std/std-short.json.gz")).unwrap())
        .read_to_string(&mut std_text)
        .unwrap();
    texts.push(std_text);
    let (mut fast, mut total) = (0usize, 0usize);
    for t in &texts {
        for line in t.lines().filter(|l| l.starts_with('{')) {
            total += 1;
            if check_line(line) {
                fast += 1;
            }
        }
    }
    // Every real test2json line takes the fast path.
    assert_eq!(fast, total);
    assert!(total > 300_000, "{total}");
}

#[test]
fn fast_reader_matches_serde_on_edge_cases() {
    for line in [
        r#"{"Action":"output","Output":"\u0000\u001b[31m\ud83d\ude00 \\ \/ \b\f\r\t\n"}"#,
        r#"{"Action":"pass","Elapsed":1e-3}"#,
        r#"{"Action":"pass","Elapsed":-0.5,"Test":""}"#,
        r#" { "Action" : "run" , "Package" : "p" } "#,
        r#"{"Action":"attr","Key":"k","Value":"v\"w"}"#,
        r#"{}"#,
    ] {
        assert!(check_line(line), "{line}");
    }
}
