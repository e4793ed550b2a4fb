"""Consistent copies of a live SQLite database, through SQLite's backup API, and
the backups folder: naming, listing and the retention rule.

This module imports only the standard library: the daily check runs on every
start and must cost one directory listing, not an ORM import.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from .encryption import driver_errors, is_encrypted_file, key_for_file
from .errors import StoreError

log = logging.getLogger("outreach.backup")

DAILY = "daily"
MANUAL = "manual"
BEFORE_RESTORE = "before-restore"
# A copy left behind by a process killed while writing it; older than this, it is
# nobody's work in progress.
STALE_PARTIAL = timedelta(hours=1)


def backups_dir(db_path: Path) -> Path:
    return db_path.parent / "backups"


def backup_name(db_path: Path, reason: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = backups_dir(db_path)
    candidate = folder / f"{db_path.stem}-{stamp}-{reason}.db"
    counter = 2
    while candidate.exists():
        candidate = folder / f"{db_path.stem}-{stamp}-{reason}-{counter}.db"
        counter += 1
    return candidate


def backup_sqlite(db_path: Path, dest: Path) -> Path:
    """Copy ``db_path`` to ``dest`` atomically; a failure leaves no partial file."""
    dest = Path(dest)
    if dest.resolve() == Path(db_path).resolve():
        raise StoreError("The backup cannot overwrite the database itself; choose another file.")
    tmp = dest.with_name(dest.name + ".partial")
    # An encrypted database's copy is encrypted with the same key: SQLCipher's
    # connections on both ends (the key is the one this run opened it with).
    key = key_for_file(db_path) if is_encrypted_file(db_path) else None
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        source = _connect(f"file:{db_path}?mode=ro", key, uri=True)
        try:
            target = _connect(tmp, key)
            try:
                # One step (pages=-1): one read transaction, so the copy is a
                # consistent snapshot even while another connection writes.
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        os.replace(tmp, dest)
    except (OSError, sqlite3.Error, *driver_errors()) as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(
            f"Could not write the backup {dest}: {exc}. "
            "Check that the folder exists, is writable and has free space."
        ) from exc
    log.info("Backup written: %s (%d bytes)", dest.name, dest.stat().st_size)
    return dest


def _connect(path, key: bytes | None, **kwargs):
    if key is None:
        return sqlite3.connect(path, **kwargs)
    from .encryption import connect

    return connect(path, key, **kwargs)


def backup_before(db_path: Path, reason: str) -> Path:
    return backup_sqlite(db_path, backup_name(db_path, reason))


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: datetime  # local time, from the file name
    reason: str  # daily, manual, before-restore, before-head (a migration), before-demo...
    size: int

    @property
    def is_daily(self) -> bool:
        return self.reason == DAILY

    @property
    def label(self) -> str:
        return reason_label(self.reason)


def reason_label(reason: str) -> str:
    if reason == DAILY:
        return "Daily"
    if reason == MANUAL:
        return "Backed up by hand"
    if reason == BEFORE_RESTORE:
        return "Before a restore"
    if reason == "before-demo":
        return "Before demo data"
    if reason.startswith("before-"):
        return "Before a database upgrade"
    return reason.replace("-", " ").capitalize()


def _name_pattern(db_path: Path) -> re.Pattern:
    return re.compile(
        rf"^{re.escape(db_path.stem)}-(\d{{8}}-\d{{6}})-([a-z0-9][a-z0-9_-]*?)(?:-(\d+))?\.db$"
    )


def _parse(pattern: re.Pattern, name: str) -> tuple[datetime, str] | None:
    match = pattern.match(name)
    if not match:
        return None
    stamp, reason, counter = match.groups()
    if counter and reason == "before":
        # "before-0003" is a migration target, not "before" with a counter.
        reason = f"before-{counter}"
    try:
        return datetime.strptime(stamp, "%Y%m%d-%H%M%S"), reason
    except ValueError:
        return None


def list_backups(db_path: Path) -> list[BackupFile]:
    """This database's backups in its backups folder, newest first (one listing)."""
    folder = backups_dir(db_path)
    pattern = _name_pattern(db_path)
    found = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    for entry in entries:
        parsed = _parse(pattern, entry.name)
        if parsed is None or not entry.is_file():
            continue
        found.append(BackupFile(Path(entry.path), parsed[0], parsed[1], entry.stat().st_size))
    found.sort(key=lambda b: (b.taken_at, b.path.name), reverse=True)
    return found


def has_daily_for(backups: list[BackupFile], day) -> bool:
    return any(b.is_daily and b.taken_at.date() == day for b in backups)


def to_prune(backups: list[BackupFile], keep_daily: int, keep_monthly: int) -> list[BackupFile]:
    """The daily backups the retention rule lets go.

    Kept: the newest ``keep_daily`` daily backups, and the first daily backup of
    each of the newest ``keep_monthly`` months. Manual, pre-migration and
    pre-restore backups are never pruned here: someone chose to take them or
    they guard a change, so only a person deletes them.
    """
    daily = sorted((b for b in backups if b.is_daily), key=lambda b: b.taken_at, reverse=True)
    keep = {b.path for b in daily[: max(keep_daily, 0)]}
    first_of_month: dict[tuple[int, int], BackupFile] = {}
    for backup in daily:  # newest first, so the last one seen is the month's first
        first_of_month[(backup.taken_at.year, backup.taken_at.month)] = backup
    months = sorted(first_of_month, reverse=True)[: max(keep_monthly, 0)]
    keep.update(first_of_month[month].path for month in months)
    return [b for b in daily if b.path not in keep]


def prune(backups: list[BackupFile], keep_daily: int, keep_monthly: int) -> list[Path]:
    removed = []
    for backup in to_prune(backups, keep_daily, keep_monthly):
        try:
            backup.path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:  # e.g. open in another program on Windows: next time
            log.warning("Could not remove the old backup %s: %s", backup.path.name, exc)
            continue
        removed.append(backup.path)
    if removed:
        log.info("Removed %d old daily backups", len(removed))
    return removed


def remove_stale_partials(db_path: Path, now: datetime | None = None) -> None:
    """Delete half-written copies a killed process left behind."""
    now = now or datetime.now()
    try:
        entries = list(os.scandir(backups_dir(db_path)))
    except FileNotFoundError:
        return
    for entry in entries:
        if not entry.name.endswith(".partial"):
            continue
        try:
            age = now - datetime.fromtimestamp(entry.stat().st_mtime)
            if age > STALE_PARTIAL:
                os.unlink(entry.path)
        except OSError:
            continue
