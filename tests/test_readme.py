"""The README's promises that can drift: the layer table and the set-up commands."""

import re

from helpers import ROOT

from archlint.layers.registry import REGISTRY, load_all

README = (ROOT / "README.md").read_text(encoding="utf-8")


def supported_layers_table() -> dict[str, dict[str, set[str]]]:
    section = README.split("## Supported layers", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("family", "---"):
            table[cells[0]] = {fw: set(re.findall(r"`([^`]+)`", cell)) for fw, cell in zip(("keras", "pytorch"), cells[1:])}
    return table


def test_the_supported_layers_table_is_the_registry():
    load_all()
    registered: dict[str, dict[str, set[str]]] = {}
    for (framework, name), layer_type in REGISTRY.items():
        registered.setdefault(layer_type.family, {"keras": set(), "pytorch": set()})[framework].add(name)
    assert supported_layers_table() == registered
    assert f"{len(REGISTRY)} layer types" in README


def test_the_setup_commands_are_the_ones_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install . && archlint check examples/" in README
    assert "pip install -e '.[test]' && python -m pytest" in README
    assert "archlint\" check examples/" in ci and "python -m pip install -q -e '.[test]'" in ci
    assert "python -m pytest" in ci


def test_every_rule_is_in_the_checks_table():
    from archlint.rules import RULES

    assert [code for code in RULES if f"| {code} | {RULES[code].name} |" not in README] == []
