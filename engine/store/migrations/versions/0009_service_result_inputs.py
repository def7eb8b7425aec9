"""A stored result keeps the inputs it was evaluated from, and the profile it belongs to
(issue 22).

Before this, the service stored only the evaluation JSON: the PDF and XLSX downloads and the
review queue's re-run needed the full evaluation, which only the process that made it held in
memory, so after a restart they were refused. ``service_result_input`` holds, per result, the
uploaded inventory (zlib-compressed; its file name says its format, as on the command line),
the profile JSON used, the tenant's vendor decisions applied (and the day they were read as
of), and the facts a person stated in the review queue to get this result: evaluating them
again gives the stored JSON byte for byte, whatever was decided since.
``service_result.profile_id`` names the stored profile a result was evaluated for (NULL for
results stored before, or through the HTTP API), so the web
app can list a profile's history.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service_result") as batch:
        batch.add_column(sa.Column("profile_id", sa.String(), nullable=True))
        batch.create_index(op.f("ix_service_result_profile_id"), ["profile_id"], unique=False)
    op.create_table(
        "service_result_input",
        sa.Column("result_id", sa.String(), nullable=False),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("inventory_zlib", sa.LargeBinary(), nullable=False),
        sa.Column("inventory_sha256", sa.String(), nullable=False),
        sa.Column("profile", sa.String(), nullable=False),
        sa.Column("decisions_on", sa.Date(), nullable=False),
        sa.Column("decisions", sa.String(), nullable=False),
        sa.Column("stated", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("result_id"),
    )


def downgrade() -> None:
    op.drop_table("service_result_input")
    with op.batch_alter_table("service_result") as batch:
        batch.drop_index(op.f("ix_service_result_profile_id"))
        batch.drop_column("profile_id")
