"""The long fuzz run (not part of CI): feed generated inputs to archlint.lint.lint_file and report.

    python fuzz/run.py --inputs 100000 --workers 2 --seed 1
    python fuzz/run.py --seconds 600

A crash is an exception out of lint_file or an E900 internal-error finding. YAML inputs are also
loaded with the pure-Python parser, and any disagreement with libyaml is counted. Reported: cases run,
crashes (saved under fuzz/crashes/), disagreements, and the slowest and largest-memory inputs (peak
Python allocation, measured with tracemalloc, saved under fuzz/slowest/ and fuzz/largest/).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import tempfile
import time
import tracemalloc

try:
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen  # noqa: E402

from archlint import loader  # noqa: E402
from archlint.lint import lint_file  # noqa: E402

HERE = Path(__file__).resolve().parent
KEEP = 5  # slowest and largest inputs kept


def _verdict(path: str, use_libyaml: bool):
    try:
        return repr(loader.load_file(path, use_libyaml).data)
    except loader.LoadError as error:
        return (error.rule.code, error.message, error.line, error.column)
    except OSError as error:
        return ("OSError", str(error))


def worker(args) -> dict:
    seed, count, deadline, memory_every, max_memory = args
    if max_memory and resource is not None:  # a runaway input raises MemoryError (a crash, saved) instead of
        resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))  # waking the OOM killer
    rng = random.Random(seed)
    examples = gen.example_texts()
    stats = {"cases": 0, "crashes": [], "disagreements": [], "slowest": [], "largest": []}
    folder = tempfile.mkdtemp(prefix="archlint-fuzz-")
    lint_file(str(gen.EXAMPLES[0]))  # imports and schema caches: not charged to the first input
    for index in range(count):
        if deadline and time.time() > deadline:
            break
        suffix, raw = gen.generate(rng, examples)
        path = os.path.join(folder, f"case{suffix}")
        with open(path, "wb") as handle:
            handle.write(raw)
        traced = index % memory_every == 0  # tracing allocations slows everything: a sample of the inputs
        if traced:
            tracemalloc.start()
        start = time.perf_counter()
        try:
            result = lint_file(path)
            crash = next((f.message for f in result.findings if f.rule.code == "E900"), None)
        except BaseException:  # noqa: BLE001 - anything escaping is a crash
            crash = traceback.format_exc()
        elapsed = time.perf_counter() - start
        if traced:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            stats["largest"] = sorted(stats["largest"] + [(peak, len(raw), suffix, raw)], key=lambda t: -t[0])[:KEEP]
        stats["cases"] += 1
        if crash:
            stats["crashes"].append((seed, index, suffix, raw, crash))
        try:
            if suffix != ".json" and len(raw) < 20_000 and _verdict(path, True) != _verdict(path, False):
                stats["disagreements"].append((seed, index, suffix, raw))
        except BaseException:  # noqa: BLE001 - the loader itself failed: a crash too
            stats["crashes"].append((seed, index, suffix, raw, "loader: " + traceback.format_exc()))
        stats["slowest"] = sorted(stats["slowest"] + [(elapsed, len(raw), suffix, raw)], key=lambda t: -t[0])[:KEEP]
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=10_000, help="inputs in total (default 10,000)")
    parser.add_argument("--seconds", type=float, default=0, help="stop after this long (0: no time limit)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--memory-every", type=int, default=10, help="trace the memory of every Nth input")
    parser.add_argument("--max-memory", type=int, default=4 << 30, help="address-space limit per worker, bytes")
    options = parser.parse_args()
    deadline = time.time() + options.seconds if options.seconds else 0
    inputs = options.inputs if not options.seconds or options.inputs != 10_000 else 10**12
    shares = [inputs // options.workers + (i < inputs % options.workers) for i in range(options.workers)]
    started = time.time()
    with multiprocessing.Pool(options.workers) as pool:
        parts = pool.map(worker, [(options.seed * 1000 + i, n, deadline, options.memory_every, options.max_memory)
                                  for i, n in enumerate(shares)])
    cases = sum(p["cases"] for p in parts)
    crashes = [c for p in parts for c in p["crashes"]]
    disagreements = [d for p in parts for d in p["disagreements"]]
    slowest = sorted((s for p in parts for s in p["slowest"]), key=lambda t: -t[0])[:KEEP]
    largest = sorted((s for p in parts for s in p["largest"]), key=lambda t: -t[0])[:KEEP]
    for name, items in (("crashes", crashes), ("disagreements", disagreements), ("slowest", slowest),
                        ("largest", largest)):
        folder = HERE / name
        if items:
            folder.mkdir(exist_ok=True)
        for number, item in enumerate(items[:50]):
            suffix, raw = (item[2], item[3])
            (folder / f"{number:03d}{suffix}").write_bytes(raw)
            if name == "crashes":
                (folder / f"{number:03d}.txt").write_text(item[4])
    elapsed = time.time() - started
    print(f"cases run: {cases:,} in {elapsed:,.0f} s ({cases / max(elapsed, 1e-9):,.0f}/s, {options.workers} workers)")
    print(f"crashes: {len(crashes)}" + (f" (saved in {HERE / 'crashes'})" if crashes else ""))
    print(f"libyaml/pure-Python disagreements: {len(disagreements)}")
    print("slowest inputs: " + ", ".join(f"{t * 1000:,.1f} ms ({size:,} bytes{suffix})"
                                         for t, size, suffix, _ in slowest))
    print("largest-memory inputs (peak traced, every Nth input): " + ", ".join(
        f"{peak / 1e6:,.2f} MB ({size:,} bytes{suffix})" for peak, size, suffix, _ in largest))
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
