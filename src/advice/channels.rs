//! Channel rules: a blocked send (`forgotten-sender`, `early-return`, with the one sure fix
//! `make(chan T, 1)`), a blocked receive or `range` (`forgotten-receiver`, `unclosed-range`), a nil channel
//! (`deadlock`).

use super::*;

pub(super) const SENDER_FIX: &str = "If this goroutine sends exactly one value and waits for nothing after it, give the channel room for that value (`make(chan T, 1)`); otherwise give the sender a way out: send in a `select` beside `case <-ctx.Done(): return`.";

pub(super) fn sender(cx: &Cx) -> Advice {
    sender_with_source(cx).unwrap_or_else(|| {
        let at = cx.block().map(|b| format!(" at {}", b.at())).unwrap_or_default();
        Advice::new(
            Cause::ForgottenSender,
            format!("The send{at} blocks forever: nobody receives from the channel any more. {SENDER_FIX}"),
        )
    })
}

pub(super) fn sender_with_source(cx: &Cx) -> Option<Advice> {
    let b = cx.block()?;
    let ch = b.file.ops(b.line).into_iter().find_map(|o| match o {
        ChanOp::Send(x) => Some(x),
        ChanOp::Recv(_) => None,
    })?;
    let generic = || {
        Advice::new(
            Cause::ForgottenSender,
            format!(
                "The send on `{ch}` at {} blocks forever: nothing receives from `{ch}` any more. Give `{ch}` room for every value its senders still send (`make(chan T, n)`), or send in a `select` beside `case <-ctx.Done(): return`.",
                b.at()
            ),
        )
    };
    let Some(c) = cx.creator().filter(|c| c.file.path == b.file.path) else {
        return Some(generic());
    };
    let f = &c.file;
    let (Some(body), Some(func)) = (go_body(f, c.line), f.func_at(c.line)) else {
        return Some(generic());
    };
    if !(body.open < b.line && b.line <= body.close) || ch.contains(['.', '[', '(']) {
        return Some(generic());
    }
    let fname = func.name.as_str();
    let makes = f.makes_of(&ch, func.body.open, c.line);
    let make = makes.last().cloned();
    let made = make
        .as_ref()
        .map(|(l, call)| format!(" (made at {}: `{call}`)", f.at(*l)))
        .unwrap_or_default();
    // Receives in the creating function, outside the goroutine's body.
    let receives: Vec<usize> = f
        .receives_of(&ch, func.body.open, func.body.close)
        .into_iter()
        .filter(|l| !(body.open..=body.close).contains(l))
        .collect();
    let go_loop = f.loop_around(c.line, &func.body).copied();
    if let Some(lp) = go_loop {
        let read_in_loop = receives
            .iter()
            .any(|&r| f.loop_around(r, &func.body).is_some());
        if !receives.is_empty() && !read_in_loop {
            let ty = make
                .as_ref()
                .and_then(|(_, call)| parse_make_chan(call))
                .map_or("T".to_string(), |(t, _)| t);
            return Some(Advice::new(
                Cause::EarlyReturn,
                format!(
                    "`{fname}` starts a goroutine for every turn of the loop at {}, each sending on `{ch}`{made} at {}, but it receives only once ({}) and returns: every other sender blocks forever. Give `{ch}` room for every sender (`make(chan {ty}, n)` for n goroutines), or stop the others when the first answer arrives: a `context.WithCancel` they `select` on beside the send (`case <-ctx.Done(): return`), or `errgroup.WithContext`.",
                    f.at(lp.open),
                    b.at(),
                    f.at(receives[0]),
                ),
            ));
        }
    }
    if receives.is_empty() {
        return Some(Advice::new(
            Cause::ForgottenSender,
            format!(
                "The send on `{ch}` at {} blocks forever: nothing in `{fname}` ever receives from `{ch}`{made}. Receive the value where it is needed, or drop the channel; if the value may go unread, give `{ch}` room for it (`make(chan T, 1)`).",
                b.at()
            ),
        ));
    }
    // A receive in a select that can give up.
    let gives_up = receives.iter().find_map(|&r| {
        let sel = select_of(f, r)?;
        let cases = f.select_cases(sel.open)?;
        let out = cases.iter().find(|k| k.line != r && is_way_out(&k.op))?;
        Some((r, out.line, out.op.clone()))
    });
    let Some((recv_line, out_line, out_op)) = gives_up else {
        // A plain receive: does the creator return before it on some path?
        let first = receives[0];
        let early = (body.close + 1..first).find(|&l| f.stmt(l).starts_with("return"));
        return Some(match early {
            Some(r) => Advice::new(
                Cause::ForgottenSender,
                format!(
                    "`{fname}` can return at {} before it receives from `{ch}` ({}), and then the send at {} blocks forever. Give `{ch}` room for the value (`make(chan T, 1)`) so the send always completes, or receive on every path.",
                    f.at(r),
                    f.at(first),
                    b.at()
                ),
            ),
            None => generic(),
        });
    };
    let why = match &out_op {
        Some(ChanOp::Recv(x)) if x.starts_with("time.After(") => format!(
            "when the `{}` case fires ({})",
            short_call(x),
            f.at(out_line)
        ),
        Some(ChanOp::Recv(x)) => format!("when `<-{x}` is ready ({})", f.at(out_line)),
        _ => format!("through its `default` case ({})", f.at(out_line)),
    };
    let unbuffered = make
        .as_ref()
        .and_then(|(_, call)| parse_make_chan(call))
        .filter(|(_, cap)| cap.as_deref().is_none_or(|c| c == "0"));
    let Some((ty, _)) = unbuffered else {
        return Some(Advice::new(
            Cause::ForgottenSender,
            format!(
                "`{fname}` stops receiving from `{ch}` {why}, so the send at {} blocks forever once the buffer is full. Give `{ch}` room for every value that may go unread, or send in a `select` beside `case <-ctx.Done(): return`.",
                b.at()
            ),
        ));
    };
    let (make_line, call) = make.clone().unwrap_or_default();
    let new_call = format!("make(chan {ty}, 1)");
    let mut a = Advice::new(
        Cause::ForgottenSender,
        format!(
            "`{ch}` is made unbuffered at {} (`{call}`) and `{fname}` stops receiving from it {why}, so the send at {} blocks forever. Make it `{new_call}`: the single send then always completes and the goroutine exits.",
            f.at(make_line),
            b.at()
        ),
    );
    // Sure enough for --fix-diff: one make, one goroutine per call, one send that is its last statement.
    let sends_in_body = f.sends_of(&ch, body.open, body.close);
    let sends_elsewhere = f
        .sends_of(&ch, func.body.open, func.body.close)
        .into_iter()
        .filter(|l| !(body.open..=body.close).contains(l))
        .count();
    let send_in_loop = f.loop_around(b.line, &body).is_some();
    let last_stmt = f.next_code_line(b.line).is_some_and(|n| {
        n == body.close && f.stmt(n).starts_with('}')
            || f.stmt(n) == "return" && f.next_code_line(n) == Some(body.close)
    });
    // The channel does nothing else in the function: no other use, no escape (`return ch`, `use(ch)`),
    // no reassignment, no `len`/`cap`.
    let other_use = f
        .mentions(&ch, func.body.open, func.body.close)
        .into_iter()
        .any(|l| l != make_line && l != b.line && !receives.contains(&l));
    let sure = makes.len() == 1
        && go_loop.is_none()
        && sends_in_body == vec![b.line]
        && sends_elsewhere == 0
        && !send_in_loop
        && last_stmt
        && !other_use
        && receives.contains(&recv_line)
        && f.lines
            .get(make_line)
            .is_some_and(|l| l.matches(call.as_str()).count() == 1);
    if sure && source::is_plain_path(&f.path) {
        a.fix = Some(Fix {
            edit: Edit {
                path: f.path.clone(),
                line: make_line as u32 + 1,
                find: call.clone(),
                replace: new_call,
            },
            text: f.text.clone(),
        });
        a.text.push_str(" `--fix-diff` writes this change.");
    }
    Some(a)
}

pub(super) fn receiver(cx: &Cx) -> Advice {
    receiver_with_source(cx).unwrap_or_else(|| {
        let at = cx.block().map(|b| format!(" at {}", b.at())).unwrap_or_default();
        Advice::new(
            Cause::ForgottenReceiver,
            format!("The receive{at} waits forever: nothing sends on or closes the channel any more. Close it when the producer is done (`defer close(ch)`), or receive in a `select` beside `case <-ctx.Done(): return`."),
        )
    })
}

pub(super) fn receiver_with_source(cx: &Cx) -> Option<Advice> {
    let b = cx.block()?;
    let f = &b.file;
    if let Some(x) = f.range_over(b.line) {
        if let Some(t) = ticker_of(cx, &b, &x) {
            return Some(t);
        }
        let sites = chan_sites(cx, &b, &x);
        let made = sites.made();
        let closers = if sites.closes.is_empty() && sites.scope.is_empty() {
            format!("and `{x}`{made} is never closed")
        } else if sites.closes.is_empty() {
            format!("and nothing in {} closes `{x}`{made}", sites.scope)
        } else {
            format!(
                "and `{x}`{made} is closed only by {}, which never ran",
                sites.closers()
            )
        };
        return Some(Advice::new(
            Cause::UnclosedRange,
            format!(
                "The `{}` loop at {} ends only when `{x}` is closed, {closers}. Close it once the last value is sent: `close({x})` after the sending loop, or `defer close({x})` in the producer; if the channel belongs to a type, close it in the type's `Close` method.",
                f.src(b.line).trim_end_matches('{').trim_end(),
                b.at()
            ),
        ));
    }
    let x = f.ops(b.line).into_iter().find_map(|o| match o {
        ChanOp::Recv(x) => Some(x),
        ChanOp::Send(_) => None,
    })?;
    if x.ends_with(".Done()") {
        return Some(Advice::new(
            Cause::MissingCancel,
            format!(
                "The goroutine waits for `{x}` at {}, but that context is never cancelled. Cancel it when the work is over: `ctx, cancel := context.WithCancel(parent)` followed by `defer cancel()`.",
                b.at()
            ),
        ));
    }
    if x.ends_with(".C") || x.starts_with("time.Tick(") {
        if let Some(t) = ticker_of(cx, &b, &x) {
            return Some(t);
        }
    }
    let sites = chan_sites(cx, &b, &x);
    let made = sites.made();
    let who = if sites.closes.is_empty() && sites.scope.is_empty() {
        format!("no more values are sent on `{x}`{made}, and it is never closed")
    } else if sites.closes.is_empty() {
        format!(
            "no more values are sent on `{x}`{made}, and nothing in {} closes it",
            sites.scope
        )
    } else {
        format!(
            "`{x}`{made} is closed only by {}, and that was never called",
            sites.closers()
        )
    };
    let call_it = match sites.closes.as_slice() {
        [(_, by)] if !by.is_empty() => {
            format!("Make sure every path calls `{by}` (for example with `defer`), or receive")
        }
        _ => format!("Close `{x}` when the producer is done (`defer close({x})`), or receive"),
    };
    Some(Advice::new(
        Cause::ForgottenReceiver,
        format!(
            "The receive from `{x}` at {} waits forever: {who}. {call_it} in a `select` beside `case <-ctx.Done(): return` so the goroutine can give up.",
            b.at()
        ),
    ))
}

pub(super) fn nil_chan(cx: &Cx) -> Advice {
    let at = cx
        .block()
        .map(|b| format!(" at {}", b.at()))
        .unwrap_or_default();
    let op = if cx.state().starts_with("chan send") {
        "sends on"
    } else {
        "receives from"
    };
    Advice::new(
        Cause::Deadlock,
        format!("The goroutine {op} a nil channel{at}, which blocks forever: the channel was never made. Initialise it with `make(chan T)` before the goroutine starts (a field of a struct literal too)."),
    )
}
