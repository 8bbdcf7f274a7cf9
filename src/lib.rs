//! goleash: reads what `go test` prints, finds the goroutine leaks that goleak, testing/synctest, test
//! timeouts, panics and goroutineleak profiles report, groups every report of the same leak under one
//! stable id, says which test introduced it, and writes JUnit XML, a JSON report and GitHub outputs.
//!
//! The data flows one way:
//!
//! ```text
//! bytes (files, stdin, a child `go test`: runner)
//!   ─ input::{json, text} ─▶ Event ─ model::Run ─▶ Package (on its end:)
//!   ─ leak::collect_package (dump::extract) ─▶ Finding ─ leak::Groups ─▶ LeakGroup (advice: cause, text, fix)
//!   ─ pipeline ─▶ Sink::package_done (live sinks: JUnit suites, terminal lines)
//!   ─ view::build (once, at the end) ─▶ View ─ baseline ─ Sink::run_done (report::*, in order)
//!   ─ app: exit status
//! ```
//!
//! ## Layers
//!
//! Each module imports only modules of its own layer or of the layers before it; no two modules import
//! each other, directly or through others. `tests/it/layers.rs` reads this list and enforces it (a
//! module missing from it fails the test too):
//!
//! ```text
//! 1. text, event, error, outfile, logform   escaping, plural, truncation; the one Event type; goleash's own errors; atomic report files; CI log forms undone line by line
//! 2. gotest   go test's own line syntax
//! 3. input, model, dump, runner   readers → Event; Run → Package → Test; goroutine dumps; the child `go test`
//! 4. source, paths   the only code that opens files under --root; stack paths → repository paths
//! 5. leak   signatures, ids, groups, occurrences, attribution
//! 6. incident, advice, analysis, rerun   causes, advice and sure fixes (stored on the groups); the run's result and failures; rerun planning and merging
//! 7. view, baseline   the report model, built once; the baseline applied to it
//! 8. pipeline   drives events through the layers; the Sink trait
//! 9. report   sinks that only render
//! 10. app, cli, attempts   building the sinks, the exit status; flags and environment; running the reruns
//! ```
//!
//! ## Where things are
//!
//! | question | file |
//! | --- | --- |
//! | how is the input format detected, how is `go test -json` read | `input/mod.rs`, `input/json.rs`, `input/fastjson.rs` |
//! | how is plain `go test -v` text read | `input/text.rs` |
//! | go test's own lines: framing, result lines (tabs or spaces), `file.go:N:C:`, timeouts | `gotest.rs` |
//! | is a bare dump a crash or a snapshot, which goroutines are suspects | `dump/snapshot.rs` |
//! | where do tests, results and failure kinds come from | `model.rs` |
//! | where is the goleak block (and every other goroutine dump) parsed | `dump/parse.rs`, `dump/extract.rs` |
//! | how are stack paths made repository paths | `paths.rs` |
//! | where is a failure's file:line found | `source/mod.rs` (`failure_location`), called by `view.rs` |
//! | which files under `--root` are read, and how safely | `source/mod.rs`; Go source views in `source/go.rs` |
//! | what makes two leaks the same (signature, id), who introduced one | `leak.rs` |
//! | where is the cause decided, where is the advice written | `advice/mod.rs` (the dispatcher), one file per rule family in `advice/`, `advice/cause.rs` (the vocabulary) |
//! | where are the sure fixes turned into a diff | `advice/edit.rs` (the fix), `report/fixdiff.rs` (the diff) |
//! | which goroutines of one report block each other (incidents, GoBench kinds) | `incident/` |
//! | what does a run end with (failures per package) | `analysis.rs` |
//! | what is in the JSON report | `view.rs` (its `Serialize` is the contract) |
//! | how are finished packages handed on, what is a sink | `pipeline.rs` |
//! | where is JUnit written | `report/junit.rs` |
//! | where is the JSON report written | `report/json.rs` |
//! | the terminal: live lines, leak blocks, failures, totals | `report/terminal/` |
//! | GitHub annotations, their escaping, inert output | `report/github/` |
//! | the job summary, SARIF, the check run | `report/summary/`, `report/sarif.rs`, `report/checks.rs` |
//! | which flags exist, which environment is read | `cli.rs` |
//! | which sinks run, in which order; the exit status | `app.rs` |
//! | which tests `--rerun-fails` reruns, how attempts merge, what is flaky | `rerun.rs` (pure), `attempts.rs` (runs them) |
//! | goleash's own errors (exit status 2) | `error.rs` |
//! | escaping, plural, truncation, wrapping | `text.rs` |
//! | GitHub log timestamps, ANSI colours, CRLF, de-indented stacks | `logform.rs` |
//! | leaktest, gleak, testify, gRPC leakcheck reports; fatal deadlock, goleak crash | `dump/detectors.rs` |
//! | wrapper creators (`wg.Go`, errgroup, `AfterFunc`), Go 1.27 closure names | `dump/wrappers.rs` |

pub mod advice;
pub mod analysis;
pub mod app;
pub mod attempts;
pub mod baseline;
pub mod cli;
pub mod dump;
pub mod error;
pub mod event;
pub mod gotest;
pub mod incident;
pub mod input;
pub mod leak;
pub mod logform;
pub mod model;
pub mod outfile;
pub mod paths;
pub mod pipeline;
pub mod report;
pub mod rerun;
pub mod runner;
pub mod source;
pub mod text;
pub mod view;

pub use analysis::{failures_of, Analysis, Failure};
pub use pipeline::{PackageDone, Pipeline, Sink};
