"""The Compliance page: the policy's status, the checks over time, what the scan
found and which findings were overridden (with the reasons), and the advice posts
that still need a check (imported ones, or edited after their check)."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from outreach.errors import Cancelled, OutreachError
from outreach.services import compliance_summary as summary_svc
from outreach.services import posts as posts_svc
from outreach.services.profile import get_profile

from . import file_dialogs
from .checklist_dialog import ChecklistDialog
from .composer_dialog import ComposerDialog
from .formatting import local_date, local_datetime
from .forms import heading
from .list_page import loading_deferred
from .policy_form import cover_status
from .read_only_table import read_only_table
from .workers import run_with_progress

PDF_FILTER = "PDF files (*.pdf);;All files (*)"
NEEDS_CHECK = ("unchecked", "changed")
LIST_LIMIT = 200


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def default_period(today: date) -> tuple[date, date]:
    """The last 12 months, ending today."""
    day = 28 if (today.month, today.day) == (2, 29) else today.day
    return date(today.year - 1, today.month, day) + timedelta(days=1), today


def evidence_pdf_available() -> bool:
    return importlib.util.find_spec("outreach.services.evidence_pdf") is not None


def _table(headers: list[str], accessible: str) -> QTableWidget:
    table = read_only_table(headers, accessible)
    table.setMinimumHeight(110)
    return table


def _cell(text: str, number: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class _Section(QGroupBox):
    """A table, or a plain sentence instead of an empty grid."""

    def __init__(self, title: str, table: QTableWidget, parent=None):
        super().__init__(title, parent)
        self.table = table
        self.table_height = 16777215  # Qt's "no limit"; summaries set a few rows
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.empty.setAccessibleName(f"{title}: none")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self.column = QVBoxLayout(self)
        self.column.addWidget(self.stack)

    def fill(self, rows: list[list[QTableWidgetItem]], empty_text: str) -> None:
        self.table.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, cell in enumerate(cells):
                self.table.setItem(r, c, cell)
        if rows:
            self.table.resizeColumnsToContents()
            self.stack.setCurrentWidget(self.table)
            self.stack.setMaximumHeight(self.table_height)
        else:
            self.empty.setText(empty_text)
            self.stack.setCurrentWidget(self.empty)
            self.stack.setMaximumHeight(self.empty.sizeHint().height() + 4)


class CompliancePage(QWidget):
    status_message = Signal(str)
    data_changed = Signal()
    open_settings = Signal()

    def __init__(self, store, actor, parent=None, today: date | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.today = today or date.today()
        self.summary: summary_svc.ComplianceSummary | None = None
        self.posts: list[posts_svc.PostRow] = []
        self.last_file: str | None = None

        self.policy = QLabel()
        self.policy.setWordWrap(True)
        self.policy.setTextFormat(Qt.TextFormat.PlainText)
        self.policy.setAccessibleName("Policy status")
        self.policy_button = self._button(
            "&Policy settings...", "Open the policy settings", self.open_settings.emit
        )
        self.checklist_button = self._button(
            "Edit &checklist...", "Edit the checklist", self.edit_checklist
        )
        if not actor.is_owner:
            self.checklist_button.setEnabled(False)
            self.checklist_button.setToolTip("Only the practitioner can change the checklist.")
        self.pdf_button = self._button(
            "Evidence &report (PDF)...", "Evidence report as a PDF", self.evidence_pdf
        )
        self.pdf_button.setToolTip(
            "Every check of the period as an insurer or a licensing board can read it: the "
            "exact text, the checklist answers, the findings and the override reasons."
        )
        start, end = default_period(self.today)
        self.date_from = self._date_edit("From date", start)
        self.date_to = self._date_edit("To date", end)
        from_label = QLabel("Fro&m")
        from_label.setBuddy(self.date_from)
        to_label = QLabel("&to")
        to_label.setBuddy(self.date_to)

        top = QHBoxLayout()
        top.addWidget(self.policy, 1)
        top.addWidget(self.policy_button)
        controls = QHBoxLayout()
        for widget in (from_label, self.date_from, to_label, self.date_to):
            controls.addWidget(widget)
        controls.addStretch(1)
        for widget in (self.checklist_button, self.pdf_button):
            controls.addWidget(widget)

        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setAccessibleName("Compliance summary")

        self.months = _Section(
            "Checks per month",
            _table(["Month", "Checks", "Findings", "Overrides"], "Checks per month"),
        )
        self.categories = _Section(
            "Findings by category", _table(["Category", "Findings"], "Findings by category")
        )
        self.overrides = _Section(
            "Overrides and their reasons",
            _table(["Checked", "Community", "Category", "Words", "Reason"], "Overrides"),
        )
        self.needs_check = _Section(
            "Advice posts that need a check",
            _table(["Posted", "Community", "Title", "Check"], "Advice posts that need a check"),
        )
        self.needs_check.table.doubleClicked.connect(lambda _i: self.check_selected())
        self.check_button = self._button(
            "Chec&k...", "Check the selected post", self.check_selected
        )
        self.check_button.setToolTip(
            "Open the selected post in the composer: check its text, then save it as checked."
        )
        self.needs_note = QLabel()
        self.needs_note.setWordWrap(True)
        self.needs_note.setAccessibleName("Posts that need a check, count")
        check_row = QHBoxLayout()
        check_row.addWidget(self.needs_note, 1)
        check_row.addWidget(self.check_button)
        self.needs_check.column.addLayout(check_row)

        # The list of posts to check is what the page is for: it gets the room;
        # the summaries stay a few rows high and scroll inside.
        for section in (self.months, self.categories, self.overrides):
            section.table_height = 150
        self.needs_check.table.setMinimumHeight(240)
        grid = QGridLayout()
        grid.addWidget(self.months, 0, 0)
        grid.addWidget(self.categories, 0, 1)
        grid.addWidget(self.overrides, 1, 0, 1, 2)
        grid.addWidget(self.needs_check, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        body = QWidget()
        body_column = QVBoxLayout(body)
        body_column.setContentsMargins(6, 6, 6, 6)
        body_column.addWidget(self.headline)
        body_column.addLayout(grid)
        body_column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setAccessibleName("Compliance figures")

        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.setAccessibleName("Evidence report result")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Compliance"))
        layout.addLayout(top)
        layout.addLayout(controls)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.result)
        self.date_from.dateChanged.connect(lambda _d: self.refresh())
        self.date_to.dateChanged.connect(lambda _d: self.refresh())
        if not loading_deferred():  # in the main window it reads its figures when shown
            self.refresh()

    # -- building blocks -----------------------------------------------------------
    def _button(self, text: str, accessible: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.clicked.connect(slot)
        return button

    def _date_edit(self, accessible: str, day: date) -> QDateEdit:
        edit = QDateEdit(_qdate(day))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setAccessibleName(accessible)
        return edit

    def period(self) -> tuple[date, date]:
        start = self.date_from.date().toPython()
        end = self.date_to.date().toPython()
        return (start, end) if start <= end else (end, start)

    def showEvent(self, event) -> None:
        self.refresh()
        super().showEvent(event)

    # -- figures -------------------------------------------------------------------
    def refresh(self) -> None:
        start, end = self.period()
        self.policy.setText(cover_status(get_profile(self.store), self.today))
        try:
            summary = summary_svc.compliance_summary(self.store, start, end)
            months = summary_svc.checks_by_month(self.store, start, end)
            posts, total = self._posts_needing_check(start, end)
        except OutreachError as exc:
            self.headline.setText(str(exc))
            return
        self.summary, self.posts = summary, posts
        self.headline.setText(self._headline(summary, start, end))
        self.months.fill(
            [
                [
                    _cell(m.month),
                    _cell(f"{m.checks:,}", True),
                    _cell(f"{m.findings:,}", True),
                    _cell(f"{m.overrides:,}", True),
                ]
                for m in months
            ],
            "No checks were recorded in this period.",
        )
        self.categories.fill(
            [[_cell(name), _cell(f"{n:,}", True)] for name, n in summary.findings_by_category],
            "The scan found nothing risky in the checks of this period."
            if summary.checks
            else "No checks, so no findings, in this period.",
        )
        self.overrides.fill(
            [
                [
                    _cell(local_datetime(o.checked_at)),
                    _cell(o.community),
                    _cell(o.category),
                    _cell(o.matched),
                    _cell(o.reason),
                ]
                for o in summary.overrides
            ],
            "No finding was overridden in this period.",
        )
        for r, o in enumerate(summary.overrides):
            self.overrides.table.item(r, 4).setToolTip(o.reason)
        rows = []
        for post in posts:
            title = post.title or post.body[:80].replace("\n", " ") or post.url
            first = _cell(local_date(post.posted_at))
            first.setData(Qt.ItemDataRole.UserRole, post.id)
            rows.append(
                [
                    first,
                    _cell(post.community_name),
                    _cell(title),
                    _cell(posts_svc.CHECK_LABELS.get(post.check_status, post.check_status)),
                ]
            )
        self.needs_check.fill(
            rows,
            "Every advice post of this period has a passing check of its current text.",
        )
        if posts:
            self.needs_note.setText(
                f"{total:,} advice post{'s' if total != 1 else ''} without a check of their "
                "current text"
                + (f" (the latest {len(posts):,} shown)" if total > len(posts) else "")
                + ". Select one and choose Check."
            )
            self.needs_check.table.selectRow(0)
        else:
            self.needs_note.setText("")
        self.check_button.setVisible(bool(posts))
        # Nothing at all in the period: the headline's sentence says so, no empty boxes.
        nothing = summary.empty and not posts
        for section in (self.months, self.categories, self.overrides, self.needs_check):
            section.setVisible(not nothing)

    def _posts_needing_check(self, start: date, end: date) -> tuple[list[posts_svc.PostRow], int]:
        rows: list[posts_svc.PostRow] = []
        total = 0
        for status in NEEDS_CHECK:
            page = posts_svc.list_posts(
                self.store,
                posts_svc.PostQuery(
                    kind="advice",
                    check_status=status,
                    date_from=start,
                    date_to=end,
                    limit=LIST_LIMIT,
                ),
            )
            rows.extend(page.rows)
            total += page.total
        rows.sort(key=lambda r: (r.posted_at, r.id), reverse=True)
        return rows[:LIST_LIMIT], total

    @staticmethod
    def _headline(summary: summary_svc.ComplianceSummary, start: date, end: date) -> str:
        period = f"{start.isoformat()} to {end.isoformat()}"
        if summary.empty:
            return (
                f"From {period} no advice posts were logged and no checks recorded. Write an "
                "advice post with Compose on the Posts page: it is checked against your "
                "checklist and the risk scan, and the check is kept as evidence."
            )
        checks = f"{summary.checks:,} check{'s' if summary.checks != 1 else ''} recorded"
        posts = summary.advice_posts
        return (
            f"From {period}: {checks}; {posts:,} advice post{'s' if posts != 1 else ''} logged, "
            f"{summary.checked:,} with a passing check of their text, {summary.unchecked:,} "
            f"never checked (imported) and {summary.changed_after_check:,} changed after "
            "their check."
        )

    # -- actions -------------------------------------------------------------------
    def selected_post_id(self) -> int | None:
        table = self.needs_check.table
        rows = table.selectionModel().selectedRows()
        row = rows[0].row() if rows else table.currentRow()
        item = table.item(row, 0) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def check_selected(self) -> None:
        post_id = self.selected_post_id()
        if post_id is None:
            return
        try:
            dialog = ComposerDialog(self.store, self.actor, post_id=post_id, parent=self)
        except OutreachError as exc:
            QMessageBox.warning(self, "Outreach", str(exc))
            self.refresh()
            return
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self.status_message.emit("Saved the post with its check")
            self.data_changed.emit()

    def edit_checklist(self) -> None:
        dialog = ChecklistDialog(self.store, self.actor, self)
        dialog.exec()
        self.status_message.emit(f"The checklist is version {dialog.version}")

    def evidence_pdf(self) -> None:
        if not evidence_pdf_available():
            QMessageBox.information(
                self,
                "Evidence report",
                "The evidence report arrives with later work; the checks are kept meanwhile.",
            )
            return
        start, end = self.period()
        path = file_dialogs.ask_save_file(
            self,
            "Save the evidence report",
            f"outreach-evidence-{start.isoformat()}-to-{end.isoformat()}.pdf",
            PDF_FILTER,
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        store = self.store

        def work(progress):
            from outreach.services.evidence_pdf import write_evidence_pdf

            return write_evidence_pdf(store, start, end, path, progress=progress)

        self.result.setText("Making the evidence report...")
        self.task = run_with_progress(
            self,
            "Making the evidence report...",
            work,
            lambda pages: self._pdf_done(path, pages),
            self._pdf_failed,
        )

    def _pdf_done(self, path: str, pages) -> None:
        self.last_file = path
        text = f"Saved the evidence report ({pages} page{'s' if pages != 1 else ''}): {path}"
        self.result.setText(text)
        self.status_message.emit(text)

    def _pdf_failed(self, exc: BaseException) -> None:
        if isinstance(exc, (Cancelled, OutreachError)):
            text = str(exc)
        elif isinstance(exc, OSError):
            text = f"Cannot write the file: {exc.strerror or exc}."
        else:
            text = f"The evidence report failed: {exc}"
        self.result.setText(text)
        self.status_message.emit(text)
