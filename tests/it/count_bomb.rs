//! Counts are data, never copies: a goroutineleak `debug=1` record `100000 @ 0x…` is one goroutine with a
//! count, and one occurrence with that count (issue 12's denial of service: 20 such records once made
//! 2,000,000 occurrences, a 306 MB JSON report, 44 s and 1.64 GB).
//!
//! The inputs are derived from the real capture `fixtures/streams/dumps/goroutineleak-debug1.txt` by
//! `derive_count_bombs` in `fixtures/regenerate` into `fixtures/dumps/derived/` (20 records, every count set to N; see
//! fixtures/EXPECTED.md).

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::{repo, Goleash, Value};

/// What one run of the binary cost.
struct Cost {
    status: i32,
    elapsed: Duration,
    /// Peak resident set size of the child, in KiB (`ru_maxrss` of exactly that child, via `wait4`).
    max_rss_kib: i64,
    json: Value,
    json_bytes: usize,
}

/// Runs `goleash --json FILE INPUT` and measures that one child (not the other tests' children, which
/// `RUSAGE_CHILDREN` would mix in).
fn run(input: &Path) -> Cost {
    let (mut cmd, dir) = Goleash::new()
        .out("--json", "report.json")
        .arg("--color")
        .arg("never")
        .arg(input)
        .command();
    let json = dir.path().join("report.json");
    let start = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value; `wait4` fills it in for the child `pid` we spawned
    // and own (the `Child` is never waited on through std, so the pid is reaped exactly once).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    assert_eq!(r, pid, "wait4: {}", std::io::Error::last_os_error());
    drop(child);
    let text = std::fs::read_to_string(&json).unwrap();
    Cost {
        status: if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        },
        elapsed,
        max_rss_kib: usage.ru_maxrss,
        json_bytes: text.len(),
        json: serde_json::from_str(&text).unwrap(),
    }
}

/// `(function, goroutines, [occurrence counts])` of every leak group.
fn groups(json: &Value) -> Vec<(String, u64, Vec<u64>)> {
    json["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let counts = l["occurrences"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["count"].as_u64().unwrap_or(1))
                .collect();
            (
                l["function"].as_str().unwrap().to_string(),
                l["goroutines"].as_u64().unwrap(),
                counts,
            )
        })
        .collect()
}

#[test]
fn a_count_bomb_keeps_its_counts_and_costs_nothing() {
    let big = run(&repo().join("fixtures/dumps/derived/count-bomb-100000.txt"));
    let small = run(&repo().join("fixtures/dumps/derived/count-bomb-10.txt"));
    for (cost, n) in [(&big, 100_000u64), (&small, 10)] {
        // The leaks fail the run (exit 1), as any leak does.
        assert_eq!(cost.status, 1);
        assert_eq!(cost.json["summary"]["leaks"], 2);
        assert_eq!(cost.json["summary"]["leaked_goroutines"], 20 * n);
        assert_eq!(
            groups(&cost.json),
            [
                (
                    "main.forgottenSender.func1".to_string(),
                    10 * n,
                    vec![n; 10]
                ),
                (
                    "main.forgottenReceiver.func1".to_string(),
                    10 * n,
                    vec![n; 10]
                ),
            ]
        );
    }
    // The report does not grow with the count: the same 20 occurrences, only the numbers are longer.
    assert!(big.json_bytes < 16 << 10, "{} bytes", big.json_bytes);
    assert!(
        big.json_bytes - small.json_bytes < 20 * 8,
        "{} vs {} bytes",
        big.json_bytes,
        small.json_bytes
    );
    // Release takes about a millisecond; a debug build and a busy machine get a generous bound.
    assert!(big.elapsed < Duration::from_secs(2), "{:?}", big.elapsed);
    // Peak memory does not scale with the count (release: under 20 MB; a debug build is larger).
    assert!(
        big.max_rss_kib <= small.max_rss_kib + 2048,
        "{} KiB vs {} KiB",
        big.max_rss_kib,
        small.max_rss_kib
    );
    assert!(big.max_rss_kib < 64 << 10, "{} KiB", big.max_rss_kib);
}
