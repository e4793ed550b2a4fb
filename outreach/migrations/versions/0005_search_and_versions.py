"""search indexes and record versions: full-text search on posts and contacts
(FTS5 on SQLite, GIN expression indexes on PostgreSQL) and a version column on
the records two desks edit (optimistic locking)

Revision ID: 0005_search_and_versions
Revises: 0004_trust
Create Date: 2026-11-26

The search index is written by hand: no model describes FTS5 tables, triggers
or expression GIN indexes (env.py keeps autogenerate from comparing them).

A later migration that recreates `posts` or `contacts` in batch mode on SQLite
drops their triggers with the old table: call `sqlite_search_up()` again after
it (the triggers are CREATE ... IF NOT EXISTS and the index is rebuilt).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_search_and_versions"
down_revision: str | Sequence[str] | None = "0004_trust"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = ("communities", "posts", "contacts", "referrals", "practice_profile")
# table -> the columns searched. Frozen here as written at this revision; the
# services' queries (outreach/services/search.py) must use the same expressions.
SEARCHED = {
    "posts": ("title", "body", "url"),
    "contacts": ("handle", "name", "email", "phone"),
}


def _fts_sql(table: str, columns: tuple[str, ...]) -> list[str]:
    fts = f"{table}_fts"
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    # External content: the text stays in the table only; the index holds tokens.
    # remove_diacritics 2: "muller" finds "Müller".
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({cols}, content='{table}', "
        f"content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF {cols} ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
        # Index the rows already there (and repair after a batch recreate).
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def sqlite_search_up() -> None:
    for table, columns in SEARCHED.items():
        for statement in _fts_sql(table, columns):
            op.execute(statement)


def pg_document(table: str, columns: tuple[str, ...]) -> str:
    # Punctuation becomes a space first, so "ana.lima@example.com" is the words
    # ana, lima, example, com, as FTS5's unicode61 tokenizer splits it.
    joined = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
    return f"to_tsvector('simple', regexp_replace({joined}, '[[:punct:][:space:]]+', ' ', 'g'))"


def upgrade() -> None:
    # Plain ALTER TABLE on both engines (no batch copy): a batch recreate on
    # SQLite would lose the case-insensitive expression indexes it cannot reflect.
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        sqlite_search_up()
    elif dialect == "postgresql":
        for table, columns in SEARCHED.items():
            op.execute(
                f"CREATE INDEX ix_{table}_search ON {table} USING gin ({pg_document(table, columns)})"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in SEARCHED:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
    elif dialect == "postgresql":
        for table in SEARCHED:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search")
    for table in reversed(VERSIONED):
        # SQLite 3.35+ drops a column in place; see upgrade() for why not batch.
        op.execute(f"ALTER TABLE {table} DROP COLUMN version")
