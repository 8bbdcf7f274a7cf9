//! Property tests of the GitHub workflow-command escaping (src/report/github.rs): whatever a test name,
//! message or path holds, the command line goleash prints is one line, and the runner reads back exactly
//! what was meant. The runner's side is written here from its rules (actions/runner `ActionCommand`,
//! GO-OUTPUT.md): a line whose trimmed start is `::` is `::name props::data`, the command's info ending
//! at the first `::` after the prefix; properties are split on `,`, each on its first `=`; values are
//! unescaped `%0D`→CR, `%0A`→LF, `%3A`→`:`, `%2C`→`,`, then `%25`→`%`; data the same without `:`/`,`.

use std::collections::BTreeMap;

use crate::common::{unescape_data, unescape_property};
use proptest::prelude::*;

use goleash::report::github::{
    command_line, escape_data, escape_property, Annotation, Level, Subject,
};

/// A workflow command as the runner reads it.
#[derive(Debug, PartialEq)]
struct Command {
    name: String,
    properties: BTreeMap<String, String>,
    data: String,
}

/// The runner's `ActionCommand.TryParseV2`: `None` when the line is not a command.
fn parse_command(line: &str) -> Option<Command> {
    let t = line.trim_start();
    let rest = t.strip_prefix("::")?;
    let end = rest.find("::")?;
    let info = &rest[..end];
    let data = &rest[end + 2..];
    let (name, props) = match info.find(' ') {
        Some(i) => (&info[..i], &info[i + 1..]),
        None => (info, ""),
    };
    let mut properties = BTreeMap::new();
    for p in props.split(',').filter(|p| !p.is_empty()) {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        properties.insert(k.to_string(), unescape_property(v));
    }
    Some(Command {
        name: name.to_string(),
        properties,
        data: unescape_data(data),
    })
}

/// Strings with plenty of what the escaping is about: `%`, CR, LF, `:`, `,`, `=`, and escapes' look-alikes.
fn tricky() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("%".to_string()),
        Just("\r".to_string()),
        Just("\n".to_string()),
        Just(":".to_string()),
        Just("::".to_string()),
        Just(",".to_string()),
        Just("=".to_string()),
        Just("%0A".to_string()),
        Just("%25".to_string()),
        Just("%3A".to_string()),
        Just("%2C".to_string()),
        Just("%0D".to_string()),
        Just("%%".to_string()),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

fn level() -> impl Strategy<Value = Level> {
    prop_oneof![
        Just(Level::Error),
        Just(Level::Warning),
        Just(Level::Notice)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn data_escaping_round_trips(s in tricky()) {
        let e = escape_data(&s);
        prop_assert!(!e.contains('\n') && !e.contains('\r'), "{:?}", e);
        prop_assert_eq!(unescape_data(&e), s);
    }

    #[test]
    fn property_escaping_round_trips(s in tricky()) {
        let e = escape_property(&s);
        prop_assert!(!e.contains(['\n', '\r', ':', ',']), "{:?}", e);
        prop_assert_eq!(unescape_property(&e), s);
    }

    #[test]
    fn the_runner_reads_back_every_annotation(
        level in level(),
        file in proptest::option::of(tricky()),
        line in proptest::option::of(1u32..100_000),
        col in proptest::option::of(1u32..500),
        title in tricky(),
        message in tricky(),
    ) {
        let a = Annotation {
            level,
            file: file.clone(),
            line,
            col,
            title: title.clone(),
            message: message.clone(),
            subject: Subject::Leak("000000000000".to_string()),
            short: String::new(),
        };
        let text = command_line(&a);
        prop_assert!(!text.contains(['\n', '\r']), "one line: {:?}", text);
        let cmd = parse_command(&text);
        prop_assert!(cmd.is_some(), "the runner sees a command in {:?}", text);
        let cmd = cmd.unwrap();
        prop_assert_eq!(cmd.name.as_str(), level.command());
        let mut want = BTreeMap::new();
        if let Some(f) = &file {
            want.insert("file".to_string(), f.clone());
            if let Some(l) = line {
                want.insert("line".to_string(), l.to_string());
                if let Some(c) = col {
                    want.insert("col".to_string(), c.to_string());
                }
            }
        }
        want.insert("title".to_string(), title);
        prop_assert_eq!(cmd.properties, want);
        prop_assert_eq!(cmd.data, message);
    }
}

#[test]
fn the_inverse_follows_the_runner_on_known_cases() {
    assert_eq!(unescape_data("50%25 done%0D%0Anext"), "50% done\r\nnext");
    assert_eq!(unescape_data("%250A"), "%0A");
    assert_eq!(unescape_property("a%3Ab%2Cc%25d%0Ae"), "a:b,c%d\ne");
    assert_eq!(
        parse_command("::error file=a%2Cb.go,line=3,title=T%3A x::msg::more"),
        Some(Command {
            name: "error".to_string(),
            properties: BTreeMap::from([
                ("file".to_string(), "a,b.go".to_string()),
                ("line".to_string(), "3".to_string()),
                ("title".to_string(), "T: x".to_string()),
            ]),
            data: "msg::more".to_string(),
        })
    );
    assert_eq!(parse_command("not a command"), None);
}
