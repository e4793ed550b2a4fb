"""The practice profile form, shared by the welcome dialog and the Settings page."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from outreach.errors import ValidationError
from outreach.money import parse_cents, plain_cents
from outreach.services.profile import Profile, get_profile, save_profile

from .forms import FieldForm

ALIASES = {"hourly_rate": "hourly_rate_cents", "fee_per_visit": "fee_per_visit_cents"}


def _number(value: float, maximum: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(0, maximum)
    spin.setDecimals(1)
    spin.setValue(value)
    return spin


class ProfileForm(QWidget):
    def __init__(self, store, actor, full: bool = True, parent=None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.profile = get_profile(store)
        p = self.profile
        self.form = FieldForm()
        outer = QVBoxLayout(self)
        outer.addLayout(self.form)
        outer.addStretch(1)
        self.setMaximumWidth(760)
        self.name = self.form.add(
            "practitioner_name", "&Your name:", QLineEdit(p.practitioner_name), "Practitioner name"
        )
        self.specialty = self.form.add("specialty", "&Specialty:", QLineEdit(p.specialty))
        self.jurisdictions = self.form.add(
            "licensed_jurisdictions",
            "&Licensed in:",
            QLineEdit(p.licensed_jurisdictions),
            "Licensed jurisdictions",
        )
        self.jurisdictions.setPlaceholderText("e.g. CA, OR")
        self.hourly = self.form.add(
            "hourly_rate_cents",
            "&Hourly rate:",
            QLineEdit(plain_cents(p.hourly_rate_cents)),
            "Hourly rate",
        )
        self.hourly.setToolTip(
            "What an hour of clinical work earns; reports cost your time at this rate."
        )
        self.currency = self.form.add("currency", "C&urrency:", QLineEdit(p.currency))
        self.currency.setMaxLength(3)
        self.fee = self.form.add(
            "fee_per_visit_cents",
            "&Fee per visit:",
            QLineEdit(plain_cents(p.fee_per_visit_cents)),
            "Fee per visit",
        )
        self.visits = self.form.add(
            "visits_per_year", "&Visits per year:", _number(p.visits_per_year, 366)
        )
        self.years = self.form.add(
            "years_retained", "Years re&tained:", _number(p.years_retained, 100)
        )
        self.intake_url = self.form.add(
            "intake_form_url",
            "&Intake form address:",
            QLineEdit(p.intake_form_url),
            "Intake form address",
        )
        self.intake_url.setPlaceholderText("https://")
        self.disclaimer = self.signature = self.losing_touch = None
        if full:
            self.losing_touch = QSpinBox()
            self.losing_touch.setRange(1, 3650)
            self.losing_touch.setSuffix(" days")
            self.losing_touch.setValue(p.losing_touch_days)
            self.losing_touch.setToolTip(
                "Open contacts with no interaction for this long are listed as losing touch."
            )
            self.form.add(
                "losing_touch_days", "Losing touch &after:", self.losing_touch, "Losing touch after"
            )
            self.disclaimer = QPlainTextEdit(p.disclaimer)
            self.disclaimer.setTabChangesFocus(True)
            self.disclaimer.setFixedHeight(70)
            self.form.add("disclaimer", "&Disclaimer:", self.disclaimer)
            self.signature = QPlainTextEdit(p.signature)
            self.signature.setTabChangesFocus(True)
            self.signature.setFixedHeight(50)
            self.form.add("signature", "Si&gnature:", self.signature)

    def save(self, **extra) -> Profile | None:
        """Save through the service; on a bad value show it beside its field."""
        errors: dict[str, str] = {}
        money = {}
        for key, widget in (("hourly_rate_cents", self.hourly), ("fee_per_visit_cents", self.fee)):
            try:
                money[key] = parse_cents(widget.text() or "0")
            except ValueError as exc:
                errors[key] = f"{exc}."
        if errors:
            self.form.show_errors(errors)
            return None
        profile = replace(
            self.profile,
            practitioner_name=self.name.text(),
            specialty=self.specialty.text(),
            licensed_jurisdictions=self.jurisdictions.text(),
            currency=self.currency.text(),
            visits_per_year=self.visits.value(),
            years_retained=self.years.value(),
            intake_form_url=self.intake_url.text(),
            disclaimer=self.disclaimer.toPlainText()
            if self.disclaimer
            else self.profile.disclaimer,
            signature=self.signature.toPlainText() if self.signature else self.profile.signature,
            losing_touch_days=(
                self.losing_touch.value() if self.losing_touch else self.profile.losing_touch_days
            ),
            **money,
            **extra,
        )
        try:
            self.profile = save_profile(self.store, self.actor, profile)
        except ValidationError as exc:
            self.form.show_errors(exc.errors, ALIASES)
            return None
        self.form.clear_errors()
        return self.profile
