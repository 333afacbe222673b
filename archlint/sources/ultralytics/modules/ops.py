"""The torch layers ultralytics' modules are made of, as arithmetic on (C, H, W) with batch 1.

`Net` accumulates what a module builds while its builder walks the module's forward pass:
- `params`: parameters (`requires_grad` or not; BatchNorm's running statistics are buffers, not counted);
- `macs`: archlint's multiply-accumulates (archlint/cost.py): the products of convolutions, linear layers
  and matrix products (attention's Q.K and attention.V), as torch.utils.flop_counter counts them / 2;
- `ops`: the operation count ultralytics' GFLOPs is made of (`model.info()`: thop's profile x 2 / 1e9):
  the same products plus 2 per element for a normalization (4 with its affine weights, so every
  BatchNorm2d and LayerNorm), 3n - 1 per softmax row of n for an nn.Softmax module (not for the
  `Tensor.softmax` method, which thop does not see), one add per pooled input and one divide per output
  of an average pool; activations, max pools, nearest resizes, concatenations and additions count 0.

Every check raises `BlockError` worded as torch words the failure (torch 2.13), at the first layer
the forward pass reaches.
"""

from __future__ import annotations

from math import prod

from archlint.sources.ultralytics.blocks import BlockError, Built

Shape = tuple[int, int, int]


def pair(value) -> tuple[int, int]:
    """An int or a 1- or 2-sequence as torch reads a 2-D layer's kernel/stride/padding/dilation."""
    if isinstance(value, bool):
        raise BlockError(f"expected an int or a pair of ints, got {value!r}")
    if isinstance(value, int):
        return value, value
    if isinstance(value, (list, tuple)) and len(value) in (1, 2) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        return (value[0], value[0]) if len(value) == 1 else (value[0], value[1])
    raise BlockError(f"expected an int or a pair of ints, got {value!r}")


def autopad(k, p=None, d=1):
    """ultralytics' 'same' padding: half the (dilated) kernel, per axis, when no padding is given."""
    if p is not None:
        return p
    if isinstance(k, int):
        k = d * (k - 1) + 1 if d > 1 else k
        return k // 2
    k = [d * (x - 1) + 1 for x in k] if d > 1 else list(k)
    return [x // 2 for x in k]


def dims(shape) -> str:
    return ", ".join(str(v) for v in shape)


def channels(value, what: str = "channels") -> int:
    """A channel count read from the arguments: an int (bool is an int to torch, as ultralytics passes it)."""
    if not isinstance(value, int):
        raise BlockError(f"{what} must be an int, got {value!r}")
    return int(value)


class Net:
    """What a module builds so far: parameters, MACs and thop's operation count."""

    def __init__(self):
        self.params = 0
        self.macs = 0
        self.ops = 0

    def built(self, shape: Shape, frozen: int = 0) -> Built:
        flops = 2 * self.ops
        return Built(tuple(shape), self.params, self.macs, frozen, None if flops == 2 * self.macs else flops)

    def absorb(self, other: Net, times: int = 1) -> None:
        """`times` copies of an identical sub-module applied to the same shape."""
        self.params += times * other.params
        self.macs += times * other.macs
        self.ops += times * other.ops

    def products(self, count: int) -> None:
        """Multiply-accumulates that both conventions count (convolutions, linear layers, matrix products)."""
        self.macs += count
        self.ops += count

    # ------------------------------------------------------------------------------ convolutions

    def _weight(self, c1, c2, k, s, p, d, g, bias, transposed):
        """What constructing the convolution checks, and its parameters: the weight is [c2, c1 / g, kh, kw]
        ([c1, c2 / g, kh, kw] transposed) plus c2 biases."""
        c1, c2 = channels(c1, "in_channels"), channels(c2, "out_channels")
        if not isinstance(g, int) or g <= 0:
            raise BlockError("groups must be a positive integer")
        if c1 % g:
            raise BlockError("in_channels must be divisible by groups")
        if c2 % g:
            raise BlockError("out_channels must be divisible by groups")
        kh, kw = pair(k)
        weight = [c1, c2 // g, kh, kw] if transposed else [c2, c1 // g, kh, kw]
        for v in weight:
            if v < 0:
                raise BlockError(f"Trying to create tensor with negative dimension {v}: [{dims(weight)}]")
        self.params += prod(weight) + (c2 if bias else 0)
        return c1, c2, (kh, kw), pair(s), pair(p), pair(d), weight

    def conv2d(self, x: Shape, c1, c2, k, s=1, p=0, g=1, d=1, bias=True) -> Shape:
        """nn.Conv2d(c1, c2, k, s, p, d, g, bias) applied to x."""
        c1, c2, (kh, kw), (sh, sw), (ph, pw), (dh, dw), weight = self._weight(c1, c2, k, s, p, d, g, bias, False)
        cin, h, w = x
        if c2 == 0:
            raise BlockError(f"Given groups={g}, expected weight to be at least 1 at dimension 0, but got weight "
                             f"of size [{dims(weight)}] instead")
        if cin != c1:
            raise BlockError(f"Given groups={g}, weight of size [{dims(weight)}], expected input[1, {cin}, {h}, {w}] "
                             f"to have {c1} channels, but got {cin} channels instead")
        _window_args((kh, kw), (sh, sw), (ph, pw), (dh, dw))
        eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
        if h + 2 * ph < eh or w + 2 * pw < ew:
            raise BlockError(f"Calculated padded input size per channel: ({h + 2 * ph} x {w + 2 * pw}). Kernel size: "
                             f"({eh} x {ew}). Kernel size can't be greater than actual input size")
        out = (c2, (h + 2 * ph - eh) // sh + 1, (w + 2 * pw - ew) // sw + 1)
        self.products(prod(out) * (c1 // g) * kh * kw)
        return out

    def conv_transpose2d(self, x: Shape, c1, c2, k, s=1, p=0, g=1, d=1, bias=True, output_padding=0) -> Shape:
        """nn.ConvTranspose2d(c1, c2, k, s, p, output_padding, g, bias, d) applied to x."""
        c1, c2, (kh, kw), (sh, sw), (ph, pw), (dh, dw), weight = self._weight(c1, c2, k, s, p, d, g, bias, True)
        oh, ow = pair(output_padding)
        cin, h, w = x
        if cin != c1:
            raise BlockError(f"Given transposed=1, weight of size [{dims(weight)}], expected input[1, {cin}, {h}, "
                             f"{w}] to have {c1} channels, but got {cin} channels instead")
        _window_args((kh, kw), (sh, sw), (ph, pw), (dh, dw))
        out = (c2, (h - 1) * sh - 2 * ph + dh * (kh - 1) + oh + 1, (w - 1) * sw - 2 * pw + dw * (kw - 1) + ow + 1)
        if out[1] < 1 or out[2] < 1:
            raise BlockError(f"Given input size per channel: ({h} x {w}). Calculated output size per channel: "
                             f"({out[1]} x {out[2]}). Output size is too small")
        self.products(h * w * c1 * (c2 // g) * kh * kw)
        return out

    def bn(self, x: Shape) -> Shape:
        """nn.BatchNorm2d(C): weight and bias (running statistics are buffers); thop counts 4 per element."""
        self.params += 2 * x[0]
        self.ops += 4 * prod(x)
        return x

    def conv(self, x: Shape, c1, c2, k=1, s=1, p=None, g=1, d=1) -> Shape:
        """ultralytics' Conv: Conv2d without bias ('same' padding when p is None), BatchNorm2d, activation."""
        return self.bn(self.conv2d(x, c1, c2, k, s, autopad(k, p, d), g, d, bias=False))

    # -------------------------------------------------------------------------------- pooling

    def maxpool(self, x: Shape, k, s=None, p=0, d=1, ceil_mode=False) -> Shape:
        """nn.MaxPool2d: no parameters, no operations."""
        kh, kw = pair(k)
        sh, sw = pair(k if s is None else s)
        ph, pw = pair(p)
        dh, dw = pair(d)
        if sh == 0 or sw == 0:
            raise BlockError("stride should not be zero")
        if kh <= 0 or kw <= 0:
            raise BlockError(f"kernel_size must be greater than zero, but got kH: {kh} kW: {kw}")
        if dh <= 0 or dw <= 0:
            raise BlockError(f"dilation should be greater than zero, but got dilationH: {dh} dilationW: {dw}")
        if ph > kh // 2 or pw > kw // 2:
            bad_p, bad_k = (ph, kh) if ph > kh // 2 else (pw, kw)
            raise BlockError(f"pad should be at most half of effective kernel size, but got pad={bad_p}, "
                             f"kernel_size={bad_k} and dilation={dh if bad_k == kh else dw}")
        c, h, w = x
        out = (c, _pool_size(h, kh, sh, ph, dh, ceil_mode), _pool_size(w, kw, sw, pw, dw, ceil_mode))
        if out[1] < 1 or out[2] < 1:
            raise BlockError(f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{out[1]}x{out[2]}). "
                             "Output size is too small")
        return out

    def adaptive_avgpool_1(self, x: Shape) -> Shape:
        """nn.AdaptiveAvgPool2d(1): one add per input and one divide per output (thop)."""
        self.ops += prod(x) + x[0]
        return x[0], 1, 1

    def adaptive_maxpool(self, x: Shape, size: int) -> Shape:
        return x[0], size, size

    # ------------------------------------------------------------------------- dense and attention

    def linear(self, rows: int, fin: int, fout: int, bias: bool = True) -> None:
        """nn.Linear(fin, fout) applied to `rows` vectors."""
        self.params += fin * fout + (fout if bias else 0)
        self.products(rows * fin * fout)

    def layernorm(self, rows: int, features: int) -> None:
        """nn.LayerNorm(features) over `rows` vectors: weight and bias, thop counts 4 per element."""
        self.params += 2 * features
        self.ops += 4 * rows * features

    def softmax_module(self, rows: int, features: int) -> None:
        """An nn.Softmax module (thop: exp, add, divide); the Tensor.softmax method counts nothing."""
        self.ops += rows * (features + max(features - 1, 0) + features)


def _window_args(k, s, p, d) -> None:
    if min(k) <= 0:
        raise BlockError(f"kernel size should be greater than zero, but got kernel_height: {k[0]} "
                         f"kernel_width: {k[1]}")
    if min(s) <= 0:
        raise BlockError("non-positive stride is not supported")
    if min(p) < 0:
        raise BlockError("negative padding is not supported")
    if min(d) <= 0:
        raise BlockError(f"dilation should be greater than zero, but got [{d[0]}, {d[1]}]")


def _pool_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:  # the last window must start inside the input or left padding
        out -= 1
    return out


def cat(inputs: list[Shape], dim: int = 1) -> Shape:
    """torch.cat along a (batched) dimension; every other size must match."""
    if not inputs:
        raise BlockError("torch.cat(): expected a non-empty list of Tensors")
    axis = dim % 4 if -4 <= dim < 4 else None
    if axis is None:
        raise BlockError(f"Dimension out of range (expected to be in range of [-4, 3], but got {dim})")
    first = (1, *inputs[0])
    for n, shape in enumerate(inputs[1:], 1):
        other = (1, *shape)
        for a in range(4):
            if a != axis and other[a] != first[a]:
                raise BlockError(f"Sizes of tensors must match except in dimension {axis}. Expected size {first[a]} "
                                 f"but got size {other[a]} for tensor number {n} in the list.")
    out = list(first)
    out[axis] = sum((1, *shape)[axis] for shape in inputs)
    return tuple(out[1:])


def add(a: Shape, b: Shape) -> Shape:
    """An element-wise sum of two (1, C, H, W) tensors (broadcasting size 1)."""
    out = []
    for axis, (x, y) in enumerate(zip(a, b), 1):
        if x != y and 1 not in (x, y):
            raise BlockError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton "
                             f"dimension {axis}")
        out.append(max(x, y) if 1 in (x, y) else x)
    return tuple(out)


REQUIRED = object()


def bind(cls: str, args: list, *spec) -> list:
    """The constructor's positional arguments with its defaults filled in; `spec` is (name, default) pairs
    (default REQUIRED for none). Too many or too few are the TypeError Python raises for the call."""
    args = list(args)
    required = [name for name, default in spec if default is REQUIRED]
    if len(args) > len(spec):
        takes = f"from {len(required) + 1} to {len(spec) + 1}" if len(required) < len(spec) else str(len(spec) + 1)
        raise BlockError(f"{cls}.__init__() takes {takes} positional arguments but {len(args) + 1} were given",
                         len(spec))
    missing = [name for name, default in spec[len(args):] if default is REQUIRED]
    if missing:
        names = [repr(n) for n in missing]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        plural = "s" if len(missing) > 1 else ""
        raise BlockError(f"{cls}.__init__() missing {len(missing)} required positional argument{plural}: {listed}")
    return args + [default for _, default in spec[len(args):]]
