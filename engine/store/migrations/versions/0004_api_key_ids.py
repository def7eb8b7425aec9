"""API keys get a public id (to list and revoke them without their secret) and ``revoked_at``.

Keys made before this revision are given a random id here, so that they can be listed and
revoked like new ones. SQLite cannot alter a column in place, hence the batch operations (a copy
of the table on SQLite, plain ALTER TABLE on PostgreSQL).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service_api_key") as batch:
        batch.add_column(sa.Column("id", sa.String(), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    keys = sa.table("service_api_key", sa.column("key_sha256", sa.String), sa.column("id"))
    connection = op.get_bind()
    for (digest,) in connection.execute(sa.select(keys.c.key_sha256)).all():
        connection.execute(
            keys.update().where(keys.c.key_sha256 == digest).values(id=secrets.token_hex(6))
        )
    with op.batch_alter_table("service_api_key") as batch:
        batch.alter_column("id", existing_type=sa.String(), nullable=False)
        batch.create_index(op.f("ix_service_api_key_id"), ["id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("service_api_key") as batch:
        batch.drop_index(op.f("ix_service_api_key_id"))
        batch.drop_column("revoked_at")
        batch.drop_column("id")
