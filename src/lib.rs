//! goleash: reads what `go test` prints, finds the goroutine leaks that goleak, testing/synctest, test
//! timeouts, panics and goroutineleak profiles report, groups every report of the same leak under one
//! stable id, says which test introduced it, and writes JUnit XML and a JSON report.
//!
//! The data flows one way through small modules:
//!
//! ```text
//! bytes ─ input::{json,text} ─▶ Event ─ model::Run ─▶ Package (on its end)
//!        ─ leak::collect_package (dump::extract) ─▶ Finding ─ leak::Groups ─▶ LeakGroup
//!        ─ pipeline ─▶ Sink::package_done (live: JUnit, terminal lines)
//!        ─ view::build ─▶ View ─ Sink::run_done (report::*, each only reads)
//! ```
//!
//! [`pipeline::Pipeline`] drives it: it is the [`input::Consumer`] the readers feed; when a package
//! ends it extracts that package's leaks, hands the package to the sinks and then drops the package's
//! per-test records, so memory does not grow with the input.

pub mod advice;
pub mod analysis;
pub mod app;
pub mod baseline;
pub mod cli;
pub mod dump;
pub mod error;
pub mod event;
pub mod fixdiff;
pub mod input;
pub mod leak;
pub mod model;
pub mod paths;
pub mod pipeline;
pub mod report;
pub mod runner;
pub mod text;
pub mod view;

pub use analysis::{failures_of, Analysis, Failure};
pub use pipeline::{PackageDone, Pipeline, Sink};
