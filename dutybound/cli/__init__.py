"""The ``dutybound`` command line: the Typer app and the commands it is made of.

One module per command group (``evaluate``, ``compare``, ``check``, ``report``, ``law``,
``vendors``, ``serve``, ``diff``, ``waivers``, ``store``, ``keys``), the options they share
declared once in ``options``, what they read in ``inputs``, how results look in ``render``, and
one error boundary (``boundary``) for bad input. Commands import the engine inside their
bodies: start-up time is part of the product, and ``dutybound --help`` loads none of it.

Exit codes (documented in the README):
  0  the command ran (whatever it found)
  1  an unexpected internal error
  2  bad input: the message names the file, line and field; nothing was written
``check``, ``diff --fail-on``, ``waivers check`` and ``audit verify`` give other codes a meaning
of their own (``check`` ends an internal error with 70); their modules say which.
"""

from __future__ import annotations

from typing import Annotated

import typer

from dutybound.cli import (
    attestations,
    check,
    compare,
    diff,
    evaluate,
    explain,
    export,
    init,
    inventory,
    keys,
    law,
    portfolio,
    report,
    serve,
    store,
    vendor_decisions,
    vendors,
    vocabulary,
    waivers,
)
from dutybound.cli.helptext import HelpfulGroup

app = typer.Typer(
    name="dutybound",
    cls=HelpfulGroup,
    help="Which high-risk-vendor obligations apply to an operator on a date, and why.",
    no_args_is_help=True,
    # --install-completion / --show-completion for bash, zsh, fish and PowerShell
    add_completion=True,
    pretty_exceptions_enable=False,
    # Markdown joins the docstrings' wrapped lines into paragraphs; Typer's default ("rich")
    # keeps every source line break and prints ragged help.
    rich_markup_mode="markdown",
)


def _print_version(value: bool) -> None:
    """Print the program's and the rule pack's versions: a result is only reproducible with
    both, and the law changes more often than the code."""
    if not value:
        return
    from importlib.metadata import PackageNotFoundError, version

    import yaml

    from dutybound.engine.loading import default_law_dir

    try:
        program = version("dutybound")
    except PackageNotFoundError:  # pragma: no cover - run from a checkout never installed
        program = "unknown"
    info = yaml.safe_load((default_law_dir() / "rulepack.yaml").read_text(encoding="utf-8"))
    typer.echo(f"dutybound {program}, rule pack {info['version']} (law as of {info['law_as_of']})")
    raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the dutybound and rule-pack versions and exit.",
        ),
    ] = False,
) -> None:
    """dutybound: high-risk-vendor obligations for critical-infrastructure operators."""


# The order here is the order of ``dutybound --help``: commands first, then groups.
app.command("init")(init.init)
app.command("vocabulary")(vocabulary.vocabulary)
app.command("evaluate")(evaluate.evaluate)
app.command("explain")(explain.explain)
app.command("compare")(compare.compare)
app.command("check")(check.check)
app.command("report")(report.report)
app.command("verify-report")(report.verify_report)
app.command("serve")(serve.serve)
app.command("diff")(diff.diff)
app.command("history")(store.history)
app.add_typer(law.law_app, name="law")
app.add_typer(vendors.vendors_app, name="vendors")
app.add_typer(store.audit_app, name="audit")
app.add_typer(store.db_app, name="db")
app.add_typer(waivers.waivers_app, name="waivers")
app.add_typer(attestations.attestations_app, name="attestations")
app.add_typer(vendor_decisions.vendor_decisions_app, name="vendor-decisions")
app.add_typer(keys.keys_app, name="keys")
app.add_typer(inventory.inventory_app, name="inventory")
app.add_typer(export.export_app, name="export")
app.add_typer(portfolio.portfolio_app, name="portfolio")


def main() -> None:  # pragma: no cover - the console script and ``python -m dutybound``
    app()
