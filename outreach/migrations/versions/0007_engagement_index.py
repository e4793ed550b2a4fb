"""an index on posts' engagement for the reports' top posts

Revision ID: 0007_engagement_index
Revises: 0006_report_index
Create Date: 2026-11-26

The ROI report lists the ten posts of a period with the most replies, reactions and
clicks. Without an index on that sum every post of the period was read from the table
and sorted (five years: 100k rows, 170-260 ms in bench/). Read from this index in
descending order the query stops after the first ten in the period (under 1 ms); the
period, archive and community filters are answered from the index itself, so even an
empty period is one index-only scan. `id` is in the key so that the index order is
the report's tie-break (engagement, posted_at, id, all descending). An index only:
no table changes shape.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_engagement_index"
down_revision: str | Sequence[str] | None = "0006_report_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_posts_engagement",
        "posts",
        [
            sa.text("(replies + reactions + clicks)"),
            "posted_at",
            "id",
            "archived_at",
            "community_id",
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_posts_engagement", table_name="posts")
