//! `goleash -- go test …`: runs the command as a child and streams what it prints through the pipeline.
//!
//! The child's standard output and standard error are read on two threads, line by line, and merged
//! into one stream in the order lines arrive (as `2>&1` would), so a package's line is printed while
//! the child is still running. `-json` is added after `test` when a `go test` command lacks it. The
//! exit status is the worse of goleash's and the child's: a child that failed makes it at least 1, so a
//! CI step needs no `set -o pipefail`.
//!
//! The child never sees a GitHub token: `GITHUB_TOKEN` and goleash's own token variable
//! ([`TOKEN_VARS`]) are removed from its environment (tests, their dependencies' `init()` and whatever
//! they start would otherwise hold the job's token, and a test that prints its environment would put it
//! into every report). goleash itself keeps them for `--checks`, which publishes after the child exited.

use std::ffi::{OsStr, OsString};
use std::io::{self, BufRead, BufReader, Read};
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use crate::error::Error;
use crate::text::sanitize;

/// The variables removed from the child's environment.
/// (`GOLEASH_GITHUB_TOKEN` is the name `--checks` reads first, `report::checks::TOKEN_VAR`; a test keeps
/// the two equal without this layer importing the report layer.)
pub const TOKEN_VARS: [&str; 2] = ["GITHUB_TOKEN", "GOLEASH_GITHUB_TOKEN"];

/// How many lines may wait between the child and the pipeline before the child is made to wait.
const QUEUE_LINES: usize = 4096;

/// The command with `-json` added after `test` when it is `go test` without `-json` (before `-args`, whose
/// arguments belong to the test binary). Any other command is returned as it is.
pub fn with_json(argv: &[OsString]) -> Vec<OsString> {
    let mut out = argv.to_vec();
    let Some(program) = argv.first() else {
        return out;
    };
    let name = std::path::Path::new(program)
        .file_stem()
        .unwrap_or(program.as_os_str());
    if name != "go" {
        return out;
    }
    let Some(test_at) = argv.iter().position(|a| a == "test") else {
        return out;
    };
    let go_flags = argv[test_at + 1..]
        .iter()
        .take_while(|a| *a != "-args" && *a != "--args");
    let has_json = go_flags.map(|a| a.to_string_lossy()).any(|a| {
        a == "-json" || a == "--json" || a.starts_with("-json=") || a.starts_with("--json=")
    });
    if !has_json {
        out.insert(test_at + 1, OsString::from("-json"));
    }
    out
}

/// The command as a person would type it, for messages: words with blanks or quotes are single-quoted.
pub fn display(argv: &[OsString]) -> String {
    argv.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ")
}

fn quote(a: &OsStr) -> String {
    let s = a.to_string_lossy();
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%^".contains(c));
    if plain {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The exit status of `goleash -- cmd`: the worse of goleash's own and the child's, where any failure of
/// the child (a non-zero status or a signal) counts as at least 1.
pub fn combined_status(goleash: u8, child: &ExitStatus) -> u8 {
    if child.success() {
        goleash
    } else {
        goleash.max(1)
    }
}

/// How many lines of the child's stray output a [`failure_note`] shows at most.
const NOTE_LINES: usize = 20;

/// What to tell on standard error when the child failed but no failure in the report explains it (the
/// go command could not start its tests: a bad pattern, no module, a flag it does not know): the exit
/// status and the last lines it printed outside any test, made inert. `None` when the child succeeded
/// or the report lists failures (`failures` of them).
pub fn failure_note(
    command: &str,
    status: &ExitStatus,
    failures: usize,
    stray: &str,
) -> Option<String> {
    if status.success() || failures > 0 {
        return None;
    }
    let how = match status.code() {
        Some(c) => format!("exited with status {c}"),
        None => "was ended by a signal".to_string(),
    };
    let lines: Vec<&str> = stray.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut note = format!("goleash: `{command}` {how}, and no test failed");
    if lines.is_empty() {
        note.push('\n');
        return Some(note);
    }
    note.push_str("; what it printed outside any test:\n");
    for l in &lines[lines.len().saturating_sub(NOTE_LINES)..] {
        note.push_str("  | ");
        note.push_str(&sanitize(l));
        note.push('\n');
    }
    Some(note)
}

/// A running child whose merged output is read through [`Running::reader`].
pub struct Running {
    child: Child,
    reader: MergedReader,
    /// The command as started (with `-json` added), for messages.
    pub command: String,
}

impl Running {
    /// Starts `argv` (after [`with_json`]) with piped standard output and error, without the
    /// [`TOKEN_VARS`]; standard input is inherited. An error names the command.
    pub fn start(argv: &[OsString]) -> Result<Running, Error> {
        let argv = with_json(argv);
        let command = display(&argv);
        let Some((program, args)) = argv.split_first() else {
            return Err(Error::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                "no command after `--`",
            )));
        };
        let mut cmd = Command::new(program);
        for k in TOKEN_VARS {
            cmd.env_remove(k);
        }
        let mut child = cmd
            .args(args)
            .stdin(Stdio::inherit())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| Error::Command {
                command: command.clone(),
                source,
            })?;
        let (tx, rx) = sync_channel::<Vec<u8>>(QUEUE_LINES);
        // The pump threads end with their pipes; they are not joined, so that a grandchild that keeps
        // a pipe open cannot hang goleash once the child itself has exited.
        if let Some(out) = child.stdout.take() {
            pump::<ChildStdout>(out, tx.clone());
        }
        if let Some(err) = child.stderr.take() {
            pump::<ChildStderr>(err, tx.clone());
        }
        drop(tx);
        Ok(Running {
            child,
            reader: MergedReader::new(rx),
            command,
        })
    }

    /// The child's standard output and error, merged line by line; it ends when both are closed.
    pub fn reader(&mut self) -> &mut MergedReader {
        &mut self.reader
    }

    /// Waits for the child to exit.
    pub fn wait(mut self) -> Result<ExitStatus, Error> {
        // Whatever is still queued is dropped.
        drop(self.reader);
        let command = self.command;
        self.child
            .wait()
            .map_err(|source| Error::Wait { command, source })
    }
}

/// Reads one pipe line by line, sending each whole line (with its newline) until the pipe closes or
/// nobody listens any more.
fn pump<R: Read + Send + 'static>(pipe: R, tx: SyncSender<Vec<u8>>) {
    std::thread::spawn(move || {
        let mut r = BufReader::with_capacity(64 * 1024, pipe);
        loop {
            let mut line = Vec::new();
            match r.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            }
        }
    });
}

/// A [`BufRead`] over lines that arrive on a channel; end of input when every sender is gone.
pub struct MergedReader {
    rx: Receiver<Vec<u8>>,
    buf: Vec<u8>,
    pos: usize,
}

impl MergedReader {
    /// A reader of the lines sent on `rx`.
    pub fn new(rx: Receiver<Vec<u8>>) -> MergedReader {
        MergedReader {
            rx,
            buf: Vec::new(),
            pos: 0,
        }
    }
}

impl Read for MergedReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(out.len());
            out[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for MergedReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos >= self.buf.len() {
            match self.rx.recv() {
                Ok(line) => {
                    self.buf = line;
                    self.pos = 0;
                }
                Err(_) => {
                    self.buf.clear();
                    self.pos = 0;
                    break;
                }
            }
        }
        Ok(&self.buf[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.buf.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn json_is_added_after_test_when_missing() {
        assert_eq!(
            with_json(&os(&["go", "test", "./..."])),
            os(&["go", "test", "-json", "./..."])
        );
        assert_eq!(
            with_json(&os(&["/usr/local/go/bin/go", "test", "-race", "./..."])),
            os(&["/usr/local/go/bin/go", "test", "-json", "-race", "./..."])
        );
        assert_eq!(
            with_json(&os(&["go", "test", "-json", "./..."])),
            os(&["go", "test", "-json", "./..."])
        );
        assert_eq!(
            with_json(&os(&["go", "test", "-json=true", "."])),
            os(&["go", "test", "-json=true", "."])
        );
        // `-json` after `-args` is the test binary's, not go test's.
        assert_eq!(
            with_json(&os(&["go", "test", ".", "-args", "-json"])),
            os(&["go", "test", "-json", ".", "-args", "-json"])
        );
        // Not `go test`: left alone.
        assert_eq!(with_json(&os(&["make", "test"])), os(&["make", "test"]));
        assert_eq!(
            with_json(&os(&["go", "vet", "./..."])),
            os(&["go", "vet", "./..."])
        );
        assert_eq!(with_json(&[]), Vec::<OsString>::new());
    }

    #[test]
    fn commands_display_quoted() {
        assert_eq!(
            display(&os(&["go", "test", "-run", "Test A", "./..."])),
            "go test -run 'Test A' ./..."
        );
        assert_eq!(
            display(&os(&["sh", "-c", "echo 'x'"])),
            r"sh -c 'echo '\''x'\'''"
        );
    }

    #[cfg(unix)]
    #[test]
    fn status_is_the_worse_of_both() {
        use std::os::unix::process::ExitStatusExt;
        let ok = ExitStatus::from_raw(0);
        let failed = ExitStatus::from_raw(2 << 8);
        let killed = ExitStatus::from_raw(9);
        assert_eq!(combined_status(0, &ok), 0);
        assert_eq!(combined_status(1, &ok), 1);
        assert_eq!(combined_status(0, &failed), 1);
        assert_eq!(combined_status(2, &failed), 2);
        assert_eq!(combined_status(0, &killed), 1);
    }

    #[test]
    fn merged_reader_reads_lines_as_they_come() {
        let (tx, rx) = sync_channel(4);
        let mut r = MergedReader::new(rx);
        tx.send(b"one\n".to_vec()).unwrap();
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        assert_eq!(line, "one\n");
        tx.send(b"two\n".to_vec()).unwrap();
        drop(tx);
        let mut rest = String::new();
        r.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "two\n");
    }

    #[cfg(unix)]
    #[test]
    fn child_output_is_merged_and_status_kept() {
        let mut run = Running::start(&os(&["sh", "-c", "echo out; echo err >&2; exit 3"])).unwrap();
        let mut text = String::new();
        run.reader().read_to_string(&mut text).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.sort_unstable();
        assert_eq!(lines, ["err", "out"]);
        let status = run.wait().unwrap();
        assert_eq!(status.code(), Some(3));
    }

    #[cfg(unix)]
    #[test]
    fn a_failure_no_test_explains_shows_the_stray_output() {
        use std::os::unix::process::ExitStatusExt;
        let failed = ExitStatus::from_raw(1 << 8);
        let stray = "go: downloading x\n\n::error::pattern ./nope: \u{1b}[31mno match\n";
        assert_eq!(
            failure_note("go test -json ./nope", &failed, 0, stray).as_deref(),
            Some(
                "goleash: `go test -json ./nope` exited with status 1, and no test failed; what it printed \
                 outside any test:\n  | go: downloading x\n  | ::error::pattern ./nope: \\x1b[31mno match\n"
            )
        );
        assert_eq!(
            failure_note("false", &ExitStatus::from_raw(9), 0, "").as_deref(),
            Some("goleash: `false` was ended by a signal, and no test failed\n")
        );
        assert_eq!(failure_note("true", &ExitStatus::from_raw(0), 0, "x"), None);
    }

    #[test]
    fn a_missing_command_names_itself() {
        let e = Running::start(&os(&["goleash-no-such-command-xyz", "a b"]))
            .err()
            .unwrap();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert!(
            e.to_string()
                .starts_with("cannot run `goleash-no-such-command-xyz 'a b'`: "),
            "{e}"
        );
    }
}
