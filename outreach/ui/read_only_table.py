"""A small table of computed figures (not a paged list): read-only, whole rows
selected, columns sized to their contents. The Dashboard, Reports and Compliance
pages show their summaries in these."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem


def read_only_table(headers: list[str], accessible: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(accessible)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


class ValueItem(QTableWidgetItem):
    """A read-only cell that sorts by its value, not its text."""

    def __init__(self, text: str, key=None, align_right: bool = False):
        super().__init__(text)
        self.key = text.lower() if key is None else key
        self.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        if align_right:
            self.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def __lt__(self, other):
        mine, theirs = self.key, getattr(other, "key", None)
        # Undefined values (a dash) sort below every number.
        if mine is None or theirs is None:
            return mine is None and theirs is not None
        try:
            return mine < theirs
        except TypeError:
            return str(mine) < str(theirs)
