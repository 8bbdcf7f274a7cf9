#!/usr/bin/env python3
"""Builds a large `go test -json` stream from real captures, for the benchmark harness (`bench/run`).

The stream is the real `go test -json -short std` capture replayed many times, each replay under
renamed packages (`archive/tar` becomes `archive/tar/r0001`, ...), with the leaky fixture module's
capture (also renamed, `example.com/leaky/waitgroup/f0001`, ...) spliced in before every N-th replay,
so that failures and leaks appear all through the stream.

The dump-heavy stream (`--dump-heavy`) is the capture of the fixture package `repeats` replayed
alone, each copy renamed (`example.com/leaky/repeats/d0001`, ...): 24 subtests under
`goleak.VerifyNone` without `IgnoreCurrent`, each reporting again every goroutine the earlier ones
leaked, so that almost every byte of the stream is a goroutine dump.

Only the package's own names are renamed: the `Package` field, `ImportPath` / `FailedBuild`
(`pkg [pkg.test]`), and the package's own summary lines in package-level output (`ok  \\tpkg\\t…`,
`FAIL\\tpkg\\t…`, `FAIL\\tpkg [build failed]`, `?   \\tpkg\\t[no test files]`, `# pkg [pkg.test]`).
Stacks and test output are left alone, so the function names in them, and therefore the leak ids,
stay those of the original capture.

Each capture is turned once into a template: its bytes cut at every point where a suffix goes. A
replay is then `suffix.join(chunks)`, so building 1 GB takes about as long as writing it.

Standard library only. Usable on its own:

    python3 bench/gen_stream.py --size-mb 1024 --out /tmp/stream.json
    python3 bench/gen_stream.py --size-mb 1024 --dump-heavy --out /tmp/dump-heavy.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

REPO = Path(__file__).resolve().parent.parent
STD_CAPTURE = REPO / "fixtures/streams/std/std-short.json.gz"
FIXTURE_CAPTURE = REPO / "fixtures/streams/go1.26/test.json"
REPEATS_CAPTURE = REPO / "fixtures/streams/go1.26-repeats/test.json"

# A package name inside a JSON string: no quote, backslash (escape) or space.
_NAME = rb'[^"\\ ]+'
_PACKAGE = re.compile(rb'"Package":"(' + _NAME + rb')"')
# `"ImportPath":"pkg"` or `"ImportPath":"pkg [pkg.test]"`; FailedBuild has the same shape.
_IMPORT = re.compile(rb'"(?:ImportPath|FailedBuild)":"(' + _NAME + rb')(?: \[(' + _NAME + rb')\.test\])?"')
# A package's own summary line: `ok  \tpkg…`, `FAIL\tpkg…`, `?   \tpkg…`, `# pkg [pkg.test]`.
_SUMMARY = re.compile(
    rb'"Output":"(?:(?:ok  |FAIL|\?   )\\t|# )(' + _NAME + rb')(?=\\t|\\n| \[|")(?: \[(' + _NAME + rb')\.test\])?'
)


def cut_points(line: bytes) -> list[int]:
    """Offsets in one stream line where the rename suffix is inserted (right after each own name)."""
    points: list[int] = []
    own = None
    m = _PACKAGE.search(line)
    if m:
        own = m.group(1)
        points.append(m.end(1))
    for m in _IMPORT.finditer(line):
        if own is None:
            own = m.group(1)
        for g in (1, 2):
            if m.group(g) == own:
                points.append(m.end(g))
    if own is not None and b'"Test":' not in line:
        m = _SUMMARY.search(line)
        if m:
            for g in (1, 2):
                if m.group(g) == own:
                    points.append(m.end(g))
    return sorted(set(points))


def template(data: bytes) -> list[bytes]:
    """Cuts a whole capture at every rename point: `suffix.join(template(data))` is the renamed capture."""
    chunks: list[bytes] = []
    start = 0  # start of the current chunk
    pos = 0  # start of the current line
    n = len(data)
    while pos < n:
        nl = data.find(b"\n", pos)
        end = n if nl < 0 else nl + 1
        line = data[pos:end]
        for p in cut_points(line):
            chunks.append(data[start : pos + p])
            start = pos + p
        pos = end
    chunks.append(data[start:])
    return chunks


def rename(data: bytes, suffix: str) -> bytes:
    """The capture with every package renamed to `pkg + suffix`."""
    return suffix.encode().join(template(data))


def read_capture(path: Path) -> bytes:
    """A capture's bytes (gunzipped when the name ends in `.gz`)."""
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


@dataclass
class Plan:
    """What a built stream holds."""

    replays: int = 0
    """Replays of the std capture."""
    splices: int = 0
    """Copies of the fixture capture spliced in."""
    bytes: int = 0
    """Total size."""
    every: int = 1
    """A fixture copy goes before every `every`-th replay (replay 0, every, 2*every, ...)."""
    copies: int = 0
    """Copies of the repeats capture (the dump-heavy stream; it has no replays or splices)."""
    layout: list[str] = field(default_factory=list)
    """The suffixes in stream order (`/r0000` = a std replay, `/f0000` = a fixture copy, `/d0000` = a
    copy of the repeats capture)."""


def plan(target_bytes: int, std: tuple[int, int], fixture: tuple[int, int], every: int) -> Plan:
    """Whole replays until the stream is at least `target_bytes` long (at least one replay).

    `std` and `fixture` are (bytes, rename points) of each capture.
    """
    p = Plan(every=max(1, every))

    def add(suffix: str, shape: tuple[int, int]) -> None:
        p.layout.append(suffix)
        p.bytes += shape[0] + len(suffix) * shape[1]

    while p.replays == 0 or p.bytes < target_bytes:
        if p.replays % p.every == 0:
            add(f"/f{p.splices:04d}", fixture)
            p.splices += 1
        add(f"/r{p.replays:04d}", std)
        p.replays += 1
    return p


def plan_dump_heavy(target_bytes: int, repeats: tuple[int, int]) -> Plan:
    """Whole copies of the repeats capture until the stream is at least `target_bytes` long (at least one).

    `repeats` is (bytes, rename points) of the capture.
    """
    p = Plan()
    while p.copies == 0 or p.bytes < target_bytes:
        suffix = f"/d{p.copies:04d}"
        p.layout.append(suffix)
        p.bytes += repeats[0] + len(suffix) * repeats[1]
        p.copies += 1
    return p


def write_stream(
    out: BinaryIO, std_chunks: list[bytes], fixture_chunks: list[bytes], p: Plan, repeats_chunks: list[bytes] | None = None
) -> int:
    """Writes the planned stream; returns the bytes written. `repeats_chunks` is needed for `/d` copies."""
    written = 0
    for suffix in p.layout:
        if suffix.startswith("/d"):
            if repeats_chunks is None:
                raise ValueError("a dump-heavy plan needs the repeats capture's template")
            chunks = repeats_chunks
        else:
            chunks = std_chunks if suffix.startswith("/r") else fixture_chunks
        buf = suffix.encode().join(chunks)
        out.write(buf)
        written += len(buf)
    return written


def shape(chunks: list[bytes]) -> tuple[int, int]:
    """(bytes, rename points) of a template."""
    return sum(map(len, chunks)), len(chunks) - 1


def build(
    out_path: Path,
    target_bytes: int,
    every: int = 1,
    std_path: Path = STD_CAPTURE,
    fixture_path: Path = FIXTURE_CAPTURE,
) -> Plan:
    """Builds the stream at `out_path` (written to a temporary name, then renamed) and returns its plan."""
    std_chunks = template(read_capture(std_path))
    fixture_chunks = template(read_capture(fixture_path))
    p = plan(target_bytes, shape(std_chunks), shape(fixture_chunks), every)
    tmp = out_path.with_name(out_path.name + ".tmp")
    with open(tmp, "wb") as f:
        written = write_stream(f, std_chunks, fixture_chunks, p)
    if written != p.bytes:
        raise RuntimeError(f"wrote {written} bytes, planned {p.bytes}")
    os.replace(tmp, out_path)
    return p


def build_dump_heavy(out_path: Path, target_bytes: int, repeats_path: Path = REPEATS_CAPTURE) -> Plan:
    """Builds the dump-heavy stream at `out_path` (written to a temporary name, then renamed)."""
    chunks = template(read_capture(repeats_path))
    p = plan_dump_heavy(target_bytes, shape(chunks))
    tmp = out_path.with_name(out_path.name + ".tmp")
    with open(tmp, "wb") as f:
        written = write_stream(f, [], [], p, chunks)
    if written != p.bytes:
        raise RuntimeError(f"wrote {written} bytes, planned {p.bytes}")
    os.replace(tmp, out_path)
    return p


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mb", type=float, default=1024, help="target size in MiB (default 1024); whole replays, so the stream is at least this")
    ap.add_argument("--every", type=int, default=1, help="splice the fixture capture in before every N-th std replay (default 1)")
    ap.add_argument("--dump-heavy", action="store_true", help="the dump-heavy stream: copies of the repeats capture only")
    ap.add_argument("--out", type=Path, required=True, help="where to write the stream")
    args = ap.parse_args(argv)
    t = time.monotonic()
    target = int(args.size_mb * 1024 * 1024)
    p = build_dump_heavy(args.out, target) if args.dump_heavy else build(args.out, target, args.every)
    secs = time.monotonic() - t
    print(
        json.dumps(
            {"path": str(args.out), "bytes": p.bytes, "replays": p.replays, "splices": p.splices, "copies": p.copies, "every": p.every, "seconds": round(secs, 2)}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
