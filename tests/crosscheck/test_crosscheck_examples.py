"""Every shipped example rebuilt in its real framework: each layer's output shape and parameter
counts must equal archlint's.

Run with the frameworks installed (skipped otherwise):
    KERAS_BACKEND=torch python -m pytest -q -m crosscheck tests/crosscheck
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from builders import archlint_rows, compare_with_framework, keras_rows, needs_layer_builder, torch_rows
from graph_builders import compare_graph, is_graph
from helpers import EXAMPLES

from archlint.lint import discover, lint_file

pytestmark = pytest.mark.crosscheck

# issue 12: the Hugging Face configs are compared with transformers in test_hf_decoders.py (and test_hf_*.py)
EXAMPLE_FILES = sorted(Path(p).relative_to(EXAMPLES).as_posix() for p in discover([str(EXAMPLES)])
                       if not {"huggingface", "yolo"} & set(Path(p).parts))  # importers: checked in their suites


def walked(path: str):
    result = lint_file(path)
    if result.model is not None:
        require(result.model.spec.framework)  # skipped, not failed, without the framework
    errors = [f"{f.rule.code} {f.message}" for f in result.findings if f.is_error]
    assert not errors, "archlint could not check the spec:\n" + "\n".join(errors)
    assert result.model is not None and result.model.complete
    return result.model


def require(framework: str):
    if framework == "keras":
        os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is first imported
        pytest.importorskip("keras")
    pytest.importorskip("torch")  # the torch backend of Keras, or PyTorch itself


def compare_keras(model) -> None:
    symbolic, concrete, net = keras_rows(model)
    ours = archlint_rows(model)
    # Keras's symbolic shapes keep the batch axis unknown (None), as archlint does.
    assert [(r.name, r.type, r.shape, r.trainable, r.non_trainable) for r in ours] == [
        (r.name, r.type, r.shape, r.trainable, r.non_trainable) for r in symbolic
    ]
    # The forward pass on a batch of 2 gives the same shapes with the batch filled in.
    assert [(r.name,) + r.shape[1:] for r in ours] == [(r.name,) + r.shape[1:] for r in concrete]
    assert all(r.shape[0] == 2 for r in concrete)
    assert (model.total_params, model.trainable_params, model.non_trainable_params) == (
        net.count_params(), sum(r.trainable for r in symbolic), sum(r.non_trainable for r in symbolic))
    assert model.output_shape == tuple(net.layers[-1].output.shape)


def compare_torch(model) -> None:
    rows, net = torch_rows(model)
    ours = archlint_rows(model)
    assert all(r.shape[0] is None for r in ours)
    assert [(r.name, r.type, r.shape[1:], r.trainable, r.non_trainable) for r in ours] == [
        (r.name, r.type, r.shape[1:], r.trainable, r.non_trainable) for r in rows
    ]
    assert all(r.shape[0] == 2 for r in rows)
    # issue 15: a layer the spec does not name is named as nn.Sequential names its child
    children = [name for name, _ in net.named_children()]
    assert [layer.name for layer in model.layers if not layer.spec.named] == [
        name for name, layer in zip(children, model.layers) if not layer.spec.named]
    assert model.total_params == sum(p.numel() for p in net.parameters())
    assert model.trainable_params == sum(p.numel() for p in net.parameters() if p.requires_grad)


def crosscheck(path: str) -> None:
    model = walked(path)
    if needs_layer_builder(model):  # nested layers, inputs by role, attention (builders.py)
        compare_with_framework(model)
    elif is_graph(model):  # branches, merges, several inputs or outputs, shared or tied layers
        compare_graph(model)
    elif model.spec.framework == "keras":
        compare_keras(model)
    else:
        compare_torch(model)


def test_there_are_examples():
    assert len(EXAMPLE_FILES) >= 11


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_matches_framework(name):
    crosscheck(str(EXAMPLES / name))
