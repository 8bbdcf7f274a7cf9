//! `--sarif`: SARIF 2.1.0 validated against the OASIS JSON schema (vendored in
//! tests/data/sarif-schema-2.1.0.json, see tests/data/SARIF-SCHEMA.md), one result per leak group of the
//! fixture run, a rule per cause, locations, fingerprints with the leak id.

use std::path::PathBuf;

use serde_json::Value;

use crate::common::Goleash;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/data/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap()
}

fn errors(instance: &Value) -> Vec<String> {
    let schema = schema();
    let v = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

struct Out {
    status: i32,
    stderr: String,
    sarif: Option<Value>,
    json: Value,
}

fn run(stream: &str, extra: &[&str], env: &[(&str, &str)]) -> Out {
    let r = Goleash::new()
        .arg(stream)
        .args(["--root", "fixtures/go", "--github", "never", "-q"])
        .out("--sarif", "leaks.sarif")
        .out("--json", "report.json")
        .args(extra)
        .envs(env)
        .run();
    Out {
        status: r.status,
        sarif: r.json_file("leaks.sarif"),
        json: r.json_file("report.json").unwrap_or(Value::Null),
        stderr: r.stderr,
    }
}

const FIXTURE: &str = "fixtures/streams/go1.26/test.json";

fn result_for<'a>(sarif: &'a Value, id: &str) -> &'a Value {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["partialFingerprints"]["goleashLeakId/v1"] == id)
        .unwrap_or_else(|| panic!("no result for {id}"))
}

fn leak_id(json: &Value, file: &str, line: u64) -> String {
    json["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["location"]["file"] == file && l["location"]["line"] == line)
        .map(|l| l["id"].as_str().unwrap().to_string())
        .unwrap()
}

#[test]
fn the_fixture_run_gives_valid_sarif_with_one_result_per_leak() {
    let ws = repo();
    let out = run(FIXTURE, &[], &[("GITHUB_WORKSPACE", ws.to_str().unwrap())]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    let sarif = out.sarif.unwrap();
    assert_eq!(errors(&sarif), Vec::<String>::new());
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "goleash");
    let leaks = out.json["leaks"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 21);
    // One rule per cause, in first-seen order; every result points at its cause's rule.
    let mut causes: Vec<&str> = Vec::new();
    for l in leaks {
        let c = l["cause"].as_str().unwrap();
        if !causes.contains(&c) {
            causes.push(c);
        }
    }
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule_ids: Vec<String> = rules
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let want: Vec<String> = causes
        .iter()
        .map(|c| format!("goroutine-leak/{c}"))
        .collect();
    assert_eq!(rule_ids, want);
    for (r, l) in results.iter().zip(leaks) {
        assert_eq!(r["partialFingerprints"]["goleashLeakId/v1"], l["id"]);
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(r["ruleId"], rules[idx]["id"]);
        assert_eq!(
            r["ruleId"].as_str().unwrap(),
            format!("goroutine-leak/{}", l["cause"].as_str().unwrap())
        );
        assert_eq!(r["level"], "error");
        assert!(r["message"]["text"]
            .as_str()
            .unwrap()
            .ends_with(l["advice"].as_str().unwrap()));
        assert_eq!(r["locations"].as_array().unwrap().len(), 1);
    }
    let fetch = result_for(&sarif, &leak_id(&out.json, "forgottensender/fetch.go", 26));
    assert_eq!(
        fetch["locations"][0]["physicalLocation"],
        serde_json::json!({"artifactLocation": {"uri": "fixtures/go/forgottensender/fetch.go", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 26}})
    );
    assert_eq!(
        fetch["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        25
    );
    assert_eq!(
        fetch["relatedLocations"][0]["message"]["text"],
        "started by example.com/leaky/forgottensender.FetchWithTimeout"
    );
    assert_eq!(
        fetch["properties"]["tests"],
        serde_json::json!([
            "example.com/leaky/forgottensender.TestFetchAgain",
            "example.com/leaky/forgottensender.TestFetchOK",
            "example.com/leaky/forgottensender.TestFetchWithTimeout"
        ])
    );
    assert_eq!(
        fetch["stacks"][0]["frames"][0]["location"]["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/go/forgottensender/fetch.go"
    );
    // A standard-library leak is shown at the failing line of the test that saw it.
    let http = result_for(
        &sarif,
        &leak_id(&out.json, "$GOROOT/src/net/fd_unix.go", 150),
    );
    assert_eq!(
        http["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/go/httpleak/client_test.go"
    );
    assert_eq!(
        http["locations"][0]["physicalLocation"]["region"]["startLine"],
        22
    );
    assert!(http.get("relatedLocations").is_none());
}

#[test]
fn the_schema_rejects_broken_logs() {
    let out = run(FIXTURE, &[], &[]);
    let good = out.sarif.unwrap();
    assert_eq!(errors(&good), Vec::<String>::new());
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert_eq!(errors(&bad).len(), 1, "{:?}", errors(&bad));
    let mut bad = good.clone();
    bad.as_object_mut().unwrap().remove("version");
    assert!(!errors(&bad).is_empty());
    let mut bad = good;
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!errors(&bad).is_empty());
}

#[test]
fn known_leaks_are_suppressed_and_fail_on_never_gives_warnings() {
    let first = run(FIXTURE, &[], &[]);
    let id = leak_id(&first.json, "worker/pool.go", 19);
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("baseline.txt");
    std::fs::write(&base, format!("{id}\n")).unwrap();
    let out = run(
        FIXTURE,
        &["--baseline", base.to_str().unwrap(), "--fail-on", "never"],
        &[],
    );
    assert_eq!(out.status, 0);
    let sarif = out.sarif.unwrap();
    assert_eq!(errors(&sarif), Vec::<String>::new());
    let r = result_for(&sarif, &id);
    assert_eq!(
        r["suppressions"],
        serde_json::json!([{"kind": "external", "justification": "listed in the goleash baseline"}])
    );
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "worker/pool.go"
    );
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r["level"] == "warning"));
    assert_eq!(
        results
            .iter()
            .filter(|r| r.get("suppressions").is_some())
            .count(),
        1
    );
}

#[test]
fn a_run_without_leaks_gives_an_empty_valid_log() {
    let dir = tempfile::tempdir().unwrap();
    let stream = dir.path().join("clean.json");
    let p = "example.com/leaky/clean";
    let lines = [
        serde_json::json!({"Action": "start", "Package": p}),
        serde_json::json!({"Action": "run", "Package": p, "Test": "TestOK"}),
        serde_json::json!({"Action": "pass", "Package": p, "Test": "TestOK", "Elapsed": 0.0}),
        serde_json::json!({"Action": "pass", "Package": p, "Elapsed": 0.1}),
    ];
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(&stream, text.join("\n")).unwrap();
    let out = run(stream.to_str().unwrap(), &[], &[]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let sarif = out.sarif.unwrap();
    assert_eq!(errors(&sarif), Vec::<String>::new());
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        sarif["runs"][0]["tool"]["driver"]["rules"],
        serde_json::json!([])
    );
}

#[test]
fn an_unwritable_sarif_path_is_a_tool_error() {
    let out = Goleash::new()
        .args([
            FIXTURE,
            "--github",
            "never",
            "--sarif",
            "/nonexistent-dir/leaks.sarif",
        ])
        .run();
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("/nonexistent-dir/leaks.sarif"));
}
