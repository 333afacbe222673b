"""Layers of size 0 (issue 15 §3), as torch 2.13.0 builds and runs them on a batch of 2 (the sweep of
tests/crosscheck/test_torch_size_zero.py): W021 where a layer's own size keyword empties its output, an error
in torch's words where the constructor or the forward pass refuses, and the empty tensor read on exactly."""

from __future__ import annotations

import textwrap

from archlint.lint import lint_file


def run(tmp_path, layers: str, shape: str = "[8, 8, 4]"):
    path = tmp_path / "spec.yaml"
    path.write_text(f"archlint: 1\nframework: pytorch\ninput: {shape}\nlayers:\n" + textwrap.dedent(layers).lstrip())
    result = lint_file(str(path))
    found = [(f.rule.code, f.line, f.column, f.message, f.hint) for f in result.findings]
    rows = {layer.name: (layer.output.shape if layer.output else None, layer.trainable)
            for layer in result.model.layers} if result.model else {}
    return found, rows


def test_reading_an_empty_axis(tmp_path):
    # torch: Linear(4, 0) -> (2, 8, 8, 0); permute -> (2, 0, 8, 8); Conv2d(0, 6, 3) -> (2, 0, 6, 6) (0 channels
    # out, whatever out_channels says; 6 bias parameters); InstanceNorm2d(0) and GroupNorm(2, 0) run;
    # Linear(0, 3) on (2, 8, 8, 0) -> (2, 8, 8, 3), its bias only
    found, rows = run(tmp_path, """\
        - {name: empty, type: Linear, in_features: 4, out_features: 0}
        - {name: moved, type: torch.permute, dims: [0, 3, 1, 2]}
        - {name: conv, type: Conv2d, in_channels: 0, out_channels: 6, kernel_size: 3}
        - {name: inorm, type: InstanceNorm2d, num_features: 0, inputs: [moved]}
        - {name: gnorm, type: GroupNorm, num_groups: 2, num_channels: 0, inputs: [moved]}
        - {name: dense, type: Linear, in_features: 0, out_features: 3, inputs: [empty]}
    """)
    assert [f[:3] for f in found if f[0] != "W009"] == [("W021", 5, 61)]
    assert rows["conv"] == ((None, 0, 6, 6), 6)
    assert rows["inorm"] == ((None, 0, 8, 8), 0)
    assert rows["gnorm"] == ((None, 0, 8, 8), 0)
    assert rows["dense"] == ((None, 8, 8, 3), 3)


def test_what_torch_refuses_at_size_0(tmp_path):
    # torch: Conv2d(4, 0, 3) builds, and its forward pass fails ("Given groups=1, expected weight to be at least
    # 1 at dimension 0, but got weight of size [0, 4, 3, 3] instead"); ConvTranspose2d(4, 0, 3) and
    # ConvTranspose2d(0, 6, 3) likewise; BatchNorm2d(0) on 0 channels: "select(): index 0 out of range ..."
    found, _ = run(tmp_path, """\
        - {name: moved, type: torch.permute, dims: [0, 3, 1, 2]}
        - {name: conv, type: Conv2d, out_channels: 0, kernel_size: 3}
        - {name: up, type: ConvTranspose2d, out_channels: 0, kernel_size: 3, inputs: [moved]}
        - {name: empty, type: Linear, in_features: 8, out_features: 0, inputs: [moved]}
        - {name: channels, type: torch.permute, dims: [0, 3, 1, 2]}
        - {name: up0, type: ConvTranspose2d, in_channels: 0, out_channels: 6, kernel_size: 3}
        - {name: norm, type: BatchNorm2d, num_features: 0, inputs: [channels]}
    """)
    assert [f[:4] for f in found if f[0] not in ("W009", "W021")] == [
        ("E002", 6, 44, "Conv2d out_channels=0: the forward pass fails"),
        ("E002", 7, 51, "ConvTranspose2d out_channels=0: the forward pass fails"),
        ("E002", 10, 51, "ConvTranspose2d in_channels=0: the forward pass fails"),
        ("E002", 11, 49, "BatchNorm2d on 0 channels: the forward pass fails"),
    ]
    # torch's words, in the hint
    assert [f[4].split("; ")[0] for f in found if f[0] not in ("W009", "W021")] == [
        "torch: Given groups=1, expected weight to be at least 1 at dimension 0, but got weight of size [0, 4, 3, 3] "
        "instead",
        "torch: non-empty weight tensor expected, but got one with 0 output channels",
        "torch: Given groups=1, expected weight to be at least 1 at dimension 0, but got weight of size [0, 6, 3, 3] "
        "instead",
        "torch: select(): index 0 out of range for tensor of size [0] at dimension 0",
    ]


def test_adaptive_pooling_of_an_empty_tensor_fails(tmp_path):
    # torch: AdaptiveAvgPool1d(2) on (2, 8, 0): "Expected input to have non-zero size for non-batch dimensions"
    found, _ = run(tmp_path, """\
        - {name: empty, type: Linear, in_features: 4, out_features: 0}
        - {name: pool, type: AdaptiveAvgPool1d, output_size: 2}
    """, "[8, 4]")
    assert [f[:3] for f in found] == [("W021", 5, 61), ("E002", 6, 22)]
    assert found[1][3] == "AdaptiveAvgPool1d on (None, 8, 0): the forward pass fails"
    assert found[1][4].startswith("torch: Expected input to have non-zero size for non-batch dimensions, but "
                                  "dimension 2 is empty; ")
