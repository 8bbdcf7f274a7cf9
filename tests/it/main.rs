//! goleash's integration tests: one test binary with a module per area (links once on a 2-core machine).

mod action;
mod advice;
mod checks;
mod cli;
mod common;
mod corpus;
mod count_bomb;
mod extract;
mod fastjson;
mod fixdiff;
mod github;
mod gobench;
mod gobench_advice;
mod hardening;
mod incidents;
mod junit;
mod layers;
mod leaks;
mod live;
mod logforms;
mod model;
/// The fuzz targets' checks, shared with the regression and property tests.
#[path = "../../fuzz/oracle.rs"]
mod oracle;
mod outputs;
mod proptest_github;
mod proptest_junit;
mod proptest_mixed;
mod rerun;
mod sarif;
mod ship;
mod std_stream;
mod terminal;
mod wild;
