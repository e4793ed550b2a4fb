"""The dashboard: this month against last, the charts, communities ranked by ROI,
and who needs a follow-up. The figures are worked out off the GUI thread
(services/dashboard_cache.py), and kept so that the next start can paint them
at once. Nothing here imports SQLAlchemy at start: the window may be painted
from the kept figures before the database is opened through the store."""

from __future__ import annotations

import os
import re
import time
from dataclasses import replace
from datetime import date

from PySide6.QtCore import QByteArray, QPointF, QRectF, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QPainter
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from outreach.services import dashboard_cache
from outreach.services.dashboard_cache import Cached, Headline, YearView

from .formatting import count_text, hours, money_text, percent_text
from .forms import heading
from .read_only_table import ValueItem, read_only_table
from .workers import Task

EMPTY_TEXT = (
    "Nothing is logged yet, so there is nothing to measure.\n\n"
    "Start with a community you take part in (a subreddit, a forum, a Facebook group), then "
    "log each post with the minutes it took. As people you meet there become contacts and "
    "patients, this page shows whether each community is worth your time.\n\n"
    "To look around first, load demo data into a new database."
)

# (key, caption, how the value reads from a month's totals; None for money)
TILES = [
    ("posts", "Posts", lambda t: f"{t.posts:,}"),
    ("hours", "Hours", lambda t: hours(t.minutes)),
    ("contacts", "Contacts", lambda t: count_text(t.contacts)),
    ("intakes", "Intakes", lambda t: count_text(t.intakes)),
    ("patients", "Patients", lambda t: count_text(t.patients)),
    ("revenue", "Revenue", None),
    ("time_cost", "Time cost", None),
]
# The benchmark hook (bench/README.md): with this set, the app prints
# "OUTREACH_READY <time.time()>" once the Dashboard's headline figures (this
# month against last, and the counts under "Needs attention") are painted, then
# quits, so `make bench` can time a cold start from outside the process. Kept
# figures painted at start (ui/application.py) announce it there.
BENCH_READY_ENV = "OUTREACH_BENCH_EXIT_WHEN_READY"
RANK_COLUMNS = ["Community", "Hours", "Cost", "Patients", "Revenue", "ROI", "Verdict", "Why"]


_FONT_FAMILY = re.compile(rb"font-family: ?DejaVuSans(-Bold)?(-?Oblique)?;")
_CLIP_PATH = re.compile(rb"<clipPath.*?</clipPath>", re.DOTALL)
_fonts_loaded = False


def screen_svg(svg: bytes) -> bytes:
    """The PDF's chart for QtSvg. ReportLab writes the font's PostScript name
    (DejaVuSans-Bold), which Qt's renderer does not match to the family; and
    QtSvg paints the whole-drawing clip rectangle as a black box (the clip is
    the drawing's own bounds, so dropping it changes nothing); and lines
    say "fill: None"."""

    def family(match: re.Match) -> bytes:
        text = b"font-family: 'DejaVu Sans';"
        if match.group(1):
            text += b" font-weight: bold;"
        if match.group(2):
            text += b" font-style: italic;"
        return text

    svg = _CLIP_PATH.sub(b"", svg).replace(b' style="clip-path: url(#clip)"', b"")
    # "fill: None" is not CSS; QtSvg reads it as black and fills under every line.
    return _FONT_FAMILY.sub(family, svg.replace(b"fill: None", b"fill: none"))


def _load_chart_fonts() -> None:
    """The font the charts are drawn in, shipped with the app for every platform."""
    global _fonts_loaded
    if _fonts_loaded:
        return
    _fonts_loaded = True
    from outreach.paths import resource

    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        path = resource(f"fonts/{name}")
        if path.exists():
            QFontDatabase.addApplicationFont(str(path))


class ChartView(QSvgWidget):
    """A chart on white paper as in the PDF (its ink is dark whatever the theme),
    scaled to fit with its proportions kept, in the middle of its space. The
    whole space is the paper: a chart drawn for an A4 page is wider than its
    tab, and a band of the window's colour under it looked like a gap."""

    def paintEvent(self, event) -> None:
        renderer = self.renderer()
        if not renderer.isValid():
            return
        size = (
            renderer.defaultSize()
            .toSizeF()
            .scaled(self.size().toSizeF(), Qt.AspectRatioMode.KeepAspectRatio)
        )
        target = QRectF(
            QPointF((self.width() - size.width()) / 2, (self.height() - size.height()) / 2), size
        )
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        renderer.render(painter, target)
        painter.end()


class DashboardPage(QWidget):
    open_contacts_view = Signal(str)
    add_community = Signal()
    load_demo = Signal()
    open_reports = Signal()

    def __init__(self, store, parent=None, today=None):
        """``store`` may be None at first: the window painted from kept figures
        gets it with set_store once the database is open."""
        super().__init__(parent)
        self.store = store
        self._today = today or date.today
        self._wanted = 0  # generation asked for
        self._running: Task | None = None
        self._stale = True
        self._counted = False  # the figures are asked for on the first show, not when built
        self._year_wanted = False  # kept figures painted without their 12 months
        self._quitting = False
        # The 12 months (ranking and charts, the charts ready for QtSvg).
        self.data: YearView | None = None
        # This month and last and the counts, shown while the 12 months are worked out.
        self.headline: Headline | None = None
        self.values: dict[str, QLabel] = {}

        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_empty())
        self.pages.addWidget(self._build_content())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

    # -- building ---------------------------------------------------------------
    def _build_empty(self) -> QWidget:
        page = QWidget()
        self.empty_text = QLabel(EMPTY_TEXT)
        self.empty_text.setWordWrap(True)
        self.empty_text.setAccessibleName("Nothing logged yet")
        self.empty_text.setMaximumWidth(640)
        add = self._button(
            "Add a &community...", "Add your first community", self.add_community.emit
        )
        demo = self._button("Load de&mo data...", "Load demo data", self.load_demo.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(demo)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(heading("Dashboard"))
        layout.addSpacing(12)
        layout.addWidget(self.empty_text)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    def _build_content(self) -> QWidget:
        body = QWidget()
        self.status = QLabel()
        self.status.setAccessibleName("Dashboard status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(heading("Dashboard"))
        top.addWidget(self.status, 1)
        top.addWidget(
            self._button("Open &reports", "Open the Reports page", self.open_reports.emit)
        )

        # This month against last month
        self.tiles_box = QGroupBox("This month against last month")
        tiles = QGridLayout(self.tiles_box)
        self.tiles: dict[str, tuple[QLabel, QLabel]] = {}
        for column, (key, caption, _) in enumerate(TILES):
            name = QLabel(caption)
            value = QLabel("…")
            value.setAccessibleName(f"{caption} this month")
            big = value.font()
            big.setPointSizeF(big.pointSizeF() * 1.3)
            big.setBold(True)
            value.setFont(big)
            before = QLabel("")
            before.setAccessibleName(f"{caption} last month")
            tiles.addWidget(name, 0, column)
            tiles.addWidget(value, 1, column)
            tiles.addWidget(before, 2, column)
            tiles.setColumnStretch(column, 1)
            self.tiles[key] = (value, before)

        # Charts: the same ReportLab drawings as the PDF, shown as SVG. One at a
        # time, so each is wide enough to read (they are drawn for an A4 page).
        # Their font is loaded with the first charts, not at start.
        self.chart_tabs = QTabWidget()
        self.chart_tabs.setAccessibleName("Charts for the last 12 months")
        self.charts: dict[str, ChartView] = {}
        for key, tab, title in (
            ("hours_patients", "Hours and &patients", "Hours and patients per community"),
            ("trend", "Month by mon&th", "Month by month"),
            ("funnel", "F&unnel", "From contact to patient"),
        ):
            svg = ChartView()
            svg.setAccessibleName(f"Chart: {title}, last 12 months")
            svg.setMinimumSize(300, 200)
            svg.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            self.chart_tabs.addTab(svg, tab)
            self.charts[key] = svg
        self.chart_note = QLabel()
        self.chart_note.setAccessibleName("About the charts")
        self.chart_note.hide()
        charts_box = QGroupBox("The last 12 months")
        charts_layout = QVBoxLayout(charts_box)
        charts_layout.addWidget(self.chart_tabs, 1)
        charts_layout.addWidget(self.chart_note)

        # Communities ranked by ROI
        rank_box = QGroupBox("Communities ranked by return on cost (last 12 months)")
        self.ranking = read_only_table(RANK_COLUMNS, "Communities ranked by return on time")
        self.ranking.setMinimumHeight(130)
        rank_layout = QVBoxLayout(rank_box)
        rank_layout.addWidget(self.ranking)

        # What needs doing, and the whole history in a line
        todo = QGroupBox("Needs attention")
        grid = QGridLayout(todo)
        rows = [
            ("follow_ups", "Follow-ups due", "Show follow-ups &due", "follow_ups"),
            ("losing_touch", "Losing touch", "Show &losing touch", "losing_touch"),
            ("unchecked", "Advice posts not checked", None, None),
        ]
        for r, (key, caption, button_text, view) in enumerate(rows):
            value = QLabel()
            value.setAccessibleName(caption)
            bold = value.font()
            bold.setBold(True)
            value.setFont(bold)
            grid.addWidget(QLabel(caption), r, 0)
            grid.addWidget(value, r, 1)
            if button_text:
                grid.addWidget(
                    self._button(
                        button_text,
                        f"Open the Contacts page at {caption.lower()}",
                        lambda _=False, v=view: self.open_contacts_view.emit(v),
                    ),
                    r,
                    2,
                )
            self.values[key] = value
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        grid.addWidget(line, len(rows), 0, 1, 3)
        for r, (key, caption) in enumerate(
            (
                ("communities", "Active communities"),
                ("posts", "Posts logged"),
                ("hours", "Hours spent"),
            ),
            start=len(rows) + 1,
        ):
            value = QLabel()
            value.setAccessibleName(caption)
            grid.addWidget(QLabel(caption), r, 0)
            grid.addWidget(value, r, 1)
            self.values[key] = value
        grid.setRowStretch(grid.rowCount(), 1)
        grid.setColumnStretch(1, 1)

        middle = QHBoxLayout()
        middle.addWidget(charts_box, 3)
        middle.addWidget(todo, 2)

        layout = QVBoxLayout(body)
        layout.addLayout(top)
        layout.addWidget(self.tiles_box)
        layout.addLayout(middle, 3)
        layout.addWidget(rank_box, 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        scroll.setAccessibleName("Dashboard")
        return scroll

    def _button(self, text: str, accessible: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.clicked.connect(slot)
        return button

    # -- refreshing -----------------------------------------------------------------
    def is_empty(self) -> bool:
        return self.pages.currentIndex() == 0

    def show_cached(self, cached: Cached) -> bool:
        """Figures kept from the last time, known to be of the data as it is now
        (dashboard_cache.read_cached), shown at once. True when they are
        today's; kept figures of an earlier day say so and are worked out again
        once the store is set."""
        today = self._today()
        self._counted = True
        self._stale = not cached.is_of(today)
        self.show_headline(cached.headline, announce=False)
        if cached.year is not None:
            self.show_year(cached.year)
        else:
            self._year_wanted = not cached.headline.empty
        seen_on = cached.headline.seen_on
        if self._stale and seen_on is not None and not cached.headline.empty:
            self.status.setText(
                f"These are the figures of {seen_on.day} {seen_on:%B}; working out today's..."
            )
        return not self._stale

    def set_store(self, store) -> None:
        """The database is open: today's figures if the kept ones were of an
        earlier day, or the 12 months if they lacked them."""
        self.store = store
        if self._quitting:
            return
        if self._stale and self.headline is not None:  # kept figures of an earlier day
            self._year_wanted = False
            self.refresh()
        elif self._year_wanted:
            self._year_wanted = False
            self._wanted += 1
            generation, today = self._wanted, self._today()

            def work(_progress):
                return generation, dashboard_cache.work_out_year(store, today)

            self._run(work, self._finished, now=False)

    def refresh(self) -> None:
        """The data may have changed: the figures again, in the background, when
        the page is seen."""
        from outreach.services.demo import has_data

        self._counted = True
        empty = not has_data(self.store)
        self.pages.setCurrentIndex(0 if empty else 1)
        if empty:
            return
        if self.isVisible():
            self._start()
        else:
            self._stale = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._counted:
            self.refresh()  # the first show asks for the figures
        elif self._stale and not self.is_empty():
            self._start()

    def _start(self) -> None:
        """Ask for fresh figures; one computation at a time, the latest request wins."""
        if self.store is None:
            self._stale = True  # painted from kept figures: set_store asks again
            return
        self._stale = False
        self._wanted += 1
        if self._running is None:
            self._launch()
        # else the running one's result is stale: _finished starts another

    def _launch(self) -> None:
        """Two steps in the background: this month and last and the counts (the
        first things painted), then the 12 months and the charts, started once
        those are painted."""
        generation, store, today = self._wanted, self.store, self._today()

        def work(_progress):
            return generation, today, dashboard_cache.work_out_headline(store, today)

        if self.headline is None:
            self.status.setText("Working out this month's figures...")
        self._run(work, self._headline_finished, now=True)

    def _run(self, work, finished, now: bool) -> None:
        task = Task(work)
        task.setAutoDelete(False)
        task.signals.finished.connect(finished)
        task.signals.failed.connect(self._failed)
        self._running = task
        if now:
            QThreadPool.globalInstance().start(task)
        else:
            # After the events already queued (the tiles' paint): the 12 months
            # must not hold the interpreter while the first figures are drawn.
            QTimer.singleShot(0, lambda: self._start_later(task))

    def _start_later(self, task: Task) -> None:
        if self._quitting:  # the benchmark's quit: work cut off at exit only says so
            self._running = None
            return
        QThreadPool.globalInstance().start(task)

    @property
    def busy(self) -> bool:
        return self._running is not None

    def _headline_finished(self, result) -> None:
        generation, today, headline = result
        if generation != self._wanted:
            self._launch()  # data changed while it ran: work it out again
            return
        dashboard_cache.keep(self.store, headline)  # here, on the GUI thread: see keep()
        self.show_headline(headline)
        if headline.empty:
            self._running = None
            return
        store = self.store

        def work(_progress):
            return generation, dashboard_cache.work_out_year(store, today)

        self._run(work, self._finished, now=False)

    def _finished(self, result) -> None:
        self._running = None
        generation, year = result
        if generation != self._wanted:
            self._launch()  # data changed while it ran: work it out again
            return
        dashboard_cache.keep(self.store, year)
        self.show_year(year)

    def _failed(self, exc: BaseException) -> None:
        self._running = None
        self.status.setText(f"Could not work out the figures: {exc}")

    # -- showing -----------------------------------------------------------------
    def show_headline(self, headline: Headline, announce: bool = True) -> None:
        """The headline tiles (this month against last month) and the counts."""
        self.headline = headline
        self.pages.setCurrentIndex(0 if headline.empty else 1)
        if headline.empty:
            return
        currency = headline.currency
        this, last = headline.this_month, headline.last_month
        for key, _caption, read in TILES:
            value, before = self.tiles[key]
            if read is None:
                attr = "revenue_cents" if key == "revenue" else "time_cost_cents"
                now_text = money_text(getattr(this, attr), currency)
                then_text = money_text(getattr(last, attr), currency)
            else:
                now_text, then_text = read(this), read(last)
            value.setText(now_text)
            before.setText(f"Last month: {then_text}")
        start, end = headline.month_start, headline.month_end
        self.tiles_box.setTitle(
            f"This month ({start.day} to {end.day} {end:%B}) against last month"
        )
        self.status.setText(
            "Contacts, intakes, patients and revenue are credited to the community where each "
            "person was first met."
        )
        for key in ("follow_ups", "losing_touch", "unchecked", "communities", "posts"):
            self.values[key].setText(f"{getattr(headline, key):,}")
        self.values["hours"].setText(hours(headline.minutes))
        if announce and os.environ.get(BENCH_READY_ENV):
            # In the event loop, after this paints.
            QTimer.singleShot(0, lambda: self.bench_ready("worked-out"))

    def show_year(self, year: YearView) -> None:
        """The 12 months' charts and ranking."""
        year = replace(year, charts={k: screen_svg(v) for k, v in year.charts.items()})
        self.data = year
        _load_chart_fonts()
        for key, svg in self.charts.items():
            if key in year.charts:
                svg.load(QByteArray(year.charts[key]))
        self.chart_note.setText(year.chart_error)
        self.chart_note.setVisible(bool(year.chart_error))
        self._fill_ranking(year)

    def bench_ready(self, source: str) -> None:
        """The benchmark hook: the window is painted with the headline figures,
        ``source`` says whence: "kept" (read at start) or "worked-out"."""
        if not os.environ.pop(BENCH_READY_ENV, None):
            return  # once per process
        self._quitting = True
        self.window().repaint()  # painted now, not just scheduled
        print(f"OUTREACH_READY {time.time():.6f} {source}", flush=True)
        # Through the event loop: kept figures are painted before it runs.
        QTimer.singleShot(0, QApplication.instance().quit)

    def _fill_ranking(self, year: YearView) -> None:
        rows, currency = year.ranking, year.currency
        self.ranking.setRowCount(len(rows))
        for r, f in enumerate(rows):
            cells = [
                f.name,
                hours(f.minutes),
                money_text(f.total_cost_cents, currency),
                count_text(f.patients),
                money_text(f.revenue_cents, currency),
                percent_text(f.roi_percent),
                f.verdict.capitalize(),
                f.verdict_reason[:1].upper() + f.verdict_reason[1:],
            ]
            for c, text in enumerate(cells):
                item = ValueItem(text, align_right=0 < c < len(cells) - 2)
                self.ranking.setItem(r, c, item)
        self.ranking.resizeColumnsToContents()
