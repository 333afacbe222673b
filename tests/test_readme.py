"""The README's promises that can drift: the layer table and the set-up commands."""

import re

from conftest import ROOT

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


def _console_blocks() -> list[tuple[str, str]]:
    """(command, printed output) of every ```console block whose command names files of this repository."""
    found = []
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        lines = [line[2:] if line.startswith("  ") else line for line in block.splitlines()]
        if not lines or not lines[0].startswith("$ archlint "):
            continue
        command = lines[0][2:].split("  #")[0].strip()
        paths = [a for a in command.split()[2:] if "/" in a or a.endswith((".yaml", ".json", ".keras"))]
        if sum(line.startswith("$ ") for line in lines) == 1 and paths and all((ROOT / a).exists() for a in paths):
            found.append((command, "\n".join(lines[1:])))
    return found


def test_readme_console_snippets_run_as_shown(monkeypatch):
    """Issue 15: every snippet that can run here runs, and prints what the README shows."""
    import shlex

    monkeypatch.chdir(ROOT)
    from click.testing import CliRunner

    from archlint.cli import main

    blocks = _console_blocks()
    assert len(blocks) >= 3
    for command, shown in blocks:
        result = CliRunner().invoke(main, shlex.split(command)[1:] + ["--color", "never"]
                                    if shlex.split(command)[1] == "check" else shlex.split(command)[1:],
                                    catch_exceptions=False)
        assert result.exit_code in (0, 1), command
        for line in shown.splitlines():
            if line.strip() and not line.strip().startswith("..."):
                assert line.rstrip() in result.output, (command, line)


def test_precommit_snippet_names_the_hook_and_the_released_tag():
    """The snippet's `rev:` is the tag of this version (the release tags it as v<version>, as pre-commit
    needs a tag or a commit); its hook id is the one .pre-commit-hooks.yaml defines."""
    import yaml

    snippet = README.split("## pre-commit", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    repo = yaml.safe_load(snippet)["repos"][0]
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert repo["rev"] == f"v{version}"
    assert [h["id"] for h in repo["hooks"]] == [hooks[0]["id"]]
