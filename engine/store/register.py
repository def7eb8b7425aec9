"""What the operator's registers (waivers, attestations, vendor decisions) share: recording a
batch all or nothing with one audit entry per row, and the payload hash that entry covers.

A register row is recorded once and never edited; a change is a new row. So the audit entry's
payload is the digest of the whole row as stored (every column a list command shows) plus the
tenant's name, and ``audit verify`` recomputes it: editing any column of a recorded row, or
moving it to another tenant, is named as a change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from sqlmodel import Session

from dutybound.engine.errors import InputError, raise_all
from dutybound.engine.store import audit
from dutybound.engine.store.connection import database
from dutybound.engine.store.models import Tenant
from dutybound.engine.store.records import DEFAULT_TENANT, _tenant, current_actor


class RegisterRow(Protocol):
    """A register table's row: its id (once flushed), its tenant and its columns."""

    id: int | None
    tenant_id: int

    def model_dump(self) -> dict[str, Any]: ...


Row = TypeVar("Row", bound=RegisterRow)
Item = TypeVar("Item")
Payload = Callable[[Session, int], str | None]


def row_payload(model: type[Row]) -> Payload:
    """The function ``audit.verify`` calls for an entry of this register: the digest of the row
    as it is now (every column) and its tenant's name; None when the row is gone."""

    def payload(session: Session, record_id: int) -> str | None:
        record = session.get(model, record_id)
        if record is None:
            return None
        tenant = session.get(Tenant, record.tenant_id)
        return audit.digest({**record.model_dump(), "tenant": tenant.name if tenant else None})

    return payload


def record_all(
    items: Sequence[Item],
    url: str | None,
    *,
    action: str,
    payload_of: Payload,
    clash: Callable[[Session, int, Item], InputError | None],
    row: Callable[[Item, int, str, dt.datetime], RegisterRow],
    tenant: str = DEFAULT_TENANT,
    actor: str | None = None,
) -> list[int]:
    """Store ``items`` in one transaction, each as ``row(item, tenant_id, recorded_by,
    recorded_at)`` with its audit entry; returns the rows' ids.

    ``clash`` says why an item cannot join what the register already holds (an id recorded
    before, say); every clash is reported at once (``engine.errors.InputErrors``) and nothing
    is written."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    who = actor or current_actor()
    with Session(database(url)) as session, session.begin():
        audit.lock(session)
        owner = _tenant(session, tenant)
        assert owner.id is not None, "_tenant flushes a new tenant"
        raise_all([p for item in items if (p := clash(session, owner.id, item)) is not None])
        return [
            audit.add_recorded(
                session,
                row(item, owner.id, who, now),
                payload_of,
                action=action,
                tenant=tenant,
                actor=who,
                at=now,
            )
            for item in items
        ]
