//! Lock rules: a goroutine blocked in `Lock`/`RLock`.
//!
//! Most specific first, each claim read from the source:
//!
//! 1. **A `sync.Once`**: the lock is the Once's own, taken by `Do` while another call's function runs.
//! 2. **A lock this goroutine holds** (`deadlock`): the same mutex is locked earlier in the blocking function
//!    and not unlocked on the way (`mu.Lock(); …; mu.Lock()`), locked by a caller that then calls the
//!    blocking function on the same value (`c.mu.Lock(); defer c.mu.Unlock(); c.helper()`), or left locked
//!    by a `continue` of the loop that locks it. A read lock held while asking for another is named as
//!    recursive read locking, which `sync.RWMutex` forbids.
//! 3. **A holder that returns without unlocking** (`lock-never-released`): another function of the package
//!    locks the *same* mutex (the same field of the same type, the same package variable, or the same local
//!    of one function), does not `defer` the unlock, and returns (or leaves its loop) before unlocking.
//!    A mutex is identified by its type and field ([`VarId`]), never by its field name alone.
//! 4. Otherwise what the stack shows and what to check: a holder blocked itself (locks taken in different
//!    orders, a channel operation under a lock) or a path that returned without unlocking.

use super::*;
use crate::source::go::find_word;

/// Which lock call: a write lock or a read lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `Lock()`.
    Write,
    /// `RLock()`.
    Read,
}

impl Kind {
    fn call(self) -> &'static str {
        match self {
            Kind::Write => ".Lock()",
            Kind::Read => ".RLock()",
        }
    }
    fn unlock(self) -> &'static str {
        match self {
            Kind::Write => ".Unlock()",
            Kind::Read => ".RUnlock()",
        }
    }
}

/// A lock call found on a line: the mutex expression (`c.mu`) and the kind.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LockCall {
    mu: String,
    kind: Kind,
}

/// The first `x.Lock()` / `x.RLock()` call of a statement whose receiver is a plain expression (`mu`,
/// `c.mu`, `c`): the character before it is not part of an expression (so `f().mu.Lock()` and
/// `m[k].Lock()` are not read).
fn lock_call(s: &str) -> Option<LockCall> {
    [Kind::Read, Kind::Write]
        .into_iter()
        .filter_map(|kind| {
            let i = s.find(kind.call())?;
            let start = i - expr_before(s, i).len();
            let mu = &s[start..i];
            let before = s[..start].chars().next_back();
            let plain = !mu.is_empty()
                && !mu.starts_with('.')
                && !mu.ends_with('.')
                && !mu.contains("..")
                && !matches!(before, Some(')' | ']' | '"' | '`' | '\''));
            plain.then(|| {
                (
                    i,
                    LockCall {
                        mu: mu.to_string(),
                        kind,
                    },
                )
            })
        })
        .min_by_key(|(i, _)| *i)
        .map(|(_, c)| c)
}

/// True when the statement calls `{mu}{call}` with `mu` as a whole expression (`xs.mu.Lock()` is not a
/// call of `s.mu.Lock()`).
fn calls(s: &str, mu: &str, call: &str) -> bool {
    let pat = format!("{mu}{call}");
    let mut from = 0;
    while let Some(p) = s[from..].find(&pat) {
        let at = from + p;
        let ok = s[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'));
        if ok {
            return true;
        }
        from = at + 1;
    }
    false
}

/// True when the statement unlocks `mu` now (a `defer`red unlock runs only when the function returns).
fn unlocks_now(s: &str, mu: &str) -> bool {
    !s.starts_with("defer ")
        && (calls(s, mu, Kind::Write.unlock()) || calls(s, mu, Kind::Read.unlock()))
}

/// The innermost block holding a line.
fn innermost(f: &GoFile, line: usize) -> Option<Block> {
    f.enclosing(line).first().map(|b| **b)
}

/// True when block `b` holds `line` (opened before it, closed on it or after).
fn holds(b: &Block, line: usize) -> bool {
    b.open < line && b.close >= line
}

/// A lock of `mu` still held at `target` in the same function, found by reading back from `target`.
#[derive(Debug, Clone)]
struct Held {
    /// The line of the lock call.
    line: usize,
    /// Its kind.
    kind: Kind,
    /// Lines between the lock and `target` that may release it without saying so: calls of a method on
    /// the mutex's owner, or the mutex passed to a call.
    maybe: Vec<usize>,
}

/// What reading back from a line for a lock of `mu` finds.
#[derive(Debug, Clone)]
enum Scan {
    /// A lock still held at the line.
    Held(Held),
    /// An unlock (or something the reading cannot follow) comes first: the lock is not held, or the
    /// source does not show it.
    Released,
    /// Neither, up to the start of the function; the lines that may release `mu` on the way.
    Nothing(Vec<usize>),
}

/// Reads back from `target` (a line in the same function) for a lock of `mu` that is still held there:
/// the lock's block holds `target`, no line in between unlocks `mu` (other than `defer`), none is a `case`
/// of the same `switch`/`select`, none reassigns `mu`, and the function has no `goto`.
fn scan_back(f: &GoFile, target: usize, mu: &str, pkg: &[Rc<GoFile>]) -> Scan {
    let Some(scope) = f.func_body_at(target) else {
        return Scan::Released;
    };
    if (scope.open..=scope.close).any(|l| find_word(f.stmt(l), "goto").is_some()) {
        return Scan::Released;
    }
    let root = mu.split('.').next().unwrap_or(mu);
    let decl = f.func_at(target);
    let maybe_between = |from: usize| -> Vec<usize> {
        (from..target)
            .filter(|&k| may_release(f.stmt(k), mu, root) && !innocent(decl, f.stmt(k), root, pkg))
            .collect()
    };
    for l in (scope.open + 1..target).rev() {
        let s = f.stmt(l);
        if unlocks_now(s, mu) {
            return Scan::Released;
        }
        let Some(call) = lock_call(s).filter(|c| c.mu == mu) else {
            continue;
        };
        if s.contains("func(") || s.starts_with("go ") || s.starts_with("defer ") {
            continue;
        }
        let Some(own) = innermost(f, l) else { continue };
        if !holds(&own, target) || !reachable(f, l, target) {
            // A lock in a block that ended before `target` (an `if` branch, a loop body already left).
            continue;
        }
        for k in l + 1..target {
            let st = f.stmt(k);
            let assigns = [format!("{mu} ="), format!("{mu} :="), format!("{mu}, ")]
                .iter()
                .any(|p| st.starts_with(p.as_str()));
            if assigns {
                return Scan::Released;
            }
        }
        return Scan::Held(Held {
            line: l,
            kind: call.kind,
            maybe: maybe_between(l + 1),
        });
    }
    Scan::Nothing(maybe_between(scope.open + 1))
}

/// True when line `k` can run after line `l` of the same function without leaving `l`'s path: it is
/// not in another clause of a `switch`/`select` that holds `l`, nor in an `else` branch of an `if` whose
/// branch holds `l`.
fn reachable(f: &GoFile, l: usize, k: usize) -> bool {
    let clause = (l + 1..k).any(|c| {
        let st = f.stmt(c);
        (st.starts_with("case ") || st.starts_with("default:"))
            && innermost(f, c).is_some_and(|b| holds(&b, l) && b.close >= k)
    });
    if clause {
        return false;
    }
    !f.enclosing(k).iter().any(|b| {
        b.open > l
            && f.stmt(b.open).starts_with('}')
            && f.blocks
                .iter()
                .any(|c| c.close == b.open && c.depth == b.depth && c.open <= l)
    })
}

/// True when a statement's calls on `root` are calls of methods of the current function's receiver type
/// whose bodies neither unlock anything nor call anything else on their receiver (so they cannot release
/// a lock of it).
fn innocent(decl: Option<&FuncDecl>, s: &str, root: &str, pkg: &[Rc<GoFile>]) -> bool {
    let Some(d) = decl.filter(|d| d.recv_var.as_deref() == Some(root)) else {
        return false;
    };
    let mut from = 0;
    let mut any = false;
    while let Some(p) = find_word(&s[from..], root) {
        let at = from + p;
        let rest = &s[at + root.len()..];
        from = at + root.len();
        let Some(m) = rest.strip_prefix('.') else {
            continue;
        };
        let end = m
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(m.len());
        if !m[end..].starts_with('(') {
            continue;
        }
        let name = &m[..end];
        let Some((mf, md)) = pkg.iter().find_map(|pf| {
            pf.funcs
                .iter()
                .find(|x| x.name == name && x.recv == d.recv)
                .map(|x| (pf, x))
        }) else {
            return false;
        };
        let rv = md.recv_var.as_deref().unwrap_or("_");
        // The body's own lines (not the signature, which names the receiver).
        let clean = md.body.open < md.body.close
            && (md.body.open + 1..md.body.close).all(|k| {
                let st = mf.stmt(k);
                !st.contains("Unlock()") && !may_release(st, "", rv)
            });
        if !clean {
            return false;
        }
        any = true;
    }
    any
}

/// True when a statement may release `mu` through a call: a method called on the mutex's owner
/// (`c.flush()` for `c.mu`), or the mutex or its owner passed as an argument.
fn may_release(s: &str, mu: &str, root: &str) -> bool {
    if s.starts_with("defer ") {
        // Runs only when the function returns.
        return false;
    }
    let mut from = 0;
    while let Some(p) = find_word(&s[from..], root) {
        let at = from + p;
        let rest = &s[at + root.len()..];
        let before = s[..at].trim_end();
        // `root.a.b(` is a call on the owner; `f(root` / `, root` / `&root` passes it.
        let path_end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        let path = &rest[..path_end];
        let is_call = rest[path_end..].starts_with('(')
            && path.starts_with('.')
            && !path.ends_with(".Lock")
            && !path.ends_with(".RLock");
        let passed = before.ends_with('(') || before.ends_with(',') || before.ends_with('&');
        if is_call || (passed && (path.is_empty() || mu.starts_with(&format!("{root}{path}")))) {
            return true;
        }
        from = at + root.len();
    }
    false
}

/// The rule entry point: the most specific of the rules in the module docs.
pub(super) fn lock(cx: &Cx) -> Advice {
    if let Some(a) = once(cx) {
        return a;
    }
    lock_with_source(cx).unwrap_or_else(|| {
        let at = cx.block().map(|b| format!(" at {}", b.at())).unwrap_or_default();
        Advice::new(
            Cause::LockNeverReleased,
            format!("The lock{at} waits for a holder that never releases it: either that holder is blocked itself (look in this report for a goroutine that holds the lock while it waits on a channel or on another lock), or some path locked it and returned without unlocking. Hold a lock only around code that cannot block, take locks in one order, and unlock on every path with `defer mu.Unlock()` right after locking."),
        )
    })
}

/// A goroutine waiting inside `sync.(*Once).Do` for another call's function to return.
fn once(cx: &Cx) -> Option<Advice> {
    let first_user = cx.user.first()?;
    let inner: Vec<&Frame> =
        cx.g.frames
            .iter()
            .take_while(|f| !std::ptr::eq(*f, *first_user))
            .collect();
    if !inner
        .iter()
        .any(|f| f.function == "sync.(*Once).doSlow" || f.function == "sync.(*Once).Do")
    {
        return None;
    }
    let call = cx.block().and_then(|b| {
        let s = b.file.stmt(b.line);
        let i = s.find(".Do(")?;
        Some((format!("{}.Do", expr_before(s, i)), b.at()))
    });
    let (what, at) = match call {
        Some((c, at)) => (format!("`{c}`"), format!(" at {at}")),
        None => ("`sync.Once.Do`".to_string(), String::new()),
    };
    Some(Advice::new(
        Cause::Deadlock,
        format!("The {what}{at} waits for another call of the same `sync.Once`, whose function has not returned: `Do` holds the Once until the function it runs returns, so every other `Do` blocks behind it. Look in this report for the goroutine still inside that function (`sync.(*Once).doSlow` on its stack) and fix what it waits on; if the function reaches the same `Do` again, directly or through a call, it waits for itself."),
    ))
}

/// The rules that read the source (2 and 3 of the module docs, then 4 with the mutex named).
pub(super) fn lock_with_source(cx: &Cx) -> Option<Advice> {
    let b = cx.block()?;
    let f = &b.file;
    let call = lock_call(f.stmt(b.line))?;
    let mu = call.mu.as_str();
    let kind = call.kind;
    let want = format!("`{mu}{}`", kind.call());
    let pkg = cx.package(f);
    if let Some(a) = held_here(f, b.line, &call, &pkg).or_else(|| held_by_caller(cx, &call)) {
        return Some(a);
    }
    if let Some(a) = left_locked_by_continue(f, b.line, &call) {
        return Some(a);
    }
    let text = match culprit(cx, f, b.line, &call) {
        Some((lead, holder)) => format!(
            "{lead}. Unlock on every path: lock, then `defer {}{}` on the next line.",
            holder.mu,
            holder.kind.unlock()
        ),
        None => format!(
            "The {want} at {} waits for `{mu}`, which something holds and does not release: either the holder is blocked itself (look in this report for a goroutine that locked `{mu}` and now waits on a channel or on another lock: locks taken in different orders, or a channel operation under the lock), or some path locked `{mu}` and returned without unlocking. Hold `{mu}` only around code that cannot block, take locks in one order, and unlock on every path with `defer {mu}{}` right after locking.",
            b.at(),
            kind.unlock()
        ),
    };
    Some(Advice::new(Cause::LockNeverReleased, text))
}

/// The sentence for a goroutine asking for a lock it holds.
fn self_deadlock(mu: &str, held: Kind, want: Kind) -> String {
    match (held, want) {
        (Kind::Read, Kind::Read) => format!(
            "Holding a read lock of `{mu}`, it asks for another one: a writer waiting for `{mu}` in between (a `{mu}.Lock()` elsewhere) blocks the second `RLock` and itself waits for the first, so neither ever proceeds. `sync.RWMutex` forbids recursive read locking: take the read lock once, and call the inner code with it held."
        ),
        (Kind::Read, Kind::Write) => format!(
            "`Lock` waits until every reader has unlocked, and this goroutine is one of them, so it waits for itself. Release the read lock before locking `{mu}` for writing (and check again what it read), or take the write lock from the start."
        ),
        (Kind::Write, _) => format!(
            "A goroutine cannot lock a mutex it already holds: Go's mutexes are not reentrant, so it waits for itself. Release `{mu}` before this point, or call code that expects the lock held instead of code that takes it."
        ),
    }
}

/// Rule 2 within one function: `mu.Lock(); …; mu.Lock()`.
fn held_here(f: &GoFile, line: usize, call: &LockCall, pkg: &[Rc<GoFile>]) -> Option<Advice> {
    let Scan::Held(held) = scan_back(f, line, &call.mu, pkg) else {
        return None;
    };
    let mu = &call.mu;
    let lead = format!(
        "This goroutine already holds `{mu}`: it locked it at {} (`{}`) and has not unlocked it when it locks it again at {}",
        f.at(held.line),
        f.src(held.line),
        f.at(line)
    );
    let maybe: Vec<String> = held.maybe.iter().map(|&k| quote(f, k)).collect();
    Some(held_advice(&maybe, held.kind, lead, mu, call.kind))
}

/// The advice for a lock held across the blocking call: sure when nothing in between can release it,
/// otherwise what to check (`maybe`: the calls on the way, quoted).
fn held_advice(maybe: &[String], held: Kind, lead: String, mu: &str, want: Kind) -> Advice {
    if maybe.is_empty() {
        Advice::new(
            Cause::Deadlock,
            format!("{lead}. {}", self_deadlock(mu, held, want)),
        )
    } else {
        let calls: Vec<&str> = maybe.iter().take(3).map(String::as_str).collect();
        Advice::new(
            Cause::LockNeverReleased,
            format!(
                "{lead}, unless {} releases it. Check that call: if it does not unlock `{mu}`, this goroutine waits for itself (Go's mutexes are not reentrant).",
                calls.join(" or ")
            ),
        )
    }
}

/// Rule 2 across calls: a caller locked the same mutex and then called (directly or through other
/// methods of the same value) the function that blocks.
fn held_by_caller(cx: &Cx, call: &LockCall) -> Option<Advice> {
    let mut expr = call.mu.clone();
    let b = cx.block()?;
    let mut inner_file = b.file.clone();
    let mut inner_line = b.line;
    // The calls on the way that may release the lock, as `src` (path:line).
    let mut pending: Vec<String> = Vec::new();
    match scan_back(&b.file, b.line, &expr, &cx.package(&b.file)) {
        Scan::Nothing(m) => pending.extend(m.iter().map(|&k| quote(&b.file, k))),
        Scan::Held(_) | Scan::Released => return None,
    }
    for pair in cx.user.windows(2).take(8) {
        let (callee, caller) = (pair[0], pair[1]);
        let name = split_fn(&callee.function);
        let decl = inner_file.func_at(inner_line)?.clone();
        let site = cx.site(caller)?;
        let cf = &site.file;
        let pkg = cx.package(cf);
        let caller_name = split_fn(&caller.function);
        if name.closure {
            // A closure shares its variables with the function that wrote it, when that is the caller.
            if caller_name.func != name.func || caller_name.recv != name.recv {
                return None;
            }
        } else {
            let root = expr.split('.').next().unwrap_or(&expr).to_string();
            if decl.recv_var.as_deref() == Some(root.as_str()) {
                // `E.method(` on the caller's line: the callee's receiver is `E`.
                let s = cf.stmt(site.line);
                let pat = format!(".{}(", name.func);
                let i = s.find(&pat)?;
                let e = expr_before(s, i);
                if e.is_empty() || e.starts_with('.') {
                    return None;
                }
                expr = format!("{e}{}", &expr[root.len()..]);
            } else if !pkg.iter().any(|p| p.declares_var(&root))
                || declares_local(&inner_file, &decl, &root)
            {
                // Neither the receiver nor a package variable: a parameter or local that the caller
                // names differently.
                return None;
            }
        }
        match scan_back(cf, site.line, &expr, &pkg) {
            Scan::Held(held) => {
                let lead = format!(
                    "This goroutine already holds `{expr}`: `{}` locked it at {} (`{}`) and, still holding it, called `{}` at {}, which locks it again at {}",
                    caller_name.func,
                    cf.at(held.line),
                    cf.src(held.line),
                    name.func,
                    cf.at(site.line),
                    b.at()
                );
                let mut maybe: Vec<String> = held.maybe.iter().map(|&k| quote(cf, k)).collect();
                maybe.extend(pending);
                return Some(held_advice(&maybe, held.kind, lead, &expr, call.kind));
            }
            Scan::Released => return None,
            Scan::Nothing(m) => pending.extend(m.iter().map(|&k| quote(cf, k))),
        }
        inner_file = site.file.clone();
        inner_line = site.line;
    }
    None
}

/// A line quoted for advice: `` `src` (path:line) ``.
fn quote(f: &GoFile, k: usize) -> String {
    format!("`{}` ({})", f.src(k), f.at(k))
}

/// Rule 2 through a loop: the loop locks `mu` and a `continue` before the unlock starts the next turn
/// with the lock still held.
fn left_locked_by_continue(f: &GoFile, line: usize, call: &LockCall) -> Option<Advice> {
    let scope = f.func_body_at(line)?;
    let lp = f.loop_around(line, &scope)?;
    let mu = &call.mu;
    for k in line + 1..lp.close {
        let s = f.stmt(k);
        if unlocks_now(s, mu) {
            return None;
        }
        if s != "continue" {
            continue;
        }
        // The `continue` must belong to this loop, not to a nested one or a closure.
        let inner_loop = f.loop_around(k, &scope).copied();
        let in_closure = f
            .enclosing(k)
            .iter()
            .any(|b| b.open > lp.open && find_word(f.header(b), "func").is_some());
        if inner_loop == Some(*lp) && !in_closure && reachable(f, line, k) {
            return Some(Advice::new(
                Cause::Deadlock,
                format!(
                    "The loop at {} locks `{mu}` at {} and `continue`s at {} without unlocking it, so the next turn's `{mu}{}` at {} waits for a lock this goroutine already holds. Unlock before the `continue` (or move the locked part into a function that does `defer {mu}{}`).",
                    f.at(lp.open),
                    f.at(line),
                    f.at(k),
                    call.kind.call(),
                    f.at(line),
                    call.kind.unlock()
                ),
            ));
        }
    }
    None
}

/// Rule 3: another function of the package locks the same mutex and can return (or leave its loop)
/// without unlocking it. The sentence that names it.
fn culprit(cx: &Cx, f: &GoFile, line: usize, call: &LockCall) -> Option<(String, LockCall)> {
    let pkg = cx.package(f);
    let decl = f.func_at(line)?;
    let id = var_id(f, decl, &call.mu, &pkg)?;
    // A reader does not keep another reader out; a writer keeps everyone out.
    let holders: &[Kind] = match call.kind {
        Kind::Read => &[Kind::Write],
        Kind::Write => &[Kind::Write, Kind::Read],
    };
    for pf in &pkg {
        for d in &pf.funcs {
            for l in d.body.open + 1..d.body.close {
                let st = pf.stmt(l);
                let Some(c) = lock_call(st) else { continue };
                if !holders.contains(&c.kind)
                    || st.contains("func(")
                    || st.starts_with("go ")
                    || st.starts_with("defer ")
                {
                    continue;
                }
                // The same field name first (cheap), then the same mutex.
                if last_segment(&c.mu) != last_segment(&call.mu)
                    || var_id(pf, d, &c.mu, &pkg).as_ref() != Some(&id)
                {
                    continue;
                }
                if let Some(s) = leaves_locked(pf, d, l, &c) {
                    let literal = pf.func_body_at(l).is_some_and(|b| b != d.body);
                    let lead = format!(
                        "`{}` is locked at {} in {}`{}`, which {s} without unlocking it, so the `{}{}` at {} waits forever",
                        c.mu,
                        pf.at(l),
                        if literal { "a function literal in " } else { "" },
                        d.name,
                        call.mu,
                        call.kind.call(),
                        f.at(line)
                    );
                    return Some((lead, c));
                }
            }
        }
    }
    None
}

/// The field a mutex expression ends with (`mu` for `c.mu`), or `""` for a variable or an embedded mutex.
fn last_segment(mu: &str) -> &str {
    mu.rsplit_once('.').map_or("", |(_, l)| l)
}

/// How function `d` leaves the lock of line `l` held: "returns at X" or "leaves its loop at X (`break`)".
fn leaves_locked(f: &GoFile, d: &FuncDecl, l: usize, c: &LockCall) -> Option<String> {
    let unlock = c.kind.unlock();
    // The function the lock is in: a function literal's body, or the declaration's.
    let scope = f.func_body_at(l).unwrap_or(d.body);
    let body_end = scope.close;
    // A deferred unlock anywhere after the lock releases it on every return.
    if (l + 1..body_end).any(|k| {
        let s = f.stmt(k);
        s.starts_with("defer")
            && (calls(s, &c.mu, unlock) || s.contains(&format!("{}{unlock}", c.mu)))
    }) {
        return None;
    }
    let end = (l + 1..=body_end)
        .find(|&k| calls(f.stmt(k), &c.mu, unlock))
        .unwrap_or(body_end);
    let own = innermost(f, l)?;
    let in_closure = |k: usize| {
        f.enclosing(k)
            .iter()
            .any(|b| b.open > l && find_word(f.header(b), "func").is_some())
    };
    for k in l + 1..end {
        let s = f.stmt(k);
        if in_closure(k) || !reachable(f, l, k) {
            continue;
        }
        if s == "return" || s.starts_with("return ") {
            return Some(format!("returns at {}", f.at(k)));
        }
        if s == "break" {
            // A `break` of the loop that holds the lock, with no unlock after that loop.
            let lp = f.loop_around(k, &scope).copied();
            let breaks_switch = f.enclosing(k).iter().any(|b| {
                let h = f.header(b);
                lp.is_none_or(|lp| b.open > lp.open) && (h.starts_with("switch") || h == "select")
            });
            if let Some(lp) = lp.filter(|lp| lp.open <= own.open && holds(lp, l)) {
                if !breaks_switch && !(lp.close..=body_end).any(|j| calls(f.stmt(j), &c.mu, unlock))
                {
                    return Some(format!("leaves its loop at {} (`break`)", f.at(k)));
                }
            }
        }
    }
    None
}
