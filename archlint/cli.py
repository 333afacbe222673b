"""The command line: `archlint check`, `archlint summary`, `archlint schema`."""

from __future__ import annotations

import json
import sys

import click

from archlint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _format_option(choices):
    return click.option(
        "--output-format", "--format", "output_format", type=click.Choice(choices), default="full",
        show_default=True, help="How to print the results.",
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archlint")
def main() -> None:
    """archlint: lint neural-network architectures written as YAML or JSON."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_format_option(["full", "json"])
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.option("-v", "--verbose", is_flag=True, help="Also list the files that were skipped and why.")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def check(paths, output_format, strict, verbose, debug):
    """Check model specs: PATHS are files or folders (searched for *.yaml, *.yml, *.json)."""
    from archlint import report
    from archlint.lint import discover, lint_file

    results = [lint_file(path, debug=debug) for path in discover(list(paths))]
    findings = [f for result in results for f in result.findings]
    if output_format == "json":
        click.echo(report.format_json(findings))
    else:
        text = report.format_full(findings)
        if text:
            click.echo(text)
        checked = sum(1 for r in results if not r.skipped and not r.unreadable)
        if verbose:
            for result in results:
                if result.skipped:
                    click.echo(f"skipped {result.path}: {result.skipped}", err=True)
        errors = sum(f.is_error for f in findings)
        warnings = len(findings) - errors
        click.echo(
            f"{checked} spec{'s' if checked != 1 else ''} checked: {errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}",
            err=True,
        )
    sys.exit(_exit_code(results, findings, strict))


def _exit_code(results, findings, strict: bool) -> int:
    if any(result.internal_error for result in results):
        return EXIT_USAGE
    if any(f.is_error or strict for f in findings):
        return EXIT_FINDINGS
    return EXIT_OK


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_format_option(["full", "json"])
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def summary(paths, output_format, debug):
    """Print a Keras-style summary of each model: layers, output shapes, parameter counts."""
    from archlint import report
    from archlint.lint import discover, lint_file

    results = [lint_file(path, debug=debug) for path in discover(list(paths))]
    findings = [f for result in results for f in result.findings]
    models = [r for r in results if r.model is not None]
    if output_format == "json":
        click.echo(json.dumps({"models": [report.model_json(r.path, r.model) for r in models]}, indent=2))
    elif models:
        click.echo("\n\n".join(report.format_summary(r.path, r.model) for r in models))
    errors = [f for f in findings if f.is_error]
    if errors:
        click.echo(report.format_full(errors), err=True)
    if not models and not findings:
        click.echo("no model spec found", err=True)
        sys.exit(EXIT_FINDINGS)
    sys.exit(_exit_code(results, errors, False))


@main.command()
def schema():
    """Print archlint's JSON Schema (draft-07), for editors and other validators."""
    from archlint.schema import schema_text

    click.echo(schema_text(), nl=False)
