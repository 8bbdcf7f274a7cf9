//! Incidents of the reproductions in fixtures/go/incident (captured by fixtures/gobench/capture as
//! ordinary `go test -json` runs: under goleak, under `go test -timeout`, in a synctest bubble).

use std::collections::BTreeMap;

use goleash::dump::{extract, Frame, Goroutine};
use goleash::incident::{self, Incident, Kind, Sources};
use goleash::source::go::GoFile;

use crate::common::repo;

/// The package's files, found by the path suffix `fixtures/go/…` of the printed (absolute) paths.
struct Package {
    files: Vec<(String, GoFile)>,
}

impl Package {
    fn load(pkg: &str) -> Package {
        let dir = repo().join("fixtures/go/incident").join(pkg);
        let mut files = Vec::new();
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = e.file_name().into_string().unwrap();
            if name.ends_with(".go") {
                let rel = format!("fixtures/go/incident/{pkg}/{name}");
                let text = std::fs::read_to_string(e.path()).unwrap();
                files.push((rel.clone(), GoFile::parse(&rel, &text)));
            }
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        Package { files }
    }
}

impl Sources for Package {
    fn file(&self, frame: &Frame) -> Option<&GoFile> {
        self.files
            .iter()
            .find(|(rel, _)| frame.file.ends_with(&format!("/{rel}")))
            .map(|(_, f)| f)
    }
    fn package(&self, frame: &Frame) -> Vec<&GoFile> {
        if self.file(frame).is_some() {
            self.files.iter().map(|(_, f)| f).collect()
        } else {
            Vec::new()
        }
    }
}

/// The output text of the stream (every `Output` field, in order).
fn output(pkg: &str) -> String {
    let text =
        std::fs::read_to_string(repo().join(format!("fixtures/gobench/tests/{pkg}.json"))).unwrap();
    let mut out = String::new();
    for l in text.lines() {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(l) {
            if let Some(o) = v.get("Output").and_then(|o| o.as_str()) {
                out.push_str(o);
            }
        }
    }
    out
}

/// The incidents of each report (block) of the package's stream.
fn incidents(pkg: &str) -> Vec<Incident> {
    let src = Package::load(pkg);
    let ex = extract(&output(pkg));
    let mut reports: BTreeMap<usize, Vec<Goroutine>> = BTreeMap::new();
    for s in ex.suspects {
        reports.entry(s.block).or_default().push(s.goroutine);
    }
    let mut out = Vec::new();
    for gs in reports.values() {
        let refs: Vec<&Goroutine> = gs.iter().collect();
        out.extend(incident::build(&refs, &src));
    }
    out
}

fn kinds(pkg: &str) -> Vec<Kind> {
    incidents(pkg).iter().map(|i| i.kind).collect()
}

#[test]
fn every_reproduction_gets_its_kind() {
    let got: Vec<(&str, Vec<Kind>)> = [
        "abandoned",
        "abba",
        "bufferedfull",
        "doublelock",
        "fetchtwo",
        "gobench5316",
        "gobench7504",
        "missingunlock",
        "rwr",
        "selectctx",
        "wgvictim",
    ]
    .into_iter()
    .map(|p| (p, kinds(p)))
    .collect();
    for (p, k) in &got {
        for i in incidents(p) {
            eprintln!("{p}: {} {:?} {}", i.id, i.kind, i.explanation);
        }
        let _ = k;
    }
    assert_eq!(
        got,
        vec![
            ("abandoned", vec![Kind::Channel]),
            ("abba", vec![Kind::AbBa]),
            ("bufferedfull", vec![Kind::Channel]),
            ("doublelock", vec![Kind::DoubleLocking]),
            ("fetchtwo", vec![Kind::Channel]),
            ("gobench5316", vec![Kind::Channel]),
            ("gobench7504", vec![Kind::AbBa]),
            ("missingunlock", vec![Kind::MissingUnlock]),
            ("rwr", vec![Kind::Rwr]),
            ("selectctx", vec![Kind::ChannelContext]),
            ("wgvictim", vec![Kind::ChannelWaitgroup]),
        ]
    );
}
