"""Mermaid flowchart text for a graph.Graph: renders inline in GitHub and GitLab Markdown (```mermaid).

Constructs used: `flowchart TB`, node shapes `["..."]` (layer), `(["..."])` (input), `{{"..."}}` (merge),
`[/"..."/]` (shared weights), `[["..."]]` (folded blocks), `subgraph ID ["..."]` ... `end`, edges
`A -->|"..."| B` and `A -.->|"..."| B`, `classDef` and `class`.
"""

from __future__ import annotations

from archlint.graph import Graph, Node, drawing_order

BRACKETS = {"input": ('(["', '"])'), "layer": ('["', '"]'), "merge": ('{{"', '"}}'), "shared": ('[/"', '"/]'),
            "folded": ('[["', '"]]')}
# the same colours as the DOT output (archlint.graph.dot): red errors, amber warnings, blue shares
CLASSES = {"share0": "fill:#eff6ff", "share1": "fill:#dbeafe", "share2": "fill:#bfdbfe", "share3": "fill:#93c5fd",
           "share4": "fill:#60a5fa", "output": "stroke-width:3px",
           "warning": "fill:#fde68a,stroke:#b45309,stroke-width:2px",
           "error": "fill:#fecaca,stroke:#b91c1c,stroke-width:2px"}


def text(value: str) -> str:
    """Label text: Mermaid's entity codes for the characters that would end or open markup."""
    return (value.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
            .replace("\n", " "))


def _node(node: Node) -> str:
    opening, closing = BRACKETS[node.kind]
    return f"{node.id}{opening}{'<br>'.join(text(line) for line in [node.title] + node.lines)}{closing}"


def render(graph: Graph) -> str:
    from archlint.graph.dot import SHARE_COLORS, share_color

    out = ["flowchart TB"]
    subgraphs = 0
    for kind, item, depth in drawing_order(graph.root):
        indent = "  " * (depth + 1)
        if kind == "open":
            subgraphs += 1
            out.append(f'{indent}subgraph s{subgraphs} ["{text(item.name)}"]')
        elif kind == "close":
            out.append(f"{indent}end")
        else:
            out.append(indent + _node(graph.nodes[item]))
    for edge in graph.edges:
        arrow = "-.->" if edge.shares else "-->"
        out.append(f'  {edge.source} {arrow}|"{text(edge.label)}"| {edge.target}')
    members: dict[str, list[str]] = {}
    for node in graph.nodes.values():
        if node.share is not None:
            members.setdefault(f"share{SHARE_COLORS.index(share_color(node.share))}", []).append(node.id)
        if node.severity:
            members.setdefault(node.severity, []).append(node.id)
        if node.output:
            members.setdefault("output", []).append(node.id)
    for name, style in CLASSES.items():  # in this order, so a finding's colour shows over a share's
        if name in members:
            out.append(f"  classDef {name} {style}")
    for name in CLASSES:
        if name in members:
            out.append(f"  class {','.join(members[name])} {name}")
    return "\n".join(out)
