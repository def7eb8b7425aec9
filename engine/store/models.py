"""The stored record, as sqlmodel tables.

What a regulator may ask for is kept so that an evaluation can be re-run and explained years
later without the original files: the operator profile, the inventory (a snapshot shared by every
evaluation that used the same rows), the law and vendor data (archives of the rule-pack files,
stored once per fingerprint), the evaluation result byte for byte, its findings as rows for
queries, and an audit entry that chains it to everything stored before.

Schema changes go through Alembic migrations (``engine/store/migrations``); these classes and the
migrations must agree, which ``tests/test_store.py`` checks.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Tenant(SQLModel, table=True):
    __tablename__ = "tenant"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)


class OperatorProfile(SQLModel, table=True):
    """One version of an operator's profile; identical versions are stored once."""

    __tablename__ = "operator_profile"
    __table_args__ = (UniqueConstraint("tenant_id", "sha256"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    name: str = Field(index=True)
    sha256: str
    body: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON


class Inventory(SQLModel, table=True):
    """An inventory snapshot, identified by the SHA-256 of its validated rows."""

    __tablename__ = "inventory"
    __table_args__ = (UniqueConstraint("tenant_id", "sha256"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    sha256: str
    asset_count: int
    created_at: dt.datetime


class InventoryAsset(SQLModel, table=True):
    __tablename__ = "inventory_asset"
    id: int | None = Field(default=None, primary_key=True)
    inventory_id: int = Field(foreign_key="inventory.id", index=True)
    position: int
    asset_id: str
    vendor: str
    product: str
    category: str
    function: str
    network: str
    country: str
    use: str
    status: str
    # 64-bit: validation accepts up to 10**12 units, past PostgreSQL's 32-bit integer (0007)
    quantity: int = Field(sa_column=Column(BigInteger, nullable=False))
    site: str
    model: str
    installed_on: dt.date | None
    identified_on: dt.date | None
    flags: str  # ';'-joined, sorted
    line: int
    origin: str
    # from the inventory's mac/oui columns (engine.macs), 0007; the OUI is kept for a full MAC too
    mac: str | None = None
    oui: str | None = None


class LawSnapshot(SQLModel, table=True):
    """The law files (kind 'law') or the vendor registry (kind 'registry') an evaluation used,
    as a deterministic tar.gz, keyed by the SHA-256 of the archive."""

    __tablename__ = "law_snapshot"
    sha256: str = Field(primary_key=True)
    kind: str
    archive: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: dt.datetime


class EvaluationRecord(SQLModel, table=True):
    __tablename__ = "evaluation"
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    profile_id: int = Field(foreign_key="operator_profile.id", index=True)
    inventory_id: int = Field(foreign_key="inventory.id", index=True)
    law_sha256: str = Field(foreign_key="law_snapshot.sha256")
    registry_sha256: str = Field(foreign_key="law_snapshot.sha256")
    as_of: dt.date = Field(index=True)
    rulepack_version: str
    rulepack_sha256: str
    inputs_sha256: str
    evaluator: str
    findings_count: int
    actor: str
    stored_at: dt.datetime
    result: str = Field(sa_column=Column(Text, nullable=False))  # the JSON, as the CLI prints it


class FindingRecord(SQLModel, table=True):
    __tablename__ = "finding"
    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    finding_id: str
    obligation_id: str = Field(index=True)
    jurisdiction: str
    kind: str
    status: str
    due: dt.date | None
    verified: bool
    assets: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of asset ids


class AuditEntry(SQLModel, table=True):
    """One link of the audit chain: ``entry_sha256`` covers this entry's fields and the previous
    entry's hash, and ``payload_sha256`` covers the record it points at, so changing, removing or
    reordering anything already stored breaks the chain at that point."""

    __tablename__ = "audit_entry"
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: dt.datetime
    actor: str
    action: str
    tenant: str
    ref_id: int
    payload_sha256: str
    prev_sha256: str
    entry_sha256: str


class AuditRehash(SQLModel, table=True):
    """An audit entry's payload under the fuller hash of migration 0008, for entries recorded
    before it (their own ``payload_sha256`` stays as written). The migration's own audit entry
    covers every row of this table, so these are as tamper-evident as the entries."""

    __tablename__ = "audit_rehash"
    seq: int = Field(
        primary_key=True, foreign_key="audit_entry.seq", sa_column_kwargs={"autoincrement": False}
    )
    payload_sha256: str  # '' when the record was already gone at the migration


class WaiverRecord(SQLModel, table=True):
    """A waiver or exception recorded for an operator (see engine.waivers). Recorded once, never
    edited: a changed waiver is a new record with a new id, and each record has an audit entry."""

    __tablename__ = "waiver"
    __table_args__ = (UniqueConstraint("tenant_id", "operator", "waiver_id"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    operator: str = Field(index=True)
    waiver_id: str
    obligation: str
    assets: str | None = Field(default=None, sa_column=Column(Text))  # JSON list, or all
    basis: str
    reference: str
    approver: str
    granted_on: dt.date
    expires_on: dt.date | None
    note: str | None = Field(default=None, sa_column=Column(Text))
    recorded_by: str
    recorded_at: dt.datetime


class AttestationRecord(SQLModel, table=True):
    """A record that an operator did a duty (see engine.attestations). Recorded once, never
    edited: a correction is a new record with a new id, and each record has an audit entry."""

    __tablename__ = "attestation"
    __table_args__ = (UniqueConstraint("tenant_id", "operator", "attestation_id"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    operator: str = Field(index=True)
    attestation_id: str
    obligation: str
    assets: str | None = Field(default=None, sa_column=Column(Text))  # JSON list; None: operator
    done_on: dt.date
    evidence: str
    attested_by: str
    note: str | None = Field(default=None, sa_column=Column(Text))
    recorded_by: str
    recorded_at: dt.datetime


class VendorDecisionRecord(SQLModel, table=True):
    """A person's answer about a vendor name (see engine.vendor_decisions), for a tenant.
    Recorded once, never edited: a changed answer is a new record with a later ``decided_on``,
    which supersedes the earlier one for evaluations from that day on. Each record has an audit
    entry."""

    __tablename__ = "vendor_decision"
    __table_args__ = (UniqueConstraint("tenant_id", "decision_id"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    decision_id: str
    name: str
    confirms_group: str | None = None  # the name is this group's equipment
    rejects_group: str | None = None  # the name is not this group's equipment
    relationship: str
    decided_by: str
    decided_on: dt.date
    note: str | None = Field(default=None, sa_column=Column(Text))
    recorded_by: str
    recorded_at: dt.datetime
