//! Helpers shared by the integration tests: paths of the fixtures, running the binary, validating XML.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

/// Leak ids of a JSON report, without the panics watcher (its stack depends on whether it ran before
/// the panic: `NewRegistry.gowrap1` when caught before it started).
pub fn stable_ids(json: &Value) -> BTreeSet<String> {
    json["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| {
            !l["function"]
                .as_str()
                .unwrap()
                .starts_with("example.com/leaky/panics.")
        })
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect()
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
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let json = dir.path().join("report.json");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_goleash"));
    cmd.arg("--junit").arg(&junit).arg("--json").arg(&json);
    cmd.args(extra);
    cmd.args(inputs);
    cmd.env_remove("GITHUB_ACTIONS").env("NO_COLOR", "1");
    let out: Output = cmd.output().unwrap();
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        junit: std::fs::read_to_string(&junit).ok(),
        json: std::fs::read_to_string(&json)
            .ok()
            .map(|s| serde_json::from_str(&s).unwrap()),
        dir,
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
