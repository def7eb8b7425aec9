"""``dutybound serve``: run the HTTP service (``dutybound.service``) from the main command."""

from __future__ import annotations

from typing import Annotated

import typer

from dutybound.cli.options import Db, LawDir
from dutybound.engine.errors import InputError


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: Db = None,
    law_dir: LawDir = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes, one per CPU core is best (each loads the rule pack and "
            "keeps its own caches; on Linux each has its own socket, so connections spread).",
        ),
    ] = 1,
    check_cache_mb: Annotated[
        float,
        typer.Option(
            min=0,
            help="Memory per process for answers to repeated POST /check requests; 0 turns "
            "the cache off.",
        ),
    ] = 64,
) -> None:
    """Run the HTTP service and the web app (/app; OpenAPI at /docs). Create API keys with
    'dutybound keys create --tenant NAME'.

    The service keeps API keys, profiles and results in --db, which can be the database the
    CLI stores evaluations in.

    Each connection must send its request head within DUTYBOUND_HEADER_TIMEOUT_SECONDS (10) and
    its body within DUTYBOUND_BODY_TIMEOUT_SECONDS (60), else 408; heads over
    DUTYBOUND_MAX_HEADER_BYTES (65536) get 431, bodies over DUTYBOUND_MAX_BODY_BYTES (5 MiB)
    413; each process holds at most DUTYBOUND_MAX_CONNECTIONS (1000) connections.
    """
    from dutybound.cli.boundary import err
    from dutybound.service.app import run

    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    err.print(f"dutybound: the web app is at http://{shown}:{port}/app (API docs at /docs)")
    try:
        status = run(
            host=host,
            port=port,
            db_url=db,
            law_dir=law_dir,
            workers=workers,
            check_cache_bytes=int(check_cache_mb * 2**20),
        )
    except (OSError, ValueError) as error:  # the port is taken, or 0 with several workers
        raise InputError("--port", f"cannot listen on {host}:{port}: {error}") from None
    raise typer.Exit(status)
