"""``python -m service [serve] [--host H] [--port P] [--db URL] [--workers N] [--check-cache-mb M]``
and ``python -m service keys create --tenant T [--consultant-of A,B] [--db URL]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dutybound.service.cache import DEFAULT_MAX_BYTES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service", description="dutybound HTTP service")
    db_help = "database URL (default: DUTYBOUND_DATABASE_URL, else the per-user SQLite file)"
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="serve the API (default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--db", default=None, help=db_help)
    serve.add_argument("--law-dir", type=Path, default=None)
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
        default=DEFAULT_MAX_BYTES / 2**20,
        help="memory for repeated POST /check answers per process; 0 turns the "
        "cache off (default %(default)g)",
    )
    keys = sub.add_parser("keys", help="manage API keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="create a key and print it (once)")
    create.add_argument("--tenant", required=True)
    create.add_argument(
        "--consultant-of", default="", help="comma-separated further tenants this key may read"
    )
    create.add_argument("--db", default=None, help=db_help)
    args = parser.parse_args(argv)
    if args.command == "keys":
        from dutybound.service.db import create_key

        try:
            key = create_key(args.db, args.tenant, args.consultant_of.split(","))
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(key)
        print(f"key for tenant {args.tenant!r} created; it is shown only now", file=sys.stderr)
        return 0
    from dutybound.service.app import run

    if args.command is None:
        args = serve.parse_args([])
    try:
        return run(
            args.host,
            args.port,
            args.db,
            args.law_dir,
            args.log_level,
            workers=args.workers,
            check_cache_bytes=int(args.check_cache_mb * 2**20),
        )
    except (OSError, ValueError) as error:  # the port is taken, or 0 with several workers
        print(f"error: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
