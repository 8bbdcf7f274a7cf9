//! GitHub workflow-command annotations, the job summary and the inertness of echoed test output, on the
//! real fixture capture (fixtures/streams/go1.26/test.json with --root fixtures/go) and on hand-made
//! hostile streams. Expected lines hard-code paths, lines, levels, order, titles' structure, escaping
//! and caps; leak ids, causes and advice prose come from the JSON report of the same run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use goleash::model::FailureKind;
use goleash::report::github::{self, Level};
use goleash::report::summary;
use goleash::view::{Location, View};
use serde_json::Value;

use crate::common::Goleash;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture() -> PathBuf {
    repo().join("fixtures/streams/go1.26/test.json")
}

struct Out {
    status: i32,
    stdout: String,
    stderr: String,
    json: Value,
    dir: tempfile::TempDir,
}

/// Runs goleash with a clean GitHub environment plus `env`, writing the JSON report to a temp file.
fn goleash(args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut run = Goleash::new().env("NO_COLOR", "1");
    if !args.windows(2).any(|w| w == ["--json", "-"]) {
        run = run.out("--json", "report.json");
    }
    let r = run.args(args).envs(env).run();
    Out {
        status: r.status,
        json: r.json_file("report.json").unwrap_or(Value::Null),
        stdout: r.stdout,
        stderr: r.stderr,
        dir: r.dir,
    }
}

fn fixture_run(extra: &[&str], env: &[(&str, &str)]) -> Out {
    let f = fixture();
    let mut args = vec![
        f.to_str().unwrap(),
        "--root",
        "fixtures/go",
        "--color",
        "never",
    ];
    args.extend_from_slice(extra);
    goleash(&args, env)
}

/// The lines after the `::TOKEN::` that ends the inert stretch, checking that the first line starts it.
fn commands_after_resume(stdout: &str) -> Vec<String> {
    let lines: Vec<&str> = stdout.lines().collect();
    let token = lines[0]
        .strip_prefix("::stop-commands::")
        .expect("stdout starts with stop-commands");
    assert!(
        token.starts_with("goleash-") && token.len() == 40,
        "{token}"
    );
    let end = format!("::{token}::");
    let at = lines
        .iter()
        .position(|l| *l == end)
        .expect("the inert stretch ends");
    lines[at + 1..].iter().map(|s| s.to_string()).collect()
}

fn leak_at<'a>(json: &'a Value, file: &str, line: u64) -> &'a Value {
    json["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["location"]["file"] == file && l["location"]["line"] == line)
        .unwrap_or_else(|| panic!("no leak at {file}:{line}"))
}

fn esc(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn esc_prop(s: &str) -> String {
    esc(s).replace(':', "%3A").replace(',', "%2C")
}

fn goroutines(n: u64) -> String {
    if n == 1 {
        "1 goroutine".to_string()
    } else {
        format!("{n} goroutines")
    }
}

/// The expected unescaped message of a leak annotation (structure hard-coded, prose from the report).
fn leak_message(l: &Value, prefix: &str) -> String {
    let repo_file = |f: &str| {
        if f.starts_with('$') {
            f.to_string()
        } else {
            format!("{prefix}{f}")
        }
    };
    let loc = &l["location"];
    let cb = &l["created_by"];
    let fs = &l["first_seen"];
    let who = match fs["test"].as_str() {
        Some(t) => format!("{}.{t}", fs["package"].as_str().unwrap()),
        None => fs["package"].as_str().unwrap().to_string(),
    };
    format!(
        "{} blocked in {} at {} ({}:{}), started by {} at {}:{}.\n{}\nFirst seen in {who}; leak id {}.",
        goroutines(l["goroutines"].as_u64().unwrap()),
        l["state"].as_str().unwrap(),
        l["function"].as_str().unwrap(),
        repo_file(loc["file"].as_str().unwrap()),
        loc["line"],
        cb["function"].as_str().unwrap(),
        repo_file(cb["file"].as_str().unwrap()),
        cb["line"],
        l["advice"].as_str().unwrap(),
        l["id"].as_str().unwrap()
    )
}

fn leak_line(
    level: &str,
    json: &Value,
    at: (&str, u64),
    anchor: (&str, u64),
    reach: &str,
    prefix: &str,
) -> String {
    let l = leak_at(json, at.0, at.1);
    let title = format!("goroutine leak ({}): {reach}", l["cause"].as_str().unwrap());
    format!(
        "::{level} file={prefix}{},line={},title={}::{}",
        anchor.0,
        anchor.1,
        esc_prop(&title),
        esc(&leak_message(l, prefix))
    )
}

/// The ten error annotations of the fixture run, in rank order, without the overflow note on the last.
fn expected_errors(json: &Value, prefix: &str) -> Vec<String> {
    let same = |f: &'static str, n: u64| ((f, n), (f, n));
    let http = |f: &'static str, n: u64| ((f, n), ("httpleak/client_test.go", 22));
    let mut v = vec![format!(
        "::error file={prefix}buildfail/util_test.go,line=7,col=11,title=build failed%3A example.com/leaky/buildfail::buildfail/util_test.go:7:11: undefined: undefinedHelper"
    )];
    let leaks = [
        (same("forgottensender/fetch.go", 26), "seen by 3 tests"),
        (same("leakyhelper/refresher.go", 11), "seen by 2 tests"),
        (same("leakprofile/subscribe.go", 18), "seen by 1 test"),
        (same("panics/registry.go", 25), "seen by 1 test"),
        (same("earlyreturn/first.go", 23), "seen by 1 test"),
        (same("forgottenreceiver/notify.go", 18), "seen by 1 test"),
        (http("$GOROOT/src/net/fd_unix.go", 150), "seen by 1 test"),
        (http("$GOROOT/src/net/fd_posix.go", 68), "seen by 1 test"),
        (
            http("$GOROOT/src/net/http/transport.go", 2450),
            "seen by 1 test",
        ),
    ];
    for ((at, anchor), reach) in leaks {
        v.push(leak_line("error", json, at, anchor, reach, prefix));
    }
    v
}

/// The overflow list of the fixture run's tenth error annotation.
fn expected_overflow(json: &Value, prefix: &str) -> String {
    let id = |f: &str, n: u64| {
        let l = leak_at(json, f, n);
        format!(
            "{} ({})",
            l["id"].as_str().unwrap(),
            l["cause"].as_str().unwrap()
        )
    };
    let leak = |f: &str, n: u64, anchor: &str| format!("\n- leak {} at {prefix}{anchor}", id(f, n));
    let mut s = "\n\n15 more problems not shown as error annotations (GitHub shows 10 per step); they are listed below and in the job summary:".to_string();
    s += &leak(
        "$GOROOT/src/net/http/transport.go",
        2652,
        "httpleak/client_test.go:22",
    );
    for (f, n) in [
        ("infiniteloop/spin.go", 19),
        ("missingcancel/worker.go", 26),
        ("mutex/cache.go", 37),
        ("synctestleak/lookup.go", 20),
        ("testmain/server.go", 18),
        ("ticker/heartbeat.go", 10),
        ("unclosedrange/sum.go", 16),
        ("waitgroup/fanout.go", 21),
        ("worker/pool.go", 19),
        ("timeout/queue.go", 18),
        ("timeout/queue.go", 25),
    ] {
        s += &leak(f, n, &format!("{f}:{n}"));
    }
    s += &format!(
        "\n- data race: example.com/leaky/race.TestCountBoth at {prefix}race/counter_test.go:5"
    );
    s += &format!(
        "\n- test failed: example.com/leaky/misc.TestParallel/beta at {prefix}misc/misc_test.go:12"
    );
    s += &format!("\n- test failed: example.com/leaky/misc.TestFatalMultiline at {prefix}misc/misc_test.go:27");
    s
}

#[test]
fn fixture_annotations_are_exact_ranked_and_capped() {
    let out = fixture_run(&["--github", "always", "-q"], &[]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert_eq!(out.json["summary"]["leaks"], 21);
    let cmds = commands_after_resume(&out.stdout);
    assert_eq!(cmds.len(), 10, "{cmds:#?}");
    let mut want = expected_errors(&out.json, "");
    want[9] = format!("{}{}", want[9], esc(&expected_overflow(&out.json, "")));
    for (i, (got, want)) in cmds.iter().zip(&want).enumerate() {
        assert_eq!(got, want, "annotation {i}");
    }
    // Only the stop/resume pair and these ten lines start with `::` on stdout.
    let colon_lines = out
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("::"))
        .count();
    assert_eq!(colon_lines, 12);
}

#[test]
fn paths_are_relative_to_the_repository_under_github_workspace() {
    let ws = repo();
    let out = fixture_run(
        &["--github", "always", "-q"],
        &[("GITHUB_WORKSPACE", ws.to_str().unwrap())],
    );
    let cmds = commands_after_resume(&out.stdout);
    let mut want = expected_errors(&out.json, "fixtures/go/");
    want[9] = format!(
        "{}{}",
        want[9],
        esc(&expected_overflow(&out.json, "fixtures/go/"))
    );
    assert_eq!(cmds, want);
}

#[test]
fn fail_on_leak_turns_failures_into_warnings() {
    let out = fixture_run(&["--github", "always", "-q", "--fail-on", "leak"], &[]);
    let cmds = commands_after_resume(&out.stdout);
    let warnings: Vec<&String> = cmds
        .iter()
        .filter(|c| c.starts_with("::warning "))
        .collect();
    assert_eq!(
        warnings,
        [
            "::warning file=buildfail/util_test.go,line=7,col=11,title=build failed%3A example.com/leaky/buildfail::buildfail/util_test.go:7:11: undefined: undefinedHelper",
            "::warning file=race/counter_test.go,line=5,title=data race%3A example.com/leaky/race.TestCountBoth::testing.go:1712: race detected during execution of test",
            "::warning file=misc/misc_test.go,line=12,title=test failed%3A example.com/leaky/misc.TestParallel/beta::misc_test.go:12: subtest beta failed: want 1, got 2",
            "::warning file=misc/misc_test.go,line=27,title=test failed%3A example.com/leaky/misc.TestFatalMultiline::misc_test.go:27: mismatch:%0Awant: \"a\\tb\"%0Agot:  \"a b\"%0A(end of diff)",
        ]
    );
    let errors: Vec<&String> = cmds.iter().filter(|c| c.starts_with("::error ")).collect();
    assert_eq!(errors.len(), 10);
    assert!(
        errors[9].contains("%0A%0A11 more problems not shown as error annotations"),
        "{}",
        errors[9]
    );
    assert_eq!(cmds.len(), 14);
}

#[test]
fn fail_on_never_gives_warnings_only_and_the_summary_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let s = summary.to_str().unwrap();
    let out = fixture_run(
        &[
            "--github",
            "always",
            "-q",
            "--fail-on",
            "never",
            "--summary",
            s,
        ],
        &[],
    );
    assert_eq!(out.status, 0);
    let cmds = commands_after_resume(&out.stdout);
    assert_eq!(cmds.len(), 10);
    assert!(
        cmds.iter().all(|c| c.starts_with("::warning ")),
        "{cmds:#?}"
    );
    assert!(cmds[9].contains("%0A%0A15 more problems not shown as warning annotations"));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("> [!NOTE]\n> 15 more problems were not shown as annotations (GitHub shows 10 of each level per step); all are listed below.\n"),
        "{md}"
    );
}

#[test]
fn baseline_leaks_are_notices() {
    let first = fixture_run(&["--github", "never"], &[]);
    let a = leak_at(&first.json, "forgottensender/fetch.go", 26)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = leak_at(&first.json, "worker/pool.go", 19)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let base = first.dir.path().join("baseline.txt");
    std::fs::write(&base, format!("{a}\n{b}\n")).unwrap();
    let out = fixture_run(
        &[
            "--github",
            "always",
            "-q",
            "--baseline",
            base.to_str().unwrap(),
        ],
        &[],
    );
    let cmds = commands_after_resume(&out.stdout);
    let notices: Vec<&String> = cmds.iter().filter(|c| c.starts_with("::notice ")).collect();
    assert_eq!(notices.len(), 2, "{cmds:#?}");
    assert!(notices[0].starts_with(&format!(
        "::notice file=forgottensender/fetch.go,line=26,title=known goroutine leak ({})%3A seen by 3 tests::",
        leak_at(&out.json, "forgottensender/fetch.go", 26)["cause"].as_str().unwrap()
    )));
    assert!(notices[0].ends_with(&format!("leak id {a}. Known: listed in the baseline.")));
    assert!(
        notices[1].starts_with("::notice file=worker/pool.go,line=19,title=known goroutine leak (")
    );
    // 19 new leaks and 4 failures stay errors: 10 shown, 13 in the overflow note.
    assert!(cmds[9].contains("%0A%0A13 more problems not shown as error annotations"));
    assert_eq!(cmds.len(), 12);
}

#[test]
fn auto_mode_follows_github_actions() {
    let off = fixture_run(&["-q"], &[]);
    assert!(
        !off.stdout.lines().any(|l| l.trim_start().starts_with("::")),
        "{}",
        off.stdout
    );
    let on = fixture_run(&["-q"], &[("GITHUB_ACTIONS", "true")]);
    assert_eq!(commands_after_resume(&on.stdout).len(), 10);
    // Under Actions without annotations, the echoed output is still kept inert: only the stop and
    // resume lines are commands.
    let never = fixture_run(&["-q", "--github", "never"], &[("GITHUB_ACTIONS", "true")]);
    assert_eq!(commands_after_resume(&never.stdout), Vec::<String>::new());
    let names: Vec<String> = runner_commands(&never.stdout)
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names.len(), 2);
    assert_eq!(names[0], "stop-commands");
}

#[test]
fn echoed_test_output_is_inert_under_actions_even_without_annotations() {
    let out = goleash_on_hostile_stream(
        &["--github", "never", "--color", "never"],
        &[("GITHUB_ACTIONS", "true")],
    );
    assert!(out.stdout.contains("##[add-mask]s3cret"), "{}", out.stdout);
    let names: Vec<String> = runner_commands(&out.stdout)
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(names[0], "stop-commands");
    assert_eq!(
        runner_commands(&out.stderr),
        Vec::<Cmd>::new(),
        "{}",
        out.stderr
    );
}

#[test]
fn json_on_stdout_moves_annotations_to_stderr() {
    let f = fixture();
    let out = goleash(
        &[
            f.to_str().unwrap(),
            "--root",
            "fixtures/go",
            "--json",
            "-",
            "--github",
            "always",
        ],
        &[],
    );
    let report: Value = serde_json::from_str(&out.stdout).expect("stdout is the JSON report alone");
    assert_eq!(report["summary"]["leaks"], 21);
    let errors: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(errors.len(), 10);
    let want = expected_errors(&report, "");
    assert_eq!(errors[..9], want[..9]);
}

// ---------------------------------------------------------------------------------------------------
// What the runner makes of goleash's output.

/// A workflow command as the runner parses it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cmd {
    name: String,
    props: BTreeMap<String, String>,
    data: String,
}

fn dotnet_space(c: char) -> bool {
    github::is_dotnet_space(c)
}

/// `::name props::data` after leading white space (any name, stricter than the runner, which only
/// knows its registered commands).
fn parse_v2(line: &str) -> Option<Cmd> {
    let m = line.trim_start_matches(dotnet_space).strip_prefix("::")?;
    let end = m.find("::")?;
    let info = &m[..end];
    let (name, props) = info.split_once(' ').unwrap_or((info, ""));
    let mut map = BTreeMap::new();
    for p in props.trim().split(',').filter(|p| !p.is_empty()) {
        if let Some((k, v)) = p.split_once('=') {
            map.insert(k.to_string(), crate::common::unescape_property(v));
        }
    }
    Some(Cmd {
        name: name.to_string(),
        props: map,
        data: crate::common::unescape_data(&m[end + 2..]),
    })
}

/// The legacy `##[name props]data`, anywhere in the line.
fn parse_v1(line: &str) -> Option<Cmd> {
    let i = line.find("##[")?;
    let rest = &line[i + 3..];
    let rb = rest.find(']')?;
    let info = &rest[..rb];
    let name = info.split(' ').next().unwrap_or("");
    (!name.is_empty()).then(|| Cmd {
        name: name.to_string(),
        props: BTreeMap::new(),
        data: rest[rb + 1..].to_string(),
    })
}

/// Feeds text through the runner's line splitting and command state machine; returns the commands it
/// would act on (stop and resume included).
fn runner_commands(text: &str) -> Vec<Cmd> {
    let mut stopped: Option<String> = None;
    let mut acted = Vec::new();
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    for line in normalised.split('\n') {
        let Some(cmd) = parse_v2(line).or_else(|| parse_v1(line)) else {
            continue;
        };
        match &stopped {
            Some(token) => {
                if cmd.name.eq_ignore_ascii_case(token) {
                    stopped = None;
                    acted.push(cmd);
                }
            }
            None => {
                if cmd.name.eq_ignore_ascii_case("stop-commands") {
                    stopped = Some(cmd.data.clone());
                }
                acted.push(cmd);
            }
        }
    }
    acted
}

/// A hand-made `go test -json` stream whose test output tries to act as workflow commands.
fn hostile_stream() -> String {
    let ev = |action: &str, pkg: &str, test: Option<&str>, output: Option<&str>| {
        let mut v =
            serde_json::json!({"Time": "2026-01-02T03:04:05Z", "Action": action, "Package": pkg});
        if let Some(t) = test {
            v["Test"] = t.into();
        }
        if let Some(o) = output {
            v["Output"] = o.into();
        }
        if action == "pass" || action == "fail" {
            v["Elapsed"] = 0.01.into();
        }
        v.to_string()
    };
    let p = "example.com/evil";
    let t = Some("TestEvil");
    let lines = [
        ev("start", p, None, None),
        ev("run", p, t, None),
        ev("output", p, t, Some("=== RUN   TestEvil\n")),
        ev(
            "output",
            p,
            t,
            Some("    evil_test.go:9: ::add-mask::hunter2 %0A ::error::x\n"),
        ),
        ev("output", p, t, Some("::error file=x.go,line=1::injected\n")),
        ev("output", p, t, Some("  ::stop-commands::abc\n")),
        ev("output", p, t, Some("::abc::\n")),
        ev("output", p, t, Some("text ##[set-output name=pwned;]yes\n")),
        ev("output", p, t, Some("carriage\r::warning::after-cr\n")),
        ev("output", p, t, Some("\u{a0}::notice::nbsp\n")),
        ev("output", p, t, Some("--- FAIL: TestEvil (0.00s)\n")),
        ev("fail", p, t, None),
        ev("run", p, Some("TestSub"), None),
        ev("output", p, Some("TestSub"), Some("=== RUN   TestSub\n")),
        ev("run", p, Some("TestSub/::set-output_name=x::y"), None),
        ev(
            "output",
            p,
            Some("TestSub/::set-output_name=x::y"),
            Some("    sub_test.go:4: ##[add-mask]s3cret\n"),
        ),
        ev(
            "output",
            p,
            Some("TestSub/::set-output_name=x::y"),
            Some("    --- FAIL: TestSub/::set-output_name=x::y (0.00s)\n"),
        ),
        ev("fail", p, Some("TestSub/::set-output_name=x::y"), None),
        ev(
            "output",
            p,
            Some("TestSub"),
            Some("--- FAIL: TestSub (0.00s)\n"),
        ),
        ev("fail", p, Some("TestSub"), None),
        ev("output", p, None, Some("FAIL\n")),
        ev("output", p, None, Some("FAIL\texample.com/evil\t0.01s\n")),
        ev("fail", p, None, None),
        "::add-mask::stray-line".to_string(),
        r###"{"Action":"##[add-mask]via-warning","Package":"example.com/evil"}"###.to_string(),
        r#"{"Action":"::add-mask::also-warning","Package":"example.com/evil"}"#.to_string(),
    ];
    lines.join("\n") + "\n"
}

/// Runs goleash on [`hostile_stream`] with these arguments and environment.
fn goleash_on_hostile_stream(args: &[&str], env: &[(&str, &str)]) -> Out {
    let dir = tempfile::tempdir().unwrap();
    let stream = dir.path().join("evil.json");
    std::fs::write(&stream, hostile_stream()).unwrap();
    let mut all = vec![stream.to_str().unwrap()];
    all.extend_from_slice(args);
    goleash(&all, env)
}

#[test]
fn echoed_test_output_never_acts_as_a_command() {
    let out = goleash_on_hostile_stream(&["--github", "always", "--color", "never"], &[]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    // The terminal report does echo the hostile text...
    assert!(out.stdout.contains("::add-mask::hunter2"), "{}", out.stdout);
    assert!(
        out.stderr.contains("## [add-mask]via-warning"),
        "{}",
        out.stderr
    );
    // ...but the runner acts only on goleash's own commands.
    let acted = runner_commands(&out.stdout);
    let names: Vec<&str> = acted.iter().map(|c| c.name.as_str()).collect();
    let token = acted[0].data.clone();
    assert_eq!(
        names,
        ["stop-commands", token.as_str(), "error", "error"],
        "{acted:#?}"
    );
    let evil = &acted[2];
    assert_eq!(
        evil.props.get("title").map(String::as_str),
        Some("test failed: example.com/evil.TestEvil")
    );
    assert_eq!(
        evil.data,
        "evil_test.go:9: ::add-mask::hunter2 %0A ::error::x"
    );
    assert_eq!(evil.props.get("file"), None);
    let sub = &acted[3];
    assert_eq!(
        sub.props.get("title").map(String::as_str),
        Some("test failed: example.com/evil.TestSub/::set-output_name=x::y")
    );
    assert_eq!(sub.data, "sub_test.go:4: ##[add-mask]s3cret");
    // Every message round-trips through the runner's unescaping exactly as the JSON report has it.
    let failures = out.json["failures"].as_array().unwrap();
    assert_eq!(failures[0]["message"], evil.data.as_str());
    assert_eq!(failures[2]["message"], sub.data.as_str());
    // Standard error is inert line by line.
    assert_eq!(
        runner_commands(&out.stderr),
        Vec::<Cmd>::new(),
        "{}",
        out.stderr
    );
}

#[test]
fn echoed_test_output_is_inert_with_json_on_stdout_too() {
    let out = goleash_on_hostile_stream(&["--github", "always", "--json", "-"], &[]);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        report["failures"][0]["message"],
        "evil_test.go:9: ::add-mask::hunter2 %0A ::error::x"
    );
    assert_eq!(
        report["failures"][2]["message"],
        "sub_test.go:4: ##[add-mask]s3cret"
    );
    assert!(out.stdout.contains(r"#\u0023[add-mask]s3cret"));
    assert_eq!(runner_commands(&out.stdout), Vec::<Cmd>::new());
    let names: Vec<String> = runner_commands(&out.stderr)
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["error", "error"], "{}", out.stderr);
}

#[test]
fn the_stop_token_is_fresh_each_run() {
    let a = fixture_run(&["--github", "always", "-q"], &[]);
    let b = fixture_run(&["--github", "always", "-q"], &[]);
    let first = |s: &str| s.lines().next().unwrap().to_string();
    assert_ne!(first(&a.stdout), first(&b.stdout));
}

// ---------------------------------------------------------------------------------------------------
// Library-level: escaping, caps and message limits on synthetic reports.

fn fixture_report() -> View {
    let resolver = goleash::paths::Resolver::new(Some(repo().join("fixtures/go")));
    let mut pipeline = goleash::Pipeline::new(resolver.clone(), Vec::new());
    let f = std::fs::File::open(fixture()).unwrap();
    goleash::input::read(std::io::BufReader::new(f), &mut pipeline).unwrap();
    let (analysis, _) = pipeline.finish();
    goleash::view::build(&analysis, &resolver)
}

#[test]
fn long_messages_are_cut_at_4096_characters_and_titles_at_255() {
    let mut report = fixture_report();
    report.leaks[0].advice = "é".repeat(10_000);
    report.failures[0].message = format!("{}\r\n{}", "%".repeat(5000), "x");
    report.failures[0].package = "p".repeat(400);
    let all = github::annotations(&report, github::Policy::default(), "");
    for a in &all {
        assert!(
            a.message.chars().count() <= github::MESSAGE_LIMIT,
            "{}",
            a.message.len()
        );
        assert!(a.title.chars().count() <= github::TITLE_LIMIT);
    }
    let build = all
        .iter()
        .find(|a| a.title.starts_with("build failed"))
        .unwrap();
    assert_eq!(build.title.chars().count(), 255);
    assert!(build.title.ends_with('…'));
    assert_eq!(build.message.chars().count(), 4096);
    let line = github::command_line(build);
    assert!(line.contains("::%25%25%25"), "escaped % in the data");
    let capped = github::cap(&all);
    assert_eq!(capped.shown.len(), 10);
    assert_eq!(capped.omitted, 15);
    assert!(capped
        .shown
        .iter()
        .all(|a| a.message.chars().count() <= github::MESSAGE_LIMIT));
}

#[test]
fn caps_hold_per_level_and_per_job() {
    let mut report = fixture_report();
    let template = report.leaks.remove(0);
    report.leaks.clear();
    report.failures.clear();
    for i in 0..70 {
        let mut l = goleash::view::LeakEntry {
            id: format!("{i:012x}"),
            sources: template.sources.clone(),
            state: template.state.clone(),
            function: template.function.clone(),
            location: Some(Location {
                file: format!("pkg{i}/f.go"),
                line: 10 + i,
            }),
            created_by: None,
            goroutines: 1,
            occurrences: Vec::new(),
            first_seen: None,
            cause: goleash::advice::Cause::ForgottenSender,
            advice: "fix it".to_string(),
            stack: Vec::new(),
            known: i % 3 == 0,
            aliases: Vec::new(),
        };
        if i % 5 == 0 {
            l.cause = goleash::advice::Cause::Sleeping;
        }
        report.leaks.push(l);
    }
    let policy = github::Policy {
        failures_fail: true,
        leaks_fail: false,
    };
    let all = github::annotations(&report, policy, "mod/");
    assert_eq!(all.len(), 70);
    let capped = github::cap(&all);
    let count = |lv: Level| capped.shown.iter().filter(|a| a.level == lv).count();
    assert_eq!(
        (
            count(Level::Error),
            count(Level::Warning),
            count(Level::Notice)
        ),
        (0, 10, 10)
    );
    // 46 new leaks (warnings under this policy) and 24 known ones (notices): 36 + 14 left out.
    assert_eq!(capped.omitted, 50);
    assert!(capped.shown.len() <= github::PER_JOB_CAP);
    let last_warning = capped
        .shown
        .iter()
        .rfind(|a| a.level == Level::Warning)
        .unwrap();
    assert!(last_warning
        .message
        .contains("\n\n36 more problems not shown as warning annotations"));
    assert!(last_warning
        .message
        .contains(":\n- leak 000000000010 (forgotten-sender) at mod/pkg16/f.go:26\n"));
    assert!(last_warning
        .message
        .ends_with("\n- leak 000000000044 (forgotten-sender) at mod/pkg68/f.go:78"));
    assert_eq!(capped.shown[0].file.as_deref(), Some("mod/pkg1/f.go"));
    assert_eq!(
        capped.shown[0].title,
        "goroutine leak (forgotten-sender): seen in a goroutine dump"
    );
}

// ---------------------------------------------------------------------------------------------------
// The job summary.

#[test]
fn summary_of_the_fixture_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("step_summary.md");
    std::fs::write(&path, "## earlier step content\n\n").unwrap();
    let ws = repo();
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_STEP_SUMMARY", path.to_str().unwrap()),
        ("GITHUB_WORKSPACE", ws.to_str().unwrap()),
        ("GITHUB_SERVER_URL", "https://github.example.com"),
        ("GITHUB_REPOSITORY", "acme/leaky"),
        ("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
    ];
    let out = fixture_run(&["-q"], &env);
    assert_eq!(out.status, 1);
    let md = std::fs::read_to_string(&path).unwrap();
    assert!(
        md.starts_with(
            "## earlier step content\n\n## goleash: 21 goroutine leaks, 26 failed tests\n\n"
        ),
        "{md}"
    );
    let s = &out.json["summary"];
    assert!(md.contains(&format!(
        "| packages | tests | passed | failed | skipped | leaks | leaked goroutines |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n| 26 | 44 | 17 | 26 | 1 | 21 | {} |\n",
        s["leaked_goroutines"]
    )));
    assert!(md.contains("> 15 more problems were not shown as annotations"));
    let blob =
        "https://github.example.com/acme/leaky/blob/0123456789abcdef0123456789abcdef01234567";
    let l = leak_at(&out.json, "forgottensender/fetch.go", 26);
    assert!(md.contains(&format!(
        "| `{}` | {} | [fixtures/go/forgottensender/fetch.go\\:26]({blob}/fixtures/go/forgottensender/fetch.go#L26) | 3 | `example.com/leaky/forgottensender.TestFetchWithTimeout` |\n",
        l["id"].as_str().unwrap(),
        l["cause"].as_str().unwrap()
    )), "{md}");
    let h = leak_at(&out.json, "$GOROOT/src/net/fd_unix.go", 150);
    assert!(md.contains(&format!(
        "| `{}` | {} | `$GOROOT/src/net/fd_unix.go:150` | 1 | `example.com/leaky/httpleak.TestStatus` |\n",
        h["id"].as_str().unwrap(),
        h["cause"].as_str().unwrap()
    )));
    assert!(md.contains(&format!(
        "| `example.com/leaky/misc.TestParallel/beta` | test | [fixtures/go/misc/misc\\_test.go\\:12]({blob}/fixtures/go/misc/misc_test.go#L12) | misc\\_test.go\\:12\\: subtest beta failed\\: want 1, got 2 |  |\n"
    )), "{md}");
    assert_eq!(md.matches("<details><summary>").count(), 21);
    assert_eq!(md.matches("</details>").count(), 21);
    assert_eq!(md.matches("\n| `").count(), 21 + 26);
    assert!(md.contains(&format!(
        "<details><summary><code>{}</code> {}: 2 goroutines blocked in chan send, seen by 3 tests</summary>\n",
        l["id"].as_str().unwrap(),
        l["cause"].as_str().unwrap()
    )));
    assert!(md.contains("```text\nexample.com/leaky/forgottensender.FetchWithTimeout.func1\n    fixtures/go/forgottensender/fetch.go:26\n"));
    assert!(!md.contains("Trimmed"));
}

#[test]
fn summary_escapes_markdown_and_html_from_test_output() {
    let dir = tempfile::tempdir().unwrap();
    let stream = dir.path().join("evil.json");
    let ev = |v: Value| v.to_string();
    let p = "example.com/x";
    let text = [
        ev(serde_json::json!({"Action": "start", "Package": p})),
        ev(serde_json::json!({"Action": "run", "Package": p, "Test": "TestX<b>"})),
        ev(serde_json::json!({"Action": "output", "Package": p, "Test": "TestX<b>", "Output": "    x_test.go:3: <img src=x onerror=alert(1)> | `code` **bold** [l](http://e) @team $x$\n"})),
        ev(serde_json::json!({"Action": "output", "Package": p, "Test": "TestX<b>", "Output": "--- FAIL: TestX<b> (0.00s)\n"})),
        ev(serde_json::json!({"Action": "fail", "Package": p, "Test": "TestX<b>", "Elapsed": 0})),
        ev(serde_json::json!({"Action": "fail", "Package": p, "Elapsed": 0})),
    ]
    .join("\n");
    std::fs::write(&stream, text).unwrap();
    let md_path = dir.path().join("s.md");
    let out = goleash(
        &[
            stream.to_str().unwrap(),
            "--github",
            "never",
            "--summary",
            md_path.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status, 1);
    let md = std::fs::read_to_string(&md_path).unwrap();
    assert!(md.contains(
        "| `example.com/x.TestX<b>` | test |  | x\\_test.go\\:3\\: &lt;img src=x onerror=alert\\(1\\)&gt; \\| \\`code\\` \\*\\*bold\\*\\* \\[l\\]\\(http\\://e\\) `@`team \\$x\\$ |  |\n"
    ), "{md}");
    assert!(!md.contains("<img"));
    assert!(!md.contains("<b>") || md.contains("`example.com/x.TestX<b>`"));
}

#[test]
fn summary_stays_within_the_limit_and_says_what_was_trimmed() {
    let mut report = fixture_report();
    let big = "x".repeat(20_000);
    for l in report.leaks.iter_mut() {
        l.advice = big.clone();
    }
    let opts = summary::Options {
        limit: 100_000,
        ..summary::Options::default()
    };
    let md = summary::render(&report, &opts);
    assert!(md.len() <= 100_000, "{}", md.len());
    // The tables are whole; the details that did not fit are counted.
    assert_eq!(md.matches("\n| `").count(), 21 + 26);
    let shown = md.matches("<details>").count();
    assert!(shown < 21 && shown > 0, "{shown}");
    assert!(md.ends_with(&format!(
        "\n_Trimmed to stay within the summary size limit (100000 bytes): {} leak details not shown. The JSON report (`--json`) has everything._\n",
        21 - shown
    )), "{}", &md[md.len() - 300..]);
    // At GitHub's real limit, with a huge report.
    let template = report.leaks.remove(0);
    for i in 0..3000 {
        report.leaks.push(goleash::view::LeakEntry {
            id: format!("{i:012x}"),
            sources: template.sources.clone(),
            state: template.state.clone(),
            function: template.function.clone(),
            location: template.location.clone(),
            created_by: template.created_by.clone(),
            goroutines: 1,
            occurrences: Vec::new(),
            first_seen: None,
            cause: template.cause,
            advice: big.clone(),
            stack: Vec::new(),
            known: false,
            aliases: Vec::new(),
        });
    }
    let md = summary::render(&report, &summary::Options::default());
    assert!(md.len() <= summary::SUMMARY_LIMIT);
    assert!(md.len() > summary::SUMMARY_LIMIT - 25_000, "{}", md.len());
    assert!(md.contains("_Trimmed to stay within the summary size limit (1048576 bytes): "));
}

#[test]
fn summary_appends_only_what_fits_the_step_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary.md");
    let earlier = "e".repeat(summary::SUMMARY_LIMIT - 3000);
    std::fs::write(&path, &earlier).unwrap();
    let out = fixture_run(&["-q", "--summary", path.to_str().unwrap()], &[]);
    assert_eq!(out.status, 1);
    let md = std::fs::read_to_string(&path).unwrap();
    assert!(md.len() <= summary::SUMMARY_LIMIT, "{}", md.len());
    let added = &md[earlier.len()..];
    assert!(
        added.starts_with("## goleash: 21 goroutine leaks, 26 failed tests\n"),
        "{added}"
    );
    assert!(added.contains("_Trimmed to stay within the summary size limit (3000 bytes): "));
}

#[test]
fn an_unwritable_summary_path_is_a_tool_error_but_a_broken_default_is_a_warning() {
    let out = fixture_run(&["-q", "--summary", "/nonexistent-dir/x/summary.md"], &[]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("/nonexistent-dir/x/summary.md"),
        "{}",
        out.stderr
    );
    let out = fixture_run(
        &["-q"],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_STEP_SUMMARY", "/nonexistent-dir/x/summary.md"),
        ],
    );
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("goleash: warning: job summary not written: /nonexistent-dir/x/summary.md"),
        "{}",
        out.stderr
    );
}

#[test]
fn failure_locations_resolve_through_the_module() {
    let r = fixture_report();
    let at = |test: &str| {
        let f = r
            .failures
            .iter()
            .find(|f| f.test.as_deref() == Some(test))
            .unwrap();
        (f.file.clone().unwrap(), f.line.unwrap(), f.column)
    };
    assert_eq!(
        at("TestParallel/beta"),
        ("misc/misc_test.go".to_string(), 12, None)
    );
    assert_eq!(
        at("TestCountBoth"),
        ("race/counter_test.go".to_string(), 5, None)
    );
    assert_eq!(
        at("TestFetchOK"),
        ("forgottensender/fetch_test.go".to_string(), 21, None)
    );
    assert_eq!(
        at("TestLookupTimeoutBubble"),
        ("synctestleak/synctest125_test.go".to_string(), 14, None)
    );
    let build = r
        .failures
        .iter()
        .find(|f| f.kind == FailureKind::Build)
        .unwrap();
    assert_eq!(
        (build.file.as_deref(), build.line, build.column),
        (Some("buildfail/util_test.go"), Some(7), Some(11))
    );
    let main = r
        .failures
        .iter()
        .find(|f| f.kind == FailureKind::Package)
        .unwrap();
    assert_eq!(
        (main.file.as_deref(), main.line),
        (Some("testmain/main_test.go"), Some(9))
    );
    let resolver = goleash::paths::Resolver::with_module(None, "example.com/m");
    let (file, line, _) = goleash::source::failure_location(
        &resolver,
        "example.com/m/a/b",
        Some("TestX"),
        "x_test.go:4: boom",
    )
    .unwrap();
    assert_eq!((file.as_str(), line), ("a/b/x_test.go", 4));
    assert_eq!(
        goleash::source::failure_location(
            &resolver,
            "other.org/p",
            Some("TestX"),
            "x_test.go:4: boom"
        ),
        None
    );
}

#[test]
fn repo_prefix_is_the_root_inside_the_workspace() {
    let ws = repo();
    assert_eq!(
        github::repo_prefix(&ws.join("fixtures/go"), &ws),
        "fixtures/go/"
    );
    assert_eq!(github::repo_prefix(&ws, &ws), "");
    assert_eq!(github::repo_prefix(Path::new("/elsewhere"), &ws), "");
}

/// What GitHub would make of a summary: the HTML cmark-gfm (GitHub's own Markdown library, through
/// PyPI's `cmarkgfm`, which scripts/test.sh installs) renders, checked the way GitHub's later filters
/// read it: an element goleash did not write (an autolink is an `a`), or a mention or issue reference
/// in text outside code (GitHub links those in the rendered text). Prints the findings, one per line;
/// none means the text stayed text.
const GFM_CHECK: &str = r#"
import sys, re, html.parser
import cmarkgfm
from cmarkgfm.cmark import Options
md = open(sys.argv[1], encoding="utf-8").read()
out = cmarkgfm.github_flavored_markdown_to_html(md, options=Options.CMARK_OPT_UNSAFE)
ours = {"details", "summary", "code", "pre", "p", "table", "thead", "tbody", "tr", "th", "td", "h2", "h3", "ul", "li", "em", "strong"}
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.text = []
    def handle_starttag(self, tag, attrs):
        if tag not in ours:
            print("element:", tag, attrs)
        if tag not in ("br", "hr", "img"):
            self.stack.append(tag)
    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass
    def handle_comment(self, data):
        print("comment:", data)
    def handle_data(self, data):
        self.text.append(data)
        if "code" in self.stack or "pre" in self.stack:
            return
        for m in re.finditer(r"@[A-Za-z0-9]|#[0-9]", data):
            print("linkable text:", repr(data[max(0, m.start() - 10):m.end() + 10]))
p = P()
p.feed(out)
text = "".join(p.text)
for want in sys.argv[2:]:
    if want not in text:
        print("lost text:", repr(want))
"#;

#[test]
fn the_summary_renders_test_output_as_text_on_github() {
    let dir = tempfile::tempdir().unwrap();
    let stream = dir.path().join("evil.json");
    let p = "example.com/x";
    let t = "TestMention@team";
    let hostile = "x_test.go:3: got <b>bold</b> <img src=x onerror=alert(1)> <!-- c --> from www.evil.example and https://evil.example/p?q=1, mail ops@corp.example, ping @octocat about #123 and GH-4 [l](javascript:alert(1)) ![i](http://e/i.png) &amp; `tick` | pipe";
    let events = [
        serde_json::json!({"Action": "start", "Package": p}),
        serde_json::json!({"Action": "run", "Package": p, "Test": t}),
        serde_json::json!({"Action": "output", "Package": p, "Test": t, "Output": format!("    {hostile}\n")}),
        serde_json::json!({"Action": "output", "Package": p, "Test": t, "Output": format!("--- FAIL: {t} (0.00s)\n")}),
        serde_json::json!({"Action": "fail", "Package": p, "Test": t, "Elapsed": 0}),
        serde_json::json!({"Action": "fail", "Package": p, "Elapsed": 0}),
    ];
    let text: Vec<String> = events.iter().map(Value::to_string).collect();
    std::fs::write(&stream, text.join("\n")).unwrap();
    let md_path = dir.path().join("s.md");
    let out = goleash(
        &[
            stream.to_str().unwrap(),
            "--github",
            "never",
            "--summary",
            md_path.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status, 1, "{}", out.stderr);
    let script = dir.path().join("gfm.py");
    std::fs::write(&script, GFM_CHECK).unwrap();
    let message = hostile.strip_prefix("x_test.go:3: ").unwrap();
    let check = std::process::Command::new("python3")
        .arg(&script)
        .arg(&md_path)
        .args([message, t])
        .output()
        .expect("python3 is required");
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(
        check.status.success(),
        "cmarkgfm failed (pip install cmarkgfm): {stderr}"
    );
    let findings = String::from_utf8_lossy(&check.stdout);
    let md = std::fs::read_to_string(&md_path).unwrap();
    assert_eq!(findings, "", "the summary's Markdown:\n{md}");
}
