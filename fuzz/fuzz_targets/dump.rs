//! Fuzzes the goroutine-dump parser and extractor: they must never panic, and every block span and
//! suspect index they return must be valid (`fuzz/oracle.rs`, `check_dump`). Run with `fuzz/run dump`.
#![no_main]

#[path = "../oracle.rs"]
mod oracle;

libfuzzer_sys::fuzz_target!(|data: &[u8]| oracle::check_dump(data));
