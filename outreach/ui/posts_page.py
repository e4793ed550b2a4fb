"""The Posts page: every contribution, filtered by community, kind and dates."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QLabel, QMessageBox

from outreach.models import POST_KINDS
from outreach.services import posts as svc

from . import confirm
from .composer_dialog import ComposerDialog
from .date_range import date_range_filter
from .formatting import hours, local_datetime
from .list_page import ListPage, fill_communities
from .post_dialog import PostDialog
from .table_model import Column, PagedTableModel

COLUMNS = [
    Column("Posted", "posted_at", lambda r: local_datetime(r.posted_at)),
    Column("Community", "community", lambda r: r.community_name),
    Column("Kind", "kind", lambda r: svc.KIND_LABELS.get(r.kind, r.kind)),
    Column("Title", "title", lambda r: r.title or r.body[:80].replace("\n", " ")),
    Column("Minutes", "minutes_spent", lambda r: f"{r.minutes_spent:,}", numeric=True),
    Column("Replies", "replies", lambda r: f"{r.replies:,}", numeric=True),
    Column("Reactions", "reactions", lambda r: f"{r.reactions:,}", numeric=True),
    Column("Views", "views", lambda r: f"{r.views:,}", numeric=True),
    Column("Clicks", "clicks", lambda r: f"{r.clicks:,}", numeric=True),
    Column("Check", "check_status", lambda r: svc.CHECK_LABELS.get(r.check_status, "")),
]


class PostsPage(ListPage):
    title = "Posts"
    empty_text = (
        "No posts yet.\n\nAdd one with New post (Ctrl+N), import a CSV, "
        "or load demo data from the File menu."
    )

    def __init__(self, store, actor, parent=None):
        model = PagedTableModel(COLUMNS, lambda q: svc.list_posts(store, q), svc.PostQuery())
        super().__init__(store, actor, model, parent)
        self.add_button("&New post", self.new, "New post", "Ctrl+N")
        self.add_button("&Edit", self.edit_selected, "Edit post", "Return")
        self.add_button(
            "Com&pose...",
            self.compose,
            "Compose a post",
            "Write a post with the compliance check beside it, then copy it and log it",
        )
        self.add_button(
            "Chec&k...",
            self.check_selected,
            "Check the selected post",
            "Check an advice post that was never checked or was changed after its check",
        )
        self.add_button("&Archive", lambda: self.archive(True), "Archive posts")
        self.add_button("Unarc&hive", lambda: self.archive(False), "Unarchive posts")
        self.delete_button = self.add_button(
            "&Delete", self.delete_selected, "Delete posts", "Delete"
        )
        if not actor.is_owner:
            self.delete_button.setEnabled(False)
            self.delete_button.setToolTip(
                "Only the practitioner can delete posts; archive hides them instead."
            )
        self.buttons.addStretch(1)
        self.community = QComboBox()
        self.community.setAccessibleName("Filter by community")
        self.community.setMinimumContentsLength(18)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Filter by kind")
        self.kind.addItem("All kinds", None)
        for kind in POST_KINDS:
            self.kind.addItem(svc.KIND_LABELS[kind], kind)
        self.use_dates, self.date_from, self.date_to = date_range_filter(90, self.apply_filters)
        self.archived = QCheckBox("Show archi&ved")
        self.archived.setAccessibleName("Show archived posts")
        self.archived.toggled.connect(self.apply_filters)
        to_label = QLabel("to")
        to_label.setBuddy(self.date_to)
        for widget in (
            self.community,
            self.kind,
            self.use_dates,
            self.date_from,
            to_label,
            self.date_to,
            self.archived,
        ):
            self.filters.addWidget(widget)
        self.reload_communities()
        self.community.currentIndexChanged.connect(self.apply_filters)
        self.kind.currentIndexChanged.connect(self.apply_filters)
        self.apply_filters()

    def size_columns(self) -> None:
        # Capped so every column, Check included, fits a 1280-pixel window;
        # the full title shows in the post's dialog (Return).
        title = [c.title for c in self.model.columns].index("Title")
        self.table.setColumnWidth(title, min(self.table.columnWidth(title), 240))

    def reload_communities(self) -> None:
        fill_communities(self.community, self.store, "All communities")

    def build_query(self, query):
        use_dates = self.use_dates.isChecked()
        return self.query_with(
            search=self.search.text(),
            community_id=self.community.currentData(),
            kind=self.kind.currentData(),
            date_from=self.date_from.date().toPython() if use_dates else None,
            date_to=self.date_to.date().toPython() if use_dates else None,
            include_archived=self.archived.isChecked(),
        )

    def is_filtered(self) -> bool:
        return (
            super().is_filtered()
            or self.community.currentData() is not None
            or self.kind.currentData() is not None
            or self.use_dates.isChecked()
            or self.archived.isChecked()
        )

    def totals_text(self, page) -> str:
        return f"{page.total:,} post{'s' if page.total != 1 else ''} · {hours(page.total_minutes)} hours"

    def new(self) -> None:
        dialog = PostDialog(
            self.store, self.actor, community_id=self.community.currentData(), parent=self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh(keep_id=dialog.saved_id)
            self.status_message.emit("Added post")
            self.data_changed.emit()

    def compose(self) -> None:
        dialog = ComposerDialog(
            self.store, self.actor, community_id=self.community.currentData(), parent=self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.saved_post_id is not None:
            self.refresh(keep_id=dialog.saved_post_id)
            self.status_message.emit("Logged the checked post")
            self.data_changed.emit()

    def check_selected(self) -> None:
        row_id = self.current_id()
        if row_id is None:
            return
        row = self.model.row_at(self.table.currentIndex().row())
        if row.kind != "advice" or row.check_status not in ("unchecked", "changed"):
            QMessageBox.information(
                self,
                "Check a post",
                "Only advice posts that were never checked, or were changed after their check, "
                "need a check. Choose one of those (the Check column says which).",
            )
            return
        dialog = ComposerDialog(self.store, self.actor, post_id=row_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh(keep_id=row_id)
            self.status_message.emit("Saved the post with its check")
            self.data_changed.emit()

    def edit_selected(self) -> None:
        row_id = self.current_id()
        if row_id is None:
            return
        dialog = PostDialog(self.store, self.actor, post_id=row_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh(keep_id=row_id)
            self.status_message.emit("Saved post")
            self.data_changed.emit()

    def archive(self, archived: bool) -> None:
        ids = self.selected_ids()
        if ids and self.run(lambda: svc.set_archived(self.store, self.actor, ids, archived)):
            self.refresh()
            self.status_message.emit(
                f"{'Archived' if archived else 'Unarchived'} {len(ids)} post(s)"
            )
            self.data_changed.emit()

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        what = "this post" if len(ids) == 1 else f"these {len(ids)} posts"
        if not confirm.ask(
            self,
            "Delete posts",
            f"Delete {what}? This cannot be undone; archive keeps them instead.",
        ):
            return
        if self.run(lambda: svc.delete_posts(self.store, self.actor, ids)):
            self.refresh()
            self.status_message.emit(f"Deleted {len(ids)} post(s)")
            self.data_changed.emit()
