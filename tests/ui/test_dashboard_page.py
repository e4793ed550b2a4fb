"""The dashboard on real databases: this month against last, charts, ranking, to-dos."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton

from outreach.services import communities as com
from outreach.services import contacts as people
from outreach.services import dashboard_cache, ledger, referrals
from outreach.services import posts as posts_svc
from outreach.services.dashboard_cache import ranked
from outreach.services.profile import set_setting
from outreach.ui.dashboard_page import DashboardPage, screen_svg
from outreach.ui.main_window import MainWindow

TODAY = date(2025, 3, 20)


def at(y, m, d, h=12):
    return datetime(y, m, d, h, tzinfo=UTC)


def post(store, actor, cid, when, minutes, kind="answer"):
    # An imported advice post was never checked; the dashboard counts it so.
    return posts_svc.create_post(
        store,
        actor,
        posts_svc.PostData(cid, when, kind, title="t", minutes_spent=minutes),
        source="import" if kind == "advice" else "manual",
    )


@pytest.fixture
def practice(store, actor):
    """March 2025 (to the 20th) against February, at 100.00 an hour:
    r/sleep: 2 posts in March (30 + 60 min), 1 in February (90 min); a contact met
    in March who completed an intake, came for a first visit and paid 150.00.
    Café <Forum>: 1 post in February (120 min), a contact met in February, nothing more,
    and one met in January with a follow-up due.
    """
    set_setting(store, actor, "hourly_rate", "100.00")
    a = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    b = com.create_community(store, actor, com.CommunityData(name="Café <Forum>"))
    post(store, actor, a, at(2025, 3, 3), 30)
    post(store, actor, a, at(2025, 3, 12), 60)
    post(store, actor, a, at(2025, 2, 10), 90)
    post(store, actor, b, at(2025, 2, 11), 120)
    c1 = people.create_contact(
        store,
        actor,
        people.ContactData(handle="u/one", first_community_id=a),
        when=at(2025, 3, 4),
    )
    people.log_interaction(
        store, actor, c1, people.InteractionData(at(2025, 3, 4), "community_reply", community_id=a)
    )
    referrals.save_referral(
        store,
        actor,
        c1,
        referrals.ReferralData(completed_on=date(2025, 3, 8), first_visit_on=date(2025, 3, 14)),
    )
    ledger.add_revenue(store, actor, c1, date(2025, 3, 14), 15000)
    c2 = people.create_contact(
        store, actor, people.ContactData(handle="u/two", first_community_id=b), when=at(2025, 2, 12)
    )
    people.log_interaction(
        store, actor, c2, people.InteractionData(at(2025, 2, 12), "community_reply", community_id=b)
    )
    # Met in January (outside both months), seen yesterday, a follow-up due on the 18th.
    c3 = people.create_contact(
        store,
        actor,
        people.ContactData(handle="u/three", first_community_id=b, follow_up_on=date(2025, 3, 18)),
        when=at(2025, 1, 5),
    )
    people.log_interaction(
        store, actor, c3, people.InteractionData(at(2025, 3, 19), "direct_message")
    )
    return a, b


def make_page(qtbot, store, today=TODAY) -> DashboardPage:
    page = DashboardPage(store, today=lambda: today)
    qtbot.addWidget(page)
    page.resize(1100, 740)
    return page


def shown(qtbot, page) -> DashboardPage:
    page.show()
    qtbot.waitUntil(lambda: page.data is not None and not page.busy, timeout=20_000)
    return page


def tile(page, key) -> tuple[str, str]:
    value, before = page.tiles[key]
    return value.text(), before.text()


def test_an_empty_database_says_how_to_start(qtbot, store):
    page = make_page(qtbot, store)
    page.show()
    assert page.is_empty()
    assert page.empty_text.isVisible()
    assert "Nothing is logged yet" in page.empty_text.text()
    assert not page.busy  # nothing to work out
    asked = []
    page.add_community.connect(lambda: asked.append("community"))
    page.load_demo.connect(lambda: asked.append("demo"))
    for button in page.pages.widget(0).findChildren(QAbstractButton):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert sorted(asked) == ["community", "demo"]


def test_tiles_show_this_month_against_last(qtbot, store, practice):
    page = shown(qtbot, make_page(qtbot, store))
    assert not page.is_empty()
    assert tile(page, "posts") == ("2", "Last month: 2")
    assert tile(page, "hours") == ("1.5", "Last month: 3.5")  # 90 min; 210 min
    assert tile(page, "time_cost") == ("$150.00", "Last month: $350.00")
    assert tile(page, "contacts") == ("1", "Last month: 1")
    assert tile(page, "intakes") == ("1", "Last month: 0")
    assert tile(page, "patients") == ("1", "Last month: 0")
    assert tile(page, "revenue") == ("$150.00", "Last month: $0.00")
    assert "1 to 20 March" in page.tiles_box.title()


def test_ranking_puts_the_best_return_first(qtbot, store, practice):
    page = shown(qtbot, make_page(qtbot, store))
    table = page.ranking
    names = [table.item(r, 0).text() for r in range(table.rowCount())]
    # r/sleep: cost 300.00 (3 h), revenue 150.00 -> -50 %; the forum: 200.00, nothing -> -100 %
    assert names == ["r/sleep", "Café <Forum>"]
    assert table.item(0, 5).text() == "-50.0%" and table.item(1, 5).text() == "-100.0%"
    assert table.item(0, 6).text() == "Keep testing"
    assert "Not enough data" in table.item(0, 7).text()


def test_ranked_puts_undefined_roi_last():
    from outreach.services.roi import Figures

    free = Figures(1, "no cost", posts=1)
    good = Figures(2, "good", minutes=60, time_cost_cents=100, revenue_cents=300)
    bad = Figures(3, "bad", minutes=60, time_cost_cents=100)
    idle = Figures(4, "idle")

    class Report:
        rows = [free, bad, idle, good]

    assert [f.name for f in ranked(Report)] == ["good", "bad", "no cost"]


def test_charts_are_the_report_drawings_as_svg(qtbot, store, practice):
    page = shown(qtbot, make_page(qtbot, store))
    for key, view in page.charts.items():
        assert view.renderer().isValid(), key
        svg = page.data.charts[key]
        assert b"<svg" in svg and b"clip-path" not in svg and b"fill: None" not in svg
    assert b"r/sleep" in page.data.charts["hours_patients"]
    assert b"Caf\xc3\xa9 &lt;Forum&gt;" in page.data.charts["hours_patients"]
    image = page.charts["trend"].grab().toImage()
    assert not image.isNull()


def test_screen_svg_names_fonts_as_qt_finds_them():
    raw = (
        b'<clipPath id="clip"><rect/></clipPath><g style="clip-path: url(#clip)">'
        b'<text style="font-family: DejaVuSans-Bold; fill: None">x</text>'
        b'<text style="font-family: DejaVuSans;">y</text></g>'
    )
    out = screen_svg(raw)
    assert b"clipPath" not in out and b"clip-path" not in out
    assert b"font-family: 'DejaVu Sans'; font-weight: bold;" in out
    assert b"font-family: 'DejaVu Sans';" in out and b"fill: none" in out


def test_follow_ups_and_losing_touch_open_the_contacts_views(qtbot, store, actor, practice):
    window = MainWindow(store, actor)
    qtbot.addWidget(window)
    window.dashboard._today = lambda: TODAY
    window.show()
    dash = window.dashboard
    qtbot.waitUntil(lambda: dash.data is not None and not dash.busy, timeout=20_000)
    assert dash.values["follow_ups"].text() == "1"  # u/three, due on 18 March
    assert dash.values["losing_touch"].text() == "1"  # u/two, last seen 12 February
    assert dash.values["unchecked"].text() == "0"
    buttons = {b.text(): b for b in dash.findChildren(QAbstractButton)}
    qtbot.mouseClick(buttons["Show &losing touch"], Qt.MouseButton.LeftButton)
    assert window.current_page_title() == "Contacts"
    assert window.contacts.view.currentData() == "losing_touch"
    window.show_page("Dashboard")
    qtbot.mouseClick(buttons["Show follow-ups &due"], Qt.MouseButton.LeftButton)
    assert window.contacts.view.currentData() == "follow_ups"
    window.show_page("Dashboard")
    qtbot.mouseClick(buttons["Open &reports"], Qt.MouseButton.LeftButton)
    assert window.current_page_title() == "Reports"


def test_it_refreshes_after_edits_and_the_latest_figures_win(qtbot, store, actor, practice):
    a, _b = practice
    page = shown(qtbot, make_page(qtbot, store))
    assert tile(page, "posts")[0] == "2"
    post(store, actor, a, at(2025, 3, 15), 15, kind="advice")
    page.refresh()
    post(store, actor, a, at(2025, 3, 16), 15)
    page.refresh()  # while the first is still being worked out
    qtbot.waitUntil(lambda: not page.busy and tile(page, "posts")[0] == "4", timeout=20_000)
    assert tile(page, "hours")[0] == "2.0"
    assert page.values["posts"].text() == "6"
    assert page.values["unchecked"].text() == "1"


def test_the_first_post_leaves_the_empty_state(qtbot, store, actor):
    page = make_page(qtbot, store)
    page.show()
    assert page.is_empty()
    cid = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    post(store, actor, cid, at(2025, 3, 2), 20)
    page.refresh()
    qtbot.waitUntil(lambda: page.data is not None and not page.busy, timeout=20_000)
    assert not page.is_empty() and tile(page, "posts")[0] == "1"


def test_a_failure_is_a_sentence(qtbot, store, practice, monkeypatch):
    def broken(store, today):
        raise OSError("disk I/O error")

    monkeypatch.setattr(dashboard_cache, "work_out_year", broken)
    page = make_page(qtbot, store)
    page.show()
    qtbot.waitUntil(lambda: "Could not work out" in page.status.text(), timeout=10_000)
    assert "disk I/O error" in page.status.text() and not page.busy


def test_controls_have_names_and_unique_mnemonics(qtbot, store, practice):
    from PySide6.QtWidgets import QLabel, QTableWidget, QTabWidget

    page = shown(qtbot, make_page(qtbot, store))
    for cls in (QAbstractButton, QTableWidget, QTabWidget):
        for widget in page.findChildren(cls):
            if not isinstance(widget.parent(), (QTableWidget, QTabWidget)):
                assert widget.accessibleName(), type(widget).__name__
    for view in page.charts.values():
        assert view.accessibleName().startswith("Chart:")
    for part in (page.pages.widget(0), page.pages.widget(1)):
        texts = [
            w.text() for w in (*part.findChildren(QAbstractButton), *part.findChildren(QLabel))
        ]
        texts += [page.chart_tabs.tabText(i) for i in range(page.chart_tabs.count())]
        keys = [m.group(1).lower() for t in texts if (m := re.search(r"&(\w)", t))]
        assert len(keys) == len(set(keys)), sorted(keys)
        assert not set(keys) & set("fevh"), "clashes with the menu bar"
