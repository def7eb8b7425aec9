"""The audit chain: every stored evaluation (and every recorded waiver) gets an entry whose hash
covers the record and the entry before it.

``verify`` recomputes every payload from the records as they are now and every link from the
entries, so editing an old finding, deleting an evaluation, or rewriting an entry is found and
named. A chain can only prove what is inside the database: someone able to rewrite the whole
table can rewrite the whole chain. ``head`` gives the newest hash to keep somewhere else (a
ticket, a signed report, an email to the regulator); a later ``verify --expect-head`` then also
proves nothing before it was rewritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import orjson
from sqlalchemy import text
from sqlmodel import Session, col, select

from dutybound.engine.store.models import AuditEntry

GENESIS = "0" * 64


def canonical(data: object) -> bytes:
    """Stable bytes for hashing: sorted keys, no whitespace, dates as ISO text, and times read
    back without a zone (SQLite keeps none) taken as the UTC they were written in."""
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_NAIVE_UTC)


def digest(data: object) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()


def entry_hash(entry: AuditEntry) -> str:
    return digest(
        {
            "seq": entry.seq,
            "at": entry.at,
            "actor": entry.actor,
            "action": entry.action,
            "tenant": entry.tenant,
            "ref_id": entry.ref_id,
            "payload_sha256": entry.payload_sha256,
            "prev_sha256": entry.prev_sha256,
        }
    )


def lock(session: Session) -> None:
    """Serialise writers for the rest of the transaction: PostgreSQL takes a transaction-scoped
    advisory lock; SQLite already holds its write lock (transactions begin IMMEDIATE, see
    engine.store.connection). Taken first thing by every writer, it also keeps two writers from
    both creating the same tenant, profile or inventory snapshot."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(8891)"))


def append(
    session: Session,
    *,
    action: str,
    tenant: str,
    ref_id: int,
    payload_sha256: str,
    actor: str,
    at: dt.datetime,
) -> AuditEntry:
    """Add the next entry, inside the caller's transaction (so the record and its entry land
    together or not at all)."""
    lock(session)
    last = session.exec(select(AuditEntry).order_by(col(AuditEntry.seq).desc()).limit(1)).first()
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
        at=at,
        actor=actor,
        action=action,
        tenant=tenant,
        ref_id=ref_id,
        payload_sha256=payload_sha256,
        prev_sha256=last.entry_sha256 if last else GENESIS,
        entry_sha256="",
    )
    entry.entry_sha256 = entry_hash(entry)
    session.add(entry)
    return entry


@dataclass(frozen=True)
class Problem:
    seq: int
    message: str


class Recorded(Protocol):
    """A register row (waiver, attestation): it has an id once flushed."""

    id: int | None


def add_recorded(
    session: Session,
    record: Recorded,
    payload_of: Callable[[Session, int], str | None],
    *,
    action: str,
    tenant: str,
    actor: str,
    at: dt.datetime,
) -> int:
    """Add a register row and its audit entry in the caller's transaction; the entry holds the
    digest of the row as ``payload_of`` reads it back, so a later edit of the row is caught by
    ``verify``. Returns the row's id."""
    session.add(record)
    session.flush()
    assert record.id is not None
    payload = payload_of(session, record.id)
    assert payload is not None
    append(
        session,
        action=action,
        tenant=tenant,
        ref_id=record.id,
        payload_sha256=payload,
        actor=actor,
        at=at,
    )
    return record.id


def verify(
    session: Session,
    payloads: dict[str, Callable[[Session, int], str | None]],
    expect_head: str | None = None,
) -> tuple[int, str, list[Problem]]:
    """Check the whole chain; returns (entries checked, head hash, problems found).

    ``payloads`` maps an action to a function that recomputes the payload hash of the record an
    entry points at (None when the record is gone).
    """
    problems: list[Problem] = []
    prev, count, seen_expected = GENESIS, 0, expect_head is None
    for entry in session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))):
        count += 1
        if entry.seq != count:
            problems.append(Problem(entry.seq, f"entry {count} is missing (next is {entry.seq})"))
            count = entry.seq
        if entry.prev_sha256 != prev:
            problems.append(
                Problem(
                    entry.seq,
                    "does not follow the entry before it (an entry "
                    "was removed, inserted or rewritten)",
                )
            )
        if entry_hash(entry) != entry.entry_sha256:
            problems.append(Problem(entry.seq, "the entry itself was changed"))
        recompute = payloads.get(entry.action)
        if recompute is None:
            problems.append(Problem(entry.seq, f"unknown action {entry.action!r}"))
        else:
            actual = recompute(session, entry.ref_id)
            if actual is None:
                problems.append(Problem(entry.seq, f"{entry.action} {entry.ref_id} was deleted"))
            elif actual != entry.payload_sha256:
                problems.append(
                    Problem(
                        entry.seq,
                        f"{entry.action} {entry.ref_id} was changed after it was recorded",
                    )
                )
        prev = entry.entry_sha256
        seen_expected = seen_expected or entry.entry_sha256 == expect_head
    if not seen_expected:
        problems.append(
            Problem(
                count,
                f"the expected head {expect_head} is not in the chain "
                "(the chain was rewritten or truncated)",
            )
        )
    return count, prev, problems
