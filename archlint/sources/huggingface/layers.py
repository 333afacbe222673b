"""The layer types a converted config.json uses: one per transformers module class (a decoder layer, a
norm, an embedding), registered like a plugin's the first time a file needs them. Their rule reads the
exact counts the family module gave (`params`) and the work per token, so the walk and every report see
transformers' numbers; nothing is rebuilt from shapes."""

from __future__ import annotations

from archlint.layers import registry
from archlint.plugins import register_layer

DEFAULTS = {
    "params": registry.REQUIRED,  # parameters of the entry (all its folded layers), tied weights counted once
    "features": None,  # the size of the output's last axis (hidden_size, vocab_size)
    "per_token": 0,  # MACs of each token through the entry's weights (one layer; routed experts: top-k only)
    "scores": 0,  # attention MACs per attended token (one layer)
    "window": None,  # a sliding-window layer attends to at most this many tokens
    "layers": 1,  # identical consecutive layers folded into this entry (model.layers.0-31)
}
_COUNT = {"type": "integer", "minimum": 0}
PROPERTIES = {"params": _COUNT, "features": {"type": ["integer", "null"], "minimum": 0}, "per_token": _COUNT,
              "scores": _COUNT, "window": {"type": ["integer", "null"], "minimum": 1},
              "layers": {"type": "integer", "minimum": 1}}
_NATIVE: set[str] | None = None


def attended(length: int, window: int | None) -> int:
    """Token pairs a causal pass over `length` tokens scores: sum over t of min(t, window)."""
    if window is None or window >= length:
        return length * (length + 1) // 2
    return window * (window + 1) // 2 + (length - window) * window


def infer(call) -> registry.Output:
    if call.type == "Uncountable":  # the config's errors are reported by the importer: no counts, no cascade
        raise registry.Stop()
    cfg = call.cfg
    shape = call.x.shape
    length = shape[1] if len(shape) > 1 else None
    macs = None
    if isinstance(length, int):
        macs = cfg["layers"] * (cfg["per_token"] * length + cfg["scores"] * attended(length, cfg["window"]))
    return registry.Output((shape[0], length, cfg["features"]), trainable=cfg["params"], macs=macs)


def type_name(cls: str) -> str:
    """The layer type of a transformers class: its own name, or `nn.<Name>` for a torch.nn class whose name
    archlint's own PyTorch layers already use (Linear, Embedding)."""
    global _NATIVE
    if _NATIVE is None:
        registry.load_all()
        _NATIVE = {name for framework, name in registry.REGISTRY if framework == "pytorch"
                   and registry.REGISTRY[(framework, name)].family != "plugin"}
    name = f"nn.{cls}" if cls in _NATIVE else cls
    if ("pytorch", name) not in registry.REGISTRY:
        register_layer("pytorch", name, DEFAULTS, infer, PROPERTIES,
                       f"{cls} (a transformers module of a Hugging Face config: exact counts from archlint)",
                       importer=True)
    return name
