//! What one classification looks at ([`Cx`]: the goroutine, its user frames, the source around them, read
//! once and cached) and the helpers every rule shares: function names split into package, receiver and
//! function, source sites, channel make/close sites, ways out of a `select`.

use super::*;
use crate::source::go::find_word;

/// A function name split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FnName {
    /// The import path.
    pub(super) pkg: String,
    /// The receiver type without `*` and type arguments, for methods.
    pub(super) recv: Option<String>,
    /// The top-level function or method.
    pub(super) func: String,
    /// A closure (`F.func1`, `F.gowrap1`, `F.func1.2`) of `func`.
    pub(super) closure: bool,
}

pub(super) fn is_closure_part(p: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(p)
        || p.strip_prefix("func").is_some_and(digits)
        || p.strip_prefix("gowrap").is_some_and(digits)
        || p.strip_prefix("deferwrap").is_some_and(digits)
}

/// The text without bracketed type arguments (`Cache[...].Get` → `Cache.Get`).
pub(super) fn strip_type_args(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

pub(super) fn split_fn(function: &str) -> FnName {
    let pkg = dump::package_of(function).to_string();
    let local = strip_type_args(function.get(pkg.len() + 1..).unwrap_or(""));
    let (recv, func, closure) = if let Some(r) = local.strip_prefix('(') {
        let close = r.find(')').unwrap_or(r.len());
        let ty = r[..close].trim_start_matches('*');
        let rest = r.get(close + 2..).unwrap_or("");
        let mut parts = rest.split('.');
        let func = parts.next().unwrap_or("");
        (
            Some(ty.to_string()),
            func.to_string(),
            parts.next().is_some(),
        )
    } else {
        let mut parts = local.split('.');
        let first = parts.next().unwrap_or("").to_string();
        match parts.next() {
            Some(second) if !is_closure_part(second) => {
                (Some(first), second.to_string(), parts.next().is_some())
            }
            Some(_) => (None, first, true),
            None => (None, first, false),
        }
    };
    FnName {
        pkg,
        recv,
        func,
        closure,
    }
}

/// The last element of an import path (`worker` for `example.com/leaky/worker`).
pub(super) fn pkg_name(pkg: &str) -> &str {
    let last = pkg.rsplit('/').next().unwrap_or(pkg);
    last.strip_suffix("_test").unwrap_or(last)
}

/// A place in a source file: the file and a 0-based line.
#[derive(Clone)]
pub(super) struct Site {
    pub(super) file: Rc<GoFile>,
    pub(super) line: usize,
}

impl Site {
    pub(super) fn at(&self) -> String {
        self.file.at(self.line)
    }
}

/// Everything one classification looks at.
pub(super) struct Cx<'a> {
    pub(super) g: &'a Goroutine,
    pub(super) resolver: &'a Resolver,
    pub(super) reader: &'a dyn SourceReader,
    /// The frames in the user's code, innermost first.
    pub(super) user: Vec<&'a Frame>,
    /// Parsed files by root-relative path (`None`: unreadable).
    pub(super) cache: RefCell<HashMap<String, Option<Rc<GoFile>>>>,
    /// Parsed packages by folder.
    pub(super) packages: RefCell<HashMap<String, Vec<Rc<GoFile>>>>,
}

impl<'a> Cx<'a> {
    pub(super) fn new(
        g: &'a Goroutine,
        resolver: &'a Resolver,
        reader: &'a dyn SourceReader,
    ) -> Cx<'a> {
        Cx {
            g,
            resolver,
            reader,
            user: g
                .frames
                .iter()
                .filter(|f| resolver.is_user_code(f))
                .collect(),
            cache: RefCell::new(HashMap::new()),
            packages: RefCell::new(HashMap::new()),
        }
    }

    pub(super) fn state(&self) -> &str {
        &self.g.state
    }

    /// The source at a frame's line.
    pub(super) fn site(&self, f: &Frame) -> Option<Site> {
        if f.line == 0 || !self.resolver.is_user_code(f) {
            return None;
        }
        let rel = self.resolver.display_path(f);
        if let Some(hit) = self.cache.borrow().get(&rel) {
            return hit.clone().map(|file| Site {
                file,
                line: f.line as usize - 1,
            });
        }
        let parsed = self
            .reader
            .frame_file(f)
            .map(|(rel, text)| Rc::new(GoFile::parse(&rel, &text)));
        self.cache.borrow_mut().insert(rel, parsed.clone());
        let file = parsed?;
        (f.line as usize <= file.lines.len()).then(|| Site {
            file,
            line: f.line as usize - 1,
        })
    }

    /// The blocking statement: the innermost user frame's line.
    pub(super) fn block(&self) -> Option<Site> {
        self.site(self.user.first()?)
    }

    /// The `go` statement: the creator's line, when it is user code and the line there is a `go`
    /// statement (otherwise the source does not match the stack).
    pub(super) fn creator(&self) -> Option<Site> {
        self.site(self.g.created_by.as_ref()?)
            .filter(|s| s.file.stmt(s.line).starts_with("go "))
    }

    /// The goroutine's entry function in user code: the outermost user frame.
    pub(super) fn entry(&self) -> Option<&'a Frame> {
        self.user.last().copied()
    }

    /// The non-test files of the package that holds `file`.
    pub(super) fn package(&self, file: &GoFile) -> Vec<Rc<GoFile>> {
        let dir = file
            .path
            .rsplit_once('/')
            .map_or("", |(d, _)| d)
            .to_string();
        if let Some(p) = self.packages.borrow().get(&dir) {
            return p.clone();
        }
        let files: Vec<Rc<GoFile>> = self
            .reader
            .package_files(&file.path)
            .into_iter()
            .map(|(rel, text)| Rc::new(GoFile::parse(&rel, &text)))
            .collect();
        self.packages.borrow_mut().insert(dir, files.clone());
        files
    }

    /// True when some of the goroutine's source could be read.
    pub(super) fn has_source(&self) -> bool {
        self.block().is_some() || self.creator().is_some()
    }
}

pub(super) const STOP_METHODS: [&str; 5] = ["Close", "Stop", "Shutdown", "Cancel", "Quit"];

/// True for a `select` case or receive that ends a wait on timeout or cancellation.
pub(super) fn is_way_out(op: &Option<ChanOp>) -> bool {
    match op {
        None => true,
        Some(ChanOp::Recv(x)) => {
            x.starts_with("time.After(")
                || x.ends_with(".Done()")
                || x.ends_with(".C")
                || x.starts_with("time.Tick(")
                || is_done_name(x)
        }
        Some(ChanOp::Send(_)) => false,
    }
}

/// True for channel names that usually signal the end: `done`, `p.quit`, `stopCh`, `closing`, …
pub(super) fn is_done_name(x: &str) -> bool {
    let last = x.rsplit('.').next().unwrap_or(x).to_ascii_lowercase();
    [
        "done", "quit", "stop", "exit", "clos", "shutdown", "cancel", "term", "kill", "die",
        "finish",
    ]
    .iter()
    .any(|w| last.contains(w))
}

/// The `select` block that holds a `case` line.
pub(super) fn select_of(file: &GoFile, case_line: usize) -> Option<Block> {
    file.enclosing(case_line)
        .into_iter()
        .find(|b| file.header(b) == "select")
        .copied()
}

/// The body of a `go func(…) {` statement on a line.
pub(super) fn go_body(file: &GoFile, line: usize) -> Option<Block> {
    let b = file.block_opened_at(line)?;
    let h = file.header(b);
    (h.starts_with("go func(") || h.starts_with("go func (")).then_some(*b)
}

/// The selector expression that ends at byte `i` of `s` (`c.mu` before `.Lock()`): the run of identifier
/// characters and dots just before it.
pub(super) fn expr_before(s: &str, i: usize) -> &str {
    let start = s[..i]
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |p| p + 1);
    &s[start..i]
}

/// `time.After(d)` stays as it is; a long argument list is shortened.
pub(super) fn short_call(x: &str) -> String {
    if x.len() <= 40 {
        x.to_string()
    } else {
        format!("{}(…)", x.split('(').next().unwrap_or(x))
    }
}

/// The name of a `context.Context` parameter of a function, when it has one.
pub(super) fn ctx_param(d: &FuncDecl) -> Option<String> {
    let i = d.signature.find("context.Context")?;
    let before = d.signature[..i].trim_end();
    let name = before
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .filter(|n| !n.is_empty())?;
    Some(name.to_string())
}

/// Where a channel is made and closed in the goroutine's package.
pub(super) struct ChanSites {
    /// `(place, call)` of the first `make` of the channel.
    pub(super) make: Option<(String, String)>,
    /// `(place, enclosing function)` of every `close` of the channel.
    pub(super) closes: Vec<(String, String)>,
    /// Where they were looked for: `` `Sum` ``, `` package `testmain` `` (empty: nowhere).
    pub(super) scope: String,
}

impl ChanSites {
    /// ` (`make(chan T)` at f.go:3 in `New`)`, or nothing when the make was not found.
    pub(super) fn made(&self) -> String {
        self.make
            .as_ref()
            .map(|(at, call)| format!(" (`{call}` at {at})"))
            .unwrap_or_default()
    }

    /// The closers as a list: `` `Ready` (f.go:24), f.go:30 ``.
    pub(super) fn closers(&self) -> String {
        self.closes
            .iter()
            .map(|(at, by)| {
                if by.is_empty() {
                    at.clone()
                } else {
                    format!("`{by}` ({at})")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Where the channel `ch` is made and closed: a local variable within the function that holds `site`, a
/// field (`x.ch`) anywhere in its package.
pub(super) fn chan_sites(cx: &Cx, site: &Site, ch: &str) -> ChanSites {
    let mut make = None;
    let mut closes = Vec::new();
    let mut scope = Vec::new();
    let scopes: Vec<(Rc<GoFile>, usize, usize)> = if ch.contains('.') {
        let dir = site.file.path.rsplit_once('/').map_or(".", |(d, _)| d);
        scope.push(format!(
            "package `{}`",
            dir.rsplit('/').next().unwrap_or(dir)
        ));
        cx.package(&site.file)
            .into_iter()
            .map(|f| {
                let last = f.code.len().saturating_sub(1);
                (f, 0, last)
            })
            .collect()
    } else {
        // The function that blocks, and the one that started the goroutine (where a local channel is
        // usually made and handed over).
        let mut v: Vec<(Rc<GoFile>, usize, usize)> = Vec::new();
        let creator = cx.creator();
        for s in std::iter::once(site).chain(creator.as_ref()) {
            if let Some(d) = s.file.func_at(s.line) {
                let dup = v
                    .iter()
                    .any(|(f, from, _)| f.path == s.file.path && *from == d.body.open);
                if !dup {
                    scope.push(format!("`{}`", d.name));
                    v.push((s.file.clone(), d.body.open, d.body.close));
                }
            }
        }
        v
    };
    for (f, from, to) in scopes {
        if make.is_none() {
            if let Some((l, call)) = f.makes_of(ch, from, to).first() {
                let in_fn = f
                    .func_at(*l)
                    .map(|d| format!(" in `{}`", d.name))
                    .unwrap_or_default();
                make = Some((format!("{}{in_fn}", f.at(*l)), call.clone()));
            }
        }
        for l in f.closes_of(ch, from, to) {
            let by = f.func_at(l).map(|d| d.name.clone()).unwrap_or_default();
            closes.push((f.at(l), by));
        }
    }
    ChanSites {
        make,
        closes,
        scope: scope.join(" or "),
    }
}

/// What a variable or field is, as far as the source tells: two expressions (`s.mu` in one method,
/// `store.mu` in another) name the same mutex or channel only when these are equal. A field is known by
/// its type and name, never by its name alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum VarId {
    /// A field of a named type; `field` is empty for a mutex embedded in the type (`c.Lock()`).
    Field { owner: String, field: String },
    /// A package-level variable (or a field path under one).
    Global(String),
    /// A variable local to one top-level function (its file and line): closures inside it share it.
    Local {
        file: String,
        func_line: usize,
        expr: String,
    },
}

/// The struct fields of a type declared in the package.
pub(super) fn fields_of(pkg: &[Rc<GoFile>], ty: &str) -> Option<Vec<(String, String)>> {
    pkg.iter().find_map(|f| f.struct_fields(ty))
}

/// A field's type as a type of this package: `*Client` → `Client`; `None` for other packages' types,
/// slices, maps and the like.
pub(super) fn local_type(ty: &str) -> Option<String> {
    let t = ty.trim_start_matches('*');
    let t = t.split('[').next().unwrap_or(t);
    (!t.is_empty() && t.chars().all(|c| c.is_alphanumeric() || c == '_')).then(|| t.to_string())
}

/// True when function `d` declares `name` itself: as a parameter or result, or in its body.
pub(super) fn declares_local(f: &GoFile, d: &FuncDecl, name: &str) -> bool {
    let params = d
        .signature
        .split_once(&format!("{}(", d.name))
        .map_or("", |(_, p)| p);
    if find_word(params, name).is_some() {
        return true;
    }
    (d.body.open..=d.body.close).any(|l| {
        let s = f.stmt(l);
        let lhs = s.split_once(":=").map(|(l, _)| l);
        lhs.is_some_and(|l| {
            let l = l.trim_start_matches("for ").trim_start_matches("if ");
            l.split(',').any(|n| n.trim() == name)
        }) || s.strip_prefix("var ").is_some_and(|v| {
            v.split_whitespace()
                .next()
                .is_some_and(|n| n.trim_end_matches(',') == name)
        })
    })
}

/// The mutex a field path names under a value of type `ty` (`[]`: the mutex embedded in `ty`).
pub(super) fn field_id(mut ty: String, path: &[&str], pkg: &[Rc<GoFile>]) -> Option<VarId> {
    let Some((last, path)) = path.split_last() else {
        return Some(VarId::Field {
            owner: ty,
            field: String::new(),
        });
    };
    for seg in path {
        let fields = fields_of(pkg, &ty)?;
        let (_, t) = fields.iter().find(|(n, _)| n == seg)?;
        ty = local_type(t)?;
    }
    // A type whose declaration is not read as a struct keeps the field as named.
    let known = fields_of(pkg, &ty).is_none_or(|fields| fields.iter().any(|(n, _)| n == last));
    known.then(|| VarId::Field {
        owner: ty,
        field: last.to_string(),
    })
}

/// The type of a local variable declared with its type in sight: `x := &T{…}`, `x := T{…}`,
/// `x := new(T)`, `var x T`, `var x = &T{…}`.
pub(super) fn local_var_type(f: &GoFile, d: &FuncDecl, name: &str) -> Option<String> {
    let decls: Vec<String> = (d.body.open..=d.body.close)
        .filter_map(|l| {
            let s = f.stmt(l);
            let rhs = if let Some(r) = s.strip_prefix(&format!("{name} := ")) {
                r
            } else if let Some(v) = s.strip_prefix(&format!("var {name} ")) {
                v.strip_prefix("= ").unwrap_or(v)
            } else {
                return None;
            };
            let r = rhs.trim_start_matches('&');
            let r = r.strip_prefix("new(").unwrap_or(r);
            let end = r
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(r.len());
            let (ty, after) = r.split_at(end);
            let typed = after.is_empty() || after.starts_with('{') || after.starts_with(')');
            (typed && !ty.is_empty()).then(|| ty.to_string())
        })
        .collect();
    // One declaration only: a name declared twice (shadowed) is not followed.
    match decls.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// Resolves an expression (`c.mu`, `r.client.mu`, `ch`, `c`) in function `d` of file `f`.
pub(super) fn var_id(f: &GoFile, d: &FuncDecl, expr: &str, pkg: &[Rc<GoFile>]) -> Option<VarId> {
    let segs: Vec<&str> = expr.split('.').collect();
    let root = segs[0];
    if d.recv_var.as_deref() == Some(root) {
        field_id(d.recv.clone()?, &segs[1..], pkg)
    } else if declares_local(f, d, root) {
        if let Some(ty) = local_var_type(f, d, root) {
            return field_id(ty, &segs[1..], pkg);
        }
        Some(VarId::Local {
            file: f.path.clone(),
            func_line: d.line,
            expr: expr.to_string(),
        })
    } else if pkg.iter().any(|p| p.declares_var(root)) {
        Some(VarId::Global(expr.to_string()))
    } else {
        None
    }
}
