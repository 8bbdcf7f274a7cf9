//! Context and cancellation rules: a `select` with no way out, or waiting for a context nobody cancels
//! (`missing-cancel`).

use super::*;

pub(super) fn select(cx: &Cx) -> Advice {
    select_with_source(cx).unwrap_or_else(|| {
        let at = cx.block().map(|b| format!(" at {}", b.at())).unwrap_or_default();
        Advice::new(
            Cause::MissingCancel,
            format!("The `select`{at} has no way out: none of its cases ever becomes ready again. Add `case <-ctx.Done(): return` (or a done channel that the goroutine's owner closes)."),
        )
    })
}

pub(super) fn select_with_source(cx: &Cx) -> Option<Advice> {
    let b = cx.block()?;
    let f = &b.file;
    let cases = f.select_cases(b.line)?;
    let at = b.at();
    if let Some(x) = cases.iter().find_map(|k| match &k.op {
        Some(ChanOp::Recv(x)) if x.ends_with(".Done()") => Some(x.clone()),
        _ => None,
    }) {
        return Some(Advice::new(
            Cause::MissingCancel,
            format!("The `select` at {at} waits for `{x}`, but that context is never cancelled. Cancel it when the work is over: `ctx, cancel := context.WithCancel(parent)` followed by `defer cancel()`."),
        ));
    }
    if let Some(x) = cases.iter().find_map(|k| match &k.op {
        Some(ChanOp::Recv(x)) if is_done_name(x) => Some(x.clone()),
        _ => None,
    }) {
        let sites = chan_sites(cx, &b, &x);
        let who = if sites.closes.is_empty() && sites.scope.is_empty() {
            format!("`{x}` is never closed")
        } else if sites.closes.is_empty() {
            format!("nothing in {} closes `{x}`", sites.scope)
        } else {
            format!(
                "`{x}` is closed only by {}, which was never called",
                sites.closers()
            )
        };
        return Some(Advice::new(
            Cause::MissingCancel,
            format!("The `select` at {at} ends only when `{x}` is closed, and {who}. Close it on every way out of the goroutine's owner (`defer close({x})`), or select on `<-ctx.Done()` as well."),
        ));
    }
    let ops: Vec<&ChanOp> = cases.iter().filter_map(|k| k.op.as_ref()).collect();
    if !ops.is_empty() && ops.iter().all(|o| matches!(o, ChanOp::Send(_))) {
        return Some(Advice::new(
            Cause::ForgottenSender,
            format!("Every case of the `select` at {at} sends, and nothing receives any more. Add `case <-ctx.Done(): return` so the goroutine can give up, or give the channels room for the values that may go unread."),
        ));
    }
    for k in &cases {
        if let Some(ChanOp::Recv(x)) = &k.op {
            if x.ends_with(".C") {
                if let Some(mut t) = ticker_of(cx, &b, x) {
                    t.text = format!("The `select` at {at} has no case that ends it. {}", t.text);
                    return Some(t);
                }
            }
        }
    }
    let in_scope = f.func_at(b.line).and_then(ctx_param).or_else(|| {
        cx.creator()
            .and_then(|c| c.file.func_at(c.line).and_then(ctx_param))
    });
    let hint = match in_scope {
        Some(ctx) => format!("`{ctx}` is in scope but never watched: add `case <-{ctx}.Done(): return`."),
        None => "Add `case <-ctx.Done(): return` (pass a `context.Context` in), or a done channel that the goroutine's owner closes.".to_string(),
    };
    let looping = f
        .func_at(b.line)
        .and_then(|d| f.loop_around(b.line, &d.body))
        .map(|_| ", and the loop around it never ends")
        .unwrap_or_default();
    Some(Advice::new(
        Cause::MissingCancel,
        format!("The `select` at {at} has no case that ends it{looping}. {hint}"),
    ))
}
