//! The advice engine on the GoBench corpus (fixtures/gobench: the Go team's 69 goroutineleak-profile
//! programs of real blocking bugs, with their sources): every claim an advice text makes about a line is
//! checked against that line, the lock bugs get the cause their code shows, and the whole set of texts is a
//! reviewed snapshot.
//!
//! The sources sit in two folders that each hold many unrelated programs (one Go package), so a rule that
//! matched mutexes by field name alone would blame one program's bug on another's: the claims below catch
//! that.

use std::collections::BTreeMap;
use std::io::BufReader;

use goleash::advice::Cause;
use goleash::paths::Resolver;
use goleash::source::go::GoFile;
use goleash::{input, view, Pipeline};

use crate::common::repo;
use crate::gobench::cases;

/// (case, cause, advice) for every leak group of every case, with `--root fixtures/gobench/src`.
fn advice_of_every_case() -> Vec<(String, Cause, String)> {
    let root = repo().join("fixtures/gobench/src");
    let mut out = Vec::new();
    for case in cases() {
        let resolver = Resolver::new(Some(root.clone()));
        let mut p = Pipeline::new(resolver.clone(), Vec::new());
        let path = repo().join(format!("fixtures/gobench/{}.txt.gz", case.name));
        let gz = flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap());
        input::read(BufReader::new(gz), &mut p).unwrap();
        let (analysis, err) = p.finish();
        assert!(err.is_none(), "{}", case.name);
        for l in view::build(&analysis, &resolver).leaks {
            out.push((case.name.clone(), l.cause, l.advice));
        }
    }
    out
}

/// The sources, by the root-relative path advice texts use (`goker/etcd5509.go`).
fn sources() -> BTreeMap<String, GoFile> {
    let mut m = BTreeMap::new();
    for dir in ["goker", "patterns"] {
        for e in std::fs::read_dir(repo().join("fixtures/gobench/src").join(dir)).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().into_string().unwrap();
            if name.ends_with(".go") {
                let rel = format!("{dir}/{name}");
                let text = std::fs::read_to_string(e.path()).unwrap();
                m.insert(rel.clone(), GoFile::parse(&rel, &text));
            }
        }
    }
    m
}

/// The `path:line` references of a text, in order, as (path, 0-based line).
fn refs(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for w in text.split(|c: char| c.is_whitespace() || "(),`".contains(c)) {
        let w = w.trim_end_matches(['.', ':', ';']);
        if let Some((p, l)) = w.rsplit_once(".go:") {
            if let Ok(n) = l.parse::<usize>() {
                out.push((format!("{p}.go"), n - 1));
            }
        }
    }
    out
}

/// The text between the first backquotes after `after` in `s`.
fn quoted_after<'a>(s: &'a str, after: &str) -> Option<&'a str> {
    let rest = &s[s.find(after)? + after.len()..];
    let a = rest.find('`')?;
    let b = rest[a + 1..].find('`')?;
    Some(&rest[a + 1..a + 1 + b])
}

#[test]
fn every_claim_about_a_line_holds_in_the_source() {
    let src = sources();
    let all = advice_of_every_case();
    assert!(all.len() >= 120, "{} groups", all.len());
    let mut checked = 0;
    for (case, _cause, text) in &all {
        let r = refs(text);
        for (p, _) in &r {
            assert!(
                src.contains_key(p),
                "{case}: {p} is not a corpus file: {text}"
            );
        }
        // "`X` is locked at A in `F`, which returns at R without unlocking it"
        if let Some(rest) = text.split_once(" is locked at ").map(|(_, r)| r) {
            let mu = text[1..].split('`').next().unwrap();
            let (fa, la) = refs(rest)[0].clone();
            let f = &src[&fa];
            assert!(
                f.stmt(la).contains(&format!("{mu}.Lock()"))
                    || f.stmt(la).contains(&format!("{mu}.RLock()")),
                "{case}: {text}"
            );
            if let Some(ret) = rest.split_once("which returns at ").map(|(_, r)| r) {
                let (fr, lr) = refs(ret)[0].clone();
                assert_eq!(fr, fa, "{case}: the return is in another file: {text}");
                assert!(f.stmt(lr).starts_with("return"), "{case}: {text}");
                for k in la + 1..lr {
                    assert!(
                        !f.stmt(k).contains(&format!("{mu}.Unlock()"))
                            && !f.stmt(k).contains(&format!("{mu}.RUnlock()")),
                        "{case}: unlocked at {k} before the return: {text}"
                    );
                    let s = f.stmt(k);
                    assert!(
                        !(s.starts_with("case ") || s.starts_with("default:")),
                        "{case}: the return is in another clause: {text}"
                    );
                }
            }
            checked += 1;
        }
        // "This goroutine already holds `X`: … locked it at A (`S`)"
        if text.starts_with("This goroutine already holds `") {
            let mu = quoted_after(text, "already holds").unwrap();
            let rest = text.split_once("locked it at ").unwrap().1;
            let (fa, la) = refs(rest)[0].clone();
            let stmt = quoted_after(rest, "").unwrap();
            assert_eq!(src[&fa].src(la), stmt, "{case}: {text}");
            assert!(
                stmt.starts_with(&format!("{mu}.")) && stmt.contains("Lock()"),
                "{case}: {text}"
            );
            checked += 1;
        }
        // "`make(chan T, 1)`" fixes only for channels made unbuffered where the text says.
        if let Some(made) = text.split_once(" is made unbuffered at ").map(|(_, r)| r) {
            let (fm, lm) = refs(made)[0].clone();
            let call = quoted_after(made, "").unwrap();
            assert!(src[&fm].src(lm).contains(call), "{case}: {text}");
            assert!(!call.contains(','), "{case}: {text}");
            checked += 1;
        }
        // "The goroutine started at G reaches `D` (P) only after `S` (Q)"
        if let Some(rest) = text.strip_prefix("The goroutine started at ") {
            let r = refs(rest);
            let f = &src[&r[0].0];
            assert!(f.stmt(r[0].1).starts_with("go "), "{case}: {text}");
            assert_eq!(
                f.src(r[1].1),
                quoted_after(rest, "reaches").unwrap(),
                "{case}: {text}"
            );
            assert_eq!(
                f.src(r[2].1),
                quoted_after(rest, "only after").unwrap(),
                "{case}: {text}"
            );
            checked += 1;
        }
        // "`X` is buffered (`make(…)` at P)" / "is unbuffered (`make(…)` at P)": the make is on that line, with or
        // without a capacity as said; a buffered channel is never told to get room.
        for (word, buffered) in [(" is buffered (", true), (" is unbuffered (", false)] {
            if let Some(rest) = text.split_once(word).map(|(_, r)| r) {
                let call = quoted_after(rest, "").unwrap();
                let (fm, lm) = refs(rest)[0].clone();
                assert!(src[&fm].src(lm).contains(call), "{case}: {text}");
                let cap = goleash::source::go::parse_make_chan(call).unwrap().1;
                assert_eq!(cap.is_some_and(|c| c != "0"), buffered, "{case}: {text}");
                if buffered {
                    assert!(!text.contains("room for"), "{case}: {text}");
                }
                checked += 1;
            }
        }
        // "The `X.Lock()` at P" names the lock on the blocking line.
        if let Some(rest) = text.strip_prefix("The `") {
            let call = rest.split('`').next().unwrap();
            if call.ends_with("Lock()") {
                let (fb, lb) = refs(rest)[0].clone();
                assert!(src[&fb].stmt(lb).contains(call), "{case}: {text}");
                checked += 1;
            }
        }
        // Counts of `Done` callers are never claimed for goroutines started in a loop.
        if text.contains(" starts only ") || text.contains(" of the goroutines ") {
            let start = refs(text.split_once(" at ").unwrap().1)[0].clone();
            let f = &src[&start.0];
            let func = f.func_at(start.1).unwrap();
            for l in func.body.open..=func.body.close {
                if f.stmt(l).starts_with("go ") {
                    assert!(f.loop_around(l, &func.body).is_none(), "{case}: {text}");
                }
            }
            checked += 1;
        }
    }
    // Every claim of those forms that the corpus's advice makes today (a new one shows here).
    assert_eq!(checked, 68);
}

#[test]
fn lock_bugs_get_the_cause_their_code_shows() {
    let all = advice_of_every_case();
    let causes = |case: &str| -> Vec<Cause> {
        let mut v: Vec<Cause> = all
            .iter()
            .filter(|(c, _, _)| c == case)
            .map(|(_, c, _)| *c)
            .collect();
        v.sort();
        v
    };
    // A goroutine locking what it holds (GoBench "double locking" and "RWR deadlock" through one goroutine).
    for case in [
        "Cockroach9935",
        "Moby36114",
        "Moby7559",
        "Syncthing4829",
        "Kubernetes62464",
        "Cockroach6181",
    ] {
        assert!(
            causes(case).contains(&Cause::Deadlock),
            "{case}: {:?}",
            causes(case)
        );
    }
    assert_eq!(
        causes("Grpc795"),
        [Cause::LockNeverReleased, Cause::Deadlock]
    );
    // A holder that returns without unlocking, of the same type's mutex.
    for case in ["Etcd5509", "Moby17176", "Grpc3017", "Cockroach584"] {
        assert!(
            causes(case).contains(&Cause::LockNeverReleased),
            "{case}: {:?}",
            causes(case)
        );
        assert!(
            !causes(case).contains(&Cause::Deadlock),
            "{case}: {:?}",
            causes(case)
        );
        assert!(
            all.iter()
                .any(|(c, _, t)| c == case && t.contains(" is locked at ")),
            "{case}"
        );
    }
    // No holder is ever named in another program's file.
    for (case, _, text) in &all {
        if let Some(rest) = text.split_once(" is locked at ").map(|(_, r)| r) {
            let file = refs(rest)[0].0.clone();
            let own = refs(text).last().unwrap().0.clone();
            assert_eq!(file, own, "{case}: {text}");
        }
    }
}

#[test]
fn every_case_advice_snapshot() {
    let mut s = String::new();
    for (case, cause, text) in advice_of_every_case() {
        s.push_str(&format!("{case} | {cause} | {text}\n"));
    }
    insta::assert_snapshot!(s);
}
