"""Issue 15: the default names of a PyTorch spec are the names torch gives the same model built as nested
`torch.nn.Sequential`s (`named_modules()`, what torchinfo prints): the index of a child in its
Sequential, dotted through blocks and the copies of a `repeat:`.

    python -m pytest -q -m crosscheck tests/crosscheck/test_crosscheck_names.py
"""

from __future__ import annotations

import textwrap

import pytest

from archlint.lint import lint_file

pytestmark = pytest.mark.crosscheck

SPEC = """\
archlint: 1
framework: pytorch
input: [3, 16, 16]
blocks:
  pair:
    params: {width: null}
    layers:
      - {type: Conv2d, out_channels: "${width}", kernel_size: 3, padding: 1}
      - {type: BatchNorm2d}
      - {type: ReLU}
  stage:
    params: {width: null}
    layers:
      - {block: pair, with: {width: "${width}"}, repeat: 2}
      - {type: MaxPool2d, kernel_size: 2}
layers:
  - {type: Conv2d, out_channels: 8, kernel_size: 3, padding: 1}
  - {type: ReLU}
  - {block: stage, with: {width: 8}}
  - {block: pair, with: {width: 16}, repeat: 3}
  - {type: Flatten}
  - {type: Linear, out_features: 10}
"""


def torch_net():
    from torch import nn

    def pair(c_in, width):
        return nn.Sequential(nn.Conv2d(c_in, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU())

    stage = nn.Sequential(nn.Sequential(pair(8, 8), pair(8, 8)), nn.MaxPool2d(2))
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), stage,
                         nn.Sequential(pair(8, 16), pair(16, 16), pair(16, 16)), nn.Flatten(), nn.Linear(16 * 8 * 8, 10))


def test_default_names_are_torch_module_names(tmp_path):
    pytest.importorskip("torch")
    path = tmp_path / "nested.yaml"
    path.write_text(textwrap.dedent(SPEC), encoding="utf-8")
    result = lint_file(str(path))
    assert [f.rule.code for f in result.findings if f.is_error] == []
    net = torch_net()
    leaves = [(name, type(module).__name__, sum(p.numel() for p in module.parameters()))
              for name, module in net.named_modules() if not list(module.children())]
    ours = [(layer.name, layer.spec.type, layer.trainable + layer.non_trainable) for layer in result.model.layers]
    assert ours == leaves
    assert ours[2][0] == "2.0.0.0" and ours[-1][0] == "5"
    assert result.model.total_params == sum(p.numel() for p in net.parameters())
