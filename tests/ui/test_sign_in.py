"""The sign-in dialog: a refusal is a sentence, the password is asked again, and
quitting at sign-in opens no window."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from outreach.context import PRACTITIONER
from outreach.services import auth
from outreach.services.profile import get_profile, save_profile
from outreach.ui.sign_in_dialog import SignInDialog, startup_actor

PASSWORD = "correct horse"


def _owner(store, username="maria"):
    return auth.create_account(store, PRACTITIONER, username, PASSWORD, "owner", "Dr Maria")


def test_wrong_password_says_why_and_asks_again(qtbot, store):
    _owner(store)
    dialog = SignInDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.username, "maria")
    qtbot.keyClicks(dialog.password, "wrong password")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.actor is None
    assert dialog.message.text() == (
        "That username and password do not match; check both and try again."
    )
    assert dialog.message.isVisible()
    assert dialog.password.text() == ""
    qtbot.waitUntil(lambda: dialog.password.hasFocus())
    qtbot.keyClicks(dialog.password, PASSWORD)
    assert dialog.try_sign_in()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor.name == "Dr Maria" and dialog.actor.is_owner


def test_repeated_wrong_passwords_say_how_long_to_wait(qtbot, store):
    _owner(store)
    dialog = SignInDialog(store, username="maria")
    qtbot.addWidget(dialog)
    for _ in range(4):
        dialog.password.setText("nope nope")
        assert not dialog.try_sign_in()
    assert "wait" in dialog.message.text() and "seconds" in dialog.message.text()


def test_escape_at_start_quits_but_not_at_the_lock(qtbot, store):
    _owner(store)
    start = SignInDialog(store)
    qtbot.addWidget(start)
    start.reject()
    assert start.result() == QDialog.DialogCode.Rejected
    lock = SignInDialog(store, username="maria", locked_as=PRACTITIONER)
    qtbot.addWidget(lock)
    lock.show()
    lock.reject()
    assert lock.isVisible()
    assert lock.username.isReadOnly()


def test_start_without_accounts_or_with_one_needs_no_sign_in(qtbot, store, monkeypatch):
    monkeypatch.setattr(SignInDialog, "exec", lambda self: (_ for _ in ()).throw(AssertionError))
    assert startup_actor(store) is PRACTITIONER
    user_id = _owner(store)
    actor = startup_actor(store)
    assert actor.user_id == user_id and actor.name == "Dr Maria"


def test_start_asks_when_the_practice_turned_sign_in_on(qtbot, store, monkeypatch):
    _owner(store)
    save_profile(store, PRACTITIONER, replace(get_profile(store), sign_in_required=True))
    asked = []

    def signs_in(self):
        asked.append(self.windowTitle())
        self.username.setText("maria")
        self.password.setText(PASSWORD)
        self.try_sign_in()
        return self.result()

    monkeypatch.setattr(SignInDialog, "exec", signs_in)
    actor = startup_actor(store)
    assert asked == ["Sign in to Outreach"] and actor.name == "Dr Maria"


def test_a_wrong_password_then_quit_opens_no_window(qtbot, db_path, monkeypatch):
    import sys

    from outreach.store import open_store
    from outreach.ui import application

    setup = open_store(db_path)
    _owner(setup)
    auth.create_account(setup, PRACTITIONER, "sam", PASSWORD, "staff", "Sam")
    setup.dispose()
    seen = []

    def wrong_then_quit(self):
        self.username.setText("sam")
        self.password.setText("not the password")
        self.try_sign_in()
        seen.append(self.message.text())
        self._quit()
        return self.result()

    monkeypatch.setattr(SignInDialog, "exec", wrong_then_quit)
    opened = []
    monkeypatch.setattr(application, "open_main_window", lambda *a, **k: opened.append(a))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run() installs its own
    assert application.run(str(db_path)) == 0
    assert seen == ["That username and password do not match; check both and try again."]
    assert opened == []
