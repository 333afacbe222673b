"""Shared test helpers: lint a spec given as text, and read the results back."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from archlint.lint import lint_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def lint(tmp_path):
    """lint(text, name="spec.yaml") -> lint.Result for a spec written to a temporary file."""

    def run(text: str, name: str = "spec.yaml"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return lint_file(str(path))

    return run


def codes(result) -> list[tuple[str, int, int]]:
    """The findings of a result as (code, line, column), in report order."""
    return [(f.rule.code, f.line, f.column) for f in result.findings]


def layer_rows(result) -> list[tuple[str, tuple, int, int]]:
    """(name, output shape, trainable, non-trainable) for every layer of the walked model."""
    return [
        (layer.name, layer.output.shape if layer.output else None, layer.trainable, layer.non_trainable)
        for layer in result.model.layers
    ]
