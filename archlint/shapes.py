"""Shapes as archlint holds them: tuples with the batch axis first and None where a size is unknown."""

from __future__ import annotations

from math import prod

SPATIAL_NAMES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def format_shape(shape) -> str:
    """(None, 8, 8, 5), as Keras prints shapes; a list of shapes for a layer with several outputs."""
    if isinstance(shape, list):
        return "[" + ", ".join(format_shape(s) for s in shape) + "]"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def known_product(dims) -> int | None:
    """The product of the sizes, or None when any of them is unknown."""
    if any(d is None for d in dims):
        return None
    return prod(dims)


def spatial_axes(rank: int, channels_first: bool) -> list[int]:
    """The axis indices of the `rank` spatial axes of a (batch, channels, ...) or (batch, ..., channels) tensor."""
    return list(range(2, rank + 2)) if channels_first else list(range(1, rank + 1))


def axis_label(tensor_rank: int, axis: int, channels_first: bool) -> str:
    """A spatial axis's everyday name (height, width, ...) or `axis N` when it has none."""
    spatial = tensor_rank - 2
    index = axis - (2 if channels_first else 1)
    names = SPATIAL_NAMES.get(spatial)
    if names and 0 <= index < spatial:
        return f"{names[index]} axis"
    return f"axis {axis}"
