//! SARIF 2.1.0 (`--sarif`): one result per leak group, one rule per cause, for code-scanning dashboards
//! (`github/codeql-action/upload-sarif`). A result carries the leak's location (or, for leaks with no
//! frame in the repository, the failing line of the test that first saw it), the `go` statement as a
//! related location, the stack, the advice, and the leak id as its partial fingerprint so that the same
//! leak is the same alert from run to run. Known leaks (in the baseline) are results with an external
//! suppression.

use std::io::{self, Write};
use std::path::PathBuf;

use serde_json::{json, Value};

use crate::advice::Cause;

use crate::error::Error;
use crate::outfile::write_atomic;
use crate::paths::in_repo;
use crate::pipeline::Sink;
use crate::report::github::{leak_anchor, reach_phrase, repo_path, tests_of, Context};
use crate::text::plural;
use crate::view::{LeakEntry, View};

/// The schema URI written into the file.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of the partial fingerprint holding the leak id.
pub const FINGERPRINT_KEY: &str = "goleashLeakId/v1";

/// `forgotten-sender` → `ForgottenSender`.
fn pascal(cause: &str) -> String {
    cause
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// The rule id of a cause.
pub fn rule_id(cause: Cause) -> String {
    format!("goroutine-leak/{cause}")
}

fn rule(cause: Cause) -> Value {
    let (what, fix) = (cause.meaning(), cause.general_fix());
    json!({
        "id": rule_id(cause),
        "name": format!("GoroutineLeak{}", pascal(cause.as_str())),
        "shortDescription": {"text": format!("Goroutine leak: {cause}")},
        "fullDescription": {"text": what},
        "help": {"text": fix, "markdown": fix},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["goroutine-leak", "concurrency", "go"], "precision": "high", "problem.severity": "error"}
    })
}

fn physical(prefix: &str, file: &str, line: u32) -> Value {
    json!({
        "artifactLocation": {"uri": repo_path(prefix, file), "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": line.max(1)}
    })
}

fn result(l: &LeakEntry, report: &View, rule_index: usize, prefix: &str, fail: bool) -> Value {
    let mut text = format!(
        "Goroutine leak ({}): {} {} at {}, {}.",
        l.cause,
        plural(l.goroutines, "goroutine", "goroutines"),
        l.doing(),
        l.function,
        reach_phrase(l)
    );
    if !l.advice.is_empty() {
        text.push(' ');
        text.push_str(&l.advice);
    }
    let mut r = json!({
        "ruleId": rule_id(l.cause),
        "ruleIndex": rule_index,
        "level": if fail { "error" } else { "warning" },
        "message": {"text": text},
        "partialFingerprints": {FINGERPRINT_KEY: l.id},
        "properties": {
            "leakId": l.id,
            "state": l.state,
            "goroutines": l.goroutines,
            "sources": l.sources,
            "tests": tests_of(l).into_iter().collect::<Vec<_>>(),
        }
    });
    if let Some((file, line)) = leak_anchor(l, &report.failures) {
        r["locations"] = json!([{"physicalLocation": physical(prefix, &file, line)}]);
    }
    if let Some(c) = l
        .created_by
        .as_ref()
        .filter(|c| in_repo(&c.file) && c.line > 0)
    {
        r["relatedLocations"] = json!([{
            "id": 1,
            "physicalLocation": physical(prefix, &c.file, c.line),
            "message": {"text": format!("started by {}", c.function)}
        }]);
    }
    let frames: Vec<Value> = l
        .stack
        .iter()
        .map(|f| {
            let mut loc = json!({"message": {"text": f.function}});
            if in_repo(&f.file) && f.line > 0 {
                loc["physicalLocation"] = physical(prefix, &f.file, f.line);
            } else {
                loc["message"] = json!({"text": format!("{} ({}:{})", f.function, f.file, f.line)});
            }
            json!({"location": loc})
        })
        .collect();
    if !frames.is_empty() {
        r["stacks"] =
            json!([{"message": {"text": format!("goroutine {}", l.doing())}, "frames": frames}]);
    }
    if let Some(f) = &l.first_seen {
        r["properties"]["firstSeen"] = json!({"package": f.package, "test": f.test});
    }
    if l.known {
        r["suppressions"] =
            json!([{"kind": "external", "justification": "listed in the goleash baseline"}]);
    }
    r
}

/// The SARIF log of a report. `prefix` is the root's place in the repository; `leaks_fail` says whether
/// leaks fail the run (`error`) or not (`warning`).
pub fn build(report: &View, prefix: &str, leaks_fail: bool) -> Value {
    let mut causes: Vec<Cause> = Vec::new();
    for l in &report.leaks {
        if !causes.contains(&l.cause) {
            causes.push(l.cause);
        }
    }
    let rules: Vec<Value> = causes.iter().map(|&c| rule(c)).collect();
    let results: Vec<Value> = report
        .leaks
        .iter()
        .map(|l| {
            let idx = causes.iter().position(|c| *c == l.cause).unwrap_or(0);
            result(l, report, idx, prefix, leaks_fail)
        })
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "goleash",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules
            }},
            "automationDetails": {"id": "goleash/"},
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    })
}

/// The `--sarif` sink: writes the log atomically at the end of the run.
#[derive(Debug)]
pub struct SarifSink {
    path: PathBuf,
    context: Context,
}

impl SarifSink {
    /// A sink writing `path`; `context` gives the repository prefix and whether leaks fail the run.
    pub fn new(path: PathBuf, context: Context) -> SarifSink {
        SarifSink { path, context }
    }
}

impl Sink for SarifSink {
    fn run_done(&mut self, view: &View) -> Result<(), Error> {
        let log = build(view, &self.context.prefix, self.context.policy.leaks_fail);
        write_atomic(&self.path, |w| write(w, &log))
    }
}

/// Writes the SARIF log as pretty JSON.
pub fn write(w: &mut dyn Write, log: &Value) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, log).map_err(io::Error::other)?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(pascal("lock-never-released"), "LockNeverReleased");
        assert_eq!(rule_id(Cause::Sleeping), "goroutine-leak/sleeping");
    }
}
