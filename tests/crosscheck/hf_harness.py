"""Shared by the Hugging Face cross-checks (decoder families here, the classic families in
test_hf_*.py): one config dict, counted and judged by archlint and by transformers.

- `archlint_counts(config)`: total, base-model total and per-module counts from the family's Parts,
  through the importer as `archlint check` runs it, plus the error codes it reports;
- `transformers_counts(config)`: the same from the class in `architectures` built on the meta device
  (tied parameters counted once), and AutoModel for the base model;
- `transformers_verdict(config)`: whether transformers constructs the config, builds the model on the CPU
  and runs a forward pass on 5 tokens (tiny configs only).
"""

from __future__ import annotations

import json
import os
import tempfile

import pytest

from archlint.lint import lint_file

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def transformers():
    module = pytest.importorskip("transformers")
    pytest.importorskip("torch")
    module.logging.set_verbosity_error()
    return module


def lint_config(config: dict, **settings):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "config.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(config, handle)
        return lint_file(path, settings=settings)


def archlint_errors(config: dict) -> list[str]:
    result = lint_config(config)
    return [f"{f.rule.code} {f.message}" for f in result.findings if f.is_error]


def archlint_counts(config: dict):
    """(total, base total, {module path: params}) as archlint counts them."""
    from archlint.sources.huggingface import families
    from archlint.sources.huggingface.resolve import resolve

    result = lint_config(config)
    errors = [f"{f.rule.code} {f.message}" for f in result.findings if f.is_error]
    assert not errors, errors
    model = result.model
    assert model is not None and model.complete
    resolved = resolve(config, families.module(config["model_type"]), config["model_type"])
    parts = resolved.family.parts(resolved.cfg, resolved.architecture)
    modules = {part.path: part.total for part in parts}
    base = sum(part.total for part in parts if part.base)
    return model.total_params, base, modules


def _config_object(config: dict):
    library = transformers()
    fields = {key: value for key, value in config.items() if key not in ("model_type", "architectures")}
    # The eager implementations: the verdict is about the architecture. The default CPU kernel for experts
    # (torch grouped_mm) also needs every matrix row to be a multiple of 16 bytes, a kernel limit that
    # depends on the dtype and the device, which archlint does not check.
    fields.setdefault("experts_implementation", "eager")
    fields.setdefault("attn_implementation", "eager")
    return library.CONFIG_MAPPING[config["model_type"]](**fields)


def _model_class(config: dict):
    library = transformers()
    classes = config.get("architectures")
    if classes:
        return getattr(library, classes[0])
    return None


def _unique(model) -> int:
    return sum({id(p): p.numel() for p in model.parameters()}.values())


def transformers_counts(config: dict):
    """(total, base total, {module path: params}) of the model transformers builds, on the meta device."""
    library = transformers()
    import torch

    built = _config_object(config)
    cls = _model_class(config)
    with torch.device("meta"):
        model = cls._from_config(built) if cls is not None else library.AutoModelForCausalLM.from_config(built)
        base = library.AutoModel.from_config(built)
    seen, modules = set(), {}
    for name, module in model.named_modules():
        own = [p for p in module.parameters(recurse=False) if id(p) not in seen]
        seen.update(id(p) for p in own)
        if any(True for _ in module.parameters(recurse=False)):
            modules[name] = sum(p.numel() for p in own)
    return _unique(model), _unique(base), modules


def transformers_verdict(config: dict) -> tuple[bool, str]:
    """(accepted, the stage and error when refused): config construction, model construction (CPU), and a
    forward pass on a batch of one sequence of 5 tokens."""
    library = transformers()
    import torch

    stage = "config"
    try:
        built = _config_object(config)
        stage = "model"
        torch.manual_seed(0)
        cls = _model_class(config)
        model = cls._from_config(built) if cls is not None else library.AutoModelForCausalLM.from_config(built)
        model.eval()
        stage = "forward"
        vocab = max(1, min(int(getattr(built, "vocab_size", 2) or 2), 50))
        ids = torch.randint(0, vocab, (1, 5))
        with torch.no_grad():
            model(input_ids=ids)
    except Exception as exc:  # noqa: BLE001 - any refusal is the verdict
        return False, f"{stage}: {type(exc).__name__}: {str(exc)[:200]}"
    return True, ""


def transformers_cache_bytes(config: dict, tokens: int) -> int:
    """Bytes of every tensor transformers' cache holds after a forward pass over `tokens` tokens (float32)."""
    library = transformers()
    import torch

    built = _config_object(config)
    torch.manual_seed(0)
    model = library.AutoModelForCausalLM.from_config(built).eval()
    with torch.no_grad():
        cache = model(input_ids=torch.randint(0, 8, (1, tokens)), use_cache=True).past_key_values
    return sum(tensor.numel() * tensor.element_size() for layer in cache.layers
               for tensor in (layer.keys, layer.values) if tensor is not None)


def archlint_figure(config: dict, key: str, **settings):
    from archlint.report import model_json

    result = lint_config(config, **settings)
    return model_json("config.json", result.model)[key]
