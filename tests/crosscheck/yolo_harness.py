"""Shared by the Ultralytics cross-checks (test_yolo_*.py): ultralytics' offline switch and a settings folder
of its own (ultralytics writes its settings file when imported), then ultralytics and torch, the module
skipped where either is missing. Import it before anything that imports ultralytics."""

from __future__ import annotations

import os
import tempfile

import pytest

os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_CONFIG_DIR", tempfile.mkdtemp(prefix="archlint-yolo-"))
ultralytics = pytest.importorskip("ultralytics")
torch = pytest.importorskip("torch")
