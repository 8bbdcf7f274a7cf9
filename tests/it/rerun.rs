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
