//! The kind of an incident and its explanation, from its nodes and wait-for edges.

use std::collections::{BTreeMap, BTreeSet};

use super::scan::Left;
use super::{ChannelInfo, Edge, Incident, Kind, LockInfo, Member, Node, Site, WaitKind};

/// The primitive a wait is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prim {
    Lock,
    Chan,
    Wg,
    Cond,
}

fn prim(w: WaitKind) -> Option<Prim> {
    match w {
        WaitKind::Lock | WaitKind::RLock => Some(Prim::Lock),
        WaitKind::Send | WaitKind::Recv | WaitKind::Select => Some(Prim::Chan),
        WaitKind::WaitGroup => Some(Prim::Wg),
        WaitKind::CondWait => Some(Prim::Cond),
        WaitKind::Other => None,
    }
}

/// The nodes of `members` that lie on a cycle of `edges` (self-loops excluded), by reachability.
fn on_cycle(members: &[usize], edges: &[Edge]) -> BTreeSet<usize> {
    let succ = |i: usize| -> Vec<usize> {
        edges
            .iter()
            .filter(|e| e.from == i && e.to != i)
            .map(|e| e.to)
            .collect()
    };
    let reach = |from: usize| -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut stack = succ(from);
        while let Some(n) = stack.pop() {
            if seen.insert(n) {
                stack.extend(succ(n));
            }
        }
        seen
    };
    members
        .iter()
        .copied()
        .filter(|&m| reach(m).contains(&m))
        .collect()
}

/// A lock cycle: two stacks, each holding a lock the other waits for (different locks).
pub(super) fn lock_cycle(
    members: &[usize],
    nodes: &[Node],
    edges: &[Edge],
) -> Option<(usize, usize)> {
    for a in edges.iter().filter(|e| e.wait.is_lock() && e.from != e.to) {
        for b in edges
            .iter()
            .filter(|e| e.wait.is_lock() && e.from == a.to && e.to == a.from && e.via != a.via)
        {
            if members.contains(&a.from) && members.contains(&b.from) {
                let (x, y) = (a.from, b.from);
                // Each must hold what the other waits for (not only wait behind it).
                let holds = |i: usize, key: &str| nodes[i].holds.iter().any(|h| h.key == key);
                if holds(y, &a.via) && holds(x, &b.via) {
                    return Some((x.min(y), x.max(y)));
                }
            }
        }
    }
    None
}

/// The kind of the incident made of `members`.
pub fn classify(members: &[usize], nodes: &[Node], edges: &[Edge]) -> Kind {
    // A stack waiting for a lock it holds itself.
    for &m in members {
        let n = &nodes[m];
        let Some((k, _)) = &n.on else { continue };
        if !n.wait.is_lock() {
            continue;
        }
        if let Some(h) = n.holds.iter().find(|h| &h.key == k) {
            return if h.read && n.wait == WaitKind::RLock {
                Kind::Rwr
            } else {
                Kind::DoubleLocking
            };
        }
    }
    if lock_cycle(members, nodes, edges).is_some() {
        return Kind::AbBa;
    }
    if members.iter().any(|&m| {
        nodes[m].relock.is_some() && !edges.iter().any(|e| e.from == m && e.wait.is_lock())
    }) {
        return Kind::DoubleLocking;
    }
    // A reader waits while another reader holds the lock and a writer waits for it.
    for &r in members {
        let n = &nodes[r];
        let (WaitKind::RLock, Some((k, _))) = (n.wait, &n.on) else {
            continue;
        };
        let writer = members.iter().any(|&w| {
            nodes[w].wait == WaitKind::Lock && nodes[w].on.as_ref().is_some_and(|(wk, _)| wk == k)
        });
        let reader = members
            .iter()
            .any(|&o| nodes[o].holds.iter().any(|h| &h.key == k && h.read));
        if writer && reader {
            return Kind::Rwr;
        }
    }
    let cyc = on_cycle(members, edges);
    let incoming = |i: usize| edges.iter().any(|e| e.to == i && e.from != i);
    // A lock nobody in the report holds, left locked by a `return`: what else waits is its victim.
    if cyc.is_empty()
        && members.iter().any(|&i| {
            nodes[i].wait.is_lock()
                && nodes[i].returns_locked.is_some()
                && !edges.iter().any(|e| e.from == i)
        })
    {
        return Kind::MissingUnlock;
    }
    let core: Vec<usize> = if cyc.is_empty() {
        // A goroutine waiting for a result (a channel, a WaitGroup) from another blocked one, that nobody
        // waits behind, is a victim: the kind is what the others block on.
        let victim = |i: usize| {
            let out: Vec<&Edge> = edges.iter().filter(|e| e.from == i && e.to != i).collect();
            prim(nodes[i].wait) == Some(Prim::Chan)
                && !incoming(i)
                && !out.is_empty()
                && !out.iter().all(|e| nodes[e.to].wait == WaitKind::WaitGroup)
                && nodes[i].holds.is_empty()
        };
        let rest: Vec<usize> = members.iter().copied().filter(|&i| !victim(i)).collect();
        if rest.iter().any(|&i| prim(nodes[i].wait).is_some()) {
            rest
        } else {
            members.to_vec()
        }
    } else {
        cyc.iter().copied().collect()
    };
    let prims: BTreeSet<Prim> = core.iter().filter_map(|&i| prim(nodes[i].wait)).collect();
    let ctx = core.iter().any(|&i| {
        nodes[i].select_ctx == Some(true)
            || nodes[i].wait.is_chan() && nodes[i].creator_selects_done
    });
    let v: Vec<Prim> = prims.into_iter().collect();
    match v.as_slice() {
        [] => Kind::Unknown,
        [Prim::Lock] => {
            let unheld = core.iter().any(|&i| {
                nodes[i].wait.is_lock()
                    && !edges.iter().any(|e| e.from == i)
                    && nodes[i].returns_locked.is_some()
            });
            if unheld {
                Kind::MissingUnlock
            } else {
                Kind::Unknown
            }
        }
        [Prim::Chan] if ctx => Kind::ChannelContext,
        [Prim::Chan] => Kind::Channel,
        [Prim::Cond] => Kind::ConditionVariable,
        [Prim::Wg] => Kind::MisuseWaitgroup,
        [Prim::Lock, Prim::Chan] => Kind::ChannelLock,
        [Prim::Chan, Prim::Wg] => Kind::ChannelWaitgroup,
        [Prim::Chan, Prim::Cond] => Kind::ChannelConditionVariable,
        [Prim::Lock, Prim::Chan, Prim::Wg] => {
            let wg_holds = core
                .iter()
                .any(|&i| nodes[i].wait == WaitKind::WaitGroup && !nodes[i].holds.is_empty());
            if wg_holds {
                Kind::ChannelWaitgroup
            } else {
                Kind::ChannelLock
            }
        }
        _ => Kind::Unknown,
    }
}

/// How a lock or channel key reads in a message.
pub(super) fn key_name(key: &str, expr: &str) -> String {
    if let Some(t) = key.strip_prefix("type:") {
        return t.to_string();
    }
    if let Some(rest) = key.strip_prefix("local:") {
        let (func, var) = rest.rsplit_once(':').unwrap_or(("", rest));
        return format!("{var} (in {func})");
    }
    if let Some(v) = key.strip_prefix("var:") {
        return v.to_string();
    }
    expr.to_string()
}

fn at(s: &Site) -> String {
    let file = s.file.rsplit('/').next().unwrap_or(&s.file);
    format!("{file}:{}", s.line)
}

/// The incident of `members`: kind, locks, channels and explanation.
pub(super) fn describe(id: String, members: &[usize], nodes: &[Node], edges: &[Edge]) -> Incident {
    let kind = classify(members, nodes, edges);
    let mut locks: BTreeMap<String, LockInfo> = BTreeMap::new();
    for &m in members {
        let n = &nodes[m];
        if let (true, Some((k, x))) = (n.wait.is_lock(), &n.on) {
            let e = locks.entry(k.clone()).or_insert_with(|| LockInfo {
                name: key_name(k, x),
                held_by: Vec::new(),
                acquired_at: Vec::new(),
                waited_at: Vec::new(),
            });
            if let Some(w) = &n.waited_at {
                e.waited_at.push(w.clone());
            }
        }
    }
    for &m in members {
        for h in &nodes[m].holds {
            if let Some(e) = locks.get_mut(&h.key) {
                e.held_by.push(nodes[m].group.clone());
                e.acquired_at.push(h.at.clone());
            }
        }
    }
    for l in locks.values_mut() {
        l.held_by.sort();
        l.held_by.dedup();
        l.acquired_at.sort();
        l.acquired_at.dedup();
        l.waited_at.sort();
        l.waited_at.dedup();
    }
    let mut channels: BTreeMap<String, ChannelInfo> = BTreeMap::new();
    for &m in members {
        for c in &nodes[m].chans {
            let e = channels
                .entry(c.key.clone())
                .or_insert_with(|| ChannelInfo {
                    name: key_name(&c.key, &c.expr),
                    made_at: c.made_at.clone(),
                    capacity: c.capacity.clone(),
                    waited_at: Vec::new(),
                    partners: Vec::new(),
                    left: c.left.as_ref().map(|l| l.0),
                    left_at: c.left.as_ref().map(|l| l.1.clone()),
                });
            e.waited_at.push(c.at.clone());
            for ed in edges.iter().filter(|ed| ed.from == m && ed.via == c.key) {
                e.partners.push(nodes[ed.to].group.clone());
            }
        }
    }
    for c in channels.values_mut() {
        c.waited_at.sort();
        c.waited_at.dedup();
        c.partners.sort();
        c.partners.dedup();
    }
    let explanation = explain(kind, members, nodes, edges, &locks, &channels);
    Incident {
        id,
        kind,
        members: members
            .iter()
            .map(|&m| super::Member {
                leak: nodes[m].group.clone(),
                goroutines: nodes[m].goroutines.clone(),
            })
            .collect::<Vec<Member>>(),
        locks: locks.into_values().collect(),
        channels: channels.into_values().collect(),
        explanation,
        by_name: members.len() > 1,
    }
}

fn explain(
    kind: Kind,
    members: &[usize],
    nodes: &[Node],
    edges: &[Edge],
    locks: &BTreeMap<String, LockInfo>,
    channels: &BTreeMap<String, ChannelInfo>,
) -> String {
    let waits = |i: usize| nodes[i].waited_at.as_ref().map(at).unwrap_or_default();
    match kind {
        Kind::AbBa => {
            let Some((a, b)) = lock_cycle(members, nodes, edges) else {
                return String::new();
            };
            let part = |x: usize, y: usize| -> String {
                let (wk, wx) = nodes[x].on.clone().unwrap_or_default();
                let held = nodes[x]
                    .holds
                    .iter()
                    .find(|h| nodes[y].on.as_ref().is_some_and(|(k, _)| k == &h.key));
                match held {
                    Some(h) => format!(
                        "`{}` holds `{}` (locked at {}) and waits for `{}` at {}",
                        nodes[x].function,
                        key_name(&h.key, &h.expr),
                        at(&h.at),
                        key_name(&wk, &wx),
                        waits(x)
                    ),
                    None => String::new(),
                }
            };
            format!(
                "Lock-order deadlock (AB-BA): {}, while {}. Take the two locks in one order everywhere, or \
                 release the first before taking the second.",
                part(a, b),
                part(b, a)
            )
        }
        Kind::DoubleLocking
            if members.iter().all(|&m| {
                nodes[m]
                    .on
                    .as_ref()
                    .is_none_or(|(k, _)| !nodes[m].holds.iter().any(|h| &h.key == k))
            }) =>
        {
            let Some(&m) = members.iter().find(|&&m| nodes[m].relock.is_some()) else {
                return String::new();
            };
            let (k, x) = nodes[m].on.clone().unwrap_or_default();
            let (l, r) = nodes[m].relock.clone().unwrap_or_default();
            format!(
                "Double locking: the goroutine waits at {} for `{}`, which code on its own path left locked \
                 (this goroutine, the one that started it, or one it started, before the wait): locked at {}, \
                 left without unlocking at {}. Unlock on that path (or `defer` the unlock right after the \
                 `Lock`).",
                waits(m),
                key_name(&k, &x),
                at(&l),
                at(&r)
            )
        }
        Kind::DoubleLocking => {
            let Some(&m) = members.iter().find(|&&m| {
                nodes[m]
                    .on
                    .as_ref()
                    .is_some_and(|(k, _)| nodes[m].holds.iter().any(|h| &h.key == k))
            }) else {
                return String::new();
            };
            let (k, x) = nodes[m].on.clone().unwrap_or_default();
            let h = nodes[m].holds.iter().find(|h| h.key == k);
            format!(
                "Double locking: the goroutine waits at {} for `{}`, which it already holds (locked at {}); \
                 Go's locks are not re-entrant. Call a variant that expects the lock held, or release it \
                 before the call.",
                waits(m),
                key_name(&k, &x),
                h.map(|h| at(&h.at)).unwrap_or_default()
            )
        }
        Kind::Rwr => {
            let lock = locks.values().next();
            format!(
                "Reader-writer-reader deadlock on `{}`: a reader holds the read lock (locked at {}) and asks \
                 for it again at {} while a writer waits for the lock; a pending `Lock` blocks new readers. \
                 Take the read lock once per call path.",
                lock.map_or("", |l| l.name.as_str()),
                lock.and_then(|l| l.acquired_at.first()).map(at).unwrap_or_default(),
                lock.and_then(|l| l.waited_at.first()).map(at).unwrap_or_default()
            )
        }
        Kind::MissingUnlock => {
            let m = members.iter().find(|&&m| nodes[m].returns_locked.is_some());
            let Some(&m) = m else { return String::new() };
            let (k, x) = nodes[m].on.clone().unwrap_or_default();
            let (l, r) = nodes[m].returns_locked.clone().unwrap_or_default();
            format!(
                "Missing unlock: the goroutine waits at {} for `{}`, which no blocked goroutine holds; the \
                 `Lock` at {} is followed by a `return` at {} that leaves it locked. Unlock on that path, or \
                 `defer` the unlock right after the `Lock`.",
                waits(m),
                key_name(&k, &x),
                at(&l),
                at(&r)
            )
        }
        _ => {
            let mut parts: Vec<String> = Vec::new();
            for c in channels.values() {
                let made = match (&c.made_at, c.capacity.as_deref()) {
                    (Some(m), Some("0")) => format!(", unbuffered, made at {}", at(m)),
                    (Some(m), Some(cap)) => {
                        format!(", buffered (capacity {cap}) and full, made at {}", at(m))
                    }
                    _ => String::new(),
                };
                let left = match (c.left, &c.left_at) {
                    (Some(Left::Return), Some(a)) => Some(format!(
                        "the receiver returned early at {} without receiving",
                        at(a)
                    )),
                    (Some(Left::ContextDone), Some(a)) => Some(format!(
                        "the receiver's select left on the context's case at {}",
                        at(a)
                    )),
                    (Some(Left::Timer), Some(a)) => Some(format!(
                        "the receiver's select gave up on the timer at {}",
                        at(a)
                    )),
                    (Some(Left::CallerStopped), Some(a)) => Some(format!(
                        "the channel is returned to the caller, which stops draining it at {}",
                        at(a)
                    )),
                    (Some(Left::ReturnedToCaller), Some(a)) => Some(format!(
                        "the channel is returned to the caller at {}; check that every caller drains it",
                        at(a)
                    )),
                    _ => None,
                };
                let partner = if let Some(l) = left {
                    l
                } else if c.partners.is_empty() {
                    "no goroutine of this report would complete it".to_string()
                } else {
                    format!(
                        "{} blocked goroutine stack(s) would complete it later",
                        c.partners.len()
                    )
                };
                parts.push(format!(
                    "`{}`{made} is waited on at {}: {partner}",
                    c.name,
                    c.waited_at.iter().map(at).collect::<Vec<_>>().join(", ")
                ));
            }
            for l in locks.values() {
                parts.push(format!(
                    "`{}` is waited for at {}{}",
                    l.name,
                    l.waited_at.iter().map(at).collect::<Vec<_>>().join(", "),
                    if l.acquired_at.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " and held by a blocked goroutine (locked at {})",
                            l.acquired_at.iter().map(at).collect::<Vec<_>>().join(", ")
                        )
                    }
                ));
            }
            let head = match kind {
                Kind::ChannelContext => "Channel and context",
                Kind::Channel => "Channel",
                Kind::ChannelLock => "Channel and lock",
                Kind::ChannelWaitgroup => "Channel and WaitGroup",
                Kind::ChannelConditionVariable => "Channel and condition variable",
                Kind::ConditionVariable => "Condition variable",
                Kind::MisuseWaitgroup => "WaitGroup",
                _ => "Blocked goroutines",
            };
            for &m in members {
                if nodes[m].select_without_done {
                    parts.push(format!(
                        "the select at {} has no `<-ctx.Done()` case although `ctx` is in scope: add one \
                         that returns",
                        waits(m)
                    ));
                }
            }
            if parts.is_empty() {
                format!("{head}: {} blocked stack(s).", members.len())
            } else {
                format!("{head}: {}.", parts.join("; "))
            }
        }
    }
}
