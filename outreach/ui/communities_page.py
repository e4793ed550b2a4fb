"""The Communities page: where the clinician takes part, with posts and hours."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QMessageBox

from outreach.errors import ValidationError
from outreach.services import communities as svc
from outreach.services.intake_links import community_link

from . import confirm, desktop
from .community_dialog import CommunityDialog
from .delete_community_dialog import DeleteCommunityDialog
from .formatting import hours, local_date, rule
from .list_page import ListPage
from .table_model import Column, PagedTableModel

COLUMNS = [
    Column("Name", "name", lambda r: r.name),
    Column("Platform", "platform", lambda r: svc.PLATFORM_LABELS.get(r.platform, r.platform)),
    Column("Topic", "topic", lambda r: r.topic),
    Column("Status", "status", lambda r: r.status.capitalize()),
    Column("Advice", None, lambda r: rule(r.advice_allowed)),
    Column("Promotion", None, lambda r: rule(r.self_promotion_allowed)),
    Column("Code", "intake_code", lambda r: r.intake_code),
    Column("Posts", "posts", lambda r: f"{r.post_count:,}", numeric=True),
    Column("Hours", "hours", lambda r: hours(r.minutes), numeric=True),
    Column("Last post", "last_posted_at", lambda r: local_date(r.last_posted_at)),
]


class CommunitiesPage(ListPage):
    title = "Communities"
    empty_text = (
        "No communities yet.\n\nAdd one with New community (Ctrl+Shift+N), pick well-known ones "
        "from the catalog, import a CSV, or load demo data from the File menu."
    )

    def __init__(self, store, actor, parent=None):
        model = PagedTableModel(
            COLUMNS, lambda q: svc.list_communities(store, q), svc.CommunityQuery()
        )
        super().__init__(store, actor, model, parent)
        self.add_button("&New community", self.new, "New community", "Ctrl+Shift+N")
        self.add_button("&Edit", self.edit_selected, "Edit community", "Return")
        self.archive_button = self.add_button(
            "&Archive", self.toggle_archive, "Archive or unarchive community"
        )
        self.delete_button = self.add_button(
            "&Delete", self.delete_selected, "Delete community", "Delete"
        )
        if not actor.is_owner:
            self.delete_button.setEnabled(False)
            self.delete_button.setToolTip(
                "Only the practitioner can delete communities; archive hides them instead."
            )
        self.add_button(
            "From &catalog...", self.add_from_catalog, "Add communities from the catalog"
        )
        self.add_button("Copy intake &link", self.copy_link, "Copy the community's intake link")
        self.add_button("Cop&y code", self.copy_code, "Copy the community's intake code")
        self.add_button("C&osts...", self.show_costs, "The community's direct costs")
        self.buttons.addStretch(1)
        self.platform = QComboBox()
        self.platform.setAccessibleName("Filter by platform")
        self.platform.addItem("All platforms", None)
        for key, label in svc.PLATFORM_LABELS.items():
            self.platform.addItem(label, key)
        self.platform.currentIndexChanged.connect(self.apply_filters)
        self.archived = QCheckBox("Show arc&hived")
        self.archived.setAccessibleName("Show archived communities")
        self.archived.toggled.connect(self.apply_filters)
        self.filters.addWidget(self.platform)
        self.filters.addWidget(self.archived)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.apply_filters()

    def build_query(self, query):
        return self.query_with(
            search=self.search.text(),
            platform=self.platform.currentData(),
            include_archived=self.archived.isChecked(),
        )

    def is_filtered(self) -> bool:
        return (
            super().is_filtered()
            or self.platform.currentData() is not None
            or self.archived.isChecked()
        )

    def totals_text(self, page) -> str:
        return (
            f"{page.total:,} communit{'y' if page.total == 1 else 'ies'} · "
            f"{page.total_posts:,} posts · {hours(page.total_minutes)} hours"
        )

    def _update_buttons(self) -> None:
        row_id = self.current_id()
        if row_id is None:
            return
        row = self.model.row_at(self.model.position_of(row_id))
        self.archive_button.setText("Un&archive" if row.status == "archived" else "&Archive")

    def new(self) -> None:
        dialog = CommunityDialog(self.store, self.actor, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh(keep_id=dialog.saved_id)
            self.status_message.emit(f"Added community {dialog.name.text().strip()}")
            self.data_changed.emit()

    def edit_selected(self) -> None:
        row_id = self.current_id()
        if row_id is None:
            return
        dialog = CommunityDialog(self.store, self.actor, row_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh(keep_id=row_id)
            self.status_message.emit("Saved community")
            self.data_changed.emit()

    def toggle_archive(self) -> None:
        row_id = self.current_id()
        if row_id is None:
            return
        row = self.model.row_at(self.model.position_of(row_id))
        archive = row.status != "archived"
        if self.run(lambda: svc.set_archived(self.store, self.actor, row_id, archive)):
            self.refresh(keep_id=row_id)
            self.status_message.emit(f"{'Archived' if archive else 'Unarchived'} {row.name}")
            self.data_changed.emit()

    def delete_selected(self) -> None:
        row_id = self.current_id()
        if row_id is None:
            return
        row = self.model.row_at(self.model.position_of(row_id))
        if row.post_count or svc.post_count(self.store, row_id):
            dialog = DeleteCommunityDialog(self.store, self.actor, row_id, parent=self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            message = dialog.outcome_text
        else:
            if not confirm.ask(
                self,
                "Delete community",
                f"Delete the community “{row.name}”? This cannot be undone.",
            ):
                return
            if not self.run(lambda: svc.delete_community(self.store, self.actor, row_id)):
                return
            message = f"Deleted {row.name}"
        self.refresh()
        self.status_message.emit(message)
        self.data_changed.emit()

    def add_from_catalog(self) -> None:
        from .catalog_dialog import CatalogDialog

        dialog = CatalogDialog(self.store, self.actor, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.added:
            self.refresh(keep_id=dialog.added[0])
            self.status_message.emit(f"Added {len(dialog.added)} communities from the catalog")
            self.data_changed.emit()
        elif dialog.result() == QDialog.DialogCode.Accepted:
            QMessageBox.information(self, "Catalog", "Nothing was selected, so nothing was added.")

    def copy_link(self) -> None:
        row_id = self.current_id()
        if row_id is None:
            return
        try:
            link = community_link(self.store, row_id)
        except ValidationError as exc:
            QMessageBox.warning(self, "Intake link", " ".join(exc.errors.values()).capitalize())
            return
        desktop.copy_text(link)
        self.status_message.emit(f"Copied {link}")

    def show_costs(self) -> None:
        from .costs_dialog import CostsDialog

        row_id = self.current_id()
        if row_id is None:
            return
        name = self.model.row_at(self.model.position_of(row_id)).name
        CostsDialog(self.store, self.actor, row_id, name, parent=self).exec()

    def copy_code(self) -> None:
        row_id = self.current_id()
        if row_id is None:
            return
        code = self.model.row_at(self.model.position_of(row_id)).intake_code
        desktop.copy_text(code)
        self.status_message.emit(f"Copied {code}")
