"""The Reports page: presets, pickers, the preview and the exports, on real databases."""

from __future__ import annotations

import csv
import re
import threading
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QAbstractButton, QFileDialog, QLabel

from outreach.services import communities as com
from outreach.services import contacts as people
from outreach.services import ledger, referrals
from outreach.services import posts as posts_svc
from outreach.services.profile import set_setting
from outreach.services.roi import Period
from outreach.ui import reports_page
from outreach.ui.reports_page import ReportsPage, preset_period

TODAY = date(2025, 4, 15)


def at(y, m, d, h=12):
    return datetime(y, m, d, h, tzinfo=UTC)


# -- the preset arithmetic, a pure function ---------------------------------------
@pytest.mark.parametrize(
    ("key", "today", "start", "end"),
    [
        ("this_month", date(2025, 5, 10), date(2025, 5, 1), date(2025, 5, 10)),
        ("last_month", date(2025, 5, 10), date(2025, 4, 1), date(2025, 4, 30)),
        ("last_month", date(2025, 1, 15), date(2024, 12, 1), date(2024, 12, 31)),
        ("last_month", date(2024, 3, 31), date(2024, 2, 1), date(2024, 2, 29)),
        ("last_quarter", date(2025, 5, 10), date(2025, 1, 1), date(2025, 3, 31)),
        ("last_quarter", date(2025, 2, 1), date(2024, 10, 1), date(2024, 12, 31)),
        ("last_quarter", date(2025, 12, 31), date(2025, 7, 1), date(2025, 9, 30)),
        ("year_to_date", date(2025, 5, 10), date(2025, 1, 1), date(2025, 5, 10)),
        ("year_to_date", date(2025, 1, 1), date(2025, 1, 1), date(2025, 1, 1)),
        ("last_12_months", date(2025, 5, 10), date(2024, 5, 11), date(2025, 5, 10)),
        ("last_12_months", date(2024, 2, 29), date(2023, 3, 1), date(2024, 2, 29)),
        ("last_12_months", date(2025, 12, 31), date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_preset_periods(key, today, start, end):
    assert preset_period(key, today) == Period(start, end)


def test_an_unknown_preset_is_refused():
    with pytest.raises(ValueError):
        preset_period("custom", TODAY)


# -- data --------------------------------------------------------------------------
@pytest.fixture
def q1(store, actor):
    """Q1 2025: r/sleep 3 posts, 180 min at 100.00/h = 300.00, one patient paying 240.00;
    Forum <&> 1 post of 45 min = 75.00 and one intake; one contact met nowhere."""
    set_setting(store, actor, "hourly_rate", "100.00")
    a = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    b = com.create_community(store, actor, com.CommunityData(name="Forum <&> Ёлка"))
    for when, minutes in ((at(2025, 1, 5), 60), (at(2025, 2, 5), 90), (at(2025, 3, 5), 30)):
        posts_svc.create_post(
            store, actor, posts_svc.PostData(a, when, "answer", title="t", minutes_spent=minutes)
        )
    posts_svc.create_post(
        store, actor, posts_svc.PostData(b, at(2025, 2, 9), "answer", title="t", minutes_spent=45)
    )
    c1 = people.create_contact(
        store, actor, people.ContactData(handle="u/one", first_community_id=a), when=at(2025, 1, 10)
    )
    referrals.save_referral(
        store,
        actor,
        c1,
        referrals.ReferralData(
            completed_on=date(2025, 1, 25),
            booked_on=date(2025, 2, 1),
            first_visit_on=date(2025, 2, 5),
        ),
    )
    ledger.add_revenue(store, actor, c1, date(2025, 2, 5), 12000)
    ledger.add_revenue(store, actor, c1, date(2025, 3, 5), 12000)
    c2 = people.create_contact(
        store, actor, people.ContactData(handle="u/two", first_community_id=b), when=at(2025, 2, 1)
    )
    referrals.save_referral(
        store, actor, c2, referrals.ReferralData(completed_on=date(2025, 2, 10))
    )
    people.create_contact(store, actor, people.ContactData(handle="u/three"), when=at(2025, 3, 1))
    return a, b


def make_page(qtbot, store, today=TODAY) -> ReportsPage:
    page = ReportsPage(store, today=lambda: today)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    return page


def choose_dates(page, start: date, end: date) -> None:
    page.start.setDate(QDate(start.year, start.month, start.day))
    page.end.setDate(QDate(end.year, end.month, end.day))


def cell(table, row, column) -> str:
    return table.item(row, column).text()


def row_of(table, name) -> int:
    return next(r for r in range(table.rowCount()) if cell(table, r, 0) == name)


def preview(qtbot, page) -> None:
    before = page.report
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.report is not before and page.table.isVisible(), timeout=10_000)


@pytest.fixture
def save_as(monkeypatch):
    """Answer the save dialog with a path; records what it was asked."""
    asked = {}

    def answer(path):
        def fake(parent, title, suggested, file_filter):
            asked.update(title=title, suggested=suggested, filter=file_filter)
            return str(path), ""

        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
        return asked

    return answer


# -- the choice ---------------------------------------------------------------------
def test_presets_fill_the_dates_and_editing_a_date_means_custom(qtbot, store):
    page = make_page(qtbot, store)
    assert page.preset.currentData() == "this_month"
    assert page.period() == Period(date(2025, 4, 1), date(2025, 4, 15))
    page.set_preset("last_quarter")
    assert page.period() == Period(date(2025, 1, 1), date(2025, 3, 31))
    page.set_preset("last_12_months")
    assert page.period() == Period(date(2024, 4, 16), date(2025, 4, 15))
    page.start.setDate(QDate(2024, 6, 1))
    assert page.preset.currentData() == "custom"
    assert page.period() == Period(date(2024, 6, 1), date(2025, 4, 15))


def test_attribution_explains_itself(qtbot, store):
    page = make_page(qtbot, store)
    assert [page.attribution.itemData(i) for i in range(page.attribution.count())] == [
        "first",
        "last",
        "linear",
    ]
    assert "first met" in page.attribution_help.text()
    page.attribution.setCurrentIndex(2)
    assert "equally" in page.attribution_help.text()


def test_dates_out_of_order_are_explained_not_run(qtbot, store, q1):
    page = make_page(qtbot, store)
    choose_dates(page, date(2025, 3, 1), date(2025, 2, 1))
    page.preview()
    assert "start date is after the end date" in page.result.text()
    assert page.report is None


# -- the preview --------------------------------------------------------------------
def test_preview_shows_each_community_the_totals_and_the_unattributed(qtbot, store, q1):
    page = make_page(qtbot, store)
    choose_dates(page, date(2025, 1, 1), date(2025, 3, 31))
    preview(qtbot, page)
    table = page.table
    assert table.rowCount() == 2
    assert [cell(table, r, 0) for r in range(2)] == ["Forum <&> Ёлка", "r/sleep"]  # by name
    sleep = row_of(table, "r/sleep")
    assert [cell(table, sleep, c) for c in range(8)] == [
        "r/sleep",
        "3",
        "3.0",
        "$300.00",
        "1",
        "1",
        "1",
        "$240.00",
    ]
    assert cell(table, sleep, 9) == "$300.00"  # cost per patient
    assert cell(table, sleep, 10) == "-20.0%"  # (240 - 300) / 300
    assert cell(table, sleep, 11) == "Keep testing"  # 3 hours is not enough for a verdict
    forum = row_of(table, "Forum <&> Ёлка")
    assert cell(table, forum, 3) == "$75.00"
    assert cell(table, forum, 9) == "—"  # no patient: a dash, never an error
    # Totals against the previous period (nothing before 2025).
    assert cell(page.totals, 0, 1) == "4" and cell(page.totals, 0, 2) == "3.8"
    assert cell(page.totals, 0, 8) == "$240.00"
    assert cell(page.totals, 1, 1) == "0"
    assert "1 Jan 2025 to 31 Mar 2025 (90 days)" in page.summary.text()
    assert "first touch" in page.summary.text()
    assert "1 contacts" in page.notes.text() and "Unattributed" in page.notes.text()
    assert "$100.00 an hour" in page.notes.text()
    table.selectRow(forum)
    assert page.why.text().startswith("Forum <&> Ёлка: keep testing, because not enough data")


def test_preview_of_chosen_communities_and_linear_credit(qtbot, store, q1):
    a, _b = q1
    page = make_page(qtbot, store)
    choose_dates(page, date(2025, 1, 1), date(2025, 3, 31))
    page.all_communities.setChecked(False)
    assert page.communities.isEnabled()
    page.preview()
    assert "Tick at least one community" in page.result.text()
    for i in range(page.communities.count()):
        item = page.communities.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == a:
            item.setCheckState(Qt.CheckState.Checked)
    page.attribution.setCurrentIndex(page.attribution.findData("linear"))
    preview(qtbot, page)
    assert page.table.rowCount() == 1 and cell(page.table, 0, 0) == "r/sleep"
    assert "linear attribution" in page.summary.text()


def test_an_empty_database_previews_a_report_that_says_so(qtbot, store):
    page = make_page(qtbot, store)
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.report is not None, timeout=10_000)
    assert page.table.rowCount() == 0
    assert not page.table.isVisible() and not page.totals.isVisible()  # no tables of zeros
    assert "No posts, time, costs, contacts or revenue were recorded" in page.summary.text()
    assert "Add the communities you take part in" in page.summary.text()
    assert "No hourly rate is set" in page.notes.text()


def test_a_newer_preview_wins(qtbot, store, q1):
    page = make_page(qtbot, store)
    choose_dates(page, date(2025, 1, 1), date(2025, 1, 31))
    page.preview()
    choose_dates(page, date(2025, 1, 1), date(2025, 3, 31))
    page.preview()
    qtbot.waitUntil(
        lambda: page.report is not None and page.report.period.end == date(2025, 3, 31),
        timeout=10_000,
    )
    # The first one's late result must not replace it.
    qtbot.waitUntil(lambda: not page.__dict__.get("_running_tasks"), timeout=10_000)
    assert page.report.period.end == date(2025, 3, 31)


# -- exports ---------------------------------------------------------------------------
def test_export_pdf_writes_a_readable_pdf_and_offers_to_open_it(
    qtbot, store, q1, tmp_path, save_as, monkeypatch
):
    from pypdf import PdfReader

    target = tmp_path / "review"
    asked = save_as(target)
    page = make_page(qtbot, store)
    choose_dates(page, date(2025, 1, 1), date(2025, 3, 31))
    messages = []
    page.status_message.connect(messages.append)
    qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.open_button.isVisible(), timeout=30_000)
    assert asked["suggested"] == "outreach-roi-2025-01-01-to-2025-03-31.pdf"
    assert "PDF" in asked["filter"]
    written = tmp_path / "review.pdf"  # the extension is added when left off
    reader = PdfReader(written)
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "r/sleep" in text and "Forum <&> Ёлка" in text
    assert f"{len(reader.pages)}-page PDF" in page.result.text()
    assert messages and str(written) in messages[-1]
    opened = []
    monkeypatch.setattr(reports_page.desktop, "open_url", lambda url: opened.append(url) or True)
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert opened == [written.as_uri()]


def test_export_csv_writes_the_agreed_columns(qtbot, store, q1, tmp_path, save_as):
    target = tmp_path / "table.csv"
    save_as(target)
    page = make_page(qtbot, store)
    choose_dates(page, date(2025, 1, 1), date(2025, 3, 31))
    page.export_csv()
    qtbot.waitUntil(lambda: page.open_button.isVisible(), timeout=10_000)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:3] == ["community", "posts", "hours"] and rows[0][-1] == "verdict"
    sleep = next(r for r in rows if r[0] == "r/sleep")
    assert sleep[1:4] == ["3", "3.00", "300.00"]
    assert "2 communities" in page.result.text()
    monthly = list(csv.reader((tmp_path / "table-monthly.csv").read_text("utf-8-sig").splitlines()))
    assert [r[0] for r in monthly[1:]] == ["2025-01", "2025-02", "2025-03"]
    assert "3 months in table-monthly.csv" in page.result.text()


def test_cancelling_an_export_leaves_no_file(qtbot, store, q1, tmp_path, save_as, monkeypatch):
    target = tmp_path / "cancelled.pdf"
    save_as(target)
    release = threading.Event()
    real = reports_page.roi_report

    def slow_report(*args, **kwargs):
        report = real(*args, **kwargs)
        release.wait(10)  # until the test has pressed Cancel
        return report

    monkeypatch.setattr(reports_page, "roi_report", slow_report)
    page = make_page(qtbot, store)
    choose_dates(page, date(2025, 1, 1), date(2025, 3, 31))
    page.export_pdf()
    page.task.cancel()
    release.set()
    qtbot.waitUntil(lambda: "cancelled" in page.result.text(), timeout=10_000)
    assert not target.exists()
    assert list(tmp_path.glob("*cancelled*")) == []
    assert not page.open_button.isVisible()


def test_an_export_that_cannot_be_written_says_why(
    qtbot, store, q1, tmp_path, save_as, _no_blocking_message_boxes
):
    save_as(tmp_path / "no such folder" / "table.csv")
    page = make_page(qtbot, store)
    page.export_csv()
    qtbot.waitUntil(lambda: bool(_no_blocking_message_boxes), timeout=10_000)
    kind, args = _no_blocking_message_boxes[-1]
    assert kind == "warning" and "Could not write" in args[2]
    assert page.result.text() == args[2]
    assert not page.open_button.isVisible()


def test_no_file_chosen_does_nothing(qtbot, store, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: ("", "")))
    page = make_page(qtbot, store)
    page.export_pdf()
    assert not hasattr(page, "task") and page.result.text() == ""


# -- keyboard and screen readers ----------------------------------------------------------
def test_every_control_has_a_name_and_mnemonics_are_unique(qtbot, store, q1):
    from PySide6.QtWidgets import QComboBox, QDateEdit, QListWidget, QTableWidget

    page = make_page(qtbot, store)
    for cls in (QAbstractButton, QComboBox, QDateEdit, QListWidget, QTableWidget):
        for widget in page.findChildren(cls):
            if not isinstance(widget.parent(), (QComboBox, QDateEdit, QTableWidget)):
                assert widget.accessibleName(), type(widget).__name__
    keys = [
        m.group(1).lower()
        for w in (*page.findChildren(QAbstractButton), *page.findChildren(QLabel))
        if (m := re.search(r"&(\w)", w.text()))
    ]
    assert len(keys) == len(set(keys)), sorted(keys)
    assert not set(keys) & set("fevh"), "clashes with the menu bar"
    for label in page.findChildren(QLabel):
        if "&" in label.text() and re.search(r"&\w", label.text()):
            assert label.buddy() is not None, label.text()
