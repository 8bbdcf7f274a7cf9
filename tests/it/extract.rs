//! Extraction per test and package, on the real captures of Go 1.24, 1.25 and the machine's Go: every
//! reported goroutine with its reporting test, source, function, state, location and attribution
//! (hand-checked against fixtures/EXPECTED.md).

use crate::common::*;

/// (package, test, source, function, state, location — `std` for standard-library frames, whose lines
/// move between Go versions —, inherited)
type Row = (String, String, String, String, String, String, bool);

fn rows(rel: &str) -> Vec<Row> {
    let json = fixture_run(rel).json.unwrap();
    let mut out = Vec::new();
    for l in json["leaks"].as_array().unwrap() {
        let file = l["location"]["file"].as_str().unwrap();
        let loc = if file.starts_with("$GOROOT/") {
            "std".to_string()
        } else {
            format!("{file}:{}", l["location"]["line"])
        };
        for o in l["occurrences"].as_array().unwrap() {
            out.push((
                o["package"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("example.com/leaky/")
                    .to_string(),
                o["test"].as_str().unwrap_or("-").to_string(),
                o["source"].as_str().unwrap().to_string(),
                l["function"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("example.com/leaky/")
                    .to_string(),
                l["state"].as_str().unwrap().to_string(),
                loc.clone(),
                o["inherited"].as_bool().unwrap(),
            ));
        }
    }
    out.sort();
    out
}

fn expected_go126() -> Vec<Row> {
    let t = |p: &str, test: &str, src: &str, f: &str, st: &str, loc: &str, inh: bool| -> Row {
        (
            p.into(),
            test.into(),
            src.into(),
            f.into(),
            st.into(),
            loc.into(),
            inh,
        )
    };
    let mut v = vec![
        t(
            "earlyreturn",
            "TestFirst",
            "goleak",
            "earlyreturn.First.func1",
            "chan send",
            "earlyreturn/first.go:23",
            false,
        ),
        t(
            "forgottenreceiver",
            "TestOnReadyNeverReady",
            "goleak",
            "forgottenreceiver.(*Notifier).OnReady.func1",
            "chan receive",
            "forgottenreceiver/notify.go:18",
            false,
        ),
        t(
            "forgottensender",
            "TestFetchAgain",
            "goleak",
            "forgottensender.FetchWithTimeout.func1",
            "chan send",
            "forgottensender/fetch.go:26",
            false,
        ),
        t(
            "forgottensender",
            "TestFetchAgain",
            "goleak",
            "forgottensender.FetchWithTimeout.func1",
            "chan send",
            "forgottensender/fetch.go:26",
            true,
        ),
        t(
            "forgottensender",
            "TestFetchOK",
            "goleak",
            "forgottensender.FetchWithTimeout.func1",
            "chan send",
            "forgottensender/fetch.go:26",
            true,
        ),
        t(
            "forgottensender",
            "TestFetchWithTimeout",
            "goleak",
            "forgottensender.FetchWithTimeout.func1",
            "chan send",
            "forgottensender/fetch.go:26",
            false,
        ),
        t(
            "httpleak",
            "TestStatus",
            "goleak",
            "net.(*netFD).Read",
            "IO wait",
            "std",
            false,
        ),
        t(
            "httpleak",
            "TestStatus",
            "goleak",
            "net.(*netFD).accept",
            "IO wait",
            "std",
            false,
        ),
        t(
            "httpleak",
            "TestStatus",
            "goleak",
            "net/http.(*persistConn).readLoop",
            "select",
            "std",
            false,
        ),
        t(
            "httpleak",
            "TestStatus",
            "goleak",
            "net/http.(*persistConn).writeLoop",
            "select",
            "std",
            false,
        ),
        t(
            "infiniteloop",
            "TestWhenReady",
            "goleak",
            "infiniteloop.(*Service).WhenReady.func1",
            "runnable",
            "infiniteloop/spin.go:19",
            false,
        ),
        t(
            "missingcancel",
            "TestWorkerStopsOnCancel",
            "goleak",
            "missingcancel.(*Worker).Start.func1",
            "select",
            "missingcancel/worker.go:26",
            false,
        ),
        t(
            "mutex",
            "TestGetMissingThenRefresh",
            "goleak",
            "mutex.(*Cache).RefreshAsync.func1",
            "sync.Mutex.Lock",
            "mutex/cache.go:37",
            false,
        ),
        t(
            "panics",
            "TestRegister",
            "panic",
            "panics.(*Registry).watch",
            "select",
            "panics/registry.go:25",
            false,
        ),
        t(
            "panics",
            "TestRegister",
            "panic",
            "panics.(*Registry).watch",
            "select",
            "panics/registry.go:25",
            false,
        ),
        t(
            "testmain",
            "-",
            "goleak-main",
            "testmain.(*Logger).flush",
            "chan receive",
            "testmain/server.go:18",
            false,
        ),
        t(
            "ticker",
            "TestHeartbeat",
            "goleak",
            "ticker.StartHeartbeat.func1",
            "chan receive",
            "ticker/heartbeat.go:10",
            false,
        ),
        t(
            "timeout",
            "TestDrainHangs",
            "timeout",
            "timeout.(*Queue).Drain",
            "chan receive",
            "timeout/queue.go:18",
            false,
        ),
        t(
            "timeout",
            "TestWaitAllHangs",
            "timeout",
            "timeout.WaitAll",
            "sync.WaitGroup.Wait",
            "timeout/queue.go:25",
            false,
        ),
        t(
            "unclosedrange",
            "TestSum",
            "goleak",
            "unclosedrange.Sum.func1",
            "chan receive",
            "unclosedrange/sum.go:16",
            false,
        ),
        t(
            "usehelpera",
            "TestLoadA",
            "goleak",
            "leakyhelper.StartRefresher.func1",
            "sleep",
            "leakyhelper/refresher.go:11",
            false,
        ),
        t(
            "usehelperb",
            "TestLoadB",
            "goleak",
            "leakyhelper.StartRefresher.func1",
            "sleep",
            "leakyhelper/refresher.go:11",
            false,
        ),
        t(
            "waitgroup",
            "TestFanOut",
            "goleak",
            "waitgroup.FanOut.func3",
            "sync.WaitGroup.Wait",
            "waitgroup/fanout.go:21",
            false,
        ),
        t(
            "worker",
            "TestPoolForgetsClose",
            "goleak",
            "worker.(*Pool).loop",
            "select",
            "worker/pool.go:19",
            false,
        ),
    ];
    // The goroutineleak profile (Go 1.26 with the experiment): three leaked senders, dumped once in full
    // (debug=2) and once as a record of three (debug=1), counted once.
    for _ in 0..3 {
        v.push(t(
            "leakprofile",
            "TestGoroutineLeakProfile",
            "dump",
            "leakprofile.Notify.func1",
            "chan send",
            "leakprofile/subscribe.go:18",
            false,
        ));
    }
    // synctest (Go 1.25+): the bubble's blocked sender, not the harness nor the panicking test goroutine.
    v.push(t(
        "synctestleak",
        "TestLookupTimeoutBubble",
        "synctest",
        "synctestleak.Lookup.func1",
        "chan send",
        "synctestleak/lookup.go:20",
        false,
    ));
    v.sort();
    v
}

#[test]
fn go126_every_reported_goroutine() {
    assert_eq!(rows("go1.26/test.json"), expected_go126());
}

#[test]
fn go125_every_reported_goroutine() {
    // No goroutineleak profile before Go 1.26.
    let want: Vec<Row> = expected_go126()
        .into_iter()
        .filter(|r| r.0 != "leakprofile")
        .collect();
    assert_eq!(rows("go1.25/test.json"), want);
    // In the -v run, the second watcher was dumped before it ever ran (`NewRegistry.gowrap1`, runnable):
    // it is reported under the leak of its `go` statement, the first watcher's.
    let want_v = want.clone();
    assert_eq!(rows("go1.25/test-v.txt"), want_v);
}

#[test]
fn go124_every_reported_goroutine() {
    // Go 1.24's synctest deadlock panic dumps only the panicking test goroutine: no bubble goroutine to
    // report (and no goroutineleak profile).
    let want: Vec<Row> = expected_go126()
        .into_iter()
        .filter(|r| r.0 != "leakprofile" && r.0 != "synctestleak")
        .collect();
    assert_eq!(rows("go1.24/test.json"), want);
    assert_eq!(rows("go1.24/test-v.txt"), want);
}

#[test]
fn bare_dumps_as_inputs() {
    let run = |name: &str| -> Vec<(String, String, u64, String)> {
        let json = fixture_run(&format!("dumps/{name}")).json.unwrap();
        let mut v: Vec<_> = json["leaks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["function"].as_str().unwrap().to_string(),
                    l["state"].as_str().unwrap().to_string(),
                    l["goroutines"].as_u64().unwrap(),
                    l["sources"][0].as_str().unwrap().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let row = |f: &str, st: &str, n: u64| (f.to_string(), st.to_string(), n, "dump".to_string());
    // A panic log: every blocked goroutine with a frame of the program (not the panicking one).
    assert_eq!(
        run("panic-log.txt"),
        vec![
            row("main.locker", "sync.Mutex.Lock", 1),
            row("main.sleeper", "sleep", 1),
            row("main.worker", "chan receive", 1),
        ]
    );
    // A `debug=2` goroutine profile: every blocked goroutine (the profile writer itself is not one).
    assert_eq!(
        run("goroutine-debug2.txt"),
        vec![
            row("main.main.func1", "sleep", 1),
            row("main.receiver", "chan receive", 1),
            row("main.selector", "select", 1),
            row("main.sender", "chan send", 1),
            row("main.waiter", "sync.WaitGroup.Wait", 1),
        ]
    );
    // A goroutineleak profile: only the goroutines marked `(leaked)` (goroutine 22 of the capture is a
    // blocked sender the detector did not mark: not reported).
    assert_eq!(
        run("goroutineleak-debug2.txt"),
        vec![
            row("main.forgottenReceiver.func1", "chan receive", 1),
            row("main.forgottenSender.func1", "chan send", 3),
        ]
    );
    // The `debug=1` form has no state: one record per stack, with its count.
    assert_eq!(
        run("goroutineleak-debug1.txt"),
        vec![
            row("main.forgottenReceiver.func1", "", 1),
            row("main.forgottenSender.func1", "", 3),
        ]
    );
}
