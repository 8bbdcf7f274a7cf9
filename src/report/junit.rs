//! JUnit XML in one of three flavors ([`Flavor`], `--junit-flavor`), written package by package:
//! `jenkins` (the default) valid against Jenkins' `junit-10.xsd`; `gitlab` the same with `file` and `line`
//! on every `<testcase>` (which GitLab, CircleCI and mikepenz/action-junit-report read, and junit-10.xsd
//! forbids); `surefire` one `<testsuite>` root valid against Maven Surefire's
//! `surefire-test-report-3.0.xsd`. The rules of each consumer are in `docs/junit-consumers.md`.
//!
//! One `testsuite` per package (name = import path); one `testcase` per test (classname = import path,
//! name = full test name), plus a case for each package-level failure (`[build failed]`, `TestMain`,
//! `[timeout]`, `[incomplete]`). Failures carry `message` = the error line and a body = the test's output
//! without framing lines, where raw goroutine dumps are replaced by one summary per leak group (its id,
//! where it blocks, who introduced it, its stack once), capped with head and tail kept.
//!
//! Suites go to a temporary file beside the target as packages finish, after room left for the root
//! start tag; [`JunitSink::finish`] writes that tag with the totals into the room (the rest of the room
//! is white space after the tag, never inside it) and renames the file into place. A failed case's text
//! starts with the repository-relative `file:line` where it failed, in every flavor. Memory holds one package at a time, every byte is written once, and the
//! target file is never half-written.

use std::fmt::Write as _;
use std::io::{self, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use crate::analysis::Groups;
use crate::dump::Source;
use crate::error::Error;
use crate::leak::{self, Finding};
use crate::model::{FailureKind, Package, TestResult};
use crate::outfile::named_temp_beside;
use crate::paths::Resolver;
use crate::pipeline::{PackageDone, Places, Sink};
use crate::rerun::EarlierFailure;
use crate::text::xml_safe;
use crate::view::View;

/// How many bytes of a failure body are kept from its start, and from its end.
pub const BODY_HEAD: usize = 64 * 1024;
/// See [`BODY_HEAD`].
pub const BODY_TAIL: usize = 64 * 1024;

/// Totals over all suites.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Totals {
    /// Test cases.
    pub tests: usize,
    /// `failure` elements.
    pub failures: usize,
    /// `error` elements.
    pub errors: usize,
    /// `skipped` elements.
    pub skipped: usize,
    /// Seconds.
    pub time: f64,
}

/// Room reserved at the top of the file for the root start tag, whose totals are known only at the
/// end: the tag is written there once the run ends, followed by spaces up to the room's end (white
/// space between elements, which every schema allows).
const ROOT_TAG_ROOM: usize = 200;

/// Which consumers' rules the file follows (`--junit-flavor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavor {
    /// Strict `junit-10.xsd` (Jenkins): `<testsuites>`, one `<testsuite>` per package, no `file`/`line`
    /// attributes (the failing `file:line` starts the failure text).
    #[default]
    Jenkins,
    /// As [`Flavor::Jenkins`], plus repository-relative `file` and `line` on every `<testcase>` (the
    /// failing line of a failed case, else the test function's declaration): GitLab, CircleCI,
    /// mikepenz/action-junit-report.
    Gitlab,
    /// Maven Surefire's `surefire-test-report-3.0.xsd`: a single `<testsuite name="goleash">` root
    /// holding every package's cases (`classname` = the import path), the children of each case in the
    /// schema's order, no properties (the schema allows them only before the first case).
    Surefire,
}

impl Flavor {
    /// The root element.
    fn root(self) -> &'static str {
        match self {
            Flavor::Surefire => "testsuite",
            Flavor::Jenkins | Flavor::Gitlab => "testsuites",
        }
    }
}

/// The JUnit sink: writes suites into a temporary file beside the target as packages finish, then the
/// totals at the top, and renames the file into place.
pub struct JunitSink {
    path: PathBuf,
    flavor: Flavor,
    /// The file being written; `None` once finished.
    file: Option<BufWriter<tempfile::NamedTempFile>>,
    /// Totals written so far.
    pub totals: Totals,
}

/// The XML declaration and the root start tag with these totals, followed by spaces up to
/// [`ROOT_TAG_ROOM`] bytes (a newline last, except in the `surefire` flavor, whose cases start on a
/// line of their own).
fn root_tag(totals: &Totals, flavor: Flavor) -> Vec<u8> {
    let mut head = Vec::with_capacity(ROOT_TAG_ROOM);
    let mut xml = Writer::new(&mut head);
    // Writing to a Vec cannot fail.
    let _ = xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    head.push(b'\n');
    let mut root = BytesStart::new(flavor.root());
    root.push_attribute(("name", "goleash"));
    root.push_attribute(("tests", totals.tests.to_string().as_str()));
    root.push_attribute(("failures", totals.failures.to_string().as_str()));
    root.push_attribute(("errors", totals.errors.to_string().as_str()));
    if flavor == Flavor::Surefire {
        root.push_attribute(("skipped", totals.skipped.to_string().as_str()));
    }
    root.push_attribute(("time", format_time(totals.time).as_str()));
    let _ = Writer::new(&mut head).write_event(Event::Start(root));
    let end = match flavor {
        Flavor::Surefire => ROOT_TAG_ROOM,
        Flavor::Jenkins | Flavor::Gitlab => ROOT_TAG_ROOM - 1,
    };
    while head.len() < end {
        head.push(b' ');
    }
    if flavor != Flavor::Surefire {
        head.push(b'\n');
    }
    head
}

impl JunitSink {
    /// A sink that will write `path` in `flavor`. Fails (naming the path) when its folder cannot be
    /// written.
    pub fn create(path: &Path, flavor: Flavor) -> Result<JunitSink, Error> {
        let tmp = named_temp_beside(path)?;
        let mut file = BufWriter::with_capacity(1 << 20, tmp);
        // The room for the start tag, filled in by `finish`.
        file.write_all(&[b' '; ROOT_TAG_ROOM])
            .map_err(|e| Error::output(path, e))?;
        Ok(JunitSink {
            path: path.to_path_buf(),
            flavor,
            file: Some(file),
            totals: Totals::default(),
        })
    }

    /// Writes the totals and renames the file into place (once; later calls do nothing).
    pub fn finish(&mut self) -> Result<(), Error> {
        let Some(file) = self.file.take() else {
            return Ok(());
        };
        let path = &self.path;
        let totals = &self.totals;
        let err = |e: io::Error| Error::output(path, e);
        let mut tmp = file.into_inner().map_err(|e| err(e.into_error()))?;
        let close = match self.flavor {
            Flavor::Surefire => &b"\n</testsuite>\n"[..],
            Flavor::Jenkins | Flavor::Gitlab => &b"</testsuites>\n"[..],
        };
        tmp.write_all(close).map_err(err)?;
        let head = root_tag(totals, self.flavor);
        if head.len() > ROOT_TAG_ROOM {
            return Err(err(io::Error::other(
                "JUnit totals do not fit the reserved room",
            )));
        }
        tmp.seek(io::SeekFrom::Start(0)).map_err(err)?;
        tmp.write_all(&head).map_err(err)?;
        tmp.flush().map_err(err)?;
        tmp.persist(path).map_err(|e| err(e.error))?;
        Ok(())
    }
}

impl Sink for JunitSink {
    fn package_done(&mut self, done: &PackageDone) -> Result<(), Error> {
        let Some(file) = self.file.as_mut() else {
            return Ok(());
        };
        let suite = render_suite_as(done, self.flavor);
        self.totals.tests += suite.totals.tests;
        self.totals.failures += suite.totals.failures;
        self.totals.errors += suite.totals.errors;
        self.totals.skipped += suite.totals.skipped;
        self.totals.time += suite.totals.time;
        file.write_all(&suite.xml)
            .map_err(|e| Error::output(&self.path, e))
    }

    /// Writes the totals into the room left at the top and renames the file into place.
    fn run_done(&mut self, _view: &View) -> Result<(), Error> {
        self.finish()
    }
}

/// One rendered suite.
pub struct Suite {
    /// The XML of the `testsuite` element.
    pub xml: Vec<u8>,
    /// Its counts.
    pub totals: Totals,
}

/// Appends seconds as [`format_time`] writes them, without an allocation.
fn push_time(out: &mut Vec<u8>, secs: f64) {
    use std::io::Write as _;
    if secs.is_finite() && secs >= 0.0 {
        // Writing to a Vec cannot fail.
        let _ = write!(out, "{secs:.3}");
    } else {
        out.extend_from_slice(b"0.000");
    }
}

/// Seconds with at most three decimals, as the schema wants.
pub fn format_time(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "0.000".to_string();
    }
    format!("{secs:.3}")
}

/// One test case to write.
struct Case<'a> {
    name: std::borrow::Cow<'a, str>,
    time: f64,
    /// Where it failed, else where its test function is declared (root-relative).
    at: Option<(&'a str, u32)>,
    outcome: Outcome,
    /// Its failed attempts before the last (`--rerun-fails`).
    earlier: Vec<&'a EarlierFailure>,
}

enum Outcome {
    Pass,
    Skip(String),
    Fail {
        error: bool,
        kind: &'static str,
        message: String,
        body: String,
    },
}

fn is_error(kind: FailureKind) -> bool {
    matches!(
        kind,
        FailureKind::Build | FailureKind::Timeout | FailureKind::Panic | FailureKind::Incomplete
    )
}

/// Renders one package as a `testsuite` element of the default flavor ([`Flavor::Jenkins`]).
pub fn render_suite(done: &PackageDone) -> Suite {
    render_suite_as(done, Flavor::Jenkins)
}

/// Renders one package in `flavor`: a `testsuite` element, or (`surefire`) its `testcase` elements, each
/// on a line of its own after a newline.
pub fn render_suite_as(done: &PackageDone, flavor: Flavor) -> Suite {
    let pkg = done.package;
    let places: &Places = done.places;
    let at = |test: Option<&str>| places.of(done.failures, test);
    let mut cases = Vec::new();
    let failure_of = |test: Option<&str>| done.failures.iter().find(|f| f.test.as_deref() == test);
    let earlier_of = |test: Option<&str>| -> Vec<&EarlierFailure> {
        done.earlier
            .iter()
            .filter(|e| e.test.as_deref() == test)
            .collect()
    };
    if pkg.failed_build.is_some() {
        let message = done
            .failures
            .iter()
            .find(|f| f.kind == FailureKind::Build)
            .map(|f| f.message.clone())
            .unwrap_or_default();
        cases.push(Case {
            earlier: Vec::new(),
            name: "[build failed]".into(),
            time: 0.0,
            at: done
                .failures
                .iter()
                .zip(&places.failures)
                .find(|(f, _)| f.kind == FailureKind::Build)
                .and_then(|(_, p)| p.as_ref())
                .map(|(f, l, _)| (f.as_str(), *l)),
            outcome: Outcome::Fail {
                error: true,
                kind: "build",
                message,
                body: cap(&pkg.build_output),
            },
        });
    }
    for t in &pkg.tests {
        let outcome = match t.result {
            TestResult::Pass => Outcome::Pass,
            TestResult::Skip => Outcome::Skip(t.skip_reason.clone().unwrap_or_default()),
            TestResult::Fail | TestResult::Running => {
                let kind = t.kind.unwrap_or(FailureKind::Test);
                let message = failure_of(Some(&t.name))
                    .map(|f| f.message.clone())
                    .or_else(|| t.error_line.clone())
                    .unwrap_or_else(|| "test failed".to_string());
                let body = failure_body(done, Some(&t.name), &t.output.text());
                Outcome::Fail {
                    error: is_error(kind),
                    kind: kind.as_str(),
                    message,
                    body,
                }
            }
        };
        cases.push(Case {
            name: t.name.as_str().into(),
            time: t.elapsed.unwrap_or(0.0),
            at: at(Some(&t.name)),
            outcome,
            earlier: earlier_of(Some(&t.name)),
        });
    }
    if let Some(msg) = &pkg.package_failure {
        let f = failure_of(None).filter(|f| f.kind != FailureKind::Build);
        let kind = f.map_or(FailureKind::Package, |f| f.kind);
        let name = match kind {
            FailureKind::Timeout => "[timeout]",
            FailureKind::Incomplete => "[incomplete]",
            _ => "TestMain",
        };
        cases.push(Case {
            name: name.into(),
            time: 0.0,
            at: at(None),
            outcome: Outcome::Fail {
                error: is_error(kind),
                kind: kind.as_str(),
                message: msg.clone(),
                body: failure_body(done, None, &pkg.output.text()),
            },
            earlier: earlier_of(None),
        });
    } else if !earlier_of(None).is_empty() {
        // A package-level failure (TestMain) that a rerun no longer had: a passing case with its
        // earlier failures.
        cases.push(Case {
            name: "TestMain".into(),
            time: 0.0,
            at: at(None),
            outcome: Outcome::Pass,
            earlier: earlier_of(None),
        });
    }
    let mut totals = Totals {
        tests: cases.len(),
        time: pkg.elapsed.unwrap_or(0.0),
        ..Totals::default()
    };
    for c in &cases {
        match &c.outcome {
            Outcome::Pass => {}
            Outcome::Skip(_) => totals.skipped += 1,
            Outcome::Fail { error: true, .. } => totals.errors += 1,
            Outcome::Fail { error: false, .. } => totals.failures += 1,
        }
    }
    let mut buf = Vec::with_capacity(1024);
    // Writing to a Vec cannot fail.
    let _ = write_suite(&mut buf, pkg, &cases, &totals, flavor);
    Suite { xml: buf, totals }
}

fn write_suite(
    buf: &mut Vec<u8>,
    pkg: &Package,
    cases: &[Case],
    totals: &Totals,
    flavor: Flavor,
) -> quick_xml::Result<()> {
    let placed = flavor == Flavor::Gitlab;
    let mut w = Writer::new_with_indent(&mut *buf, b' ', 2);
    let name = attr(&pkg.name);
    let mut suite = BytesStart::new("testsuite");
    suite.push_attribute(("name", name.as_ref()));
    suite.push_attribute(("tests", totals.tests.to_string().as_str()));
    suite.push_attribute(("failures", totals.failures.to_string().as_str()));
    suite.push_attribute(("errors", totals.errors.to_string().as_str()));
    suite.push_attribute(("skipped", totals.skipped.to_string().as_str()));
    suite.push_attribute(("time", format_time(totals.time).as_str()));
    w.write_event(Event::Start(suite))?;
    // The surefire flavor has one suite for the whole run (the root): the cases are written as children
    // of this start tag, which is then cut away with its end tag.
    let cases_from = w.get_ref().len();
    let attrs: Vec<(String, String)> = pkg
        .tests
        .iter()
        .flat_map(|t| {
            t.attrs
                .iter()
                .map(move |(k, v)| (format!("{}.{}", t.name, k), v.clone()))
        })
        .collect();
    if !attrs.is_empty() && flavor != Flavor::Surefire {
        w.write_event(Event::Start(BytesStart::new("properties")))?;
        for (k, v) in &attrs {
            let mut p = BytesStart::new("property");
            p.push_attribute(("name", attr(k).as_ref()));
            p.push_attribute(("value", attr(v).as_ref()));
            w.write_event(Event::Empty(p))?;
        }
        w.write_event(Event::End(BytesEnd::new("properties")))?;
    }
    let class_attr = quick_xml::escape::escape(name.as_ref());
    for c in cases {
        if matches!(c.outcome, Outcome::Pass) && c.earlier.is_empty() {
            // The common case, most of a large report, written directly: the same text quick-xml
            // writes for an empty element at this depth, with the same attribute escaping.
            let out = w.get_mut();
            out.extend_from_slice(b"\n  <testcase classname=\"");
            out.extend_from_slice(class_attr.as_bytes());
            out.extend_from_slice(b"\" name=\"");
            out.extend_from_slice(quick_xml::escape::escape(attr(&c.name).as_ref()).as_bytes());
            out.extend_from_slice(b"\" time=\"");
            push_time(out, c.time);
            out.push(b'"');
            if let Some((file, line)) = c.at.filter(|_| placed) {
                out.extend_from_slice(b" file=\"");
                out.extend_from_slice(quick_xml::escape::escape(attr(file).as_ref()).as_bytes());
                out.extend_from_slice(format!("\" line=\"{line}\"").as_bytes());
            }
            out.extend_from_slice(b"/>");
            continue;
        }
        let mut tc = BytesStart::new("testcase");
        tc.push_attribute(("classname", name.as_ref()));
        tc.push_attribute(("name", attr(&c.name).as_ref()));
        tc.push_attribute(("time", format_time(c.time).as_str()));
        if let Some((file, line)) = c.at.filter(|_| placed) {
            tc.push_attribute(("file", attr(file).as_ref()));
            tc.push_attribute(("line", line.to_string().as_str()));
        }
        w.write_event(Event::Start(tc))?;
        // The children in the order Surefire's schema requires (junit-10.xsd takes any order): failure,
        // rerunFailure*, flakyFailure*, skipped, error, rerunError*, flakyError*.
        let passed = !matches!(c.outcome, Outcome::Fail { .. });
        if let Outcome::Fail {
            error: false,
            kind,
            message,
            body,
        } = &c.outcome
        {
            write_failure(&mut w, "failure", kind, message, body, c.at)?;
        }
        write_earlier(&mut w, &c.earlier, passed, false)?;
        if let Outcome::Skip(reason) = &c.outcome {
            let mut s = BytesStart::new("skipped");
            s.push_attribute(("message", attr(reason).as_ref()));
            w.write_event(Event::Empty(s))?;
        }
        if let Outcome::Fail {
            error: true,
            kind,
            message,
            body,
        } = &c.outcome
        {
            write_failure(&mut w, "error", kind, message, body, c.at)?;
        }
        write_earlier(&mut w, &c.earlier, passed, true)?;
        w.write_event(Event::End(BytesEnd::new("testcase")))?;
    }
    let cases_to = w.get_ref().len();
    w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    if flavor == Flavor::Surefire {
        buf.truncate(cases_to);
        buf.drain(..cases_from);
    } else {
        buf.push(b'\n');
    }
    Ok(())
}

/// A `<failure>` or `<error>` element: `message` (its lines kept, as `&#10;`), `type`, and the text:
/// the repository-relative `file:line` where it failed (when known) on the first line, then `body`.
fn write_failure<W: std::io::Write>(
    w: &mut Writer<W>,
    tag: &str,
    kind: &str,
    message: &str,
    body: &str,
    at: Option<(&str, u32)>,
) -> quick_xml::Result<()> {
    let mut f = BytesStart::new(tag);
    f.push_attribute(quick_xml::events::attributes::Attribute {
        key: quick_xml::name::QName(b"message"),
        value: std::borrow::Cow::Owned(attr_lines(message).into_bytes()),
    });
    f.push_attribute(("type", kind));
    w.write_event(Event::Start(f))?;
    let text = match at {
        Some((file, line)) => std::borrow::Cow::Owned(format!("{file}:{line}\n{body}")),
        None => std::borrow::Cow::Borrowed(body),
    };
    // Only `<`, `>` and `&` need escaping in text: quotes stay readable.
    let safe = xml_safe(&text);
    w.write_event(Event::Text(BytesText::from_escaped(
        quick_xml::escape::partial_escape(safe.as_ref()),
    )))?;
    w.write_event(Event::End(BytesEnd::new(tag)))?;
    Ok(())
}

/// An attribute value, escaped for the XML text as written ([`attr`], then `&`, `<`, `>`, `"` and the
/// line breaks and tabs as character references, so that a reader's attribute-value normalisation keeps
/// a multi-line message's lines).
pub fn attr_lines(s: &str) -> String {
    let capped = attr(s);
    let mut out = String::with_capacity(capped.len() + 16);
    for c in capped.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

/// The earlier failed attempts of a case, as Maven Surefire writes reruns: `<flakyFailure>` (or
/// `<flakyError>` for a timeout, panic, crash) for each failed attempt of a case that passed in the end,
/// `<rerunFailure>`/`<rerunError>` for those of a case that still failed; each with the attempt's message
/// (`message`, and as `<stackTrace>`) and its output (`<system-out>`, capped). Valid in Jenkins'
/// `junit-10.xsd` (`rerunType`) and Surefire's schema. Writes the attempts that were errors (`errors`)
/// or those that were not, for the schema's order.
fn write_earlier<W: std::io::Write>(
    w: &mut Writer<W>,
    earlier: &[&EarlierFailure],
    passed: bool,
    errors: bool,
) -> quick_xml::Result<()> {
    for e in earlier.iter().filter(|e| is_error(e.kind) == errors) {
        let error = errors;
        let tag = match (passed, error) {
            (true, false) => "flakyFailure",
            (true, true) => "flakyError",
            (false, false) => "rerunFailure",
            (false, true) => "rerunError",
        };
        let message = format!("attempt {}: {}", e.attempt, e.message);
        let mut el = BytesStart::new(tag);
        el.push_attribute(quick_xml::events::attributes::Attribute {
            key: quick_xml::name::QName(b"message"),
            value: std::borrow::Cow::Owned(attr_lines(&message).into_bytes()),
        });
        el.push_attribute(("type", e.kind.as_str()));
        w.write_event(Event::Start(el))?;
        for (name, text) in [
            ("stackTrace", message.as_str()),
            ("system-out", e.output.as_str()),
        ] {
            if name == "system-out" && text.is_empty() {
                continue;
            }
            w.write_event(Event::Start(BytesStart::new(name)))?;
            let capped = cap(text);
            let safe = xml_safe(&capped);
            w.write_event(Event::Text(BytesText::from_escaped(
                quick_xml::escape::partial_escape(safe.as_ref()),
            )))?;
            w.write_event(Event::End(BytesEnd::new(name)))?;
        }
        w.write_event(Event::End(BytesEnd::new(tag)))?;
    }
    Ok(())
}

/// The most bytes of one attribute value (names, messages): XML readers refuse huge attributes
/// (libxml2 stops at 10 MB), and no report needs more.
pub const ATTR_CAP: usize = 64 * 1024;

/// An attribute value: made XML-safe, and cut to [`ATTR_CAP`] bytes at a character boundary with `…`.
pub fn attr(s: &str) -> std::borrow::Cow<'_, str> {
    let safe = xml_safe(s);
    if safe.len() <= ATTR_CAP {
        return safe;
    }
    let mut end = ATTR_CAP;
    while !safe.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(format!("{}…", &safe[..end]))
}

/// Caps a body, keeping its head and tail and saying how much was cut.
pub fn cap(text: &str) -> String {
    if text.len() <= BODY_HEAD + BODY_TAIL {
        return text.to_string();
    }
    let mut head_end = BODY_HEAD;
    while !text.is_char_boundary(head_end) {
        head_end -= 1;
    }
    let mut tail_start = text.len() - BODY_TAIL;
    while !text.is_char_boundary(tail_start) {
        tail_start += 1;
    }
    format!(
        "{}\n[goleash: {} bytes of output cut here; the full output is in the go test log]\n{}",
        &text[..head_end],
        tail_start - head_end,
        &text[tail_start..]
    )
}

/// A failure's body: the note about inherited leaks, then the output with each dump block replaced by the
/// summaries of the leak groups it reported (each group's stack once), capped.
pub fn failure_body(done: &PackageDone, test: Option<&str>, output: &str) -> String {
    let mine: Vec<&Finding> = done
        .findings
        .iter()
        .filter(|f| f.occurrence.test.as_deref() == test)
        .collect();
    let mut body = String::new();
    if let Some(t) = test {
        if let Some(note) = leak::inherited_note(done.findings, t) {
            let _ = writeln!(body, "goleash: {note}");
        }
    }
    let mut spans: Vec<(Source, std::ops::Range<usize>)> = done
        .blocks
        .iter()
        .filter(|(t, _, r)| t.as_deref() == test && r.end <= output.len() && r.start <= r.end)
        .map(|(_, s, r)| (*s, r.clone()))
        .collect();
    spans.sort_by_key(|(_, r)| r.start);
    let mut shown: Vec<String> = Vec::new();
    let mut pos = 0;
    for (source, r) in spans {
        if r.start < pos || !output.is_char_boundary(r.start) || !output.is_char_boundary(r.end) {
            continue;
        }
        body.push_str(&output[pos..r.start]);
        let in_block: Vec<&&Finding> = mine
            .iter()
            .filter(|f| f.occurrence.source == source)
            .collect();
        let first_line = output[r.clone()].lines().next().unwrap_or_default();
        let _ = writeln!(body, "{first_line}");
        let _ = writeln!(
            body,
            "goleash: {} leaked goroutine{} in {} leak group{} (raw dump replaced; ids are stable across runs):",
            in_block.len(),
            if in_block.len() == 1 { "" } else { "s" },
            count_ids(&in_block),
            if count_ids(&in_block) == 1 { "" } else { "s" },
        );
        for f in &in_block {
            if shown.contains(&f.id) {
                continue;
            }
            shown.push(f.id.clone());
            body.push_str(&describe_group(
                f,
                &in_block,
                done.findings,
                done.groups,
                done.resolver,
            ));
        }
        pos = r.end;
    }
    body.push_str(&output[pos.min(output.len())..]);
    cap(&body)
}

fn count_ids(findings: &[&&Finding]) -> usize {
    let mut ids: Vec<&str> = findings.iter().map(|f| f.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

/// A leak group as text: id, state, how many goroutines the test introduced or inherited (and from whom),
/// location, creator, cause and fix, stack.
pub fn describe_group(
    f: &Finding,
    mine: &[&&Finding],
    all: &[Finding],
    groups: &Groups,
    resolver: &Resolver,
) -> String {
    let g = &f.goroutine;
    let mut s = String::new();
    let same: Vec<&&&Finding> = mine.iter().filter(|o| o.id == f.id).collect();
    let count = same.len();
    let introduced = same.iter().filter(|o| !o.occurrence.inherited).count();
    let by = leak::introduced_by(
        same.iter().filter(|o| o.occurrence.inherited).map(|o| ***o),
        all,
    );
    let mut origin = Vec::new();
    if introduced > 0 {
        origin.push(format!("{introduced} introduced here"));
    }
    if introduced < count {
        origin.push(format!(
            "{} inherited from {}",
            count - introduced,
            by.join(", ")
        ));
    }
    let _ = writeln!(
        s,
        "  leak {} [{}] {} goroutine{} blocked in {} ({})",
        f.id,
        f.occurrence.source.as_str(),
        count,
        if count == 1 { "" } else { "s" },
        if g.state.is_empty() {
            "unknown state"
        } else {
            &g.state
        },
        origin.join("; ")
    );
    if let Some(loc) = leak::location(g, resolver) {
        let _ = writeln!(
            s,
            "    at {} ({}:{})",
            loc.function,
            resolver.display_path(loc),
            loc.line
        );
    }
    if let Some(c) = &g.created_by {
        let _ = writeln!(
            s,
            "    created by {} ({}:{})",
            c.function,
            resolver.display_path(c),
            c.line
        );
    }
    if let Some(group) = groups.get(&f.id) {
        if let Some(advice) = &group.advice {
            let _ = writeln!(s, "    cause: {}", advice.cause);
            for line in advice.text.lines() {
                let _ = writeln!(s, "    fix: {line}");
            }
        }
    }
    let _ = writeln!(s, "    stack:");
    for fr in &g.frames {
        let _ = writeln!(s, "      {}", fr.function);
        let _ = writeln!(s, "          {}:{}", resolver.display_path(fr), fr.line);
    }
    s
}
