//! Goroutine dumps: the stack model and the extractors that find leaked goroutines in test output.
//!
//! [`parse`] reads any goroutine dump (panic tracebacks, `debug=2` profiles, goleak's slice format,
//! indented as a whole at any depth) into [`Goroutine`] values; [`extract`] finds the blocks in a test's or
//! a package's output that report leaks (goleak, synctest, timeouts, panics, goroutineleak profiles) and
//! returns each suspect goroutine with its [`Source`].

pub mod detectors;
mod extract;
mod parse;
pub mod snapshot;
pub mod wrappers;

pub use extract::{
    extract, extract_bare_dump, has_user_frame, is_blocked, is_harness_frame, looks_like_dump,
    Block, Extraction, Suspect, TimeoutInfo,
};
pub use parse::{parse, parse_line_header};

use serde::Serialize;

/// Where a leaked goroutine was reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// `goleak.VerifyNone` at the end of a test.
    Goleak,
    /// `goleak.VerifyTestMain` after the package's tests.
    GoleakMain,
    /// A `testing/synctest` bubble deadlock.
    Synctest,
    /// A goroutine alive when the test binary timed out.
    Timeout,
    /// A goroutine alive when a test panicked.
    Panic,
    /// A bare goroutine dump or goroutineleak profile.
    Dump,
    /// github.com/fortytw2/leaktest (`leaktest: leaked goroutine: …`).
    Leaktest,
    /// Gomega's gleak (`HaveLeaked`: `Expected not to leak N goroutines:`).
    Gleak,
    /// go-openapi/testify v2 `NoGoRoutineLeak` (`found leaked go routines: …`).
    Testify,
    /// gRPC's internal/leakcheck and checkers like it (`Leaked goroutine: …`).
    Leakcheck,
    /// The runtime's `fatal error: all goroutines are asleep - deadlock!` dump.
    FatalDeadlock,
    /// The dump printed by a leak detector that crashed (goleak's `panic: Failed to parse stack trace: …`).
    DetectorFailed,
}

impl Source {
    /// The name used in reports (`goleak`, `goleak-main`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Goleak => "goleak",
            Source::GoleakMain => "goleak-main",
            Source::Synctest => "synctest",
            Source::Timeout => "timeout",
            Source::Panic => "panic",
            Source::Dump => "dump",
            Source::Leaktest => "leaktest",
            Source::Gleak => "gleak",
            Source::Testify => "testify",
            Source::Leakcheck => "leakcheck",
            Source::FatalDeadlock => "fatal-deadlock",
            Source::DetectorFailed => "detector-failed",
        }
    }
}

/// One stack frame: a function call and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frame {
    /// Fully qualified function, as printed without arguments: `example.com/x.(*T).M.func1`.
    pub function: String,
    /// The argument list as printed, without parentheses (`0xc000010000, 0x1`, `...`, or empty).
    pub args: String,
    /// The source file as printed (absolute on the machine that ran the tests, or module-relative).
    pub file: String,
    /// The line number in `file` (0 when unknown).
    pub line: u32,
    /// True for inlined frames (printed with `(...)` and no `+0x` offset).
    pub inlined: bool,
}

impl Frame {
    /// The import path of the package that holds [`Frame::function`]: everything before the first `.`
    /// after the last `/` (`example.com/x` for `example.com/x.(*T).M`).
    pub fn package(&self) -> &str {
        package_of(&self.function)
    }
}

/// The import path part of a fully qualified Go function name.
pub fn package_of(function: &str) -> &str {
    let start = function.rfind('/').map_or(0, |i| i + 1);
    match function[start..].find('.') {
        Some(dot) => &function[..start + dot],
        None => function,
    }
}

/// One goroutine of a dump, or several identical ones: a `debug=1` profile record (`100000 @ 0x…`) is one
/// value with [`Goroutine::count`] 100000 (counts are data, never copies; panicparse's `Bucket`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goroutine {
    /// The goroutine id (`goroutine 20 […]`; 0 for a `debug=1` record, which has none).
    pub id: u64,
    /// How many goroutines this value stands for: the record's count in a `debug=1` profile, else 1.
    pub count: u64,
    /// The wait state, normalized: no `(durable)`/`(leaked)`/`(scan)` marks, minutes, thread lock,
    /// bubble ids or labels (`chan send`, `select`, `sync.Mutex.Lock`, `running`, …).
    pub state: String,
    /// Everything between the header's brackets, as printed.
    pub raw_state: String,
    /// `N minutes` of waiting, when printed.
    pub wait_minutes: Option<u64>,
    /// `locked to thread` was printed.
    pub locked_to_thread: bool,
    /// The state carried ` (leaked)` (goroutineleak profile).
    pub leaked: bool,
    /// The state carried ` (durable)` (synctest, Go 1.25+) or ` (synctest)` (Go 1.24).
    pub durable: bool,
    /// The synctest bubble (`synctest bubble N`) or group (`synctest group N`), when printed.
    pub bubble: Option<u64>,
    /// Goroutine labels as printed (Go 1.26 inside the brackets, Go 1.27 after them), when present.
    pub labels: Option<String>,
    /// The frames, innermost first.
    pub frames: Vec<Frame>,
    /// How many frames were elided (`...N frames elided...`); `Some(0)` for the old `...additional
    /// frames elided...` line that gives no count.
    pub elided: Option<u32>,
    /// The `created by` frame.
    pub created_by: Option<Frame>,
    /// The goroutine that started this one (`created by F in goroutine N`).
    pub parent_id: Option<u64>,
    /// Ids of `[originating from goroutine N]` ancestor sections that followed this goroutine.
    pub ancestors: Vec<u64>,
    /// `goroutine running on other thread; stack unavailable` was printed instead of frames.
    pub stack_unavailable: bool,
}

impl Default for Goroutine {
    /// An empty goroutine standing for one (`count` 1).
    fn default() -> Goroutine {
        Goroutine {
            id: 0,
            count: 1,
            state: String::new(),
            raw_state: String::new(),
            wait_minutes: None,
            locked_to_thread: false,
            leaked: false,
            durable: false,
            bubble: None,
            labels: None,
            frames: Vec::new(),
            elided: None,
            created_by: None,
            parent_id: None,
            ancestors: Vec::new(),
            stack_unavailable: false,
        }
    }
}
