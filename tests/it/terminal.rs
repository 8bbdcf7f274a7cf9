//! The terminal renderer, driven through the library on the real fixture stream: live package lines,
//! leak diagnostics with and without source, failures, totals, colour, width and inert test output.

use std::cell::RefCell;
use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;

use goleash::input;
use goleash::paths::Resolver;
use goleash::report::terminal::{
    self, render_failure, render_leak, totals_line, use_color, width_for, ColorChoice, Options,
    TerminalSink,
};
use goleash::text::sanitize;
use goleash::view::{self, View};
use goleash::Pipeline;
use pretty_assertions::assert_eq;

const STREAM: &str = "fixtures/streams/go1.26/test.json";

/// Test output that tries to drive the terminal and GitHub: escape sequences, a bell, a bidi override,
/// workflow commands in output, in a test name and in a package name.
const HOSTILE: &str = r#"{"Action":"start","Package":"example.com/evil"}
{"Action":"run","Package":"example.com/evil","Test":"TestEvil"}
{"Action":"output","Package":"example.com/evil","Test":"TestEvil","Output":"=== RUN   TestEvil\n"}
{"Action":"output","Package":"example.com/evil","Test":"TestEvil","Output":"    evil_test.go:9: \u001b[2J\u001b]0;pwned\u0007 ok\n"}
{"Action":"output","Package":"example.com/evil","Test":"TestEvil","Output":"::error file=x.go,line=1::injected\n"}
{"Action":"output","Package":"example.com/evil","Test":"TestEvil","Output":"--- FAIL: TestEvil (0.00s)\n"}
{"Action":"fail","Package":"example.com/evil","Test":"TestEvil","Elapsed":0}
{"Action":"run","Package":"example.com/evil","Test":"::error::TestName"}
{"Action":"output","Package":"example.com/evil","Test":"::error::TestName","Output":"::warning::first line\n"}
{"Action":"fail","Package":"example.com/evil","Test":"::error::TestName","Elapsed":0}
{"Action":"output","Package":"example.com/evil","Output":"FAIL\n"}
{"Action":"fail","Package":"example.com/evil","Elapsed":0.01}
{"Action":"start","Package":"::error::\u001b[31mpkg\u202e"}
{"Action":"output","Package":"::error::\u001b[31mpkg\u202e","Output":"ok\n"}
{"Action":"pass","Package":"::error::\u001b[31mpkg\u202e","Elapsed":0.01}
"#;

/// A writer whose bytes the test reads afterwards.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn text(&self) -> String {
        String::from_utf8(self.0.borrow().clone()).unwrap()
    }
}

fn plain() -> Options {
    Options {
        quiet: false,
        color: false,
        width: 100,
    }
}

/// Runs a stream through the pipeline with a terminal sink; returns what the sink printed and the report.
fn run(path: &str, root: Option<&str>, opts: Options) -> (String, View, Resolver) {
    run_bytes(&std::fs::read(path).unwrap(), root, opts)
}

fn run_bytes(stream: &[u8], root: Option<&str>, opts: Options) -> (String, View, Resolver) {
    let resolver = Resolver::new(root.map(PathBuf::from));
    let out = Shared::default();
    let mut sink = TerminalSink::with_writer(Box::new(out.clone()), true, opts, resolver.clone());
    let mut pipeline = Pipeline::new(resolver.clone(), vec![&mut sink]);
    input::read(stream, &mut pipeline).unwrap();
    let (analysis, err) = pipeline.finish();
    assert!(err.is_none());
    let report = view::build(&analysis, &resolver).with_sources(&resolver);
    (out.text(), report, resolver)
}

fn leak<'a>(report: &'a View, function: &str) -> &'a view::LeakEntry {
    report
        .leaks
        .iter()
        .find(|l| l.function == function)
        .unwrap_or_else(|| panic!("no leak in {function}"))
}

/// The lines of a rendered leak before its help, and the help's words (the advice engine's text, reflowed).
fn split_help(text: &str) -> (Vec<&str>, String) {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("  help: "))
        .unwrap_or_else(|| panic!("no help in\n{text}"));
    assert!(
        lines[at + 1..].iter().all(|l| l.starts_with("        ")),
        "{text}"
    );
    let help = lines[at..].join(" ");
    let words: Vec<&str> = help.split_whitespace().skip(1).collect();
    (lines[..at].to_vec(), words.join(" "))
}

fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn live_lines_are_one_per_package_in_finishing_order() {
    let (live, _, _) = run(STREAM, Some("fixtures/go"), plain());
    let lines: Vec<&str> = live.lines().collect();
    assert_eq!(lines.len(), 26);
    assert_eq!(
        lines[0],
        "BUILD FAIL example.com/leaky/buildfail  build failed  0.00s"
    );
    assert_eq!(
        lines[1],
        "skip    example.com/leaky/cmd/goroutinedump  no test files  0.00s"
    );
    assert_eq!(
        lines[4],
        "FAIL    example.com/leaky/earlyreturn  1 failed  0.46s  1 leak"
    );
    assert_eq!(lines[5], "ok      example.com/leaky/clean  5 passed  1.02s");
    assert_eq!(
        lines[7],
        "FAIL    example.com/leaky/httpleak  1 failed  0.47s  4 leaks"
    );
    assert_eq!(
        lines[11],
        "FAIL    example.com/leaky/misc  5 passed, 3 failed, 1 skipped  0.01s"
    );
    assert_eq!(
        lines[25],
        "TIMEOUT example.com/leaky/timeout  1 passed, 2 failed  20.03s  2 leaks"
    );
}

#[test]
fn quiet_prints_only_packages_that_failed_or_leaked() {
    let (live, _, _) = run(
        STREAM,
        Some("fixtures/go"),
        Options {
            quiet: true,
            ..plain()
        },
    );
    let lines: Vec<&str> = live.lines().collect();
    assert_eq!(lines.len(), 21);
    assert!(
        lines
            .iter()
            .all(|l| !l.starts_with("ok ") && !l.starts_with("skip ")),
        "{live}"
    );
}

#[test]
fn a_narrow_terminal_cuts_the_package_name_from_the_left() {
    let (live, _, _) = run(
        STREAM,
        Some("fixtures/go"),
        Options {
            width: 50,
            ..plain()
        },
    );
    let line = live.lines().nth(8).unwrap();
    assert_eq!(line, "FAIL    …/forgottensender  3 failed  1.38s  1 leak");
    // Short names are not cut; a name is never cut below 12 columns.
    assert_eq!(
        live.lines().nth(5),
        Some("ok      example.com/leaky/clean  5 passed  1.02s")
    );
    assert_eq!(
        live.lines().nth(11),
        Some("FAIL    …/leaky/misc  5 passed, 3 failed, 1 skipped  0.01s")
    );
}

#[test]
fn a_leak_with_source_shows_the_blocking_line_and_the_go_statement() {
    let (_, report, resolver) = run(STREAM, Some("fixtures/go"), plain());
    let l = leak(
        &report,
        "example.com/leaky/forgottensender.FetchWithTimeout.func1",
    );
    let text = render_leak(l, &report.sources, &resolver, &plain());
    let (body, help) = split_help(&text);
    let title = format!(
        "  × leak 368e271b9348 · {}: 2 goroutines blocked on chan send",
        l.cause
    );
    let expected = [
        title.as_str(),
        "  │ in example.com/leaky/forgottensender.FetchWithTimeout.func1",
        "  │ started by example.com/leaky/forgottensender.FetchWithTimeout",
        "  │ introduced by forgottensender.TestFetchWithTimeout, forgottensender.TestFetchAgain (found by",
        "  │ goleak)",
        "  │ inherited by forgottensender.TestFetchOK",
        "    ╭─[forgottensender/fetch.go:26:3]",
        " 24 │     ch := make(chan string) // unbuffered: the sender needs a receiver",
        " 25 │     go func() {",
        "    ·     ─────┬─────",
        "    ·          ╰── started here",
        " 26 │         ch <- slowWork() // LEAK: blocks forever once the caller has timed out",
        "    ·         ────────┬───────",
        "    ·                 ╰── blocked on chan send here",
        " 27 │     }()",
        "    ╰────",
    ];
    assert_eq!(body, expected);
    assert_eq!(help, words(&l.advice));
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
}

#[test]
fn a_go_statement_far_from_the_blocking_line_gets_its_own_snippet() {
    let (_, report, resolver) = run(STREAM, Some("fixtures/go"), plain());
    let l = leak(&report, "example.com/leaky/worker.(*Pool).loop");
    let text = render_leak(l, &report.sources, &resolver, &plain());
    let (body, _) = split_help(&text);
    assert_eq!(
        body[4..],
        [
            "    ╭─[worker/pool.go:19:3]",
            " 12 │     p := &Pool{jobs: make(chan func()), quit: make(chan struct{})}",
            " 13 │     go p.loop()",
            "    ·     ─────┬─────",
            "    ·          ╰── started here",
            " 14 │     return p",
            " 15 │ }",
            " 16 │ ",
            " 17 │ func (p *Pool) loop() {",
            " 18 │     for {",
            " 19 │         select { // LEAK: runs until Close, which the caller forgot",
            "    ·         ────┬───",
            "    ·             ╰── blocked in select here",
            " 20 │         case job := <-p.jobs:",
            "    ╰────",
        ]
    );
}

#[test]
fn without_the_source_the_frames_are_listed() {
    let (_, report, resolver) = run(STREAM, None, plain());
    let l = leak(&report, "example.com/leaky/earlyreturn.First.func1");
    let text = render_leak(l, &report.sources, &resolver, &plain());
    let (body, help) = split_help(&text);
    assert_eq!(
        body,
        [
            format!(
                "  × leak 9891ee6bdfb7 · {}: 1 goroutine blocked on chan send",
                l.cause
            )
            .as_str(),
            "  │ in example.com/leaky/earlyreturn.First.func1",
            // Without a root the paths are as the stack printed them.
            "  │ started by example.com/leaky/earlyreturn.First at /work/main/fixtures/go/earlyreturn/",
            "  │ first.go:22",
            "  │ introduced by example.com/leaky/earlyreturn.TestFirst (found by goleak)",
            "  │ stack:",
            "  │   example.com/leaky/earlyreturn.First.func1  /work/main/fixtures/go/earlyreturn/first.go:23",
        ]
    );
    assert_eq!(help, words(&l.advice));
    // A leak in the standard library lists its frames even with the source root.
    let (_, report, resolver) = run(STREAM, Some("fixtures/go"), plain());
    let l = leak(&report, "net/http.(*persistConn).readLoop");
    let text = render_leak(l, &report.sources, &resolver, &plain());
    let (body, _) = split_help(&text);
    assert_eq!(
        body[1..],
        [
            "  │ in net/http.(*persistConn).readLoop",
            "  │ started by net/http.(*Transport).dialConn at $GOROOT/src/net/http/transport.go:1994",
            "  │ introduced by httpleak.TestStatus (found by goleak)",
            "  │ stack:",
            "  │   net/http.(*persistConn).readLoop  $GOROOT/src/net/http/transport.go:2450",
        ]
    );
}

#[test]
fn a_package_level_leak_names_the_package() {
    let (_, report, resolver) = run(STREAM, Some("fixtures/go"), plain());
    let l = leak(&report, "example.com/leaky/testmain.(*Logger).flush");
    let text = render_leak(l, &report.sources, &resolver, &plain());
    assert_eq!(
        text.lines().nth(3),
        Some("  │ introduced by package testmain (found by goleak.VerifyTestMain)")
    );
}

#[test]
fn failures_show_the_test_its_location_and_its_first_error_line() {
    let (_, report, resolver) = run(STREAM, Some("fixtures/go"), plain());
    let rendered: Vec<String> = report
        .failures
        .iter()
        .map(|f| render_failure(f, &resolver, &plain()))
        .collect();
    assert_eq!(rendered.len(), 26);
    assert_eq!(
        rendered[0],
        "BUILD   buildfail  buildfail/util_test.go:7:11\n        undefined: undefinedHelper"
    );
    assert_eq!(
        rendered[1],
        "FAIL    earlyreturn.TestFirst  earlyreturn/first_test.go:17\n        found unexpected goroutines (leak 9891ee6bdfb7)"
    );
    let fetch_ok = rendered
        .iter()
        .find(|r| r.starts_with("FAIL    forgottensender.TestFetchOK"))
        .unwrap();
    assert_eq!(
        fetch_ok,
        "FAIL    forgottensender.TestFetchOK  forgottensender/fetch_test.go:21\n        leaked nothing itself: it saw 1 goroutine leaked by TestFetchWithTimeout (leak 368e271b9348)"
    );
    let timeout = rendered
        .iter()
        .find(|r| r.starts_with("TIMEOUT timeout.TestDrainHangs"))
        .unwrap();
    assert_eq!(
        timeout,
        "TIMEOUT timeout.TestDrainHangs  timeout/queue_test.go:7\n        test timed out after 20s (leak 9bff548d49c7)"
    );
}

#[test]
fn the_totals_line_counts_everything() {
    let (_, report, _) = run(STREAM, Some("fixtures/go"), plain());
    assert_eq!(
        totals_line(&report, &plain()),
        format!(
            "26 packages, 44 tests: 17 passed, 26 failed, 1 skipped; 21 leaks ({} goroutines)",
            report.summary.leaked_goroutines
        )
    );
    let mut known = report;
    known.leaks[0].known = true;
    assert!(totals_line(&known, &plain()).ends_with(" goroutines), 1 known"));
}

#[test]
fn colour_is_ansi_only_when_on() {
    let (live, report, resolver) = run(
        STREAM,
        Some("fixtures/go"),
        Options {
            color: true,
            ..plain()
        },
    );
    assert!(
        live.starts_with("\u{1b}[1;31mBUILD FAIL\u{1b}[0m example.com/leaky/buildfail"),
        "{live}"
    );
    let mut final_text = Vec::new();
    terminal::write_final(
        &mut final_text,
        &report,
        &resolver,
        &Options {
            color: true,
            ..plain()
        },
    )
    .unwrap();
    let final_text = String::from_utf8(final_text).unwrap();
    assert!(final_text.contains("\u{1b}["), "no colour in {final_text}");
    let (live, report, resolver) = run(STREAM, Some("fixtures/go"), plain());
    let mut out = Vec::new();
    terminal::write_final(&mut out, &report, &resolver, &plain()).unwrap();
    assert!(!live.contains('\u{1b}'));
    assert!(!String::from_utf8(out).unwrap().contains('\u{1b}'));
}

#[test]
fn colour_and_width_choices() {
    let set = Some(std::ffi::OsStr::new("1"));
    let empty = Some(std::ffi::OsStr::new(""));
    assert!(use_color(ColorChoice::Auto, true, None));
    assert!(use_color(ColorChoice::Auto, true, empty));
    assert!(!use_color(ColorChoice::Auto, true, set));
    assert!(!use_color(ColorChoice::Auto, false, None));
    assert!(use_color(ColorChoice::Always, false, set));
    assert!(!use_color(ColorChoice::Never, true, None));
    assert_eq!(width_for(Some(132), Some("80")), 132);
    assert_eq!(width_for(None, Some("80")), 80);
    assert_eq!(width_for(None, Some("wide")), 100);
    assert_eq!(width_for(None, None), 100);
    assert_eq!(width_for(Some(20), None), 40);
}

#[test]
fn test_output_cannot_reach_the_terminal_raw() {
    assert_eq!(
        sanitize("a\u{1b}[2Jb\u{7}\tc\u{202e}d\u{9b}"),
        "a\\x1b[2Jb\\x07 c\\u{202e}d\\x9b"
    );
    assert_eq!(sanitize("plain ü"), "plain ü");
    let (live, report, resolver) = run_bytes(HOSTILE.as_bytes(), None, plain());
    let mut out = Vec::new();
    terminal::write_final(&mut out, &report, &resolver, &plain()).unwrap();
    let all = format!("{live}{}", String::from_utf8(out).unwrap());
    assert!(!all.chars().any(|c| c.is_control() && c != '\n'), "{all:?}");
    assert!(
        all.lines().all(|l| !l.trim_start().starts_with("::")),
        "{all}"
    );
    // Without a root, whether `evil_test.go:9` is resolved is up to the report; either way it is shown once.
    let (head, message) = match report.failures[0].file.as_deref() {
        Some(f) => (
            format!("FAIL    example.com/evil.TestEvil  {f}:9"),
            "        \\x1b[2J\\x1b]0;pwned\\x07 ok",
        ),
        None => (
            "FAIL    example.com/evil.TestEvil".to_string(),
            "        evil_test.go:9: \\x1b[2J\\x1b]0;pwned\\x07 ok",
        ),
    };
    assert_eq!(
        all.lines().collect::<Vec<_>>(),
        [
            "FAIL    example.com/evil  2 failed  0.01s",
            "ok      ::error::\\x1b[31mpkg\\u{202e}  no tests  0.01s",
            "",
            "2 failures",
            "",
            head.as_str(),
            message,
            "FAIL    example.com/evil.::error::TestName",
            "        test failed",
            "",
            "2 packages, 2 tests: 0 passed, 2 failed, 0 skipped; 0 leaks (0 goroutines)",
        ]
    );
}
