#!/usr/bin/env python3
"""Print the framework versions the cross-checks run against: the `crosscheck` extra of pyproject.toml,
the one place they are stated (`.ci/run` installs them from here; tests/test_readme.py checks that the
README names the same versions).

    python scripts/crosscheck_pins.py            # the pins pip installs with their dependencies
    python scripts/crosscheck_pins.py --no-deps  # the pins .ci/run installs without them

ultralytics is installed without its dependency list: it names torchvision, which the package index of
the CI machine serves only as a CUDA build that fails to import beside the CPU torch. Building models
from YAML needs no torchvision import, only its version in the package metadata (`.ci/run` writes a
metadata-only stub), and `.ci/run` installs the other packages ultralytics imports by name.
"""

from __future__ import annotations

import sys
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
WITHOUT_DEPENDENCIES = {"ultralytics"}


def pins() -> list[str]:
    try:
        import tomllib  # Python 3.11+
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10: archlint's own dependency
        import tomli as tomllib
    with PYPROJECT.open("rb") as handle:
        return tomllib.load(handle)["project"]["optional-dependencies"]["crosscheck"]


def name(pin: str) -> str:
    return pin.split("==", 1)[0].strip().lower()


def main(argv: list[str]) -> int:
    no_deps = "--no-deps" in argv
    print("\n".join(pin for pin in pins() if (name(pin) in WITHOUT_DEPENDENCIES) == no_deps))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
