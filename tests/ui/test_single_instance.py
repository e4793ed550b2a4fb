"""One app per database: a second launch on the same database brings the first
window forward and exits 0 without opening the database; a crashed first
instance does not block the next launch; other databases are unaffected."""

from __future__ import annotations

import subprocess
import sys

import pytest

from outreach.store import resolve_url
from outreach.ui.single_instance import SingleInstance, server_name


@pytest.fixture
def first(db_path):
    instance = SingleInstance(resolve_url(db_path))
    assert instance.acquire()
    yield instance
    instance.release()


def test_a_second_launch_brings_the_first_window_forward(qtbot, first, db_path):
    raised = []
    first.activated.connect(lambda: raised.append(True))
    # The real entry point, as a desktop shortcut would start it.
    proc = subprocess.Popen(
        [sys.executable, "-m", "outreach.cli", "--db", str(db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        qtbot.waitUntil(lambda: bool(raised) and proc.poll() is not None, timeout=30_000)
    finally:
        if proc.poll() is None:
            proc.kill()
        out, err = proc.communicate()
    assert proc.returncode == 0, err.decode()
    # The second launch never opened (here: never created) the database.
    assert not db_path.exists()
    assert not (db_path.parent / "backups").exists()


def test_another_database_is_not_affected(first, tmp_path):
    other = SingleInstance(resolve_url(tmp_path / "other.db"))
    try:
        assert other.acquire()
    finally:
        other.release()
    assert server_name(resolve_url(tmp_path / "other.db")) != first.name


def test_the_same_database_is_refused_while_held(first, db_path):
    assert not SingleInstance(resolve_url(db_path)).acquire()


CRASHING_FIRST = """
import os, signal, sys
from PySide6.QtCore import QCoreApplication
from outreach.ui.single_instance import SingleInstance

app = QCoreApplication([])
assert SingleInstance(sys.argv[1]).acquire()
os.kill(os.getpid(), signal.SIGKILL)  # a crash: the lock file and socket stay behind
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_crashed_first_instance_is_taken_over(qtbot, db_path):
    url = resolve_url(db_path)
    crashed = subprocess.run([sys.executable, "-c", CRASHING_FIRST, url], timeout=60)
    assert crashed.returncode < 0
    instance = SingleInstance(url)
    try:
        assert instance.acquire()  # the stale lock and socket are taken over
        raised = []
        instance.activated.connect(lambda: raised.append(True))
        proc = subprocess.Popen(
            [sys.executable, "-m", "outreach.cli", "--db", str(db_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        qtbot.waitUntil(lambda: bool(raised) and proc.poll() is not None, timeout=30_000)
        proc.communicate()
        assert proc.returncode == 0
    finally:
        instance.release()
