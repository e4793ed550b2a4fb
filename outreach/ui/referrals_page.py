"""The Referrals page: intake forms and where they came from, with the queue of
unattributed ones for staff to assign."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from outreach.services import communities as communities_svc
from outreach.services import contacts as contacts_svc
from outreach.services import referrals as svc

from .list_page import ListPage, fill_communities
from .table_model import Column, PagedTableModel


def _day(value) -> str:
    return value.isoformat() if value else ""


COLUMNS = [
    Column("Contact", "contact", lambda r: r.contact),
    Column("Community", "community", lambda r: r.community or "Unattributed"),
    Column("Sent", "sent_on", lambda r: _day(r.sent_on)),
    Column("Completed", "completed_on", lambda r: _day(r.completed_on)),
    Column("Booked", "booked_on", lambda r: _day(r.booked_on)),
    Column("First visit", "first_visit_on", lambda r: _day(r.first_visit_on)),
    Column("Said they found you", "source", lambda r: r.source_text),
    Column("Code", None, lambda r: r.intake_code),
    Column("Advice useful?", None, lambda r: r.answer_useful),
    Column("Could be better", None, lambda r: r.answer_better),
    Column("Looks for health info", None, lambda r: r.answer_where),
]


class ReferralsPage(ListPage):
    title = "Referrals"
    empty_text = (
        "No intake forms yet.\n\nImport them from your intake tool with File > Import intake "
        "forms; each is matched to a contact and to the community it came from."
    )

    def __init__(self, store, actor, parent=None):
        model = PagedTableModel(
            COLUMNS, lambda q: svc.list_referrals(store, q), svc.ReferralQuery()
        )
        super().__init__(store, actor, model, parent)
        self.add_button(
            "&Edit intake form...", self.edit_selected, "Edit the intake form", "Return"
        )
        self.assign_button = self.add_button(
            "&Assign community...", self.assign, "Assign the contact to a community"
        )
        self.buttons.addStretch(1)
        self.queue = QComboBox()
        self.queue.setAccessibleName("Which referrals")
        self.queue.addItem("All referrals", False)
        self.queue.addItem("Unattributed queue", True)
        self.community = QComboBox()
        self.community.setAccessibleName("Filter by community")
        self.reload_communities()
        for combo in (self.queue, self.community):
            combo.currentIndexChanged.connect(self.apply_filters)
            self.filters.addWidget(combo)
        self.apply_filters()

    def reload_communities(self) -> None:
        fill_communities(self.community, self.store, "All communities")

    def build_query(self, query):
        return self.query_with(
            search=self.search.text(),
            unattributed=self.queue.currentData(),
            community_id=self.community.currentData(),
        )

    def is_filtered(self) -> bool:
        return (
            super().is_filtered()
            or self.queue.currentData()
            or self.community.currentData() is not None
        )

    def totals_text(self, page) -> str:
        waiting = svc.list_referrals(
            self.store, svc.ReferralQuery(unattributed=True, limit=1)
        ).total
        return f"{page.total:,} referral{'s' if page.total != 1 else ''} · {waiting:,} waiting to be assigned"

    def edit_selected(self) -> None:
        from .referral_dialog import ReferralDialog

        row = self.current_row()
        if row is None:
            return
        dialog = ReferralDialog(self.store, self.actor, row.contact_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh(keep_id=row.id)
            self.status_message.emit(f"Saved the intake form of {row.contact}")
            self.data_changed.emit()

    def current_row(self):
        row_id = self.current_id()
        return None if row_id is None else self.model.row_at(self.model.position_of(row_id))

    def assign(self) -> None:
        row = self.current_row()
        if row is None:
            return
        dialog = AssignDialog(self.store, row.contact, parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        community_id = dialog.community.currentData()
        if self.run(
            lambda: contacts_svc.assign_community(
                self.store, self.actor, row.contact_id, community_id
            )
        ):
            self.refresh(keep_id=row.id)
            self.status_message.emit(f"Assigned {row.contact} to {dialog.community.currentText()}")
            self.data_changed.emit()


class AssignDialog(QDialog):
    def __init__(self, store, contact: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Assign community")
        self.setAccessibleName("Assign community")
        label = QLabel(f"Which community did {contact} come from?")
        label.setWordWrap(True)
        self.community = QComboBox()
        self.community.setAccessibleName("Community")
        for cid, name in communities_svc.community_choices(store):
            self.community.addItem(name, cid)
        label.setBuddy(self.community)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.community.count() > 0)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.community)
        layout.addWidget(buttons)
