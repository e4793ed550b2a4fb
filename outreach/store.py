"""The engine factory and short sessions: the one way code reaches the database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from . import paths
from .errors import StoreError

BUSY_TIMEOUT_MS = 5000


def resolve_url(db: str | os.PathLike | None = None) -> str:
    """``--db`` first, then $OUTREACH_DB, then the file in the user data folder.

    A value with '://' is a database URL (e.g. postgresql+psycopg://...); anything
    else is the path of a SQLite file.
    """
    value = str(db) if db else os.environ.get(paths.DB_ENV) or str(paths.default_db_path())
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    return f"sqlite:///{path}"


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    _apply_sqlite_recipe(engine)
    return engine


def _apply_sqlite_recipe(engine: Engine) -> None:
    # SQLAlchemy's documented recipe: take transaction control away from the
    # sqlite3 module (which would otherwise commit DDL behind our back, so a
    # failed migration could not be rolled back) and emit BEGIN ourselves.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")


class Store:
    """An open database: its engine and a factory of short sessions."""

    def __init__(self, url: str):
        from . import audit_trail
        from .context import PRACTITIONER

        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Who the changes made through this store are recorded as (the signed-in
        # user in the app); off until the schema is known to hold the trail.
        self.actor = PRACTITIONER
        self.audit_enabled = False
        audit_trail.install(self)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @property
    def display_name(self) -> str:
        return str(self.path) if self.path else make_url(self.url).render_as_string()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One user action: commits on success, rolls back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(db: str | os.PathLike | None = None, *, migrate: bool = True) -> Store:
    """Open (creating if needed) and bring the schema to this app's version."""
    store = Store(resolve_url(db))
    try:
        if migrate:
            from .migrate import ensure_current

            ensure_current(store)
            store.audit_enabled = True
        else:
            with store.engine.connect():
                pass
    except DBAPIError as exc:
        store.dispose()
        raise StoreError(explain_db_error(store.display_name, exc)) from exc
    except Exception:
        store.dispose()
        raise
    return store


def explain_db_error(name: str, exc: DBAPIError) -> str:
    """A sentence for the errors a user meets when opening a database."""
    text = str(exc.orig).lower()
    if "locked" in text or "busy" in text:
        return (
            f"{name} is in use by another program (perhaps another Outreach window). "
            "Close it and try again."
        )
    if "not a database" in text or "malformed" in text or "encrypted" in text:
        return (
            f"{name} is not an Outreach database, or it is damaged. "
            "Choose another file, or restore a backup."
        )
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return (
            f"Cannot open {name} for writing: check that the folder exists and that you "
            "may write there."
        )
    if "disk" in text and "full" in text:
        return f"The disk holding {name} is full; free some space and try again."
    return f"Cannot open {name}: {exc.orig}."
