//! `--checks`: the check run goes through octocrab to a fake GitHub API on loopback (a small HTTP/1.1
//! server in this file, on 127.0.0.1:0) that records every request: method, path, authorization header,
//! body. It asserts batches of at most 50 annotations, that every annotation is sent, GitHub Enterprise
//! base paths, retries on 502/429/rate limits, no retry on 403, warnings instead of failures, and that
//! the token never appears on standard output or standard error.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use goleash::report::checks::{self, Conclusion, Config, Retry};
use goleash::report::github;
use goleash::report::summary;
use goleash::view::{LeakEntry, Location, View};
use serde_json::{json, Value};

use crate::common::Goleash;

pub(crate) const TOKEN: &str = "ghs_TESTTOKEN0123456789abcdefSECRET";
pub(crate) const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One request the fake API received.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) authorization: Option<String>,
    pub(crate) body: Value,
}

/// What the fake API answers.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

pub(crate) fn reply(status: u16, body: Value) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: body.to_string(),
    }
}

type Script = Arc<dyn Fn(usize, &Seen) -> Reply + Send + Sync>;

/// A fake GitHub API on 127.0.0.1: answers each request with `script(index, request)` and records it.
/// It stops by itself when dropped (and after 60 s in any case).
pub(crate) struct FakeApi {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeApi {
    pub(crate) fn start(script: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> FakeApi {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let script: Script = Arc::new(script);
        let (seen2, stop2) = (seen.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !stop2.load(Ordering::SeqCst) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let (seen, script) = (seen2.clone(), script.clone());
                        std::thread::spawn(move || serve(conn, &seen, &script));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        FakeApi {
            addr,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Serves HTTP/1.1 requests on one connection until it closes.
fn serve(conn: TcpStream, seen: &Mutex<Vec<Seen>>, script: &Script) {
    conn.set_nonblocking(false).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut out = conn.try_clone().unwrap();
    let mut r = BufReader::new(conn);
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut length = 0usize;
        let mut chunked = false;
        let mut authorization = None;
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (k, v) = h.split_once(':').unwrap();
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
            match k.as_str() {
                "content-length" => length = v.parse().unwrap(),
                "transfer-encoding" => chunked = v.eq_ignore_ascii_case("chunked"),
                "authorization" => authorization = Some(v),
                _ => {}
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                let mut size = String::new();
                r.read_line(&mut size).unwrap();
                let n = usize::from_str_radix(size.trim(), 16).unwrap();
                let mut chunk = vec![0; n + 2];
                r.read_exact(&mut chunk).unwrap();
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
        } else {
            body.resize(length, 0);
            r.read_exact(&mut body).unwrap();
        }
        let req = Seen {
            method,
            path,
            authorization,
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        };
        let index = {
            let mut s = seen.lock().unwrap();
            s.push(req.clone());
            s.len() - 1
        };
        let rep = script(index, &req);
        let mut head = format!(
            "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            rep.status,
            rep.body.len()
        );
        for (k, v) in &rep.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        if out
            .write_all(head.as_bytes())
            .and_then(|_| out.write_all(rep.body.as_bytes()))
            .is_err()
        {
            return;
        }
    }
}

/// Answers creation with id 77 and every patch with 200.
pub(crate) fn ok_script(_: usize, req: &Seen) -> Reply {
    if req.method == "POST" {
        reply(
            201,
            json!({"id": 77, "html_url": "https://github.example.com/acme/leaky/runs/77"}),
        )
    } else {
        reply(200, json!({"id": 77}))
    }
}

fn fast_retry() -> Retry {
    Retry {
        attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(5),
    }
}

/// A report with `n` leak groups, each at its own file and line.
fn big_report(n: u32) -> View {
    let resolver = goleash::paths::Resolver::new(Some(repo().join("fixtures/go")));
    let mut pipeline = goleash::Pipeline::new(resolver.clone(), Vec::new());
    let f = std::fs::File::open(repo().join("fixtures/streams/go1.26/test.json")).unwrap();
    goleash::input::read(BufReader::new(f), &mut pipeline).unwrap();
    let (analysis, _) = pipeline.finish();
    let mut report = goleash::view::build(&analysis, &resolver);
    report.failures.clear();
    let t = report.leaks.remove(0);
    report.leaks = (0..n)
        .map(|i| LeakEntry {
            id: format!("{i:012x}"),
            sources: t.sources.clone(),
            state: t.state.clone(),
            function: t.function.clone(),
            location: Some(Location {
                file: format!("pkg{i}/f.go"),
                line: i + 1,
            }),
            created_by: t.created_by.clone(),
            goroutines: 1,
            occurrences: Vec::new(),
            first_seen: None,
            cause: goleash::advice::Cause::ForgottenSender,
            advice: "x".repeat(300),
            stack: Vec::new(),
            known: false,
            aliases: Vec::new(),
        })
        .collect();
    report.summary.leaks = n as usize;
    report.summary.failed = 0;
    report
}

fn publish(api: &FakeApi, base: &str, report: &View) -> (Result<checks::Published, String>, usize) {
    let mut config = Config::new(&api.url(base), "acme/leaky", SHA, TOKEN).unwrap();
    config.retry = fast_retry();
    let all = github::annotations(report, github::Policy::default(), "");
    let requests = checks::plan(
        report,
        &all,
        Conclusion::Failure,
        &config.target,
        &summary::Options::default(),
    );
    let n = all.len();
    (checks::publish(&config, &requests), n)
}

#[test]
fn annotations_go_in_batches_of_50_and_all_of_them_arrive() {
    let api = FakeApi::start(ok_script);
    let report = big_report(120);
    let (res, n) = publish(&api, "/api/v3", &report);
    assert_eq!(n, 120);
    let done = res.unwrap();
    assert_eq!(
        done,
        checks::Published {
            id: 77,
            html_url: Some("https://github.example.com/acme/leaky/runs/77".to_string()),
            requests: 3,
            annotations: 120,
        }
    );
    let seen = api.seen();
    let calls: Vec<(&str, &str)> = seen
        .iter()
        .map(|s| (s.method.as_str(), s.path.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            ("POST", "/api/v3/repos/acme/leaky/check-runs"),
            ("PATCH", "/api/v3/repos/acme/leaky/check-runs/77"),
            ("PATCH", "/api/v3/repos/acme/leaky/check-runs/77"),
        ]
    );
    for s in &seen {
        assert_eq!(
            s.authorization.as_deref(),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
    let sizes: Vec<usize> = seen
        .iter()
        .map(|s| s.body["output"]["annotations"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [50, 50, 20]);
    let first = &seen[0].body;
    assert_eq!(first["name"], "goleash");
    assert_eq!(first["head_sha"], SHA);
    assert_eq!(first["status"], "completed");
    assert_eq!(first["conclusion"], "failure");
    assert_eq!(first["output"]["title"], "goleash: 120 goroutine leaks");
    for s in &seen[1..] {
        assert!(
            s.body.get("name").is_none()
                && s.body.get("head_sha").is_none()
                && s.body.get("conclusion").is_none()
        );
        assert_eq!(s.body["output"]["title"], first["output"]["title"]);
        assert_eq!(s.body["output"]["summary"], first["output"]["summary"]);
    }
    let mut sent = BTreeSet::new();
    for s in &seen {
        for a in s.body["output"]["annotations"].as_array().unwrap() {
            assert_eq!(a["annotation_level"], "failure");
            assert_eq!(a["start_line"], a["end_line"]);
            assert!(a["title"].as_str().unwrap().chars().count() <= 255);
            sent.insert((
                a["path"].as_str().unwrap().to_string(),
                a["start_line"].as_u64().unwrap(),
            ));
        }
    }
    let want: BTreeSet<(String, u64)> = (0..120u64)
        .map(|i| (format!("pkg{i}/f.go"), i + 1))
        .collect();
    assert_eq!(sent, want);
    let text = first["output"]["text"].as_str().unwrap();
    assert!(text.len() <= checks::TEXT_LIMIT);
    assert!(text.starts_with("## goleash: 120 goroutine leaks\n"));
}

#[test]
fn a_single_batch_needs_no_patch_and_a_run_without_annotations_still_concludes() {
    let api = FakeApi::start(ok_script);
    let (res, _) = publish(&api, "", &big_report(50));
    assert_eq!(res.unwrap().requests, 1);
    assert_eq!(api.seen().len(), 1);
    assert_eq!(api.seen()[0].path, "/repos/acme/leaky/check-runs");
    let api = FakeApi::start(ok_script);
    let (res, n) = publish(&api, "", &big_report(0));
    assert_eq!((res.unwrap().annotations, n), (0, 0));
    assert_eq!(api.seen()[0].body["output"]["annotations"], json!([]));
}

#[test]
fn server_errors_are_retried_a_bounded_number_of_times() {
    let api = FakeApi::start(|i, req| {
        if i == 0 {
            reply(502, json!({"message": "Bad Gateway"}))
        } else {
            ok_script(i, req)
        }
    });
    let (res, _) = publish(&api, "", &big_report(3));
    assert_eq!(res.unwrap().requests, 1);
    let seen = api.seen();
    let calls: Vec<&str> = seen.iter().map(|s| s.method.as_str()).collect();
    // The failed creation is looked up (not there) before it is sent again.
    assert_eq!(calls, ["POST", "GET", "POST"]);
    assert_eq!(seen[0].body, seen[2].body);
    let api = FakeApi::start(|_, _| reply(503, json!({"message": "unavailable"})));
    let (res, _) = publish(&api, "", &big_report(3));
    assert_eq!(
        res.unwrap_err(),
        "GitHub answered 503 3 times (unavailable)"
    );
    let calls: Vec<String> = api.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(calls, ["POST", "GET", "POST", "GET", "POST"]);
}

#[test]
fn rate_limits_wait_and_retry() {
    let api = FakeApi::start(|i, req| {
        if i == 0 {
            Reply {
                status: 429,
                headers: vec![("retry-after".to_string(), "0".to_string())],
                body: json!({"message": "slow down"}).to_string(),
            }
        } else if i == 1 {
            Reply {
                status: 403,
                headers: vec![
                    ("x-ratelimit-remaining".to_string(), "0".to_string()),
                    ("x-ratelimit-reset".to_string(), "0".to_string()),
                ],
                body: json!({"message": "API rate limit exceeded"}).to_string(),
            }
        } else {
            ok_script(i, req)
        }
    });
    let started = Instant::now();
    let (res, _) = publish(&api, "", &big_report(2));
    assert_eq!(res.unwrap().requests, 1);
    assert_eq!(api.seen().len(), 3);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "the reset had passed: one second's wait"
    );
}

#[test]
fn a_failing_patch_says_how_far_it_got() {
    let api = FakeApi::start(|i, req| {
        if req.method == "PATCH" {
            reply(500, json!({}))
        } else {
            ok_script(i, req)
        }
    });
    let (res, _) = publish(&api, "", &big_report(120));
    assert_eq!(
        res.unwrap_err(),
        "GitHub answered 500 3 times; the check run was created but only 50 of its annotations were added (batch 2 of 3 failed)"
    );
}

#[test]
fn an_unreachable_api_is_an_error_message_not_a_panic() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = Config::new(
        &format!("http://127.0.0.1:{port}"),
        "acme/leaky",
        SHA,
        TOKEN,
    )
    .unwrap();
    config.retry = fast_retry();
    let report = big_report(1);
    let all = github::annotations(&report, github::Policy::default(), "");
    let requests = checks::plan(
        &report,
        &all,
        Conclusion::Failure,
        &config.target,
        &summary::Options::default(),
    );
    let err = checks::publish(&config, &requests).unwrap_err();
    assert!(
        err.starts_with(&format!("could not reach http://127.0.0.1:{port}: ")),
        "{err}"
    );
    assert!(!err.contains(TOKEN));
}

// ---------------------------------------------------------------------------------------------------
// The binary.

struct Out {
    status: i32,
    stdout: String,
    stderr: String,
    json: Value,
}

fn goleash_checks(api: &FakeApi, extra_env: &[(&str, &str)]) -> Out {
    let r = Goleash::new()
        .args([
            "fixtures/streams/go1.26/test.json",
            "--root",
            "fixtures/go",
            "--checks",
            "--color",
            "never",
        ])
        .out("--json", "report.json")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", repo())
        .env("GITHUB_API_URL", api.url("/api/v3"))
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", "acme/leaky")
        .env("GITHUB_SHA", SHA)
        .envs(extra_env)
        .run();
    Out {
        status: r.status,
        json: r.json_file("report.json").unwrap(),
        stdout: r.stdout,
        stderr: r.stderr,
    }
}

fn assert_no_token(out: &Out) {
    assert!(!out.stdout.contains(TOKEN), "token on stdout");
    assert!(
        !out.stderr.contains(TOKEN),
        "token on stderr: {}",
        out.stderr
    );
    assert!(!out.stdout.contains("TESTTOKEN") && !out.stderr.contains("TESTTOKEN"));
}

#[test]
fn the_fixture_run_publishes_every_annotation() {
    let api = FakeApi::start(ok_script);
    let out = goleash_checks(&api, &[]);
    assert_eq!(out.status, 1);
    assert_no_token(&out);
    assert!(
        out.stderr.contains("goleash: check run goleash published with 25 annotations: https://github.example.com/acme/leaky/runs/77\n"),
        "{}",
        out.stderr
    );
    let seen = api.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("POST", "/api/v3/repos/acme/leaky/check-runs")
    );
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let body = &seen[0].body;
    assert_eq!(body["conclusion"], "failure");
    assert_eq!(
        body["output"]["title"],
        "goleash: 21 goroutine leaks, 26 failed tests"
    );
    let anns = body["output"]["annotations"].as_array().unwrap();
    // Every leak group and every failure without leaks (the parent of a failing subtest aside), not
    // only the 10 the runner shows.
    assert_eq!(anns.len(), 25);
    assert!(anns.iter().all(|a| a["annotation_level"] == "failure"));
    for l in out.json["leaks"].as_array().unwrap() {
        let tail = format!("leak id {}.", l["id"].as_str().unwrap());
        assert_eq!(
            anns.iter()
                .filter(|a| a["message"].as_str().unwrap().ends_with(&tail))
                .count(),
            1,
            "{tail}"
        );
    }
    let at = |path: &str, line: u64| {
        anns.iter()
            .filter(|a| a["path"] == path && a["start_line"] == line)
            .count()
    };
    assert_eq!(at("fixtures/go/forgottensender/fetch.go", 26), 1);
    assert_eq!(at("fixtures/go/httpleak/client_test.go", 22), 4);
    assert_eq!(at("fixtures/go/race/counter_test.go", 5), 1);
    let build = anns
        .iter()
        .find(|a| a["path"] == "fixtures/go/buildfail/util_test.go")
        .unwrap();
    assert_eq!(
        build,
        &json!({
            "path": "fixtures/go/buildfail/util_test.go", "start_line": 7, "end_line": 7,
            "start_column": 11, "end_column": 11, "annotation_level": "failure",
            "title": "build failed: example.com/leaky/buildfail",
            "message": "buildfail/util_test.go:7:11: undefined: undefinedHelper"
        })
    );
}

#[test]
fn a_forks_read_only_token_gets_a_warning_not_a_failure() {
    let api = FakeApi::start(|_, _| {
        reply(
            403,
            json!({"message": format!("Resource not accessible by integration ({TOKEN})"), "documentation_url": "https://docs.github.com/rest"}),
        )
    });
    let out = goleash_checks(&api, &[]);
    assert_eq!(out.status, 1, "the same status as without --checks");
    assert_no_token(&out);
    assert_eq!(
        api.seen().len(),
        1,
        "a 403 without rate-limit headers is not retried"
    );
    assert!(out.stderr.contains(
        "goleash: warning: check run not published: the token may not create check runs (403): the job's GITHUB_TOKEN or GitHub App needs `permissions: checks: write`, and pull requests from forks only get a read-only token (Resource not accessible by integration (***))\n"
    ), "{}", out.stderr);
    // The annotations were still printed as workflow commands.
    assert_eq!(
        out.stdout
            .lines()
            .filter(|l| l.starts_with("::error "))
            .count(),
        10
    );
}

#[test]
fn a_bad_gateway_then_success_publishes() {
    let api = FakeApi::start(|i, req| {
        if i == 0 {
            reply(502, json!({"message": "Server Error"}))
        } else {
            ok_script(i, req)
        }
    });
    let out = goleash_checks(&api, &[]);
    assert_eq!(out.status, 1);
    assert_no_token(&out);
    let calls: Vec<String> = api.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(calls, ["POST", "GET", "POST"]);
    assert!(
        out.stderr
            .contains("goleash: check run goleash published with 25 annotations"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("warning: check run"));
}

#[test]
fn missing_settings_are_a_warning() {
    let api = FakeApi::start(ok_script);
    let out = goleash_checks(&api, &[("GITHUB_TOKEN", "")]);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("goleash: warning: check run not published: GITHUB_TOKEN is not set\n"),
        "{}",
        out.stderr
    );
    assert_eq!(api.seen().len(), 0);
    let out = goleash_checks(&api, &[("GITHUB_TOKEN", "bad\u{7f}token")]);
    assert!(out.stderr.contains("goleash: warning: check run not published: GITHUB_TOKEN holds characters a token cannot have\n"));
    assert!(!out.stderr.contains("bad\u{7f}token"));
    assert_eq!(api.seen().len(), 0);
}

// ---------------------------------------------------------------------------------------------------
// Where the run lands, what it is called, how big it may be, and no duplicates.

fn run_goleash(args: &[&str], env: &[(&str, &str)], api: &FakeApi) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_goleash"));
    cmd.current_dir(repo());
    for (k, _) in std::env::vars() {
        if k.starts_with("GITHUB_") || k.starts_with("GOLEASH_") || k.starts_with("RUNNER_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(args)
        .args(["--checks", "--color", "never"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", repo())
        .env("GITHUB_API_URL", api.url(""))
        .env("GITHUB_REPOSITORY", "acme/leaky")
        .env("GITHUB_SHA", SHA);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const PR_HEAD: &str = "feedfacefeedfacefeedfacefeedfacefeedface";
const RUN_HEAD: &str = "c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff";

/// An event payload as GitHub writes it to `GITHUB_EVENT_PATH` (the fields goleash reads, at the
/// places the webhook documentation gives them).
fn payload(dir: &std::path::Path, name: &str, body: Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body.to_string()).unwrap();
    p.display().to_string()
}

#[test]
fn a_pull_request_run_goes_on_the_head_commit_with_a_name_per_leg_and_a_link_to_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let event = payload(
        dir.path(),
        "event.json",
        json!({"action": "synchronize", "number": 7,
               "pull_request": {"number": 7, "head": {"sha": PR_HEAD, "ref": "fix"},
                                "base": {"sha": SHA, "ref": "main"}}}),
    );
    let api = FakeApi::start(ok_script);
    let leg = |os: &str, arch: &str, matrix: &str| {
        let (status, _, stderr) = run_goleash(
            &["fixtures/streams/go1.26/test.json", "--root", "fixtures/go"],
            &[
                ("GITHUB_TOKEN", TOKEN),
                ("GITHUB_EVENT_NAME", "pull_request"),
                ("GITHUB_EVENT_PATH", &event),
                ("GITHUB_JOB", "test"),
                ("RUNNER_OS", os),
                ("RUNNER_ARCH", arch),
                ("GOLEASH_MATRIX", matrix),
                ("GITHUB_SERVER_URL", "https://github.com"),
                ("GITHUB_RUN_ID", "4242"),
                ("GITHUB_RUN_ATTEMPT", "2"),
            ],
            &api,
        );
        assert_eq!(status, 1, "{stderr}");
        assert!(!stderr.contains(TOKEN));
        stderr
    };
    let linux = leg("Linux", "X64", r#"{"go": "1.26", "os": "ubuntu-latest"}"#);
    let windows = leg(
        "Windows",
        "X64",
        r#"{"go": "1.26", "os": "windows-latest"}"#,
    );
    assert!(
        linux.contains("goleash: check run goleash (test, Linux X64, 1.26, ubuntu-latest) published with 25 annotations"),
        "{linux}"
    );
    assert!(windows.contains("goleash (test, Windows X64, 1.26, windows-latest)"));
    let seen = api.seen();
    assert_eq!(seen.len(), 2);
    let names: Vec<&str> = seen
        .iter()
        .map(|s| s.body["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "goleash (test, Linux X64, 1.26, ubuntu-latest)",
            "goleash (test, Windows X64, 1.26, windows-latest)"
        ]
    );
    for s in &seen {
        assert_eq!(
            s.body["head_sha"], PR_HEAD,
            "the PR head, not the merge commit"
        );
        assert_eq!(
            s.body["details_url"],
            "https://github.com/acme/leaky/actions/runs/4242/attempts/2"
        );
        assert!(s.body["external_id"]
            .as_str()
            .unwrap()
            .starts_with("goleash-"));
    }
    assert_ne!(seen[0].body["external_id"], seen[1].body["external_id"]);
}

#[test]
fn workflow_run_uses_the_triggering_head_and_flags_override_everything() {
    let dir = tempfile::tempdir().unwrap();
    let event = payload(
        dir.path(),
        "event.json",
        json!({"action": "completed",
               "workflow_run": {"id": 99, "head_sha": RUN_HEAD, "event": "pull_request"}}),
    );
    let api = FakeApi::start(ok_script);
    let base_env = [
        ("GOLEASH_GITHUB_TOKEN", TOKEN),
        ("GITHUB_EVENT_NAME", "workflow_run"),
        ("GITHUB_EVENT_PATH", event.as_str()),
        ("GOLEASH_JOB_ID", "555"),
        ("GITHUB_SERVER_URL", "https://github.com"),
        ("GITHUB_RUN_ID", "4242"),
    ];
    let args = ["fixtures/streams/go1.26/test.json", "--root", "fixtures/go"];
    let (status, _, stderr) = run_goleash(&args, &base_env, &api);
    assert_eq!(status, 1, "{stderr}");
    let mut with_flags = args.to_vec();
    with_flags.extend(["--check-sha", SHA, "--check-name", "leaks (race)"]);
    let (status, _, stderr) = run_goleash(&with_flags, &base_env, &api);
    assert_eq!(status, 1, "{stderr}");
    let seen = api.seen();
    assert_eq!(seen.len(), 2);
    // Outside a job (no GITHUB_JOB) the name is the contract's `goleash`.
    assert_eq!(seen[0].body["name"], "goleash");
    assert_eq!(seen[0].body["head_sha"], RUN_HEAD);
    assert_eq!(
        seen[0].body["details_url"],
        "https://github.com/acme/leaky/actions/runs/4242/job/555"
    );
    // The Action's own token variable is the one sent.
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(seen[1].body["name"], "leaks (race)");
    assert_eq!(seen[1].body["head_sha"], SHA);
    assert!(stderr.contains("goleash: check run leaks (race) published with 25 annotations"));
}

#[test]
fn an_unreadable_pull_request_payload_is_a_warning_and_the_run_goes_on_github_sha() {
    let api = FakeApi::start(ok_script);
    let (status, _, stderr) = run_goleash(
        &["fixtures/streams/go1.26/test.json", "--root", "fixtures/go"],
        &[
            ("GITHUB_TOKEN", TOKEN),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_EVENT_PATH", "/nonexistent/event.json"),
        ],
        &api,
    );
    assert_eq!(status, 1);
    assert!(stderr.contains("goleash: warning: the pull_request event payload could not be read (/nonexistent/event.json: No such file or directory (os error 2)); the check run goes on GITHUB_SHA\n"), "{stderr}");
    assert_eq!(api.seen()[0].body["head_sha"], SHA);
    let (status, _, stderr) = run_goleash(
        &["fixtures/streams/go1.26/test.json", "--check-sha", "main"],
        &[("GITHUB_TOKEN", TOKEN)],
        &api,
    );
    assert_eq!(status, 1);
    assert!(stderr.contains(
        "goleash: warning: check run not published: --check-sha must be a commit id, not \"main\"\n"
    ));
    assert_eq!(api.seen().len(), 1);
}

/// A `go test -json` stream of one package with `n` failing tests, in the form test2json writes
/// (derived from the real captures' event shapes): no test names a file goleash can find, so every
/// failure is one without a place in the repository.
fn many_failures_stream(n: usize) -> String {
    let mut s = String::new();
    let pkg = "example.com/many";
    for i in 0..n {
        let t = format!("TestCase{i:04}");
        s.push_str(&format!(
            "{{\"Action\":\"run\",\"Package\":\"{pkg}\",\"Test\":\"{t}\"}}\n"
        ));
        s.push_str(&format!("{{\"Action\":\"output\",\"Package\":\"{pkg}\",\"Test\":\"{t}\",\"Output\":\"=== RUN   {t}\\n\"}}\n"));
        s.push_str(&format!("{{\"Action\":\"output\",\"Package\":\"{pkg}\",\"Test\":\"{t}\",\"Output\":\"--- FAIL: {t} (0.00s)\\n\"}}\n"));
        s.push_str(&format!(
            "{{\"Action\":\"fail\",\"Package\":\"{pkg}\",\"Test\":\"{t}\",\"Elapsed\":0}}\n"
        ));
    }
    s.push_str(&format!(
        "{{\"Action\":\"output\",\"Package\":\"{pkg}\",\"Output\":\"FAIL\\n\"}}\n"
    ));
    s.push_str(&format!(
        "{{\"Action\":\"fail\",\"Package\":\"{pkg}\",\"Elapsed\":0.5}}\n"
    ));
    s
}

#[test]
fn two_thousand_unplaced_failures_stay_within_the_text_budget_and_say_how_many_more() {
    let dir = tempfile::tempdir().unwrap();
    let stream = dir.path().join("many.json");
    std::fs::write(&stream, many_failures_stream(2_000)).unwrap();
    let root = dir.path().join("src");
    std::fs::create_dir(&root).unwrap();
    let api = FakeApi::start(ok_script);
    let (status, _, stderr) = run_goleash(
        &[stream.to_str().unwrap(), "--root", root.to_str().unwrap()],
        &[("GITHUB_TOKEN", TOKEN)],
        &api,
    );
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("goleash: check run goleash published with 0 annotations"),
        "{stderr}"
    );
    let seen = api.seen();
    assert_eq!(seen.len(), 1, "accepted at the first try");
    let output = &seen[0].body["output"];
    let text = output["text"].as_str().unwrap();
    assert!(text.chars().count() <= 65_535, "{}", text.chars().count());
    assert!(text.len() <= checks::TEXT_LIMIT);
    assert!(output["summary"].as_str().unwrap().len() <= checks::TEXT_LIMIT);
    assert!(output["title"].as_str().unwrap().chars().count() <= 255);
    assert!(text.starts_with("Findings without a file in the repository:\n\n- "));
    let shown = text
        .lines()
        .take_while(|l| !l.starts_with('…'))
        .filter(|l| l.starts_with("- ") && l.contains("TestCase"))
        .count();
    let more_line = text
        .lines()
        .find(|l| l.starts_with("… "))
        .expect("a line saying how many more");
    assert_eq!(
        more_line,
        format!(
            "… {} more findings without a file (the JSON report lists them all)",
            2_000 - shown
        )
    );
    assert!(shown > 100 && shown < 2_000, "{shown}");
    // The details after the list kept their room.
    assert!(
        text.contains("## goleash: "),
        "{}",
        &text[text.len() - 300..]
    );
    // The same through the library: every line of the list is one failure, in order.
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(lines[0], "- test failed\\: example.com/many.TestCase0000");
    assert_eq!(
        lines[shown - 1],
        format!("- test failed\\: example.com/many.TestCase{:04}", shown - 1)
    );
}

#[test]
fn a_502_on_create_that_did_create_the_run_makes_no_second_run() {
    // A gateway that passes the creation on to GitHub and then answers 502: the run exists.
    let created: Arc<Mutex<Option<Value>>> = Arc::default();
    let state = created.clone();
    let api = FakeApi::start(move |_, req| match req.method.as_str() {
        "POST" => {
            let mut run = req.body.clone();
            run["id"] = json!(91);
            run["html_url"] = json!("https://github.example.com/acme/leaky/runs/91");
            *state.lock().unwrap() = Some(run);
            reply(502, json!({"message": "Bad Gateway"}))
        }
        "GET" => {
            let runs: Vec<Value> = state.lock().unwrap().iter().cloned().collect();
            reply(200, json!({"total_count": runs.len(), "check_runs": runs}))
        }
        _ => reply(200, json!({"id": 91})),
    });
    let (res, n) = publish(&api, "/api/v3", &big_report(120));
    assert_eq!(n, 120);
    assert_eq!(
        res.unwrap(),
        checks::Published {
            id: 91,
            html_url: Some("https://github.example.com/acme/leaky/runs/91".to_string()),
            requests: 3,
            annotations: 120,
        }
    );
    let seen = api.seen();
    let calls: Vec<(&str, &str)> = seen
        .iter()
        .map(|s| (s.method.as_str(), s.path.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            ("POST", "/api/v3/repos/acme/leaky/check-runs"),
            (
                "GET",
                format!("/api/v3/repos/acme/leaky/commits/{SHA}/check-runs?check_name=goleash&filter=all&per_page=100").as_str()
            ),
            ("PATCH", "/api/v3/repos/acme/leaky/check-runs/91"),
            ("PATCH", "/api/v3/repos/acme/leaky/check-runs/91"),
        ]
    );
    assert_eq!(created.lock().unwrap().as_ref().unwrap()["id"], 91);
}

#[test]
fn a_lookup_ignores_runs_of_the_same_name_made_by_someone_else() {
    let posts = Arc::new(Mutex::new(0usize));
    let count = posts.clone();
    let api = FakeApi::start(move |_, req| match req.method.as_str() {
        "POST" => {
            let mut n = count.lock().unwrap();
            *n += 1;
            if *n == 1 {
                reply(502, json!({"message": "Bad Gateway"}))
            } else {
                reply(201, json!({"id": 78}))
            }
        }
        "GET" => reply(
            200,
            json!({"total_count": 1, "check_runs": [{"id": 12, "name": "goleash", "external_id": "goleash-someoneelse"}]}),
        ),
        _ => reply(200, json!({"id": 78})),
    });
    let (res, _) = publish(&api, "", &big_report(3));
    assert_eq!(res.unwrap().id, 78);
    assert_eq!(*posts.lock().unwrap(), 2);
}

#[test]
fn personal_access_tokens_and_secondary_rate_limits_get_their_own_messages() {
    let r = Retry {
        attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(5),
    };
    let none = checks::RateHeaders::default();
    assert_eq!(
        checks::decide(403, &none, "Resource not accessible by personal access token", 1, &r, 0),
        checks::Decision::GiveUp("a personal access token cannot create check runs (403): only GitHub Apps can; use the job's GITHUB_TOKEN (the Action's default `token`) with `permissions: checks: write`, or a GitHub App's installation token (Resource not accessible by personal access token)".to_string())
    );
    assert_eq!(
        checks::decide(403, &none, "You must authenticate via a GitHub App.", 1, &r, 0),
        checks::Decision::GiveUp("a personal access token cannot create check runs (403): only GitHub Apps can; use the job's GITHUB_TOKEN (the Action's default `token`) with `permissions: checks: write`, or a GitHub App's installation token (You must authenticate via a GitHub App.)".to_string())
    );
    let secondary =
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
    assert_eq!(
        checks::decide(403, &none, secondary, 1, &r, 0),
        checks::Decision::GiveUp(format!("GitHub's secondary rate limit (too many requests in a short time, e.g. from many parallel jobs) is exceeded and lifts in 60s, longer than goleash waits ({secondary})"))
    );
    let patient = Retry {
        max_delay: Duration::from_secs(120),
        ..r
    };
    assert_eq!(
        checks::decide(403, &none, secondary, 1, &patient, 0),
        checks::Decision::RetryAfter(Duration::from_secs(60))
    );
    let after = checks::RateHeaders {
        retry_after: Some(2),
        ..Default::default()
    };
    assert_eq!(
        checks::decide(429, &after, secondary, 1, &r, 0),
        checks::Decision::RetryAfter(Duration::from_secs(2))
    );
    assert_eq!(
        checks::decide(401, &none, "Bad credentials", 1, &r, 0),
        checks::Decision::GiveUp(
            "the token was refused (401): it is expired, revoked or not a GitHub token (Bad credentials)"
                .to_string()
        )
    );
}

#[test]
fn default_names_and_job_links() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    };
    assert_eq!(checks::default_name(&env(&[])), "goleash");
    assert_eq!(
        checks::default_name(&env(&[("GITHUB_JOB", "test")])),
        "goleash (test)"
    );
    assert_eq!(
        checks::default_name(&env(&[
            ("GITHUB_JOB", "test"),
            ("RUNNER_OS", "macOS"),
            ("RUNNER_ARCH", "ARM64"),
            (
                "GOLEASH_MATRIX",
                r#"{"go": "1.25", "race": true, "n": null}"#
            ),
        ])),
        "goleash (test, macOS ARM64, 1.25, true)"
    );
    assert_eq!(checks::job_url(&env(&[("GITHUB_RUN_ID", "1")])), None);
    assert_eq!(
        checks::job_url(&env(&[
            ("GITHUB_SERVER_URL", "https://ghe.example.com/"),
            ("GITHUB_REPOSITORY", "o/r"),
            ("GITHUB_RUN_ID", "17"),
        ])),
        Some("https://ghe.example.com/o/r/actions/runs/17".to_string())
    );
    assert_eq!(checks::truncate_bytes("ééé", 5), "é…");
    assert_eq!(checks::truncate_bytes("abc", 3), "abc");
}

// ---------------------------------------------------------------------------------------------------
// Behind a proxy.

/// A `CONNECT` proxy on 127.0.0.1 (RFC 9110 §9.3.6): records each request's line and
/// `Proxy-Authorization`, answers `status` and, when that is 200, relays bytes both ways.
struct FakeProxy {
    addr: SocketAddr,
    seen: Tunnels,
}

impl FakeProxy {
    fn start(status: u16) -> FakeProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen: Tunnels = Arc::default();
        let seen2 = seen.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                let seen = seen2.clone();
                std::thread::spawn(move || relay(conn, status, &seen));
            }
        });
        FakeProxy { addr, seen }
    }

    fn url(&self, userinfo: &str) -> String {
        format!("http://{userinfo}{}", self.addr)
    }

    fn seen(&self) -> Vec<(String, Option<String>)> {
        self.seen.lock().unwrap().clone()
    }
}

fn relay(conn: TcpStream, status: u16, seen: &Mutex<Vec<(String, Option<String>)>>) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let request = line.trim_end().to_string();
    let mut auth = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("proxy-authorization") {
                auth = Some(v.trim().to_string());
            }
        }
    }
    seen.lock().unwrap().push((request.clone(), auth));
    let mut client = conn;
    let target = request
        .strip_prefix("CONNECT ")
        .and_then(|r| r.split(' ').next());
    let upstream = match (status, target) {
        (200, Some(t)) => TcpStream::connect(t).ok(),
        _ => None,
    };
    let Some(upstream) = upstream else {
        let reason = if status == 407 {
            "Proxy Authentication Required"
        } else {
            "Bad Gateway"
        };
        let _ = write!(
            client,
            "HTTP/1.1 {} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            if status == 200 { 502 } else { status }
        );
        return;
    };
    client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .unwrap();
    // Whatever the reader buffered past the header belongs to the tunnel.
    let early = reader.buffer().to_vec();
    let mut up_w = upstream.try_clone().unwrap();
    up_w.write_all(&early).unwrap();
    let mut up_r = upstream;
    let mut client_w = client.try_clone().unwrap();
    let down = std::thread::spawn(move || {
        let _ = std::io::copy(&mut up_r, &mut client_w);
        let _ = client_w.shutdown(std::net::Shutdown::Both);
    });
    let _ = std::io::copy(&mut reader.into_inner(), &mut up_w);
    let _ = up_w.shutdown(std::net::Shutdown::Write);
    let _ = down.join();
}

type Tunnels = Arc<Mutex<Vec<(String, Option<String>)>>>;

const PROXY_PASSWORD: &str = "pr0xyS3CRET";

#[test]
fn the_check_run_goes_through_the_proxy_the_environment_names() {
    let api = FakeApi::start(ok_script);
    let proxy = FakeProxy::start(200);
    let url = proxy.url(&format!("ci:{PROXY_PASSWORD}@"));
    // The fake API is http://, so HTTP_PROXY is the variable that applies (HTTPS_PROXY for GitHub).
    let out = goleash_checks(&api, &[("HTTP_PROXY", &url), ("NO_PROXY", "")]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert_no_token(&out);
    assert!(!out.stderr.contains(PROXY_PASSWORD));
    assert!(
        out.stderr
            .contains("goleash: check run goleash published with 25 annotations"),
        "{}",
        out.stderr
    );
    let tunnels = proxy.seen();
    assert!(!tunnels.is_empty());
    for (request, auth) in &tunnels {
        assert_eq!(request, &format!("CONNECT {} HTTP/1.1", api.addr));
        // base64("ci:pr0xyS3CRET")
        assert_eq!(auth.as_deref(), Some("Basic Y2k6cHIweHlTM0NSRVQ="));
    }
    let seen = api.seen();
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].path, "/api/v3/repos/acme/leaky/check-runs");
    assert!(seen
        .iter()
        .all(|s| s.authorization.as_deref() == Some(&format!("Bearer {TOKEN}") as &str)));
    let annotations: usize = seen
        .iter()
        .map(|s| {
            s.body["output"]["annotations"]
                .as_array()
                .map_or(0, Vec::len)
        })
        .sum();
    assert_eq!(annotations, 25);
}

#[test]
fn no_proxy_hosts_are_reached_directly() {
    let api = FakeApi::start(ok_script);
    let proxy = FakeProxy::start(200);
    let url = proxy.url("");
    let out = goleash_checks(
        &api,
        &[
            ("http_proxy", &url),
            ("no_proxy", "example.org, 127.0.0.0/8"),
        ],
    );
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("published with 25 annotations"),
        "{}",
        out.stderr
    );
    assert!(proxy.seen().is_empty());
    assert!(!api.seen().is_empty());
}

#[test]
fn a_proxy_that_refuses_is_a_warning_without_secrets() {
    let api = FakeApi::start(ok_script);
    let proxy = FakeProxy::start(407);
    let url = proxy.url(&format!("ci:{PROXY_PASSWORD}@"));
    let out = goleash_checks(&api, &[("ALL_PROXY", &url)]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert_no_token(&out);
    assert!(!out.stderr.contains(PROXY_PASSWORD), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("goleash: warning: check run not published: could not reach "),
        "{}",
        out.stderr
    );
    assert!(api.seen().is_empty());
    assert!(!proxy.seen().is_empty());
}

#[test]
fn proxy_settings_never_show_their_password() {
    let get = |k: &str| match k {
        "HTTPS_PROXY" => Some(format!("http://ci:{PROXY_PASSWORD}@proxy.corp:3128")),
        "no_proxy" => Some(".corp".to_string()),
        _ => None,
    };
    let p = checks::ProxyEnv::from_env(&get);
    assert_eq!(
        p.https,
        format!("http://ci:{PROXY_PASSWORD}@proxy.corp:3128")
    );
    assert_eq!(p.no, ".corp");
    assert_eq!(
        format!("{p:?}"),
        "ProxyEnv { all: \"unset\", https: \"set\", http: \"unset\", no: \".corp\" }"
    );
    let via = p.intercept("https://api.github.com").unwrap();
    assert_eq!(via.uri().to_string(), "http://proxy.corp:3128/");
    assert!(p.intercept("https://ghe.corp/api/v3").is_none());
    assert!(p.intercept("http://api.github.com").is_none());
    let mut config = Config::new("https://api.github.com", "acme/leaky", SHA, TOKEN).unwrap();
    config.proxy = p;
    assert_eq!(
        config.redact(&format!("proxy said {PROXY_PASSWORD} to {TOKEN}")),
        "proxy said *** to ***"
    );
    assert!(!format!("{config:?}").contains(PROXY_PASSWORD));
}
