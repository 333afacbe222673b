"""Small specs that exercise the arithmetic the examples do not: strides that do not divide, 'same'
padding with odd totals, ceil_mode, dilation, groups, frozen and non-affine normalization, dense
layers on rank-3 tensors. Each is rebuilt in its framework and compared layer by layer, exactly as
the examples are. Warnings are allowed here (some cases draw W001/W003 on purpose); errors are not.
"""

from __future__ import annotations

import textwrap

import pytest
from test_crosscheck_examples import crosscheck

pytestmark = pytest.mark.crosscheck

CASES = {
    "keras-conv": """
        archlint: 1
        framework: keras
        input: [15, 17, 4]
        layers:
          - {type: Conv2D, filters: 8, kernel_size: 3, strides: 2, padding: same}
          - {type: Conv2D, filters: 8, kernel_size: [2, 4], strides: [2, 3], padding: same, use_bias: false}
          - {type: Conv2D, filters: 6, kernel_size: 3, dilation_rate: 2, padding: same, groups: 2}
          - {type: Conv2D, filters: 5, kernel_size: 1}
    """,
    "keras-conv1d-dense": """
        archlint: 1
        framework: keras
        input: [50, 3]
        layers:
          - {type: Conv1D, filters: 4, kernel_size: 5, padding: causal, dilation_rate: 2}
          - {type: Conv1D, filters: 6, kernel_size: 4, strides: 3}
          - {type: Dense, units: 7}
          - {type: Dense, units: 2, use_bias: false, trainable: false}
    """,
    "keras-conv3d-channels-first": """
        archlint: 1
        framework: keras
        input: [3, 9, 10, 11]
        layers:
          - {type: Conv3D, filters: 4, kernel_size: 3, data_format: channels_first, padding: same, strides: 2}
          - {type: Flatten}
          - {type: Dense, units: 3}
    """,
    "keras-pooling": """
        archlint: 1
        framework: keras
        input: [15, 16, 3]
        layers:
          - {type: MaxPooling2D, pool_size: 3, strides: 2, padding: same}
          - {type: AveragePooling2D, pool_size: [2, 3], padding: same}
          - {type: MaxPooling2D, pool_size: 2, strides: 1}
          - {type: GlobalAveragePooling2D}
    """,
    "keras-pooling-1d": """
        archlint: 1
        framework: keras
        input: [21, 5]
        layers:
          - {type: MaxPooling1D, pool_size: 3}
          - {type: AveragePooling1D, pool_size: 2, strides: 1, padding: same}
          - {type: GlobalMaxPooling1D, keepdims: true}
    """,
    "keras-batchnorm": """
        archlint: 1
        framework: keras
        input: [8, 8, 6]
        layers:
          - {type: Conv2D, filters: 4, kernel_size: 3, use_bias: false}
          - {type: BatchNormalization}
          - {type: Activation, activation: relu}
          - {type: Conv2D, filters: 5, kernel_size: 3, use_bias: false}
          - {type: BatchNormalization, center: false, scale: false}
          - {type: Flatten}
          - {type: Dense, units: 16, use_bias: false}
          - {type: BatchNormalization, trainable: false}
          - {type: Dropout, rate: 0.5}
          - {type: Dense, units: 3}
    """,
    "torch-conv": """
        archlint: 1
        framework: pytorch
        input: [4, 15, 17]
        layers:
          - {type: Conv2d, out_channels: 8, kernel_size: 3, stride: 2, padding: 1}
          - {type: Conv2d, out_channels: 8, kernel_size: [2, 4], stride: [2, 3], padding: [1, 2], bias: false}
          - {type: Conv2d, out_channels: 6, kernel_size: 3, dilation: 2, padding: same, groups: 2}
          - {type: Conv2d, out_channels: 5, kernel_size: 1, trainable: false}
    """,
    "torch-conv1d-3d": """
        archlint: 1
        framework: pytorch
        input: [3, 50]
        layers:
          - {type: Conv1d, out_channels: 4, kernel_size: 5, padding: valid, dilation: 2}
          - {type: Conv1d, in_channels: 4, out_channels: 6, kernel_size: 4, stride: 3}
          - {type: Linear, out_features: 7}
          - {type: Linear, in_features: 7, out_features: 2, bias: false}
    """,
    "torch-pooling": """
        archlint: 1
        framework: pytorch
        input: [3, 15, 16]
        layers:
          - {type: MaxPool2d, kernel_size: 3, stride: 2, padding: 1}
          - {type: MaxPool2d, kernel_size: 2, ceil_mode: true}
          - {type: AvgPool2d, kernel_size: [2, 3], stride: 1, padding: [1, 1], count_include_pad: false}
          - {type: AdaptiveAvgPool2d, output_size: [3, 2]}
          - {type: AdaptiveMaxPool2d, output_size: 1}
          - {type: Flatten}
    """,
    "torch-pooling-1d": """
        archlint: 1
        framework: pytorch
        input: [5, 21]
        layers:
          - {type: MaxPool1d, kernel_size: 3}
          - {type: AvgPool1d, kernel_size: 2, stride: 2, ceil_mode: true}
          - {type: AdaptiveAvgPool1d, output_size: 1}
    """,
    "torch-batchnorm": """
        archlint: 1
        framework: pytorch
        input: [6, 8, 8]
        layers:
          - {type: Conv2d, out_channels: 4, kernel_size: 3, bias: false}
          - {type: BatchNorm2d}
          - {type: ReLU, inplace: true}
          - {type: Conv2d, out_channels: 5, kernel_size: 3, bias: false}
          - {type: BatchNorm2d, num_features: 5, affine: false}
          - {type: Flatten}
          - {type: Linear, out_features: 16, bias: false}
          - {type: BatchNorm1d, trainable: false}
          - {type: Dropout, p: 0.5}
          - {type: Linear, out_features: 3}
    """,
    "torch-batchnorm1d-sequence": """
        archlint: 1
        framework: pytorch
        input: [3, 20]
        layers:
          - {type: Conv1d, out_channels: 8, kernel_size: 3, bias: false}
          - {type: BatchNorm1d}
          - {type: Flatten, start_dim: 1, end_dim: -1}
    """,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_matches_framework(name, tmp_path):
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(CASES[name]), encoding="utf-8")
    crosscheck(str(path))
