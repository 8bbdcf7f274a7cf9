//! Reviewed snapshots of every output of every captured fixture stream: JUnit, JSON, SARIF, the job
//! summary, the annotations, the baseline, the fix diff, the terminal report and standard error, one
//! snapshot file per stream × output (`snapshots/it__outputs__<stream>__<output>.snap`).
//!
//! They record the binary's behaviour byte for byte, so a refactoring that changes no output keeps them
//! green. insta trims trailing white space and reads `\r\n` as `\n` when it compares, so each snapshot
//! is [`exact`]: a carriage return is shown as `␍` and the text ends with an `[eof]` line that says
//! whether the output ended with a newline.
//!
//! Redactions (everything else is deterministic: checked by running twice):
//! - the `::stop-commands::` token is random: its form is asserted, then it reads `[TOKEN]`;
//! - the temp folder the outputs are written to (named in the `--fix-diff` line on standard error)
//!   reads `[TMP]`.
//!
//! Each stream runs twice, from the crate's folder with relative paths, `NO_COLOR=1`, `COLUMNS=100` and
//! no GitHub environment: once with every file output and `--github always`, once with none (the
//! terminal report as a user sees it). The first run's standard output is asserted to be the stop
//! command, the second run's terminal report, the end of the stretch, then the annotations.

use std::path::Path;

use crate::common::{Goleash, Ran};

/// Runs the binary from the crate's folder with a fixed terminal and no GitHub environment.
fn launch(args: &[&std::ffi::OsStr]) -> Ran {
    let r = Goleash::new()
        .args(args)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .run();
    String::from_utf8(r.raw_stdout.clone()).expect("standard output is UTF-8");
    String::from_utf8(r.raw_stderr.clone()).expect("standard error is UTF-8");
    r
}

/// The text as a snapshot that keeps every byte insta would normalise away.
fn exact(text: &str) -> String {
    let mut s = text.replace('\r', "␍");
    if s.is_empty() || s.ends_with('\n') {
        s.push_str("[eof]");
    } else {
        s.push_str("\n[eof: no newline at the end]");
    }
    s
}

/// A written file as a snapshot, or `[not written]`.
fn file(path: &Path) -> String {
    match std::fs::read(path) {
        Ok(bytes) => exact(&String::from_utf8(bytes).unwrap()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "[not written]".to_string(),
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// Splits `::stop-commands::TOKEN\n<inert>::TOKEN::\n<commands>` after checking the token's form.
fn split_github(stdout: &str) -> (&str, &str) {
    let first = stdout.split_inclusive('\n').next().unwrap();
    let token = first
        .strip_prefix("::stop-commands::")
        .and_then(|t| t.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("no stop command first: {first:?}"));
    let hex = token.strip_prefix("goleash-").unwrap();
    assert!(
        hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
        "{token}"
    );
    let end = format!("::{token}::\n");
    let rest = &stdout[first.len()..];
    let at = rest.find(&end).expect("the stretch is ended");
    let (inert, commands) = (&rest[..at], &rest[at + end.len()..]);
    assert!(!commands.contains(token), "the token is printed once more");
    (inert, commands)
}

/// Runs one stream both ways and compares every output with its snapshot.
fn snapshot_stream(rel: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name);
    let input = Path::new("fixtures/streams").join(rel);
    let files = [
        ("junit", "--junit", out("junit.xml")),
        ("json", "--json", out("report.json")),
        ("sarif", "--sarif", out("report.sarif")),
        ("summary", "--summary", out("summary.md")),
        ("baseline", "--write-baseline", out("baseline.txt")),
        ("fix-diff", "--fix-diff", out("fix.diff")),
    ];
    let mut args: Vec<&std::ffi::OsStr> = vec!["--root".as_ref(), "fixtures/go".as_ref()];
    for (_, flag, path) in &files {
        args.push(flag.as_ref());
        args.push(path.as_os_str());
    }
    args.extend(["--github".as_ref(), "always".as_ref(), input.as_os_str()]);
    let all = launch(&args);
    let plain = launch(&["--root".as_ref(), "fixtures/go".as_ref(), input.as_os_str()]);

    let (inert, annotations) = split_github(&all.stdout);
    assert_eq!(
        inert, plain.stdout,
        "under --github the inert stretch is the terminal report"
    );
    assert_eq!(all.status, plain.status);
    let tmp = dir.path().to_str().unwrap();
    let stderr =
        |p: &Ran| exact(&format!("exit status {}\n{}", p.status, p.stderr)).replace(tmp, "[TMP]");
    let mut outputs: Vec<(&str, String)> = files
        .iter()
        .map(|(name, _, path)| (*name, file(path)))
        .collect();
    outputs.push(("annotations", exact(annotations)));
    outputs.push(("stderr", stderr(&all)));
    outputs.push(("terminal", exact(&plain.stdout)));
    outputs.push(("terminal-stderr", stderr(&plain)));

    let stem = rel.replace('/', "__");
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(true);
    settings.set_omit_expression(true);
    settings.set_description(format!(
        "goleash --root fixtures/go --junit --json --sarif --summary --write-baseline --fix-diff \
         --github always fixtures/streams/{rel}; and goleash --root fixtures/go fixtures/streams/{rel} \
         (NO_COLOR=1 COLUMNS=100, no GITHUB_* variables)"
    ));
    settings.bind(|| {
        for (name, text) in &outputs {
            insta::assert_snapshot!(format!("{stem}__{name}"), text);
        }
    });
}

macro_rules! streams {
    ($($test:ident => $rel:literal,)*) => {
        $(
            #[test]
            fn $test() {
                snapshot_stream($rel);
            }
        )*
    };
}

streams! {
    go1_24_test_json => "go1.24/test.json",
    go1_24_test_v_txt => "go1.24/test-v.txt",
    go1_25_test_json => "go1.25/test.json",
    go1_25_test_v_txt => "go1.25/test-v.txt",
    go1_26_test_json => "go1.26/test.json",
    go1_26_test_v_txt => "go1.26/test-v.txt",
    go1_26_test_txt => "go1.26/test.txt",
    go1_26_bench_json => "go1.26/bench.json",
    go1_26_shifted_test_json => "go1.26-shifted/test.json",
    go1_26_shifted_test_v_txt => "go1.26-shifted/test-v.txt",
    go1_26_rerun_attempt1_json => "go1.26-rerun/attempt1.json",
    go1_26_rerun_attempt2_flaky_json => "go1.26-rerun/attempt2-flaky.json",
    go1_26_rerun_attempt2_inherit_json => "go1.26-rerun/attempt2-inherit.json",
    go1_26_rerun_attempt2_mainleak_json => "go1.26-rerun/attempt2-mainleak.json",
    go1_26_rerun_assertmsg_json => "go1.26-rerun/assertmsg.json",
    go1_26_rerun_assertmsg_v_txt => "go1.26-rerun/assertmsg-v.txt",
    go1_26_repeats_test_json => "go1.26-repeats/test.json",
    dumps_goroutine_debug2 => "dumps/goroutine-debug2.txt",
    dumps_goroutineleak_debug1 => "dumps/goroutineleak-debug1.txt",
    dumps_goroutineleak_debug2 => "dumps/goroutineleak-debug2.txt",
    dumps_panic_log => "dumps/panic-log.txt",
}

/// Every captured stream but the 64 MB std one, the wild captures and the fidelity corpus (checked
/// against its hand-written truth in corpus.rs) has its snapshots.
#[test]
fn every_captured_stream_is_snapshotted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/streams");
    let mut found = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap();
        // std: 64 MB; wild: the captures of fixtures/wild (issue 14; another --root, see
        // fixtures/streams/wild/README.md); fidelity: checked against its hand-written truth in corpus.rs.
        if dir.file_name() == "std" || dir.file_name() == "wild" || dir.file_name() == "fidelity" {
            continue;
        }
        for f in std::fs::read_dir(dir.path()).unwrap() {
            let f = f.unwrap();
            found.push(format!(
                "{}/{}",
                dir.file_name().to_str().unwrap(),
                f.file_name().to_str().unwrap()
            ));
        }
    }
    found.sort();
    let source = include_str!("outputs.rs");
    let missing: Vec<&String> = found
        .iter()
        .filter(|rel| !source.contains(&format!("=> \"{rel}\",")))
        .collect();
    assert!(missing.is_empty(), "streams without snapshots: {missing:?}");
}
