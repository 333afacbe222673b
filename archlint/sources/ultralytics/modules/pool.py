"""ultralytics' spatial pyramid pooling modules, as observed in 8.4."""

from __future__ import annotations

from archlint.sources.ultralytics.blocks import BlockError
from archlint.sources.ultralytics.modules.conv import block
from archlint.sources.ultralytics.modules.csp import repeats
from archlint.sources.ultralytics.modules.ops import REQUIRED, add, cat, channels

R = REQUIRED


@block("SPPF", ("c1", R), ("c2", R), ("k", 5), ("n", 3), ("shortcut", False))
def SPPF(net, x, c1, c2, k, n, shortcut):
    """SPPF: Conv(c1, c1 // 2), n chained MaxPool2d(k, 1, k // 2) whose outputs are concatenated with the
    Conv's, Conv((n + 1) c1 // 2, c2); plus the input when shortcut and c1 == c2."""
    hidden = channels(c1) // 2
    y = net.conv(x, c1, hidden, 1, 1)
    n = repeats(n)
    if not isinstance(k, int):
        raise BlockError(f"unsupported operand type(s) for //: '{type(k).__name__}' and 'int'", 2)
    # every pool keeps the size (odd k) or grows it by one (even k), which the concatenation then refuses
    joined = cat([y, net.maxpool(y, k, 1, k // 2)]) if n > 0 else y
    joined = (joined[0] + (n - 1) * y[0], *joined[1:]) if n > 1 else joined
    out = net.conv(joined, hidden * (n + 1), c2, 1, 1)
    return add(out, x) if shortcut and c1 == c2 else out


@block("SPP", ("c1", R), ("c2", R), ("k", (5, 9, 13)))
def SPP(net, x, c1, c2, k):
    """SPP: Conv(c1, c1 // 2), one MaxPool2d(k_i, 1, k_i // 2) per kernel, all concatenated, Conv to c2."""
    hidden = channels(c1) // 2
    y = net.conv(x, c1, hidden, 1, 1)
    if not isinstance(k, (list, tuple)):
        raise BlockError(f"'{type(k).__name__}' object is not iterable", 2)
    pooled = [net.maxpool(y, size, 1, size // 2) for size in k]
    return net.conv(cat([y, *pooled]), hidden * (len(k) + 1), c2, 1, 1)


BLOCKS = {"SPPF": SPPF, "SPP": SPP}
