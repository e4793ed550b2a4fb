"""Settings, Privacy: whether the database is encrypted and why, encrypting it,
changing its key, a new recovery kit; and the status bar's notice when the
database is not encrypted."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from outreach import encryption
from outreach.errors import OutreachError

from . import confirm
from .recovery_dialog import show_recovery_key

NOT_ENCRYPTED = "This database is not encrypted"


class PrivacyNotice(QLabel):
    """The status bar's notice: shown while the database is not encrypted."""

    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.store = store
        self.setAccessibleName("Encryption")
        self.refresh()

    def refresh(self, *_args) -> None:
        state = encryption.state_of(self.store)
        if state.encrypted or state.server:
            self.setText("Encrypted" if state.encrypted else "")
            self.setToolTip(state.sentence)
            self.setStyleSheet("")
            return
        self.setText(f"\u26a0 {NOT_ENCRYPTED}")
        self.setToolTip(f"{state.sentence}\nSettings, Privacy, says more.")
        self.setStyleSheet("font-weight: bold")


class PrivacyForm(QWidget):
    def __init__(self, store, actor, say: Callable[[str], None] | None = None, parent=None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.say = say or (lambda _text: None)
        self.headline = QLabel()
        self.headline.setAccessibleName("Encryption status")
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setMaximumWidth(760)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.reason.setAccessibleName("Why")
        # No access keys: every letter of these is taken elsewhere on the Settings page.
        self.encrypt_button = QPushButton("Encrypt this database...")
        self.encrypt_button.setAccessibleName("Encrypt this database")
        self.encrypt_button.clicked.connect(self.encrypt)
        self.rekey_button = QPushButton("Change the key...")
        self.rekey_button.setAccessibleName("Change the database key")
        self.rekey_button.clicked.connect(self.change_key)
        self.kit_button = QPushButton("Show the recovery key...")
        self.kit_button.setAccessibleName("Show the recovery key and save a recovery kit")
        self.kit_button.clicked.connect(self.show_key)
        row = QHBoxLayout()
        for button in (self.encrypt_button, self.rekey_button, self.kit_button):
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.headline)
        layout.addWidget(self.reason)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        state = encryption.state_of(self.store)
        self.headline.setText(state.headline)
        reason = state.reason[:1].upper() + state.reason[1:]
        if not state.encrypted and not state.server:
            reason += (
                " Anyone who gets this computer's disk, or a copy of the file or its backups, "
                "can read your contacts' names, emails and notes."
            )
        owner = self.actor.is_owner
        why_not = None if state.server else encryption.can_encrypt()
        if why_not and not state.encrypted and not state.server and why_not not in reason:
            reason += f" It cannot be encrypted on this computer: {why_not}"
        self.reason.setText(reason)
        # A wrapped label inside a scrolled column is given one line's height unless
        # told how tall its text is at the width it gets.
        self.reason.setMinimumHeight(self.reason.heightForWidth(self.reason.maximumWidth()))
        self.encrypt_button.setVisible(not state.encrypted and not state.server)
        self.encrypt_button.setEnabled(owner and why_not is None)
        self.encrypt_button.setToolTip(
            "Only the practitioner can encrypt the database."
            if not owner
            else (f"Not possible here: {why_not}" if why_not else "")
        )
        for button in (self.rekey_button, self.kit_button):
            button.setVisible(state.encrypted)
            button.setEnabled(owner)

    def encrypt(self) -> None:
        if not confirm.ask(
            self,
            "Encrypt the database",
            "Encrypt this database? A backup is taken first, then the data is rewritten "
            "encrypted with a new key kept in this computer's keychain. Close other Outreach "
            "windows and commands on this database first.\n\nYou will be shown a recovery key "
            "once: without it, a new computer or a restored backup cannot open the data. "
            "Backups taken before now stay unencrypted until you delete them.",
            action="Encrypt",
        ):
            return
        self._convert(encryption.encrypt_database, "The database is now encrypted", False)

    def change_key(self) -> None:
        if not confirm.ask(
            self,
            "Change the key",
            "Give the database a new key? A backup is taken first (it keeps the old key). "
            "Your current recovery kit will then open only the backups taken before now; "
            "you will be shown the new recovery key once.",
            action="Change the key",
        ):
            return
        self._convert(encryption.change_key, "The database has a new key", True)

    def _convert(self, action, done: str, changed: bool) -> None:
        try:
            outcome = action(self.store, self.actor)
        except OutreachError as exc:
            QMessageBox.warning(self, "Privacy", str(exc))
            return
        self.refresh()
        self.say(f"{done}; a backup was taken first: {outcome.backup.name}")
        show_recovery_key(self, outcome.recovery_key, self.store.display_name, changed=changed)

    def show_key(self) -> None:
        try:
            key = encryption.current_recovery_key(self.store, self.actor)
        except OutreachError as exc:
            QMessageBox.warning(self, "Privacy", str(exc))
            return
        show_recovery_key(self, key, self.store.display_name)


def attach_privacy(window, store) -> PrivacyNotice:
    """The main window's notice while the database is not encrypted, kept current
    when Settings encrypts it; and, once, a newly made recovery key."""
    from dataclasses import replace

    notice = PrivacyNotice(store, window)
    window.statusBar().addPermanentWidget(notice)
    window.settings_page.status_message.connect(notice.refresh)
    state = store.encryption
    if state is not None and state.new_recovery_key:
        # Shown once: a reopened window (after a restore) must not show it again.
        store.encryption = replace(state, new_recovery_key=None)
        show_recovery_key(window, state.new_recovery_key, store.display_name)
    return notice
