"""Property-based cross-check: random single layers and short stacks over the whole catalogue.

For every drawn spec the verdicts must agree: archlint reports an error (any E or S code) exactly when
the framework refuses to build the model or to run a forward pass on a batch of 2, and when both
accept it, every layer's output shape and trainable / non-trainable counts are equal. Keras runs on its
torch backend. The draws are derandomized (a fixed sequence), so CI sees the same cases every run.

Run with the frameworks installed (skipped otherwise):
    KERAS_BACKEND=torch python -m pytest -q -m crosscheck tests/crosscheck
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from property_gen import EXCLUDED_TYPES, catalogue, spec
from property_run import archlint_verdict, keras_verdict, same_rows, torch_verdict

from archlint.layers.registry import REGISTRY, load_all

pytestmark = pytest.mark.crosscheck

CASES_PER_FRAMEWORK = 400  # plus a sweep of the types the draws missed: about 900 cases, well over the 500 asked for


# Disagreements found by this suite and not fixed yet:
# a case matching one is counted and printed, not failed. Remove an entry once its family is fixed.
KNOWN = {
    "Keras Attention / AdditiveAttention on a query and a value of different ranks (a value without its "
    "sequence axis, or with an extra one): Keras 3.15.1 broadcasts them through matmul and builds (the "
    "output has the query's shape, or a forward shape that differs from the symbolic one, which counts as a "
    "refusal); archlint refuses every rank difference (E015)":
        lambda accepted, findings: any(f.startswith(("E015 Attention", "E015 AdditiveAttention")) and "ranks" in f
                                       for f in findings),
    "Keras masks reaching a layer whose mask handling archlint does not model (W030 marks it): Keras may "
    "refuse the forward pass there, archlint warns":
        lambda accepted, findings: not accepted and any(f.startswith("W030 ") for f in findings),
    "size-0 layers: torch builds Linear/Conv/RNN modules with 0 output features (an empty output), archlint's "
    "schema refuses 0 (S002: must be >= 1)":
        lambda accepted, findings: accepted and any(f.startswith("S002 ") and "must be >= 1, got 0" in f
                                                    for f in findings),
    "torch padding layers given one axis fewer than the batched form pad the batch axis too (W007 says so): "
    "torch's batch grows by the padding, archlint keeps the batch axis as the unknown batch size":
        lambda accepted, findings: accepted and any(f.startswith("W007 ") and "pads the batch axis" in f
                                                    for f in findings),
}

SWEEP_CASES = 4  # cases for each type the random draws missed

SETTINGS = settings(max_examples=CASES_PER_FRAMEWORK, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


def _empty_prefix(spec_: dict, model) -> dict:
    """The spec cut after the first layer whose output has size 0 (W021): what frameworks do with an
    empty tensor later on is not part of the comparison."""
    if model is None:
        return spec_
    for index, layer in enumerate(model.layers):
        if layer.output is not None and 0 in tuple(layer.output.shape)[1:]:
            return {**spec_, "layers": spec_["layers"][:index + 1]}
    return spec_


def _masked(spec_: dict) -> bool:
    return any(entry.get("mask_zero") or entry["type"] == "Masking" for entry in spec_["layers"]) \
        and len(spec_["layers"]) > 1


def check(spec_: dict, framework_verdict, stats: dict) -> None:
    ours, findings, model = archlint_verdict(spec_)
    cut = _empty_prefix(spec_, model)
    if cut is not spec_:
        spec_ = cut
        ours, findings, model = archlint_verdict(spec_)
    theirs, error = framework_verdict(spec_)
    stats["cases"] += 1
    stats["layers"] += len(spec_["layers"])
    stats["refused" if theirs is None else "built"] += 1
    for entry in spec_["layers"]:
        stats["types"].add(entry["type"])
        stats["types"].update(v["type"] for v in entry.values() if isinstance(v, dict) and "type" in v)
    where = json.dumps(spec_)
    if not same_rows(ours, theirs):
        known = next((label for label, match in KNOWN.items() if match(theirs is not None, findings)
                      and (not label.startswith("Keras masks") or _masked(spec_))), None)
        if known:
            stats["known"][known] = stats["known"].get(known, 0) + 1
            return
    if theirs is None:
        assert ours is None, f"the framework refuses ({error}) but archlint finds no error: {where}\n{findings}"
        return
    assert ours is not None, f"the framework accepts but archlint reports {findings}: {where}"
    assert same_rows(ours, theirs), f"archlint {ours} != framework {theirs}: {where}\n{findings}"


SWEEP = settings(SETTINGS, max_examples=SWEEP_CASES)


def run(framework: str, framework_verdict) -> dict:
    """The random cases, then a sweep: a few cases starting with each type the random draws missed
    (hypothesis favours simple draws, and some tenth of the catalogue goes unseen in 400 cases)."""
    stats = {"cases": 0, "layers": 0, "refused": 0, "built": 0, "types": set(), "known": {}, "swept": 0}

    @SETTINGS
    @given(spec(framework))
    def case(spec_):
        check(spec_, framework_verdict, stats)

    case()
    drawn, _ = catalogue(framework)
    for name in sorted(set(drawn) - stats["types"]):
        stats["swept"] += 1

        @SWEEP
        @given(spec(framework, first=name))
        def swept(spec_):
            check(spec_, framework_verdict, stats)

        swept()
    return stats


def report(framework: str, stats: dict) -> None:
    drawn, left = catalogue(framework)
    print(f"\n{framework}: {stats['cases']} cases ({stats['built']} built, {stats['refused']} refused), "
          f"{stats['layers']} layers, {len(stats['types'] & set(drawn))} of {len(drawn)} drawable types seen; "
          f"excluded: {', '.join(left) or 'none'}; {stats['swept']} types swept after the random draws")
    for label, count in stats["known"].items():
        print(f"  known disagreement ({count} cases): {label}")


def test_every_registered_type_is_drawable():
    """The generators cover the whole catalogue: every registered type but the documented exclusions."""
    load_all()
    for framework in ("keras", "pytorch"):
        drawn, left = catalogue(framework)
        from archlint.plugins import IMPORTER_TYPES  # types for converted files only (Ultralytics, transformers)

        registered = {name for fw, name in REGISTRY if fw == framework and (fw, name) not in IMPORTER_TYPES}
        assert set(drawn) == registered - {name for fw, name in EXCLUDED_TYPES if fw == framework}
        assert set(left) == {name for fw, name in EXCLUDED_TYPES if fw == framework}
    assert all(reason for reason in EXCLUDED_TYPES.values())  # an entry here needs its reason


def check_run(framework: str, stats: dict) -> None:
    drawn, _ = catalogue(framework)
    assert stats["cases"] >= CASES_PER_FRAMEWORK
    assert stats["built"] >= CASES_PER_FRAMEWORK // 5 and stats["refused"] >= CASES_PER_FRAMEWORK // 10
    assert set(drawn) - stats["types"] == set()  # every drawable type was drawn in this run


def test_keras_random_specs_agree():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("keras")
    stats = run("keras", keras_verdict)
    report("keras", stats)
    check_run("keras", stats)


def test_torch_random_specs_agree():
    pytest.importorskip("torch")
    stats = run("pytorch", torch_verdict)
    report("pytorch", stats)
    check_run("pytorch", stats)
