//! The plain `go test` text reader (verbose or not).
//!
//! `go test` prints each package's output as a whole, closed by a line that names the package
//! (`ok  \tpkg\t0.1s`, `FAIL\tpkg\t0.1s`, `?   \tpkg\t[no test files]`, `FAIL\tpkg [build failed]`, with
//! tabs or, in a copied log, spaces). Until that line arrives the package is unknown, so a package's
//! events are held and sent when it closes. Lines are attributed to tests the way test2json does it: after
//! a framing line (`=== RUN`, `=== CONT`, `=== NAME`, `--- FAIL: …`) every line belongs to the test it
//! names, until the next framing line; after the lone `PASS`/`FAIL` line, output is the package's own.
//! A framing line glued to output without a newline (`text--- PASS: TestZ (0.06s)`) is split off. A test
//! binary run directly (`./x.test -test.v`) prints no result line: its lone `PASS`/`FAIL` closes it under
//! [`gotest::NO_PACKAGE`]. The line syntax itself is [`crate::gotest`]'s.

use super::Consumer;
use crate::event::{Action, Event};
use crate::gotest::{self, Frame, Verdict};

/// One event waiting for its package's name.
#[derive(Debug, Clone)]
struct Pending {
    action: Action,
    test: Option<String>,
    output: Option<String>,
    elapsed: Option<f64>,
}

/// Decodes plain text lines into events.
#[derive(Debug, Default)]
pub struct Decoder {
    pending: Vec<Pending>,
    current: Option<String>,
    build_header: Option<String>,
    /// The verdict of the last lone `PASS`/`FAIL` line, while no framing line followed it.
    lone_verdict: Option<Action>,
    /// Something was recognised as `go test` output (a package closed, a framing line).
    pub recognised: bool,
}

fn action_of(v: Verdict) -> Action {
    match v {
        Verdict::Pass => Action::Pass,
        Verdict::Fail => Action::Fail,
        Verdict::Skip => Action::Skip,
    }
}

impl Decoder {
    /// A decoder with nothing pending.
    pub fn new() -> Decoder {
        Decoder::default()
    }

    fn push(
        &mut self,
        action: Action,
        test: Option<&str>,
        output: Option<&str>,
        elapsed: Option<f64>,
    ) {
        self.pending.push(Pending {
            action,
            test: test.map(str::to_string),
            output: output.map(str::to_string),
            elapsed,
        });
    }

    /// Decodes one line (with or without its `\n`).
    pub fn line(&mut self, line: &str, consumer: &mut dyn Consumer) {
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some(pkg) = gotest::build_header(content) {
            self.build_header = Some(pkg.to_string());
            return;
        }
        if let Some(r) = gotest::result_line(content) {
            self.build_header = None;
            let action = action_of(r.verdict);
            self.close(
                r.package,
                action,
                r.elapsed,
                r.build_failed,
                Some(line),
                consumer,
            );
            return;
        }
        if let Some(f) = gotest::frame(content) {
            self.frame(f);
            return;
        }
        if let Some((at, f)) = gotest::glued_frame(content) {
            // `some inline text--- PASS: TestZ (0.06s)`: the text is the current test's, then the frame.
            let text = format!("{}\n", &content[..at]);
            self.output_line(&text, consumer);
            self.frame(f);
            return;
        }
        self.output_line(line, consumer);
    }

    fn frame(&mut self, f: Frame) {
        self.build_header = None;
        self.lone_verdict = None;
        self.recognised = true;
        let name = f.name();
        if name.is_empty() {
            // `=== CONT  ` alone (Go 1.18): package-level output follows.
            self.current = None;
            return;
        }
        match f {
            Frame::Run(_) => self.push(Action::Run, Some(name), None, None),
            Frame::Pause(_) => self.push(Action::Pause, Some(name), None, None),
            Frame::Cont(_) => self.push(Action::Cont, Some(name), None, None),
            Frame::End {
                verdict, elapsed, ..
            } => self.push(action_of(verdict), Some(name), None, elapsed),
            Frame::Attr(_) | Frame::Bench(_) => {}
        }
        self.current = Some(name.to_string());
    }

    fn output_line(&mut self, line: &str, consumer: &mut dyn Consumer) {
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some(pkg) = &self.build_header {
            consumer.build_output(pkg, line);
            return;
        }
        if content == "PASS" || content == "FAIL" {
            self.current = None;
            self.lone_verdict = Some(if content == "PASS" {
                Action::Pass
            } else {
                Action::Fail
            });
            self.push(Action::Output, None, Some(line), None);
            return;
        }
        if let Some(name) = gotest::bench_result(content) {
            // A benchmark's result line is its end (test2json's `bench`).
            self.push(Action::Bench, Some(name), None, None);
            self.push(Action::Output, None, Some(line), None);
            return;
        }
        let current = self.current.clone();
        self.push(Action::Output, current.as_deref(), Some(line), None);
    }

    fn close(
        &mut self,
        package: &str,
        action: Action,
        elapsed: Option<f64>,
        build_failed: bool,
        line: Option<&str>,
        consumer: &mut dyn Consumer,
    ) {
        self.recognised = true;
        let pending = std::mem::take(&mut self.pending);
        consumer.event(&Event {
            action: Action::Start,
            package,
            ..Event::default()
        });
        // In text, a test's end line comes before the output that belongs to it (non-verbose) or
        // inside its parent's (verbose): hold the ends until the package closes, like test2json's order,
        // or until the same test runs again (`-count=2`).
        let mut ends: Vec<Event> = Vec::new();
        for p in &pending {
            let ev = Event {
                action: p.action,
                package,
                test: p.test.as_deref(),
                output: p.output.as_deref(),
                elapsed: p.elapsed,
                ..Event::default()
            };
            if matches!(p.action, Action::Pass | Action::Fail | Action::Skip) {
                ends.push(ev);
            } else {
                if p.action == Action::Run && ends.iter().any(|e| e.test == ev.test) {
                    for end in ends.drain(..) {
                        consumer.event(&end);
                    }
                }
                consumer.event(&ev);
            }
        }
        for ev in &ends {
            consumer.event(ev);
        }
        if let Some(line) = line {
            consumer.event(&Event::output(package, None, line));
        }
        consumer.event(&Event {
            action,
            package,
            elapsed,
            failed_build: build_failed.then_some(package),
            ..Event::default()
        });
        self.current = None;
        self.lone_verdict = None;
    }

    /// Ends the input: events of a package that never closed are sent under a placeholder name.
    pub fn finish(&mut self, consumer: &mut dyn Consumer) {
        if self.pending.is_empty() {
            return;
        }
        // `go test` ends a failing run with a lone `FAIL` line of its own, and a command that never ran a
        // test (`go: unknown command`) prints only text: no package is left open, the lines are the run's.
        let no_tests = self
            .pending
            .iter()
            .all(|p| p.action == Action::Output && p.test.is_none());
        if no_tests {
            for p in std::mem::take(&mut self.pending) {
                if let Some(o) = &p.output {
                    consumer.stray(o);
                }
            }
            return;
        }
        // A test binary run by itself (`./x.test -test.v`) ends with its lone `PASS`/`FAIL`.
        if let Some(action) = self.lone_verdict {
            self.close(gotest::NO_PACKAGE, action, None, false, None, consumer);
            return;
        }
        self.recognised = true;
        let pending = std::mem::take(&mut self.pending);
        let package = "(unknown package: the input ends before its result line)";
        consumer.event(&Event {
            action: Action::Start,
            package,
            ..Event::default()
        });
        for p in &pending {
            consumer.event(&Event {
                action: p.action,
                package,
                test: p.test.as_deref(),
                output: p.output.as_deref(),
                elapsed: p.elapsed,
                ..Event::default()
            });
        }
    }
}
