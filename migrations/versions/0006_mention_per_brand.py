"""mentions per brand: a post naming two watched brands is stored once for each

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The key (source, external_id) becomes (source, external_id, brand_key): brand_key is the
    # brand, "" for none (NULLs would never conflict). The existing rows are one per post, each
    # with the brand it was stamped with, so the new key holds for them as they are.
    with op.batch_alter_table("mentions") as batch:
        batch.add_column(
            sa.Column("brand_key", sa.String(length=120), nullable=False, server_default="")
        )
    op.execute("UPDATE mentions SET brand_key = brand WHERE brand IS NOT NULL")
    with op.batch_alter_table("mentions") as batch:
        batch.alter_column("brand_key", server_default=None)  # writers always give it
        batch.drop_constraint("uq_mentions_source_external_id", type_="unique")
        batch.create_unique_constraint(
            "uq_mentions_source_external_id_brand_key", ["source", "external_id", "brand_key"]
        )
        batch.create_check_constraint(
            op.f("ck_mentions_brand_key"), "brand_key = coalesce(brand, '')"
        )


def downgrade() -> None:
    # One row per post again: the first stored (the brand it would have been stamped with);
    # the other brands' copies go.
    op.execute(
        "DELETE FROM mentions WHERE id NOT IN "
        "(SELECT min(id) FROM mentions GROUP BY source, external_id)"
    )
    with op.batch_alter_table("mentions") as batch:
        batch.drop_constraint(op.f("ck_mentions_brand_key"), type_="check")
        batch.drop_constraint("uq_mentions_source_external_id_brand_key", type_="unique")
        batch.create_unique_constraint("uq_mentions_source_external_id", ["source", "external_id"])
        batch.drop_column("brand_key")
