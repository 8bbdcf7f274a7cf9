//! The job summary (`--summary`, `$GITHUB_STEP_SUMMARY`): Markdown with the totals, a table of leak
//! groups linking to the file and line at the commit, the failures, and each leak's advice and stack in
//! a collapsible `<details>`. Never larger than a given limit (GitHub takes 1 MiB per step): what does
//! not fit is left out, in order of importance, with a note saying so.
//!
//! Everything that comes from test output (names, messages, functions, paths) is escaped: it renders
//! as text, never as Markdown or HTML.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::paths::in_repo;
use crate::pipeline::Sink;
use crate::report::github::{reach_phrase, repo_path, tests_of, who, Context};
use crate::text::{escape_char, plural, truncate, Keep};
use crate::view::{FailureEntry, LeakEntry, View};

/// GitHub's limit for one step's summary.
pub const SUMMARY_LIMIT: usize = 1 << 20;

/// Room kept for the note that says what was left out.
const NOTE_RESERVE: usize = 512;

/// Where links point: `{server}/{repository}/blob/{sha}/{path}#L{line}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// `GITHUB_SERVER_URL`, e.g. `https://github.com`.
    pub server_url: String,
    /// `GITHUB_REPOSITORY`, `owner/name`.
    pub repository: String,
    /// `GITHUB_SHA`.
    pub sha: String,
}

impl Links {
    /// Links from the environment's values, when all three are present and well-formed (an
    /// `http(s)://` server without spaces or Markdown-breaking characters, an `owner/name` repository,
    /// a hex commit).
    pub fn new(
        server_url: Option<&str>,
        repository: Option<&str>,
        sha: Option<&str>,
    ) -> Option<Links> {
        let server = server_url?.trim_end_matches('/');
        let repo = repository?;
        let sha = sha?;
        let server_ok = (server.starts_with("https://") || server.starts_with("http://"))
            && server.len() > "https://".len()
            && !server
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "()<>[]\"'`|\\".contains(c));
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        let repo_ok = repo
            .split_once('/')
            .is_some_and(|(o, n)| name_ok(o) && name_ok(n));
        let sha_ok =
            !sha.is_empty() && sha.len() <= 64 && sha.chars().all(|c| c.is_ascii_hexdigit());
        (server_ok && repo_ok && sha_ok).then(|| Links {
            server_url: server.to_string(),
            repository: repo.to_string(),
            sha: sha.to_string(),
        })
    }

    /// The URL of a repository file's line at the commit.
    pub fn url(&self, repo_file: &str, line: u32) -> String {
        format!(
            "{}/{}/blob/{}/{}#L{line}",
            self.server_url,
            self.repository,
            self.sha,
            encode_path(repo_file)
        )
    }
}

/// What a URL path keeps as it is: the unreserved characters (RFC 3986) and `/`.
const PATH_KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes a path for a URL, keeping `/` and the unreserved characters.
pub fn encode_path(p: &str) -> String {
    percent_encoding::utf8_percent_encode(p, PATH_KEEP).to_string()
}

/// How to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The root's place in the repository (`""` or ending in `/`).
    pub prefix: String,
    /// Where file links point; `None` renders locations as code.
    pub links: Option<Links>,
    /// How many annotations did not fit the runner's caps (said in the summary).
    pub omitted_annotations: usize,
    /// The most bytes to produce.
    pub limit: usize,
    /// The heading level of the title (`##` for a job summary).
    pub heading: &'static str,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            prefix: String::new(),
            links: None,
            omitted_annotations: 0,
            limit: SUMMARY_LIMIT,
            heading: "##",
        }
    }
}

/// Writes a control character or bidirectional override as a visible escape; true when `c` is
/// neither (the caller writes it).
fn visible(c: char, out: &mut String) -> bool {
    if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
        escape_char(out, c);
        return false;
    }
    true
}

/// Text from test output as inline Markdown that renders as the same text, on one line, safe in a
/// table cell: HTML's `<`, `>`, `&` become entities, Markdown's punctuation is backslash-escaped, `@`
/// cannot mention anyone, control characters become visible escapes.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("&#64;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' | '{' | '}' | '(' | ')'
            | '$' | ':' => {
                out.push('\\');
                out.push(c);
            }
            c => {
                if visible(c, &mut out) {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// Prose whose `` `code` `` spans (balanced backticks, as the advice engine writes them) stay code
/// spans; everything else is escaped as [`md_text`]. Unbalanced backticks: all of it as [`md_text`].
pub fn md_prose(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len() % 2 == 0 {
        return md_text(s);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| if i % 2 == 0 { md_text(p) } else { md_code(p) })
        .collect()
}

/// Text as an inline code span that shows it literally (safe in a table cell: `|` is escaped as GFM
/// tables require).
pub fn md_code(s: &str) -> String {
    let mut body = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => body.push(' '),
            c => {
                if visible(c, &mut body) {
                    body.push(c);
                }
            }
        }
    }
    let body = body.replace('|', "\\|");
    let longest = longest_run(&body, '`');
    let fence = "`".repeat(longest + 1);
    let pad = if body.starts_with('`') || body.ends_with('`') || body.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Text for HTML (inside `<summary>`): `&`, `<`, `>`, `"` become entities.
pub fn html_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => {
                if visible(c, &mut out) {
                    out.push(c);
                }
            }
        }
    }
    out
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        if c == ch {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// A fenced code block that shows `text` literally, whatever backticks it holds.
pub fn code_block(text: &str) -> String {
    let mut body = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => body.push(c),
            '\r' => {}
            c => {
                if visible(c, &mut body) {
                    body.push(c);
                }
            }
        }
    }
    let fence = "`".repeat(longest_run(&body, '`').max(2) + 1);
    format!("{fence}text\n{body}\n{fence}\n")
}

fn location_md(file: &str, line: u32, opts: &Options) -> String {
    let shown = if in_repo(file) {
        repo_path(&opts.prefix, file)
    } else {
        file.to_string()
    };
    let label = format!("{shown}:{line}");
    match (&opts.links, in_repo(file)) {
        (Some(l), true) => format!("[{}]({})", md_text(&label), l.url(&shown, line)),
        _ => md_code(&label),
    }
}

/// The title line: what failed, in words.
pub fn headline(report: &View) -> String {
    let s = &report.summary;
    let known = report.leaks.iter().filter(|l| l.known).count();
    let mut parts = Vec::new();
    if s.leaks > 0 {
        let mut p = plural(s.leaks, "goroutine leak", "goroutine leaks");
        if known > 0 {
            p.push_str(&format!(" ({known} known)"));
        }
        parts.push(p);
    }
    if s.failed > 0 {
        parts.push(plural(s.failed, "failed test", "failed tests"));
    }
    if parts.is_empty() {
        format!("no leaks, {} passed", plural(s.passed, "test", "tests"))
    } else {
        parts.join(", ")
    }
}

/// The totals table.
fn totals(report: &View) -> String {
    let s = &report.summary;
    format!(
        "| packages | tests | passed | failed | skipped | leaks | leaked goroutines |\n\
         | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n\
         | {} | {} | {} | {} | {} | {} | {} |\n",
        s.packages, s.tests, s.passed, s.failed, s.skipped, s.leaks, s.leaked_goroutines
    )
}

fn leak_row(l: &LeakEntry, opts: &Options) -> String {
    let loc = l
        .location
        .as_ref()
        .map(|loc| location_md(&loc.file, loc.line, opts))
        .unwrap_or_else(|| md_code(&l.function));
    let first = l
        .first_seen
        .as_ref()
        .map(|f| md_code(&who(&f.package, f.test.as_deref())))
        .unwrap_or_default();
    let cause = if l.known {
        format!("{} (known)", md_text(l.cause.as_str()))
    } else {
        md_text(l.cause.as_str())
    };
    format!(
        "| {} | {} | {} | {} | {} |\n",
        md_code(&l.id),
        cause,
        loc,
        tests_of(l).len(),
        first
    )
}

fn failure_row(f: &FailureEntry, opts: &Options) -> String {
    let at = match (&f.file, f.line) {
        (Some(file), Some(line)) => location_md(file, line, opts),
        _ => String::new(),
    };
    let leaks: Vec<String> = f.leaks.iter().map(|id| md_code(id)).collect();
    format!(
        "| {} | {} | {} | {} | {} |\n",
        md_code(&who(&f.package, f.test.as_deref())),
        md_text(f.kind.as_str()),
        at,
        md_text(&truncate(&f.message, 500, Keep::Start)),
        leaks.join(" ")
    )
}

fn leak_details(l: &LeakEntry, opts: &Options) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<details><summary><code>{}</code> {}: {} blocked in {}, {}</summary>\n",
        html_text(&l.id),
        html_text(l.cause.as_str()),
        plural(l.goroutines, "goroutine", "goroutines"),
        html_text(&l.state),
        html_text(&reach_phrase(l))
    );
    if !l.advice.is_empty() {
        let _ = writeln!(s, "{}\n", md_prose(&l.advice));
    }
    if let Some(c) = &l.created_by {
        let _ = writeln!(
            s,
            "Started by {} at {}.\n",
            md_code(&c.function),
            location_md(&c.file, c.line, opts)
        );
    }
    let tests: Vec<String> = tests_of(l).iter().map(|t| md_code(t)).collect();
    if !tests.is_empty() {
        let _ = writeln!(s, "Seen by {}.\n", tests.join(", "));
    }
    let mut stack = String::new();
    for f in &l.stack {
        let file = if in_repo(&f.file) {
            repo_path(&opts.prefix, &f.file)
        } else {
            f.file.clone()
        };
        let _ = writeln!(stack, "{}\n    {}:{}", f.function, file, f.line);
    }
    if let Some(c) = &l.created_by {
        let file = if in_repo(&c.file) {
            repo_path(&opts.prefix, &c.file)
        } else {
            c.file.clone()
        };
        let _ = writeln!(stack, "created by {}\n    {}:{}", c.function, file, c.line);
    }
    if !stack.is_empty() {
        s.push_str(&code_block(stack.trim_end()));
    }
    s.push_str("\n</details>\n\n");
    s
}

/// Appends blocks to a string while they fit a byte budget and counts what did not.
struct Budget {
    out: String,
    limit: usize,
}

impl Budget {
    fn fits(&self, s: &str) -> bool {
        self.out.len() + s.len() <= self.limit
    }

    fn push(&mut self, s: &str) -> bool {
        if self.fits(s) {
            self.out.push_str(s);
            true
        } else {
            false
        }
    }
}

/// Renders the summary within `opts.limit` bytes.
pub fn render(report: &View, opts: &Options) -> String {
    let mut b = Budget {
        out: String::new(),
        limit: opts.limit.saturating_sub(NOTE_RESERVE.min(opts.limit / 2)),
    };
    let (mut rows_left, mut failures_left, mut details_left) = (0usize, 0usize, 0usize);
    let title = format!(
        "{} goleash: {}\n\n",
        opts.heading,
        md_text(&headline(report))
    );
    b.push(&title);
    b.push(&totals(report));
    b.push("\n");
    if opts.omitted_annotations > 0 {
        b.push(&format!(
            "> [!NOTE]\n> {} not shown as annotations (GitHub shows 10 of each level per step); all are listed below.\n\n",
            plural(opts.omitted_annotations, "more problem was", "more problems were")
        ));
    }
    if !report.leaks.is_empty() {
        let head = format!(
            "{}# Goroutine leaks\n\n| leak | cause | location | tests | first seen |\n| --- | --- | --- | ---: | --- |\n",
            opts.heading
        );
        if b.push(&head) {
            for (i, l) in report.leaks.iter().enumerate() {
                if !b.push(&leak_row(l, opts)) {
                    rows_left = report.leaks.len() - i;
                    break;
                }
            }
            b.push("\n");
        } else {
            rows_left = report.leaks.len();
        }
    }
    if !report.failures.is_empty() {
        let head = format!(
            "{}# Failures\n\n| test | kind | where | message | leaks |\n| --- | --- | --- | --- | --- |\n",
            opts.heading
        );
        if b.push(&head) {
            for (i, f) in report.failures.iter().enumerate() {
                if !b.push(&failure_row(f, opts)) {
                    failures_left = report.failures.len() - i;
                    break;
                }
            }
            b.push("\n");
        } else {
            failures_left = report.failures.len();
        }
    }
    if !report.leaks.is_empty() {
        let head = format!("{}# Leak details\n\n", opts.heading);
        if b.push(&head) {
            for (i, l) in report.leaks.iter().enumerate() {
                if !b.push(&leak_details(l, opts)) {
                    details_left = report.leaks.len() - i;
                    break;
                }
            }
        } else {
            details_left = report.leaks.len();
        }
    }
    let mut out = b.out;
    if rows_left + failures_left + details_left > 0 {
        let mut left = Vec::new();
        if rows_left > 0 {
            left.push(plural(rows_left, "leak row", "leak rows"));
        }
        if failures_left > 0 {
            left.push(plural(failures_left, "failure", "failures"));
        }
        if details_left > 0 {
            left.push(plural(details_left, "leak detail", "leak details"));
        }
        let note = format!(
            "\n_Trimmed to stay within the summary size limit ({} bytes): {} not shown. The JSON report (`--json`) has everything._\n",
            opts.limit,
            left.join(", ")
        );
        if out.len() + note.len() <= opts.limit {
            out.push_str(&note);
        }
    }
    out
}

/// Appends `text` to the file at `path` (creating it), as GitHub expects for `$GITHUB_STEP_SUMMARY`.
pub fn append(path: &Path, text: &str) -> Result<(), Error> {
    let mut f = open_for_append(path)?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.flush())
        .map_err(|e| Error::output(path, e))
}

/// Opens (creating it) the file at `path` for appending; an error names the path.
pub fn open_for_append(path: &Path) -> Result<std::fs::File, Error> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::output(path, e))
}

/// The job summary sink: appends the summary at the end of the run.
#[derive(Debug)]
pub struct SummarySink {
    path: PathBuf,
    explicit: bool,
    opts: Options,
    context: Context,
}

impl SummarySink {
    /// A sink appending to `path`; `explicit` when the user named it (`--summary`: an error stops the
    /// run), else the default `$GITHUB_STEP_SUMMARY` (an error is a warning). `opts` says how to render
    /// (its `omitted_annotations` and `limit` are worked out at the end of the run).
    pub fn new(path: PathBuf, explicit: bool, opts: Options, context: Context) -> SummarySink {
        SummarySink {
            path,
            explicit,
            opts,
            context,
        }
    }
}

impl Sink for SummarySink {
    fn run_done(&mut self, view: &View) -> Result<(), Error> {
        let text = render(
            view,
            &Options {
                limit: room_left(&self.path, SUMMARY_LIMIT),
                omitted_annotations: self.context.omitted_annotations(view),
                ..self.opts.clone()
            },
        );
        match append(&self.path, &text) {
            Err(e) if self.explicit => Err(e),
            Err(e) => {
                eprintln!("goleash: warning: job summary not written: {e}");
                Ok(())
            }
            Ok(()) => Ok(()),
        }
    }
}

/// The bytes still free for a summary appended to `path` under `limit` (what the file already holds
/// counts: GitHub's limit is per step).
pub fn room_left(path: &Path, limit: usize) -> usize {
    let used = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    limit.saturating_sub(usize::try_from(used).unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            md_text("<script>alert(1)</script> *x* | @bob [a](b)\n`c`"),
            "&lt;script&gt;alert\\(1\\)&lt;/script&gt; \\*x\\* \\| &#64;bob \\[a\\]\\(b\\) \\`c\\`"
        );
        assert_eq!(md_text("a\u{1b}[31m"), "a\\x1b\\[31m");
    }

    #[test]
    fn prose_keeps_its_code_spans() {
        assert_eq!(
            md_prose("Close `ch` <now> (a|b) `x<y`"),
            "Close `ch` &lt;now&gt; \\(a\\|b\\) `x<y`"
        );
        assert_eq!(md_prose("odd ` tick"), "odd \\` tick");
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(md_code("a.B"), "`a.B`");
        assert_eq!(md_code("x`y"), "``x`y``");
        assert_eq!(md_code("`x"), "`` `x ``");
        assert_eq!(md_code("a|b"), "`a\\|b`");
    }

    #[test]
    fn code_blocks_use_a_longer_fence() {
        assert_eq!(code_block("a\n```\nb"), "````text\na\n```\nb\n````\n");
        assert_eq!(code_block("x"), "```text\nx\n```\n");
    }

    #[test]
    fn links_need_well_formed_values() {
        let l = Links::new(Some("https://github.com/"), Some("o/r"), Some("abc123")).unwrap();
        assert_eq!(
            l.url("a b/c#.go", 7),
            "https://github.com/o/r/blob/abc123/a%20b/c%23.go#L7"
        );
        assert_eq!(
            Links::new(Some("https://x)"), Some("o/r"), Some("ab")),
            None
        );
        assert_eq!(
            Links::new(Some("https://x"), Some("o/r/s"), Some("ab")),
            None
        );
        assert_eq!(
            Links::new(Some("https://x"), Some("o/r"), Some("main")),
            None
        );
        assert_eq!(Links::new(None, Some("o/r"), Some("ab")), None);
    }
}
