"""a covering index for the reports' aggregates over posts

Revision ID: 0006_report_index
Revises: 0005_search_and_versions
Create Date: 2026-11-26

The ROI report sums posts and minutes per community and per month over a period
(five years: every post). Through ix_posts_posted_at each row was then looked up in
the table; with the columns those sums read in the index it is an index-only scan
(measured in bench/: 3.5x faster over 100k posts). An index only: no table
changes shape.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006_report_index"
down_revision: str | Sequence[str] | None = "0005_search_and_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["posted_at", "community_id", "minutes_spent", "archived_at"]


def upgrade() -> None:
    op.create_index("ix_posts_report", "posts", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_posts_report", table_name="posts")
