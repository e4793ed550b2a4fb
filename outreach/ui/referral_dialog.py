"""A contact's intake form, entered or corrected by hand: dates, where they say
they found the practice, and the three questions."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from outreach.models import INTAKE_QUESTIONS
from outreach.services import contacts as contacts_svc
from outreach.services import referrals as svc

from .forms import FieldForm, heading, save_or_show

DATES = (
    ("sent_on", "&Sent:"),
    ("completed_on", "&Completed:"),
    ("booked_on", "&Booked:"),
    ("first_visit_on", "First &visit:"),
)


class _OptionalDate(QWidget):
    """A date that may be unknown: a checkbox turns it on."""

    def __init__(self, name: str, value: date | None):
        super().__init__()
        self.known = QCheckBox()
        self.known.setAccessibleName(f"{name} known")
        day = value or date.today()
        self.edit = QDateEdit(QDate(day.year, day.month, day.day))
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setAccessibleName(name)
        self.known.setChecked(value is not None)
        self.edit.setEnabled(value is not None)
        self.known.toggled.connect(self.edit.setEnabled)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.known)
        row.addWidget(self.edit)
        row.addStretch(1)
        self.setFocusProxy(self.known)

    def value(self) -> date | None:
        return self.edit.date().toPython() if self.known.isChecked() else None

    def set_value(self, value: date | None) -> None:
        self.known.setChecked(value is not None)
        if value is not None:
            self.edit.setDate(QDate(value.year, value.month, value.day))


class ReferralDialog(QDialog):
    def __init__(self, store, actor, contact_id: int, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.contact_id = store, actor, contact_id
        contact = contacts_svc.get_contact(store, contact_id)
        data = svc.get_referral(store, contact_id) or svc.ReferralData(version=0)
        self.version = data.version  # saved only over this version (0: none yet)
        self.setWindowTitle("Intake form")
        self.setAccessibleName(f"Intake form of {contact.display_name}")
        self.form = FieldForm()
        self.dates = {}
        for attr, label in DATES:
            self.dates[attr] = self.form.add(
                attr, label, _OptionalDate(label.replace("&", "").rstrip(":"), getattr(data, attr))
            )
        self.source = self.form.add(
            "source_text", "Found you &via:", QLineEdit(data.source_text), "Self-reported source"
        )
        self.code = self.form.add("intake_code", "Intake c&ode:", QLineEdit(data.intake_code))
        self.answers = {}
        for attr, question in zip(
            ("answer_useful", "answer_better", "answer_where"), INTAKE_QUESTIONS, strict=True
        ):
            edit = QPlainTextEdit(getattr(data, attr))
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(50)
            self.answers[attr] = self.form.add(attr, question, edit, question)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(f"Intake form: {contact.display_name}"))
        layout.addLayout(self.form)
        layout.addWidget(buttons)
        self.resize(640, self.sizeHint().height())

    def data(self) -> svc.ReferralData:
        return svc.ReferralData(
            **{attr: widget.value() for attr, widget in self.dates.items()},
            source_text=self.source.text(),
            intake_code=self.code.text(),
            **{attr: edit.toPlainText().strip() for attr, edit in self.answers.items()},
        )

    def save(self) -> None:
        data = self.data()
        save_or_show(
            self,
            self.form,
            lambda: svc.save_referral(
                self.store, self.actor, self.contact_id, data, version=self.version
            ),
        )
