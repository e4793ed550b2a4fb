"""File > Connect to a practice server: the connection test runs off the GUI
thread and says what went wrong in a sentence; the password goes to the
keychain and only the password-free URL to QSettings."""

from __future__ import annotations

import os
import socket

import pytest
from memory_keyring import keychain_fixture  # noqa: F401 (the keychain fixture)
from PySide6.QtCore import QSettings
from sqlalchemy.engine import make_url

from outreach import secrets
from outreach.server_login import password_name
from outreach.store import Store
from outreach.ui.server_dialog import SETTINGS_KEY, ServerDialog, saved_server_url, startup_db


def _closed_port() -> int:
    # A port nothing listens on: bound, then closed, on this computer only.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fill(dialog, host, port, database, user, password=""):
    dialog.host.setText(host)
    dialog.port.setValue(port)
    dialog.database.setText(database)
    dialog.user.setText(user)
    dialog.password.setText(password)


def test_an_unreachable_server_is_said_in_a_sentence(qtbot):
    dialog = ServerDialog()
    qtbot.addWidget(dialog)
    port = _closed_port()
    _fill(dialog, "127.0.0.1", port, "outreach", "desk1", "secret")
    # Waiting on the sentence, not the task's signal: a refused connection can
    # report from the worker before a signal wait is connected, and be missed.
    assert dialog.test() is not None
    assert not dialog.test_button.isEnabled()  # one test at a time
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15000)
    assert dialog.status.text().startswith(f"Nothing answers at 127.0.0.1:{port}")
    assert "secret" not in dialog.status.text()
    assert dialog.test_button.isEnabled()


def test_missing_fields_are_shown_beside_them(qtbot):
    dialog = ServerDialog()
    qtbot.addWidget(dialog)
    assert dialog.test() is None
    assert dialog.form.error_text("host") == "Is required."


def test_use_keeps_the_password_in_the_keychain_and_the_url_without_it(
    qtbot, keychain, _no_blocking_message_boxes
):
    dialog = ServerDialog()
    qtbot.addWidget(dialog)
    _fill(dialog, "db.practice.local", 5433, "outreach", "desk1", "s3cret!")
    dialog.use()
    url = saved_server_url()
    assert url == "postgresql+psycopg://desk1@db.practice.local:5433/outreach"
    assert "s3cret" not in str(QSettings().value(SETTINGS_KEY))
    assert secrets.get_secret(password_name(url)) == "s3cret!"
    assert ("Outreach", password_name(url)) in keychain.entries
    assert "next start" in _no_blocking_message_boxes[-1][1][2]
    # The app opens it from the next start (unless --db or $OUTREACH_DB says otherwise).
    assert startup_db(None) == url and startup_db("other.db") == "other.db"
    again = ServerDialog()
    qtbot.addWidget(again)
    assert again.host.text() == "db.practice.local" and again.port.value() == 5433
    assert again.password.text() == "" and "keychain" in again.password.placeholderText()
    again.use_local()
    assert saved_server_url() is None


def test_the_engine_takes_the_password_from_the_keychain(keychain, monkeypatch):
    import psycopg

    url = "postgresql+psycopg://desk1@127.0.0.1:5999/outreach"
    secrets.set_secret(password_name(url), "from-keychain")
    seen = {}

    class Stop(Exception):
        pass

    def fake_connect(*args, **kwargs):
        seen.update(kwargs)
        raise Stop

    monkeypatch.setattr(psycopg, "connect", fake_connect)
    store = Store(url)
    try:
        with pytest.raises(Stop), store.engine.connect():
            pass
        assert seen["password"] == "from-keychain"
        assert "from-keychain" not in store.display_name
    finally:
        store.dispose()


@pytest.mark.postgresql
@pytest.mark.skipif(not os.environ.get("OUTREACH_TEST_PG_URL"), reason="needs a PostgreSQL server")
def test_a_reachable_server_says_what_it_holds(qtbot, pg_url):
    server = make_url(pg_url)
    dialog = ServerDialog()
    qtbot.addWidget(dialog)
    _fill(dialog, server.host, server.port, server.database, server.username, "")
    assert dialog.test() is not None
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15000)
    assert dialog.status.text().startswith("Connected to PostgreSQL")
    assert "Outreach database" in dialog.status.text()
