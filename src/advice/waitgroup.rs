//! WaitGroup rules: a `Wait` whose `Add`s are not matched by `Done`s (`waitgroup-imbalance`).

use super::*;

pub(super) fn waitgroup(cx: &Cx) -> Advice {
    waitgroup_with_source(cx).unwrap_or_else(|| {
        let at = cx.block().map(|b| format!(" at {}", b.at())).unwrap_or_default();
        Advice::new(
            Cause::WaitgroupImbalance,
            format!("The `Wait`{at} never returns: the WaitGroup's counter never reaches zero. Either a goroutine counted by `Add` is blocked before its `Done` (look for it in this report) or an `Add` has no `Done` at all. Call `wg.Add(1)` right before each `go` statement, `defer wg.Done()` first thing in the goroutine, and make sure what each goroutine waits on can end."),
        )
    })
}

pub(super) fn waitgroup_with_source(cx: &Cx) -> Option<Advice> {
    let b = cx.block()?;
    let s = b.file.stmt(b.line);
    let i = s.find(".Wait()")?;
    let wg = expr_before(s, i);
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
    let dones: Vec<usize> = (func.body.open..=func.body.close)
        .filter(|&k| f.stmt(k).contains(&done))
        .collect();
    // A goroutine's own lines: its body without the bodies of the goroutines it starts.
    let own = |body: Block, k: usize| {
        body.open <= k
            && k <= body.close
            && !gos.iter().any(|&g| {
                g > body.open
                    && g < body.close
                    && go_body(f, g).is_some_and(|n| n.open <= k && k <= n.close)
            })
    };
    let mut with_done: Vec<(usize, usize)> = Vec::new();
    let mut without: Vec<usize> = Vec::new();
    for &l in &gos {
        let body = go_body(f, l)?;
        let own_done = dones.iter().copied().find(|&k| own(body, k));
        let any = |t: &str| (body.open..=body.close).any(|k| f.stmt(k).contains(t));
        match own_done {
            Some(k) => with_done.push((l, k)),
            None if !any(&done) && !any(&wait) => without.push(l),
            None => {}
        }
    }
    let direct_done = dones.iter().any(|&k| {
        !gos.iter()
            .any(|&g| go_body(f, g).is_some_and(|bd| bd.open <= k && k <= bd.close))
    });
    if direct_done {
        return None;
    }
    // Counting goroutines is only sure when each `go` line starts one goroutine and each calls `Done` once.
    let in_loop = |l: usize| f.loop_around(l, &func.body).is_some();
    let countable = gos.iter().all(|&l| !in_loop(l))
        && with_done.iter().all(|&(l, k)| {
            go_body(f, l).is_some_and(|body| {
                f.loop_around(k, &body).is_none()
                    && dones.iter().filter(|&&d| own(body, d)).count() == 1
            })
        });
    let name = &func.name;
    let k = with_done.len();
    let lead = match (total, dones.is_empty(), without.as_slice()) {
        (_, true, _) => format!(
            "`{add_text}` at {} is never matched: nothing in `{name}` calls `{done}`, so `{wait}` at {} waits forever",
            f.at(add),
            b.at()
        ),
        (Some(n), false, ws) if countable && !ws.is_empty() => format!(
            "`{add_text}` at {} expects {n} call{} of `{done}`, but only {k} of the goroutines `{name}` starts call{} it: the one{} started at {} never do{}, so `{wait}` at {} waits forever",
            f.at(add),
            if n == 1 { "" } else { "s" },
            if k == 1 { "s" } else { "" },
            if ws.len() == 1 { "" } else { "s" },
            ws.iter().map(|&l| f.at(l)).collect::<Vec<_>>().join(", "),
            if ws.len() == 1 { "es" } else { "" },
            b.at()
        ),
        (Some(n), false, []) if countable && (k as u64) < n => format!(
            "`{add_text}` at {} expects {n} calls of `{done}`, but `{name}` starts only {k} goroutine{} that call it, so `{wait}` at {} waits forever",
            f.at(add),
            if k == 1 { "" } else { "s" },
            b.at()
        ),
        _ => {
            // Every goroutine has its `Done`: one of them does not get there.
            let late = with_done.iter().find_map(|&(l, k)| {
                let body = go_body(f, l)?;
                let first = f.next_code_line(body.open).filter(|&x| x < k)?;
                Some((l, k, first))
            });
            match late {
                Some((l, k, first)) => format!(
                    "The goroutine started at {} reaches `{}` ({}) only after `{}` ({}): if that blocks, `{done}` never runs, so `{wait}` at {} waits forever. Look in this report for that goroutine blocked before its `Done`",
                    f.at(l),
                    f.src(k),
                    f.at(k),
                    f.src(first),
                    f.at(first),
                    b.at()
                ),
                None if dones.iter().all(|&k| f.stmt(k).starts_with("defer ")) => format!(
                    "`{wait}` at {} waits for the deferred `{done}` at {}, which runs only when its goroutine returns: look in this report for a goroutine counted by `{add_text}` ({}) that is still blocked, and for what it waits on",
                    b.at(),
                    dones.iter().map(|&k| f.at(k)).collect::<Vec<_>>().join(", "),
                    f.at(add)
                ),
                None => format!(
                    "`{wait}` at {} waits for the `{done}` at {}: the counter reaches zero only when every goroutine counted by `{add_text}` ({}) gets there. Look in this report for a goroutine blocked before its `Done`, or for an `Add` counted more often than goroutines start",
                    b.at(),
                    dones.iter().map(|&k| f.at(k)).collect::<Vec<_>>().join(", "),
                    f.at(add)
                ),
            }
        }
    };
    Some(Advice::new(
        Cause::WaitgroupImbalance,
        format!("{lead}. Call `{wg}.Add(1)` right before each `go` statement and `defer {done}` first thing in each goroutine."),
    ))
}
