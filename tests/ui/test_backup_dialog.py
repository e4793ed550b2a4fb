"""The Backups dialog: the list, Back up now, restore (asked first, off the GUI
thread), staff cannot restore, and the File menu opens it."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from memory_keyring import keychain_fixture  # noqa: F401 (the keychain fixture)

from outreach import encryption
from outreach.backup import backup_before
from outreach.context import Actor
from outreach.services import backups as svc
from outreach.services import communities as com
from outreach.ui import backup_dialog, confirm, file_dialogs
from outreach.ui.backup_dialog import BackupDialog


def _names(db_path):
    with closing(sqlite3.connect(db_path)) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM communities ORDER BY name")]


def _add(store, actor, name):
    com.create_community(store, actor, com.CommunityData(name=name, platform="forum"))


def test_lists_backups_and_backs_up_now(qtbot, store, actor, db_path):
    backup_before(db_path, "daily")
    backup_before(db_path, "before-head")
    dialog = BackupDialog(store, actor)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 2
    kinds = {dialog.table.item(r, 1).text() for r in range(2)}
    assert kinds == {"Daily", "Before a database upgrade"}
    assert str(db_path.parent / "backups") in dialog.folder_label.text()
    assert "14 daily" in dialog.intro.text() and "12 months" in dialog.intro.text()
    dialog.backup_button.click()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3, timeout=10_000)
    assert "Backed up to" in dialog.status.text()
    assert dialog.selected() is not None and dialog.selected().reason == "manual"


def test_restore_selected_asks_then_restores(qtbot, store, actor, db_path, monkeypatch):
    _add(store, actor, "before")
    svc.back_up_now(store)
    _add(store, actor, "after")
    dialog = BackupDialog(store, actor)
    qtbot.addWidget(dialog)
    questions = []
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: questions.append(a[2]) or False)
    dialog.table.selectRow(0)
    dialog.restore_button.click()
    assert questions and "backed up first" in questions[0] and str(db_path) in questions[0]
    assert _names(db_path) == ["after", "before"]  # declined: nothing changed

    monkeypatch.setattr(confirm, "ask", lambda *a, **k: True)
    dialog.restore_button.click()
    qtbot.waitUntil(lambda: dialog.restored is not None, timeout=10_000)
    assert _names(db_path) == ["before"]
    assert dialog.restored.kept_as.exists()


def test_restore_from_file_reports_a_bad_file(
    qtbot, store, actor, tmp_path, monkeypatch, _no_blocking_message_boxes
):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + b"not a database" * 500)
    monkeypatch.setattr(file_dialogs, "ask_open_file", lambda *a, **k: str(junk))
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: True)
    dialog = BackupDialog(store, actor)
    qtbot.addWidget(dialog)
    dialog.restore_file_button.click()
    qtbot.waitUntil(lambda: bool(_no_blocking_message_boxes), timeout=10_000)
    kind, args = _no_blocking_message_boxes[-1]
    assert kind == "warning" and "not an Outreach database" in args[2]
    assert dialog.restored is None


def test_staff_cannot_restore(qtbot, store, db_path):
    backup_before(db_path, "daily")
    dialog = BackupDialog(store, Actor(name="Sam", role="staff"))
    qtbot.addWidget(dialog)
    dialog.table.selectRow(0)
    assert dialog.backup_button.isEnabled()
    assert not dialog.restore_button.isEnabled() and not dialog.restore_file_button.isEnabled()
    assert "Only the practitioner" in dialog.status.text()


def test_file_menu_opens_backups(qtbot, store, actor, monkeypatch):
    from outreach.ui.main_window import MainWindow

    window = MainWindow(store, actor)
    qtbot.addWidget(window)
    opened = []
    monkeypatch.setattr(BackupDialog, "exec", lambda self: opened.append(self) or 0)
    file_menu = window.menuBar().actions()[0].menu()
    action = next(a for a in file_menu.actions() if a.text() == "&Backups...")
    action.trigger()
    assert opened and opened[0].store is store
    qtbot.waitUntil(lambda: not window.dashboard.busy)  # its figures, before teardown
    assert backup_dialog.show_backups  # the hook the menu uses


def test_after_a_restore_the_app_reopens_its_window(qtbot, store, actor, db_path, monkeypatch):
    import shiboken6

    from outreach.services.profile import mark_welcome_done
    from outreach.store import resolve_url
    from outreach.ui import application

    mark_welcome_done(store, actor)
    _add(store, actor, "before")
    svc.back_up_now(store)
    _add(store, actor, "after")
    running = application._Running(store, resolve_url(db_path), actor)
    monkeypatch.setattr(application, "_running", running)
    running.open()
    old = running.window  # not given to qtbot: the reopen deletes it
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: True)
    monkeypatch.setattr(BackupDialog, "exec", lambda self: 0)
    dialog = BackupDialog(old.store, old.actor, parent=old)
    dialog.table.selectRow(0)
    dialog.restore_button.click()
    qtbot.waitUntil(lambda: running.window is not old, timeout=10_000)
    new = running.window
    qtbot.addWidget(new)
    qtbot.waitUntil(lambda: not shiboken6.isValid(old), timeout=10_000)  # closed and deleted
    assert new.isVisible()
    assert new.store is not store and running.store is new.store
    names = [c.name for c in com.list_communities(new.store, com.CommunityQuery()).rows]
    assert names == ["before"]
    new.store.dispose()


@pytest.mark.skipif(not encryption.available(), reason="SQLCipher is not installed here")
def test_a_backup_made_under_an_earlier_key_asks_for_its_recovery_key(
    qtbot, keychain, db_path, monkeypatch
):
    from outreach.context import PRACTITIONER
    from outreach.encryption import WrongKey, parse_recovery_key
    from outreach.store import open_store
    from outreach.ui import recovery_dialog

    store = open_store(db_path, encrypt_new=True)
    old_key = store.encryption.new_recovery_key
    _add(store, PRACTITIONER, "before")
    backup = svc.back_up_now(store)
    new_key = encryption.change_key(store, PRACTITIONER).recovery_key  # the backup keeps the old
    _add(store, PRACTITIONER, "after")
    asked = []

    def type_keys(parent, database, attempt, intro=""):
        asked.append(intro)
        with pytest.raises(WrongKey, match="does not open"):
            attempt(parse_recovery_key(new_key))  # this database's key: refused, said
        return attempt(parse_recovery_key(old_key))

    monkeypatch.setattr(recovery_dialog, "ask_recovery_key", type_keys)
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: True)
    monkeypatch.setattr(file_dialogs, "ask_open_file", lambda *a, **k: str(backup))
    dialog = BackupDialog(store, PRACTITIONER)
    qtbot.addWidget(dialog)
    dialog.restore_file_button.click()
    qtbot.waitUntil(lambda: dialog.restored is not None, timeout=20_000)
    assert len(asked) == 1 and "made before the key was changed" in asked[0]
    store.dispose()
    store = open_store(db_path)  # still this database's (new) key, from the keychain
    try:
        names = sorted(c.name for c in com.list_communities(store).rows)
    finally:
        store.dispose()
    assert names == ["before"]


def test_cancelling_the_recovery_key_changes_nothing(qtbot, store, actor, db_path, monkeypatch):
    from outreach.encryption import KeyNeeded
    from outreach.ui import recovery_dialog

    _add(store, actor, "before")
    backup = svc.back_up_now(store)
    _add(store, actor, "after")

    def needs_a_key(*_a, **_k):
        raise KeyNeeded(backup)

    monkeypatch.setattr(svc, "restore_database", needs_a_key)
    monkeypatch.setattr(recovery_dialog, "ask_recovery_key", lambda *a, **k: None)
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: True)
    monkeypatch.setattr(file_dialogs, "ask_open_file", lambda *a, **k: str(backup))
    dialog = BackupDialog(store, actor)
    qtbot.addWidget(dialog)
    dialog.restore_file_button.click()
    qtbot.waitUntil(lambda: "cancelled" in dialog.status.text(), timeout=10_000)
    assert _names(db_path) == ["after", "before"] and dialog.restored is None
