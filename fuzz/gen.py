"""Input generators for archlint's fuzzing: random bytes, random YAML/JSON documents, and mutations of
the shipped examples (keys dropped, values replaced by other types, numbers by extremes, text damaged).

Plain `random.Random` functions, shared by the long run (fuzz/run.py) and usable from tests.
"""

from __future__ import annotations

import copy
import json
import math
import random
from pathlib import Path

import yaml

from archlint import yaml12

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*") if p.suffix in (".yaml", ".yml", ".json"))

EXTREMES = [0, -1, 1, 2**31, 2**63 - 1, 2**63, 300_000_000, -(2**63), 2**64 + 1, 10**99, 10**400, 1e308, -1e308,
            1e-320, 0.5, 3.0,
            math.inf, -math.inf, math.nan, "NaN", "nan", "Infinity", "-inf", "1e400", "", " ", "0x10", "3.5M",
            "25k", "1.2G", "${9**9**9}", "${'a' * 10**9}", "${n}", "${__import__('os')}", None, True, False,
            [], {}, [None], [0, 0], [-1, 3], [2**63, 2**63], "same", "valid", "causal", "reflect", "circular"]
KEYS = ["archlint", "name", "framework", "input", "inputs", "outputs", "layers", "budget", "params",
        "trainable_params", "type", "filters", "units", "kernel_size", "strides", "padding", "dilation_rate",
        "groups", "in_channels", "out_channels", "in_features", "out_features", "expect", "output_shape",
        "trainable", "blocks", "block", "with", "repeat", "vars", "when", "apply", "tie", "axis", "dim",
        "pool_size", "rate", "activation", "use_bias", "bias", "num_features", "<<"]
TYPES = ["Conv2D", "Conv2d", "Dense", "Linear", "Flatten", "MaxPooling2D", "MaxPool2d", "BatchNormalization",
         "BatchNorm2d", "ReLU", "Dropout", "Add", "Concatenate", "LSTM", "Embedding", "Reshape", "Nope"]
TOKENS = ["&a ", "*a", "!!python/object/apply:os.system ['true'] ", "!x ", "<<: ", "---\n", "...\n", "[", "]",
          "{", "}", ": ", "- ", "? ", "#", "\t", "'", '"', "\\", "\x00", "\x07", "\ufeff", "é", "\r\n", "%YAML 1.1\n",
          "|\n", ">-\n", "9" * 120, "1e400", ".nan", "NaN", "Infinity", "archlint: 1\n", "  " * 60]


def example_texts() -> list[tuple[str, str, object]]:
    """(suffix, text, data) of every shipped example, parsed once."""
    found = []
    for path in EXAMPLES:
        text = path.read_text(encoding="utf-8")
        found.append((path.suffix, text, json.loads(text) if path.suffix == ".json" else yaml12.load(text)))
    return found




def extreme(rng: random.Random):
    """A copy: the lists and dicts among EXTREMES must not be shared and then mutated (or made cyclic)."""
    return copy.deepcopy(rng.choice(EXTREMES))


def random_scalar(rng: random.Random):
    kind = rng.randrange(6)
    if kind == 0:
        return extreme(rng)
    if kind == 1:
        return rng.randint(-3, 300)
    if kind == 2:
        return rng.choice(TYPES)
    if kind == 3:
        return rng.choice(KEYS)
    if kind == 4:
        return rng.random() * 10 ** rng.randint(-5, 5)
    return "".join(rng.choice("ab[]{}:,-#&*!'\" \n") for _ in range(rng.randint(0, 12)))


def random_value(rng: random.Random, depth: int = 0):
    if depth > 4 or rng.random() < 0.45:
        return random_scalar(rng)
    if rng.random() < 0.5:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    return {rng.choice(KEYS) if rng.random() < 0.8 else str(random_scalar(rng)): random_value(rng, depth + 1)
            for _ in range(rng.randint(0, 6))}


def random_spec(rng: random.Random) -> dict:
    spec = {"archlint": 1, "input": [rng.choice([None, 1, 4, 10, 28, 224]) for _ in range(rng.randint(1, 4))]}
    if rng.random() < 0.5:
        spec["framework"] = rng.choice(["keras", "pytorch", "jax"])
    spec["layers"] = []
    for _ in range(rng.randint(0, 6)):
        layer = {"type": rng.choice(TYPES)}
        for _ in range(rng.randint(0, 4)):
            layer[rng.choice(KEYS)] = random_value(rng, 2)
        spec["layers"].append(layer)
    return spec


def mutate_data(rng: random.Random, data, rounds: int = 3):
    """Drop keys, replace values by other types or extremes, duplicate list items: in place, some rounds."""
    for _ in range(rounds):
        containers = _containers(data)
        if not containers:
            return random_value(rng)
        parent = rng.choice(containers)
        if isinstance(parent, dict) and parent:
            key = rng.choice(list(parent))
            action = rng.randrange(4)
            if action == 0:
                del parent[key]
            elif action == 1:
                parent[key] = extreme(rng)
            elif action == 2:
                parent[key] = random_value(rng, 3)
            else:
                parent[rng.choice(KEYS)] = copy.deepcopy(parent[key])
        elif isinstance(parent, list) and parent:
            index = rng.randrange(len(parent))
            action = rng.randrange(4)
            if action == 0:
                del parent[index]
            elif action == 1:
                parent[index] = extreme(rng)
            elif action == 2:
                parent.insert(index, random_value(rng, 3))
            else:
                parent.extend(copy.deepcopy(parent[: rng.randint(1, 3)]))
    return data


def _containers(data) -> list:
    found, stack = [], [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (dict, list)):
            found.append(item)
            stack.extend(item.values() if isinstance(item, dict) else item)
    return found


def dump(rng: random.Random, data, suffix: str) -> bytes:
    if suffix == ".json":
        return json.dumps(data, indent=rng.choice([None, 2])).encode("utf-8")
    try:
        return yaml12.dump(data, flow=rng.choice([None, False, True]), fast=True).encode("utf-8")
    except yaml.YAMLError:
        return json.dumps(data).encode()


def mutate_text(rng: random.Random, raw: bytes) -> bytes:
    """Damage the text: insert tokens, delete or flip bytes, truncate, repeat a slice."""
    data = bytearray(raw)
    for _ in range(rng.randint(1, 4)):
        action = rng.randrange(5)
        at = rng.randint(0, len(data))
        if action == 0:
            data[at:at] = rng.choice(TOKENS).encode("utf-8")
        elif action == 1 and data:
            del data[at:at + rng.randint(1, 20)]
        elif action == 2 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif action == 3:
            del data[at:]
        else:
            end = min(len(data), at + rng.randint(1, 60))
            data[at:at] = bytes(data[at:end]) * rng.randint(1, 20)
    return bytes(data)


def generate(rng: random.Random, examples: list) -> tuple[str, bytes]:
    """One input: (suffix, bytes)."""
    kind = rng.randrange(6)
    if kind == 0:  # random bytes
        return rng.choice([".yaml", ".json"]), bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
    if kind == 1:  # a random document
        suffix = rng.choice([".yaml", ".json"])
        return suffix, dump(rng, random_value(rng) if rng.random() < 0.3 else random_spec(rng), suffix)
    suffix, text, parsed = rng.choice(examples)
    if kind == 2:  # the example's text, damaged
        return suffix, mutate_text(rng, text.encode("utf-8"))
    data = mutate_data(rng, copy.deepcopy(parsed), rounds=rng.randint(1, 6))
    out_suffix = rng.choice([suffix, ".json"])
    raw = dump(rng, data, out_suffix)
    if kind == 5:  # a mutated document, damaged too
        raw = mutate_text(rng, raw)
    return out_suffix, raw
