//! Helpers shared by the integration tests: paths of the fixtures, running the binary, validating XML.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub use serde_json::Value;

/// The failures of a JSON report as (package, test, kind).
pub fn failing(json: &Value) -> BTreeSet<(String, Option<String>, String)> {
    json["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["package"].as_str().unwrap().to_string(),
                f["test"].as_str().map(str::to_string),
                f["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Whether a leak of a JSON report is the panics fixture's watcher: the goroutine `panics.NewRegistry`
/// starts, once per test. A panic dump is one snapshot, so it catches the watcher wherever it is: in its
/// `select`, not started yet (`NewRegistry.gowrap1`), running its loop, or (on a loaded machine) inside
/// its first `time.After` (`time.syncTimer`): each a different stack, so a different id.
pub fn is_panics_watcher(leak: &Value) -> bool {
    leak["created_by"]["function"] == "example.com/leaky/panics.NewRegistry"
        || leak["function"]
            .as_str()
            .unwrap()
            .starts_with("example.com/leaky/panics.")
}

/// Leak ids of a JSON report, without the panics watcher ([`is_panics_watcher`]: its id depends on where
/// the panic caught it).
pub fn stable_ids(json: &Value) -> BTreeSet<String> {
    json["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| !is_panics_watcher(l))
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect()
}

/// What a JSON report says about the panics watcher, whatever stack it was caught in: (goroutines,
/// their sources, the (package, test) of every occurrence).
pub fn panics_watcher(json: &Value) -> (u64, BTreeSet<String>, BTreeSet<(String, String)>) {
    let mut goroutines = 0;
    let mut sources = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for l in json["leaks"].as_array().unwrap() {
        if !is_panics_watcher(l) {
            continue;
        }
        goroutines += l["goroutines"].as_u64().unwrap();
        for s in l["sources"].as_array().unwrap() {
            sources.insert(s.as_str().unwrap().to_string());
        }
        for o in l["occurrences"].as_array().unwrap() {
            seen.insert((
                o["package"].as_str().unwrap().to_string(),
                o["test"].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    (goroutines, sources, seen)
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A captured stream under fixtures/streams.
pub fn stream(rel: &str) -> PathBuf {
    repo().join("fixtures/streams").join(rel)
}

/// The fixture Go module.
pub fn module() -> PathBuf {
    repo().join("fixtures/go")
}

/// The goleash binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_goleash");

/// Whether the binary reads this environment variable, so a test must not inherit it: CI sets the
/// GitHub ones, a terminal sets `COLUMNS`, a user `NO_COLOR`.
fn read_by_goleash(name: &str) -> bool {
    name.starts_with("GITHUB_")
        || name.starts_with("RUNNER_")
        || name == "NO_COLOR"
        || name == "COLUMNS"
}

/// One run of the binary, set up step by step: arguments, inputs, environment, standard input, the
/// working folder, and output files in a fresh temp folder that the result keeps.
///
/// It starts in the crate's folder with none of the environment goleash reads ([`read_by_goleash`]),
/// so what a test sets is all the binary sees.
pub struct Goleash {
    cmd: Command,
    stdin: Option<Vec<u8>>,
    dir: tempfile::TempDir,
}

impl Default for Goleash {
    fn default() -> Goleash {
        Goleash::new()
    }
}

impl Goleash {
    /// The binary in the crate's folder with a clean environment and a fresh temp folder.
    pub fn new() -> Goleash {
        let mut cmd = Command::new(BIN);
        cmd.current_dir(repo());
        for (k, _) in std::env::vars_os() {
            if k.to_str().is_some_and(read_by_goleash) {
                cmd.env_remove(k);
            }
        }
        Goleash {
            cmd,
            stdin: None,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The run's temp folder (kept by the result).
    pub fn temp(&self) -> &Path {
        self.dir.path()
    }

    /// Adds one argument.
    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Goleash {
        self.cmd.arg(a);
        self
    }

    /// Adds arguments.
    pub fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Goleash {
        self.cmd.args(args);
        self
    }

    /// Adds `flag PATH` with PATH = `name` in the temp folder; the result reads it with [`Ran::file`].
    pub fn out(self, flag: &str, name: &str) -> Goleash {
        let path = self.dir.path().join(name);
        self.arg(flag).arg(path)
    }

    /// Sets an environment variable.
    pub fn env(mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> Goleash {
        self.cmd.env(k, v);
        self
    }

    /// Sets environment variables.
    pub fn envs(mut self, vars: &[(&str, &str)]) -> Goleash {
        self.cmd.envs(vars.iter().copied());
        self
    }

    /// Removes an environment variable.
    pub fn env_remove(mut self, k: impl AsRef<OsStr>) -> Goleash {
        self.cmd.env_remove(k);
        self
    }

    /// Runs in `dir` instead of the crate's folder.
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Goleash {
        self.cmd.current_dir(dir);
        self
    }

    /// Runs in the temp folder (relative output paths land there).
    pub fn in_temp(mut self) -> Goleash {
        self.cmd.current_dir(self.dir.path());
        self
    }

    /// Feeds `bytes` on standard input (else it is empty).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Goleash {
        self.stdin = Some(bytes.into());
        self
    }

    /// The command as set up, and the temp folder, for a test that drives the process itself.
    pub fn command(self) -> (Command, tempfile::TempDir) {
        (self.cmd, self.dir)
    }

    /// Runs to the end: exit status, standard output and error, and the temp folder with its files.
    pub fn run(mut self) -> Ran {
        self.cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("goleash starts");
        let mut pipe = child.stdin.take().unwrap();
        let bytes = self.stdin.take().unwrap_or_default();
        // A writer thread: goleash may fill its output pipes before it has read all of its input.
        let writer = std::thread::spawn(move || {
            // goleash may stop reading early (a bad flag); that is the test's business, not a panic.
            let _ = pipe.write_all(&bytes);
        });
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap();
        Ran {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            raw_stdout: out.stdout,
            raw_stderr: out.stderr,
            dir: self.dir,
        }
    }
}

/// What a finished run printed and wrote.
pub struct Ran {
    /// The exit status (-1 when killed by a signal).
    pub status: i32,
    /// Standard output (invalid UTF-8 replaced).
    pub stdout: String,
    /// Standard error (invalid UTF-8 replaced).
    pub stderr: String,
    /// Standard output as printed.
    pub raw_stdout: Vec<u8>,
    /// Standard error as printed.
    pub raw_stderr: Vec<u8>,
    /// The run's temp folder.
    pub dir: tempfile::TempDir,
}

impl Ran {
    /// A file in the temp folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The text of a file in the temp folder, if it was written.
    pub fn file(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.path(name)).ok()
    }

    /// A JSON file in the temp folder, if it was written (it must parse).
    pub fn json_file(&self, name: &str) -> Option<Value> {
        self.file(name).map(|s| serde_json::from_str(&s).unwrap())
    }
}

/// What one run of the binary produced.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    pub junit: Option<String>,
    pub json: Option<serde_json::Value>,
    pub dir: tempfile::TempDir,
}

/// Runs goleash on the inputs with `--junit` and `--json` into a temp dir, plus extra args.
pub fn goleash(inputs: &[&Path], extra: &[&str]) -> Run {
    let r = Goleash::new()
        .out("--junit", "junit.xml")
        .out("--json", "report.json")
        .args(extra)
        .args(inputs)
        .env("NO_COLOR", "1")
        .run();
    Run {
        status: r.status,
        junit: r.file("junit.xml"),
        json: r.json_file("report.json"),
        stdout: r.stdout,
        stderr: r.stderr,
        dir: r.dir,
    }
}

/// Runs goleash on one fixture stream with `--root fixtures/go`.
pub fn fixture_run(rel: &str) -> Run {
    let root = module();
    goleash(&[&stream(rel)], &["--root", root.to_str().unwrap()])
}

/// Fails unless `xmllint --schema junit-10.xsd` accepts the file.
pub fn assert_schema_valid(xml_path: &Path) {
    let xsd = repo().join("../shared/schemas/junit-10.xsd");
    let xsd = if xsd.exists() {
        xsd
    } else {
        repo().join("tests/data/junit-10.xsd")
    };
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(xml_path)
        .output()
        .expect("xmllint is required (Debian package libxml2-utils)");
    assert!(
        out.status.success(),
        "xmllint rejects {}:\n{}",
        xml_path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Fails unless `xmllint --schema` accepts the file against Maven Surefire's
/// `surefire-test-report-3.0.xsd` (tests/data, from apache/maven-surefire).
pub fn assert_surefire_valid(xml_path: &Path) {
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(repo().join("tests/data/surefire-test-report-3.0.xsd"))
        .arg(xml_path)
        .output()
        .expect("xmllint is required (Debian package libxml2-utils)");
    assert!(
        out.status.success(),
        "xmllint rejects {} against the Surefire schema:\n{}",
        xml_path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The start tags of the `<testcase>` elements of a JUnit text that hold a `<failure>` or `<error>`.
pub fn failed_case_tags(junit: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for (i, _) in junit.match_indices("<testcase ") {
        let case = &junit[i..];
        let tag_end = case.find('>').unwrap();
        let tag = &case[..=tag_end];
        if tag.ends_with("/>") {
            continue;
        }
        let body = &case[..case.find("</testcase>").unwrap()];
        if body.contains("<failure ") || body.contains("<error ") {
            out.push(tag);
        }
    }
    out
}

/// Totals as junitparser reads them: (tests, failures, errors, skipped).
pub fn junitparser_totals(xml_path: &Path) -> (u64, u64, u64, u64) {
    let script = "import sys\nfrom junitparser import JUnitXml\nx = JUnitXml.fromfile(sys.argv[1])\nt=f=e=s=0\nfor suite in x:\n    for case in suite:\n        t += 1\n        for r in case.result:\n            k = type(r).__name__\n            if k == 'Failure': f += 1\n            elif k == 'Error': e += 1\n            elif k == 'Skipped': s += 1\nprint(t, f, e, s)\n";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(xml_path)
        .output()
        .expect("python3 is required");
    assert!(
        out.status.success(),
        "junitparser failed (pip install junitparser): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8_lossy(&out.stdout);
    let v: Vec<u64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect();
    (v[0], v[1], v[2], v[3])
}

/// The totals goleash wrote on `<testsuites>`: (tests, failures, errors).
pub fn root_totals(xml: &str) -> (u64, u64, u64) {
    let start = xml.find("<testsuites").unwrap();
    let tag = &xml[start..start + xml[start..].find('>').unwrap()];
    let attr = |name: &str| -> u64 {
        let key = format!(" {name}=\"");
        let i = tag.find(&key).unwrap() + key.len();
        tag[i..i + tag[i..].find('"').unwrap()].parse().unwrap()
    };
    (attr("tests"), attr("failures"), attr("errors"))
}

/// True when Go must be present (CI sets GOLEASH_REQUIRE_GO=1); tests that need Go fail without it.
pub fn go_available() -> bool {
    let ok = Command::new("go")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && std::env::var_os("GOLEASH_REQUIRE_GO").is_some() {
        panic!("go is required (GOLEASH_REQUIRE_GO is set) but not found");
    }
    ok
}

/// The GitHub runner's `UnescapeData` (the inverse of goleash's message escaping).
pub fn unescape_data(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%")
}

/// The GitHub runner's `UnescapeProperty` (the inverse of goleash's property escaping).
pub fn unescape_property(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

/// The value of attribute `key` of an XML element as a reader sees it (unescaped), or "".
pub fn xml_attr(s: &quick_xml::events::BytesStart, key: &[u8]) -> String {
    s.attributes()
        .map(|a| a.unwrap())
        .find(|a| a.key.as_ref() == key)
        .map(|a| a.unescape_value().unwrap().into_owned())
        .unwrap_or_default()
}

/// Copies the folder `from` to `to` (created), files and subfolders.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}
