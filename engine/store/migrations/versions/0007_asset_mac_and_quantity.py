"""Inventory assets keep their MAC address and OUI (engine.macs), and quantity is 64-bit.

Before this, a stored inventory dropped ``mac``/``oui`` and kept the vendor as resolved from the
MAC, so a stored evaluation could not be re-run to the same result. Both columns are nullable:
rows stored before have neither, and the inventory hash leaves them out of such rows
(``engine.store.records.inventory_sha256``), so the audit chain still verifies.

``quantity`` was a 32-bit INTEGER on PostgreSQL: 3,000,000,000 units stored on SQLite (whose
integers are 64-bit) and failed on PostgreSQL. It becomes BIGINT there; on SQLite INTEGER is
already 64-bit and the column is left as it is (a type change would rebuild the table).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inventory_asset", sa.Column("mac", sa.String(), nullable=True))
    op.add_column("inventory_asset", sa.Column("oui", sa.String(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "inventory_asset",
            "quantity",
            type_=sa.BigInteger(),
            existing_type=sa.Integer(),
            existing_nullable=False,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "inventory_asset",
            "quantity",
            type_=sa.Integer(),
            existing_type=sa.BigInteger(),
            existing_nullable=False,
        )
    op.drop_column("inventory_asset", "oui")
    op.drop_column("inventory_asset", "mac")
