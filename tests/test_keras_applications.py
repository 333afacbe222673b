"""Every keras.applications model (Keras 3.15.1, weights=None) is read exactly: as saved, and with the
shapes the file records stripped, so that the walk computes every layer itself. The configs and Keras's
counts are in tests/data/keras/applications (tests/data/keras/generate_applications.py)."""

from __future__ import annotations

import gzip
import json
import os

import pytest
from helpers import strip_recorded_shapes as strip

from archlint.lint import lint_file

DATA = os.path.join(os.path.dirname(__file__), "data", "keras", "applications")
with open(os.path.join(DATA, "expected.json")) as _handle:
    EXPECTED = json.load(_handle)


@pytest.mark.slow  # 78 configs of up to 1,000 layers: about a minute
@pytest.mark.parametrize("stripped", [False, True], ids=["saved", "stripped"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_application_is_exact(tmp_path, name, stripped):
    want = EXPECTED[name]
    with gzip.open(os.path.join(DATA, name + ".json.gz"), "rt") as handle:
        data = json.load(handle)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(strip(data) if stripped else data))
    result = lint_file(str(path))
    # no error, no unknown class (W018), no record that disagrees (W019), nothing unused (W009); the lint
    # warnings about the architectures themselves (W003 off-centre 'same' padding, ...) are theirs
    assert [f"{f.rule.code} {f.message}" for f in result.findings
            if f.is_error or f.rule.code in ("W009", "W018", "W019")] == []
    assert result.model.complete
    assert (result.model.trainable_params, result.model.non_trainable_params) == (
        want["trainable_params"], want["non_trainable_params"])
    assert list(result.model.output_shape) == want["output_shape"]


def test_every_application_is_there():
    # the 40 of keras.applications in Keras 3.15.1 but NASNetMobile, which Keras does not build on the torch
    # backend ("not available with the torch backend at this time due to an outstanding bug")
    assert len(EXPECTED) == 39 and "NASNetMobile" not in EXPECTED
    assert {"ConvNeXtTiny", "InceptionResNetV2", "NASNetLarge", "EfficientNetV2L"} <= set(EXPECTED)
