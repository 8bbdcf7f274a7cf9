//! Shipping: the crate's metadata (true MSRV, version in step with the Action, a package that holds
//! only what builds), the Action's install script against a release laid out exactly as
//! `.github/workflows/release.yml` makes it (archives packed by the same `scripts/package-release.sh`
//! around the goleash built here for the host, `action/checksums` written by the same
//! `scripts/release-checksums.sh`, served over HTTP from 127.0.0.1), the Action's scripts with Windows
//! paths, and the token never reaching the tests.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::checks::{ok_script, FakeApi, SHA, TOKEN};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(o: &Output) -> (i32, String, String) {
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn manifest_value(key: &str) -> String {
    let toml = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    toml.lines()
        .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or_else(|| panic!("no {key} in Cargo.toml"))
        .to_string()
}

// ---------------------------------------------------------------------------------------------------
// The crate.

#[test]
fn the_actions_version_is_the_crates() {
    let version = std::fs::read_to_string(repo().join("action/version")).unwrap();
    assert_eq!(version, format!("{}\n", env!("CARGO_PKG_VERSION")));
}

fn parse_version(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap()).collect()
}

#[test]
fn rust_version_is_the_highest_of_the_locked_dependencies() {
    // Normal and build dependencies, for every target (a Windows-only crate counts too), as Cargo.lock
    // pins them: `cargo install --locked` on an older toolchain stops at the first of them.
    let out = cargo()
        .current_dir(repo())
        .args(["metadata", "--format-version", "1", "--locked"])
        .output()
        .unwrap();
    let (status, stdout, stderr) = text(&out);
    assert_eq!(status, 0, "{stderr}");
    let m: Value = serde_json::from_str(&stdout).unwrap();
    let packages: BTreeMap<&str, &Value> = m["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();
    let nodes: BTreeMap<&str, &Value> = m["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let root = m["resolve"]["root"].as_str().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for d in nodes[id]["deps"].as_array().unwrap() {
            let dev_only = d["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .all(|k| k["kind"] == "dev");
            if !dev_only {
                stack.push(d["pkg"].as_str().unwrap());
            }
        }
    }
    let (highest, who) = seen
        .iter()
        .filter(|id| **id != root)
        .filter_map(|id| {
            let p = packages[id];
            p["rust_version"]
                .as_str()
                .map(|v| (parse_version(v), p["name"].as_str().unwrap().to_string()))
        })
        .max()
        .unwrap();
    let declared = manifest_value("rust-version");
    assert_eq!(
        parse_version(&declared),
        highest,
        "Cargo.toml says rust-version = {declared}, but {who} needs {highest:?}"
    );
    // CI builds with exactly that toolchain.
    let ci = std::fs::read_to_string(repo().join(".github/workflows/ci.yml")).unwrap();
    assert!(
        ci.contains(&format!("toolchain: '{declared}'")),
        "ci.yml has no job on Rust {declared}"
    );
}

#[test]
fn the_package_holds_only_what_builds_and_builds() {
    let list = cargo()
        .current_dir(repo())
        .args([
            "package",
            "--list",
            "--allow-dirty",
            "--locked",
            "--offline",
        ])
        .output()
        .unwrap();
    let (status, stdout, stderr) = text(&list);
    assert_eq!(status, 0, "{stderr}");
    let files: Vec<&str> = stdout.lines().collect();
    for f in &files {
        let ok = f.starts_with("src/")
            || [
                "Cargo.toml",
                "Cargo.toml.orig",
                "Cargo.lock",
                "README.md",
                "LICENSE",
                ".cargo_vcs_info.json",
            ]
            .contains(f);
        assert!(ok, "{f} is in the package");
    }
    for want in [
        "LICENSE",
        "README.md",
        "Cargo.lock",
        "src/main.rs",
        "src/lib.rs",
    ] {
        assert!(files.contains(&want), "{want} missing: {files:?}");
    }
    assert!(!stdout.contains("fixtures") && !stdout.contains("bench"));
    // `cargo package` unpacks the archive and builds it (offline: the dependencies are the locked,
    // already downloaded ones). Its own target folder keeps it from waiting on this test run's; it is
    // shared by every checkout on the machine, so only the first run compiles the dependencies.
    let target = std::env::temp_dir().join("goleash-package-check");
    let built = cargo()
        .current_dir(repo())
        .env("CARGO_TARGET_DIR", &target)
        .args(["package", "--allow-dirty", "--locked", "--offline"])
        .output()
        .unwrap();
    let (status, _, stderr) = text(&built);
    assert_eq!(status, 0, "{stderr}");
    assert!(stderr.contains("Verifying goleash v"), "{stderr}");
    let crate_file = target.join(format!(
        "package/goleash-{}.crate",
        env!("CARGO_PKG_VERSION")
    ));
    let size = std::fs::metadata(&crate_file).unwrap().len();
    assert!(size < 400_000, "{} bytes", size);
}

#[test]
fn the_manifest_names_repository_license_keywords_and_categories() {
    assert_eq!(manifest_value("license"), "MIT");
    assert!(manifest_value("repository").starts_with("https://github.com/"));
    let license = std::fs::read_to_string(repo().join("LICENSE")).unwrap();
    assert!(license.starts_with("MIT License\n"));
    let toml = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    assert!(toml.contains("\nkeywords = ["));
    assert!(toml.contains("\ncategories = ["));
    assert!(toml
        .contains("\n[profile.dist]\ninherits = \"release\"\nlto = \"fat\"\ncodegen-units = 1\n"));
}

// ---------------------------------------------------------------------------------------------------
// Linters on every workflow and script.

fn tool(name: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(&home).join("go/bin"));
        dirs.push(PathBuf::from(&home).join(".local/bin"));
    }
    dirs.into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} is required (scripts/test.sh installs it)"))
}

fn workflows() -> Vec<String> {
    let mut w: Vec<String> = std::fs::read_dir(repo().join(".github/workflows"))
        .unwrap()
        .map(|e| {
            format!(
                ".github/workflows/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    w.sort();
    w
}

#[test]
fn actionlint_and_zizmor_pass_on_every_workflow() {
    let wf = workflows();
    assert_eq!(
        wf,
        [".github/workflows/ci.yml", ".github/workflows/release.yml"]
    );
    let out = Command::new(tool("actionlint"))
        .current_dir(repo())
        .arg("-no-color")
        .args(&wf)
        .output()
        .unwrap();
    let (status, stdout, stderr) = text(&out);
    assert_eq!((status, stdout.as_str()), (0, ""), "{stderr}");
    let out = Command::new(tool("zizmor"))
        .current_dir(repo())
        .args(["--offline", "--no-progress", "--format", "plain"])
        .args(&wf)
        .arg("action.yml")
        .output()
        .unwrap();
    let (status, stdout, stderr) = text(&out);
    assert_eq!(status, 0, "{stdout}{stderr}");
    assert!(stdout.contains("No findings to report"), "{stdout}{stderr}");
}

#[test]
fn every_action_is_pinned_to_a_commit_with_its_version_and_checkouts_keep_no_credentials() {
    for wf in workflows() {
        let text = std::fs::read_to_string(repo().join(&wf)).unwrap();
        let mut checkouts = 0;
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let Some(u) = l
                .trim_start()
                .trim_start_matches("- ")
                .strip_prefix("uses: ")
            else {
                continue;
            };
            if u.starts_with("./") {
                continue;
            }
            let (name, rest) = u.split_once('@').unwrap_or_else(|| panic!("{wf}: {u}"));
            let (sha, comment) = rest.split_once(" # ").unwrap_or((rest, ""));
            assert!(
                sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
                "{wf}: {name} is not pinned to a commit: {u}"
            );
            assert!(
                !comment.trim().is_empty(),
                "{wf}: {name} has no version comment"
            );
            if name == "actions/checkout" {
                checkouts += 1;
                let block: String = lines[i + 1..]
                    .iter()
                    .take_while(|l| !l.trim_start().starts_with("- "))
                    .map(|l| format!("{l}\n"))
                    .collect();
                assert!(
                    block.contains("persist-credentials: false"),
                    "{wf}: checkout at line {} keeps credentials",
                    i + 1
                );
            }
        }
        assert!(checkouts > 0, "{wf}");
    }
}

#[test]
fn ci_runs_the_action_on_every_os_and_the_release_builds_every_target() {
    let ci = std::fs::read_to_string(repo().join(".github/workflows/ci.yml")).unwrap();
    assert!(ci
        .contains("        os: [ubuntu-latest, ubuntu-24.04-arm, macos-latest, windows-latest]\n"));
    let release = std::fs::read_to_string(repo().join(".github/workflows/release.yml")).unwrap();
    for t in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
        "aarch64-pc-windows-msvc",
    ] {
        assert!(release.contains(&format!("target: {t}\n")), "{t}");
    }
    assert!(release.contains("bash scripts/package-release.sh"));
    assert!(release.contains("bash scripts/release-checksums.sh"));
    assert!(release.contains("--profile dist"));
    assert!(release.contains("actions/attest-build-provenance@"));
}

// ---------------------------------------------------------------------------------------------------
// A release served from 127.0.0.1.

/// A static file server on 127.0.0.1: `GET /PATH` answers the file under `root` or 404, and counts
/// the requests.
struct Files {
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    hits: Arc<Mutex<Vec<String>>>,
}

impl Files {
    fn serve(root: &Path) -> Files {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let hits: Arc<Mutex<Vec<String>>> = Arc::default();
        let (root, stop2, hits2) = (root.to_path_buf(), stop.clone(), hits.clone());
        std::thread::spawn(move || {
            let deadline = std::time::Instant::now() + Duration::from_secs(120);
            while !stop2.load(Ordering::SeqCst) && std::time::Instant::now() < deadline {
                let Ok((conn, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                conn.set_nonblocking(false).unwrap();
                let mut out = conn.try_clone().unwrap();
                let mut r = BufReader::new(conn);
                let mut line = String::new();
                if r.read_line(&mut line).is_err() {
                    continue;
                }
                loop {
                    let mut h = String::new();
                    if r.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                        break;
                    }
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                hits2.lock().unwrap().push(path.clone());
                let file = root.join(path.trim_start_matches('/'));
                let (status, body) = match std::fs::read(&file) {
                    Ok(b) if !path.contains("..") => ("200 OK", b),
                    _ => ("404 Not Found", b"Not Found".to_vec()),
                };
                let _ = write!(
                    out,
                    "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = out.write_all(&body);
            }
        });
        Files { addr, stop, hits }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

const TRIPLE: &str = "x86_64-unknown-linux-musl";

/// A release of the crate's version for `TRIPLE` (the triple the install script asks for on
/// Linux/X64) around the goleash built here, under `server/acme/goleash/releases/download/vX.Y.Z/`, and
/// an action checkout under `runner/_actions/acme/goleash/REF/` with action/checksums as the release
/// workflow commits them (or without, as at the release tag's own commit).
struct Release {
    dir: tempfile::TempDir,
    tag: String,
    asset: String,
}

impl Release {
    fn build() -> Release {
        let dir = tempfile::tempdir().unwrap();
        let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
        let download = dir
            .path()
            .join(format!("server/acme/goleash/releases/download/{tag}"));
        let out = Command::new("bash")
            .arg(repo().join("scripts/package-release.sh"))
            .args([tag.as_str(), TRIPLE, env!("CARGO_BIN_EXE_goleash")])
            .arg(&download)
            .output()
            .unwrap();
        let (status, stdout, stderr) = text(&out);
        assert_eq!(status, 0, "{stderr}");
        let asset = format!("goleash-{tag}-{TRIPLE}.tar.gz");
        assert_eq!(stdout, format!("{}\n", download.join(&asset).display()));
        // The archive's layout, as the README documents it.
        let list = Command::new("tar")
            .arg("-tzf")
            .arg(download.join(&asset))
            .output()
            .unwrap();
        let mut entries: Vec<String> = String::from_utf8_lossy(&list.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        entries.sort();
        let top = format!("goleash-{tag}-{TRIPLE}");
        assert_eq!(
            entries,
            [
                format!("{top}/"),
                format!("{top}/LICENSE"),
                format!("{top}/README.md"),
                format!("{top}/goleash"),
            ]
        );
        Release { dir, tag, asset }
    }

    fn download_dir(&self) -> PathBuf {
        self.dir.path().join(format!(
            "server/acme/goleash/releases/download/{}",
            self.tag
        ))
    }

    /// The action as the runner checks it out at `r#ref`, with or without the committed checksums.
    fn checkout(&self, r#ref: &str, committed_checksums: bool) -> PathBuf {
        let at = self
            .dir
            .path()
            .join(format!("runner/_actions/acme/goleash/{ref}"));
        std::fs::create_dir_all(at.join("action")).unwrap();
        for f in ["install.sh", "lib.sh", "version"] {
            std::fs::copy(repo().join("action").join(f), at.join("action").join(f)).unwrap();
        }
        if committed_checksums {
            let out = Command::new("bash")
                .arg(repo().join("scripts/release-checksums.sh"))
                .arg(self.download_dir())
                .arg(at.join("action/checksums"))
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0));
        }
        at
    }
}

/// PATH for the install script: the system's tools, without cargo (a runner without Rust).
fn system_path() -> &'static str {
    "/usr/local/bin:/usr/bin:/bin"
}

struct Installed {
    status: i32,
    stdout: String,
    stderr: String,
    github_path: String,
    temp: tempfile::TempDir,
}

fn install(action_path: &Path, server: &str, env: &[(&str, &str)]) -> Installed {
    let temp = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg(action_path.join("action/install.sh"))
        .current_dir(temp.path())
        .env_clear()
        .env("PATH", system_path())
        .env("HOME", temp.path())
        .env("GITHUB_ACTION_PATH", action_path)
        .env("GITHUB_SERVER_URL", server)
        .env("GITHUB_PATH", temp.path().join("github_path"))
        .env("RUNNER_TEMP", temp.path())
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let (status, stdout, stderr) = text(&cmd.output().unwrap());
    let github_path = std::fs::read_to_string(temp.path().join("github_path")).unwrap_or_default();
    Installed {
        status,
        stdout,
        stderr,
        github_path,
        temp,
    }
}

fn assert_installed(r: &Installed, rel: &Release, verified_by: &str) {
    assert_eq!(r.status, 0, "{}", r.stderr);
    let bin_dir = r.temp.path().join(format!("goleash-{}", rel.tag));
    assert_eq!(r.github_path, format!("{}\n", bin_dir.display()));
    assert_eq!(
        r.stdout,
        format!("goleash {}\n", env!("CARGO_PKG_VERSION")),
        "the installed binary ran"
    );
    let sum =
        std::fs::read_to_string(rel.download_dir().join(format!("{}.sha256", rel.asset))).unwrap();
    let sum = sum.split_whitespace().next().unwrap();
    assert_eq!(
        r.stderr,
        format!(
            "goleash action: {}: SHA-256 {sum} matches {verified_by}\n",
            rel.asset
        )
    );
    assert!(bin_dir.join("goleash").is_file() && bin_dir.join("LICENSE").is_file());
}

#[test]
fn every_ref_installs_the_verified_release() {
    let rel = Release::build();
    let server = Files::serve(&rel.dir.path().join("server"));
    let sha = "0123456789abcdef0123456789abcdef01234567";
    // v0, main and a SHA pin carry the checksums the release workflow committed after the release.
    for r#ref in ["v0", "main", sha] {
        let at = rel.checkout(r#ref, true);
        let r = install(&at, &server.url(), &[]);
        assert_installed(&r, &rel, "action/checksums");
    }
    // The release tag's own commit predates the checksum commit: the release's .sha256 is used.
    let at = rel.checkout(&rel.tag, false);
    let r = install(&at, &server.url(), &[]);
    assert_installed(&r, &rel, &format!("the release's {}.sha256", rel.asset));
    // The `version` input picks the release whatever the ref, and `download-url` the host (a GitHub
    // Enterprise Server job downloading from github.com).
    let at = rel.checkout("some-branch", true);
    let r = install(
        &at,
        "https://ghe.invalid",
        &[
            ("GOLEASH_VERSION", env!("CARGO_PKG_VERSION")),
            ("GOLEASH_DOWNLOAD_URL", &server.url()),
        ],
    );
    assert_installed(&r, &rel, "action/checksums");
    let hits = server.hits.lock().unwrap().clone();
    let asset_path = format!("/acme/goleash/releases/download/{}/{}", rel.tag, rel.asset);
    assert_eq!(hits.iter().filter(|h| **h == asset_path).count(), 5);
    assert_eq!(
        hits.iter()
            .filter(|h| **h == format!("{asset_path}.sha256"))
            .count(),
        1,
        "the .sha256 is only fetched when no checksum is committed"
    );
}

#[test]
fn a_checksum_mismatch_is_refused() {
    let rel = Release::build();
    let server = Files::serve(&rel.dir.path().join("server"));
    let at = rel.checkout("v0", true);
    // The committed checksum is the real one; the served archive is swapped for another.
    let archive = rel.download_dir().join(&rel.asset);
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.extend_from_slice(b"tampered");
    std::fs::write(&archive, &bytes).unwrap();
    let committed = std::fs::read_to_string(at.join("action/checksums")).unwrap();
    let want = committed
        .lines()
        .find(|l| l.ends_with(&rel.asset))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let r = install(&at, &server.url(), &[]);
    assert_eq!(r.status, 2);
    assert!(
        r.stderr.starts_with(&format!(
            "goleash action: checksum mismatch for {}: action/checksums says {want}, the download is ",
            rel.asset
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.ends_with("; refusing to install it\n"));
    assert_eq!(r.github_path, "", "nothing was put on PATH");
    assert!(!r.temp.path().join(format!("goleash-{}", rel.tag)).exists());
}

#[test]
fn a_missing_asset_falls_back_to_building_and_says_why() {
    let rel = Release::build();
    let server = Files::serve(&rel.dir.path().join("server"));
    let at = rel.checkout("main", true);
    std::fs::remove_file(rel.download_dir().join(&rel.asset)).unwrap();
    let r = install(&at, &server.url(), &[]);
    let url = format!(
        "{}/acme/goleash/releases/download/{}/{}",
        server.url(),
        rel.tag,
        rel.asset
    );
    // This runner has no cargo: the fallback is tried, and says that it cannot build.
    assert_eq!(r.status, 2);
    assert_eq!(
        r.stderr,
        format!(
            "goleash action: no usable release asset {url} (HTTP 404); building from source\n\
             goleash action: cargo is not installed, so goleash cannot be built from source; install Rust (e.g. dtolnay/rust-toolchain) or use a version that has a release for this runner\n"
        )
    );
    // A runner the release has no binary for builds from source too, saying so.
    let r = install(&at, &server.url(), &[("RUNNER_ARCH", "s390x")]);
    assert!(r.stderr.starts_with(&format!(
        "goleash action: goleash {} has no release binary for Linux/s390x; building from source\n",
        rel.tag
    )));
}

// ---------------------------------------------------------------------------------------------------
// Windows paths.

/// Git Bash's `cygpath` for a runner whose drives live under `drives` (`D:` is `drives/D:`, so that
/// the mixed form `D:/a/_temp` a Windows program gets is, from `drives`, a real relative path on this
/// machine too): `-u` gives the POSIX form bash opens, `-m` the mixed form.
fn fake_cygpath(bin: &Path, drives: &Path) {
    std::fs::create_dir_all(bin).unwrap();
    let script = format!(
        r#"#!/usr/bin/env bash
# MSYS's cygpath, emulated for the tests: drive X: is {drives}/X:.
set -eu
mode=$1; shift; [[ $1 == -- ]] && shift
p=${{1//\\//}}
root='{drives}'
case $mode in
  -u) if [[ $p =~ ^[A-Za-z]:/ ]]; then printf '%s/%s\n' "$root" "$p"; else printf '%s\n' "$p"; fi ;;
  -m) if [[ $p == "$root"/* ]]; then printf '%s\n' "${{p#"$root"/}}"; else printf '%s\n' "$p"; fi ;;
  *) echo "cygpath: $mode" >&2; exit 1 ;;
esac
"#,
        drives = drives.display()
    );
    let p = bin.join("cygpath");
    std::fs::write(&p, script).unwrap();
    let mut perm = std::fs::metadata(&p).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(&p, perm).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

#[test]
fn the_steps_scripts_take_windows_paths_and_give_valid_report_paths() {
    let drives = tempfile::tempdir().unwrap();
    let d = drives.path().join("D:");
    let action = d.join("a/_actions/acme/goleash/v0");
    let workspace = d.join("a/leaky/leaky");
    std::fs::create_dir_all(d.join("a/_temp/_runner_file_commands")).unwrap();
    std::fs::create_dir_all(&workspace).unwrap();
    copy_dir(&repo().join("action"), &action.join("action"));
    std::fs::copy(
        repo().join("fixtures/streams/go1.26/test.json"),
        workspace.join("test.json"),
    )
    .unwrap();
    let bin = drives.path().join("bin");
    fake_cygpath(&bin, drives.path());
    let goleash_dir = Path::new(env!("CARGO_BIN_EXE_goleash")).parent().unwrap();
    let path = format!(
        "{}:{}:{}",
        bin.display(),
        goleash_dir.display(),
        system_path()
    );
    let out = Command::new("bash")
        .arg(action.join("action/run.sh"))
        // Windows programs resolve D:/… from the drives folder here (see fake_cygpath).
        .current_dir(drives.path())
        .env_clear()
        .env("PATH", path)
        .env("HOME", drives.path())
        .env("NO_COLOR", "1")
        .env("RUNNER_OS", "Windows")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", r"D:\a\_temp")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_ACTION_PATH", r"D:\a\_actions\acme\goleash\v0")
        .env("GITHUB_WORKSPACE", r"D:\a\leaky\leaky")
        .env(
            "GITHUB_OUTPUT",
            r"D:\a\_temp\_runner_file_commands\set_output_1",
        )
        .env(
            "GITHUB_STEP_SUMMARY",
            r"D:\a\_temp\_runner_file_commands\step_summary_1",
        )
        .env("GOLEASH_WORKING_DIRECTORY", r"D:\a\leaky\leaky")
        .env("GOLEASH_REPORT", r"D:\a\leaky\leaky\test.json")
        .env("GOLEASH_JUNIT", r"D:\a\leaky\leaky\reports\junit.xml")
        .env("GOLEASH_FAIL_ON", "never")
        .output()
        .unwrap();
    let (status, _, stderr) = text(&out);
    assert_eq!(status, 0, "{stderr}");
    let outputs =
        std::fs::read_to_string(d.join("a/_temp/_runner_file_commands/set_output_1")).unwrap();
    let lines: Vec<&str> = outputs.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "leaks=21",
            "failed=26",
            "junit=D:/a/leaky/leaky/reports/junit.xml"
        ]
    );
    let stream = lines[3].strip_prefix("stream=").unwrap();
    assert!(
        stream.starts_with("D:/a/_temp/goleash.") && stream.ends_with("/go-test.json"),
        "{stream}"
    );
    // The paths are real files (the folder `reports` was created by the step).
    let junit = std::fs::read_to_string(workspace.join("reports/junit.xml")).unwrap();
    assert!(junit.contains("<testsuites"));
    assert!(drives.path().join(stream).is_file());
    let summary =
        std::fs::read_to_string(d.join("a/_temp/_runner_file_commands/step_summary_1")).unwrap();
    assert!(summary.starts_with("## goleash: 21 goroutine leaks"));
    assert!(
        !drives.path().join(r"D:\a\_temp").exists(),
        "no folder named like a Windows path"
    );
    // A newline in a path would forge outputs: refused.
    let out = Command::new("bash")
        .arg(repo().join("action/run.sh"))
        .env("GOLEASH_REPORT", "x.json")
        .env("GOLEASH_JUNIT", "a.xml\nleaks=0")
        .output()
        .unwrap();
    assert_eq!(
        text(&out).2,
        "goleash action: junit must not contain a line break\n"
    );
}

#[test]
fn install_reads_a_windows_action_path() {
    let drives = tempfile::tempdir().unwrap();
    let bin = drives.path().join("bin");
    fake_cygpath(&bin, drives.path());
    let rel = Release::build();
    // A Windows asset named as the release makes it (the binary inside is this host's, renamed).
    let tag = rel.tag.clone();
    let triple = "x86_64-pc-windows-msvc";
    let out = Command::new("bash")
        .arg(repo().join("scripts/package-release.sh"))
        .args([tag.as_str(), triple, env!("CARGO_BIN_EXE_goleash")])
        .arg(rel.download_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).2);
    let action = drives.path().join("D:/a/_actions/acme/goleash/v0");
    copy_dir(&rel.checkout("v0", true), &action);
    std::fs::create_dir_all(drives.path().join("D:/a/_temp")).unwrap();
    let server = Files::serve(&rel.dir.path().join("server"));
    let out = Command::new("bash")
        .arg(action.join("action/install.sh"))
        .current_dir(drives.path())
        .env_clear()
        .env("PATH", format!("{}:{}", bin.display(), system_path()))
        .env("HOME", drives.path())
        .env("RUNNER_OS", "Windows")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", r"D:\a\_temp")
        .env("GITHUB_SERVER_URL", server.url())
        .env("GITHUB_ACTION_PATH", r"D:\a\_actions\acme\goleash\v0")
        .env("GITHUB_PATH", r"D:\a\_temp\github_path")
        .output()
        .unwrap();
    let (status, stdout, stderr) = text(&out);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(stdout, format!("goleash {}\n", env!("CARGO_PKG_VERSION")));
    assert!(stderr.contains(&format!("goleash-{tag}-{triple}.zip: SHA-256 ")));
    let github_path =
        std::fs::read_to_string(drives.path().join("D:/a/_temp/github_path")).unwrap();
    assert_eq!(github_path, format!("D:/a/_temp/goleash-{tag}\n"));
    assert!(drives
        .path()
        .join(format!("D:/a/_temp/goleash-{tag}/goleash.exe"))
        .is_file());
}

// ---------------------------------------------------------------------------------------------------
// The token.

/// A command that says which token variables it has and how many variables hold the token.
const SNOOP: &str = r#"for v in GITHUB_TOKEN GOLEASH_GITHUB_TOKEN; do if [ -n "${!v:-}" ]; then echo "SAW $v"; fi; done; env | grep -c 'TEST[T]OKEN' || true"#;

#[test]
fn the_users_command_never_sees_the_token_and_the_check_run_is_still_published() {
    let api = FakeApi::start(ok_script);
    let temp = tempfile::tempdir().unwrap();
    let goleash_dir = Path::new(env!("CARGO_BIN_EXE_goleash")).parent().unwrap();
    let path = format!(
        "{}:{}",
        goleash_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let report = temp.path().join("out.txt");
    let step = |script: &str, env: &[(&str, &str)]| {
        let mut cmd = Command::new("bash");
        cmd.arg(repo().join("action").join(script))
            .current_dir(repo())
            .env_clear()
            .env("PATH", &path)
            .env("HOME", temp.path())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", repo())
            .env("GITHUB_OUTPUT", temp.path().join("github_output"))
            .env("RUNNER_TEMP", temp.path())
            .env("GITHUB_API_URL", api.url(""))
            .env("GITHUB_REPOSITORY", "acme/leaky")
            .env("GITHUB_SHA", SHA);
        for (k, v) in env {
            cmd.env(k, v);
        }
        text(&cmd.output().unwrap())
    };
    // The main step as action.yml runs it: no token in its environment at all. A workflow that sets
    // GITHUB_TOKEN for the whole job does not leak it to the command either.
    let run = format!(
        "({SNOOP}) > {}; cat fixtures/streams/go1.26/test.json",
        temp.path().join("snoop.txt").display()
    );
    let (status, _, stderr) = step(
        "run.sh",
        &[
            ("GOLEASH_RUN", &run),
            ("GOLEASH_REPORT", report.to_str().unwrap()),
            ("GOLEASH_WORKING_DIRECTORY", "."),
            ("GOLEASH_CHECKS", "true"),
            ("GITHUB_TOKEN", TOKEN),
        ],
    );
    assert_eq!(status, 1, "{stderr}");
    let snoop = std::fs::read_to_string(temp.path().join("snoop.txt")).unwrap();
    // No variable of the command holds it.
    let lines: Vec<&str> = snoop.lines().collect();
    assert_eq!(lines[0], "0", "{snoop}");
    assert!(!snoop.contains("SAW"), "{snoop}");
    assert!(
        api.seen().is_empty(),
        "nothing is published by the main step"
    );
    // The check-run step, after the tests exited, is the one that holds and uses the token.
    let outputs = std::fs::read_to_string(temp.path().join("github_output")).unwrap();
    let stream = outputs
        .lines()
        .find_map(|l| l.strip_prefix("stream="))
        .unwrap()
        .to_string();
    let (status, stdout, stderr) = step(
        "publish.sh",
        &[
            ("GOLEASH_STREAM", &stream),
            ("GOLEASH_WORKING_DIRECTORY", "fixtures/go"),
            ("GOLEASH_GITHUB_TOKEN", TOKEN),
            ("GOLEASH_CHECK_NAME", "goleash (fixture)"),
        ],
    );
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("goleash: check run goleash (fixture) published with 25 annotations"),
        "{stderr}"
    );
    assert!(!stderr.contains(TOKEN));
    let seen = api.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(seen[0].body["name"], "goleash (fixture)");
}

#[test]
fn the_child_loses_the_variable_checks_reads() {
    assert!(goleash::runner::TOKEN_VARS.contains(&goleash::report::checks::TOKEN_VAR));
    assert!(goleash::runner::TOKEN_VARS.contains(&"GITHUB_TOKEN"));
}

#[test]
fn the_child_of_double_dash_does_not_get_the_token_but_goleash_publishes_with_it() {
    let api = FakeApi::start(ok_script);
    let temp = tempfile::tempdir().unwrap();
    let snoop = temp.path().join("snoop.txt");
    let script = format!(
        "({SNOOP}) > {}; cat fixtures/streams/go1.26/test.json",
        snoop.display()
    );
    for var in ["GITHUB_TOKEN", "GOLEASH_GITHUB_TOKEN"] {
        let out = Command::new(env!("CARGO_BIN_EXE_goleash"))
            .current_dir(repo())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", repo())
            .env("GITHUB_API_URL", api.url(""))
            .env("GITHUB_REPOSITORY", "acme/leaky")
            .env("GITHUB_SHA", SHA)
            .env(var, TOKEN)
            .args([
                "--root",
                "fixtures/go",
                "--checks",
                "--",
                "bash",
                "-c",
                &script,
            ])
            .output()
            .unwrap();
        let (status, stdout, stderr) = text(&out);
        assert_eq!(status, 1, "{stderr}");
        assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
        let seen = std::fs::read_to_string(&snoop).unwrap();
        assert!(!seen.contains("SAW"), "{var}: {seen}");
        assert_eq!(seen.lines().next(), Some("0"), "{var}: {seen}");
        assert!(stderr.contains("goleash: check run goleash published with 25 annotations"));
    }
    let seen = api.seen();
    assert_eq!(seen.len(), 2);
    for s in &seen {
        assert_eq!(
            s.authorization.as_deref(),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
}

// ---------------------------------------------------------------------------------------------------
// Small things users trip on.

#[test]
fn completions_into_a_closed_pipe_end_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_goleash"))
        .args(["completions", "bash"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // `| true`: the reader goes away before reading anything.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let (status, _, stderr) = text(&out);
    assert_eq!((status, stderr.as_str()), (0, ""));
}

#[test]
fn a_go_style_flag_gets_a_hint_and_a_missing_output_folder_names_its_flag() {
    let out = Command::new(env!("CARGO_BIN_EXE_goleash"))
        .current_dir(repo())
        .args(["-junit", "junit.xml", "fixtures/streams/go1.26/test.json"])
        .output()
        .unwrap();
    let (status, _, stderr) = text(&out);
    assert_eq!(status, 2);
    assert!(
        stderr.starts_with(
            "goleash: -junit is not a flag; goleash's flags take two dashes: --junit\nerror: "
        ),
        "{stderr}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_goleash"))
        .current_dir(repo())
        .args([
            "--junit",
            "/proc/no-such-dir/junit.xml",
            "fixtures/streams/go1.26/test.json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        text(&out),
        (
            2,
            String::new(),
            "goleash: --junit /proc/no-such-dir/junit.xml: the folder /proc/no-such-dir does not exist\n"
                .to_string()
        )
    );
}

#[test]
fn a_terminal_on_standard_input_is_told_what_goleash_waits_for() {
    // A pseudo-terminal (Python's pty module) on goleash's standard input and output; Ctrl-D ends it.
    let script = format!(
        r#"
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv({exe:?}, [{exe:?}, "--color", "never"])
time.sleep(1.0)
os.write(fd, b"\x04")
out = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
"#,
        exe = env!("CARGO_BIN_EXE_goleash")
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap();
    let (status, stdout, stderr) = text(&out);
    assert_eq!(status, 0, "{stderr}");
    assert!(
        stdout.starts_with("goleash: waiting for `go test -json` output on standard input (e.g. `go test -json ./... 2>&1 | goleash`, or name files, or `goleash -- go test ./...`); end it with Ctrl-D\r\n"),
        "{stdout:?}"
    );
}
