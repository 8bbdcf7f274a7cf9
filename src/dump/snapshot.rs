//! What a bare goroutine dump says when no test framed it (issue 13, form 12): a crash dump is a failure
//! (the panic, with its message and the panicking goroutine's location) whose other goroutines are
//! context; a snapshot of a running program (`/debug/pprof/goroutine?debug=2`) holds no leak by itself,
//! only goroutines that are plausibly stuck (suspects) next to the known idle machinery of a healthy
//! program. A goroutineleak profile is the runtime's own proof: its `(leaked)` goroutines are leaks.
//!
//! [`classify`] is a pure function of the parsed goroutines and the dump's text.

use super::extract::{has_user_frame, is_blocked};
use super::{Frame, Goroutine};

/// What kind of bare dump this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpKind {
    /// A program crashed: `panic: …` or `fatal error: …` before the goroutines.
    Crash,
    /// `fatal error: all goroutines are asleep - deadlock!`: every blocked goroutine is stuck for good.
    Deadlock,
    /// A snapshot of a running program (a `debug=2` goroutine profile, a `SIGQUIT` dump).
    Snapshot,
    /// A goroutineleak profile (goroutines marked `(leaked)`, or its `goroutineleak profile:` header).
    LeakProfile,
}

/// What one goroutine of a bare dump is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The goroutine that panicked (a crash dump).
    Panicking,
    /// The runtime proved it leaked (`(leaked)` in a goroutineleak profile).
    Leaked,
    /// Plausibly stuck: blocked in a channel, lock, select or WaitGroup state in the program's own code,
    /// or deadlocked. Reported as a suspect, never as a leak.
    Suspect,
    /// Known idle machinery of a healthy program (an accept loop, keep-alive connections, a signal
    /// handler, `time.Sleep` in a loop, the main goroutine, the runtime's own goroutines).
    Expected,
    /// Another goroutine of a crash dump: context for the panic.
    Context,
}

/// Why a goroutine got its [`Role`], in words for a report.
pub type Reason = &'static str;

/// A crash's failure: the panic line and where the panicking goroutine was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crash {
    /// The first `panic: …` or `fatal error: …` line, trimmed.
    pub message: String,
    /// The panicking goroutine's id (the first `[running]` goroutine), when the dump shows it.
    pub goroutine: Option<u64>,
    /// Its innermost frame outside the runtime (the function that panicked), when there is one.
    pub frame: Option<Frame>,
}

/// A bare dump, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    /// What kind of dump it is.
    pub kind: DumpKind,
    /// The crash, for [`DumpKind::Crash`] and [`DumpKind::Deadlock`].
    pub crash: Option<Crash>,
    /// One role (and why) per goroutine, in the order given to [`classify`].
    pub roles: Vec<(Role, Reason)>,
}

impl Classified {
    /// The goroutines (of those given to [`classify`]) that have this role.
    pub fn with_role<'g>(&self, goroutines: &'g [Goroutine], role: Role) -> Vec<&'g Goroutine> {
        goroutines
            .iter()
            .zip(&self.roles)
            .filter(|(_, (r, _))| *r == role)
            .map(|(g, _)| g)
            .collect()
    }
}

/// Functions of idle machinery: a goroutine with one of these frames is expected in a running program.
const IDLE_MACHINERY: [(&str, Reason); 9] = [
    ("net/http.(*Server).Serve", "an HTTP server's accept loop"),
    ("net.(*TCPListener).Accept", "a listener's accept loop"),
    (
        "net/http.(*conn).serve",
        "an HTTP server connection waiting for its next request",
    ),
    (
        "net/http.(*persistConn).readLoop",
        "an idle keep-alive connection (read loop)",
    ),
    (
        "net/http.(*persistConn).writeLoop",
        "an idle keep-alive connection (write loop)",
    ),
    (
        "net/http.(*connReader).backgroundRead",
        "an HTTP server connection's background read",
    ),
    ("os/signal.signal_recv", "the signal handler"),
    ("os/signal.loop", "the signal handler"),
    ("os/signal.Notify.func1", "the signal handler"),
];

/// Wait states of a running program that are not stuck: working, sleeping, in the network poller or a
/// system call, or the runtime's own idle goroutines.
fn idle_state(state: &str) -> Option<Reason> {
    Some(match state {
        "running" | "runnable" | "preempted" | "copystack" => "running",
        "sleep" => "sleeping (time.Sleep)",
        "IO wait" => "waiting for the network",
        "syscall" => "in a system call",
        "garbage collection"
        | "GC worker (idle)"
        | "GC sweep wait"
        | "GC scavenge wait"
        | "GC assist wait"
        | "GC assist marking"
        | "force gc (idle)"
        | "finalizer wait"
        | "cleanup wait"
        | "timer goroutine (idle)"
        | "trace reader (blocked)"
        | "wait for GC cycle" => "the runtime's own goroutine",
        _ => return None,
    })
}

/// The dump's first `panic:`/`fatal error:` line before its first goroutine header.
fn crash_line(text: &str) -> Option<&str> {
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("goroutine ") && t.ends_with(':') {
            return None;
        }
        if t.starts_with("panic: ") || t.starts_with("fatal error: ") {
            return Some(t);
        }
    }
    None
}

/// True for a frame of the runtime's own panic machinery (`panic`, `runtime.gopanic`, `runtime.fatal…`).
fn is_panic_machinery(f: &Frame) -> bool {
    let pkg = f.package();
    !f.function.contains('.') || pkg == "runtime" || pkg.starts_with("runtime/")
}

/// True for the program's main goroutine (its outermost frame is `main.main`, called by `runtime.main`).
fn is_main_goroutine(g: &Goroutine) -> bool {
    g.created_by.is_none() && g.frames.iter().any(|f| f.function == "main.main")
}

/// Classifies the goroutines of a bare dump (`goroutines` as [`super::parse`] read them from `text`).
pub fn classify(text: &str, goroutines: &[Goroutine]) -> Classified {
    let leak_profile = goroutines.iter().any(|g| g.leaked)
        || text.trim_start().starts_with("goroutineleak profile:");
    if leak_profile {
        return Classified {
            kind: DumpKind::LeakProfile,
            crash: None,
            roles: goroutines
                .iter()
                .map(|g| match g.leaked {
                    true => (Role::Leaked, "marked (leaked) by the goroutineleak profile"),
                    false => (Role::Expected, "not marked (leaked)"),
                })
                .collect(),
        };
    }
    if let Some(line) = crash_line(text) {
        let deadlock = line.starts_with("fatal error: all goroutines are asleep");
        let panicking = goroutines
            .iter()
            .position(|g| g.state == "running")
            .filter(|_| !deadlock);
        let crash = Crash {
            message: line.to_string(),
            goroutine: panicking.map(|i| goroutines[i].id),
            frame: panicking.and_then(|i| {
                goroutines[i]
                    .frames
                    .iter()
                    .find(|f| !is_panic_machinery(f))
                    .cloned()
            }),
        };
        let roles = goroutines
            .iter()
            .enumerate()
            .map(|(i, g)| {
                if Some(i) == panicking {
                    (Role::Panicking, "the goroutine that panicked")
                } else if deadlock && is_blocked(g) && has_user_frame(g) {
                    (
                        Role::Suspect,
                        "blocked when every goroutine was asleep (deadlock)",
                    )
                } else {
                    (Role::Context, "alive when the program crashed")
                }
            })
            .collect();
        return Classified {
            kind: if deadlock {
                DumpKind::Deadlock
            } else {
                DumpKind::Crash
            },
            crash: Some(crash),
            roles,
        };
    }
    Classified {
        kind: DumpKind::Snapshot,
        crash: None,
        roles: goroutines.iter().map(snapshot_role).collect(),
    }
}

/// The role of one goroutine of a running program's snapshot.
fn snapshot_role(g: &Goroutine) -> (Role, Reason) {
    for (function, why) in IDLE_MACHINERY {
        if g.frames.iter().any(|f| f.function == function) {
            return (Role::Expected, why);
        }
    }
    if let Some(why) = idle_state(&g.state) {
        return (Role::Expected, why);
    }
    if is_main_goroutine(g) {
        return (Role::Expected, "the program's main goroutine");
    }
    if !has_user_frame(g) {
        return (Role::Expected, "only runtime and harness frames");
    }
    if is_blocked(g) {
        return (
            Role::Suspect,
            "blocked in a channel, lock, select or WaitGroup in the program's own code",
        );
    }
    (Role::Expected, "not blocked")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::parse;

    fn fixture(rel: &str) -> String {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/streams")
            .join(rel);
        std::fs::read_to_string(p).unwrap()
    }

    fn roles_of(text: &str) -> (Classified, Vec<Goroutine>) {
        let gs = parse(text);
        (classify(text, &gs), gs)
    }

    fn functions(gs: &[&Goroutine]) -> Vec<String> {
        let mut v: Vec<String> = gs
            .iter()
            .map(|g| {
                g.frames
                    .iter()
                    .find(|f| f.function.starts_with("main."))
                    .map_or_else(|| g.state.clone(), |f| f.function.clone())
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_crash_with_100_sleepers_is_one_panic_and_context() {
        let text = fixture("fidelity/dumps/crash-sleepers.txt");
        let (c, gs) = roles_of(&text);
        assert_eq!(gs.len(), 102);
        assert_eq!(c.kind, DumpKind::Crash);
        let crash = c.crash.as_ref().unwrap();
        assert_eq!(
            crash.message,
            "panic: sleepers: no configuration (100 workers running)"
        );
        let frame = crash.frame.as_ref().unwrap();
        assert_eq!(frame.function, "main.load");
        assert!(frame
            .file
            .ends_with("fixtures/fidelity/go/cmd/sleepers/main.go"));
        assert_eq!(frame.line, 19);
        assert_eq!(c.with_role(&gs, Role::Panicking).len(), 1);
        assert_eq!(c.with_role(&gs, Role::Context).len(), 101);
        assert!(c.with_role(&gs, Role::Suspect).is_empty());
    }

    #[test]
    fn the_fixture_panic_log_names_its_panic() {
        let text = fixture("dumps/panic-log.txt");
        let (c, gs) = roles_of(&text);
        assert_eq!(c.kind, DumpKind::Crash);
        let crash = c.crash.unwrap();
        assert_eq!(crash.message, "panic: assignment to entry in nil map");
        assert_eq!(crash.goroutine, Some(1));
        assert_eq!(crash.frame.unwrap().function, "main.main");
        assert_eq!(c.roles.iter().filter(|r| r.0 == Role::Suspect).count(), 0);
        assert_eq!(gs.len(), 4);
    }

    #[test]
    fn a_healthy_web_server_suspects_only_its_own_blocked_goroutines() {
        let text = fixture("fidelity/dumps/snapshot-webserver.txt");
        let (c, gs) = roles_of(&text);
        assert_eq!(c.kind, DumpKind::Snapshot);
        assert_eq!(c.crash, None);
        // The stuck worker, and the program's own `go func() { <-sig; … }()`: the stack cannot tell a
        // channel that a signal will fill from one nobody fills, so it is a suspect (never a leak).
        let suspects = c.with_role(&gs, Role::Suspect);
        assert_eq!(functions(&suspects), vec!["main.main.func2", "main.stuck"]);
        assert_eq!(c.with_role(&gs, Role::Expected).len(), gs.len() - 2);
        // The accept loop, the keep-alive loops, the signal handler, the heartbeat and main are expected.
        let why: Vec<Reason> = c.roles.iter().map(|r| r.1).collect();
        for want in [
            "an HTTP server's accept loop",
            "an idle keep-alive connection (read loop)",
            "an idle keep-alive connection (write loop)",
            "the signal handler",
            "sleeping (time.Sleep)",
        ] {
            assert!(why.contains(&want), "{want:?} not in {why:?}");
        }
    }

    #[test]
    fn a_snapshot_of_blocked_workers_suspects_them_not_the_sleeper() {
        let text = fixture("dumps/goroutine-debug2.txt");
        let (c, gs) = roles_of(&text);
        assert_eq!(c.kind, DumpKind::Snapshot);
        assert_eq!(
            functions(&c.with_role(&gs, Role::Suspect)),
            vec![
                "main.receiver",
                "main.selector",
                "main.sender",
                "main.waiter"
            ]
        );
    }

    #[test]
    fn goroutineleak_profiles_keep_their_leaks() {
        let text = fixture("dumps/goroutineleak-debug2.txt");
        let (c, gs) = roles_of(&text);
        assert_eq!(c.kind, DumpKind::LeakProfile);
        assert!(!c.with_role(&gs, Role::Leaked).is_empty());
        assert!(c.with_role(&gs, Role::Suspect).is_empty());
    }

    #[test]
    fn a_global_deadlock_suspects_every_blocked_goroutine() {
        let text = "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\nmain.main()\n\t/a/main.go:9 +0x1d\n\ngoroutine 6 [chan send]:\nmain.worker()\n\t/a/main.go:4 +0x1d\ncreated by main.main in goroutine 1\n\t/a/main.go:8 +0x2\n";
        let (c, gs) = roles_of(text);
        assert_eq!(c.kind, DumpKind::Deadlock);
        assert_eq!(
            c.crash.as_ref().unwrap().message,
            "fatal error: all goroutines are asleep - deadlock!"
        );
        assert_eq!(c.with_role(&gs, Role::Suspect).len(), 2);
    }

    #[test]
    fn the_garbage_collector_is_expected() {
        let text = "goroutine 3 [garbage collection]:\nruntime.gcBgMarkWorker()\n\t/go/src/runtime/mgc.go:1 +0x1\n\ngoroutine 4 [chan receive, 12 minutes]:\nexample.com/x.wait()\n\t/a/x.go:3 +0x1\ncreated by example.com/x.Start in goroutine 1\n\t/a/x.go:9 +0x1\n";
        let (c, gs) = roles_of(text);
        assert_eq!(
            c.roles,
            vec![
                (Role::Expected, "the runtime's own goroutine"),
                (
                    Role::Suspect,
                    "blocked in a channel, lock, select or WaitGroup in the program's own code"
                )
            ]
        );
        assert_eq!(gs[1].wait_minutes, Some(12));
    }
}
