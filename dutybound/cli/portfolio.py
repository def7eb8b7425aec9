"""``dutybound portfolio``: many operators at once (issue 23).

``portfolio run`` evaluates every operator of a folder (or of the store) on Dask distributed and
writes a portfolio summary; ``portfolio impact`` and ``portfolio watch`` (``cli.portfolio_impact``)
add their commands to the same ``portfolio_app``. The engine (and Dask) load only when a command
runs.
"""

from __future__ import annotations

import typer

portfolio_app = typer.Typer(
    help="Many operators at once: evaluate a portfolio on a Dask cluster, summarise it, and "
    "find which operators a change of law touches.",
    no_args_is_help=True,
)
