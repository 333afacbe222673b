"""The README's and the docs' promises that can drift: the set-up commands, the links, the generated
layer reference."""

import importlib.util
import re

from helpers import ROOT

from archlint.layers.registry import REGISTRY, load_all

README = (ROOT / "README.md").read_text(encoding="utf-8")
LAYERS = (ROOT / "docs" / "layers.md").read_text(encoding="utf-8")
# pages other branches write (rules reference, importers, graph and diff): linked before they land
ELSEWHERE = {"docs/rules.md", "docs/huggingface.md", "docs/ultralytics.md", "docs/graph.md", "docs/diff.md"}


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def supported_layers_table() -> dict[str, dict[str, set[str]]]:
    table = {}
    for line in LAYERS.split("\n## ", 1)[0].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("family", "---"):
            table[cells[0]] = {fw: set(re.findall(r"`([^`]+)`", cell))
                               for fw, cell in zip(("keras", "pytorch"), cells[1:], strict=True)}
    return table


def test_the_layer_reference_is_the_registry():
    load_all()
    from archlint.layers.schemagen import builtin

    shipped = builtin(REGISTRY)  # not the types an importer registered earlier in this process
    registered: dict[str, dict[str, set[str]]] = {}
    for (framework, name), layer_type in shipped.items():
        registered.setdefault(layer_type.family, {"keras": set(), "pytorch": set()})[framework].add(name)
    assert supported_layers_table() == registered
    assert f"{len(shipped)} layer types" in LAYERS
    assert _script("layer_docs").main(["--check"]) == 0


def test_the_setup_commands_are_the_ones_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install . && archlint check examples/" in README
    assert "pip install -e '.[test]' && python -m pytest" in README
    assert "archlint\" check examples/" in ci and "python -m pip install -q -e '.[test]'" in ci
    assert "python -m pytest" in ci


def test_the_readme_is_short_and_its_links_lead_somewhere():
    assert len(README.splitlines()) <= 200
    links = set(re.findall(r"\]\(((?:docs/)[^)#]+)", README))
    assert {"docs/spec.md", "docs/layers.md", "docs/cli.md", "docs/architecture.md"} <= links
    assert [link for link in links - ELSEWHERE if not (ROOT / link).is_file()] == []


def test_the_docs_link_each_other_correctly():
    for page in (ROOT / "docs").glob("*.md"):
        for link in re.findall(r"\]\(([a-z][a-z0-9_-]*\.md)", page.read_text(encoding="utf-8")):
            assert f"docs/{link}" in ELSEWHERE or (ROOT / "docs" / link).is_file(), (page.name, link)


def test_the_readme_exit_codes_are_the_cli_s():
    from archlint import cli

    rows = dict(re.findall(r"^\| (\d) \| ([^|]+) \|$", README, re.MULTILINE))
    assert sorted(int(code) for code in rows) == sorted({cli.EXIT_OK, cli.EXIT_FINDINGS, cli.EXIT_USAGE})


def test_the_pre_commit_snippet_names_the_hooks():
    import yaml  # pre-commit reads its files with PyYAML (YAML 1.1): read them as pre-commit does

    hooks = {hook["id"] for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    snippet = README.split("## pre-commit", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    assert {hook["id"] for hook in yaml.safe_load(snippet)["repos"][0]["hooks"]} == hooks


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

    from click.testing import CliRunner

    from archlint.cli import main

    monkeypatch.chdir(ROOT)
    blocks = _console_blocks()
    assert len(blocks) >= 2
    for command, shown in blocks:
        args = shlex.split(command)[1:]
        result = CliRunner().invoke(main, args + ["--color", "never"] if args[0] == "check" else args,
                                    catch_exceptions=False)
        assert result.exit_code in (0, 1), command
        for line in shown.splitlines():
            if line.strip() and not line.strip().startswith("..."):
                assert line.rstrip() in result.output, (command, line)


def test_precommit_snippet_rev_is_the_release_tag():
    """The snippet's `rev:` is the tag of this version: the release tags it v<version> (pre-commit needs a
    tag or a commit; a branch name is refused)."""
    import yaml

    snippet = README.split("## pre-commit", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert yaml.safe_load(snippet)["repos"][0]["rev"] == f"v{version}"


def test_the_framework_versions_are_the_crosscheck_extras():
    """pyproject.toml's `crosscheck` extra states the framework versions the cross-checks run against; the
    README names the same ones, and `.ci/run` installs them from the extra (scripts/crosscheck_pins.py),
    pinning none of its own."""
    pins = _script("crosscheck_pins")
    stated = dict(pin.split("==") for pin in pins.pins())
    assert set(stated) == {"torch", "keras", "transformers", "ultralytics"}
    for name, version in stated.items():
        assert re.search(rf"\b{name} {re.escape(version)}\b", README, re.IGNORECASE), (name, version)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert [name for name in stated if re.search(rf"\b{name}==", ci)] == []
    assert "pip install -q --no-deps $(python scripts/crosscheck_pins.py --no-deps)" in ci
