//! The vocabulary: why a goroutine leaked, as the contract's 14 `cause` values.

use serde::{Deserialize, Serialize};

/// Why a goroutine leaked: the contract's `cause` values (serialized in kebab-case: `forgotten-sender`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    /// Blocked sending on a channel that nobody receives from any more.
    ForgottenSender,
    /// Blocked receiving from a channel that nobody sends on or closes.
    ForgottenReceiver,
    /// Ranging over a channel that is never closed.
    UnclosedRange,
    /// Waiting in a `select` (or on a context) that nothing cancels.
    MissingCancel,
    /// Waiting for a partner that returned early without signalling it.
    EarlyReturn,
    /// Looping on a ticker or timer that is never stopped.
    LeakedTicker,
    /// Never blocking and never ending.
    InfiniteLoop,
    /// A worker that outlives its owner, which never stopped it.
    OrphanedWorker,
    /// Blocked on a lock that is never released.
    LockNeverReleased,
    /// Waiting on a `sync.WaitGroup` that never reaches zero.
    WaitgroupImbalance,
    /// Waiting on network or file I/O that nothing ends.
    BlockedIo,
    /// Sleeping past the end of its test.
    Sleeping,
    /// Goroutines (or a test itself) waiting on each other or on nothing, for good.
    Deadlock,
    /// Nothing more specific is known.
    Unknown,
}

impl Cause {
    /// Every cause, in the contract's order.
    pub const ALL: [Cause; 14] = [
        Cause::ForgottenSender,
        Cause::ForgottenReceiver,
        Cause::UnclosedRange,
        Cause::MissingCancel,
        Cause::EarlyReturn,
        Cause::LeakedTicker,
        Cause::InfiniteLoop,
        Cause::OrphanedWorker,
        Cause::LockNeverReleased,
        Cause::WaitgroupImbalance,
        Cause::BlockedIo,
        Cause::Sleeping,
        Cause::Deadlock,
        Cause::Unknown,
    ];

    /// The contract's name (`forgotten-sender`, …), as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::ForgottenSender => "forgotten-sender",
            Cause::ForgottenReceiver => "forgotten-receiver",
            Cause::UnclosedRange => "unclosed-range",
            Cause::MissingCancel => "missing-cancel",
            Cause::EarlyReturn => "early-return",
            Cause::LeakedTicker => "leaked-ticker",
            Cause::InfiniteLoop => "infinite-loop",
            Cause::OrphanedWorker => "orphaned-worker",
            Cause::LockNeverReleased => "lock-never-released",
            Cause::WaitgroupImbalance => "waitgroup-imbalance",
            Cause::BlockedIo => "blocked-io",
            Cause::Sleeping => "sleeping",
            Cause::Deadlock => "deadlock",
            Cause::Unknown => "unknown",
        }
    }

    /// What the cause means, in one sentence.
    pub fn meaning(self) -> &'static str {
        match self {
            Cause::ForgottenSender => {
                "A goroutine is blocked sending on a channel that nobody receives from any more."
            }
            Cause::ForgottenReceiver => {
                "A goroutine is blocked receiving from a channel that nobody sends on or closes."
            }
            Cause::UnclosedRange => "A goroutine ranges over a channel that is never closed.",
            Cause::MissingCancel => {
                "A goroutine waits in a select with no way out: no context or done channel ends it."
            }
            Cause::EarlyReturn => {
                "A goroutine waits for a partner that returned early without signalling it."
            }
            Cause::LeakedTicker => "A goroutine loops on a ticker or timer that is never stopped.",
            Cause::InfiniteLoop => "A goroutine never stops running.",
            Cause::OrphanedWorker => {
                "A worker goroutine outlives its owner, which never stopped it."
            }
            Cause::LockNeverReleased => "A goroutine is blocked on a lock that is never released.",
            Cause::WaitgroupImbalance => {
                "A goroutine waits on a WaitGroup that never reaches zero."
            }
            Cause::BlockedIo => "A goroutine waits on network or file I/O that is never closed.",
            Cause::Sleeping => "A goroutine sleeps in a loop with no way to stop.",
            Cause::Deadlock => "Goroutines wait on each other and none can proceed.",
            Cause::Unknown => "A goroutine outlived the test that started it.",
        }
    }

    /// What fixes it in general.
    pub fn general_fix(self) -> &'static str {
        match self {
            Cause::ForgottenSender => "Give the channel a buffer of one so the send always completes, or select on the context's Done channel beside the send.",
            Cause::ForgottenReceiver => "Close the channel when the producer is done, or select on the context's Done channel beside the receive.",
            Cause::UnclosedRange => "Close the channel once the last value is sent (defer close(ch) in the producer).",
            Cause::MissingCancel => "Add a case for ctx.Done() (or a done channel its owner closes) and make sure the owner cancels.",
            Cause::EarlyReturn => "Signal or cancel on every return path, or buffer the channel so the partner's absence cannot block it.",
            Cause::LeakedTicker => "Stop the ticker (defer ticker.Stop()) and return on ctx.Done().",
            Cause::InfiniteLoop => "Give its loop an exit: check ctx.Err() or a done channel on each iteration.",
            Cause::OrphanedWorker => "Give the owner a Close/Stop method that ends the worker and waits for it, and call it.",
            Cause::LockNeverReleased => "Unlock on every path, with defer mu.Unlock() right after locking.",
            Cause::WaitgroupImbalance => "Call wg.Add(1) once per goroutine before starting it and defer wg.Done() first thing in it.",
            Cause::BlockedIo => "Close the connection, listener, server or response body, or set a deadline.",
            Cause::Sleeping => "Use a time.Ticker with defer ticker.Stop() and return on ctx.Done().",
            Cause::Deadlock => "Acquire locks and channels in one order, or break the cycle with a context or timeout.",
            Cause::Unknown => "Make sure every goroutine a test starts has ended when the test returns.",
        }
    }
}

impl std::fmt::Display for Cause {
    /// The contract name.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_contracts_and_serde_agrees() {
        let names: Vec<&str> = Cause::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            names,
            [
                "forgotten-sender",
                "forgotten-receiver",
                "unclosed-range",
                "missing-cancel",
                "early-return",
                "leaked-ticker",
                "infinite-loop",
                "orphaned-worker",
                "lock-never-released",
                "waitgroup-imbalance",
                "blocked-io",
                "sleeping",
                "deadlock",
                "unknown",
            ]
        );
        for c in Cause::ALL {
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.as_str())
            );
            let back: Cause = serde_json::from_str(&format!("\"{c}\"")).unwrap();
            assert_eq!(back, c);
            assert!(c.meaning().ends_with('.') && c.general_fix().ends_with('.'));
        }
        assert!(serde_json::from_str::<Cause>("\"nope\"").is_err());
    }
}
