"""Graphviz DOT for a graph.Graph, and SVG/PNG through the real `dot` (no layout engine of our own).

The text is a small fixed grammar, one statement per line (tests parse it back):
  node:    `  ID [attr="value", ...];`
  edge:    `  ID -> ID [attr="value", ...];`
  cluster: `  subgraph "cluster_N" {` ... `  }` with `label="..."` inside.
"""

from __future__ import annotations

import shutil
import subprocess

from archlint.graph import Graph, Node, drawing_order

# node kind -> attributes that set it apart
SHAPES = {"input": {"shape": "oval", "fillcolor": "#dcfce7"}, "layer": {"shape": "box"},
          "merge": {"shape": "hexagon", "fillcolor": "#e0e7ff"},
          "shared": {"shape": "parallelogram", "fillcolor": "#f3e8ff"},
          "folded": {"shape": "box3d", "fillcolor": "#e2e8f0"}}
SEVERITY = {"error": ("#fecaca", "#b91c1c"), "warning": ("#fde68a", "#b45309")}  # (fill, border): red, amber
SHARE_COLORS = ("#eff6ff", "#dbeafe", "#bfdbfe", "#93c5fd", "#60a5fa")  # light to dark blue by share
INSTALL = ("Graphviz's `dot` is not on PATH: install the `graphviz` package (apt-get install graphviz, "
           "brew install graphviz, conda install graphviz, choco install graphviz), or use --format dot or mermaid")


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("\r", " ") + '"'


def label(node: Node) -> str:
    """The lines of a node; `\\n` is DOT's line break inside a quoted string."""
    return "\\n".join(quote(line)[1:-1] for line in [node.title] + node.lines)


def _string(value: str) -> str:
    return f'"{value}"'  # already escaped (labels) or a fixed word or colour


def share_color(share: float) -> str:
    return SHARE_COLORS[min(len(SHARE_COLORS) - 1, int(share * 2 * len(SHARE_COLORS)))]  # 50% or more: darkest


def _node(node: Node, color_by: str | None) -> str:
    attributes = {"label": label(node), **SHAPES[node.kind]}
    if node.share is not None:
        attributes["fillcolor"] = share_color(node.share)
    if node.severity:
        fill, border = SEVERITY[node.severity]
        if color_by is None:  # with --color-by the fill is the share, and a finding colours the border
            attributes["fillcolor"] = fill
        attributes.update(color=border, penwidth="2")
    if node.output:
        attributes["peripheries"] = "2"
    return f"{node.id} [{', '.join(key + '=' + _string(value) for key, value in attributes.items())}];"


def render(graph: Graph) -> str:
    out = [f"digraph {quote(graph.title)} {{", '  rankdir="TB";',
           '  node [style="rounded,filled", fillcolor="#f8fafc", fontname="Helvetica", fontsize="10"];',
           '  edge [fontname="Helvetica", fontsize="9", color="#475569"];']
    clusters = 0
    for kind, item, depth in drawing_order(graph.root):
        indent = "  " * (depth + 1)
        if kind == "open":
            clusters += 1
            out.append(f'{indent}subgraph "cluster_{clusters}" {{')
            out.append(f'{indent}  label={quote(item.name)}; style="rounded,dashed"; color="#94a3b8";')
        elif kind == "close":
            out.append(f"{indent}}}")
        else:
            out.append(indent + _node(graph.nodes[item], graph.color_by))
    for edge in graph.edges:
        if edge.shares:
            out.append(f'  {edge.source} -> {edge.target} [label={quote(edge.label)}, style="dashed", '
                       f'constraint="false"];')
        else:
            out.append(f"  {edge.source} -> {edge.target} [label={quote(edge.label)}];")
    out.append("}")
    return "\n".join(out)


def run_dot(text: str, fmt: str) -> bytes:
    """SVG or PNG from Graphviz. OSError with INSTALL when `dot` is missing; RuntimeError when it fails."""
    executable = shutil.which("dot")
    if executable is None:
        raise OSError(INSTALL)
    done = subprocess.run([executable, f"-T{fmt}"], input=text.encode("utf-8"), capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"dot failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout
