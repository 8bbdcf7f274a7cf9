//! The goleash Action: action.yml's shape, actionlint on the workflows (required: the test fails when
//! actionlint is missing), shellcheck on the scripts (required too), and the step scripts run locally
//! the way the runner runs them: `GITHUB_*`/`RUNNER_*` variables, temporary `GITHUB_OUTPUT` and
//! `GITHUB_STEP_SUMMARY` files, the goleash just built on PATH, inputs only through the environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A tool on PATH or in Go's bin folder (where `go install` puts actionlint).
fn find_tool(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(gopath) = std::env::var_os("GOPATH") {
        dirs.push(PathBuf::from(gopath).join("bin"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join("go/bin"));
    }
    if let Ok(o) = Command::new("go").args(["env", "GOPATH"]).output() {
        let p = String::from_utf8_lossy(&o.stdout).trim().to_string();
        if !p.is_empty() {
            dirs.push(PathBuf::from(p).join("bin"));
        }
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

#[test]
fn actionlint_passes_on_the_workflows() {
    let Some(actionlint) = find_tool("actionlint") else {
        panic!(
            "actionlint is required: go install github.com/rhysd/actionlint/cmd/actionlint@latest \
             (it lands in $(go env GOPATH)/bin)"
        );
    };
    let out = Command::new(&actionlint)
        .current_dir(repo())
        .args(["-no-color", ".github/workflows/ci.yml"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
}

#[test]
fn actionlint_checks_the_actions_inputs() {
    // The same linter catches a workflow that passes an input action.yml does not define: proof that
    // it reads our action.yml (through `uses: ./`).
    let Some(actionlint) = find_tool("actionlint") else {
        panic!(
            "actionlint is required: go install github.com/rhysd/actionlint/cmd/actionlint@latest"
        );
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::copy(repo().join("action.yml"), dir.path().join("action.yml")).unwrap();
    let ci = std::fs::read_to_string(repo().join(".github/workflows/ci.yml")).unwrap();
    let bad = ci.replace("working-directory: fixtures/go", "workdir: fixtures/go");
    assert_ne!(bad, ci);
    std::fs::write(dir.path().join(".github/workflows/ci.yml"), bad).unwrap();
    let out = Command::new(&actionlint)
        .current_dir(dir.path())
        .args(["-no-color", "-oneline", ".github/workflows/ci.yml"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("input \"workdir\" is not defined in action \"goleash\""),
        "{text}"
    );
}

#[test]
fn shellcheck_passes_on_the_scripts() {
    let Some(shellcheck) = find_tool("shellcheck") else {
        panic!("shellcheck is required: apt-get install -y shellcheck");
    };
    let out = Command::new(shellcheck)
        .current_dir(repo())
        .args([
            "--severity=style",
            "--external-sources",
            "action/lib.sh",
            "action/install.sh",
            "action/run.sh",
            "action/publish.sh",
            "scripts/package-release.sh",
            "scripts/release-checksums.sh",
            "scripts/test.sh",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn action_yml_has_the_contract_inputs_and_outputs_and_no_expressions_in_scripts() {
    let text = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    assert!(text.contains("\n  using: composite\n"));
    let section = |name: &str| {
        let start = text
            .find(&format!("\n{name}:\n"))
            .unwrap_or_else(|| panic!("no {name}:"));
        let rest = &text[start + name.len() + 3..];
        let end = rest.find("\n\n").unwrap_or(rest.len());
        rest[..end].to_string()
    };
    let keys = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.trim_end().ends_with(':'))
            .map(|l| l.trim().trim_end_matches(':').to_string())
            .collect()
    };
    let inputs = keys(&section("inputs"));
    for want in [
        "run", "report", "junit", "json", "baseline", "fail-on", "checks", "token", "version",
    ] {
        assert!(
            inputs.contains(&want.to_string()),
            "input {want} missing: {inputs:?}"
        );
    }
    assert_eq!(keys(&section("outputs")), ["leaks", "failed", "junit"]);
    assert!(text.contains("    default: ${{ github.token }}\n"));
    // `run:` lines never interpolate expressions: inputs reach the scripts through `env:` only.
    // (Step-level `run:` keys, indented deeper than the `run` input's name; single lines, no blocks.)
    let runs: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("run:") && l.len() - l.trim_start().len() > 2)
        .collect();
    assert_eq!(
        runs,
        [
            "      run: bash \"$GITHUB_ACTION_PATH/action/install.sh\"",
            "      run: bash \"$GITHUB_ACTION_PATH/action/run.sh\"",
            "      run: bash \"$GITHUB_ACTION_PATH/action/publish.sh\"",
        ]
    );
    for input in &inputs {
        assert!(
            text.contains(&format!("${{{{ inputs.{input} }}}}"))
                || text.contains(&format!("inputs.{input} == ")),
            "input {input} is not passed on"
        );
    }
    // The token goes to the check-run step only, under goleash's own name, never as GITHUB_TOKEN.
    assert_eq!(text.matches("${{ inputs.token }}").count(), 1);
    assert!(text.contains("        GOLEASH_GITHUB_TOKEN: ${{ inputs.token }}\n      run: bash \"$GITHUB_ACTION_PATH/action/publish.sh\"\n"));
    assert!(!text.contains(
        "GITHUB_TOKEN: ${{ inputs.token }}\n      run: bash \"$GITHUB_ACTION_PATH/action/run.sh"
    ));
    assert!(text.contains(
        "      if: always() && inputs.checks == 'true' && steps.goleash.outputs.stream != ''\n"
    ));
}

/// Runs action/run.sh like the runner: a temporary RUNNER_TEMP, GITHUB_OUTPUT and
/// GITHUB_STEP_SUMMARY, the built goleash first on PATH, the inputs as GOLEASH_* variables.
struct Step {
    out: Output,
    temp: tempfile::TempDir,
}

impl Step {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
    fn status(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }
    fn outputs(&self) -> String {
        std::fs::read_to_string(self.temp.path().join("github_output")).unwrap_or_default()
    }
    fn summary(&self) -> String {
        std::fs::read_to_string(self.temp.path().join("step_summary.md")).unwrap_or_default()
    }
}

fn step(inputs: &[(&str, &str)]) -> Step {
    let temp = tempfile::tempdir().unwrap();
    let bin = Path::new(crate::common::BIN)
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let mut cmd = Command::new("bash");
    cmd.current_dir(repo()).arg("action/run.sh");
    for (k, _) in std::env::vars() {
        if k.starts_with("GITHUB_") || k.starts_with("RUNNER_") || k.starts_with("GOLEASH_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("PATH", path)
        .env("NO_COLOR", "1")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", repo())
        .env("GITHUB_OUTPUT", temp.path().join("github_output"))
        .env("GITHUB_STEP_SUMMARY", temp.path().join("step_summary.md"))
        .env("RUNNER_TEMP", temp.path())
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod");
    for (k, v) in inputs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Step { out, temp }
}

/// A relative path from the crate's folder (where the step runs) to `name` in `dir`, a temp folder:
/// the step must make it absolute, and nothing is written into the checkout (whose `target/` need not
/// exist when `CARGO_TARGET_DIR` points elsewhere).
fn relative_from_repo(dir: &Path, name: &str) -> String {
    let up = repo().canonicalize().unwrap().components().count() - 1;
    let to = dir.canonicalize().unwrap().join(name);
    let to = to.strip_prefix("/").unwrap();
    format!("{}{}", "../".repeat(up), to.display())
}

/// `stream=` from the outputs (the saved `go test -json` stream for the check-run step), checked to
/// be the report's bytes.
fn stream_output(s: &Step) -> PathBuf {
    let outputs = s.outputs();
    let line = outputs
        .lines()
        .find_map(|l| l.strip_prefix("stream="))
        .expect("stream output");
    let p = PathBuf::from(line);
    assert!(p.starts_with(s.temp.path()), "{}", p.display());
    assert!(std::fs::metadata(&p).unwrap().len() > 0);
    p
}

/// `junit=` from the outputs, checked to be a written JUnit file.
fn junit_output(s: &Step) -> PathBuf {
    let outputs = s.outputs();
    let line = outputs
        .lines()
        .find_map(|l| l.strip_prefix("junit="))
        .expect("junit output");
    let p = PathBuf::from(line);
    let xml = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    assert!(xml.contains("<testsuites"), "{xml}");
    p
}

#[test]
fn the_step_reads_a_report_and_sets_the_outputs() {
    let s = step(&[
        ("GOLEASH_REPORT", "fixtures/streams/go1.26/test.json"),
        ("GOLEASH_WORKING_DIRECTORY", "fixtures/go"),
    ]);
    assert_eq!(s.status(), 1, "{}", s.stderr());
    let junit = junit_output(&s);
    assert!(
        junit.starts_with(s.temp.path()) && junit.ends_with("junit.xml"),
        "{}",
        junit.display()
    );
    let stream = stream_output(&s);
    assert_eq!(
        s.outputs(),
        format!(
            "leaks=21\nfailed=26\njunit={}\nstream={}\n",
            junit.display(),
            stream.display()
        )
    );
    assert_eq!(stream.parent(), junit.parent());
    let stdout = s.stdout();
    let errors: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(errors.len(), 10);
    assert!(errors[0].starts_with(
        "::error file=fixtures/go/buildfail/util_test.go,line=7,col=11,title=build failed%3A example.com/leaky/buildfail::"
    ));
    assert!(errors[1].starts_with(
        "::error file=fixtures/go/forgottensender/fetch.go,line=26,title=goroutine leak ("
    ));
    assert!(s
        .summary()
        .starts_with("## goleash: 21 goroutine leaks, 26 failed tests\n"));
    assert_eq!(s.stderr(), "");
}

#[test]
fn named_outputs_are_made_absolute_and_fail_on_never_passes() {
    let out = tempfile::tempdir().unwrap();
    let (junit_rel, json_rel) = (
        relative_from_repo(out.path(), "junit.xml"),
        relative_from_repo(out.path(), "report.json"),
    );
    let s = step(&[
        ("GOLEASH_REPORT", "fixtures/streams/go1.26/test.json"),
        ("GOLEASH_WORKING_DIRECTORY", "fixtures/go"),
        ("GOLEASH_FAIL_ON", "never"),
        ("GOLEASH_JUNIT", &junit_rel),
        ("GOLEASH_JSON", &json_rel),
    ]);
    assert_eq!(s.status(), 0, "{}", s.stderr());
    let junit = repo().join(&junit_rel);
    assert_eq!(
        s.outputs(),
        format!(
            "leaks=21\nfailed=26\njunit={}\nstream={}\n",
            junit.display(),
            stream_output(&s).display()
        )
    );
    assert_eq!(junit_output(&s), junit);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join(&json_rel)).unwrap()).unwrap();
    assert_eq!(report["summary"]["leaks"], 21);
    assert!(s
        .stdout()
        .lines()
        .any(|l| l.starts_with("::warning file=fixtures/go/")));
}

#[test]
fn the_run_commands_own_status_is_kept() {
    // The command replays the fixture stream and fails with 3: goleash (fail-on never) would pass, the
    // step keeps 3; the stream is saved to `report`.
    let temp = tempfile::tempdir().unwrap();
    let saved = temp.path().join("saved.json");
    let s = step(&[
        ("GOLEASH_RUN", "cat ../streams/go1.26/test.json; exit 3"),
        ("GOLEASH_REPORT", saved.to_str().unwrap()),
        ("GOLEASH_WORKING_DIRECTORY", "fixtures/go"),
        ("GOLEASH_FAIL_ON", "never"),
    ]);
    assert_eq!(s.status(), 3, "{}", s.stderr());
    assert_eq!(
        s.stderr(),
        "goleash action: the run command exited with status 3\n"
    );
    assert!(s.outputs().starts_with("leaks=21\nfailed=26\njunit="));
    assert_eq!(
        std::fs::read(&saved).unwrap(),
        std::fs::read(repo().join("fixtures/streams/go1.26/test.json")).unwrap()
    );
    // pipefail inside the command: a failing first stage is not hidden by `cat`.
    let s = step(&[
        (
            "GOLEASH_RUN",
            "cat ../streams/go1.26/test.json | (exit 4) | cat",
        ),
        ("GOLEASH_WORKING_DIRECTORY", "fixtures/go"),
        ("GOLEASH_FAIL_ON", "never"),
    ]);
    assert_eq!(s.status(), 4, "{}", s.stderr());
    // A command that succeeds leaves the decision to goleash.
    let s = step(&[
        ("GOLEASH_RUN", "cat ../streams/go1.26/test.json"),
        ("GOLEASH_WORKING_DIRECTORY", "fixtures/go"),
    ]);
    assert_eq!(s.status(), 1);
    assert_eq!(s.stderr(), "");
}

#[test]
fn the_step_runs_real_go_test() {
    if !crate::common::go_available() {
        eprintln!("go not found: not run (CI sets GOLEASH_REQUIRE_GO=1 and fails instead)");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let report_rel = relative_from_repo(out.path(), "go.json");
    let s = step(&[
        (
            "GOLEASH_RUN",
            "go test -json -count=1 ./earlyreturn/ ./clean/",
        ),
        ("GOLEASH_REPORT", &report_rel),
        ("GOLEASH_WORKING_DIRECTORY", "fixtures/go"),
    ]);
    assert_eq!(s.status(), 1, "{}\n{}", s.stdout(), s.stderr());
    assert_eq!(
        s.stderr(),
        "goleash action: the run command exited with status 1\n"
    );
    assert!(
        s.outputs().starts_with("leaks=1\nfailed=1\njunit="),
        "{}",
        s.outputs()
    );
    let stdout = s.stdout();
    let cmds: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(cmds.len(), 1, "{stdout}");
    assert!(
        cmds[0].starts_with(
            "::error file=fixtures/go/earlyreturn/first.go,line=23,title=goroutine leak ("
        ),
        "{}",
        cmds[0]
    );
    let saved = std::fs::read_to_string(repo().join(&report_rel)).unwrap();
    assert!(saved.contains("\"Package\":\"example.com/leaky/earlyreturn\""));
    assert!(
        s.summary()
            .starts_with("## goleash: 1 goroutine leak, 1 failed test\n"),
        "{}",
        s.summary()
    );
}

#[test]
fn bad_inputs_stop_the_step_with_status_2() {
    let s = step(&[]);
    assert_eq!(s.status(), 2);
    assert!(
        s.stderr()
            .starts_with("goleash action: set the 'run' input"),
        "{}",
        s.stderr()
    );
    let s = step(&[
        ("GOLEASH_REPORT", "x.json"),
        ("GOLEASH_FAIL_ON", "sometimes"),
    ]);
    assert_eq!(
        (s.status(), s.stderr()),
        (
            2,
            "goleash action: fail-on must be any, leak, new, flaky or never\n".to_string()
        )
    );
    let s = step(&[("GOLEASH_REPORT", "x.json"), ("GOLEASH_CHECKS", "yes")]);
    assert_eq!(
        (s.status(), s.stderr()),
        (
            2,
            "goleash action: checks must be true or false\n".to_string()
        )
    );
    let s = step(&[
        ("GOLEASH_REPORT", "x.json"),
        ("GOLEASH_WORKING_DIRECTORY", "no/such/dir"),
    ]);
    assert_eq!(
        (s.status(), s.stderr()),
        (
            2,
            "goleash action: working-directory does not exist\n".to_string()
        )
    );
    let s = step(&[("GOLEASH_REPORT", "no-such-report.json")]);
    assert_eq!(
        (s.status(), s.stderr()),
        (
            2,
            "goleash action: the report file cannot be read\n".to_string()
        )
    );
    assert_eq!(s.outputs(), "");
}
