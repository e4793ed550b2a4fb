"""What the Communities and Posts pages share: a toolbar, a search box, a table
over a PagedTableModel, a totals line and an empty state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from outreach.errors import OutreachError

from .forms import heading
from .table_model import ROW_ID_ROLE, PagedTableModel

SEARCH_DELAY_MS = 250

# Set while the main window builds its pages: a page not shown at start must cost
# nothing at start (a list page's first rows and totals take up to seconds on a
# practice's five years of posts), so pages built then load when first shown.
_defer_loading = False


@contextmanager
def loading_on_first_show() -> Iterator[None]:
    """Pages built inside this load their data when first shown (or when
    ``ensure_loaded`` is called), not in their constructor. A page built alone
    (a dialog, a test) still loads at once."""
    global _defer_loading
    was, _defer_loading = _defer_loading, True
    try:
        yield
    finally:
        _defer_loading = was


def loading_deferred() -> bool:
    """Whether a page being built now should put its first load off until shown."""
    return _defer_loading


class ListPage(QWidget):
    status_message = Signal(str)
    data_changed = Signal()

    title = ""
    empty_text = ""

    def __init__(self, store, actor, model: PagedTableModel, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.model = store, actor, model
        # True until the first load when built by the main window: filters set
        # meanwhile are read from the widgets when the page is first shown.
        self._waiting = loading_deferred()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(f"Search {self.title.lower()}")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.filters = QHBoxLayout()
        self.filters.addWidget(self.search, 2)
        self.buttons = QHBoxLayout()
        self.table = QTableView()
        # Show the service's default order. Sorting is enabled before the model is
        # set: enabling it on a table with a model sorts at once, which would run
        # the page's query in the constructor (a second time, or before the page
        # is ever shown); header clicks sort through the model as before.
        query = model.query
        default_column = next(
            (i for i, c in enumerate(model.columns) if c.sort_key == query.sort), 0
        )
        order = Qt.SortOrder.DescendingOrder if query.descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(default_column, order)
        self.table.setSortingEnabled(True)
        self.table.setModel(model)
        self.table.setAccessibleName(f"{self.title} table")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self._sized = False
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Size columns from the first rows, not all 200 (most of a first paint).
        self.table.horizontalHeader().setResizeContentsPrecision(50)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self.table.activated.connect(lambda _index: self.open_selected())
        self.totals = QLabel()
        self.totals.setAccessibleName(f"{self.title} totals")
        self.empty = QLabel(self.empty_text)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setAccessibleName(f"No {self.title.lower()}")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        title_label = heading(self.title)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label)
        layout.addLayout(self.buttons)
        layout.addLayout(self.filters)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.totals)

    def add_menu_button(self, text: str, accessible: str, items) -> QToolButton:
        """Less frequent actions behind one button, so the row fits 1280 pixels."""
        button = QToolButton()
        button.setText(text)
        button.setAccessibleName(accessible)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        for label, slot in items:
            menu.addAction(label, slot)
        button.setMenu(menu)
        self.buttons.addWidget(button)
        return button

    def add_button(self, text: str, slot, accessible: str, tip: str = "") -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        if tip:
            button.setToolTip(tip)
        button.clicked.connect(slot)
        self.buttons.addWidget(button)
        return button

    # Subclasses build their query from the filter widgets and say what totals mean.
    def build_query(self, query):
        raise NotImplementedError

    def totals_text(self, page) -> str:
        raise NotImplementedError

    def ensure_loaded(self) -> None:
        """The first load of a page whose load was put off (loading_on_first_show)."""
        if self._waiting:
            self._waiting = False
            self.apply_filters()

    def showEvent(self, event) -> None:
        self.ensure_loaded()
        super().showEvent(event)

    def apply_filters(self) -> None:
        if self._waiting:
            return  # not shown yet: the first load reads the filters as they are then
        self.run(lambda: self.model.set_query(self.build_query(self.model.query)))
        self._after_load()

    def refresh(self, keep_id: int | None = None) -> None:
        """Re-query, keeping the user's place: the same rows loaded, the same
        scroll position and the edited row selected."""
        if self._waiting:
            return  # never loaded: its first load, when shown, is fresh anyway
        scroll = self.table.verticalScrollBar().value()
        selected = keep_id if keep_id is not None else self.current_id()
        self.run(lambda: self.model.reload(at_least=self.model.rowCount()))
        self._after_load()
        self.table.verticalScrollBar().setValue(scroll)
        if selected is not None:
            self.select_id(selected)

    def _after_load(self) -> None:
        if not self._sized and self.model.rowCount():
            # Size columns once, from the first rows there are; after that the
            # user's widths stay as they set them.
            self.table.resizeColumnsToContents()
            self.size_columns()
            self._sized = True
        page = self.model.page
        self.totals.setText(self.totals_text(page) if page else "")
        filtered = self.is_filtered()
        if page is not None and page.total == 0 and not filtered:
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.table)

    def is_filtered(self) -> bool:
        return bool(self.search.text().strip())

    def size_columns(self) -> None:
        """Adjust widths after the first fit to contents (e.g. cap a long text column)."""

    def run(self, action) -> bool:
        try:
            action()
        except OutreachError as exc:
            QMessageBox.warning(self, "Outreach", str(exc))
            return False
        return True

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return index.data(ROW_ID_ROLE) if index.isValid() else None

    def selected_ids(self) -> list[int]:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if not rows and self.table.currentIndex().isValid():
            rows = {self.table.currentIndex().row()}
        return [self.model.row_at(r).id for r in sorted(rows)]

    def select_id(self, row_id: int) -> None:
        position = self.model.position_of(row_id)
        if position is None:
            return
        index = self.model.index(position, 0)
        self.table.setCurrentIndex(index)
        self.table.selectRow(position)
        self.table.scrollTo(index)

    def edit_selected(self) -> None:
        raise NotImplementedError

    def open_selected(self) -> None:
        """Double-click or Return: edit, unless a page has a view of its own."""
        self.edit_selected()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def query_with(self, **changes):
        return replace(self.model.query, **changes)


def fill_communities(combo, store, all_label: str) -> None:
    """(Re)fill a community filter, keeping the current choice and not firing
    a re-query while doing it."""
    from outreach.services.communities import community_choices

    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(all_label, None)
    for cid, name in community_choices(store, include_archived=True):
        combo.addItem(name, cid)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.blockSignals(False)
