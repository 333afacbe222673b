"""MACs against torch.utils.flop_counter.FlopCounterMode (torch 2.13.0), for the PyTorch examples and
hand-written layers.

Conventions accounted for: FlopCounterMode counts 2 FLOPs per multiply-accumulate of matrix products
(mm, addmm, bmm, baddbmm, scaled-dot-product attention) and convolutions (transposed ones over their
input positions), and nothing else: no bias adds (addmm's bias is left out of its count), no
normalization, pooling, activations or element-wise ops. That is archlint's definition of a MAC, so
flops / 2 / batch must equal archlint's MACs for one sample exactly. One difference: the counter does
not see inside torch's fused recurrent kernels (aten::lstm, aten::gru on CPU count 0), so a recurrent
module is replaced, for counting only, by the same module unrolled over its time steps with its own
weights (F.linear per step, layer and direction), whose output is checked against the module's. The
forward pass runs on a batch
of 2 in eval mode under torch.no_grad() but with the fused fast paths off (`torch.backends.mha`
fast path disabled, and scaled-dot-product attention on its math backend: the counter has no formula
for the CPU flash kernel) so attention's products reach the counter as matrix products.
"""

from __future__ import annotations

import textwrap

import pytest
from helpers import EXAMPLES

from archlint.lint import lint_file

pytestmark = pytest.mark.crosscheck

BATCH = 2


def counted_macs(net, inputs) -> int:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        net(*inputs)
    flops = counter.get_total_flops()
    assert flops % (2 * BATCH) == 0
    return flops // (2 * BATCH)


def unrolled(module):
    """The recurrent module as explicit per-step products with its own weights (a counting stand-in)."""
    import torch
    import torch.nn.functional as F

    kind = type(module).__name__
    layers, directions = module.num_layers, 2 if module.bidirectional else 1
    proj = getattr(module, "proj_size", 0)

    def cell(x, h, c, suffix):
        w = lambda name: getattr(module, f"{name}_l{suffix}")  # noqa: E731
        b = lambda name: getattr(module, f"{name}_l{suffix}") if module.bias else None  # noqa: E731
        gi, gh = F.linear(x, w("weight_ih"), b("bias_ih")), F.linear(h, w("weight_hh"), b("bias_hh"))
        if kind == "GRU":
            r_i, z_i, n_i = gi.chunk(3, -1)
            r_h, z_h, n_h = gh.chunk(3, -1)
            r, z = torch.sigmoid(r_i + r_h), torch.sigmoid(z_i + z_h)
            n = torch.tanh(n_i + r * n_h)
            return (1 - z) * n + z * h, c
        if kind == "RNN":
            return torch.tanh(gi + gh), c
        i, f, g, o = (gi + gh).chunk(4, -1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        if proj:
            h = F.linear(h, getattr(module, f"weight_hr_l{suffix}"))
        return h, c

    def forward(x):
        for layer in range(layers):
            outs = []
            for direction in range(directions):
                suffix = f"{layer}{'_reverse' if direction else ''}"
                h = x.new_zeros(x.shape[0], proj or module.hidden_size)
                c = x.new_zeros(x.shape[0], module.hidden_size)
                steps = range(x.shape[1] - 1, -1, -1) if direction else range(x.shape[1])
                seq = [None] * x.shape[1]
                for t in steps:
                    h, c = cell(x[:, t], h, c, suffix)
                    seq[t] = h
                outs.append(torch.stack(seq, 1))
            x = torch.cat(outs, -1)
        return (x,)

    return forward


def archlint_macs(path: str) -> int:
    result = lint_file(path)
    assert result.model is not None and result.model.complete, [f.message for f in result.findings]
    assert all(layer.output.macs is not None for layer in result.model.layers)
    return result.model, sum(layer.output.macs for layer in result.model.layers)


def torch_net(model):
    torch = pytest.importorskip("torch")
    from graph_builders import _sample_inputs, build_torch_graph

    net = build_torch_graph(model).eval()
    for key, module in list(net.layers.items()):
        if type(module).__name__ in ("RNN", "LSTM", "GRU"):
            replacement = unrolled(module)
            with torch.no_grad():
                probe = torch.randn(2, 3, module.input_size, generator=torch.Generator().manual_seed(1))
                assert torch.allclose(module(probe)[0], replacement(probe)[0], atol=1e-5)
            net.layers[key] = _Wrapped(replacement)
    generator = torch.Generator().manual_seed(0)
    x = _sample_inputs(model, lambda high, shape: torch.randint(0, high, shape, generator=generator),
                       lambda shape: torch.randn(shape, generator=generator))
    return net, x


class _Wrapped:
    """A plain callable where the graph module expects a module (it only calls it)."""

    def __new__(cls, function):
        import torch

        class Module(torch.nn.Module):
            def forward(self, x):
                return function(x)

        return Module()


@pytest.mark.parametrize("name", ["resnet/resnet18_torch.yaml", "resnet/resnet50_torch.yaml",
                                  "vgg16/vgg16_torch.yaml", "unet/unet_torch.yaml", "lenet5/lenet5_torch.yaml",
                                  "lstm/lstm_torch.yaml"])
def test_examples_equal_flop_counter(name):
    pytest.importorskip("torch")
    model, ours = archlint_macs(str(EXAMPLES / name))
    net, x = torch_net(model)
    assert x[0].shape[0] == BATCH
    assert counted_macs(net, x) == ours


def test_transformer_encoder_example_equals_flop_counter():
    """The example's TransformerEncoder, built directly (the graph builder takes no nested layers)."""
    torch = pytest.importorskip("torch")
    model, _ = archlint_macs(str(EXAMPLES / "transformer/transformer_encoder_torch.yaml"))
    (encoder,) = [layer for layer in model.layers if layer.spec.type == "TransformerEncoder"]
    layer = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=256, batch_first=True)
    net = torch.nn.TransformerEncoder(layer, 2, norm=torch.nn.LayerNorm(64), enable_nested_tensor=False).eval()
    fast_path = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)  # the fused Transformer path hides its products
    from torch.nn.attention import SDPBackend, sdpa_kernel

    try:
        # the counter has no formula for the CPU flash-attention kernel (it counts QK^T and attention x V
        # as 0 there): the math backend computes the same products as matrix products, which it counts
        with sdpa_kernel(SDPBackend.MATH):
            assert counted_macs(net, [torch.randn(BATCH, 128, 64)]) == encoder.output.macs == 16_777_216
    finally:
        torch.backends.mha.set_fastpath_enabled(fast_path)


CASES = {
    "grouped_dilated": """
        input: [8, 17, 15]
        layers:
          - {type: Conv2d, out_channels: 12, kernel_size: [3, 5], groups: 4, dilation: [2, 1], stride: 2, padding: 1}
    """,
    "depthwise_1d_3d": """
        input: [4, 6, 7, 9]
        layers:
          - {type: Conv3d, out_channels: 8, kernel_size: 3, groups: 4, padding: 1}
    """,
    "transposed": """
        input: [6, 5, 7]
        layers:
          - {type: ConvTranspose2d, out_channels: 4, kernel_size: 3, stride: 2, groups: 2, padding: 1, output_padding: 1}
    """,
    "linear_on_positions": """
        input: [7, 16]
        layers:
          - {type: Linear, out_features: 9}
    """,
    "gru_stack": """
        input: [11, 10]
        layers:
          - {type: GRU, input_size: 10, hidden_size: 12, num_layers: 2, bidirectional: true, batch_first: true}
    """,
    "lstm_proj": """
        input: [5, 8]
        layers:
          - {type: LSTM, input_size: 8, hidden_size: 16, proj_size: 6, batch_first: true}
    """,
    "attention": """
        inputs: {q: [9, 32], kv: [6, 16]}
        outputs: [mha]
        layers:
          - {name: mha, type: MultiheadAttention, embed_dim: 32, num_heads: 4, kdim: 16, vdim: 16, batch_first: true,
             inputs: [q, kv, kv]}
    """,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_layers_equal_flop_counter(case, tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "spec.yaml"
    path.write_text("archlint: 1\nframework: pytorch\n" + textwrap.dedent(CASES[case]).strip() + "\n")
    model, ours = archlint_macs(str(path))
    net, x = torch_net(model)
    fast_path = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        assert counted_macs(net, x) == ours
    finally:
        torch.backends.mha.set_fastpath_enabled(fast_path)
