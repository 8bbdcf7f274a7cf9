//! The baseline: known leaks (by id), and with a previous JSON report also known failing tests, that
//! are reported but do not fail the run under `--fail-on new`.
//!
//! Either plain text, one leak id per line (`#` starts a comment), or a goleash JSON report (`--json` of
//! an earlier run: the base branch's, or the last green run's), recognised by its first character `{`.
//! [`Baseline::apply`] marks the view's known leaks and failures and lists what is new, still there and
//! fixed; [`Baseline::render`] writes every leak of a view with its function as a comment (the
//! `--write-baseline` sink, `report::baseline`, writes it).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::view::{FixedLeak, TestRef, View};

/// A parsed baseline.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Baseline {
    /// The leak ids it lists.
    pub ids: BTreeSet<String>,
    /// A JSON report: the packages each leak occurred in and its function (for the fixed ones).
    pub leaks: BTreeMap<String, (BTreeSet<String>, String)>,
    /// A JSON report: its failing tests (`None`: a package-level failure).
    pub failures: BTreeSet<(String, Option<String>)>,
    /// A baseline was given (`--baseline`): what is new, still and fixed is listed.
    pub given: bool,
    /// It is a JSON report (which knows packages and failures), not an id list.
    pub report: bool,
}

impl Baseline {
    /// Parses a baseline file's text: a goleash JSON report, or an id list. A text starting with `{`
    /// that is not a JSON report is an error (naming what is wrong).
    pub fn parse(text: &str) -> Result<Baseline, String> {
        if text.trim_start().starts_with('{') {
            return Baseline::from_report(text);
        }
        let ids = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or_default().trim())
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        Ok(Baseline {
            ids,
            given: true,
            ..Baseline::default()
        })
    }

    /// The baseline of a goleash JSON report: its leak groups (id, packages, function) and failures.
    fn from_report(text: &str) -> Result<Baseline, String> {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| format!("not a goleash JSON report (nor an id list): {e}"))?;
        if v.get("version").and_then(serde_json::Value::as_u64) != Some(1) {
            return Err("not a goleash JSON report of version 1 (no \"version\": 1)".to_string());
        }
        let mut b = Baseline {
            given: true,
            report: true,
            ..Baseline::default()
        };
        let list = |k: &str| v.get(k).and_then(serde_json::Value::as_array).cloned();
        for l in list("leaks").unwrap_or_default() {
            let Some(id) = l.get("id").and_then(serde_json::Value::as_str) else {
                return Err("a leak without an id".to_string());
            };
            let packages = l
                .get("occurrences")
                .and_then(serde_json::Value::as_array)
                .map(|o| {
                    o.iter()
                        .filter_map(|o| o.get("package")?.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let function = l
                .get("function")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_string();
            b.ids.insert(id.to_string());
            b.leaks.insert(id.to_string(), (packages, function));
        }
        for f in list("failures").unwrap_or_default() {
            let Some(package) = f.get("package").and_then(serde_json::Value::as_str) else {
                return Err("a failure without a package".to_string());
            };
            let test = f
                .get("test")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string);
            b.failures.insert((package.to_string(), test));
        }
        Ok(b)
    }

    /// Marks the view's known leaks (and, from a JSON report, known failures) and lists what is new,
    /// still there and fixed. A leak of the baseline that is gone is fixed only when a package it
    /// occurred in ran in this report (a sharded or filtered run says nothing of the others); an id
    /// list knows no packages, so its gone entries are `stale` only.
    pub fn apply(&self, report: &mut View) {
        for l in &mut report.leaks {
            l.known = self.ids.contains(&l.id) || l.aliases.iter().any(|a| self.ids.contains(a));
            if l.known {
                report.baseline.known.push(l.id.clone());
            } else if self.given {
                report.baseline.new.push(l.id.clone());
            }
        }
        report.baseline.stale = self
            .ids
            .iter()
            .filter(|id| {
                !report
                    .leaks
                    .iter()
                    .any(|l| &l.id == *id || l.aliases.contains(id))
            })
            .cloned()
            .collect();
        if !self.report {
            return;
        }
        report.baseline.from_report = true;
        let ran: BTreeSet<&str> = report.packages.iter().map(|p| p.name.as_str()).collect();
        for id in &report.baseline.stale {
            let (packages, function) = self.leaks.get(id).cloned().unwrap_or_default();
            let fixed = FixedLeak {
                id: id.clone(),
                function,
            };
            if packages.iter().any(|p| ran.contains(p.as_str())) {
                report.baseline.fixed.push(fixed);
            } else {
                report.baseline.not_run.push(fixed);
            }
        }
        for f in &mut report.failures {
            f.known = self.failures.contains(&(f.package.clone(), f.test.clone()));
            let r = TestRef {
                package: f.package.clone(),
                test: f.test.clone(),
            };
            if f.known {
                report.baseline.still_failing.push(r);
            } else {
                report.baseline.new_failures.push(r);
            }
        }
        for (package, test) in &self.failures {
            let still = report
                .failures
                .iter()
                .any(|f| &f.package == package && &f.test == test);
            if !still && ran.contains(package.as_str()) {
                report.baseline.fixed_failures.push(TestRef {
                    package: package.clone(),
                    test: test.clone(),
                });
            }
        }
    }

    /// The baseline text for every leak of a report.
    pub fn render(report: &View) -> String {
        let mut s = String::from("# goleash baseline: known goroutine leaks, one id per line\n");
        for l in &report.leaks {
            let loc = l
                .location
                .as_ref()
                .map(|x| format!(" ({}:{})", x.file, x.line))
                .unwrap_or_default();
            let _ = writeln!(s, "{}  # {} {}{}", l.id, l.cause, l.function, loc);
            for a in &l.aliases {
                let _ = writeln!(s, "{a}  # {}, caught before it ran", l.id);
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_ignores_comments_and_blanks() {
        let b = Baseline::parse("# header\n\n3f9c2a7b1d0e  # example.com/x.F\n  aaaaaaaaaaaa\n")
            .unwrap();
        assert_eq!(
            b.ids.into_iter().collect::<Vec<_>>(),
            vec!["3f9c2a7b1d0e".to_string(), "aaaaaaaaaaaa".to_string()]
        );
    }

    #[test]
    fn a_json_report_gives_ids_packages_and_failures() {
        let b = Baseline::parse(
            r#"{"version": 1, "leaks": [{"id": "aaaaaaaaaaaa", "function": "m/p.F",
                "occurrences": [{"package": "m/p", "test": "TestA"}]}],
                "failures": [{"package": "m/p", "test": "TestA"}, {"package": "m/q", "test": null}]}"#,
        )
        .unwrap();
        assert!(b.report && b.given);
        assert_eq!(b.ids.iter().collect::<Vec<_>>(), ["aaaaaaaaaaaa"]);
        assert_eq!(
            b.leaks["aaaaaaaaaaaa"],
            (["m/p".to_string()].into(), "m/p.F".to_string())
        );
        assert_eq!(
            b.failures.iter().cloned().collect::<Vec<_>>(),
            vec![
                ("m/p".to_string(), Some("TestA".to_string())),
                ("m/q".to_string(), None)
            ]
        );
        assert_eq!(
            Baseline::parse(r#"{"leaks": []}"#).unwrap_err(),
            "not a goleash JSON report of version 1 (no \"version\": 1)"
        );
    }
}
