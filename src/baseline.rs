//! The baseline: known leaks (by id) that are reported but do not fail the run.
//!
//! Plain text, one leak id per line; `#` starts a comment. [`Baseline::apply`] marks the view's known
//! leaks; [`Baseline::render`] writes every leak of a view with its function as a comment (the
//! `--write-baseline` sink, `report::baseline`, writes it).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::view::View;

/// A parsed baseline.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Baseline {
    /// The ids it lists.
    pub ids: BTreeSet<String>,
}

impl Baseline {
    /// Parses a baseline file's text.
    pub fn parse(text: &str) -> Baseline {
        let ids = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or_default().trim())
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        Baseline { ids }
    }

    /// Marks the view's known leaks and lists the baseline's stale entries.
    pub fn apply(&self, report: &mut View) {
        for l in &mut report.leaks {
            l.known = self.ids.contains(&l.id);
            if l.known {
                report.baseline.known.push(l.id.clone());
            }
        }
        report.baseline.stale = self
            .ids
            .iter()
            .filter(|id| !report.leaks.iter().any(|l| &l.id == *id))
            .cloned()
            .collect();
    }

    /// The baseline text for every leak of a report.
    pub fn render(report: &View) -> String {
        let mut s = String::from("# goleash baseline: known goroutine leaks, one id per line\n");
        for l in &report.leaks {
            let loc = l
                .location
                .as_ref()
                .map(|x| format!(" ({}:{})", x.file, x.line))
                .unwrap_or_default();
            let _ = writeln!(s, "{}  # {} {}{}", l.id, l.cause, l.function, loc);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_ignores_comments_and_blanks() {
        let b = Baseline::parse("# header\n\n3f9c2a7b1d0e  # example.com/x.F\n  aaaaaaaaaaaa\n");
        assert_eq!(
            b.ids.into_iter().collect::<Vec<_>>(),
            vec!["3f9c2a7b1d0e".to_string(), "aaaaaaaaaaaa".to_string()]
        );
    }
}
