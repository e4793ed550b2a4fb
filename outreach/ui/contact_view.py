"""A contact's own page: who they are, where they came from, their timeline,
and the quick actions staff use most."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from outreach.errors import OutreachError
from outreach.money import plain_cents
from outreach.services import contacts as svc
from outreach.services import ledger

from . import confirm
from .contact_actions import InteractionDialog, MoveStageDialog
from .contact_dialog import ContactDialog
from .formatting import local_datetime
from .forms import heading
from .referral_dialog import ReferralDialog


class ContactView(QDialog):
    def __init__(self, store, actor, contact_id: int, page, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.contact_id, self.page = store, actor, contact_id, page
        self.changed = False
        self.title = heading("")
        self.details = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for key, label in (
            ("stage", "Stage"),
            ("community", "Came from"),
            ("email", "Email"),
            ("phone", "Phone"),
            ("location", "Location"),
            ("follow_up", "Follow up"),
            ("revenue", "Revenue"),
        ):
            value = QLabel()
            value.setAccessibleName(label)
            self.details.addRow(f"{label}:", value)
            self.values[key] = value
        self.timeline = QListWidget()
        self.timeline.setAccessibleName("Timeline")
        actions = QHBoxLayout()
        for text, slot in (
            ("&Edit...", self.edit),
            ("&Move stage...", self.move_stage),
            ("&Log interaction...", self.log_interaction),
            ("&Intake form...", self.intake_form),
        ):
            button = QPushButton(text)
            button.setAccessibleName(text.replace("&", "").rstrip("."))
            button.clicked.connect(slot)
            actions.addWidget(button)
        self.delete_payment_button = QPushButton("&Delete payment")
        self.delete_payment_button.setAccessibleName("Delete the selected payment")
        self.delete_payment_button.setEnabled(False)
        self.delete_payment_button.clicked.connect(self.delete_payment)
        self.timeline.currentRowChanged.connect(self._selection_changed)
        send = QPushButton("&Send intake link...")
        send.setAccessibleName("Send intake link")
        send.clicked.connect(self.send_link)
        actions.addWidget(send)
        actions.addWidget(self.delete_payment_button)
        self.erase_button = QPushButton("E&rase...")
        self.erase_button.setAccessibleName("Erase this contact's personal details")
        self.erase_button.setEnabled(actor.is_owner)
        self.erase_button.setToolTip(
            "Remove their personal details for good; the counts stay"
            if actor.is_owner
            else "Only the practitioner can erase a contact."
        )
        self.erase_button.clicked.connect(self.erase)
        actions.addWidget(self.erase_button)
        actions.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.details)
        layout.addLayout(actions)
        layout.addWidget(QLabel("Timeline"))
        layout.addWidget(self.timeline, 1)
        layout.addWidget(buttons)
        self.resize(760, 620)
        self.reload()

    def reload(self) -> None:
        row = svc.get_contact(self.store, self.contact_id)
        self.setWindowTitle(row.display_name)
        self.setAccessibleName(f"Contact {row.display_name}")
        self.title.setText(
            row.display_name + (f" ({row.handle})" if row.handle and row.name else "")
        )
        self.values["stage"].setText(svc.STAGE_LABELS[row.stage])
        self.values["community"].setText(row.attributed_community or "Unattributed")
        self.values["email"].setText(row.email)
        self.values["phone"].setText(row.phone)
        self.values["location"].setText(row.location)
        self.values["follow_up"].setText(row.follow_up_on.isoformat() if row.follow_up_on else "")
        self.values["revenue"].setText(
            plain_cents(ledger.total_revenue(self.store, self.contact_id))
        )
        self.timeline.clear()
        self.events = svc.timeline(self.store, self.contact_id)
        for event in self.events:
            note = event.detail.get("note") or ""
            self.timeline.addItem(
                f"{local_datetime(event.when)}  {event.text}" + (f": {note}" if note else "")
            )

    def _run(self, dialog) -> None:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.changed = True
            self.reload()

    def edit(self) -> None:
        self._run(ContactDialog(self.store, self.actor, self.contact_id, parent=self))

    def move_stage(self) -> None:
        self._run(MoveStageDialog(self.store, self.actor, self.contact_id, parent=self))

    def log_interaction(self) -> None:
        self._run(InteractionDialog(self.store, self.actor, self.contact_id, parent=self))

    def intake_form(self) -> None:
        self._run(ReferralDialog(self.store, self.actor, self.contact_id, parent=self))

    def send_link(self) -> None:
        before = svc.get_contact(self.store, self.contact_id).stage
        self.page.send_intake_link(self.contact_id)
        if svc.get_contact(self.store, self.contact_id).stage != before:
            self.changed = True
        self.reload()

    def erase(self) -> None:
        from outreach.services.erasure import WHAT_STAYS, erase_contact

        name = svc.get_contact(self.store, self.contact_id).display_name
        if not confirm.ask(
            self, "Erase contact", f"Erase {name}'s personal details?\n\n{WHAT_STAYS}", "Erase"
        ):
            return
        try:
            erase_contact(self.store, self.actor, self.contact_id)
        except OutreachError as exc:
            QMessageBox.warning(self, "Erase contact", str(exc))
            return
        self.changed = True
        self.reload()

    def _selection_changed(self, row: int) -> None:
        event = self.events[row] if 0 <= row < len(self.events) else None
        self.delete_payment_button.setEnabled(event is not None and event.kind == "revenue")

    def delete_payment(self) -> None:
        row = self.timeline.currentRow()
        if not 0 <= row < len(self.events) or self.events[row].kind != "revenue":
            return
        event = self.events[row]
        if not confirm.ask(self, "Delete payment", f"Delete the {event.text.lower()}?"):
            return
        try:
            ledger.delete_revenue(self.store, self.actor, event.detail["revenue_id"])
        except OutreachError as exc:
            QMessageBox.warning(self, "Delete payment", str(exc))
            return
        self.changed = True
        self.reload()
