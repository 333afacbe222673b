"""Output formats for findings: one module per format, all with the same signature.

`render(name, findings, checked, color)` returns the whole text to print on stdout. `checked` lists the
files that were checked (JUnit reports the clean ones as passing test cases); `color` matters only to
the formats meant for people.
"""

from __future__ import annotations

from importlib import import_module

from archlint.vocab import CHECK_FORMATS as MODULES  # format name -> module in this package

NAMES = tuple(MODULES)


def render(name: str, findings: list, checked: list[str], color: bool = False) -> str:
    module = import_module(f"archlint.formats.{MODULES[name]}")
    return module.render(name, findings, checked, color)
