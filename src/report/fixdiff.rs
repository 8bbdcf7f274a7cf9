//! `--fix-diff`: renders the mechanical fixes the advice engine is sure of as one unified diff that
//! `git apply` takes from `--root`.
//!
//! The advice engine proposes a [`Fix`] only where it is sure (today: an unbuffered channel with a single
//! send per goroutine whose receiver gives up on a timeout or cancellation becomes `make(chan T, 1)`) and
//! stores it on the leak group with the text of its file; [`build`] turns file texts and edits into the
//! diff without any I/O, and [`FixDiffSink`] writes it. Nothing here reads source or runs the engine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use similar::TextDiff;

use crate::advice::{Edit, Fix};
use crate::error::Error;
use crate::outfile::write_atomic;
use crate::pipeline::Sink;
use crate::source::is_plain_path;
use crate::text::plural;
use crate::view::View;

/// What [`build`] made of a set of edits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixDiff {
    /// The unified diff (empty when nothing applies).
    pub diff: String,
    /// The edits in the diff, sorted, without repeats.
    pub applied: Vec<Edit>,
    /// The edits left out: unsafe path, file not found, text not found exactly once, or in conflict with
    /// another edit of the same line.
    pub rejected: Vec<Edit>,
}

/// Applies edits of one file to its text; `None` when one of them does not apply (line out of range, the
/// text not found exactly once in its line, two different edits of one line).
pub fn apply(text: &str, edits: &[&Edit]) -> Option<String> {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    let mut done: Vec<u32> = Vec::new();
    for e in edits {
        if done.contains(&e.line)
            || e.find.is_empty()
            || e.find.contains('\n')
            || e.replace.contains('\n')
        {
            return None;
        }
        let line = lines.get_mut((e.line as usize).checked_sub(1)?)?;
        if line.matches(e.find.as_str()).count() != 1 {
            return None;
        }
        *line = line.replacen(e.find.as_str(), &e.replace, 1);
        done.push(e.line);
    }
    Some(lines.concat())
}

/// The git-style unified diff of one file, with three lines of context; empty when nothing changed.
pub fn file_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let body = TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    format!("diff --git a/{path} b/{path}\n{body}")
}

/// Builds the diff of `edits` against the files' texts (`files`: path → text), file by file in path order.
/// Identical edits count once; an edit that does not apply is rejected with every other edit of its line,
/// and the rest of its file still applies.
pub fn build(files: &BTreeMap<String, String>, edits: &[Edit]) -> FixDiff {
    let mut edits: Vec<Edit> = edits.to_vec();
    edits.sort();
    edits.dedup();
    let mut out = FixDiff::default();
    let mut by_file: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
    for e in &edits {
        by_file.entry(e.path.as_str()).or_default().push(e);
    }
    for (path, file_edits) in by_file {
        let Some(text) = files.get(path).filter(|_| is_plain_path(path)) else {
            out.rejected.extend(file_edits.into_iter().cloned());
            continue;
        };
        let mut good: Vec<&Edit> = Vec::new();
        for e in &file_edits {
            let same_line = file_edits.iter().filter(|o| o.line == e.line).count();
            if same_line == 1 && apply(text, &[e]).is_some() {
                good.push(e);
            } else {
                out.rejected.push((*e).clone());
            }
        }
        let Some(new) = apply(text, &good) else {
            out.rejected.extend(good.into_iter().cloned());
            continue;
        };
        out.diff.push_str(&file_diff(path, text, &new));
        out.applied.extend(good.into_iter().cloned());
    }
    out
}

/// The diff of these fixes against the file texts they carry (each path's first text counts).
pub fn build_fixes(fixes: &[Fix]) -> FixDiff {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for f in fixes {
        files
            .entry(f.edit.path.clone())
            .or_insert_with(|| f.text.to_string());
    }
    let edits: Vec<Edit> = fixes.iter().map(|f| f.edit.clone()).collect();
    build(&files, &edits)
}

/// The `--fix-diff` sink: writes the view's sure fixes ([`View::fixes`], stored on the leak groups when
/// they were classified) as one unified diff, atomically (an empty file when there is none), and says so
/// on standard error. It reads no source: each fix carries its file's text.
#[derive(Debug)]
pub struct FixDiffSink {
    path: PathBuf,
}

impl FixDiffSink {
    /// A sink writing the diff to `path` at the end of the run.
    pub fn new(path: PathBuf) -> FixDiffSink {
        FixDiffSink { path }
    }
}

impl Sink for FixDiffSink {
    fn run_done(&mut self, view: &View) -> Result<(), Error> {
        let fd = build_fixes(&view.fixes);
        write_atomic(&self.path, |w| w.write_all(fd.diff.as_bytes()))?;
        eprintln!("goleash: {}", summary_line(&fd, &self.path));
        Ok(())
    }
}

/// The one line the command prints about a written fix diff.
pub fn summary_line(fd: &FixDiff, path: &Path) -> String {
    let files = {
        let mut f: Vec<&str> = fd.applied.iter().map(|e| e.path.as_str()).collect();
        f.dedup();
        f.len()
    };
    let mut line = if fd.applied.is_empty() {
        format!(
            "no fix the advice engine is sure of; wrote an empty {}",
            path.display()
        )
    } else {
        format!(
            "wrote {} in {} to {} (apply it with `git apply` in the --root folder)",
            plural(fd.applied.len(), "fix", "fixes"),
            plural(files, "file", "files"),
            path.display()
        )
    };
    if !fd.rejected.is_empty() {
        line.push_str(&format!(
            "; left out {} that no longer matched the source",
            plural(fd.rejected.len(), "fix", "fixes")
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(path: &str, line: u32, find: &str, replace: &str) -> Edit {
        Edit {
            path: path.into(),
            line,
            find: find.into(),
            replace: replace.into(),
        }
    }

    #[test]
    fn apply_needs_exactly_one_match() {
        let t = "a\nx := make(chan int)\n";
        assert_eq!(
            apply(t, &[&edit("f", 2, "make(chan int)", "make(chan int, 1)")]).as_deref(),
            Some("a\nx := make(chan int, 1)\n")
        );
        assert_eq!(apply(t, &[&edit("f", 3, "a", "b")]), None);
        assert_eq!(apply(t, &[&edit("f", 0, "a", "b")]), None);
        assert_eq!(apply("aa\n", &[&edit("f", 1, "a", "b")]), None);
    }

    #[test]
    fn diff_keeps_crlf_and_missing_final_newline() {
        let old = "l1\r\nch := make(chan int)\r\nl3";
        let new = apply(
            old,
            &[&edit("p/f.go", 2, "make(chan int)", "make(chan int, 1)")],
        )
        .unwrap();
        assert_eq!(new, "l1\r\nch := make(chan int, 1)\r\nl3");
        assert_eq!(
            file_diff("p/f.go", old, &new),
            "diff --git a/p/f.go b/p/f.go\n--- a/p/f.go\n+++ b/p/f.go\n@@ -1,3 +1,3 @@\n l1\r\n-ch := make(chan int)\r\n+ch := make(chan int, 1)\r\n l3\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn build_rejects_what_it_is_not_sure_of() {
        let mut files = BTreeMap::new();
        files.insert("b.go".to_string(), "x\ny\n".to_string());
        files.insert(
            "a.go".to_string(),
            "1\n2\n3\n4\n5\n6\n7\n8\n9\n".to_string(),
        );
        let fd = build(
            &files,
            &[
                edit("b.go", 2, "y", "Y"),
                edit("a.go", 9, "9", "nine"),
                edit("a.go", 1, "1", "one"),
                edit("a.go", 1, "1", "one"),
                edit("a.go", 5, "5", "five"),
                edit("a.go", 5, "5", "FIVE"),
                edit("missing.go", 1, "a", "b"),
                edit("../x.go", 1, "a", "b"),
            ],
        );
        assert_eq!(
            fd.diff,
            "diff --git a/a.go b/a.go\n--- a/a.go\n+++ b/a.go\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n@@ -6,4 +6,4 @@\n 6\n 7\n 8\n-9\n+nine\ndiff --git a/b.go b/b.go\n--- a/b.go\n+++ b/b.go\n@@ -1,2 +1,2 @@\n x\n-y\n+Y\n"
        );
        assert_eq!(fd.applied.len(), 3);
        assert_eq!(
            fd.rejected,
            vec![
                edit("../x.go", 1, "a", "b"),
                edit("a.go", 5, "5", "FIVE"),
                edit("a.go", 5, "5", "five"),
                edit("missing.go", 1, "a", "b"),
            ]
        );
    }
}
