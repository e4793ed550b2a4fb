"""Alembic environment. The app passes its open connection through
config.attributes; fileConfig() is deliberately not called, as it would
disable the app's loggers."""

import warnings

from alembic import context
from sqlalchemy.exc import SAWarning

from outreach.models import Base

# A batch migration reflects related tables; SQLite cannot reflect the
# case-insensitive expression indexes, which the migrations create themselves,
# and the warning would reach the user's terminal.
warnings.filterwarnings("ignore", message=".*expression-based index", category=SAWarning)

config = context.config


def _include_name(name, type_, parent_names) -> bool:
    # The search index (0005) belongs to the database, not to a model: FTS5
    # tables and their shadow tables on SQLite, GIN expression indexes on
    # PostgreSQL. Without this, `alembic check` would want to drop them.
    if type_ == "table":
        return not (name.endswith("_fts") or "_fts_" in name)
    if type_ == "index":
        return not name.endswith("_search")
    return True


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=_include_name,
        render_as_batch=True,
        compare_type=True,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if context.is_offline_mode():
    raise SystemExit("Outreach migrations run online only; use `outreach db upgrade`.")
if connection is not None:
    _run(connection)
else:
    from outreach.store import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()
