"""The recovery key: asked for when an encrypted database's key is not in this
computer's keychain, and shown once when a key is made (with its printable kit)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from outreach.encryption import BadRecoveryKey, WrongKey, parse_recovery_key
from outreach.errors import OutreachError

from . import file_dialogs

PDF_FILTER = "PDF files (*.pdf)"


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class EnterRecoveryKeyDialog(QDialog):
    """Asks for the recovery key and tries it with ``attempt(key)``, which opens the
    database (and keeps the key in the keychain) or raises WrongKey; a wrong key
    is said in the dialog and nothing is changed."""

    def __init__(
        self,
        database: str,
        attempt: Callable[[bytes], object],
        parent=None,
        intro: str = "",
    ):
        super().__init__(parent)
        self.setWindowTitle("Recovery key needed")
        self.setAccessibleName("Recovery key needed")
        self.attempt, self.result_value = attempt, None
        intro = _wrapped(
            intro
            or f"{database} is encrypted, and its key is not in this computer's keychain (a "
            "new computer, a restored backup, or the keychain was reset).\n\nType the recovery "
            "key from its recovery kit. Case and dashes do not matter. Outreach then keeps the "
            "key in this computer's keychain again."
        )
        self.key_edit = QLineEdit()
        self.key_edit.setAccessibleName("Recovery key")
        self.key_edit.setPlaceholderText("XXXX-XXXX-XXXX-... (14 groups of 4)")
        self.key_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.key_edit.setMinimumWidth(560)
        self.error = _wrapped("")
        self.error.setAccessibleName("Why the key was refused")
        self.error.setStyleSheet("color: palette(highlight); font-weight: bold")
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.try_key)
        buttons.rejected.connect(self.reject)
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.key_edit)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def try_key(self) -> None:
        try:
            key = parse_recovery_key(self.key_edit.text())
            self.result_value = self.attempt(key)
        except (BadRecoveryKey, WrongKey) as exc:
            self.error.setText(str(exc))
            self.error.show()
            self.adjustSize()  # room for the sentence: a clipped reason helps nobody
            self.key_edit.selectAll()
            self.key_edit.setFocus()
            return
        self.accept()


class ShowRecoveryKeyDialog(QDialog):
    """The recovery key, shown once, with the printable kit one click away."""

    def __init__(self, recovery_key: str, database: str, parent=None, *, changed: bool = False):
        super().__init__(parent)
        title = "Your new recovery key" if changed else "Your database is encrypted"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.recovery_key, self.database = recovery_key, database
        self.saved_to: str | None = None
        intro = _wrapped(
            (
                "The database has a new key, kept in this computer's keychain. Old recovery "
                "kits no longer open it (keep them while backups from before exist)."
                if changed
                else "Your patients' details are encrypted on disk with a key kept in this "
                "computer's keychain, so a lost or stolen laptop does not expose them."
            )
            + "\n\nThis recovery key is the only other way in: a new computer, a restored "
            "backup or a reset keychain needs it, and nobody can recover the data without it. "
            "It is shown only now: save the recovery kit and print it, or write the key down, "
            "and keep it away from this computer."
        )
        key = QLabel("\n".join(_lines(recovery_key)))
        key.setAccessibleName("Recovery key")
        key.setTextFormat(Qt.TextFormat.PlainText)
        key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        key.setFont(font)
        key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        key.setFrameShape(QLabel.Shape.StyledPanel)
        key.setMargin(12)
        self.kit_button = QPushButton("&Save the recovery kit (PDF)...")
        self.kit_button.setAccessibleName("Save the recovery kit as a PDF")
        self.kit_button.clicked.connect(self.save_kit)
        self.status = _wrapped("")
        self.status.setAccessibleName("Recovery kit status")
        buttons = QDialogButtonBox()
        done = buttons.addButton("I have kept it safe", QDialogButtonBox.ButtonRole.AcceptRole)
        done.setAccessibleName("I have kept the recovery key safe")
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(key)
        layout.addWidget(self.kit_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def save_kit(self) -> None:
        path = file_dialogs.ask_save_file(
            self,
            "Save the recovery kit",
            f"outreach-recovery-kit-{date.today():%Y-%m-%d}.pdf",
            PDF_FILTER,
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        from outreach.services.recovery_kit import write_recovery_kit

        try:
            write_recovery_kit(path, self.recovery_key, self.database)
        except OutreachError as exc:
            QMessageBox.warning(self, "Recovery kit", str(exc))
            return
        self.saved_to = path
        self.status.setText(
            f"Saved {path}. Print it, keep the paper somewhere safe away from this computer, "
            "then delete the file."
        )


def _lines(recovery_key: str) -> list[str]:
    groups = recovery_key.split("-")
    return ["  ".join(groups[i : i + 7]) for i in range(0, len(groups), 7)]


def ask_recovery_key(
    parent: QWidget | None, database: str, attempt: Callable[[bytes], object], intro: str = ""
) -> object | None:
    """What ``attempt`` returned for the first key that worked, or None (cancelled)."""
    dialog = EnterRecoveryKeyDialog(database, attempt, parent, intro)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.result_value


def show_recovery_key(
    parent: QWidget | None, recovery_key: str, database: str, *, changed: bool = False
) -> None:
    ShowRecoveryKeyDialog(recovery_key, database, parent, changed=changed).exec()


def open_with_recovery(url: str, parent: QWidget | None = None):
    """Open the app's database (a new one encrypted where it can be); when its key is
    not on this computer, ask for the recovery key. None when the user cancels."""
    from outreach.encryption import KeyNeeded
    from outreach.store import open_store

    try:
        return open_store(url, encrypt_new=True)
    except KeyNeeded as exc:
        return ask_recovery_key(parent, str(exc.path), lambda key: open_store(url, key=key))
