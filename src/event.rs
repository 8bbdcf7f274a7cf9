//! The one event type every input format is turned into.
//!
//! `go test -json` (test2json) events map one to one; plain `go test` text is turned into the same events by
//! [`crate::input::text`]. Output is normalised to *whole lines* (ending in `\n`, or at end of input
//! without one): joining test2json's split pieces is the reader's job, so the model never sees half a line.

/// What happened (test2json's `Action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Action {
    /// The package's test binary started.
    Start,
    /// A test started.
    Run,
    /// A parallel test paused.
    Pause,
    /// A parallel test continued.
    Cont,
    /// A test or package passed.
    Pass,
    /// A benchmark printed a result.
    Bench,
    /// A test or package failed.
    Fail,
    /// A line of output.
    Output,
    /// A test or package was skipped.
    Skip,
    /// `t.Attr(key, value)` (Go 1.25+).
    Attr,
    /// `t.ArtifactDir` artifacts (Go 1.26+).
    Artifacts,
    /// A line of build output (keyed by `ImportPath`).
    BuildOutput,
    /// A build failed (keyed by `ImportPath`).
    BuildFail,
    /// An action this version of goleash does not know (or none was given).
    #[default]
    Unknown,
}

impl Action {
    /// Parses test2json's action name.
    pub fn from_name(name: &str) -> Action {
        match name {
            "start" => Action::Start,
            "run" => Action::Run,
            "pause" => Action::Pause,
            "cont" => Action::Cont,
            "pass" => Action::Pass,
            "bench" => Action::Bench,
            "fail" => Action::Fail,
            "output" => Action::Output,
            "skip" => Action::Skip,
            "attr" => Action::Attr,
            "artifacts" => Action::Artifacts,
            "build-output" => Action::BuildOutput,
            "build-fail" => Action::BuildFail,
            _ => Action::Unknown,
        }
    }
}

/// The kind of an output line (test2json's `OutputType`, Go 1.27+).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputType {
    /// Plain output, or no `OutputType` field.
    #[default]
    Plain,
    /// A framing line (`=== RUN`, `--- FAIL`, …).
    Frame,
    /// The first line of a `t.Error`/`t.Fatal` message.
    Error,
    /// The following lines of a `t.Error`/`t.Fatal` message.
    ErrorContinue,
}

impl OutputType {
    /// Parses test2json's `OutputType`.
    pub fn from_name(name: &str) -> OutputType {
        match name {
            "frame" => OutputType::Frame,
            "error" => OutputType::Error,
            "error-continue" => OutputType::ErrorContinue,
            _ => OutputType::Plain,
        }
    }
}

/// One event, borrowed from the input buffer where possible.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Event<'a> {
    /// What happened.
    pub action: Action,
    /// The package import path (for build events: the `ImportPath` with its ` [pkg.test]` suffix removed).
    pub package: &'a str,
    /// The full test name (`TestA/sub`), if the event is about a test.
    pub test: Option<&'a str>,
    /// Seconds, on pass/fail/skip events.
    pub elapsed: Option<f64>,
    /// One whole line of output, including its `\n` when it had one.
    pub output: Option<&'a str>,
    /// The kind of output line.
    pub output_type: OutputType,
    /// On a package's `fail`: the import path whose build failed.
    pub failed_build: Option<&'a str>,
    /// For `attr`: the key.
    pub key: Option<&'a str>,
    /// For `attr`: the value.
    pub value: Option<&'a str>,
}

impl<'a> Event<'a> {
    /// An output line for a package (and optionally a test).
    pub fn output(package: &'a str, test: Option<&'a str>, line: &'a str) -> Event<'a> {
        Event {
            action: Action::Output,
            package,
            test,
            output: Some(line),
            ..Event::default()
        }
    }
}
