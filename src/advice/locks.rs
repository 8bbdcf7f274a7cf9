//! Lock rules: a `Lock` that waits for a holder who returned without unlocking (`lock-never-released`).

use super::*;

pub(super) fn lock(cx: &Cx) -> Advice {
    lock_with_source(cx).unwrap_or_else(|| {
        let at = cx.block().map(|b| format!(" at {}", b.at())).unwrap_or_default();
        Advice::new(
            Cause::LockNeverReleased,
            format!("The lock{at} is held by code that never releases it on some path (often an early `return`). Unlock right after locking with `defer mu.Unlock()`."),
        )
    })
}

pub(super) fn lock_with_source(cx: &Cx) -> Option<Advice> {
    let b = cx.block()?;
    let s = b.file.stmt(b.line);
    let (kind, i) = [".RLock()", ".Lock()"]
        .iter()
        .find_map(|k| s.find(k).map(|i| (*k, i)))?;
    let start = s[..i]
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |p| p + 1);
    let mu = &s[start..i];
    let field = mu.rsplit('.').next().unwrap_or(mu);
    let unlock = if kind == ".RLock()" {
        ".RUnlock()"
    } else {
        ".Unlock()"
    };
    // Another lock of the same mutex (by field name) that can return without unlocking.
    let mut culprit = None;
    'files: for f in cx.package(&b.file) {
        for l in 0..f.code.len() {
            if f.path == b.file.path && l == b.line {
                continue;
            }
            let st = f.stmt(l);
            let Some(p) = st.find(kind) else { continue };
            let who = &st[..p];
            if who.rsplit('.').next() != Some(field) {
                continue;
            }
            let Some(func) = f.func_at(l) else { continue };
            let next = f.next_code_line(l).map(|n| f.stmt(n)).unwrap_or("");
            if next.starts_with("defer") && next.contains(unlock) {
                continue;
            }
            let end = (l + 1..=func.body.close)
                .find(|&k| f.stmt(k).contains(&format!("{field}{unlock}")))
                .unwrap_or(func.body.close);
            if let Some(r) = (l + 1..end).find(|&k| f.stmt(k).starts_with("return")) {
                culprit = Some(format!(
                    "`{who}` is locked at {} in `{}`, which returns at {} without unlocking it, so the `{mu}{kind}` at {} waits forever",
                    f.at(l),
                    func.name,
                    f.at(r),
                    b.at()
                ));
                break 'files;
            }
        }
    }
    let lead = culprit.unwrap_or_else(|| {
        format!(
            "The `{mu}{kind}` at {} waits forever: `{mu}` is held by code that never releases it on some path",
            b.at()
        )
    });
    Some(Advice::new(
        Cause::LockNeverReleased,
        format!("{lead}. Unlock on every path: lock, then `defer {mu}{unlock}` on the next line."),
    ))
}
