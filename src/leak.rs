//! Leak groups: one signature and id for every report of the same leak, occurrences, attribution.
//!
//! # The leak signature
//!
//! Two leaked goroutines are the same leak when they have the same **signature**:
//!
//! 1. the normalized wait state ([`Goroutine::state`]: `chan send`, `select`, `sync.Mutex.Lock`, … — without
//!    `(durable)`/`(leaked)` marks, minutes, bubble ids or labels);
//! 2. the function names of the stack, innermost first, from the first frame that is not runtime
//!    machinery (frames of `runtime`, `internal/…` and the internals of `sync` differ between Go
//!    versions, and the state already says what they do);
//! 3. the function of the `created by` frame.
//!
//! Nothing else counts: not goroutine ids, argument values, `+0x` offsets, file paths or line numbers
//! (so a leak keeps its id when unrelated lines are added above it, across machines, containers,
//! `-trimpath` builds and input formats), nor wait durations, bubble ids or labels. Two closures of one
//! function are different functions (`F.func1`, `F.func2`) and so different leaks; the same function
//! blocked in two states is two leaks. The id is the first 12 hex digits of the SHA-256 of the
//! signature's text.
//!
//! # Attribution
//!
//! Within one package's test binary a goroutine id names one goroutine. The first test that reports a
//! goroutine introduced it; any later test of the same package that reports the same id only inherited it
//! (`goleak.VerifyNone` reports every goroutine alive, including those earlier tests left behind).

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use sha2::{Digest, Sha256};

use crate::dump::{self, Frame, Goroutine, Source};
use crate::model::{Package, TestResult};
use crate::paths::Resolver;

/// One report of a leaked goroutine by a test (or by a package, or in a bare dump).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// The package whose output reported it (empty for a bare dump input).
    pub package: String,
    /// The test whose output reported it; `None` for package-level reports (`VerifyTestMain`, dumps).
    pub test: Option<String>,
    /// The goroutine id in that test binary.
    pub goroutine: u64,
    /// An earlier test of the same package run already reported this goroutine.
    pub inherited: bool,
    /// Which mechanism reported it.
    pub source: Source,
}

/// A leaked goroutine found in one package, before grouping.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Where and by whom it was reported.
    pub occurrence: Occurrence,
    /// The goroutine as dumped.
    pub goroutine: Goroutine,
    /// Its signature id.
    pub id: String,
}

/// All reports of one leak.
#[derive(Debug, Clone)]
pub struct LeakGroup {
    /// The stable id.
    pub id: String,
    /// The signature text the id is the hash of.
    pub signature: String,
    /// The sources that reported it, in first-seen order without repeats.
    pub sources: Vec<Source>,
    /// The first goroutine seen: the representative stack.
    pub representative: Goroutine,
    /// Every report, in input order.
    pub occurrences: Vec<Occurrence>,
    /// Distinct leaked goroutines: `(package, goroutine id)` pairs (id 0 counted once per report).
    pub goroutines: usize,
    /// The first report that was not inherited.
    pub first_seen: Option<(String, Option<String>)>,
    /// The cause (one of the contract's `cause` values), once classified.
    pub cause: Option<String>,
    /// What to change, once classified.
    pub advice: Option<String>,
}

/// True for frames that are runtime machinery rather than the code that blocked: the runtime, `internal/…`,
/// `sync` and `sync/atomic`, and `time.Sleep`. Their frames differ between Go versions, and the wait state
/// already says what they do.
pub fn is_machinery(function: &str) -> bool {
    let pkg = dump::package_of(function);
    pkg == "runtime"
        || pkg.starts_with("runtime/")
        || pkg.starts_with("internal/")
        || pkg == "sync"
        || pkg == "sync/atomic"
        || function == "time.Sleep"
}

/// The signature text of a goroutine (see the module docs).
pub fn signature(g: &Goroutine) -> String {
    let mut s = String::with_capacity(256);
    s.push_str(&g.state);
    s.push('|');
    let start = g
        .frames
        .iter()
        .position(|f| !is_machinery(&f.function))
        .unwrap_or(g.frames.len());
    for f in &g.frames[start..] {
        s.push_str(&f.function);
        s.push(';');
    }
    s.push('|');
    if let Some(c) = &g.created_by {
        s.push_str(&c.function);
    }
    s
}

/// The 12-hex-digit id of a signature.
pub fn id_of(signature: &str) -> String {
    let digest = Sha256::digest(signature.as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// The dump blocks found in a package's outputs: `(test, source, byte range in the test's output text)`;
/// test `None` is the package's own output.
pub type Blocks = Vec<(Option<String>, Source, Range<usize>)>;

/// Extracts every leaked goroutine a finished package's output reports, in test order, with attribution;
/// also returns where the dump blocks are in each output.
pub fn collect_package(pkg: &Package) -> (Vec<Finding>, Blocks) {
    let mut findings = Vec::new();
    let mut blocks: Blocks = Vec::new();
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut add =
        |findings: &mut Vec<Finding>, test: Option<&str>, source: Source, g: Goroutine| {
            let inherited = g.id != 0 && seen.contains_key(&g.id);
            if g.id != 0 && !inherited {
                seen.insert(g.id, findings.len());
            }
            let sig = signature(&g);
            findings.push(Finding {
                occurrence: Occurrence {
                    package: pkg.name.clone(),
                    test: test.map(str::to_string),
                    goroutine: g.id,
                    inherited,
                    source,
                },
                id: id_of(&sig),
                goroutine: g,
            });
        };
    let timeout_running: Vec<String> = pkg
        .timeout
        .as_ref()
        .map(|t| t.running.clone())
        .unwrap_or_default();
    let mut timeout_suspects: Vec<Goroutine> = Vec::new();
    for t in &pkg.tests {
        if t.output.is_empty() || !(t.result == TestResult::Fail || t.keep_output) {
            continue;
        }
        let text = t.output.text();
        let ex = without_profile_duplicates(dump::extract(&text));
        for b in &ex.blocks {
            blocks.push((Some(t.name.clone()), b.source, b.span.clone()));
        }
        for s in ex.suspects {
            if s.source == Source::Timeout {
                timeout_suspects.push(s.goroutine);
            } else {
                add(&mut findings, Some(&t.name), s.source, s.goroutine);
            }
        }
    }
    if !pkg.output.is_empty() {
        let text = pkg.output.text();
        let ex = without_profile_duplicates(dump::extract(&text));
        for b in &ex.blocks {
            blocks.push((None, b.source, b.span.clone()));
        }
        for s in ex.suspects {
            if s.source == Source::Timeout {
                timeout_suspects.push(s.goroutine);
            } else {
                add(&mut findings, None, s.source, s.goroutine);
            }
        }
    }
    // A timeout's goroutines are reported against the tests that were running when it fired: the test
    // whose function is on the goroutine's stack, else the first one listed.
    for g in timeout_suspects {
        let test = timeout_running
            .iter()
            .find(|name| runs_test(&g, name))
            .or(timeout_running.first())
            .cloned();
        add(&mut findings, test.as_deref(), Source::Timeout, g);
    }
    (findings, blocks)
}

/// Drops the records of a goroutineleak profile's `debug=1` form (no goroutine id, no state) when the
/// same output also dumped those goroutines in full (`debug=2`): the same goroutines printed twice.
fn without_profile_duplicates(mut ex: dump::Extraction) -> dump::Extraction {
    let full: Vec<String> = ex
        .suspects
        .iter()
        .filter(|s| s.goroutine.id != 0)
        .map(|s| frames_part(&signature(&s.goroutine)).to_string())
        .collect();
    ex.suspects.retain(|s| {
        s.goroutine.id != 0
            || !full
                .iter()
                .any(|f| *f == frames_part(&signature(&s.goroutine)))
    });
    ex
}

/// The frames part of a signature (between the state and the creator).
fn frames_part(signature: &str) -> &str {
    signature.split('|').nth(1).unwrap_or_default()
}

/// True when the goroutine's stack (or creator) is inside the function of test `name` (`TestX/sub` →
/// `TestX`).
fn runs_test(g: &Goroutine, name: &str) -> bool {
    let top = name.split('/').next().unwrap_or(name);
    let is_in = |f: &Frame| {
        let pkg = dump::package_of(&f.function);
        let local = f.function.get(pkg.len() + 1..).unwrap_or_default();
        local == top || local.strip_prefix(top).is_some_and(|r| r.starts_with('.'))
    };
    g.frames.iter().any(is_in) || g.created_by.as_ref().is_some_and(is_in)
}

/// Every leak group of the run, built package by package.
#[derive(Debug, Default)]
pub struct Groups {
    /// Groups in the order they were first seen.
    pub groups: Vec<LeakGroup>,
    index: HashMap<String, usize>,
    counted: HashMap<String, BTreeSet<(String, u64)>>,
}

impl Groups {
    /// No groups yet.
    pub fn new() -> Groups {
        Groups::default()
    }

    /// Adds the findings of one package. A finding without a state and creator (a goroutineleak
    /// profile's `debug=1` record) joins the group whose stack is the same, when there is one.
    pub fn add(&mut self, findings: &mut [Finding]) {
        for f in findings.iter_mut() {
            if f.goroutine.state.is_empty() && f.goroutine.created_by.is_none() {
                let frames = frames_part(&signature(&f.goroutine)).to_string();
                if let Some(g) = self
                    .groups
                    .iter()
                    .find(|g| frames_part(&g.signature) == frames)
                {
                    f.id = g.id.clone();
                }
            }
            let f = &*f;
            let gi = match self.index.get(&f.id) {
                Some(&gi) => gi,
                None => {
                    self.groups.push(LeakGroup {
                        id: f.id.clone(),
                        signature: signature(&f.goroutine),
                        sources: Vec::new(),
                        representative: f.goroutine.clone(),
                        occurrences: Vec::new(),
                        goroutines: 0,
                        first_seen: None,
                        cause: None,
                        advice: None,
                    });
                    self.index.insert(f.id.clone(), self.groups.len() - 1);
                    self.groups.len() - 1
                }
            };
            let g = &mut self.groups[gi];
            if !g.sources.contains(&f.occurrence.source) {
                g.sources.push(f.occurrence.source);
            }
            let counted = self.counted.entry(f.id.clone()).or_default();
            if f.goroutine.id == 0 || counted.insert((f.occurrence.package.clone(), f.goroutine.id))
            {
                g.goroutines += 1;
            }
            if g.first_seen.is_none() && !f.occurrence.inherited {
                g.first_seen = Some((f.occurrence.package.clone(), f.occurrence.test.clone()));
            }
            g.occurrences.push(f.occurrence.clone());
        }
    }

    /// The group with this id.
    pub fn get(&self, id: &str) -> Option<&LeakGroup> {
        self.index.get(id).map(|&i| &self.groups[i])
    }

    /// Total distinct leaked goroutines over all groups.
    pub fn leaked_goroutines(&self) -> usize {
        self.groups.iter().map(|g| g.goroutines).sum()
    }
}

/// The frame a report points at: the innermost frame in the user's own code (else the innermost frame
/// that is not machinery, else the first).
pub fn location<'a>(g: &'a Goroutine, resolver: &Resolver) -> Option<&'a Frame> {
    g.frames
        .iter()
        .find(|f| resolver.is_user_code(f))
        .or_else(|| g.frames.iter().find(|f| !is_machinery(&f.function)))
        .or_else(|| g.frames.first())
}

/// The tests that introduced the goroutines of these inherited findings, in first-seen order without
/// repeats ("an earlier test" when the report that introduced one is not among `all`).
pub fn introduced_by<'a>(
    inherited: impl IntoIterator<Item = &'a Finding>,
    all: &[Finding],
) -> Vec<String> {
    let mut from: Vec<String> = Vec::new();
    for f in inherited {
        let origin = all
            .iter()
            .find(|o| o.goroutine.id == f.goroutine.id && !o.occurrence.inherited)
            .and_then(|o| o.occurrence.test.clone())
            .unwrap_or_else(|| "an earlier test".to_string());
        if !from.contains(&origin) {
            from.push(origin);
        }
    }
    from
}

/// The text of a failing test's leak summary: what it introduced, what it only inherited and from whom.
pub fn inherited_note(findings: &[Finding], test: &str) -> Option<String> {
    let mine: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.occurrence.test.as_deref() == Some(test))
        .collect();
    if mine.is_empty() || mine.iter().any(|f| !f.occurrence.inherited) {
        return None;
    }
    let from = introduced_by(mine.iter().copied(), findings);
    Some(format!(
        "leaked nothing itself: it saw {} goroutine{} leaked by {}",
        mine.len(),
        if mine.len() == 1 { "" } else { "s" },
        from.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(id: u64, state: &str, frames: &[&str], created: &str) -> Goroutine {
        Goroutine {
            id,
            state: state.to_string(),
            frames: frames
                .iter()
                .map(|f| Frame {
                    function: f.to_string(),
                    file: format!("/abs/{id}/x.go"),
                    line: id as u32,
                    ..Frame::default()
                })
                .collect(),
            created_by: Some(Frame {
                function: created.to_string(),
                ..Frame::default()
            }),
            ..Goroutine::default()
        }
    }

    #[test]
    fn ids_ignore_ids_paths_lines_and_machinery() {
        let a = g(
            20,
            "chan send",
            &["example.com/x.F.func1"],
            "example.com/x.F",
        );
        let b = g(
            31,
            "chan send",
            &[
                "runtime.gopark",
                "runtime.chansend1",
                "example.com/x.F.func1",
            ],
            "example.com/x.F",
        );
        assert_eq!(id_of(&signature(&a)), id_of(&signature(&b)));
        assert_eq!(
            signature(&a),
            "chan send|example.com/x.F.func1;|example.com/x.F"
        );
        assert_eq!(id_of(&signature(&a)).len(), 12);
    }

    #[test]
    fn different_closures_and_states_differ() {
        let a = g(
            20,
            "chan send",
            &["example.com/x.F.func1"],
            "example.com/x.F",
        );
        let b = g(
            20,
            "chan send",
            &["example.com/x.F.func2"],
            "example.com/x.F",
        );
        let c = g(
            20,
            "chan receive",
            &["example.com/x.F.func1"],
            "example.com/x.F",
        );
        assert_ne!(id_of(&signature(&a)), id_of(&signature(&b)));
        assert_ne!(id_of(&signature(&a)), id_of(&signature(&c)));
    }
}
