//! Third-party goroutines: well-known library owners (`net/http` connections, `httptest.Server`,
//! `database/sql`), other libraries' workers, blocked I/O (`blocked-io`), and the exact goleak option that
//! ignores a goroutine made only of code outside the module.

use super::*;

/// Goroutines of well-known library owners, recognised by the stack alone.
pub(super) fn library_owner(cx: &Cx) -> Option<Advice> {
    let has_fn = |p: &str| {
        cx.g.frames.iter().any(|f| f.function.starts_with(p))
            || cx
                .g
                .created_by
                .as_ref()
                .is_some_and(|f| f.function.starts_with(p))
    };
    if has_fn("net/http.(*persistConn).readLoop") || has_fn("net/http.(*persistConn).writeLoop") {
        return Some(Advice::new(
            Cause::OrphanedWorker,
            "An HTTP client connection was left open: the `net/http` transport keeps a `readLoop` and a `writeLoop` goroutine for every kept-alive connection. Close every response body (`defer resp.Body.Close()`, also when you only read the status), and when the client or transport is done call `client.CloseIdleConnections()` (or close the test server with `srv.Close()`, which closes its connections).",
        ));
    }
    if has_fn("net/http/httptest.") {
        return Some(Advice::new(
            Cause::OrphanedWorker,
            "An `httptest.Server` was never closed: its goroutine keeps accepting connections. Close it in the test that starts it: `srv := httptest.NewServer(h)` followed by `defer srv.Close()` (or `t.Cleanup(srv.Close)`).",
        ));
    }
    if has_fn("net/http.(*conn).serve") || has_fn("net/http.(*Server).Serve") {
        return Some(Advice::new(
            Cause::OrphanedWorker,
            "A connection of an `http.Server` is still open: the server's per-connection goroutine waits for the next request. Close the server when done (`defer srv.Close()`, or `srv.Shutdown(ctx)`), and on the client side close response bodies (`resp.Body.Close()`) and idle connections (`client.CloseIdleConnections()`).",
        ));
    }
    if has_fn("database/sql.") {
        return Some(Advice::new(
            Cause::OrphanedWorker,
            "A `*sql.DB` was never closed: its connection opener goroutine runs until `Close`. Close it when done: `db, err := sql.Open(…)` followed by `defer db.Close()`.",
        ));
    }
    // Any other third-party goroutine that runs a method of a type: the value's owner did not stop it.
    let outer =
        cx.g.frames
            .iter()
            .rev()
            .find(|f| !is_machinery(&f.function))?;
    let n = split_fn(&outer.function);
    let recv = n.recv?;
    if !cx.state().starts_with("select") && cx.state() != "chan receive" && cx.state() != "IO wait"
    {
        return None;
    }
    Some(Advice::new(
        Cause::OrphanedWorker,
        format!(
            "A background goroutine of a `{}.{recv}` is still running: its owner was never closed. Close or stop the `{recv}` your code created when done (usually `defer x.Close()` or `x.Stop()` right after creating it).",
            pkg_name(&n.pkg)
        ),
    ))
}

/// The goleak option that ignores a third-party goroutine, and the sentence that offers it.
pub(super) fn ignore_option(g: &Goroutine) -> Option<(String, String)> {
    // goleak's "top function" is the first frame of the dump as printed; a default traceback hides
    // unexported runtime frames, so skip them in case the dump was taken with GOTRACEBACK=system.
    let shown = |f: &&Frame| {
        let name = f.function.as_str();
        match name.strip_prefix("runtime.") {
            Some(rest) => rest.starts_with(|c: char| c.is_ascii_uppercase()),
            None => name.contains('.'),
        }
    };
    let top = g.frames.iter().find(shown)?.function.clone();
    let entry = g
        .frames
        .iter()
        .rev()
        .find(|f| !is_machinery(&f.function) && f.function != "runtime.goexit")
        .map(|f| f.function.clone())
        .unwrap_or_else(|| top.clone());
    let any = format!("goleak.IgnoreAnyFunction({entry:?})");
    if is_machinery(&top) {
        let text = format!("It runs only code outside your module; if it is meant to outlive the test, ignore it deliberately with `goleak.VerifyNone(t, {any})` (goleak ≥ v1.3.0; its top function `{top}` is shared by unrelated goroutines, so `IgnoreTopFunction` would hide too much).");
        return Some((any, text));
    }
    let topopt = format!("goleak.IgnoreTopFunction({top:?})");
    let text = if entry == top {
        format!("It runs only code outside your module; if it is meant to outlive the test, ignore it deliberately with `goleak.VerifyNone(t, {topopt})`.")
    } else {
        format!("It runs only code outside your module; if it is meant to outlive the test, ignore it deliberately with `goleak.VerifyNone(t, {topopt})`, or with goleak ≥ v1.3.0 `{any}`.")
    };
    Some((topopt, text))
}

pub(super) fn blocked_io(cx: &Cx) -> Advice {
    let at = cx
        .block()
        .map(|b| format!(" at {}", b.at()))
        .unwrap_or_default();
    Advice::new(
        Cause::BlockedIo,
        format!("The goroutine waits{at} on network or file I/O that nothing ends. Close the connection, listener or response body when done (`defer conn.Close()`, `defer resp.Body.Close()`), or set a deadline (`conn.SetDeadline`)."),
    )
}
