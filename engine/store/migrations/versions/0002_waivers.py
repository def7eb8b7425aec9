"""The waiver register.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "waiver",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("operator", sa.String(), nullable=False),
        sa.Column("waiver_id", sa.String(), nullable=False),
        sa.Column("obligation", sa.String(), nullable=False),
        sa.Column("assets", sa.Text(), nullable=True),
        sa.Column("basis", sa.String(), nullable=False),
        sa.Column("reference", sa.String(), nullable=False),
        sa.Column("approver", sa.String(), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "operator", "waiver_id"),
    )
    op.create_index(op.f("ix_waiver_tenant_id"), "waiver", ["tenant_id"], unique=False)
    op.create_index(op.f("ix_waiver_operator"), "waiver", ["operator"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_waiver_operator"), table_name="waiver")
    op.drop_index(op.f("ix_waiver_tenant_id"), table_name="waiver")
    op.drop_table("waiver")
