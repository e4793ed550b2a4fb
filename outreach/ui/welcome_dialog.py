"""First run: what Outreach is, the practice profile (skippable), demo data."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from outreach.services.demo import has_data
from outreach.services.profile import mark_welcome_done

from .forms import heading
from .profile_form import ProfileForm


class WelcomeDialog(QDialog):
    def __init__(self, store, actor, parent=None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.setWindowTitle("Welcome to Outreach")
        self.setAccessibleName(self.windowTitle())
        title_label = heading("Welcome to Outreach")
        intro = QLabel(
            "Outreach logs the online patient communities you take part in and every post you "
            "make there, so you can see which ones are worth your time. Tell it about your "
            "practice now, or skip and fill this in later under Settings."
        )
        intro.setWordWrap(True)
        self.form = ProfileForm(store, actor, full=False)
        self.demo = QCheckBox(
            "&Load demo data so I can look around (made-up communities and posts)"
        )
        self.demo.setAccessibleName("Load demo data")
        self.offer_demo = not has_data(store)
        self.demo.setVisible(self.offer_demo)
        buttons = QDialogButtonBox()
        self.start_button = buttons.addButton("&Start", QDialogButtonBox.ButtonRole.AcceptRole)
        self.skip_button = buttons.addButton(
            "S&kip for now", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.start_button.setAccessibleName("Save and start")
        self.skip_button.setAccessibleName("Skip for now")
        self.start_button.clicked.connect(self.start)
        self.skip_button.clicked.connect(self.skip)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label)
        layout.addWidget(intro)
        layout.addWidget(self.form)
        layout.addWidget(self.demo)
        layout.addWidget(buttons)
        self.wants_demo = False

    def start(self) -> None:
        if self.form.save(welcome_done=True) is None:
            return
        self.wants_demo = self.offer_demo and self.demo.isChecked()
        self.accept()

    def skip(self) -> None:
        mark_welcome_done(self.store, self.actor)
        self.wants_demo = self.offer_demo and self.demo.isChecked()
        self.reject()
