"""Users and sign-in: the first password makes the practitioner's account; then
accounts are added, their roles changed, deactivated (after asking) and reset."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog

from outreach.context import PRACTITIONER, Actor
from outreach.services import auth
from outreach.services.profile import get_profile
from outreach.ui import confirm
from outreach.ui.main_window import MainWindow
from outreach.ui.users_dialog import AccountDialog, PasswordDialog, UsersDialog

PASSWORD = "correct horse"


def _fill(dialog, username, name, password=PASSWORD, repeat=None, role=None):
    dialog.username.setText(username)
    dialog.name.setText(name)
    if role:
        dialog.role.setCurrentIndex(dialog.role.findData(role))
    dialog.passwords.password.setText(password)
    dialog.passwords.repeat.setText(password if repeat is None else repeat)
    dialog.save()
    return dialog.result()


@pytest.fixture
def owner(store):
    user_id = auth.create_account(store, PRACTITIONER, "maria", PASSWORD, "owner", "Dr Maria")
    return next(a.actor for a in auth.list_accounts(store) if a.id == user_id)


def test_a_solo_practice_sets_its_first_password_from_the_main_window(qtbot, store, monkeypatch):
    window = MainWindow(store, PRACTITIONER)
    qtbot.addWidget(window)
    assert not window.lock.available and window.password_action.text() == "Set a &password..."
    seen = {}

    def run_dialog(self):
        seen["solo"] = self.solo.isVisibleTo(self) and not self.table.isVisibleTo(self)
        self.set_first()
        seen["rows"] = self.table.rowCount()
        return 0

    monkeypatch.setattr(
        AccountDialog,
        "exec",
        lambda self: _fill(self, "maria", "Dr Maria") if self.first else 0,
    )
    monkeypatch.setattr(UsersDialog, "exec", run_dialog)
    window.show_users()
    assert seen == {"solo": True, "rows": 1}
    (account,) = auth.list_accounts(store)
    assert account.role == "owner" and account.username == "maria"
    assert window.actor.user_id == account.id and store.actor.user_id == account.id
    assert window.lock.available and window.lock_action.isEnabled()
    assert window.password_action.text() == "Change my &password..."
    assert "Dr Maria" in window.who.text()
    assert "add a password" not in window.settings_page.security.note.text()
    assert auth.sign_in(store, "maria", PASSWORD).user_id == account.id


def test_passwords_must_match_and_the_service_reasons_show_beside_fields(qtbot, store, owner):
    dialog = AccountDialog(store, owner)
    qtbot.addWidget(dialog)
    assert _fill(dialog, "sam", "Sam", repeat="something else") == 0
    assert "not the same" in dialog.form.error_text("repeat")
    assert _fill(dialog, "sam", "Sam", password="short") == 0
    assert "at least 8" in dialog.form.error_text("password")
    assert _fill(dialog, "Maria", "Another") == 0
    assert "taken" in dialog.form.error_text("username")
    assert [a.username for a in auth.list_accounts(store)] == ["maria"]


def test_add_change_role_deactivate_after_asking_and_reset(qtbot, store, owner, monkeypatch):
    dialog = UsersDialog(store, owner)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(AccountDialog, "exec", lambda self: _fill(self, "sam", "Sam Office"))
    dialog.add()
    assert dialog.table.rowCount() == 2
    assert dialog.current_account().username == "sam"
    assert dialog.table.item(dialog.table.currentRow(), 2).text() == "Office staff"
    assert dialog.ask.isChecked() and not dialog.ask.isEnabled()

    monkeypatch.setattr(
        QInputDialog, "getItem", staticmethod(lambda *a: ("Practitioner (owner)", True))
    )
    dialog.change_role()
    sam = next(a for a in auth.list_accounts(store) if a.username == "sam")
    assert sam.role == "owner"

    asked = []
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: asked.append(a[2]) or False)
    dialog.toggle_active()
    assert asked and "Deactivate sam?" in asked[0]
    assert next(a for a in auth.list_accounts(store) if a.username == "sam").active
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: True)
    dialog.toggle_active()
    assert not next(a for a in auth.list_accounts(store) if a.username == "sam").active
    assert dialog.active_button.text() == "R&eactivate"
    dialog.toggle_active()
    assert next(a for a in auth.list_accounts(store) if a.username == "sam").active

    def reset(self):
        self.passwords.password.setText("new password 1")
        self.passwords.repeat.setText("new password 1")
        self.save()
        return self.result()

    monkeypatch.setattr(PasswordDialog, "exec", reset)
    dialog.reset_password()
    assert auth.sign_in(store, "sam", "new password 1").name == "Sam Office"


def test_the_last_owner_is_protected(qtbot, store, owner, monkeypatch, _no_blocking_message_boxes):
    dialog = UsersDialog(store, owner)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: True)
    dialog.toggle_active()
    assert auth.list_accounts(store)[0].active
    kind, args = _no_blocking_message_boxes[-1]
    assert kind == "warning" and "at least one active practitioner" in args[2]


def test_ask_at_start_is_saved(qtbot, store, owner):
    dialog = UsersDialog(store, owner)
    qtbot.addWidget(dialog)
    assert dialog.ask.isEnabled() and not dialog.ask.isChecked()
    dialog.ask.setChecked(True)
    assert get_profile(store).sign_in_required and auth.sign_in_needed(store)


def test_change_my_password_asks_for_the_current_one(qtbot, store, owner):
    dialog = PasswordDialog(store, owner, owner.user_id, "maria")
    qtbot.addWidget(dialog)
    dialog.current.setText("not it at all")
    dialog.passwords.password.setText("brand new pass")
    dialog.passwords.repeat.setText("brand new pass")
    dialog.save()
    assert dialog.result() == 0 and "current password is wrong" in dialog.form.error_text("current")
    dialog.current.setText(PASSWORD)
    dialog.passwords.password.setText("brand new pass")
    dialog.passwords.repeat.setText("brand new pass")
    dialog.save()
    assert dialog.result() == 1
    assert auth.sign_in(store, "maria", "brand new pass").user_id == owner.user_id


def test_staff_cannot_manage_accounts(qtbot, store, owner):
    staff_id = auth.create_account(store, owner, "sam", PASSWORD, "staff", "Sam")
    dialog = UsersDialog(store, Actor("Sam", "staff", staff_id))
    qtbot.addWidget(dialog)
    assert not dialog.add_button.isEnabled() and not dialog.role_button.isEnabled()
    assert "Only the practitioner" in dialog.message.text()
