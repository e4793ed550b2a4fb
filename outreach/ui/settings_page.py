"""Settings: the practice profile now; later work adds its own sections."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from outreach.errors import OutreachError

from .forms import heading
from .profile_form import ProfileForm


class SettingsPage(QWidget):
    status_message = Signal(str)

    def __init__(self, store, actor, parent=None):
        super().__init__(parent)
        title_label = heading("Settings: practice profile")
        intro = QLabel(
            "Reports cost your time at your hourly rate and project a patient's value from the "
            "fee, visits per year and years retained. Money is entered as e.g. 150.00."
        )
        intro.setWordWrap(True)
        self.store, self.actor = store, actor
        self.form = ProfileForm(store, actor, full=True)
        self.save_button = QPushButton("&Save profile")
        self.save_button.setAccessibleName("Save practice profile")
        self.save_button.clicked.connect(self.save)
        self.scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addLayout(row)

    def save(self) -> None:
        try:
            if self.form.save() is not None:
                self.status_message.emit("Saved the practice profile")
        except OutreachError as exc:
            self.status_message.emit(str(exc))

    def reload(self) -> None:
        """Show the profile as stored (e.g. after the welcome dialog saved it)."""
        self.form = ProfileForm(self.store, self.actor, full=True)
        self.scroll.setWidget(self.form)
