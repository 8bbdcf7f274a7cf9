//! `--checks`: the check run goes through octocrab to a fake GitHub API on loopback (a small HTTP/1.1
//! server in this file, on 127.0.0.1:0) that records every request: method, path, authorization header,
//! body. It asserts batches of at most 50 annotations, that every annotation is sent, GitHub Enterprise
//! base paths, retries on 502/429/rate limits, no retry on 403, warnings instead of failures, and that
//! the token never appears on standard output or standard error.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
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

const TOKEN: &str = "ghs_TESTTOKEN0123456789abcdefSECRET";
const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One request the fake API received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    authorization: Option<String>,
    body: Value,
}

/// What the fake API answers.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

fn reply(status: u16, body: Value) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: body.to_string(),
    }
}

type Script = Arc<dyn Fn(usize, &Seen) -> Reply + Send + Sync>;

/// A fake GitHub API on 127.0.0.1: answers each request with `script(index, request)` and records it.
/// It stops by itself when dropped (and after 60 s in any case).
struct FakeApi {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeApi {
    fn start(script: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> FakeApi {
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

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
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
fn ok_script(_: usize, req: &Seen) -> Reply {
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
        SHA,
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
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].body, seen[1].body);
    let api = FakeApi::start(|_, _| reply(503, json!({"message": "unavailable"})));
    let (res, _) = publish(&api, "", &big_report(3));
    assert_eq!(
        res.unwrap_err(),
        "GitHub answered 503 3 times (unavailable)"
    );
    assert_eq!(api.seen().len(), 3);
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
        SHA,
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
        "goleash: warning: check run not published: the token may not create check runs (403): the job needs `permissions: checks: write`, and pull requests from forks only get a read-only token (Resource not accessible by integration (***))\n"
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
    assert_eq!(api.seen().len(), 2);
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
