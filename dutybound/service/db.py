"""The service's own tables (sqlmodel; SQLite by default, any SQLAlchemy URL works).

API keys are stored only as SHA-256 hashes. Every stored profile and result belongs to a tenant;
ids are random UUIDs, so they cannot be guessed or enumerated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Field, Session, SQLModel, select

KEY_PREFIX = "dbk_"
TENANT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class ApiKey(SQLModel, table=True):
    __tablename__ = "service_api_key"
    key_sha256: str = Field(primary_key=True)
    tenant: str = Field(index=True)
    consultant_of: str = "[]"  # JSON list of further tenants this key may read
    created_at: dt.datetime


class StoredProfile(SQLModel, table=True):
    __tablename__ = "service_profile"
    id: str = Field(primary_key=True)
    tenant: str = Field(index=True)
    name: str
    body: str  # the validated profile as JSON
    created_at: dt.datetime


class StoredResult(SQLModel, table=True):
    __tablename__ = "service_result"
    id: str = Field(primary_key=True)
    tenant: str = Field(index=True)
    kind: str  # "evaluation"
    as_of: dt.date
    rulepack_version: str
    rulepack_sha256: str
    body: str  # the evaluation JSON, as `dutybound evaluate --format json` prints it
    created_at: dt.datetime


TABLES = [ApiKey.__table__, StoredProfile.__table__, StoredResult.__table__]


@dataclass(frozen=True)
class Caller:
    """Who is calling: the tenant it writes as, and every tenant it may read."""

    tenant: str
    readable: frozenset[str]
    consultant: bool


def make_engine(url: str | None) -> Engine:
    """The database (see ``engine.store.connection``: ``--db``, else DUTYBOUND_DATABASE_URL,
    else the per-user SQLite file), migrated; the service's tables are part of the schema, so
    the service and the CLI can share one database, SQLite or PostgreSQL."""
    from dutybound.engine.store.connection import database

    return database(url)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def check_tenant(name: str) -> str:
    if not TENANT_PATTERN.match(name):
        raise ValueError(f"tenant names are 1-64 letters, digits, '.', '_' or '-': {name!r}")
    return name


def create_key(engine: Engine | str, tenant: str, consultant_of: list[str] | None = None) -> str:
    """Create an API key for ``tenant`` (readable also: ``consultant_of``); returns the key.

    Only its SHA-256 hash is stored: the key is shown this once and cannot be recovered.
    """
    if isinstance(engine, str):
        engine = make_engine(engine)
    others = sorted({check_tenant(t.strip()) for t in consultant_of or [] if t.strip()} - {tenant})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with Session(engine) as session, session.begin():
        session.add(
            ApiKey(
                key_sha256=hash_key(key),
                tenant=check_tenant(tenant),
                consultant_of=json.dumps(others),
                created_at=now(),
            )
        )
    return key


def lookup_key(engine: Engine, key: str) -> Caller | None:
    with Session(engine) as session:
        row = session.get(ApiKey, hash_key(key))
    if row is None:
        return None
    others = json.loads(row.consultant_of)
    return Caller(row.tenant, frozenset([row.tenant, *others]), bool(others))


def save_profile(engine: Engine, tenant: str, name: str, body: str) -> StoredProfile:
    row = StoredProfile(id=new_id(), tenant=tenant, name=name, body=body, created_at=now())
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.add(row)
    return row


def save_result(
    engine: Engine, tenant: str, as_of: dt.date, version: str, sha256: str, body: str
) -> StoredResult:
    row = StoredResult(
        id=new_id(),
        tenant=tenant,
        kind="evaluation",
        as_of=as_of,
        rulepack_version=version,
        rulepack_sha256=sha256,
        body=body,
        created_at=now(),
    )
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.add(row)
    return row


def get_readable(
    engine: Engine, model: type[StoredProfile] | type[StoredResult], item_id: str, caller: Caller
) -> StoredProfile | StoredResult | None:
    """The row, if it exists and the caller may read it; otherwise None (the API says 404 in
    both cases, so ids of other tenants cannot be probed)."""
    with Session(engine) as session:
        row = session.exec(select(model).where(model.id == item_id)).first()
    if row is None or row.tenant not in caller.readable:
        return None
    return row
