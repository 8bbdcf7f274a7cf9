//! Leak extraction, grouping and attribution on the real fixture streams, with hand-checked values
//! (see fixtures/EXPECTED.md).

use std::collections::{BTreeMap, BTreeSet};

use crate::common::*;
use serde_json::Value;

/// A leak as the tests compare it: (function, location, state, goroutines, sources).
fn leak_key(l: &Value) -> (String, String, String, u64, String) {
    let loc = &l["location"];
    (
        l["function"].as_str().unwrap().to_string(),
        format!("{}:{}", loc["file"].as_str().unwrap(), loc["line"]),
        l["state"].as_str().unwrap().to_string(),
        l["goroutines"].as_u64().unwrap(),
        l["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect::<Vec<_>>()
            .join(","),
    )
}

fn leaks_by_function(json: &Value) -> BTreeMap<String, Value> {
    json["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["function"].as_str().unwrap().to_string(), l.clone()))
        .collect()
}

fn ids(json: &Value) -> BTreeSet<String> {
    json["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect()
}

/// Every group of the go1.26 JSON capture: function, location, state, distinct goroutines, sources.
#[test]
fn go126_groups_are_exact() {
    let run = fixture_run("go1.26/test.json");
    let json = run.json.unwrap();
    let m = "example.com/leaky";
    let got: BTreeSet<_> = json["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(leak_key)
        .collect();
    let want: BTreeSet<(String, String, String, u64, String)> = [
        (
            format!("{m}/earlyreturn.First.func1"),
            "earlyreturn/first.go:23",
            "chan send",
            1,
            "goleak",
        ),
        (
            format!("{m}/forgottenreceiver.(*Notifier).OnReady.func1"),
            "forgottenreceiver/notify.go:18",
            "chan receive",
            1,
            "goleak",
        ),
        (
            format!("{m}/forgottensender.FetchWithTimeout.func1"),
            "forgottensender/fetch.go:26",
            "chan send",
            2,
            "goleak",
        ),
        (
            "net.(*netFD).accept".to_string(),
            "$GOROOT/src/net/fd_unix.go:150",
            "IO wait",
            1,
            "goleak",
        ),
        (
            "net.(*netFD).Read".to_string(),
            "$GOROOT/src/net/fd_posix.go:68",
            "IO wait",
            1,
            "goleak",
        ),
        (
            "net/http.(*persistConn).readLoop".to_string(),
            "$GOROOT/src/net/http/transport.go:2450",
            "select",
            1,
            "goleak",
        ),
        (
            "net/http.(*persistConn).writeLoop".to_string(),
            "$GOROOT/src/net/http/transport.go:2652",
            "select",
            1,
            "goleak",
        ),
        (
            format!("{m}/infiniteloop.(*Service).WhenReady.func1"),
            "infiniteloop/spin.go:19",
            "runnable",
            1,
            "goleak",
        ),
        (
            format!("{m}/leakprofile.Notify.func1"),
            "leakprofile/subscribe.go:18",
            "chan send",
            3,
            "dump",
        ),
        (
            format!("{m}/missingcancel.(*Worker).Start.func1"),
            "missingcancel/worker.go:26",
            "select",
            1,
            "goleak",
        ),
        (
            format!("{m}/mutex.(*Cache).RefreshAsync.func1"),
            "mutex/cache.go:37",
            "sync.Mutex.Lock",
            1,
            "goleak",
        ),
        (
            format!("{m}/panics.(*Registry).watch"),
            "panics/registry.go:25",
            "select",
            2,
            "panic",
        ),
        (
            format!("{m}/synctestleak.Lookup.func1"),
            "synctestleak/lookup.go:20",
            "chan send",
            1,
            "synctest",
        ),
        (
            format!("{m}/testmain.(*Logger).flush"),
            "testmain/server.go:18",
            "chan receive",
            1,
            "goleak-main",
        ),
        (
            format!("{m}/ticker.StartHeartbeat.func1"),
            "ticker/heartbeat.go:10",
            "chan receive",
            1,
            "goleak",
        ),
        (
            format!("{m}/unclosedrange.Sum.func1"),
            "unclosedrange/sum.go:16",
            "chan receive",
            1,
            "goleak",
        ),
        (
            format!("{m}/leakyhelper.StartRefresher.func1"),
            "leakyhelper/refresher.go:11",
            "sleep",
            2,
            "goleak",
        ),
        (
            format!("{m}/waitgroup.FanOut.func3"),
            "waitgroup/fanout.go:21",
            "sync.WaitGroup.Wait",
            1,
            "goleak",
        ),
        (
            format!("{m}/worker.(*Pool).loop"),
            "worker/pool.go:19",
            "select",
            1,
            "goleak",
        ),
        (
            format!("{m}/timeout.(*Queue).Drain"),
            "timeout/queue.go:18",
            "chan receive",
            1,
            "timeout",
        ),
        (
            format!("{m}/timeout.WaitAll"),
            "timeout/queue.go:25",
            "sync.WaitGroup.Wait",
            1,
            "timeout",
        ),
    ]
    .into_iter()
    .map(|(f, l, s, n, src)| (f, l.to_string(), s.to_string(), n, src.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(json["summary"]["leaks"], 21);
    assert_eq!(json["summary"]["leaked_goroutines"], 26);
}

/// goleak reports a leak again in every later test of the package: one group, the first test introduced
/// it, the later ones inherited it, and a test that only inherited says so.
#[test]
fn later_tests_only_inherit() {
    let run = fixture_run("go1.26/test.json");
    let json = run.json.unwrap();
    let by_fn = leaks_by_function(&json);
    let l = &by_fn["example.com/leaky/forgottensender.FetchWithTimeout.func1"];
    let occ: Vec<(String, u64, bool)> = l["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["test"].as_str().unwrap().to_string(),
                o["goroutine"].as_u64().unwrap(),
                o["inherited"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        occ,
        vec![
            ("TestFetchWithTimeout".to_string(), 7, false),
            ("TestFetchOK".to_string(), 7, true),
            ("TestFetchAgain".to_string(), 7, true),
            ("TestFetchAgain".to_string(), 11, false),
        ]
    );
    assert_eq!(l["first_seen"]["test"], "TestFetchWithTimeout");
    assert_eq!(
        l["created_by"]["function"],
        "example.com/leaky/forgottensender.FetchWithTimeout"
    );
    assert_eq!(l["created_by"]["file"], "forgottensender/fetch.go");
    assert_eq!(l["created_by"]["line"], 25);
    let failures = json["failures"].as_array().unwrap();
    let ok = failures
        .iter()
        .find(|f| f["test"] == "TestFetchOK")
        .unwrap();
    assert_eq!(
        ok["message"],
        "leaked nothing itself: it saw 1 goroutine leaked by TestFetchWithTimeout"
    );
    assert_eq!(ok["leaks"], serde_json::json!([l["id"]]));
    // The JUnit body shows the group once, with its id, instead of the raw dump.
    let xml = run.junit.unwrap();
    let case = &xml[xml.find(r#"name="TestFetchOK""#).unwrap()..];
    let case = &case[..case.find("</testcase>").unwrap()];
    assert!(case.contains(
        "goleash: leaked nothing itself: it saw 1 goroutine leaked by TestFetchWithTimeout"
    ));
    assert!(case.contains(&format!(
        "leak {} [goleak] 1 goroutine blocked in chan send (1 inherited from TestFetchWithTimeout)",
        l["id"].as_str().unwrap()
    )));
    assert!(
        !case.contains("Goroutine 7 in state"),
        "raw dump left in: {case}"
    );
    let again = &xml[xml.find(r#"name="TestFetchAgain""#).unwrap()..];
    let again = &again[..again.find("</testcase>").unwrap()];
    assert!(again.contains("2 goroutines blocked in chan send (1 introduced here; 1 inherited from TestFetchWithTimeout)"));
}

/// A helper package that leaks, used by two test packages: one group, two packages.
#[test]
fn shared_helper_leak_is_one_group_in_two_packages() {
    let json = fixture_run("go1.26/test.json").json.unwrap();
    let by_fn = leaks_by_function(&json);
    let l = &by_fn["example.com/leaky/leakyhelper.StartRefresher.func1"];
    let pkgs: Vec<&str> = l["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["package"].as_str().unwrap())
        .collect();
    assert_eq!(
        pkgs,
        vec![
            "example.com/leaky/usehelpera",
            "example.com/leaky/usehelperb"
        ]
    );
    assert_eq!(l["goroutines"], 2);
    assert!(l["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["inherited"] == false));
}

/// Timeouts attribute each hung goroutine to the test whose function is on its stack.
#[test]
fn timeout_goroutines_go_to_their_tests() {
    let json = fixture_run("go1.26/test.json").json.unwrap();
    let by_fn = leaks_by_function(&json);
    let drain = &by_fn["example.com/leaky/timeout.(*Queue).Drain"];
    assert_eq!(drain["occurrences"][0]["test"], "TestDrainHangs");
    assert_eq!(drain["occurrences"][0]["goroutine"], 20);
    let wait = &by_fn["example.com/leaky/timeout.WaitAll"];
    assert_eq!(wait["occurrences"][0]["test"], "TestWaitAllHangs");
    assert_eq!(wait["occurrences"][0]["goroutine"], 21);
}

/// Ids survive line shifts (three comment lines added on top of every file), input formats, Go versions
/// and runs: the same leak sites give the same ids.
#[test]
fn ids_are_stable_across_shifts_formats_and_versions() {
    // The panics watcher is caught before it ran in some runs (`NewRegistry.gowrap1`, runnable): a
    // different stack, so a different id. Every other leak keeps its id.
    let stable = |rel: &str| -> BTreeSet<String> { stable_ids(&fixture_run(rel).json.unwrap()) };
    let base = stable("go1.26/test.json");
    assert_eq!(base.len(), 20);
    assert_eq!(stable("go1.26-shifted/test.json"), base);
    assert_eq!(stable("go1.26-shifted/test-v.txt"), base);
    assert_eq!(stable("go1.26/test-v.txt"), base);
    assert_eq!(stable("go1.26/test.txt"), base);
    // Older Go: no goroutineleak profile; Go 1.24 prints no bubble goroutines on a synctest deadlock.
    let without = |drop: &[&str]| -> BTreeSet<String> {
        let full = fixture_run("go1.26/test.json").json.unwrap();
        full["leaks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| base.contains(l["id"].as_str().unwrap()))
            .filter(|l| {
                !drop
                    .iter()
                    .any(|d| l["function"].as_str().unwrap().contains(d))
            })
            .map(|l| l["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(stable("go1.25/test.json"), without(&["leakprofile."]));
    assert_eq!(stable("go1.25/test-v.txt"), without(&["leakprofile."]));
    assert_eq!(
        stable("go1.24/test.json"),
        without(&["leakprofile.", "synctestleak."])
    );
    assert_eq!(
        stable("go1.24/test-v.txt"),
        without(&["leakprofile.", "synctestleak."])
    );
    // The line shift moved every location by three lines and kept the ids.
    let a = fixture_run("go1.26/test.json").json.unwrap();
    let b = fixture_run("go1.26-shifted/test.json").json.unwrap();
    let (la, lb) = (leaks_by_function(&a), leaks_by_function(&b));
    let f = "example.com/leaky/forgottensender.FetchWithTimeout.func1";
    assert_eq!(la[f]["id"], lb[f]["id"]);
    assert_eq!(
        la[f]["location"]["line"].as_u64().unwrap() + 3,
        lb[f]["location"]["line"].as_u64().unwrap()
    );
}

/// `--fail-on leak` fails a leaky run, and passes with the baseline it wrote itself.
#[test]
fn baseline_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("leaks.baseline");
    let s = stream("go1.26/test.json");
    let run = goleash(
        &[&s],
        &[
            "--fail-on",
            "leak",
            "--write-baseline",
            baseline.to_str().unwrap(),
            "--root",
            module().to_str().unwrap(),
        ],
    );
    assert_eq!(run.status, 1);
    let text = std::fs::read_to_string(&baseline).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 21);
    assert!(lines
        .iter()
        .any(|l| l.contains("example.com/leaky/forgottensender.FetchWithTimeout.func1")));
    let run = goleash(
        &[&s],
        &[
            "--fail-on",
            "leak",
            "--baseline",
            baseline.to_str().unwrap(),
        ],
    );
    assert_eq!(run.status, 0, "{}", run.stdout);
    let json = run.json.unwrap();
    assert_eq!(json["baseline"]["known"].as_array().unwrap().len(), 21);
    assert!(json["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["known"] == true));
    // `--fail-on any` still fails: the tests failed.
    let run = goleash(&[&s], &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(run.status, 1);
    // A baseline entry that no longer occurs is reported.
    std::fs::write(&baseline, format!("{text}0123456789ab  # gone\n")).unwrap();
    let run = goleash(
        &[&s],
        &[
            "--fail-on",
            "leak",
            "--baseline",
            baseline.to_str().unwrap(),
        ],
    );
    assert_eq!(run.status, 0);
    assert_eq!(
        run.json.unwrap()["baseline"]["stale"],
        serde_json::json!(["0123456789ab"])
    );
    assert!(
        run.stderr
            .contains("baseline entry 0123456789ab no longer occurs"),
        "{}",
        run.stderr
    );
}

/// Sharded inputs merge into one report: two halves give the totals of the whole.
#[test]
fn shards_merge() {
    let whole = std::fs::read_to_string(stream("go1.26/test.json")).unwrap();
    let lines: Vec<&str> = whole.lines().collect();
    // Split at a package boundary: after the 300th line, at the next package-level end event.
    let cut = (300..lines.len())
        .find(|&i| lines[i].contains("\"Action\":\"fail\"") && !lines[i].contains("\"Test\""))
        .unwrap()
        + 1;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    std::fs::write(&a, lines[..cut].join("\n") + "\n").unwrap();
    std::fs::write(&b, lines[cut..].join("\n") + "\n").unwrap();
    let root = module();
    let merged = goleash(&[&a, &b], &["--root", root.to_str().unwrap()])
        .json
        .unwrap();
    let full = fixture_run("go1.26/test.json").json.unwrap();
    assert_eq!(merged["summary"], full["summary"]);
    assert_eq!(ids(&merged), ids(&full));
}
