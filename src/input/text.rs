//! The plain `go test` text reader (verbose or not).
//!
//! `go test` prints each package's output as a whole, closed by a line that names the package
//! (`ok  \tpkg\t0.1s`, `FAIL\tpkg\t0.1s`, `?   \tpkg\t[no test files]`, `FAIL\tpkg [build failed]`). Until that
//! line arrives the package is unknown, so a package's events are held and sent when it closes. Lines are
//! attributed to tests the way test2json does it: after a framing line (`=== RUN`, `=== CONT`,
//! `=== NAME`, `--- FAIL: …`) every line belongs to the test it names, until the next framing line; after
//! the lone `PASS`/`FAIL` line, output is the package's own.

use super::Consumer;
use crate::event::{Action, Event};

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
}

/// A parsed framing line.
enum Frame<'a> {
    Run(&'a str),
    Pause(&'a str),
    Cont(&'a str),
    End(Action, &'a str, Option<f64>),
}

fn parse_frame(content: &str) -> Option<Frame<'_>> {
    let t = content.trim_start_matches([' ', '\t']);
    if let Some(n) = t.strip_prefix("=== RUN") {
        return Some(Frame::Run(n.trim()));
    }
    if let Some(n) = t.strip_prefix("=== PAUSE") {
        return Some(Frame::Pause(n.trim()));
    }
    if let Some(n) = t
        .strip_prefix("=== CONT")
        .or_else(|| t.strip_prefix("=== NAME"))
    {
        return Some(Frame::Cont(n.trim()));
    }
    for (prefix, action) in [
        ("--- PASS: ", Action::Pass),
        ("--- FAIL: ", Action::Fail),
        ("--- SKIP: ", Action::Skip),
    ] {
        if let Some(rest) = t.strip_prefix(prefix) {
            let (name, elapsed) = match rest.rsplit_once(" (") {
                Some((n, d)) => (
                    n,
                    d.trim_end_matches(')').trim_end_matches('s').parse().ok(),
                ),
                None => (rest.trim(), None),
            };
            return Some(Frame::End(action, name, elapsed));
        }
    }
    None
}

/// A package's closing line: `(result, package, elapsed, build failed)`.
fn parse_summary(content: &str) -> Option<(Action, &str, Option<f64>, bool)> {
    let (action, rest) = if let Some(r) = content.strip_prefix("ok  \t") {
        (Action::Pass, r)
    } else if let Some(r) = content.strip_prefix("FAIL\t") {
        (Action::Fail, r)
    } else if let Some(r) = content.strip_prefix("?   \t") {
        (Action::Skip, r)
    } else {
        return None;
    };
    let mut fields = rest.split('\t');
    let first = fields.next()?.trim();
    if let Some(pkg) = first.strip_suffix(" [build failed]") {
        return Some((Action::Fail, pkg, None, true));
    }
    if let Some(pkg) = first.strip_suffix(" [setup failed]") {
        return Some((Action::Fail, pkg, None, false));
    }
    let elapsed = fields
        .next()
        .and_then(|e| e.trim().strip_suffix('s'))
        .and_then(|e| e.parse().ok());
    Some((action, first, elapsed, false))
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
        if let Some(header) = content.strip_prefix("# ") {
            self.build_header = Some(header.trim().to_string());
            return;
        }
        if let Some((action, package, elapsed, build_failed)) = parse_summary(content) {
            self.build_header = None;
            self.close(package, action, elapsed, build_failed, line, consumer);
            return;
        }
        if let Some(frame) = parse_frame(content) {
            self.build_header = None;
            match frame {
                Frame::Run(name) => {
                    self.push(Action::Run, Some(name), None, None);
                    self.current = Some(name.to_string());
                }
                Frame::Pause(name) => {
                    self.push(Action::Pause, Some(name), None, None);
                    self.current = Some(name.to_string());
                }
                Frame::Cont(name) => {
                    self.push(Action::Cont, Some(name), None, None);
                    self.current = Some(name.to_string());
                }
                Frame::End(action, name, elapsed) => {
                    self.push(action, Some(name), None, elapsed);
                    self.current = Some(name.to_string());
                }
            }
            return;
        }
        if let Some(pkg) = &self.build_header {
            consumer.build_output(pkg, line);
            return;
        }
        if content == "PASS" || content == "FAIL" {
            self.current = None;
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
        line: &str,
        consumer: &mut dyn Consumer,
    ) {
        let pending = std::mem::take(&mut self.pending);
        consumer.event(&Event {
            action: Action::Start,
            package,
            ..Event::default()
        });
        // In text, a test's end line comes before the output that belongs to it (non-verbose) or
        // inside its parent's (verbose): hold the ends until the package closes, like test2json's order.
        let mut ends = Vec::new();
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
                consumer.event(&ev);
            }
        }
        for ev in &ends {
            consumer.event(ev);
        }
        consumer.event(&Event::output(package, None, line));
        consumer.event(&Event {
            action,
            package,
            elapsed,
            failed_build: build_failed.then_some(package),
            ..Event::default()
        });
        self.current = None;
    }

    /// Ends the input: events of a package that never closed are sent under a placeholder name.
    pub fn finish(&mut self, consumer: &mut dyn Consumer) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        // `go test` ends a failing run with a lone `FAIL` line of its own, and a command that never ran a
        // test (`go: unknown command`) prints only text: no package is left open, the lines are the run's.
        let no_tests = pending
            .iter()
            .all(|p| p.action == Action::Output && p.test.is_none());
        if no_tests {
            for p in &pending {
                if let Some(o) = &p.output {
                    consumer.stray(o);
                }
            }
            return;
        }
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
