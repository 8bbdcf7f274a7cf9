//! Property test (issue 13, form 1): a `go test -json` stream with plain text lines mixed in before,
//! between and after its JSON lines (stderr merged with `2>&1`, `go: downloading …`, a linker's warning,
//! anything) loses nothing: the same packages with the same results and counts, the same failures with
//! the same kinds and messages, the same leaks, and every text line kept as output of the run.

use proptest::prelude::*;

use goleash::model::Counts;
use goleash::paths::Resolver;
use goleash::Pipeline;

use crate::common::stream;

/// What a run found, in comparable form.
#[derive(Debug, PartialEq)]
struct Found {
    packages: Vec<(String, String, Counts)>,
    failures: Vec<(String, Option<String>, String, String)>,
    leaks: usize,
}

fn analyse(input: &str) -> (Found, String) {
    let mut pipeline = Pipeline::new(Resolver::new(None), Vec::new());
    let outcome = goleash::input::read(input.as_bytes(), &mut pipeline).unwrap();
    assert_eq!(outcome.format, goleash::input::Format::Json);
    let (a, err) = pipeline.finish();
    assert!(err.is_none());
    let found = Found {
        packages: a
            .run
            .packages
            .iter()
            .map(|p| (p.name.clone(), format!("{:?}", p.result), p.counts))
            .collect(),
        failures: a
            .failures
            .iter()
            .map(|f| {
                (
                    f.package.clone(),
                    f.test.clone(),
                    f.kind.as_str().to_string(),
                    f.message.clone(),
                )
            })
            .collect(),
        leaks: a.groups.groups.len(),
    };
    (found, a.run.stray.text())
}

/// A text line as they appear in merged streams, or any printable text that is not JSON, not a `# pkg`
/// build header and not a result line.
fn text_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("go: downloading golang.org/x/sync v0.17.0".to_string()),
        Just("ld: warning: -bind_at_load is deprecated".to_string()),
        Just("exit status 1".to_string()),
        Just("PASS".to_string()),
        Just("FAIL".to_string()),
        Just("=== RUN   TestNotInTheStream".to_string()),
        Just("    x_test.go:3: stray log".to_string()),
        Just("panic: not from any test".to_string()),
        Just("goroutine 1 [running]:".to_string()),
        Just("".to_string()),
        "[a-zA-Z0-9 .:/=()\\-\\[\\]\t]{1,60}".prop_filter("not a header or result line", |s| {
            !s.starts_with("# ") && goleash::gotest::result_line(s).is_none()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn text_lines_anywhere_in_a_json_stream_lose_nothing(
        inserts in prop::collection::vec((0.0f64..=1.0, text_line()), 1..12),
        before in text_line(),
        after in text_line(),
    ) {
        let json = std::fs::read_to_string(stream("go1.26/test.json")).unwrap();
        let (want, _) = analyse(&json);
        let mut lines: Vec<String> = json.lines().map(str::to_string).collect();
        let n = lines.len();
        for (at, line) in &inserts {
            let i = ((*at * n as f64) as usize).min(lines.len());
            lines.insert(i, line.clone());
        }
        lines.insert(0, before.clone());
        lines.push(after.clone());
        let mixed = lines.join("\n") + "\n";
        let (got, stray) = analyse(&mixed);
        prop_assert_eq!(&got, &want);
        for line in inserts.iter().map(|(_, l)| l).chain([&before, &after]) {
            if !line.trim().is_empty() {
                prop_assert!(stray.contains(line.as_str()), "{:?} lost; stray: {:?}", line, stray);
            }
        }
    }
}
