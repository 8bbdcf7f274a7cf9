//! Fuzzes the goroutine-dump parser and extractor: they must never panic, and every block span and
//! suspect index they return must be valid. Run with `cargo +nightly fuzz run dump` from the crate root.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = goleash::dump::parse(&text);
    let _ = goleash::dump::extract_bare_dump(&text);
    let _ = goleash::dump::looks_like_dump(&text);
    let ex = goleash::dump::extract(&text);
    for b in &ex.blocks {
        assert!(text.get(b.span.clone()).is_some());
    }
    for s in &ex.suspects {
        assert!(s.block < ex.blocks.len());
    }
});
