"""indexes for the list pages' aggregates and sorts

Revision ID: 0008_list_indexes
Revises: 0007_engagement_index
Create Date: 2026-11-26

Measured in bench/ on the large demo (100k posts, 20k contacts):

- ix_posts_community_stats: the Communities page's posts, hours and last post per
  community are one GROUP BY over every post; with these columns in community order
  it reads the index alone (200 ms -> 15 ms, on every load, sort and search).
- ix_posts_kind_id: sorting posts by kind, then id, without sorting 100k rows.
- ix_contacts_updated: the contacts' default order (last updated, then id).
- ix_contacts_display_name, ix_contacts_handle_ci: the contacts' sorts on
  expressions (the name shown, else the handle, else the email; the handle
  ignoring case). The expressions must stay spelled exactly as the service's
  SORTS spell them, or the engine cannot use the index.

`id` ends each sort index so that the index order is the list's order with its
tie-break (SQLite appends the rowid anyway; PostgreSQL needs it written).

Indexes only: no table changes shape, so no batch mode (which on SQLite would
recreate posts and contacts and drop their search triggers, see 0005).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_list_indexes"
down_revision: str | Sequence[str] | None = "0007_engagement_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    (
        "ix_posts_community_stats",
        "posts",
        ["community_id", "archived_at", "minutes_spent", "posted_at"],
    ),
    ("ix_posts_kind_id", "posts", ["kind", "id"]),
    ("ix_contacts_updated", "contacts", ["updated_at", "id"]),
    (
        "ix_contacts_display_name",
        "contacts",
        [sa.text("lower(coalesce(nullif(name, ''), nullif(handle, ''), email))"), "id"],
    ),
    ("ix_contacts_handle_ci", "contacts", [sa.text("lower(handle)"), "id"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
