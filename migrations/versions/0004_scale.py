"""scale: persisted detector state

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "detector_states",
        sa.Column("brand_key", sa.String(length=120), nullable=False),
        sa.Column("settings_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("settled_until", models.base.TZDateTime(), nullable=False),
        sa.Column("last_mention_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", models.base.TZDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("brand_key", "settings_hash", name=op.f("pk_detector_states")),
    )


def downgrade() -> None:
    op.drop_table("detector_states")
