"""`archlint graph`: the DOT output parsed back (nodes, edges, labels, clusters), Mermaid by exact text and
by its grammar, SVG and PNG from the real Graphviz where `dot` is installed (CI installs it), folding of
repeated blocks, findings on the layers they point into, --color-by, and 10,000-layer graphs."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree

import pytest
from click.testing import CliRunner
from helpers import EXAMPLES, ROOT

from archlint import graph
from archlint.cli import main
from archlint.graph import dot, mermaid

BASE = ROOT / "tests" / "data" / "diff" / "base.yaml"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def run(*args):
    return CliRunner().invoke(main, ["graph", "--isolated", *[str(a) for a in args]])


# ---------------------------------------------------------------- a parser for the DOT archlint writes

_STRING = r'"((?:[^"\\]|\\.)*)"'
_ATTRIBUTE = re.compile(r"(\w+)=" + _STRING)
_NODE = re.compile(r"^\s*(\w+) \[(.*)\];$")
_EDGE = re.compile(r"^\s*(\w+) -> (\w+) \[(.*)\];$")
_CLUSTER = re.compile(r'^\s*subgraph "cluster_\d+" \{$')
_CLUSTER_LABEL = re.compile(r"^\s*label=" + _STRING + r'; style="rounded,dashed"; color="#94a3b8";$')
_HEADER = ['  rankdir="TB";',
           '  node [style="rounded,filled", fillcolor="#f8fafc", fontname="Helvetica", fontsize="10"];',
           '  edge [fontname="Helvetica", fontsize="9", color="#475569"];']


def _attributes(text: str) -> dict:
    found = dict(_ATTRIBUTE.findall(text))
    assert ", ".join(f'{k}="{v}"' for k, v in found.items()) == text  # nothing else on the line
    return found


def parse_dot(text: str) -> dict:
    """{"title", "nodes": {id: attrs}, "edges": [(a, b, attrs)], "clusters": {label: [ids]}}; fails on any
    line outside the grammar archlint.graph.dot writes."""
    lines = text.split("\n")
    title = re.fullmatch(r"digraph " + _STRING + r" \{", lines[0])
    assert title and lines[1:4] == _HEADER and lines[-1] == "}"
    nodes, edges, clusters, stack = {}, [], {}, []
    for line in lines[4:-1]:
        if _CLUSTER.match(line):
            stack.append(None)
        elif stack and stack[-1] is None and _CLUSTER_LABEL.match(line):
            stack[-1] = _CLUSTER_LABEL.match(line).group(1)
            clusters[stack[-1]] = []
        elif line.strip() == "}":
            stack.pop()
        elif _EDGE.match(line):
            source, target, attributes = _EDGE.match(line).groups()
            edges.append((source, target, _attributes(attributes)))
        elif _NODE.match(line):
            node_id, attributes = _NODE.match(line).groups()
            nodes[node_id] = _attributes(attributes)
            for label in stack:
                clusters[label].append(node_id)
        else:
            raise AssertionError(f"not in the grammar: {line!r}")
    assert not stack
    return {"title": title.group(1), "nodes": nodes, "edges": edges, "clusters": clusters}


def labels(parsed: dict) -> dict:
    return {node_id: attributes["label"].split("\\n") for node_id, attributes in parsed["nodes"].items()}


def by_title(parsed: dict) -> dict:
    return {attributes["label"].split("\\n")[0]: node_id for node_id, attributes in parsed["nodes"].items()}


# ---------------------------------------------------------------- DOT


def test_dot_of_a_residual_network():
    result = run(BASE)
    assert result.exit_code == 0
    parsed = parse_dot(result.stdout.rstrip("\n"))
    assert parsed["title"] == "small_resnet"
    assert labels(parsed) == {
        "i0": ["input", "Input", "(None, 3, 32, 32)"],
        "n0": ["stem", "Conv2d", "out_channels=16, kernel_size=3", "padding=1, bias=false"],
        "n1": ["stem_bn", "BatchNorm2d"], "n2": ["stem_relu", "ReLU"],
        "n3": ["conv_a", "Conv2d", "out_channels=32, kernel_size=3", "stride=2, padding=1, …"],
        "n4": ["bn_a", "BatchNorm2d"], "n5": ["relu_a", "ReLU"],
        "n6": ["conv_b", "Conv2d", "out_channels=32, kernel_size=3", "padding=1, bias=false"],
        "n7": ["bn_b", "BatchNorm2d"],
        "n8": ["shortcut", "Conv2d", "out_channels=32, kernel_size=1", "stride=2, bias=false"],
        "n9": ["add", "torch.add"], "n10": ["relu_out", "ReLU"],
        "n11": ["pool", "AdaptiveAvgPool2d", "output_size=1"], "n12": ["flatten", "torch.flatten", "start_dim=1"],
        "n13": ["fc", "Linear", "out_features=10"],
    }
    shapes = {node_id: (a["shape"], a.get("fillcolor"), a.get("peripheries")) for node_id, a in parsed["nodes"].items()}
    assert shapes["i0"] == ("oval", "#dcfce7", None)  # the model input
    assert shapes["n9"] == ("hexagon", "#e0e7ff", None)  # the merge
    assert shapes["n13"] == ("box", None, "2")  # the model output: a double border
    assert shapes["n0"] == ("box", None, None)
    assert [(a, b, attributes["label"]) for a, b, attributes in parsed["edges"]] == [
        ("i0", "n0", "(None, 3, 32, 32)"), ("n0", "n1", "(None, 16, 32, 32)"), ("n1", "n2", "(None, 16, 32, 32)"),
        ("n2", "n3", "(None, 16, 32, 32)"), ("n3", "n4", "(None, 32, 16, 16)"), ("n4", "n5", "(None, 32, 16, 16)"),
        ("n5", "n6", "(None, 32, 16, 16)"), ("n6", "n7", "(None, 32, 16, 16)"), ("n2", "n8", "(None, 16, 32, 32)"),
        ("n7", "n9", "(None, 32, 16, 16)"), ("n8", "n9", "(None, 32, 16, 16)"), ("n9", "n10", "(None, 32, 16, 16)"),
        ("n10", "n11", "(None, 32, 16, 16)"), ("n11", "n12", "(None, 32, 1, 1)"), ("n12", "n13", "(None, 32)")]
    assert parsed["clusters"] == {}


def test_resnet50_folds_the_repeated_bottlenecks():
    parsed = parse_dot(run(EXAMPLES / "resnet" / "resnet50_torch.yaml").stdout.rstrip("\n"))
    folded = {node_id: label for node_id, label in labels(parsed).items() if node_id.startswith("f")}
    assert folded == {
        "f0": ["layer1.1 … layer1.2", "x 2 identical blocks", "10 layers, 70,400 params each"],
        "f1": ["layer2.1 … layer2.3", "x 3 identical blocks", "10 layers, 280,064 params each"],
        "f2": ["layer3.1 … layer3.5", "x 5 identical blocks", "10 layers, 1,117,184 params each"],
        "f3": ["layer4.1 … layer4.2", "x 2 identical blocks", "10 layers, 4,462,592 params each"],
    }
    assert all(parsed["nodes"][f]["shape"] == "box3d" for f in folded)
    ids = by_title(parsed)
    edges = {(a, b): attributes["label"] for a, b, attributes in parsed["edges"]}
    assert edges[(ids["layer1.0.relu_out"], "f0")] == "(None, 256, 56, 56)"
    assert edges[("f0", ids["layer2.0.conv1"])] == edges[("f0", ids["layer2.0.downsample.0"])] == "(None, 256, 56, 56)"
    assert edges[("f3", ids["avgpool"])] == "(None, 2048, 7, 7)"
    # 4 stems + 4 first bottlenecks of 12 layers (downsample) + 4 folded + avgpool, flatten, fc + the input
    assert len(parsed["nodes"]) == 4 + 4 * 12 + 4 + 3 + 1
    assert parsed["clusters"]["layer1.0.downsample"] == [ids["layer1.0.downsample.0"], ids["layer1.0.downsample.1"]]
    assert parsed["clusters"]["layer1"] == [ids[f"layer1.0.{n}"] for n in (
        "conv1", "bn1", "relu1", "conv2", "bn2", "relu2", "conv3", "bn3", "downsample.0", "downsample.1", "add",
        "relu_out")] + ["f0"]


def test_unfold_draws_every_layer():
    parsed = parse_dot(run(EXAMPLES / "resnet" / "resnet50_torch.yaml", "--unfold").stdout.rstrip("\n"))
    assert len(parsed["nodes"]) == 175 + 1 and not any(n.startswith("f") for n in parsed["nodes"])
    assert len(parsed["clusters"]) == 4 + 16 + 4  # the stages, the bottlenecks, the downsample branches
    assert sum(1 for a in parsed["nodes"].values() if a["shape"] == "hexagon") == 16  # one add per bottleneck


def test_only_chained_identical_blocks_fold(tmp_path):
    """Two identical blocks that both read the input (parallel, not chained) stay apart."""
    spec = tmp_path / "parallel.yaml"
    spec.write_text("archlint: 1\ninput: [8]\noutputs: [sum]\nblocks:\n  mlp:\n    layers:\n"
                    "      - {name: fc, type: Dense, units: 8}\n      - {name: act, type: ReLU}\nlayers:\n"
                    "  - {block: mlp, name: left}\n  - {block: mlp, name: right, inputs: [input]}\n"
                    "  - {name: sum, type: Add, inputs: [left, right]}\n")
    parsed = parse_dot(run(spec).stdout.rstrip("\n"))
    assert sorted(parsed["clusters"]) == ["left", "right"] and not any(n.startswith("f") for n in parsed["nodes"])


def test_shared_layers_are_set_apart(tmp_path):
    spec = tmp_path / "siamese.yaml"
    spec.write_text("archlint: 1\ninputs: {a: [8], b: [8]}\nlayers:\n  - {name: tower, type: Dense, units: 4, "
                    "inputs: [a]}\n  - {name: tower_b, apply: tower, inputs: [b]}\n"
                    "  - {name: sub, type: Subtract, inputs: [tower, tower_b]}\n")
    parsed = parse_dot(run(spec).stdout.rstrip("\n"))
    assert labels(parsed)["n1"] == ["tower_b", "Dense (weights of tower)", "units=4"]
    assert parsed["nodes"]["n1"]["shape"] == "parallelogram"
    assert ("n0", "n1", {"label": "shares weights", "style": "dashed", "constraint": "false"}) in parsed["edges"]
    assert [(a, b) for a, b, attributes in parsed["edges"] if "style" not in attributes] == [
        ("i0", "n0"), ("i1", "n1"), ("n0", "n2"), ("n1", "n2")]


def test_findings_colour_the_layers_they_point_into():
    parsed = parse_dot(run(ROOT / "tests" / "data" / "graph-concat-mismatch.yaml").stdout.rstrip("\n"))
    skip = parsed["nodes"][by_title(parsed)["skip"]]
    assert skip["label"].split("\\n")[-1] == "E015"
    assert (skip["fillcolor"], skip["color"], skip["penwidth"]) == ("#fecaca", "#b91c1c", "2")  # red
    assert sum("color" in a for a in parsed["nodes"].values()) == 1


def test_a_warning_is_amber(tmp_path):
    spec = tmp_path / "bias.yaml"
    spec.write_text("archlint: 1\nframework: pytorch\ninput: [3, 8, 8]\nlayers:\n"
                    "  - {name: conv, type: Conv2d, out_channels: 4, kernel_size: 3}\n  - {name: bn, type: BatchNorm2d}\n")
    parsed = parse_dot(run(spec).stdout.rstrip("\n"))
    conv = parsed["nodes"]["n0"]
    assert (conv["fillcolor"], conv["color"]) == ("#fde68a", "#b45309") and conv["label"].endswith("\\nW005")
    assert "color" not in parsed["nodes"]["n1"]


def test_a_finding_in_a_block_marks_the_copy_it_names(tmp_path):
    text = (EXAMPLES / "resnet" / "resnet50_torch.yaml").read_text()
    broken = text.replace("name: layer1.1, with: {planes: 64}", "name: layer1.1, with: {planes: 80}")
    assert broken != text
    (tmp_path / "r50.yaml").write_text(broken)
    result = run(tmp_path / "r50.yaml")
    assert result.exit_code == 0
    parsed = parse_dot(result.stdout.rstrip("\n"))
    marked = {attributes["label"].split("\\n")[0]: attributes["label"].split("\\n")[-1]
              for attributes in parsed["nodes"].values() if "color" in attributes}
    # E015 is written once, in the block's definition, and names its use: only layer1.1's add is red
    assert marked == {"layer1.1.add": "E015"}


def test_color_by_params(tmp_path):
    parsed = parse_dot(run(BASE, "--color-by", "params").stdout.rstrip("\n"))
    nodes = labels(parsed)
    assert nodes["n6"][-1] == "60.4% of the params"  # conv_b: 9,216 of 15,258
    assert nodes["n13"][-1] == "2.2% of the params"  # fc: 330
    assert parsed["nodes"]["n6"]["fillcolor"] == "#60a5fa" and parsed["nodes"]["n13"]["fillcolor"] == "#eff6ff"
    assert parsed["nodes"]["n3"]["fillcolor"] == "#93c5fd"  # conv_a: 30.2%
    assert "fillcolor" not in parsed["nodes"]["i0"] or parsed["nodes"]["i0"]["fillcolor"] == "#dcfce7"
    macs = labels(parse_dot(run(BASE, "--color-by", "macs").stdout.rstrip("\n")))
    assert macs["n6"][-1] == "57.4% of the MACs"  # 2,359,296 of 4,112,704


def test_names_that_need_escaping(tmp_path):
    spec = tmp_path / "odd.yaml"
    spec.write_text('archlint: 1\nname: "a \\"quoted\\" model"\ninput: [4]\nlayers:\n'
                    '  - {name: "x\\\\y \\"z\\" <b>#1", type: Dense, units: 2}\n')
    out = run(spec).stdout.rstrip("\n")
    parsed = parse_dot(out)
    assert parsed["title"] == 'a \\"quoted\\" model'
    assert labels(parsed)["n0"][0] == 'x\\\\y \\"z\\" <b>#1'
    assert 'n0["x\\y #quot;z#quot; #lt;b#gt;#35;1<br>Dense<br>units=2"]' in run(spec, "--format", "mermaid").stdout


# ---------------------------------------------------------------- Mermaid

BASE_MERMAID = """\
flowchart TB
  i0(["input<br>Input<br>(None, 3, 32, 32)"])
  n0["stem<br>Conv2d<br>out_channels=16, kernel_size=3<br>padding=1, bias=false"]
  n1["stem_bn<br>BatchNorm2d"]
  n2["stem_relu<br>ReLU"]
  n3["conv_a<br>Conv2d<br>out_channels=32, kernel_size=3<br>stride=2, padding=1, …"]
  n4["bn_a<br>BatchNorm2d"]
  n5["relu_a<br>ReLU"]
  n6["conv_b<br>Conv2d<br>out_channels=32, kernel_size=3<br>padding=1, bias=false"]
  n7["bn_b<br>BatchNorm2d"]
  n8["shortcut<br>Conv2d<br>out_channels=32, kernel_size=1<br>stride=2, bias=false"]
  n9{{"add<br>torch.add"}}
  n10["relu_out<br>ReLU"]
  n11["pool<br>AdaptiveAvgPool2d<br>output_size=1"]
  n12["flatten<br>torch.flatten<br>start_dim=1"]
  n13["fc<br>Linear<br>out_features=10"]
  i0 -->|"(None, 3, 32, 32)"| n0
  n0 -->|"(None, 16, 32, 32)"| n1
  n1 -->|"(None, 16, 32, 32)"| n2
  n2 -->|"(None, 16, 32, 32)"| n3
  n3 -->|"(None, 32, 16, 16)"| n4
  n4 -->|"(None, 32, 16, 16)"| n5
  n5 -->|"(None, 32, 16, 16)"| n6
  n6 -->|"(None, 32, 16, 16)"| n7
  n2 -->|"(None, 16, 32, 32)"| n8
  n7 -->|"(None, 32, 16, 16)"| n9
  n8 -->|"(None, 32, 16, 16)"| n9
  n9 -->|"(None, 32, 16, 16)"| n10
  n10 -->|"(None, 32, 16, 16)"| n11
  n11 -->|"(None, 32, 1, 1)"| n12
  n12 -->|"(None, 32)"| n13
  classDef output stroke-width:3px
  class n13 output
"""

CONCAT_MERMAID = """\
flowchart TB
  i0(["input<br>Input<br>(None, 3, 64, 64)"])
  n0["enc<br>Conv2d<br>out_channels=16, kernel_size=3<br>padding=1"]
  n1["down<br>MaxPool2d<br>kernel_size=2"]
  n2["mid<br>Conv2d<br>out_channels=16, kernel_size=3<br>padding=1"]
  n3{{"skip<br>torch.cat<br>dim=1<br>E015"}}
  i0 -->|"(None, 3, 64, 64)"| n0
  n0 -->|"(None, 16, 64, 64)"| n1
  n1 -->|"(None, 16, 32, 32)"| n2
  n2 -->|"(None, 16, 32, 32)"| n3
  n0 -->|"(None, 16, 64, 64)"| n3
  classDef output stroke-width:3px
  classDef error fill:#fecaca,stroke:#b91c1c,stroke-width:2px
  class n3 output
  class n3 error
"""


def test_mermaid_exact_text():
    assert run(BASE, "--format", "mermaid").stdout == BASE_MERMAID
    assert run(ROOT / "tests" / "data" / "graph-concat-mismatch.yaml", "--format", "mermaid").stdout == CONCAT_MERMAID


def test_mermaid_folded_blocks_and_subgraphs():
    out = run(EXAMPLES / "resnet" / "resnet50_torch.yaml", "--format", "mermaid").stdout
    assert '  subgraph s1 ["layer1"]\n    subgraph s2 ["layer1.0"]\n      n4["layer1.0.conv1<br>Conv2d<br>' in out
    assert '    f0[["layer1.1 … layer1.2<br>x 2 identical blocks<br>10 layers, 70,400 params each"]]\n' in out
    assert '  n15 -->|"(None, 256, 56, 56)"| f0\n' in out


_MERMAID_LINE = re.compile(
    r'^(flowchart TB'
    r'|\s*\w+(\(\["|\["|\{\{"|\[/"|\[\[")[^"]*("\]\)|"\]|"\}\}|"/\]|"\]\])'  # nodes: no raw quote inside
    r'|\s*subgraph s\d+ \["[^"]*"\]|\s*end'
    r'|  \w+ (-->|-\.->)\|"[^"]*"\| \w+'
    r'|  classDef \w+ [\w:#,-]+(,[\w:#-]+)*|  class \w+(,\w+)* \w+)$')


@pytest.mark.parametrize("path", sorted(str(p.relative_to(ROOT)) for p in EXAMPLES.rglob("*.yaml")) +
                         ["tests/data/keras/ResNet50.json", "tests/data/graph-shared-mismatch.yaml"])
def test_every_example_draws_in_both_grammars(path):
    for options in ((), ("--unfold", "--color-by", "macs")):
        result = run(ROOT / path, *options)
        assert result.exit_code == 0, result.output
        parsed = parse_dot(result.stdout.rstrip("\n"))
        assert parsed["nodes"]
        text = run(ROOT / path, "--format", "mermaid", *options).stdout.rstrip("\n")
        bad = [line for line in text.split("\n") if not _MERMAID_LINE.match(line)]
        assert bad == []
        assert text.count("subgraph ") == len([line for line in text.split("\n") if line.strip() == "end"])
    if shutil.which("dot"):  # and Graphviz itself reads the DOT without a warning
        done = subprocess.run(["dot", "-Tsvg"], input=run(ROOT / path).stdout, capture_output=True, text=True)
        assert done.returncode == 0 and done.stderr == "" and "</svg>" in done.stdout


# ---------------------------------------------------------------- Graphviz


@needs_dot
def test_unet_to_svg(tmp_path):
    target = tmp_path / "unet.svg"
    result = run(EXAMPLES / "unet" / "unet_torch.yaml", "--format", "svg", "-o", target)
    assert result.exit_code == 0 and result.stdout == ""
    svg = ElementTree.parse(target).getroot()
    namespace = {"svg": "http://www.w3.org/2000/svg"}
    nodes = svg.findall(".//svg:g[@class='node']", namespace)
    texts = {group.find("svg:title", namespace).text: [t.text for t in group.findall("svg:text", namespace)]
             for group in nodes}
    assert len(texts) == 55 + 1  # every layer and the input: nothing repeats identically in this U-Net
    assert texts["i0"] == ["input", "Input", "(None, 1, 128, 128)"]
    assert texts["n0"] == ["enc1.conv1", "Conv2d", "out_channels=16, kernel_size=3", "padding=1, bias=false"]
    cats = sorted(t[0] for t in texts.values() if t[1] == "torch.cat")
    assert cats == ["dec1.cat", "dec2.cat", "dec3.cat"]
    clusters = [g.find("svg:text", namespace).text for g in svg.findall(".//svg:g[@class='cluster']", namespace)]
    assert "dec1.conv" in clusters and "enc1" in clusters
    edges = [t.text for g in svg.findall(".//svg:g[@class='edge']", namespace) for t in g.findall("svg:text", namespace)]
    assert edges.count("(None, 16, 128, 128)") >= 2


@needs_dot
def test_png_has_the_png_signature(tmp_path):
    result = CliRunner().invoke(main, ["graph", "--isolated", str(BASE), "--format", "png", "-o", str(tmp_path / "g.png")])
    assert result.exit_code == 0
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_graphviz_the_message_names_the_package(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on it
    result = run(BASE, "--format", "svg")
    assert result.exit_code == 2
    assert result.stderr == f"archlint: error: {dot.INSTALL}\n"
    assert "`graphviz` package" in dot.INSTALL
    assert run(BASE, "--format", "dot").exit_code == 0  # text formats need nothing


def test_a_spec_that_cannot_be_walked_exits_1(tmp_path):
    (tmp_path / "broken.yaml").write_text("archlint: 1\ninput: [4]\nlayers: [{type: Dense, units: [}\n")
    result = run(tmp_path / "broken.yaml")
    assert result.exit_code == 1 and "S001" in result.stderr and result.stdout == ""


# ---------------------------------------------------------------- 10,000 layers


def _generated(tmp_path, blocks: bool):
    if blocks:
        text = ("archlint: 1\nframework: pytorch\ninput: [64]\nblocks:\n  unit:\n    layers:\n"
                "      - {name: fc, type: Linear, out_features: 64}\n      - {name: act, type: ReLU}\n"
                "layers:\n  - {block: unit, name: stack, repeat: 5000}\n")
    else:
        text = "archlint: 1\nframework: pytorch\ninput: [64]\nlayers:\n" + \
            "  - {type: Linear, out_features: 64}\n  - {type: ReLU}\n" * 5000
    path = tmp_path / "big.yaml"
    path.write_text(text)
    return path


def test_ten_thousand_repeated_layers_fold_into_one_node(tmp_path):
    path = _generated(tmp_path, blocks=True)
    parsed = parse_dot(run(path).stdout.rstrip("\n"))
    assert labels(parsed) == {"i0": ["input", "Input", "(None, 64)"],
                              "f0": ["stack.0 … stack.4999", "x 5000 identical blocks", "2 layers, 4,160 params each"]}
    unfolded = parse_dot(run(path, "--unfold").stdout.rstrip("\n"))
    assert len(unfolded["nodes"]) == 10_001 and len(unfolded["edges"]) == 10_000
    assert unfolded["clusters"] == {}  # 5,000 frames would take Graphviz minutes: past MAX_CLUSTERS, none
    assert graph.MAX_CLUSTERS < 5000


def test_ten_thousand_plain_layers(tmp_path):
    parsed = parse_dot(run(_generated(tmp_path, blocks=False)).stdout.rstrip("\n"))
    assert len(parsed["nodes"]) == 10_001 and len(parsed["edges"]) == 10_000
    assert labels(parsed)["n9999"] == ["9999", "ReLU"]
    assert mermaid.render  # the same graph in Mermaid is one line per node and edge
    assert run(_generated(tmp_path, blocks=False), "--format", "mermaid").stdout.count("\n") == 1 + 10_001 + 10_000 + 2


def test_the_documented_mermaid_example():
    page = (ROOT / "docs" / "graph.md").read_text()
    shown = re.search(r"^```mermaid\n(.*?)^```", page, re.DOTALL | re.MULTILINE).group(1)
    assert run(EXAMPLES / "lenet5" / "lenet5_torch.yaml", "--format", "mermaid").stdout == shown


# ---------------------------------------------------------------- the real Mermaid parser

# Parses every text of a JSON list on stdin with the `mermaid` npm package (12.3.0; jsdom gives it the
# DOM its sanitizer needs) and prints what its flowchart database holds. Run with `node --input-type=module`
# from a folder where `npm install mermaid@12.3.0 jsdom` was run (ARCHLINT_MERMAID_DIR; .ci/run makes one).
MERMAID_SCRIPT = """
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';
const dom = new JSDOM('<!DOCTYPE html><body></body>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const mermaid = (await import('mermaid')).default;
const results = [];
for (const text of JSON.parse(readFileSync(0, 'utf8'))) {
  await mermaid.parse(text);  // throws on a syntax error; also loads the flowchart diagram
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db;
  results.push({
    type: diagram.type,
    vertices: [...db.getVertices().values()].map(v => [v.id, v.type, v.text, [...v.classes]]),
    edges: db.getEdges().map(e => [e.start, e.end, e.text, e.stroke]),
    subgraphs: db.getSubGraphs().map(s => [s.title, s.nodes]),
  });
}
console.log(JSON.stringify(results));
"""
MERMAID_TYPES = {"input": "stadium", "layer": "square", "merge": "hexagon", "shared": "lean_right",
                 "folded": "subroutine"}


def _mermaid_dir():
    folder = os.environ.get("ARCHLINT_MERMAID_DIR")
    if not folder or shutil.which("node") is None or not os.path.isdir(os.path.join(folder, "node_modules", "mermaid")):
        pytest.skip("the mermaid npm package is not installed (ARCHLINT_MERMAID_DIR)")
    return folder


def _decoded(text: str) -> str:
    """Mermaid keeps entity codes as placeholders until it renders, and holds a bare `&` as `&amp;` (the
    label is HTML): back to the characters they show."""
    text = html.unescape(text)
    text = re.sub(r"ﬂ°°(\d+)¶ß", lambda m: chr(int(m.group(1))), text)
    return re.sub(r"ﬂ°(\w+)¶ß", lambda m: html.unescape(f"&{m.group(1)};"), text)


def _expected(picture) -> dict:
    from archlint.graph import Cluster, drawing_order

    classes: dict = {node_id: [] for node_id in picture.nodes}
    for name in mermaid.CLASSES:
        for node in picture.nodes.values():
            if name == node.severity or (name == "output" and node.output) or (
                    node.share is not None and name == f"share{dot.SHARE_COLORS.index(dot.share_color(node.share))}"):
                classes[node.id].append(name)
    members = []
    for kind, item, _ in drawing_order(picture.root):
        if kind == "open":
            members.append(item)
    subgraph_ids = {id(cluster): f"s{index + 1}" for index, cluster in enumerate(members)}
    return {
        "vertices": sorted([node.id, MERMAID_TYPES[node.kind], "<br>".join([node.title] + node.lines).replace("\n", " "),
                            classes[node.id]] for node in picture.nodes.values()),
        "edges": [[e.source, e.target, e.label, "dotted" if e.shares else "normal"] for e in picture.edges],
        "subgraphs": sorted([cluster.name, [subgraph_ids[id(i)] if isinstance(i, Cluster) else i for i in cluster.items]]
                            for cluster in members),
    }


def test_the_real_mermaid_parser_reads_what_archlint_means(tmp_path):
    """Every example (folded and unfolded, coloured), a shared layer with its error, hostile names: Mermaid's
    own parser gives back every node with its shape, text and classes, every edge with its label and
    style, every subgraph with its members."""
    folder = _mermaid_dir()
    odd = tmp_path / "odd.yaml"
    odd.write_text('archlint: 1\ninput: [4]\nlayers:\n  - {name: "x\\\\y \\"z\\" <b>#1 & %", type: Dense, units: 2}\n')
    cases = [(ROOT / path, options) for path in sorted(str(p.relative_to(ROOT)) for p in EXAMPLES.rglob("*.yaml"))
             for options in ((), ("--unfold", "--color-by", "params"))]
    cases += [(ROOT / "tests/data/graph-shared-mismatch.yaml", ()), (ROOT / "tests/data/graph-concat-mismatch.yaml", ()),
              (ROOT / "tests/data/keras/ResNet50.json", ("--color-by", "macs")), (odd, ())]
    texts = [run(path, "--format", "mermaid", *options).stdout for path, options in cases]
    done = subprocess.run(["node", "--input-type=module", "-e", MERMAID_SCRIPT], cwd=folder, input=json.dumps(texts),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    from archlint import project
    from archlint.graph import command

    for (path, options), parsed in zip(cases, json.loads(done.stdout)):
        item = project.check_file(str(path), project.Options(isolated=True))
        marks = command.findings_by_layer(item.result.model, item.findings, str(path), project.Options(isolated=True))
        color_by = options[options.index("--color-by") + 1] if "--color-by" in options else None
        picture = graph.build(item.result.model, marks, unfold="--unfold" in options, color_by=color_by)
        expected = _expected(picture)
        assert parsed["type"] == "flowchart-v2"
        assert sorted([v[0], v[1], _decoded(v[2]), v[3]] for v in parsed["vertices"]) == expected["vertices"], path
        assert parsed["edges"] == expected["edges"], path
        assert sorted(parsed["subgraphs"]) == expected["subgraphs"], path
