//! Runs the fixture Go module live — `go test -json ./... | goleash` — and checks the result against the
//! committed capture: the same failing tests and the same leak ids. Needs Go (CI makes it required).

use std::process::{Command, Stdio};

use crate::common::*;

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
    let out = cmd.stdin(go.stdout.take().unwrap()).output().unwrap();
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
    assert_eq!(failing(&live), failing(&captured));
    assert_eq!(stable_ids(&live), stable_ids(&captured));
    assert_eq!(live["summary"]["tests"], captured["summary"]["tests"]);
    assert_eq!(live["summary"]["failed"], captured["summary"]["failed"]);
    assert_schema_valid(&dir.path().join("junit.xml"));
}
