"""``dutybound keys create|list|revoke``: the HTTP service's API keys (``dutybound.service.keys``).

A key's secret is printed once, by ``create``, on stdout alone (so ``KEY=$(dutybound keys create
--tenant T)`` captures just the key); what to do with it goes to stderr. ``list`` and ``revoke``
work with the key's public id and never see the secret or its hash. A revoked key is refused
by running servers within ``DUTYBOUND_KEY_CACHE_SECONDS`` (5 s unless set; see
``service.keys``).

The group carries the CLI's error boundary itself (``InputErrorGroup``), so bad input ends it
with the one-line message and exit 2 also where it is run on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from dutybound.cli.boundary import InputErrorGroup, err
from dutybound.cli.options import Db, Format, ListingFormat
from dutybound.cli.render.stdout import print_json
from dutybound.cli.terminal import terminal_console
from dutybound.engine.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from dutybound.service.keys import KeyInfo

keys_app = typer.Typer(
    cls=InputErrorGroup,
    help="API keys of the HTTP service: create one for a tenant, list them, revoke one.",
    no_args_is_help=True,
    rich_markup_mode="markdown",  # as the root group: wrapped docstring lines make paragraphs
)


def _tenants(option: str, names: list[str]) -> list[str]:
    """The tenant names given to ``option``, each checked; InputError naming the option."""
    from dutybound.service.keys import check_tenant

    try:
        return [check_tenant(name) for name in names]
    except ValueError as error:
        raise InputError(option, str(error)) from None


@keys_app.command("create")
def create(
    tenant: Annotated[
        str, typer.Option(help="Tenant the key writes as and reads (letters, digits, . _ -).")
    ],
    consultant_of: Annotated[
        str,
        typer.Option(help="Further tenants the key may read, comma-separated (a consultant)."),
    ] = "",
    db: Db = None,
) -> None:
    """Create an API key and print it. It is shown only now: only its hash is stored."""
    from dutybound.service.keys import create_key

    (tenant,) = _tenants("--tenant", [tenant])
    others = _tenants("--consultant-of", [t.strip() for t in consultant_of.split(",") if t.strip()])
    issued = create_key(db, tenant, others)
    typer.echo(issued.secret)
    err.print(
        f"key {issued.id} for tenant {escape(repr(tenant))} created; it is shown only now "
        f"(revoke it with 'dutybound keys revoke {issued.id}')",
        soft_wrap=True,
    )


def _when(info: KeyInfo, revoked: bool) -> str:
    moment = info.revoked_at if revoked else info.created_at
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment is not None else ""


def print_keys(keys: list[KeyInfo], console: Console) -> None:
    """One row per key, as ``keys list --format json`` lists them (times in UTC)."""
    table = Table("id", "tenant", "consultant of", "created (UTC)", "revoked (UTC)")
    for info in keys:
        table.add_row(
            info.id,
            escape(info.tenant),
            escape(", ".join(info.consultant_of)),
            _when(info, revoked=False),
            _when(info, revoked=True),
        )
    console.print(table)


@keys_app.command("list")
def list_command(db: Db = None, output: ListingFormat = Format.table) -> None:
    """List every key, revoked ones too, oldest first: id, tenant, the tenants it may also
    read, when it was created and revoked. Never the key itself."""
    from dutybound.service.keys import list_keys

    keys = list_keys(db)
    if output is Format.json:
        print_json([info.to_json() for info in keys])
    else:
        print_keys(keys, terminal_console())


@keys_app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id, as 'dutybound keys list' shows.")],
    db: Db = None,
) -> None:
    """Revoke a key: from now on it gets 401 (from running servers within
    DUTYBOUND_KEY_CACHE_SECONDS, 5 s unless set)."""
    from dutybound.service.keys import UnknownKeyError, revoke_key

    try:
        info = revoke_key(db, key_id)
    except UnknownKeyError:
        raise InputError(key_id, "no API key has this id (see 'dutybound keys list')") from None
    assert info.revoked_at is not None
    err.print(
        f"key {info.id} of tenant {escape(repr(info.tenant))} revoked "
        f"({info.revoked_at.strftime('%Y-%m-%d %H:%M:%S')} UTC)",
        soft_wrap=True,
    )
