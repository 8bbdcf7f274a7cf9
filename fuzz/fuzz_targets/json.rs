//! Fuzzes the test2json reader (`input::json::Decoder`, with the fast reader checked against
//! `serde_json`) through the model, leak extraction, the JUnit renderer and the JSON report; see
//! `fuzz/oracle.rs` for what is checked. Run with `fuzz/run json`.
#![no_main]

#[path = "../oracle.rs"]
mod oracle;

libfuzzer_sys::fuzz_target!(|data: &[u8]| oracle::check_json(data));
