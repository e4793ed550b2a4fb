"""Bringing a database to this app's schema: refuse a newer one, back up, then
upgrade in one transaction with foreign keys off and checked before commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from .backup import backup_before
from .errors import DatabaseNewerError, MigrationFailed, StoreError
from .migrations import HEAD_REVISION
from .store import BEGIN_MODE, Store

log = logging.getLogger("outreach.migrate")


@dataclass(frozen=True)
class MigrationOutcome:
    before: str | None
    after: str
    backup: Path | None


def alembic_config(connection: Connection | None = None, url: str | None = None):
    import io

    from alembic.config import Config

    # Alembic's default stdout is bound at import time; give it its own sink so
    # our commands print only their own sentences.
    cfg = Config(stdout=io.StringIO())
    cfg.set_main_option("script_location", "outreach:migrations")
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["connection"] = connection
    return cfg


def current_revision(store: Store) -> str | None:
    with store.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _other_tables(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return [t for t in inspect(conn).get_table_names() if t != "alembic_version"]


def _known(revision: str) -> bool:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    try:
        return script.get_revision(revision) is not None
    except Exception:
        return False


def check_openable(store: Store) -> str | None:
    """Raise if this app must not touch the database; return its revision."""
    revision = current_revision(store)
    if revision == HEAD_REVISION:
        return revision
    if revision is None:
        if _other_tables(store):
            raise StoreError(
                f"{store.display_name} is not an Outreach database (it holds other tables). "
                "Choose another file or a new file name."
            )
        return None
    if not _known(revision):
        raise DatabaseNewerError(
            f"{store.display_name} was written by a newer version of Outreach "
            f"(schema {revision}); this version understands up to {HEAD_REVISION}. "
            "Install the newer Outreach to open it; the file was not changed."
        )
    return revision


def ensure_current(store: Store) -> MigrationOutcome | None:
    """Upgrade to head if needed. Returns None when nothing had to change."""
    before = check_openable(store)
    if before == HEAD_REVISION:
        return None
    return migrate_to(store, "head", before=before)


def migrate_to(
    store: Store, target: str, *, before: str | None = None, downgrade: bool = False
) -> MigrationOutcome:
    from alembic import command

    backup = None
    if before is not None and store.path is not None:
        backup = backup_before(store.path, f"before-{target}")
    where = f" A copy taken before the upgrade is at {backup}." if backup else ""
    try:
        with store.engine.connect() as conn:
            if store.is_sqlite:
                # Must be set outside a transaction, so on the driver connection
                # before SQLAlchemy emits BEGIN: batch migrations recreate tables
                # and would cascade-delete child rows with foreign keys on.
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
                # Take the write lock at BEGIN, where the busy timeout applies: a
                # deferred BEGIN would fail at once if another process writes.
                conn.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
            try:
                with conn.begin():
                    cfg = alembic_config(conn)
                    if downgrade:
                        command.downgrade(cfg, target)
                    else:
                        command.upgrade(cfg, target)
                    if store.is_sqlite:
                        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            tables = sorted({row[0] for row in broken})
                            raise MigrationFailed(
                                f"the upgraded data breaks foreign keys in {', '.join(tables)}"
                            )
            finally:
                if store.is_sqlite:
                    conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
    except Exception as exc:
        log.error("Schema change from %s to %s failed: %s", before, target, type(exc).__name__)
        raise MigrationFailed(
            f"Upgrading the database {store.display_name} failed ({exc}); it was left "
            f"exactly as it was.{where}"
        ) from exc
    outcome = MigrationOutcome(before=before, after=current_revision(store) or "", backup=backup)
    log.info("Schema changed from %s to %s", before or "(empty)", outcome.after)
    return outcome
