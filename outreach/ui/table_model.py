"""A table model over a service's paged query: rows are plain dataclasses,
sorting and filtering happen in SQL, and rows arrive 200 at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_ROOT = QModelIndex()
PAGE_SIZE = 200


@dataclass(frozen=True)
class Column:
    title: str
    sort_key: str | None
    text: Callable[[Any], str]
    numeric: bool = False


class PagedTableModel(QAbstractTableModel):
    def __init__(self, columns: list[Column], fetch: Callable[[Any], Any], query, parent=None):
        super().__init__(parent)
        self._columns = columns
        self._fetch = fetch
        self._query = query
        self._rows: list = []
        self._total = 0
        self.page = None

    # -- loading -------------------------------------------------------------
    @property
    def columns(self) -> list[Column]:
        return self._columns

    @property
    def query(self):
        return self._query

    def set_query(self, query) -> None:
        self._query = replace(query, offset=0, limit=PAGE_SIZE)
        self.reload()

    def reload(self, at_least: int = 0) -> None:
        """Re-query from the top, loading at least ``at_least`` rows (to keep the
        user's place after an edit)."""
        limit = max(PAGE_SIZE, at_least)
        page = self._fetch(replace(self._query, offset=0, limit=limit))
        self.beginResetModel()
        self._rows = list(page.rows)
        self._total = page.total
        self.page = page
        self.endResetModel()

    def canFetchMore(self, parent=_ROOT) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent=_ROOT) -> None:
        if parent.isValid():
            return
        page = self._fetch(replace(self._query, offset=len(self._rows), limit=PAGE_SIZE))
        if not page.rows:
            self._total = len(self._rows)
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(page.rows) - 1)
        self._rows.extend(page.rows)
        self.endInsertRows()

    # -- Qt model interface --------------------------------------------------
    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].title
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ID_ROLE:
            return row.id
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        key = self._columns[column].sort_key
        if key is None:
            return
        self.set_query(
            replace(self._query, sort=key, descending=order == Qt.SortOrder.DescendingOrder)
        )

    # -- helpers -------------------------------------------------------------
    def row_at(self, position: int):
        return self._rows[position]

    def position_of(self, row_id: int) -> int | None:
        for position, row in enumerate(self._rows):
            if row.id == row_id:
                return position
        return None

    @property
    def total(self) -> int:
        return self._total
