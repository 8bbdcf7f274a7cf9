//! A check run (`--checks`) through the GitHub REST API with the `octocrab` crate: one run on the
//! commit users look at (the pull request's head on `pull_request`, the triggering head on
//! `workflow_run`, else `GITHUB_SHA`; `--check-sha` overrides), named per matrix leg (`--check-name`
//! overrides), linking to the job, with a conclusion, a summary, a text and *every* annotation (not only
//! the ones the runner's per-step caps let through), 50 per request: the run is created with the first
//! 50 and the rest are added with `PATCH` in batches of 50. Every text field is cut to GitHub's limits
//! before it is sent, saying how much was left out.
//!
//! Requests follow `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY` as curl does (a `CONNECT`
//! tunnel, see `through_proxy`). The base URL is `GITHUB_API_URL` (GitHub Enterprise Server works), the token `GOLEASH_GITHUB_TOKEN`
//! (the Action's name for it, so that nothing else in the job needs to see it) or `GITHUB_TOKEN`. Server
//! errors, transport errors and rate limits are retried a bounded number of times; a creation is only
//! retried after looking up whether the failed attempt did create the run (so a 502 from a proxy that
//! passed the request on never makes two runs). Whatever still fails (a fork's read-only token answers
//! 403) becomes a warning for standard error, never a crash and never the token in any text. The async
//! runtime (tokio, current-thread) lives inside [`publish`] only.
//!
//! [`plan`] and [`decide`] are pure: the requests and the retry decisions can be tested without I/O.

use std::fmt;
use std::time::Duration;

use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::pipeline::Sink;
use crate::report::github::{neutralise, Context};
use crate::report::github::{Annotation, TITLE_LIMIT};
use crate::report::summary;
use crate::text::{truncate, Keep};
use crate::view::{FailOn, View};

/// The check run's name outside a GitHub Actions job (and its prefix inside one).
pub const CHECK_NAME: &str = "goleash";
/// Annotations per request (the API's limit).
pub const BATCH: usize = 50;
/// The API's limit for `output.summary` and `output.text`, in characters (kept in bytes here, which is
/// never more characters).
pub const TEXT_LIMIT: usize = 65_535;
/// The API's limit for an annotation's `message` (64 KB), kept in bytes.
pub const ANNOTATION_MESSAGE_LIMIT: usize = 65_536;
/// The token variable the Action sets (read before `GITHUB_TOKEN`).
pub const TOKEN_VAR: &str = "GOLEASH_GITHUB_TOKEN";

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
    /// The check run's name.
    pub name: String,
    /// The job's page (`details_url`), when known.
    pub details_url: Option<String>,
    /// This invocation's own `external_id` (random), by which a run it created is found again.
    pub external_id: String,
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
    /// Things worth a warning that did not stop the run (an unreadable event payload).
    pub notes: Vec<String>,
    /// The proxy settings the requests follow.
    pub proxy: ProxyEnv,
}

/// The proxy variables, read as curl reads them (the first of the upper- and lower-case name that is
/// set): `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY`. A proxy URL may hold a user and a
/// password, so its `Debug` shows only which are set.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    /// `ALL_PROXY`: for every scheme without a proxy of its own.
    pub all: String,
    /// `HTTPS_PROXY`: for `https://` API URLs (GitHub's).
    pub https: String,
    /// `HTTP_PROXY`: for `http://` API URLs.
    pub http: String,
    /// `NO_PROXY`: hosts, domains and networks reached directly (curl's rules; `*` is every host).
    pub no: String,
}

impl fmt::Debug for ProxyEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |v: &str| if v.is_empty() { "unset" } else { "set" };
        f.debug_struct("ProxyEnv")
            .field("all", &set(&self.all))
            .field("https", &set(&self.https))
            .field("http", &set(&self.http))
            .field("no", &self.no)
            .finish()
    }
}

impl ProxyEnv {
    /// The variables as `get` gives them.
    pub fn from_env(get: &impl Fn(&str) -> Option<String>) -> ProxyEnv {
        let first = |names: [&str; 2]| names.iter().find_map(|n| get(n)).unwrap_or_default();
        ProxyEnv {
            all: first(["ALL_PROXY", "all_proxy"]),
            https: first(["HTTPS_PROXY", "https_proxy"]),
            http: first(["HTTP_PROXY", "http_proxy"]),
            no: first(["NO_PROXY", "no_proxy"]),
        }
    }

    /// The proxy to reach `api_url` through, if any: `NO_PROXY` first, then the scheme's own
    /// variable, then `ALL_PROXY` (hyper-util's matcher, which follows curl).
    pub fn intercept(&self, api_url: &str) -> Option<Intercept> {
        let uri: http::Uri = api_url.parse().ok()?;
        Matcher::builder()
            .all(self.all.clone())
            .https(self.https.clone())
            .http(self.http.clone())
            .no(self.no.clone())
            .build()
            .intercept(&uri)
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("target", &self.target)
            .field("token", &"***")
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("proxy", &self.proxy)
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

fn sha_ok(sha: &str) -> bool {
    !sha.is_empty() && sha.len() <= 64 && sha.chars().all(|c| c.is_ascii_hexdigit())
}

fn external_id() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        bytes = (nanos as u64 ^ u64::from(std::process::id())).to_le_bytes();
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("goleash-{hex}")
}

impl Config {
    /// A configuration named [`CHECK_NAME`] without a `details_url`; fails (with a message that never
    /// holds the token) when the token is empty or holds characters an HTTP header cannot carry, the
    /// repository is not `owner/name`, the commit is not hex or the URL is not `http(s)://`.
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
        if !sha_ok(sha) {
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
                name: CHECK_NAME.to_string(),
                details_url: None,
                external_id: external_id(),
            },
            token: token.to_string(),
            retry: Retry::default(),
            timeout: Duration::from_secs(30),
            notes: Vec::new(),
            proxy: ProxyEnv::default(),
        })
    }

    /// A configuration from the job's environment, read through `get`: `GITHUB_API_URL` (default
    /// `https://api.github.com`), `GITHUB_REPOSITORY`, the token ([`TOKEN_VAR`], else `GITHUB_TOKEN`), the
    /// commit ([`head_sha`]), the name ([`default_name`]) and the job's page ([`job_url`]).
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let get = |k: &str| get(k).filter(|v| !v.is_empty());
        let need = |k: &str| get(k).ok_or_else(|| format!("{k} is not set"));
        let token = get(TOKEN_VAR)
            .or_else(|| get("GITHUB_TOKEN"))
            .ok_or_else(|| "GITHUB_TOKEN is not set".to_string())?;
        let repository = need("GITHUB_REPOSITORY")?;
        let mut notes = Vec::new();
        let sha = head_sha(&get, &mut notes)?;
        let api = get("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".to_string());
        let mut config = Config::new(&api, &repository, &sha, &token)?;
        config.target.name = default_name(&get);
        config.target.details_url = job_url(&get);
        config.notes = notes;
        config.proxy = ProxyEnv::from_env(&get);
        Ok(config)
    }

    /// The configuration with `--check-sha` and `--check-name` applied (each when given).
    pub fn with_overrides(
        mut self,
        sha: Option<&str>,
        name: Option<&str>,
    ) -> Result<Config, String> {
        if let Some(sha) = sha {
            if !sha_ok(sha) {
                return Err(format!("--check-sha must be a commit id, not {sha:?}"));
            }
            sha.clone_into(&mut self.target.sha);
        }
        if let Some(name) = name {
            let name = name.trim();
            if name.is_empty() || name.chars().any(char::is_control) {
                return Err(format!(
                    "--check-name must be a one-line name, not {name:?}"
                ));
            }
            self.target.name = truncate(name, TITLE_LIMIT, Keep::Start);
        }
        Ok(self)
    }

    /// Replaces the token and any proxy password in `text` (an error message, a response body)
    /// with `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = if self.token.is_empty() {
            text.to_string()
        } else {
            text.replace(&self.token, "***")
        };
        let p = &self.proxy;
        for url in [&p.all, &p.https, &p.http] {
            if let Some(secret) = proxy_password(url) {
                out = out.replace(secret, "***");
            }
        }
        out
    }
}

/// The password part of a proxy URL's `user:password@`, when it has one.
fn proxy_password(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let userinfo = &rest[..rest.find('@')?];
    let (_, password) = userinfo.split_once(':')?;
    (!password.is_empty()).then_some(password)
}

/// The commit the run goes on: for `pull_request` (and `pull_request_target`, `pull_request_review`,
/// `pull_request_review_comment`) the pull request's head (`GITHUB_SHA` is then the synthetic merge
/// commit, whose checks the pull request does not show), for `workflow_run` the head of the run that
/// triggered it, read from the event payload at `GITHUB_EVENT_PATH`; else `GITHUB_SHA`. An unreadable
/// payload falls back to `GITHUB_SHA` with a note.
pub fn head_sha(
    get: &impl Fn(&str) -> Option<String>,
    notes: &mut Vec<String>,
) -> Result<String, String> {
    let event = get("GITHUB_EVENT_NAME").unwrap_or_default();
    let pointer = match event.as_str() {
        "pull_request"
        | "pull_request_target"
        | "pull_request_review"
        | "pull_request_review_comment" => Some("/pull_request/head/sha"),
        "workflow_run" => Some("/workflow_run/head_sha"),
        _ => None,
    };
    if let Some(pointer) = pointer {
        let from_payload = get("GITHUB_EVENT_PATH")
            .ok_or_else(|| "GITHUB_EVENT_PATH is not set".to_string())
            .and_then(|p| std::fs::read_to_string(&p).map_err(|e| format!("{p}: {e}")))
            .and_then(|t| serde_json::from_str::<Value>(&t).map_err(|e| format!("not JSON ({e})")))
            .and_then(|v| {
                v.pointer(pointer)
                    .and_then(Value::as_str)
                    .filter(|s| sha_ok(s))
                    .map(str::to_string)
                    .ok_or_else(|| format!("it has no commit at {pointer}"))
            });
        match from_payload {
            Ok(sha) => return Ok(sha),
            Err(why) => notes.push(format!(
                "the {event} event payload could not be read ({why}); the check run goes on GITHUB_SHA"
            )),
        }
    }
    get("GITHUB_SHA").ok_or_else(|| "GITHUB_SHA is not set".to_string())
}

/// The run's default name: [`CHECK_NAME`] outside a job; in a job, `goleash (JOB, OS ARCH)` so that the
/// legs of a matrix across runners do not hide each other (GitHub shows only the latest run of a name),
/// followed by the matrix's values when the Action passes them (`GOLEASH_MATRIX`, `toJSON(matrix)`).
pub fn default_name(get: &impl Fn(&str) -> Option<String>) -> String {
    let Some(job) = get("GITHUB_JOB") else {
        return CHECK_NAME.to_string();
    };
    let mut parts = vec![job];
    if let (Some(os), Some(arch)) = (get("RUNNER_OS"), get("RUNNER_ARCH")) {
        parts.push(format!("{os} {arch}"));
    }
    let matrix = get("GOLEASH_MATRIX")
        .and_then(|m| serde_json::from_str::<Value>(&m).ok())
        .and_then(|m| m.as_object().cloned())
        .unwrap_or_default();
    for v in matrix.values() {
        match v {
            Value::String(s) => parts.push(s.clone()),
            Value::Null => {}
            other => parts.push(other.to_string()),
        }
    }
    let name = format!("{CHECK_NAME} ({})", parts.join(", "));
    truncate(
        &name.replace(char::is_control, " "),
        TITLE_LIMIT,
        Keep::Start,
    )
}

/// The job's page for `details_url`: `GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID`,
/// with `/job/ID` when the Action passes the job's check-run id (`GOLEASH_JOB_ID`, `job.check_run_id`),
/// else `/attempts/GITHUB_RUN_ATTEMPT`.
pub fn job_url(get: &impl Fn(&str) -> Option<String>) -> Option<String> {
    let server = get("GITHUB_SERVER_URL")?;
    let repository = get("GITHUB_REPOSITORY")?;
    let run = get("GITHUB_RUN_ID").filter(|r| r.bytes().all(|b| b.is_ascii_digit()))?;
    let digits = |v: Option<String>| v.filter(|r| r.bytes().all(|b| b.is_ascii_digit()));
    let base = format!(
        "{}/{repository}/actions/runs/{run}",
        server.trim_end_matches('/')
    );
    Some(
        match (
            digits(get("GOLEASH_JOB_ID")),
            digits(get("GITHUB_RUN_ATTEMPT")),
        ) {
            (Some(job), _) => format!("{base}/job/{job}"),
            (None, Some(attempt)) => format!("{base}/attempts/{attempt}"),
            (None, None) => base,
        },
    )
}

/// Cuts `s` to at most `max` bytes at a character boundary, ending in `…` when cut.
pub fn truncate_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
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
    /// The job's page (creation only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details_url: Option<String>,
    /// This invocation's id for the run (creation only), see [`Target::external_id`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
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
                message: truncate_bytes(&a.message, ANNOTATION_MESSAGE_LIMIT),
            })
        })
        .collect()
}

/// The part of `output.text` the list of findings without a file may take at most, so that the
/// details after it always keep room.
pub const UNPLACED_SHARE: usize = TEXT_LIMIT / 2;

/// The list of findings without a file in the repository (they cannot be annotations), as Markdown
/// lines within `budget` bytes: as many as fit, then `… N more findings without a file (the JSON report
/// lists them all)`.
pub fn unplaced_list(all: &[Annotation], budget: usize) -> String {
    let unplaced: Vec<&Annotation> = all
        .iter()
        .filter(|a| a.file.is_none() || a.line.is_none())
        .collect();
    if unplaced.is_empty() {
        return String::new();
    }
    let head = "Findings without a file in the repository:\n\n";
    let more = |n: usize| {
        format!("\n… {n} more findings without a file (the JSON report lists them all)\n\n")
    };
    // Room for the closing line with the largest count it can carry.
    let reserve = more(unplaced.len()).len();
    let mut text = head.to_string();
    let mut shown = 0;
    for a in &unplaced {
        let line = format!(
            "- {}\n",
            truncate(&summary::md_text(&a.short), 1_000, Keep::Start)
        );
        if text.len() + line.len() + reserve > budget {
            break;
        }
        text.push_str(&line);
        shown += 1;
    }
    if shown < unplaced.len() {
        text.push_str(&more(unplaced.len() - shown));
    } else {
        text.push('\n');
    }
    text
}

/// The requests for a report: a creation with the conclusion and the first [`BATCH`] annotations, then
/// one `PATCH` per further batch (each repeating title and summary, as the API requires). Every text
/// is within GitHub's limits: title 255 characters, summary and text 65,535, messages 64 KB.
pub fn plan(
    report: &View,
    all: &[Annotation],
    conclusion: Conclusion,
    target: &Target,
    opts: &summary::Options,
) -> Vec<Request> {
    let annotations = check_annotations(all);
    let title = truncate(
        &format!("goleash: {}", summary::headline(report)),
        TITLE_LIMIT,
        Keep::Start,
    );
    let s = &report.summary;
    let summary_md = truncate_bytes(
        &format!(
            "{} packages, {} tests: {} passed, {} failed, {} skipped; {} leaks ({} goroutines). {} annotations.",
            s.packages, s.tests, s.passed, s.failed, s.skipped, s.leaks, s.leaked_goroutines, annotations.len()
        ),
        TEXT_LIMIT,
    );
    let mut text = unplaced_list(all, UNPLACED_SHARE);
    let details = summary::render(
        report,
        &summary::Options {
            limit: TEXT_LIMIT.saturating_sub(text.len()),
            heading: "##",
            ..opts.clone()
        },
    );
    text.push_str(&details);
    let text = truncate_bytes(&text, TEXT_LIMIT);
    let output = |batch: &[CheckAnnotation]| Output {
        title: title.clone(),
        summary: summary_md.clone(),
        text: Some(text.clone()),
        annotations: batch.to_vec(),
    };
    let mut batches = annotations.chunks(BATCH);
    let first = batches.next().unwrap_or(&[]);
    let mut out = vec![Request {
        name: Some(target.name.clone()),
        head_sha: Some(target.sha.clone()),
        details_url: target.details_url.clone(),
        external_id: Some(target.external_id.clone()),
        status: Some("completed"),
        conclusion: Some(conclusion),
        output: output(first),
    }];
    for b in batches {
        out.push(Request {
            name: None,
            head_sha: None,
            details_url: None,
            external_id: None,
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
    let lower = message.to_ascii_lowercase();
    // GitHub's documented rule for secondary rate limits: honour `retry-after`, else wait until
    // `x-ratelimit-reset` when nothing remains, else wait at least a minute.
    let secondary = (status == 403 || status == 429) && lower.contains("secondary rate limit");
    let rate_limited = secondary
        || status == 429
        || (status == 403 && (rate.retry_after.is_some() || rate.remaining == Some(0)));
    if rate_limited {
        let wait = match (rate.retry_after, rate.reset) {
            (Some(s), _) => Duration::from_secs(s),
            (None, Some(reset)) if rate.remaining == Some(0) => {
                Duration::from_secs(reset.saturating_sub(now) + 1)
            }
            _ if secondary => backoff.max(Duration::from_secs(60)),
            _ => backoff,
        };
        let which = if secondary {
            "GitHub's secondary rate limit (too many requests in a short time, e.g. from many parallel jobs)"
        } else {
            "GitHub's rate limit"
        };
        if out_of_tries {
            return Decision::GiveUp(format!(
                "{which} was still exceeded after {attempt} attempts{said}"
            ));
        }
        if wait > retry.max_delay {
            return Decision::GiveUp(format!(
                "{which} is exceeded and lifts in {}s, longer than goleash waits{said}",
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
    let pat = lower.contains("personal access token") || lower.contains("via a github app");
    let why = match status {
        401 => "the token was refused (401): it is expired, revoked or not a GitHub token".to_string(),
        403 | 404 if pat => format!("a personal access token cannot create check runs ({status}): only GitHub Apps can; use the job's GITHUB_TOKEN (the Action's default `token`) with `permissions: checks: write`, or a GitHub App's installation token"),
        403 if lower.contains("not accessible by integration") => "the token may not create check runs (403): the job's GITHUB_TOKEN or GitHub App needs `permissions: checks: write`, and pull requests from forks only get a read-only token".to_string(),
        403 => "the token may not create check runs (403): the job needs `permissions: checks: write`, and pull requests from forks only get a read-only token".to_string(),
        404 => "the repository or commit was not found (404): check GITHUB_REPOSITORY, the commit (--check-sha) and GITHUB_API_URL".to_string(),
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
    let octo = match config.proxy.intercept(&config.target.api_url) {
        None => octocrab::Octocrab::builder()
            .base_uri(config.target.api_url.as_str())
            .map_err(|e| format!("bad GITHUB_API_URL: {e}"))?
            .personal_token(config.token.clone())
            .set_connect_timeout(Some(config.timeout))
            .set_read_timeout(Some(config.timeout))
            .set_write_timeout(Some(config.timeout))
            .build()
            .map_err(|e| format!("could not set up the GitHub client: {e}"))?,
        Some(via) => through_proxy(config, &via)?,
    };
    let t = &config.target;
    let base = format!("/repos/{}/{}/check-runs", t.owner, t.repo);
    let created = create(&octo, config, &base, &requests[0]).await?;
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
        // A PATCH that is repeated adds its annotations again, but never a second run; GitHub keeps
        // duplicate annotations of one run apart only by position, which is harmless.
        send_with_retries(&octo, config, Method::Patch, &path, r)
            .await
            .map_err(|e| {
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

/// The GitHub client for a proxied API: octocrab's own client never reads the proxy variables
/// (octocrab#936), so this is its stack rebuilt on a connector that opens a `CONNECT` tunnel through
/// the proxy (hyper-util's [`Tunnel`], with the proxy URL's user and password as `Proxy-Authorization`)
/// and runs TLS to GitHub inside it — the same rustls (ring, the system's roots), timeouts, base URL,
/// `User-Agent` and `Authorization` header (sent only to the API's host) as the direct client. The
/// proxy itself may be `http://` or `https://`.
fn through_proxy(config: &Config, via: &Intercept) -> Result<octocrab::Octocrab, String> {
    use hyper_util::client::legacy::connect::{proxy::Tunnel, HttpConnector};
    use octocrab::service::middleware::{
        auth_header::AuthHeaderLayer, base_uri::BaseUriLayer, extra_headers::ExtraHeadersLayer,
    };

    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = || {
        hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider.clone())
            .map(|b| b.https_or_http().enable_http1())
            .map_err(|e| format!("could not load the system's TLS roots: {e}"))
    };
    let mut tcp = HttpConnector::new();
    tcp.enforce_http(false);
    tcp.set_connect_timeout(Some(config.timeout));
    let mut tunnel = Tunnel::new(via.uri().clone(), tls()?.wrap_connector(tcp));
    if let Some(auth) = via.basic_auth() {
        tunnel = tunnel.with_auth(auth.clone());
    }
    let mut connector = hyper_timeout::TimeoutConnector::new(tls()?.wrap_connector(tunnel));
    connector.set_connect_timeout(Some(config.timeout));
    connector.set_read_timeout(Some(config.timeout));
    connector.set_write_timeout(Some(config.timeout));
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, octocrab::OctoBody>(connector);
    let base: http::Uri = config
        .target
        .api_url
        .parse()
        .map_err(|e| format!("bad GITHUB_API_URL: {e}"))?;
    let mut bearer = http::HeaderValue::from_str(&format!("Bearer {}", config.token))
        .map_err(|_| "GITHUB_TOKEN holds characters a token cannot have".to_string())?;
    bearer.set_sensitive(true);
    let agent = vec![(
        http::header::USER_AGENT,
        http::HeaderValue::from_static("octocrab"),
    )];
    let built = octocrab::OctocrabBuilder::new_empty()
        .with_service(client)
        .with_layer(&ExtraHeadersLayer::new(std::sync::Arc::new(agent)))
        .with_layer(&BaseUriLayer::new(base.clone()))
        .with_layer(&AuthHeaderLayer::new(Some(bearer), base.clone(), base))
        .with_auth(octocrab::AuthState::None)
        .build();
    Ok(match built {
        Ok(octo) => octo,
        Err(never) => match never {},
    })
}

/// Creates the run. A creation that failed with a server error or in transport may still have reached
/// GitHub (a gateway answering 502 after passing the request on), so before trying again the run is
/// looked up by its `external_id` on the commit; when it is there, it is the result.
async fn create(
    octo: &octocrab::Octocrab,
    config: &Config,
    path: &str,
    body: &Request,
) -> Result<Value, String> {
    let mut attempt = 0u32;
    let mut maybe_created = false;
    loop {
        attempt += 1;
        if maybe_created {
            if let Some(found) = look_up(octo, config).await {
                return Ok(found);
            }
        }
        match send_once(octo, config, Method::Post, path, body, attempt).await {
            Attempt::Ok(v) => return Ok(v),
            Attempt::Decided(Decision::Done, _) => return Ok(Value::Null),
            Attempt::Decided(Decision::GiveUp(why), _) => return Err(why),
            Attempt::Decided(Decision::RetryAfter(wait), ambiguous) => {
                maybe_created = ambiguous;
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// The run this invocation created, if GitHub has it: `GET …/commits/{sha}/check-runs?check_name=…`,
/// matched on `external_id`. Raw JSON rather than octocrab's typed `list_check_runs_for_git_ref`: its
/// builder has no `check_name` filter and its `CheckRun` model has no `external_id`. Any failure of
/// the lookup itself counts as "not found" (the creation is then retried, as before).
async fn look_up(octo: &octocrab::Octocrab, config: &Config) -> Option<Value> {
    let t = &config.target;
    let path = format!(
        "/repos/{}/{}/commits/{}/check-runs?check_name={}&filter=all&per_page=100",
        t.owner,
        t.repo,
        t.sha,
        query_escape(&t.name)
    );
    let resp = octo._get(path).await.ok()?;
    if !resp.status().is_success() {
        return None;
    }
    let text = octo.body_to_string(resp).await.ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    v.get("check_runs")?
        .as_array()?
        .iter()
        .find(|r| r.get("external_id").and_then(Value::as_str) == Some(t.external_id.as_str()))
        .cloned()
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Debug, Clone, Copy)]
enum Method {
    Post,
    Patch,
}

enum Attempt {
    Ok(Value),
    /// What to do, and whether the request may have been carried out anyway (a server error or a
    /// transport failure, as opposed to a refusal or a rate limit, which GitHub answers before acting).
    Decided(Decision, bool),
}

/// Sends one request with the retry policy of [`decide`]. The retries are goleash's own and not
/// octocrab's retry layer: the decision needs the response's rate-limit headers (`retry-after`,
/// `x-ratelimit-*`), which octocrab's typed errors do not keep, and a creation must never be repeated
/// blindly (see [`create`]).
async fn send_with_retries(
    octo: &octocrab::Octocrab,
    config: &Config,
    method: Method,
    path: &str,
    body: &Request,
) -> Result<Value, String> {
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        match send_once(octo, config, method, path, body, attempt).await {
            Attempt::Ok(v) => return Ok(v),
            Attempt::Decided(Decision::Done, _) => return Ok(Value::Null),
            Attempt::Decided(Decision::GiveUp(why), _) => return Err(why),
            Attempt::Decided(Decision::RetryAfter(wait), _) => tokio::time::sleep(wait).await,
        }
    }
}

async fn send_once(
    octo: &octocrab::Octocrab,
    config: &Config,
    method: Method,
    path: &str,
    body: &Request,
    attempt: u32,
) -> Attempt {
    let res = match method {
        Method::Post => octo._post(path, Some(body)).await,
        Method::Patch => octo._patch(path, Some(body)).await,
    };
    let resp = match res {
        Err(e) => {
            let why = format!("could not reach {}: {e}", config.target.api_url);
            let decision = if attempt >= config.retry.attempts {
                Decision::GiveUp(why)
            } else {
                Decision::RetryAfter(
                    config
                        .retry
                        .base_delay
                        .saturating_mul(1u32 << (attempt - 1).min(16))
                        .min(config.retry.max_delay),
                )
            };
            return Attempt::Decided(decision, true);
        }
        Ok(resp) => resp,
    };
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
        return match serde_json::from_str(&text) {
            Ok(v) => Attempt::Ok(v),
            Err(e) => Attempt::Decided(
                Decision::GiveUp(format!("GitHub's answer was not JSON ({e})")),
                false,
            ),
        };
    }
    let message = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let decision = decide(
        status,
        &rate,
        &config.redact(&message),
        attempt,
        &config.retry,
        now,
    );
    Attempt::Decided(decision, status >= 500)
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
            &config.target,
            &opts,
        );
        for note in &config.notes {
            self.say(format!("goleash: warning: {note}"));
        }
        match publish(config, &requests) {
            Ok(p) => self.say(format!(
                "goleash: check run {} published with {} annotations{}",
                config.target.name,
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
