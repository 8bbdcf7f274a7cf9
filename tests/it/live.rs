//! Runs the fixture Go module live — `go test -json ./... | goleash` — and checks the result against the
//! committed capture: the same failing tests and the same leak ids. Needs Go (CI makes it required).
//!
//! On a mismatch the message names what differs (in the live run only, in the capture only) and where
//! the live stream was kept, so a failure on a loaded machine can be told apart from a goleash bug.

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::io::{Read, Write};
use std::process::{Command, Stdio};

use crate::common::*;

/// "" when equal, else what is only in the live run and only in the capture.
fn difference<T: Ord + Debug>(what: &str, live: &BTreeSet<T>, captured: &BTreeSet<T>) -> String {
    if live == captured {
        return String::new();
    }
    format!(
        "{what}:\n  only live: {:?}\n  only captured: {:?}\n",
        live.difference(captured).collect::<Vec<_>>(),
        captured.difference(live).collect::<Vec<_>>()
    )
}

#[test]
fn live_go_test_through_goleash() {
    if !go_available() {
        eprintln!(
            "go not found: live test not run (CI sets GOLEASH_REQUIRE_GO=1 and fails instead)"
        );
        return;
    }
    // The same flags as fixtures/regenerate's go1.26 capture.
    let mut go = Command::new("go")
        .args([
            "test", "-json", "-count=1", "-race", "-timeout", "20s", "./...",
        ])
        .current_dir(module())
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("GOFLAGS", "-mod=mod -buildvcs=false")
        .env("CGO_ENABLED", "1")
        .env("GOEXPERIMENT", "goroutineleakprofile")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("go test starts");
    let (mut cmd, dir) = Goleash::new()
        .out("--json", "report.json")
        .out("--junit", "junit.xml")
        .arg("--root")
        .arg(module())
        .command();
    let mut goleash = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // go test's output goes to goleash as it comes, and is kept for the failure message.
    let kept = dir.path().join("live.json");
    let mut from_go = go.stdout.take().unwrap();
    let mut to_goleash = goleash.stdin.take().unwrap();
    let mut copy = std::fs::File::create(&kept).unwrap();
    let mut buf = [0u8; 8192];
    loop {
        let n = from_go.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        to_goleash.write_all(&buf[..n]).unwrap();
        copy.write_all(&buf[..n]).unwrap();
    }
    drop(to_goleash);
    let out = goleash.wait_with_output().unwrap();
    // go test fails on purpose: the module leaks.
    assert_eq!(go.wait().unwrap().code(), Some(1));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let live: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    let captured = fixture_run("go1.26/test.json").json.unwrap();
    let differs = difference("failing tests", &failing(&live), &failing(&captured))
        + &difference("leak ids", &stable_ids(&live), &stable_ids(&captured));
    // The panics watcher's id depends on where the panic caught it (see `is_panics_watcher`); what
    // does not: both watchers are reported, from the panic, in the test that panicked.
    let watcher = (
        2,
        BTreeSet::from(["panic".to_string()]),
        BTreeSet::from([(
            "example.com/leaky/panics".to_string(),
            "TestRegister".to_string(),
        )]),
    );
    assert_eq!(panics_watcher(&captured), watcher, "in the capture");
    let differs = if panics_watcher(&live) == watcher {
        differs
    } else {
        differs + &format!("the panics watcher: {:?}\n", panics_watcher(&live))
    };
    let summary = |j: &Value| {
        (
            j["summary"]["tests"].clone(),
            j["summary"]["failed"].clone(),
        )
    };
    if !differs.is_empty() || summary(&live) != summary(&captured) {
        let keep = std::env::temp_dir().join(format!("goleash-live-{}.json", std::process::id()));
        std::fs::copy(&kept, &keep).unwrap();
        panic!(
            "the live run differs from the capture\n{differs}(tests, failed): live {:?}, captured {:?}\n\
             live stream kept in {}",
            summary(&live),
            summary(&captured),
            keep.display()
        );
    }
    assert_schema_valid(&dir.path().join("junit.xml"));
}
