"""The HTTP service's tables (API keys, profiles, results) join the migrated schema, so the
service and the CLI can share one database.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_api_key",
        sa.Column("key_sha256", sa.String(), nullable=False),
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("consultant_of", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_sha256"),
    )
    op.create_index(op.f("ix_service_api_key_tenant"), "service_api_key", ["tenant"], unique=False)
    op.create_table(
        "service_profile",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_service_profile_tenant"), "service_profile", ["tenant"], unique=False)
    op.create_table(
        "service_result",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("rulepack_version", sa.String(), nullable=False),
        sa.Column("rulepack_sha256", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_service_result_tenant"), "service_result", ["tenant"], unique=False)


def downgrade() -> None:
    op.drop_table("service_result")
    op.drop_table("service_profile")
    op.drop_table("service_api_key")
