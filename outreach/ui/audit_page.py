"""The audit trail (practitioner only): who changed what and when, newest first,
filtered by person, record type, action and dates, paged in SQL as it scrolls."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableView,
    QVBoxLayout,
)

from outreach.context import PRACTITIONER
from outreach.errors import OutreachError
from outreach.services import audit, auth

from .date_range import date_range_filter
from .formatting import local_datetime
from .forms import heading
from .table_model import Column, PagedTableModel

SHOWN_IDS = 3
# Events written before anyone had an account, and refused sign-ins by unknown names.
NAMED_ONLY = (PRACTITIONER.name, "(not signed in)")


def record_type(entity: str) -> str:
    return entity.replace("_", " ").capitalize() if entity else ""


def short_ids(ids: list[str]) -> str:
    if len(ids) <= SHOWN_IDS:
        return ", ".join(ids)
    return f"{', '.join(ids[:SHOWN_IDS])} and {len(ids) - SHOWN_IDS:,} more"


COLUMNS = [
    Column("When", None, lambda r: local_datetime(r.at)),
    Column("Who", None, lambda r: r.actor_name),
    Column("Action", None, lambda r: audit.ACTION_LABELS.get(r.action, r.action)),
    Column("Record type", None, lambda r: record_type(r.entity)),
    Column("Records", None, lambda r: short_ids(r.record_ids)),
    Column("Fields", None, lambda r: ", ".join(r.fields)),
    Column("Note", None, lambda r: r.note),
]


class AuditDialog(QDialog):
    def __init__(self, store, actor, parent=None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.setWindowTitle("Audit trail")
        self.setAccessibleName(self.windowTitle())
        intro = QLabel(
            "Every change, sign-in and lock, newest first. The trail names the fields that "
            "changed, never their values, and cannot be edited."
        )
        intro.setWordWrap(True)

        self.person = QComboBox()
        self.person.setAccessibleName("Filter by person")
        self.person.addItem("Everyone", None)
        for account in auth.list_accounts(store):
            self.person.addItem(account.display_name or account.username, f"user:{account.id}")
        for name in NAMED_ONLY:
            self.person.addItem(name, f"name:{name}")
        self.entity = QComboBox()
        self.entity.setAccessibleName("Filter by record type")
        self.entity.addItem("All record types", "")
        for entity in audit.entities(store):
            self.entity.addItem(record_type(entity), entity)
        self.action = QComboBox()
        self.action.setAccessibleName("Filter by action")
        self.action.addItem("All actions", "")
        for key, label in audit.ACTION_LABELS.items():
            self.action.addItem(label, key)
        self.use_dates, self.date_from, self.date_to = date_range_filter(30, self.apply_filters)
        labels = []
        for text, buddy in (
            ("&Person:", self.person),
            ("&Record type:", self.entity),
            ("&Action:", self.action),
        ):
            label = QLabel(text)
            label.setBuddy(buddy)
            labels.append(label)
        to_label = QLabel("&to")
        to_label.setBuddy(self.date_to)
        filters = QHBoxLayout()
        for label, combo in zip(labels, (self.person, self.entity, self.action), strict=True):
            filters.addWidget(label)
            filters.addWidget(combo)
        for widget in (self.use_dates, self.date_from, to_label, self.date_to):
            filters.addWidget(widget)
        filters.addStretch(1)

        self.model = PagedTableModel(COLUMNS, self._fetch, audit.AuditQuery(), self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Audit events")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.totals = QLabel()
        self.totals.setAccessibleName("Number of events")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        bottom = QHBoxLayout()
        bottom.addWidget(self.totals, 1)
        bottom.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Audit trail"))
        layout.addWidget(intro)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        for combo in (self.person, self.entity, self.action):
            combo.currentIndexChanged.connect(self.apply_filters)
        self._sized = False
        self.apply_filters()
        self.resize(1180, 640)

    def _fetch(self, query):
        return audit.list_events(self.store, self.actor, query)

    def build_query(self) -> audit.AuditQuery:
        kind, _, value = (self.person.currentData() or "").partition(":")
        use_dates = self.use_dates.isChecked()
        return replace(
            self.model.query,
            user_id=int(value) if kind == "user" else None,
            actor_name=value if kind == "name" else "",
            entity=self.entity.currentData() or "",
            action=self.action.currentData() or "",
            date_from=self.date_from.date().toPython() if use_dates else None,
            date_to=self.date_to.date().toPython() if use_dates else None,
        )

    def apply_filters(self) -> None:
        try:
            self.model.set_query(self.build_query())
        except OutreachError as exc:
            QMessageBox.warning(self, "Audit trail", str(exc))
            return
        if not self._sized and self.model.rowCount():
            self.table.resizeColumnsToContents()
            for column, cap in ((4, 200), (5, 320)):
                self.table.setColumnWidth(column, min(self.table.columnWidth(column), cap))
            self._sized = True
        total = self.model.total
        self.totals.setText(
            f"{total:,} event{'s' if total != 1 else ''}" if total else "No events match."
        )
        self.totals.setTextFormat(Qt.TextFormat.PlainText)
