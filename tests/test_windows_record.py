"""The windows a layer's rule records (registry.Window): normalised once, read by cost, receptive,
checks and explain instead of the raw keywords or the class name's spelling."""

from __future__ import annotations

from archlint import explain, figures
from archlint.layers.registry import REGISTRY, Window, load_all


def _windows(result) -> dict:
    return {layer.name: layer.output.window for layer in result.model.layers}


def test_torch_windows_expand_one_element_lists_and_name_their_axes(lint):
    result = lint("""
        archlint: 1
        framework: pytorch
        input: [3, 32, 32]
        layers:
          - {name: c, type: Conv2d, out_channels: 4, kernel_size: 3, stride: [2], padding: 1}
          - {name: p, type: MaxPool2d, kernel_size: 3, stride: 2, padding: 1, ceil_mode: true}
          - {name: t, type: ConvTranspose2d, out_channels: 2, kernel_size: 4, stride: 2, padding: 1}
          - {name: g, type: AdaptiveAvgPool2d, output_size: 1}
    """)
    windows = _windows(result)
    assert windows["c"] == Window((2, 3), True, (3, 3), (2, 2), (1, 1), "explicit", ((1, 1), (1, 1)))
    assert windows["p"] == Window((2, 3), True, (3, 3), (2, 2), (1, 1), "explicit", ((1, 1), (1, 1)), ceil_mode=True)
    assert windows["t"] == Window((2, 3), True, (4, 4), (2, 2), (1, 1), "explicit", ((1, 1), (1, 1)),
                                  transposed=True, output_padding=(0, 0))
    assert windows["g"] is None
    fields = figures.of(result.model).fields
    # stride [2] is 2 on both axes (torch expands it): the second axis's jump is 2 as well
    assert (fields["c"].rf, fields["c"].jump) == ((3, 3), (2, 2))
    assert result.model.layers[0].output.macs == 16 * 16 * 9 * 3 * 4


def test_keras_windows_channels_first_same_and_causal(lint):
    result = lint("""
        archlint: 1
        input: [3, 20, 16]
        layers:
          - {name: c, type: Conv2D, filters: 4, kernel_size: [3, 2], strides: 2, padding: same,
             data_format: channels_first}
          - {name: d, type: DepthwiseConv2D, kernel_size: 3, dilation_rate: 2, data_format: channels_first}
          - {name: p, type: AveragePooling2D, pool_size: 2, data_format: channels_first}
          - {name: t, type: Conv2DTranspose, filters: 2, kernel_size: 3, strides: 2, padding: same,
             data_format: channels_first}
    """)
    windows = _windows(result)
    assert windows["c"] == Window((2, 3), True, (3, 2), (2, 2), (1, 1), "same", ((0, 1), (0, 0)))
    assert windows["d"].effective == (5, 5) and windows["d"].padding == "valid"
    assert windows["p"] == Window((2, 3), True, (2, 2), (2, 2), (1, 1), "valid", ((0, 0), (0, 0)))
    assert windows["t"] == Window((2, 3), True, (3, 3), (2, 2), (1, 1), "same", None, transposed=True)
    text = explain.explain(result.model, ["c", "t"])
    assert "height axis: out = floor((20 - 1) / 2) + 1 = 10" in text
    assert "height axis: out = 3 * 2 = 6" in text


def test_every_rank_specific_class_declares_its_rank():
    load_all()
    ranks = {name: t.rank for (framework, name), t in REGISTRY.items()}
    assert (ranks["Conv1D"], ranks["Conv3d"], ranks["ConvTranspose2d"], ranks["ZeroPadding3D"], ranks["Dropout1d"],
            ranks["Softmax2d"], ranks["GlobalAveragePooling2D"], ranks["Dense"], ranks["Conv2DTranspose"]) == (
        1, 3, 2, 3, 1, 2, 2, None, 2)
