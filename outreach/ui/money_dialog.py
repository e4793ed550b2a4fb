"""Record money: a payment from a contact or a direct cost in a community."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout

from outreach.errors import ValidationError
from outreach.money import parse_cents

from .forms import FieldForm, save_or_show


class MoneyDialog(QDialog):
    """``record(on, cents, note)`` is the service call (add_revenue or add_cost)."""

    def __init__(self, title: str, about: str, record, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.record = record
        intro = QLabel(about)
        intro.setWordWrap(True)
        self.form = FieldForm()
        today = date.today()
        self.on = QDateEdit(QDate(today.year, today.month, today.day))
        self.on.setCalendarPopup(True)
        self.on.setDisplayFormat("yyyy-MM-dd")
        self.form.add("date", "&Date:", self.on)
        self.amount = self.form.add("amount", "&Amount:", QLineEdit())
        self.amount.setPlaceholderText("e.g. 120.00")
        self.note = self.form.add("note", "&Note:", QLineEdit())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.form)
        layout.addWidget(buttons)

    def save(self) -> None:
        def action():
            try:
                cents = parse_cents(self.amount.text() or "")
            except ValueError as exc:
                raise ValidationError({"amount": f"{exc}."}) from None
            self.record(self.on.date().toPython(), cents, self.note.text())

        save_or_show(self, self.form, action)
