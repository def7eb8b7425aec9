"""API keys: who may call the service, as which tenant, reading which tenants, until when.

A key's secret (``dbk_`` and 43 random characters) is shown once, when it is created; only its
SHA-256 is stored, so neither the database nor ``dutybound keys list`` can show it again. Each
key also gets a short public id (12 random hex digits, unrelated to the secret) by which it is
listed and revoked, so an operator can retire a key without ever handling the secret.

Revoking keeps the row and stamps ``revoked_at``: the list still shows whose key it was and
when it stopped working, and ``lookup_key`` refuses it exactly like an unknown key (401).

How soon a revocation takes effect. Each server process remembers the keys it looked up for
``Settings.key_cache_seconds`` (``DUTYBOUND_KEY_CACHE_SECONDS``, default 5 s), so that a request
costs no database read for its key; a revoked key is therefore refused by every process at the
latest that long after ``revoke_key`` returns. With 0 every request reads its key from the
database and a revocation is effective immediately.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dutybound.service.db import ApiKey, make_engine, now

KEY_PREFIX = "dbk_"
ID_HEX_DIGITS = 12  # 48 random bits: collisions are unlikely below millions of keys, and the
# unique index on the column turns one into a failed create rather than an ambiguous revoke
TENANT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Caller:
    """Who is calling: the tenant it writes as, and every tenant it may read."""

    tenant: str
    readable: frozenset[str]
    consultant: bool


@dataclass(frozen=True)
class IssuedKey:
    """A key just created: its public id, and the secret (which nothing can show again)."""

    id: str
    secret: str
    tenant: str


@dataclass(frozen=True)
class KeyInfo:
    """What may be shown about a key: everything but the secret and its hash."""

    id: str
    tenant: str
    consultant_of: tuple[str, ...]
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "tenant": self.tenant,
            "consultant_of": list(self.consultant_of),
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


class UnknownKeyError(LookupError):
    """No key has this public id."""


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_tenant(name: str) -> str:
    """``name`` if it is a valid tenant name, else ValueError saying what one looks like."""
    if not TENANT_PATTERN.match(name):
        raise ValueError(f"tenant names are 1-64 letters, digits, '.', '_' or '-': {name!r}")
    return name


def _database(engine: Engine | str | None) -> Engine:
    """An engine as given, or the migrated database at a URL (None: the configured one)."""
    return engine if isinstance(engine, Engine) else make_engine(engine)


def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(
        id=row.id,
        tenant=row.tenant,
        consultant_of=tuple(json.loads(row.consultant_of)),
        created_at=_utc(row.created_at),
        revoked_at=_utc(row.revoked_at) if row.revoked_at is not None else None,
    )


def create_key(
    engine: Engine | str | None, tenant: str, consultant_of: list[str] | None = None
) -> IssuedKey:
    """Create an API key for ``tenant`` that may also read the ``consultant_of`` tenants.

    ValueError for an invalid tenant name. Only the secret's SHA-256 is stored: the returned
    secret is the only copy there will ever be.
    """
    tenant = check_tenant(tenant)
    others = sorted({check_tenant(t.strip()) for t in consultant_of or [] if t.strip()} - {tenant})
    issued = IssuedKey(
        id=secrets.token_hex(ID_HEX_DIGITS // 2),
        secret=KEY_PREFIX + secrets.token_urlsafe(32),
        tenant=tenant,
    )
    with Session(_database(engine)) as session, session.begin():
        session.add(
            ApiKey(
                key_sha256=hash_key(issued.secret),
                id=issued.id,
                tenant=tenant,
                consultant_of=json.dumps(others),
                created_at=now(),
            )
        )
    return issued


def list_keys(engine: Engine | str | None) -> list[KeyInfo]:
    """Every key, revoked ones included, oldest first."""
    with Session(_database(engine)) as session:
        rows = session.exec(select(ApiKey).order_by(col(ApiKey.created_at), col(ApiKey.id)))
        return [_info(row) for row in rows]


def revoke_key(engine: Engine | str | None, key_id: str) -> KeyInfo:
    """Refuse the key with public id ``key_id`` from now on (see the module's note on how soon
    running servers notice); revoking it again keeps the first date. UnknownKeyError if there
    is no such key."""
    with Session(_database(engine)) as session, session.begin():
        row = session.exec(select(ApiKey).where(ApiKey.id == key_id)).first()
        if row is None:
            raise UnknownKeyError(key_id)
        if row.revoked_at is None:
            row.revoked_at = now()
            session.add(row)
            session.flush()
        return _info(row)


def lookup_key(engine: Engine, secret: str) -> Caller | None:
    """The caller a key's secret stands for; None if no key has it or it is revoked."""
    with Session(engine) as session:
        row = session.get(ApiKey, hash_key(secret))
    if row is None or row.revoked_at is not None:
        return None
    others = json.loads(row.consultant_of)
    return Caller(row.tenant, frozenset([row.tenant, *others]), bool(others))
