"""An Ultralytics YAML converted into native spec data (one layer per row, named `model.<i>` as
ultralytics names its modules), and what only this format adds to the pipeline: parse_model's own
failures, the 256x256 build probe, GFLOPs as `model.info()` prints them, and the row-level warnings."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from archlint import rules
from archlint.loader import Document
from archlint.sources.base import ORIGINAL, SourceHooks, converted_document
from archlint.sources.ultralytics import UltralyticsConfigError, recognise
from archlint.sources.ultralytics import tables as M
from archlint.sources.ultralytics.parse import Parsed, Problem, Row, parse

PROBE = 256  # the square image ultralytics runs once while building, to find the strides
GFLOPS_SIZE = 640  # the size model.info() reports GFLOPs at
_INDEX_COMMENT = re.compile(r"#\s*(\d+)(?:-P\d+/\d+|\b)")


@dataclass
class Scaled:
    """One scale of the file: what parse_model read, and the layer names given to its rows."""

    parsed: Parsed
    prefix: str  # "" for one scale; "n/" with --scale all
    image: str  # the input's name


@dataclass
class Figures:
    """ultralytics' totals for one scale, from the walk at 640."""

    flops: int | None = None  # None when a row could not be computed


@dataclass
class UltralyticsSource(SourceHooks):
    scaled: list[Scaled]
    imgsz: int
    text: str
    kind: str = "an Ultralytics model YAML"
    by_scale: dict = field(default_factory=dict)  # prefix -> Figures (GFLOPs at 640)
    locate: Callable | None = None  # a row -> its 0-based line in the text

    def check(self, model, sink) -> None:
        for scaled in self.scaled:
            for problem in scaled.parsed.problems:
                sink(problem.rule, _tag(scaled, problem.message), (ORIGINAL,) + problem.where, problem.hint)
            rows = scaled.parsed.rows
            if not rows:
                continue
            self._probes(model, scaled, sink)
            self._desync(model, scaled, sink)
            self._skips(model, scaled, sink)
            self._structure(scaled, sink)
        self._index_comments(sink)

    def explain(self, model, layer) -> list[str]:
        """How parse_model derived the row: its repeats and its output channels at the scale."""
        for scaled in self.scaled:
            for row in scaled.parsed.rows:
                if scaled.prefix + row.name == layer.name:
                    return _derivation(scaled.parsed, row)
        return []

    def totals(self, model) -> list[str]:
        """ultralytics' table per scale (index, from, n, params, module, arguments after scaling, and the
        output shape at --imgsz), then its summary line: rows, parameters, gradients, GFLOPs at 640."""
        from archlint.report import _shape_text

        lines = []
        walked = {layer.name: layer for layer in model.layers}
        for scaled in self.scaled:
            names = {scaled.prefix + row.name for row in scaled.parsed.rows}
            layers = [layer for layer in model.layers if layer.name in names]
            table = [("", "from", "n", "params", "module", "arguments", "output")]
            for row in scaled.parsed.rows:
                layer = walked.get(scaled.prefix + row.name)
                done = layer is not None and layer.output is not None
                table.append((str(row.index), str(row.written_from), str(row.n), f"{layer.params}" if done else "?",
                              row.module, _args_text(row.args), _shape_text(layer.output.shape) if done else "?"))
            widths = [max(len(cells[i]) for cells in table) for i in range(len(table[0]))]
            lines.append("")
            for cells in table:
                lines.append("  ".join(cell.rjust(w) if i < 4 else cell.ljust(w)
                                       for i, (cell, w) in enumerate(zip(cells, widths))).rstrip())
            figures = self.by_scale.get(scaled.prefix)
            known = len(layers) == len(scaled.parsed.rows) and all(layer.output for layer in layers)
            params = sum(layer.params for layer in layers)
            grads = sum(layer.trainable for layer in layers)
            flops = f"{figures.flops / 1e9:.1f} GFLOPs" if figures and figures.flops is not None else "GFLOPs unknown"
            scale = f" (scale {scaled.parsed.scale})" if scaled.parsed.scale else ""
            lines.append(f"Ultralytics{scale}: {len(scaled.parsed.rows)} rows, {params:,} parameters, "
                         f"{grads:,} gradients, "
                         f"{flops} at {GFLOPS_SIZE}" + ("" if known else " (lower bound: some rows are not computed)"))
        return lines

    # ------------------------------------------------------------------------ probes and figures

    def _probes(self, model, scaled: Scaled, sink) -> None:
        """The build-time forward at 256 (errors there fail ultralytics before any image is seen; a model with
        an RT-DETR head is built without it, its stride set to 32), the stride check at --imgsz, and the GFLOPs
        at 640."""
        rows = scaled.parsed.rows
        walked = {layer.name: layer for layer in model.layers}
        failed_here = {row.index for row in rows
                       if walked.get(scaled.prefix + row.name) is not None
                       and walked[scaled.prefix + row.name].output is None}
        head = rows[-1]
        probed = head.module not in M.NO_BUILD_PROBE
        probe = run(rows, PROBE, scaled.parsed.legacy) if probed else Probe(PROBE)
        by_index = {row.index: row for row in rows}
        for index, (error, argument) in probe.errors.items():
            row = by_index[index]
            if index in failed_here or not probe.reached(row):
                continue
            sink(rules.YOLO_BUILD_PROBE, _tag(scaled, f"row {index} ({row.module}) fails in the "
                 f"{PROBE}x{PROBE} forward pass ultralytics runs while building the model"),
                 _arg_path(row, argument), f"{error}; make every level's size divide evenly: check the strides and "
                 "the rows this one reads")
        if head.module in M.DETECT_FAMILY | M.LIST_HEADS | {"RTDETRDecoder"} and scaled.parsed.complete \
                and not probe.errors:
            stride = max(PROBE // shape[1] for shape in probe.inputs_of(head)) if probed else 32
            if self.imgsz % stride:
                sink(rules.YOLO_STRIDE, _tag(scaled, f"the image size {self.imgsz} is not a multiple of the "
                     f"largest stride {stride}: ultralytics rounds it up to {-(-self.imgsz // stride) * stride}"),
                     (ORIGINAL,) + head.where + (0,), f"use --imgsz {self.imgsz // stride * stride or stride}")
        at640 = probe if GFLOPS_SIZE == PROBE and probed else run(rows, GFLOPS_SIZE, scaled.parsed.legacy)
        flops = None if at640.errors else at640.flops
        if flops is not None:
            strides = head.module in M.DETECT_FAMILY | M.LIST_HEADS and probed and not probe.errors
            stride = max(PROBE // shape[1] for shape in probe.inputs_of(head)) if strides else 1
            flops = proxied_flops(rows, scaled.parsed.legacy, head, flops, max(stride, 32))
        self.by_scale[scaled.prefix] = Figures(flops)

    def _desync(self, model, scaled: Scaled, sink) -> None:
        """A row whose real output channels differ from the count parse_model keeps for it (a raw torch
        module that changes channels): the rows reading it are built for the wrong count."""
        for row in scaled.parsed.rows:
            layer = model.tensors.get(scaled.prefix + row.name)
            if layer is None or row.module in M.HEADS or not isinstance(row.c2, int):
                continue
            real = layer.shape[1] if len(layer.shape) == 4 else None
            if real is not None and real != row.c2 and not _passes_desync(row, model, scaled):
                index = row.module == "Index"  # its written first argument is the count, unchecked
                sink(rules.YOLO_CHANNEL_DESYNC, _tag(scaled, f"row {row.index} ({row.module}) outputs {real} channels, "
                     f"but ultralytics' parse_model counts {row.c2} for it"),
                     (ORIGINAL,) + row.where + ((3, 0) if index and row.written_args else (2,)),
                     f"write {real}, the channels of the output it picks: parse_model counts Index's first argument, "
                     "so the rows reading it are built for the wrong count" if index else
                     f"parse_model takes {row.module}'s arguments verbatim, so the rows reading it are built for the "
                     "wrong count: use an ultralytics module (Conv) whose first argument is the output channels, so "
                     "parse_model tracks them")

    def _skips(self, model, scaled: Scaled, sink) -> None:
        """A row read by a later Concat or head although the row right after it refines it at the same
        resolution (reads it and keeps its size): typically a `from` not renumbered after an insertion."""
        rows = {row.index: row for row in scaled.parsed.rows}

        def size(index):
            tensor = model.tensors.get(scaled.prefix + f"model.{index}")
            return None if tensor is None or len(tensor.shape) != 4 else tuple(tensor.shape[2:])

        for row in rows.values():
            if not row.many:
                continue
            for k, source in enumerate(row.sources):
                after = source + 1
                refiner = rows.get(after)
                if source < 0 or after >= row.index or after in row.sources or refiner is None:
                    continue
                if refiner.sources == [source] and refiner.module in M.BASE and size(after) == size(source) is not None:
                    sink(rules.YOLO_FROM_SKIPS, _tag(scaled, f"row {row.index} reads row {source}, but row {after} "
                         f"({refiner.module}) refines row {source} at the same resolution and is not read here"),
                         (ORIGINAL,) + row.where + (0, k), f"read row {after} if a row was inserted before it")

    def _structure(self, scaled: Scaled, sink) -> None:
        rows = scaled.parsed.rows
        if not scaled.parsed.complete:
            return
        heads = [row for row in rows if row.module in M.HEADS]
        for row in heads[:-1] if heads and heads[-1] is rows[-1] else heads:
            if row is not rows[-1]:
                sink(rules.YOLO_HEAD_NOT_LAST, _tag(scaled, f"row {row.index}: the head {row.module} is not the last "
                     "row"), (ORIGINAL,) + row.where + (2,),
                     f"ultralytics takes the last row ({rows[-1].module}) as the model's output: move the head to the "
                     "end of `head`")
        read = set()
        for row in rows:
            read.update(row.sources)
        for row in rows[:-1]:
            if row.index not in read and row.module not in M.READ_BY_THE_MODEL:
                sink(rules.YOLO_UNREAD_ROW, _tag(scaled, f"row {row.index} ({row.module}): no later row reads its "
                     "output, so it does not reach the head"), (ORIGINAL,) + row.where,
                     "read it from a later row's `from`, or remove it")
        for row in rows:
            if row.module == "Concat" and len(set(row.sources)) < len(row.sources):
                sink(rules.YOLO_CONCAT_TWICE, _tag(scaled, f"row {row.index}: Concat reads the same row twice "
                     f"({row.written_from})"), (ORIGINAL,) + row.where + (0,), "concatenate different rows")
            if (row.repeats > 1 and row.module not in M.REPEAT and row.module != "HGBlock"
                    and row.module in M.BASE and row.c2 != row.c1):
                sink(rules.YOLO_REPEATED_CHANNEL_CHANGE, _tag(scaled, f"row {row.index}: {row.module} is repeated "
                     f"{row.n} times, but it changes channels ({row.c1} -> {row.c2})"), (ORIGINAL,) + row.where + (1,),
                     f"the second copy receives {row.c2} channels where it expects {row.c1}: write repeats 1"
                     ", or use a repeat module (C2f, C3k2) whose repeats are inner blocks")

    def _index_comments(self, sink) -> None:
        """`# 4-P3/8`-style comments that number the rows: one that no longer matches its row's index is a
        row inserted or removed without renumbering."""
        if not self.scaled:
            return
        rows = self.scaled[0].parsed.rows
        lines = self.text.splitlines()
        warned = 0
        for row in rows:
            line = self._row_line(row)
            if line is None or line >= len(lines):
                continue
            found = _INDEX_COMMENT.search(lines[line].split("]")[-1] if "#" in lines[line] else "")
            if found and int(found.group(1)) != row.index:
                warned += 1
                if warned == 1:
                    sink(rules.YOLO_INDEX_COMMENT, f"row {row.index}'s comment numbers it {found.group(1)}",
                         (ORIGINAL,) + row.where, "a row was inserted or removed above without renumbering, so check "
                         "every `from` after it: renumber the comments and every `from` that names a row after "
                         "the change")

    def _row_line(self, row: Row):
        return None if self.locate is None else self.locate(row)


def proxied_flops(rows: list[Row], legacy: bool, head: Row, direct: int, stride: int) -> int:
    """The FLOPs ultralytics 8.4's get_flops reports at 640. thop profiles small proxy images one `stride` tall
    (the model's largest stride, at least 32) and first + k strides wide, and extrapolates in the number of
    stride x stride cells to the 640x640 image: for a model with matrix products of activations (attention,
    text-guided rows) or an RT-DETR decoder, a quadratic through the first three proxies, used only when the
    fourth lies on it; for a model holding an adaptive pool, a line through the first two; for any other, the
    first proxy times the cells. `first` is 1, or for an RT-DETR decoder the width at which its nq queries are
    filled (ceil(3 nq / (4^levels - 1)) with levels at strides 8, 16, 32...). It counts at 640 directly
    (`direct`) when 640 is not a multiple of the stride, when a proxy fails, or when the quadratic's proxies would
    cover more than a quarter of the image or its fourth is off the curve. Costs proportional to the area
    extrapolate to the direct count; rows of fixed output size (nn.AdaptiveAvgPool2d, nn.Upsample to a `size`),
    levels that reach 1x1 on the proxy only, or a decoder whose proxies hold fewer anchors than queries make the
    figures differ. The proxies are at most 4 x 4 cells wider than `first`, itself bounded by the image."""
    if GFLOPS_SIZE % stride:
        return direct
    cells, first = (GFLOPS_SIZE // stride) ** 2, 1
    if head.module == "RTDETRDecoder":
        nq, chs = (head.args[3] if len(head.args) > 3 else 300), head.args[1]
        if isinstance(nq, bool) or not isinstance(nq, int) or nq < 1 or not isinstance(chs, list) or not chs:
            return direct
        first = -(-nq * 3 // (4 ** len(chs) - 1))
        if 4 * (4 * first + 6) > cells:  # the proxies would cover more than a quarter of the image
            return direct
    proxies = []
    for k in range(4):
        proxy = run(rows, (stride, stride * (first + k)), legacy)
        if proxy.errors:
            return direct
        proxies.append(proxy)
    ops = [proxy.flops for proxy in proxies]
    t = cells - first
    # torch.matmul and torch.einsum make thop fit a quadratic: attention (a row whose FLOPs over the proxies lie
    # on a parabola) and the text-guided rows' products with the text embeddings (linear, so the fit is too)
    if head.module != "RTDETRDecoder" and not _quadratic(proxies) and not any(row.module in M.TEXT_GUIDED
                                                                              for row in rows):
        if any(row.module in M.ADAPTIVE_POOLS for row in rows):
            return ops[0] + t * (ops[1] - ops[0])
        return cells * ops[0]
    if 4 * (4 * first + 6) > cells or ops[3] - 3 * ops[2] + 3 * ops[1] - ops[0]:
        return direct
    return ops[0] + t * (ops[1] - ops[0]) + t * (t - 1) // 2 * (ops[2] - 2 * ops[1] + ops[0])


def _quadratic(proxies: list[Probe]) -> bool:
    """A row whose FLOPs over the four proxies lie on a parabola, not a line: products of positions with
    positions (attention), which thop extrapolates with a quadratic."""
    for index in proxies[0].by_row:
        a, b, c, d = (proxy.by_row.get(index, 0) for proxy in proxies)
        if c - 2 * b + a and not d - 3 * c + 3 * b - a:
            return True
    return False


def _derivation(parsed: Parsed, row: Row) -> list[str]:
    scale = f"scale {parsed.scale}: " if parsed.scale else ""
    at = f"({scale}depth {parsed.depth}, width {parsed.width}, max_channels {parsed.max_channels})"
    lines = [f"  row {row.index} {at}, from {row.written_from}"]
    if row.repeats > 1:
        counted = "an argument of the module" if row.copies == 1 else f"{row.copies} chained copies"
        lines.append(f"  repeats: max(round({row.repeats} x {parsed.depth}), 1) = {row.n} ({counted})")
    written = row.written_args[0] if row.written_args else None
    if row.module in M.BASE and row.module != "Classify" and isinstance(written, (int, float)):
        lines.append(f"  channels: make_divisible(min({written}, {parsed.max_channels}) x {parsed.width}, 8) "
                     f"= {row.c2}")
    elif row.module in ("Concat", "CBFuse") and isinstance(row.c1, list):
        parts = " + ".join(str(c) for c in row.c1)
        lines.append(f"  channels: {row.module} of rows {', '.join(map(str, row.sources))}: {parts} = {row.c2}"
                     if row.module == "Concat" else f"  channels: those of row {row.sources[-1]} = {row.c2}")
    elif row.module in M.HEADS and isinstance(row.c1, list):
        lines.append(f"  input channels per level: {row.c1}")
    else:
        lines.append(f"  channels parse_model counts for it: {row.c2}")
    return lines


def _args_text(args: list) -> str:
    """The arguments as ultralytics prints them (Python's list repr), bounded for a hostile file."""
    text = repr(args)
    return text if len(text) <= 80 else text[:77] + "..."


def _passes_desync(row: Row, model, scaled: Scaled) -> bool:
    """The row only carries a mismatch made upstream (its input already differed from the count)."""
    if row.module in M.BASE or row.module == "Index" or not row.sources or row.sources[0] < 0:
        return False  # (Index's count is the one its row writes)
    upstream = model.tensors.get(scaled.prefix + f"model.{row.sources[0]}")
    return upstream is not None and len(upstream.shape) == 4 and upstream.shape[1] != row.c1


def _tag(scaled: Scaled, message: str) -> str:
    return f"[scale {scaled.prefix[:-1]}] {message}" if scaled.prefix else message


def _arg_path(row: Row, argument) -> tuple:
    if argument is not None and 0 <= argument < len(row.origin) and row.origin[argument] is not None:
        return (ORIGINAL,) + row.where + (3, row.origin[argument])
    return (ORIGINAL,) + row.where + (2,)


# ---------------------------------------------------------------------------------- the row walk

@dataclass
class Probe:
    size: int | tuple  # a square image's side, or (height, width)
    shapes: dict = field(default_factory=dict)  # row index -> output shape (C, H, W) or head shape
    errors: dict = field(default_factory=dict)  # row index -> (message, argument index)
    flops: int = 0
    by_row: dict = field(default_factory=dict)  # row index -> its FLOPs

    def reached(self, row: Row) -> bool:
        return all(s == -1 or s in self.shapes for s in row.sources)

    def inputs_of(self, row: Row) -> list:
        h, w = self.size if isinstance(self.size, tuple) else (self.size, self.size)
        return [self.shapes[s] if s >= 0 else (3, h, w) for s in row.sources]


def run(rows: list[Row], size, legacy: bool) -> Probe:
    """Every row at an image of `size` (a square's side, or (height, width)): shapes, errors, and thop's FLOPs."""
    probe = Probe(size)
    for row in rows:
        if not probe.reached(row):
            continue
        inputs = probe.inputs_of(row)
        outcome = apply(row, inputs, legacy)
        if isinstance(outcome, tuple):
            probe.errors[row.index] = outcome[:2]
            continue
        probe.shapes[row.index] = outcome.shape
        flops = outcome.info_flops
        probe.flops += flops
        probe.by_row[row.index] = flops
    return probe


def builder(module: str):
    from archlint.sources.ultralytics import blocks
    from archlint.sources.ultralytics.heads import HEADS

    if module in HEADS:
        return HEADS[module], True
    known = getattr(blocks, "BLOCKS", {})  # the builders of each module (a missing one: not modelled)
    found = known.get(module)
    if found is None and module.startswith("nn."):
        found = known.get(module[3:])
    return found, False


_APPLIED: dict = {}  # builders are pure: the walk at --imgsz and the GFLOPs walk at 640 share results


def apply(row: Row, inputs: list, legacy: bool):
    """The row's module applied `copies` times: a Built, or (message, argument index) when it fails, or
    (message, argument index, "not modelled") when what it does with these inputs is not modelled."""
    key = (row.module, repr(row.args), repr(inputs), row.copies, legacy, repr(row.splits), repr(row.guide))
    found = _APPLIED.get(key)
    if found is None:
        if len(_APPLIED) > 4096:
            _APPLIED.clear()
        found = _APPLIED[key] = _apply(row, inputs, legacy)
    return found


def _apply(row: Row, inputs: list, legacy: bool):
    from archlint.sources.ultralytics.blocks import BlockError, Built, NotModelled

    build, is_head = builder(row.module)
    if build is None:
        return (f"{row.module} is not modelled by archlint", None)
    if row.module == "Concat":
        problem = concat_sizes(row, inputs)
        if problem:
            return (problem, None)
    inputs = [tuple(x) for x in inputs] + ([tuple(row.guide)] if row.guide else [])
    if row.splits:  # CBFuse picks one of each CBLinear's outputs: give it their list
        inputs = [[(c, x[1], x[2]) for c in split] if isinstance(split, list) else x
                  for split, x in zip(row.splits, inputs)] + inputs[len(row.splits):]
    try:
        built = build(list(row.args), inputs, legacy) if is_head else build(list(row.args), inputs)
        params, macs, frozen = built.params, built.macs, built.frozen
        flops = built.info_flops
        done = 1
        while done < row.copies:  # n copies chained with the same arguments, each on the previous output
            again = build(list(row.args), [built.shape])
            stable = again.shape == built.shape
            times = row.copies - done if stable else 1  # once the shape repeats, the rest are identical
            params, macs = params + times * again.params, macs + times * again.macs
            frozen = frozen + times * again.frozen
            flops += times * again.info_flops
            built, done = again, done + times
        return Built(built.shape, params, macs, frozen, flops)
    except NotModelled as exc:
        return (exc.message, exc.argument, "not modelled")
    except BlockError as exc:
        return (exc.message, exc.argument)
    except (TypeError, ValueError, ZeroDivisionError, IndexError, KeyError, AttributeError) as exc:
        return (f"{type(exc).__name__}: {exc}", None)


def concat_sizes(row: Row, inputs: list) -> str | None:
    sizes = [tuple(x[1:]) for x in inputs]
    if len(set(sizes)) <= 1:
        return None
    parts = ", ".join(f"row {s if s >= 0 else 'input'} {h}x{w}" for s, (h, w) in zip(row.sources, sizes))
    return f"Concat of feature maps of different sizes ({parts})"


# ---------------------------------------------------------------------------------- conversion

def convert_document(document: Document, settings: dict) -> Document:
    from archlint.sources.ultralytics import layers

    data = document.data
    if not recognise(data):
        raise UltralyticsConfigError(rules.YOLO_ROW_MALFORMED, "the file is not an Ultralytics model YAML (a mapping "
                                     "with `backbone` and `head` lists)", 1, 1,
                                     hint="give a model YAML such as yolov8.yaml, or use --input-format archlint")
    imgsz = settings.get("imgsz") or 640
    wanted = settings.get("scale")
    nc = settings.get("nc")
    missing_nc = nc is not None and "nc" not in data
    if nc is not None:  # DetectionModel(cfg, nc=N) overrides the file's nc before parse_model reads it
        data = {**data, "nc": nc}
    scales = data.get("scales") if isinstance(data.get("scales"), dict) else None
    if wanted == "all":
        letters = list(scales) if scales else [None]
    else:
        letters = [wanted]
    several = len(letters) > 1
    layers_out, paths, scaled_list, inputs = [], {}, [], {}
    for letter in letters:
        parsed = parse(data, document.path, letter)
        if not scaled_list:
            parsed.problems[:0] = _activation_problems(data.get("activation"))
        if missing_nc and not scaled_list:
            parsed.problems.insert(0, Problem(rules.YOLO_MISSING_NC, f"the file gives no `nc` to override with --nc "
                                              f"{nc}", (), "ultralytics compares the two and fails with KeyError: "
                                              "'nc': add `nc: <classes>` at the top of the file"))
        prefix = f"{parsed.scale}/" if several else ""
        image = f"{prefix}image" if several else "input"
        inputs[image] = [data.get("ch", 3) if isinstance(data.get("ch", 3), int) else 3, imgsz, imgsz]
        scaled_list.append(Scaled(parsed, prefix, image))
        for row in parsed.rows:
            at = len(layers_out)
            layers.ensure(row.module)
            entry = {"name": prefix + row.name, "type": row.module,
                     "inputs": [image if s < 0 else prefix + f"model.{s}" for s in row.sources],
                     "args": row.args, "copies": row.copies, "row": row.index}
            if row.module in M.HEADS:
                entry["legacy"] = parsed.legacy
            if row.splits:
                entry["splits"] = row.splits
            if row.guide:
                entry["guide"] = row.guide
            layers_out.append(entry)
            paths[("layers", at)] = row.where
            paths[("layers", at, "type")] = row.where + (2,)
            paths[("layers", at, "inputs")] = row.where + (0,)
            paths[("layers", at, "copies")] = row.where + (1,)
            paths[("layers", at, "args")] = row.where + (3,)
            for k, origin in enumerate(row.origin):
                paths[("layers", at, "args", k)] = row.where + ((3, origin) if origin is not None else (3,))
    name = os.path.splitext(os.path.basename(document.path))[0]
    spec = {"archlint": 1, "name": name, "framework": "pytorch"}
    if several:
        spec["inputs"] = inputs
    else:
        spec["input"] = next(iter(inputs.values()))
    spec["layers"] = layers_out
    if not layers_out:  # nothing could be read: a placeholder keeps the pipeline going to report why
        spec["layers"] = [{"name": "unread", "type": "nn.Identity", "args": [], "copies": 1, "row": -1}]
        layers.ensure("nn.Identity")
    hooks = UltralyticsSource(scaled_list, imgsz, document.text, locate=lambda row: _line_of(document, row))
    return converted_document(document, spec, paths, hooks)


_ACTIVATION = re.compile(r"(?:torch\.)?nn\.(\w+)\((.*)\)")


def _activation_problems(activation) -> list[Problem]:
    """The file's `activation` (ultralytics evaluates it and makes it every Conv's activation, one module shared
    by all): an activation without weights changes no figure; anything else is not modelled."""
    from archlint.sources.ultralytics import blocks  # noqa: F401 - first: it imports the module builders
    from archlint.sources.ultralytics.modules.torchnn import PASS_THROUGH


    if not activation:  # ultralytics ignores an empty or false one
        return []
    if not isinstance(activation, str):
        return [Problem(rules.YOLO_ARGUMENT_TYPE, f"`activation` must be Python text such as nn.ReLU(), not "
                        f"{activation!r}", ("activation",), "ultralytics fails with TypeError: eval() arg 1 must be a "
                        "string: write activation: nn.ReLU()")]
    found = _ACTIVATION.fullmatch(activation.strip())
    if found and found.group(1) in PASS_THROUGH:
        return []
    return [Problem(rules.YOLO_NOT_MODELLED, f"`activation: {activation}` is not modelled", ("activation",),
                    "an activation with weights, such as nn.PReLU, is one module every Conv shares: its parameters "
                    "and thop's count are not in the totals; check the counts with ultralytics (model.info())")]


def _line_of(document: Document, row: Row):
    line, _ = document.position(row.where)
    return line - 1 if line else None
