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
    registered: dict[str, dict[str, set[str]]] = {}
    for (framework, name), layer_type in REGISTRY.items():
        if layer_type.infer.__module__.startswith("archlint.sources."):
            continue  # an importer's own layer types (Ultralytics rows), registered when such a file is read
        registered.setdefault(layer_type.family, {"keras": set(), "pytorch": set()})[framework].add(name)
    assert supported_layers_table() == registered
    assert f"{sum(len(v) for f in registered.values() for v in f.values())} layer types" in LAYERS
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
