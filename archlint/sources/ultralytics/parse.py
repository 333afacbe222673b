"""An Ultralytics model YAML read as ultralytics 8.4's `parse_model` reads it: the scale, each row's
inputs, repeats, module and constructor arguments after rewriting, and the channel count it tracks per
row. Every mistake that makes parse_model fail is a `Problem` at the row/argument that causes it; the
rows after it are still read where they can be (every independent mistake in one run).

Behaviour observed by building edited YAMLs with ultralytics 8.4.190 (no code of it is used here)."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field

from archlint import rules
from archlint.sources.ultralytics import tables as M

SECTIONS = ("backbone", "head")
_SCALE_IN_NAME = re.compile(r"yolo(?:e-)?v?\d+([nslmx])")


@dataclass
class Problem:
    rule: rules.Rule
    message: str
    where: tuple  # a path in the original data
    hint: str = ""


@dataclass
class Row:
    index: int
    section: str
    position: int  # index within its section
    written_from: object
    sources: list[int]  # absolute row indices read (-1 = the image)
    many: bool  # `from` is a list (the module receives a list of tensors)
    repeats: int  # as written
    n: int  # after depth scaling
    copies: int  # how many modules are chained (1 for the repeat modules: n is an argument)
    module: str
    args: list  # the constructor's arguments after parse_model's rewriting
    origin: list  # for each of `args`, the index of the written argument it comes from (None: computed)
    c1: object  # tracked input channels (an int, or a list for multi-input modules)
    c2: int  # tracked output channels (what later rows are told)
    written_args: list = field(default_factory=list)
    splits: list | None = None  # CBFuse: per input but the last, the channels of a CBLinear's outputs
    guide: list | None = None  # text-guided rows: the (tokens, features) of the text embeddings the model passes

    @property
    def where(self) -> tuple:
        return (self.section, self.position)

    @property
    def name(self) -> str:
        return f"model.{self.index}"


@dataclass
class Parsed:
    rows: list[Row]
    problems: list[Problem]
    scale: str | None
    depth: float
    width: float
    max_channels: float
    nc: object
    legacy: bool
    complete: bool  # every row was read (no row whose problem stops parse_model before the walk)


def make_divisible(x: float, divisor: int = 8) -> int:
    return int(math.ceil(x / divisor) * divisor)


def scale_from_name(path: str) -> str | None:
    found = _SCALE_IN_NAME.search(os.path.basename(path))
    return found.group(1) if found else None


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse(data: dict, path: str, scale: str | None) -> Parsed:
    problems: list[Problem] = []
    scales = data.get("scales")
    depth, width, max_channels = 1.0, 1.0, float("inf")
    chosen = None
    if isinstance(scales, dict) and scales:
        chosen = scale or scale_from_name(path)
        if chosen is None:
            chosen = next(iter(scales))
            problems.append(Problem(rules.YOLO_SCALE_GUESSED, f"no model scale given: ultralytics assumes scale "
                                    f"{chosen!r}, the first of `scales` ({', '.join(map(str, scales))})",
                                    ("scales",), "name the file with its scale (yolov8n.yaml) or pass --scale"))
        if chosen not in scales:
            problems.append(Problem(rules.YOLO_UNKNOWN_SCALE, f"scale {chosen!r} is not in `scales` "
                                    f"({', '.join(map(str, scales))}): ultralytics fails with KeyError: {chosen!r}",
                                    ("scales",), "use one of the scales the file defines"))
            return Parsed([], problems, chosen, depth, width, max_channels, data.get("nc"), True, False)
        values = scales[chosen]
        if not (isinstance(values, list) and len(values) == 3 and all(_number(v) for v in values)):
            problems.append(Problem(rules.YOLO_ARGUMENT_TYPE, f"scale {chosen!r} must be [depth, width, "
                                    "max_channels] numbers", ("scales", chosen), "write three numbers"))
            return Parsed([], problems, chosen, depth, width, max_channels, data.get("nc"), True, False)
        depth, width, max_channels = values
    else:
        depth = data.get("depth_multiple", 1.0)
        width = data.get("width_multiple", 1.0)
        for key, value in (("depth_multiple", depth), ("width_multiple", width)):
            if not _number(value):
                problems.append(Problem(rules.YOLO_ARGUMENT_TYPE, f"`{key}` must be a number", (key,), ""))
                return Parsed([], problems, None, 1.0, 1.0, max_channels, data.get("nc"), True, False)
    reader = _Reader(data, problems, depth, width, max_channels, chosen)
    reader.read()
    return Parsed(reader.rows, problems, chosen, depth, width, max_channels, data.get("nc"), reader.legacy,
                  reader.complete)


def _number(value) -> bool:
    """A finite int or float (NaN and infinities make parse_model's rounding fail)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return abs(value) < 2 ** 53 if isinstance(value, int) else math.isfinite(value)


class _Reader:
    def __init__(self, data, problems, depth, width, max_channels, scale):
        self.data, self.problems = data, problems
        self.depth, self.width, self.max_channels, self.scale = depth, width, max_channels, scale
        self.rows: list[Row] = []
        self.ch: list = [data.get("ch", 3) if _is_int(data.get("ch", 3)) else 3]
        self.legacy = True
        self.complete = True
        self.failed: set = set()  # rows that could not be read, and the rows reading them
        self.read_by_the_model: dict = {}  # rows whose output only the model reads (ImagePoolingAttn): index -> module
        self.nc = data.get("nc")
        # the names a string argument may stand for (parse_model looks strings up among its variables)
        self.names = {"nc": self.nc, "depth": depth, "width": width, "max_channels": max_channels,
                      "kpt_shape": data.get("kpt_shape"), "scale": scale, "scales": data.get("scales")}

    def problem(self, rule, message, where, hint=""):
        self.problems.append(Problem(rule, message, tuple(where), hint))

    def read(self) -> None:
        entries = []
        for section in SECTIONS:
            rows = self.data.get(section)
            if rows is None:
                continue
            if not isinstance(rows, list):
                self.problem(rules.YOLO_ROW_MALFORMED, f"`{section}` must be a list of rows [from, repeats, "
                             "module, args]", (section,))
                self.complete = False
                return
            entries += [(section, position, row) for position, row in enumerate(rows)]
        for index, (section, position, entry) in enumerate(entries):
            row = self.row(index, section, position, entry)
            if index == 0:
                self.ch = []
            if row is None:
                # parse_model stops at the first row it cannot build; the rows after it are still read (every
                # independent mistake in one run), and those reading it are left out quietly
                self.complete = False
                self.failed.add(index)
                self.ch.append(None)
                continue
            self.ch.append(row.c2)
            self.rows.append(row)
            if row.module in M.READ_BY_THE_MODEL:
                self.read_by_the_model[index] = row.module

    def row(self, index, section, position, entry) -> Row | None:
        where = (section, position)
        if not (isinstance(entry, list) and len(entry) == 4):
            self.problem(rules.YOLO_ROW_MALFORMED, f"row {index} must be [from, repeats, module, args]: "
                         f"ultralytics cannot unpack it", where, "write four items: [-1, 1, Conv, [64, 3, 2]]")
            return None
        written_from, repeats, module, args = entry
        if not isinstance(module, str):
            self.problem(rules.YOLO_ROW_MALFORMED, f"row {index}: the module must be a name, not {module!r}",
                         where + (2,))
            return None
        if not (_is_int(repeats) and 0 <= repeats < 2 ** 53):
            self.problem(rules.YOLO_ARGUMENT_TYPE, f"row {index}: repeats must be a whole number >= 0, not "
                         f"{repeats!r}", where + (1,), "write 1 for one module")
            return None
        if args is None:
            args = []
        if not isinstance(args, list):
            self.problem(rules.YOLO_ARGUMENT_TYPE, f"row {index}: the arguments must be a list, not {args!r}",
                         where + (3,), "write [64, 3, 2]")
            return None
        if not self._known_module(index, module, where):
            return None
        sources = self._sources(index, written_from, module, where)
        if sources is None:
            return None
        if self.failed.intersection(sources):
            return None  # it reads a row that could not be read: reported there
        for k, source in enumerate(sources):
            if source in self.read_by_the_model:
                at = where + ((0, k) if isinstance(written_from, list) else (0,))
                self.problem(rules.YOLO_MODULE_ERROR, f"row {index} reads row {source} "
                             f"({self.read_by_the_model[source]}), whose output the model keeps for itself", at,
                             "that output is the text embeddings: the row receives the list of that row's inputs and "
                             "fails with TypeError; read the feature map rows instead")
                return None
        args = list(args)
        written = list(args)
        for j, value in enumerate(args):
            if value == "nc" and self.nc is None:
                self.problem(rules.YOLO_MISSING_NC, f"row {index}: {module} reads `nc`, but the file gives no `nc`",
                             where + (3, j), "ultralytics fails with TypeError (None where the number of classes "
                             "should be): add `nc: 80` (the number of classes) at the top of the file")
                return None
            if value == "kpt_shape" and self.names["kpt_shape"] is None:
                self.problem(rules.YOLO_MISSING_KPT, f"row {index}: {module} reads `kpt_shape`, but the file gives "
                             "none: ultralytics fails with TypeError", where + (3, j),
                             "add `kpt_shape: [17, 3]` (keypoints, dims per keypoint) at the top of the file")
                return None
            if isinstance(value, str):
                resolved = self._resolve(value, index, where + (3, j))
                if resolved is _FAILED:
                    return None
                args[j] = resolved
        n = max(round(repeats * self.depth), 1) if repeats > 1 else repeats
        many = isinstance(written_from, list)
        row = Row(index, section, position, written_from, sources, many, repeats, n, max(n, 1), module, args,
                  list(range(len(args))), None, 0, written)
        if not self._channels(row, where):
            return None
        return row

    def _known_module(self, index, module, where) -> bool:
        import difflib  # only for a name that is wrong

        if module.startswith("nn.") or module.startswith("torch.nn."):
            name = module.split(".")[-1]
            if name in M.TORCH_NN:
                return True
            close = difflib.get_close_matches(name, sorted(M.TORCH_NN), 1, 0.7)
            self.problem(rules.YOLO_UNKNOWN_MODULE, f"row {index}: torch.nn has no module {name!r}: ultralytics "
                         f"fails with AttributeError", where + (2,),
                         f"did you mean nn.{close[0]}?" if close else "use a torch.nn module class name")
            return False
        if module.startswith("torchvision.ops."):
            return True
        if module in M.IMPORTABLE:
            return True
        if module in M.SHIPPED_NOT_IMPORTABLE:
            self.problem(rules.YOLO_NOT_IMPORTABLE, f"row {index}: {module} is an ultralytics module that "
                         "parse_model cannot import", where + (2,),
                         f"building fails with KeyError: {module!r}; use a module parse_model knows (C2PSA, PSA, "
                         "A2C2f for attention), or register it in ultralytics.nn.tasks yourself")
            return False
        lowered = {name.lower(): name for name in M.IMPORTABLE}
        close = [lowered[module.lower()]] if module.lower() in lowered else \
            difflib.get_close_matches(module, sorted(M.IMPORTABLE), 1, 0.6)
        self.problem(rules.YOLO_UNKNOWN_MODULE, f"row {index}: unknown module {module!r}", where + (2,),
                     f"ultralytics fails with KeyError: {module!r}; " + (
                         f"did you mean {close[0]}?" if close else
                         "use an ultralytics module name or nn.<torch module>"))
        return False

    def _sources(self, index, written, module, where) -> list[int] | None:
        """The rows `from` reads, as absolute indices (-1 for the image at row 0)."""
        multi = module in M.MULTI_INPUT
        if isinstance(written, list):
            if not written or not all(_is_int(x) for x in written):
                self.problem(rules.YOLO_ARGUMENT_TYPE, f"row {index}: `from` must be an index or a list of "
                             f"indices, not {written!r}", where + (0,))
                return None
            if not multi:
                self.problem(rules.YOLO_FROM_TYPE, f"row {index}: {module} reads one input, but `from` is a list",
                             where + (0,), "ultralytics fails with TypeError: list indices must be integers or "
                             f"slices, not list; write one index, e.g. {written[0]}")
                return None
            items = list(enumerate(written))
        elif _is_int(written):
            if multi:
                self.problem(rules.YOLO_FROM_TYPE, f"row {index}: {module} reads a list of inputs, but `from` is "
                             f"the single index {written}", where + (0,), "ultralytics fails with TypeError: 'int' "
                             f"object is not iterable; write a list, e.g. [{written}]")
                return None
            items = [(None, written)]
        else:
            self.problem(rules.YOLO_ARGUMENT_TYPE, f"row {index}: `from` must be an index or a list of indices, "
                         f"not {written!r}", where + (0,))
            return None
        sources, ok = [], True
        for k, value in items:
            at = where + (0,) if k is None else where + (0, k)
            size = len(self.ch)  # parse_model indexes its channel list, which holds one entry per earlier row
            if not -size <= value < size:
                ok = False
                if value >= index and value >= 0:
                    what = "itself" if value == index else f"row {value}, which comes after it"
                    self.problem(rules.YOLO_FROM_RANGE, f"row {index} reads {what}: `from` can only name earlier "
                                 "rows", at, "ultralytics fails with IndexError: list index out of range; name an "
                                 "earlier row (renumber `from` after inserting or removing rows)")
                else:
                    self.problem(rules.YOLO_FROM_RANGE, f"row {index}: `from` {value} is out of range (the rows "
                                 f"before it are 0..{index - 1})", at, "ultralytics fails with IndexError: list "
                                 "index out of range; name an earlier row")
                continue
            if index == 0:
                if value != -1:  # the image is only reachable as -1: the forward pass finds no row 0
                    ok = False
                    self.problem(rules.YOLO_FROM_RANGE, "row 0 must read the image (`from` -1): the forward pass "
                                 "fails with IndexError: list index out of range", at, "write -1")
                    continue
                sources.append(-1)
            else:
                sources.append(value % index if value < 0 else value)
        return sources if ok else None

    def _resolve(self, text, index, where):
        if text in self.names:
            return self.names[text]
        if text in _CONSTANTS:
            return _CONSTANTS[text]
        import ast  # literal_eval, as parse_model evaluates string arguments

        try:
            return ast.literal_eval(text)
        except ValueError:
            return text  # a plain string argument ('nearest')
        except (SyntaxError, MemoryError, RecursionError):
            self.problem(rules.YOLO_ARGUMENT_TYPE, f"row {index}: the argument {text!r} is not a Python literal: "
                         "ultralytics fails with SyntaxError", where, "quote plain strings as one word, e.g. 'nearest'")
            return _FAILED

    def _channels(self, row: Row, where) -> bool:
        """parse_model's channel bookkeeping and argument rewriting for the row's module."""
        m, args, ch = row.module, row.args, self.ch
        first = row.sources[0]
        c_in = ch[first] if first >= 0 or row.index == 0 else ch[first]
        if row.index == 0:
            c_in = ch[-1]
        if m in M.BASE:
            if not args:
                self.problem(rules.YOLO_ARGUMENT_TYPE, f"row {row.index}: {m} needs its output channels as the "
                             "first argument: ultralytics fails with IndexError", where + (3,), "write [64, ...]")
                return False
            c2 = args[0]
            if not _number(c2):
                self.problem(rules.YOLO_ARGUMENT_TYPE, f"row {row.index}: {m}'s output channels must be a number, "
                             f"not {c2!r}", where + (3, 0), "write a channel count such as 64")
                return False
            c2 = make_divisible(min(c2, self.max_channels) * self.width, 8) if m != "Classify" else c2
            rest, origin = args[1:], list(range(1, len(args)))
            if m == "C2fAttn":
                if len(rest) < 2 or not _number(rest[0]) or not _number(rest[1]):
                    self.problem(rules.YOLO_ARGUMENT_TYPE, f"row {row.index}: C2fAttn takes [c2, embed channels, "
                                 "heads, ...]", where + (3,))
                    return False
                rest[0] = make_divisible(min(rest[0], self.max_channels // 2) * self.width, 8)
                heads = rest[1]
                rest[1] = int(max(round(min(heads, self.max_channels // 2 // 32)) * self.width, 1)) if heads > 1 \
                    else heads
            args = [c_in, c2, *rest]
            origin = [None, 0, *origin]
            if m in M.REPEAT:
                args.insert(2, row.n)
                origin.insert(2, None)
                row.copies = 1
            if m in M.TEXT_GUIDED:  # C2fAttn: YOLO-World's model passes its text embeddings beside the image
                row.guide = list(M.TEXT_EMBEDDINGS)
            if m == "C3k2":
                self.legacy = False
                if self.scale and self.scale in "mlx" and len(args) > 3:
                    args[3] = True
            elif m == "A2C2f":
                self.legacy = False
                if self.scale and self.scale in "lx":
                    args += [True, 1.2]
                    origin += [None, None]
            elif m == "C2fCIB":
                self.legacy = False
            row.c1, row.c2, row.args, row.origin = c_in, c2, args, origin
            return True
        if m == "AIFI":
            row.c1, row.c2, row.args, row.origin = c_in, c_in, [c_in, *args], [None, *range(len(args))]
            return True
        if m in ("HGStem", "HGBlock"):
            if len(args) < 2:
                self.problem(rules.YOLO_ARGUMENT_TYPE, f"row {row.index}: {m} takes [hidden, out, ...]",
                             where + (3,))
                return False
            new = [c_in, args[0], args[1], *args[2:]]
            origin = [None, 0, 1, *range(2, len(args))]
            if m == "HGBlock":
                new.insert(4, row.n)
                origin.insert(4, None)
                row.copies = 1
            row.c1, row.c2, row.args, row.origin = c_in, args[1], new, origin
            return True
        if m == "ResNetLayer":
            if len(args) < 4:
                self.problem(rules.YOLO_ARGUMENT_TYPE, f"row {row.index}: ResNetLayer takes [c1, c2, s, is_first, n, "
                             "e]", where + (3,))
                return False
            row.c1, row.c2 = c_in, args[1] if args[3] else args[1] * 4
            return True
        if m == "nn.BatchNorm2d":
            row.c1, row.c2, row.args, row.origin = c_in, c_in, [c_in], [None]
            return True
        if m == "Concat":
            row.c1 = [ch[s] for s in row.sources]
            row.c2 = sum(row.c1)
            return True
        if m in M.DETECT_FAMILY or m in M.LIST_HEADS or m == "RTDETRDecoder":
            return self._head(row, where)
        if m == "CBLinear":
            if not args:
                self.problem(rules.YOLO_ARGUMENT_TYPE, f"row {row.index}: CBLinear takes [[c2s]]", where + (3,))
                return False
            row.c1, row.c2, row.args, row.origin = c_in, args[0], [c_in, *args], [None, *range(len(args))]
            return True
        if m == "CBFuse":
            row.c1 = [ch[s] for s in row.sources]
            row.c2 = ch[row.sources[-1]]
            made = {r.index: r for r in self.rows}
            row.splits = [made[s].args[1] if s in made and made[s].module == "CBLinear" else None
                          for s in row.sources[:-1]]
            return True
        if m in ("TorchVision", "Index"):
            if not args:
                self.problem(rules.YOLO_ARGUMENT_TYPE, f"row {row.index}: {m} takes [c2, ...]", where + (3,))
                return False
            row.c1, row.c2, row.args, row.origin = c_in, args[0], args[1:], list(range(1, len(args)))
            made = {r.index: r for r in self.rows}
            source = made.get(row.sources[0])
            if m == "Index" and source is not None and source.module == "CBLinear":
                row.splits = [source.args[1]]  # it picks one of CBLinear's outputs
            return True
        row.c1, row.c2 = c_in, c_in  # other modules: arguments verbatim, the channel count carried over
        return True

    def _head(self, row: Row, where) -> bool:
        m, args = row.module, row.args
        chs = [self.ch[s] for s in row.sources]
        row.c1 = chs
        origin = list(range(len(args)))
        if m in M.DETECT_FAMILY:
            if m in M.SEGMENT_FAMILY and len(args) > 2:
                if not _number(args[2]):
                    self.problem(rules.YOLO_ARGUMENT_TYPE, f"row {row.index}: {m}'s prototype channels must be a "
                                 f"number, not {args[2]!r}", where + (3, 2))
                    return False
                args[2] = make_divisible(min(args[2], self.max_channels) * self.width, 8)
            reg_max = self.data.get("reg_max", 16)
            args = [*args, reg_max, self.data.get("end2end"), chs]
            origin += [None, None, None]
        elif m == "RTDETRDecoder":
            args = [args[0] if args else 80, chs, *args[1:]]
            origin = [0 if origin else None, None, *origin[1:]]
        elif m == "ImagePoolingAttn":  # the channel list is its second argument
            # (it returns text embeddings of its ct features, which must be those it receives: the model's
            # embeddings keep their size for the rows after it)
            args = [*args[:1], chs, *args[1:]]
            origin = [*origin[:1], None, *origin[1:]]
        elif m == "Depth":  # only c_mid is kept before the channel list
            args = [*args[:1], chs]
            origin = [*origin[:1], None]
        else:
            args = [*args, chs]
            origin.append(None)
        if m in M.TEXT_GUIDED:
            row.guide = list(M.TEXT_EMBEDDINGS)
        row.args, row.origin, row.c2 = args, origin, 0
        row.copies = max(row.n, 1)
        return True


_FAILED = object()
_CONSTANTS = {"None": None, "True": True, "False": False}
