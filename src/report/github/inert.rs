//! Keeping echoed test output from acting as a workflow command: `::stop-commands::TOKEN` around the
//! stretch of standard output goleash does not control, and line-by-line neutralising for standard
//! error and JSON on standard output.

use std::borrow::Cow;
use std::io::{self, Write};

/// A fresh random token for `::stop-commands::` (32 hex digits from the operating system's random
/// source, falling back to the process's randomly keyed hasher).
pub fn stop_token() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        use std::hash::{BuildHasher, Hasher};
        for (i, chunk) in bytes.chunks_mut(8).enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(i);
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0),
            );
            h.write_u32(std::process::id());
            chunk.copy_from_slice(&h.finish().to_le_bytes());
        }
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("goleash-{hex}")
}

/// Stops the runner from reading commands on standard output until [`StopCommands::end`] (or drop):
/// everything printed in between, test output included, is inert.
#[derive(Debug)]
pub struct StopCommands {
    token: Option<String>,
}

impl StopCommands {
    /// Prints `::stop-commands::TOKEN` with a fresh random token.
    pub fn start(w: &mut dyn Write) -> io::Result<StopCommands> {
        let token = stop_token();
        writeln!(w, "::stop-commands::{token}")?;
        w.flush()?;
        Ok(StopCommands { token: Some(token) })
    }

    /// The token.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Prints `::TOKEN::`: the runner reads commands again.
    pub fn end(&mut self, w: &mut dyn Write) -> io::Result<()> {
        if let Some(t) = self.token.take() {
            writeln!(w, "::{t}::")?;
            w.flush()?;
        }
        Ok(())
    }
}

impl Drop for StopCommands {
    fn drop(&mut self) {
        let mut out = io::stdout().lock();
        let _ = self.end(&mut out);
    }
}

/// True for what .NET's `char.IsWhiteSpace` (the runner's `TrimStart`) counts as white space.
pub fn is_dotnet_space(c: char) -> bool {
    matches!(
        c,
        '\u{9}'..='\u{d}'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Makes text inert for the runner, line by line (for standard error, which `::stop-commands::` on
/// standard output does not reliably cover): a line that would start with `::` gets `| ` in front, and
/// the legacy `##[` becomes `## [`. Lines are cut where the runner cuts them (`\n`, `\r`).
pub fn neutralise(text: &str) -> Cow<'_, str> {
    let risky =
        |l: &str| l.trim_start_matches(is_dotnet_space).starts_with("::") || l.contains("##[");
    if !text.split(['\n', '\r']).any(risky) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    loop {
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let line = &rest[..end];
        if line.trim_start_matches(is_dotnet_space).starts_with("::") {
            out.push_str("| ");
        }
        out.push_str(&line.replace("##[", "## ["));
        if end == rest.len() {
            break;
        }
        let sep = &rest[end..end + 1];
        out.push_str(sep);
        rest = &rest[end + 1..];
    }
    Cow::Owned(out)
}

/// Makes pretty-printed JSON inert without changing its value: `##[` can only occur inside strings,
/// where `#\u0023[` means the same; no line of it starts with `::`.
pub fn neutralise_json(json: &str) -> Cow<'_, str> {
    if json.contains("##[") {
        Cow::Owned(json.replace("##[", "#\\u0023["))
    } else {
        Cow::Borrowed(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralise_marks_command_lines() {
        assert_eq!(neutralise("ok line"), "ok line");
        assert_eq!(
            neutralise("a\n  ::add-mask::x\rb ##[set-output name=a;]b"),
            "a\n|   ::add-mask::x\rb ## [set-output name=a;]b"
        );
        assert_eq!(neutralise("\u{a0}::error::x"), "| \u{a0}::error::x");
        assert_eq!(neutralise_json("\"##[x]\""), "\"#\\u0023[x]\"");
    }

    #[test]
    fn tokens_are_random() {
        let a = stop_token();
        assert_eq!(a.len(), "goleash-".len() + 32);
        assert_ne!(a, stop_token());
    }
}
