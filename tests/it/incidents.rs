//! Incidents of the reproductions in fixtures/go/incident (captured by fixtures/gobench/capture as
//! ordinary `go test -json` runs: under goleak, under `go test -timeout`, in a synctest bubble).

use std::collections::BTreeMap;

use goleash::dump::{extract, Frame, Goroutine};
use goleash::incident::{self, Incident, Kind, Sources};
use goleash::source::go::GoFile;

use crate::common::repo;

/// The package's files, found by the path suffix `fixtures/go/…` of the printed (absolute) paths.
struct Package {
    files: Vec<(String, GoFile)>,
}

impl Package {
    fn load(pkg: &str) -> Package {
        let dir = repo().join("fixtures/go/incident").join(pkg);
        let mut files = Vec::new();
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = e.file_name().into_string().unwrap();
            if name.ends_with(".go") {
                let rel = format!("fixtures/go/incident/{pkg}/{name}");
                let text = std::fs::read_to_string(e.path()).unwrap();
                files.push((rel.clone(), GoFile::parse(&rel, &text)));
            }
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        Package { files }
    }
}

impl Sources for Package {
    fn file(&self, frame: &Frame) -> Option<&GoFile> {
        self.files
            .iter()
            .find(|(rel, _)| frame.file.ends_with(&format!("/{rel}")))
            .map(|(_, f)| f)
    }
    fn package(&self, frame: &Frame) -> Vec<&GoFile> {
        if self.file(frame).is_some() {
            self.files.iter().map(|(_, f)| f).collect()
        } else {
            Vec::new()
        }
    }
}

/// The output text of the stream (every `Output` field, in order).
fn output(pkg: &str) -> String {
    let text =
        std::fs::read_to_string(repo().join(format!("fixtures/gobench/tests/{pkg}.json"))).unwrap();
    let mut out = String::new();
    for l in text.lines() {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(l) {
            if let Some(o) = v.get("Output").and_then(|o| o.as_str()) {
                out.push_str(o);
            }
        }
    }
    out
}

/// The incidents of each report (block) of the package's stream.
fn incidents(pkg: &str) -> Vec<Incident> {
    let src = Package::load(pkg);
    let ex = extract(&output(pkg));
    let mut reports: BTreeMap<usize, Vec<Goroutine>> = BTreeMap::new();
    for s in ex.suspects {
        reports.entry(s.block).or_default().push(s.goroutine);
    }
    let mut out = Vec::new();
    for gs in reports.values() {
        let refs: Vec<&Goroutine> = gs.iter().collect();
        out.extend(incident::build(&refs, &src));
    }
    out
}

fn kinds(pkg: &str) -> Vec<Kind> {
    incidents(pkg).iter().map(|i| i.kind).collect()
}

#[test]
fn every_reproduction_gets_its_kind() {
    let got: Vec<(&str, Vec<Kind>)> = [
        "abandoned",
        "abba",
        "bufferedfull",
        "doublelock",
        "fetchtwo",
        "gobench5316",
        "gobench7504",
        "missingunlock",
        "rwr",
        "selectctx",
        "wgvictim",
    ]
    .into_iter()
    .map(|p| (p, kinds(p)))
    .collect();
    assert_eq!(
        got,
        vec![
            ("abandoned", vec![Kind::Channel]),
            ("abba", vec![Kind::AbBa]),
            ("bufferedfull", vec![Kind::Channel]),
            ("doublelock", vec![Kind::DoubleLocking]),
            ("fetchtwo", vec![Kind::Channel]),
            ("gobench5316", vec![Kind::Channel]),
            ("gobench7504", vec![Kind::AbBa]),
            ("missingunlock", vec![Kind::MissingUnlock]),
            ("rwr", vec![Kind::Rwr]),
            ("selectctx", vec![Kind::ChannelContext]),
            ("wgvictim", vec![Kind::ChannelWaitgroup]),
        ]
    );
}

/// Each reproduction's incident says what the code shows: both locks and both waiting lines of an AB-BA,
/// the outer acquisition of a double lock, the re-entered read lock, the `return` that keeps a lock, a
/// buffered channel as buffered, who stopped receiving and where.
#[test]
fn every_reproduction_is_explained_exactly() {
    let mut got: Vec<(&str, String, String)> = Vec::new();
    for p in [
        "abandoned",
        "abba",
        "bufferedfull",
        "doublelock",
        "fetchtwo",
        "gobench5316",
        "gobench7504",
        "missingunlock",
        "rwr",
        "selectctx",
        "wgvictim",
    ] {
        for i in incidents(p) {
            got.push((p, i.id, i.explanation));
        }
    }
    let want: Vec<(&str, &str, &str)> = vec![
        (
            "abandoned",
            "31c43da2b572",
            "Channel: `ch (in Lines)`, unbuffered, made at lines.go:10 is waited on at lines.go:13: the channel is returned to the caller, which stops draining it at lines.go:23.",
        ),
        (
            "abba",
            "363ebb37f665",
            "Lock-order deadlock (AB-BA): `TestABBA.func1` holds `a (in TestABBA)` (locked at abba_test.go:18) and waits for `b (in TestABBA)` at abba_test.go:22, while `TestABBA.func2` holds `b (in TestABBA)` (locked at abba_test.go:27) and waits for `a (in TestABBA)` at abba_test.go:31. Take the two locks in one order everywhere, or release the first before taking the second.",
        ),
        (
            "bufferedfull",
            "729dcd9ea895",
            "Channel: `results (in Fastest)`, buffered (capacity 1) and full, made at fetch.go:12 is waited on at fetch.go:15: no goroutine of this report would complete it.",
        ),
        (
            "doublelock",
            "8b31396a85f3",
            "Double locking: the goroutine waits at cache.go:19 for `Cache.mu`, which it already holds (locked at cache.go:26); Go's locks are not re-entrant. Call a variant that expects the lock held, or release it before the call.",
        ),
        (
            "fetchtwo",
            "0bcc934008af",
            "Channel: `cb (in fetchTwo)`, unbuffered, made at fetch.go:19 is waited on at fetch.go:21: the receiver returned early at fetch.go:24 without receiving.",
        ),
        (
            "gobench5316",
            "91f1f1b51e4e",
            "Channel: `ch (in finishRequest)`, unbuffered, made at request.go:14 is waited on at request.go:20: the receiver's select gave up on the timer at request.go:27.",
        ),
        (
            "gobench7504",
            "2e5eed9b7ca7",
            "Lock-order deadlock (AB-BA): `(*tableNameCache).get` holds `tableNameCache.mu` (locked at lease.go:62) and waits for `LeaseState.mu` at lease.go:68, while `(*tableNameCache).remove` holds `LeaseState.mu` (locked at lease.go:44) and waits for `tableNameCache.mu` at lease.go:73. Take the two locks in one order everywhere, or release the first before taking the second.",
        ),
        (
            "missingunlock",
            "47b7b7cb46f5",
            "Missing unlock: the goroutine waits at account.go:32 for `Account.mu`, which no blocked goroutine holds; the `Lock` at account.go:21 is followed by a `return` at account.go:23 that leaves it locked. Unlock on that path, or `defer` the unlock right after the `Lock`.",
        ),
        (
            "rwr",
            "eb91e2864d34",
            "Reader-writer-reader deadlock on `Store.mu`: a reader holds the read lock (locked at store.go:22) and asks for it again at store.go:29 while a writer waits for the lock; a pending `Lock` blocks new readers. Take the read lock once per call path.",
        ),
        (
            "selectctx",
            "78b91d48191a",
            "Channel and context: `ch (in Ticks)`, unbuffered, made at stream.go:13 is waited on at stream.go:17: the channel is returned to the caller at stream.go:22; check that every caller drains it; the select at stream.go:16 has no `<-ctx.Done()` case although `ctx` is in scope: add one that returns.",
        ),
        (
            "wgvictim",
            "58b61faca3c6",
            "Channel and WaitGroup: `results (in collect)`, unbuffered, made at collect_test.go:14 is waited on at collect_test.go:19: 1 blocked goroutine stack(s) would complete it later.",
        ),
    ];
    let want: Vec<(&str, String, String)> = want
        .into_iter()
        .map(|(p, i, e)| (p, i.to_string(), e.to_string()))
        .collect();
    pretty_assertions::assert_eq!(got, want);
}
