//! `--fix-diff` end to end: the diff of the fixture run applies with `git apply` to a copy of the fixture
//! module, and `go test` of the fixed packages then passes (it fails before). Go is required: this test
//! fails, rather than skips, when `go` is missing.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::*;

/// The diff goleash writes for the go1.26 capture.
const EXPECTED_DIFF: &str = "\
diff --git a/forgottensender/fetch.go b/forgottensender/fetch.go
--- a/forgottensender/fetch.go
+++ b/forgottensender/fetch.go
@@ -21,7 +21,7 @@
 
 // FetchWithTimeout runs slowWork and waits at most d for its result.
 func FetchWithTimeout(d time.Duration) (string, error) {
-\tch := make(chan string) // unbuffered: the sender needs a receiver
+\tch := make(chan string, 1) // unbuffered: the sender needs a receiver
 \tgo func() {
 \t\tch <- slowWork() // LEAK: blocks forever once the caller has timed out
 \t}()
diff --git a/synctestleak/lookup.go b/synctestleak/lookup.go
--- a/synctestleak/lookup.go
+++ b/synctestleak/lookup.go
@@ -15,7 +15,7 @@
 
 // Lookup asks the backend and waits at most d.
 func Lookup(key string, d time.Duration) (string, bool) {
-\tch := make(chan string)
+\tch := make(chan string, 1)
 \tgo func() {
 \t\tch <- backend(key) // LEAK: blocked forever once Lookup timed out
 \t}()
";

/// The packages the diff fixes.
const FIXED: [&str; 2] = ["./forgottensender/", "./synctestleak/"];

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Runs a command in `dir` with git and go kept inside it (no repository above, no workspace, no toolchain
/// download).
fn run_in(dir: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap())
        .env("GOFLAGS", "-mod=mod")
        .env("GOWORK", "off")
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap_or_else(|e| panic!("{program} is required for this test: {e}"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn fix_diff_applies_and_the_fixed_packages_pass() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("go");
    copy_dir(&module(), &root);
    let diff_path = tmp.path().join("fix.diff");

    let run = goleash(
        &[&stream("go1.26/test.json")],
        &[
            "--root",
            root.to_str().unwrap(),
            "--fix-diff",
            diff_path.to_str().unwrap(),
        ],
    );
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "goleash: wrote 2 fixes in 2 files to {} (apply it with `git apply` in the --root folder)\n",
            diff_path.display()
        )),
        "{}",
        run.stderr
    );
    let diff = std::fs::read_to_string(&diff_path).unwrap();
    assert_eq!(diff, EXPECTED_DIFF);

    // Before the fix the packages leak.
    let mut args = vec!["test", "-count=1"];
    args.extend(FIXED);
    let before = run_in(&root, "go", &args);
    assert!(!before.status.success(), "{}", text(&before));
    assert!(
        text(&before).contains("found unexpected goroutines"),
        "{}",
        text(&before)
    );

    let check = run_in(
        &root,
        "git",
        &["apply", "--check", diff_path.to_str().unwrap()],
    );
    assert!(check.status.success(), "{}", text(&check));
    let apply = run_in(&root, "git", &["apply", diff_path.to_str().unwrap()]);
    assert!(apply.status.success(), "{}", text(&apply));
    let fetch = std::fs::read_to_string(root.join("forgottensender/fetch.go")).unwrap();
    assert!(fetch.contains("\tch := make(chan string, 1) // unbuffered"));

    let after = run_in(&root, "go", &args);
    assert!(after.status.success(), "{}", text(&after));
    let out = text(&after);
    assert!(
        out.contains("ok  \texample.com/leaky/forgottensender"),
        "{out}"
    );
    assert!(
        out.contains("ok  \texample.com/leaky/synctestleak"),
        "{out}"
    );

    // On the fixed tree the engine is no longer sure of anything: the diff is empty.
    let again = tmp.path().join("again.diff");
    let run = goleash(
        &[&stream("go1.26/test.json")],
        &[
            "--root",
            root.to_str().unwrap(),
            "--fix-diff",
            again.to_str().unwrap(),
        ],
    );
    assert_eq!(run.status, 1);
    assert_eq!(std::fs::read_to_string(&again).unwrap(), "");
    assert!(
        run.stderr
            .contains("goleash: no fix the advice engine is sure of; wrote an empty "),
        "{}",
        run.stderr
    );
}

#[test]
fn without_source_the_diff_is_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let diff_path = tmp.path().join("fix.diff");
    let run = goleash(
        &[&stream("go1.26/test.json")],
        &[
            "--root",
            tmp.path().to_str().unwrap(),
            "--fix-diff",
            diff_path.to_str().unwrap(),
        ],
    );
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&diff_path).unwrap(), "");
}

#[test]
fn a_source_tree_that_does_not_match_the_stacks_gets_no_fix() {
    // The shifted capture ran on sources with three more lines on top of every file: against the
    // unshifted tree no blocking line is what the stack says, so the engine is sure of nothing.
    let tmp = tempfile::tempdir().unwrap();
    let diff_path = tmp.path().join("fix.diff");
    let run = goleash(
        &[&stream("go1.26-shifted/test.json")],
        &[
            "--root",
            module().to_str().unwrap(),
            "--fix-diff",
            diff_path.to_str().unwrap(),
        ],
    );
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&diff_path).unwrap(), "");
}

#[test]
fn an_unwritable_fix_diff_path_is_exit_2_before_reading() {
    let run = goleash(
        &[&stream("go1.26/test.json")],
        &[
            "--root",
            module().to_str().unwrap(),
            "--fix-diff",
            "/nonexistent-dir/fix.diff",
        ],
    );
    assert_eq!(run.status, 2);
    assert!(
        run.stderr
            .starts_with("goleash: --fix-diff /nonexistent-dir/fix.diff: the folder /nonexistent-dir does not exist"),
        "{}",
        run.stderr
    );
}
