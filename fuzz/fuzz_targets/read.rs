//! Fuzzes the whole reader, `input::read` (format detection, the reading thread, UTF-8 repair, JSON, text
//! and bare dumps), through the model, leak extraction, the JUnit renderer and the JSON report; see
//! `fuzz/oracle.rs` for what is checked. Run with `fuzz/run read`.
#![no_main]

#[path = "../oracle.rs"]
mod oracle;

libfuzzer_sys::fuzz_target!(|data: &[u8]| oracle::check_read(data));
