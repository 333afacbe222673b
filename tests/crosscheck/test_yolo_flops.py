"""archlint's GFLOPs against ultralytics 8.4.190's get_flops(model, 640) for our own small YAMLs with rows of
fixed output size (tests/test_ultralytics_flops.py holds them and the recorded numbers):

    YOLO_OFFLINE=1 YOLO_CONFIG_DIR=$(mktemp -d) python -m pytest -q -m crosscheck tests/crosscheck/test_yolo_flops.py
"""

from __future__ import annotations

import warnings

import pytest

pytestmark = pytest.mark.crosscheck

import yolo_harness  # noqa: E402, F401 - ultralytics set up, or the module skipped
from test_ultralytics_flops import CASES, flops_of  # noqa: E402

warnings.filterwarnings("ignore")


@pytest.mark.parametrize("name", sorted(CASES))
def test_flops_equal_get_flops(tmp_path, name):
    from ultralytics.nn import tasks
    from ultralytics.utils.torch_utils import get_flops

    kind, text, recorded, _ = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    expected = round(get_flops(getattr(tasks, kind)(str(path), verbose=False), 640) * 1e9)
    assert flops_of(tmp_path, name) == expected
    assert recorded == expected
