"""The resize and reshape layers against the frameworks: each case is one layer on one input, built in
Keras 3 (torch backend) or torch from the spec's own keyword arguments; archlint's output shape and
counts must equal the framework's, and archlint must report an error exactly when the framework refuses.

    KERAS_BACKEND=torch python -m pytest -q -m crosscheck tests/crosscheck/test_resize_reshape.py
"""

from __future__ import annotations

import os
import textwrap

import pytest

from archlint import yaml12
from archlint.lint import lint_file

pytestmark = pytest.mark.crosscheck

# (framework, input shape, layer): valid and invalid cases alike
CASES = [
    ("keras", [5, 3], {"type": "ZeroPadding1D", "padding": [2, 3]}),
    ("keras", [5, 6, 3], {"type": "ZeroPadding2D", "padding": [[1, 2], 3]}),
    ("keras", [5, 6, 3], {"type": "ZeroPadding2D", "padding": -1}),
    ("keras", [5, 6, 3], {"type": "ZeroPadding2D", "padding": [1, -1]}),
    ("keras", [2, 3, 4, 2], {"type": "ZeroPadding3D", "padding": [[1, 2], [0, 1], [2, 0]]}),
    ("keras", [5, 3], {"type": "Cropping1D", "cropping": [2, 3]}),
    ("keras", [5, 3], {"type": "Cropping1D", "cropping": [0, 4]}),
    ("keras", [5, 6, 3], {"type": "Cropping2D", "cropping": [[1, 2], 2]}),
    ("keras", [5, 6, 3], {"type": "Cropping2D", "cropping": [[1, 2], 3]}),
    ("keras", [3, 5, 6], {"type": "Cropping2D", "cropping": 2, "data_format": "channels_first"}),
    ("keras", [4, 5, 6, 2], {"type": "Cropping3D", "cropping": 2}),
    ("keras", [4, 5, 6, 2], {"type": "Cropping3D"}),
    ("keras", [5, 3], {"type": "UpSampling1D", "size": 3}),
    ("keras", [5, 6, 3], {"type": "UpSampling2D", "size": [2, 3], "interpolation": "bilinear"}),
    ("keras", [2, 3, 4, 3], {"type": "UpSampling3D", "size": [1, 2, 3]}),
    ("keras", [5, 6, 3], {"type": "Resizing", "height": 7, "width": 9}),
    ("keras", [5, 6, 3], {"type": "Resizing", "height": 7, "width": 9, "crop_to_aspect_ratio": True,
                          "pad_to_aspect_ratio": True}),
    ("keras", [5, 6, 3], {"type": "Resizing", "height": 0, "width": 9}),
    ("keras", [5, 6, 3], {"type": "CenterCrop", "height": 3, "width": 4}),
    ("keras", [5, 6, 3], {"type": "CenterCrop", "height": 7, "width": 9}),
    ("keras", [5, 6, 3], {"type": "Rescaling", "scale": [1.0, 2.0, 3.0], "offset": -1.0}),
    ("keras", [5, 6, 3], {"type": "Rescaling", "scale": [1.0, 2.0]}),
    ("keras", [5, 6, 3], {"type": "Normalization"}),
    ("keras", [5, 6, 3], {"type": "Normalization", "axis": [1, 2]}),
    ("keras", [5, 6, 3], {"type": "Normalization", "axis": None}),
    ("keras", [5, 6, 3], {"type": "Normalization", "mean": [0.5, 1, 2], "variance": [2.0, 1, 1]}),
    ("keras", [5, 6, 3], {"type": "Normalization", "mean": [0.5, 1], "variance": [2.0, 1]}),
    ("keras", [5, 6, 3], {"type": "Normalization", "axis": 4}),
    ("keras", [6, 4], {"type": "Reshape", "target_shape": [-1, 8]}),
    ("keras", [6, 4], {"type": "Reshape", "target_shape": [-1, 5]}),
    ("keras", [2, 3, 4], {"type": "Permute", "dims": [3, 1, 2]}),
    ("keras", [2, 3, 4], {"type": "Permute", "dims": [3, 1, 1]}),
    ("keras", [5], {"type": "RepeatVector", "n": 3}),
    ("keras", [5, 2], {"type": "RepeatVector", "n": 3}),
    ("pytorch", [3, 5], {"type": "ZeroPad1d", "padding": [-5, 1]}),
    ("pytorch", [3, 5], {"type": "ZeroPad1d", "padding": [-6, 2]}),
    ("pytorch", [3, 5, 6], {"type": "ZeroPad2d", "padding": [1, 2, 3, 4]}),
    ("pytorch", [3, 4, 5, 6], {"type": "ConstantPad3d", "padding": [1, 2, 3, 4, 5, 6], "value": 0.5}),
    ("pytorch", [3, 5], {"type": "ReflectionPad1d", "padding": [2, -6]}),
    ("pytorch", [3, 5], {"type": "ReflectionPad1d", "padding": 5}),
    ("pytorch", [3, 5, 6], {"type": "ReflectionPad2d", "padding": [5, 5, 4, 4]}),
    ("pytorch", [3, 5, 6], {"type": "ReflectionPad2d", "padding": [5, 5, 5, 4]}),
    ("pytorch", [3, 5], {"type": "ReflectionPad1d", "padding": [-3, -2]}),
    ("pytorch", [3, 5], {"type": "ReplicationPad1d", "padding": [-6, 3]}),
    ("pytorch", [3, 5], {"type": "ReplicationPad1d", "padding": [-4, -1]}),
    ("pytorch", [3, 4, 5, 6], {"type": "ReplicationPad3d", "padding": 2}),
    ("pytorch", [3, 5, 7], {"type": "Upsample", "scale_factor": 1.5}),
    ("pytorch", [3, 100], {"type": "Upsample", "scale_factor": 0.29}),
    ("pytorch", [3, 5, 7], {"type": "Upsample", "scale_factor": 0.1}),
    ("pytorch", [3, 5, 7], {"type": "Upsample", "scale_factor": [2, 3], "mode": "bicubic", "align_corners": True}),
    ("pytorch", [3, 5, 7], {"type": "Upsample", "scale_factor": 2, "align_corners": False}),
    ("pytorch", [3, 5, 7], {"type": "Upsample", "scale_factor": 2, "mode": "linear"}),
    ("pytorch", [3, 2, 5, 7], {"type": "Upsample", "size": [3, 4, 5], "mode": "trilinear"}),
    ("pytorch", [8, 3, 4], {"type": "PixelShuffle", "upscale_factor": 2}),
    ("pytorch", [6, 3, 4], {"type": "PixelShuffle", "upscale_factor": 2}),
    ("pytorch", [2, 4, 6], {"type": "PixelUnshuffle", "downscale_factor": 2}),
    ("pytorch", [2, 5, 6], {"type": "PixelUnshuffle", "downscale_factor": 2}),
    ("pytorch", [12, 5], {"type": "Unflatten", "dim": 1, "unflattened_size": [3, -1]}),
    ("pytorch", [12, 5], {"type": "Unflatten", "dim": 1, "unflattened_size": [5, -1]}),
    ("pytorch", [3, 4, 5], {"type": "Flatten", "start_dim": -3, "end_dim": -2}),
]


def framework_result(framework, input_shape, layer):
    """(shape, trainable, non_trainable) from the framework, or None when it refuses."""
    kwargs = {k: v for k, v in layer.items() if k != "type"}
    if framework == "keras":
        os.environ.setdefault("KERAS_BACKEND", "torch")
        keras = pytest.importorskip("keras")
        import numpy as np
        try:
            built = getattr(keras.layers, layer["type"])(**kwargs)
            symbolic = built(keras.Input(shape=tuple(input_shape)))
            concrete = built(np.ones((2,) + tuple(input_shape), "float32"))
        except Exception:  # noqa: BLE001  (any refusal is the verdict)
            return None
        assert tuple(concrete.shape)[1:] == tuple(symbolic.shape)[1:]
        count = lambda ws: sum(int(np.prod(w.shape)) for w in ws)  # noqa: E731
        return tuple(symbolic.shape), count(built.trainable_weights), count(built.non_trainable_weights)
    torch = pytest.importorskip("torch")
    # YAML has no tuples; torch's Upsample takes a tuple scale_factor (a list is a TypeError) and
    # archlint reads a list as that tuple
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    try:
        module = getattr(torch.nn, layer["type"])(**kwargs)
        out = module(torch.ones((2,) + tuple(input_shape)))
    except Exception:  # noqa: BLE001
        return None
    return (None,) + tuple(out.shape)[1:], sum(p.numel() for p in module.parameters()), 0


@pytest.mark.parametrize("framework, input_shape, layer", CASES,
                         ids=[f"{c[2]['type']}-{i}" for i, c in enumerate(CASES)])
def test_layer_matches_framework(tmp_path, framework, input_shape, layer):
    path = tmp_path / "case.yaml"
    path.write_text(textwrap.dedent(yaml12.dump(
        {"archlint": 1, "framework": framework, "input": input_shape, "layers": [layer]})), encoding="utf-8")
    result = lint_file(str(path))
    errors = [f"{f.rule.code} {f.message}" for f in result.findings if f.is_error]
    expected = framework_result(framework, input_shape, layer)
    if expected is None:
        assert errors, f"the framework refuses {layer} on {input_shape}, archlint does not"
        return
    assert not errors, errors
    (walked,) = result.model.layers
    assert (tuple(walked.output.shape), walked.trainable, walked.non_trainable) == expected
