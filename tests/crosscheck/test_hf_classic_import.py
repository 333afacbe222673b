"""The importer's verdict on the classic families against transformers 5.25.0: every config of
tests/test_hf_families_classic.py's VALIDATE_CASES, written as a config.json and linted end to end
(all the importer's checks, not only the family's `validate`), has an error exactly when transformers
refuses to construct the config, build the model or run a one-token forward pass.

Run with transformers installed (skipped otherwise):
    python -m pytest -q -m crosscheck tests/crosscheck/test_hf_classic_import.py
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.crosscheck

pytest.importorskip("torch")
pytest.importorskip("transformers")

from test_hf_classic import transformers_accepts  # noqa: E402
from test_hf_families_classic import VALIDATE_CASES  # noqa: E402

from archlint.lint import lint_file  # noqa: E402


@pytest.mark.parametrize("family,model_type,values,keys", VALIDATE_CASES)
def test_the_importer_errs_exactly_when_transformers_refuses(family, model_type, values, keys, tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"model_type": model_type, **values}), encoding="utf-8")
    errors = [(f.rule.code, f.message) for f in lint_file(str(path)).findings if f.rule.severity == "error"]
    assert (errors == []) == transformers_accepts(model_type, values), errors
