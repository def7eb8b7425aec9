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
    # the stored profile it was evaluated for (the web app's history); None through the API
    profile_id: str | None = Field(default=None, index=True)


class StoredResultInput(SQLModel, table=True):
    """What a stored result was evaluated from, so it can be evaluated again after a restart
    (the PDF, the XLSX, the review queue's re-run): the inventory as uploaded, zlib-compressed
    (an inventory of a million rows is tens of MB of text that compresses about tenfold)."""

    __tablename__ = "service_result_input"
    result_id: str = Field(primary_key=True)
    filename: str  # as uploaded: its extension says the format, as on the command line
    inventory_zlib: bytes
    inventory_sha256: str  # of the uncompressed bytes
    profile: str  # the profile JSON used, keys sorted
    decisions_on: dt.date  # the day whose vendor decision register applied
    decisions: str = "[]"  # JSON list of the vendor decisions applied, as read that day
    stated: str = "[]"  # JSON list of the facts a person stated in the review queue


TABLES = [
    SQLModel.metadata.tables[name]
    for name in (
        "service_api_key",
        "service_profile",
        "service_result",
        "service_result_input",
    )
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
    engine: Engine,
    tenant: str,
    as_of: dt.date,
    version: str,
    sha256: str,
    body: str,
    *,
    profile_id: str | None = None,
    inputs: StoredResultInput | None = None,
) -> StoredResult:
    """Store a result, and with it (in the same transaction) the inputs it was evaluated from;
    ``inputs.result_id`` is set to the new row's id."""
    row = StoredResult(
        id=new_id(),
        tenant=tenant,
        kind="evaluation",
        as_of=as_of,
        rulepack_version=version,
        rulepack_sha256=sha256,
        body=body,
        created_at=now(),
        profile_id=profile_id,
    )
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.add(row)
        if inputs is not None:
            inputs.result_id = row.id
            session.add(inputs)
    return row


def result_input(engine: Engine, result_id: str) -> StoredResultInput | None:
    """The inputs a result was evaluated from; None for one stored without them."""
    with Session(engine) as session:
        return session.get(StoredResultInput, result_id)


def profile_results(engine: Engine, tenant: str, profile_id: str) -> list[StoredResult]:
    """The tenant's results evaluated for one stored profile, newest first."""
    with Session(engine) as session:
        rows = session.exec(
            select(StoredResult)
            .where(StoredResult.tenant == tenant, StoredResult.profile_id == profile_id)
            .order_by(col(StoredResult.created_at).desc(), col(StoredResult.id))
        ).all()
    return list(rows)


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
        if isinstance(row, StoredResult):  # its inputs go with it
            inputs = session.get(StoredResultInput, row.id)
            if inputs is not None:
                session.delete(inputs)
        session.delete(row)
    return Deleted.DELETED
