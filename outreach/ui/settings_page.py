"""Settings: the practice profile and, under Compliance, the malpractice policy."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from outreach.errors import OutreachError
from outreach.services.profile import get_profile

from .forms import heading
from .policy_form import PolicyForm
from .privacy_form import PrivacyForm
from .profile_form import ProfileForm
from .security_form import SecurityForm


def _section(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    return label


def _align_labels(*forms: QFormLayout) -> None:
    """Give the forms one label column, so their fields line up."""
    labels = [
        item.widget()
        for form in forms
        for row in range(form.rowCount())
        if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) and item.widget()
    ]
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)


class SettingsPage(QWidget):
    status_message = Signal(str)
    saved = Signal()

    def __init__(self, store, actor, parent=None):
        super().__init__(parent)
        title_label = heading("Settings: practice profile")
        intro = QLabel(
            "Reports cost your time at your hourly rate and project a patient's value from the "
            "fee, visits per year and years retained. Money is entered as e.g. 150.00."
        )
        intro.setWordWrap(True)
        self.store, self.actor = store, actor
        self.save_button = QPushButton("&Save profile")
        self.save_button.setAccessibleName("Save practice profile")
        self.save_button.clicked.connect(self.save)
        if not actor.is_owner:
            self.save_button.setEnabled(False)
            self.save_button.setToolTip("Only the practitioner can change the settings.")
            intro.setText(f"{intro.text()} Only the practitioner can change these settings.")
        self.scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        self._build_forms()
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addLayout(row)

    def _build_forms(self) -> None:
        self.form = ProfileForm(self.store, self.actor, full=True)
        self.policy = PolicyForm(self.store, self.actor)
        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(self.form)
        self.compliance_heading = _section("Compliance: your malpractice policy")
        column.addWidget(self.compliance_heading)
        note = QLabel(
            "Advice posts pass the compliance check only while your policy's cover for online "
            "activity was confirmed with your insurer within the last 12 months."
        )
        note.setWordWrap(True)
        note.setMaximumWidth(760)
        column.addWidget(note)
        column.addWidget(self.policy)
        column.addWidget(_section("Security and backups"))
        self.security = SecurityForm(self.store, self.actor)
        column.addWidget(self.security)
        column.addWidget(_section("Privacy: encryption at rest"))
        self.privacy = PrivacyForm(self.store, self.actor, self.status_message.emit)
        column.addWidget(self.privacy)
        column.addStretch(1)
        _align_labels(self.form.form, self.policy.form, self.security.form)
        # Staff read the settings; the forms are disabled so nothing looks editable.
        for form in (self.form, self.policy, self.security):
            form.setEnabled(self.actor.is_owner)
        self.scroll.setWidget(body)
        self._loaded = get_profile(self.store)

    def save(self) -> None:
        try:
            policy = self.policy.values()
            if policy is None:
                self.status_message.emit("The policy has a value to correct; see beside it.")
                return
            saved = self.form.save(**policy, **self.security.values())
            if saved is not None:
                self._loaded = saved
                self.policy.show_status(saved)
                self.status_message.emit("Saved the practice profile")
                self.saved.emit()
        except OutreachError as exc:
            self.status_message.emit(str(exc))

    def reload(self) -> None:
        """Show the profile as stored (e.g. after the welcome dialog saved it)."""
        self._build_forms()

    def show_compliance(self) -> None:
        """Scroll to the policy and put the cursor in it (from the Compliance page)."""
        self.scroll.ensureWidgetVisible(self.policy, 0, 0)
        self.scroll.ensureWidgetVisible(self.compliance_heading, 0, 20)
        self.policy.cover.setFocus()

    def showEvent(self, event) -> None:
        # The policy can also be changed from the composer: show what is stored.
        if get_profile(self.store) != self._loaded:
            self.reload()
        super().showEvent(event)
