"""The plain torch.nn modules ultralytics YAMLs name as `nn.X`, with torch's constructor arguments (parse_model
passes them verbatim; nn.BatchNorm2d gets [channels])."""

from __future__ import annotations

from math import floor, gcd

from archlint.sources.ultralytics.blocks import BlockError, NotModelled
from archlint.sources.ultralytics.modules.conv import block
from archlint.sources.ultralytics.modules.ops import REQUIRED, _window_args, pair

R = REQUIRED

# activations and other layers that keep the shape, have no parameters and count nothing (thop: zero_ops,
# or no rule); nn.PReLU is apart: it has weights and thop counts one per element
PASS_THROUGH = ("Identity", "ReLU", "ReLU6", "SiLU", "LeakyReLU", "Hardswish", "Hardsigmoid", "GELU", "Sigmoid",
                "Tanh", "Mish", "ELU", "SELU", "CELU", "Dropout", "Dropout2d", "AlphaDropout")

# thop's operations per output element of nn.Upsample on a 4-D input, by mode (torch's flop counter counts none)
UPSAMPLE_OPS = {"nearest": 0, "nearest-exact": 0, "area": 0, "bilinear": 11, "bicubic": 259}
# the modes torch's interpolate knows, and how many dimensions the others need
UPSAMPLE_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "lanczos", "area", "nearest-exact")
_MODE_INPUT = {"linear": "3D", "trilinear": "5D"}


def pass_through(name: str):
    def build(args, inputs):
        from archlint.sources.ultralytics.modules.conv import single
        from archlint.sources.ultralytics.modules.ops import Net
        return Net().built(single(f"nn.{name}", inputs))
    build.__name__ = f"nn.{name}"
    return build


@block("nn.Conv2d", ("in_channels", R), ("out_channels", R), ("kernel_size", R), ("stride", 1), ("padding", 0),
       ("dilation", 1), ("groups", 1), ("bias", True), ("padding_mode", "zeros"))
def Conv2d(net, x, c1, c2, k, s, p, d, g, bias, padding_mode):
    if p == "valid":
        p = 0
    elif p == "same":
        if pair(s) != (1, 1):
            raise BlockError("padding='same' is not supported for strided convolutions", 4)
        (kh, kw), (dh, dw) = pair(k), pair(d)
        _window_args((kh, kw), (1, 1), (0, 0), (dh, dw))
        total_h, total_w = dh * (kh - 1), dw * (kw - 1)
        padded = (x[0], x[1] + total_h, x[2] + total_w)  # torch pads the odd remainder on one side
        return net.conv2d(padded, c1, c2, k, 1, 0, g, d, bool(bias))
    return net.conv2d(x, c1, c2, k, s, p, g, d, bool(bias))


@block("nn.ConvTranspose2d", ("in_channels", R), ("out_channels", R), ("kernel_size", R), ("stride", 1),
       ("padding", 0), ("output_padding", 0), ("groups", 1), ("bias", True), ("dilation", 1))
def ConvTranspose2d(net, x, c1, c2, k, s, p, output_padding, g, bias, d):
    return net.conv_transpose2d(x, c1, c2, k, s, p, g, d, bool(bias), output_padding)


@block("nn.BatchNorm2d", ("num_features", R), ("eps", 1e-5), ("momentum", 0.1), ("affine", True),
       ("track_running_stats", True))
def BatchNorm2d(net, x, num_features, eps, momentum, affine, track_running_stats):
    if x[0] != num_features:
        raise BlockError(f"running_mean should contain {x[0]} elements not {num_features}")
    if affine:
        return net.bn(x)
    net.ops += 2 * x[0] * x[1] * x[2]
    return x


@block("nn.MaxPool2d", ("kernel_size", R), ("stride", None), ("padding", 0), ("dilation", 1),
       ("return_indices", False), ("ceil_mode", False))
def MaxPool2d(net, x, k, s, p, d, return_indices, ceil_mode):
    return net.maxpool(x, k, s, p, d, ceil_mode)


@block("nn.AvgPool2d", ("kernel_size", R), ("stride", None), ("padding", 0), ("ceil_mode", False),
       ("count_include_pad", True), ("divisor_override", None))
def AvgPool2d(net, x, k, s, p, ceil_mode, count_include_pad, divisor_override):
    """Shapes as a max pool; thop counts one add per input of every window (padding included when
    count_include_pad) and one divide per output."""
    y = net.maxpool(x, k, s, p, 1, ceil_mode)
    (kh, kw), (sh, sw), (ph, pw) = pair(k), pair(k if s is None else s), pair(p)
    net.ops += x[0] * _window_sum(x[1], y[1], kh, sh, ph, count_include_pad) * \
        _window_sum(x[2], y[2], kw, sw, pw, count_include_pad) + y[0] * y[1] * y[2]
    return y


def _window_sum(size: int, out: int, k: int, s: int, p: int, include_pad: bool) -> int:
    """The summed lengths of the `out` windows along one axis, clipped to the input (and its padding)."""
    lower, upper = (-p, size + p) if include_pad else (0, size)

    def length(i: int) -> int:
        return max(min(i * s - p + k, upper) - max(i * s - p, lower), 0)
    # windows before `left` may be clipped by the lower bound, from `right` on by the upper; the rest are k long
    left = min(out, -(-(lower + p) // s))
    right = max(left, min(out, (upper + p - k) // s + 1))
    return sum(length(i) for i in range(left)) + (right - left) * k + sum(length(i) for i in range(right, out))


@block("nn.AdaptiveAvgPool2d", ("output_size", R))
def AdaptiveAvgPool2d(net, x, output_size):
    """nn.AdaptiveAvgPool2d(output_size): an int or an (H, W) pair, None keeping the input's size. Output i of
    an axis of n averages the inputs floor(i size / n) to ceil((i + 1) size / n), so the windows of an axis hold
    size + n - gcd(size, n) inputs in all: thop counts one add per input of every window and one divide per
    output; torch's flop counter nothing."""
    c, h, w = x
    sizes = [output_size] * 2 if isinstance(output_size, int) or output_size is None else output_size
    if not isinstance(sizes, (list, tuple)) or len(sizes) != 2:
        raise BlockError("adaptive_avg_pool2d: output_size must be 2", 0)
    if any(v is not None and (isinstance(v, bool) or not isinstance(v, int)) for v in sizes):
        raise BlockError(f"nn.AdaptiveAvgPool2d's output_size must be ints or None, got {output_size!r}", 0)
    oh, ow = (h if sizes[0] is None else sizes[0]), (w if sizes[1] is None else sizes[1])
    if oh < 0 or ow < 0:
        raise BlockError("adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
                         f"received {{{oh}, {ow}}}", 0)
    if 0 in (oh, ow):  # torch returns an empty map without an error
        raise NotModelled(f"nn.AdaptiveAvgPool2d to an empty {oh}x{ow} map is not followed", 0)
    net.ops += c * ((h + oh - gcd(h, oh)) * (w + ow - gcd(w, ow)) + oh * ow)
    return c, oh, ow


@block("nn.PReLU", ("num_parameters", 1), ("init", 0.25))
def PReLU(net, x, num_parameters, init):
    """nn.PReLU(num_parameters): one slope, or one per channel; thop counts one operation per element, torch's
    flop counter none."""
    if isinstance(num_parameters, bool) or not isinstance(num_parameters, int):
        raise BlockError("empty(): argument 'size' (position 1) must be tuple of ints, not "
                         f"{type(num_parameters).__name__}", 0)
    if num_parameters < 0:
        raise BlockError(f"Trying to create tensor with negative dimension {num_parameters}: [{num_parameters}]", 0)
    if num_parameters not in (1, x[0]):
        raise BlockError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                         f"{num_parameters} and channel size = {x[0]}.", 0)
    net.params += num_parameters
    net.ops += x[0] * x[1] * x[2]
    return x


@block("nn.ZeroPad2d", ("padding", R))
def ZeroPad2d(net, x, padding):
    if isinstance(padding, int) and not isinstance(padding, bool):
        padding = (padding,) * 4
    if not isinstance(padding, (list, tuple)) or len(padding) != 4:
        raise BlockError(f"nn.ZeroPad2d's padding must be an int or 4 ints, got {padding!r}", 0)
    left, right, top, bottom = padding
    c, h, w = x
    out = (c, h + top + bottom, w + left + right)
    if out[1] < 1 or out[2] < 1:
        raise BlockError(f"The input size {h}, plus negative padding {top} and {bottom} resulted in a negative output "
                         f"size, which is invalid. Check dimension 2 of your input." if out[1] < 1 else
                         f"The input size {w}, plus negative padding {left} and {right} resulted in a negative output "
                         "size, which is invalid. Check dimension 3 of your input.")
    return out


@block("nn.Upsample", ("size", None), ("scale_factor", None), ("mode", "nearest"), ("align_corners", None),
       ("recompute_scale_factor", None))
def Upsample(net, x, size, scale_factor, mode, align_corners, recompute_scale_factor):
    """nn.Upsample on (C, H, W): a size, or H and W times scale_factor rounded down; thop counts per output
    element by mode (UPSAMPLE_OPS), torch's flop counter nothing."""
    c, h, w = x
    if mode not in UPSAMPLE_MODES:
        raise BlockError("Input Error: Only 3D, 4D and 5D input Tensors supported (got 4D) for the modes: "
                         f"{' | '.join(UPSAMPLE_MODES)} (got {mode})", 2)
    if align_corners is not None and mode in ("nearest", "nearest-exact", "area"):
        raise BlockError("align_corners option can only be set with the interpolating modes: linear | bilinear | "
                         "bicubic | trilinear", 3)
    if mode in _MODE_INPUT:
        raise BlockError(f"Got 4D input, but {mode} mode needs {_MODE_INPUT[mode]} input", 2)
    if mode == "lanczos":
        raise BlockError("Lanczos mode requires antialias=True", 2)
    if size is None and scale_factor is None:
        raise BlockError("either size or scale_factor should be defined", 1)
    if size is not None and scale_factor is not None:
        raise BlockError("only one of size or scale_factor should be defined", 1)
    if size is not None:
        oh, ow = pair(size)
    else:
        fh, fw = (scale_factor, scale_factor) if isinstance(scale_factor, (int, float)) else tuple(scale_factor)
        oh, ow = floor(h * float(fh)), floor(w * float(fw))
    if mode == "area" and 0 in (oh, ow) and oh >= 0 and ow >= 0:  # an adaptive pool to nothing: no error
        raise NotModelled(f"nn.Upsample(mode='area') to an empty {oh}x{ow} map is not followed", 1)
    if oh <= 0 or ow <= 0:
        raise BlockError(f"Input and output sizes should be greater than 0, but got input (H: {h}, W: {w}) output "
                         f"(H: {oh}, W: {ow})")
    net.ops += UPSAMPLE_OPS[mode] * c * oh * ow
    return c, oh, ow


BLOCKS = {f.__name__: f for f in (Conv2d, ConvTranspose2d, BatchNorm2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d,
                                  ZeroPad2d, Upsample, PReLU)}
BLOCKS.update({f"nn.{name}": pass_through(name) for name in PASS_THROUGH})
