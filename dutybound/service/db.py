"""The service's own tables (sqlmodel; SQLite by default, any SQLAlchemy URL works), and reading,
listing, writing and deleting stored profiles and results.

Every stored profile and result belongs to a tenant; ids are random UUIDs, so they cannot be
guessed or enumerated. A stored result is the API's copy of an evaluation it answered with: it is
not part of the store's audit chain (``engine.store.audit`` covers the evaluations the CLI stores
with ``--db``), so deleting one removes the row and leaves ``dutybound audit verify`` as it was.
API keys are kept in ``service_api_key`` (``ApiKey``; ``service.keys`` creates, looks up, lists
and revokes them).
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Engine, func
from sqlmodel import Field, Session, SQLModel, col, select

if TYPE_CHECKING:
    from dutybound.service.keys import Caller


class ApiKey(SQLModel, table=True):
    """One API key: only the SHA-256 of its secret is kept; ``id`` names it publicly."""

    __tablename__ = "service_api_key"
    key_sha256: str = Field(primary_key=True)
    # short, random and unrelated to the secret: what `dutybound keys list|revoke` show and take
    id: str = Field(index=True, unique=True)
    tenant: str = Field(index=True)
    consultant_of: str = "[]"  # JSON list of further tenants this key may read
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None  # set once; a revoked key is refused


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


TABLES = [
    SQLModel.metadata.tables[name]
    for name in ("service_api_key", "service_profile", "service_result")
]
Stored = TypeVar("Stored", StoredProfile, StoredResult)


def make_engine(url: str | None) -> Engine:
    """The database (see ``engine.store.connection``: ``--db``, else DUTYBOUND_DATABASE_URL,
    else the per-user SQLite file), migrated; the service's tables are part of the schema, so
    the service and the CLI can share one database, SQLite or PostgreSQL."""
    from dutybound.engine.store.connection import database

    return database(url)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    return str(uuid.uuid4())


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
    engine: Engine, model: type[Stored], item_id: str, caller: Caller
) -> Stored | None:
    """The row, if it exists and the caller may read it; otherwise None (the API says 404 in
    both cases, so ids of other tenants cannot be probed)."""
    with Session(engine) as session:
        row = session.get(model, item_id)
    if row is None or row.tenant not in caller.readable:
        return None
    return row


def list_readable(
    engine: Engine, model: type[Stored], tenants: frozenset[str], limit: int, offset: int
) -> tuple[list[Stored], int]:
    """One page of the rows of ``tenants``, newest first (ties by id, so pages never overlap),
    and how many there are in all."""
    where = col(model.tenant).in_(sorted(tenants))
    with Session(engine) as session:
        total = session.exec(select(func.count()).select_from(model).where(where)).one()
        rows = session.exec(
            select(model)
            .where(where)
            .order_by(col(model.created_at).desc(), col(model.id))
            .offset(offset)
            .limit(limit)
        ).all()
    return list(rows), int(total)


class Deleted(StrEnum):
    """What asking to delete a row came to."""

    DELETED = "deleted"
    NOT_FOUND = "not_found"  # no such row, or of a tenant the caller may not read
    NOT_OWNER = "not_owner"  # readable (a consultant's client's), but not the caller's own


def delete_own(engine: Engine, model: type[Stored], item_id: str, caller: Caller) -> Deleted:
    """Delete the row if it belongs to the caller's own tenant: a consultant key reads its
    clients' rows but does not remove them."""
    with Session(engine) as session, session.begin():
        row = session.get(model, item_id)
        if row is None or row.tenant not in caller.readable:
            return Deleted.NOT_FOUND
        if row.tenant != caller.tenant:
            return Deleted.NOT_OWNER
        session.delete(row)
    return Deleted.DELETED
