"""figures kept for the next start

Revision ID: 0009_figure_cache
Revises: 0008_list_indexes
Create Date: 2026-11-27

The Dashboard's figures as last worked out, with the data version they were
worked out from (the audit trail's chain head and the day). At start the app
reads them with the standard library's sqlite3 and paints the window before
SQLAlchemy is even imported; any change since (every write adds an audit
event) makes them stale, and they are worked out again. A new table only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_figure_cache"
down_revision: str | Sequence[str] | None = "0008_list_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "figure_cache",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("data_key", sa.String(200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_figure_cache")),
    )


def downgrade() -> None:
    op.drop_table("figure_cache")
