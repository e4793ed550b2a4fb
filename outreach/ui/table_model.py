"""A table model over a service's paged query: rows are plain dataclasses,
sorting and filtering happen in SQL, and rows arrive 200 at a time.

A query that has the fields ``count`` and ``after`` (see services.common.Page) is
counted once, when it changes (filter, sort, search, reload), not on every page
fetched while scrolling, and its next pages start after the last row's cursor
(keyset paging) instead of at an offset the database must read through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_ROOT = QModelIndex()
PAGE_SIZE = 200
# data() is called for every role of every cell (sizing the columns alone asks
# ~18k times for 200 rows): the roles as plain ints, looked up in one go.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_ROW_ID = int(ROW_ID_ROLE)
_ANSWERED = frozenset((_DISPLAY, _ACCESSIBLE, _ALIGNMENT, _ROW_ID))
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


@dataclass(frozen=True)
class Column:
    title: str
    sort_key: str | None
    text: Callable[[Any], str]
    numeric: bool = False


class _Rows:
    """The loaded rows, each kept as a plain tuple of its dataclass's field values
    and rebuilt when shown (the last few thousand cached).

    Why: Python's full garbage collection walks every object it tracks, and a
    dataclass row is one. With 100k posts scrolled in, each full pass took 75-100
    ms, landing in whichever page fetch was running. A tuple of numbers, text and
    dates is dropped from the collector's watch once it has survived one pass, so
    those passes stay the size of the app, not of the list. Rows that are not
    such dataclasses are kept as they are."""

    CACHE = 2048

    def __init__(self) -> None:
        self._values: list = []
        self._type: type | None = None
        self._names: tuple[str, ...] | None = None  # None: rows kept as they are
        self._cache: dict[int, Any] = {}

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        self._values, self._cache = [], {}

    def extend(self, rows) -> None:
        rows = list(rows)
        if not rows:
            return
        if not self._values:
            self._type = type(rows[0])
            self._names = _field_names(self._type)
        names = self._names
        if names is not None and any(type(r) is not self._type for r in rows):
            self._values = [self.row(i) for i in range(len(self._values))]
            self._names = names = None
        if names is None:
            self._values.extend(rows)
        else:
            self._values.extend(tuple([getattr(r, n) for n in names]) for r in rows)

    def row(self, position: int):
        if self._names is None:
            return self._values[position]
        row = self._cache.get(position)
        if row is None:
            if len(self._cache) >= self.CACHE:
                self._cache.clear()
            row = self._cache[position] = self._type(*self._values[position])
        return row

    def position_of(self, row_id: int) -> int | None:
        if self._names is None:
            ids = (row.id for row in self._values)
        else:
            at = self._names.index("id")
            ids = (values[at] for values in self._values)
        for position, value in enumerate(ids):
            if value == row_id:
                return position
        return None


def _field_names(cls: type) -> tuple[str, ...] | None:
    """The fields a row is rebuilt from, in its constructor's order; None when
    the row type cannot be rebuilt from them positionally."""
    if not is_dataclass(cls):
        return None
    found = fields(cls)
    if any(not f.init or f.kw_only for f in found):
        return None
    names = tuple(f.name for f in found)
    return names if "id" in names else None


class PagedTableModel(QAbstractTableModel):
    def __init__(self, columns: list[Column], fetch: Callable[[Any], Any], query, parent=None):
        super().__init__(parent)
        self._columns = columns
        self._fetch = fetch
        self._query = query
        self._rows = _Rows()
        self._total = 0
        self._cursor = None  # where the next page starts (keyset paging)
        self.page = None  # the first page: its total and totals

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

    def _paged(self, offset: int, limit: int, cursor=None, count: bool = True):
        """The query for one page; ``cursor`` and ``count`` only where the
        service's query takes them (other lists page by offset, counting)."""
        changes = {"offset": offset, "limit": limit}
        names = self._query_fields
        if "after" in names:
            changes["after"] = cursor
        if "count" in names:
            changes["count"] = count
        return replace(self._query, **changes)

    def _counted(self, page) -> bool:
        """Whether ``page`` carries a count this model can keep (its query could
        have been asked not to count)."""
        return page is not None and "count" in self._query_fields and page.total >= 0

    @property
    def _query_fields(self) -> frozenset[str]:
        return frozenset(f.name for f in fields(self._query))

    def reload(self, at_least: int = 0, recount: bool = True) -> None:
        """Re-query from the top, loading at least ``at_least`` rows (to keep the
        user's place after an edit). ``recount=False``: the rows are the ones
        already counted (a new order), so the count and totals are kept."""
        keep = self.page if not recount and self._counted(self.page) else None
        first = page = self._fetch(self._paged(0, max(PAGE_SIZE, at_least), count=keep is None))
        rows, cursor = list(page.rows), page.cursor
        total = (keep or first).total
        # A service caps a page (common.MAX_PAGE): read on to the user's place.
        while cursor is not None and page.rows and len(rows) < min(at_least, total):
            page = self._fetch(self._paged(len(rows), at_least - len(rows), cursor, count=False))
            rows += page.rows
            cursor = page.cursor or cursor
        self.beginResetModel()
        self._rows.clear()
        self._rows.extend(rows)
        self._cursor = cursor
        self.page = keep or first
        self._total = self.page.total
        self.endResetModel()

    def canFetchMore(self, parent=_ROOT) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent=_ROOT) -> None:
        if parent.isValid():
            return
        # Counted once by reload(); each further page is only its own rows.
        page = self._fetch(self._paged(len(self._rows), PAGE_SIZE, self._cursor, count=False))
        if not page.rows:
            self._total = len(self._rows)
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(page.rows) - 1)
        self._rows.extend(page.rows)
        self._cursor = page.cursor
        self.endInsertRows()
        if len(page.rows) < PAGE_SIZE:
            self._total = len(self._rows)  # a short page is the end

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
        role = int(role)
        if role not in _ANSWERED:
            return None
        position = index.row()
        if position < 0 or position >= len(self._rows):  # also an invalid index (-1)
            return None
        row = self._rows.row(position)
        if role in (_DISPLAY, _ACCESSIBLE):
            return self._columns[index.column()].text(row)
        if role == _ALIGNMENT:
            return _RIGHT if self._columns[index.column()].numeric else None
        return row.id

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        key = self._columns[column].sort_key
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if self.page is not None and (key, descending) == (
            self._query.sort,
            self._query.descending,
        ):
            # Already in this order: QTableView.sortByColumn() asks twice (through
            # the header's signal, then itself), and the second would re-run the
            # query and its count for the same rows.
            return
        self._query = replace(self._query, sort=key, descending=descending)
        # The same rows in another order: their count and totals stand.
        self.reload(recount=False)

    # -- helpers -------------------------------------------------------------
    def row_at(self, position: int):
        return self._rows.row(position)

    def position_of(self, row_id: int) -> int | None:
        return self._rows.position_of(row_id)

    @property
    def total(self) -> int:
        return self._total
