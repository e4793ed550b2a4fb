"""Backups: the daily copy and its retention, a consistent copy while another
connection writes, restore with every check on the chosen file, and the CLI."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from outreach.backup import BackupFile, backup_before, list_backups, to_prune
from outreach.cli import main
from outreach.context import Actor
from outreach.errors import StoreError
from outreach.migrations import HEAD_REVISION
from outreach.services import backups as svc
from outreach.services import communities as com
from outreach.services.common import PermissionDenied
from outreach.services.profile import set_setting
from outreach.store import open_store

FIXTURES = Path(__file__).parent / "fixtures"


def _count(path: Path, table: str = "communities") -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def _add(store, actor, name: str) -> None:
    com.create_community(store, actor, com.CommunityData(name=name, platform="forum"))


def _fake_daily(db_path: Path, when: datetime) -> Path:
    folder = db_path.parent / "backups"
    folder.mkdir(exist_ok=True)
    path = folder / f"{db_path.stem}-{when:%Y%m%d-%H%M%S}-daily.db"
    path.write_bytes(b"")
    return path


# -- retention -------------------------------------------------------------------


def _backup(when: datetime, reason: str = "daily") -> BackupFile:
    return BackupFile(Path(f"/b/x-{when:%Y%m%d-%H%M%S}-{reason}.db"), when, reason, 1)


def test_retention_keeps_recent_days_and_the_first_of_each_month():
    start = datetime(2024, 1, 1, 9)
    daily = [_backup(start + timedelta(days=i)) for i in range(400)]
    others = [
        _backup(start, "manual"),
        _backup(start, "before-head"),
        _backup(start, "before-restore"),
    ]
    pruned = {b.path for b in to_prune(daily + others, keep_daily=14, keep_monthly=12)}
    kept = [b for b in daily if b.path not in pruned]
    newest = sorted(daily, key=lambda b: b.taken_at)[-14:]
    assert all(b in kept for b in newest)
    monthly = [b for b in kept if b not in newest]
    assert len(monthly) == 12 - 1 or len(monthly) == 12  # this month's first may be in the 14
    assert all(b.taken_at.day == 1 for b in monthly)
    assert len({(b.taken_at.year, b.taken_at.month) for b in kept}) == 12
    assert not pruned & {b.path for b in others}  # manual and before-* are never pruned


def test_names_are_parsed_with_their_reason(db_path):
    folder = db_path.parent / "backups"
    folder.mkdir()
    for name in (
        "outreach-20250101-090000-daily.db",
        "outreach-20250101-090000-manual-2.db",
        "outreach-20250101-090000-before-0003.db",
        "outreach-20250101-090000-before-head-3.db",
        "outreach-old-20250101-090000-daily.db",  # another database's backup
        "outreach-20250101-090000-daily.db.partial",
        "notes.txt",
    ):
        (folder / name).write_bytes(b"x")
    reasons = sorted(b.reason for b in list_backups(db_path))
    assert reasons == ["before-0003", "before-head", "daily", "manual"]


# -- the daily backup ------------------------------------------------------------


def test_daily_backup_once_a_day_then_retention(store, actor, db_path):
    _add(store, actor, "r/sleep")
    first = svc.daily_backup_if_due(store)
    assert first is not None and _count(first) == 1
    assert svc.daily_backup_if_due(store) is None  # the second start today: one listing
    manual = backup_before(db_path, "manual")
    for days in range(1, 40):
        _fake_daily(db_path, datetime.now() - timedelta(days=days))
    set_setting(store, actor, "backup_keep_daily", "5")
    set_setting(store, actor, "backup_keep_monthly", "2")
    tomorrow = date.today() + timedelta(days=1)
    assert svc.daily_backup_if_due(store, today=tomorrow) is not None
    backups = list_backups(db_path)
    daily = [b for b in backups if b.is_daily]
    months = {(b.taken_at.year, b.taken_at.month) for b in daily}
    assert 5 <= len(daily) <= 5 + 2 and len(months) <= 2 + 1
    assert manual.exists()


def test_no_daily_backup_for_a_server_database():
    class Server:
        path = None

    assert svc.daily_backup_if_due(Server()) is None
    with pytest.raises(StoreError, match="server's own tools"):
        svc.require_sqlite("postgresql+psycopg://u@h/outreach")


def test_a_backup_is_consistent_while_another_connection_writes(store, actor, db_path):
    _add(store, actor, "committed")
    writer = sqlite3.connect(db_path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO communities (name, platform, status, created_at, updated_at) "
            "VALUES ('uncommitted', 'forum', 'active', '2025-01-01', '2025-01-01')"
        )
        copy = svc.back_up_now(store)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        names = [r[0] for r in conn.execute("SELECT name FROM communities")]
    assert names == ["committed"]


# -- restore ---------------------------------------------------------------------


def test_restore_round_trip_keeps_the_current_database(store, actor, db_path):
    _add(store, actor, "before")
    backup = svc.back_up_now(store)
    _add(store, actor, "after")
    outcome = svc.restore_database(db_path, backup, actor)
    # The open store sees the restored data like any other commit.
    assert [c.name for c in com.list_communities(store, com.CommunityQuery()).rows] == ["before"]
    assert outcome.kept_as is not None and _count(outcome.kept_as) == 2
    assert outcome.kept_as.name.endswith("-before-restore.db")
    assert not outcome.upgraded and outcome.revision_before == HEAD_REVISION
    assert not list(db_path.parent.glob("*.restoring*"))
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _unchanged_after(db_path, store, actor, source, match):
    before = _count(db_path)
    with pytest.raises(StoreError, match=match):
        svc.restore_database(db_path, source, actor)
    assert _count(db_path) == before
    assert not [b for b in list_backups(db_path) if b.reason == "before-restore"]
    assert not list(db_path.parent.glob("*.restoring*"))


def test_restore_refuses_a_file_that_is_not_sqlite(store, actor, db_path, tmp_path):
    _add(store, actor, "kept")
    junk = tmp_path / "junk.db"
    # SQLite's header, then nonsense (a file without the header may be an
    # encrypted database, which has its own sentence).
    junk.write_bytes(b"SQLite format 3\x00" + b"this is not a database" * 200)
    _unchanged_after(db_path, store, actor, junk, "not an Outreach database")


def test_restore_refuses_a_damaged_file(store, actor, db_path, tmp_path):
    _add(store, actor, "kept")
    for i in range(200):
        _add(store, actor, f"community {i}")
    damaged = svc.back_up_now(store, tmp_path / "damaged.db")
    data = bytearray(damaged.read_bytes())
    page = 4096
    for offset in range(3 * page + 8, len(data) - page, page):  # scribble over b-tree pages
        data[offset : offset + 64] = b"\xff" * 64
    damaged.write_bytes(bytes(data))
    _unchanged_after(db_path, store, actor, damaged, "damaged|not an Outreach database")


def test_restore_refuses_a_foreign_sqlite_file(store, actor, db_path, tmp_path):
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE notes (x)")
        conn.commit()
    _unchanged_after(db_path, store, actor, other, "not an Outreach database")


def test_restore_refuses_a_newer_database(store, actor, db_path, tmp_path):
    newer = svc.back_up_now(store, tmp_path / "newer.db")
    with closing(sqlite3.connect(newer)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
        conn.commit()
    _unchanged_after(db_path, store, actor, newer, "newer version of Outreach")


def test_restore_upgrades_an_older_backup(store, actor, db_path, tmp_path):
    old = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "schema_0001_initial.db", old)
    before = old.read_bytes()
    outcome = svc.restore_database(db_path, old, actor)
    assert outcome.upgraded and outcome.revision_before == "0001_initial"
    assert old.read_bytes() == before  # the chosen file is never written
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
            HEAD_REVISION
        )
    assert _count(db_path) == _count(old)


def test_only_the_owner_restores(store, db_path, tmp_path):
    backup = svc.back_up_now(store)
    with pytest.raises(PermissionDenied, match="Only the practitioner"):
        svc.restore_database(db_path, backup, Actor(name="Sam", role="staff"))


def test_restore_replaces_a_damaged_database(tmp_path, actor):
    good_path = tmp_path / "good.db"
    good = open_store(good_path)
    _add(good, actor, "good")
    good.dispose()
    target = tmp_path / "broken.db"
    broken = open_store(target)
    for i in range(300):
        _add(broken, actor, f"community {i}")
    broken.dispose()
    data = bytearray(target.read_bytes())
    for offset in range(4096 + 8, len(data), 4096):  # every page but the header's
        data[offset : offset + 256] = b"\xee" * 256
    target.write_bytes(bytes(data))
    damaged = bytes(data)
    outcome = svc.restore_database(target, good_path, actor)
    with closing(sqlite3.connect(target)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _count(target) == 1
    # The damaged database is kept too (page for page), in case something can be saved.
    assert outcome.kept_as is not None and outcome.kept_as.stat().st_size == len(damaged)


def test_restoring_the_database_onto_itself_is_refused(store, actor, db_path):
    with pytest.raises(StoreError, match="the database itself"):
        svc.restore_database(db_path, db_path, actor)


# -- the command line ------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_backup_list_and_restore(capsys, db_path, monkeypatch):
    db = str(db_path)
    assert run(capsys, "settings", "set", "practitioner_name", "Before", "--db", db)[0] == 0
    code, out, _ = run(capsys, "backup", "--db", db)
    assert code == 0
    manual = Path(out.strip().removeprefix("Backed up to "))
    code, out, _ = run(capsys, "backup", "--list", "--db", db)
    assert code == 0 and "Backed up by hand" in out and "Daily" in out and str(manual) in out
    assert run(capsys, "settings", "set", "practitioner_name", "After", "--db", db)[0] == 0

    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = run(capsys, "restore", str(manual), "--db", db)
    assert code == 2 and "--yes" in err

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "n")
    code, _, err = run(capsys, "restore", str(manual), "--db", db)
    assert code == 1 and "Nothing was changed" in err
    assert asked and "The current database is backed up first. [y/N]" in asked[0]
    assert str(db_path) in asked[0] and str(manual) in asked[0]

    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    code, out, err = run(capsys, "restore", str(manual), "--db", db)
    assert code == 0, err
    assert "Restored" in out and "before-restore" in out
    assert run(capsys, "settings", "get", "practitioner_name", "--db", db)[1].strip() == "Before"


def test_cli_restore_of_a_missing_file_and_a_server(capsys, db_path):
    code, _, err = run(capsys, "restore", "nothing.db", "--yes", "--db", str(db_path))
    assert code == 2 and "There is no file" in err
    code, _, err = run(capsys, "restore", "x.db", "--yes", "--db", "postgresql+psycopg://u@h/o")
    assert code == 1 and "server's own tools" in err
