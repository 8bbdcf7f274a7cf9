//! The `goleash` binary as a user runs it: live lines through a slow pipe, the rendered report (snapshot),
//! colour, `--quiet`, `-- go test` on a real Go package, subcommands and exit codes.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use pretty_assertions::assert_eq;

use crate::common::{Goleash, Ran};

const STREAM: &str = "fixtures/streams/go1.26/test.json";
const TEXT_STREAM: &str = "fixtures/streams/go1.26/test-v.txt";

/// The binary, in the crate's folder, with no environment that changes what it prints.
fn goleash() -> Goleash {
    Goleash::new()
}

fn run(args: &[&str]) -> Ran {
    goleash().args(args).run()
}

fn stdout(o: &Ran) -> String {
    String::from_utf8(o.raw_stdout.clone()).unwrap()
}

fn stderr(o: &Ran) -> String {
    String::from_utf8(o.raw_stderr.clone()).unwrap()
}

/// The live lines of a finished run: everything before the first blank line.
fn live_lines(out: &str) -> Vec<String> {
    out.lines()
        .take_while(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Feeds the first half of a stream, checks which package lines have appeared before the rest is written,
/// then writes the rest. Returns (lines seen before the rest was written, whole stdout, exit code).
fn feed_slowly(path: &str, expect_before: usize) -> (Vec<String>, String, Option<i32>) {
    let data = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    let lines: Vec<&str> = data.split_inclusive('\n').collect();
    let half = lines.len() / 2;
    let (mut cmd, _temp) = goleash()
        .args(["--color", "never", "--root", "fixtures/go"])
        .command();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(lines[..half].concat().as_bytes()).unwrap();
    stdin.flush().unwrap();
    // The stream is still open: these lines can only come from packages that already ended.
    let mut before = Vec::new();
    while before.len() < expect_before {
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(l) => before.push(l),
            Err(_) => panic!(
                "only {} of {expect_before} package lines appeared while the stream was open: {before:?}",
                before.len()
            ),
        }
    }
    std::thread::sleep(Duration::from_millis(200));
    while let Ok(l) = rx.try_recv() {
        before.push(l);
    }
    stdin.write_all(lines[half..].concat().as_bytes()).unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let mut all: Vec<String> = before.clone();
    all.extend(rx.try_iter());
    (before, all.join("\n") + "\n", status.code())
}

/// Package-level end events (`pass`/`fail`/`skip` without a test) among the first half of a JSON stream.
fn package_ends_in_first_half(path: &str) -> usize {
    let data = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = data.lines().collect();
    lines[..lines.len() / 2]
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| {
            v.get("Test").is_none()
                && v.get("Package").is_some()
                && matches!(v["Action"].as_str(), Some("pass" | "fail" | "skip"))
        })
        .count()
}

#[test]
fn package_lines_appear_while_the_json_stream_is_still_coming() {
    let full = stdout(&run(&[STREAM, "--color", "never", "--root", "fixtures/go"]));
    let expected = live_lines(&full);
    let ended = package_ends_in_first_half(STREAM);
    assert_eq!(ended, 13);
    let (before, all, code) = feed_slowly(STREAM, ended);
    assert_eq!(before, expected[..ended]);
    assert_eq!(
        before[0],
        "BUILD FAIL example.com/leaky/buildfail  build failed  0.00s"
    );
    assert_eq!(code, Some(1));
    assert_eq!(all, full);
}

#[test]
fn package_lines_appear_while_the_text_stream_is_still_coming() {
    let full = stdout(&run(&[
        TEXT_STREAM,
        "--color",
        "never",
        "--root",
        "fixtures/go",
    ]));
    let expected = live_lines(&full);
    let (before, all, code) = feed_slowly(TEXT_STREAM, 1);
    assert!(
        !before.is_empty() && before.len() < expected.len(),
        "{before:?}"
    );
    assert_eq!(before, expected[..before.len()]);
    assert_eq!(code, Some(1));
    assert_eq!(all, full);
}

#[test]
fn the_fixture_run_renders_leaks_with_source_failures_and_totals() {
    let o = run(&[STREAM, "--color", "never", "--root", "fixtures/go"]);
    assert_eq!(o.status, 1);
    let out = stdout(&o);
    assert!(!out.contains('\u{1b}'));
    assert!(!out.contains(env!("CARGO_MANIFEST_DIR")));
    insta::assert_snapshot!("fixture_run", out);
}

#[test]
fn quiet_keeps_failures_leaks_and_totals() {
    let loud = stdout(&run(&[STREAM, "--color", "never", "--root", "fixtures/go"]));
    let o = run(&[
        STREAM,
        "--color",
        "never",
        "--root",
        "fixtures/go",
        "--quiet",
    ]);
    assert_eq!(o.status, 1);
    let quiet = stdout(&o);
    let dropped: Vec<&str> = loud
        .lines()
        .filter(|l| !quiet.lines().any(|q| q == *l))
        .collect();
    assert_eq!(
        dropped,
        [
            "skip    example.com/leaky/cmd/goroutinedump  no test files  0.00s",
            "skip    example.com/leaky/cmd/leakdump  no test files  0.00s",
            "skip    example.com/leaky/cmd/panicdump  no test files  0.00s",
            "ok      example.com/leaky/clean  5 passed  1.02s",
            "skip    example.com/leaky/leakyhelper  no test files  0.00s",
        ]
    );
    assert_eq!(quiet.lines().count(), loud.lines().count() - 5);
    assert!(quiet.lines().any(|l| l == "21 leaks"));
    assert!(quiet.lines().any(|l| l == "26 failures"));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let args = [STREAM, "--root", "fixtures/go"];
    let always = stdout(
        &goleash()
            .args(args)
            .args(["--color", "always"])
            .env("NO_COLOR", "1")
            .run(),
    );
    assert!(
        always.starts_with("\u{1b}[1;31mBUILD FAIL\u{1b}[0m "),
        "{always}"
    );
    assert!(
        always.contains("\u{1b}[31m×\u{1b}[0m leak 9891ee6bdfb7"),
        "miette's diagnostics are coloured too"
    );
    // A pipe is no terminal: `auto` does not colour.
    let auto = stdout(&run(&args));
    assert!(!auto.contains('\u{1b}'));
    let never = stdout(&run(&[STREAM, "--root", "fixtures/go", "--color", "never"]));
    assert_eq!(auto, never);
    let plain_always: String = strip_ansi(&always);
    assert_eq!(plain_always, never);
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn columns_sets_the_width_when_not_a_terminal() {
    let o = goleash()
        .args([STREAM, "--color", "never", "--root", "fixtures/go"])
        .env("COLUMNS", "60")
        .run();
    let out = stdout(&o);
    // Wrapped text (titles, test lists, help) fits; source lines are shown as they are.
    let text_lines: Vec<&str> = out
        .lines()
        .filter(|l| {
            l.starts_with("  × ")
                || l.starts_with("  │ ")
                || l.starts_with("  help: ")
                || l.starts_with("        ")
        })
        .collect();
    assert!(text_lines.len() > 100, "{out}");
    for l in text_lines {
        assert!(l.chars().count() <= 60, "{l:?} is wider than 60");
    }
    assert!(
        out.lines()
            .any(|l| l == "FAIL    ….com/leaky/forgottensender  3 failed  1.38s  1 leak"),
        "{out}"
    );
}

/// The clean package's events only.
fn clean_stream() -> String {
    let data = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(STREAM)).unwrap();
    data.lines()
        .filter(|l| l.contains("\"Package\":\"example.com/leaky/clean\""))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn a_clean_run_exits_0_with_one_line_and_the_totals() {
    let o = goleash()
        .args(["--color", "never", "-"])
        .stdin(clean_stream())
        .run();
    assert_eq!(o.status, 0);
    assert_eq!(
        stdout(&o),
        "ok      example.com/leaky/clean  5 passed  1.02s\n\n1 package, 5 tests: 5 passed, 0 failed, 0 skipped; 0 leaks (0 goroutines)\n"
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn fail_on_decides_between_0_and_1() {
    assert_eq!(run(&[STREAM, "--fail-on", "never"]).status, 0);
    assert_eq!(run(&[STREAM, "--fail-on", "leak"]).status, 1);
    assert_eq!(run(&[STREAM]).status, 1);
}

#[test]
fn tool_problems_exit_2_naming_the_path() {
    let o = run(&["no/such/input.json"]);
    assert_eq!(o.status, 2);
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o),
        "goleash: no/such/input.json: No such file or directory (os error 2)\n"
    );
    for flag in ["--junit", "--json", "--write-baseline"] {
        let o = run(&[STREAM, flag, "no/such/dir/out.file"]);
        assert_eq!(o.status, 2, "{flag}");
        assert_eq!(
            stdout(&o),
            "",
            "{flag}: nothing is read before outputs are checked"
        );
        assert_eq!(
            stderr(&o),
            format!(
                "goleash: {flag} no/such/dir/out.file: the folder no/such/dir does not exist\n"
            ),
            "{flag}"
        );
    }
    let o = run(&[STREAM, "--baseline", "no/such/baseline.txt"]);
    assert_eq!(o.status, 2);
    assert_eq!(
        stderr(&o),
        "goleash: no/such/baseline.txt: No such file or directory (os error 2)\n"
    );
    let o = run(&[STREAM, "--color", "sometimes"]);
    assert_eq!(o.status, 2);
    assert!(
        stderr(&o).starts_with("error: invalid value 'sometimes' for '--color <WHEN>'"),
        "{}",
        stderr(&o)
    );
    assert_eq!(run(&["--no-such-flag"]).status, 2);
    let o = run(&[STREAM, "--", "go", "test"]);
    assert_eq!(o.status, 2);
    assert!(
        stderr(&o).starts_with("error: the argument '[INPUTS]...' cannot be used with '[CMD]...'")
    );
}

#[test]
fn a_command_that_cannot_start_exits_2_naming_it() {
    let o = run(&["--", "goleash-no-such-command", "test", "./..."]);
    assert_eq!(o.status, 2);
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o),
        "goleash: cannot run `goleash-no-such-command test ./...`: No such file or directory (os error 2)\n"
    );
}

#[cfg(unix)]
#[test]
fn a_failed_command_without_failing_tests_says_so_and_exits_1() {
    let o = run(&["--color", "never", "--", "sh", "-c", "exit 3"]);
    assert_eq!(o.status, 1);
    assert_eq!(
        stdout(&o),
        "\n0 packages, 0 tests: 0 passed, 0 failed, 0 skipped; 0 leaks (0 goroutines)\n"
    );
    assert_eq!(
        stderr(&o),
        "goleash: `sh -c 'exit 3'` exited with status 3, and no test failed\n"
    );
}

const GO_MOD: &str = "module example.com/tiny\n\ngo 1.25\n";

const TINY_GO: &str = r#"// Package tiny asks a backend with a timeout, and leaks the goroutine that asked.
package tiny

import "time"

// Lookup returns the backend's answer, or "" after the timeout.
func Lookup(backend func() string, timeout time.Duration) string {
	ch := make(chan string)
	go func() {
		ch <- backend() // nobody receives once Lookup timed out
	}()
	select {
	case v := <-ch:
		return v
	case <-time.After(timeout):
		return ""
	}
}
"#;

const TINY_TEST_GO: &str = r#"package tiny

import (
	"testing"
	"testing/synctest"
	"time"
)

func TestFast(t *testing.T) {
	if got := Lookup(func() string { return "x" }, time.Second); got != "x" {
		t.Fatalf("got %q", got)
	}
}

func TestWrong(t *testing.T) {
	t.Errorf("want %d, got %d", 1, 2)
}

func TestSlowLeaks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		Lookup(func() string { time.Sleep(2 * time.Second); return "x" }, time.Second)
		time.Sleep(3 * time.Second) // the backend answers now, to nobody
	})
}
"#;

/// A tiny Go module in a temporary folder: one passing test, one failing, one that leaks under synctest.
fn tiny_module() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), GO_MOD).unwrap();
    std::fs::write(dir.path().join("tiny.go"), TINY_GO).unwrap();
    std::fs::write(dir.path().join("tiny_test.go"), TINY_TEST_GO).unwrap();
    dir
}

fn go_available() {
    let o = Command::new("go").arg("version").output();
    assert!(
        o.as_ref().is_ok_and(|o| o.status.success()),
        "the `-- go test` tests need Go 1.25+ on PATH: {o:?}"
    );
}

fn in_module(dir: &Path) -> Goleash {
    Goleash::new()
        .current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
}

/// Replaces the package's duration (the one thing that varies) with `X.XXs`.
fn fixed_duration(out: &str) -> String {
    out.lines()
        .map(
            |l| match l.strip_prefix("PANIC   example.com/tiny  1 passed, 2 failed  ") {
                Some(rest) => {
                    let rest = rest.split_once("s  ").map(|(_, r)| r).unwrap_or(rest);
                    format!("PANIC   example.com/tiny  1 passed, 2 failed  X.XXs  {rest}")
                }
                None => l.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn go_test_runs_as_a_child_with_json_added() {
    go_available();
    let dir = tiny_module();
    let o = in_module(dir.path())
        .args(["--color", "never", "--", "go", "test", "-count=1", "./..."])
        .run();
    assert_eq!(o.status, 1, "{}", stderr(&o));
    let out = fixed_duration(&stdout(&o));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "PANIC   example.com/tiny  1 passed, 2 failed  X.XXs  1 leak"
    );
    let snippet = [
        "  × leak ce7decbeba85 · forgotten-sender: 1 goroutine blocked on chan send",
        "  │ in example.com/tiny.Lookup.func1",
        "  │ started by example.com/tiny.Lookup",
        "  │ introduced by tiny.TestSlowLeaks (found by synctest)",
        "    ╭─[tiny.go:10:3]",
        "  8 │     ch := make(chan string)",
        "  9 │     go func() {",
        "    ·     ─────┬─────",
        "    ·          ╰── started here",
        " 10 │         ch <- backend() // nobody receives once Lookup timed out",
        "    ·         ───────┬───────",
        "    ·                ╰── blocked on chan send here",
        " 11 │     }()",
        "    ╰────",
    ];
    let at = lines
        .iter()
        .position(|l| *l == snippet[0])
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(lines[at..at + snippet.len()], snippet);
    let failures = lines.iter().position(|l| *l == "2 failures").unwrap();
    assert_eq!(
        lines[failures + 2..failures + 4],
        [
            "FAIL    tiny.TestWrong  tiny_test.go:16",
            "        want 1, got 2"
        ]
    );
    assert_eq!(
        lines.last().copied(),
        Some("1 package, 3 tests: 1 passed, 2 failed, 0 skipped; 1 leak (1 goroutine)")
    );
    // `--fail-on never` cannot hide that go test failed: the worse of both statuses.
    let o = in_module(dir.path())
        .args([
            "--color",
            "never",
            "--fail-on",
            "never",
            "--",
            "go",
            "test",
            "-json",
            "./...",
        ])
        .run();
    assert_eq!(o.status, 1);
    // A passing run exits 0; `-json` given by the user is not doubled.
    let o = in_module(dir.path())
        .args([
            "--color", "never", "--", "go", "test", "-json", "-run", "TestFast", "./...",
        ])
        .run();
    assert_eq!(o.status, 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("ok      example.com/tiny  1 passed  "),
        "{out}"
    );
    assert!(
        out.ends_with(
            "\n\n1 package, 1 test: 1 passed, 0 failed, 0 skipped; 0 leaks (0 goroutines)\n"
        ),
        "{out}"
    );
}

#[test]
fn go_test_output_is_streamed_live() {
    go_available();
    let dir = tiny_module();
    // A second package that finishes only when a file appears: its line must not hold back the first's.
    let slow = dir.path().join("slow");
    std::fs::create_dir(&slow).unwrap();
    let flag: PathBuf = dir.path().join("go-on");
    std::fs::write(
        slow.join("slow_test.go"),
        format!(
            "package slow\n\nimport (\n\t\"os\"\n\t\"testing\"\n\t\"time\"\n)\n\nfunc TestWaits(t *testing.T) {{\n\tfor end := time.Now().Add(time.Minute); time.Now().Before(end); {{\n\t\tif _, err := os.Stat({:?}); err == nil {{\n\t\t\treturn\n\t\t}}\n\t\ttime.Sleep(20 * time.Millisecond)\n\t}}\n\tt.Fatal(\"the go-on file never appeared\")\n}}\n",
            flag.to_str().unwrap()
        ),
    )
    .unwrap();
    let (mut cmd, _temp) = in_module(dir.path())
        .args([
            "--color",
            "never",
            "--",
            "go",
            "test",
            "-count=1",
            "-run",
            "TestFast|TestWaits",
            "./...",
        ])
        .command();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || loop {
        let mut l = String::new();
        if out.read_line(&mut l).unwrap() == 0 {
            break;
        }
        if tx.send(l).is_err() {
            break;
        }
    });
    let first = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("no package line while go test runs");
    assert!(
        first.starts_with("ok      example.com/tiny  1 passed  "),
        "{first}"
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "go test ended before its first package line was read"
    );
    std::fs::write(&flag, "").unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let rest: Vec<String> = rx.try_iter().collect();
    assert!(
        rest[0].starts_with("ok      example.com/tiny/slow  1 passed  "),
        "{rest:?}"
    );
    assert_eq!(status.code(), Some(0));
}

#[test]
fn help_shows_the_three_uses() {
    let o = run(&["--help"]);
    assert_eq!(o.status, 0);
    let help = stdout(&o);
    for example in [
        "    go test -json ./... 2>&1 | goleash --junit junit.xml",
        "    goleash -- go test -race ./...",
        "    goleash --json report.json shard1.json shard2.json",
    ] {
        assert!(
            help.lines().any(|l| l == example),
            "{example} missing from\n{help}"
        );
    }
}

#[test]
fn completions_and_man_page() {
    let o = run(&["completions", "bash"]);
    assert_eq!(o.status, 0);
    let bash = stdout(&o);
    assert!(bash.starts_with("_goleash() {"), "{bash}");
    assert!(bash.contains("--fail-on"));
    let zsh = stdout(&run(&["completions", "zsh"]));
    assert!(zsh.starts_with("#compdef goleash"), "{zsh}");
    let fish = stdout(&run(&["completions", "fish"]));
    assert!(fish.contains("complete -c goleash"), "{fish}");
    let o = run(&["completions", "tcsh"]);
    assert_eq!(o.status, 2);
    let o = run(&["man"]);
    assert_eq!(o.status, 0);
    let man = stdout(&o);
    assert!(man.lines().any(|l| l.starts_with(".TH goleash 1")), "{man}");
    assert!(man.contains("\\-\\-color"));
}
