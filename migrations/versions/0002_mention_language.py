"""mention language

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 06:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, no default: existing rows' language is unknown, and adding the column is
    # instant on PostgreSQL (no table rewrite) however many mentions are stored.
    with op.batch_alter_table("mentions") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.drop_column("language")
