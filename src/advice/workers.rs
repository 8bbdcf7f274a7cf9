//! Orphaned workers of the user's own types: a method goroutine whose owner never called its stop method,
//! or that cannot be stopped at all, and goroutines reported before they ran (`orphaned-worker`).

use super::*;

/// A goroutine that runs a method (or a closure of one) of a type whose owner forgot to stop it.
pub(super) fn owner(cx: &Cx) -> Option<Advice> {
    let entry = cx.entry()?;
    let n = split_fn(&entry.function);
    let recv = n.recv.clone()?;
    let recv = recv.as_str();
    let creator = cx.g.created_by.as_ref();
    let started = cx
        .creator()
        .map(|c| {
            format!(
                " (started at {} in `{}`)",
                c.at(),
                creator.map_or(String::new(), |f| split_fn(&f.function).func)
            )
        })
        .unwrap_or_default();
    let runs = if n.closure {
        format!("a closure of `({recv}).{}`", n.func)
    } else {
        format!("`({recv}).{}`", n.func)
    };
    if let Some(site) = cx.site(entry) {
        // With source: the type must have a stop method; otherwise the other rules say more.
        let pkg = cx.package(&site.file);
        let found = STOP_METHODS.iter().find_map(|m| {
            pkg.iter().find_map(|f| {
                f.funcs
                    .iter()
                    .find(|d| d.recv.as_deref() == Some(recv) && d.name == *m)
                    .map(|d| (f.clone(), d.clone()))
            })
        });
        let Some((file, decl)) = found else {
            return stopless_worker(cx, &n, &site);
        };
        let var = decl.recv_var.clone().unwrap_or_else(|| recv.to_lowercase());
        let make = creator
            .map(|c| split_fn(&c.function))
            .filter(|c| c.recv.is_none() && c.pkg == n.pkg && c.func != n.func)
            .map(|c| format!("{var} := {}.{}(…)", pkg_name(&c.pkg), c.func))
            .unwrap_or_else(|| format!("{var} := …"));
        return Some(Advice::new(
            Cause::OrphanedWorker,
            format!(
                "This goroutine belongs to a `{recv}`: it runs {runs}{started}, and only `{recv}.{}` ({}) ends it. The code that made the `{recv}` never called it. Stop it when done: `{make}` followed by `defer {var}.{}()`.",
                decl.name,
                file.at(decl.line),
                decl.name
            ),
        ));
    }
    if cx.has_source() || n.closure {
        return None;
    }
    // The stack alone: a method goroutine started by its type's constructor or by another of its methods.
    let c = split_fn(&creator?.function);
    let constructor = c.recv.is_none() && (c.func.starts_with("New") || c.func.starts_with("new"));
    if c.pkg != n.pkg || !(constructor || c.recv.as_deref() == Some(recv)) {
        return None;
    }
    Some(Advice::new(
        Cause::OrphanedWorker,
        format!(
            "The goroutine runs `({recv}).{}` for a `{recv}` made by `{}.{}`, and whoever made that `{recv}` never stopped it. Call its `Close`/`Stop` method when done (`defer x.Close()` right after creating it); if `{recv}` has none, give it one that ends the goroutine (close a quit channel or cancel a context) and waits for it.",
            n.func,
            pkg_name(&c.pkg),
            match &c.recv {
                Some(r) => format!("({r}).{}", c.func),
                None => c.func.clone(),
            }
        ),
    ))
}

/// A method goroutine started by its type's constructor (or another method), looping in a `select` that
/// nothing can end, on a type without any stop method: the type's worker can never be stopped.
pub(super) fn stopless_worker(cx: &Cx, n: &FnName, site: &Site) -> Option<Advice> {
    let recv = n.recv.as_deref()?;
    if n.closure || !cx.state().starts_with("select") {
        return None;
    }
    let c = split_fn(&cx.g.created_by.as_ref()?.function);
    let constructor = c.recv.is_none() && (c.func.starts_with("New") || c.func.starts_with("new"));
    if c.pkg != n.pkg || !(constructor || c.recv.as_deref() == Some(recv)) {
        return None;
    }
    let b = cx.block()?;
    let cases = b.file.select_cases(b.line)?;
    let ends = cases.iter().any(|k| match &k.op {
        Some(ChanOp::Recv(x)) => x.ends_with(".Done()") || is_done_name(x),
        _ => false,
    });
    if ends {
        return None;
    }
    let var = site
        .file
        .funcs
        .iter()
        .find(|d| d.recv.as_deref() == Some(recv) && d.name == n.func)
        .and_then(|d| d.recv_var.clone())
        .unwrap_or_else(|| recv.to_lowercase());
    let started = cx
        .creator()
        .map(|s| format!(" ({})", s.at()))
        .unwrap_or_default();
    Some(Advice::new(
        Cause::OrphanedWorker,
        format!(
            "This goroutine is the background worker of a `{recv}`: `{}` starts `({recv}).{}`{started}, whose `select` at {} has no case that ends it, and `{recv}` has no method that stops it. Give `{recv}` a `Close` method that closes a quit channel the loop selects on (`case <-{var}.quit: return`), and call it when done (`defer {var}.Close()`).",
            match &c.recv {
                Some(r) => format!("({r}).{}", c.func),
                None => c.func.clone(),
            },
            n.func,
            b.at()
        ),
    ))
}

/// A goroutine reported before it ever ran: its only frame is the `go` statement's wrapper (`F.gowrap1`) at
/// the creator's line. Its stack cannot say why it would outlive the test; its `go` statement can.
pub(super) fn not_started(cx: &Cx) -> Option<Advice> {
    let top = cx.g.frames.iter().find(|f| !is_machinery(&f.function))?;
    let last = top.function.rsplit('.').next().unwrap_or("");
    let created = cx.g.created_by.as_ref()?;
    if !last.starts_with("gowrap") || !is_closure_part(last) || top.line != created.line {
        return None;
    }
    let c = split_fn(&created.function);
    let maker = match &c.recv {
        Some(r) => format!("({r}).{}", c.func),
        None => c.func.clone(),
    };
    let lead = "The goroutine had not even started running when it was reported";
    let Some(site) = cx.creator() else {
        let constructor =
            c.recv.is_none() && (c.func.starts_with("New") || c.func.starts_with("new"));
        return Some(if constructor {
            Advice::new(
                Cause::OrphanedWorker,
                format!("{lead}: `{}.{maker}` starts it as the background goroutine of the value it makes, and whoever made that value never stopped it. Call the value's `Close`/`Stop` method when done (`defer x.Close()`); if it has none, give it one that ends the goroutine and waits for it.", pkg_name(&c.pkg)),
            )
        } else {
            Advice::new(
                Cause::Unknown,
                format!("{lead} (by `{}.{maker}`), so its stack cannot say why it outlives the test. Make whoever starts it also stop it: a `context.Context` cancelled on the way out, or a `Close` method that ends it and waits for it.", pkg_name(&c.pkg)),
            )
        });
    };
    // `go x.m(…)`: the goroutine will run method `m`; a type's worker started by its constructor.
    let stmt = site.file.src(site.line);
    let callee = stmt
        .strip_prefix("go ")
        .and_then(|call| call.split('(').next())
        .unwrap_or("")
        .trim();
    let method = callee.rsplit_once('.').map(|(_, m)| m);
    let pkg = cx.package(&site.file);
    let decl = pkg
        .iter()
        .flat_map(|f| f.funcs.iter().map(move |d| (f.clone(), d.clone())))
        .find(|(_, d)| Some(d.name.as_str()) == method && d.recv.is_some());
    let Some((_, decl)) = decl else {
        return Some(Advice::new(
            Cause::Unknown,
            format!("{lead}: it is the `{stmt}` at {}, so its stack cannot say why it outlives the test. Make whoever starts it also stop it: a `context.Context` cancelled on the way out, or a `Close` method that ends it and waits for it.", site.at()),
        ));
    };
    let recv = decl.recv.clone().unwrap_or_default();
    let var = decl.recv_var.clone().unwrap_or_else(|| recv.to_lowercase());
    let stop = STOP_METHODS.iter().find_map(|m| {
        pkg.iter().find_map(|f| {
            f.funcs
                .iter()
                .find(|d| d.recv.as_deref() == Some(recv.as_str()) && d.name == *m)
                .map(|d| (f.at(d.line), d.name.clone()))
        })
    });
    let how = match stop {
        Some((at, name)) => format!("only `{recv}.{name}` ({at}) stops it, and it was never called: call it when done (`defer {var}.{name}()`)."),
        None => format!("`{recv}` has no method that stops it. Give `{recv}` a `Close` method that ends the loop (close a quit channel it selects on) and call it when done (`defer {var}.Close()`)."),
    };
    Some(Advice::new(
        Cause::OrphanedWorker,
        format!("{lead}: it is the `{stmt}` at {}, the background worker of a `{recv}` that `{maker}` starts; {how}", site.at()),
    ))
}
