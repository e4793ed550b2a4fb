"""The malpractice policy (Settings, Compliance): what the compliance gate reads
to decide whether advice posts may pass at all."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from outreach.errors import ValidationError
from outreach.services.profile import (
    COVER_VALID_FOR,
    ONLINE_COVER_LABELS,
    Profile,
    get_profile,
    save_profile,
    validate,
)

from .forms import FieldForm

POLICY_FIELDS = (
    "insurer",
    "policy_number",
    "policy_renewal_on",
    "online_cover",
    "online_cover_confirmed_on",
    "scope_of_practice",
)


def cover_status(profile: Profile, today: date) -> str:
    """One sentence on whether the policy lets advice posts pass, and why not."""
    problem = profile.cover_problem(today)
    if problem:
        return f"Advice posts are blocked: {problem}"
    confirmed = profile.online_cover_confirmed_on
    assert confirmed is not None
    until = confirmed + COVER_VALID_FOR
    return (
        f"{ONLINE_COVER_LABELS[profile.online_cover]}, confirmed on {confirmed.isoformat()}; "
        f"confirm it again by {until.isoformat()}."
    )


def _date_text(value: date | None) -> str:
    return value.isoformat() if value else ""


class PolicyForm(QWidget):
    """The policy fields. ``values()`` gives them for a profile save (or None after
    showing what is wrong beside the fields); ``save()`` saves them on their own."""

    def __init__(self, store, actor, parent=None, today: date | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.today = today or date.today()
        p = get_profile(store)
        self.form = FieldForm()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Policy status")
        outer = QVBoxLayout(self)
        outer.addWidget(self.status)
        outer.addLayout(self.form)
        self.setMaximumWidth(760)
        self.insurer = self.form.add("insurer", "Insu&rer:", QLineEdit(p.insurer))
        self.insurer.setMaxLength(200)
        self.policy_number = self.form.add(
            "policy_number", "&Policy number:", QLineEdit(p.policy_number)
        )
        self.policy_number.setMaxLength(100)
        self.renewal = self.form.add(
            "policy_renewal_on",
            "Rene&wal date:",
            QLineEdit(_date_text(p.policy_renewal_on)),
            "Policy renewal date",
        )
        self.renewal.setPlaceholderText("YYYY-MM-DD (optional)")
        self.cover = QComboBox()
        for key, label in ONLINE_COVER_LABELS.items():
            self.cover.addItem(label, key)
        self.cover.setCurrentIndex(max(0, self.cover.findData(p.online_cover)))
        self.cover.setToolTip(
            "What your policy says about online activity. Advice posts need cover for "
            "online advice or general information, confirmed with your insurer within the year."
        )
        self.form.add("online_cover", "&Online cover:", self.cover, "Online cover")
        confirmed_row = QWidget()
        line = QHBoxLayout(confirmed_row)
        line.setContentsMargins(0, 0, 0, 0)
        self.confirmed = QLineEdit(_date_text(p.online_cover_confirmed_on))
        self.confirmed.setPlaceholderText("YYYY-MM-DD")
        self.confirmed.setAccessibleName("Cover confirmed on")
        self.confirmed.setToolTip("The day your insurer last confirmed the online cover.")
        self.confirmed_today = QPushButton("Confir&med today")
        self.confirmed_today.setAccessibleName("Cover confirmed today")
        self.confirmed_today.setToolTip("Enter today's date: you confirmed the cover today.")
        self.confirmed_today.clicked.connect(lambda: self.confirmed.setText(self.today.isoformat()))
        line.addWidget(self.confirmed, 1)
        line.addWidget(self.confirmed_today)
        confirmed_row.setFocusProxy(self.confirmed)
        self.form.add(
            "online_cover_confirmed_on", "Cover &confirmed on:", confirmed_row, "Cover confirmed"
        )
        self.confirmed.setAccessibleName("Cover confirmed on")
        self.scope = QPlainTextEdit(p.scope_of_practice)
        self.scope.setTabChangesFocus(True)
        self.scope.setFixedHeight(60)
        self.scope.setPlaceholderText("e.g. adult insomnia (CBT-I); no medication management")
        self.form.add("scope_of_practice", "Scope of practic&e:", self.scope, "Scope of practice")
        self.show_status(p)

    def show_status(self, profile: Profile | None = None) -> None:
        self.status.setText(cover_status(profile or get_profile(self.store), self.today))

    def values(self) -> dict | None:
        """The policy fields as a profile wants them, or None with the reasons shown."""
        errors: dict[str, str] = {}
        values: dict = {
            "insurer": self.insurer.text(),
            "policy_number": self.policy_number.text(),
            "online_cover": self.cover.currentData(),
            "scope_of_practice": self.scope.toPlainText(),
        }
        for key, edit in (
            ("policy_renewal_on", self.renewal),
            ("online_cover_confirmed_on", self.confirmed),
        ):
            raw = edit.text().strip()
            try:
                values[key] = date.fromisoformat(raw) if raw else None
            except ValueError:
                errors[key] = f"'{raw}' is not a date; write it as YYYY-MM-DD, or leave it empty."
        if not errors:
            # The service's own rules, shown beside these fields before anything is saved.
            problems = validate(replace(get_profile(self.store), **values))
            errors = {k: v for k, v in problems.items() if k in POLICY_FIELDS}
        if errors:
            self.form.show_errors(errors)
            return None
        self.form.clear_errors()
        return values

    def save(self) -> Profile | None:
        values = self.values()
        if values is None:
            return None
        try:
            saved = save_profile(self.store, self.actor, replace(get_profile(self.store), **values))
        except ValidationError as exc:
            self.form.show_errors(exc.errors)
            return None
        self.show_status(saved)
        return saved


class PolicyDialog(QDialog):
    """The policy form on its own, for the composer's "Policy..." button."""

    def __init__(self, store, actor, parent=None, today: date | None = None):
        super().__init__(parent)
        self.setWindowTitle("Malpractice policy")
        self.setAccessibleName(self.windowTitle())
        self.form = PolicyForm(store, actor, today=today)
        intro = QLabel(
            "Advice posts pass only while your policy's cover for online activity was "
            "confirmed with your insurer within the last 12 months."
        )
        intro.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save policy")
        if not actor.is_owner:
            self.save_button.setEnabled(False)
            self.save_button.setToolTip("Only the practitioner can change the policy.")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.form)
        layout.addWidget(buttons)
        self.resize(620, self.sizeHint().height())

    def save(self) -> None:
        if self.form.save() is not None:
            self.accept()
