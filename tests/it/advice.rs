//! The advice engine on the real fixture captures: every leak's cause per package, with the source tree
//! under `--root` and without it (the stack-only answer), and the exact advice for the leaks whose code
//! says the most.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::common::*;
use goleash::paths::Resolver;
use goleash::view::{self, LeakEntry};
use goleash::{input, Pipeline};

/// The known cause of each fixture package's leaks, read from its code.
const WITH_SOURCE: &[(&str, &str)] = &[
    ("earlyreturn", "early-return"),
    ("forgottenreceiver", "forgotten-receiver"),
    ("forgottensender", "forgotten-sender"),
    ("httpleak", "orphaned-worker"),
    ("infiniteloop", "infinite-loop"),
    ("leakprofile", "forgotten-sender"),
    ("missingcancel", "missing-cancel"),
    ("mutex", "lock-never-released"),
    ("panics", "orphaned-worker"),
    ("synctestleak", "forgotten-sender"),
    ("testmain", "unclosed-range"),
    ("ticker", "leaked-ticker"),
    ("timeout", "deadlock"),
    ("unclosedrange", "unclosed-range"),
    ("usehelpera", "sleeping"),
    ("usehelperb", "sleeping"),
    ("waitgroup", "waitgroup-imbalance"),
    ("worker", "orphaned-worker"),
];

/// What the stack alone says, where it differs from [`WITH_SOURCE`]: a send in a goroutine started in a loop
/// looks like any forgotten send, a `range` like any receive, a ticker's channel like any channel, and a
/// type's method started by its constructor like that type's worker.
const STACK_ONLY_DIFF: &[(&str, &str)] = &[
    ("earlyreturn", "forgotten-sender"),
    ("testmain", "orphaned-worker"),
    ("ticker", "forgotten-receiver"),
    ("unclosedrange", "forgotten-receiver"),
];

fn stack_only() -> BTreeMap<&'static str, &'static str> {
    let mut t: BTreeMap<&str, &str> = WITH_SOURCE.iter().copied().collect();
    t.extend(STACK_ONLY_DIFF.iter().copied());
    t
}

/// The leaks of a stream analysed through the library pipeline with `root` as `--root`.
fn leaks(stream_path: &Path, root: &Path) -> Vec<LeakEntry> {
    let resolver = Resolver::new(Some(root.to_path_buf()));
    let mut p = Pipeline::new(resolver.clone(), Vec::new());
    let f = File::open(stream_path).unwrap();
    input::read(BufReader::new(f), &mut p).unwrap();
    let (analysis, err) = p.finish();
    assert!(err.is_none());
    view::build(&analysis, &resolver).leaks
}

/// The packages (without the module prefix) that reported a leak.
fn packages_of(l: &LeakEntry) -> BTreeSet<String> {
    l.occurrences
        .iter()
        .map(|o| {
            o.package
                .trim_start_matches("example.com/leaky/")
                .to_string()
        })
        .collect()
}

/// Asserts every leak's cause is its packages' cause in `table`, and that exactly `expect_pkgs` leaked.
fn assert_causes(leaks: &[LeakEntry], table: &BTreeMap<&str, &str>, expect_pkgs: &[&str]) {
    let mut seen = BTreeSet::new();
    for l in leaks {
        for p in packages_of(l) {
            let want = table
                .get(p.as_str())
                .unwrap_or_else(|| panic!("no known cause for package {p}"));
            assert_eq!(
                l.cause.as_str(),
                *want,
                "{p}: {} ({})\n{}",
                l.function,
                l.state,
                l.advice
            );
            seen.insert(p);
        }
    }
    let expect: BTreeSet<String> = expect_pkgs.iter().map(|s| s.to_string()).collect();
    assert_eq!(seen, expect);
}

fn all_packages() -> Vec<&'static str> {
    WITH_SOURCE.iter().map(|(p, _)| *p).collect()
}

#[test]
fn go126_json_causes_with_source() {
    let leaks = leaks(&stream("go1.26/test.json"), &module());
    assert_eq!(leaks.len(), 21);
    assert_causes(
        &leaks,
        &WITH_SOURCE.iter().copied().collect(),
        &all_packages(),
    );
}

#[test]
fn go126_causes_from_the_stack_alone() {
    let empty = tempfile::tempdir().unwrap();
    for s in ["go1.26/test.json", "go1.26/test-v.txt", "go1.26/test.txt"] {
        let leaks = leaks(&stream(s), empty.path());
        assert_causes(&leaks, &stack_only(), &all_packages());
        // Nothing was read, so nothing is offered as a sure fix.
        for l in &leaks {
            assert!(!l.advice.contains("--fix-diff"), "{}", l.advice);
        }
    }
}

#[test]
fn text_captures_and_go124_agree() {
    let table: BTreeMap<&str, &str> = WITH_SOURCE.iter().copied().collect();
    for s in ["go1.26/test-v.txt", "go1.26/test.txt"] {
        let leaks = leaks(&stream(s), &module());
        assert_causes(&leaks, &table, &all_packages());
    }
    // Go 1.24 has no goroutineleak profile, and its synctest dump does not show the bubble's goroutine.
    let leaks = leaks(&stream("go1.24/test.json"), &module());
    let pkgs: Vec<&str> = all_packages()
        .into_iter()
        .filter(|p| *p != "leakprofile" && *p != "synctestleak")
        .collect();
    assert_causes(&leaks, &table, &pkgs);
}

fn advice_of<'a>(leaks: &'a [LeakEntry], function: &str) -> &'a str {
    &leaks
        .iter()
        .find(|l| l.function == function)
        .unwrap_or_else(|| panic!("no leak in {function}"))
        .advice
}

#[test]
fn advice_names_variables_and_lines() {
    let leaks = leaks(&stream("go1.26/test.json"), &module());
    let m = "example.com/leaky/";
    let cases = [
        (
            "forgottensender.FetchWithTimeout.func1",
            "`ch` is made unbuffered at forgottensender/fetch.go:24 (`make(chan string)`) and `FetchWithTimeout` stops receiving from it when the `time.After(d)` case fires (forgottensender/fetch.go:31), so the send at forgottensender/fetch.go:26 blocks forever. Make it `make(chan string, 1)`: the single send then always completes and the goroutine exits. `--fix-diff` writes this change.",
        ),
        (
            "earlyreturn.First.func1",
            "`First` starts a goroutine for every turn of the loop at earlyreturn/first.go:21, each sending on `results` (made at earlyreturn/first.go:20: `make(chan string)`) at earlyreturn/first.go:23, but it receives only once (earlyreturn/first.go:26) and returns: every other sender blocks forever. Give `results` room for every sender (`make(chan string, n)` for n goroutines), or stop the others when the first answer arrives: a `context.WithCancel` they `select` on beside the send (`case <-ctx.Done(): return`), or `errgroup.WithContext`.",
        ),
        (
            "forgottenreceiver.(*Notifier).OnReady.func1",
            "The receive from `n.ready` at forgottenreceiver/notify.go:18 waits forever: `n.ready` (`make(chan struct{})` at forgottenreceiver/notify.go:12 in `NewNotifier`) is closed only by `Ready` (forgottenreceiver/notify.go:24), and that was never called. Make sure every path calls `Ready` (for example with `defer`), or receive in a `select` beside `case <-ctx.Done(): return` so the goroutine can give up.",
        ),
        (
            "missingcancel.(*Worker).Start.func1",
            "The `select` at missingcancel/worker.go:26 has no case that ends it, and the loop around it never ends. `ctx` is in scope but never watched: add `case <-ctx.Done(): return`.",
        ),
        (
            "mutex.(*Cache).RefreshAsync.func1",
            "`c.mu` is locked at mutex/cache.go:24 in `Get`, which returns at mutex/cache.go:27 without unlocking it, so the `c.mu.Lock()` at mutex/cache.go:37 waits forever. Unlock on every path: lock, then `defer c.mu.Unlock()` on the next line.",
        ),
        (
            "waitgroup.FanOut.func3",
            "`wg.Add(2)` at waitgroup/fanout.go:12 expects 2 calls of `wg.Done()`, but only 1 of the goroutines `FanOut` starts calls it: the one started at waitgroup/fanout.go:17 never does, so `wg.Wait()` at waitgroup/fanout.go:21 waits forever. Call `wg.Add(1)` right before each `go` statement and `defer wg.Done()` first thing in each goroutine.",
        ),
        (
            "ticker.StartHeartbeat.func1",
            "The loop at ticker/heartbeat.go:10 waits on `t.C` of the ticker made at ticker/heartbeat.go:8 (`time.NewTicker`), which is never stopped, and even `t.Stop()` would not close `t.C`: the loop never ends. Give it a way out and stop the ticker: `defer t.Stop()` and `for { select { case <-ctx.Done(): return; case <-t.C: … } }`.",
        ),
        (
            "unclosedrange.Sum.func1",
            "The `for v := range ch` loop at unclosedrange/sum.go:16 ends only when `ch` is closed, and nothing in `Sum` closes `ch` (`make(chan int)` at unclosedrange/sum.go:12 in `Sum`). Close it once the last value is sent: `close(ch)` after the sending loop, or `defer close(ch)` in the producer; if the channel belongs to a type, close it in the type's `Close` method.",
        ),
        (
            "worker.(*Pool).loop",
            "This goroutine belongs to a `Pool`: it runs `(Pool).loop` (started at worker/pool.go:13 in `New`), and only `Pool.Close` (worker/pool.go:32) ends it. The code that made the `Pool` never called it. Stop it when done: `p := worker.New(…)` followed by `defer p.Close()`.",
        ),
        (
            "panics.(*Registry).watch",
            "This goroutine is the background worker of a `Registry`: `NewRegistry` starts `(Registry).watch` (panics/registry.go:19), whose `select` at panics/registry.go:25 has no case that ends it, and `Registry` has no method that stops it. Give `Registry` a `Close` method that closes a quit channel the loop selects on (`case <-r.quit: return`), and call it when done (`defer r.Close()`).",
        ),
        (
            "leakyhelper.StartRefresher.func1",
            "The loop at leakyhelper/refresher.go:10 sleeps (`time.Sleep(interval)` at leakyhelper/refresher.go:11) and nothing can stop it, so it outlives its caller. Use a ticker and a way out: `t := time.NewTicker(d)`, `defer t.Stop()`, and `select { case <-ctx.Done(): return; case <-t.C: … }` (or a stop channel that the owner closes).",
        ),
        (
            "infiniteloop.(*Service).WhenReady.func1",
            "The loop at infiniteloop/spin.go:19 (`for !s.ready.Load() {`) never blocks and never ends: it spins on the CPU. Give the loop an exit it checks: block on a channel that is closed when the condition changes (`<-ready`), or check `ctx.Err()`/a done channel on every turn.",
        ),
        (
            "timeout.WaitAll",
            "This goroutine is the test `TestWaitAllHangs` itself, blocked for good: it never returns, so the run ends only at `-timeout`. `wg.Add(n)` at timeout/queue.go:24 is never matched: nothing in `WaitAll` calls `wg.Done()`, so `wg.Wait()` at timeout/queue.go:25 waits forever. Call `wg.Add(1)` right before each `go` statement and `defer wg.Done()` first thing in each goroutine.",
        ),
    ];
    for (f, want) in cases {
        assert_eq!(advice_of(&leaks, &format!("{m}{f}")), want, "{f}");
    }
}

#[test]
fn third_party_goroutines_get_the_goleak_option() {
    let leaks = leaks(&stream("go1.26/test.json"), &module());
    let read_loop = advice_of(&leaks, "net/http.(*persistConn).readLoop");
    assert!(
        read_loop.starts_with("An HTTP client connection was left open"),
        "{read_loop}"
    );
    assert!(read_loop.ends_with(
        "ignore it deliberately with `goleak.VerifyNone(t, goleak.IgnoreTopFunction(\"net/http.(*persistConn).readLoop\"))`."
    ));
    // Its top function is shared by every network wait: only IgnoreAnyFunction is specific enough.
    let conn = advice_of(&leaks, "net.(*netFD).Read");
    assert!(conn.contains("`goleak.VerifyNone(t, goleak.IgnoreAnyFunction(\"net/http.(*conn).serve\"))` (goleak ≥ v1.3.0;"), "{conn}");
    let accept = advice_of(&leaks, "net.(*netFD).accept");
    assert!(
        accept.starts_with("An `httptest.Server` was never closed"),
        "{accept}"
    );
    assert!(
        accept.contains("goleak.IgnoreAnyFunction(\"net/http/httptest.(*Server).goServe.func1\")"),
        "{accept}"
    );
    // User code never gets one.
    assert!(!advice_of(&leaks, "example.com/leaky/worker.(*Pool).loop").contains("goleak."));
}

#[test]
fn binary_reports_cause_and_advice_in_json_and_junit() {
    let run = fixture_run("go1.26/test.json");
    assert_eq!(run.status, 1, "{}", run.stderr);
    let json = run.json.unwrap();
    let leak = json["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["function"] == "example.com/leaky/mutex.(*Cache).RefreshAsync.func1")
        .unwrap();
    assert_eq!(leak["cause"], "lock-never-released");
    let advice = leak["advice"].as_str().unwrap();
    assert!(
        advice.starts_with("`c.mu` is locked at mutex/cache.go:24 in `Get`"),
        "{advice}"
    );
    let junit = run.junit.unwrap();
    assert!(
        junit.contains("    cause: lock-never-released\n"),
        "{junit}"
    );
    assert!(junit.contains("    fix: `c.mu` is locked at mutex/cache.go:24 in `Get`, which returns at mutex/cache.go:27"));
}
