//! Workflow commands: an annotation as the one line the runner reads
//! (`::error file=F,line=L,col=C,title=T::message`), escaped exactly as the runner unescapes it.

use std::io::{self, Write};

use super::annotation::{Annotation, Capped};

/// Escapes a command's data (the message): `%` first, then CR and LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value: like [`escape_data`], plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The workflow command line of an annotation (without the newline):
/// `::error file=F,line=L,col=C,title=T::message`.
pub fn command_line(a: &Annotation) -> String {
    let mut props: Vec<String> = Vec::new();
    if let Some(f) = &a.file {
        props.push(format!("file={}", escape_property(f)));
        if let Some(l) = a.line {
            props.push(format!("line={l}"));
            if let Some(c) = a.col {
                props.push(format!("col={c}"));
            }
        }
    }
    props.push(format!("title={}", escape_property(&a.title)));
    format!(
        "::{} {}::{}",
        a.level.command(),
        props.join(","),
        escape_data(&a.message)
    )
}

/// Writes the capped annotations as workflow commands, one per line.
pub fn write_commands(w: &mut dyn Write, capped: &Capped) -> io::Result<()> {
    for a in &capped.shown {
        writeln!(w, "{}", command_line(a))?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_property("a:b,c%d\ne"), "a%3Ab%2Cc%25d%0Ae");
    }
}
