//! The layer rule of `src/lib.rs`, enforced: every `crate::…` (and `super::…`) path in every
//! `src/**/*.rs` file may only name a module of its own layer or of a layer above it, and no two
//! modules may import each other, directly or through others (no cycle).
//!
//! The layers are read from the `## Layers` list in `src/lib.rs`'s documentation, so the rule and its
//! check cannot drift apart. A module is placed by its first path component (`report::terminal::leak`
//! is in the layer of `report`); cycles are looked for between whole module paths. Comments, doc
//! comments and string literals are not read (an intra-doc link is not an import).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, top first: module name → rank (0 is the bottom: imports nothing of the crate's).
fn layers_from(lib_rs: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    let mut in_section = false;
    let mut in_block = false;
    for line in lib_rs.lines() {
        let Some(doc) = line.strip_prefix("//!") else {
            continue;
        };
        let doc = doc.trim();
        if doc.starts_with("## ") {
            in_section = doc == "## Layers";
            continue;
        }
        if !in_section {
            continue;
        }
        if doc.starts_with("```") {
            if in_block {
                break;
            }
            in_block = true;
            continue;
        }
        if !in_block {
            continue;
        }
        // `3. source, paths   what the layer does`
        let Some((rank, rest)) = doc.split_once(". ") else {
            continue;
        };
        let Ok(rank) = rank.trim().parse::<usize>() else {
            continue;
        };
        let names = rest.split("  ").next().unwrap_or("");
        for name in names.split(',') {
            let name = name.trim();
            if !name.is_empty() {
                out.insert(name.to_string(), rank);
            }
        }
    }
    out
}

/// The source without comments and string/char literals (their contents become blanks).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            continue;
        }
        // Raw strings: r"…", r#"…"#, br"…".
        if (c == b'r' || (c == b'b' && b.get(i + 1) == Some(&b'r')))
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        {
            let mut j = i + if c == b'b' { 2 } else { 1 };
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) == Some(&b'"') {
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                j += 1;
                while j < b.len() && !b[j..].starts_with(&close) {
                    j += 1;
                }
                i = j + close.len();
                out.push_str("\"\"");
                continue;
            }
        }
        if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
            continue;
        }
        // A char literal ('x', '\n', '\u{1b}'), not a lifetime ('a).
        if c == b'\'' {
            let rest = &src[i + 1..];
            let end = if rest.starts_with('\\') {
                rest.get(2..).and_then(|r| r.find('\'')).map(|e| e + 3)
            } else {
                rest.chars()
                    .next()
                    .filter(|ch| rest[ch.len_utf8()..].starts_with('\''))
                    .map(|ch| ch.len_utf8() + 1)
            };
            if let Some(e) = end {
                i += 1 + e;
                out.push_str("' '");
                continue;
            }
        }
        out.push(c as char);
        i += 1;
    }
    out
}

fn ident_at(s: &str) -> Option<&str> {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (end > 0).then(|| &s[..end])
}

/// Every module path named after `crate::` (or resolved from `super::`) in a file of module `me`:
/// `crate::a::b::{c, d::e}` names `a::b::c` and `a::b::d::e` (the caller keeps the longest prefix
/// that is a module).
fn imports(me: &[String], src: &str) -> BTreeSet<(Vec<String>, bool)> {
    let code = code_only(src);
    let mut out = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find(['c', 's']) {
        let here = &rest[i..];
        let before = code.len() - rest.len() + i;
        let boundary = before == 0
            || !code[..before]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if boundary && here.starts_with("crate::") {
            let mut found = BTreeSet::new();
            collect(&[], &here["crate::".len()..], &mut found);
            out.extend(found.into_iter().map(|p| (p, false)));
        } else if boundary && here.starts_with("super::") {
            // `super` is the parent module, or the file's own module inside an inline `mod tests {}`:
            // both are tried, and only what names a module counts.
            let mut t = here;
            let mut ups = 0;
            while let Some(r) = t.strip_prefix("super::") {
                ups += 1;
                t = r;
            }
            for up in [ups, ups - 1] {
                if up > me.len() {
                    continue;
                }
                let base = &me[..me.len() - up];
                let mut found = BTreeSet::new();
                collect(base, t, &mut found);
                out.extend(found.into_iter().map(|p| (p, true)));
            }
        }
        rest = &rest[i + 1..];
    }
    out
}

/// Reads `a::b::{c, d}` (or `a::b`) at the start of `s`, adding each full path to `out`.
fn collect(base: &[String], s: &str, out: &mut BTreeSet<Vec<String>>) {
    let mut path = base.to_vec();
    let mut s = s.trim_start();
    loop {
        if let Some(group) = s.strip_prefix('{') {
            // Split the group's top-level items.
            let mut depth = 0;
            let mut start = 0;
            for (k, ch) in group.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        collect(&path, &group[start..k], out);
                        return;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        collect(&path, &group[start..k], out);
                        start = k + 1;
                    }
                    _ => {}
                }
            }
            return;
        }
        let Some(id) = ident_at(s) else {
            break;
        };
        if id == "self" {
            break;
        }
        path.push(id.to_string());
        s = &s[id.len()..];
        match s.strip_prefix("::") {
            Some(r) => s = r.trim_start(),
            None => break,
        }
    }
    if !path.is_empty() {
        out.insert(path);
    }
}

/// A finding of the check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Problem {
    /// `from` (in `from_layer`) imports `to` (in the lower `to_layer`… that is, a later one).
    Upward { from: String, to: String },
    /// A module no layer lists.
    Unplaced { module: String },
    /// A cycle of imports, as the modules around it.
    Cycle { modules: Vec<String> },
}

/// Checks files given as `(path relative to src, text)` against the layers.
fn check(files: &[(String, String)], layers: &BTreeMap<String, usize>) -> Vec<Problem> {
    let module_of = |rel: &str| -> Vec<String> {
        let rel = rel.strip_suffix(".rs").unwrap_or(rel);
        let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        parts
    };
    let modules: BTreeSet<Vec<String>> = files
        .iter()
        .map(|(p, _)| module_of(p))
        .filter(|m| !m.is_empty() && m[0] != "lib" && m[0] != "main")
        .collect();
    let mut problems = BTreeSet::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in files {
        let me = module_of(rel);
        if me.is_empty() || me[0] == "lib" || me[0] == "main" {
            continue;
        }
        let Some(&my_rank) = layers.get(&me[0]) else {
            problems.insert(Problem::Unplaced {
                module: me[0].clone(),
            });
            continue;
        };
        for (path, from_super) in imports(&me, text) {
            // The longest prefix that is a module of the crate (a file or a folder).
            let found = (1..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| modules.contains(p));
            let target = match found {
                Some(t) => t,
                // A `super::` reading that names no module (an item of the file's own module).
                None if from_super => continue,
                None => path[..1].to_vec(),
            };
            if target == me || me.starts_with(&target) {
                continue;
            }
            let Some(&rank) = layers.get(&target[0]) else {
                problems.insert(Problem::Unplaced {
                    module: target[0].clone(),
                });
                continue;
            };
            if rank > my_rank {
                problems.insert(Problem::Upward {
                    from: me.join("::"),
                    to: target.join("::"),
                });
            }
            edges
                .entry(me.join("::"))
                .or_default()
                .insert(target.join("::"));
        }
    }
    // Cycles: a depth-first search that reports each back edge's loop once.
    let mut state: BTreeMap<String, u8> = BTreeMap::new();
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
        out: &mut BTreeSet<Problem>,
    ) {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                0 => visit(m, edges, state, stack, out),
                1 => {
                    let at = stack.iter().position(|s| s == m).unwrap_or(0);
                    let mut modules = stack[at..].to_vec();
                    let min = modules
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, s)| s.as_str())
                        .map_or(0, |(k, _)| k);
                    modules.rotate_left(min);
                    out.insert(Problem::Cycle { modules });
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
    }
    for n in edges.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            visit(n, &edges, &mut state, &mut Vec::new(), &mut problems);
        }
    }
    problems.into_iter().collect()
}

fn read_tree(dir: &Path, rel: &str, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let r = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if p.is_dir() {
            read_tree(&p, &r, out);
        } else if name.ends_with(".rs") {
            out.push((r, std::fs::read_to_string(&p).unwrap()));
        }
    }
}

fn src() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Known breaches of the rule, each with why it is there and who removes it. The test fails when one
/// is no longer needed, so the list only shrinks.
const EXCEPTIONS: &[(&str, &str)] = &[];

fn describe(p: &Problem) -> String {
    match p {
        Problem::Upward { from, to } => format!("upward {from} -> {to}"),
        Problem::Unplaced { module } => format!("unplaced {module}"),
        Problem::Cycle { modules } => {
            let mut m = modules.clone();
            m.push(modules[0].clone());
            format!("cycle {}", m.join(" -> "))
        }
    }
}

#[test]
fn every_import_follows_the_layers_and_none_forms_a_cycle() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let layers = layers_from(&lib);
    assert!(
        layers.len() >= 10,
        "the `## Layers` list of src/lib.rs was not found: {layers:?}"
    );
    let mut files = Vec::new();
    read_tree(&src(), "", &mut files);
    assert!(files.len() > 20, "{} files", files.len());
    let problems: Vec<String> = check(&files, &layers).iter().map(describe).collect();
    let excused: Vec<&str> = EXCEPTIONS.iter().map(|(p, _)| *p).collect();
    let new: Vec<&String> = problems
        .iter()
        .filter(|p| !excused.contains(&p.as_str()))
        .collect();
    assert!(
        new.is_empty(),
        "imports against the layers of src/lib.rs: {new:#?}\nlayers: {layers:?}"
    );
    let stale: Vec<&&str> = excused
        .iter()
        .filter(|e| !problems.iter().any(|p| p == **e))
        .collect();
    assert!(
        stale.is_empty(),
        "exceptions no longer needed (delete them from EXCEPTIONS): {stale:?}"
    );
}

#[test]
fn the_checker_flags_an_upward_import_a_cycle_and_an_unplaced_module() {
    let layers: BTreeMap<String, usize> = [("text", 0), ("leak", 1), ("advice", 2), ("report", 3)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let file = |p: &str, t: &str| (p.to_string(), t.to_string());
    // A core module importing a sink, through a group and past a comment and a string.
    let files = vec![
        file("text.rs", "pub fn f() {}\n"),
        file(
            "leak.rs",
            "// crate::report is mentioned here only\nconst S: &str = \"crate::report\";\nuse crate::{text, report::json::{self, write}};\n",
        ),
        file("report/mod.rs", "pub mod json;\n"),
        file("report/json.rs", "use super::super::text::f;\n"),
    ];
    assert_eq!(
        check(&files, &layers),
        vec![Problem::Upward {
            from: "leak".into(),
            to: "report::json".into()
        }]
    );
    // Comments, strings and doc links alone are no import.
    let clean = vec![
        file("leak.rs", "//! see [`crate::report::json`]\nconst S: &str = r#\"crate::report\"#;\nfn f<'a>(c: char) -> bool { c == '\"' }\n"),
        file("report/mod.rs", "use crate::leak;\n"),
    ];
    assert_eq!(check(&clean, &layers), Vec::<Problem>::new());
    // Two modules of one layer importing each other (report::json ↔ report::github).
    let cycle = vec![
        file("report/mod.rs", "pub mod github; pub mod json;\n"),
        file("report/json.rs", "use crate::report::github::neutralise;\n"),
        file("report/github.rs", "fn f() { super::json::write(); }\n"),
    ];
    assert_eq!(
        check(&cycle, &layers),
        vec![Problem::Cycle {
            modules: vec!["report::github".into(), "report::json".into()]
        }]
    );
    // A module no layer lists.
    let unplaced = vec![file("incident.rs", "use crate::leak;\n")];
    assert_eq!(
        check(&unplaced, &layers),
        vec![Problem::Unplaced {
            module: "incident".into()
        }]
    );
}

#[test]
fn the_layers_are_read_from_lib_rs() {
    let lib = "//! intro\n//!\n//! ## Layers\n//!\n//! ```text\n//! 1. text, event   helpers\n//! 2. gotest\n//! ```\n//!\n//! ## Other\n//! ```text\n//! 9. nope\n//! ```\n";
    let l = layers_from(lib);
    assert_eq!(
        l.into_iter().collect::<Vec<_>>(),
        vec![
            ("event".to_string(), 1),
            ("gotest".to_string(), 2),
            ("text".to_string(), 1)
        ]
    );
}
