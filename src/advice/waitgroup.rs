//! WaitGroup rules: a `Wait` whose `Add`s are not matched by `Done`s (`waitgroup-imbalance`).

use super::*;

pub(super) fn waitgroup(cx: &Cx) -> Advice {
    waitgroup_with_source(cx).unwrap_or_else(|| {
        let at = cx.block().map(|b| format!(" at {}", b.at())).unwrap_or_default();
        Advice::new(
            Cause::WaitgroupImbalance,
            format!("The `Wait`{at} never returns: the WaitGroup's counter never reaches zero, because some `Add` has no matching `Done`. Call `wg.Add(1)` right before each `go` statement and `defer wg.Done()` first thing in the goroutine."),
        )
    })
}

pub(super) fn waitgroup_with_source(cx: &Cx) -> Option<Advice> {
    let b = cx.block()?;
    let s = b.file.stmt(b.line);
    let i = s.find(".Wait()")?;
    let start = s[..i]
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |p| p + 1);
    let wg = &s[start..i];
    let site = cx
        .creator()
        .filter(|c| c.file.path == b.file.path)
        .unwrap_or_else(|| b.clone());
    let f = &site.file;
    let func = f.func_at(site.line)?;
    let adds: Vec<usize> = (func.body.open..=func.body.close)
        .filter(|&l| f.stmt(l).contains(&format!("{wg}.Add(")))
        .collect();
    let &add = adds.first()?;
    let add_text = f.src(add).to_string();
    let total: Option<u64> = adds
        .iter()
        .map(|&l| {
            let st = f.stmt(l);
            let p = st.find(&format!("{wg}.Add("))? + wg.len() + 5;
            st[p..].split(')').next()?.trim().parse::<u64>().ok()
        })
        .sum();
    // Goroutines started by this function, and whether each one calls Done.
    let gos: Vec<usize> = (func.body.open + 1..func.body.close)
        .filter(|&l| f.stmt(l).starts_with("go "))
        .collect();
    if gos.iter().any(|&l| go_body(f, l).is_none())
        || !f
            .mentions(&format!("&{wg}"), func.body.open, func.body.close)
            .is_empty()
    {
        return None;
    }
    let done = format!("{wg}.Done()");
    let wait = format!("{wg}.Wait()");
    let mut with_done = 0usize;
    let mut without: Vec<usize> = Vec::new();
    for &l in &gos {
        let body = go_body(f, l)?;
        let has = |t: &str| (body.open..=body.close).any(|k| f.stmt(k).contains(t));
        if has(&done) {
            with_done += 1;
        } else if !has(&wait) {
            without.push(l);
        }
    }
    let direct_done = (func.body.open..=func.body.close).any(|k| {
        f.stmt(k).contains(&done)
            && !gos
                .iter()
                .any(|&g| go_body(f, g).is_some_and(|bd| bd.open <= k && k <= bd.close))
    });
    if direct_done {
        return None;
    }
    let name = &func.name;
    let lead = match (total, with_done, without.as_slice()) {
        (_, 0, []) => format!(
            "`{add_text}` at {} is never matched: nothing in `{name}` calls `{done}`, so `{wait}` at {} waits forever",
            f.at(add),
            b.at()
        ),
        (Some(n), k, ws) if !ws.is_empty() => format!(
            "`{add_text}` at {} expects {n} call{} of `{done}`, but only {k} of the goroutines `{name}` starts call{} it: the one{} started at {} never do{}, so `{wait}` at {} waits forever",
            f.at(add),
            if n == 1 { "" } else { "s" },
            if k == 1 { "s" } else { "" },
            if ws.len() == 1 { "" } else { "s" },
            ws.iter().map(|&l| f.at(l)).collect::<Vec<_>>().join(", "),
            if ws.len() == 1 { "es" } else { "" },
            b.at()
        ),
        (Some(n), k, []) if (k as u64) < n => format!(
            "`{add_text}` at {} expects {n} calls of `{done}`, but `{name}` starts only {k} goroutine{} that call it, so `{wait}` at {} waits forever",
            f.at(add),
            if k == 1 { "" } else { "s" },
            b.at()
        ),
        _ => return None,
    };
    Some(Advice::new(
        Cause::WaitgroupImbalance,
        format!("{lead}. Call `{wg}.Add(1)` right before each `go` statement and `defer {done}` first thing in each goroutine."),
    ))
}
