//! The real `go test -json -short std` stream captured on this machine: one testcase per test
//! pass/skip/fail event, no failure where there was none, and no leak extracted although passing tests
//! print panics and tracebacks on purpose.

use std::collections::HashMap;
use std::io::Read;

use crate::common::*;

#[test]
fn std_stream_is_faithful() {
    let gz = stream("std/std-short.json.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&gz).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    // Count what the stream itself says.
    let (mut pass, mut fail, mut skip) = (0u64, 0u64, 0u64);
    let mut pkg_fail = 0u64;
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let has_test = v.get("Test").and_then(|t| t.as_str()).is_some();
        match (v["Action"].as_str(), has_test) {
            (Some("pass"), true) => pass += 1,
            (Some("fail"), true) => fail += 1,
            (Some("skip"), true) => skip += 1,
            (Some("fail"), false) => pkg_fail += 1,
            _ => {}
        }
    }
    assert!(
        pass > 10_000,
        "the std stream looks truncated: {pass} passing tests"
    );
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("std.json");
    std::fs::write(&plain, &text).unwrap();
    let run = goleash(&[&plain], &[]);
    let xml_path = run.dir.path().join("junit.xml");
    assert_schema_valid(&xml_path);
    let (tests, failures, errors, skipped) = junitparser_totals(&xml_path);
    assert_eq!(
        tests,
        pass + fail + skip + package_level_cases(&run.json.clone().unwrap())
    );
    assert_eq!(skipped, skip);
    assert_eq!(
        failures + errors,
        fail + package_level_cases(&run.json.clone().unwrap())
    );
    let json = run.json.unwrap();
    assert_eq!(
        json["summary"]["leaks"], 0,
        "false leaks: {}",
        json["leaks"]
    );
    assert_eq!(json["summary"]["skipped"].as_u64().unwrap(), skip);
    // Failed packages are exactly those the stream says failed.
    let failed_pkgs: HashMap<String, ()> = json["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["result"] != "pass" && p["result"] != "skip")
        .map(|p| (p["name"].as_str().unwrap().to_string(), ()))
        .collect();
    assert_eq!(failed_pkgs.len() as u64, pkg_fail, "{failed_pkgs:?}");
}

fn package_level_cases(json: &serde_json::Value) -> u64 {
    json["failures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["test"].is_null())
        .count() as u64
}
