"""Consistent copies of a live SQLite database, through SQLite's backup API."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from .errors import StoreError


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
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        os.replace(tmp, dest)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(
            f"Could not write the backup {dest}: {exc}. "
            "Check that the folder exists, is writable and has free space."
        ) from exc
    return dest


def backup_before(db_path: Path, reason: str) -> Path:
    return backup_sqlite(db_path, backup_name(db_path, reason))
