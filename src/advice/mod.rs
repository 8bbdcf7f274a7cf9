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
//!
//! The pipeline runs [`advise`] once per leak group and stores the whole [`Advice`] on the group; every
//! sink renders what is stored (`--fix-diff` included: a [`Fix`] carries its file's text).
//!
//! | file | holds |
//! | --- | --- |
//! | `mod.rs` | [`Advice`], the source readers, [`advise`] and the dispatcher (`classify`: which rule runs) |
//! | `cause.rs` | the vocabulary: [`Cause`], with each cause's meaning and general fix |
//! | `edit.rs` | sure fixes: [`Edit`], [`Fix`] |
//! | `context.rs` | what a classification looks at (the goroutine, its user frames, cached source), shared helpers, and `VarId`: which mutex or channel an expression names (type and field, package variable, local) |
//! | `channels.rs` | blocked sends and receives, ranges, nil channels |
//! | `cancel.rs` | `select`s without a way out, contexts nobody cancels |
//! | `tickers.rs` | tickers, sleeps, loops that never block |
//! | `locks.rs` | `sync.Once` waits, locks the blocked goroutine holds itself (same function, a caller, a `continue`), holders of the same mutex that return without unlocking |
//! | `waitgroup.rs` | WaitGroups whose `Add`s outnumber their `Done`s, or whose `Done` sits behind a blocking statement |
//! | `workers.rs` | workers of the user's own types that nobody stopped, goroutines reported before they ran |
//! | `library.rs` | third-party goroutines (`net/http`, `httptest`, `database/sql`, others), blocked I/O, goleak ignore options |

mod cancel;
pub mod cause;
mod channels;
mod context;
pub mod edit;
mod library;
mod locks;
mod tickers;
mod waitgroup;
mod workers;

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

use cancel::*;
use channels::*;
use context::*;
use library::*;
use locks::*;
use tickers::*;
use waitgroup::*;
use workers::*;

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
    /// A goroutine blocked in `Lock` at `line` of `l/l.go`, in function `func`, started at `creator_line`.
    fn locked(state: &str, func: &str, line: u32, creator_line: u32) -> Goroutine {
        g(
            state,
            vec![
                frame("sync.(*Mutex).Lock", "/usr/local/go/src/sync/mutex.go", 46),
                frame(func, "/x/l/l.go", line),
            ],
            frame("example.com/m/l.Start", "/x/l/l.go", creator_line),
        )
    }

    #[test]
    fn a_lock_held_by_the_same_goroutine_is_a_deadlock() {
        let src = "package l\n\nfunc Start() {\n\tgo func() {\n\t\tmu := &sync.RWMutex{}\n\t\tmu.Lock()\n\t\tmu.RLock()\n\t}()\n}\n";
        let a = run(
            &[("l/l.go", src)],
            &locked("sync.RWMutex.RLock", "example.com/m/l.Start.func1", 7, 4),
        );
        assert_eq!(a.cause, Cause::Deadlock);
        assert_eq!(a.text, "This goroutine already holds `mu`: it locked it at l/l.go:6 (`mu.Lock()`) and has not unlocked it when it locks it again at l/l.go:7. A goroutine cannot lock a mutex it already holds: Go's mutexes are not reentrant, so it waits for itself. Release `mu` before this point, or call code that expects the lock held instead of code that takes it.");
        // Held across an `if` whose condition reads the owner: still sure.
        let src = "package l\n\nfunc (s *S) Stop() {\n\ts.mu.Lock()\n\tif s.drain {\n\t\ts.mu.Lock()\n\t\treturn\n\t}\n\ts.mu.Unlock()\n}\n";
        let a = run(
            &[("l/l.go", src)],
            &locked("sync.Mutex.Lock", "example.com/m/l.(*S).Stop", 6, 3),
        );
        assert_eq!(a.cause, Cause::Deadlock);
        assert!(
            a.text
                .starts_with("This goroutine already holds `s.mu`: it locked it at l/l.go:4"),
            "{}",
            a.text
        );
        // A read lock held while asking for a read lock: recursive read locking.
        let src = "package l\n\nfunc (s *S) Get() {\n\ts.mu.RLock()\n\tdefer s.mu.RUnlock()\n\ts.mu.RLock()\n}\n";
        let a = run(
            &[("l/l.go", src)],
            &locked("sync.RWMutex.RLock", "example.com/m/l.(*S).Get", 6, 3),
        );
        assert_eq!(a.cause, Cause::Deadlock);
        assert!(
            a.text
                .contains("`sync.RWMutex` forbids recursive read locking"),
            "{}",
            a.text
        );
    }

    #[test]
    fn a_lock_released_or_on_another_path_is_not_held() {
        let cases = [
            // Released before the second lock.
            "package l\n\nfunc (s *S) F() {\n\ts.mu.Lock()\n\ts.mu.Unlock()\n\ts.mu.Lock()\n}\n",
            // Another clause of the same switch.
            "package l\n\nfunc (s *S) F() {\n\tswitch s.x {\n\tcase 1:\n\t\ts.mu.Lock()\n\tcase 2:\n\t\ts.mu.Lock()\n\t}\n}\n",
            // The other branch of an if.
            "package l\n\nfunc (s *S) F() {\n\tif s.x {\n\t\ts.mu.Lock()\n\t} else {\n\t\ts.mu.Lock()\n\t}\n}\n",
            // Another receiver whose name ends the same way.
            "package l\n\nfunc (s *S) F() {\n\txs.mu.Lock()\n\tif s.x {\n\t\ts.mu.Lock()\n\t}\n}\n",
            // A lock inside a one-line closure.
            "package l\n\nfunc (s *S) F() {\n\tf := func() { s.mu.Lock() }\n\t_ = f\n\ts.mu.Lock()\n}\n",
        ];
        let lines = [6, 8, 7, 6, 6];
        for (src, line) in cases.iter().zip(lines) {
            let a = run(
                &[("l/l.go", src)],
                &locked("sync.Mutex.Lock", "example.com/m/l.(*S).F", line, 3),
            );
            assert_eq!(a.cause, Cause::LockNeverReleased, "{src}");
            assert!(!a.text.contains("already holds"), "{src}: {}", a.text);
        }
    }

    #[test]
    fn a_call_in_between_is_named_unless_it_cannot_unlock() {
        let src = "package l\n\ntype S struct {\n\tmu sync.Mutex\n}\n\nfunc (s *S) F() {\n\ts.mu.Lock()\n\ts.flush()\n\ts.mu.Lock()\n}\n\nfunc (s *S) flush() {\n\ts.mu.Unlock()\n}\n";
        let a = run(
            &[("l/l.go", src)],
            &locked("sync.Mutex.Lock", "example.com/m/l.(*S).F", 10, 3),
        );
        assert_eq!(a.cause, Cause::LockNeverReleased);
        assert_eq!(a.text, "This goroutine already holds `s.mu`: it locked it at l/l.go:8 (`s.mu.Lock()`) and has not unlocked it when it locks it again at l/l.go:10, unless `s.flush()` (l/l.go:9) releases it. Check that call: if it does not unlock `s.mu`, this goroutine waits for itself (Go's mutexes are not reentrant).");
        let innocent = src.replace("\ts.mu.Unlock()\n}\n", "\tlog.Print(\"x\")\n}\n");
        let a = run(
            &[("l/l.go", &innocent)],
            &locked("sync.Mutex.Lock", "example.com/m/l.(*S).F", 10, 3),
        );
        assert_eq!(a.cause, Cause::Deadlock, "{}", a.text);
    }

    #[test]
    fn a_lock_held_by_a_caller_or_left_by_continue() {
        let src = "package l\n\ntype V struct {\n\tsync.Mutex\n}\n\nfunc (v *V) Add() {\n\tv.Lock()\n\tdefer v.Unlock()\n\tv.remove()\n}\n\nfunc (v *V) remove() {\n\tv.Lock()\n\tdefer v.Unlock()\n}\n";
        let gr = g(
            "sync.Mutex.Lock",
            vec![
                frame("sync.(*Mutex).Lock", "/usr/local/go/src/sync/mutex.go", 46),
                frame("example.com/m/l.(*V).remove", "/x/l/l.go", 14),
                frame("example.com/m/l.(*V).Add", "/x/l/l.go", 10),
            ],
            frame("example.com/m/l.Start", "/x/l/l.go", 20),
        );
        let a = run(&[("l/l.go", src)], &gr);
        assert_eq!(a.cause, Cause::Deadlock);
        assert_eq!(a.text, "This goroutine already holds `v`: `Add` locked it at l/l.go:8 (`v.Lock()`) and, still holding it, called `remove` at l/l.go:10, which locks it again at l/l.go:14. A goroutine cannot lock a mutex it already holds: Go's mutexes are not reentrant, so it waits for itself. Release `v` before this point, or call code that expects the lock held instead of code that takes it.");
        // The callee unlocks before it locks again: not held.
        let unlocks = src.replace(
            "func (v *V) remove() {\n\tv.Lock()",
            "func (v *V) remove() {\n\tv.Unlock()\n\tv.Lock()",
        );
        let gr2 = g(
            "sync.Mutex.Lock",
            vec![
                frame("example.com/m/l.(*V).remove", "/x/l/l.go", 15),
                frame("example.com/m/l.(*V).Add", "/x/l/l.go", 10),
            ],
            frame("example.com/m/l.Start", "/x/l/l.go", 20),
        );
        let a = run(&[("l/l.go", &unlocks)], &gr2);
        assert!(!a.text.contains("already holds"), "{}", a.text);
        // Called on another value of the type: not the same mutex.
        let other = src.replace("\tv.remove()\n", "\tv.peer.remove()\n");
        assert!(!run(&[("l/l.go", &other)], &gr)
            .text
            .contains("already holds"));
        // A loop that `continue`s with the lock held.
        let lp = "package l\n\nfunc (p *P) Run() {\n\tfor i := 0; i < 2; i++ {\n\t\tp.mu.Lock()\n\t\tif err != nil {\n\t\t\tcontinue\n\t\t}\n\t\tp.mu.Unlock()\n\t}\n}\n";
        let a = run(
            &[("l/l.go", lp)],
            &locked("sync.Mutex.Lock", "example.com/m/l.(*P).Run", 5, 3),
        );
        assert_eq!(a.cause, Cause::Deadlock);
        assert_eq!(a.text, "The loop at l/l.go:4 locks `p.mu` at l/l.go:5 and `continue`s at l/l.go:7 without unlocking it, so the next turn's `p.mu.Lock()` at l/l.go:5 waits for a lock this goroutine already holds. Unlock before the `continue` (or move the locked part into a function that does `defer p.mu.Unlock()`).");
        let unlocked = lp.replace("\t\t\tcontinue\n", "\t\t\tp.mu.Unlock()\n\t\t\tcontinue\n");
        let a = run(
            &[("l/l.go", &unlocked)],
            &locked("sync.Mutex.Lock", "example.com/m/l.(*P).Run", 5, 3),
        );
        assert_eq!(a.cause, Cause::LockNeverReleased, "{}", a.text);
    }

    #[test]
    fn the_holder_that_returns_locks_the_same_mutex() {
        // Two types with a `mu` field: A's early return never explains B's wait.
        let a_go = "package l\n\ntype A struct {\n\tmu sync.Mutex\n}\n\nfunc (a *A) Get() int {\n\ta.mu.Lock()\n\tif a.n == 0 {\n\t\treturn 0\n\t}\n\ta.mu.Unlock()\n\treturn 1\n}\n";
        let b_go = "package l\n\ntype B struct {\n\tmu sync.Mutex\n\ta *A\n}\n\nfunc (b *B) Put() {\n\tgo func() {\n\t\tb.mu.Lock()\n\t\tb.mu.Unlock()\n\t}()\n}\n\nfunc (b *B) Touch() {\n\tgo func() {\n\t\tb.a.mu.Lock()\n\t\tb.a.mu.Unlock()\n\t}()\n}\n";
        let gr = g(
            "sync.Mutex.Lock",
            vec![frame("example.com/m/l.(*B).Put.func1", "/x/l/b.go", 10)],
            frame("example.com/m/l.(*B).Put", "/x/l/b.go", 9),
        );
        let a = run(&[("l/a.go", a_go), ("l/b.go", b_go)], &gr);
        assert_eq!(a.cause, Cause::LockNeverReleased);
        assert!(a.text.starts_with("The `b.mu.Lock()` at l/b.go:10 waits for `b.mu`, which something holds and does not release"), "{}", a.text);
        // Through a field of type *A it is A's mutex.
        let gr = g(
            "sync.Mutex.Lock",
            vec![frame("example.com/m/l.(*B).Touch.func1", "/x/l/b.go", 17)],
            frame("example.com/m/l.(*B).Touch", "/x/l/b.go", 16),
        );
        let a = run(&[("l/a.go", a_go), ("l/b.go", b_go)], &gr);
        assert_eq!(a.text, "`a.mu` is locked at l/a.go:8 in `Get`, which returns at l/a.go:10 without unlocking it, so the `b.a.mu.Lock()` at l/b.go:17 waits forever. Unlock on every path: lock, then `defer a.mu.Unlock()` on the next line.");
        // A return in another clause of the switch that locks is not a path that holds the lock.
        let sw = "package l\n\ntype A struct {\n\tmu sync.Mutex\n}\n\nfunc (a *A) Get() bool {\n\tswitch a.n {\n\tcase 0:\n\t\ta.mu.Lock()\n\tdefault:\n\t\treturn false\n\t}\n\ta.mu.Unlock()\n\treturn true\n}\n\nfunc (a *A) Put() {\n\tgo func() {\n\t\ta.mu.Lock()\n\t}()\n}\n";
        let gr = g(
            "sync.Mutex.Lock",
            vec![frame("example.com/m/l.(*A).Put.func1", "/x/l/a.go", 20)],
            frame("example.com/m/l.(*A).Put", "/x/l/a.go", 19),
        );
        let a = run(&[("l/a.go", sw)], &gr);
        assert!(
            a.text
                .starts_with("The `a.mu.Lock()` at l/a.go:20 waits for `a.mu`"),
            "{}",
            a.text
        );
    }

    #[test]
    fn a_wait_inside_sync_once() {
        let src =
            "package l\n\nfunc (p *P) init() {\n\tp.once.Do(func() {\n\t\tp.load()\n\t})\n}\n";
        let gr = g(
            "sync.Mutex.Lock",
            vec![
                frame("sync.(*Mutex).Lock", "/usr/local/go/src/sync/mutex.go", 46),
                frame("sync.(*Once).doSlow", "/usr/local/go/src/sync/once.go", 74),
                frame("sync.(*Once).Do", "/usr/local/go/src/sync/once.go", 69),
                frame("example.com/m/l.(*P).init", "/x/l/l.go", 4),
            ],
            frame("example.com/m/l.Start", "/x/l/l.go", 20),
        );
        let a = run(&[("l/l.go", src)], &gr);
        assert_eq!(a.cause, Cause::Deadlock);
        assert!(a.text.starts_with("The `p.once.Do` at l/l.go:4 waits for another call of the same `sync.Once`, whose function has not returned"), "{}", a.text);
        assert_eq!(run(&[], &gr).cause, Cause::Deadlock);
    }

    #[test]
    fn waitgroups_claim_only_what_the_source_shows() {
        // The Done exists but comes after a send that blocks (GoBench's `Mixed`).
        let mixed = "package w\n\nfunc Mixed() {\n\tgo func() {\n\t\tch := make(chan int)\n\t\twg := sync.WaitGroup{}\n\t\twg.Add(1)\n\t\tgo func() {\n\t\t\tch <- 0\n\t\t\twg.Done()\n\t\t}()\n\t\twg.Wait()\n\t\t<-ch\n\t}()\n}\n";
        let gr = g(
            "sync.WaitGroup.Wait",
            vec![frame("example.com/m/w.Mixed.func1", "/x/w/w.go", 12)],
            frame("example.com/m/w.Mixed", "/x/w/w.go", 4),
        );
        let a = run(&[("w/w.go", mixed)], &gr);
        assert_eq!(a.cause, Cause::WaitgroupImbalance);
        assert_eq!(a.text, "The goroutine started at w/w.go:8 reaches `wg.Done()` (w/w.go:10) only after `ch <- 0` (w/w.go:9): if that blocks, `wg.Done()` never runs, so `wg.Wait()` at w/w.go:12 waits forever. Look in this report for that goroutine blocked before its `Done`. Call `wg.Add(1)` right before each `go` statement and `defer wg.Done()` first thing in each goroutine.");
        // A `go` in a loop starts many goroutines: no count is claimed (GoBench's `Etcd7492`).
        let looped = "package w\n\nfunc F() {\n\tvar wg sync.WaitGroup\n\twg.Add(3)\n\tfor i := 0; i < 3; i++ {\n\t\tgo func() {\n\t\t\tdefer wg.Done()\n\t\t\twork()\n\t\t}()\n\t}\n\tgo func() {\n\t\twg.Wait()\n\t}()\n}\n";
        let gr = g(
            "sync.WaitGroup.Wait",
            vec![frame("example.com/m/w.F.func2", "/x/w/w.go", 13)],
            frame("example.com/m/w.F", "/x/w/w.go", 12),
        );
        let a = run(&[("w/w.go", looped)], &gr);
        assert_eq!(a.text, "`wg.Wait()` at w/w.go:13 waits for the deferred `wg.Done()` at w/w.go:8, which runs only when its goroutine returns: look in this report for a goroutine counted by `wg.Add(3)` (w/w.go:5) that is still blocked, and for what it waits on. Call `wg.Add(1)` right before each `go` statement and `defer wg.Done()` first thing in each goroutine.");
        // Without the source nothing is claimed about `Add` and `Done`.
        let a = run(&[], &gr);
        assert!(a.text.starts_with("The `Wait` never returns"), "{}", a.text);
        assert!(!a.text.contains("no matching"), "{}", a.text);
    }
    #[test]
    fn a_full_buffered_channel_is_never_told_to_get_room() {
        let src = "package c\n\ntype C struct {\n\tch chan struct{}\n}\n\nfunc New() *C {\n\treturn &C{ch: make(chan struct{}, 1)}\n}\n\nfunc (c *C) Kick() {\n\tc.ch <- struct{}{}\n}\n";
        let gr = g(
            "chan send",
            vec![frame("example.com/m/c.(*C).Kick", "/x/c/c.go", 12)],
            frame("example.com/m/c.Start", "/x/c/c.go", 20),
        );
        let a = run(&[("c/c.go", src)], &gr);
        assert_eq!(a.cause, Cause::ForgottenSender);
        assert_eq!(a.text, "`c.ch` is buffered (`make(chan struct{}, 1)` at c/c.go:8) and full: the send at c/c.go:12 blocks forever because nothing receives from `c.ch` any more. A bigger buffer only helps when the number of sends is bounded: give the sender a way out (send in a `select` beside `case <-ctx.Done(): return`), or keep a receiver draining `c.ch` until the senders stop.");
        // Another type's `ch` made buffered says nothing about this one.
        let other = src.replace("type C struct {", "type D struct {\n\tch chan int\n}\n\nfunc NewD() *D {\n\treturn &D{ch: make(chan int, 8)}\n}\n\ntype C struct {").replace("make(chan struct{}, 1)", "make(chan struct{})");
        let gr = g(
            "chan send",
            vec![frame("example.com/m/c.(*C).Kick", "/x/c/c.go", 20)],
            frame("example.com/m/c.Start", "/x/c/c.go", 30),
        );
        let a = run(&[("c/c.go", &other)], &gr);
        assert!(a.text.starts_with("The send on `c.ch` at c/c.go:20 blocks forever: `c.ch` is unbuffered (`make(chan struct{})` at c/c.go:16)"), "{}", a.text);
    }
}
