"""The Reports page: a period, an attribution model and the communities to report
on; the figures previewed on screen; the practice-review PDF or the per-community
CSV written in the background with a progress dialog that can be cancelled."""

from __future__ import annotations

import os
from datetime import date

from PySide6.QtCore import QDate, Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from outreach.errors import Cancelled, OutreachError
from outreach.services.communities import community_choices
from outreach.services.csv_table import CsvError
from outreach.services.profile import get_profile
from outreach.services.roi import (
    MIN_DAYS,
    MIN_MINUTES,
    Figures,
    Period,
    RoiReport,
    preset_period,
    roi_report,
)

from . import desktop, file_dialogs
from .formatting import DASH, count_text, money_text, percent_text
from .forms import heading
from .list_page import loading_deferred
from .read_only_table import ValueItem, read_only_table
from .workers import run_with_progress

PDF_FILTER = "PDF files (*.pdf);;All files (*)"
CSV_FILTER = "CSV files (*.csv);;All files (*)"

PRESETS = [
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("last_quarter", "Last quarter"),
    ("year_to_date", "Year to date"),
    ("last_12_months", "Last 12 months"),
    ("custom", "Custom dates"),
]
ATTRIBUTIONS = [
    (
        "first",
        "First touch",
        "All the credit goes to the community where the person was first met, or whose "
        "intake code they gave.",
    ),
    (
        "last",
        "Last touch",
        "All the credit goes to the last community they interacted in before their intake form.",
    ),
    ("linear", "Linear", "The credit is shared equally among every community they touched."),
]


# -- pure helpers (no widgets) -------------------------------------------------
def change_text(now: float, before: float) -> str:
    if not before:
        return DASH if not now else "new"
    return f"{(now - before) / abs(before) * 100:+,.0f}%"


def day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def period_text(period: Period) -> str:
    return f"{day_text(period.start)} to {day_text(period.end)} ({period.days} days)"


def attribution_label(key: str) -> str:
    return next(label for k, label, _ in ATTRIBUTIONS if k == key)


COMMUNITY_COLUMNS = [
    "Community",
    "Posts",
    "Hours",
    "Cost",
    "Contacts",
    "Intakes",
    "Patients",
    "Revenue",
    "Cost/intake",
    "Cost/patient",
    "ROI",
    "Verdict",
]


def community_cells(f: Figures, currency: str) -> list[tuple[str, object]]:
    """(text, sort key) for each column of the per-community table."""
    return [
        (f.name, f.name.lower()),
        (f"{f.posts:,}", f.posts),
        (f"{f.hours:,.1f}", f.minutes),
        (money_text(f.total_cost_cents, currency), f.total_cost_cents),
        (count_text(f.contacts), f.contacts),
        (count_text(f.intakes), f.intakes),
        (count_text(f.patients), f.patients),
        (money_text(f.revenue_cents, currency), f.revenue_cents),
        (money_text(f.cost_per_intake_cents, currency), f.cost_per_intake_cents),
        (money_text(f.cost_per_patient_cents, currency), f.cost_per_patient_cents),
        (percent_text(f.roi_percent), f.roi_percent),
        (f.verdict.capitalize(), f.verdict),
    ]


TOTAL_COLUMNS = [
    "",
    "Posts",
    "Hours",
    "Time cost",
    "Direct cost",
    "Contacts",
    "Intakes",
    "Patients",
    "Revenue",
    "ROI",
]


def total_cells(f: Figures, currency: str) -> list[str]:
    return [
        f"{f.posts:,}",
        f"{f.hours:,.1f}",
        money_text(f.time_cost_cents, currency),
        money_text(f.direct_cost_cents, currency),
        count_text(f.contacts),
        count_text(f.intakes),
        count_text(f.patients),
        money_text(f.revenue_cents, currency),
        percent_text(f.roi_percent),
    ]


def total_changes(now: Figures, before: Figures) -> list[str]:
    pairs = [
        (now.posts, before.posts),
        (now.minutes, before.minutes),
        (now.time_cost_cents, before.time_cost_cents),
        (now.direct_cost_cents, before.direct_cost_cents),
        (now.contacts, before.contacts),
        (now.intakes, before.intakes),
        (now.patients, before.patients),
        (now.revenue_cents, before.revenue_cents),
    ]
    cells = [change_text(a, b) for a, b in pairs]
    if now.roi_percent is None or before.roi_percent is None:
        cells.append(DASH)
    else:
        cells.append(f"{now.roi_percent - before.roi_percent:+,.1f} points")
    return cells


def unattributed_text(report: RoiReport, currency: str) -> str:
    """What came in that no community can be credited with, if the engine says."""
    extra = getattr(report, "unattributed", None)
    if extra is None:
        return ""
    if isinstance(extra, Figures):
        parts = [
            f"{count_text(extra.contacts)} contacts",
            f"{count_text(extra.intakes)} intakes",
            f"{count_text(extra.patients)} patients",
            f"{money_text(extra.revenue_cents, currency)} revenue",
        ]
        if not (extra.contacts or extra.intakes or extra.patients or extra.revenue_cents):
            return ""
        return (
            "Unattributed (not credited to any community, so not in the table): "
            + ", ".join(parts)
            + "."
        )
    return f"Unattributed: {extra}"


def _suggested_name(period: Period, extension: str) -> str:
    return f"outreach-roi-{period.start:%Y-%m-%d}-to-{period.end:%Y-%m-%d}.{extension}"


def monthly_path(path: str) -> str:
    root, extension = os.path.splitext(path)
    return f"{root}-monthly{extension or '.csv'}"


def _with_extension(path: str, extension: str) -> str:
    return path if path.lower().endswith(f".{extension}") else f"{path}.{extension}"


# -- the page ------------------------------------------------------------------
class ReportsPage(QWidget):
    status_message = Signal(str)

    def __init__(self, store, parent=None, today=None):
        super().__init__(parent)
        self.store = store
        self._today = today or date.today
        self._generation = 0
        self.report: RoiReport | None = None
        self.last_file: str | None = None

        # What to report on
        self.preset = QComboBox()
        self.preset.setAccessibleName("Report period")
        for key, label in PRESETS:
            self.preset.addItem(label, key)
        self.start = self._date_edit("Report from")
        self.end = self._date_edit("Report to")
        self.attribution = QComboBox()
        self.attribution.setAccessibleName("Attribution model")
        for key, label, _ in ATTRIBUTIONS:
            self.attribution.addItem(label, key)
        self.attribution_help = QLabel()
        self.attribution_help.setWordWrap(True)
        self.attribution_help.setAccessibleName("What the attribution model means")
        self.all_communities = QCheckBox("All &communities")
        self.all_communities.setAccessibleName("Report on all communities")
        self.all_communities.setChecked(True)
        self.communities = QListWidget()
        self.communities.setAccessibleName("Communities to report on")
        self.communities.setMaximumHeight(90)

        choose = QGroupBox("What to report on")
        grid = QGridLayout(choose)
        grid.addWidget(self._buddy("&Period:", self.preset), 0, 0)
        grid.addWidget(self.preset, 0, 1)
        dates = QHBoxLayout()
        dates.addWidget(self._buddy("Fro&m:", self.start))
        dates.addWidget(self.start)
        dates.addWidget(self._buddy("&To:", self.end))
        dates.addWidget(self.end)
        dates.addStretch(1)
        grid.addLayout(dates, 0, 2)
        grid.addWidget(self._buddy("&Attribution:", self.attribution), 1, 0)
        grid.addWidget(self.attribution, 1, 1)
        grid.addWidget(self.attribution_help, 1, 2)
        grid.setColumnStretch(2, 1)
        picker = QVBoxLayout()
        picker.addWidget(self.all_communities)
        picker.addWidget(self.communities)
        grid.addLayout(picker, 0, 3, 2, 1)
        grid.setColumnMinimumWidth(3, 280)

        # Actions and what happened
        self.preview_button = self._button("P&review", "Preview the report", self.preview)
        self.pdf_button = self._button(
            "Export P&DF...", "Export the report as a PDF", self.export_pdf
        )
        self.csv_button = self._button("Export C&SV...", "Export the table as CSV", self.export_csv)
        self.result = QLabel()
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.setAccessibleName("Report status")
        self.result.setWordWrap(True)
        self.open_button = self._button("&Open the file", "Open the exported file", self.open_file)
        self.open_button.hide()
        actions = QHBoxLayout()
        for button in (self.preview_button, self.pdf_button, self.csv_button):
            actions.addWidget(button)
        # The review names no contact; this also leaves out free text that may.
        self.anonymised = QCheckBox("A&nonymised PDF")
        self.anonymised.setAccessibleName("Anonymised PDF")
        self.anonymised.setToolTip("Leave out post titles and free-text intake answers")
        actions.addWidget(self.anonymised)
        actions.addWidget(self.result, 1)
        actions.addWidget(self.open_button)

        # The preview
        self.summary = QLabel("Choose a period and press Preview to see the figures here.")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Report summary")
        self.totals = read_only_table(TOTAL_COLUMNS, "Totals against the previous period")
        self.totals.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.totals.setRowCount(3)
        self.totals.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.totals.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table = read_only_table(COMMUNITY_COLUMNS, "Figures per community")
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.why = QLabel()
        self.why.setTextFormat(Qt.TextFormat.PlainText)
        self.why.setWordWrap(True)
        self.why.setAccessibleName("Why the selected community has its verdict")
        self.notes = QLabel()
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        self.notes.setWordWrap(True)
        self.notes.setAccessibleName("Unattributed contacts and the method")
        self.preview_box = QGroupBox("Preview")
        inner = QVBoxLayout(self.preview_box)
        inner.addWidget(self.summary)
        inner.addWidget(self.totals)
        inner.addWidget(self.table, 1)
        inner.addWidget(self.why)
        inner.addWidget(self.notes)
        inner.addStretch(0)  # takes the room when there are no tables to show
        self._preview_layout = inner
        self.totals.hide()
        self.table.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Reports"))
        layout.addWidget(choose)
        layout.addLayout(actions)
        layout.addWidget(self.preview_box, 1)

        self.preset.currentIndexChanged.connect(self._preset_changed)
        self.start.dateChanged.connect(self._dates_edited)
        self.end.dateChanged.connect(self._dates_edited)
        self.attribution.currentIndexChanged.connect(self._attribution_changed)
        self.all_communities.toggled.connect(self.communities.setDisabled)
        self.table.itemSelectionChanged.connect(self._show_why)
        self.communities.setDisabled(True)
        if not loading_deferred():  # in the main window its showEvent fills them
            self.reload_communities()
        self._preset_changed()
        self._attribution_changed()

    # -- building ----------------------------------------------------------------
    def _date_edit(self, accessible: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setAccessibleName(accessible)
        return edit

    @staticmethod
    def _buddy(text: str, widget: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(widget)
        return label

    def _button(self, text: str, accessible: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.clicked.connect(slot)
        return button

    def showEvent(self, event) -> None:
        # Communities may have been added or renamed on another page meanwhile.
        self.reload_communities()
        super().showEvent(event)

    def reload_communities(self) -> None:
        checked = set(self.checked_community_ids())
        self.communities.clear()
        for cid, name in community_choices(self.store, include_archived=True):
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, cid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if cid in checked else Qt.CheckState.Unchecked)
            self.communities.addItem(item)

    # -- the choice ----------------------------------------------------------------
    def _preset_changed(self) -> None:
        key = self.preset.currentData()
        if key == "custom":
            return
        period = preset_period(key, self._today())
        for edit, day in ((self.start, period.start), (self.end, period.end)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)

    def _dates_edited(self) -> None:
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(self.preset.findData("custom"))
        self.preset.blockSignals(False)

    def _attribution_changed(self) -> None:
        key = self.attribution.currentData()
        self.attribution_help.setText(next(text for k, _, text in ATTRIBUTIONS if k == key))

    def set_preset(self, key: str) -> None:
        self.preset.setCurrentIndex(self.preset.findData(key))

    def period(self) -> Period:
        return Period(self.start.date().toPython(), self.end.date().toPython())

    def checked_community_ids(self) -> list[int]:
        return [
            self.communities.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.communities.count())
            if self.communities.item(i).checkState() == Qt.CheckState.Checked
        ]

    def selection(self) -> tuple[Period, str, list[int] | None] | None:
        """The period, model and communities chosen, or None after saying what is wrong."""
        period = self.period()
        if period.start > period.end:
            self._say("The start date is after the end date; pick dates in order.")
            return None
        ids = None
        if not self.all_communities.isChecked():
            ids = self.checked_community_ids()
            if not ids:
                self._say("Tick at least one community, or choose All communities.")
                return None
        return period, self.attribution.currentData(), ids

    def _say(self, text: str) -> None:
        self.result.setText(text)
        self.open_button.hide()

    # -- preview ---------------------------------------------------------------------
    def preview(self) -> None:
        chosen = self.selection()
        if chosen is None:
            return
        self._generation += 1
        generation = self._generation
        self._say("Working out the figures...")

        store = self.store

        def work(progress):
            report = roi_report(store, *chosen)
            if progress(1, 1) is False:
                raise Cancelled("Preview cancelled.")
            return report

        run_with_progress(
            self,
            "Working out the figures...",
            work,
            lambda report: self._show_report(report, generation),
            lambda exc: self._failed("Cannot preview the report", exc),
        )

    def _show_report(self, report: RoiReport, generation: int) -> None:
        if generation != self._generation:
            return  # a newer preview was asked for meanwhile
        self.report = report
        self._say("")
        currency = report.currency  # as the report was made
        communities = len(report.rows)
        self.summary.setText(
            f"{period_text(report.period)}, {attribution_label(report.attribution).lower()} "
            f"attribution, {communities} communit{'y' if communities == 1 else 'ies'}."
            + (
                "\n\nNo posts, time, costs, contacts or revenue were recorded in this period. "
                + (
                    "Log posts and contacts, or choose another period."
                    if self.communities.count()
                    else "Add the communities you take part in, then log your posts there."
                )
                if report.empty
                else ""
            )
        )
        previous = report.period.previous()
        rows = [
            ("This period", total_cells(report.total, currency)),
            (
                f"Before ({day_text(previous.start)} to {day_text(previous.end)})",
                total_cells(report.previous_total, currency),
            ),
            ("Change", total_changes(report.total, report.previous_total)),
        ]
        for r, (caption, cells) in enumerate(rows):
            self.totals.setItem(r, 0, ValueItem(caption))
            for c, text in enumerate(cells, start=1):
                self.totals.setItem(r, c, ValueItem(text, align_right=True))
        self.totals.resizeRowsToContents()
        height = self.totals.horizontalHeader().sizeHint().height() + 2 * self.totals.frameWidth()
        height += sum(self.totals.rowHeight(r) for r in range(3))
        self.totals.setFixedHeight(height)
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(report.rows))
        for r, figures in enumerate(report.rows):
            for c, (text, key) in enumerate(community_cells(figures, currency)):
                item = ValueItem(text, key, align_right=0 < c < len(COMMUNITY_COLUMNS) - 1)
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, figures.community_id)
                if c == len(COMMUNITY_COLUMNS) - 1:
                    item.setToolTip(figures.verdict_reason)
                    item.setData(Qt.ItemDataRole.UserRole, figures.verdict_reason)
                self.table.setItem(r, c, item)
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()
        # An empty period says so in a sentence rather than with tables of zeros.
        self.totals.setVisible(not report.empty)
        self.table.setVisible(not report.empty)
        self._preview_layout.setStretch(self._preview_layout.count() - 1, int(report.empty))
        self.why.setText(
            "Select a community to read why it has its verdict."
            if report.rows and not report.empty
            else ""
        )
        hourly = money_text(report.hourly_rate_cents, currency)
        method = (
            f"Time is costed at {hourly} an hour."
            if report.hourly_rate_cents
            else "No hourly rate is set (Settings), so time costs nothing here."
        )
        method += (
            f" A verdict needs {MIN_DAYS} days and {MIN_MINUTES // 60} hours of data; "
            "until then it is 'keep testing'."
        )
        self.notes.setText("\n".join(t for t in (unattributed_text(report, currency), method) if t))

    def _show_why(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        r = rows[0].row()
        name = self.table.item(r, 0).text()
        verdict_item = self.table.item(r, len(COMMUNITY_COLUMNS) - 1)
        reason = verdict_item.data(Qt.ItemDataRole.UserRole) or ""
        self.why.setText(f"{name}: {verdict_item.text().lower()}, because {reason}.")

    # -- export ------------------------------------------------------------------------
    def export_pdf(self) -> None:
        self._export("pdf")

    def export_csv(self) -> None:
        self._export("csv")

    def _export(self, kind: str) -> None:
        chosen = self.selection()
        if chosen is None:
            return
        period = chosen[0]
        title = "Export the report as a PDF" if kind == "pdf" else "Export the table as CSV"
        path = file_dialogs.ask_save_file(
            self,
            title,
            _suggested_name(period, kind),
            PDF_FILTER if kind == "pdf" else CSV_FILTER,
        )
        if not path:
            return
        path = _with_extension(path, kind)
        store = self.store
        practice = get_profile(store).practitioner_name
        anonymised = self.anonymised.isChecked()

        def work(progress):
            report = roi_report(store, *chosen)
            if progress(0, 1) is False:
                raise Cancelled("Export cancelled; no file was written.")
            if kind == "pdf":
                from outreach.services.roi_pdf import write_roi_pdf

                pages = write_roi_pdf(
                    report, path, practice_name=practice, progress=progress, anonymised=anonymised
                )
                return path, f"a {pages}-page PDF"
            from outreach.services.roi import write_csv, write_monthly_csv

            rows = write_csv(report, path)
            # The month-by-month table goes beside it, named after it (as the CLI does).
            monthly = monthly_path(path)
            months = write_monthly_csv(report, monthly)
            return path, (
                f"{rows} communit{'y' if rows == 1 else 'ies'} in a CSV file, and "
                f"{months} month{'' if months == 1 else 's'} in {os.path.basename(monthly)} "
                "beside it"
            )

        self._say("Writing the file...")
        self.task = run_with_progress(
            self,
            "Making the PDF report..." if kind == "pdf" else "Writing the CSV file...",
            work,
            self._exported,
            lambda exc: self._failed("Cannot export the report", exc),
        )

    def _exported(self, result) -> None:
        path, what = result
        self.last_file = path
        text = f"Saved {what}: {path}"
        self.result.setText(text)
        self.open_button.show()
        self.open_button.setFocus()
        self.status_message.emit(text)

    def _failed(self, title: str, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            self._say(str(exc))
            self.status_message.emit(str(exc))
            return
        if isinstance(exc, (OutreachError, CsvError)):
            text = str(exc)
        elif isinstance(exc, OSError):
            text = (
                f"Could not write {exc.filename or 'the file'}: {exc.strerror or exc}. "
                "Check the folder exists and the file is not open in another program."
            )
        else:
            self._say("")
            raise exc
        self._say(text)
        QMessageBox.warning(self, title, text)

    def open_file(self) -> None:
        if self.last_file and os.path.exists(self.last_file):
            if not desktop.open_url(QUrl.fromLocalFile(self.last_file).toString()):
                self._say(f"No program opened {self.last_file}; open it from your file manager.")
        else:
            self._say("The file is no longer there.")
