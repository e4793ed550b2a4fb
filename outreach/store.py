"""The engine factory and short sessions: the one way code reaches the database."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from .errors import ChangedElsewhere, StoreError
from .paths import resolve_url

log = logging.getLogger("outreach.store")

BUSY_TIMEOUT_MS = 5000
# BEGIN IMMEDIATE waits BUSY_TIMEOUT_MS for the write lock; a long import in
# another process may hold it longer, so try a few times before giving up.
WRITE_LOCK_ATTEMPTS = 3
# The execution option the begin event reads: "IMMEDIATE" takes the write lock at
# BEGIN, where SQLite's busy timeout applies.
BEGIN_MODE = "outreach_begin"


class DatabaseBusy(StoreError):
    """Another program holds the write lock; nothing was changed."""


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_engine(url: str, key: bytes | None = None) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        try:
            engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
        except ImportError as exc:  # the optional driver (the "pg" extra) is missing
            raise StoreError(
                f"Outreach needs the {parsed.get_driver_name()} driver to open "
                f"{parsed.render_as_string()}: install it with `pip install 'outreach[pg]'` "
                "(make run does not install it)."
            ) from exc
        if parsed.get_backend_name() == "postgresql":
            # A practice server's password comes from the keychain, never the URL.
            from .server_login import install_keychain_password

            install_keychain_password(engine, url)
        return engine
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    # An encrypted file: SQLCipher's driver, keyed on each new connection (encryption.py).
    extra = {}
    if key is not None and path is not None:
        from .encryption import engine_options

        extra = engine_options(path, key)
    # hide_parameters: an error's text must never carry the values of a row
    # (names, emails) into the log or a dialog.
    engine = create_engine(url, hide_parameters=True, **extra)
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
        # A deferred BEGIN that reads first cannot wait for the write lock later:
        # SQLite fails the upgrade at once with "database is locked" (its busy
        # handler is skipped there to avoid deadlock). Writers that may race
        # another process ask for IMMEDIATE, which waits at BEGIN instead.
        mode = connection.get_execution_options().get(BEGIN_MODE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")


class Store:
    """An open database: its engine and a factory of short sessions."""

    def __init__(self, url: str, key: bytes | None = None):
        from . import audit_trail
        from .context import PRACTITIONER

        self.url = url
        self.engine = make_engine(url, key)
        # How the file is kept (encryption.EncryptionState), set by open_store.
        self.encryption = None
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
    def session(self, *, immediate: bool = False) -> Iterator[Session]:
        """One user action: commits on success, rolls back on any error.

        ``immediate=True`` is for actions that write and may race another
        process (imports, restores): the write lock is taken first, waiting for
        it (and retrying, which is safe because nothing has run yet), so the
        action cannot fail half-way with "database is locked".
        """
        try:
            session, transaction = self._begin(immediate)
            with session, transaction:
                yield session
        except OperationalError as exc:
            if is_busy(exc):
                log.warning("Database busy; the action was rolled back")
                raise DatabaseBusy(busy_sentence(self.display_name)) from exc
            raise
        except StaleDataError as exc:
            # A versioned record (optimistic locking) was saved by another desk
            # between our read and our write: nothing of this action was kept.
            log.info("Lost update refused: %s", type(exc).__name__)
            raise ChangedElsewhere() from exc

    def _begin(self, immediate: bool) -> tuple[Session, SessionTransaction]:
        for attempt in range(1, WRITE_LOCK_ATTEMPTS + 1):
            session = self._sessions()
            transaction = session.begin()
            if not (immediate and self.is_sqlite):
                return session, transaction
            try:
                session.connection(execution_options={BEGIN_MODE: "IMMEDIATE"})
                return session, transaction
            except OperationalError as exc:
                session.close()
                if not is_busy(exc) or attempt == WRITE_LOCK_ATTEMPTS:
                    raise
                log.info("Write lock busy; waiting again (attempt %d)", attempt + 1)
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()

    def use_key(self, key: bytes | None) -> None:
        """Reconnect with another key, after the file was encrypted or re-keyed."""
        self.engine.dispose()
        self.engine = make_engine(self.url, key)
        self._sessions.configure(bind=self.engine)


def open_store(
    db: str | os.PathLike | None = None,
    *,
    migrate: bool = True,
    key: bytes | None = None,
    encrypt_new: bool = False,
) -> Store:
    """Open (creating if needed) and bring the schema to this app's version.

    An encrypted file opens with ``key`` or the key this computer keeps for it
    (encryption.KeyNeeded / WrongKey otherwise). ``encrypt_new``: a new file is
    created encrypted where SQLCipher and a keychain are available (the app and
    the command line ask for it; tests and the self-test do not).
    """
    from .encryption import prepare

    url = resolve_url(db)
    key, state = prepare(url, key, encrypt_new)
    store = Store(url, key)
    store.encryption = state
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
    log.info("Opened the %s database", store.engine.dialect.name)
    return store


def is_busy(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    text = str(orig).lower()
    return "database is locked" in text or "database is busy" in text or "sqlite_busy" in text


def busy_sentence(name: str) -> str:
    return (
        f"Another Outreach program is writing to {name} right now (perhaps an import from "
        "the command line). Nothing was changed; try again in a moment."
    )


def user_message(exc: BaseException) -> str | None:
    """A sentence for a database error that escaped a service, or None."""
    if isinstance(exc, DBAPIError):
        if is_busy(exc):
            return busy_sentence("the database")
        return explain_db_error("The database", exc)
    return None


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
