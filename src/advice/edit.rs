//! Sure fixes: an [`Edit`] of one line, and the [`Fix`] that carries it with the file text it applies to,
//! so that `--fix-diff` (`report/fixdiff.rs`) renders the diff without reading the file again.

use std::sync::Arc;

/// One replacement inside one line of one file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edit {
    /// The file, relative to `--root`, with `/` separators.
    pub path: String,
    /// The 1-based line.
    pub line: u32,
    /// The text to replace; it must occur exactly once in the line.
    pub find: String,
    /// What replaces it.
    pub replace: String,
}

/// A mechanical fix the advice engine is sure of: the edit and the text of its file as the engine read it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fix {
    /// The change.
    pub edit: Edit,
    /// The whole text of [`Edit::path`] when the advice was made (shared with every other fix of the
    /// same reading).
    pub text: Arc<str>,
}
