//! Incidents: the goroutines of one report that block each other.
//!
//! A report is what one detector printed at one moment: one goleak block, one synctest bubble, one timeout
//! dump, one goroutineleak profile, one bare dump. Its blocked goroutines are rarely independent: one waits
//! for a lock another holds, one waits on a channel whose partner is itself blocked, a `WaitGroup.Wait`
//! waits for `Done` calls that sit behind a blocked send. [`build`] reads, for each distinct stack of the
//! report (goroutines with the same [`crate::leak::signature`] block in the same place), what it waits for
//! and what its frames still hold ([`Node`]), links the stacks into a wait-for graph, and returns each
//! connected part as an [`Incident`] with the kind of bug it is ([`Kind`], the GoBench taxonomy of Yuan
//! et al., CGO 2021).
//!
//! Everything here is a pure function of the goroutines and the parsed source files a [`Sources`] hands
//! out; nothing opens a file. Locks, channels and WaitGroups are identified by what names them (receiver
//! type and field path, package variable, local of the enclosing function): copies of one stack that run
//! on different values share a node, so links are by name, and every incident says so.

mod kind;
pub mod scan;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::dump::{Frame, Goroutine};
use crate::leak::{is_machinery, Signature};
use crate::source::go::{ChanOp, GoFile};
use scan::{HeldExpr, SyncOp};
use sha2::{Digest, Sha256};

pub use kind::classify;

/// The kind of an incident: the GoBench sub-types of blocking bugs (Yuan et al., CGO 2021).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A goroutine acquires a lock it already holds.
    DoubleLocking,
    /// Two goroutines acquire two locks in opposite orders.
    AbBa,
    /// A reader re-enters `RLock` while a writer waits for the lock the reader holds.
    Rwr,
    /// A lock acquired on a path that returns without releasing it.
    MissingUnlock,
    /// Channel operations that no goroutine completes.
    Channel,
    /// A channel wait that a context should end (a `select` without `ctx.Done()`, a partner that left on
    /// `ctx.Done()`).
    ChannelContext,
    /// `Cond.Wait` without a `Signal`/`Broadcast` to wake it.
    ConditionVariable,
    /// A condition variable and a channel block each other.
    ChannelConditionVariable,
    /// A lock and a channel block each other.
    ChannelLock,
    /// A WaitGroup and a channel block each other.
    ChannelWaitgroup,
    /// A WaitGroup whose `Add`/`Done` do not balance.
    MisuseWaitgroup,
    /// Not recognised.
    Unknown,
}

impl Kind {
    /// The contract's name (`ab-ba`, `double-locking`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::DoubleLocking => "double-locking",
            Kind::AbBa => "ab-ba",
            Kind::Rwr => "rwr",
            Kind::MissingUnlock => "missing-unlock",
            Kind::Channel => "channel",
            Kind::ChannelContext => "channel-context",
            Kind::ConditionVariable => "condition-variable",
            Kind::ChannelConditionVariable => "channel-condition-variable",
            Kind::ChannelLock => "channel-lock",
            Kind::ChannelWaitgroup => "channel-waitgroup",
            Kind::MisuseWaitgroup => "misuse-waitgroup",
            Kind::Unknown => "unknown",
        }
    }

    /// Every kind, in the contract's order.
    pub const ALL: [Kind; 12] = [
        Kind::DoubleLocking,
        Kind::AbBa,
        Kind::Rwr,
        Kind::MissingUnlock,
        Kind::Channel,
        Kind::ChannelContext,
        Kind::ConditionVariable,
        Kind::ChannelConditionVariable,
        Kind::ChannelLock,
        Kind::ChannelWaitgroup,
        Kind::MisuseWaitgroup,
        Kind::Unknown,
    ];
}

/// Where the builder gets parsed source. The implementation decides how a frame's file maps to a file under
/// `--root` (and reads it through the `source` layer); tests hand out files they parsed themselves.
pub trait Sources {
    /// The parsed file a frame points at, when it can be read.
    fn file(&self, frame: &Frame) -> Option<&GoFile>;
    /// The parsed files of the package of the frame's file (the file itself included).
    fn package(&self, frame: &Frame) -> Vec<&GoFile>;
}

/// A place in the source: the file as printed in the frame and the 1-based line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Site {
    /// The file as printed in the stack (the view layer makes it root-relative).
    pub file: String,
    /// The 1-based line.
    pub line: u32,
}

/// What a goroutine is blocked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaitKind {
    /// `Mutex.Lock` or `RWMutex.Lock`.
    Lock,
    /// `RWMutex.RLock`.
    RLock,
    /// `Cond.Wait`.
    CondWait,
    /// `WaitGroup.Wait`.
    WaitGroup,
    /// A channel send.
    Send,
    /// A channel receive.
    Recv,
    /// A `select`.
    Select,
    /// Anything else (sleep, I/O, running, a nil channel, `select {}`).
    Other,
}

impl WaitKind {
    /// From a goroutine's normalized wait state.
    pub fn from_state(state: &str) -> WaitKind {
        match state {
            "sync.Mutex.Lock" | "sync.RWMutex.Lock" => WaitKind::Lock,
            "sync.RWMutex.RLock" => WaitKind::RLock,
            "sync.Cond.Wait" => WaitKind::CondWait,
            "sync.WaitGroup.Wait" => WaitKind::WaitGroup,
            "chan send" => WaitKind::Send,
            "chan receive" => WaitKind::Recv,
            "select" => WaitKind::Select,
            _ => WaitKind::Other,
        }
    }

    fn is_lock(self) -> bool {
        matches!(self, WaitKind::Lock | WaitKind::RLock)
    }

    fn is_chan(self) -> bool {
        matches!(self, WaitKind::Send | WaitKind::Recv | WaitKind::Select)
    }
}

/// One lock a stack holds at its current lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    /// The lock's key (see [`scan::key_of`]).
    pub key: String,
    /// The expression as written (`s.mu`).
    pub expr: String,
    /// True for a read lock.
    pub read: bool,
    /// Where it was acquired.
    pub at: Site,
    /// A `defer Unlock` is pending (held until the function returns).
    pub deferred_unlock: bool,
}

/// A channel a stack waits on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChanWait {
    /// The channel's key.
    pub key: String,
    /// The expression as written.
    pub expr: String,
    /// `send` or `receive`.
    pub send: bool,
    /// The line of the operation (the `case` line inside a `select`).
    pub at: Site,
    /// Where the channel is made, when the `make` was found.
    pub made_at: Option<Site>,
    /// The capacity as written in that `make` (`0` when none is given).
    pub capacity: Option<String>,
    /// How the other side went away, and where (see [`scan::receiver_left`]).
    pub left: Option<(scan::Left, Site)>,
}

/// One distinct stack of a report and what the source says about it.
#[derive(Debug, Clone)]
pub struct Node {
    /// The leak group id of the stack ([`Signature::id`]).
    pub group: String,
    /// The goroutine ids with this stack.
    pub goroutines: Vec<u64>,
    /// The innermost user-code function, without its package path (`(*Store).get`, `TestABBA.func1`).
    pub function: String,
    /// What it waits for.
    pub wait: WaitKind,
    /// The innermost user-code frame's place (the blocking line).
    pub waited_at: Option<Site>,
    /// The key and expression of the lock, WaitGroup or condition it waits on, when the source names it.
    pub on: Option<(String, String)>,
    /// The channels it waits on (one, or every case of a `select`).
    pub chans: Vec<ChanWait>,
    /// A `select` with a `<-ctx.Done()`-like case, or without one while `ctx` is in scope.
    pub select_ctx: Option<bool>,
    /// A `select` with `ctx` in scope and no case on a context's channel.
    pub select_without_done: bool,
    /// The locks its frames hold.
    pub holds: Vec<Hold>,
    /// Keys of what its frames still do after their lines: (operation, key).
    pub future: BTreeSet<(FutureOp, String)>,
    /// The function that started it (`created by`) and the place of its `go` statement.
    pub created_at: Option<Site>,
    /// The source of the blocking frame was found.
    pub has_source: bool,
    /// For a lock wait: a `return` that leaves a function with the awaited lock held (where the lock was
    /// taken, where it returns).
    pub returns_locked: Option<(Site, Site)>,
    /// The function that started this goroutine selects on a `.Done()` channel after the `go` statement.
    pub creator_selects_done: bool,
    /// For a lock wait: this goroutine itself took the awaited lock earlier and never released it (where
    /// it was taken, where the code went on without unlocking: a `return`, a `break`, a `continue`).
    pub relock: Option<(Site, Site)>,
}

/// An operation a stack would still perform (for finding who could complete a wait).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FutureOp {
    /// Sends on a channel.
    Send,
    /// Receives from (or ranges over) a channel.
    Recv,
    /// Closes a channel.
    Close,
    /// `WaitGroup.Done`.
    Done,
    /// `Cond.Signal` / `Broadcast`.
    Signal,
}

/// One member of an incident: a leak group and its goroutines in this report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    /// The leak group id.
    pub leak: String,
    /// The goroutine ids.
    pub goroutines: Vec<u64>,
}

/// A lock involved in an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockInfo {
    /// How the source names it (`tableNameCache.mu`, or the expression when its type is unknown).
    pub name: String,
    /// The groups whose stacks hold it.
    pub held_by: Vec<String>,
    /// Where those stacks acquired it.
    pub acquired_at: Vec<Site>,
    /// Where stacks wait for it.
    pub waited_at: Vec<Site>,
}

/// A channel involved in an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelInfo {
    /// How the source names it.
    pub name: String,
    /// Where it is made, when found.
    pub made_at: Option<Site>,
    /// Its capacity as written (`0` for unbuffered), when the `make` was found.
    pub capacity: Option<String>,
    /// Where stacks wait on it.
    pub waited_at: Vec<Site>,
    /// The groups that could still complete the waits (they are blocked elsewhere).
    pub partners: Vec<String>,
    /// How the receiving side went away (`return`, `context-done`, `timer`, `caller-stopped`,
    /// `returned-to-caller`), when the source shows it.
    pub left: Option<scan::Left>,
    /// Where it went away.
    pub left_at: Option<Site>,
}

/// A connected part of a report's wait-for graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incident {
    /// Stable id: from the sorted signatures of its members.
    pub id: String,
    /// The kind of bug.
    pub kind: Kind,
    /// The members.
    pub members: Vec<Member>,
    /// The locks involved.
    pub locks: Vec<LockInfo>,
    /// The channels involved.
    pub channels: Vec<ChannelInfo>,
    /// What was seen, in words.
    pub explanation: String,
    /// Links between members rest on names (types, fields, variables), not on addresses.
    pub by_name: bool,
}

/// True for frames of the user's code: not runtime machinery and not the standard library, except
/// `main` (whose functions are the program's).
pub fn is_user_frame(f: &Frame) -> bool {
    let pkg = crate::dump::package_of(&f.function);
    !is_machinery(&f.function)
        && (pkg == "main" || !crate::paths::is_std_package(pkg))
        && !f.file.is_empty()
}

fn site(f: &Frame) -> Site {
    Site {
        file: f.file.clone(),
        line: f.line,
    }
}

fn site_at(f: &Frame, line0: usize) -> Site {
    Site {
        file: f.file.clone(),
        line: u32::try_from(line0 + 1).unwrap_or(u32::MAX),
    }
}

/// A function name without its package path: `example.com/x.(*T).M` → `(*T).M`.
pub fn short_function(function: &str) -> String {
    let pkg = crate::dump::package_of(function);
    function[pkg.len()..].trim_start_matches('.').to_string()
}

/// Reads one stack: what it waits for, what it holds, what it would still do.
pub fn node(g: &Goroutine, group: &str, src: &dyn Sources) -> Node {
    let wait = WaitKind::from_state(&g.state);
    let user: Vec<&Frame> = g
        .frames
        .iter()
        .filter(|f| is_user_frame(f) && f.line > 0)
        .collect();
    let mut n = Node {
        group: group.to_string(),
        goroutines: vec![g.id],
        function: user
            .first()
            .map_or_else(String::new, |f| short_function(&f.function)),
        wait,
        waited_at: user.first().map(|f| site(f)),
        on: None,
        chans: Vec::new(),
        select_ctx: None,
        select_without_done: false,
        holds: Vec::new(),
        future: BTreeSet::new(),
        created_at: g.created_by.as_ref().filter(|c| c.line > 0).map(site),
        has_source: false,
        returns_locked: None,
        creator_selects_done: false,
        relock: None,
    };
    if let Some(c) = g.created_by.as_ref().filter(|c| c.line > 0) {
        if let Some(file) = src.file(c) {
            let l = c.line as usize - 1;
            n.creator_selects_done =
                scan::selects_on_done_after(file, l) || scan::in_ctx_select(file, l);
        }
    }
    if let Some(fr) = user.first() {
        if let Some(file) = src.file(fr) {
            n.has_source = true;
            read_wait(&mut n, file, &src.package(fr), fr, fr.line as usize - 1);
        }
    }
    if let Some(c) = g.created_by.as_ref().filter(|c| c.line > 0) {
        if let Some(cf) = src.file(c) {
            let pkg = src.package(c);
            for w in n.chans.iter_mut().filter(|w| w.send) {
                if let Some((how, fi, l)) =
                    scan::receiver_left(&pkg, cf, &w.expr, c.line as usize - 1)
                {
                    let file = match fi {
                        Some(i) => sibling(&c.file, &pkg[i].path),
                        None => c.file.clone(),
                    };
                    let line = u32::try_from(l + 1).unwrap_or(u32::MAX);
                    w.left = Some((how, Site { file, line }));
                }
            }
        }
    }
    // Outermost frame first, so that a callee's unlock of its caller's lock releases it.
    for (i, fr) in user.iter().enumerate().rev() {
        let Some(file) = src.file(fr) else { continue };
        let pkg = src.package(fr);
        let line = fr.line as usize - 1;
        for (x, read) in scan::released_at(file, line) {
            let key = scan::key_of(&pkg, file, &x, line);
            if let Some(p) = n.holds.iter().rposition(|h| h.key == key && h.read == read) {
                n.holds.remove(p);
            }
        }
        if n.wait.is_lock() && n.relock.is_none() {
            relock(&mut n, file, &pkg, fr, line, i == 0);
        }
        if n.wait.is_lock() && n.relock.is_none() && i == 0 {
            // The goroutine that started this one, before its `go` statement.
            if let (Some(c), Some((key, _))) =
                (g.created_by.as_ref().filter(|c| c.line > 0), n.on.clone())
            {
                if let Some(cf) = src.file(c) {
                    let calls = scan::calls_before(cf, c.line as usize - 1, false);
                    left_locked_by(&mut n, &src.package(c), &key, &calls, c);
                }
            }
        }
        let held: Vec<HeldExpr> = scan::held_at(file, line);
        for h in held {
            n.holds.push(Hold {
                key: scan::key_of(&pkg, file, &h.expr, h.line),
                expr: h.expr,
                read: h.read,
                at: site_at(fr, h.line),
                deferred_unlock: h.deferred_unlock,
            });
        }
        let fu = scan::future_of(file, if i == 0 { line + 1 } else { line });
        // One level into the functions it still calls (`defer s.SetStopped()` → `s.stop.Done()`).
        // The callee of each call: the method of the receiver's type, or the plain function.
        let callees: Vec<(Option<String>, String)> = fu
            .calls
            .iter()
            .filter_map(|(recv, name)| {
                if recv.is_empty() {
                    return Some((None, name.clone()));
                }
                let first = recv.split(['.', '[']).next().unwrap_or(recv);
                match scan::binding(&pkg, file, first, line)? {
                    scan::Binding::Local { ty: Some(t), .. }
                    | scan::Binding::Package { ty: Some(t) }
                        if !recv.contains('.') =>
                    {
                        Some((Some(t), name.clone()))
                    }
                    _ => None,
                }
            })
            .collect();
        for f in &pkg {
            for d in f.funcs.iter().filter(|d| {
                callees
                    .iter()
                    .any(|(t, name)| *name == d.name && *t == d.recv)
            }) {
                for l in d.body.open + 1..d.body.close {
                    for (op, x) in scan::sync_calls(f.stmt(l)) {
                        let o = match op {
                            SyncOp::Done => FutureOp::Done,
                            SyncOp::Signal => FutureOp::Signal,
                            _ => continue,
                        };
                        n.future.insert((o, scan::key_of(&pkg, f, &x, l)));
                    }
                    for op in crate::source::go::chan_ops(f.stmt(l)) {
                        let (o, x) = match op {
                            ChanOp::Send(x) => (FutureOp::Send, x),
                            ChanOp::Recv(x) => (FutureOp::Recv, x),
                        };
                        n.future.insert((o, scan::key_of(&pkg, f, &x, l)));
                    }
                }
            }
        }
        for op in fu.chan {
            let (o, x) = match op {
                ChanOp::Send(x) => (FutureOp::Send, x),
                ChanOp::Recv(x) => (FutureOp::Recv, x),
            };
            n.future.insert((o, scan::key_of(&pkg, file, &x, line)));
        }
        for x in fu.closes {
            n.future
                .insert((FutureOp::Close, scan::key_of(&pkg, file, &x, line)));
        }
        for (op, x) in fu.sync {
            let o = match op {
                SyncOp::Done => FutureOp::Done,
                SyncOp::Signal => FutureOp::Signal,
                _ => continue,
            };
            n.future.insert((o, scan::key_of(&pkg, file, &x, line)));
        }
    }
    n
}

/// Where the channel `expr` (seen at 0-based `line`) is made: in the enclosing top-level function before
/// the line, else anywhere in the package for a field (`x.ch` made as `ch: make(…)` or `x.ch = make(…)`).
fn made(
    file: &GoFile,
    pkg: &[&GoFile],
    fr: &Frame,
    expr: &str,
    line: usize,
) -> (Option<Site>, Option<String>) {
    let found = |f: &GoFile, from: usize, to: usize| -> Option<(usize, String)> {
        f.makes_of(expr, from, to).into_iter().last()
    };
    let local = file
        .func_at(line)
        .and_then(|d| found(file, d.body.open, line));
    let hit = match local {
        Some((l, call)) => Some((site_at(fr, l), call)),
        None if expr.contains('.') => pkg.iter().find_map(|f| {
            found(f, 0, f.code.len()).map(|(l, call)| {
                (
                    Site {
                        file: sibling(&fr.file, &f.path),
                        line: u32::try_from(l + 1).unwrap_or(u32::MAX),
                    },
                    call,
                )
            })
        }),
        None => None,
    };
    match hit {
        Some((at, call)) => {
            let cap = crate::source::go::parse_make_chan(&call)
                .map(|(_, c)| c.unwrap_or_else(|| "0".to_string()));
            (Some(at), cap)
        }
        None => (None, None),
    }
}

/// The printed path of `other`, a file of the same folder as the printed `file`.
fn sibling(file: &str, other: &str) -> String {
    let name = other.rsplit('/').next().unwrap_or(other);
    match file.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{name}"),
        None => name.to_string(),
    }
}

/// Looks for the awaited lock taken earlier by this same goroutine: a `continue` that re-enters the loop
/// with it held (blocking frame), or a function called before the frame's line that leaves with it held.
fn relock(n: &mut Node, file: &GoFile, pkg: &[&GoFile], fr: &Frame, line: usize, blocking: bool) {
    let Some((key, expr)) = n.on.clone() else {
        return;
    };
    if blocking {
        if let Some(c) = scan::relocks_in_loop(file, line, &expr) {
            n.relock = Some((site_at(fr, line), site_at(fr, c)));
            return;
        }
    }
    let calls = scan::calls_before(file, line, true);
    if calls.is_empty() {
        return;
    }
    left_locked_by(n, pkg, &key, &calls, fr);
}

/// Sets [`Node::relock`] when one of `calls` reaches a named function that leaves the lock `key` locked.
fn left_locked_by(n: &mut Node, pkg: &[&GoFile], key: &str, calls: &[String], fr: &Frame) {
    for (fi, l, x) in scan::locks_of(pkg, key) {
        let f = pkg[fi];
        let Some(r) = scan::returns_locked(f, l, &x) else {
            continue;
        };
        let Some(d) = f.func_at(l) else { continue };
        // A lock taken in a `func` literal runs where the literal is called or started, not by name.
        if scan::func_block(f, l) != Some(d.body) {
            continue;
        }
        if scan::reaches(pkg, calls, &d.name, 6) {
            let at = |k: usize| Site {
                file: sibling(&fr.file, &f.path),
                line: u32::try_from(k + 1).unwrap_or(u32::MAX),
            };
            n.relock = Some((at(l), at(r)));
            return;
        }
    }
}

fn read_wait(n: &mut Node, file: &GoFile, pkg: &[&GoFile], fr: &Frame, line: usize) {
    let stmt = file.stmt(line);
    match n.wait {
        WaitKind::Lock | WaitKind::RLock | WaitKind::CondWait | WaitKind::WaitGroup => {
            let want: &[SyncOp] = match n.wait {
                WaitKind::Lock => &[SyncOp::Lock],
                WaitKind::RLock => &[SyncOp::RLock],
                _ => &[SyncOp::Wait],
            };
            if let Some((_, x)) = scan::sync_calls(stmt)
                .into_iter()
                .find(|(op, _)| want.contains(op))
            {
                let key = scan::key_of(pkg, file, &x, line);
                if n.wait.is_lock() {
                    n.returns_locked =
                        scan::locks_of(pkg, &key)
                            .into_iter()
                            .find_map(|(fi, l, x)| {
                                let r = scan::returns_locked(pkg[fi], l, &x)?;
                                let at = |k: usize| Site {
                                    file: sibling(&fr.file, &pkg[fi].path),
                                    line: u32::try_from(k + 1).unwrap_or(u32::MAX),
                                };
                                Some((at(l), at(r)))
                            });
                }
                n.on = Some((key, x));
            }
        }
        WaitKind::Send | WaitKind::Recv => {
            if scan::in_ctx_select(file, line) {
                n.select_ctx = Some(true);
            }
            let ops = file.ops(line);
            let mut ops: Vec<ChanOp> = ops;
            if ops.is_empty() {
                if let Some(x) = file.range_over(line) {
                    ops.push(ChanOp::Recv(x));
                }
            }
            for op in ops {
                let (send, x) = match op {
                    ChanOp::Send(x) => (true, x),
                    ChanOp::Recv(x) => (false, x),
                };
                if send == (n.wait == WaitKind::Send) {
                    if !send && scan::is_ctx_chan(&x) && x.ends_with(".Done()") {
                        n.select_ctx = Some(true);
                    }
                    let (made_at, capacity) = made(file, pkg, fr, &x, line);
                    n.chans.push(ChanWait {
                        key: scan::key_of(pkg, file, &x, line),
                        expr: x,
                        send,
                        at: site(fr),
                        made_at,
                        capacity,
                        left: None,
                    });
                    break;
                }
            }
        }
        WaitKind::Select => {
            if let Some(cases) = file.select_cases(line) {
                let mut ctx_case = false;
                for c in cases {
                    let Some(op) = c.op else { continue };
                    let (send, x) = match op {
                        ChanOp::Send(x) => (true, x),
                        ChanOp::Recv(x) => (false, x),
                    };
                    if !send && scan::is_ctx_chan(&x) {
                        ctx_case = true;
                        continue;
                    }
                    // A timer's case ends the wait by itself; no goroutine completes it.
                    if !send && (x.starts_with("time.After(") || x.starts_with("time.Tick(")) {
                        continue;
                    }
                    let (made_at, capacity) = made(file, pkg, fr, &x, line);
                    n.chans.push(ChanWait {
                        key: scan::key_of(pkg, file, &x, c.line),
                        expr: x,
                        send,
                        at: site_at(fr, c.line),
                        made_at,
                        capacity,
                        left: None,
                    });
                }
                let ctx_in_scope = scan::in_scope(file, "ctx", line);
                n.select_without_done = !ctx_case && ctx_in_scope;
                n.select_ctx = Some(ctx_case || ctx_in_scope);
            }
        }
        WaitKind::Other => {}
    }
}

/// An edge of the wait-for graph: `from` waits for `to`, through what.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    /// Index of the waiting node.
    pub from: usize,
    /// Index of the node that could end the wait.
    pub to: usize,
    /// The key of the lock, channel, WaitGroup or condition.
    pub via: String,
    /// What kind of wait.
    pub wait: WaitKind,
}

/// The wait-for edges between nodes.
pub fn edges(nodes: &[Node]) -> Vec<Edge> {
    let mut out = Vec::new();
    for (i, a) in nodes.iter().enumerate() {
        for (j, b) in nodes.iter().enumerate() {
            let mut push = |via: &str| {
                out.push(Edge {
                    from: i,
                    to: j,
                    via: via.to_string(),
                    wait: a.wait,
                })
            };
            match a.wait {
                WaitKind::Lock | WaitKind::RLock => {
                    if let Some((k, _)) = &a.on {
                        if b.holds.iter().any(|h| &h.key == k) {
                            push(k);
                        } else if a.wait == WaitKind::RLock
                            && b.wait == WaitKind::Lock
                            && b.on.as_ref().is_some_and(|(bk, _)| bk == k)
                            && i != j
                        {
                            // A reader waits behind a pending writer.
                            push(k);
                        }
                    }
                }
                WaitKind::WaitGroup => {
                    if let Some((k, _)) = &a.on {
                        if i != j && b.future.contains(&(FutureOp::Done, k.clone())) {
                            push(k);
                        }
                    }
                }
                WaitKind::CondWait => {
                    if let Some((k, _)) = &a.on {
                        if i != j && b.future.contains(&(FutureOp::Signal, k.clone())) {
                            push(k);
                        }
                    }
                }
                WaitKind::Send | WaitKind::Recv | WaitKind::Select => {
                    if i == j {
                        continue;
                    }
                    for c in &a.chans {
                        let hit = if c.send {
                            b.future.contains(&(FutureOp::Recv, c.key.clone()))
                        } else {
                            b.future.contains(&(FutureOp::Send, c.key.clone()))
                                || b.future.contains(&(FutureOp::Close, c.key.clone()))
                        };
                        if hit {
                            push(&c.key);
                            break;
                        }
                    }
                }
                WaitKind::Other => {}
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A 12-hex-digit id of a text (the first 6 bytes of its SHA-256), like [`Signature::id`].
fn id_of_text(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// Builds the incidents of one report from its blocked goroutines.
///
/// Goroutines with the same signature share a node. The returned incidents are sorted by id; every node
/// belongs to exactly one incident (a stack linked to no other is an incident of its own).
pub fn build(goroutines: &[&Goroutine], src: &dyn Sources) -> Vec<Incident> {
    let mut by_sig: BTreeMap<String, usize> = BTreeMap::new();
    let mut nodes: Vec<Node> = Vec::new();
    let mut sigs: Vec<String> = Vec::new();
    for g in goroutines {
        let signature = Signature::of(g);
        let sig = signature.to_string();
        match by_sig.get(&sig) {
            Some(&i) => nodes[i].goroutines.push(g.id),
            None => {
                by_sig.insert(sig.clone(), nodes.len());
                nodes.push(node(g, &signature.id(), src));
                sigs.push(sig);
            }
        }
    }
    let es = edges(&nodes);
    // Connected parts (union-find).
    let mut parent: Vec<usize> = (0..nodes.len()).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for e in &es {
        let (a, b) = (root(&mut parent, e.from), root(&mut parent, e.to));
        if a != b {
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut parts: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..nodes.len() {
        let r = root(&mut parent, i);
        parts.entry(r).or_default().push(i);
    }
    let mut out: Vec<Incident> = parts
        .values()
        .map(|members| {
            let part_edges: Vec<Edge> = es
                .iter()
                .filter(|e| members.contains(&e.from))
                .cloned()
                .collect();
            let mut member_sigs: Vec<&str> = members.iter().map(|&i| sigs[i].as_str()).collect();
            member_sigs.sort();
            let id = id_of_text(&format!("incident|{}", member_sigs.join("\n")));
            kind::describe(id, members, &nodes, &part_edges)
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_spell_the_contract() {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "double-locking",
                "ab-ba",
                "rwr",
                "missing-unlock",
                "channel",
                "channel-context",
                "condition-variable",
                "channel-condition-variable",
                "channel-lock",
                "channel-waitgroup",
                "misuse-waitgroup",
                "unknown"
            ]
        );
        assert_eq!(serde_json::to_string(&Kind::AbBa).unwrap(), "\"ab-ba\"");
        assert_eq!(WaitKind::from_state("sync.RWMutex.RLock"), WaitKind::RLock);
        assert!(WaitKind::Select.is_chan() && WaitKind::Lock.is_lock());
    }
}
