"""The vendor decision register: a person's answers about vendor names (engine.vendor_decisions).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vendor_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("confirms_group", sa.String(), nullable=True),
        sa.Column("rejects_group", sa.String(), nullable=True),
        sa.Column("relationship", sa.String(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "decision_id"),
    )
    op.create_index(
        op.f("ix_vendor_decision_tenant_id"), "vendor_decision", ["tenant_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_vendor_decision_tenant_id"), table_name="vendor_decision")
    op.drop_table("vendor_decision")
