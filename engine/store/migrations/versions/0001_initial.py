"""The first schema: tenants, profiles, inventory snapshots, law snapshots, evaluations,
findings and the audit chain.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("payload_sha256", sa.String(), nullable=False),
        sa.Column("prev_sha256", sa.String(), nullable=False),
        sa.Column("entry_sha256", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "law_snapshot",
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("archive", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "tenant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "inventory",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("asset_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "sha256"),
    )
    op.create_index(op.f("ix_inventory_tenant_id"), "inventory", ["tenant_id"], unique=False)
    op.create_table(
        "operator_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "sha256"),
    )
    op.create_index(op.f("ix_operator_profile_name"), "operator_profile", ["name"], unique=False)
    op.create_index(
        op.f("ix_operator_profile_tenant_id"), "operator_profile", ["tenant_id"], unique=False
    )
    op.create_table(
        "evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("inventory_id", sa.Integer(), nullable=False),
        sa.Column("law_sha256", sa.String(), nullable=False),
        sa.Column("registry_sha256", sa.String(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("rulepack_version", sa.String(), nullable=False),
        sa.Column("rulepack_sha256", sa.String(), nullable=False),
        sa.Column("inputs_sha256", sa.String(), nullable=False),
        sa.Column("evaluator", sa.String(), nullable=False),
        sa.Column("findings_count", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inventory_id"],
            ["inventory.id"],
        ),
        sa.ForeignKeyConstraint(
            ["law_sha256"],
            ["law_snapshot.sha256"],
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["operator_profile.id"],
        ),
        sa.ForeignKeyConstraint(
            ["registry_sha256"],
            ["law_snapshot.sha256"],
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_evaluation_as_of"), "evaluation", ["as_of"], unique=False)
    op.create_index(
        op.f("ix_evaluation_inventory_id"), "evaluation", ["inventory_id"], unique=False
    )
    op.create_index(op.f("ix_evaluation_profile_id"), "evaluation", ["profile_id"], unique=False)
    op.create_index(op.f("ix_evaluation_tenant_id"), "evaluation", ["tenant_id"], unique=False)
    op.create_table(
        "inventory_asset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inventory_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.String(), nullable=False),
        sa.Column("vendor", sa.String(), nullable=False),
        sa.Column("product", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("function", sa.String(), nullable=False),
        sa.Column("network", sa.String(), nullable=False),
        sa.Column("country", sa.String(), nullable=False),
        sa.Column("use", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(), nullable=False),
        sa.Column("model", sa.String(), nullable=False),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.Column("identified_on", sa.Date(), nullable=True),
        sa.Column("flags", sa.String(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inventory_id"],
            ["inventory.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_inventory_asset_inventory_id"), "inventory_asset", ["inventory_id"], unique=False
    )
    op.create_table(
        "finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.String(), nullable=False),
        sa.Column("obligation_id", sa.String(), nullable=False),
        sa.Column("jurisdiction", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("assets", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_finding_evaluation_id"), "finding", ["evaluation_id"], unique=False)
    op.create_index(op.f("ix_finding_obligation_id"), "finding", ["obligation_id"], unique=False)


def downgrade() -> None:
    op.drop_table("finding")
    op.drop_table("inventory_asset")
    op.drop_table("evaluation")
    op.drop_table("operator_profile")
    op.drop_table("inventory")
    op.drop_table("tenant")
    op.drop_table("law_snapshot")
    op.drop_table("audit_entry")
