"""torch.reshape across the batch axis against torch 2.13.0 (issue 15 §3): a sweep of targets on a few
inputs, alone and after a reshape that folds rows into the batch, each run by torch at batch sizes
1-12 on a tensor whose every element is its sample's index.

- E002 exactly when torch refuses: at a batch of 1 for a target with -1 (the batch is unknown, and a
  model that fails for some batch sizes is a bug), at every batch size for a target written in full
  (which fixes the batch size);
- W029 exactly when torch runs it and some row of the output holds elements of two samples;
- otherwise silent, and the output's known sizes are torch's, its batch axis `rows` x the batch.

    python -m pytest -q -m crosscheck tests/crosscheck/test_reshape_batch.py
"""

from __future__ import annotations

import math

import pytest

from archlint import yaml12
from archlint.lint import lint_file

pytestmark = pytest.mark.crosscheck

BATCHES = range(1, 13)
INPUTS = [[8, 4], [6], [2, 3, 4]]
# Folds and unfolds of (8, 4) that every batch size runs and that keep samples apart: the sweep's second step
FOLDS = [[-1, 4], [-1, 2, 2], [-1, 16], [-1, 32], [-1, 8, 2, 2], "flatten"]  # "flatten": torch.flatten(x)


def targets(size: int) -> list[list[int]]:
    """Targets for an input of `size` elements per row of its batch axis: -1 first, -1 later, written out."""
    found = [[-1, d] for d in range(1, 2 * size + 1)] + [[-1, 2, size // 2], [-1, size, 1], [-1]]
    found += [[k, -1] for k in (1, 2, 3, 4, 6)] + [[k, -1, 2] for k in (1, 2)] + [[-1, -1], [0, -1], [-1, 0]]
    sizes = sorted({m for m in (1, 2, 3, size // 4, size // 3, size // 2, size - 1, size, size + 1, 2 * size) if m > 0})
    found += [[k, m] for k in (1, 2, 3, 4, 6, 8) for m in sizes if k * m <= 12 * size]
    return found


def torch_runs(torch, per_sample: list[int], steps: list[list[int]]) -> dict:
    """{batch: (output shape, a row holds two samples)} for the batch sizes torch runs every step at."""
    runs = {}
    for batch in BATCHES:
        x = torch.arange(batch, dtype=torch.float32).reshape([batch] + [1] * len(per_sample))
        x = x.expand([batch] + per_sample).contiguous()
        try:
            for step in steps:
                x = x.flatten() if step == "flatten" else x.reshape(step)
        except RuntimeError:
            continue
        rows = x.reshape(x.shape[0], -1) if x.dim() > 1 else x.reshape(-1, 1)
        mixed = any(row.unique().numel() > 1 for row in rows)
        runs[batch] = (tuple(x.shape), mixed)
    return runs


def archlint_result(tmp_path, per_sample: list[int], steps: list[list[int]]):
    layers = [{"type": "torch.flatten"} if step == "flatten" else {"type": "torch.reshape", "shape": step}
              for step in steps]
    path = tmp_path / "reshape.yaml"
    path.write_text(yaml12.dump({"archlint": 1, "framework": "pytorch", "input": per_sample, "layers": layers}),
                    encoding="utf-8")
    return lint_file(str(path))


def cases():
    for per_sample in INPUTS:
        for target in targets(math.prod(per_sample)):
            yield per_sample, [], target
    for fold in FOLDS:
        for target in targets(1 if fold == "flatten" else math.prod(fold[1:])):
            yield [8, 4], fold, target


CASES = list(cases())


def test_sweep_size():
    assert len(CASES) == 840


def _check(torch, tmp_path, per_sample, fold, target):
    steps = [fold, target] if fold else [target]
    before = torch_runs(torch, per_sample, steps[:-1])
    assert set(before) == set(BATCHES)  # the first step runs for every batch size
    runs = torch_runs(torch, per_sample, steps)
    result = archlint_result(tmp_path, per_sample, steps)
    codes = [f.rule.code for f in result.findings if f.rule.code != "W009"]
    written_out = -1 not in target
    refused = not runs if written_out else 1 not in runs
    if refused:
        return ("E002",), codes
    expected = ("W029",) if any(mixed for _, mixed in runs.values()) else ()
    if expected or codes:
        return expected, tuple(codes)
    walked = result.model.layers[-1]
    tensor = result.model.tensors[walked.name]
    for batch, (shape, _) in runs.items():
        assert len(shape) == len(tensor.shape)
        known = [(a, b) for a, b in zip(tensor.shape, shape, strict=True) if a is not None]
        assert all(a == b for a, b in known), (tensor.shape, shape)
        if tensor.shape and tensor.shape[0] is None:
            assert tensor.rows is not None and shape[0] == tensor.rows * batch, (tensor.rows, batch, shape)
    return (), ()


def test_reshape_sweep_matches_torch(tmp_path):
    torch = pytest.importorskip("torch")
    counts = {"E002": 0, "W029": 0, "silent": 0}
    wrong = []
    for per_sample, fold, target in CASES:
        expected, got = _check(torch, tmp_path, per_sample, fold, target)
        if tuple(got) != tuple(expected):
            wrong.append((per_sample, fold, target, expected, got))
        counts[expected[0] if expected else "silent"] += 1
    assert wrong == []
    assert counts == {"E002": 614, "W029": 74, "silent": 152}, counts
