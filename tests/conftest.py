"""Every test gets its own data folder and database; nothing touches the user's."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from outreach.context import PRACTITIONER, Actor  # noqa: E402
from outreach.store import open_store  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("OUTREACH_HOME", str(home))
    monkeypatch.delenv("OUTREACH_DB", raising=False)
    return home


@pytest.fixture(autouse=True)
def _no_keychain():
    """No test reaches the user's keychain: there is none unless a test asks for the
    in-memory one (tests/memory_keyring.py), so new databases are plain."""
    import keyring
    from keyring.backends import fail

    from outreach.encryption import forget_this_run

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    forget_this_run()
    yield
    keyring.set_keyring(previous)
    forget_this_run()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "outreach.db"


@pytest.fixture
def store(db_path):
    store = open_store(db_path)
    yield store
    store.dispose()


@pytest.fixture
def actor() -> Actor:
    return PRACTITIONER
