"""Hugging Face `config.json` files as archlint input: the model transformers builds for the config,
counted exactly without transformers, checked for what transformers would refuse, and summarised with
transformers' module names.

The importer of `archlint.sources` for Hugging Face: `recognise` (cheap: no imports) and `convert`.
"""

from __future__ import annotations

import re

from archlint import rules
from archlint.loader import Document, LoadError

# An `architectures` entry names a transformers model class: LlamaForCausalLM, BertModel, GPT2LMHeadModel.
_CLASS = re.compile(r"^[A-Z][A-Za-z0-9]*(For[A-Z][A-Za-z]*|Model|LMHeadModel)$")


class HuggingFaceConfigError(LoadError):
    """A config.json archlint cannot read as a transformers config: reported whatever its text says."""

    certain = True


def recognise(data) -> bool:
    """A transformers config: a JSON object with `model_type`, or `architectures` naming a model class."""
    if not isinstance(data, dict) or "archlint" in data:
        return False
    if isinstance(data.get("model_type"), str) and data["model_type"]:
        return True
    classes = data.get("architectures")
    return (isinstance(classes, list) and bool(classes) and isinstance(classes[0], str)
            and _CLASS.match(classes[0]) is not None)


def convert(document: Document, options=None) -> Document:
    from archlint.sources.base import converted_document
    from archlint.sources.huggingface import families
    from archlint.sources.huggingface.build import convert as build
    from archlint.sources.huggingface.source import HuggingFaceSource

    data = document.data
    if not isinstance(data, dict):
        raise HuggingFaceConfigError(rules.HF_WRONG_TYPE, "a Hugging Face config is a JSON object", 1, 1,
                                     hint="give a config.json written by transformers (config.save_pretrained)")
    model_type = data.get("model_type")
    if model_type is None and isinstance(data.get("architectures"), list) and data["architectures"]:
        first = data["architectures"][0]
        model_type = families.model_type_of(first) if isinstance(first, str) else None
    family = families.module(model_type) if isinstance(model_type, str) else None
    if family is None:
        where = ("model_type",) if "model_type" in data else ("architectures",) if "architectures" in data else ()
        line, column = document.position(where)
        shown = f"model_type {model_type!r}" if "model_type" in data else "a config without `model_type`"
        error = HuggingFaceConfigError(
            rules.HF_UNSUPPORTED, f"{shown} is not one archlint counts: nothing in this file was checked", line,
            column, hint="supported: " + ", ".join(families.supported()))
        raise error
    settings = options.settings if options is not None else {}
    converted = build(data, family, model_type, settings)
    return converted_document(document, converted.data, converted.paths, HuggingFaceSource(converted, data))


class ParsedConfig(dict):
    """A config.json with keys given twice, parsed as transformers reads it (the last value wins); each
    repeat is kept as (key path, first value, last value) for W108."""

    repeats: list

    def __init__(self, pairs, repeats):
        super().__init__(pairs)
        self.repeats = repeats


def recover(path: str, error: LoadError, options) -> Document | None:
    """config.json with a key given twice: transformers (json.load) keeps the last value silently, so
    the file is read the same way, and W108 reports repeats whose values differ. None for other files."""
    import json

    from archlint.loader import _json_locator as json_locator

    repeats: list = []

    def pairs_hook(pairs):
        seen: dict = {}
        for key, value in pairs:
            if key in seen and seen[key] != value:
                repeats.append((key, seen[key], value))
            seen[key] = value
        return ParsedConfig(seen, [])

    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
        data = json.loads(text, object_pairs_hook=pairs_hook)
    except (OSError, ValueError, RecursionError):
        return None
    if not recognise(data):
        return None
    data = ParsedConfig(data, [(key, first, last) for key, first, last in repeats if key in data])
    return Document(path, text, data, "json", json_locator(text))
