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

from dutybound.engine.store.models import AuditEntry, AuditRehash

GENESIS = "0" * 64
# The entry migration 0008 appended: the entries up to its ``ref_id`` were recorded under an
# earlier, narrower payload; their payloads under the current one are in ``audit_rehash``.
PAYLOADS_EXTENDED = "audit.payloads_extended"
Payloads = dict[str, Callable[[Session, int], str | None]]


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


def rehash_digest(rows: list[tuple[int, str]]) -> str:
    """The payload of a ``PAYLOADS_EXTENDED`` entry: every (seq, payload) it recorded."""
    return digest([[seq, payload] for seq, payload in sorted(rows)])


def extend_payloads(
    session: Session, payloads: Payloads, *, actor: str, at: dt.datetime
) -> AuditEntry | None:
    """Record, for every entry so far, its payload under ``payloads`` (in ``audit_rehash``), and
    append one ``PAYLOADS_EXTENDED`` entry covering them. Nothing already in the chain is
    rewritten: the entries keep the payload they were written with, and ``verify`` checks both.
    None when the chain is empty (nothing to extend)."""
    entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))).all()
    if not entries:
        return None
    rows = []
    for entry in entries:
        recompute = payloads.get(entry.action)
        payload = (recompute(session, entry.ref_id) if recompute else None) or ""
        rows.append((entry.seq, payload))
        session.add(AuditRehash(seq=entry.seq, payload_sha256=payload))
    session.flush()
    return append(
        session,
        action=PAYLOADS_EXTENDED,
        tenant="",
        ref_id=entries[-1].seq,
        payload_sha256=rehash_digest(rows),
        actor=actor,
        at=at,
    )


def extensions(session: Session) -> list[AuditEntry]:
    """The ``PAYLOADS_EXTENDED`` entries of the chain, oldest first."""
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.action == PAYLOADS_EXTENDED)
            .order_by(col(AuditEntry.seq))
        )
    )


def verify(
    session: Session,
    payloads: Payloads,
    expect_head: str | None = None,
    earlier: Payloads | None = None,
) -> tuple[int, str, list[Problem]]:
    """Check the whole chain; returns (entries checked, head hash, problems found).

    ``payloads`` maps an action to a function that recomputes the payload hash of the record an
    entry points at (None when the record is gone). An entry written before a
    ``PAYLOADS_EXTENDED`` entry is checked twice: its own payload against ``earlier`` (the
    payload it was written with), and its recorded extension against ``payloads``.
    """
    rehash = {r.seq: r.payload_sha256 for r in session.exec(select(AuditRehash))}
    covered = max((e.ref_id for e in extensions(session)), default=0)
    problems: list[Problem] = []

    def check(entry: AuditEntry, recompute: Callable[[Session, int], str | None] | None,
              expected: str, suffix: str) -> None:  # fmt: skip
        if recompute is None:
            problems.append(Problem(entry.seq, f"unknown action {entry.action!r}"))
            return
        actual = recompute(session, entry.ref_id)
        if actual is None:
            if not suffix:  # a deleted record is named once, by the first check
                problems.append(Problem(entry.seq, f"{entry.action} {entry.ref_id} was deleted"))
        elif actual != expected:
            problems.append(
                Problem(
                    entry.seq,
                    f"{entry.action} {entry.ref_id} was changed after it was recorded{suffix}",
                )
            )

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
        if entry.action == PAYLOADS_EXTENDED:
            rows = [(seq, p) for seq, p in rehash.items() if seq <= entry.ref_id]
            if rehash_digest(rows) != entry.payload_sha256:
                problems.append(
                    Problem(entry.seq, "the payloads this migration entry recorded were changed")
                )
        elif entry.seq <= covered:
            check(entry, (earlier or payloads).get(entry.action), entry.payload_sha256, "")
            check(
                entry,
                payloads.get(entry.action),
                rehash.get(entry.seq, ""),
                " (found by the fuller payload recorded by the migration entry)",
            )
        else:
            check(entry, payloads.get(entry.action), entry.payload_sha256, "")
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
