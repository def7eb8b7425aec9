"""``python -m dutybound.service [serve] [--host H] [--port P] [--db URL] [--law-dir DIR]
[--log-level L] [--workers N] [--check-cache-mb M]``: serve the API without the rest of the CLI.

It only serves: API keys are managed with ``dutybound keys create|list|revoke``
(``dutybound.cli.keys``), and ``python -m dutybound.service keys ...`` says so.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dutybound.engine.errors import InputError


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["keys"]:
        print(
            "error: API keys are managed with 'dutybound keys create|list|revoke'",
            file=sys.stderr,
        )
        return 2
    parser = argparse.ArgumentParser(
        prog="python -m dutybound.service", description="dutybound HTTP service"
    )
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="serve the API (default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--db",
        default=None,
        help="database URL (default: DUTYBOUND_DATABASE_URL, else the per-user SQLite file)",
    )
    serve.add_argument(
        "--law-dir", type=Path, default=None, help="rule pack (default: DUTYBOUND_LAW_DIR)"
    )
    serve.add_argument("--log-level", default="warning")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes, one per CPU core is best (each loads the rule "
        "pack and has its own caches)",
    )
    serve.add_argument(
        "--check-cache-mb",
        type=float,
        default=None,
        help="memory for repeated POST /check answers per process; 0 turns the cache off "
        "(default: DUTYBOUND_CHECK_CACHE_BYTES, else 64)",
    )
    options = parser.parse_args(args)
    if options.command is None:
        options = serve.parse_args([])
    from dutybound.service.app import run

    cache_mb = options.check_cache_mb
    try:
        return run(
            options.host,
            options.port,
            options.db,
            options.law_dir,
            options.log_level,
            workers=options.workers,
            check_cache_bytes=None if cache_mb is None else int(cache_mb * 2**20),
        )
    except InputError as error:  # a setting in the environment, or the database URL
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:  # the port is taken, or 0 with several workers
        print(f"error: cannot listen on {options.host}:{options.port}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
