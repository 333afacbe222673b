"""Huge numbers cost no time (issue 15, item 5): the coverage analyses are arithmetic, compared here with
enumeration on small axes; the frameworks' own verdicts on numbers beyond 64 bits and non-finite floats;
and worst-case specs of under 1 KB checked in a subprocess under a memory limit and a CPU-time budget."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from archlint.layers import windows
from archlint.layers.conv_transpose import Scatter, _hits
from archlint.layers.windows import AxisWindow, output_size
from archlint.lint import lint_file

ROOT = Path(__file__).resolve().parents[1]
BOUNDS = sorted((ROOT / "tests" / "data" / "bounds").glob("*.yaml"))

_SOURCES = {
    "zeros": lambda p, n: p if 0 <= p < n else None,
    "reflect": lambda p, n: -p if p < 0 else 2 * (n - 1) - p if p >= n else p,
    "replicate": lambda p, n: min(max(p, 0), n - 1),
    "circular": lambda p, n: p % n,
}


def _enumerated(w: AxisWindow, mode: str) -> frozenset:
    """Every tap of every window, one by one: the definition the arithmetic must match."""
    read = set()
    for i in range(w.out):
        for j in range(w.k):
            p = _SOURCES[mode](i * w.s - w.before + j * w.d, w.n)
            if p is not None and 0 <= p < w.n:
                read.add(p)
    return frozenset(range(w.n)) - read


def test_unread_positions_match_enumeration():
    rng = random.Random(15)
    checked = 0
    for _ in range(4000):
        n, k, s, d = rng.randint(1, 40), rng.randint(1, 6), rng.randint(1, 9), rng.randint(1, 6)
        mode = rng.choice(list(_SOURCES))
        limit = n - 1 if mode == "reflect" else n if mode == "circular" else 12
        before, after = rng.randint(0, limit), rng.randint(0, limit)
        out = output_size(n, before, after, d * (k - 1) + 1, s)
        if out is None or out <= 0:
            continue
        w = AxisWindow(1, n, k, s, d, before, after, out)
        assert windows.unread_positions(w, mode) == _enumerated(w, mode), (n, k, s, d, before, after, mode)
        checked += 1
    assert checked > 2000


def test_transposed_scatter_matches_enumeration():
    rng = random.Random(16)
    for _ in range(3000):
        n, k, s, d = rng.randint(1, 30), rng.randint(1, 6), rng.randint(1, 9), rng.randint(1, 4)
        crop, extra = rng.randint(0, 8), rng.randint(0, 3)
        out = (n - 1) * s + d * (k - 1) + 1 + extra - 2 * crop
        if out <= 0:
            continue
        reached, unread = set(), []
        for i in range(n):
            used = False
            for j in range(k):
                o = i * s + j * d - crop
                if 0 <= o < out:
                    reached.add(o)
                    used = True
            if not used:
                unread.append(i)
        lonely = [o for o in range(out) if o not in reached]
        got_unread, got_runs = _hits(Scatter(2, n, k, s, d, crop, out, "width axis"))
        assert got_unread == unread
        assert [o for a, b in got_runs for o in range(a, b + 1)] == lonely


def test_transposed_gaps_on_a_huge_output_are_counted_not_listed():
    a = Scatter(2, 28, 3, 300_000_000, 1, 0, 27 * 300_000_000 + 3, "height axis")
    unread, lonely = _hits(a)
    assert unread == []
    assert len(lonely) == 28 - 1  # one gap between consecutive inputs' footprints, none after the last
    assert sum(b - a + 1 for a, b in lonely) == a.out - 28 * 3
    assert windows.describe_runs(lonely, a.out) == "8,099,999,919 (3, 4, 5, 6, 7, 8, ...)"


def _codes(tmp_path, text: str) -> list[tuple[str, int, int]]:
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(text))
    return [(f.rule.code, f.line, f.column) for f in lint_file(str(path)).findings]


SPEC = """\
    archlint: 1
    framework: pytorch
    input: [8, 28, 28]
    layers:
      - {LAYER}
"""


@pytest.mark.parametrize("layer, expected", [
    # torch 2.13.0: "Storage size calculation overflowed with sizes=[1, 16, 8100000003, 8100000003]"
    ("{type: ConvTranspose2d, in_channels: 8, out_channels: 16, kernel_size: 3, stride: 300000000}",
     [("E030", 5, 12), ("W004", 5, 87)]),
    # torch: "argument 'stride' failed to unpack the object at pos 1 with error Overflow when unpacking long long"
    ("{type: ConvTranspose2d, in_channels: 8, out_channels: 16, kernel_size: 3, stride: 18446744073709551617}",
     [("E002", 5, 87)]),
    ("{type: Conv2d, in_channels: 8, out_channels: 16, kernel_size: 3, stride: 9223372036854775808}",
     [("E002", 5, 78)]),
    # a stride of 2**63 - 1 fits: torch gives a 1x1 output
    ("{type: Conv2d, in_channels: 8, out_channels: 16, kernel_size: 3, stride: 9223372036854775807}",
     [("W001", 5, 78)]),
    # torch: "value cannot be converted to type int64_t without overflow"
    ("{type: Upsample, scale_factor: -1e+308}", [("E002", 5, 36)]),
    ("{type: Upsample, scale_factor: 1e+308}", [("E002", 5, 36)]),
    ("{type: Upsample, scale_factor: .inf}", [("E002", 5, 36)]),
    ("{type: Upsample, scale_factor: .nan}", [("E002", 5, 36)]),
    # torch: "Storage size calculation overflowed with sizes=[1, 8, 280000000000, 280000000000]"
    ("{type: Upsample, scale_factor: 1e10}", [("E030", 5, 12)]),
    # torch: "Input and output sizes should be greater than 0 ... output size [-56, -56]"
    ("{type: Upsample, scale_factor: -2}", [("E001", 5, 36)]),
])
def test_torch_verdicts_on_huge_and_non_finite_numbers(tmp_path, layer, expected):
    assert _codes(tmp_path, SPEC.replace("{LAYER}", layer)) == expected


def test_keras_builds_huge_strides_symbolically(tmp_path):
    # Keras 3.15.1: Conv2DTranspose(16, 3, strides=2**64 + 1) on (28, 28, 8) gives (None, 516508834063867445276, ...)
    text = SPEC.replace("pytorch", "keras").replace("[8, 28, 28]", "[28, 28, 8]").replace(
        "{LAYER}", "{type: Conv2DTranspose, filters: 16, kernel_size: 3, strides: 18446744073709551617, "
                   "expect: {output_shape: [null, 516508834063867445276, 516508834063867445276, 16]}}")
    assert [c for c, _, _ in _codes(tmp_path, text)] == ["W004"]


_RUNNER = """
import json, resource, signal, sys
from archlint.lint import lint_file
lint_file(sys.argv[1])  # imports and caches first: the budget is the spec's, not the interpreter's
with open("/proc/self/status") as status:
    used = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
limit = used + 100 * 2**20  # 100 MB more than the warmed-up interpreter
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
def over(signum, frame):
    raise SystemExit("over the CPU-time budget of one second: " + path)
signal.signal(signal.SIGVTALRM, over)
codes = {}
for path in sys.argv[2:]:
    signal.setitimer(signal.ITIMER_VIRTUAL, 1.0)
    codes[path] = sorted({f.rule.code for f in lint_file(path).findings})
    signal.setitimer(signal.ITIMER_VIRTUAL, 0)
print(json.dumps(codes))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmSize from /proc (Linux)")
def test_worst_case_specs_stay_within_a_second_and_100_mb():
    assert len(BOUNDS) >= 10 and all(p.stat().st_size < 1024 for p in BOUNDS)
    result = subprocess.run([sys.executable, "-c", _RUNNER, str(ROOT / "examples" / "lenet5" / "lenet5_keras.yaml")]
                            + [str(p) for p in BOUNDS], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    codes = json.loads(result.stdout)
    assert "E900" not in {c for found in codes.values() for c in found}
    assert codes[str(ROOT / "tests/data/bounds/conv_transpose_stride.yaml")] == ["E030", "W004"]
