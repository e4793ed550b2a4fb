"""Backups the user sees: the daily copy, "Back up now", the list, and restoring
a chosen file in place of the database.

A restore never swaps files under a running program. The chosen file is copied
to a staging file beside the database, checked (SQLite, integrity, an Outreach
schema this version understands) and upgraded there; the current database is
backed up ("before-restore"); then SQLite's backup API writes the staging copy
into the live database inside one write transaction. A crash at any moment
leaves the old database or the new one, never a mix, and other connections
(the command line, the app) see the change like any other commit.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..backup import (
    BEFORE_RESTORE,
    DAILY,
    MANUAL,
    BackupFile,
    backup_before,
    backup_name,
    backups_dir,
    has_daily_for,
    list_backups,
    prune,
    remove_stale_partials,
)
from ..context import Actor
from ..encryption import (
    KeyNeeded,
    WrongKey,
    check_key,
    driver_errors,
    drop_key,
    export_copy,
    hold_key,
    is_encrypted_file,
    key_for_file,
    remember_key,
    remembered_key,
    wrong_key_sentence,
)
from ..errors import Cancelled, StoreError
from ..store import BUSY_TIMEOUT_MS, Store, sqlite_path
from .common import require_owner

log = logging.getLogger("outreach.backups")

Progress = Callable[[int, int], bool]
# Pages per step of the copy into the live database (4 MB at SQLite's default
# page size): small enough for a moving progress bar, and the destination's
# write transaction spans all steps, so the copy stays atomic.
RESTORE_PAGES_PER_STEP = 1024

SERVER_SENTENCE = (
    "This database is on a server (PostgreSQL): back it up and restore it with the "
    "server's own tools (pg_dump and pg_restore), or ask whoever runs the server. "
    "Outreach backs up and restores SQLite files."
)


def require_sqlite(store_or_url: Store | str) -> Path:
    """The database file, or a sentence saying a server database is not ours to copy."""
    path = store_or_url.path if isinstance(store_or_url, Store) else sqlite_path(store_or_url)
    if path is None:
        raise StoreError(SERVER_SENTENCE)
    return path


# -- taking and listing backups ---------------------------------------------------


def daily_backup_if_due(store: Store, today: date | None = None) -> Path | None:
    """Take today's daily backup unless there is one; then apply the retention rule.

    Costs one directory listing when today's copy exists (every start after the
    first of the day). Returns the new backup, or None when none was due.
    """
    path = store.path
    if path is None or not path.exists():
        return None
    today = today or date.today()
    backups = list_backups(path)
    if has_daily_for(backups, today):
        return None
    remove_stale_partials(path)
    taken = backup_before(path, DAILY)
    from .profile import get_profile

    profile = get_profile(store)
    backups = list_backups(path)
    prune(backups, profile.backup_keep_daily, profile.backup_keep_monthly)
    log.info("Daily backup taken; %d backups in the folder", len(list_backups(path)))
    return taken


def daily_backup_warning(store: Store) -> str | None:
    """Take the daily backup if due; a sentence when it failed (the work goes on)."""
    try:
        daily_backup_if_due(store)
    except (StoreError, OSError) as exc:
        log.warning("The daily backup failed: %s", type(exc).__name__)
        return f"Today's automatic backup could not be written: {exc}"
    return None


def back_up_now(store: Store, to: str | os.PathLike | None = None) -> Path:
    """A manual backup (kept until a person deletes it), or a copy to ``to``."""
    path = require_sqlite(store)
    if to:
        from ..backup import backup_sqlite

        return backup_sqlite(path, Path(to))
    return backup_before(path, MANUAL)


def backups_of(store: Store) -> list[BackupFile]:
    return list_backups(require_sqlite(store))


def folder_of(store: Store) -> Path:
    folder = backups_dir(require_sqlite(store))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} bytes"


# -- restoring -------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreOutcome:
    database: Path
    source: Path
    kept_as: Path | None  # the backup of the database as it was before
    revision_before: str | None  # the chosen file's schema
    upgraded: bool


def restore_database(
    target: Path,
    source: str | os.PathLike,
    actor: Actor,
    progress: Progress | None = None,
    source_key: bytes | None = None,
) -> RestoreOutcome:
    """Replace the database at ``target`` with the backup ``source``, or change nothing.

    ``progress(done, total)`` is called between steps; returning False cancels
    (before the copy into the database commits, so nothing changes).

    An encrypted backup opens with ``source_key`` or the database's own key; the
    restored data keeps the database's encryption (its key, or none), and where
    there is no database yet it keeps the backup's key (kept in the keychain).
    """
    require_owner(actor, "restore a backup")
    target = Path(target)
    source = Path(source).expanduser()
    if not source.is_file():
        raise StoreError(f"There is no file {source}; choose the backup file to restore.")
    if target.exists() and source.resolve() == target.resolve():
        raise StoreError(
            f"{source} is the database itself; choose a backup (the backups folder is "
            f"{backups_dir(target)})."
        )
    log.info("Restore requested from %s", source.name)
    source_key = _backup_key(source, target, source_key)
    existed = target.exists() and target.stat().st_size > 0
    want = (key_for_file(target) if is_encrypted_file(target) else None) if existed else source_key
    staging = target.with_name(target.name + ".restoring")
    _remove_sqlite_files(staging)
    try:
        _step(progress, 0, 4)
        _copy_in(source, staging, source_key, want)
        _step(progress, 1, 4)
        revision, upgraded = _check_and_upgrade(staging, source)
        _match_page_size(staging, target)
        _step(progress, 2, 4)
        kept = _keep_current(target)
        _step(progress, 3, 4)
        _write_into(staging, target, progress)
        if want is not None and not existed:
            remember_key(target, want)
    finally:
        _remove_sqlite_files(staging)
        drop_key(staging)
    log.info(
        "Restored %s (schema %s%s); the previous database is kept as %s",
        source.name,
        revision,
        ", upgraded" if upgraded else "",
        kept.name if kept else "nothing (there was none)",
    )
    return RestoreOutcome(target, source, kept, revision, upgraded)


def _step(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress(done, total) is False:
        raise Cancelled("Restore cancelled; the database was not changed.")


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def check_backup_key(source: str | os.PathLike, key: bytes) -> bytes:
    """``key`` if it opens the encrypted backup ``source``; WrongKey (a sentence) if not.
    For a backup made under an earlier key, or on another computer."""
    source = Path(source)
    check_key(source, key, source.name)
    return key


def _backup_key(source: Path, target: Path, given: bytes | None) -> bytes | None:
    """The key that opens an encrypted backup (None for a plain one)."""
    if not is_encrypted_file(source):
        return None
    for key in (given, remembered_key(target)):
        if key is None:
            continue
        try:
            check_key(source, key, source)
            return key
        except WrongKey:
            continue
    if given is not None:
        raise WrongKey(wrong_key_sentence(source))
    # Made under another key (before the key was changed, or on another computer).
    raise KeyNeeded(source)


def _copy_in(source: Path, staging: Path, source_key=None, want=None) -> None:
    """Copy the chosen file beside the database, without writing next to it."""
    try:
        if source_key is not None or want is not None:
            # Encrypted on either side: SQLCipher writes the copy under the
            # database's own key (or none), reading the backup's WAL if any.
            export_copy(source, source_key, staging, want, source_read_only=True)
            if want is not None:
                hold_key(staging, want)
        elif Path(f"{source}-wal").exists():
            # Its program may still have changes in the write-ahead log: read it
            # through SQLite so they are included.
            with _connect(f"file:{source}?mode=ro", uri=True) as src:
                dst = sqlite3.connect(staging)
                try:
                    src.backup(dst)
                finally:
                    dst.close()
        else:
            # A closed database (every backup Outreach writes) is one file.
            shutil.copyfile(source, staging)
    except _db_errors() as exc:
        raise _not_outreach(source) from exc
    except OSError as exc:
        raise StoreError(
            f"Cannot read {source} or write beside the database: {exc.strerror or exc}. "
            "Check the file and that there is free space."
        ) from exc


def _db_errors() -> tuple:
    return (sqlite3.DatabaseError, *driver_errors())


class _connect:
    """sqlite3.connect as a context manager that closes (sqlite3's own only commits);
    an encrypted file is opened with SQLCipher and the key this run holds for it."""

    def __init__(self, database, **kwargs):
        path = str(database).removeprefix("file:").split("?")[0]
        if is_encrypted_file(path):
            from ..encryption import connect

            self.conn = connect(database, key_for_file(path), **kwargs)
        else:
            self.conn = sqlite3.connect(database, **kwargs)

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *exc) -> None:
        self.conn.close()


def _not_outreach(source: Path) -> StoreError:
    return StoreError(
        f"{source} is not an Outreach database, or it is damaged; nothing was changed. "
        "Choose another backup (the backups folder keeps one per day)."
    )


def _check_and_upgrade(staging: Path, source: Path) -> tuple[str, bool]:
    try:
        with _connect(staging, isolation_level=None) as conn:
            integrity = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
            has_version = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
            revision = (
                conn.execute("SELECT version_num FROM alembic_version").fetchone()
                if has_version
                else None
            )
    except _db_errors() as exc:
        raise _not_outreach(source) from exc
    if integrity != ["ok"]:
        raise StoreError(
            f"{source} is damaged (SQLite's integrity check failed); nothing was changed. "
            "Choose another backup."
        )
    if not revision or not revision[0]:
        raise _not_outreach(source)
    revision = revision[0]

    from ..errors import DatabaseNewerError, MigrationFailed
    from ..migrate import check_openable, migrate_to
    from ..migrations import HEAD_REVISION

    store = Store(f"sqlite:///{staging}", remembered_key(staging))
    try:
        try:
            check_openable(store)
        except DatabaseNewerError:
            raise StoreError(
                f"{source} was written by a newer version of Outreach (schema {revision}; "
                f"this version understands up to {HEAD_REVISION}). Install the newer "
                "Outreach to restore it; nothing was changed."
            ) from None
        if revision == HEAD_REVISION:
            return revision, False
        # No backup of the staging copy: the chosen file itself stays untouched.
        try:
            migrate_to(store, "head")
        except MigrationFailed as exc:
            raise StoreError(
                f"{source} (schema {revision}) could not be brought up to this version "
                "of Outreach; nothing was changed. Choose another backup, or send the "
                "log to support."
            ) from exc
        log.info("Restore: the chosen backup was upgraded from schema %s", revision)
        return revision, True
    finally:
        store.dispose()


def _page_size(path: Path) -> int | None:
    if not path.exists():
        return None
    try:
        with _connect(path) as conn:
            return conn.execute("PRAGMA page_size").fetchone()[0]
    except _db_errors():
        return None


def _match_page_size(staging: Path, target: Path) -> None:
    # SQLite's backup API cannot write into a WAL database with another page size.
    wanted = _page_size(target)
    if wanted is None or wanted == _page_size(staging):
        return
    with _connect(staging, isolation_level=None) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute(f"PRAGMA page_size={int(wanted)}")
        conn.execute("VACUUM")


def _keep_current(target: Path) -> Path | None:
    if not target.exists():
        return None
    try:
        return backup_before(target, BEFORE_RESTORE)
    except StoreError:
        if not _damaged(target):
            raise
    # SQLite cannot read a damaged database to copy it: keep its bytes instead.
    dest = backup_name(target, BEFORE_RESTORE)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(target, dest)
    wal = Path(f"{target}-wal")
    if wal.exists():
        shutil.copyfile(wal, f"{dest}-wal")
    log.info("Kept the damaged database's bytes as %s", dest.name)
    return dest


def _damaged(path: Path) -> bool:
    try:
        with _connect(f"file:{path}?mode=ro", uri=True) as conn:
            return conn.execute("PRAGMA quick_check").fetchone()[0] != "ok"
    except _db_errors():
        return True


def _write_into(staging: Path, target: Path, progress: Progress | None) -> None:
    """Write the staging copy into the live database in one SQLite transaction."""
    if not target.exists():
        _replace_file(staging, target)
        return

    def step(_status, remaining: int, total: int) -> None:
        # Raising here makes SQLite abandon the copy and roll the database back.
        _step(progress, 3 * total + (total - remaining), 4 * total)

    try:
        with (
            _connect(staging) as src,
            _connect(target, timeout=BUSY_TIMEOUT_MS / 1000) as dst,
        ):
            dst.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            src.backup(dst, pages=RESTORE_PAGES_PER_STEP, progress=step)
    except _db_errors() as exc:
        if _damaged(target):
            _replace_file(staging, target)
            return
        raise StoreError(
            f"Could not write the backup into {target} ({exc}); it was left as it was. "
            "Close other Outreach windows and commands, then try again."
        ) from exc


def _replace_file(staging: Path, target: Path) -> None:
    """For a missing or damaged database: swap the file itself (it was kept first)."""
    # The old write-ahead log must go before the new file arrives: SQLite would
    # otherwise replay the old database's pages into the new one.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with _connect(staging, isolation_level=None) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to move
    os.replace(staging, target)


def restore_file_info(path: Path) -> str:
    """A line about a chosen file for the question asked before restoring."""
    stat = path.stat()
    when = datetime.fromtimestamp(stat.st_mtime).strftime("%Y-%m-%d %H:%M")
    return f"{path.name} ({human_size(stat.st_size)}, saved {when})"


__all__ = [
    "BackupFile",
    "RestoreOutcome",
    "SERVER_SENTENCE",
    "back_up_now",
    "backups_of",
    "daily_backup_if_due",
    "daily_backup_warning",
    "folder_of",
    "human_size",
    "require_sqlite",
    "restore_database",
    "restore_file_info",
]
