"""The command line: `archlint check`, `summary`, `explain`, `rules`, `rule` and `schema`.

Heavy modules are imported inside the commands, so `archlint --help` and a small check start fast.
"""

from __future__ import annotations

import os
import sys

import click

from archlint import __version__, sources, vocab

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS = tuple(vocab.CHECK_FORMATS)
PEOPLE_FORMATS = vocab.PEOPLE_FORMATS


def _codes(ctx, param, value):
    """`--select E001,W` and repeated options -> a tuple of selectors (None when not given)."""
    if not value:
        return None
    from archlint import config as cfg

    selectors = tuple(part.strip() for item in value for part in item.split(",") if part.strip())
    try:
        return cfg.check_selectors(list(selectors), f"--{param.name.replace('_', '-')}", param.name)
    except cfg.ConfigError as exc:
        raise click.BadParameter(str(exc).split(": ", 1)[1]) from None


def _config_options(function):
    for decorator in reversed([
        click.option("--config", "config_file", type=click.Path(dir_okay=False),
                     help="Use this configuration file for every path (no search)."),
        click.option("--isolated", is_flag=True, help="Ignore every configuration file."),
        click.option("--framework", type=click.Choice(tuple(vocab.FRAMEWORKS)),
                     help="The framework of specs that do not name one (default: the configuration's, else keras)."),
        click.option("--debug", is_flag=True, help="Show the traceback of an internal error."),
        # the importers of archlint.sources; stored in ctx.meta, see _input_options
        click.option("--input-format", type=click.Choice(sources.INPUT_FORMATS), default="auto",
                     expose_value=False, callback=_remember, show_default=True,
                     help="The format of the files: " + "; ".join(f"{i.name}: {i.title}" for i in
                                                                 sources.IMPORTERS.values())
                     + ". auto recognises each file's format."),
        # one option per budget key of vocab.BUDGET_KEYS: --max-params, --max-param-memory, ...
        *(click.option(key.option, expose_value=False, callback=_remember, type=vocab.UNITS[key.units].click_type,
                       help=f"{key.help} A budget for every model, besides the spec's and the configuration's.")
          for key in vocab.BUDGET_KEYS.values()),
        click.option("--dtype", expose_value=False, callback=_remember,
                     type=click.Choice(tuple(vocab.DTYPE_BYTES)),
                     help="The dtype of specs that do not state one (memory figures)."),
        click.option("--batch-size", expose_value=False, callback=_remember, type=click.IntRange(min=1),
                     help="The batch size of specs that do not state one (memory figures)."),
        click.option("--optimizer", expose_value=False, callback=_remember,
                     type=click.Choice(tuple(vocab.OPTIMIZER_STATES)),
                     help="The optimizer of specs that do not state one (training memory)."),
        # issue 12: Hugging Face configs (importer settings)
        click.option("--seq-len", expose_value=False, callback=remember_setting, type=click.IntRange(min=1),
                     help="Hugging Face configs: the context length of the KV-cache and FLOPs figures "
                     "(default: max_position_embeddings)."),
        click.option("--unfold", expose_value=False, callback=remember_setting, is_flag=True, default=None,
                     help="Every copy of a repeated structure: one summary row per decoder layer of a Hugging Face "
                     "config instead of model.layers.0-31; in `graph`, every copy of a repeated block."),
        # issue 13: Ultralytics model YAMLs (archlint.sources.ultralytics)
        click.option("--scale", expose_value=False, callback=remember_setting,
                     help="Ultralytics YAMLs: the model scale to check, a key of `scales` (n, s, m, l, x; default: the "
                     "file name's letter, as ultralytics reads it), or `all` for every scale in one run."),
        click.option("--imgsz", expose_value=False, callback=remember_setting, type=click.IntRange(min=1),
                     help="Ultralytics YAMLs: the square image size to check at (default 640)."),
        click.option("--nc", expose_value=False, callback=remember_setting, type=click.IntRange(min=1),
                     help="Ultralytics YAMLs: the number of classes to build with instead of the file's `nc`, as "
                     "ultralytics does when a dataset's class count differs (DetectionModel(cfg, nc=N))."),
        # issue 7: the loader's file size limit, a process-wide setting (one command per process)
        click.option("--max-file-size", expose_value=False, callback=_max_file_size,
                     help="Refuse (S009) files larger than this: bytes, or 500k, 50MB, 50MiB, 1GB (default 50MiB)."),
    ]):
        function = decorator(function)
    return function


# click's parameter name of a budget option (max_param_memory) -> its budget key
_BUDGET_OPTIONS = {key.option[2:].replace("-", "_"): key for key in vocab.BUDGET_KEYS.values()}


def _remember(ctx, param, value):
    key = _BUDGET_OPTIONS.get(param.name)
    if key is not None and value is not None and key.parse(value) is None:
        raise click.BadParameter(f"{value!r} is not {vocab.UNITS[key.units].expected}")
    ctx.meta[f"archlint.{param.name}"] = value
    return value


def remember_setting(ctx, param, value):
    """The callback of an importer's own option (--scale, --imgsz, ...): kept in sources.LoadOptions.settings
    under the option's name, for the importer that reads it."""
    if value is not None:
        ctx.meta.setdefault("archlint.settings", {})[param.name] = value
    return value


def _max_file_size(ctx, param, value):
    if value is not None:
        from archlint import loader
        from archlint.quantities import parse_bytes

        size = parse_bytes(value)
        if size is None:
            raise click.BadParameter(f"{value!r} is not a byte size (an int, or 500k, 50MB, 50MiB, 1GB)")
        loader.MAX_FILE_BYTES = size
    return value


def _input_options() -> dict:
    """project.Options fields for --input-format and the command-line budgets."""
    from archlint.spec import Budget

    meta = click.get_current_context().meta
    limits, labels = {}, {}
    for option, key in _BUDGET_OPTIONS.items():
        value = meta.get(f"archlint.{option}")
        if value is not None:
            limits[key.name] = key.parse(value)
            labels[key.name] = key.option
    budgets = ((Budget(**limits), labels),) if limits else ()
    spec_defaults = {key: meta[f"archlint.{key}"] for key in ("dtype", "batch_size", "optimizer")
                     if meta.get(f"archlint.{key}") is not None}
    return {"input_format": meta.get("archlint.input_format") or "auto", "budgets": budgets,
            "spec_defaults": spec_defaults, "settings": dict(meta.get("archlint.settings", {}))}


class _Failure(Exception):
    """A usage or configuration error found after parsing: printed on stderr, exit code 2."""


def _fail(message: str):
    click.echo(f"archlint: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archlint")
def main() -> None:
    """archlint: lint neural-network architectures written as YAML or JSON."""


def _use_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):  # https://no-color.org: present and not empty
        return False
    return sys.stdout.isatty()


def _output_format(given: str | None, project) -> str:
    """Option, then ARCHLINT_OUTPUT_FORMAT (click reads both), then configuration, then github in
    GitHub Actions, then full."""
    if given:
        return given
    if project.output_format:
        return project.output_format
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return "github"
    return "full"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--output-format", "--format", "output_format", type=click.Choice(FORMATS),
              envvar="ARCHLINT_OUTPUT_FORMAT", show_envvar=True,
              help="How to print the findings (default: the configuration's, github in GitHub Actions, else full).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour the output for people (auto: when stdout is a terminal and NO_COLOR is not set).")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (2 still means a failure).")
@click.option("--strict/--no-strict", default=None, help="Warnings fail too (exit 1).")
@click.option("--select", multiple=True, callback=_codes,
              help="Only these rules: codes, prefixes or names, comma-separated.")
@click.option("--extend-select", multiple=True, callback=_codes, help="Rules to add to the selection.")
@click.option("--ignore", multiple=True, callback=_codes, help="Rules to leave out.")
@click.option("--force-exclude/--no-force-exclude", default=None,
              help="Apply `exclude` to files named on the command line too (pre-commit names every file).")
@click.option("-q", "--quiet", is_flag=True, help="Print the findings only: no count line, no skipped files.")
@click.option("-v", "--verbose", is_flag=True, help="Also list the files that were skipped and why.")
@_config_options
def check(paths, output_format, color, statistics, exit_zero, strict, select, extend_select, ignore,
          force_exclude, quiet, verbose, config_file, isolated, framework, debug):
    """Check model specs: PATHS are files or folders (searched for *.yaml, *.yml, *.json)."""
    from archlint import config as cfg
    from archlint import formats, project

    project.reset()
    options = project.Options(config_file, isolated, select, tuple(extend_select or ()), tuple(ignore or ()),
                              force_exclude, strict, framework, debug, **_input_options())
    try:
        home = project.home_config(options)
        fmt = _output_format(output_format, home)
        if statistics and fmt not in ("full", "concise", "json"):
            raise _Failure(f"--statistics prints text or json, not {fmt}")
        checked = [project.check_file(path, options) for path in project.collect_files(list(paths), options)]
    except cfg.ConfigError as exc:
        _fail(str(exc))
    except _Failure as exc:
        _fail(str(exc))
    use_color = _use_color(color) and fmt in PEOPLE_FORMATS
    findings = [f for item in checked for f in item.findings]
    spec_paths = [item.result.path for item in checked if not item.result.skipped and not item.result.unreadable]
    if statistics:
        from archlint.formats.text import statistics as text_statistics

        if fmt == "json":
            import json

            counts: dict = {}
            for finding in findings:
                counts[finding.rule] = counts.get(finding.rule, 0) + 1
            text = json.dumps([{"code": r.code, "name": r.name, "severity": r.severity, "count": n}
                               for r, n in sorted(counts.items(), key=lambda i: (-i[1], i[0].code))], indent=2)
        else:
            text = text_statistics(findings, use_color)
    else:
        text = formats.render(fmt, findings, spec_paths, use_color)
    if text:
        click.echo(text, color=use_color)
    if verbose:
        for item in checked:
            if item.result.skipped:
                click.echo(f"skipped {item.result.path}: {item.result.skipped}", err=True)
            model = item.result.model  # issue 12: what an importer read in (e.g. a config class's defaults)
            for note in model.spec.source.notes(model) if model is not None and model.spec.source else ():
                click.echo(f"{item.result.path}: {note}", err=True)
    if not quiet and fmt in PEOPLE_FORMATS + ("github",):
        errors = sum(f.is_error for f in findings)
        click.echo(f"{_plural(len(spec_paths), 'spec')} checked: {_plural(errors, 'error')}, "
                   f"{_plural(len(findings) - errors, 'warning')}", err=True)
    sys.exit(_exit_code(checked, exit_zero))


def _exit_code(checked, exit_zero: bool) -> int:
    if any(item.result.internal_error for item in checked):
        return EXIT_USAGE
    if exit_zero:
        return EXIT_OK
    if any(f.is_error or item.strict for item in checked for f in item.findings):
        return EXIT_FINDINGS
    return EXIT_OK


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--output-format", "--format", "output_format", type=click.Choice(vocab.SUMMARY_FORMATS),
              default="full", show_default=True, help="A Keras-style table, JSON, or a Markdown table.")
@click.option("--columns", help="Comma-separated columns of the table (issue 9): shape, params, params%, macs, macs%, "
              "flops, param_memory, activation_memory, live_memory, training_memory, receptive_field, stride; "
              "with totals below.")
@_config_options
def summary(paths, output_format, columns, config_file, isolated, framework, debug):
    """Print a Keras-style summary of each model: layers, output shapes, parameter counts."""
    import json

    from archlint import config as cfg
    from archlint import project, report

    project.reset()
    if columns is not None:
        from archlint.formats import columns as columns_format

        try:
            columns = columns_format.parse(columns)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--columns") from None
    options = project.Options(config_file, isolated, framework=framework, debug=debug, **_input_options())
    try:
        checked = [project.check_file(path, options) for path in project.collect_files(list(paths), options)]
    except cfg.ConfigError as exc:
        _fail(str(exc))
    models = [item.result for item in checked if item.result.model is not None]
    findings = [f for item in checked for f in item.findings]
    if output_format == "json":
        click.echo(json.dumps({"models": [report.model_json(r.path, r.model) for r in models]}, indent=2))
    elif output_format == "markdown" and models:
        click.echo("\n\n".join(report.format_markdown(r.path, r.model) for r in models))
    elif models and columns:
        click.echo("\n\n".join(columns_format.format_columns(r.path, r.model, columns, report._shape_text)
                                 for r in models))
    elif models:
        click.echo("\n\n".join("\n".join([report.format_summary(r.path, r.model),
                                            *(r.source.totals(r.model) if r.source else ())]) for r in models))
    errors = [f for f in findings if f.is_error]
    if errors:
        click.echo(report.format_full(errors), err=True)
    if not models and not findings:
        click.echo("no model spec found", err=True)
        sys.exit(EXIT_FINDINGS)
    if any(item.result.internal_error for item in checked):
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_FINDINGS if errors else EXIT_OK)


@main.command()
@click.argument("path", type=click.Path())
@click.option("--layer", "layer_names", multiple=True, help="Only this layer (by name; may be repeated).")
@_config_options
def explain(path, layer_names, config_file, isolated, framework, debug):
    """Show how each output size and parameter count of a spec is derived, with the values filled in."""
    from archlint import config as cfg
    from archlint import explain as explainer
    from archlint import project, report

    project.reset()
    options = project.Options(config_file, isolated, framework=framework, debug=debug, **_input_options())
    try:
        item = project.check_file(path, options)
    except cfg.ConfigError as exc:
        _fail(str(exc))
    model = item.result.model
    if model is None:
        errors = [f for f in item.findings if f.is_error]
        if errors:
            click.echo(report.format_full(errors), err=True)
        else:
            click.echo(f"{path}: no model spec ({item.result.skipped or 'nothing to explain'})", err=True)
        sys.exit(EXIT_FINDINGS)
    known = [layer.name for layer in model.layers]
    for name in layer_names:
        if name not in known:
            import difflib

            close = difflib.get_close_matches(name, known, n=1)
            _fail(f"no layer named {name!r} in {item.result.path}" + (f" (did you mean {close[0]!r}?)" if close else
                                                                       f"; layers: {', '.join(known)}"))
    click.echo(explainer.explain(model, list(layer_names)))
    errors = [f for f in item.findings if f.is_error]
    if errors:  # as summary does: the numbers are shown, the errors that make them partial too
        click.echo(report.format_full(errors), err=True)
    sys.exit(EXIT_USAGE if item.result.internal_error else EXIT_FINDINGS if errors else EXIT_OK)


@main.command("rules")
@click.option("--output-format", "--format", "output_format", type=click.Choice(vocab.RULES_FORMATS), default="full",
              show_default=True)
def rules_command(output_format):
    """List every rule: code, name, default severity and summary."""
    from archlint.rules import RULES

    if output_format == "json":
        import json

        click.echo(json.dumps([{"code": r.code, "name": r.name, "severity": r.severity, "summary": r.summary}
                               for r in RULES.values()], indent=2))
        return
    width = max(len(r.name) for r in RULES.values())
    for rule in RULES.values():
        click.echo(f"{rule.code}  {rule.name:<{width}}  {rule.severity:<7}  {rule.summary}")


@main.command("rule")
@click.argument("code_or_name")
def rule_command(code_or_name):
    """Print the documentation of one rule (by code, E001, or name, non-positive-output-size)."""
    from archlint import ruledocs
    from archlint.rules import RULES, lookup

    rule = lookup(code_or_name)
    if rule is None:
        import difflib

        close = difflib.get_close_matches(code_or_name.lower(), [r.name for r in RULES.values()], n=1)
        _fail(f"no rule {code_or_name!r}" + (f" (did you mean {close[0]}?)" if close else
                                             "; `archlint rules` lists them"))
    click.echo(ruledocs.text(rule))


@main.command()
@click.argument("path", type=click.Path())
@click.option("--keep-defaults", is_flag=True,
              help="Keep the keywords Keras wrote with their default values (initializers, dtype policies, ...).")
def convert(path, keep_defaults):
    """Print the native archlint YAML of a Keras model config (a model.to_json() file or a .keras archive)."""
    from archlint.loader import LoadError
    from archlint.sources.keras import to_yaml

    try:
        click.echo(to_yaml(path, keep_defaults=keep_defaults), nl=False)
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror or exc}")
    except LoadError as exc:
        _fail(f"{path}:{exc.line}:{exc.column}: {exc.rule.code} {exc.message}")


@main.command()
def schema():
    """Print archlint's JSON Schema (draft-07), for editors and other validators."""
    from archlint.schema import schema_text

    click.echo(schema_text(), nl=False)


# issue 16: what a change did to a model (archlint.diff), and the model as a picture (archlint.graph)
@main.command("diff")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--rev", help="Compare PATH with its version at this git revision (read with git show, nothing "
              "checked out): archlint diff --rev main model.yaml.")
@click.option("--output-format", "--format", "output_format", type=click.Choice(vocab.DIFF_FORMATS),
              default="full", show_default=True, help="A table for terminals, JSON, or Markdown for a pull request.")
@click.option("--fail-on-increase", help="Exit 1 (B020) when a figure grows more than this: params=5%,macs=0 "
              "(figures: params, trainable_params, macs, flops, param_memory, activation_memory, training_memory; "
              "a percentage of OLD or an absolute amount). Default: the configuration's `fail-on-increase`.")
@click.option("--all-layers", is_flag=True, help="List the unchanged layers too (full format).")
@_config_options
def diff_command(paths, rev, output_format, fail_on_increase, all_layers, config_file, isolated, framework, debug):
    """Compare two versions of a model: OLD NEW, or --rev REV PATH. Layers added, removed and changed, every
    figure old -> new, and the findings NEW has that OLD had not."""
    from archlint import project
    from archlint.diff.command import UsageError, run

    project.reset()
    options = project.Options(config_file, isolated, framework=framework, debug=debug, **_input_options())
    try:
        outcome = run(paths, rev, output_format, fail_on_increase, options, all_layers)
    except UsageError as exc:
        _fail(str(exc))
    if outcome.text:
        click.echo(outcome.text)
    if outcome.errors:
        click.echo(outcome.errors, err=True)
    sys.exit(outcome.code)


@main.command("graph")
@click.argument("path", type=click.Path())
@click.option("--output-format", "--format", "output_format", type=click.Choice(vocab.GRAPH_FORMATS),
              default="dot", show_default=True,
              help="Graphviz DOT, Mermaid (for Markdown), or SVG/PNG drawn by Graphviz's `dot` (package graphviz).")
@click.option("-o", "--output", "output_file", type=click.Path(dir_okay=False),
              help="Write to this file instead of stdout.")
@click.option("--color-by", type=click.Choice(["params", "macs"]),
              help="Shade each layer by its share of the parameters or MACs.")
@_config_options
def graph_command(path, output_format, output_file, color_by, config_file, isolated, framework, debug):
    """Draw a model: layers with their type and key arguments, edges with the shapes on them, merges, shared
    layers, inputs and outputs set apart, repeated blocks folded, layers with findings in red or amber."""
    from archlint import config as cfg
    from archlint import graph, project, report
    from archlint.graph import command, dot, mermaid

    project.reset()
    options = project.Options(config_file, isolated, framework=framework, debug=debug, **_input_options())
    try:
        item = project.check_file(path, options)
    except cfg.ConfigError as exc:
        _fail(str(exc))
    model = item.result.model
    errors = [f for f in item.findings if f.is_error]
    if model is None:
        if errors:
            click.echo(report.format_full(errors), err=True)
        else:
            click.echo(f"{path}: no model spec ({item.result.skipped or 'nothing to draw'})", err=True)
        sys.exit(EXIT_USAGE if item.result.internal_error else EXIT_FINDINGS)
    marks = command.findings_by_layer(model, item.findings, path, options)
    unfold = bool(click.get_current_context().meta.get("archlint.settings", {}).get("unfold"))  # the shared --unfold
    picture = graph.build(model, marks, unfold=unfold, color_by=color_by)
    text = mermaid.render(picture) if output_format == "mermaid" else dot.render(picture)
    if output_format in ("svg", "png"):
        try:
            data = dot.run_dot(text, output_format)
        except (OSError, RuntimeError) as exc:
            _fail(str(exc))
    else:
        data = (text + "\n").encode("utf-8")
    if output_file:
        try:
            with open(output_file, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            _fail(f"cannot write {output_file}: {exc.strerror or exc}")
    else:
        click.echo(data, nl=False)
    sys.exit(EXIT_USAGE if item.result.internal_error else EXIT_OK)
