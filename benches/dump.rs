//! Throughput of the goroutine-dump parser and extractor (criterion; `cargo bench --bench dump`).
//!
//! The dump is built by repeating the real goroutines of the Go 1.26 fixture run
//! (`fixtures/streams/go1.26/test-v.txt`: panics, a test timeout, a synctest deadlock, a goroutineleak
//! profile's `debug=2` stacks) to about 32 MiB, renumbering nothing: `dump::parse` does not care about
//! duplicate ids. Measured, in bytes per second of input:
//!
//! - `dump/parse`: `dump::parse` over the dump;
//! - `dump/extract`: `dump::extract` over the same dump after the real timeout header (`panic: test timed
//!   out after 20s` + `running tests:`), i.e. one test binary's output that timed out;
//! - `dump/extract-no-dump`: `dump::extract` over 64 MiB of ordinary test log lines (the fast path every
//!   test's output takes).
//!
//! The target for `parse` is at least 200 MB/s.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// The verbose text capture of the fixture module.
const TEST_V: &str = include_str!("../fixtures/streams/go1.26/test-v.txt");

/// Bytes of dump to build.
const DUMP_BYTES: usize = 32 << 20;

/// Bytes of plain log lines for the no-dump path.
const LOG_BYTES: usize = 64 << 20;

/// The runtime-format goroutines of `text` (`goroutine N [state]:` and its frames), each ending in `\n\n`.
fn real_goroutines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in text.lines() {
        let is_header = line.starts_with("goroutine ") && line.ends_with("]:");
        let is_frame = line.starts_with('\t')
            || line.starts_with("created by ")
            || (line.ends_with(')') && !line.starts_with("--- ") && !line.starts_with("=== "));
        match cur.as_mut() {
            Some(g) if !is_header && is_frame => {
                g.push_str(line);
                g.push('\n');
            }
            _ => {
                if let Some(g) = cur.take() {
                    out.push(g + "\n");
                }
                if is_header {
                    cur = Some(format!("{line}\n"));
                }
            }
        }
    }
    if let Some(g) = cur {
        out.push(g + "\n");
    }
    out
}

/// The real goroutines repeated to at least `bytes`, and how many goroutines that is.
fn big_dump(bytes: usize) -> (String, usize) {
    let goroutines = real_goroutines(TEST_V);
    let one: String = goroutines.concat();
    let copies = bytes.div_ceil(one.len());
    (one.repeat(copies), copies * goroutines.len())
}

/// The real timeout header of the fixture run's `timeout` package.
fn timeout_header() -> &'static str {
    let start = TEST_V.find("panic: test timed out after").unwrap_or(0);
    let end = TEST_V[start..]
        .find("\n\n")
        .map_or(start, |e| start + e + 2);
    &TEST_V[start..end]
}

fn bench_dump(c: &mut Criterion) {
    let (dump, expected) = big_dump(DUMP_BYTES);
    // What is measured is real work: every goroutine of the dump is parsed.
    let parsed = goleash::dump::parse(&dump).len();
    assert_eq!(
        parsed, expected,
        "dump::parse found {parsed} goroutines, expected {expected}"
    );
    let timed_out = format!("{}{dump}", timeout_header());
    let line = "    x_test.go:42: some log line with a value 12345 and some more text here\n";
    let logs = line.repeat(LOG_BYTES / line.len());

    let mut g = c.benchmark_group("dump");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::BytesDecimal(dump.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| black_box(goleash::dump::parse(black_box(&dump))))
    });
    g.throughput(Throughput::BytesDecimal(timed_out.len() as u64));
    g.bench_function("extract", |b| {
        b.iter(|| black_box(goleash::dump::extract(black_box(&timed_out))))
    });
    g.throughput(Throughput::BytesDecimal(logs.len() as u64));
    g.bench_function("extract-no-dump", |b| {
        b.iter(|| black_box(goleash::dump::extract(black_box(&logs))))
    });
    g.finish();
}

criterion_group!(benches, bench_dump);
criterion_main!(benches);
