"""The attestation register: records that an operator did a duty (engine.attestations).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attestation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("operator", sa.String(), nullable=False),
        sa.Column("attestation_id", sa.String(), nullable=False),
        sa.Column("obligation", sa.String(), nullable=False),
        sa.Column("assets", sa.Text(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("evidence", sa.String(), nullable=False),
        sa.Column("attested_by", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "operator", "attestation_id"),
    )
    op.create_index(op.f("ix_attestation_tenant_id"), "attestation", ["tenant_id"], unique=False)
    op.create_index(op.f("ix_attestation_operator"), "attestation", ["operator"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_attestation_operator"), table_name="attestation")
    op.drop_index(op.f("ix_attestation_tenant_id"), table_name="attestation")
    op.drop_table("attestation")
