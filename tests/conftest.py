"""Fixtures shared by the tests; the plain helpers are in helpers.py."""

from __future__ import annotations

import textwrap

import pytest

from archlint.lint import lint_file


@pytest.fixture
def lint(tmp_path):
    """lint(text, name="spec.yaml") -> lint.Result for a spec written to a temporary file."""

    def run(text: str, name: str = "spec.yaml"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return lint_file(str(path))

    return run
