"""Crash safety: a process killed (SIGKILL) in the middle of an import or a
restore leaves an intact database holding exactly the state before or after,
never a mix; and a command-line import racing another writer waits for it
instead of showing "database is locked".

Each child is a real process. Children that must be killed at a known point
print a marker from the service's own progress callback and then wait on
stdin, so the kill lands inside the open transaction; the parent polls for the
marker with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import csv
import os
import selectors
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from outreach.services import backups as backups_svc
from outreach.services import communities as com
from outreach.store import DatabaseBusy, open_store

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and select on pipes are POSIX"),
    pytest.mark.timeout(90),
]

POSTS = 30_000
DEADLINE_S = 60


def _write_posts_csv(path: Path, count: int = POSTS) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["community", "posted_at", "kind", "title", "minutes", "body"])
        for i in range(count):
            writer.writerow(
                [
                    "r/sleep",
                    f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}",
                    "answer",
                    f"Post {i}",
                    5,
                    "Keep the same wake time every day. " * 4,
                ]
            )


def _database_with_a_community(db_path: Path, actor) -> None:
    store = open_store(db_path)
    com.create_community(store, actor, com.CommunityData(name="r/sleep", platform="reddit"))
    store.dispose()


def _state(db_path: Path) -> tuple[str, int]:
    with closing(sqlite3.connect(db_path)) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        posts = conn.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
    return integrity, posts


def _spawn(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_output(proc: subprocess.Popen, marker: bytes) -> None:
    deadline = time.monotonic() + DEADLINE_S
    seen = b""
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while marker not in seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {marker!r} from the child within {DEADLINE_S} s")
            if selector.select(timeout=left):
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    proc.wait()
                    raise AssertionError(
                        f"the child ended ({proc.returncode}) before {marker!r}: "
                        f"{proc.stderr.read().decode(errors='replace')}"
                    )
                seen += chunk


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=DEADLINE_S)
    assert proc.returncode == -signal.SIGKILL
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        stream.close()


IMPORT_CHILD = """
import sys
from outreach.context import PRACTITIONER
from outreach.services.importers import import_file
from outreach.store import open_store

store = open_store(sys.argv[1])

def progress(done, total):
    # The write phase reports total + rows written; stop well inside it.
    if done >= total // 2 + 5000:
        print("MIDDLE", flush=True)
        sys.stdin.read()  # wait, inside the open transaction, for the kill
    return True

import_file(store, PRACTITIONER, "posts", sys.argv[2], progress=progress)
print("FINISHED", flush=True)
"""


def test_import_killed_mid_transaction_leaves_the_state_before(tmp_path, db_path, actor):
    _database_with_a_community(db_path, actor)
    big = tmp_path / "big.csv"
    _write_posts_csv(big)
    proc = _spawn(IMPORT_CHILD, str(db_path), str(big))
    _wait_for_output(proc, b"MIDDLE")
    _kill(proc)
    assert _state(db_path) == ("ok", 0)
    # And the database works on.
    store = open_store(db_path)
    try:
        com.create_community(store, actor, com.CommunityData(name="r/next", platform="forum"))
    finally:
        store.dispose()


def test_cli_import_killed_as_its_log_grows_is_before_or_after(tmp_path, db_path, actor):
    """The real command, no hook: killed once the write-ahead log passes 1 MB."""
    _database_with_a_community(db_path, actor)
    big = tmp_path / "big.csv"
    _write_posts_csv(big)
    wal = Path(f"{db_path}-wal")
    start_size = wal.stat().st_size if wal.exists() else 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "outreach.cli", "import", "posts", str(big), "--db", str(db_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + DEADLINE_S
    while proc.poll() is None:
        if wal.exists() and wal.stat().st_size > start_size + 1_000_000:
            proc.send_signal(signal.SIGKILL)
            break
        assert time.monotonic() < deadline, "the import neither grew the log nor finished"
        time.sleep(0.002)  # a polling interval, not a wait for something to happen
    proc.wait(timeout=DEADLINE_S)
    proc.stderr.close()
    integrity, posts = _state(db_path)
    assert integrity == "ok"
    assert posts in (0, POSTS)


RESTORE_CHILD = """
import sys
from outreach.context import PRACTITIONER
from outreach.services import backups

backups.RESTORE_PAGES_PER_STEP = 8  # many steps, so there is a middle to kill in
steps = []

def progress(done, total):
    # After the checks (3/4 of the total) comes the copy into the database.
    if done > total * 3 // 4:
        steps.append(done)
        if len(steps) == 3:
            print("MIDDLE", flush=True)
            sys.stdin.read()  # wait, inside SQLite's write transaction, for the kill
    return True

backups.restore_database(__import__("pathlib").Path(sys.argv[1]), sys.argv[2], PRACTITIONER, progress)
print("FINISHED", flush=True)
"""


def _two_databases(tmp_path, db_path, actor) -> Path:
    """The live database with 0 posts and a backup with 2,000 posts (distinct sizes)."""
    other_path = tmp_path / "other.db"
    _database_with_a_community(other_path, actor)
    small = tmp_path / "small.csv"
    _write_posts_csv(small, 2000)
    other = open_store(other_path)
    try:
        from outreach.services.importers import import_file

        import_file(other, actor, "posts", small)
        backup = backups_svc.back_up_now(other, tmp_path / "backup.db")
    finally:
        other.dispose()
    _database_with_a_community(db_path, actor)
    return backup


def test_restore_killed_mid_copy_leaves_the_old_database(tmp_path, db_path, actor):
    backup = _two_databases(tmp_path, db_path, actor)
    proc = _spawn(RESTORE_CHILD, str(db_path), str(backup))
    _wait_for_output(proc, b"MIDDLE")
    _kill(proc)
    assert _state(db_path) == ("ok", 0)
    # The next restore of the same file (stale staging copy and all) completes.
    backups_svc.restore_database(db_path, backup, actor)
    assert _state(db_path) == ("ok", 2000)


def test_restore_run_to_the_end_gives_the_new_database(tmp_path, db_path, actor):
    backup = _two_databases(tmp_path, db_path, actor)
    proc = _spawn(RESTORE_CHILD.replace("len(steps) == 3", "False"), str(db_path), str(backup))
    out, err = proc.communicate(timeout=DEADLINE_S)
    assert proc.returncode == 0, err.decode()
    assert b"FINISHED" in out
    assert _state(db_path) == ("ok", 2000)


LOCK_RACE_CHILD = """
import sys
import outreach.store

# Shorter waits than the shipped 5 s, so the test sees a retry quickly.
outreach.store.BUSY_TIMEOUT_MS = 300
from outreach.cli import main

sys.exit(main(["import", "posts", sys.argv[2], "--db", sys.argv[1]]))
"""


def test_cli_import_waits_for_another_writer(tmp_path, db_path, actor):
    _database_with_a_community(db_path, actor)
    small = tmp_path / "small.csv"
    _write_posts_csv(small, 3000)
    log = Path(os.environ["OUTREACH_HOME"]) / "logs" / "outreach.log"
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another connection holds the write lock
    holder.execute("UPDATE communities SET notes = 'held' WHERE name = 'r/sleep'")
    proc = _spawn(LOCK_RACE_CHILD, str(db_path), str(small))
    try:
        deadline = time.monotonic() + DEADLINE_S
        # Release only once the import has waited a full busy timeout and retried.
        while not (log.exists() and "Write lock busy" in log.read_text(encoding="utf-8")):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the import never waited for the lock"
            time.sleep(0.01)  # a polling interval
        holder.execute("COMMIT")
    finally:
        holder.close()
    out, err = proc.communicate(timeout=DEADLINE_S)
    assert proc.returncode == 0, err.decode()
    assert b"locked" not in err.lower() and b"3000 posts were imported" in out
    assert _state(db_path) == ("ok", 3000)


def test_a_write_racing_an_import_gets_a_sentence(db_path, actor):
    _database_with_a_community(db_path, actor)
    store = open_store(db_path)
    holder = sqlite3.connect(db_path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        # A deferred action that reads, then writes: SQLite refuses the upgrade at
        # once; the user gets a sentence, and nothing was changed.
        with pytest.raises(DatabaseBusy) as info:
            com.create_community(store, actor, com.CommunityData(name="r/new", platform="forum"))
        assert "locked" not in str(info.value) and "Nothing was changed" in str(info.value)
        holder.execute("ROLLBACK")
        com.create_community(store, actor, com.CommunityData(name="r/new", platform="forum"))
    finally:
        holder.close()
        store.dispose()
