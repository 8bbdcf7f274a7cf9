//! Report sinks: each one implements [`crate::pipeline::Sink`] and only renders what it is given (the
//! finished packages, then the [`crate::view::View`]); none changes the analysis or opens a file under
//! `--root`.
//!
//! | file | writes |
//! | --- | --- |
//! | `junit.rs` | JUnit XML (`--junit`), package by package |
//! | `json.rs` | the JSON report (`--json`) |
//! | `terminal/` | the live package lines and the final report on standard output |
//! | `github/` | GitHub workflow-command annotations, and the inert stretch of standard output |
//! | `summary/` | the Markdown job summary (`--summary`, `$GITHUB_STEP_SUMMARY`) |
//! | `sarif.rs` | SARIF 2.1.0 (`--sarif`) |
//! | `checks.rs` | the check run (`--checks`) |
//! | `baseline.rs` | the baseline file (`--write-baseline`) |
//! | `fixdiff.rs` | the stored sure fixes as a unified diff (`--fix-diff`) |
//! | `notes.rs` | the input warnings and stale baseline entries on standard error |

pub mod baseline;
pub mod checks;
pub mod fixdiff;
pub mod github;
pub mod json;
pub mod junit;
pub mod notes;
pub mod sarif;
pub mod summary;
pub mod terminal;
