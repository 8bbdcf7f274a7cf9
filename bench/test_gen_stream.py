"""Tests of the stream builder: `python3 -m unittest discover -s bench -p 'test_*.py'`."""

import io
import json
import re
import unittest

import gen_stream as gs


class RenameLine(unittest.TestCase):
    def renamed(self, line: str) -> str:
        return gs.rename(line.encode(), "/r0007").decode()

    def test_package_field(self):
        line = '{"Time":"t","Action":"run","Package":"archive/tar","Test":"TestReader"}\n'
        self.assertEqual(
            self.renamed(line), '{"Time":"t","Action":"run","Package":"archive/tar/r0007","Test":"TestReader"}\n'
        )

    def test_ok_line(self):
        line = '{"Action":"output","Package":"bytes","Output":"ok  \\tbytes\\t0.31s\\n"}\n'
        self.assertEqual(
            self.renamed(line), '{"Action":"output","Package":"bytes/r0007","Output":"ok  \\tbytes/r0007\\t0.31s\\n"}\n'
        )

    def test_no_test_files_line(self):
        line = '{"Action":"output","Package":"a/b","Output":"?   \\ta/b\\t[no test files]\\n"}\n'
        self.assertEqual(
            self.renamed(line), '{"Action":"output","Package":"a/b/r0007","Output":"?   \\ta/b/r0007\\t[no test files]\\n"}\n'
        )

    def test_build_failure(self):
        lines = (
            '{"ImportPath":"x/bf [x/bf.test]","Action":"build-output","Output":"# x/bf [x/bf.test]\\n"}\n'
            '{"Action":"output","Package":"x/bf","Output":"FAIL\\tx/bf [build failed]\\n"}\n'
            '{"Action":"fail","Package":"x/bf","Elapsed":0.001,"FailedBuild":"x/bf [x/bf.test]"}\n'
        )
        self.assertEqual(
            self.renamed(lines),
            '{"ImportPath":"x/bf/r0007 [x/bf/r0007.test]","Action":"build-output","Output":"# x/bf/r0007 [x/bf/r0007.test]\\n"}\n'
            '{"Action":"output","Package":"x/bf/r0007","Output":"FAIL\\tx/bf/r0007 [build failed]\\n"}\n'
            '{"Action":"fail","Package":"x/bf/r0007","Elapsed":0.001,"FailedBuild":"x/bf/r0007 [x/bf/r0007.test]"}\n',
        )

    def test_stacks_and_test_output_are_left_alone(self):
        # A test's own output naming its package, and a package-level stack line: not summary lines.
        lines = (
            '{"Action":"output","Package":"p","Test":"T","Output":"FAIL\\tp\\t0.1s\\n"}\n'
            '{"Action":"output","Package":"p","Output":"created by p.NewLogger in goroutine 5\\n"}\n'
            '{"Action":"output","Package":"p","Output":"ok  \\tother\\t0.1s\\n"}\n'
        )
        self.assertEqual(
            self.renamed(lines),
            '{"Action":"output","Package":"p/r0007","Test":"T","Output":"FAIL\\tp\\t0.1s\\n"}\n'
            '{"Action":"output","Package":"p/r0007","Output":"created by p.NewLogger in goroutine 5\\n"}\n'
            '{"Action":"output","Package":"p/r0007","Output":"ok  \\tother\\t0.1s\\n"}\n',
        )

    def test_line_without_package_is_unchanged(self):
        self.assertEqual(self.renamed("not json at all\n"), "not json at all\n")
        self.assertEqual(gs.cut_points(b"not json\n"), [])


class RenameFixture(unittest.TestCase):
    """The real fixture capture: every package renamed, every summary line with it, nothing else changed."""

    def test_fixture_capture(self):
        data = gs.read_capture(gs.FIXTURE_CAPTURE)
        out = gs.rename(data, "/f0003")
        self.assertEqual(len(out) - len(data), 6 * (len(gs.template(data)) - 1))
        original = [json.loads(l) for l in data.decode().splitlines()]
        renamed = [json.loads(l) for l in out.decode().splitlines()]
        self.assertEqual(len(original), len(renamed))
        summaries = 0
        for a, b in zip(original, renamed):
            self.assertEqual(a.keys(), b.keys())
            for k in a:
                if k in ("Package",):
                    self.assertEqual(b[k], a[k] + "/f0003")
                elif k in ("ImportPath", "FailedBuild"):
                    self.assertEqual(b[k], re.sub(r"^(\S+) \[(\S+)\.test\]$", r"\1/f0003 [\2/f0003.test]", a[k]))
                elif k == "Output" and b[k] != a[k]:
                    self.assertNotIn("Test", a)
                    summaries += 1
                    own = a.get("Package") or a["ImportPath"].split(" ")[0]
                    self.assertEqual(b[k], a[k].replace(own, own + "/f0003"))
                else:
                    self.assertEqual(b[k], a[k])
        # 21 ok/FAIL lines, 4 `?` lines, and the build failure's `# pkg` and `FAIL pkg [build failed]`.
        self.assertEqual(summaries, 27)


class RenameRepeats(unittest.TestCase):
    """The real repeats capture (the dump-heavy stream's source): its one package renamed, stacks untouched."""

    def test_repeats_capture(self):
        data = gs.read_capture(gs.REPEATS_CAPTURE)
        out = gs.rename(data, "/d0042")
        original = [json.loads(l) for l in data.decode().splitlines()]
        renamed = [json.loads(l) for l in out.decode().splitlines()]
        self.assertEqual(len(original), len(renamed))
        # Every event names the package once; only the package's own `FAIL\tpkg\t…s` line is a summary.
        self.assertEqual(len(gs.template(data)) - 1, len(original) + 1)
        self.assertEqual({e["Package"] for e in renamed}, {"example.com/leaky/repeats/d0042"})
        changed = [(a["Output"], b["Output"]) for a, b in zip(original, renamed) if a.get("Output") != b.get("Output")]
        self.assertEqual(len(changed), 1)
        self.assertTrue(changed[0][0].startswith("FAIL\texample.com/leaky/repeats\t"))
        self.assertTrue(changed[0][1].startswith("FAIL\texample.com/leaky/repeats/d0042\t"))
        # 300 goroutine reports: subtest i lists the i + 1 goroutines leaked so far.
        headers = [e for e in original if "Goroutine " in e.get("Output", "") and "on top of the stack:" in e["Output"]]
        self.assertEqual(len(headers), 300)


class Plan(unittest.TestCase):
    def test_dump_heavy_whole_copies(self):
        p = gs.plan_dump_heavy(1000, (300, 2))
        self.assertEqual(p.layout, ["/d0000", "/d0001", "/d0002", "/d0003"])
        self.assertEqual((p.copies, p.replays, p.splices), (4, 0, 0))
        self.assertEqual(p.bytes, 4 * (300 + 2 * 6))
        self.assertEqual(gs.plan_dump_heavy(0, (300, 2)).layout, ["/d0000"])

    def test_written_dump_heavy_stream_matches_plan(self):
        rep = gs.template(b'{"Package":"x","Output":"FAIL\\tx\\t1s\\n"}\n')
        p = gs.plan_dump_heavy(100, gs.shape(rep))
        buf = io.BytesIO()
        self.assertEqual(gs.write_stream(buf, [], [], p, rep), p.bytes)
        self.assertEqual(len(buf.getvalue()), p.bytes)
        self.assertEqual(
            buf.getvalue().decode().splitlines()[:2],
            ['{"Package":"x/d0000","Output":"FAIL\\tx/d0000\\t1s\\n"}', '{"Package":"x/d0001","Output":"FAIL\\tx/d0001\\t1s\\n"}'],
        )
        with self.assertRaises(ValueError):
            gs.write_stream(io.BytesIO(), [], [], p)

    def test_whole_replays_with_a_fixture_copy_every_other(self):
        p = gs.plan(1000, (300, 2), (10, 1), every=2)
        self.assertEqual(p.layout, ["/f0000", "/r0000", "/r0001", "/f0001", "/r0002", "/r0003"])
        self.assertEqual((p.replays, p.splices), (4, 2))
        self.assertEqual(p.bytes, 4 * (300 + 2 * 6) + 2 * (10 + 6))

    def test_at_least_one_replay(self):
        p = gs.plan(0, (300, 2), (10, 1), every=1)
        self.assertEqual(p.layout, ["/f0000", "/r0000"])

    def test_written_stream_matches_plan(self):
        std = gs.template(b'{"Package":"a"}\n{"Package":"b","Output":"ok  \\tb\\t0s\\n"}\n')
        fix = gs.template(b'{"Package":"x"}\n')
        p = gs.plan(100, gs.shape(std), gs.shape(fix), every=1)
        buf = io.BytesIO()
        self.assertEqual(gs.write_stream(buf, std, fix, p), p.bytes)
        self.assertEqual(len(buf.getvalue()), p.bytes)
        self.assertEqual(
            buf.getvalue().decode().splitlines()[:4],
            [
                '{"Package":"x/f0000"}',
                '{"Package":"a/r0000"}',
                '{"Package":"b/r0000","Output":"ok  \\tb/r0000\\t0s\\n"}',
                '{"Package":"x/f0001"}',
            ],
        )


if __name__ == "__main__":
    unittest.main()
