"""The contract between the Ultralytics importer (rows, scales, `from`, channels) and the modules it
builds: one function per module class, given the constructor arguments exactly as ultralytics'
`parse_model` passes them and the input tensors' (C, H, W), returning what the module builds.

    BLOCKS: dict[str, Callable[[list, list[tuple[int, int, int]]], Built]]

`args` is the full positional argument list of the constructor after parse_model's rewriting (for a
Conv: [c1, c2, k, s, ...]; for C2f: [c1, c2, n, shortcut, ...]; for a head: [nc, ..., [c_in per level]]),
and `inputs` the (C, H, W) of each input at the image size being checked. A module whose arguments or
inputs would make ultralytics or torch fail raises `BlockError` with the framework's own words.
"""

from __future__ import annotations

from dataclasses import dataclass


class BlockError(Exception):
    """The module cannot be built or cannot run on these inputs; the message is the framework's terms."""

    def __init__(self, message: str, argument: int | None = None):
        super().__init__(message)
        self.message, self.argument = message, argument  # argument: the index in `args` at fault, if one


class NotModelled(BlockError):
    """The module builds, but what it does with these inputs is not modelled (reported as W135)."""


@dataclass(frozen=True)
class Built:
    shape: tuple[int, int, int]  # output (C, H, W); a head's is its first output's
    params: int
    macs: int  # multiply-accumulates of one forward pass at this input size (batch 1)
    frozen: int = 0  # parameters with requires_grad False (the DFL convolution)
    flops: int | None = None  # FLOPs as ultralytics' model.info() counts them, when they differ from 2 x macs

    @property
    def info_flops(self) -> int:
        """FLOPs as ultralytics' model.info() counts them (thop's count, doubled)."""
        return self.flops if self.flops is not None else 2 * self.macs


# modules ultralytics ships but parse_model cannot name (not among ultralytics.nn.tasks' names: a YAML row
# naming one fails with KeyError): built here for the modules that contain them, not offered to YAMLs
INNER_NAMES = frozenset({"C3k", "CIB", "Attention", "PSABlock", "TransformerBlock", "AAttn", "ABlock", "CBAM",
                         "ChannelAttention", "SpatialAttention"})


def _collect() -> tuple[dict, dict]:
    from archlint.sources.ultralytics.modules import attention, conv, csp, elan, pool, rtdetr, torchnn

    found = {}
    for module in (conv, csp, pool, elan, attention, rtdetr, torchnn):
        found.update(module.BLOCKS)
    return ({k: v for k, v in found.items() if k not in INNER_NAMES},
            {k: v for k, v in found.items() if k in INNER_NAMES})


# BLOCKS: what a YAML row can name; INNER: the same contract for the parts above
BLOCKS, INNER = _collect()
