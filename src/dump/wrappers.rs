//! Goroutines started through a wrapper, and closure names that change with the Go version.
//!
//! # Wrapper creators
//!
//! Some APIs start the goroutine for their caller: `sync.(*WaitGroup).Go` (Go 1.25+), errgroup's
//! `(*Group).Go`/`TryGo`, `time.AfterFunc` (the timer's `time.goFunc`) and `context.AfterFunc`. The dump
//! then names the wrapper as the creator (`created by sync.(*WaitGroup).Go in goroutine 21`), the same for
//! every such leak in a codebase. [`user_creator`] treats them as machinery: the creator becomes the
//! function that called the wrapper, found from the goroutine's own frames — the function literal the
//! wrapper runs (`forms.StartGroup.func1`) was written inside that function (`forms.StartGroup`). Its line
//! is found in the source by [`call_site_line`]. Only wrappers seen in real captures
//! (`fixtures/streams/wild/`) are known; any other creator is left as printed.
//!
//! # Closure names
//!
//! Go 1.26 and earlier name a function literal after every function it was inlined into
//! (`forms.StartWorker.mk.func1` when `mk` is inlined into `StartWorker`); Go 1.27 names it after the
//! function it is written in only (`forms.mk.func1`). [`canonical_function`] maps both to the Go 1.27 form:
//! the trailing closure suffix (`funcN`, `gowrapN`, `deferwrapN`, nested `N`) is kept with the one named
//! function before it (and that function's `(*T)` pointer receiver); the enclosing names before it are
//! dropped. A value-receiver method's closure (`T.M.func1`) loses its type the same way on every version
//! (`M.func1`): its id stays stable, and its creator still tells `T.M` from `U.M`.

use std::borrow::Cow;

use super::{Frame, Goroutine};

/// A known API that starts goroutines for its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrapper {
    /// `wg.Go(f)` (Go 1.25+): `created by sync.(*WaitGroup).Go`, frame `sync.(*WaitGroup).Go.func1`.
    WaitGroupGo,
    /// `g.Go(f)`/`g.TryGo(f)` of `golang.org/x/sync/errgroup`: frame `errgroup.(*Group).Go.func1`.
    Errgroup,
    /// `time.AfterFunc(d, f)`: `created by time.goFunc`, with no "in goroutine N".
    TimeAfterFunc,
    /// `context.AfterFunc(ctx, f)`: `created by context.(*afterFuncCtx).cancel.func1`.
    ContextAfterFunc,
}

impl Wrapper {
    /// The wrapper whose goroutines say `created by <function>`.
    pub fn of_creator(function: &str) -> Option<Wrapper> {
        Some(match function {
            "sync.(*WaitGroup).Go" => Wrapper::WaitGroupGo,
            "golang.org/x/sync/errgroup.(*Group).Go"
            | "golang.org/x/sync/errgroup.(*Group).TryGo" => Wrapper::Errgroup,
            "time.goFunc" => Wrapper::TimeAfterFunc,
            "context.(*afterFuncCtx).cancel.func1" => Wrapper::ContextAfterFunc,
            _ => return None,
        })
    }

    /// True for a frame of the wrapper's own code in the goroutine it started.
    pub fn is_own_frame(self, function: &str) -> bool {
        match self {
            Wrapper::WaitGroupGo => function == "sync.(*WaitGroup).Go.func1",
            Wrapper::Errgroup => {
                function == "golang.org/x/sync/errgroup.(*Group).Go.func1"
                    || function == "golang.org/x/sync/errgroup.(*Group).TryGo.func1"
            }
            Wrapper::TimeAfterFunc | Wrapper::ContextAfterFunc => false,
        }
    }

    /// What the user's code calls, as it appears in source (`.Go(`, `.AfterFunc(`).
    pub fn calls(self) -> &'static [&'static str] {
        match self {
            Wrapper::WaitGroupGo => &[".Go("],
            Wrapper::Errgroup => &[".Go(", ".TryGo("],
            Wrapper::TimeAfterFunc | Wrapper::ContextAfterFunc => &[".AfterFunc("],
        }
    }
}

/// The user's side of a goroutine started through a [`Wrapper`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCreator {
    /// The wrapper named by `created by`.
    pub wrapper: Wrapper,
    /// Index in [`Goroutine::frames`] of the function the wrapper runs (the outermost frame that is not the
    /// wrapper's own).
    pub entry: usize,
    /// The function that called the wrapper: the function the entry literal is written in
    /// (`forms.StartGroup` for `forms.StartGroup.func1`, canonical as by [`canonical_function`]).
    pub function: String,
}

/// The user's creator of a goroutine started through a known wrapper, from its frames alone; `None` when
/// the creator is not a wrapper, or when the wrapper runs a named function (`wg.Go(worker)`: the caller is
/// not on the stack).
pub fn user_creator(g: &Goroutine) -> Option<UserCreator> {
    let wrapper = Wrapper::of_creator(&g.created_by.as_ref()?.function)?;
    let entry = g
        .frames
        .iter()
        .rposition(|f| !wrapper.is_own_frame(&f.function) && f.function != "runtime.goexit")?;
    let canonical = canonical_function(&g.frames[entry].function);
    let function = enclosing_function(&canonical)?.to_string();
    Some(UserCreator {
        wrapper,
        entry,
        function,
    })
}

/// The `created by` frame a report should show for `g`: the user's call site for a wrapper-started
/// goroutine (function from [`user_creator`], file of the entry frame, line from `line_of_call`, 0 when
/// it returns `None`), else the printed creator.
pub fn effective_creator(
    g: &Goroutine,
    line_of_call: impl FnOnce(&Frame, Wrapper) -> Option<u32>,
) -> Option<Frame> {
    match user_creator(g) {
        Some(u) => {
            let entry = &g.frames[u.entry];
            Some(Frame {
                function: u.function,
                args: String::new(),
                file: entry.file.clone(),
                line: line_of_call(entry, u.wrapper).unwrap_or(0),
                inlined: false,
            })
        }
        None => g.created_by.clone(),
    }
}

/// The line of the wrapper call that started the function literal running at `entry_line` of `source`:
/// the nearest line at or above it that calls one of the wrapper's functions, not above the start of
/// the enclosing top-level declaration (a line starting with `func `).
pub fn call_site_line(source: &str, entry_line: u32, wrapper: Wrapper) -> Option<u32> {
    let lines: Vec<&str> = source.lines().take(entry_line as usize).collect();
    for (i, l) in lines.iter().enumerate().rev() {
        let code = l.split("//").next().unwrap_or_default();
        if wrapper.calls().iter().any(|c| code.contains(c)) {
            return Some(i as u32 + 1);
        }
        if l.starts_with("func ") {
            return None;
        }
    }
    None
}

/// The function a closure is written in: `pkg.F` for `pkg.F.func1`, `pkg.F.func1` for `pkg.F.func1.2`;
/// `None` for a named function.
pub fn enclosing_function(function: &str) -> Option<&str> {
    let (_, parts) = components(function);
    let last = parts.last()?;
    if parts.len() < 2 || !is_closure_part(&function[last.clone()]) {
        return None;
    }
    Some(&function[..parts[parts.len() - 2].end])
}

/// The Go 1.27 name of a function (see the module docs): `pkg.mk.func1` for `pkg.StartWorker.mk.func1`;
/// named functions and closures already in that form are returned as they are.
pub fn canonical_function(function: &str) -> Cow<'_, str> {
    let (pkg_end, parts) = components(function);
    let n = parts.len();
    let suffix_start = parts
        .iter()
        .rposition(|p| !is_closure_part(&function[p.clone()]))
        .map_or(n, |i| i + 1);
    if suffix_start == n || suffix_start == 0 {
        return Cow::Borrowed(function);
    }
    let mut keep = suffix_start - 1;
    if keep > 0 && function[parts[keep - 1].clone()].starts_with("(*") {
        keep -= 1;
    }
    if keep == 0 {
        return Cow::Borrowed(function);
    }
    let mut s = String::with_capacity(function.len());
    s.push_str(&function[..pkg_end]);
    s.push_str(&function[parts[keep].start..]);
    Cow::Owned(s)
}

/// True for the parts of a closure suffix: `funcN`, `gowrapN`, `deferwrapN`, or a nested literal's `N`.
fn is_closure_part(p: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(p)
        || ["func", "gowrap", "deferwrap"]
            .iter()
            .any(|k| p.strip_prefix(k).is_some_and(digits))
}

/// Splits a qualified function name after its package (`example.com/x.`) into its `.`-separated parts,
/// treating `(...)` and `[...]` (receivers, type arguments) as opaque: returns the byte index where the
/// parts start and each part's range.
fn components(function: &str) -> (usize, Vec<std::ops::Range<usize>>) {
    let slash = function.rfind('/').map_or(0, |i| i + 1);
    let Some(dot) = function[slash..].find('.') else {
        return (function.len(), Vec::new());
    };
    let start = slash + dot + 1;
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut part_start = start;
    for (i, b) in function.bytes().enumerate().skip(start) {
        match b {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth -= 1,
            b'.' if depth == 0 => {
                parts.push(part_start..i);
                part_start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(part_start..function.len());
    (start, parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inlined_closures_take_the_go_1_27_name() {
        assert_eq!(
            canonical_function("example.com/wild/forms.StartWorker.mk.func1"),
            "example.com/wild/forms.mk.func1"
        );
        assert_eq!(
            canonical_function("example.com/wild/forms.mk.func1"),
            "example.com/wild/forms.mk.func1"
        );
        assert_eq!(
            canonical_function("example.com/x.Outer.func2.inner.func1.3"),
            "example.com/x.inner.func1.3"
        );
        assert_eq!(
            canonical_function("example.com/x.Outer.(*T).M.func1"),
            "example.com/x.(*T).M.func1"
        );
        assert_eq!(
            canonical_function("example.com/x.(*T[...]).M.func1"),
            "example.com/x.(*T[...]).M.func1"
        );
        assert_eq!(
            canonical_function("example.com/x.Outer.G[...].func1"),
            "example.com/x.G[...].func1"
        );
        assert_eq!(
            canonical_function("example.com/x.F.func1.2"),
            "example.com/x.F.func1.2"
        );
        assert_eq!(canonical_function("example.com/x.F"), "example.com/x.F");
        assert_eq!(
            canonical_function("example.com/x.(*T).M"),
            "example.com/x.(*T).M"
        );
        assert_eq!(canonical_function("main.main"), "main.main");
        assert_eq!(
            canonical_function("example.com/x.NewRegistry.gowrap1"),
            "example.com/x.NewRegistry.gowrap1"
        );
        assert_eq!(canonical_function("runtime.goexit"), "runtime.goexit");
        assert_eq!(canonical_function(""), "");
        assert_eq!(canonical_function("x.func1"), "x.func1");
    }

    #[test]
    fn enclosing_functions_of_closures() {
        assert_eq!(
            enclosing_function("example.com/wild/forms.StartGroup.func1"),
            Some("example.com/wild/forms.StartGroup")
        );
        assert_eq!(
            enclosing_function("example.com/x.(*T).M.func1.2"),
            Some("example.com/x.(*T).M.func1")
        );
        assert_eq!(enclosing_function("example.com/x.F"), None);
        assert_eq!(enclosing_function("x.func1"), None);
    }

    #[test]
    fn call_sites_are_found_above_the_literal() {
        let src = "package f\n\nfunc StartGroup() {\n\tg := new(errgroup.Group)\n\tg.Go(func() error {\n\t\tch <- 1\n\t\treturn nil\n\t})\n}\n";
        assert_eq!(call_site_line(src, 6, Wrapper::Errgroup), Some(5));
        assert_eq!(call_site_line(src, 6, Wrapper::TimeAfterFunc), None);
        assert_eq!(call_site_line(src, 99, Wrapper::Errgroup), Some(5));
        let other = "func A() {\n\tg.Go(f)\n}\nfunc B() {\n\tch <- 1\n}\n";
        assert_eq!(call_site_line(other, 5, Wrapper::Errgroup), None);
    }
}
