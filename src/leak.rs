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
//!    versions, and the state already says what they do), closures named as Go 1.27 names them
//!    ([`wrappers::canonical_function`]: Go 1.26's `StartWorker.mk.func1` for a literal of an inlined `mk`
//!    is `mk.func1`, as on 1.27);
//! 3. the function of the `created by` frame — for a goroutine started through a known wrapper
//!    (`wg.Go`, errgroup's `Go`, `time.AfterFunc`, `context.AfterFunc`) the user's function that called the
//!    wrapper ([`wrappers::user_creator`]), not the wrapper.
//!
//! Nothing else counts: not goroutine ids, argument values, `+0x` offsets, file paths or line numbers
//! (so a leak keeps its id when unrelated lines are added above it, across machines, containers,
//! `-trimpath` builds and input formats), nor wait durations, bubble ids or labels. Two closures of one
//! function are different functions (`F.func1`, `F.func2`) and so different leaks; the same function
//! blocked in two states is two leaks. The id is the first 12 hex digits of the SHA-256 of the
//! signature's text.
//!
//! # A goroutine caught before it ran
//!
//! A dump can catch a goroutine that has not run yet ([`not_started`]: `runnable`, its only frame the
//! function its `go` statement starts, at that statement's line, e.g. `NewRegistry.gowrap1`); caught later,
//! the same goroutine is blocked in its own code (`(*Registry).watch` in `select`). Its own stack cannot
//! say where it will block, so its signature is that of its entry, the same in every not-started report.
//! [`Groups::add`] ties it to the leak its `go` statement starts: a not-started report joins the first
//! group of a goroutine started by the same `go` statement (creator function and the statement's file
//! and line as printed, [`CreatorSite`]) in the run, whichever comes first; the not-started group's id
//! then stays as an alias ([`LeakGroup::aliases`]), which a baseline also matches. Goroutines of other
//! `go` statements, or started through a wrapper (whose creator line is the wrapper's), are never tied.
//!
//! # Attribution
//!
//! Within one package's test binary a goroutine id names one goroutine. The first test that reports a
//! goroutine introduced it; any later test of the same package that reports the same id only inherited it
//! (`goleak.VerifyNone` reports every goroutine alive, including those earlier tests left behind).

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use sha2::{Digest, Sha256};

use crate::dump::{self, wrappers, Frame, Goroutine, Source};
use crate::model::{Package, TestResult};
use crate::paths::Resolver;
use crate::text::plural;

/// One report of a leaked goroutine (or of several identical ones: see [`Occurrence::count`]) by a test
/// (or by a package, or in a bare dump).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// The package whose output reported it (empty for a bare dump input).
    pub package: String,
    /// The test whose output reported it; `None` for package-level reports (`VerifyTestMain`, dumps).
    pub test: Option<String>,
    /// The goroutine id in that test binary.
    pub goroutine: u64,
    /// How many goroutines this report stands for ([`Goroutine::count`]: a `debug=1` profile record's
    /// count, else 1).
    pub count: u64,
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
    /// Its signature.
    pub signature: Signature,
    /// Its signature id ([`Signature::id`]; a `debug=1` record may take the id of the full dump of the
    /// same stack when grouped, see [`Groups::add`]).
    pub id: String,
}

impl Finding {
    /// The finding of goroutine `g` reported in `package` by `test` through `source`: its signature and
    /// id are computed here, the one place that assigns ids.
    pub fn new(
        package: &str,
        test: Option<&str>,
        source: Source,
        inherited: bool,
        g: Goroutine,
    ) -> Finding {
        let signature = Signature::of(&g);
        Finding {
            occurrence: Occurrence {
                package: package.to_string(),
                test: test.map(str::to_string),
                goroutine: g.id,
                count: g.count,
                inherited,
                source,
            },
            id: signature.id(),
            signature,
            goroutine: g,
        }
    }
}

/// What makes two leaked goroutines the same leak (see the module docs): the normalized wait state, the
/// function names of the stack from the first frame that is not runtime machinery, and the creator's
/// function. Its [`Display`](std::fmt::Display) is the documented text form `state|f;g;|creator`, which
/// [`Signature::id`] hashes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Signature {
    /// The normalized wait state ([`Goroutine::state`]; empty for a `debug=1` record).
    pub state: String,
    /// The function names, innermost first, from the first frame that is not machinery.
    pub frames: Vec<String>,
    /// The function of the `created by` frame, when printed.
    pub creator: Option<String>,
}

impl Signature {
    /// The signature of a goroutine.
    pub fn of(g: &Goroutine) -> Signature {
        let start = g
            .frames
            .iter()
            .position(|f| !is_machinery(&f.function))
            .unwrap_or(g.frames.len());
        // Closure names as Go 1.27 prints them, whatever the version (`StartWorker.mk.func1` is
        // `mk.func1`); a wrapper's goroutine (`wg.Go`, errgroup, `AfterFunc`) is created by the user's
        // function that called the wrapper, not by the wrapper (dump::wrappers).
        Signature {
            state: g.state.clone(),
            frames: g.frames[start..]
                .iter()
                .map(|f| wrappers::canonical_function(&f.function).into_owned())
                .collect(),
            creator: wrappers::user_creator(g)
                .map(|u| u.function)
                .or_else(|| g.created_by.as_ref().map(|c| c.function.clone())),
        }
    }

    /// The stable 12-hex-digit id: the first 6 bytes of the SHA-256 of the text form.
    pub fn id(&self) -> String {
        let digest = Sha256::digest(self.to_string().as_bytes());
        digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
    }

    /// True for a goroutineleak profile's `debug=1` record: no wait state and no creator, only frames.
    pub fn is_record(&self) -> bool {
        self.state.is_empty() && self.creator.is_none()
    }
}

impl std::fmt::Display for Signature {
    /// `state|f;g;|creator` (each frame followed by `;`; an empty creator when none was printed).
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        out.write_str(&self.state)?;
        out.write_str("|")?;
        for f in &self.frames {
            out.write_str(f)?;
            out.write_str(";")?;
        }
        out.write_str("|")?;
        out.write_str(self.creator.as_deref().unwrap_or_default())
    }
}

/// All reports of one leak, and what a later layer made of it (`A`: the advice, stored once when the group
/// is classified; this layer never looks at it).
#[derive(Debug, Clone)]
pub struct LeakGroup<A> {
    /// The stable id.
    pub id: String,
    /// The signature the id is the hash of.
    pub signature: Signature,
    /// The sources that reported it, in first-seen order without repeats.
    pub sources: Vec<Source>,
    /// The first goroutine seen: the representative stack.
    pub representative: Goroutine,
    /// Every report, in input order (a `debug=1` record is one report with its count).
    pub occurrences: Vec<Occurrence>,
    /// Distinct leaked goroutines: `(package, goroutine id)` pairs, plus the count of every report
    /// without an id (`debug=1` records).
    pub goroutines: usize,
    /// The first report that was not inherited.
    pub first_seen: Option<(String, Option<String>)>,
    /// The classification (cause, advice, sure fix), once classified; `None` before.
    pub advice: Option<A>,
    /// Ids of the not-started reports tied to this leak (see the module docs), in first-seen order.
    pub aliases: Vec<String>,
}

/// The `go` statement that started a goroutine, as its `created by` frame prints it: the creator
/// function and the statement's file name and line (the folder left out: the same statement prints the
/// same in every test binary of a run). `None` for a goroutine without a creator line, or started through
/// a known wrapper (the line is then the wrapper's, shared by all its goroutines).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreatorSite {
    /// The creator function, as Go 1.27 names it.
    pub function: String,
    /// The file name of the `go` statement.
    pub file: String,
    /// Its line.
    pub line: u32,
}

impl CreatorSite {
    /// The site of a goroutine's `go` statement.
    pub fn of(g: &Goroutine) -> Option<CreatorSite> {
        let c = g.created_by.as_ref()?;
        if c.line == 0 || wrappers::Wrapper::of_creator(&c.function).is_some() {
            return None;
        }
        let file = c.file.replace('\\', "/");
        Some(CreatorSite {
            function: wrappers::canonical_function(&c.function).into_owned(),
            file: file.rsplit('/').next().unwrap_or(&file).to_string(),
            line: c.line,
        })
    }
}

/// True for a goroutine caught before it ran: `runnable`, and its only frame (besides `runtime.goexit`)
/// is at its entry — a `go` statement's wrapper (`F.gowrapN`), or a function at the line of the `go`
/// statement that started it (a function literal `go func() {` not entered yet).
pub fn not_started(g: &Goroutine) -> bool {
    if g.state != "runnable" {
        return false;
    }
    let mut frames = g.frames.iter().filter(|f| f.function != "runtime.goexit");
    let (Some(entry), None) = (frames.next(), frames.next()) else {
        return false;
    };
    let last = entry.function.rsplit('.').next().unwrap_or_default();
    let gowrap = last
        .strip_prefix("gowrap")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    gowrap
        || g.created_by.as_ref().is_some_and(|c| {
            c.line == entry.line
                && c.line != 0
                && c.file.replace('\\', "/") == entry.file.replace('\\', "/")
        })
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

/// A leak detector's crash in a finished package's output ([`dump::detectors::DetectorFailure`]): the
/// test whose output printed it (`None`: the package's own output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectorCrash {
    /// The test.
    pub test: Option<String>,
    /// Which detector crashed.
    pub detector: dump::detectors::Detector,
    /// Its message's first line.
    pub message: String,
}

/// The dump blocks found in a package's outputs: `(test, source, byte range in the test's output text)`;
/// test `None` is the package's own output.
pub type Blocks = Vec<(Option<String>, Source, Range<usize>)>;

/// Extracts every leaked goroutine a finished package's output reports, in test order, with attribution;
/// also returns where the dump blocks are in each output, and the leak detectors that crashed (their
/// dumps' goroutines are findings of [`Source::DetectorFailed`]).
pub fn collect_package(pkg: &Package) -> (Vec<Finding>, Blocks, Vec<DetectorCrash>) {
    let mut findings = Vec::new();
    let mut crashes: Vec<DetectorCrash> = Vec::new();
    let mut blocks: Blocks = Vec::new();
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut add =
        |findings: &mut Vec<Finding>, test: Option<&str>, source: Source, g: Goroutine| {
            let inherited = g.id != 0 && seen.contains_key(&g.id);
            if g.id != 0 && !inherited {
                seen.insert(g.id, findings.len());
            }
            findings.push(Finding::new(&pkg.name, test, source, inherited, g));
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
        crashes.extend(ex.failures.iter().map(|f| DetectorCrash {
            test: Some(t.name.clone()),
            detector: f.detector,
            message: f.message.clone(),
        }));
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
        crashes.extend(ex.failures.iter().map(|f| DetectorCrash {
            test: None,
            detector: f.detector,
            message: f.message.clone(),
        }));
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
    (findings, blocks, crashes)
}

/// Drops the records of a goroutineleak profile's `debug=1` form (no goroutine id, no state) when the
/// same output also dumped those goroutines in full (`debug=2`): the same goroutines printed twice.
fn without_profile_duplicates(mut ex: dump::Extraction) -> dump::Extraction {
    let full: Vec<Vec<String>> = ex
        .suspects
        .iter()
        .filter(|s| s.goroutine.id != 0)
        .map(|s| Signature::of(&s.goroutine).frames)
        .collect();
    if full.is_empty() {
        return ex;
    }
    ex.suspects
        .retain(|s| s.goroutine.id != 0 || !full.contains(&Signature::of(&s.goroutine).frames));
    ex
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

/// Every leak group of the run, built package by package (`A`: see [`LeakGroup`]).
#[derive(Debug)]
pub struct Groups<A> {
    /// Groups in the order they were first seen.
    pub groups: Vec<LeakGroup<A>>,
    index: HashMap<String, usize>,
    counted: HashMap<String, BTreeSet<(String, u64)>>,
    /// The first group of a started goroutine, by the `go` statement that started it.
    sites: HashMap<CreatorSite, String>,
    /// Groups of not-started goroutines whose `go` statement has no other group yet.
    pending: HashMap<CreatorSite, Vec<String>>,
    /// Not-started group id → the group it was tied to.
    tied: HashMap<String, String>,
}

impl<A> Default for Groups<A> {
    fn default() -> Groups<A> {
        Groups {
            groups: Vec::new(),
            index: HashMap::new(),
            counted: HashMap::new(),
            sites: HashMap::new(),
            pending: HashMap::new(),
            tied: HashMap::new(),
        }
    }
}

impl<A> Groups<A> {
    /// No groups yet.
    pub fn new() -> Groups<A> {
        Groups::default()
    }

    /// Adds the findings of one package. A finding without a state and creator (a goroutineleak
    /// profile's `debug=1` record) joins the group whose stack is the same, when there is one.
    pub fn add(&mut self, findings: &mut [Finding]) {
        for f in findings.iter_mut() {
            if f.signature.is_record() {
                if let Some(g) = self
                    .groups
                    .iter()
                    .find(|g| g.signature.frames == f.signature.frames)
                {
                    f.id = g.id.clone();
                }
            }
            let site = CreatorSite::of(&f.goroutine);
            let early = not_started(&f.goroutine);
            let own_id = f.id.clone();
            if let (true, Some(site)) = (early, &site) {
                if let Some(target) = self.sites.get(site) {
                    f.id = target.clone();
                }
            }
            if let Some(target) = self.tied.get(&f.id) {
                f.id = target.clone();
            }
            let f = &*f;
            let gi = match self.index.get(&f.id) {
                Some(&gi) => gi,
                None => {
                    let mut group = LeakGroup {
                        id: f.id.clone(),
                        signature: f.signature.clone(),
                        sources: Vec::new(),
                        representative: f.goroutine.clone(),
                        occurrences: Vec::new(),
                        goroutines: 0,
                        first_seen: None,
                        advice: None,
                        aliases: Vec::new(),
                    };
                    match (&site, early) {
                        (Some(site), false) if !self.sites.contains_key(site) => {
                            self.sites.insert(site.clone(), f.id.clone());
                            for id in self.pending.remove(site).unwrap_or_default() {
                                self.tie(&id, &mut group);
                            }
                        }
                        (Some(site), true) => self
                            .pending
                            .entry(site.clone())
                            .or_default()
                            .push(f.id.clone()),
                        _ => {}
                    }
                    self.groups.push(group);
                    self.index.insert(f.id.clone(), self.groups.len() - 1);
                    self.groups.len() - 1
                }
            };
            let g = &mut self.groups[gi];
            if early && own_id != g.id && !g.aliases.contains(&own_id) {
                g.aliases.push(own_id);
            }
            if !g.sources.contains(&f.occurrence.source) {
                g.sources.push(f.occurrence.source);
            }
            let counted = self.counted.entry(f.id.clone()).or_default();
            if f.goroutine.id == 0 || counted.insert((f.occurrence.package.clone(), f.goroutine.id))
            {
                let n = usize::try_from(f.occurrence.count).unwrap_or(usize::MAX);
                g.goroutines = g.goroutines.saturating_add(n);
            }
            if g.first_seen.is_none() && !f.occurrence.inherited {
                g.first_seen = Some((f.occurrence.package.clone(), f.occurrence.test.clone()));
            }
            g.occurrences.push(f.occurrence.clone());
        }
        // A not-started group tied to a later finding of this batch: its earlier findings take the id.
        for f in findings.iter_mut() {
            if let Some(target) = self.tied.get(&f.id) {
                f.id = target.clone();
            }
        }
    }

    /// Moves the not-started group `id` into `into` (a new group of the same `go` statement): its
    /// reports, sources, counts and first sighting come first; its id stays as an alias.
    fn tie(&mut self, id: &str, into: &mut LeakGroup<A>) {
        let Some(&i) = self.index.get(id) else {
            return;
        };
        let from = self.groups.remove(i);
        self.index = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.id.clone(), i))
            .collect();
        for s in from.sources {
            if !into.sources.contains(&s) {
                into.sources.push(s);
            }
        }
        let mut occurrences = from.occurrences;
        occurrences.append(&mut into.occurrences);
        into.occurrences = occurrences;
        into.goroutines = into.goroutines.saturating_add(from.goroutines);
        into.first_seen = from.first_seen.or(into.first_seen.take());
        into.aliases.push(from.id.clone());
        into.aliases.extend(from.aliases);
        if let Some(c) = self.counted.remove(&from.id) {
            self.counted.entry(into.id.clone()).or_default().extend(c);
        }
        for target in self.tied.values_mut().filter(|t| **t == from.id) {
            *target = into.id.clone();
        }
        self.tied.insert(from.id, into.id.clone());
    }

    /// The group with this id.
    pub fn get(&self, id: &str) -> Option<&LeakGroup<A>> {
        self.index.get(id).map(|&i| &self.groups[i])
    }

    /// Total distinct leaked goroutines over all groups.
    pub fn leaked_goroutines(&self) -> usize {
        self.groups
            .iter()
            .fold(0usize, |n, g| n.saturating_add(g.goroutines))
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
    let n = mine
        .iter()
        .fold(0u64, |n, f| n.saturating_add(f.occurrence.count));
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    Some(format!(
        "leaked nothing itself: it saw {} leaked by {}",
        plural(n, "goroutine", "goroutines"),
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
        let (sa, sb) = (Signature::of(&a), Signature::of(&b));
        assert_eq!(sa, sb);
        assert_eq!(sa.id(), sb.id());
        assert_eq!(
            sa.to_string(),
            "chan send|example.com/x.F.func1;|example.com/x.F"
        );
        assert_eq!(sa.id().len(), 12);
        assert_eq!(sa.frames, ["example.com/x.F.func1"]);
        assert_eq!(sa.creator.as_deref(), Some("example.com/x.F"));
        // No creator: an empty last part.
        let rec = Goroutine {
            frames: a.frames.clone(),
            ..Goroutine::default()
        };
        assert_eq!(Signature::of(&rec).to_string(), "|example.com/x.F.func1;|");
        assert!(Signature::of(&rec).is_record());
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
        let id = |g: &Goroutine| Signature::of(g).id();
        assert_ne!(id(&a), id(&b));
        assert_ne!(id(&a), id(&c));
    }

    #[test]
    fn a_counted_record_is_one_occurrence_with_its_count() {
        let full = g(
            20,
            "chan send",
            &["example.com/x.F.func1"],
            "example.com/x.F",
        );
        let record = Goroutine {
            count: 100_000,
            frames: full.frames.clone(),
            ..Goroutine::default()
        };
        let mut groups: Groups<()> = Groups::new();
        let mut findings = vec![
            Finding::new("p", Some("TestA"), Source::Goleak, false, full.clone()),
            Finding::new("p", None, Source::Dump, false, record),
        ];
        groups.add(&mut findings);
        // The record has no state or creator: it joins the full dump of the same stack.
        assert_eq!(groups.groups.len(), 1);
        let gr = &groups.groups[0];
        assert_eq!(gr.id, Signature::of(&full).id());
        let counts: Vec<u64> = gr.occurrences.iter().map(|o| o.count).collect();
        assert_eq!(counts, [1, 100_000]);
        assert_eq!(
            (gr.goroutines, groups.leaked_goroutines()),
            (100_001, 100_001)
        );
    }
}
