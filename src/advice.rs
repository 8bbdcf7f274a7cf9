//! Why a goroutine leaked and how to fix it.
//!
//! [`advise`] classifies a leak group's representative goroutine into one of the contract's causes
//! ([`Cause`]) and says what to change. It works in two layers:
//!
//! 1. **The stack alone**: the wait state (`chan send`, `select`, `sync.Mutex.Lock`, …), the frames and the
//!    creator. Goroutines of well-known library owners (`net/http` transport and server connections,
//!    `httptest.Server`, `database/sql`) and methods of a type started by its constructor are
//!    `orphaned-worker`s; the rest follow the wait state.
//! 2. **The source**, when the files are readable under `--root` ([`crate::source`]; nothing
//!    outside the root is ever read): the statement at the blocking line and the code around the `go`
//!    statement (the creator's line). That tells an unbuffered channel whose receiver gave up on a timeout
//!    (`forgotten-sender`, with a sure fix: `make(chan T, 1)`) from several senders of which only the first
//!    is read (`early-return`), a `for range ch` (`unclosed-range`) from a `for range t.C` on a ticker
//!    (`leaked-ticker`), a `select` without a way out (`missing-cancel`) from the loop of a type whose
//!    `Close` was never called (`orphaned-worker`), and names the variables and lines involved.
//!
//! Goroutines made only of third-party code also get the exact `goleak.IgnoreTopFunction`/
//! `IgnoreAnyFunction` option that ignores them deliberately.

pub mod cause;
pub mod edit;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::dump::{self, Frame, Goroutine};
use crate::leak::is_machinery;
use crate::paths::Resolver;
use crate::source;
use crate::source::go::{parse_make_chan, Block, ChanOp, FuncDecl, GoFile};
pub use cause::Cause;
pub use edit::{Edit, Fix};

/// The advice for one leak group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advice {
    /// Why it leaked.
    pub cause: Cause,
    /// What to change, in words, with the code pattern.
    pub text: String,
    /// A mechanical fix the engine is sure of (for `--fix-diff`), with the file text it applies to.
    pub fix: Option<Fix>,
    /// For goroutines made only of third-party code: the goleak option that ignores them
    /// (`goleak.IgnoreTopFunction("…")`).
    pub ignore: Option<String>,
}

impl Advice {
    fn new(cause: Cause, text: impl Into<String>) -> Advice {
        Advice {
            cause,
            text: text.into(),
            fix: None,
            ignore: None,
        }
    }
}

/// Where the advice engine gets source text. [`RootReader`] reads under `--root`; tests use their own.
pub trait SourceReader {
    /// The root-relative path and text of the user-code file a frame points at.
    fn frame_file(&self, frame: &Frame) -> Option<(String, String)>;
    /// The non-test `.go` files in the folder of the root-relative file `rel`: (root-relative path, text).
    fn package_files(&self, rel: &str) -> Vec<(String, String)>;
}

/// Reads source files under the resolver's root through [`crate::source`], and nothing outside it.
#[derive(Debug, Clone, Copy)]
pub struct RootReader<'a> {
    /// The resolver that knows the root.
    pub resolver: &'a Resolver,
}

impl SourceReader for RootReader<'_> {
    fn frame_file(&self, frame: &Frame) -> Option<(String, String)> {
        let (rel, bytes) = source::frame_bytes(self.resolver, frame)?;
        Some((rel, String::from_utf8(bytes).ok()?))
    }

    fn package_files(&self, rel: &str) -> Vec<(String, String)> {
        match self.resolver.root.as_deref() {
            Some(root) => source::package_go_files(root, rel),
            None => Vec::new(),
        }
    }
}

/// Classifies a leaked goroutine and says how to fix it, reading source under the resolver's root.
pub fn advise(g: &Goroutine, resolver: &Resolver) -> Advice {
    advise_with(g, resolver, &RootReader { resolver })
}

/// [`advise`] with an explicit source reader.
pub fn advise_with(g: &Goroutine, resolver: &Resolver, reader: &dyn SourceReader) -> Advice {
    let cx = Cx::new(g, resolver, reader);
    let mut a = classify(&cx);
    if let Some(lead) = hung_test(&cx) {
        // A test goroutine blocked for good is not a leaked helper but a hung test.
        a.cause = Cause::Deadlock;
        a.fix = None;
        a.text = format!("{lead} {}", a.text);
    }
    if cx.user.is_empty() && !g.frames.is_empty() {
        if let Some((opt, text)) = ignore_option(g) {
            a.text.push(' ');
            a.text.push_str(&text);
            a.ignore = Some(opt);
        }
    }
    a
}

/// A function name split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FnName {
    /// The import path.
    pkg: String,
    /// The receiver type without `*` and type arguments, for methods.
    recv: Option<String>,
    /// The top-level function or method.
    func: String,
    /// A closure (`F.func1`, `F.gowrap1`, `F.func1.2`) of `func`.
    closure: bool,
}

fn is_closure_part(p: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(p)
        || p.strip_prefix("func").is_some_and(digits)
        || p.strip_prefix("gowrap").is_some_and(digits)
        || p.strip_prefix("deferwrap").is_some_and(digits)
}

/// The text without bracketed type arguments (`Cache[...].Get` → `Cache.Get`).
fn strip_type_args(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn split_fn(function: &str) -> FnName {
    let pkg = dump::package_of(function).to_string();
    let local = strip_type_args(function.get(pkg.len() + 1..).unwrap_or(""));
    let (recv, func, closure) = if let Some(r) = local.strip_prefix('(') {
        let close = r.find(')').unwrap_or(r.len());
        let ty = r[..close].trim_start_matches('*');
        let rest = r.get(close + 2..).unwrap_or("");
        let mut parts = rest.split('.');
        let func = parts.next().unwrap_or("");
        (
            Some(ty.to_string()),
            func.to_string(),
            parts.next().is_some(),
        )
    } else {
        let mut parts = local.split('.');
        let first = parts.next().unwrap_or("").to_string();
        match parts.next() {
            Some(second) if !is_closure_part(second) => {
                (Some(first), second.to_string(), parts.next().is_some())
            }
            Some(_) => (None, first, true),
            None => (None, first, false),
        }
    };
    FnName {
        pkg,
        recv,
        func,
        closure,
    }
}

/// The last element of an import path (`worker` for `example.com/leaky/worker`).
fn pkg_name(pkg: &str) -> &str {
    let last = pkg.rsplit('/').next().unwrap_or(pkg);
    last.strip_suffix("_test").unwrap_or(last)
}

/// A place in a source file: the file and a 0-based line.
#[derive(Clone)]
struct Site {
    file: Rc<GoFile>,
    line: usize,
}

impl Site {
    fn at(&self) -> String {
        self.file.at(self.line)
    }
}

/// Everything one classification looks at.
struct Cx<'a> {
    g: &'a Goroutine,
    resolver: &'a Resolver,
    reader: &'a dyn SourceReader,
    /// The frames in the user's code, innermost first.
    user: Vec<&'a Frame>,
    /// Parsed files by root-relative path (`None`: unreadable).
    cache: RefCell<HashMap<String, Option<Rc<GoFile>>>>,
    /// Parsed packages by folder.
    packages: RefCell<HashMap<String, Vec<Rc<GoFile>>>>,
}

impl<'a> Cx<'a> {
    fn new(g: &'a Goroutine, resolver: &'a Resolver, reader: &'a dyn SourceReader) -> Cx<'a> {
        Cx {
            g,
            resolver,
            reader,
            user: g
                .frames
                .iter()
                .filter(|f| resolver.is_user_code(f))
                .collect(),
            cache: RefCell::new(HashMap::new()),
            packages: RefCell::new(HashMap::new()),
        }
    }

    fn state(&self) -> &str {
        &self.g.state
    }

    /// The source at a frame's line.
    fn site(&self, f: &Frame) -> Option<Site> {
        if f.line == 0 || !self.resolver.is_user_code(f) {
            return None;
        }
        let rel = self.resolver.display_path(f);
        if let Some(hit) = self.cache.borrow().get(&rel) {
            return hit.clone().map(|file| Site {
                file,
                line: f.line as usize - 1,
            });
        }
        let parsed = self
            .reader
            .frame_file(f)
            .map(|(rel, text)| Rc::new(GoFile::parse(&rel, &text)));
        self.cache.borrow_mut().insert(rel, parsed.clone());
        let file = parsed?;
        (f.line as usize <= file.lines.len()).then(|| Site {
            file,
            line: f.line as usize - 1,
        })
    }

    /// The blocking statement: the innermost user frame's line.
    fn block(&self) -> Option<Site> {
        self.site(self.user.first()?)
    }

    /// The `go` statement: the creator's line, when it is user code and the line there is a `go`
    /// statement (otherwise the source does not match the stack).
    fn creator(&self) -> Option<Site> {
        self.site(self.g.created_by.as_ref()?)
            .filter(|s| s.file.stmt(s.line).starts_with("go "))
    }

    /// The goroutine's entry function in user code: the outermost user frame.
    fn entry(&self) -> Option<&'a Frame> {
        self.user.last().copied()
    }

    /// The non-test files of the package that holds `file`.
    fn package(&self, file: &GoFile) -> Vec<Rc<GoFile>> {
        let dir = file
            .path
            .rsplit_once('/')
            .map_or("", |(d, _)| d)
            .to_string();
        if let Some(p) = self.packages.borrow().get(&dir) {
            return p.clone();
        }
        let files: Vec<Rc<GoFile>> = self
            .reader
            .package_files(&file.path)
            .into_iter()
            .map(|(rel, text)| Rc::new(GoFile::parse(&rel, &text)))
            .collect();
        self.packages.borrow_mut().insert(dir, files.clone());
        files
    }

    /// True when some of the goroutine's source could be read.
    fn has_source(&self) -> bool {
        self.block().is_some() || self.creator().is_some()
    }
}

/// The classification itself, most specific rule first.
fn classify(cx: &Cx) -> Advice {
    let state = cx.state();
    let has = |f: &str| cx.g.frames.iter().any(|fr| fr.function == f);
    if cx.user.is_empty() {
        if let Some(a) = library_owner(cx) {
            return a;
        }
    }
    if state.ends_with("(nil chan)") {
        return nil_chan(cx);
    }
    if state == "runnable" {
        if let Some(a) = not_started(cx) {
            return a;
        }
    }
    if state == "running" || state == "runnable" {
        return infinite_loop(cx);
    }
    if state.starts_with("sync.Mutex.Lock")
        || state.starts_with("sync.RWMutex")
        || has("sync.(*Mutex).Lock")
        || has("sync.(*RWMutex).Lock")
        || has("sync.(*RWMutex).RLock")
    {
        return lock(cx);
    }
    if state.starts_with("sync.WaitGroup.Wait") || has("sync.(*WaitGroup).Wait") {
        return waitgroup(cx);
    }
    if state.starts_with("sync.Cond.Wait") || has("sync.(*Cond).Wait") {
        return Advice::new(
            Cause::Unknown,
            "The goroutine waits on a `sync.Cond` that is never signalled. Make sure whoever changes the condition calls `cond.Broadcast()` (or `Signal()`), also on shutdown; a channel closed when the condition holds is often simpler.",
        );
    }
    let waits_for_work = state == "chan receive"
        || state.starts_with("select")
        || state == "sleep"
        || state == "IO wait";
    if waits_for_work {
        if let Some(a) = owner(cx) {
            return a;
        }
    }
    if state.is_empty() {
        // A record without a wait state (a goroutineleak profile's `debug=1` form): the code says what it
        // waits on.
        if let Some(a) = by_statement(cx) {
            return a;
        }
    }
    match state {
        "chan send" => sender(cx),
        "chan receive" => receiver(cx),
        "select (no cases)" => Advice::new(
            Cause::MissingCancel,
            match cx.block() {
                Some(b) => format!("The empty `select {{}}` at {} blocks forever by design. Block on something that ends instead: `<-ctx.Done()`, or a done channel that the owner closes.", b.at()),
                None => "An empty `select {}` blocks forever by design. Block on something that ends instead: `<-ctx.Done()`, or a done channel that the owner closes.".to_string(),
            },
        ),
        s if s.starts_with("select") => select(cx),
        "sleep" => sleeping(cx),
        "IO wait" => blocked_io(cx),
        s if s.starts_with("syscall") => blocked_io(cx),
        _ => Advice::new(
            Cause::Unknown,
            "The goroutine outlived its test and its wait state says nothing more. Make whoever starts it also stop it: pass a `context.Context` that is cancelled on the way out, or give its owner a `Close` method that ends it and waits for it.",
        ),
    }
}

/// Classifies by the blocking statement alone, for records that carry no wait state.
fn by_statement(cx: &Cx) -> Option<Advice> {
    let b = cx.block()?;
    let f = &b.file;
    let s = f.stmt(b.line);
    if f.range_over(b.line).is_some() {
        return Some(receiver(cx));
    }
    if f.select_cases(b.line).is_some() {
        return Some(select(cx));
    }
    match f.ops(b.line).first() {
        Some(ChanOp::Send(_)) => return Some(sender(cx)),
        Some(ChanOp::Recv(_)) => return Some(receiver(cx)),
        None => {}
    }
    if s.contains(".Lock()") || s.contains(".RLock()") {
        return Some(lock(cx));
    }
    if s.contains("Sleep(") {
        return Some(sleeping(cx));
    }
    None
}

// ----- library goroutines -----

/// Goroutines of well-known library owners, recognised by the stack alone.
fn library_owner(cx: &Cx) -> Option<Advice> {
    let has_fn = |p: &str| {
        cx.g.frames.iter().any(|f| f.function.starts_with(p))
            || cx
                .g
                .created_by
                .as_ref()
                .is_some_and(|f| f.function.starts_with(p))
    };
    if has_fn("net/http.(*persistConn).readLoop") || has_fn("net/http.(*persistConn).writeLoop") {
        return Some(Advice::new(
            Cause::OrphanedWorker,
            "An HTTP client connection was left open: the `net/http` transport keeps a `readLoop` and a `writeLoop` goroutine for every kept-alive connection. Close every response body (`defer resp.Body.Close()`, also when you only read the status), and when the client or transport is done call `client.CloseIdleConnections()` (or close the test server with `srv.Close()`, which closes its connections).",
        ));
    }
    if has_fn("net/http/httptest.") {
        return Some(Advice::new(
            Cause::OrphanedWorker,
            "An `httptest.Server` was never closed: its goroutine keeps accepting connections. Close it in the test that starts it: `srv := httptest.NewServer(h)` followed by `defer srv.Close()` (or `t.Cleanup(srv.Close)`).",
        ));
    }
    if has_fn("net/http.(*conn).serve") || has_fn("net/http.(*Server).Serve") {
        return Some(Advice::new(
            Cause::OrphanedWorker,
            "A connection of an `http.Server` is still open: the server's per-connection goroutine waits for the next request. Close the server when done (`defer srv.Close()`, or `srv.Shutdown(ctx)`), and on the client side close response bodies (`resp.Body.Close()`) and idle connections (`client.CloseIdleConnections()`).",
        ));
    }
    if has_fn("database/sql.") {
        return Some(Advice::new(
            Cause::OrphanedWorker,
            "A `*sql.DB` was never closed: its connection opener goroutine runs until `Close`. Close it when done: `db, err := sql.Open(…)` followed by `defer db.Close()`.",
        ));
    }
    // Any other third-party goroutine that runs a method of a type: the value's owner did not stop it.
    let outer =
        cx.g.frames
            .iter()
            .rev()
            .find(|f| !is_machinery(&f.function))?;
    let n = split_fn(&outer.function);
    let recv = n.recv?;
    if !cx.state().starts_with("select") && cx.state() != "chan receive" && cx.state() != "IO wait"
    {
        return None;
    }
    Some(Advice::new(
        Cause::OrphanedWorker,
        format!(
            "A background goroutine of a `{}.{recv}` is still running: its owner was never closed. Close or stop the `{recv}` your code created when done (usually `defer x.Close()` or `x.Stop()` right after creating it).",
            pkg_name(&n.pkg)
        ),
    ))
}

/// The goleak option that ignores a third-party goroutine, and the sentence that offers it.
fn ignore_option(g: &Goroutine) -> Option<(String, String)> {
    // goleak's "top function" is the first frame of the dump as printed; a default traceback hides
    // unexported runtime frames, so skip them in case the dump was taken with GOTRACEBACK=system.
    let shown = |f: &&Frame| {
        let name = f.function.as_str();
        match name.strip_prefix("runtime.") {
            Some(rest) => rest.starts_with(|c: char| c.is_ascii_uppercase()),
            None => name.contains('.'),
        }
    };
    let top = g.frames.iter().find(shown)?.function.clone();
    let entry = g
        .frames
        .iter()
        .rev()
        .find(|f| !is_machinery(&f.function) && f.function != "runtime.goexit")
        .map(|f| f.function.clone())
        .unwrap_or_else(|| top.clone());
    let any = format!("goleak.IgnoreAnyFunction({entry:?})");
    if is_machinery(&top) {
        let text = format!("It runs only code outside your module; if it is meant to outlive the test, ignore it deliberately with `goleak.VerifyNone(t, {any})` (goleak ≥ v1.3.0; its top function `{top}` is shared by unrelated goroutines, so `IgnoreTopFunction` would hide too much).");
        return Some((any, text));
    }
    let topopt = format!("goleak.IgnoreTopFunction({top:?})");
    let text = if entry == top {
        format!("It runs only code outside your module; if it is meant to outlive the test, ignore it deliberately with `goleak.VerifyNone(t, {topopt})`.")
    } else {
        format!("It runs only code outside your module; if it is meant to outlive the test, ignore it deliberately with `goleak.VerifyNone(t, {topopt})`, or with goleak ≥ v1.3.0 `{any}`.")
    };
    Some((topopt, text))
}

/// For a blocked goroutine that is a test function itself (a hung test in a timeout dump): the sentence
/// that says so.
fn hung_test(cx: &Cx) -> Option<String> {
    if !cx.g.frames.iter().any(|f| f.function == "testing.tRunner") {
        return None;
    }
    let state = cx.state();
    if state.is_empty() || state == "running" || state == "runnable" {
        return None;
    }
    let name = cx
        .user
        .iter()
        .map(|f| split_fn(&f.function))
        .find(|n| n.recv.is_none() && n.func.starts_with("Test"))
        .map_or_else(|| "the test".to_string(), |n| format!("`{}`", n.func));
    Some(format!(
        "This goroutine is the test {name} itself, blocked for good: it never returns, so the run ends only at `-timeout`."
    ))
}

/// A goroutine reported before it ever ran: its only frame is the `go` statement's wrapper (`F.gowrap1`) at
/// the creator's line. Its stack cannot say why it would outlive the test; its `go` statement can.
fn not_started(cx: &Cx) -> Option<Advice> {
    let top = cx.g.frames.iter().find(|f| !is_machinery(&f.function))?;
    let last = top.function.rsplit('.').next().unwrap_or("");
    let created = cx.g.created_by.as_ref()?;
    if !last.starts_with("gowrap") || !is_closure_part(last) || top.line != created.line {
        return None;
    }
    let c = split_fn(&created.function);
    let maker = match &c.recv {
        Some(r) => format!("({r}).{}", c.func),
        None => c.func.clone(),
    };
    let lead = "The goroutine had not even started running when it was reported";
    let Some(site) = cx.creator() else {
        let constructor =
            c.recv.is_none() && (c.func.starts_with("New") || c.func.starts_with("new"));
        return Some(if constructor {
            Advice::new(
                Cause::OrphanedWorker,
                format!("{lead}: `{}.{maker}` starts it as the background goroutine of the value it makes, and whoever made that value never stopped it. Call the value's `Close`/`Stop` method when done (`defer x.Close()`); if it has none, give it one that ends the goroutine and waits for it.", pkg_name(&c.pkg)),
            )
        } else {
            Advice::new(
                Cause::Unknown,
                format!("{lead} (by `{}.{maker}`), so its stack cannot say why it outlives the test. Make whoever starts it also stop it: a `context.Context` cancelled on the way out, or a `Close` method that ends it and waits for it.", pkg_name(&c.pkg)),
            )
        });
    };
    // `go x.m(…)`: the goroutine will run method `m`; a type's worker started by its constructor.
    let stmt = site.file.src(site.line);
    let callee = stmt
        .strip_prefix("go ")
        .and_then(|call| call.split('(').next())
        .unwrap_or("")
        .trim();
    let method = callee.rsplit_once('.').map(|(_, m)| m);
    let pkg = cx.package(&site.file);
    let decl = pkg
        .iter()
        .flat_map(|f| f.funcs.iter().map(move |d| (f.clone(), d.clone())))
        .find(|(_, d)| Some(d.name.as_str()) == method && d.recv.is_some());
    let Some((_, decl)) = decl else {
        return Some(Advice::new(
            Cause::Unknown,
            format!("{lead}: it is the `{stmt}` at {}, so its stack cannot say why it outlives the test. Make whoever starts it also stop it: a `context.Context` cancelled on the way out, or a `Close` method that ends it and waits for it.", site.at()),
        ));
    };
    let recv = decl.recv.clone().unwrap_or_default();
    let var = decl.recv_var.clone().unwrap_or_else(|| recv.to_lowercase());
    let stop = STOP_METHODS.iter().find_map(|m| {
        pkg.iter().find_map(|f| {
            f.funcs
                .iter()
                .find(|d| d.recv.as_deref() == Some(recv.as_str()) && d.name == *m)
                .map(|d| (f.at(d.line), d.name.clone()))
        })
    });
    let how = match stop {
        Some((at, name)) => format!("only `{recv}.{name}` ({at}) stops it, and it was never called: call it when done (`defer {var}.{name}()`)."),
        None => format!("`{recv}` has no method that stops it. Give `{recv}` a `Close` method that ends the loop (close a quit channel it selects on) and call it when done (`defer {var}.Close()`)."),
    };
    Some(Advice::new(
        Cause::OrphanedWorker,
        format!("{lead}: it is the `{stmt}` at {}, the background worker of a `{recv}` that `{maker}` starts; {how}", site.at()),
    ))
}

// ----- orphaned workers of the user's own types -----

const STOP_METHODS: [&str; 5] = ["Close", "Stop", "Shutdown", "Cancel", "Quit"];

/// A goroutine that runs a method (or a closure of one) of a type whose owner forgot to stop it.
fn owner(cx: &Cx) -> Option<Advice> {
    let entry = cx.entry()?;
    let n = split_fn(&entry.function);
    let recv = n.recv.clone()?;
    let recv = recv.as_str();
    let creator = cx.g.created_by.as_ref();
    let started = cx
        .creator()
        .map(|c| {
            format!(
                " (started at {} in `{}`)",
                c.at(),
                creator.map_or(String::new(), |f| split_fn(&f.function).func)
            )
        })
        .unwrap_or_default();
    let runs = if n.closure {
        format!("a closure of `({recv}).{}`", n.func)
    } else {
        format!("`({recv}).{}`", n.func)
    };
    if let Some(site) = cx.site(entry) {
        // With source: the type must have a stop method; otherwise the other rules say more.
        let pkg = cx.package(&site.file);
        let found = STOP_METHODS.iter().find_map(|m| {
            pkg.iter().find_map(|f| {
                f.funcs
                    .iter()
                    .find(|d| d.recv.as_deref() == Some(recv) && d.name == *m)
                    .map(|d| (f.clone(), d.clone()))
            })
        });
        let Some((file, decl)) = found else {
            return stopless_worker(cx, &n, &site);
        };
        let var = decl.recv_var.clone().unwrap_or_else(|| recv.to_lowercase());
        let make = creator
            .map(|c| split_fn(&c.function))
            .filter(|c| c.recv.is_none() && c.pkg == n.pkg && c.func != n.func)
            .map(|c| format!("{var} := {}.{}(…)", pkg_name(&c.pkg), c.func))
            .unwrap_or_else(|| format!("{var} := …"));
        return Some(Advice::new(
            Cause::OrphanedWorker,
            format!(
                "This goroutine belongs to a `{recv}`: it runs {runs}{started}, and only `{recv}.{}` ({}) ends it. The code that made the `{recv}` never called it. Stop it when done: `{make}` followed by `defer {var}.{}()`.",
                decl.name,
                file.at(decl.line),
                decl.name
            ),
        ));
    }
    if cx.has_source() || n.closure {
        return None;
    }
    // The stack alone: a method goroutine started by its type's constructor or by another of its methods.
    let c = split_fn(&creator?.function);
    let constructor = c.recv.is_none() && (c.func.starts_with("New") || c.func.starts_with("new"));
    if c.pkg != n.pkg || !(constructor || c.recv.as_deref() == Some(recv)) {
        return None;
    }
    Some(Advice::new(
        Cause::OrphanedWorker,
        format!(
            "The goroutine runs `({recv}).{}` for a `{recv}` made by `{}.{}`, and whoever made that `{recv}` never stopped it. Call its `Close`/`Stop` method when done (`defer x.Close()` right after creating it); if `{recv}` has none, give it one that ends the goroutine (close a quit channel or cancel a context) and waits for it.",
            n.func,
            pkg_name(&c.pkg),
            match &c.recv {
                Some(r) => format!("({r}).{}", c.func),
                None => c.func.clone(),
            }
        ),
    ))
}

/// A method goroutine started by its type's constructor (or another method), looping in a `select` that
/// nothing can end, on a type without any stop method: the type's worker can never be stopped.
fn stopless_worker(cx: &Cx, n: &FnName, site: &Site) -> Option<Advice> {
    let recv = n.recv.as_deref()?;
    if n.closure || !cx.state().starts_with("select") {
        return None;
    }
    let c = split_fn(&cx.g.created_by.as_ref()?.function);
    let constructor = c.recv.is_none() && (c.func.starts_with("New") || c.func.starts_with("new"));
    if c.pkg != n.pkg || !(constructor || c.recv.as_deref() == Some(recv)) {
        return None;
    }
    let b = cx.block()?;
    let cases = b.file.select_cases(b.line)?;
    let ends = cases.iter().any(|k| match &k.op {
        Some(ChanOp::Recv(x)) => x.ends_with(".Done()") || is_done_name(x),
        _ => false,
    });
    if ends {
        return None;
    }
    let var = site
        .file
        .funcs
        .iter()
        .find(|d| d.recv.as_deref() == Some(recv) && d.name == n.func)
        .and_then(|d| d.recv_var.clone())
        .unwrap_or_else(|| recv.to_lowercase());
    let started = cx
        .creator()
        .map(|s| format!(" ({})", s.at()))
        .unwrap_or_default();
    Some(Advice::new(
        Cause::OrphanedWorker,
        format!(
            "This goroutine is the background worker of a `{recv}`: `{}` starts `({recv}).{}`{started}, whose `select` at {} has no case that ends it, and `{recv}` has no method that stops it. Give `{recv}` a `Close` method that closes a quit channel the loop selects on (`case <-{var}.quit: return`), and call it when done (`defer {var}.Close()`).",
            match &c.recv {
                Some(r) => format!("({r}).{}", c.func),
                None => c.func.clone(),
            },
            n.func,
            b.at()
        ),
    ))
}

// ----- channel sends -----

/// True for a `select` case or receive that ends a wait on timeout or cancellation.
fn is_way_out(op: &Option<ChanOp>) -> bool {
    match op {
        None => true,
        Some(ChanOp::Recv(x)) => {
            x.starts_with("time.After(")
                || x.ends_with(".Done()")
                || x.ends_with(".C")
                || x.starts_with("time.Tick(")
                || is_done_name(x)
        }
        Some(ChanOp::Send(_)) => false,
    }
}

/// True for channel names that usually signal the end: `done`, `p.quit`, `stopCh`, `closing`, …
fn is_done_name(x: &str) -> bool {
    let last = x.rsplit('.').next().unwrap_or(x).to_ascii_lowercase();
    [
        "done", "quit", "stop", "exit", "clos", "shutdown", "cancel", "term", "kill", "die",
        "finish",
    ]
    .iter()
    .any(|w| last.contains(w))
}

/// The `select` block that holds a `case` line.
fn select_of(file: &GoFile, case_line: usize) -> Option<Block> {
    file.enclosing(case_line)
        .into_iter()
        .find(|b| file.header(b) == "select")
        .copied()
}

/// The body of a `go func(…) {` statement on a line.
fn go_body(file: &GoFile, line: usize) -> Option<Block> {
    let b = file.block_opened_at(line)?;
    let h = file.header(b);
    (h.starts_with("go func(") || h.starts_with("go func (")).then_some(*b)
}

const SENDER_FIX: &str = "Give the channel room for the one value (`make(chan T, 1)`) so the send always completes, or send in a `select` beside `case <-ctx.Done(): return`.";

fn sender(cx: &Cx) -> Advice {
    sender_with_source(cx).unwrap_or_else(|| {
        let at = cx.block().map(|b| format!(" at {}", b.at())).unwrap_or_default();
        Advice::new(
            Cause::ForgottenSender,
            format!("The send{at} blocks forever: nobody receives from the channel any more. {SENDER_FIX}"),
        )
    })
}

fn sender_with_source(cx: &Cx) -> Option<Advice> {
    let b = cx.block()?;
    let ch = b.file.ops(b.line).into_iter().find_map(|o| match o {
        ChanOp::Send(x) => Some(x),
        ChanOp::Recv(_) => None,
    })?;
    let generic = || {
        Advice::new(
            Cause::ForgottenSender,
            format!(
                "The send on `{ch}` at {} blocks forever: nothing receives from `{ch}` any more. Give `{ch}` room for every value its senders still send (`make(chan T, n)`), or send in a `select` beside `case <-ctx.Done(): return`.",
                b.at()
            ),
        )
    };
    let Some(c) = cx.creator().filter(|c| c.file.path == b.file.path) else {
        return Some(generic());
    };
    let f = &c.file;
    let (Some(body), Some(func)) = (go_body(f, c.line), f.func_at(c.line)) else {
        return Some(generic());
    };
    if !(body.open < b.line && b.line <= body.close) || ch.contains(['.', '[', '(']) {
        return Some(generic());
    }
    let fname = func.name.as_str();
    let makes = f.makes_of(&ch, func.body.open, c.line);
    let make = makes.last().cloned();
    let made = make
        .as_ref()
        .map(|(l, call)| format!(" (made at {}: `{call}`)", f.at(*l)))
        .unwrap_or_default();
    // Receives in the creating function, outside the goroutine's body.
    let receives: Vec<usize> = f
        .receives_of(&ch, func.body.open, func.body.close)
        .into_iter()
        .filter(|l| !(body.open..=body.close).contains(l))
        .collect();
    let go_loop = f.loop_around(c.line, &func.body).copied();
    if let Some(lp) = go_loop {
        let read_in_loop = receives
            .iter()
            .any(|&r| f.loop_around(r, &func.body).is_some());
        if !receives.is_empty() && !read_in_loop {
            let ty = make
                .as_ref()
                .and_then(|(_, call)| parse_make_chan(call))
                .map_or("T".to_string(), |(t, _)| t);
            return Some(Advice::new(
                Cause::EarlyReturn,
                format!(
                    "`{fname}` starts a goroutine for every turn of the loop at {}, each sending on `{ch}`{made} at {}, but it receives only once ({}) and returns: every other sender blocks forever. Give `{ch}` room for every sender (`make(chan {ty}, n)` for n goroutines), or stop the others when the first answer arrives: a `context.WithCancel` they `select` on beside the send (`case <-ctx.Done(): return`), or `errgroup.WithContext`.",
                    f.at(lp.open),
                    b.at(),
                    f.at(receives[0]),
                ),
            ));
        }
    }
    if receives.is_empty() {
        return Some(Advice::new(
            Cause::ForgottenSender,
            format!(
                "The send on `{ch}` at {} blocks forever: nothing in `{fname}` ever receives from `{ch}`{made}. Receive the value where it is needed, or drop the channel; if the value may go unread, give `{ch}` room for it (`make(chan T, 1)`).",
                b.at()
            ),
        ));
    }
    // A receive in a select that can give up.
    let gives_up = receives.iter().find_map(|&r| {
        let sel = select_of(f, r)?;
        let cases = f.select_cases(sel.open)?;
        let out = cases.iter().find(|k| k.line != r && is_way_out(&k.op))?;
        Some((r, out.line, out.op.clone()))
    });
    let Some((recv_line, out_line, out_op)) = gives_up else {
        // A plain receive: does the creator return before it on some path?
        let first = receives[0];
        let early = (body.close + 1..first).find(|&l| f.stmt(l).starts_with("return"));
        return Some(match early {
            Some(r) => Advice::new(
                Cause::ForgottenSender,
                format!(
                    "`{fname}` can return at {} before it receives from `{ch}` ({}), and then the send at {} blocks forever. Give `{ch}` room for the value (`make(chan T, 1)`) so the send always completes, or receive on every path.",
                    f.at(r),
                    f.at(first),
                    b.at()
                ),
            ),
            None => generic(),
        });
    };
    let why = match &out_op {
        Some(ChanOp::Recv(x)) if x.starts_with("time.After(") => format!(
            "when the `{}` case fires ({})",
            short_call(x),
            f.at(out_line)
        ),
        Some(ChanOp::Recv(x)) => format!("when `<-{x}` is ready ({})", f.at(out_line)),
        _ => format!("through its `default` case ({})", f.at(out_line)),
    };
    let unbuffered = make
        .as_ref()
        .and_then(|(_, call)| parse_make_chan(call))
        .filter(|(_, cap)| cap.as_deref().is_none_or(|c| c == "0"));
    let Some((ty, _)) = unbuffered else {
        return Some(Advice::new(
            Cause::ForgottenSender,
            format!(
                "`{fname}` stops receiving from `{ch}` {why}, so the send at {} blocks forever once the buffer is full. Give `{ch}` room for every value that may go unread, or send in a `select` beside `case <-ctx.Done(): return`.",
                b.at()
            ),
        ));
    };
    let (make_line, call) = make.clone().unwrap_or_default();
    let new_call = format!("make(chan {ty}, 1)");
    let mut a = Advice::new(
        Cause::ForgottenSender,
        format!(
            "`{ch}` is made unbuffered at {} (`{call}`) and `{fname}` stops receiving from it {why}, so the send at {} blocks forever. Make it `{new_call}`: the single send then always completes and the goroutine exits.",
            f.at(make_line),
            b.at()
        ),
    );
    // Sure enough for --fix-diff: one make, one goroutine per call, one send that is its last statement.
    let sends_in_body = f.sends_of(&ch, body.open, body.close);
    let sends_elsewhere = f
        .sends_of(&ch, func.body.open, func.body.close)
        .into_iter()
        .filter(|l| !(body.open..=body.close).contains(l))
        .count();
    let send_in_loop = f.loop_around(b.line, &body).is_some();
    let last_stmt = f.next_code_line(b.line).is_some_and(|n| {
        n == body.close && f.stmt(n).starts_with('}')
            || f.stmt(n) == "return" && f.next_code_line(n) == Some(body.close)
    });
    // The channel does nothing else in the function: no other use, no escape (`return ch`, `use(ch)`),
    // no reassignment, no `len`/`cap`.
    let other_use = f
        .mentions(&ch, func.body.open, func.body.close)
        .into_iter()
        .any(|l| l != make_line && l != b.line && !receives.contains(&l));
    let sure = makes.len() == 1
        && go_loop.is_none()
        && sends_in_body == vec![b.line]
        && sends_elsewhere == 0
        && !send_in_loop
        && last_stmt
        && !other_use
        && receives.contains(&recv_line)
        && f.lines
            .get(make_line)
            .is_some_and(|l| l.matches(call.as_str()).count() == 1);
    if sure && source::is_plain_path(&f.path) {
        a.fix = Some(Fix {
            edit: Edit {
                path: f.path.clone(),
                line: make_line as u32 + 1,
                find: call.clone(),
                replace: new_call,
            },
            text: f.text.clone(),
        });
        a.text.push_str(" `--fix-diff` writes this change.");
    }
    Some(a)
}

/// `time.After(d)` stays as it is; a long argument list is shortened.
fn short_call(x: &str) -> String {
    if x.len() <= 40 {
        x.to_string()
    } else {
        format!("{}(…)", x.split('(').next().unwrap_or(x))
    }
}

// ----- channel receives -----

fn receiver(cx: &Cx) -> Advice {
    receiver_with_source(cx).unwrap_or_else(|| {
        let at = cx.block().map(|b| format!(" at {}", b.at())).unwrap_or_default();
        Advice::new(
            Cause::ForgottenReceiver,
            format!("The receive{at} waits forever: nothing sends on or closes the channel any more. Close it when the producer is done (`defer close(ch)`), or receive in a `select` beside `case <-ctx.Done(): return`."),
        )
    })
}

/// Where a channel is made and closed in the goroutine's package.
struct ChanSites {
    /// `(place, call)` of the first `make` of the channel.
    make: Option<(String, String)>,
    /// `(place, enclosing function)` of every `close` of the channel.
    closes: Vec<(String, String)>,
    /// Where they were looked for: `` `Sum` ``, `` package `testmain` `` (empty: nowhere).
    scope: String,
}

impl ChanSites {
    /// ` (`make(chan T)` at f.go:3 in `New`)`, or nothing when the make was not found.
    fn made(&self) -> String {
        self.make
            .as_ref()
            .map(|(at, call)| format!(" (`{call}` at {at})"))
            .unwrap_or_default()
    }

    /// The closers as a list: `` `Ready` (f.go:24), f.go:30 ``.
    fn closers(&self) -> String {
        self.closes
            .iter()
            .map(|(at, by)| {
                if by.is_empty() {
                    at.clone()
                } else {
                    format!("`{by}` ({at})")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Where the channel `ch` is made and closed: a local variable within the function that holds `site`, a
/// field (`x.ch`) anywhere in its package.
fn chan_sites(cx: &Cx, site: &Site, ch: &str) -> ChanSites {
    let mut make = None;
    let mut closes = Vec::new();
    let mut scope = Vec::new();
    let scopes: Vec<(Rc<GoFile>, usize, usize)> = if ch.contains('.') {
        let dir = site.file.path.rsplit_once('/').map_or(".", |(d, _)| d);
        scope.push(format!(
            "package `{}`",
            dir.rsplit('/').next().unwrap_or(dir)
        ));
        cx.package(&site.file)
            .into_iter()
            .map(|f| {
                let last = f.code.len().saturating_sub(1);
                (f, 0, last)
            })
            .collect()
    } else {
        // The function that blocks, and the one that started the goroutine (where a local channel is
        // usually made and handed over).
        let mut v: Vec<(Rc<GoFile>, usize, usize)> = Vec::new();
        let creator = cx.creator();
        for s in std::iter::once(site).chain(creator.as_ref()) {
            if let Some(d) = s.file.func_at(s.line) {
                let dup = v
                    .iter()
                    .any(|(f, from, _)| f.path == s.file.path && *from == d.body.open);
                if !dup {
                    scope.push(format!("`{}`", d.name));
                    v.push((s.file.clone(), d.body.open, d.body.close));
                }
            }
        }
        v
    };
    for (f, from, to) in scopes {
        if make.is_none() {
            if let Some((l, call)) = f.makes_of(ch, from, to).first() {
                let in_fn = f
                    .func_at(*l)
                    .map(|d| format!(" in `{}`", d.name))
                    .unwrap_or_default();
                make = Some((format!("{}{in_fn}", f.at(*l)), call.clone()));
            }
        }
        for l in f.closes_of(ch, from, to) {
            let by = f.func_at(l).map(|d| d.name.clone()).unwrap_or_default();
            closes.push((f.at(l), by));
        }
    }
    ChanSites {
        make,
        closes,
        scope: scope.join(" or "),
    }
}

fn receiver_with_source(cx: &Cx) -> Option<Advice> {
    let b = cx.block()?;
    let f = &b.file;
    if let Some(x) = f.range_over(b.line) {
        if let Some(t) = ticker_of(cx, &b, &x) {
            return Some(t);
        }
        let sites = chan_sites(cx, &b, &x);
        let made = sites.made();
        let closers = if sites.closes.is_empty() && sites.scope.is_empty() {
            format!("and `{x}`{made} is never closed")
        } else if sites.closes.is_empty() {
            format!("and nothing in {} closes `{x}`{made}", sites.scope)
        } else {
            format!(
                "and `{x}`{made} is closed only by {}, which never ran",
                sites.closers()
            )
        };
        return Some(Advice::new(
            Cause::UnclosedRange,
            format!(
                "The `{}` loop at {} ends only when `{x}` is closed, {closers}. Close it once the last value is sent: `close({x})` after the sending loop, or `defer close({x})` in the producer; if the channel belongs to a type, close it in the type's `Close` method.",
                f.src(b.line).trim_end_matches('{').trim_end(),
                b.at()
            ),
        ));
    }
    let x = f.ops(b.line).into_iter().find_map(|o| match o {
        ChanOp::Recv(x) => Some(x),
        ChanOp::Send(_) => None,
    })?;
    if x.ends_with(".Done()") {
        return Some(Advice::new(
            Cause::MissingCancel,
            format!(
                "The goroutine waits for `{x}` at {}, but that context is never cancelled. Cancel it when the work is over: `ctx, cancel := context.WithCancel(parent)` followed by `defer cancel()`.",
                b.at()
            ),
        ));
    }
    if x.ends_with(".C") || x.starts_with("time.Tick(") {
        if let Some(t) = ticker_of(cx, &b, &x) {
            return Some(t);
        }
    }
    let sites = chan_sites(cx, &b, &x);
    let made = sites.made();
    let who = if sites.closes.is_empty() && sites.scope.is_empty() {
        format!("no more values are sent on `{x}`{made}, and it is never closed")
    } else if sites.closes.is_empty() {
        format!(
            "no more values are sent on `{x}`{made}, and nothing in {} closes it",
            sites.scope
        )
    } else {
        format!(
            "`{x}`{made} is closed only by {}, and that was never called",
            sites.closers()
        )
    };
    let call_it = match sites.closes.as_slice() {
        [(_, by)] if !by.is_empty() => {
            format!("Make sure every path calls `{by}` (for example with `defer`), or receive")
        }
        _ => format!("Close `{x}` when the producer is done (`defer close({x})`), or receive"),
    };
    Some(Advice::new(
        Cause::ForgottenReceiver,
        format!(
            "The receive from `{x}` at {} waits forever: {who}. {call_it} in a `select` beside `case <-ctx.Done(): return` so the goroutine can give up.",
            b.at()
        ),
    ))
}

/// A receive or range over a ticker's channel (`t.C` with `t := time.NewTicker(…)`, or `time.Tick(…)`).
fn ticker_of(cx: &Cx, b: &Site, x: &str) -> Option<Advice> {
    let f = &b.file;
    if x.starts_with("time.Tick(") {
        return Some(Advice::new(
            Cause::LeakedTicker,
            format!(
                "The loop at {} reads `{}`, a ticker that can never be stopped, so it runs forever. Use `t := time.NewTicker(d)` with `defer t.Stop()`, and `select` on `case <-ctx.Done(): return` beside `case <-t.C:`.",
                b.at(),
                short_call(x)
            ),
        ));
    }
    let base = x.strip_suffix(".C")?;
    // Where the ticker is made: in the creating function, the blocking function, or anywhere in the package.
    let mut sites: Vec<(Rc<GoFile>, Option<FuncDecl>)> = Vec::new();
    if let Some(c) = cx.creator() {
        let func = c.file.func_at(c.line).cloned();
        sites.push((c.file.clone(), func));
    }
    sites.push((b.file.clone(), f.func_at(b.line).cloned()));
    let field = base.rsplit('.').next().unwrap_or(base);
    let found = sites.iter().find_map(|(file, func)| {
        let (from, to) = func
            .as_ref()
            .map_or((0, file.code.len()), |d| (d.body.open, d.body.close));
        (from..=to.min(file.code.len().saturating_sub(1))).find_map(|l| {
            let s = file.stmt(l);
            let i = s.find("time.NewTicker(")?;
            let lhs = s[..i].trim_end().trim_end_matches([':', '=']).trim_end();
            let last = lhs
                .rsplit(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .next()?;
            (last == base || last.rsplit('.').next() == Some(field)).then(|| file.at(l))
        })
    });
    let made = found?;
    Some(Advice::new(
        Cause::LeakedTicker,
        format!(
            "The loop at {} waits on `{x}` of the ticker made at {made} (`time.NewTicker`), which is never stopped, and even `{base}.Stop()` would not close `{x}`: the loop never ends. Give it a way out and stop the ticker: `defer {base}.Stop()` and `for {{ select {{ case <-ctx.Done(): return; case <-{x}: … }} }}`.",
            b.at()
        ),
    ))
}

// ----- select -----

fn select(cx: &Cx) -> Advice {
    select_with_source(cx).unwrap_or_else(|| {
        let at = cx.block().map(|b| format!(" at {}", b.at())).unwrap_or_default();
        Advice::new(
            Cause::MissingCancel,
            format!("The `select`{at} has no way out: none of its cases ever becomes ready again. Add `case <-ctx.Done(): return` (or a done channel that the goroutine's owner closes)."),
        )
    })
}

/// The name of a `context.Context` parameter of a function, when it has one.
fn ctx_param(d: &FuncDecl) -> Option<String> {
    let i = d.signature.find("context.Context")?;
    let before = d.signature[..i].trim_end();
    let name = before
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .filter(|n| !n.is_empty())?;
    Some(name.to_string())
}

fn select_with_source(cx: &Cx) -> Option<Advice> {
    let b = cx.block()?;
    let f = &b.file;
    let cases = f.select_cases(b.line)?;
    let at = b.at();
    if let Some(x) = cases.iter().find_map(|k| match &k.op {
        Some(ChanOp::Recv(x)) if x.ends_with(".Done()") => Some(x.clone()),
        _ => None,
    }) {
        return Some(Advice::new(
            Cause::MissingCancel,
            format!("The `select` at {at} waits for `{x}`, but that context is never cancelled. Cancel it when the work is over: `ctx, cancel := context.WithCancel(parent)` followed by `defer cancel()`."),
        ));
    }
    if let Some(x) = cases.iter().find_map(|k| match &k.op {
        Some(ChanOp::Recv(x)) if is_done_name(x) => Some(x.clone()),
        _ => None,
    }) {
        let sites = chan_sites(cx, &b, &x);
        let who = if sites.closes.is_empty() && sites.scope.is_empty() {
            format!("`{x}` is never closed")
        } else if sites.closes.is_empty() {
            format!("nothing in {} closes `{x}`", sites.scope)
        } else {
            format!(
                "`{x}` is closed only by {}, which was never called",
                sites.closers()
            )
        };
        return Some(Advice::new(
            Cause::MissingCancel,
            format!("The `select` at {at} ends only when `{x}` is closed, and {who}. Close it on every way out of the goroutine's owner (`defer close({x})`), or select on `<-ctx.Done()` as well."),
        ));
    }
    let ops: Vec<&ChanOp> = cases.iter().filter_map(|k| k.op.as_ref()).collect();
    if !ops.is_empty() && ops.iter().all(|o| matches!(o, ChanOp::Send(_))) {
        return Some(Advice::new(
            Cause::ForgottenSender,
            format!("Every case of the `select` at {at} sends, and nothing receives any more. Add `case <-ctx.Done(): return` so the goroutine can give up, or give the channels room for the values that may go unread."),
        ));
    }
    for k in &cases {
        if let Some(ChanOp::Recv(x)) = &k.op {
            if x.ends_with(".C") {
                if let Some(mut t) = ticker_of(cx, &b, x) {
                    t.text = format!("The `select` at {at} has no case that ends it. {}", t.text);
                    return Some(t);
                }
            }
        }
    }
    let in_scope = f.func_at(b.line).and_then(ctx_param).or_else(|| {
        cx.creator()
            .and_then(|c| c.file.func_at(c.line).and_then(ctx_param))
    });
    let hint = match in_scope {
        Some(ctx) => format!("`{ctx}` is in scope but never watched: add `case <-{ctx}.Done(): return`."),
        None => "Add `case <-ctx.Done(): return` (pass a `context.Context` in), or a done channel that the goroutine's owner closes.".to_string(),
    };
    let looping = f
        .func_at(b.line)
        .and_then(|d| f.loop_around(b.line, &d.body))
        .map(|_| ", and the loop around it never ends")
        .unwrap_or_default();
    Some(Advice::new(
        Cause::MissingCancel,
        format!("The `select` at {at} has no case that ends it{looping}. {hint}"),
    ))
}

// ----- locks, wait groups, sleeps, loops, I/O -----

fn lock(cx: &Cx) -> Advice {
    lock_with_source(cx).unwrap_or_else(|| {
        let at = cx.block().map(|b| format!(" at {}", b.at())).unwrap_or_default();
        Advice::new(
            Cause::LockNeverReleased,
            format!("The lock{at} is held by code that never releases it on some path (often an early `return`). Unlock right after locking with `defer mu.Unlock()`."),
        )
    })
}

fn lock_with_source(cx: &Cx) -> Option<Advice> {
    let b = cx.block()?;
    let s = b.file.stmt(b.line);
    let (kind, i) = [".RLock()", ".Lock()"]
        .iter()
        .find_map(|k| s.find(k).map(|i| (*k, i)))?;
    let start = s[..i]
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |p| p + 1);
    let mu = &s[start..i];
    let field = mu.rsplit('.').next().unwrap_or(mu);
    let unlock = if kind == ".RLock()" {
        ".RUnlock()"
    } else {
        ".Unlock()"
    };
    // Another lock of the same mutex (by field name) that can return without unlocking.
    let mut culprit = None;
    'files: for f in cx.package(&b.file) {
        for l in 0..f.code.len() {
            if f.path == b.file.path && l == b.line {
                continue;
            }
            let st = f.stmt(l);
            let Some(p) = st.find(kind) else { continue };
            let who = &st[..p];
            if who.rsplit('.').next() != Some(field) {
                continue;
            }
            let Some(func) = f.func_at(l) else { continue };
            let next = f.next_code_line(l).map(|n| f.stmt(n)).unwrap_or("");
            if next.starts_with("defer") && next.contains(unlock) {
                continue;
            }
            let end = (l + 1..=func.body.close)
                .find(|&k| f.stmt(k).contains(&format!("{field}{unlock}")))
                .unwrap_or(func.body.close);
            if let Some(r) = (l + 1..end).find(|&k| f.stmt(k).starts_with("return")) {
                culprit = Some(format!(
                    "`{who}` is locked at {} in `{}`, which returns at {} without unlocking it, so the `{mu}{kind}` at {} waits forever",
                    f.at(l),
                    func.name,
                    f.at(r),
                    b.at()
                ));
                break 'files;
            }
        }
    }
    let lead = culprit.unwrap_or_else(|| {
        format!(
            "The `{mu}{kind}` at {} waits forever: `{mu}` is held by code that never releases it on some path",
            b.at()
        )
    });
    Some(Advice::new(
        Cause::LockNeverReleased,
        format!("{lead}. Unlock on every path: lock, then `defer {mu}{unlock}` on the next line."),
    ))
}

fn waitgroup(cx: &Cx) -> Advice {
    waitgroup_with_source(cx).unwrap_or_else(|| {
        let at = cx.block().map(|b| format!(" at {}", b.at())).unwrap_or_default();
        Advice::new(
            Cause::WaitgroupImbalance,
            format!("The `Wait`{at} never returns: the WaitGroup's counter never reaches zero, because some `Add` has no matching `Done`. Call `wg.Add(1)` right before each `go` statement and `defer wg.Done()` first thing in the goroutine."),
        )
    })
}

fn waitgroup_with_source(cx: &Cx) -> Option<Advice> {
    let b = cx.block()?;
    let s = b.file.stmt(b.line);
    let i = s.find(".Wait()")?;
    let start = s[..i]
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |p| p + 1);
    let wg = &s[start..i];
    let site = cx
        .creator()
        .filter(|c| c.file.path == b.file.path)
        .unwrap_or_else(|| b.clone());
    let f = &site.file;
    let func = f.func_at(site.line)?;
    let adds: Vec<usize> = (func.body.open..=func.body.close)
        .filter(|&l| f.stmt(l).contains(&format!("{wg}.Add(")))
        .collect();
    let &add = adds.first()?;
    let add_text = f.src(add).to_string();
    let total: Option<u64> = adds
        .iter()
        .map(|&l| {
            let st = f.stmt(l);
            let p = st.find(&format!("{wg}.Add("))? + wg.len() + 5;
            st[p..].split(')').next()?.trim().parse::<u64>().ok()
        })
        .sum();
    // Goroutines started by this function, and whether each one calls Done.
    let gos: Vec<usize> = (func.body.open + 1..func.body.close)
        .filter(|&l| f.stmt(l).starts_with("go "))
        .collect();
    if gos.iter().any(|&l| go_body(f, l).is_none())
        || !f
            .mentions(&format!("&{wg}"), func.body.open, func.body.close)
            .is_empty()
    {
        return None;
    }
    let done = format!("{wg}.Done()");
    let wait = format!("{wg}.Wait()");
    let mut with_done = 0usize;
    let mut without: Vec<usize> = Vec::new();
    for &l in &gos {
        let body = go_body(f, l)?;
        let has = |t: &str| (body.open..=body.close).any(|k| f.stmt(k).contains(t));
        if has(&done) {
            with_done += 1;
        } else if !has(&wait) {
            without.push(l);
        }
    }
    let direct_done = (func.body.open..=func.body.close).any(|k| {
        f.stmt(k).contains(&done)
            && !gos
                .iter()
                .any(|&g| go_body(f, g).is_some_and(|bd| bd.open <= k && k <= bd.close))
    });
    if direct_done {
        return None;
    }
    let name = &func.name;
    let lead = match (total, with_done, without.as_slice()) {
        (_, 0, []) => format!(
            "`{add_text}` at {} is never matched: nothing in `{name}` calls `{done}`, so `{wait}` at {} waits forever",
            f.at(add),
            b.at()
        ),
        (Some(n), k, ws) if !ws.is_empty() => format!(
            "`{add_text}` at {} expects {n} call{} of `{done}`, but only {k} of the goroutines `{name}` starts call{} it: the one{} started at {} never do{}, so `{wait}` at {} waits forever",
            f.at(add),
            if n == 1 { "" } else { "s" },
            if k == 1 { "s" } else { "" },
            if ws.len() == 1 { "" } else { "s" },
            ws.iter().map(|&l| f.at(l)).collect::<Vec<_>>().join(", "),
            if ws.len() == 1 { "es" } else { "" },
            b.at()
        ),
        (Some(n), k, []) if (k as u64) < n => format!(
            "`{add_text}` at {} expects {n} calls of `{done}`, but `{name}` starts only {k} goroutine{} that call it, so `{wait}` at {} waits forever",
            f.at(add),
            if k == 1 { "" } else { "s" },
            b.at()
        ),
        _ => return None,
    };
    Some(Advice::new(
        Cause::WaitgroupImbalance,
        format!("{lead}. Call `{wg}.Add(1)` right before each `go` statement and `defer {done}` first thing in each goroutine."),
    ))
}

fn sleeping(cx: &Cx) -> Advice {
    let fix = "Use a ticker and a way out: `t := time.NewTicker(d)`, `defer t.Stop()`, and `select { case <-ctx.Done(): return; case <-t.C: … }` (or a stop channel that the owner closes).";
    let Some(b) = cx
        .block()
        .filter(|b| b.file.stmt(b.line).contains("Sleep("))
    else {
        return Advice::new(
            Cause::Sleeping,
            format!("The goroutine sleeps, most likely in a loop that nothing can stop. {fix}"),
        );
    };
    let f = &b.file;
    let lp = f
        .func_at(b.line)
        .and_then(|d| f.loop_around(b.line, &d.body))
        .copied();
    let call = f.src(b.line);
    Advice::new(
        Cause::Sleeping,
        match lp {
            Some(lp) => format!(
                "The loop at {} sleeps (`{call}` at {}) and nothing can stop it, so it outlives its caller. {fix}",
                f.at(lp.open),
                b.at()
            ),
            None => format!(
                "The goroutine sleeps at {} (`{call}`) past the end of its test. Wait on a timer together with a way out instead: `select {{ case <-ctx.Done(): return; case <-time.After(d): }}`.",
                b.at()
            ),
        },
    )
}

fn infinite_loop(cx: &Cx) -> Advice {
    let fix = "Give the loop an exit it checks: block on a channel that is closed when the condition changes (`<-ready`), or check `ctx.Err()`/a done channel on every turn.";
    let Some(b) = cx.block() else {
        return Advice::new(
            Cause::InfiniteLoop,
            format!("The goroutine never blocks and never ends: it is spinning in a loop. {fix}"),
        );
    };
    let f = &b.file;
    let lp = f
        .block_opened_at(b.line)
        .filter(|x| GoFile::is_loop_header(f.header(x)))
        .or_else(|| {
            f.func_at(b.line)
                .and_then(|d| f.loop_around(b.line, &d.body))
        })
        .copied();
    Advice::new(
        Cause::InfiniteLoop,
        match lp {
            Some(lp) => format!(
                "The loop at {} (`{}`) never blocks and never ends: it spins on the CPU. {fix}",
                f.at(lp.open),
                f.src(lp.open)
            ),
            None => format!(
                "The goroutine is still running at {}: it never blocks and never ends. {fix}",
                b.at()
            ),
        },
    )
}

fn blocked_io(cx: &Cx) -> Advice {
    let at = cx
        .block()
        .map(|b| format!(" at {}", b.at()))
        .unwrap_or_default();
    Advice::new(
        Cause::BlockedIo,
        format!("The goroutine waits{at} on network or file I/O that nothing ends. Close the connection, listener or response body when done (`defer conn.Close()`, `defer resp.Body.Close()`), or set a deadline (`conn.SetDeadline`)."),
    )
}

fn nil_chan(cx: &Cx) -> Advice {
    let at = cx
        .block()
        .map(|b| format!(" at {}", b.at()))
        .unwrap_or_default();
    let op = if cx.state().starts_with("chan send") {
        "sends on"
    } else {
        "receives from"
    };
    Advice::new(
        Cause::Deadlock,
        format!("The goroutine {op} a nil channel{at}, which blocks forever: the channel was never made. Initialise it with `make(chan T)` before the goroutine starts (a field of a struct literal too)."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Source files in memory, keyed by root-relative path.
    struct Mem(BTreeMap<String, String>);

    impl SourceReader for Mem {
        fn frame_file(&self, _f: &Frame) -> Option<(String, String)> {
            None
        }
        fn package_files(&self, rel: &str) -> Vec<(String, String)> {
            let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
            self.0
                .iter()
                .filter(|(p, _)| p.rsplit_once('/').map_or("", |(d, _)| d) == dir)
                .map(|(p, t)| (p.clone(), t.clone()))
                .collect()
        }
    }

    /// A reader that resolves frames through the module path.
    struct MemFrames<'a>(&'a Mem, &'a Resolver);

    impl SourceReader for MemFrames<'_> {
        fn frame_file(&self, f: &Frame) -> Option<(String, String)> {
            let rel = self.1.display_path(f);
            self.0 .0.get(&rel).map(|t| (rel, t.clone()))
        }
        fn package_files(&self, rel: &str) -> Vec<(String, String)> {
            self.0.package_files(rel)
        }
    }

    fn frame(function: &str, file: &str, line: u32) -> Frame {
        Frame {
            function: function.into(),
            file: file.into(),
            line,
            ..Frame::default()
        }
    }

    fn g(state: &str, frames: Vec<Frame>, created_by: Frame) -> Goroutine {
        Goroutine {
            id: 7,
            state: state.into(),
            frames,
            created_by: Some(created_by),
            ..Goroutine::default()
        }
    }

    fn run(src: &[(&str, &str)], gr: &Goroutine) -> Advice {
        let r = Resolver::with_module(None, "example.com/m");
        let mem = Mem(src
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect());
        advise_with(gr, &r, &MemFrames(&mem, &r))
    }

    const FETCH: &str = "package f\n\nfunc Fetch(d time.Duration) (string, error) {\n\tch := make(chan string)\n\tgo func() {\n\t\tch <- work()\n\t}()\n\tselect {\n\tcase v := <-ch:\n\t\treturn v, nil\n\tcase <-time.After(d):\n\t\treturn \"\", errTimeout\n\t}\n}\n";

    fn fnn(pkg: &str, recv: Option<&str>, func: &str, closure: bool) -> FnName {
        FnName {
            pkg: pkg.into(),
            recv: recv.map(str::to_string),
            func: func.into(),
            closure,
        }
    }

    #[test]
    fn function_names_split() {
        assert_eq!(
            split_fn("example.com/m/w.(*Pool).loop"),
            fnn("example.com/m/w", Some("Pool"), "loop", false)
        );
        assert_eq!(
            split_fn("example.com/m/w.(*Worker).Start.func1"),
            fnn("example.com/m/w", Some("Worker"), "Start", true)
        );
        assert_eq!(
            split_fn("example.com/m/w.Fetch.func1.2"),
            fnn("example.com/m/w", None, "Fetch", true)
        );
        assert_eq!(
            split_fn("example.com/m/w.Cache[...].Get"),
            fnn("example.com/m/w", Some("Cache"), "Get", false)
        );
        assert_eq!(split_fn("main.main"), fnn("main", None, "main", false));
    }

    #[test]
    fn forgotten_sender_with_a_sure_fix() {
        let gr = g(
            "chan send",
            vec![frame("example.com/m/f.Fetch.func1", "/x/f/f.go", 6)],
            frame("example.com/m/f.Fetch", "/x/f/f.go", 5),
        );
        let a = run(&[("f/f.go", FETCH)], &gr);
        assert_eq!(a.cause, Cause::ForgottenSender);
        assert_eq!(
            a.text,
            "`ch` is made unbuffered at f/f.go:4 (`make(chan string)`) and `Fetch` stops receiving from it when the `time.After(d)` case fires (f/f.go:11), so the send at f/f.go:6 blocks forever. Make it `make(chan string, 1)`: the single send then always completes and the goroutine exits. `--fix-diff` writes this change."
        );
        let fix = a.fix.expect("a sure fix");
        assert_eq!(
            fix.edit,
            Edit {
                path: "f/f.go".into(),
                line: 4,
                find: "make(chan string)".into(),
                replace: "make(chan string, 1)".into()
            }
        );
        // The file as read travels with the fix: --fix-diff never reads it again.
        assert_eq!(&*fix.text, FETCH);
        // Without the source: the stack alone.
        let none = run(&[], &gr);
        assert_eq!(none.cause, Cause::ForgottenSender);
        assert_eq!(none.fix, None);
    }

    #[test]
    fn no_fix_when_the_goroutine_sends_twice_or_is_buffered() {
        let gr = g(
            "chan send",
            vec![frame("example.com/m/f.Fetch.func1", "/x/f/f.go", 6)],
            frame("example.com/m/f.Fetch", "/x/f/f.go", 5),
        );
        let twice = FETCH.replace("\t\tch <- work()\n", "\t\tch <- work()\n\t\tch <- work()\n");
        let a = run(&[("f/f.go", &twice)], &gr);
        assert_eq!((a.cause, a.fix.is_none()), (Cause::ForgottenSender, true));
        let escapes = FETCH.replace("\tgo func() {\n", "\tremember(ch)\n\tgo func() {\n");
        let gr2 = g(
            "chan send",
            vec![frame("example.com/m/f.Fetch.func1", "/x/f/f.go", 7)],
            frame("example.com/m/f.Fetch", "/x/f/f.go", 6),
        );
        let a = run(&[("f/f.go", &escapes)], &gr2);
        assert_eq!((a.cause, a.fix.is_none()), (Cause::ForgottenSender, true));
        assert!(
            a.text.starts_with("`ch` is made unbuffered at f/f.go:4"),
            "{}",
            a.text
        );
        let buffered = FETCH.replace("make(chan string)", "make(chan string, 4)");
        let a = run(&[("f/f.go", &buffered)], &gr);
        assert_eq!((a.cause, a.fix.is_none()), (Cause::ForgottenSender, true));
        assert!(
            a.text.starts_with(
                "`Fetch` stops receiving from `ch` when the `time.After(d)` case fires"
            ),
            "{}",
            a.text
        );
    }

    #[test]
    fn early_return_when_senders_start_in_a_loop() {
        let src = "package e\n\nfunc First(rs []R) string {\n\tout := make(chan string)\n\tfor _, r := range rs {\n\t\tgo func(r R) {\n\t\t\tout <- r.q()\n\t\t}(r)\n\t}\n\treturn <-out\n}\n";
        let gr = g(
            "chan send",
            vec![frame("example.com/m/e.First.func1", "/x/e/e.go", 7)],
            frame("example.com/m/e.First", "/x/e/e.go", 6),
        );
        let a = run(&[("e/e.go", src)], &gr);
        assert_eq!(a.cause, Cause::EarlyReturn);
        assert_eq!(a.fix, None);
        assert!(a.text.starts_with("`First` starts a goroutine for every turn of the loop at e/e.go:5, each sending on `out` (made at e/e.go:4: `make(chan string)`) at e/e.go:7, but it receives only once (e/e.go:10)"), "{}", a.text);
    }

    #[test]
    fn library_goroutines_and_ignore_options() {
        let gr = g(
            "select",
            vec![frame(
                "net/http.(*persistConn).readLoop",
                "/usr/local/go/src/net/http/transport.go",
                2450,
            )],
            frame(
                "net/http.(*Transport).dialConn",
                "/usr/local/go/src/net/http/transport.go",
                1994,
            ),
        );
        let a = run(&[], &gr);
        assert_eq!(a.cause, Cause::OrphanedWorker);
        assert_eq!(
            a.ignore.as_deref(),
            Some("goleak.IgnoreTopFunction(\"net/http.(*persistConn).readLoop\")")
        );
        assert!(a.text.ends_with("ignore it deliberately with `goleak.VerifyNone(t, goleak.IgnoreTopFunction(\"net/http.(*persistConn).readLoop\"))`."), "{}", a.text);
        let io = g(
            "IO wait",
            vec![
                frame("runtime.gopark", "/usr/local/go/src/runtime/proc.go", 1),
                frame(
                    "internal/poll.runtime_pollWait",
                    "/usr/local/go/src/runtime/netpoll.go",
                    351,
                ),
                frame("net.(*netFD).Read", "/usr/local/go/src/net/fd_posix.go", 68),
                frame(
                    "github.com/x/y.(*Client).reader",
                    "/root/go/pkg/mod/github.com/x/y@v1.0.0/c.go",
                    10,
                ),
            ],
            frame(
                "github.com/x/y.Dial",
                "/root/go/pkg/mod/github.com/x/y@v1.0.0/c.go",
                5,
            ),
        );
        let a = run(&[], &io);
        assert_eq!(a.cause, Cause::OrphanedWorker);
        assert_eq!(
            a.ignore.as_deref(),
            Some("goleak.IgnoreAnyFunction(\"github.com/x/y.(*Client).reader\")")
        );
        assert!(
            a.text
                .starts_with("A background goroutine of a `y.Client` is still running"),
            "{}",
            a.text
        );
    }

    #[test]
    fn stack_only_causes_follow_the_state() {
        let cases = [
            ("chan receive", Cause::ForgottenReceiver),
            ("select", Cause::MissingCancel),
            ("select (no cases)", Cause::MissingCancel),
            ("sleep", Cause::Sleeping),
            ("IO wait", Cause::BlockedIo),
            ("runnable", Cause::InfiniteLoop),
            ("sync.Mutex.Lock", Cause::LockNeverReleased),
            ("sync.RWMutex.RLock", Cause::LockNeverReleased),
            ("sync.WaitGroup.Wait", Cause::WaitgroupImbalance),
            ("chan receive (nil chan)", Cause::Deadlock),
            ("GC assist wait", Cause::Unknown),
        ];
        for (state, cause) in cases {
            let gr = g(
                state,
                vec![frame("example.com/m/f.Run.func1", "/x/f/f.go", 6)],
                frame("example.com/m/f.Run", "/x/f/f.go", 5),
            );
            assert_eq!(run(&[], &gr).cause, cause, "{state}");
        }
    }

    #[test]
    fn a_types_loop_is_orphaned_when_the_type_has_close() {
        let pool = "package w\n\ntype Pool struct{ quit chan struct{} }\n\nfunc New() *Pool {\n\tp := &Pool{quit: make(chan struct{})}\n\tgo p.loop()\n\treturn p\n}\n\nfunc (p *Pool) loop() {\n\tfor {\n\t\tselect {\n\t\tcase <-p.quit:\n\t\t\treturn\n\t\t}\n\t}\n}\n";
        let closer = "package w\n\nfunc (p *Pool) Close() { close(p.quit) }\n";
        let gr = g(
            "select",
            vec![frame("example.com/m/w.(*Pool).loop", "/x/w/pool.go", 13)],
            frame("example.com/m/w.New", "/x/w/pool.go", 7),
        );
        let a = run(&[("w/pool.go", pool), ("w/close.go", closer)], &gr);
        assert_eq!(a.cause, Cause::OrphanedWorker);
        assert_eq!(
            a.text,
            "This goroutine belongs to a `Pool`: it runs `(Pool).loop` (started at w/pool.go:7 in `New`), and only `Pool.Close` (w/close.go:3) ends it. The code that made the `Pool` never called it. Stop it when done: `p := w.New(…)` followed by `defer p.Close()`."
        );
        // Without Close the select's own story is told.
        let a = run(&[("w/pool.go", pool)], &gr);
        assert_eq!(a.cause, Cause::MissingCancel);
        assert!(a.text.starts_with("The `select` at w/pool.go:13 ends only when `p.quit` is closed, and nothing in package `w` closes `p.quit`."), "{}", a.text);
        // Stack only: a method started by its constructor.
        assert_eq!(run(&[], &gr).cause, Cause::OrphanedWorker);
    }

    #[test]
    fn ranges_and_tickers() {
        let src = "package t\n\nfunc Beat(d time.Duration) {\n\tt := time.NewTicker(d)\n\tgo func() {\n\t\tfor range t.C {\n\t\t}\n\t}()\n}\n\nfunc Sum(ch chan int) {\n\tgo func() {\n\t\tfor v := range ch {\n\t\t\t_ = v\n\t\t}\n\t}()\n}\n";
        let tick = g(
            "chan receive",
            vec![frame("example.com/m/t.Beat.func1", "/x/t/t.go", 6)],
            frame("example.com/m/t.Beat", "/x/t/t.go", 5),
        );
        let a = run(&[("t/t.go", src)], &tick);
        assert_eq!(a.cause, Cause::LeakedTicker);
        assert!(
            a.text
                .starts_with("The loop at t/t.go:6 waits on `t.C` of the ticker made at t/t.go:4"),
            "{}",
            a.text
        );
        let sum = g(
            "chan receive",
            vec![frame("example.com/m/t.Sum.func1", "/x/t/t.go", 13)],
            frame("example.com/m/t.Sum", "/x/t/t.go", 12),
        );
        let a = run(&[("t/t.go", src)], &sum);
        assert_eq!(a.cause, Cause::UnclosedRange);
        assert!(a.text.starts_with("The `for v := range ch` loop at t/t.go:13 ends only when `ch` is closed, and nothing in `Sum` closes `ch`."), "{}", a.text);
    }

    #[test]
    fn locks_name_the_early_return() {
        let src = "package c\n\nfunc (c *C) Get(k string) string {\n\tc.mu.Lock()\n\tif k == \"\" {\n\t\treturn \"\"\n\t}\n\tc.mu.Unlock()\n\treturn k\n}\n\nfunc (c *C) Put() {\n\tgo func() {\n\t\tc.mu.Lock()\n\t\tdefer c.mu.Unlock()\n\t}()\n}\n";
        let gr = g(
            "sync.Mutex.Lock",
            vec![
                frame("sync.(*Mutex).Lock", "/usr/local/go/src/sync/mutex.go", 46),
                frame("example.com/m/c.(*C).Put.func1", "/x/c/c.go", 14),
            ],
            frame("example.com/m/c.(*C).Put", "/x/c/c.go", 13),
        );
        let a = run(&[("c/c.go", src)], &gr);
        assert_eq!(a.cause, Cause::LockNeverReleased);
        assert_eq!(a.text, "`c.mu` is locked at c/c.go:4 in `Get`, which returns at c/c.go:6 without unlocking it, so the `c.mu.Lock()` at c/c.go:14 waits forever. Unlock on every path: lock, then `defer c.mu.Unlock()` on the next line.");
    }

    #[test]
    fn waitgroups_name_the_goroutine_without_done() {
        let src = "package w\n\nfunc F(a, b func()) {\n\tvar wg sync.WaitGroup\n\twg.Add(2)\n\tgo func() {\n\t\tdefer wg.Done()\n\t\ta()\n\t}()\n\tgo func() {\n\t\tb()\n\t}()\n\tgo func() {\n\t\twg.Wait()\n\t}()\n}\n";
        let gr = g(
            "sync.WaitGroup.Wait",
            vec![frame("example.com/m/w.F.func3", "/x/w/w.go", 14)],
            frame("example.com/m/w.F", "/x/w/w.go", 13),
        );
        let a = run(&[("w/w.go", src)], &gr);
        assert_eq!(a.cause, Cause::WaitgroupImbalance);
        assert_eq!(a.text, "`wg.Add(2)` at w/w.go:5 expects 2 calls of `wg.Done()`, but only 1 of the goroutines `F` starts calls it: the one started at w/w.go:10 never does, so `wg.Wait()` at w/w.go:14 waits forever. Call `wg.Add(1)` right before each `go` statement and `defer wg.Done()` first thing in each goroutine.");
    }

    #[test]
    fn records_without_state_hung_tests_and_unstarted_goroutines() {
        // A goroutineleak `debug=1` record: no state, no creator; the statement tells.
        let src = "package n\n\nfunc Notify() {\n\tch := make(chan int)\n\tgo func() {\n\t\tch <- 1\n\t}()\n}\n";
        let rec = Goroutine {
            frames: vec![frame("example.com/m/n.Notify.func1", "/x/n/n.go", 6)],
            ..Goroutine::default()
        };
        assert_eq!(run(&[("n/n.go", src)], &rec).cause, Cause::ForgottenSender);
        assert_eq!(run(&[], &rec).cause, Cause::Unknown);
        // A test goroutine blocked for good is a hung test.
        let hung = g(
            "chan receive",
            vec![
                frame("example.com/m/n.Wait", "/x/n/n.go", 9),
                frame("example.com/m/n.TestWait", "/x/n/n_test.go", 4),
                frame("testing.tRunner", "/go/src/testing/testing.go", 2036),
            ],
            frame("testing.(*T).Run", "/go/src/testing/testing.go", 2101),
        );
        let a = run(&[], &hung);
        assert_eq!(a.cause, Cause::Deadlock);
        assert!(
            a.text
                .starts_with("This goroutine is the test `TestWait` itself, blocked for good"),
            "{}",
            a.text
        );
        // Reported before it ran: only the `go` statement's wrapper is on the stack.
        let reg = "package r\n\ntype R struct{}\n\nfunc NewR() *R {\n\tr := &R{}\n\tgo r.watch()\n\treturn r\n}\n\nfunc (r *R) watch() {\n\tselect {}\n}\n";
        let fresh = g(
            "runnable",
            vec![
                frame("example.com/m/r.NewR.gowrap1", "/x/r/r.go", 7),
                frame("runtime.goexit", "/go/src/runtime/asm_amd64.s", 1771),
            ],
            frame("example.com/m/r.NewR", "/x/r/r.go", 7),
        );
        let a = run(&[("r/r.go", reg)], &fresh);
        assert_eq!(a.cause, Cause::OrphanedWorker);
        assert_eq!(a.text, "The goroutine had not even started running when it was reported: it is the `go r.watch()` at r/r.go:7, the background worker of a `R` that `NewR` starts; `R` has no method that stops it. Give `R` a `Close` method that ends the loop (close a quit channel it selects on) and call it when done (`defer r.Close()`).");
        assert_eq!(run(&[], &fresh).cause, Cause::OrphanedWorker);
    }

    #[test]
    fn odd_source_never_panics() {
        let texts = [
            "package p\nfunc F() {\n\tch := make(chan string\n\tgo func() {\n\t\tch <- \"é{\n\t}\n",
            "}}}{{{\nselect {\ncase <-:\ncase x <- :\n}\nfor range {\n`raw\n{`\n'\\''\n/* é",
            "func (",
            "func F() {\n\tgo func() {\n\t\tmu.Lock()\n\t\twg.Wait()\n\t\ttime.Sleep(1)\n\t\tfor !x {\n\t\t}\n\t}()\n\twg.Add(\n}\n",
            "func (p *P) loop() {\n\tfor {\n\t\tselect {\n\t\tcase <-p.done:\n\t\tcase c <- 1:\n\t\tdefault:\n\t\t}\n\t}\n}\nfunc NewP() *P { go p.loop(); return nil }\nfunc (p *P) Close() {}\n",
            "\u{feff}ñ := make(chan ñ)\r\nñ <- 1\r\nfor v := range ñ {\r\n}\r\n",
        ];
        let states = [
            "chan send",
            "chan receive",
            "select",
            "sync.Mutex.Lock",
            "sync.RWMutex.RLock",
            "sync.WaitGroup.Wait",
            "sleep",
            "runnable",
            "IO wait",
            "chan send (nil chan)",
            "select (no cases)",
            "",
        ];
        for text in texts {
            for cut in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                let t = &text[..cut];
                let lines = t.lines().count() as u32 + 1;
                for state in states {
                    for line in 0..=lines {
                        let gr = g(
                            state,
                            vec![
                                frame("example.com/m/p.(*P).loop", "/x/p/p.go", line),
                                frame("testing.tRunner", "/go/src/testing/testing.go", 1),
                            ],
                            frame("example.com/m/p.NewP", "/x/p/p.go", lines - line),
                        );
                        let a = run(&[("p/p.go", t), ("p/q.go", text)], &gr);
                        assert!(Cause::ALL.contains(&a.cause));
                    }
                }
            }
        }
    }
}
