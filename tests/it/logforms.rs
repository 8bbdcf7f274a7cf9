//! CI log forms read by the input readers (issue 13's fidelity, issue 14's log forms): a timestamped,
//! de-indented, CR LF or coloured copy of a real capture (`fixtures/streams/wild/derived/`, made by the
//! documented transformations of `fixtures/regenerate-wild`) gives exactly the plain capture's report, and
//! one warning names the forms undone. A prefix is undone only when every line carries it.

use crate::common::*;

/// The JSON report of one input, and its warnings apart.
fn report(path: &std::path::Path) -> (Value, Vec<String>) {
    let r = goleash(&[path], &[]);
    assert_eq!(r.status, 1, "{}: {}", path.display(), r.stderr);
    let mut json = r.json.unwrap();
    let warnings = json
        .as_object_mut()
        .unwrap()
        .remove("warnings")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|w| format!("{}: {}", w["line"], w["message"].as_str().unwrap()))
        .collect();
    (json, warnings)
}

/// (package, result, tests, failed) of every package.
fn packages(json: &Value) -> Vec<(String, String, u64, u64)> {
    json["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["result"].as_str().unwrap().to_string(),
                p["tests"].as_u64().unwrap(),
                p["failed"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// (package, test, kind, first line of the message, leak ids) of every failure, sorted.
fn failures(json: &Value) -> Vec<(String, String, String, String, Vec<String>)> {
    let mut v: Vec<_> = json["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["package"].as_str().unwrap().to_string(),
                f["test"].as_str().unwrap_or_default().to_string(),
                f["kind"].as_str().unwrap().to_string(),
                f["message"]
                    .as_str()
                    .unwrap()
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                f["leaks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    v.sort();
    v
}

/// (id, goroutines, source, function) of every leak group, sorted.
fn leaks(json: &Value) -> Vec<(String, u64, String, String)> {
    let mut v: Vec<_> = json["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["id"].as_str().unwrap().to_string(),
                l["goroutines"].as_u64().unwrap(),
                l["sources"][0].as_str().unwrap().to_string(),
                l["function"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("example.com/wild/")
                    .to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn s(v: &str) -> String {
    v.to_string()
}

/// The plain Go 1.26 capture's truth, written from reading it (`conn`: the goroutine id leakcheck names,
/// the one thing that differs between the JSON and the text run).
fn assert_plain_truth(json: &Value, name: &str, conn: u64) {
    let p = |n: &str, r: &str, t: u64, f: u64| (format!("example.com/wild/{n}"), s(r), t, f);
    assert_eq!(
        packages(json),
        vec![
            p("forms", "fail", 6, 6),
            p("goleakcrash", "panic", 1, 1),
            p("homemade", "fail", 2, 2),
            p("leakcheck", "fail", 1, 1),
            p("leakcheck/internal/leakcheck", "skip", 0, 0),
            p("notstarted/blocked", "panic", 1, 1),
            p("notstarted/early", "panic", 1, 1),
            p("notstarted/registry", "skip", 0, 0),
        ],
        "{name}"
    );
    let (d, g, a, c, i, w) = (
        "fafe36f74b9c",
        "bc4561358420",
        "f3bd86af3ccb",
        "f3ce24ecbdd6",
        "4031e79d1e55",
        "129beb139691",
    );
    let f = |pkg: &str, test: &str, kind: &str, msg: &str, ids: &[&str]| {
        (
            format!("example.com/wild/{pkg}"),
            s(test),
            s(kind),
            s(msg),
            ids.iter().map(|x| s(x)).collect::<Vec<_>>(),
        )
    };
    let goleak = |n: &str| format!("forms_test.go:{n}: found unexpected goroutines:");
    let mut want = vec![
            f("forms", "TestDirect", "test", &goleak("16"), &[d]),
            f("forms", "TestErrgroup", "test", &goleak("21"), &[d, g]),
            f("forms", "TestTimeAfterFunc", "test", &goleak("26"), &[d, g, a]),
            f("forms", "TestContextAfterFunc", "test", &goleak("33"), &[d, g, a, c]),
            f("forms", "TestInlinedClosure", "test", &goleak("38"), &[d, g, a, c, i]),
            f(
                "forms",
                "TestWaitGroupGo",
                "test",
                "wggo_test.go:14: found unexpected goroutines:",
                &[d, g, a, c, i, w]
            ),
            f(
                "goleakcrash",
                "TestDeepLeak",
                "panic",
                "panic: Failed to parse stack trace: parse function: no function found: \"...51 frames elided...\"",
                &["6b8c5223e288"]
            ),
            f(
                "homemade",
                "TestHomemadeStack",
                "test",
                "homemade_test.go:25: 1 leaked goroutines:",
                &[]
            ),
            f(
                "homemade",
                "TestHomemadeProfile",
                "test",
                "homemade_test.go:43: goroutineleak profile: 2 leaked goroutines",
                &["4ec57a99a268"]
            ),
            f(
                "leakcheck",
                "TestDialForgetsClose",
                "test",
                &format!("leakcheck.go:70: Leaked goroutine: goroutine {conn} [select]:"),
                &["f9bea42183e0"]
            ),
            f(
                "notstarted/blocked",
                "TestRegisterBlocked",
                "panic",
                "panic: assignment to entry in nil map [recovered, repanicked]",
                &["4c78debcf8e4"]
            ),
            f(
                "notstarted/early",
                "TestRegisterEarly",
                "panic",
                "panic: assignment to entry in nil map [recovered, repanicked]",
                // Caught before it ran: the leak of the same `go` statement as notstarted/blocked's.
                &["4c78debcf8e4"]
            ),
        ];
    want.sort();
    assert_eq!(failures(json), want, "{name}");
    let l = |id: &str, n: u64, src: &str, func: &str| (s(id), n, s(src), s(func));
    let mut want = vec![
        l(d, 1, "goleak", "forms.StartDirect.func1"),
        l(g, 1, "goleak", "forms.StartGroup.func1"),
        l(a, 1, "goleak", "forms.StartAfterFunc.func1"),
        l(c, 1, "goleak", "forms.StartContextAfterFunc.func1"),
        l(i, 1, "goleak", "forms.StartWorker.mk.func1"),
        l(w, 1, "goleak", "forms.StartWaitGroupGo.func1"),
        l("6b8c5223e288", 1, "detector-failed", "goleakcrash.descend"),
        l("4ec57a99a268", 2, "dump", "homemade.StartSender.func1"),
        l("f9bea42183e0", 1, "leakcheck", "leakcheck.(*Conn).reader"),
        l(
            "4c78debcf8e4",
            2,
            "panic",
            "notstarted/registry.(*Registry).watch",
        ),
    ];
    want.sort();
    assert_eq!(leaks(json), want, "{name}");
}

/// Every derived form of the Go 1.26 capture gives the plain capture's whole report (packages, cases,
/// results, failure kinds and messages, leak ids, counts, occurrences, locations), plus one warning.
#[test]
fn every_log_form_gives_the_plain_captures_report() {
    let wild = |rel: &str| stream(&format!("wild/{rel}"));
    let (plain_json, plain_w) = report(&wild("go1.26/test.json"));
    let (plain_text, plain_text_w) = report(&wild("go1.26/test-v.txt"));
    let (windows_text, windows_w) = report(&wild("derived/windows-v.txt"));
    assert_plain_truth(&plain_json, "go1.26/test.json", 4);
    assert_plain_truth(&plain_text, "go1.26/test-v.txt", 7);
    assert_eq!(plain_w, Vec::<String>::new());
    assert_eq!(plain_text_w, Vec::<String>::new());
    assert_eq!(windows_w, Vec::<String>::new());
    for (rel, plain, warning) in [
        (
            "derived/timestamped.json",
            &plain_json,
            "1: read as a CI log: GitHub Actions log timestamps undone",
        ),
        (
            "derived/crlf.json",
            &plain_json,
            "1: read as a CI log: CRLF line ends undone",
        ),
        (
            "derived/timestamped-v.txt",
            &plain_text,
            "1: read as a CI log: GitHub Actions log timestamps undone",
        ),
        (
            "derived/crlf-v.txt",
            &plain_text,
            "1: read as a CI log: CRLF line ends undone",
        ),
        (
            "derived/ansi-v.txt",
            &plain_text,
            "1: read as a CI log: ANSI colour codes undone",
        ),
        (
            "derived/deindented-v.txt",
            &plain_text,
            "5: read as a CI log: stack file lines without their leading tab undone",
        ),
        (
            "derived/windows-timestamped-deindented-v.txt",
            &windows_text,
            "1: read as a CI log: GitHub Actions log timestamps, stack file lines without their leading tab undone",
        ),
    ] {
        let (json, w) = report(&wild(rel));
        assert!(json == *plain, "{rel}: not the plain capture's report");
        assert_eq!(w, vec![s(warning)], "{rel}");
    }
}

/// A line whose own content starts like a log prefix keeps it when the other lines have none; in a
/// timestamped log only the log's own timestamp is removed; a test's own colours stay when no colouriser
/// touched the log.
#[test]
fn a_prefix_is_undone_only_when_every_line_has_it() {
    let plain = std::fs::read_to_string(stream("wild/go1.26/test-v.txt")).unwrap();
    let run = "=== RUN   TestDirect\n";
    assert!(plain.starts_with(run));
    let ts = "2026-05-09T01:47:38.1310910Z ";
    let dir = tempfile::tempdir().unwrap();
    let with = |name: &str, text: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        let r = goleash(&[&p], &[]);
        assert_eq!(r.status, 1, "{name}");
        let json = r.json.unwrap();
        let w: Vec<String> = json["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["message"].as_str().unwrap().to_string())
            .collect();
        (json, w, r.junit.unwrap())
    };
    // A logger's line in TestDirect's output that starts with a timestamp, in a plain log: kept.
    let own = format!("{ts}db: connected\n");
    let (json, w, junit) = with("own.txt", plain.replacen(run, &format!("{run}{own}"), 1));
    assert_eq!(w, Vec::<String>::new());
    assert!(junit.contains(own.trim_end()), "{junit}");
    // The same log timestamped as a whole: the log's timestamps go, the logger's stays.
    let whole: String = plain
        .replacen(run, &format!("{run}{own}"), 1)
        .split_inclusive('\n')
        .map(|l| format!("{ts}{l}"))
        .collect();
    let (json2, w2, junit2) = with("stamped.txt", whole);
    assert_eq!(
        w2,
        vec![s("read as a CI log: GitHub Actions log timestamps undone")]
    );
    assert!(junit2 == junit, "the timestamped copy's JUnit differs");
    let drop_warnings = |mut j: Value| {
        j.as_object_mut().unwrap().remove("warnings");
        j
    };
    assert!(drop_warnings(json2) == drop_warnings(json.clone()));
    // A test's own coloured line in a log no colouriser touched keeps its escape codes (the JUnit writer
    // shows them escaped), unlike the same line without them.
    let (_, w3, junit3) = with(
        "coloured.txt",
        plain.replacen(run, &format!("{run}\x1b[32mdb: connected\x1b[0m\n"), 1),
    );
    let (_, _, junit4) = with(
        "uncoloured.txt",
        plain.replacen(run, &format!("{run}db: connected\n"), 1),
    );
    assert_eq!(w3, Vec::<String>::new());
    assert!(junit3 != junit4, "the test's own colour codes were removed");
}

/// `expand` (tabs to spaces, 8 columns), as a copied log has them.
fn expand(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut col = 0;
    for c in text.chars() {
        match c {
            '\t' => {
                let n = 8 - col % 8;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\n' => {
                out.push(c);
                col = 0;
            }
            _ => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

/// A tab-expanded copy (`fixtures/streams/fidelity/all-expanded.txt` is `expand all.txt`; the bare dumps
/// are expanded here the same way) keeps every frame: the same report as the original, leaks included.
#[test]
fn tab_expanded_copies_keep_their_frames() {
    let without_warnings = |p: &std::path::Path| {
        let r = goleash(&[p], &[]);
        let mut json = r.json.unwrap();
        let w = std::mem::take(&mut json["warnings"]);
        (r.status, json, w)
    };
    let (st, plain, w) = without_warnings(&stream("fidelity/all.txt"));
    let (st2, expanded, w2) = without_warnings(&stream("fidelity/all-expanded.txt"));
    assert_eq!((st, st2), (1, 1));
    assert_eq!(w, serde_json::json!([]));
    assert_eq!(
        w2[0]["message"],
        "read as a CI log: stack file lines without their leading tab undone"
    );
    assert_eq!(
        leaks(&expanded),
        vec![
            (
                s("3fb6c0f56c97"),
                1,
                s("timeout"),
                s("example.com/fidelity/hang.TestHang.func1")
            ),
            (
                s("7b4497ee293f"),
                1,
                s("timeout"),
                s("example.com/fidelity/hang.TestHang")
            ),
        ]
    );
    assert!(expanded == plain, "all-expanded.txt: not all.txt's report");
    let dir = tempfile::tempdir().unwrap();
    for rel in [
        "dumps/panic-log.txt",
        "dumps/goroutine-debug2.txt",
        "dumps/goroutineleak-debug2.txt",
    ] {
        let text = std::fs::read_to_string(stream(rel)).unwrap();
        assert!(text.contains("\n\t/"), "{rel}");
        let p = dir.path().join(rel.replace('/', "_"));
        std::fs::write(&p, expand(&text)).unwrap();
        let (a, plain, _) = without_warnings(&stream(rel));
        let (b, expanded, w) = without_warnings(&p);
        assert_eq!(a, b, "{rel}");
        assert!(!leaks(&plain).is_empty(), "{rel}");
        assert!(
            expanded == plain,
            "{rel}: the expanded copy's report differs"
        );
        assert_eq!(
            w[0]["message"], "read as a CI log: stack file lines without their leading tab undone",
            "{rel}"
        );
    }
}
