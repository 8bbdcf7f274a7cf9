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
    if ch.starts_with("make(") {
        return Some(made_in_place(
            &ch,
            "send on",
            &b.at(),
            Cause::ForgottenSender,
        ));
    }
    let made_at = made_once(cx, &b, &ch);
    let generic = || {
        let text = match &made_at {
            Some(m) if m.buffered() => format!(
                "`{ch}` is buffered (`{}` at {}) and full: the send at {} blocks forever because nothing receives from `{ch}` any more. A bigger buffer only helps when the number of sends is bounded: give the sender a way out (send in a `select` beside `case <-ctx.Done(): return`), or keep a receiver draining `{ch}` until the senders stop.",
                m.call,
                m.file.at(m.line),
                b.at()
            ),
            Some(m) => format!(
                "The send on `{ch}` at {} blocks forever: `{ch}` is unbuffered (`{}` at {}) and nothing receives from it any more. Give `{ch}` room for every value its senders still send (`make(chan T, n)`), or send in a `select` beside `case <-ctx.Done(): return`.",
                b.at(),
                m.call,
                m.file.at(m.line)
            ),
            None => format!(
                "The send on `{ch}` at {} blocks forever: nothing receives from `{ch}` any more. Give `{ch}` room for every value its senders still send (`make(chan T, n)`), or send in a `select` beside `case <-ctx.Done(): return`.",
                b.at()
            ),
        };
        Advice::new(Cause::ForgottenSender, text)
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
    let already = make
        .as_ref()
        .and_then(|(_, call)| parse_make_chan(call))
        .is_some_and(|(_, cap)| cap.as_deref().is_some_and(|c| c != "0"));
    if receives.is_empty() {
        if already {
            // Buffered and still blocked: the buffer is full, and "room for the value" is not the fix.
            return Some(generic_buffered(&ch, f, make.as_ref(), &b.at()));
        }
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
        if already {
            return Some(generic_buffered(&ch, f, make.as_ref(), &b.at()));
        }
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
                "`{fname}` stops receiving from `{ch}` {why}, so the send at {} blocks forever once the buffer is full{}. Send in a `select` beside `case <-ctx.Done(): return` (or a done channel closed when the receiver gives up); a bigger buffer helps only when it holds every value that may go unread.",
                b.at(),
                make.as_ref()
                    .map(|(l, call)| format!(" (`{ch}` is buffered: `{call}` at {})", f.at(*l)))
                    .unwrap_or_default()
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

/// A send or receive on a channel made in the operation itself (`make(chan int) <- 0`): nothing else can
/// ever reach that channel.
fn made_in_place(ch: &str, op: &str, at: &str, cause: Cause) -> Advice {
    Advice::new(
        cause,
        format!("The {op} `{ch}` at {at} uses a channel made in the same expression: no other goroutine can ever reach it, so the operation blocks forever. Operate on a channel that the other side holds too (made once and shared), or remove the operation."),
    )
}

/// The text for a send blocked on a channel made buffered in the creating function.
fn generic_buffered(ch: &str, f: &GoFile, make: Option<&(usize, String)>, at: &str) -> Advice {
    let (line, call) = make.cloned().unwrap_or_default();
    Advice::new(
        Cause::ForgottenSender,
        format!(
            "`{ch}` is buffered (`{call}` at {}) and full: the send at {at} blocks forever because nothing receives from `{ch}` any more. A bigger buffer only helps when the number of sends is bounded: give the sender a way out (send in a `select` beside `case <-ctx.Done(): return`), or keep a receiver draining `{ch}` until the senders stop.",
            f.at(line)
        ),
    )
}

/// Where a channel was made, when the package shows exactly one `make` for it.
pub(super) struct Made {
    /// The file.
    pub(super) file: Rc<GoFile>,
    /// The 0-based line.
    pub(super) line: usize,
    /// The `make(chan …)` call as written.
    pub(super) call: String,
}

impl Made {
    /// True when the call gives a capacity other than a literal 0.
    pub(super) fn buffered(&self) -> bool {
        parse_make_chan(&self.call).is_some_and(|(_, cap)| cap.is_some_and(|c| c != "0"))
    }
}

/// The one `make` of the channel `ch` (as named on the blocking line `b`) in the package: a local made in
/// the same function, a package variable, or a field of the same type (made in a composite literal
/// `T{ch: make(…)}` or assigned `x.ch = make(…)`). `None` when the package makes it in no place or in
/// several.
pub(super) fn made_once(cx: &Cx, b: &Site, ch: &str) -> Option<Made> {
    let f = &b.file;
    let d = f.func_at(b.line)?;
    let pkg = cx.package(f);
    let id = var_id(f, d, ch, &pkg)?;
    let mut found = Vec::new();
    for pf in &pkg {
        for (l, call) in pf.makes_of(ch, 0, pf.code.len()) {
            let s = pf.stmt(l);
            let Some(at) = s.find("make(chan") else {
                continue;
            };
            let before = s[..at].trim_end();
            let lhs_id =
                if let Some(field) = before.strip_suffix(':').filter(|_| !before.ends_with(":=")) {
                    // A composite literal's field: the literal's type is the trailing name of the innermost
                    // block's header (`&Pool{`, `p := Pool{`).
                    let field = field
                        .trim()
                        .rsplit([' ', '{', ','])
                        .next()
                        .unwrap_or("")
                        .to_string();
                    let code = &pf.code[l];
                    let make_col = code.find("make(chan").unwrap_or(0);
                    let header = match pf
                        .blocks
                        .iter()
                        .rfind(|b| b.open == l && b.open_col < make_col)
                    {
                        Some(b) => code[..b.open_col].to_string(),
                        None => pf
                            .enclosing(l)
                            .first()
                            .map(|b| pf.header(b).to_string())
                            .unwrap_or_default(),
                    };
                    let name = header
                        .trim_end()
                        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or("");
                    let ty = (!name.is_empty() && !name.starts_with(char::is_numeric))
                        .then(|| name.to_string());
                    ty.map(|owner| VarId::Field { owner, field })
                } else {
                    let lhs = before
                        .strip_suffix(":=")
                        .or_else(|| before.strip_suffix('='))
                        .unwrap_or(before)
                        .trim();
                    let lhs = lhs.strip_prefix("var ").unwrap_or(lhs).trim();
                    let lhs = lhs.split_whitespace().next().unwrap_or(lhs);
                    match pf.func_at(l) {
                        Some(pd) => var_id(pf, pd, lhs, &pkg),
                        None => Some(VarId::Global(lhs.to_string())),
                    }
                };
            if lhs_id.as_ref() == Some(&id) {
                found.push(Made {
                    file: pf.clone(),
                    line: l,
                    call,
                });
            }
        }
    }
    match found.len() {
        1 => found.pop(),
        _ => None,
    }
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
    if x.starts_with("make(") {
        return Some(made_in_place(
            &x,
            "receive from",
            &b.at(),
            Cause::ForgottenReceiver,
        ));
    }
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
