//! Issue 14 on the real captures of `fixtures/wild` (`fixtures/streams/wild/`, see its README): log forms,
//! other leak detectors, wrapper creators and Go 1.27's closure names, read with the library's pure
//! functions.

use std::collections::{BTreeMap, BTreeSet};

use goleash::dump::detectors;
use goleash::dump::wrappers::{self, canonical_function, Wrapper};
use goleash::dump::{self as gdump, Goroutine, Source};
use goleash::logform::LineNormalizer;

use crate::common::*;

fn read(rel: &str) -> String {
    std::fs::read_to_string(stream(&format!("wild/{rel}"))).unwrap()
}

/// Each test's output of a test2json capture, joined: `(package, test) -> text`.
fn outputs(rel: &str) -> BTreeMap<(String, String), String> {
    let mut m: BTreeMap<(String, String), String> = BTreeMap::new();
    for l in read(rel).lines() {
        let Ok(e) = serde_json::from_str::<Value>(l) else {
            continue;
        };
        if e["Action"] == "output" {
            let key = (
                e["Package"].as_str().unwrap_or_default().to_string(),
                e["Test"].as_str().unwrap_or_default().to_string(),
            );
            m.entry(key)
                .or_default()
                .push_str(e["Output"].as_str().unwrap());
        }
    }
    m
}

fn normalized(text: &str) -> (String, String) {
    let mut n = LineNormalizer::new();
    let mut out = String::with_capacity(text.len());
    for l in text.split('\n') {
        out.push_str(&n.line(l));
        out.push('\n');
    }
    out.pop();
    (out, n.seen().describe())
}

/// (id, state, function of each frame, file and line of each frame, creator) of every goroutine.
type Shape = (
    u64,
    String,
    Vec<(String, String, u32)>,
    Option<(String, String, u32)>,
);

fn shapes(gs: &[Goroutine]) -> Vec<Shape> {
    gs.iter()
        .map(|g| {
            (
                g.id,
                g.state.clone(),
                g.frames
                    .iter()
                    .map(|f| (f.function.clone(), f.file.clone(), f.line))
                    .collect(),
                g.created_by
                    .as_ref()
                    .map(|c| (c.function.clone(), c.file.clone(), c.line)),
            )
        })
        .collect()
}

#[test]
fn log_forms_give_back_what_go_test_printed() {
    let original = read("go1.26/test-v.txt");
    for (rel, forms) in [
        ("derived/timestamped-v.txt", "GitHub Actions log timestamps"),
        ("derived/ansi-v.txt", "ANSI colour codes"),
        ("derived/crlf-v.txt", "CRLF line ends"),
    ] {
        let (text, seen) = normalized(&read(rel));
        assert_eq!(seen, forms, "{rel}");
        assert!(text == original, "{rel}: not the original text");
    }
    // Blank lines are gone for good in de-indented logs; every goroutine comes back the same.
    let want = shapes(&gdump::parse(&original));
    // 21 goroutines in goleak lists, 15 runtime headers (goleak's crash, the homemade dumps, two panics).
    assert_eq!(want.len(), 36);
    let (text, seen) = normalized(&read("derived/deindented-v.txt"));
    assert_eq!(seen, "stack file lines without their leading tab");
    assert_eq!(shapes(&gdump::parse(&text)), want);
    let (text, seen) = normalized(&read("derived/windows-timestamped-deindented-v.txt"));
    assert_eq!(
        seen,
        "GitHub Actions log timestamps, stack file lines without their leading tab"
    );
    assert_eq!(
        shapes(&gdump::parse(&text)),
        shapes(&gdump::parse(&read("derived/windows-v.txt")))
    );
    // A JSON capture behind timestamps: every line is the captured event again.
    let (text, _) = normalized(&read("derived/timestamped.json"));
    assert!(text == read("go1.26/test.json"));
}

/// `(test, detector, goroutines, stated count, first function, creator)` of every detector block.
fn detector_blocks(rel: &str) -> BTreeSet<(String, Source, usize, Option<usize>, String, String)> {
    let mut v = BTreeSet::new();
    for ((_, test), text) in outputs(rel) {
        for b in detectors::find(&text) {
            let g = &b.goroutines[0];
            v.insert((
                test.clone(),
                b.source,
                b.goroutines.len(),
                b.stated_count,
                g.frames[0].function.clone(),
                g.created_by
                    .as_ref()
                    .map(|c| c.function.clone())
                    .unwrap_or_default(),
            ));
        }
    }
    v
}

#[test]
fn other_detectors_are_extracted_with_exact_counts() {
    let pool = "example.com/wild/detectors.(*Pool).loop".to_string();
    let new_pool = "example.com/wild/detectors.NewPool".to_string();
    for v in ["go1.26", "go1.27"] {
        let got = detector_blocks(&format!("{v}/detectors.json"));
        let want = BTreeSet::from([
            (
                "TestPoolGleak".into(),
                Source::Gleak,
                1,
                Some(1),
                pool.clone(),
                new_pool.clone(),
            ),
            (
                "TestPoolLeaktest".into(),
                Source::Leaktest,
                1,
                None,
                pool.clone(),
                new_pool.clone(),
            ),
            (
                "TestPoolTestify".into(),
                Source::Testify,
                1,
                None,
                pool.clone(),
                String::new(),
            ),
        ]);
        assert_eq!(got, want, "{v}");
    }
    for v in ["go1.24", "go1.25", "go1.26", "go1.27"] {
        let got = detector_blocks(&format!("{v}/test.json"));
        let want = BTreeSet::from([(
            "TestDialForgetsClose".to_string(),
            Source::Leakcheck,
            1,
            None,
            "example.com/wild/leakcheck.(*Conn).reader".to_string(),
            "example.com/wild/leakcheck.Dial".to_string(),
        )]);
        assert_eq!(got, want, "{v}");
        let out = outputs(&format!("{v}/deadlock.json"));
        let text = &out[&(
            "example.com/wild/deadlock".into(),
            "TestWaitsForever".into(),
        )];
        let fatal: Vec<Source> = text.lines().filter_map(detectors::panic_detector).collect();
        assert_eq!(fatal, [Source::FatalDeadlock], "{v}");
        let out = outputs(&format!("{v}/test.json"));
        let text = &out[&("example.com/wild/goleakcrash".into(), "TestDeepLeak".into())];
        let crash = text
            .lines()
            .filter_map(|l| detectors::panic_detector(l.trim_start()))
            .count();
        // Go 1.24 prints the panic chain: the message twice.
        assert_eq!(crash, if v == "go1.24" { 2 } else { 1 }, "{v}");
    }
}

/// Every capture of the forms package, with the goroutines its last test's goleak list names.
const FORMS_CAPTURES: [&str; 12] = [
    "go1.24/test.json",
    "go1.24/test-trimpath.json",
    "go1.25/test.json",
    "go1.25/test-trimpath.json",
    "go1.26/test.json",
    "go1.26/test-trimpath.json",
    "go1.26/vendor.json",
    "go1.27/test.json",
    "go1.27/test-trimpath.json",
    "derived/windows.json",
    "derived/crlf.json",
    "go1.26/test-v.txt",
];

/// The goroutines of the last goleak list of the forms package (it names every leak of the package).
fn forms_goroutines(rel: &str) -> Vec<Goroutine> {
    let text = if rel.ends_with(".json") {
        let out = outputs(rel);
        let last = if rel.starts_with("go1.24") {
            "TestInlinedClosure"
        } else {
            "TestWaitGroupGo"
        };
        out[&("example.com/wild/forms".into(), last.into())].clone()
    } else {
        let t = read(rel);
        let start = t.find("=== RUN   TestWaitGroupGo").unwrap();
        let end = start + t[start..].find("--- FAIL: TestWaitGroupGo").unwrap();
        t[start..end].to_string()
    };
    let ex = gdump::extract(&text);
    ex.suspects.into_iter().map(|s| s.goroutine).collect()
}

#[test]
fn closures_of_inlined_helpers_keep_one_name_across_go_versions() {
    let want: BTreeSet<String> = [
        "StartDirect.func1",
        "StartGroup.func1",
        "StartAfterFunc.func1",
        "StartContextAfterFunc.func1",
        "mk.func1",
        "StartWaitGroupGo.func1",
    ]
    .iter()
    .map(|f| format!("example.com/wild/forms.{f}"))
    .collect();
    for rel in FORMS_CAPTURES {
        let got: BTreeSet<String> = forms_goroutines(rel)
            .iter()
            .map(|g| canonical_function(&g.frames[0].function).into_owned())
            .collect();
        if rel.starts_with("go1.24") {
            let mut w = want.clone();
            w.remove("example.com/wild/forms.StartWaitGroupGo.func1");
            assert_eq!(got, w, "{rel}");
        } else {
            assert_eq!(got, want, "{rel}");
        }
    }
    // As printed, the names differ: 1.24-1.26 name the literal after StartWorker too.
    let printed = |rel: &str| {
        forms_goroutines(rel)
            .iter()
            .map(|g| g.frames[0].function.clone())
            .find(|f| f.contains("mk.func1"))
            .unwrap()
    };
    assert_eq!(
        printed("go1.26/test.json"),
        "example.com/wild/forms.StartWorker.mk.func1"
    );
    assert_eq!(
        printed("go1.27/test.json"),
        "example.com/wild/forms.mk.func1"
    );
}

#[test]
fn wrapper_started_leaks_name_the_users_call_site() {
    let forms = module().join("../wild/forms");
    let source = |file: &str| {
        let name = file.rsplit('/').next().unwrap();
        std::fs::read_to_string(forms.join(name)).unwrap()
    };
    let creators = |rel: &str| -> BTreeMap<String, (String, Option<Wrapper>, String, u32)> {
        forms_goroutines(rel)
            .iter()
            .map(|g| {
                let c = wrappers::effective_creator(g, |entry, w| {
                    wrappers::call_site_line(&source(&entry.file), entry.line, w)
                })
                .unwrap();
                let file = c.file.rsplit('/').next().unwrap().to_string();
                (
                    canonical_function(&g.frames[0].function)
                        .trim_start_matches("example.com/wild/forms.")
                        .to_string(),
                    (
                        c.function
                            .trim_start_matches("example.com/wild/forms.")
                            .to_string(),
                        wrappers::user_creator(g).map(|u| u.wrapper),
                        file,
                        c.line,
                    ),
                )
            })
            .collect()
    };
    let mut want: BTreeMap<String, (String, Option<Wrapper>, String, u32)> = BTreeMap::from([
        (
            "StartDirect.func1".into(),
            ("StartDirect".into(), None, "forms.go".into(), 18),
        ),
        (
            "StartGroup.func1".into(),
            (
                "StartGroup".into(),
                Some(Wrapper::Errgroup),
                "forms.go".into(),
                27,
            ),
        ),
        (
            "StartAfterFunc.func1".into(),
            (
                "StartAfterFunc".into(),
                Some(Wrapper::TimeAfterFunc),
                "forms.go".into(),
                37,
            ),
        ),
        (
            "StartContextAfterFunc.func1".into(),
            (
                "StartContextAfterFunc".into(),
                Some(Wrapper::ContextAfterFunc),
                "forms.go".into(),
                46,
            ),
        ),
        (
            "mk.func1".into(),
            ("StartWorker".into(), None, "forms.go".into(), 62),
        ),
        (
            "StartWaitGroupGo.func1".into(),
            (
                "StartWaitGroupGo".into(),
                Some(Wrapper::WaitGroupGo),
                "wggo.go".into(),
                12,
            ),
        ),
    ]);
    for rel in FORMS_CAPTURES {
        if rel.starts_with("go1.24") {
            continue;
        }
        assert_eq!(creators(rel), want, "{rel}");
    }
    want.remove("StartWaitGroupGo.func1");
    assert_eq!(creators("go1.24/test.json"), want);
}

/// The id and creator (function, file, line) of each leak form of `fixtures/wild/forms`, as reported
/// with `--root fixtures/wild`: the same in every capture.
fn forms_report(input: &std::path::Path) -> BTreeMap<String, (String, String, String, u64)> {
    let root = module().join("../wild");
    let run = goleash(&[input], &["--root", root.to_str().unwrap(), "-q"]);
    let json = run.json.unwrap();
    json["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| {
            l["function"]
                .as_str()
                .unwrap()
                .starts_with("example.com/wild/forms.")
        })
        .map(|l| {
            let f = canonical_function(l["function"].as_str().unwrap())
                .trim_start_matches("example.com/wild/forms.")
                .to_string();
            let c = &l["created_by"];
            (
                f,
                (
                    l["id"].as_str().unwrap().to_string(),
                    c["function"]
                        .as_str()
                        .unwrap()
                        .trim_start_matches("example.com/wild/forms.")
                        .to_string(),
                    c["file"].as_str().unwrap().to_string(),
                    c["line"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

/// Issue 14's done-when: each leak form keeps its id on Go 1.24-1.27, with and without -trimpath, vendored,
/// on Linux and Windows paths, in JSON, plain -v, CRLF and coloured logs, and in GitHub-timestamped and
/// de-indented logs (undone line by line by `logform::LineNormalizer`: the readers do not call it yet);
/// and its creator is the user's call site, not the wrapper.
#[test]
fn each_leak_form_has_one_id_and_the_users_creator_in_every_capture() {
    let e = |id: &str, creator: &str, file: &str, line: u64| {
        (id.to_string(), creator.to_string(), file.to_string(), line)
    };
    let mut want = BTreeMap::from([
        (
            "StartDirect.func1".to_string(),
            e("fafe36f74b9c", "StartDirect", "forms/forms.go", 18),
        ),
        (
            "StartGroup.func1".to_string(),
            e("bc4561358420", "StartGroup", "forms/forms.go", 27),
        ),
        (
            "StartAfterFunc.func1".to_string(),
            e("f3bd86af3ccb", "StartAfterFunc", "forms/forms.go", 37),
        ),
        (
            "StartContextAfterFunc.func1".to_string(),
            e(
                "f3ce24ecbdd6",
                "StartContextAfterFunc",
                "forms/forms.go",
                46,
            ),
        ),
        (
            "mk.func1".to_string(),
            e("4031e79d1e55", "StartWorker", "forms/forms.go", 62),
        ),
        (
            "StartWaitGroupGo.func1".to_string(),
            e("129beb139691", "StartWaitGroupGo", "forms/wggo.go", 12),
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let mut inputs: Vec<(String, std::path::PathBuf)> = [
        "go1.25/test.json",
        "go1.25/test-trimpath.json",
        "go1.25/test-v.txt",
        "go1.26/test.json",
        "go1.26/test-trimpath.json",
        "go1.26/test-v.txt",
        "go1.26/vendor.json",
        "go1.27/test.json",
        "go1.27/test-trimpath.json",
        "go1.27/test-v.txt",
        "derived/windows.json",
        "derived/windows-v.txt",
        "derived/crlf.json",
        "derived/crlf-v.txt",
        "derived/ansi-v.txt",
    ]
    .iter()
    .map(|r| (r.to_string(), stream(&format!("wild/{r}"))))
    .collect();
    for rel in [
        "derived/timestamped.json",
        "derived/timestamped-v.txt",
        "derived/deindented-v.txt",
        "derived/windows-timestamped-deindented-v.txt",
    ] {
        let p = dir.path().join(rel.replace('/', "_"));
        std::fs::write(&p, normalized(&read(rel)).0).unwrap();
        inputs.push((format!("{rel} (normalized)"), p));
    }
    for (name, p) in &inputs {
        assert_eq!(&forms_report(p), &want, "{name}");
    }
    want.remove("StartWaitGroupGo.func1");
    for rel in [
        "go1.24/test.json",
        "go1.24/test-trimpath.json",
        "go1.24/test-v.txt",
    ] {
        assert_eq!(forms_report(&stream(&format!("wild/{rel}"))), want, "{rel}");
    }
}

/// `(test, source, count)` of an occurrence.
type Occ = (String, String, u64);

/// `(id, sources, goroutines, function, occurrences)` of every leak of a capture.
type LeakRow = (String, Vec<String>, u64, String, Vec<Occ>);

fn leak_rows(rel: &str, root: &str) -> Vec<LeakRow> {
    let root = module().join(root);
    let run = goleash(
        &[&stream(&format!("wild/{rel}"))],
        &["--root", root.to_str().unwrap(), "-q"],
    );
    let json = run.json.unwrap();
    json["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (
                s(&l["id"]),
                l["sources"].as_array().unwrap().iter().map(s).collect(),
                l["goroutines"].as_u64().unwrap(),
                s(&l["function"]),
                l["occurrences"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| {
                        (
                            s(&o["test"]),
                            s(&o["source"]),
                            o["count"].as_u64().unwrap_or(1),
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn other_detectors_report_with_their_own_sources() {
    let o = |t: &str, s: &str| (t.to_string(), s.to_string(), 1);
    for v in ["go1.26", "go1.27"] {
        // One leak (the pool's loop) seen by three detectors in three test binaries: 3 goroutines.
        assert_eq!(
            leak_rows(&format!("{v}/detectors.json"), "../wild/detectors"),
            [(
                "1fa22cb97f3d".to_string(),
                vec![
                    "gleak".to_string(),
                    "leaktest".to_string(),
                    "testify".to_string()
                ],
                3,
                "example.com/wild/detectors.(*Pool).loop".to_string(),
                vec![
                    o("TestPoolGleak", "gleak"),
                    o("TestPoolLeaktest", "leaktest"),
                    o("TestPoolTestify", "testify"),
                ],
            )],
            "{v}"
        );
    }
    for v in ["go1.24", "go1.25", "go1.26", "go1.27"] {
        let rows = leak_rows(&format!("{v}/deadlock.json"), "../wild");
        let got: Vec<(String, Vec<String>, u64)> = rows
            .iter()
            .map(|r| (r.3.clone(), r.1.clone(), r.2))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "example.com/wild/deadlock.TestWaitsForever".to_string(),
                    vec!["fatal-deadlock".to_string()],
                    1
                ),
                (
                    "example.com/wild/deadlock.Pair.func1".to_string(),
                    vec!["fatal-deadlock".to_string()],
                    1
                ),
            ],
            "{v}"
        );
        let rows = leak_rows(&format!("{v}/test.json"), "../wild");
        let pick = |prefix: &str| -> Vec<(Vec<String>, u64, Vec<Occ>)> {
            rows.iter()
                .filter(|r| r.3.starts_with(prefix))
                .map(|r| (r.1.clone(), r.2, r.4.clone()))
                .collect()
        };
        // goleak's crash: the leak of its dump, once (Go 1.24's panic chain prints the dump twice: the
        // same report of the same goroutine).
        assert_eq!(
            pick("example.com/wild/goleakcrash."),
            [(
                vec!["detector-failed".to_string()],
                1,
                vec![o("TestDeepLeak", "detector-failed")]
            )],
            "{v}"
        );
        // And exactly one "detector failed" finding, naming that leak.
        let root = module().join("../wild");
        let run = goleash(
            &[&stream(&format!("wild/{v}/test.json"))],
            &["--root", root.to_str().unwrap()],
        );
        let json = run.json.unwrap();
        let crash_leak = json["leaks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["sources"][0] == "detector-failed")
            .unwrap()["id"]
            .clone();
        assert_eq!(
            json["detector_failures"],
            serde_json::json!([{
                "package": "example.com/wild/goleakcrash",
                "test": "TestDeepLeak",
                "detector": "goleak",
                "message": "Failed to parse stack trace: parse function: no function found: \"...51 frames elided...\"",
                "leaks": [crash_leak],
            }]),
            "{v}"
        );
        let line = format!(
            "DETECTOR FAILED goleakcrash.TestDeepLeak  goleak: Failed to parse stack trace: parse function: no function found: \"...51 frames elided...\"  leak {}",
            crash_leak.as_str().unwrap()
        );
        assert_eq!(
            run.stdout
                .lines()
                .filter(|l| l.starts_with("DETECTOR FAILED"))
                .collect::<Vec<_>>(),
            [line.as_str()],
            "{v}"
        );
        // The watcher of notstarted/early, caught before it ran (NewRegistry.gowrap1), is the leak of
        // the same `go` statement that notstarted/blocked caught in its select: one group, one id.
        let watcher: Vec<(String, Vec<String>, u64)> = json["leaks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| {
                l["created_by"]["function"] == "example.com/wild/notstarted/registry.NewRegistry"
            })
            .map(|l| {
                (
                    l["function"].as_str().unwrap().to_string(),
                    l["aliases"]
                        .as_array()
                        .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
                        .unwrap_or_default(),
                    l["goroutines"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            watcher,
            [(
                "example.com/wild/notstarted/registry.(*Registry).watch".to_string(),
                // The id a not-started report of it has alone (`runnable|…NewRegistry.gowrap1;…`):
                // a baseline listing it knows this leak.
                vec!["95a58ed6662f".to_string()],
                2
            )],
            "{v}"
        );
        assert_eq!(
            pick("example.com/wild/leakcheck."),
            [(
                vec!["leakcheck".to_string()],
                1,
                vec![o("TestDialForgetsClose", "leakcheck")]
            )],
            "{v}"
        );
        assert!(
            rows.iter().all(|r| !r.3.starts_with("testing.")),
            "{v}: {rows:?}"
        );
    }
}

/// Every capture of `fixtures/streams/wild/` with the `--root` it was taken in.
fn every_capture() -> Vec<(String, &'static str)> {
    let base = stream("wild");
    let mut v = Vec::new();
    for dir in ["go1.24", "go1.25", "go1.26", "go1.27", "derived"] {
        let mut names: Vec<String> = std::fs::read_dir(base.join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        for n in names {
            let root = if n.starts_with("detectors") {
                "../wild/detectors"
            } else if n.starts_with("work") {
                "../wild/work"
            } else {
                "../wild"
            };
            v.push((format!("{dir}/{n}"), root));
        }
    }
    v
}

/// Issue 14's done-when: every path a report shows for the captures (locations, creators, every stack
/// frame) is a file of the repository under `--root`, or `$GOROOT/src/…`, or `module@version/…`: Go
/// 1.24-1.27 (1.27's GOROOT is the module-proxy toolchain's, in the module cache), -trimpath, vendored,
/// a go.work workspace of two modules, linknamed runtime frames, Windows runners and every log form.
#[test]
fn every_location_of_the_captures_is_repository_goroot_or_module_relative() {
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let tmp = tempfile::tempdir().unwrap();
    for (rel, root) in every_capture() {
        let root_dir = module().join(root);
        let mut input = stream(&format!("wild/{rel}"));
        if rel.contains("timestamped") || rel.contains("deindented") {
            // Undone line by line as in each_leak_form_has_one_id_and_the_users_creator_in_every_capture.
            input = tmp.path().join(rel.replace('/', "_"));
            std::fs::write(&input, normalized(&read(&rel)).0).unwrap();
        }
        let run = goleash(&[&input], &["--root", root_dir.to_str().unwrap(), "-q"]);
        let json = run.json.unwrap();
        let leaks = json["leaks"].as_array().unwrap();
        assert!(!leaks.is_empty(), "{rel}");
        for l in leaks {
            let mut files: Vec<&str> = l["stack"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["file"].as_str().unwrap())
                .collect();
            for k in ["location", "created_by"] {
                if let Some(f) = l[k]["file"].as_str() {
                    files.push(f);
                }
            }
            for f in files {
                let kind = if f.starts_with("$GOROOT/src/") {
                    "goroot"
                } else if f.split('/').next().is_some_and(|s| s.contains('.'))
                    && f.split('/').any(|s| s.contains('@'))
                {
                    "module"
                } else if f == "vendor/golang.org/x/sync/errgroup/errgroup.go" {
                    // The vendored copy of go1.26/vendor.json (the checkout keeps no vendor/).
                    assert_eq!(rel, "go1.26/vendor.json");
                    "vendor"
                } else {
                    assert!(
                        goleash::paths::in_repo(f) && root_dir.join(f).is_file(),
                        "{rel}: {f} (leak {})",
                        l["id"]
                    );
                    "repository"
                };
                *kinds.entry(kind).or_default() += 1;
            }
        }
    }
    assert_eq!(kinds.len(), 4, "{kinds:?}");
}

/// The JSON report of a capture with `--root` at a copy of its module in `dir`.
fn report_from(dir: &std::path::Path, module_dir: &str, rel: &str) -> Value {
    let root = dir.join("checkout");
    if !root.exists() {
        copy_tree(&module().join(module_dir), &root);
    }
    let run = goleash(&[&stream(rel)], &["--root", root.to_str().unwrap(), "-q"]);
    run.json.unwrap()
}

/// Resolution depends neither on where a capture was taken nor on where the checkout is: the same
/// capture gives the same report from two checkouts at different paths (the dumps of
/// `fixtures/streams/dumps/` were taken at `/work/main/fixtures/go`, the wild captures at
/// `/work/wt/detect/fixtures/wild`, their Windows forms at `D:/a/goleash/goleash/fixtures/wild`).
#[test]
fn the_same_capture_gives_the_same_report_from_any_checkout() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let deeper = b.path().join("x/y");
    for (module_dir, rel) in [
        ("", "dumps/panic-log.txt"),
        ("", "dumps/goroutine-debug2.txt"),
        ("", "dumps/goroutineleak-debug1.txt"),
        ("", "go1.26/test.json"),
        ("../wild", "wild/go1.26/test.json"),
        ("../wild", "wild/go1.27/test-trimpath.json"),
        ("../wild", "wild/derived/windows-v.txt"),
        ("../wild/work", "wild/go1.26/work.json"),
    ] {
        let ra = report_from(
            &a.path().join(module_dir.replace('/', "_")),
            module_dir,
            rel,
        );
        let rb = report_from(&deeper.join(module_dir.replace('/', "_")), module_dir, rel);
        assert_eq!(ra, rb, "{rel}");
        // And from the repository's own checkout.
        let here = goleash(
            &[&stream(rel)],
            &["--root", module().join(module_dir).to_str().unwrap(), "-q"],
        );
        assert_eq!(here.json.unwrap(), ra, "{rel}");
        let files: Vec<&str> = ra["leaks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|l| l["location"]["file"].as_str())
            .collect();
        assert!(
            !files.is_empty() && files.iter().all(|f| !f.starts_with('/')),
            "{rel}: {files:?}"
        );
    }
}
