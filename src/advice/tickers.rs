//! Tickers, sleeps and loops: a loop on a ticker that is never stopped (`leaked-ticker`), a sleeping
//! goroutine (`sleeping`), one that never blocks (`infinite-loop`).

use super::*;

/// A receive or range over a ticker's channel (`t.C` with `t := time.NewTicker(…)`, or `time.Tick(…)`).
pub(super) fn ticker_of(cx: &Cx, b: &Site, x: &str) -> Option<Advice> {
    let f = &b.file;
    if x.starts_with("time.Tick(") {
        return Some(Advice::new(
            Cause::LeakedTicker,
            format!(
                "The loop at {} reads `{}`, a ticker that can never be stopped, so it runs forever. Use `t := time.NewTicker(d)` with `defer t.Stop()`, and `select` on `case <-ctx.Done(): return` beside `case <-t.C:`.",
                b.at(),
                short_call(x)
            ),
        ));
    }
    let base = x.strip_suffix(".C")?;
    // Where the ticker is made: in the creating function, the blocking function, or anywhere in the package.
    let mut sites: Vec<(Rc<GoFile>, Option<FuncDecl>)> = Vec::new();
    if let Some(c) = cx.creator() {
        let func = c.file.func_at(c.line).cloned();
        sites.push((c.file.clone(), func));
    }
    sites.push((b.file.clone(), f.func_at(b.line).cloned()));
    let field = base.rsplit('.').next().unwrap_or(base);
    let found = sites.iter().find_map(|(file, func)| {
        let (from, to) = func
            .as_ref()
            .map_or((0, file.code.len()), |d| (d.body.open, d.body.close));
        (from..=to.min(file.code.len().saturating_sub(1))).find_map(|l| {
            let s = file.stmt(l);
            let i = s.find("time.NewTicker(")?;
            let lhs = s[..i].trim_end().trim_end_matches([':', '=']).trim_end();
            let last = lhs
                .rsplit(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .next()?;
            (last == base || last.rsplit('.').next() == Some(field)).then(|| file.at(l))
        })
    });
    let made = found?;
    Some(Advice::new(
        Cause::LeakedTicker,
        format!(
            "The loop at {} waits on `{x}` of the ticker made at {made} (`time.NewTicker`), which is never stopped, and even `{base}.Stop()` would not close `{x}`: the loop never ends. Give it a way out and stop the ticker: `defer {base}.Stop()` and `for {{ select {{ case <-ctx.Done(): return; case <-{x}: … }} }}`.",
            b.at()
        ),
    ))
}

pub(super) fn sleeping(cx: &Cx) -> Advice {
    let fix = "Use a ticker and a way out: `t := time.NewTicker(d)`, `defer t.Stop()`, and `select { case <-ctx.Done(): return; case <-t.C: … }` (or a stop channel that the owner closes).";
    let Some(b) = cx
        .block()
        .filter(|b| b.file.stmt(b.line).contains("Sleep("))
    else {
        return Advice::new(
            Cause::Sleeping,
            format!("The goroutine sleeps, most likely in a loop that nothing can stop. {fix}"),
        );
    };
    let f = &b.file;
    let lp = f
        .func_at(b.line)
        .and_then(|d| f.loop_around(b.line, &d.body))
        .copied();
    let call = f.src(b.line);
    Advice::new(
        Cause::Sleeping,
        match lp {
            Some(lp) => format!(
                "The loop at {} sleeps (`{call}` at {}) and nothing can stop it, so it outlives its caller. {fix}",
                f.at(lp.open),
                b.at()
            ),
            None => format!(
                "The goroutine sleeps at {} (`{call}`) past the end of its test. Wait on a timer together with a way out instead: `select {{ case <-ctx.Done(): return; case <-time.After(d): }}`.",
                b.at()
            ),
        },
    )
}

pub(super) fn infinite_loop(cx: &Cx) -> Advice {
    let fix = "Give the loop an exit it checks: block on a channel that is closed when the condition changes (`<-ready`), or check `ctx.Err()`/a done channel on every turn.";
    let Some(b) = cx.block() else {
        return Advice::new(
            Cause::InfiniteLoop,
            format!("The goroutine never blocks and never ends: it is spinning in a loop. {fix}"),
        );
    };
    let f = &b.file;
    let lp = f
        .block_opened_at(b.line)
        .filter(|x| GoFile::is_loop_header(f.header(x)))
        .or_else(|| {
            f.func_at(b.line)
                .and_then(|d| f.loop_around(b.line, &d.body))
        })
        .copied();
    Advice::new(
        Cause::InfiniteLoop,
        match lp {
            Some(lp) => format!(
                "The loop at {} (`{}`) never blocks and never ends: it spins on the CPU. {fix}",
                f.at(lp.open),
                f.src(lp.open)
            ),
            None => format!(
                "The goroutine is still running at {}: it never blocks and never ends. {fix}",
                b.at()
            ),
        },
    )
}
