"""The Contacts page: people met in communities, by stage, with their timeline."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGroupBox,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QVBoxLayout,
)

from outreach.errors import ValidationError
from outreach.models import STAGES
from outreach.services import contacts as svc
from outreach.services.intake_links import contact_email
from outreach.services.referrals import mark_intake_sent

from . import confirm, desktop
from .contact_actions import InteractionDialog, MoveStageDialog
from .contact_dialog import ContactDialog
from .formatting import local_date, local_datetime
from .list_page import ListPage, fill_communities
from .table_model import Column, PagedTableModel

METHOD_LABELS = {
    "met": "met there",
    "code": "intake code",
    "source": "said so",
    "manual": "assigned",
}
COLUMNS = [
    Column("Contact", "name", lambda r: r.display_name),
    Column("Handle", "handle", lambda r: r.handle),
    Column("Stage", "stage", lambda r: svc.STAGE_LABELS[r.stage]),
    Column(
        "Community",
        "community",
        lambda r: (
            f"{r.attributed_community} ({METHOD_LABELS[r.attribution_method]})"
            if r.attribution_method
            else "Unattributed"
        ),
    ),
    Column("Location", None, lambda r: r.location),
    Column("Last interaction", "last_interaction", lambda r: local_date(r.last_interaction_at)),
    Column(
        "Follow up", "follow_up", lambda r: r.follow_up_on.isoformat() if r.follow_up_on else ""
    ),
    Column("Tags", None, lambda r: ", ".join(r.tags)),
]
VIEW_LABELS = [
    ("All contacts", "all"),
    ("Follow-ups due", "follow_ups"),
    ("Losing touch", "losing_touch"),
    ("Unattributed", "unattributed"),
]


class ContactsPage(ListPage):
    title = "Contacts"
    empty_text = (
        "No contacts yet.\n\nAdd the people you meet in communities with New contact: a handle "
        "is enough to start. Demo data (File menu) shows how a pipeline fills up."
    )

    def __init__(self, store, actor, parent=None):
        model = PagedTableModel(
            COLUMNS,
            lambda q: svc.list_contacts(store, q),
            svc.ContactQuery(sort="name", descending=False),
        )
        super().__init__(store, actor, model, parent)
        self.add_button("New &contact", self.new, "New contact")
        self.add_button("&Open...", self.open_selected, "Open the contact's page")
        self.add_button("&Edit", self.edit_selected, "Edit contact", "Return")
        self.add_button("&Move stage...", self.move_stage, "Move the contact to another stage")
        self.add_button("&Log interaction...", self.log_interaction, "Log an interaction")
        self.add_button("&Delete", self.delete_selected, "Delete contact", "Delete")
        self.add_button("Send &intake link...", self.send_intake_link, "Email the intake link")
        self.add_button("Intake &form...", self.edit_intake, "Enter or correct the intake form")
        self.add_menu_button(
            "Mo&re",
            "More contact actions",
            [
                ("Record &payment...", self.record_payment),
                ("Find d&uplicates...", self.find_duplicates),
                ("&Pipeline...", self.show_pipeline),
            ],
        )
        self.buttons.addStretch(1)
        self.view = QComboBox()
        self.view.setAccessibleName("Which contacts")
        for label, key in VIEW_LABELS:
            self.view.addItem(label, key)
        self.stage = QComboBox()
        self.stage.setAccessibleName("Filter by stage")
        self.stage.addItem("All stages", None)
        for stage in STAGES:
            self.stage.addItem(svc.STAGE_LABELS[stage], stage)
        self.community = QComboBox()
        self.community.setAccessibleName("Filter by community")
        self.reload_communities()
        self.tag = QLineEdit()
        self.tag.setPlaceholderText("Tag")
        self.tag.setAccessibleName("Filter by tag")
        self.tag.setMaximumWidth(140)
        for combo in (self.view, self.stage, self.community):
            combo.currentIndexChanged.connect(self.apply_filters)
            self.filters.addWidget(combo)
        self.tag.editingFinished.connect(self.apply_filters)
        self.filters.addWidget(self.tag)
        box = QGroupBox("Timeline of the selected contact")
        self.timeline = QListWidget()
        self.timeline.setAccessibleName("Contact timeline")
        inner = QVBoxLayout(box)
        inner.addWidget(self.timeline)
        box.setMaximumHeight(190)
        self.layout().insertWidget(self.layout().count() - 1, box)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.show_timeline())
        self.apply_filters()

    def reload_communities(self) -> None:
        fill_communities(self.community, self.store, "All communities")

    def build_query(self, query):
        return self.query_with(
            search=self.search.text(),
            view=self.view.currentData(),
            stage=self.stage.currentData(),
            community_id=self.community.currentData(),
            tag=self.tag.text(),
        )

    def is_filtered(self) -> bool:
        return (
            super().is_filtered()
            or self.view.currentData() != "all"
            or self.stage.currentData() is not None
            or self.community.currentData() is not None
            or bool(self.tag.text().strip())
        )

    def totals_text(self, page) -> str:
        return f"{page.total:,} contact{'s' if page.total != 1 else ''}"

    def show_timeline(self) -> None:
        self.timeline.clear()
        contact_id = self.current_id()
        if contact_id is None:
            return
        for event in svc.timeline(self.store, contact_id):
            note = event.detail.get("note") or ""
            self.timeline.addItem(
                f"{local_datetime(event.when)}  {event.text}" + (f": {note}" if note else "")
            )

    def _after_dialog(self, dialog, message: str, keep_id=None) -> None:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh(keep_id=keep_id or getattr(dialog, "saved_id", None))
            self.show_timeline()
            self.status_message.emit(message)
            self.data_changed.emit()

    def new(self) -> None:
        self._after_dialog(ContactDialog(self.store, self.actor, parent=self), "Added contact")

    def edit_selected(self) -> None:
        if (contact_id := self.current_id()) is not None:
            self._after_dialog(
                ContactDialog(self.store, self.actor, contact_id, parent=self), "Saved contact"
            )

    def move_stage(self) -> None:
        if (contact_id := self.current_id()) is not None:
            dialog = MoveStageDialog(self.store, self.actor, contact_id, parent=self)
            self._after_dialog(dialog, "Moved the contact", keep_id=contact_id)

    def log_interaction(self) -> None:
        if (contact_id := self.current_id()) is not None:
            dialog = InteractionDialog(self.store, self.actor, contact_id, parent=self)
            self._after_dialog(dialog, "Logged the interaction", keep_id=contact_id)

    def delete_selected(self) -> None:
        contact_id = self.current_id()
        if contact_id is None:
            return
        row = svc.get_contact(self.store, contact_id)
        question = (
            f"Delete {row.display_name} with their interactions, stage history and intake form? "
            "This cannot be undone."
        )
        if confirm.ask(self, "Delete contact", question) and self.run(
            lambda: svc.delete_contact(self.store, self.actor, contact_id)
        ):
            self.refresh()
            self.timeline.clear()
            self.status_message.emit(f"Deleted {row.display_name}")
            self.data_changed.emit()

    def find_duplicates(self) -> None:
        from .duplicates_dialog import DuplicatesDialog

        dialog = DuplicatesDialog(self.store, self.actor, parent=self)
        dialog.exec()
        if dialog.merged:
            self.refresh()
            self.status_message.emit(f"Merged {dialog.merged} duplicate contact(s)")
            self.data_changed.emit()

    def send_intake_link(self, contact_id: int | None = None) -> None:
        contact_id = contact_id or self.current_id()
        if contact_id is None:
            return
        try:
            mail = contact_email(self.store, contact_id)
        except ValidationError as exc:
            QMessageBox.warning(
                self, "Send intake link", " ".join(exc.errors.values()).capitalize()
            )
            return
        if not desktop.open_url(mail):
            QMessageBox.warning(
                self,
                "Send intake link",
                "No email program opened. Set a default mail app and try again.",
            )
            return
        went = desktop.ask_yes_no(self, "Send intake link", "Did the intake email go out?")
        if went and self.run(lambda: mark_intake_sent(self.store, self.actor, contact_id)):
            self.refresh(keep_id=contact_id)
            self.show_timeline()
            self.status_message.emit("Intake form sent")
            self.data_changed.emit()

    def record_payment(self) -> None:
        from outreach.services import ledger

        from .money_dialog import MoneyDialog

        contact_id = self.current_id()
        if contact_id is None:
            return
        row = svc.get_contact(self.store, contact_id)
        dialog = MoneyDialog(
            "Record payment",
            f"A payment from {row.display_name}. Reports credit it to the community they came from.",
            lambda on, cents, note: ledger.add_revenue(
                self.store, self.actor, contact_id, on, cents, note
            ),
            parent=self,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.status_message.emit(f"Recorded a payment from {row.display_name}")
            self.data_changed.emit()

    def show_pipeline(self) -> None:
        from .pipeline_dialog import PipelineDialog

        dialog = PipelineDialog(self.store, self.actor, parent=self)
        dialog.exec()
        if dialog.moved:
            self.refresh()
            self.status_message.emit(f"Moved {dialog.moved} contact(s)")
            self.data_changed.emit()

    def edit_intake(self) -> None:
        from .referral_dialog import ReferralDialog

        if (contact_id := self.current_id()) is not None:
            dialog = ReferralDialog(self.store, self.actor, contact_id, parent=self)
            self._after_dialog(dialog, "Saved the intake form", keep_id=contact_id)

    def open_selected(self) -> None:
        from .contact_view import ContactView

        contact_id = self.current_id()
        if contact_id is None:
            return
        view = ContactView(self.store, self.actor, contact_id, page=self, parent=self)
        view.exec()
        if view.changed:
            self.refresh(keep_id=contact_id)
            self.show_timeline()
            self.data_changed.emit()
