//! The test model on the real fixture streams: exact results per package (hand-checked against
//! fixtures/EXPECTED.md), and the same failing tests whatever the input format.

use crate::common::*;

fn packages(json: &Value) -> Vec<(String, String, u64, u64, u64)> {
    json["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("example.com/leaky/")
                    .to_string(),
                p["result"].as_str().unwrap().to_string(),
                p["tests"].as_u64().unwrap(),
                p["failed"].as_u64().unwrap(),
                p["skipped"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn go126_packages_are_exact() {
    let run = fixture_run("go1.26/test.json");
    assert_eq!(run.status, 1);
    let json = run.json.unwrap();
    let mut got = packages(&json);
    got.sort();
    let want: Vec<(&str, &str, u64, u64, u64)> = vec![
        ("buildfail", "build-fail", 1, 1, 0),
        ("clean", "pass", 5, 0, 0),
        ("cmd/goroutinedump", "skip", 0, 0, 0),
        ("cmd/leakdump", "skip", 0, 0, 0),
        ("cmd/panicdump", "skip", 0, 0, 0),
        ("earlyreturn", "fail", 1, 1, 0),
        ("forgottenreceiver", "fail", 1, 1, 0),
        ("forgottensender", "fail", 3, 3, 0),
        ("httpleak", "fail", 1, 1, 0),
        ("infiniteloop", "fail", 1, 1, 0),
        ("leakprofile", "fail", 2, 1, 0),
        ("leakyhelper", "skip", 0, 0, 0),
        ("misc", "fail", 9, 3, 1),
        ("missingcancel", "fail", 1, 1, 0),
        ("mutex", "fail", 1, 1, 0),
        ("panics", "panic", 2, 1, 0),
        ("race", "fail", 1, 1, 0),
        ("synctestleak", "panic", 2, 1, 0),
        ("testmain", "fail", 3, 1, 0),
        ("ticker", "fail", 1, 1, 0),
        ("timeout", "timeout", 3, 2, 0),
        ("unclosedrange", "fail", 1, 1, 0),
        ("usehelpera", "fail", 1, 1, 0),
        ("usehelperb", "fail", 1, 1, 0),
        ("waitgroup", "fail", 1, 1, 0),
        ("worker", "fail", 2, 1, 0),
    ];
    let want: Vec<(String, String, u64, u64, u64)> = want
        .into_iter()
        .map(|(a, b, c, d, e)| (a.to_string(), b.to_string(), c, d, e))
        .collect();
    assert_eq!(got, want);
    let s = &json["summary"];
    assert_eq!(
        (
            s["packages"].as_u64(),
            s["tests"].as_u64(),
            s["passed"].as_u64(),
            s["failed"].as_u64(),
            s["skipped"].as_u64()
        ),
        (Some(26), Some(44), Some(17), Some(26), Some(1))
    );
}

#[test]
fn go126_failures_carry_the_right_kind_and_message() {
    let json = fixture_run("go1.26/test.json").json.unwrap();
    let find = |pkg: &str, test: Option<&str>| -> Value {
        json["failures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| {
                f["package"] == format!("example.com/leaky/{pkg}") && f["test"].as_str() == test
            })
            .unwrap_or_else(|| panic!("no failure {pkg} {test:?}"))
            .clone()
    };
    let f = find("buildfail", None);
    assert_eq!(
        (f["kind"].as_str(), f["message"].as_str()),
        (
            Some("build"),
            Some("buildfail/util_test.go:7:11: undefined: undefinedHelper")
        )
    );
    let f = find("testmain", None);
    assert_eq!(f["kind"], "package");
    assert_eq!(
        f["message"],
        "goleak: Errors on successful test run: found unexpected goroutines:"
    );
    let f = find("timeout", Some("TestDrainHangs"));
    assert_eq!(
        (f["kind"].as_str(), f["message"].as_str()),
        (Some("timeout"), Some("test timed out after 20s"))
    );
    let f = find("timeout", Some("TestWaitAllHangs"));
    assert_eq!(f["kind"], "timeout");
    let f = find("panics", Some("TestRegister"));
    assert_eq!(f["kind"], "panic");
    assert_eq!(
        f["message"],
        "panic: assignment to entry in nil map [recovered, repanicked]"
    );
    let f = find("race", Some("TestCountBoth"));
    assert_eq!(f["kind"], "race");
    let f = find("misc", Some("TestParallel/beta"));
    assert_eq!(
        f["message"],
        "misc_test.go:12: subtest beta failed: want 1, got 2"
    );
    let f = find("misc", Some("TestParallel"));
    assert_eq!(f["message"], "subtests failed: TestParallel/beta");
    let f = find("misc", Some("TestFatalMultiline"));
    // The message is the error with its continuation lines (t.Fatalf with line breaks).
    assert_eq!(
        f["message"],
        "misc_test.go:27: mismatch:\nwant: \"a\\tb\"\ngot:  \"a b\"\n(end of diff)"
    );
    // The failure of the timed-out package is on its tests, not on the package.
    assert!(!json["failures"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["package"] == "example.com/leaky/timeout" && f["test"].is_null()));
}

#[test]
fn json_verbose_and_plain_text_give_the_same_failing_tests() {
    for v in ["go1.26", "go1.25", "go1.24"] {
        let json = failing(&fixture_run(&format!("{v}/test.json")).json.unwrap());
        let verbose = failing(&fixture_run(&format!("{v}/test-v.txt")).json.unwrap());
        assert_eq!(json, verbose, "{v}: json vs -v");
        if stream(&format!("{v}/test.txt")).exists() {
            let plain = failing(&fixture_run(&format!("{v}/test.txt")).json.unwrap());
            assert_eq!(json, plain, "{v}: json vs plain");
        }
    }
}

#[test]
fn junit_cases_per_package_are_exact() {
    let run = fixture_run("go1.26/test.json");
    let xml = run.junit.unwrap();
    let suite = |name: &str| -> String {
        let start = xml
            .find(&format!(r#"<testsuite name="example.com/leaky/{name}""#))
            .unwrap();
        let end = start + xml[start..].find("</testsuite>").unwrap();
        xml[start..end].to_string()
    };
    let misc = suite("misc");
    assert!(misc.starts_with(r#"<testsuite name="example.com/leaky/misc" tests="9" failures="3" errors="0" skipped="1" time="0.012">"#), "{misc}");
    assert!(
        misc.contains(r#"<skipped message="misc_test.go:23: reason: not supported here"/>"#),
        "{misc}"
    );
    assert!(misc.contains(r#"<property name="TestAttr.key" value="value"/>"#));
    assert!(misc.contains(r#"<property name="TestAttr.owner" value="team-leaks"/>"#));
    assert!(
        misc.contains("    misc_test.go:27: mismatch:\n        want: \"a\\tb\"\n        got:  \"a b\"\n        (end of diff)\n</failure>"),
        "multi-line t.Fatalf body kept: {misc}"
    );
    assert!(!misc.contains("=== RUN"), "framing lines are not in bodies");
    let timeout = suite("timeout");
    assert!(timeout.contains(
        r#"<testcase classname="example.com/leaky/timeout" name="TestDrainHangs" time="0.000">"#
    ));
    assert!(timeout.contains(r#"<error message="test timed out after 20s" type="timeout">"#));
    let build = suite("buildfail");
    assert!(build.contains(r#"name="[build failed]""#));
    assert!(build.contains("buildfail/util_test.go:7:11: undefined: undefinedHelper"));
    let tm = suite("testmain");
    assert!(tm.contains(
        r#"<testcase classname="example.com/leaky/testmain" name="TestMain" time="0.000">"#
    ));
    assert!(tm.contains(r#"<failure message="goleak: Errors on successful test run: found unexpected goroutines:" type="package">"#));
}

#[test]
fn benchmarks_are_not_failures() {
    // `go test -json -run '^$' -bench . ./misc/ ./clean/`: BenchmarkRepeat starts and never ends.
    let run = fixture_run("go1.26/bench.json");
    assert_eq!(run.status, 0, "{}", run.stdout);
    let json = run.json.unwrap();
    assert_eq!(json["summary"]["tests"], 1);
    assert_eq!(json["summary"]["passed"], 1);
    assert_eq!(json["summary"]["failed"], 0);
    assert_eq!(json["failures"], serde_json::json!([]));
    let xml = run.junit.unwrap();
    assert!(
        xml.contains(
            r#"<testcase classname="example.com/leaky/misc" name="BenchmarkRepeat" time="0.000"/>"#
        ),
        "{xml}"
    );
}
