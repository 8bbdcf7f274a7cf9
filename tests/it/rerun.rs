//! Rerun planning and merging on the captured streams of the rerun module (fixtures/go/rerun): the first
//! attempt's failures give the -run patterns the second attempts were captured with, and the merged
//! attempts give the flaky tests.

use std::io::BufReader;

use goleash::model::{FailureKind, TestResult};
use goleash::paths::Resolver;
use goleash::rerun::{self, Attempt, Failed, Flaky, Targets};
use goleash::{Analysis, Pipeline};

use crate::common::*;

fn analyse(rel: &str) -> Analysis {
    let mut p = Pipeline::new(Resolver::new(Some(module().join("rerun"))), Vec::new());
    p.keep_tests = true;
    let f = std::fs::File::open(stream(rel)).unwrap();
    goleash::input::read(BufReader::new(f), &mut p).unwrap();
    p.finish().0
}

fn attempts(a: &Analysis, number: u32) -> Vec<Attempt> {
    a.run
        .packages
        .iter()
        .map(|p| Attempt::of(p, number))
        .collect()
}

const P: &str = "example.com/leaky/rerun/";

#[test]
fn first_attempt_plans_the_captured_second_attempts() {
    let a = analyse("go1.26-rerun/attempt1.json");
    let failed = rerun::failures_to_rerun(&a.failures, &a.groups);
    let f = |pkg: &str, test: Option<&str>, kind, inh: &[&str], intro: &[&str]| Failed {
        package: format!("{P}{pkg}"),
        test: test.map(str::to_string),
        kind,
        inherited_from: inh.iter().map(|s| s.to_string()).collect(),
        introducers: intro.iter().map(|s| s.to_string()).collect(),
        unattributed: false,
    };
    assert_eq!(
        failed,
        vec![
            f("flaky", Some("TestFlakyOnce"), FailureKind::Test, &[], &[]),
            f("flaky", Some("TestTable"), FailureKind::Test, &[], &[]),
            f("flaky", Some("TestTable/b"), FailureKind::Test, &[], &[]),
            f(
                "inherit",
                Some("TestLeaksWatcher"),
                FailureKind::Test,
                &[],
                &[]
            ),
            // Only saw the watcher TestLeaksWatcher left behind.
            f(
                "inherit",
                Some("TestSeesWatcher"),
                FailureKind::Test,
                &["TestLeaksWatcher"],
                &[]
            ),
            // goleak.VerifyTestMain: the leaked goroutines' stacks name the tests that started them.
            f(
                "mainleak",
                None,
                FailureKind::Package,
                &[],
                &["TestStartsPoller", "TestStartsWorker"]
            ),
        ]
    );
    assert_eq!(rerun::failure_count(&failed), 5);
    assert!(rerun::plan(&failed, 4).is_err());
    let plan = rerun::plan(&failed, 10).unwrap();
    let got: Vec<(String, Option<String>)> = plan
        .reruns
        .iter()
        .map(|r| (r.package.clone(), r.run_pattern()))
        .collect();
    // The patterns fixtures/regenerate captured attempt2-*.json with.
    assert_eq!(
        got,
        vec![
            (
                format!("{P}flaky"),
                Some("^(TestFlakyOnce|TestTable)$".into())
            ),
            (
                format!("{P}inherit"),
                Some("^(TestLeaksWatcher|TestSeesWatcher)$".into())
            ),
            (
                format!("{P}mainleak"),
                Some("^(TestStartsPoller|TestStartsWorker)$".into())
            ),
        ]
    );
    // The inheritor is never rerun alone.
    assert!(plan
        .reruns
        .iter()
        .all(|r| r.targets != Targets::Tests(vec!["TestSeesWatcher".to_string()])));
    let regenerate = std::fs::read_to_string(repo().join("fixtures/regenerate")).unwrap();
    for (pkg, pattern) in &got {
        let short = pkg.strip_prefix(P).unwrap();
        let line = format!("-run '{}' ./{short}/", pattern.as_deref().unwrap());
        assert!(regenerate.contains(&line), "{line}");
    }
}

#[test]
fn merged_attempts_make_the_first_failures_flaky() {
    let mut all = attempts(&analyse("go1.26-rerun/attempt1.json"), 1);
    for rel in ["flaky", "inherit", "mainleak"] {
        let a = analyse(&format!("go1.26-rerun/attempt2-{rel}.json"));
        assert!(a.failures.is_empty(), "{rel}: {:?}", a.failures);
        all.extend(attempts(&a, 2));
    }
    let histories = rerun::merge(&all);
    assert!(histories
        .iter()
        .all(|h| h.final_result() == TestResult::Pass));
    let fl = |pkg: &str, test: Option<&str>| Flaky {
        package: format!("{P}{pkg}"),
        test: test.map(str::to_string),
        attempts: 2,
    };
    assert_eq!(
        rerun::flaky(&histories),
        vec![
            fl("flaky", Some("TestFlakyOnce")),
            fl("flaky", Some("TestTable")),
            fl("flaky", Some("TestTable/b")),
            fl("inherit", Some("TestLeaksWatcher")),
            fl("inherit", Some("TestSeesWatcher")),
            fl("mainleak", None),
        ]
    );
    // Tests that passed the first time ran once (TestTable/a twice: its parent was rerun).
    let runs = |pkg: &str, t: &str| {
        histories
            .iter()
            .find(|h| h.package == format!("{P}{pkg}") && h.test.as_deref() == Some(t))
            .unwrap()
            .results
            .clone()
    };
    assert_eq!(runs("flaky", "TestStable"), vec![(1, TestResult::Pass)]);
    assert_eq!(
        runs("flaky", "TestTable/a"),
        vec![(1, TestResult::Pass), (2, TestResult::Pass)]
    );
    assert_eq!(runs("mainleak", "TestClean"), vec![(1, TestResult::Pass)]);
}

/// `goleash --rerun-fails … -- go test …` in the rerun module with a fresh $TMPDIR (so the marked tests
/// fail on their first attempt only).
fn live(goleash_args: &[&str], go_args: &[&str]) -> Option<Ran> {
    if !go_available() {
        eprintln!("go not found: live rerun test not run (CI sets GOLEASH_REQUIRE_GO=1 and fails instead)");
        return None;
    }
    let marks = tempfile::tempdir().unwrap();
    let g = Goleash::new()
        .current_dir(module().join("rerun"))
        .args(["--color", "never"])
        .out("--json", "report.json")
        .out("--junit", "junit.xml")
        .args(goleash_args)
        .args(["--", "go", "test", "-count=1"])
        .args(go_args)
        .env("TMPDIR", marks.path())
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("GOFLAGS", "-mod=mod -buildvcs=false");
    Some(g.run())
}

/// The `attempt N:` lines goleash printed on standard error, sorted (packages finish in any order).
fn attempt_lines(stderr: &str) -> Vec<String> {
    let mut v: Vec<String> = stderr
        .lines()
        .filter(|l| l.starts_with("goleash: attempt "))
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

fn flaky_set(
    report: &serde_json::Value,
) -> std::collections::BTreeSet<(String, Option<String>, u64)> {
    report["flaky"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["package"].as_str().unwrap().to_string(),
                        f["test"].as_str().map(str::to_string),
                        f["attempts"].as_u64().unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn live_reruns_make_first_attempt_failures_flaky_and_the_run_passes() {
    let Some(r) = live(
        &["--rerun-fails"],
        &["./flaky/", "./inherit/", "./mainleak/"],
    ) else {
        return;
    };
    assert_eq!(r.status, 0, "{}\n{}", r.stdout, r.stderr);
    // One go test per package; the inheritor only with its introducer; the TestMain leak's introducers.
    assert_eq!(
        attempt_lines(&r.stderr),
        vec![
            format!("goleash: attempt 2: go test -json -count=1 -run '^(TestFlakyOnce|TestTable)$' {P}flaky"),
            format!("goleash: attempt 2: go test -json -count=1 -run '^(TestLeaksWatcher|TestSeesWatcher)$' {P}inherit"),
            format!("goleash: attempt 2: go test -json -count=1 -run '^(TestStartsPoller|TestStartsWorker)$' {P}mainleak"),
        ]
    );
    let report = r.json_file("report.json").unwrap();
    assert_eq!(report["summary"]["failed"], 0);
    assert_eq!(report["failures"], serde_json::json!([]));
    assert_eq!(report["leaks"], serde_json::json!([]));
    let fl = |pkg: &str, test: Option<&str>| (format!("{P}{pkg}"), test.map(str::to_string), 2);
    assert_eq!(
        flaky_set(&report),
        [
            fl("flaky", Some("TestFlakyOnce")),
            fl("flaky", Some("TestTable")),
            fl("flaky", Some("TestTable/b")),
            fl("inherit", Some("TestLeaksWatcher")),
            fl("inherit", Some("TestSeesWatcher")),
            fl("mainleak", None),
        ]
        .into_iter()
        .collect()
    );
    // Counted once: every test of the three packages, each with its final result.
    assert_eq!(report["summary"]["tests"], 10);
    assert_eq!(report["summary"]["passed"], 10);
    // JUnit: each flaky case passes and carries its failed attempt as <flakyFailure> (as Surefire
    // writes it), valid against junit-10.xsd; the TestMain failure that passed on the rerun is a case.
    assert_schema_valid(&r.path("junit.xml"));
    let junit = r.file("junit.xml").unwrap();
    assert_eq!(junit.matches("<flakyFailure ").count(), 6, "{junit}");
    assert!(!junit.contains("<failure"), "{junit}");
    assert!(junit.contains(
        "<testcase classname=\"example.com/leaky/rerun/flaky\" name=\"TestFlakyOnce\" time=\"0.000\">\n    \
         <flakyFailure message=\"attempt 1: flaky_test.go:14: first attempt fails on purpose\" type=\"test\">\n      \
         <stackTrace>attempt 1: flaky_test.go:14: first attempt fails on purpose</stackTrace>\n      \
         <system-out>    flaky_test.go:14: first attempt fails on purpose\n</system-out>\n    </flakyFailure>\n  </testcase>"
    ), "{junit}");
    assert!(junit.contains(
        "<testcase classname=\"example.com/leaky/rerun/mainleak\" name=\"TestMain\" time=\"0.000\">\n    \
         <flakyFailure message=\"attempt 1: goleak: Errors on successful test run: found unexpected goroutines:\" type=\"package\">"
    ), "{junit}");
    // The terminal lists them before the totals.
    assert!(
        r.stdout
            .contains("\n6 flaky tests (failed, then passed on a rerun)\n\n"),
        "{}",
        r.stdout
    );
    let mut lines: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("FLAKY"))
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        vec![
            "FLAKY   flaky.TestFlakyOnce  2 attempts",
            "FLAKY   flaky.TestTable  2 attempts",
            "FLAKY   flaky.TestTable/b  2 attempts",
            "FLAKY   inherit.TestLeaksWatcher  2 attempts",
            "FLAKY   inherit.TestSeesWatcher  2 attempts",
            "FLAKY   mainleak (package-level failure)  2 attempts",
        ]
    );
    assert!(r.stdout.ends_with(
        "\n3 packages, 10 tests: 10 passed, 0 failed, 0 skipped; 0 leaks (0 goroutines)\n"
    ));

    // --fail-on flaky: the same run fails because of its flaky tests. In the surefire flavor, the
    // flaky elements are valid against Surefire's own schema.
    let r = live(
        &[
            "--rerun-fails",
            "--fail-on",
            "flaky",
            "--junit-flavor",
            "surefire",
        ],
        &["./flaky/", "./inherit/", "./mainleak/"],
    )
    .unwrap();
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert_eq!(flaky_set(&r.json_file("report.json").unwrap()).len(), 6);
    assert_surefire_valid(&r.path("junit.xml"));
    let junit = r.file("junit.xml").unwrap();
    assert_eq!(junit.matches("<flakyFailure ").count(), 6, "{junit}");
    assert_eq!(junit.matches("<testsuite ").count(), 1, "{junit}");
    assert!(junit.contains(
        "<testcase classname=\"example.com/leaky/rerun/flaky\" name=\"TestFlakyOnce\" time=\"0.000\">\n    \
         <flakyFailure message=\"attempt 1: flaky_test.go:14: first attempt fails on purpose\" type=\"test\">\n      \
         <stackTrace>attempt 1: flaky_test.go:14: first attempt fails on purpose</stackTrace>"
    ), "{junit}");
}

#[test]
fn live_reruns_stop_after_n_and_the_status_follows_the_last_attempt() {
    let Some(r) = live(
        &["--rerun-fails=1", "--junit-flavor", "gitlab"],
        &["./assertmsg/", "./flaky/"],
    ) else {
        return;
    };
    // assertmsg fails every time: one rerun, then it stays failed, and so does the run.
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert_eq!(
        attempt_lines(&r.stderr),
        vec![
            format!("goleash: attempt 2: go test -json -count=1 -run '^(TestFlakyOnce|TestTable)$' {P}flaky"),
            format!("goleash: attempt 2: go test -json -count=1 -run '^(TestSumTestify|TestSumErrorf)$' {P}assertmsg"),
        ]
    );
    let report = r.json_file("report.json").unwrap();
    let failed: Vec<&str> = report["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["test"].as_str().unwrap())
        .collect();
    assert_eq!(failed, vec!["TestSumTestify", "TestSumErrorf"]);
    // Still failing: the last attempt's <failure>, the earlier one as <rerunFailure>; in the gitlab
    // flavor, each failed case at its failing line.
    let junit = r.file("junit.xml").unwrap();
    assert_eq!(
        failed_case_tags(&junit),
        vec![
            "<testcase classname=\"example.com/leaky/rerun/assertmsg\" name=\"TestSumTestify\" time=\"0.000\" file=\"assertmsg/assert_test.go\" line=\"19\">",
            "<testcase classname=\"example.com/leaky/rerun/assertmsg\" name=\"TestSumErrorf\" time=\"0.000\" file=\"assertmsg/assert_test.go\" line=\"25\">",
        ]
    );
    assert_eq!(junit.matches("<rerunFailure ").count(), 2, "{junit}");
    assert_eq!(junit.matches("<failure ").count(), 2, "{junit}");
    assert_eq!(junit.matches("<flakyFailure ").count(), 3, "{junit}");
    assert_eq!(flaky_set(&report).len(), 3);
    // Over the budget: nothing is rerun.
    let r = live(
        &[
            "--rerun-fails",
            "--rerun-fails-max-failures",
            "2",
            "--junit-flavor",
            "surefire",
        ],
        &["./assertmsg/", "./flaky/"],
    )
    .unwrap();
    assert_eq!(r.status, 1);
    assert_surefire_valid(&r.path("junit.xml"));
    // The 4 failed tests of the budget, and TestTable, the parent of the failed TestTable/b.
    assert_eq!(failed_case_tags(&r.file("junit.xml").unwrap()).len(), 5);
    assert!(attempt_lines(&r.stderr).is_empty(), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "goleash: 4 failed tests exceed --rerun-fails-max-failures 2: nothing is rerun"
        ),
        "{}",
        r.stderr
    );
}

/// The leak ids of a report by the last part of their function (`Still`, `FixedLater`, `Added`).
fn ids_by_function(report: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
    report["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let f = l["function"].as_str().unwrap();
            (
                f.rsplit('.').next().unwrap().to_string(),
                l["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn live_fail_on_new_fails_only_for_what_the_baseline_report_lacks() {
    // The base version (no tag): TestStill and TestFixedLater leak.
    let Some(base) = live(&[], &["./baseline/"]) else {
        return;
    };
    assert_eq!(base.status, 1, "{}", base.stderr);
    let base_report = base.json_file("report.json").unwrap();
    let base_ids = ids_by_function(&base_report);
    assert_eq!(base_ids.keys().collect::<Vec<_>>(), ["FixedLater", "Still"]);
    let keep = tempfile::tempdir().unwrap();
    let base_path = keep.path().join("base.json");
    std::fs::copy(base.path("report.json"), &base_path).unwrap();
    let summary = keep.path().join("summary.md");

    // The change (-tags v2): FixedLater no longer leaks, Still does, Added is new.
    let r = live(
        &[
            "--baseline",
            base_path.to_str().unwrap(),
            "--fail-on",
            "new",
            "--summary",
            summary.to_str().unwrap(),
        ],
        &["-tags", "v2", "./baseline/"],
    )
    .unwrap();
    assert_eq!(r.status, 1, "{}", r.stderr);
    let report = r.json_file("report.json").unwrap();
    let ids = ids_by_function(&report);
    assert_eq!(ids.keys().collect::<Vec<_>>(), ["Added", "Still"]);
    assert_eq!(ids["Still"], base_ids["Still"]);
    let pkg = format!("{P}baseline");
    let t = |test: &str| serde_json::json!({"package": pkg, "test": test});
    assert_eq!(
        report["baseline"],
        serde_json::json!({
            "known": [ids["Still"]],
            "stale": [base_ids["FixedLater"]],
            "new": [ids["Added"]],
            "fixed": [{"id": base_ids["FixedLater"], "function": format!("{P}baseline.FixedLater")}],
            "new_failures": [t("TestAdded")],
            "still_failing": [t("TestStill")],
            "fixed_failures": [t("TestFixedLater")],
        })
    );
    let mut notes: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains("since the baseline"))
        .collect();
    notes.sort();
    assert_eq!(
        notes,
        vec![
            format!("goleash: fixed failure since the baseline: {pkg}.TestFixedLater"),
            format!(
                "goleash: fixed since the baseline: leak {} ({P}baseline.FixedLater)",
                base_ids["FixedLater"]
            ),
            format!("goleash: new failure since the baseline: {pkg}.TestAdded"),
            format!("goleash: new since the baseline: leak {}", ids["Added"]),
            format!("goleash: still failing since the baseline: {pkg}.TestStill"),
            format!(
                "goleash: still there since the baseline: leak {}",
                ids["Still"]
            ),
        ]
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains(
            "# Against the baseline\n\n| | leaks | failing tests |\n| --- | ---: | ---: |\n\
             | new | 1 | 1 |\n| still | 1 | 1 |\n| fixed | 1 | 1 |\n\n"
        ),
        "{md}"
    );
    assert!(
        md.contains(&format!("Fixed leaks: `{}` (", base_ids["FixedLater"])),
        "{md}"
    );

    // Against the change's own report nothing is new: the run passes, though it still leaks.
    let own = keep.path().join("own.json");
    std::fs::copy(r.path("report.json"), &own).unwrap();
    let again = live(
        &["--baseline", own.to_str().unwrap(), "--fail-on", "new"],
        &["-tags", "v2", "./baseline/"],
    )
    .unwrap();
    assert_eq!(again.status, 0, "{}", again.stderr);
    // The same baseline under the default policy: the failing tests still fail the run.
    let any = live(
        &["--baseline", own.to_str().unwrap()],
        &["-tags", "v2", "./baseline/"],
    )
    .unwrap();
    assert_eq!(any.status, 1, "{}", any.stderr);
}
