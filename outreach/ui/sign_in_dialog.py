"""Signing in: at start when the practice asks for it, and to unlock a locked window."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from outreach import APP_NAME
from outreach.services import auth

from .forms import ErrorLabel, heading


class SignInDialog(QDialog):
    """Username and password; a refusal is said in a sentence and the cursor goes
    back to the password. ``actor`` holds who signed in once accepted.

    With ``locked_as`` (an Actor) it unlocks instead: the username is fixed to the
    signed-in person's, Escape does nothing, and "Sign out" replaces "Quit"."""

    sign_out_requested = Signal()

    def __init__(self, store, parent=None, username: str = "", locked_as=None):
        super().__init__(parent)
        self.store = store
        self.actor = None
        self.locked_as = locked_as
        locking = locked_as is not None
        self.setWindowTitle(f"{APP_NAME} is locked" if locking else f"Sign in to {APP_NAME}")
        self.setAccessibleName(self.windowTitle())
        title = heading(self.windowTitle())
        intro = QLabel(
            "The window was locked to keep your practice's data private. Type your password "
            "to continue where you left off; nothing you were editing was lost."
            if locking
            else "Type your username and password."
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.username = QLineEdit(username)
        self.username.setAccessibleName("Username")
        self.username.setMaxLength(100)
        self.password = QLineEdit()
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        if locking:
            self.username.setReadOnly(True)
            self.username.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.username.setToolTip(
                "Only the person who was signed in can unlock; anyone else signs out first."
            )
        form = QFormLayout()
        user_label = QLabel("&Username:")
        user_label.setBuddy(self.username)
        password_label = QLabel("&Password:")
        password_label.setBuddy(self.password)
        form.addRow(user_label, self.username)
        form.addRow(password_label, self.password)
        self.message = ErrorLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setAccessibleName("Sign-in problem")
        self.sign_in_button = QPushButton("Un&lock" if locking else "&Sign in")
        self.sign_in_button.setAccessibleName("Unlock" if locking else "Sign in")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.try_sign_in)
        self.quit_button = QPushButton("Sign &out" if locking else "&Quit")
        self.quit_button.setAccessibleName(
            "Sign out and close Outreach" if locking else "Quit Outreach"
        )
        self.quit_button.setAutoDefault(False)
        self.quit_button.clicked.connect(self._quit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.sign_in_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setMinimumWidth(440)
        (self.password if locking or username else self.username).setFocus()

    def try_sign_in(self) -> bool:
        username = self.username.text().strip()
        if not username:
            self._refused("Type your username.", self.username)
            return False
        try:
            actor = auth.sign_in(self.store, username, self.password.text())
        except auth.AuthError as exc:
            self._refused(str(exc), self.password)
            return False
        if self.locked_as is not None and actor.user_id != self.locked_as.user_id:
            self._refused("Only the person who was signed in can unlock.", self.password)
            return False
        self.actor = actor
        self.password.clear()
        self.message.show_error("")
        self.accept()
        return True

    def _refused(self, sentence: str, field: QLineEdit) -> None:
        self.message.show_error(sentence)
        self.password.clear()
        field.setFocus()

    def _quit(self) -> None:
        if self.locked_as is not None:
            self.sign_out_requested.emit()
        else:
            super().reject()

    def reject(self) -> None:
        # Escape does not get past a lock; at start it quits like the button.
        if self.locked_as is None:
            super().reject()


def startup_actor(store, parent=None):
    """Who uses the app this time: the signed-in person when sign-in is needed (None
    if they quit), else the only account (so the lock knows whose password to
    ask), else the practitioner of a practice without accounts."""
    if auth.sign_in_needed(store):
        dialog = SignInDialog(store, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.actor
    return auth.actor_without_sign_in(store)
