//! The job summary (`--summary`, `$GITHUB_STEP_SUMMARY`): Markdown with the totals, a table of leak
//! groups linking to the file and line at the commit, the failures, and each leak's advice and stack in
//! a collapsible `<details>`. Never larger than a given limit (GitHub takes 1 MiB per step): what does
//! not fit is left out, in order of importance, with a note saying so.
//!
//! `markdown.rs` escapes text for Markdown and HTML, `links.rs` builds the links to files at the commit;
//! this file lays the summary out within its size limit and appends it.
//!
//! Everything that comes from test output (names, messages, functions, paths) is escaped: it renders
//! as text, never as Markdown or HTML.

mod links;
mod markdown;

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::paths::in_repo;
use crate::pipeline::Sink;
use crate::report::github::{reach_phrase, repo_path, tests_of, who, Context};
use crate::text::{plural, truncate, Keep};
use crate::view::{FailureEntry, LeakEntry, View};

pub use links::{encode_path, Links};
pub use markdown::{code_block, html_text, md_code, md_prose, md_text};

/// GitHub's limit for one step's summary.
pub const SUMMARY_LIMIT: usize = 1 << 20;

/// Room kept for the note that says what was left out.
const NOTE_RESERVE: usize = 512;

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
        .map(|f| {
            if f.package.is_empty() {
                // A bare goroutine dump: no package, no test to name.
                "a goroutine dump".to_string()
            } else {
                md_code(&who(&f.package, f.test.as_deref()))
            }
        })
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
        "<details><summary><code>{}</code> {}: {} {}, {}</summary>\n",
        html_text(&l.id),
        html_text(l.cause.as_str()),
        plural(l.goroutines, "goroutine", "goroutines"),
        html_text(&l.doing()),
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
    let base = &report.baseline;
    if !(base.new.is_empty()
        && base.fixed.is_empty()
        && base.new_failures.is_empty()
        && base.still_failing.is_empty()
        && base.fixed_failures.is_empty())
    {
        let mut t = format!(
            "{}# Against the baseline\n\n| | leaks | failing tests |\n| --- | ---: | ---: |\n",
            opts.heading
        );
        for (what, leaks, failures) in [
            ("new", base.new.len(), base.new_failures.len()),
            ("still", base.known.len(), base.still_failing.len()),
            ("fixed", base.fixed.len(), base.fixed_failures.len()),
        ] {
            let _ = writeln!(t, "| {what} | {leaks} | {failures} |");
        }
        t.push('\n');
        if b.push(&t) {
            let named = |ids: Vec<String>| ids.join(", ");
            for (what, ids) in [
                ("New leaks", base.new.iter().map(|i| md_code(i)).collect()),
                (
                    "Fixed leaks",
                    base.fixed
                        .iter()
                        .map(|f| format!("{} ({})", md_code(&f.id), md_code(&f.function)))
                        .collect(),
                ),
                (
                    "New failures",
                    base.new_failures
                        .iter()
                        .map(|f| md_code(&who(&f.package, f.test.as_deref())))
                        .collect(),
                ),
                (
                    "Fixed failures",
                    base.fixed_failures
                        .iter()
                        .map(|f| md_code(&who(&f.package, f.test.as_deref())))
                        .collect(),
                ),
            ] {
                let ids: Vec<String> = ids;
                if !ids.is_empty() {
                    b.push(&format!("{what}: {}.\n\n", named(ids)));
                }
            }
        }
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
