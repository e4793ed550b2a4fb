"""Settings, Security and backups: sign-in at start, auto-lock, backups kept."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from outreach.services import auth
from outreach.services.profile import get_profile

from .auto_lock import NO_ACCOUNT_REASON
from .forms import FieldForm

LOCK_TIP = (
    "Cover the window after this many minutes without a key press or mouse move; "
    "your password opens it again, with nothing lost. 0 means never."
)


def _spin(value: int, low: int, high: int, suffix: str, accessible: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setSuffix(suffix)
    spin.setAccessibleName(accessible)
    return spin


class SecurityForm(QWidget):
    """The fields; ``values()`` gives them for the Settings page's profile save."""

    def __init__(self, store, actor, parent=None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        p = get_profile(store)
        self.form = FieldForm()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setAccessibleName("Security note")
        outer = QVBoxLayout(self)
        outer.addWidget(self.note)
        outer.addLayout(self.form)
        self.setMaximumWidth(760)
        self.sign_in = QCheckBox("As&k for the password when Outreach starts")
        self.sign_in.setChecked(p.sign_in_required)
        self.form.add("sign_in_required", "Sign-in:", self.sign_in, "Ask for the password at start")
        self.lock_minutes = _spin(p.auto_lock_minutes, 0, 24 * 60, " minutes", "Lock when idle for")
        self.lock_minutes.setSpecialValueText("Never")
        self.form.add("auto_lock_minutes", "Lock whe&n idle for:", self.lock_minutes)
        backups = QWidget()
        row = QHBoxLayout(backups)
        row.setContentsMargins(0, 0, 0, 0)
        self.keep_daily = _spin(p.backup_keep_daily, 1, 365, " daily", "Daily backups kept")
        self.keep_monthly = _spin(p.backup_keep_monthly, 0, 120, " monthly", "Monthly backups kept")
        row.addWidget(self.keep_daily)
        row.addWidget(self.keep_monthly)
        row.addStretch(1)
        backups.setFocusProxy(self.keep_daily)
        self.form.add("backup_keep_daily", "&Backups kept:", backups, "Backups kept")
        self.form.share_error("backup_keep_monthly", self.keep_monthly, "backup_keep_daily")
        self.keep_daily.setAccessibleName("Daily backups kept")
        self.refresh()

    def refresh(self) -> None:
        """What applies now that accounts may have been added (values stay as typed)."""
        accounts = [a for a in auth.list_accounts(self.store) if a.active]
        notes = []
        self.sign_in.setEnabled(len(accounts) == 1)
        self.lock_minutes.setEnabled(bool(accounts))
        self.sign_in.setToolTip("" if accounts else "There is no password to ask for yet.")
        self.lock_minutes.setToolTip(LOCK_TIP if accounts else NO_ACCOUNT_REASON)
        if not accounts:
            notes.append(NO_ACCOUNT_REASON)
        elif len(accounts) > 1:
            notes.append("With more than one person, everyone signs in when Outreach starts.")
            self.sign_in.setChecked(True)
        notes.append(
            "A backup is taken on the first start of each day; the newest daily ones and one "
            "per month are kept."
        )
        self.note.setText(" ".join(notes))

    def values(self) -> dict:
        # A disabled box shows what applies anyway (several people: everyone signs
        # in; no account: nothing to ask) and keeps the stored choice.
        if self.sign_in.isEnabled():
            sign_in = self.sign_in.isChecked()
        else:
            sign_in = get_profile(self.store).sign_in_required
        return {
            "sign_in_required": sign_in,
            "auto_lock_minutes": self.lock_minutes.value(),
            "backup_keep_daily": self.keep_daily.value(),
            "backup_keep_monthly": self.keep_monthly.value(),
        }
