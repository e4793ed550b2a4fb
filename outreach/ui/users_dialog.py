"""Users and sign-in (practitioner only): the accounts, their roles, passwords,
and whether a one-person practice asks for the password at start."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from outreach.errors import NotFound, OutreachError, ValidationError
from outreach.services import auth
from outreach.services.profile import get_profile, save_profile

from . import confirm
from .formatting import local_datetime
from .forms import ErrorLabel, FieldForm, heading

COLUMNS = ["Username", "Name", "Role", "Active", "Last sign-in"]


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(f"at least {auth.MIN_PASSWORD} characters")
    return edit


def _sentence(exc: OutreachError) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(reason[:1].upper() + reason[1:] for reason in exc.errors.values())
    return str(exc)


class _PasswordFields:
    """New password typed twice, checked to match before the service sees it."""

    def __init__(self, form: FieldForm, first: str = "&Password:", again: str = "Rep&eat:"):
        self.form = form
        self.password = form.add("password", first, _password_edit(), "Password")
        self.repeat = form.add("repeat", again, _password_edit(), "Repeat the password")
        self.repeat.setPlaceholderText("the same password again")

    def value(self) -> str | None:
        if self.password.text() != self.repeat.text():
            self.form.show_errors({"repeat": "is not the same as the password; type both again."})
            self.repeat.clear()
            return None
        return self.password.text()


class AccountDialog(QDialog):
    """A new account: username, name, role and a password typed twice."""

    def __init__(self, store, actor, parent=None, first: bool = False):
        super().__init__(parent)
        self.store, self.actor, self.first = store, actor, first
        self.saved_id: int | None = None
        self.setWindowTitle("Set a password for yourself" if first else "Add a person")
        self.setAccessibleName(self.windowTitle())
        self.form = FieldForm()
        self.username = self.form.add("username", "&Username:", QLineEdit())
        self.username.setMaxLength(100)
        self.username.setPlaceholderText("one word, e.g. maria")
        self.name = self.form.add("display_name", "&Name:", QLineEdit(), "Name")
        self.name.setMaxLength(200)
        self.role = QComboBox()
        for key, label in auth.ROLE_LABELS.items():
            self.role.addItem(label, key)
        self.role.setCurrentIndex(self.role.findData("owner" if first else "staff"))
        self.role.setEnabled(not first)
        if first:
            self.role.setToolTip("The first account is the practitioner's.")
        self.form.add("role", "&Role:", self.role, "Role")
        self.passwords = _PasswordFields(self.form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Save).setAccessibleName("Save account")
        layout = QVBoxLayout(self)
        if first:
            note = QLabel(
                "You become the practitioner (owner) account. Outreach can then lock itself "
                "when you are away, and you can add accounts for your office staff."
            )
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(self.form)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def save(self) -> None:
        password = self.passwords.value()
        if password is None:
            return
        try:
            self.saved_id = auth.create_account(
                self.store,
                self.actor,
                self.username.text(),
                password,
                self.role.currentData(),
                self.name.text(),
            )
        except ValidationError as exc:
            rest = self.form.show_errors(exc.errors)
            if rest:
                QMessageBox.warning(self, self.windowTitle(), "\n".join(rest))
            return
        except OutreachError as exc:
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return
        self.accept()


class PasswordDialog(QDialog):
    """A new password: your own (with the current one), or someone else's (owner)."""

    def __init__(self, store, actor, user_id: int, username: str, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.user_id = store, actor, user_id
        own = actor.user_id == user_id
        self.setWindowTitle("Change my password" if own else f"Reset the password of {username}")
        self.setAccessibleName(self.windowTitle())
        self.form = FieldForm()
        self.current = None
        if own:
            self.current = self.form.add(
                "current", "&Current password:", _password_edit(), "Current password"
            )
            self.current.setPlaceholderText("")
        self.passwords = _PasswordFields(self.form, "&New password:", "Rep&eat:")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Save).setAccessibleName("Save password")
        layout = QVBoxLayout(self)
        if not own:
            note = QLabel(f"Tell {username} the new password; they can change it afterwards.")
            note.setTextFormat(Qt.TextFormat.PlainText)
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(self.form)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def save(self) -> None:
        password = self.passwords.value()
        if password is None:
            return
        current = self.current.text() if self.current is not None else None
        try:
            auth.set_password(self.store, self.actor, self.user_id, password, current)
        except auth.AuthError as exc:
            self.form.show_errors({"current": str(exc)})
            self.current.clear()
            return
        except ValidationError as exc:
            self.form.show_errors(exc.errors)
            return
        except OutreachError as exc:
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return
        self.accept()


class UsersDialog(QDialog):
    def __init__(self, store, actor, parent=None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.first_actor = None  # the practitioner's account, once "set a password" made it
        self.accounts: list[auth.Account] = []
        self.setWindowTitle("Users and sign-in")
        self.setAccessibleName(self.windowTitle())
        intro = QLabel(
            "Each person who uses Outreach has an account. Office staff add and edit contacts, "
            "referrals and payments; only the practitioner confirms compliance checks, changes "
            "settings, deletes posts or communities, and manages accounts."
        )
        intro.setWordWrap(True)

        self.solo = QGroupBox("No one has a password yet")
        solo_text = QLabel(
            "Anyone at this computer can open Outreach. Set a password for yourself so "
            "Outreach can lock when you are away and you can add your office staff."
        )
        solo_text.setWordWrap(True)
        self.first_button = self._button(
            "Set a &password for yourself...", "Set a password for yourself", self.set_first
        )
        solo_layout = QHBoxLayout(self.solo)
        solo_layout.addWidget(solo_text, 1)
        solo_layout.addWidget(self.first_button)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Accounts")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.currentCellChanged.connect(lambda *_: self._update_buttons())

        self.add_button = self._button("&Add a person...", "Add a person", self.add)
        self.role_button = self._button("Change &role...", "Change role", self.change_role)
        self.active_button = self._button("&Deactivate...", "Deactivate", self.toggle_active)
        self.password_button = self._button(
            "Reset pass&word...", "Reset password", self.reset_password
        )
        row = QHBoxLayout()
        for button in (self.add_button, self.role_button, self.active_button):
            row.addWidget(button)
        row.addWidget(self.password_button)
        row.addStretch(1)

        self.ask = QCheckBox("As&k for the password when Outreach starts")
        self.ask.setAccessibleName("Ask for the password when Outreach starts")
        self.ask.toggled.connect(self.save_ask)
        self.ask_note = QLabel()
        self.ask_note.setWordWrap(True)
        self.message = ErrorLabel()
        self.message.setAccessibleName("Users message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        close.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Users and sign-in"))
        layout.addWidget(intro)
        layout.addWidget(self.solo)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.ask)
        layout.addWidget(self.ask_note)
        layout.addWidget(self.message)
        layout.addStretch(0)  # takes the table's room while there is no table
        layout.addWidget(close)
        if not actor.is_owner:
            for widget in (self.first_button, self.add_button, self.ask):
                widget.setEnabled(False)
            self.message.show_error("Only the practitioner can manage accounts.")
        self.reload()
        self.resize(820, 480)

    def _button(self, text: str, accessible: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # -- showing -------------------------------------------------------------------
    def reload(self, select: int | None = None) -> None:
        self.accounts = auth.list_accounts(self.store)
        self.solo.setVisible(not self.accounts)
        self.table.setVisible(bool(self.accounts))
        self.table.setRowCount(len(self.accounts))
        for r, account in enumerate(self.accounts):
            cells = [
                account.username,
                account.display_name,
                auth.ROLE_LABELS.get(account.role, account.role),
                "Yes" if account.active else "No (cannot sign in)",
                local_datetime(account.last_sign_in_at) or "Never",
            ]
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
            if account.id == select:
                self.table.selectRow(r)
        if self.accounts:
            self.table.resizeColumnsToContents()
        if self.table.currentRow() < 0 and self.accounts:
            self.table.selectRow(0)
        active = sum(a.active for a in self.accounts)
        self.ask.blockSignals(True)
        self.ask.setChecked(active > 1 or get_profile(self.store).sign_in_required)
        self.ask.blockSignals(False)
        self.ask.setEnabled(self.actor.is_owner and active == 1)
        if not self.accounts:
            note = "Set a password for yourself first; then Outreach can ask for it at start."
        elif active > 1:
            note = "With more than one person, everyone signs in when Outreach starts."
        else:
            note = "A one-person practice may skip signing in at start; the lock still asks."
        self.ask_note.setText(note)
        self._update_buttons()

    def current_account(self) -> auth.Account | None:
        row = self.table.currentRow()
        return self.accounts[row] if 0 <= row < len(self.accounts) else None

    def _update_buttons(self) -> None:
        account = self.current_account()
        owner = self.actor.is_owner
        has = account is not None
        for button in (self.role_button, self.active_button, self.password_button):
            button.setEnabled(owner and has)
        self.add_button.setVisible(bool(self.accounts))
        for button in (self.role_button, self.active_button, self.password_button):
            button.setVisible(bool(self.accounts))
        if account is not None and not account.active:
            self.active_button.setText("R&eactivate")
            self.active_button.setAccessibleName("Reactivate")
        else:
            self.active_button.setText("&Deactivate...")
            self.active_button.setAccessibleName("Deactivate")

    def _done(self, text: str) -> None:
        self.message.show_error(text)

    # -- actions -------------------------------------------------------------------
    def set_first(self) -> None:
        dialog = AccountDialog(self.store, self.actor, self, first=True)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.first_actor = next(
                (a.actor for a in auth.list_accounts(self.store) if a.id == dialog.saved_id), None
            )
            self.reload(dialog.saved_id)
            self._done("Your password is set. Outreach can now lock when you are away.")

    def add(self) -> None:
        dialog = AccountDialog(self.store, self.actor, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload(dialog.saved_id)
            self._done("Added the account. With more than one person, everyone signs in at start.")

    def change_role(self) -> None:
        account = self.current_account()
        if account is None:
            return
        labels = list(auth.ROLE_LABELS.values())
        current = labels.index(auth.ROLE_LABELS[account.role])
        label, ok = QInputDialog.getItem(
            self, "Change role", f"Role of {account.username}:", labels, current, False
        )
        if not ok:
            return
        role = next(k for k, v in auth.ROLE_LABELS.items() if v == label)
        if role == account.role:
            return
        if self._update(account, role=role):
            self._done(f"{account.username} is now: {label}.")

    def toggle_active(self) -> None:
        account = self.current_account()
        if account is None:
            return
        if account.active and not confirm.ask(
            self,
            "Deactivate account",
            f"Deactivate {account.username}? They can no longer sign in. What they did "
            "stays in the audit trail, and you can reactivate the account later.",
            "Deactivate",
        ):
            return
        if self._update(account, active=not account.active):
            self._done(
                f"{'Reactivated' if not account.active else 'Deactivated'} {account.username}."
            )

    def _update(self, account: auth.Account, **changes) -> bool:
        try:
            auth.update_account(self.store, self.actor, account.id, **changes)
        except (ValidationError, NotFound, OutreachError) as exc:
            QMessageBox.warning(self, "Users and sign-in", _sentence(exc))
            return False
        self.reload(account.id)
        return True

    def reset_password(self) -> None:
        account = self.current_account()
        if account is None:
            return
        dialog = PasswordDialog(self.store, self.actor, account.id, account.username, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._done(f"Set a new password for {account.username}.")

    def save_ask(self, checked: bool) -> None:
        try:
            save_profile(
                self.store, self.actor, replace(get_profile(self.store), sign_in_required=checked)
            )
        except OutreachError as exc:
            QMessageBox.warning(self, "Users and sign-in", _sentence(exc))
            self.reload()
            return
        self._done(
            "Outreach will ask for the password when it starts."
            if checked
            else "Outreach will open without asking for the password."
        )


def own_password_dialog(store, actor, parent=None) -> QWidget | None:
    """ "Change my password" for the signed-in person (None without an account)."""
    if actor.user_id is None:
        return None
    name = next((a.username for a in auth.list_accounts(store) if a.id == actor.user_id), "")
    return PasswordDialog(store, actor, actor.user_id, name, parent)
