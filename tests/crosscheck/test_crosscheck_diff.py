"""The diff pairs of tests/data/diff/ rebuilt in PyTorch 2.13.0: every layer's shape and counts
(graph_builders.compare_graph), and the model's parameters and MACs (FlopCounterMode), on both sides,
so the old -> new figures `archlint diff` prints are the framework's.

    python -m pytest -q -m crosscheck tests/crosscheck/test_crosscheck_diff.py
"""

from __future__ import annotations

import pytest
from helpers import ROOT

from archlint.diff import compare
from archlint.lint import lint_file

pytestmark = pytest.mark.crosscheck

DIFF = ROOT / "tests" / "data" / "diff"
VARIANTS = ["widened", "inserted_block", "removed_branch", "input_size", "renamed"]


def framework_figures(model) -> tuple[int, int]:
    from graph_builders import compare_graph
    from test_crosscheck_macs import counted_macs, torch_net

    compare_graph(model)  # every layer's output shape and weights equal torch's
    net, x = torch_net(model)
    return sum(p.numel() for p in net.parameters()), counted_macs(net, x)


@pytest.mark.parametrize("variant", VARIANTS)
def test_diff_figures_are_torchs(variant):
    pytest.importorskip("torch")
    old, new = lint_file(str(DIFF / "base.yaml")).model, lint_file(str(DIFF / f"{variant}.yaml")).model
    diff = compare(old, new, "old", "new")
    assert (diff.totals["total_params"][0], diff.totals["macs"][0]) == framework_figures(old)
    assert (diff.totals["total_params"][1], diff.totals["macs"][1]) == framework_figures(new)
