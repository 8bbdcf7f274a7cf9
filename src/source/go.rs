//! A light reading of Go source: enough structure to classify a leak, without a Go parser.
//!
//! [`GoFile::parse`] blanks comments and the contents of string and rune literals (so that braces, `<-`
//! and keywords inside them never count), then matches every `{ … }` block. On top of that it answers
//! the questions the advice engine asks: which function and loops enclose a line, what a `select`'s cases
//! are, which channel a line sends on or receives from, where a channel is made, closed or ranged over.
//! It assumes `gofmt`ed code (one statement per line, block headers ending with `{` on the header's last
//! line), and answers `None` rather than guessing when the code does not look like that.

/// One Go source file, read for analysis.
#[derive(Debug, Clone)]
pub struct GoFile {
    /// The path relative to `--root`, with `/` separators.
    pub path: String,
    /// The file's text as read (line terminators and all), for the fixes made from it.
    pub text: std::sync::Arc<str>,
    /// The lines as written, without line terminators.
    pub lines: Vec<String>,
    /// The same lines with comments and the contents of literals replaced by spaces.
    pub code: Vec<String>,
    /// Every `{ … }` block, in the order of their opening braces.
    pub blocks: Vec<Block>,
    /// The top-level function declarations.
    pub funcs: Vec<FuncDecl>,
}

/// One `{ … }` block (0-based line indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// The line of the opening brace.
    pub open: usize,
    /// The byte column of the opening brace in that line.
    pub open_col: usize,
    /// The line of the closing brace (the last line when it is missing).
    pub close: usize,
    /// How many blocks enclose this one.
    pub depth: usize,
}

/// A top-level `func` declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuncDecl {
    /// The function or method name.
    pub name: String,
    /// The receiver's type name without `*`, for methods.
    pub recv: Option<String>,
    /// The receiver's variable name, for methods (`p` in `func (p *Pool) …`).
    pub recv_var: Option<String>,
    /// The line of the `func` keyword.
    pub line: usize,
    /// The signature text from `func` to the body's brace (parameters and results).
    pub signature: String,
    /// The body.
    pub body: Block,
}

/// A channel operation found on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChanOp {
    /// `ch <- v`: the channel expression.
    Send(String),
    /// `<-ch`: the channel expression (`ctx.Done()`, `time.After(…)` keep their call).
    Recv(String),
}

/// One case of a `select`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectCase {
    /// The line of the `case` (0-based).
    pub line: usize,
    /// What it does: `None` for `default:`.
    pub op: Option<ChanOp>,
}

const KEYWORDS: &[&str] = &[
    "return", "case", "go", "defer", "else", "if", "for", "switch", "select", "range", "chan",
    "func", "var", "const", "default", "break", "continue",
];

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Replaces comments and the contents of string/rune literals with spaces, keeping newlines and every
/// byte's position (multi-byte characters become as many spaces as they have bytes).
pub fn blank(text: &str) -> String {
    #[derive(PartialEq)]
    enum S {
        Code,
        Line,
        Block,
        Str,
        Raw,
        Rune,
    }
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut s = S::Code;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        match s {
            S::Code => match c {
                b'/' if next == Some(b'/') => {
                    s = S::Line;
                    out.extend_from_slice(b"  ");
                    i += 2;
                    continue;
                }
                b'/' if next == Some(b'*') => {
                    s = S::Block;
                    out.extend_from_slice(b"  ");
                    i += 2;
                    continue;
                }
                b'"' => {
                    s = S::Str;
                    out.push(c);
                }
                b'`' => {
                    s = S::Raw;
                    out.push(c);
                }
                b'\'' => {
                    s = S::Rune;
                    out.push(c);
                }
                _ => out.push(c),
            },
            S::Line => {
                if c == b'\n' {
                    s = S::Code;
                    out.push(c);
                } else {
                    out.push(b' ');
                }
            }
            S::Block => {
                if c == b'*' && next == Some(b'/') {
                    s = S::Code;
                    out.extend_from_slice(b"  ");
                    i += 2;
                    continue;
                }
                out.push(if c == b'\n' { c } else { b' ' });
            }
            S::Str | S::Rune => {
                let end = if s == S::Str { b'"' } else { b'\'' };
                if c == b'\\' && next.is_some_and(|n| n != b'\n') {
                    out.extend_from_slice(b"  ");
                    i += 2;
                    continue;
                }
                if c == end || c == b'\n' {
                    // A newline ends a broken literal: never let one bad line blank the rest of the file.
                    s = S::Code;
                    out.push(c);
                } else {
                    out.push(b' ');
                }
            }
            S::Raw => {
                if c == b'`' {
                    s = S::Code;
                    out.push(c);
                } else {
                    out.push(if c == b'\n' { c } else { b' ' });
                }
            }
        }
        i += 1;
    }
    // Only ASCII bytes were written in place of anything else, so this is valid UTF-8 except where code
    // bytes were copied as they were, which came from a `&str`.
    String::from_utf8(out).unwrap_or_default()
}

fn split_lines(text: &str) -> Vec<String> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect()
}

impl GoFile {
    /// Reads a file's text.
    pub fn parse(path: &str, text: &str) -> GoFile {
        let lines = split_lines(text);
        let mut code = split_lines(&blank(text));
        code.resize(lines.len(), String::new());
        let mut blocks: Vec<Block> = Vec::new();
        let mut stack: Vec<usize> = Vec::new();
        for (li, line) in code.iter().enumerate() {
            for (col, ch) in line.bytes().enumerate() {
                match ch {
                    b'{' => {
                        stack.push(blocks.len());
                        blocks.push(Block {
                            open: li,
                            open_col: col,
                            close: usize::MAX,
                            depth: stack.len() - 1,
                        });
                    }
                    b'}' => {
                        if let Some(bi) = stack.pop() {
                            blocks[bi].close = li;
                        }
                    }
                    _ => {}
                }
            }
        }
        let last = code.len().saturating_sub(1);
        for b in blocks.iter_mut().filter(|b| b.close == usize::MAX) {
            b.close = last;
        }
        let mut f = GoFile {
            path: path.to_string(),
            text: text.into(),
            lines,
            code,
            blocks,
            funcs: Vec::new(),
        };
        f.funcs = f.find_funcs();
        f
    }

    fn find_funcs(&self) -> Vec<FuncDecl> {
        let mut out = Vec::new();
        for (li, line) in self.code.iter().enumerate() {
            if !line.starts_with("func ") && !line.starts_with("func(") {
                continue;
            }
            // The body: of the depth-0 blocks opened on the first line (from this one) that opens any, the
            // one that ends last (a `struct{}` in the result type opens and closes before the body).
            let Some(first) = self.blocks.iter().find(|b| b.depth == 0 && b.open >= li) else {
                continue;
            };
            let Some(body) = self
                .blocks
                .iter()
                .filter(|b| b.depth == 0 && b.open == first.open)
                .max_by_key(|b| (b.close, b.open_col))
                .copied()
            else {
                continue;
            };
            if body.open > li + 20 {
                continue;
            }
            let mut sig = String::new();
            for l in li..=body.open {
                let text = if l == body.open {
                    &self.code[l][..body.open_col]
                } else {
                    &self.code[l]
                };
                sig.push_str(text.trim());
                sig.push(' ');
            }
            let sig = sig.trim().to_string();
            if let Some((recv, recv_var, name)) = parse_func_header(&sig) {
                out.push(FuncDecl {
                    name,
                    recv,
                    recv_var,
                    line: li,
                    signature: sig,
                    body,
                });
            }
        }
        out
    }

    /// The code text of a 0-based line, trimmed (empty past the end).
    pub fn stmt(&self, line: usize) -> &str {
        self.code.get(line).map_or("", |l| l.trim())
    }

    /// The written text of a 0-based line, trimmed (empty past the end).
    pub fn text(&self, line: usize) -> &str {
        self.lines.get(line).map_or("", |l| l.trim())
    }

    /// The written code of a 0-based line: the original text without indentation and without a trailing
    /// comment (literals keep their contents).
    pub fn src(&self, line: usize) -> &str {
        let (Some(orig), Some(code)) = (self.lines.get(line), self.code.get(line)) else {
            return "";
        };
        let end = code.trim_end().len();
        orig.get(..end).unwrap_or(orig).trim()
    }

    /// `path:line` for a 0-based line.
    pub fn at(&self, line: usize) -> String {
        format!("{}:{}", self.path, line + 1)
    }

    /// The block header: the code before the opening brace on its line, trimmed.
    pub fn header(&self, b: &Block) -> &str {
        self.code
            .get(b.open)
            .and_then(|l| l.get(..b.open_col))
            .map_or("", |h| h.trim())
    }

    /// The blocks that enclose a line (opened on an earlier line, closed on it or later), innermost first.
    pub fn enclosing(&self, line: usize) -> Vec<&Block> {
        let mut v: Vec<&Block> = self
            .blocks
            .iter()
            .filter(|b| b.open < line && b.close >= line)
            .collect();
        v.sort_by_key(|b| std::cmp::Reverse(b.depth));
        v
    }

    /// The block a line's header opens (a `go func() {`, `select {`, `for … {` body): of the blocks opened
    /// on the line, the one that ends last (so `for _, x := range []T{a, b} {` gives the loop's body).
    pub fn block_opened_at(&self, line: usize) -> Option<&Block> {
        self.blocks
            .iter()
            .filter(|b| b.open == line)
            .max_by_key(|b| (b.close, usize::MAX - b.depth, b.open_col))
    }

    /// The top-level function whose body holds a line.
    pub fn func_at(&self, line: usize) -> Option<&FuncDecl> {
        self.funcs
            .iter()
            .find(|f| f.body.open <= line && f.body.close >= line)
    }

    /// True when a header starts a `for` loop.
    pub fn is_loop_header(h: &str) -> bool {
        h == "for" || h.starts_with("for ")
    }

    /// The innermost `for` loop that encloses `line` inside the block `within` (exclusive of `within`).
    pub fn loop_around(&self, line: usize, within: &Block) -> Option<&Block> {
        self.enclosing(line)
            .into_iter()
            .take_while(|b| b.depth > within.depth)
            .find(|b| Self::is_loop_header(self.header(b)))
    }

    /// The cases of the `select` block opened on `line` (the line a goroutine blocked in `select` points at).
    pub fn select_cases(&self, line: usize) -> Option<Vec<SelectCase>> {
        let b = self.block_opened_at(line)?;
        if self.header(b) != "select" && !self.header(b).ends_with(" select") {
            return None;
        }
        let b = *b;
        let mut cases = Vec::new();
        for l in b.open + 1..b.close {
            let s = self.stmt(l);
            let inner = self.enclosing(l).first().map(|x| **x);
            if inner != Some(b) {
                continue;
            }
            if s == "default:" {
                cases.push(SelectCase { line: l, op: None });
            } else if let Some(rest) = s.strip_prefix("case ") {
                let op = chan_ops(rest).into_iter().next();
                if op.is_some() {
                    cases.push(SelectCase { line: l, op });
                }
            }
        }
        Some(cases)
    }

    /// Every channel operation on a 0-based line.
    pub fn ops(&self, line: usize) -> Vec<ChanOp> {
        chan_ops(self.stmt(line))
    }

    /// The channel a `for … range X {` header on `line` ranges over.
    pub fn range_over(&self, line: usize) -> Option<String> {
        let b = self.block_opened_at(line)?;
        let h = self.header(b);
        if !Self::is_loop_header(h) {
            return None;
        }
        let i = find_word(h, "range")?;
        let x = h[i + "range".len()..].trim();
        (!x.is_empty()).then(|| x.to_string())
    }

    /// Lines in `[from, to]` whose statement makes a channel bound to `name` (`name := make(chan T…)`,
    /// `name = make(…)`, or a composite literal field `field: make(…)` for `recv.field`). Returns the line
    /// and the `make(…)` call text.
    pub fn makes_of(&self, name: &str, from: usize, to: usize) -> Vec<(usize, String)> {
        let field = name.rsplit('.').next().unwrap_or(name);
        let mut out = Vec::new();
        for l in from..=to.min(self.code.len().saturating_sub(1)) {
            let s = self.stmt(l);
            let mut search = 0;
            while let Some(p) = s[search..].find("make(chan") {
                let at = search + p;
                search = at + 1;
                let before = s[..at].trim_end();
                let lhs = before
                    .strip_suffix(":=")
                    .or_else(|| before.strip_suffix('='))
                    .or_else(|| before.strip_suffix(':'));
                let Some(lhs) = lhs else { continue };
                let lhs = lhs.trim_end();
                let is_field_lit = before.ends_with(':') && !before.ends_with(":=");
                let last = lhs
                    .rsplit(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                    .next()
                    .unwrap_or("");
                let hit = if is_field_lit {
                    name.contains('.') && last == field
                } else {
                    last == name
                        || (name.contains('.')
                            && last.contains('.')
                            && last.rsplit('.').next() == Some(field))
                };
                if hit {
                    if let Some(call) = balanced_call(&s[at..]) {
                        out.push((l, call.to_string()));
                    }
                }
            }
        }
        out
    }

    /// Lines in `[from, to]` that close a channel whose last selector element is `name`'s
    /// (`close(ch)`, `close(x.ch)`).
    pub fn closes_of(&self, name: &str, from: usize, to: usize) -> Vec<usize> {
        let field = name.rsplit('.').next().unwrap_or(name);
        (from..=to.min(self.code.len().saturating_sub(1)))
            .filter(|&l| {
                let s = self.stmt(l);
                let mut search = 0;
                while let Some(p) = s[search..].find("close(") {
                    let at = search + p;
                    search = at + 1;
                    if at > 0 && is_ident_byte(s.as_bytes()[at - 1]) {
                        continue;
                    }
                    let arg = s[at + "close(".len()..]
                        .split(')')
                        .next()
                        .unwrap_or("")
                        .trim();
                    if arg == name
                        || arg.rsplit('.').next() == Some(field)
                            && (arg.contains('.') || name == field)
                    {
                        return true;
                    }
                }
                false
            })
            .collect()
    }

    /// Lines in `[from, to]` that receive from exactly the channel expression `name`.
    pub fn receives_of(&self, name: &str, from: usize, to: usize) -> Vec<usize> {
        (from..=to.min(self.code.len().saturating_sub(1)))
            .filter(|&l| {
                self.ops(l).contains(&ChanOp::Recv(name.to_string()))
                    || self.range_over(l).as_deref() == Some(name)
            })
            .collect()
    }

    /// Lines in `[from, to]` that send on exactly the channel expression `name`.
    pub fn sends_of(&self, name: &str, from: usize, to: usize) -> Vec<usize> {
        (from..=to.min(self.code.len().saturating_sub(1)))
            .filter(|&l| self.ops(l).contains(&ChanOp::Send(name.to_string())))
            .collect()
    }

    /// Lines in `[from, to]` whose statement mentions the identifier `name` as a whole word.
    pub fn mentions(&self, name: &str, from: usize, to: usize) -> Vec<usize> {
        (from..=to.min(self.code.len().saturating_sub(1)))
            .filter(|&l| find_word(self.stmt(l), name).is_some())
            .collect()
    }

    /// The next line after `line` whose statement is not empty.
    pub fn next_code_line(&self, line: usize) -> Option<usize> {
        (line + 1..self.code.len()).find(|&l| !self.stmt(l).is_empty())
    }

    /// The body of the innermost function that holds a line: a function literal's (`go func() {`,
    /// `defer func() {`, `f := func(x int) {`) or else the top-level declaration's.
    pub fn func_body_at(&self, line: usize) -> Option<Block> {
        self.enclosing(line)
            .into_iter()
            .find(|b| find_word(self.header(b), "func").is_some())
            .copied()
            .or_else(|| self.func_at(line).map(|f| f.body))
    }

    /// The fields of the struct type `name` that this file declares at the top level, as (field name,
    /// type) pairs; an embedded field is named after its type (`sync.Mutex` gives `Mutex`). `None` when
    /// the file does not declare the type as a struct.
    pub fn struct_fields(&self, name: &str) -> Option<Vec<(String, String)>> {
        let b = self.blocks.iter().find(|b| {
            if b.depth != 0 {
                return false;
            }
            let h = self.header(b);
            let h = h.strip_prefix("type ").unwrap_or(h).trim_start();
            let Some(rest) = h.strip_prefix(name) else {
                return false;
            };
            let rest = if rest.starts_with('[') {
                rest.find(']').map_or("", |i| &rest[i + 1..])
            } else {
                rest
            };
            rest.starts_with(char::is_whitespace) && rest.trim() == "struct"
        })?;
        let mut decls: Vec<String> = Vec::new();
        if b.open == b.close {
            let line = &self.code[b.open];
            let inner = line.get(b.open_col + 1..).unwrap_or("");
            let inner = inner.rsplit_once('}').map_or(inner, |(i, _)| i);
            decls.extend(inner.split(';').map(|d| d.trim().to_string()));
        } else {
            for l in b.open + 1..b.close {
                // Only the struct's own lines, not those of a nested struct or interface type.
                if self.enclosing(l).first().is_some_and(|i| i.open == b.open) {
                    decls.extend(self.stmt(l).split(';').map(|d| d.trim().to_string()));
                }
            }
        }
        let mut out = Vec::new();
        for d in decls {
            // A tag was blanked to a backquoted run of spaces: drop it.
            let d = d.split('`').next().unwrap_or("").trim();
            let toks: Vec<&str> = d.split_whitespace().collect();
            match toks.as_slice() {
                [] => {}
                [ty] => {
                    let bare = ty.trim_start_matches('*');
                    let bare = bare.split('[').next().unwrap_or(bare);
                    let field = bare.rsplit('.').next().unwrap_or(bare);
                    out.push((field.to_string(), ty.to_string()));
                }
                _ => {
                    let names = leading_names(d);
                    let ty = toks[names.len().min(toks.len())..].join(" ");
                    for n in names {
                        out.push((n.to_string(), ty.clone()));
                    }
                }
            }
        }
        Some(out)
    }

    /// True when the file declares the variable `name` at the top level: `var name …`, `var a, name …`,
    /// or a line of a `var ( … )` group.
    pub fn declares_var(&self, name: &str) -> bool {
        let mut depth = 0usize;
        let mut group = false;
        for l in 0..self.code.len() {
            let s = self.stmt(l);
            if depth == 0 {
                let decl = if group {
                    if s.starts_with(')') {
                        group = false;
                        None
                    } else {
                        Some(s)
                    }
                } else if s == "var (" {
                    group = true;
                    None
                } else {
                    s.strip_prefix("var ")
                };
                if let Some(d) = decl {
                    if leading_names(d).contains(&name) {
                        return true;
                    }
                }
            }
            for c in self.code[l].bytes() {
                match c {
                    b'{' => depth += 1,
                    b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
        }
        false
    }
}

/// The names a declaration starts with: `a, b int` gives `a` and `b`, `mu sync.Mutex` gives `mu`.
fn leading_names(d: &str) -> Vec<&str> {
    let toks: Vec<&str> = d.split_whitespace().collect();
    let mut names = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if i > 0 && !toks[i - 1].ends_with(',') {
            break;
        }
        names.push(t.trim_end_matches(','));
    }
    names
}

/// Parses `func (p *Pool) loop()` / `func First(…) string` into (receiver type, receiver variable, name).
pub fn parse_func_header(sig: &str) -> Option<(Option<String>, Option<String>, String)> {
    let rest = sig.strip_prefix("func")?.trim_start();
    let (recv, recv_var, rest) = if let Some(r) = rest.strip_prefix('(') {
        let close = r.find(')')?;
        let inside = r[..close].trim();
        let mut parts = inside.split_whitespace();
        let (var, ty) = match (parts.next(), parts.next()) {
            (Some(v), Some(t)) => (Some(v.to_string()), t),
            (Some(t), None) => (None, t),
            _ => return None,
        };
        let ty = ty.trim_start_matches('*');
        let ty = ty.split('[').next().unwrap_or(ty);
        (Some(ty.to_string()), var, r[close + 1..].trim_start())
    } else {
        (None, None, rest)
    };
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let name = &rest[..end];
    (!name.is_empty()).then(|| (recv, recv_var, name.to_string()))
}

/// The byte offset of `word` in `s` as a whole identifier.
pub fn find_word(s: &str, word: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut search = 0;
    while let Some(p) = s[search..].find(word) {
        let at = search + p;
        let end = at + word.len();
        let before_ok = at == 0 || !is_ident_byte(b[at - 1]);
        let after_ok = end >= b.len() || !is_ident_byte(b[end]);
        if before_ok && after_ok {
            return Some(at);
        }
        search = at + 1;
    }
    None
}

/// The text of a call starting at `s` (`make(chan int, 1)`), up to its balanced closing parenthesis.
pub fn balanced_call(s: &str) -> Option<&str> {
    let open = s.find('(')?;
    let mut depth = 0usize;
    for (i, c) in s.bytes().enumerate().skip(open) {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(&s[..=i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// The element type and capacity of a `make(chan T…)` call: `("string", None)` for `make(chan string)`.
pub fn parse_make_chan(call: &str) -> Option<(String, Option<String>)> {
    let inner = call.strip_prefix("make(")?.strip_suffix(')')?;
    let inner = inner.trim().strip_prefix("chan")?;
    // Split on the first top-level comma.
    let mut depth = 0usize;
    for (i, c) in inner.bytes().enumerate() {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                return Some((
                    inner[..i].trim().to_string(),
                    Some(inner[i + 1..].trim().to_string()),
                ));
            }
            _ => {}
        }
    }
    Some((inner.trim().to_string(), None))
}

/// Every channel send and receive in a statement's code text.
pub fn chan_ops(s: &str) -> Vec<ChanOp> {
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(p) = s[search..].find("<-") {
        let at = search + p;
        search = at + 2;
        // `chan<-` (a send-only channel type) and `<-chan` (a receive-only one) are types, not operations.
        let after = s[at + 2..].trim_start();
        if after.starts_with("chan") && find_word(after, "chan") == Some(0) {
            continue;
        }
        let before = s[..at].trim_end();
        let prev = operand_before(before);
        let prev_is_expr = before
            .as_bytes()
            .last()
            .is_some_and(|&c| is_ident_byte(c) || c == b')' || c == b']');
        if prev == "chan" {
            continue;
        }
        if prev_is_expr && !KEYWORDS.contains(&prev) {
            out.push(ChanOp::Send(prev.to_string()));
        } else {
            let start = at + 2 + (s[at + 2..].len() - after.len());
            if let Some(x) = operand(&s[start..]) {
                out.push(ChanOp::Recv(x.to_string()));
            }
        }
    }
    out
}

/// The operand expression at the end of `s`: a selector chain with calls and index expressions, whose
/// brackets may hold spaces (`make(chan int)`, `chans[i + 1]`).
fn operand_before(s: &str) -> &str {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut i = b.len();
    while i > 0 {
        let c = b[i - 1];
        match c {
            b')' | b']' => depth += 1,
            b'(' | b'[' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            _ if is_ident_byte(c) || c == b'.' => {}
            _ => break,
        }
        i -= 1;
    }
    if depth > 0 {
        // Unbalanced: only the identifier run at the end.
        let start = b
            .iter()
            .rposition(|&c| !(is_ident_byte(c) || c == b'.'))
            .map_or(0, |p| p + 1);
        return &s[start..];
    }
    &s[i..]
}

/// The operand expression at the start of `s`: a selector chain with calls and index expressions.
fn operand(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut depth = 0usize;
    while i < b.len() {
        let c = b[i];
        if depth > 0 {
            match c {
                b'(' | b'[' => depth += 1,
                b')' | b']' => depth -= 1,
                _ => {}
            }
        } else if is_ident_byte(c) || c == b'.' {
        } else if c == b'(' || c == b'[' {
            depth += 1;
        } else {
            break;
        }
        i += 1;
    }
    let x = s[..i].trim_end_matches('.');
    (!x.is_empty() && depth == 0).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FETCH: &str = "package p\n\nfunc F(d time.Duration) (string, error) {\n\tch := make(chan string) // unbuffered: \"{\"\n\tgo func() {\n\t\tch <- slowWork() // a comment with <- and {\n\t}()\n\tselect {\n\tcase v := <-ch:\n\t\treturn v, nil\n\tcase <-time.After(d):\n\t\treturn \"\", ErrTimeout\n\t}\n}\n\nfunc (p *Pool) loop() {\n\tfor {\n\t}\n}\n";

    #[test]
    fn blanking_keeps_positions_and_hides_comments_and_literals() {
        assert_eq!(
            blank("a := \"{x}\" // }\nb := '}' /* { */ + `\n}`"),
            "a := \"   \"     \nb := ' '         + `\n `"
        );
        assert_eq!(blank("s := \"a\\\"{\"").len(), "s := \"a\\\"{\"".len());
    }

    #[test]
    fn blocks_functions_and_statements() {
        let f = GoFile::parse("p/fetch.go", FETCH);
        assert_eq!(f.funcs.len(), 2);
        assert_eq!(
            (
                f.funcs[0].name.as_str(),
                f.funcs[0].line,
                f.funcs[0].body.close
            ),
            ("F", 2, 13)
        );
        assert_eq!(f.funcs[1].recv.as_deref(), Some("Pool"));
        assert_eq!(f.funcs[1].recv_var.as_deref(), Some("p"));
        assert_eq!(f.func_at(5).map(|x| x.name.as_str()), Some("F"));
        assert_eq!(f.ops(5), vec![ChanOp::Send("ch".into())]);
        assert_eq!(f.ops(8), vec![ChanOp::Recv("ch".into())]);
        assert_eq!(f.ops(10), vec![ChanOp::Recv("time.After(d)".into())]);
        assert_eq!(
            f.makes_of("ch", 0, 13),
            vec![(3, "make(chan string)".to_string())]
        );
        let cases = f.select_cases(7).unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[1].op, Some(ChanOp::Recv("time.After(d)".into())));
        let go = f.block_opened_at(4).unwrap();
        assert_eq!((go.open, go.close), (4, 6));
        assert_eq!(f.header(go), "go func()");
        assert!(f.loop_around(4, &f.funcs[0].body).is_none());
        assert_eq!(f.receives_of("ch", 0, 13), vec![8]);
        assert_eq!(f.sends_of("ch", 0, 13), vec![5]);
    }

    #[test]
    fn function_bodies_skip_braces_in_signatures() {
        let f = GoFile::parse(
            "x.go",
            "func F(a func()) <-chan struct{} {\n\treturn nil\n}\nfunc (p *P) Close() { close(p.q) }\nfunc G(\n\ta int,\n) (struct{}, error) {\n}\n",
        );
        let got: Vec<(&str, usize, usize, &str)> = f
            .funcs
            .iter()
            .map(|d| {
                (
                    d.name.as_str(),
                    d.body.open,
                    d.body.close,
                    d.signature.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("F", 0, 2, "func F(a func()) <-chan struct{}"),
                ("Close", 3, 3, "func (p *P) Close()"),
                ("G", 6, 7, "func G( a int, ) (struct{}, error)"),
            ]
        );
        assert_eq!(f.closes_of("p.q", 0, 7), vec![3]);
    }

    #[test]
    fn channel_operations() {
        assert_eq!(
            chan_ops("results <- r.query(q)"),
            vec![ChanOp::Send("results".into())]
        );
        assert_eq!(
            chan_ops("return <-results"),
            vec![ChanOp::Recv("results".into())]
        );
        assert_eq!(chan_ops("<-n.ready"), vec![ChanOp::Recv("n.ready".into())]);
        assert_eq!(
            chan_ops("case <-ctx.Done():"),
            vec![ChanOp::Recv("ctx.Done()".into())]
        );
        assert_eq!(
            chan_ops("case reply := <-w.Stats:"),
            vec![ChanOp::Recv("w.Stats".into())]
        );
        assert_eq!(
            chan_ops("reply <- w.done"),
            vec![ChanOp::Send("reply".into())]
        );
        assert_eq!(chan_ops("func f(in <-chan int, out chan<- int) {"), vec![]);
        assert_eq!(
            chan_ops("out[i] <- <-in"),
            vec![ChanOp::Send("out[i]".into()), ChanOp::Recv("in".into())]
        );
    }

    #[test]
    fn make_calls() {
        assert_eq!(
            parse_make_chan("make(chan string)"),
            Some(("string".into(), None))
        );
        assert_eq!(
            parse_make_chan("make(chan map[string]int, 2)"),
            Some(("map[string]int".into(), Some("2".into())))
        );
        assert_eq!(parse_make_chan("make([]int, 2)"), None);
        let f = GoFile::parse(
            "x.go",
            "func N() *L {\n\tl := &L{lines: make(chan string)}\n\treturn l\n}\n",
        );
        assert_eq!(
            f.makes_of("l.lines", 0, 3),
            vec![(1, "make(chan string)".to_string())]
        );
        assert_eq!(f.makes_of("lines", 0, 3), vec![]);
    }

    #[test]
    fn headers() {
        assert_eq!(
            parse_func_header("func (c *Cache[K]) Get(k string) (string, error)"),
            Some((Some("Cache".into()), Some("c".into()), "Get".into()))
        );
        assert_eq!(
            parse_func_header("func (Pool) Close()"),
            Some((Some("Pool".into()), None, "Close".into()))
        );
        assert_eq!(
            parse_func_header("func main()"),
            Some((None, None, "main".into()))
        );
        assert_eq!(parse_func_header("func ()"), None);
    }
    #[test]
    fn struct_fields_vars_and_function_bodies() {
        let src = "package p\n\nvar mu sync.Mutex\n\nvar (\n\ta, b int\n\tonce = sync.Once{}\n)\n\ntype T struct {\n\tsync.Mutex\n\tmu, other sync.RWMutex `json:\"-\"`\n\tc *Client\n\tnested struct {\n\t\tx int\n\t}\n}\n\ntype One struct{ n int; m *T }\n\ntype G[K comparable] struct {\n\tm map[K]int\n}\n\nfunc F() {\n\tgo func() {\n\t\tx()\n\t}()\n\ty()\n}\n";
        let f = GoFile::parse("p/p.go", src);
        assert_eq!(
            f.struct_fields("T").unwrap(),
            [
                ("Mutex".to_string(), "sync.Mutex".to_string()),
                ("mu".into(), "sync.RWMutex".into()),
                ("other".into(), "sync.RWMutex".into()),
                ("c".into(), "*Client".into()),
                ("nested".into(), "struct {".into()),
            ]
        );
        assert_eq!(
            f.struct_fields("One").unwrap(),
            [
                ("n".to_string(), "int".to_string()),
                ("m".into(), "*T".into())
            ]
        );
        assert_eq!(
            f.struct_fields("G").unwrap(),
            [("m".to_string(), "map[K]int".to_string())]
        );
        assert_eq!(f.struct_fields("Client"), None);
        for v in ["mu", "a", "b", "once"] {
            assert!(f.declares_var(v), "{v}");
        }
        for v in ["x", "T", "m", "sync"] {
            assert!(!f.declares_var(v), "{v}");
        }
        // `x()` (0-based line 26) is in the literal's body, `y()` (28) in F's.
        assert_eq!(f.func_body_at(26).map(|b| b.open), Some(25));
        assert_eq!(f.func_body_at(28).map(|b| b.open), Some(24));
        assert_eq!(f.func_body_at(2), None);
    }
    #[test]
    fn operations_on_a_channel_made_in_place() {
        assert_eq!(
            chan_ops("make(chan int) <- 0"),
            [ChanOp::Send("make(chan int)".into())]
        );
        assert_eq!(
            chan_ops("<-make(chan int)"),
            [ChanOp::Recv("make(chan int)".into())]
        );
        assert_eq!(
            chan_ops("chans[i + 1] <- v"),
            [ChanOp::Send("chans[i + 1]".into())]
        );
        assert_eq!(chan_ops("x := <-ch"), [ChanOp::Recv("ch".into())]);
    }
}
