"""PostgreSQL search ignores accents, as SQLite's does

Revision ID: 0010_pg_unaccent_search
Revises: 0009_figure_cache
Create Date: 2026-11-27

On SQLite, FTS5's ``remove_diacritics`` lets "muller" find "Müller"; on a practice
server the 'simple' text search kept accents, so it did not. The search indexes
are rebuilt on ``outreach_unaccent(...)``: an IMMUTABLE wrapper of the unaccent
extension (unaccent() itself is only STABLE, and an index needs IMMUTABLE).
unaccent ships with PostgreSQL (contrib) and is a trusted extension (13+), so the
database's owner may create it. Where it cannot be created, the wrapper returns
the text as it is: search works as before, accents kept, and the log says so.
SQLite: nothing to do.
"""

import logging
from collections.abc import Sequence

from alembic import op

revision: str = "0010_pg_unaccent_search"
down_revision: str | Sequence[str] | None = "0009_figure_cache"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("outreach.migrate")
# Must match outreach/services/search.py (its pg_document writes the same).
SEARCHED = {
    "posts": ("title", "body", "url"),
    "contacts": ("handle", "name", "email", "phone"),
}
UNACCENT = """
CREATE OR REPLACE FUNCTION outreach_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$
"""
AS_IT_IS = """
CREATE OR REPLACE FUNCTION outreach_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT $1 $$
"""


def document(table: str, unaccent: bool) -> str:
    joined = " || ' ' || ".join(f"coalesce({c}, '')" for c in SEARCHED[table])
    text = f"regexp_replace({joined}, '[[:punct:][:space:]]+', ' ', 'g')"
    if unaccent:
        text = f"outreach_unaccent({text})"
    return f"to_tsvector('simple', {text})"


def _create_unaccent(bind) -> bool:
    """The extension, in a savepoint so a refusal does not end the migration."""
    savepoint = bind.begin_nested()
    try:
        bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
        schema = bind.exec_driver_sql(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        ).scalar_one()
        bind.exec_driver_sql(UNACCENT.format(schema=schema))
        savepoint.commit()
        return True
    except Exception as exc:  # noqa: BLE001 - no contrib package, or no right to add it
        savepoint.rollback()
        log.warning("Search on this server keeps accents: unaccent unavailable (%s)", exc)
        bind.exec_driver_sql(AS_IT_IS)
        return False


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _create_unaccent(bind)
    for table in SEARCHED:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search")
        op.execute(f"CREATE INDEX ix_{table}_search ON {table} USING gin ({document(table, True)})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in SEARCHED:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search")
        op.execute(
            f"CREATE INDEX ix_{table}_search ON {table} USING gin ({document(table, False)})"
        )
    op.execute("DROP FUNCTION IF EXISTS outreach_unaccent(text)")
