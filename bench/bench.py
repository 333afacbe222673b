#!/usr/bin/env python3
"""archlint's benchmark: whole-process wall time and peak memory, against the alternatives.

Each case runs as a fresh process, once to warm the file cache and then --runs times; the table shows
the median wall time and the largest peak RSS. Ratios compare cases measured in the same run, so
they hold across machines better than absolute numbers do.

    python bench/bench.py                      # Markdown table on stdout
    python bench/bench.py --json new.json      # also keep the raw numbers
    python bench/bench.py --compare old.json   # flag cases more than 20% slower than a saved run
    python bench/bench.py --framework-python /path/to/python   # a Python with torch, torchinfo, keras

Optional tools are measured when present: `check-jsonschema` on PATH, and torch/torchinfo/keras in
the --framework-python interpreter (default: this one). This is a script, not a test: nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed" / "example3.yaml"
RESNET_NATIVE = ROOT / "examples" / "resnet" / "resnet50_keras.yaml"
RESNET_KERAS_JSON = ROOT / "tests" / "data" / "keras" / "ResNet50.json"
SCHEMA = ROOT / "schemas" / "archlint.schema.json"
DEEPSEEK_V3 = ROOT / "examples" / "huggingface" / "deepseek-v3.json"
SIZES = (1_000, 10_000, 100_000)
REGRESSION = 1.20


def run_once(argv: list[str], env: dict) -> tuple[float, float, int]:
    """(seconds, peak RSS in MiB, exit status) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def measure(argv: list[str], runs: int, env: dict | None = None) -> dict:
    # Bytecode caching on, as on a user's machine: some environments (CI, sandboxes) set
    # PYTHONDONTWRITEBYTECODE, which makes every run recompile the project's modules from source.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | (env or {})
    run_once(argv, env)  # warm-up: file cache, .pyc files
    times, peaks, status = [], [], 0
    for _ in range(runs):
        seconds, peak, status = run_once(argv, env)
        times.append(seconds)
        peaks.append(peak)
    return {"median_s": statistics.median(times), "peak_mib": max(peaks), "exit": status, "runs": runs}


def generate(kind: str, path: Path, count: int) -> None:
    """Write a generated spec from a child process, so this process stays small: a child's peak RSS
    includes the pages of the parent it was forked from, until it executes its program."""
    code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import bench; " \
           f"bench.write_{kind}(__import__('pathlib').Path({str(path)!r}), {count})"
    subprocess.run([sys.executable, "-c", code], check=True)


def write_sequential(path: Path, layers: int) -> None:
    lines = ["archlint: 1", f"name: sequential-{layers}", "input: [64]", "layers:"]
    kinds = ["  - {type: Dense, units: 64}", "  - {type: Activation, activation: relu}"]
    lines += [kinds[i % 2] for i in range(layers)]
    path.write_text("\n".join(lines) + "\n")


def write_graph(path: Path, merges: int) -> None:
    """A residual chain: each Add merges a Dense branch with the tensor before it."""
    lines = ["archlint: 1", f"name: graph-{merges}", "input: [64]", "layers:", "  - {name: a0, type: Dense, units: 64}"]
    for i in range(1, merges + 1):
        lines.append(f"  - {{name: d{i}, type: Dense, units: 64, inputs: [a{i - 1}]}}")
        lines.append(f"  - {{name: a{i}, type: Add, inputs: [a{i - 1}, d{i}]}}")
    path.write_text("\n".join(lines) + "\n")


TORCH_RESNET50 = r"""
import torch, torch.nn as nn
from torchinfo import summary
def block(cin, mid, stride, project):
    main = nn.Sequential(nn.Conv2d(cin, mid, 1, bias=False), nn.BatchNorm2d(mid), nn.ReLU(),
        nn.Conv2d(mid, mid, 3, stride, 1, bias=False), nn.BatchNorm2d(mid), nn.ReLU(),
        nn.Conv2d(mid, mid * 4, 1, bias=False), nn.BatchNorm2d(mid * 4))
    short = nn.Sequential(nn.Conv2d(cin, mid * 4, 1, stride, bias=False), nn.BatchNorm2d(mid * 4)) if project else nn.Identity()
    class B(nn.Module):
        def __init__(s): super().__init__(); s.main, s.short = main, short
        def forward(s, x): return torch.relu(s.main(x) + s.short(x))
    return B()
layers, cin = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)], 64
for mid, n, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
    for i in range(n):
        layers.append(block(cin, mid, stride if i == 0 else 1, i == 0)); cin = mid * 4
model = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000))
summary(model, input_size=(1, 3, 224, 224), verbose=0)
"""

YOLOV8 = ROOT / "examples" / "yolo" / "yolov8n-like.yaml"
ULTRALYTICS_BUILD = ("from ultralytics.nn.tasks import DetectionModel; "
                     "m = DetectionModel({path!r}, verbose=False); sum(p.numel() for p in m.parameters())")

KERAS_REBUILD = (
    "import keras; m = keras.models.model_from_json(open({path!r}).read()); m.count_params()"
)


HF_META = """
import json, torch, transformers
data = json.load(open({path!r}))
config = transformers.AutoConfig.for_model(**data)
with torch.device("meta"):
    model = transformers.AutoModelForCausalLM.from_config(config)
print(sum(p.numel() for p in model.parameters()))
"""


def has_module(python: str, module: str) -> bool:
    probe = subprocess.run([python, "-c", f"import {module}"], capture_output=True, env={**os.environ, "KERAS_BACKEND": "torch"})
    return probe.returncode == 0


def cases(args, workdir: Path) -> list[tuple[str, list[str], dict]]:
    py = sys.executable
    archlint = [py, "-m", "archlint"]
    found = [
        ("python -c pass", [py, "-c", "pass"], {}),
        ("python -c 'import yaml, click, jsonschema'", [py, "-c", "import yaml, click, jsonschema"], {}),
        ("archlint check seed example", archlint + ["check", str(SEED)], {}),
    ]
    if RESNET_NATIVE.exists():
        found.append(("archlint check ResNet-50 (native spec)", archlint + ["check", str(RESNET_NATIVE)], {}))
        beside = Path(sys.executable).parent / "check-jsonschema"  # installed in this interpreter's environment
        checker = str(beside) if beside.exists() else shutil.which("check-jsonschema")
        if checker:
            found.append(("check-jsonschema ResNet-50 (schema only)",
                          [checker, "--schemafile", str(SCHEMA), str(RESNET_NATIVE)], {}))
    if RESNET_KERAS_JSON.exists():
        found.append(("archlint check ResNet50.json (Keras to_json)", archlint + ["check", str(RESNET_KERAS_JSON)], {}))
    # issue 12: the largest Hugging Face config (61 layers, 256 routed experts each), and transformers
    # building the same model on the meta device (no weights allocated)
    found.append(("archlint check DeepSeek-V3 config.json", archlint + ["check", str(DEEPSEEK_V3)], {}))
    fw = args.framework_python
    if has_module(fw, "transformers"):
        found.append(("transformers DeepSeek-V3 from_config on the meta device", [fw, "-c", HF_META.format(
            path=str(DEEPSEEK_V3))], {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}))
    if has_module(fw, "torchinfo"):
        script = workdir / "torch_resnet50.py"
        script.write_text(TORCH_RESNET50)
        found.append(("torchinfo summary ResNet-50", [fw, str(script)], {}))
    if RESNET_KERAS_JSON.exists() and has_module(fw, "keras"):
        found.append(("keras model_from_json(ResNet50).count_params()",
                      [fw, "-c", KERAS_REBUILD.format(path=str(RESNET_KERAS_JSON))], {"KERAS_BACKEND": "torch"}))
    # issue 13: an Ultralytics model YAML (our YOLOv8n-like example), one scale and every scale, and
    # building the same model with ultralytics (YAML only, offline, no weights)
    found.append(("archlint check YOLOv8n YAML (one scale)", archlint + ["check", str(YOLOV8)], {}))
    found.append(("archlint check YOLOv8 YAML --scale all", archlint + ["check", "--scale", "all", str(YOLOV8)], {}))
    if has_module(fw, "ultralytics"):
        found.append(("ultralytics DetectionModel(YOLOv8n YAML)", [fw, "-c", ULTRALYTICS_BUILD.format(path=str(YOLOV8))],
                      {"YOLO_OFFLINE": "1", "YOLO_CONFIG_DIR": str(workdir)}))
    for size in args.sizes:
        spec = workdir / f"seq{size}.yaml"
        generate("sequential", spec, size)
        found.append((f"archlint check {size:,} sequential layers", archlint + ["check", str(spec)], {}))
        found.append((f"yaml.compose (libyaml) {size:,} sequential layers",
                      [py, "-c", f"import yaml; yaml.compose(open({str(spec)!r}), Loader=yaml.CSafeLoader)"], {}))
        graph = workdir / f"graph{size}.yaml"
        generate("graph", graph, size // 2)
        found.append((f"archlint check graph of {size // 2:,} merges", archlint + ["check", str(graph)], {}))
    return found


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def ratio(results: dict, a: str, b: str) -> str:
    if a in results and b in results:
        return f"{results[a]['median_s'] / results[b]['median_s']:.2f}x"
    return "n/a"


def report(results: dict) -> str:
    floor = results["python -c pass"]["median_s"]
    out = [f"Machine: {machine()}", "", "| case | median (ms) | peak RSS (MiB) | vs `python -c pass` | exit |",
           "|---|---:|---:|---:|---:|"]
    for label, r in results.items():
        out.append(f"| {label} | {r['median_s'] * 1000:.1f} | {r['peak_mib']:.1f} | {r['median_s'] / floor:.2f}x | {r['exit']} |")
    out += ["", "| target | measured |", "|---|---|"]
    deps = "python -c 'import yaml, click, jsonschema'"
    out.append(f"| seed check within 1.2x of importing the dependencies | {ratio(results, 'archlint check seed example', deps)} |")
    native = "archlint check ResNet-50 (native spec)"
    out.append(f"| ResNet-50 check no slower than check-jsonschema | {ratio(results, native, 'check-jsonschema ResNet-50 (schema only)')} |")
    out.append(f"| torchinfo at least 10x slower than the ResNet-50 check | {ratio(results, 'torchinfo summary ResNet-50', native)} |")
    out.append(f"| Keras rebuild at least 20x slower | {ratio(results, 'keras model_from_json(ResNet50).count_params()', native)} |")
    deepseek = "archlint check DeepSeek-V3 config.json"
    out.append(f"| DeepSeek-V3 config check / seed check (target: at most 1.5x) | "
               f"{ratio(results, deepseek, 'archlint check seed example')} |")
    out.append(f"| transformers meta-device build / DeepSeek-V3 check | "
               f"{ratio(results, 'transformers DeepSeek-V3 from_config on the meta device', deepseek)} |")
    seed = "archlint check seed example"
    out.append(f"| YOLOv8n YAML check / seed check (target: at most 1.2x) | "
               f"{ratio(results, 'archlint check YOLOv8n YAML (one scale)', seed)} |")
    out.append(f"| YOLOv8 YAML --scale all / seed check (target: at most 2x) | "
               f"{ratio(results, 'archlint check YOLOv8 YAML --scale all', seed)} |")
    out.append(f"| ultralytics build / YOLOv8n YAML check | "
               f"{ratio(results, 'ultralytics DetectionModel(YOLOv8n YAML)', 'archlint check YOLOv8n YAML (one scale)')} |")
    sizes = [s for s in SIZES if f"archlint check {s:,} sequential layers" in results]
    for s in sizes:
        goal = " (target: within 2x)" if s == 100_000 else ""
        out.append(f"| {s:,} layers: check / libyaml parse{goal} | "
                   f"{ratio(results, f'archlint check {s:,} sequential layers', f'yaml.compose (libyaml) {s:,} sequential layers')} |")
    for small, big in zip(sizes, sizes[1:]):
        out.append(f"| {small:,} -> {big:,} layers: time growth (target: at most 11x) | "
                   f"{ratio(results, f'archlint check {big:,} sequential layers', f'archlint check {small:,} sequential layers')} |")
    return "\n".join(out)


def compare(results: dict, old_path: Path) -> list[str]:
    old = json.loads(old_path.read_text())
    slower = []
    for label, r in results.items():
        if label in old.get("results", {}):
            before = old["results"][label]["median_s"]
            if r["median_s"] > before * REGRESSION:
                slower.append(f"{label}: {before * 1000:.1f} ms -> {r['median_s'] * 1000:.1f} ms "
                              f"(+{100 * (r['median_s'] / before - 1):.0f}%)")
    return slower


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--framework-python", default=sys.executable)
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    parser.add_argument("--compare", type=Path, help="a --json file of an earlier run: flag regressions > 20%%")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for label, argv, env in cases(args, Path(tmp)):
            runs = args.runs if "100,000" not in label else max(3, args.runs // 2)
            results[label] = measure(argv, runs, env)
            print(f"measured {label}: {results[label]['median_s'] * 1000:.1f} ms", file=sys.stderr)
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": results}, indent=2))
    if args.compare:
        slower = compare(results, args.compare)
        print("\n" + ("\n".join(f"REGRESSION {line}" for line in slower) or "no case is more than 20% slower"))
        return 1 if slower else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
