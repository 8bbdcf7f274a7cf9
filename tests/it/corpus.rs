//! The fidelity corpus (issue 13): every input under fixtures/streams/fidelity (real captures of
//! fixtures/fidelity/go, and the forms of older Go derived from them by fixtures/fidelity/derive; see
//! the README there) run through goleash and compared with the truth written by hand from reading each
//! input: per package its result and counts, every failure with its kind and message, the exit status.
//! Then two invariants over every captured stream of the repository: no input with a failing test, a
//! race or a panic exits 0, and no package is reported otherwise than its own result line says.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::common::*;

/// (package, result, tests, passed, failed, skipped), the package without `example.com/fidelity/`.
type Pkg = (&'static str, &'static str, u64, u64, u64, u64);
/// (package, test, kind, message).
type Fail = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
);

/// What one input must give.
struct Truth {
    input: &'static str,
    status: i32,
    packages: Vec<Pkg>,
    failures: Vec<Fail>,
}

const FLAKY: &str = "basic_test.go:12: always fails, to show -count=2 runs twice";
const EXTBUILD: &str = "extbuild/extbuild_test.go:10:26: undefined: undefinedWant";
const RACY: &str = "testing.go:1712: race detected during execution of test";
const RACEMAIN_V: &str =
    "data race outside of any test (Found 1 data race(s)); tests that ran: TestQuiet";
const RACEMAIN_TEXT: &str = "data race outside of any test (Found 1 data race(s))";

/// The whole module, verbose or JSON: every test is visible.
fn module_verbose(input: &'static str) -> Truth {
    Truth {
        input,
        status: 1,
        packages: vec![
            ("basic", "fail", 3, 1, 1, 1),
            ("benchonly", "pass", 0, 0, 0, 0),
            ("extbuild", "build-fail", 1, 0, 1, 0),
            ("hang", "timeout", 2, 1, 1, 0),
            ("initpanica", "panic", 1, 0, 1, 0),
            ("initpanicb", "panic", 1, 0, 1, 0),
            ("inline", "pass", 5, 5, 0, 0),
            ("mainlog", "fail", 2, 1, 1, 0),
            ("nocode", "skip", 0, 0, 0, 0),
            ("racemain", "fail", 2, 1, 1, 0),
            ("racy", "fail", 2, 1, 1, 0),
        ],
        failures: module_failures(RACEMAIN_V),
    }
}

/// The failures of the whole module, the same in every form but for the TestMain race message.
fn module_failures(racemain: &'static str) -> Vec<Fail> {
    vec![
        ("basic", Some("TestFlaky"), "test", FLAKY),
        ("extbuild", None, "build", EXTBUILD),
        (
            "hang",
            Some("TestHang"),
            "timeout",
            "test timed out after 5s",
        ),
        (
            "initpanica",
            None,
            "panic",
            "panic: initpanica: config missing",
        ),
        (
            "initpanicb",
            None,
            "panic",
            "panic: initpanicb: no database",
        ),
        (
            "mainlog",
            Some("TestOne"),
            "test",
            "mainlog_test.go:19: one failed",
        ),
        ("racemain", None, "race", racemain),
        ("racy", Some("TestRacy"), "race", RACY),
    ]
}

/// The whole module, non-verbose text: only failing tests are printed.
fn module_text(input: &'static str) -> Truth {
    Truth {
        input,
        status: 1,
        packages: vec![
            ("basic", "fail", 1, 0, 1, 0),
            ("benchonly", "pass", 0, 0, 0, 0),
            ("extbuild", "build-fail", 1, 0, 1, 0),
            ("hang", "timeout", 1, 0, 1, 0),
            ("initpanica", "panic", 1, 0, 1, 0),
            ("initpanicb", "panic", 1, 0, 1, 0),
            ("inline", "pass", 0, 0, 0, 0),
            ("mainlog", "fail", 1, 0, 1, 0),
            ("nocode", "skip", 0, 0, 0, 0),
            ("racemain", "fail", 1, 0, 1, 0),
            ("racy", "fail", 1, 0, 1, 0),
        ],
        failures: module_failures(RACEMAIN_TEXT),
    }
}

/// A basic.test binary's own output (no package named anywhere).
fn binary(input: &'static str, verbose: bool) -> Truth {
    Truth {
        input,
        status: 1,
        packages: vec![if verbose {
            ("(no package)", "fail", 3, 1, 1, 1)
        } else {
            ("(no package)", "fail", 1, 0, 1, 0)
        }],
        failures: vec![("(no package)", Some("TestFlaky"), "test", FLAKY)],
    }
}

fn count2(input: &'static str) -> Truth {
    Truth {
        input,
        status: 1,
        packages: vec![("basic", "fail", 6, 2, 2, 2)],
        failures: vec![
            ("basic", Some("TestFlaky"), "test", FLAKY),
            ("basic", Some("TestFlaky"), "test", FLAKY),
        ],
    }
}

fn bench(input: &'static str) -> Truth {
    Truth {
        input,
        status: 0,
        packages: vec![
            ("basic", "pass", 0, 0, 0, 0),
            ("benchonly", "pass", 1, 1, 0, 0),
        ],
        failures: vec![],
    }
}

fn not_go(input: &'static str) -> Truth {
    Truth {
        input,
        status: 2,
        packages: vec![],
        failures: vec![],
    }
}

/// Every input of the corpus with its truth. The forms: 1 text before JSON, 2 old timeouts,
/// 3 no `Package`, 4 race after `pass`, 5 result lines with spaces, 6 glued framing lines, 7 a test
/// binary's output, 8 `-count=2` in text, 9 empty `=== CONT`, 10 `# pkg_test [pkg.test]`, 11
/// informational TestMain output, 13 not go test output.
fn corpus() -> Vec<Truth> {
    vec![
        module_verbose("all.json"),           // 4 (TestMain race), 10, 11
        module_verbose("all-v.txt"),          // 6, 10, 11
        module_text("all.txt"),               // 10, 11
        module_text("all-expanded.txt"),      // 5
        module_text("derived-half-tabs.txt"), // 5
        module_verbose("derived-go1.23-text-before-json.json"), // 1
        module_verbose("derived-go1.22-timeout.json"), // 2
        module_verbose("derived-go1.22-timeout-v.txt"), // 2
        module_verbose("derived-go1.19-pass-after-race.json"), // 4
        module_verbose("derived-go1.18-cont-empty-v.txt"), // 9
        binary("binary-v.txt", true),         // 7
        binary("binary.txt", false),          // 7
        binary("test2json-nop.json", true),   // 3
        count2("count2-v.txt"),               // 8
        count2("count2.json"),                // 8 (the same in JSON)
        bench("bench.txt"),                   // 5 (benchmark-only package)
        bench("bench-expanded.txt"),          // 5
        not_go("not-go/Cargo.toml"),          // 13
        not_go("not-go/README.md"),           // 13
        not_go("not-go/empty.txt"),           // 13
        not_go("not-go/prose.txt"),           // 13
        not_go("not-go/race-fragment.txt"),   // 13
    ]
}

fn short(name: &str) -> String {
    name.trim_start_matches("example.com/fidelity/").to_string()
}

/// A reported package: (name, result, tests, passed, failed, skipped).
type Reported = (String, String, u64, u64, u64, u64);

/// What goleash reported: (packages, failures) in the truth's shapes, sorted.
fn reported(json: &Value) -> (Vec<Reported>, Vec<Vec<String>>) {
    let mut packages: Vec<_> = json["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let (t, f, s) = (
                p["tests"].as_u64().unwrap(),
                p["failed"].as_u64().unwrap(),
                p["skipped"].as_u64().unwrap(),
            );
            (
                short(p["name"].as_str().unwrap()),
                p["result"].as_str().unwrap().to_string(),
                t,
                t - f - s,
                f,
                s,
            )
        })
        .collect();
    packages.sort();
    let mut failures: Vec<Vec<String>> = json["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            vec![
                short(f["package"].as_str().unwrap()),
                f["test"].as_str().unwrap_or("-").to_string(),
                f["kind"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            ]
        })
        .collect();
    failures.sort();
    (packages, failures)
}

fn corpus_path(rel: &str) -> PathBuf {
    stream("fidelity").join(rel)
}

#[test]
fn every_input_of_the_fidelity_corpus_gives_its_hand_written_truth() {
    let mut wrong = Vec::new();
    for truth in corpus() {
        let run = goleash(&[&corpus_path(truth.input)], &["--github", "never"]);
        let json = run.json.expect("the JSON report is always written");
        let (packages, failures) = reported(&json);
        let mut want_packages: Vec<_> = truth
            .packages
            .iter()
            .map(|&(n, r, t, p, f, s)| (n.to_string(), r.to_string(), t, p, f, s))
            .collect();
        want_packages.sort();
        let mut want_failures: Vec<Vec<String>> = truth
            .failures
            .iter()
            .map(|&(p, t, k, m)| {
                vec![
                    p.to_string(),
                    t.unwrap_or("-").to_string(),
                    k.to_string(),
                    m.to_string(),
                ]
            })
            .collect();
        want_failures.sort();
        if (run.status, &packages, &failures) != (truth.status, &want_packages, &want_failures) {
            wrong.push(format!(
                "{}: exit {} (want {})\n  packages {packages:?}\n  want     {want_packages:?}\n  failures {failures:?}\n  want     {want_failures:?}",
                truth.input, run.status, truth.status
            ));
        }
        if truth.status == 2 {
            assert!(
                run.stderr.contains("is go test output or a goroutine dump"),
                "{}: {}",
                truth.input,
                run.stderr
            );
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn empty_standard_input_is_exit_2_and_says_so() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_goleash"))
        .args(["--github", "never", "-"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "goleash: error: nothing in standard input is go test output or a goroutine dump\n"
    );
}

#[test]
fn an_unrecognised_input_next_to_a_real_one_is_a_warning() {
    let run = goleash(
        &[
            &corpus_path("not-go/prose.txt"),
            &corpus_path("count2.json"),
        ],
        &["--github", "never"],
    );
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains(
        "goleash: warning: nothing in {} is go test output or a goroutine dump"
            .replace("{}", &corpus_path("not-go/prose.txt").display().to_string())
            .as_str()
    ));
}

/// Every captured stream of the repository (the fixture module's runs on Go 1.24–1.26, the fidelity
/// corpus; the bare dumps have no packages).
fn all_streams() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![stream("")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if !p.to_string_lossy().ends_with(".gz") && !p.ends_with("README.md") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The verdict each package's own result line gives (`ok`, `FAIL`, `?`), read from the raw input with
/// nothing of goleash: for JSON the package-level `output` events, for text the lines.
fn own_verdicts(text: &str) -> BTreeMap<String, &'static str> {
    let mut out = BTreeMap::new();
    let mut note = |line: &str| {
        let line = line.trim_end();
        for (prefix, v) in [("ok", "ok"), ("FAIL", "FAIL"), ("?", "?")] {
            if let Some(rest) = line.strip_prefix(prefix) {
                if !rest.starts_with([' ', '\t']) {
                    continue;
                }
                let mut words = rest.split_whitespace();
                if let Some(pkg) = words.next() {
                    let next = words.next().unwrap_or("");
                    // go test's own result line: a duration, a bracketed note or `(cached)` follows.
                    if next.ends_with('s') && next[..next.len() - 1].parse::<f64>().is_ok()
                        || next.starts_with('[')
                        || next == "(cached)"
                    {
                        out.insert(pkg.to_string(), v);
                    }
                }
            }
        }
    };
    for line in text.lines() {
        if line.trim_start().starts_with('{') {
            if let Ok(ev) = serde_json::from_str::<Value>(line.trim()) {
                if ev["Action"] == "output" && ev["Test"].is_null() {
                    if let Some(o) = ev["Output"].as_str() {
                        note(o);
                    }
                }
                continue;
            }
        }
        note(line);
    }
    out
}

#[test]
fn no_stream_with_a_failure_exits_0_and_no_package_contradicts_its_result_line() {
    let mut wrong = Vec::new();
    let streams = all_streams();
    assert!(streams.len() >= 35, "{} streams", streams.len());
    for path in &streams {
        let text = std::fs::read_to_string(path).unwrap();
        let run = goleash(&[path], &["--github", "never"]);
        let json = run.json.unwrap();
        let holds_failure = text.contains("--- FAIL")
            || text.contains("WARNING: DATA RACE")
            || text.contains("\npanic: ")
            || text.contains("\"Output\":\"panic: ")
            || text.contains("FAIL\t")
            || text.contains("\"Action\":\"fail\"");
        let failed = json["summary"]["failed"].as_u64().unwrap() > 0;
        if holds_failure && run.status == 0 {
            wrong.push(format!("{}: exit 0 on a failing run", path.display()));
        }
        let results: BTreeMap<String, String> = json["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_string(),
                    p["result"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        for (pkg, verdict) in own_verdicts(&text) {
            let got = results.get(&pkg).map(String::as_str);
            let agrees = match verdict {
                "ok" => got == Some("pass"),
                "?" => got == Some("skip"),
                _ => got.is_some_and(|r| r != "pass" && r != "skip"),
            };
            if !agrees {
                wrong.push(format!(
                    "{}: {pkg} printed {verdict:?} but is reported {got:?}",
                    path.display()
                ));
            }
        }
        if failed && run.status != 1 {
            wrong.push(format!(
                "{}: failures reported, exit {}",
                path.display(),
                run.status
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
