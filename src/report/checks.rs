//! A check run (`--checks`) through the GitHub REST API with the `octocrab` crate: one run named
//! `goleash` on `GITHUB_SHA` with a conclusion, a summary, a text and *every* annotation (not only the
//! ones the runner's per-step caps let through), 50 per request: the run is created with the first 50
//! and the rest are added with `PATCH` in batches of 50.
//!
//! The base URL is `GITHUB_API_URL` (GitHub Enterprise works), the token `GITHUB_TOKEN`. Server errors,
//! transport errors and rate limits are retried a bounded number of times; whatever still fails (a
//! fork's read-only token answers 403) becomes a warning for standard error, never a crash and never the
//! token in any text. The async runtime (tokio, current-thread) lives inside [`publish`] only.
//!
//! [`plan`] and [`decide`] are pure: the requests and the retry decisions can be tested without I/O.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::pipeline::Sink;
use crate::report::github::{neutralise, Context};
use crate::report::github::{Annotation, TITLE_LIMIT};
use crate::report::summary;
use crate::text::{truncate, Keep};
use crate::view::{FailOn, View};

/// The check run's name.
pub const CHECK_NAME: &str = "goleash";
/// Annotations per request (the API's limit).
pub const BATCH: usize = 50;
/// The API's limit for `output.summary` and `output.text`, in characters (kept in bytes here).
pub const TEXT_LIMIT: usize = 65_535;
/// The API's limit for an annotation's message and raw details (kept in characters).
pub const ANNOTATION_MESSAGE_LIMIT: usize = 60_000;

/// Where the check run goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The API's base URL, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`.
    pub api_url: String,
    /// The repository's owner.
    pub owner: String,
    /// The repository's name.
    pub repo: String,
    /// The commit.
    pub sha: String,
}

/// How often and how long to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// The wait before the second attempt; doubled for each further one.
    pub base_delay: Duration,
    /// The longest wait accepted (a rate limit that resets later is not waited for).
    pub max_delay: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
        }
    }
}

/// Everything [`publish`] needs. Its `Debug` never shows the token.
#[derive(Clone)]
pub struct Config {
    /// Where.
    pub target: Target,
    token: String,
    /// Retries.
    pub retry: Retry,
    /// Connect and read timeout per request.
    pub timeout: Duration,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("target", &self.target)
            .field("token", &"***")
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .finish()
    }
}

fn name_ok(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && s != "."
        && s != ".."
}

impl Config {
    /// A configuration; fails (with a message that never holds the token) when the token is empty or
    /// holds characters an HTTP header cannot carry, the repository is not `owner/name`, the commit is
    /// not hex or the URL is not `http(s)://`.
    pub fn new(api_url: &str, repository: &str, sha: &str, token: &str) -> Result<Config, String> {
        if token.is_empty() {
            return Err("GITHUB_TOKEN is not set".to_string());
        }
        if !token.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            return Err("GITHUB_TOKEN holds characters a token cannot have".to_string());
        }
        let (owner, repo) = repository
            .split_once('/')
            .filter(|(o, r)| name_ok(o) && name_ok(r))
            .ok_or_else(|| format!("GITHUB_REPOSITORY must be owner/name, not {repository:?}"))?;
        if sha.is_empty() || sha.len() > 64 || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!("GITHUB_SHA must be a commit id, not {sha:?}"));
        }
        let api = api_url.trim_end_matches('/');
        let scheme_ok = api.starts_with("https://") || api.starts_with("http://");
        if !scheme_ok || api.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "GITHUB_API_URL must be an http(s) URL, not {api_url:?}"
            ));
        }
        Ok(Config {
            target: Target {
                api_url: api.to_string(),
                owner: owner.to_string(),
                repo: repo.to_string(),
                sha: sha.to_string(),
            },
            token: token.to_string(),
            retry: Retry::default(),
            timeout: Duration::from_secs(30),
        })
    }

    /// A configuration from `GITHUB_API_URL` (default `https://api.github.com`), `GITHUB_REPOSITORY`,
    /// `GITHUB_SHA` and `GITHUB_TOKEN`, read through `get`.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let need = |k: &str| {
            get(k)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("{k} is not set"))
        };
        let token = need("GITHUB_TOKEN")?;
        let repository = need("GITHUB_REPOSITORY")?;
        let sha = need("GITHUB_SHA")?;
        let api = get("GITHUB_API_URL")
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "https://api.github.com".to_string());
        Config::new(&api, &repository, &sha, &token)
    }

    /// Replaces the token in `text` (an error message, a response body) with `***`.
    pub fn redact(&self, text: &str) -> String {
        if self.token.is_empty() {
            text.to_string()
        } else {
            text.replace(&self.token, "***")
        }
    }
}

/// The check run's conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Conclusion {
    /// Nothing to report.
    Success,
    /// The run fails (per `--fail-on`).
    Failure,
    /// Problems were found but do not fail the run.
    Neutral,
}

/// One annotation as the API takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckAnnotation {
    /// The file, relative to the repository root.
    pub path: String,
    /// First line.
    pub start_line: u32,
    /// Last line.
    pub end_line: u32,
    /// Column (only on one-line annotations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_column: Option<u32>,
    /// End column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    /// `notice`, `warning` or `failure`.
    pub annotation_level: &'static str,
    /// At most 255 characters.
    pub title: String,
    /// The message.
    pub message: String,
}

/// The `output` of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Output {
    /// The title.
    pub title: String,
    /// Markdown summary.
    pub summary: String,
    /// Markdown details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// At most [`BATCH`] annotations.
    pub annotations: Vec<CheckAnnotation>,
}

/// One request body: the first creates the run (`POST`), the others add annotations (`PATCH`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// The run's name (creation only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The commit (creation only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_sha: Option<String>,
    /// `completed` (creation only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    /// The conclusion (creation only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<Conclusion>,
    /// Title, summary, text and a batch of annotations.
    pub output: Output,
}

/// The API annotations of every annotation that names a file and line (all of them, uncapped).
pub fn check_annotations(all: &[Annotation]) -> Vec<CheckAnnotation> {
    all.iter()
        .filter_map(|a| {
            let path = a.file.clone()?;
            let line = a.line?.max(1);
            Some(CheckAnnotation {
                path,
                start_line: line,
                end_line: line,
                start_column: a.col,
                end_column: a.col,
                annotation_level: a.level.check_level(),
                title: truncate(&a.title, TITLE_LIMIT, Keep::Start),
                message: truncate(&a.message, ANNOTATION_MESSAGE_LIMIT, Keep::Start),
            })
        })
        .collect()
}

/// The requests for a report: a creation with the conclusion and the first [`BATCH`] annotations, then
/// one `PATCH` per further batch (each repeating title and summary, as the API requires).
pub fn plan(
    report: &View,
    all: &[Annotation],
    conclusion: Conclusion,
    sha: &str,
    opts: &summary::Options,
) -> Vec<Request> {
    let annotations = check_annotations(all);
    let title = truncate(
        &format!("goleash: {}", summary::headline(report)),
        TITLE_LIMIT,
        Keep::Start,
    );
    let s = &report.summary;
    let summary_md = format!(
        "{} packages, {} tests: {} passed, {} failed, {} skipped; {} leaks ({} goroutines). {} annotations.",
        s.packages, s.tests, s.passed, s.failed, s.skipped, s.leaks, s.leaked_goroutines, annotations.len()
    );
    let mut text = String::new();
    let unplaced: Vec<&Annotation> = all
        .iter()
        .filter(|a| a.file.is_none() || a.line.is_none())
        .collect();
    if !unplaced.is_empty() {
        text.push_str("Findings without a file in the repository:\n\n");
        for a in &unplaced {
            text.push_str(&format!("- {}\n", summary::md_text(&a.short)));
        }
        text.push('\n');
    }
    let details = summary::render(
        report,
        &summary::Options {
            limit: TEXT_LIMIT.saturating_sub(text.len()),
            heading: "##",
            ..opts.clone()
        },
    );
    text.push_str(&details);
    let output = |batch: &[CheckAnnotation]| Output {
        title: title.clone(),
        summary: summary_md.clone(),
        text: Some(text.clone()),
        annotations: batch.to_vec(),
    };
    let mut batches = annotations.chunks(BATCH);
    let first = batches.next().unwrap_or(&[]);
    let mut out = vec![Request {
        name: Some(CHECK_NAME.to_string()),
        head_sha: Some(sha.to_string()),
        status: Some("completed"),
        conclusion: Some(conclusion),
        output: output(first),
    }];
    for b in batches {
        out.push(Request {
            name: None,
            head_sha: None,
            status: None,
            conclusion: None,
            output: output(b),
        });
    }
    out
}

/// The conclusion for a run: `failure` when it fails, `neutral` when problems were found that do not
/// fail it, else `success`.
pub fn conclusion(fails: bool, all: &[Annotation]) -> Conclusion {
    if fails {
        Conclusion::Failure
    } else if all.is_empty() {
        Conclusion::Success
    } else {
        Conclusion::Neutral
    }
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The check run's id.
    pub id: u64,
    /// Its page, when the API said.
    pub html_url: Option<String>,
    /// Requests that succeeded.
    pub requests: usize,
    /// Annotations sent.
    pub annotations: usize,
}

/// The rate-limit headers of a response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateHeaders {
    /// `retry-after`, seconds.
    pub retry_after: Option<u64>,
    /// `x-ratelimit-remaining`.
    pub remaining: Option<u64>,
    /// `x-ratelimit-reset`, Unix seconds.
    pub reset: Option<u64>,
}

/// What to do after a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// It worked.
    Done,
    /// Try again after this wait.
    RetryAfter(Duration),
    /// Give up, with this explanation.
    GiveUp(String),
}

/// Decides what to do after a response with `status` to the `attempt`-th try (1-based), at Unix time
/// `now`. `message` is GitHub's own message from the body.
pub fn decide(
    status: u16,
    rate: &RateHeaders,
    message: &str,
    attempt: u32,
    retry: &Retry,
    now: u64,
) -> Decision {
    if (200..300).contains(&status) {
        return Decision::Done;
    }
    let said = if message.is_empty() {
        String::new()
    } else {
        format!(" ({})", truncate(message, 200, Keep::Start))
    };
    let backoff = retry
        .base_delay
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        .min(retry.max_delay);
    let out_of_tries = attempt >= retry.attempts;
    let rate_limited = status == 429
        || (status == 403 && (rate.retry_after.is_some() || rate.remaining == Some(0)));
    if rate_limited {
        let wait = match (rate.retry_after, rate.reset) {
            (Some(s), _) => Duration::from_secs(s),
            (None, Some(reset)) if rate.remaining == Some(0) => {
                Duration::from_secs(reset.saturating_sub(now) + 1)
            }
            _ => backoff,
        };
        if out_of_tries {
            return Decision::GiveUp(format!(
                "GitHub's rate limit was still exceeded after {attempt} attempts{said}"
            ));
        }
        if wait > retry.max_delay {
            return Decision::GiveUp(format!(
                "GitHub's rate limit is exceeded and resets in {}s, longer than goleash waits{said}",
                wait.as_secs()
            ));
        }
        return Decision::RetryAfter(wait);
    }
    if status >= 500 {
        if out_of_tries {
            return Decision::GiveUp(format!("GitHub answered {status} {attempt} times{said}"));
        }
        return Decision::RetryAfter(backoff);
    }
    let why = match status {
        401 => "the token was refused (401)".to_string(),
        403 => "the token may not create check runs (403): the job needs `permissions: checks: write`, and pull requests from forks only get a read-only token".to_string(),
        404 => "the repository or commit was not found (404): check GITHUB_REPOSITORY, GITHUB_SHA and GITHUB_API_URL".to_string(),
        422 => "GitHub rejected the check run (422)".to_string(),
        s => format!("GitHub answered {s}"),
    };
    Decision::GiveUp(format!("{why}{said}"))
}

/// Publishes the check run: sends `requests` in order (the first creates the run, the rest patch it).
/// Returns what was done, or a warning (never holding the token) when it could not be done.
pub fn publish(config: &Config, requests: &[Request]) -> Result<Published, String> {
    if requests.is_empty() {
        return Err("nothing to publish".to_string());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the HTTP client: {e}"))?;
    let r = rt.block_on(publish_async(config, requests));
    r.map_err(|e| config.redact(&e))
}

async fn publish_async(config: &Config, requests: &[Request]) -> Result<Published, String> {
    let octo = octocrab::Octocrab::builder()
        .base_uri(config.target.api_url.as_str())
        .map_err(|e| format!("bad GITHUB_API_URL: {e}"))?
        .personal_token(config.token.clone())
        .set_connect_timeout(Some(config.timeout))
        .set_read_timeout(Some(config.timeout))
        .set_write_timeout(Some(config.timeout))
        .build()
        .map_err(|e| format!("could not set up the GitHub client: {e}"))?;
    let t = &config.target;
    let base = format!("/repos/{}/{}/check-runs", t.owner, t.repo);
    let created = send(&octo, config, Method::Post, &base, &requests[0]).await?;
    let id = created
        .get("id")
        .and_then(Value::as_u64)
        .ok_or_else(|| "GitHub's answer to the check run's creation had no id".to_string())?;
    let html_url = created
        .get("html_url")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut done = Published {
        id,
        html_url,
        requests: 1,
        annotations: requests[0].output.annotations.len(),
    };
    let path = format!("{base}/{id}");
    for (i, r) in requests.iter().enumerate().skip(1) {
        send(&octo, config, Method::Patch, &path, r).await.map_err(|e| {
            format!(
                "{e}; the check run was created but only {} of its annotations were added (batch {} of {} failed)",
                done.annotations,
                i + 1,
                requests.len()
            )
        })?;
        done.requests += 1;
        done.annotations += r.output.annotations.len();
    }
    Ok(done)
}

#[derive(Debug, Clone, Copy)]
enum Method {
    Post,
    Patch,
}

async fn send(
    octo: &octocrab::Octocrab,
    config: &Config,
    method: Method,
    path: &str,
    body: &Request,
) -> Result<Value, String> {
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let res = match method {
            Method::Post => octo._post(path, Some(body)).await,
            Method::Patch => octo._patch(path, Some(body)).await,
        };
        let decision = match res {
            Err(e) => {
                let why = format!("could not reach {}: {e}", config.target.api_url);
                if attempt >= config.retry.attempts {
                    Decision::GiveUp(why)
                } else {
                    Decision::RetryAfter(
                        config
                            .retry
                            .base_delay
                            .saturating_mul(1u32 << (attempt - 1).min(16))
                            .min(config.retry.max_delay),
                    )
                }
            }
            Ok(resp) => {
                let status = resp.status().as_u16();
                let header = |name: &str| {
                    resp.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                };
                let rate = RateHeaders {
                    retry_after: header("retry-after"),
                    remaining: header("x-ratelimit-remaining"),
                    reset: header("x-ratelimit-reset"),
                };
                let text = octo.body_to_string(resp).await.unwrap_or_default();
                if (200..300).contains(&status) {
                    return serde_json::from_str(&text)
                        .map_err(|e| format!("GitHub's answer was not JSON ({e})"));
                }
                let message = serde_json::from_str::<Value>(&text)
                    .ok()
                    .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
                    .unwrap_or_default();
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                decide(
                    status,
                    &rate,
                    &config.redact(&message),
                    attempt,
                    &config.retry,
                    now,
                )
            }
        };
        match decision {
            Decision::Done => return Ok(Value::Null),
            Decision::GiveUp(why) => return Err(why),
            Decision::RetryAfter(wait) => tokio::time::sleep(wait).await,
        }
    }
}

/// The `--checks` sink: publishes the check run at the end of the run. Every problem (no
/// configuration, an API that refuses) is a warning on standard error, never an error of the run.
#[derive(Debug)]
pub struct ChecksSink {
    config: Result<Config, String>,
    context: Context,
    fail_on: FailOn,
    opts: summary::Options,
    inert: bool,
}

impl ChecksSink {
    /// A sink publishing with `config` (or warning why it cannot); `fail_on` decides the conclusion,
    /// `opts` renders the run's summary text; `inert` neutralises its messages on standard error.
    pub fn new(
        config: Result<Config, String>,
        context: Context,
        fail_on: FailOn,
        opts: summary::Options,
        inert: bool,
    ) -> ChecksSink {
        ChecksSink {
            config,
            context,
            fail_on,
            opts,
            inert,
        }
    }

    fn say(&self, s: String) {
        if self.inert {
            eprintln!("{}", neutralise(&s));
        } else {
            eprintln!("{s}");
        }
    }
}

impl Sink for ChecksSink {
    fn run_done(&mut self, view: &View) -> Result<(), Error> {
        let config = match &self.config {
            Err(why) => {
                eprintln!("goleash: warning: check run not published: {why}");
                return Ok(());
            }
            Ok(c) => c,
        };
        let all = self.context.annotations(view);
        let opts = summary::Options {
            omitted_annotations: self.context.omitted_annotations(view),
            ..self.opts.clone()
        };
        let requests = plan(
            view,
            &all,
            conclusion(self.fail_on.fails(view), &all),
            &config.target.sha,
            &opts,
        );
        match publish(config, &requests) {
            Ok(p) => self.say(format!(
                "goleash: check run {} published with {} annotations{}",
                CHECK_NAME,
                p.annotations,
                p.html_url.map(|u| format!(": {u}")).unwrap_or_default()
            )),
            Err(why) => self.say(format!("goleash: warning: check run not published: {why}")),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry() -> Retry {
        Retry {
            attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
        }
    }

    #[test]
    fn server_errors_are_retried_then_given_up() {
        let r = retry();
        let none = RateHeaders::default();
        assert_eq!(decide(201, &none, "", 1, &r, 0), Decision::Done);
        assert_eq!(
            decide(502, &none, "", 1, &r, 0),
            Decision::RetryAfter(Duration::from_millis(100))
        );
        assert_eq!(
            decide(503, &none, "", 2, &r, 0),
            Decision::RetryAfter(Duration::from_millis(200))
        );
        assert_eq!(
            decide(503, &none, "down", 3, &r, 0),
            Decision::GiveUp("GitHub answered 503 3 times (down)".to_string())
        );
    }

    #[test]
    fn forbidden_is_not_retried_but_rate_limits_are() {
        let r = retry();
        let none = RateHeaders::default();
        match decide(
            403,
            &none,
            "Resource not accessible by integration",
            1,
            &r,
            0,
        ) {
            Decision::GiveUp(w) => {
                assert!(
                    w.starts_with("the token may not create check runs (403)"),
                    "{w}"
                );
                assert!(
                    w.ends_with("(Resource not accessible by integration)"),
                    "{w}"
                );
            }
            d => panic!("{d:?}"),
        }
        let limited = RateHeaders {
            retry_after: None,
            remaining: Some(0),
            reset: Some(1_002),
        };
        assert_eq!(
            decide(403, &limited, "", 1, &r, 1_000),
            Decision::RetryAfter(Duration::from_secs(3))
        );
        let later = RateHeaders {
            reset: Some(5_000),
            ..limited.clone()
        };
        assert!(matches!(
            decide(403, &later, "", 1, &r, 1_000),
            Decision::GiveUp(_)
        ));
        let after = RateHeaders {
            retry_after: Some(0),
            ..RateHeaders::default()
        };
        assert_eq!(
            decide(429, &after, "", 1, &r, 0),
            Decision::RetryAfter(Duration::ZERO)
        );
        assert_eq!(
            decide(429, &none, "", 2, &r, 0),
            Decision::RetryAfter(Duration::from_millis(200))
        );
    }

    #[test]
    fn config_checks_values_and_hides_the_token() {
        let c = Config::new(
            "https://ghe.example.com/api/v3/",
            "o/r",
            "abc",
            "ghs_secret",
        )
        .unwrap();
        assert_eq!(c.target.api_url, "https://ghe.example.com/api/v3");
        assert!(!format!("{c:?}").contains("ghs_secret"));
        assert_eq!(c.redact("x ghs_secret y"), "x *** y");
        assert!(Config::new("https://x", "o/r", "abc", "bad token").is_err());
        assert!(Config::new("https://x", "o/r", "abc", "").is_err());
        assert!(Config::new("https://x", "o", "abc", "t").is_err());
        assert!(Config::new("https://x", "o/../r", "abc", "t").is_err());
        assert!(Config::new("https://x", "o/r", "main", "t").is_err());
        assert!(Config::new("ftp://x", "o/r", "abc", "t").is_err());
        let e = Config::new("https://x", "o/r", "abc", "sekrit\n").unwrap_err();
        assert!(!e.contains("sekrit"), "{e}");
    }
}
