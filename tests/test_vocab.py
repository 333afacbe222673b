"""The vocabularies (archlint/vocab.py) are the one list of each set of names: the command line, the
configuration checker, the output formats and the schema take theirs from there."""

from __future__ import annotations

from importlib import import_module

import click
import pytest

from archlint import cli, config, formats, schema, vocab
from archlint.spec import Budget


def _option(command, name):
    return next(p for p in command.params if isinstance(p, click.Option) and name in p.opts)


def test_cli_choices_come_from_the_vocabularies():
    assert tuple(_option(cli.check, "--output-format").type.choices) == tuple(vocab.CHECK_FORMATS)
    assert tuple(_option(cli.summary, "--output-format").type.choices) == vocab.SUMMARY_FORMATS
    assert tuple(_option(cli.rules_command, "--output-format").type.choices) == vocab.RULES_FORMATS
    for command in (cli.check, cli.summary, cli.explain):
        assert tuple(_option(command, "--framework").type.choices) == tuple(vocab.FRAMEWORKS)
        assert tuple(_option(command, "--dtype").type.choices) == tuple(vocab.DTYPE_BYTES)
        assert tuple(_option(command, "--optimizer").type.choices) == tuple(vocab.OPTIMIZER_STATES)


def test_one_cli_option_per_budget_key():
    options = {opt for p in cli.check.params for opt in p.opts if opt.startswith(("--max-", "--min-"))}
    assert options - {"--max-file-size"} == {key.option for key in vocab.BUDGET_KEYS.values()}
    assert vocab.BUDGET_KEYS["params"].option == "--max-params"
    assert vocab.BUDGET_KEYS["max_layer_macs"].option == "--max-layer-macs"
    assert vocab.BUDGET_KEYS["min_receptive_field"].option == "--min-receptive-field"


def test_every_budget_key_has_a_field_a_check_and_units():
    assert [f for f in Budget.__dataclass_fields__] == list(vocab.BUDGET_KEYS)
    for key in vocab.BUDGET_KEYS.values():
        module, function = key.checker
        assert callable(getattr(import_module(module), function)), key.name
        assert key.units in vocab.UNITS


def test_configuration_checks_against_the_vocabularies():
    assert config.CHOICES == {"framework": tuple(vocab.FRAMEWORKS), "output-format": tuple(vocab.CHECK_FORMATS),
                              "dtype": tuple(vocab.DTYPE_BYTES), "optimizer": tuple(vocab.OPTIMIZER_STATES)}
    with pytest.raises(config.ConfigError, match="`dtype` must be one of float32, float16, bfloat16, int8"):
        config.parse({"dtype": "float64"}, "archlint.toml")
    parsed = config.parse({"budgets": {"*.yaml": {"param_memory": "1.5MiB", "macs": "7B"}}}, "archlint.toml")
    assert parsed.budgets == (("*.yaml", {"param_memory": 1_572_864, "macs": 7_000_000_000}),)


def test_formats_module_table_is_the_vocabulary():
    assert formats.MODULES is vocab.CHECK_FORMATS
    for name, module in vocab.CHECK_FORMATS.items():
        assert callable(import_module(f"archlint.formats.{module}").render), name


def test_schema_enums_come_from_the_vocabularies():
    top = schema.schema()["properties"]
    assert top["framework"]["enum"] == list(vocab.FRAMEWORKS)
    assert top["dtype"]["enum"] == list(vocab.DTYPE_BYTES)
    assert top["optimizer"]["enum"] == list(vocab.OPTIMIZER_STATES)
    assert list(top["budget"]["properties"]) == list(vocab.BUDGET_KEYS)
