//! The questions the incident builder asks of Go source, on top of [`crate::source::go::GoFile`]:
//! which lock, WaitGroup, condition or channel a line operates on, which locks a frame still holds at its
//! line, what type a variable has, and what a frame's function still does after its line.
//!
//! Like the scanner it builds on, it reads `gofmt`ed code line by line, without a Go parser, and answers
//! `None` (or nothing) rather than guessing.

use crate::source::go::{chan_ops, find_word, Block, ChanOp, GoFile};

/// The operations on synchronisation values that the builder tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SyncOp {
    /// `x.Lock()`.
    Lock,
    /// `x.RLock()`.
    RLock,
    /// `x.Unlock()`.
    Unlock,
    /// `x.RUnlock()`.
    RUnlock,
    /// `x.Wait()` (a WaitGroup or a Cond).
    Wait,
    /// `x.Done()` on a WaitGroup.
    Done,
    /// `x.Signal()` / `x.Broadcast()`.
    Signal,
}

const METHODS: &[(&str, SyncOp)] = &[
    (".Lock()", SyncOp::Lock),
    (".RLock()", SyncOp::RLock),
    (".Unlock()", SyncOp::Unlock),
    (".RUnlock()", SyncOp::RUnlock),
    (".Wait()", SyncOp::Wait),
    (".Done()", SyncOp::Done),
    (".Signal()", SyncOp::Signal),
    (".Broadcast()", SyncOp::Signal),
];

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The operand expression that ends at byte `end` of `s` (a selector chain with index expressions and
/// calls), read backwards.
fn operand_before(s: &str, end: usize) -> &str {
    let b = s.as_bytes();
    let mut i = end;
    let mut depth = 0usize;
    while i > 0 {
        let c = b[i - 1];
        if depth > 0 {
            match c {
                b')' | b']' => depth += 1,
                b'(' | b'[' => depth -= 1,
                _ => {}
            }
        } else if is_ident_byte(c) || c == b'.' || c == b'*' && i >= 2 && b[i - 2] == b'(' {
        } else if c == b')' || c == b']' {
            depth += 1;
        } else {
            break;
        }
        i -= 1;
    }
    s[i..end].trim_start_matches('.')
}

/// Every `x.M()` synchronisation call on a statement: (operation, receiver expression). `ctx.Done()` and
/// other `.Done()` calls used as channels (`<-x.Done()`) are not WaitGroup calls.
pub fn sync_calls(stmt: &str) -> Vec<(SyncOp, String)> {
    let mut out = Vec::new();
    for (m, op) in METHODS {
        let mut from = 0;
        while let Some(p) = stmt[from..].find(m) {
            let at = from + p;
            from = at + m.len();
            let x = operand_before(stmt, at);
            if x.is_empty() {
                continue;
            }
            if *op == SyncOp::Done {
                let before = stmt[..at - x.len()].trim_end();
                if before.ends_with("<-") || before.ends_with("case") || x.ends_with("ctx") {
                    continue;
                }
            }
            out.push((*op, x.to_string()));
        }
    }
    out
}

/// The innermost function body (a `func` literal's or a declaration's) that holds a 0-based line.
pub fn func_block(f: &GoFile, line: usize) -> Option<Block> {
    f.enclosing(line)
        .into_iter()
        .find(|b| {
            let h = f.header(b);
            h.contains("func(") || h.starts_with("func ") || f.funcs.iter().any(|d| d.body == **b)
        })
        .copied()
}

/// True when the block ends in a statement that leaves it (`return`, `panic`, `continue`, `break`,
/// `goto`, `t.Fatal…`): what it did does not reach the code after it.
fn leaves(f: &GoFile, b: &Block) -> bool {
    let last = (b.open + 1..b.close)
        .rev()
        .map(|l| f.stmt(l))
        .find(|s| !s.is_empty());
    last.is_some_and(|s| {
        s == "return"
            || s.starts_with("return ")
            || s.starts_with("panic(")
            || s == "continue"
            || s == "break"
            || s.starts_with("goto ")
            || s.contains(".Fatal")
    })
}

/// The lines of `body` before `line` whose effects reach `line`: not inside a nested `func` literal, not
/// inside an earlier block that leaves (see [`leaves`]).
fn lines_reaching(f: &GoFile, body: &Block, line: usize) -> Vec<usize> {
    let skip: Vec<Block> = f
        .blocks
        .iter()
        .filter(|b| b.open > body.open && b.open < line && b.depth > body.depth)
        .filter(|b| {
            let h = f.header(b);
            h.contains("func(") || (b.close < line && leaves(f, b))
        })
        .copied()
        .collect();
    (body.open + 1..line)
        .filter(|&l| !skip.iter().any(|b| b.open < l && l <= b.close))
        .collect()
}

/// A lock a frame holds at its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldExpr {
    /// The lock expression as written (`s.mu`).
    pub expr: String,
    /// True for `RLock`.
    pub read: bool,
    /// The 0-based line of the acquisition.
    pub line: usize,
    /// A `defer …Unlock()` of it precedes the line (held until the function returns).
    pub deferred_unlock: bool,
}

/// The locks the function around `line` acquired before it and has not released on the way there.
pub fn held_at(f: &GoFile, line: usize) -> Vec<HeldExpr> {
    let Some(body) = func_block(f, line) else {
        return Vec::new();
    };
    let mut held: Vec<HeldExpr> = Vec::new();
    for l in lines_reaching(f, &body, line) {
        let s = f.stmt(l);
        let deferred = s.starts_with("defer ");
        // A literal written on the line (`unlock := func() { mu.Unlock() }`) runs later, if at all.
        let s = if deferred {
            s
        } else {
            s.split("func(").next().unwrap_or(s)
        };
        for (op, x) in sync_calls(s) {
            match (op, deferred) {
                (SyncOp::Lock | SyncOp::RLock, false) => held.push(HeldExpr {
                    expr: x,
                    read: op == SyncOp::RLock,
                    line: l,
                    deferred_unlock: false,
                }),
                (SyncOp::Unlock | SyncOp::RUnlock, true) => {
                    if let Some(h) = held.iter_mut().rev().find(|h| h.expr == x) {
                        h.deferred_unlock = true;
                    }
                }
                (SyncOp::Unlock | SyncOp::RUnlock, false) => {
                    let read = op == SyncOp::RUnlock;
                    if let Some(i) = held.iter().rposition(|h| h.expr == x && h.read == read) {
                        held.remove(i);
                    }
                }
                _ => {}
            }
        }
    }
    held
}

/// The locks the function around `line` releases before it without having taken them (a callee that
/// unlocks its caller's lock): (expression, read).
pub fn released_at(f: &GoFile, line: usize) -> Vec<(String, bool)> {
    let Some(body) = func_block(f, line) else {
        return Vec::new();
    };
    let mut taken: Vec<(String, bool)> = Vec::new();
    let mut out: Vec<(String, bool)> = Vec::new();
    for l in lines_reaching(f, &body, line) {
        let s = f.stmt(l);
        if s.starts_with("defer ") {
            continue;
        }
        let s = s.split("func(").next().unwrap_or(s);
        for (op, x) in sync_calls(s) {
            match op {
                SyncOp::Lock | SyncOp::RLock => {
                    let read = op == SyncOp::RLock;
                    if let Some(i) = out.iter().rposition(|(e, r)| *e == x && *r == read) {
                        out.remove(i);
                    } else {
                        taken.push((x, read));
                    }
                }
                SyncOp::Unlock | SyncOp::RUnlock => {
                    let read = op == SyncOp::RUnlock;
                    if let Some(i) = taken.iter().rposition(|(e, r)| *e == x && *r == read) {
                        taken.remove(i);
                    } else {
                        out.push((x, read));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// What a frame's function still does after `line` (and what it deferred before it): the future
/// operations that could complete another goroutine's wait.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Future {
    /// Channel operations (`range ch` counts as a receive).
    pub chan: Vec<ChanOp>,
    /// `close(ch)` arguments.
    pub closes: Vec<String>,
    /// Synchronisation calls (`Done`, `Signal`, `Unlock`, …).
    pub sync: Vec<(SyncOp, String)>,
    /// The functions it still calls: (receiver expression, name), the receiver empty for plain calls.
    pub calls: Vec<(String, String)>,
}

/// The [`Future`] of the function around `line`.
pub fn future_of(f: &GoFile, line: usize) -> Future {
    let mut fu = Future::default();
    let Some(body) = func_block(f, line) else {
        return fu;
    };
    let add = |l: usize, fu: &mut Future| {
        let s = f.stmt(l);
        fu.chan.extend(chan_ops(s));
        if let Some(x) = f.range_over(l) {
            fu.chan.push(ChanOp::Recv(x));
        }
        let mut from = 0;
        while let Some(p) = s[from..].find("close(") {
            let at = from + p;
            from = at + 6;
            if at > 0 && is_ident_byte(s.as_bytes()[at - 1]) {
                continue;
            }
            if let Some(arg) = s[at + 6..].split(')').next() {
                fu.closes.push(arg.trim().to_string());
            }
        }
        fu.sync.extend(sync_calls(s));
        for c in method_calls_in(s) {
            if !fu.calls.contains(&c) {
                fu.calls.push(c);
            }
        }
    };
    for l in line..body.close {
        add(l, &mut fu);
    }
    for l in body.open + 1..line {
        let s = f.stmt(l);
        if s.starts_with("defer ") {
            add(l, &mut fu);
        } else if s.starts_with("defer func(") {
            if let Some(b) = f.block_opened_at(l).copied() {
                for k in b.open..=b.close {
                    add(k, &mut fu);
                }
            }
        }
    }
    fu
}

/// The parameter list (without parentheses) of a function literal or declaration header.
fn params(header: &str) -> Option<&str> {
    let at = header.find("func")?;
    let mut rest = &header[at + 4..];
    if rest.trim_start().starts_with('(')
        && header[at..].starts_with("func (")
        && !header.contains("func()")
    {
        // A method: skip the receiver.
        let r = rest.trim_start();
        let close = r.find(')')?;
        rest = &r[close + 1..];
    }
    let open = rest.find('(')?;
    let inner = &rest[open + 1..];
    let mut depth = 1;
    for (i, c) in inner.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&inner[..i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// A type written in Go, reduced to its named type: `*pkg.T` → `pkg.T`, `[]*T` → `T`, `map[K]*V` → `V`.
fn base_type(t: &str) -> Option<String> {
    let mut t = t.trim();
    loop {
        if let Some(r) = t.strip_prefix('*') {
            t = r;
        } else if let Some(r) = t.strip_prefix("[]") {
            t = r;
        } else if t.starts_with("map[") || t.starts_with('[') {
            t = &t[t.find(']')? + 1..];
        } else {
            break;
        }
    }
    let end = t
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(t.len());
    let t = &t[..end];
    (!t.is_empty() && !t.starts_with("func") && !t.starts_with("chan") && t != "interface")
        .then(|| t.to_string())
}

/// The type of parameter `var` in a parameter list.
fn param_type(list: &str, var: &str) -> Option<String> {
    let mut pending = false;
    for part in list.split(',') {
        let p = part.trim();
        let mut it = p.splitn(2, char::is_whitespace);
        let name = it.next().unwrap_or("");
        let ty = it.next().map(str::trim);
        if name == var {
            match ty {
                Some(t) => return base_type(t),
                None => pending = true,
            }
        } else if pending {
            if let Some(t) = ty {
                return base_type(t);
            }
        }
    }
    None
}

/// The result type of the function or method `name` declared in `files`.
pub fn result_type(files: &[&GoFile], name: &str) -> Option<String> {
    for f in files {
        if let Some(d) = f.funcs.iter().find(|d| d.name == name) {
            let p = params(&d.signature)?;
            let at = d.signature.find(p)? + p.len() + 1;
            let res = d.signature[at..].trim().trim_start_matches('(');
            let first = res.split(',').next().unwrap_or("");
            return base_type(first.split_whitespace().last().unwrap_or(""));
        }
    }
    None
}

/// The type of field `field` of struct type `ty` declared in `files` (embedded fields by their type).
pub fn field_type(files: &[&GoFile], ty: &str, field: &str) -> Option<String> {
    let plain = ty.rsplit('.').next().unwrap_or(ty);
    for f in files {
        for b in &f.blocks {
            let h = f.header(b);
            if h != format!("type {plain} struct") {
                continue;
            }
            for l in b.open + 1..b.close {
                let s = f.stmt(l);
                let mut it = s.splitn(2, char::is_whitespace);
                let names = it.next().unwrap_or("");
                match it.next() {
                    Some(t) if names.split(',').any(|n| n.trim() == field) => return base_type(t),
                    None if names.trim_start_matches('*').rsplit('.').next() == Some(field) => {
                        return base_type(names)
                    }
                    _ => {}
                }
            }
        }
    }
    None
}

/// Where a name is bound, seen from a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// A parameter, receiver or local of the top-level function `func` (closures share it); its type
    /// when known.
    Local { func: String, ty: Option<String> },
    /// A package-level variable.
    Package { ty: Option<String> },
}

/// What `var` is at `line`: the receiver, a parameter (of the function or an enclosing literal), a local
/// declared before the line, or a package variable.
pub fn binding(files: &[&GoFile], f: &GoFile, var: &str, line: usize) -> Option<Binding> {
    let top = f.func_at(line);
    if let Some(d) = top {
        let func = match &d.recv {
            Some(r) => format!("{r}.{}", d.name),
            None => d.name.clone(),
        };
        if d.recv_var.as_deref() == Some(var) {
            return Some(Binding::Local {
                func,
                ty: d.recv.clone(),
            });
        }
        // Parameters of the declaration and of every enclosing literal.
        let mut headers: Vec<String> = vec![d.signature.clone()];
        for b in f.enclosing(line) {
            let h = f.header(b);
            if h.contains("func(") {
                headers.push(h.to_string());
            }
        }
        for h in &headers {
            if let Some(list) = params(h) {
                if list
                    .split(',')
                    .any(|p| p.split_whitespace().next() == Some(var))
                {
                    return Some(Binding::Local {
                        func,
                        ty: param_type(list, var),
                    });
                }
            }
        }
        for l in (d.body.open + 1..line.min(d.body.close)).rev() {
            let s = f.stmt(l);
            if let Some(ty) = declares(files, s, var) {
                let ty = ty.or_else(|| index_type(files, f, s, var, l));
                return Some(Binding::Local { func, ty });
            }
        }
    }
    for g in files {
        for l in 0..g.code.len() {
            if g.code[l].starts_with("var ")
                || g.enclosing(l).is_empty() && g.code[l].starts_with('\t')
            {
                let s = g.stmt(l);
                let s = s.strip_prefix("var ").unwrap_or(s);
                let (names, t) = split_var(s);
                if names.contains(&var) {
                    return Some(Binding::Package {
                        ty: t.and_then(base_type),
                    });
                }
            }
        }
    }
    None
}

/// For `var, ok := x.f[k]` (or `var := x.f[k]`): the element type of the field `x.f`.
fn index_type(files: &[&GoFile], f: &GoFile, s: &str, var: &str, line: usize) -> Option<String> {
    let (lhs, rhs) = s.split_once(":=")?;
    if lhs.split(',').next()?.trim() != var {
        return None;
    }
    let rhs = rhs.trim();
    let open = rhs.find('[')?;
    if !rhs.ends_with(']') {
        return None;
    }
    let parts: Vec<&str> = rhs[..open].split('.').collect();
    if parts.len() < 2 || parts[0] == var {
        return None;
    }
    let mut ty = match binding(files, f, parts[0], line)? {
        Binding::Local { ty, .. } | Binding::Package { ty } => ty?,
    };
    for p in &parts[1..] {
        ty = field_type(files, &ty, p)?;
    }
    Some(ty)
}

/// `a, b sync.Mutex` → (`[a, b]`, `Some("sync.Mutex")`); `x = f()` → (`[x]`, `None`).
fn split_var(s: &str) -> (Vec<&str>, Option<&str>) {
    let decl = s.split('=').next().unwrap_or(s);
    let mut names = Vec::new();
    let mut rest = decl.trim();
    loop {
        let end = rest
            .find(|c: char| c == ',' || c.is_whitespace())
            .unwrap_or(rest.len());
        names.push(&rest[..end]);
        let after = rest[end..].trim_start();
        if let Some(more) = after.strip_prefix(',') {
            rest = more.trim_start();
            continue;
        }
        let t = after.trim();
        return (names, (!t.is_empty()).then_some(t));
    }
}

/// When statement `s` declares `var`, its type when it can be read (`Some(None)` when not).
fn declares(files: &[&GoFile], s: &str, var: &str) -> Option<Option<String>> {
    if let Some(rest) = s.strip_prefix("var ") {
        let (names, t) = split_var(rest);
        if names.contains(&var) {
            return Some(t.and_then(base_type));
        }
        return None;
    }
    let (lhs, rhs) = s.split_once(":=")?;
    if !lhs.split(',').any(|n| n.trim() == var) {
        return None;
    }
    let rhs = rhs.trim();
    if rhs.starts_with("range ") {
        return Some(None);
    }
    if lhs.contains(',') {
        // `v, ok := x.f[k]`: the element type of the field, when `x.f` is a selector on a typed name.
        return Some(None);
    }
    let rhs = rhs.strip_prefix('&').unwrap_or(rhs);
    if let Some(r) = rhs.strip_prefix("new(") {
        return Some(base_type(r));
    }
    let head_end = rhs.find(['{', '(']).unwrap_or(rhs.len());
    let head = &rhs[..head_end];
    if rhs[head_end..].starts_with('{') {
        return Some(base_type(head));
    }
    if rhs[head_end..].starts_with('(') {
        let name = head.rsplit('.').next().unwrap_or(head);
        return Some(result_type(files, name));
    }
    Some(None)
}

/// A stable key for a lock, channel, WaitGroup or condition expression at a line, and whether the key
/// rests on a resolved type (`type:T.field`), a binding (`local:F:x`, `var:x`), or only the expression
/// text inside its function (`expr:F:x.y`).
pub fn key_of(files: &[&GoFile], f: &GoFile, expr: &str, line: usize) -> String {
    if let Some(k) = returned_field_key(files, expr) {
        return k;
    }
    let clean: String = strip_indexes(expr);
    let parts: Vec<&str> = clean.split('.').collect();
    let top = f
        .func_at(line)
        .map(|d| match &d.recv {
            Some(r) => format!("{r}.{}", d.name),
            None => d.name.clone(),
        })
        .unwrap_or_default();
    let Some(first) = parts.first() else {
        return format!("expr:{top}:{expr}");
    };
    let b = binding(files, f, first, line);
    if parts.len() == 1 {
        return match b {
            Some(Binding::Local { ty: Some(t), .. }) if !t.starts_with("sync.") => {
                format!("type:{t}")
            }
            Some(Binding::Local { func, .. }) => format!("local:{func}:{first}"),
            Some(Binding::Package { .. }) => format!("var:{first}"),
            None => format!("expr:{top}:{expr}"),
        };
    }
    let mut ty = match b {
        Some(Binding::Local { ty: Some(t), .. }) | Some(Binding::Package { ty: Some(t) }) => t,
        _ => return format!("expr:{top}:{clean}"),
    };
    for p in &parts[1..parts.len() - 1] {
        match field_type(files, &ty, p) {
            Some(t) => ty = t,
            None => return format!("expr:{top}:{clean}"),
        }
    }
    format!("type:{ty}.{}", parts[parts.len() - 1])
}

/// `a.b[i].c` → `a.b.c`; calls keep their name (`a.f().c` → `a.f.c`).
fn strip_indexes(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut depth = 0usize;
    for c in expr.chars() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.trim_start_matches('*').to_string()
}

/// For a channel obtained from a method (`s.ShouldStop()`): the key of the field the method returns
/// (`return s.stopper` → `type:Stopper.stopper`), when a method of that name ends that way.
pub fn returned_field_key(files: &[&GoFile], expr: &str) -> Option<String> {
    let call = expr.strip_suffix("()")?;
    let name = call.rsplit('.').next()?;
    for f in files {
        for d in f
            .funcs
            .iter()
            .filter(|d| d.name == name && d.recv.is_some())
        {
            let rv = d.recv_var.as_deref()?;
            let last = (d.body.open + 1..d.body.close)
                .rev()
                .map(|l| f.stmt(l))
                .find(|s| !s.is_empty())?;
            let ret = last.strip_prefix("return ")?.trim();
            let field = ret.strip_prefix(rv)?.strip_prefix('.')?;
            if field.chars().all(|c| c.is_alphanumeric() || c == '_') {
                return Some(format!("type:{}.{field}", d.recv.as_deref()?));
            }
        }
    }
    None
}

/// True when a word is a parameter or local of the top-level function around `line` (`ctx` in scope).
pub fn in_scope(f: &GoFile, word: &str, line: usize) -> bool {
    let Some(d) = f.func_at(line) else {
        return false;
    };
    find_word(&d.signature, word).is_some() || !f.mentions(word, d.body.open, line).is_empty()
}

/// A `return` reached with a lock still held: for a `X.Lock()` (or `RLock`) on 0-based `lock_line`
/// without a `defer X.Unlock()` after it, the first `return` of the same function body that comes before
/// any `X.Unlock()` on the way (a `return` inside a branch counts). `None` when every path unlocks.
pub fn returns_locked(f: &GoFile, lock_line: usize, expr: &str) -> Option<usize> {
    let body = func_block(f, lock_line)?;
    let lock_depth = f.enclosing(lock_line).first().map_or(0, |b| b.depth);
    for l in lock_line + 1..body.close {
        if f.enclosing(l)
            .iter()
            .any(|b| b.depth > body.depth && f.header(b).contains("func("))
        {
            continue;
        }
        let s = f.stmt(l);
        let calls = sync_calls(s);
        if calls
            .iter()
            .any(|(op, x)| matches!(op, SyncOp::Unlock | SyncOp::RUnlock) && x == expr)
        {
            let depth = f.enclosing(l).first().map_or(0, |b| b.depth);
            if s.starts_with("defer ") || depth <= lock_depth {
                return None;
            }
            continue;
        }
        if s == "return" || s.starts_with("return ") {
            // `return r` with the lock inside `r` hands it to the caller on purpose.
            let base = expr.split(['.', '[']).next().unwrap_or(expr);
            if s.strip_prefix("return ").is_some_and(|r| {
                r.split(',')
                    .any(|v| v.trim().trim_start_matches('&') == base)
            }) {
                continue;
            }
            return Some(l);
        }
        if s == "break" {
            // Leaving the loop around the lock: locked unless the code after the loop unlocks.
            let Some(lp) = f
                .enclosing(lock_line)
                .into_iter()
                .find(|b| GoFile::is_loop_header(f.header(b)))
                .copied()
            else {
                continue;
            };
            if lp.open < l && l <= lp.close {
                let unlocked = (lp.close + 1..body.close).any(|k| {
                    sync_calls(f.stmt(k))
                        .iter()
                        .any(|(op, x)| matches!(op, SyncOp::Unlock | SyncOp::RUnlock) && x == expr)
                });
                if !unlocked {
                    return Some(l);
                }
            }
        }
    }
    None
}

/// For a `X.Lock()` on 0-based `line` inside a loop: a `continue` of that loop reached after it with no
/// `X.Unlock()` on the way, so the next iteration locks `X` again while holding it.
pub fn relocks_in_loop(f: &GoFile, line: usize, expr: &str) -> Option<usize> {
    let lp = f
        .enclosing(line)
        .into_iter()
        .find(|b| GoFile::is_loop_header(f.header(b)))
        .copied()?;
    for c in line + 1..lp.close {
        if f.stmt(c) != "continue" {
            continue;
        }
        let inner_loop = f
            .enclosing(c)
            .into_iter()
            .find(|b| GoFile::is_loop_header(f.header(b)))
            .copied();
        if inner_loop != Some(lp) {
            continue;
        }
        let around_c: Vec<Block> = f.enclosing(c).into_iter().copied().collect();
        let unlocked = (line + 1..c).any(|k| {
            let hit = sync_calls(f.stmt(k))
                .iter()
                .any(|(op, x)| matches!(op, SyncOp::Unlock | SyncOp::RUnlock) && x == expr);
            let inner = f.enclosing(k).first().copied().copied();
            hit && inner.is_some_and(|b| around_c.contains(&b))
        });
        if !unlocked {
            return Some(c);
        }
    }
    None
}

/// The names of the functions a statement calls (`f(`, `x.m(`), without builtins and conversions.
pub fn calls_in(stmt: &str) -> Vec<String> {
    let b = stmt.as_bytes();
    let mut out = Vec::new();
    for (i, &c) in b.iter().enumerate() {
        if c != b'(' || i == 0 || !is_ident_byte(b[i - 1]) {
            continue;
        }
        let start = b[..i]
            .iter()
            .rposition(|&c| !is_ident_byte(c))
            .map_or(0, |p| p + 1);
        let name = &stmt[start..i];
        if !name.is_empty()
            && !matches!(
                name,
                "func"
                    | "make"
                    | "len"
                    | "cap"
                    | "append"
                    | "new"
                    | "panic"
                    | "close"
                    | "delete"
                    | "copy"
            )
            && !out.iter().any(|n| n == name)
        {
            out.push(name.to_string());
        }
    }
    out
}

/// The calls of a statement with their receivers: `s.SetStopped()` → (`s`, `SetStopped`), `f(x)` →
/// (``, `f`).
pub fn method_calls_in(stmt: &str) -> Vec<(String, String)> {
    let b = stmt.as_bytes();
    let mut out = Vec::new();
    for (i, &c) in b.iter().enumerate() {
        if c != b'(' || i == 0 || !is_ident_byte(b[i - 1]) {
            continue;
        }
        let start = b[..i]
            .iter()
            .rposition(|&c| !is_ident_byte(c))
            .map_or(0, |p| p + 1);
        let name = &stmt[start..i];
        let recv = if start > 0 && b[start - 1] == b'.' {
            operand_before(stmt, start - 1).to_string()
        } else {
            String::new()
        };
        if !name.is_empty()
            && !matches!(
                name,
                "func" | "make" | "len" | "cap" | "append" | "new" | "panic" | "close"
            )
        {
            let c = (recv, name.to_string());
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

/// True when calling any of `names` can reach a function named `target` in `files`, following calls at
/// most `depth` levels deep.
pub fn reaches(files: &[&GoFile], names: &[String], target: &str, depth: usize) -> bool {
    let mut seen: Vec<String> = Vec::new();
    let mut frontier: Vec<String> = names.to_vec();
    for _ in 0..=depth {
        if frontier.iter().any(|n| n == target) {
            return true;
        }
        let mut next = Vec::new();
        for n in frontier {
            if seen.contains(&n) {
                continue;
            }
            seen.push(n.clone());
            for f in files {
                for d in f.funcs.iter().filter(|d| d.name == n) {
                    for l in d.body.open..=d.body.close {
                        next.extend(calls_in(f.stmt(l)));
                    }
                }
            }
        }
        frontier = next;
    }
    false
}

/// The calls made on the lines of the function around `line` that run before it and on the way to it
/// (see [`held_at`]; `go` statements excluded), and with `started`, those of the `go func` literals
/// written there (goroutines it started).
pub fn calls_before(f: &GoFile, line: usize, started: bool) -> Vec<String> {
    let Some(body) = func_block(f, line) else {
        return Vec::new();
    };
    let mut lines: Vec<usize> = lines_reaching(f, &body, line)
        .into_iter()
        .filter(|&l| !f.stmt(l).starts_with("go "))
        .collect();
    if started {
        for b in f
            .blocks
            .iter()
            .filter(|b| b.open > body.open && b.open < line)
        {
            if f.header(b).starts_with("go func(") && func_block(f, b.open) == Some(body) {
                lines.extend(b.open + 1..b.close);
            }
        }
    }
    let mut out = Vec::new();
    for l in lines {
        for c in calls_in(f.stmt(l)) {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

/// Every `X.Lock()`/`X.RLock()` in `files` whose key is `key`: (file index, 0-based line, expression).
pub fn locks_of(files: &[&GoFile], key: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        for l in 0..f.code.len() {
            let s = f.stmt(l);
            if !s.contains("Lock()") || s.starts_with("defer ") {
                continue;
            }
            for (op, x) in sync_calls(s) {
                if matches!(op, SyncOp::Lock | SyncOp::RLock) && key_of(files, f, &x, l) == key {
                    out.push((fi, l, x));
                }
            }
        }
    }
    out
}

/// True for a channel expression that reads like a context's: `x.Done()`, or a name with `ctx` in it.
pub fn is_ctx_chan(x: &str) -> bool {
    x.ends_with(".Done()") || x.to_ascii_lowercase().contains("ctx")
}

/// True when `line` lies in a `select` block (in one of its cases) that has a case on a context's
/// channel ([`is_ctx_chan`]).
pub fn in_ctx_select(f: &GoFile, line: usize) -> bool {
    f.enclosing(line).into_iter().any(|b| {
        let h = f.header(b);
        (h == "select" || h.ends_with(" select"))
            && (b.open + 1..b.close).any(|l| {
                let s = f.stmt(l);
                s.strip_prefix("case <-")
                    .and_then(|r| r.strip_suffix(':'))
                    .is_some_and(is_ctx_chan)
            })
    })
}

/// True when the function around the `go` statement on 0-based `line` selects on a `.Done()` channel
/// after it (the goroutine's partner can leave on a context).
pub fn selects_on_done_after(f: &GoFile, line: usize) -> bool {
    let Some(body) = func_block(f, line) else {
        return false;
    };
    let end = f.block_opened_at(line).map_or(line, |b| b.close);
    (end + 1..body.close).any(|l| {
        let s = f.stmt(l);
        s.strip_prefix("case <-")
            .and_then(|r| r.strip_suffix(':'))
            .is_some_and(is_ctx_chan)
    })
}

/// How the partner of a blocked channel operation went away, as the source shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Left {
    /// The function that would receive returns first (the `return` line).
    Return,
    /// The receive is a `select` case next to a case on a context's channel that ended the wait.
    ContextDone,
    /// The receive is a `select` case next to a timer's case (`time.After`, a `Timer`'s `C`).
    Timer,
    /// The channel is returned to the caller, which stops draining it (the caller's `return`/`break`).
    CallerStopped,
    /// The function returns the channel to a caller and no caller in the package reads it to the end.
    ReturnedToCaller,
}

/// For a send on `name` blocked in the goroutine started at 0-based `go_line`, whose channel is made
/// in the same top-level function: how the receiving side went away, and the line that shows it (in
/// `f`, or with a file index into `pkg` for a caller).
pub fn receiver_left(
    pkg: &[&GoFile],
    f: &GoFile,
    name: &str,
    go_line: usize,
) -> Option<(Left, Option<usize>, usize)> {
    let d = f.func_at(go_line)?;
    let go_block = f.block_opened_at(go_line).copied();
    let inside_go = |l: usize| go_block.is_some_and(|b| b.open <= l && l <= b.close);
    let recvs: Vec<usize> = f
        .receives_of(name, go_line, d.body.close)
        .into_iter()
        .filter(|&l| !inside_go(l))
        .collect();
    let after_go = go_block.map_or(go_line, |b| b.close);
    if let Some(&r) = recvs.first() {
        let s = f.stmt(r);
        if s.starts_with("case ") {
            if let Some(sel) = f.enclosing(r).first() {
                for l in sel.open + 1..sel.close {
                    let c = f.stmt(l);
                    let Some(x) = c.strip_prefix("case <-").and_then(|x| x.strip_suffix(':'))
                    else {
                        continue;
                    };
                    if is_ctx_chan(x) {
                        return Some((Left::ContextDone, None, l));
                    }
                    if x.starts_with("time.After(") || x.ends_with(".C") || x.contains("Timer") {
                        return Some((Left::Timer, None, l));
                    }
                }
            }
        }
        // A `return` between the `go` statement and the receive.
        for l in after_go + 1..r {
            let t = f.stmt(l);
            if (t == "return" || t.starts_with("return ")) && func_block(f, l) == Some(d.body) {
                return Some((Left::Return, None, l));
            }
        }
        return None;
    }
    // No receive here: handed to the caller?
    let returns_it = (after_go + 1..d.body.close).find(|&l| {
        let t = f.stmt(l);
        t.strip_prefix("return ")
            .is_some_and(|r| r.split(',').any(|v| v.trim() == name))
    })?;
    let fname = d.name.clone();
    for (fi, g) in pkg.iter().enumerate() {
        for b in &g.blocks {
            let h = g.header(b);
            if !GoFile::is_loop_header(h)
                || !h.contains(&format!("range {fname}(")) && !h.contains(&format!(".{fname}("))
            {
                continue;
            }
            for l in b.open + 1..b.close {
                let t = g.stmt(l);
                if t == "return" || t.starts_with("return ") || t == "break" {
                    return Some((Left::CallerStopped, Some(fi), l));
                }
            }
        }
    }
    Some((Left::ReturnedToCaller, None, returns_it))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "package p

import \"sync\"

type Leaf struct {
	mu sync.Mutex
}

type Set struct {
	data []*Leaf
}

func (l *Set) find(id int) *Leaf { return l.data[id] }

type Table struct {
	mu  sync.Mutex
	set *Set
}

func (t *Table) release(id int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.set.find(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if id > 3 {
		t.mu.Unlock()
		return
	}
	work()
}

func get(lease *Leaf) {
	lease.mu.Lock()
	lease.mu.Unlock()
	lease.mu.Lock()
}
";

    #[test]
    fn held_locks_follow_defers_and_leaving_branches() {
        let f = GoFile::parse("p.go", SRC);
        let held = held_at(&f, 29);
        let names: Vec<(&str, usize, bool)> = held
            .iter()
            .map(|h| (h.expr.as_str(), h.line + 1, h.deferred_unlock))
            .collect();
        assert_eq!(names, vec![("t.mu", 21, true), ("s.mu", 24, true)]);
        assert_eq!(held_at(&f, 35).len(), 0);
        assert_eq!(
            sync_calls("defer s.mu.Unlock()"),
            vec![(SyncOp::Unlock, "s.mu".to_string())]
        );
        assert!(sync_calls("case <-ctx.Done():").is_empty());
    }

    #[test]
    fn keys_resolve_types_through_results_params_and_fields() {
        let f = GoFile::parse("p.go", SRC);
        let files = [&f];
        assert_eq!(key_of(&files, &f, "s.mu", 23), "type:Leaf.mu");
        assert_eq!(key_of(&files, &f, "lease.mu", 33), "type:Leaf.mu");
        assert_eq!(key_of(&files, &f, "t.mu", 20), "type:Table.mu");
        assert_eq!(key_of(&files, &f, "t.set.data", 20), "type:Set.data");
        assert_eq!(key_of(&files, &f, "x.mu", 20), "expr:Table.release:x.mu");
    }

    const PATHS: &str = "package p

func (a *Account) Withdraw(n int) error {
	a.mu.Lock()
	if a.balance < n {
		return errLow
	}
	a.mu.Unlock()
	return nil
}

func (p *Proxy) Run() {
	for i := 0; i < 2; i++ {
		p.mu.Lock()
		if err != nil {
			continue
		}
		if i == 0 {
			break
		}
	}
	p.mu.Unlock()
}

func fetchTwo(a, b string) (string, error) {
	var x, y sync.Mutex
	cb := make(chan string)
	go func() { cb <- get(b) }()
	if a == \"\" {
		return \"\", errEmpty
	}
	return <-cb, nil
}
";

    #[test]
    fn paths_that_keep_a_lock_and_receivers_that_leave() {
        let f = GoFile::parse("p.go", PATHS);
        assert_eq!(returns_locked(&f, 3, "a.mu"), Some(5));
        assert_eq!(relocks_in_loop(&f, 13, "p.mu"), Some(15));
        // The `break` leaves the loop, and the code after it unlocks.
        assert_eq!(returns_locked(&f, 13, "p.mu"), None);
        assert_eq!(
            receiver_left(&[&f], &f, "cb", 27),
            Some((Left::Return, None, 29))
        );
        assert_eq!(
            split_var("x, y sync.Mutex"),
            (vec!["x", "y"], Some("sync.Mutex"))
        );
        assert_eq!(key_of(&[&f], &f, "y", 30), "local:fetchTwo:y");
    }
}
