//! Fuzzes the plain `go test` text reader (`input::text::Decoder`) through the model, leak extraction,
//! the JUnit renderer and the JSON report; see `fuzz/oracle.rs` for what is checked. Run with
//! `fuzz/run text`.
#![no_main]

#[path = "../oracle.rs"]
mod oracle;

libfuzzer_sys::fuzz_target!(|data: &[u8]| oracle::check_text(data));
