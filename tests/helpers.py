"""Helpers shared by the tests (fixtures stay in conftest.py): where things are, and how to read a
lint result back."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"


def codes(result) -> list[tuple[str, int, int]]:
    """The findings of a result as (code, line, column), in report order."""
    return [(f.rule.code, f.line, f.column) for f in result.findings]


def layer_rows(result) -> list[tuple[str, tuple, int, int]]:
    """(name, output shape, trainable, non-trainable) for every layer of the walked model."""
    return [
        (layer.name, layer.output.shape if layer.output else None, layer.trainable, layer.non_trainable)
        for layer in result.model.layers
    ]


def subprocess_env(*paths: str, **more: str) -> dict:
    """The environment for running archlint in a child process: `paths` first on PYTHONPATH, then the
    folder this process imports archlint from (a source checkout, an editable or a plain install alike),
    then the PYTHONPATH already set."""
    import os

    import archlint

    here = os.path.dirname(os.path.dirname(os.path.abspath(archlint.__file__)))
    current = os.environ.get("PYTHONPATH", "")
    return dict(os.environ, PYTHONPATH=os.pathsep.join([*paths, here] + ([current] if current else [])), **more)


def strip_recorded_shapes(data: dict) -> dict:
    """A Keras config without the shapes it records (`build_config`, the shapes of `__keras_tensor__`
    entries): a file written by hand or by an older exporter, which archlint must walk all the same."""
    import copy

    data = copy.deepcopy(data)
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            value.pop("build_config", None)
            if value.get("class_name") == "__keras_tensor__" and isinstance(value.get("config"), dict):
                value["config"].pop("shape", None)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return data
