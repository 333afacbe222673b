"""The one registry of layer types, and what a layer rule receives and returns.

A layer rule is a plain function `infer(call) -> Output`. It reads its keyword arguments from
`call.cfg` (the spec's values over the framework's defaults), its input tensors from `call.inputs`,
reports findings through `call.report` / `call.fail`, and returns the output shape with the weights
it creates. Adding a layer type means registering one `LayerType` in its family module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from archlint import vocab
from archlint.rules import Rule

KERAS = "keras"
PYTORCH = "pytorch"
FRAMEWORKS = tuple(vocab.FRAMEWORKS)


class _Required:
    def __repr__(self):
        return "REQUIRED"


REQUIRED: Any = _Required()  # a keyword with no default: the schema makes it required
SAME_ROWS = "same"  # Output.rows of a layer that keeps its input's batch rows (every layer but a few)

Shape = tuple  # (None, d1, d2, ...): the batch axis first, None where a size is unknown


@dataclass(frozen=True)
class Tensor:
    """A tensor flowing between layers: its shape and what the linter knows about its contents."""

    shape: Shape
    producer: str  # the layer (or model input) that produced it, as findings name it (LayerSpec.label)
    # Per axis, how many leading and trailing positions hold only padding added by a padding layer,
    # so a later stride that skips them drops no input. Empty when nothing is known.
    padding: Mapping[int, tuple[int, int]] = field(default_factory=dict)
    # Recovered after an error (archlint.recover): the sizes still determined, None for the others. A
    # layer reading it reports its own mistakes, but not what only the earlier error caused.
    assumed: bool = False
    # Rows of axis 0 per sample of the model's batch: 1 until a torch.reshape folds other axes into the
    # batch axis (8 after (None, 8, 4) -> [-1, 4]), so unfolding it again is judged per sample. None when
    # unknown: after a reshape that puts several samples in one row, or a recovered tensor.
    rows: int | None = 1

    @property
    def rank(self) -> int:
        return len(self.shape)


@dataclass(frozen=True)
class Window:
    """The arguments of a sliding-window layer (a convolution of any kind, a windowed pooling) as its
    rule normalised them: one entry per spatial axis, in the order of `axes`. `cost`, `receptive`,
    `checks` and `explain` read these instead of the raw keywords."""

    axes: tuple[int, ...]  # the input tensor's axes the windows slide along (batch is axis 0)
    channels_first: bool  # where the input's channels are (axis 1) rather than last
    kernel: tuple[int, ...]
    strides: tuple[int, ...]
    dilation: tuple[int, ...]
    # The padding as the framework names it: "valid", "same" or "causal" (a Keras string, or PyTorch's
    # padding='same'/'valid'), or "explicit" for PyTorch's amounts in `pads`.
    padding: str
    # (before, after) per axis, as the rule applied them; for a transposed convolution, what PyTorch's
    # `padding` crops from each side; None where the amounts are not a padding (Keras transposed).
    pads: tuple[tuple[int, int], ...] | None
    transposed: bool = False
    ceil_mode: bool = False  # PyTorch pooling
    output_padding: tuple[int, ...] | None = None  # transposed convolutions; None: Keras's default

    @property
    def rank(self) -> int:
        return len(self.axes)

    @property
    def effective(self) -> tuple[int, ...]:
        """The effective kernel per axis, d*(k-1)+1."""
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel, self.dilation))


@dataclass
class Output:
    shape: Shape | list  # a list of shapes for a layer with several outputs
    trainable: int = 0
    non_trainable: int = 0
    padding: Mapping[int, tuple[int, int]] = field(default_factory=dict)
    # Per input axis, the input positions this layer never reads (windowed layers only).
    unread: Mapping[int, frozenset] = field(default_factory=dict)
    # The bias this layer adds: (axis it varies along, number of bias values). For bias-before-norm.
    bias: tuple[int, int] | None = None
    # A normalization that removes a per-channel offset along this axis (BatchNormalization).
    removes_offset_along: int | None = None
    # Multiply-accumulates for one sample, when the rule computes them itself (a plugin, a composite
    # layer); None lets archlint.cost derive them from the family's definition after the rule ran.
    macs: int | None = None
    # The layer's windows, for a sliding-window layer (set by its rule); None for every other layer.
    window: Window | None = None
    # Rows of axis 0 per sample (Tensor.rows), set by a layer that moves elements across the batch axis;
    # SAME_ROWS: those of its first input.
    rows: Any = SAME_ROWS

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable


class Stop(Exception):
    """Raised by `Call.fail`: the layer cannot produce an output; its findings are already reported."""

    def __init__(self, rule: Rule | None = None, key: str | None = None):
        super().__init__(rule, key)
        self.rule, self.key = rule, key  # what failed, at which keyword (None: the layer or its input)


@dataclass
class Call:
    """One application of a layer: what its rule needs, and where its findings go."""

    type: str
    name: str
    framework: str
    cfg: dict  # keyword arguments, with the framework's defaults filled in
    given: frozenset  # the keywords the spec wrote explicitly
    inputs: list[Tensor]
    where: tuple  # the layer's path in the document, for positions
    sink: Callable[..., None]  # sink(rule, message, where, hint)
    # The role of each input when the spec named them (`inputs: {query: q, value: v}`), in the order of
    # `inputs`; None for a list. Only layers whose inputs have roles (attention) accept a mapping.
    roles: tuple | None = None

    @property
    def x(self) -> Tensor:
        return self.inputs[0]

    def report(self, rule: Rule, message: str, key: str | None = None, hint: str = "") -> None:
        where = self.where + (key,) if key and key in self.given else self.where + ("type",)
        self.sink(rule, message, where, hint)

    def fail(self, rule: Rule, message: str, key: str | None = None, hint: str = "") -> Stop:
        self.report(rule, message, key, hint)
        raise Stop(rule, key)


@dataclass(frozen=True)
class LayerType:
    framework: str
    name: str  # the class name, as the framework spells it
    family: str
    defaults: Mapping[str, Any]  # every keyword the constructor takes, with its default
    infer: Callable[[Call], Output]
    # Keywords that change the weights in ways archlint does not model: set to anything but their
    # default, they make the counts untrustworthy, which is reported rather than silently ignored.
    unmodelled: tuple[str, ...] = ()
    # The names of its inputs, in the framework's call order, for a layer whose inputs can be given by
    # role (`inputs: {query: q, value: v}`); empty: a list only.
    roles: tuple[str, ...] = ()
    # The number of spatial axes the class is made for (Conv2D, MaxPool2d, ZeroPadding2D: 2); None for
    # a layer that takes any rank.
    rank: int | None = None
    # The JSON Schema of keywords this type declares itself, and its description: what the schema
    # generator (layers/schemagen.py) uses before the shared tables of layers/schema_keywords.py.
    schema: Mapping[str, dict] = field(default_factory=dict)
    description: str = ""


REGISTRY: dict[tuple[str, str], LayerType] = {}


def register(framework: str, name: str, family: str, defaults: Mapping[str, Any],
             infer: Callable[[Call], Output], unmodelled: tuple[str, ...] = (),
             roles: tuple[str, ...] = (), rank: int | None = None, schema: Mapping[str, dict] | None = None,
             description: str = "") -> LayerType:
    key = (framework, name)
    if key in REGISTRY:
        raise ValueError(f"layer type {framework}.{name} registered twice")
    if rank is None and isinstance(infer, partial):  # the rank the rule is bound with: partial(conv, rank=2)
        rank = infer.keywords.get("rank", infer.keywords.get("feature_rank"))
    layer_type = LayerType(framework, name, family, dict(defaults), infer, unmodelled, roles, rank,
                           dict(schema or {}), description)
    REGISTRY[key] = layer_type
    return layer_type


def lookup(framework: str, name: str) -> LayerType | None:
    load_all()
    found = REGISTRY.get((framework, name))
    if found is None:  # perhaps a plugin's layer type: plugins load on the first unknown name
        from archlint import plugins

        if plugins.load():
            found = REGISTRY.get((framework, name))
    return found


def known_types(framework: str) -> list[str]:
    load_all()
    return sorted(name for fw, name in REGISTRY if fw == framework)


_LOADED = False


def load_all() -> None:
    """Import every family module once; each registers its layer types on import."""
    global _LOADED
    if not _LOADED:
        _LOADED = True
        from archlint.layers import FAMILIES  # noqa: F401  (the import registers the layers)
