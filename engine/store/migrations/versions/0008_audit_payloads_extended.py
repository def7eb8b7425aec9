"""Every field a person reads from the store is covered by the audit chain (issue 19, item 3).

Before this, an evaluation's audit payload covered the profile's body but not the
``operator_profile`` row's name, which ``history`` shows: changing it in the database went
unnoticed by ``audit verify``. The payload now covers it, and the profile and inventory rows'
other columns (``engine.store.records.evaluation_payload``, version 2).

Existing entries are not rewritten. For each, its payload under version 2 is recorded in
``audit_rehash``, and one entry (action ``audit.payloads_extended``) is appended to the chain
whose hash covers all of them. ``audit verify`` then checks an older entry against the payload
it was written with and against the recorded fuller one, and says so (``audit_notes``). A
head recorded before the migration (``audit verify --expect-head``) still verifies.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from dutybound.engine.store.records import extend_audit_payloads

    op.create_table(
        "audit_rehash",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("payload_sha256", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["seq"], ["audit_entry.seq"]),
        sa.PrimaryKeyConstraint("seq"),
    )
    extend_audit_payloads(op.get_bind(), revision)


def downgrade() -> None:
    # the appended entry goes with the table it vouches for; it is the chain's last entry unless
    # something was stored since, and then downgrading would drop evidence: refuse
    bind = op.get_bind()
    last = bind.execute(sa.text("SELECT action FROM audit_entry ORDER BY seq DESC LIMIT 1")).first()
    extended = bind.execute(
        sa.text("SELECT COUNT(*) FROM audit_entry WHERE action = 'audit.payloads_extended'")
    ).scalar_one()
    if extended and (last is None or last[0] != "audit.payloads_extended" or extended > 1):
        raise RuntimeError(
            "cannot downgrade below 0008: entries were stored after the audit payloads were "
            "extended, and the older payload does not cover them"
        )
    bind.execute(sa.text("DELETE FROM audit_entry WHERE action = 'audit.payloads_extended'"))
    op.drop_table("audit_rehash")
