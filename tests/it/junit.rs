//! JUnit XML: valid against Jenkins' schema for every captured stream, and totals that junitparser
//! reads back exactly as goleash counted them.

use crate::common::*;

/// Every stream captured from the fixture module, whatever the Go version or format.
fn all_streams() -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for dir in ["go1.24", "go1.25", "go1.26", "go1.26-shifted", "dumps"] {
        let Ok(rd) = std::fs::read_dir(stream(dir)) else {
            continue;
        };
        for e in rd.flatten() {
            out.push(e.path());
        }
    }
    out.sort();
    out
}

#[test]
fn every_stream_gives_schema_valid_junit_with_matching_totals() {
    let streams = all_streams();
    assert_eq!(streams.len(), 14, "the captured streams: {streams:?}");
    for s in &streams {
        let run = goleash(&[s], &["--root", module().to_str().unwrap()]);
        assert!(
            run.status == 0 || run.status == 1,
            "{}: exit {} stderr {}",
            s.display(),
            run.status,
            run.stderr
        );
        assert!(
            !run.stderr.contains("panicked"),
            "{}: {}",
            s.display(),
            run.stderr
        );
        let xml_path = run.dir.path().join("junit.xml");
        assert_schema_valid(&xml_path);
        let (tests, failures, errors) = root_totals(run.junit.as_deref().unwrap());
        let (pt, pf, pe, _ps) = junitparser_totals(&xml_path);
        assert_eq!((tests, failures, errors), (pt, pf, pe), "{}", s.display());
        let json = run.json.unwrap();
        assert_eq!(
            json["summary"]["tests"].as_u64().unwrap(),
            tests,
            "{}",
            s.display()
        );
        assert_eq!(
            json["summary"]["failed"].as_u64().unwrap(),
            failures + errors,
            "{}",
            s.display()
        );
    }
}

#[test]
fn every_stream_in_the_surefire_and_gitlab_flavors() {
    let root = module();
    for s in &all_streams() {
        let sure = goleash(
            &[s],
            &[
                "--root",
                root.to_str().unwrap(),
                "--junit-flavor",
                "surefire",
            ],
        );
        let xml_path = sure.dir.path().join("junit.xml");
        assert_surefire_valid(&xml_path);
        let default = goleash(&[s], &["--root", root.to_str().unwrap()]);
        let (tests, failures, errors) = root_totals(default.junit.as_deref().unwrap());
        let junit = sure.junit.unwrap();
        assert_eq!(
            junit.matches("<testcase ").count() as u64,
            tests,
            "{}",
            s.display()
        );
        assert_eq!(junit.matches("<testsuite ").count(), 1, "{}", s.display());
        assert_eq!(
            failed_case_tags(&junit).len() as u64,
            failures + errors,
            "{}",
            s.display()
        );
        // gitlab: the cases of the default flavor, each failed one with its file and line.
        let lab = goleash(
            &[s],
            &["--root", root.to_str().unwrap(), "--junit-flavor", "gitlab"],
        );
        let junit = lab.junit.unwrap();
        let failed = failed_case_tags(&junit);
        assert_eq!(failed.len() as u64, failures + errors, "{}", s.display());
        for tag in failed {
            assert!(
                tag.contains(" file=\"") && tag.contains(" line=\""),
                "{}: {tag}",
                s.display()
            );
        }
    }
}

#[test]
fn the_flavors_place_the_fixture_failures_exactly() {
    let run = |flavor: &str| {
        goleash(
            &[&stream("go1.26-rerun/assertmsg.json")],
            &[
                "--root",
                module().join("rerun").to_str().unwrap(),
                "--junit-flavor",
                flavor,
            ],
        )
        .junit
        .unwrap()
    };
    let lab = run("gitlab");
    assert_eq!(
        failed_case_tags(&lab),
        vec![
            "<testcase classname=\"example.com/leaky/rerun/assertmsg\" name=\"TestSumTestify\" time=\"0.000\" file=\"assertmsg/assert_test.go\" line=\"19\">",
            "<testcase classname=\"example.com/leaky/rerun/assertmsg\" name=\"TestSumErrorf\" time=\"0.000\" file=\"assertmsg/assert_test.go\" line=\"25\">",
        ]
    );
    // A passed case sits at its declaration.
    assert!(lab.contains(
        "<testcase classname=\"example.com/leaky/rerun/assertmsg\" name=\"TestSumOK\" time=\"0.000\" file=\"assertmsg/assert_test.go\" line=\"29\"/>"
    ), "{lab}");
    // Every flavor: the failure text starts with the file and line.
    for junit in [&lab, &run("jenkins"), &run("surefire")] {
        assert!(
            junit.contains("type=\"test\">assertmsg/assert_test.go:25\n    assert_test.go:25: sum(1, 2, 3) is wrong\n"),
            "{junit}"
        );
    }
    let sure = run("surefire");
    assert!(sure.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"goleash\" tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"0\" time=\"0.007\">"
    ), "{sure}");
    assert!(sure.ends_with("</testcase>\n  <testcase classname=\"example.com/leaky/rerun/assertmsg\" name=\"TestSumOK\" time=\"0.000\"/>\n</testsuite>\n"), "{sure}");
}

#[test]
fn hostile_output_still_gives_valid_xml() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("hostile.json");
    let lines = [
        r#"{"Action":"start","Package":"example.com/h"}"#,
        r#"{"Action":"run","Package":"example.com/h","Test":"TestHostile"}"#,
        r#"{"Action":"output","Package":"example.com/h","Test":"TestHostile","Output":"    h_test.go:9: bell \u0007 esc \u001b[31m nul \u0000 ]]> <tag> & \"q\"\n"}"#,
        r#"{"Action":"output","Package":"example.com/h","Test":"TestHostile","Output":"    h_test.go:10: \ufffe\uffff end\n"}"#,
        r#"{"Action":"fail","Package":"example.com/h","Test":"TestHostile","Elapsed":0.001}"#,
        r#"{"Action":"run","Package":"example.com/h","Test":"Test<&>\"Name\""}"#,
        r#"{"Action":"skip","Package":"example.com/h","Test":"Test<&>\"Name\"","Elapsed":0}"#,
        r#"{"Action":"fail","Package":"example.com/h","Elapsed":0.002}"#,
    ];
    let mut bytes = lines.join("\n").into_bytes();
    bytes.extend_from_slice(b"\nnot json at all \xff\xfe invalid utf-8\n");
    std::fs::write(&input, bytes).unwrap();
    let run = goleash(&[&input], &[]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let xml_path = run.dir.path().join("junit.xml");
    assert_schema_valid(&xml_path);
    assert_eq!(junitparser_totals(&xml_path), (2, 1, 0, 1));
    let xml = run.junit.unwrap();
    assert!(
        xml.contains("bell \\x07 esc \\x1b[31m nul \\x00 ]]&gt; &lt;tag&gt; &amp;"),
        "{xml}"
    );
    assert!(xml.contains("\\u{fffe}\\u{ffff} end"), "{xml}");
    assert!(
        xml.contains(r#"name="Test&lt;&amp;&gt;&quot;Name&quot;""#),
        "{xml}"
    );
}
