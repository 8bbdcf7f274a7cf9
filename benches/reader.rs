//! Throughput of the event reader (criterion; `cargo bench --bench reader`).
//!
//! Measured, in bytes per second of input:
//!
//! - `reader/read-fixture`: `input::read` over the fixture module's `go test -json` capture
//!   (`fixtures/streams/go1.26/test.json`, 118 KB: leaks, panics, a timeout, a build failure) into a
//!   [`Pipeline`] with no sinks, then `finish` (leak extraction and grouping included);
//! - `reader/read-std`: the same over the first 16 MiB (whole lines) of the real
//!   `go test -json -short std` capture (`fixtures/streams/std/std-short.json.gz`);
//! - `reader/fastjson-std`: `input::fastjson::parse` on each line of that slice, alone.
//!
//! `bench/run` measures the whole binary on a 1 GB stream; these isolate the reading layers.

use std::hint::black_box;
use std::io::Read;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use goleash::input;
use goleash::paths::Resolver;
use goleash::Pipeline;

/// The fixture module's `go test -json` capture.
const FIXTURE: &str = include_str!("../fixtures/streams/go1.26/test.json");

/// Bytes of the std capture read by the `*-std` benches (cut back to a whole line).
const STD_SLICE: usize = 16 << 20;

/// The first `max` bytes of the std capture, cut after the last whole line.
fn std_slice(max: usize) -> String {
    let gz = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/streams/std/std-short.json.gz"
    ))
    .expect("fixtures/streams/std/std-short.json.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .take(max as u64)
        .read_to_string(&mut text)
        .expect("std capture is gzipped UTF-8");
    let end = text.rfind('\n').map_or(0, |i| i + 1);
    text.truncate(end);
    text
}

/// Reads `text` through a pipeline with no sinks; returns the test count so nothing is optimised away.
fn read_all(text: &str) -> usize {
    let mut pipeline = Pipeline::new(Resolver::new(None), Vec::new());
    input::read(text.as_bytes(), &mut pipeline).expect("reading from memory cannot fail");
    let (analysis, _) = pipeline.finish();
    analysis.totals().tests
}

/// Parses every line with the fast test2json reader; returns how many it took.
fn fastjson_all(text: &str) -> usize {
    let mut scratch = String::new();
    let mut taken = 0;
    for line in text.lines() {
        scratch.clear();
        taken += usize::from(input::fastjson::parse(line.trim(), &mut scratch).is_some());
    }
    taken
}

fn bench_reader(c: &mut Criterion) {
    let std = std_slice(STD_SLICE);
    // The measured work is real: the fixture's 44 test cases, every std line taken by the fast reader.
    assert_eq!(read_all(FIXTURE), 44);
    assert_eq!(fastjson_all(&std), std.lines().count());

    let mut g = c.benchmark_group("reader");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::BytesDecimal(FIXTURE.len() as u64));
    g.bench_function("read-fixture", |b| {
        b.iter(|| black_box(read_all(black_box(FIXTURE))))
    });
    g.throughput(Throughput::BytesDecimal(std.len() as u64));
    g.bench_function("read-std", |b| {
        b.iter(|| black_box(read_all(black_box(&std))))
    });
    g.bench_function("fastjson-std", |b| {
        b.iter(|| black_box(fastjson_all(black_box(&std))))
    });
    g.finish();
}

criterion_group!(benches, bench_reader);
criterion_main!(benches);
