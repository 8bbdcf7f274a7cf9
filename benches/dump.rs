//! Throughput of the goroutine-dump parser and extractor, std only (no criterion needed).
//!
//! Run with `cargo bench --bench dump`. Builds a ~50 MB dump by repeating real goroutines
//! (a Go 1.26 test timeout and a goleak list) and reports MB/s for `parse`, for `extract` over that dump,
//! and for `extract` over 200 MB of plain test log lines (the no-dump fast path).
//!
//! Works both as a `harness = false` bench (its `main` runs) and under the default libtest harness (the
//! `#[test]` below runs the same measurement, smaller).

use std::hint::black_box;
use std::time::Instant;

const GOROUTINES: &str = "goroutine 1 [chan receive]:
testing.tRunner.func1()
\t/usr/local/go/src/testing/testing.go:1993 +0x445
testing.tRunner(0xefb4e954488, 0xefb4e9b0c58)
\t/usr/local/go/src/testing/testing.go:2042 +0x123
testing.runTests({0x58844a, 0xe}, {0x58844a, 0xe}, 0xefb4e94e060, {0x6ce7c0, 0x2, 0x2}, {0xc2babff0515ce319, 0x773841a7, ...})
\t/usr/local/go/src/testing/testing.go:2583 +0x505
testing.(*M).Run(0xefb4e9b4140)
\t/usr/local/go/src/testing/testing.go:2443 +0x6ac
main.main()
\t_testmain.go:48 +0x9b

goroutine 7 [sync.WaitGroup.Wait, 2 minutes]:
sync.runtime_SemacquireWaitGroup(0x10?, 0x80?)
\t/usr/local/go/src/runtime/sema.go:114 +0x2e
sync.(*WaitGroup).Wait(0xefb4e950150)
\t/usr/local/go/src/sync/waitgroup.go:206 +0x85
example.com/to.TestHang(0xefb4e9546c8?)
\t/tmp/to/to_test.go:16 +0x8f
testing.tRunner(0xefb4e9546c8, 0x594178)
\t/usr/local/go/src/testing/testing.go:2036 +0xea
created by testing.(*T).Run in goroutine 1
\t/usr/local/go/src/testing/testing.go:2101 +0x4c5

goroutine 22 [sync.Mutex.Lock]:
internal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)
\t/usr/local/go/src/runtime/sema.go:95 +0x25
internal/sync.(*Mutex).lockSlow(0x182e86c860b8)
\t/usr/local/go/src/internal/sync/mutex.go:149 +0x15d
internal/sync.(*Mutex).Lock(...)
\t/usr/local/go/src/internal/sync/mutex.go:70
sync.(*Mutex).Lock(...)
\t/usr/local/go/src/sync/mutex.go:46
example.com/x.Leak.func2.1(...)
\t/tmp/gl13/x.go:17
example.com/x.Leak.func2()
\t/tmp/gl13/x.go:17 +0x2f
created by example.com/x.Leak in goroutine 19
\t/tmp/gl13/x.go:16 +0x165

";

fn mbps(bytes: usize, f: impl Fn()) -> f64 {
    let t = Instant::now();
    f();
    bytes as f64 / 1e6 / t.elapsed().as_secs_f64()
}

fn measure(dump_mb: usize, log_mb: usize) {
    let mut dump =
        String::from("panic: test timed out after 20s\n\trunning tests:\n\t\tTestHang (20s)\n\n");
    while dump.len() < dump_mb << 20 {
        dump.push_str(GOROUTINES);
    }
    let line = "    x_test.go:42: some log line with a value 12345 and some more text here\n";
    let logs = line.repeat((log_mb << 20) / line.len());
    for _ in 0..3 {
        let p = mbps(dump.len(), || {
            black_box(goleash::dump::parse(black_box(&dump)));
        });
        let e = mbps(dump.len(), || {
            black_box(goleash::dump::extract(black_box(&dump)));
        });
        let n = mbps(logs.len(), || {
            black_box(goleash::dump::extract(black_box(&logs)));
        });
        println!(
            "dump {:.0} MB: parse {p:.0} MB/s, extract {e:.0} MB/s; no-dump logs {:.0} MB: extract {n:.0} MB/s",
            dump.len() as f64 / 1e6,
            logs.len() as f64 / 1e6
        );
    }
}

#[allow(dead_code)]
fn main() {
    measure(50, 200);
}

#[test]
fn dump_throughput() {
    measure(5, 20);
}
