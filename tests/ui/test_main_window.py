from __future__ import annotations

from PySide6.QtGui import QKeySequence

from outreach.ui.main_window import PAGES, MainWindow


def test_window_has_the_eight_pages(qtbot, store, actor):
    window = MainWindow(store, actor)
    qtbot.addWidget(window)
    assert PAGES == [
        "Dashboard",
        "Communities",
        "Posts",
        "Contacts",
        "Referrals",
        "Compliance",
        "Reports",
        "Settings",
    ]
    assert window.stack.count() == 8 and window.sidebar.count() == 8
    assert window.stack.widget(PAGES.index("Reports")) is window.reports
    assert window.stack.widget(PAGES.index("Compliance")) is window.compliance


def test_ctrl_number_switches_pages(qtbot, store, actor):
    window = MainWindow(store, actor)
    qtbot.addWidget(window)
    actions = {
        a.shortcut().toString(): a for a in window.findChildren(type(window.menuBar().actions()[0]))
    }
    assert "Ctrl+2" in actions
    actions["Ctrl+2"].trigger()
    assert window.current_page_title() == "Communities"
    assert window.stack.currentWidget() is window.communities
    actions["Ctrl+8"].trigger()
    assert window.current_page_title() == "Settings"


def test_every_menu_action_has_text_and_key_shortcuts_are_unique(qtbot, store, actor):
    window = MainWindow(store, actor)
    qtbot.addWidget(window)
    seen = set()
    for menu in window.menuBar().actions():
        for action in menu.menu().actions():
            if action.isSeparator():
                continue
            assert action.text()
            key = action.shortcut().toString(QKeySequence.SequenceFormat.PortableText)
            if key:
                assert key not in seen, key
                seen.add(key)


def test_geometry_and_page_are_remembered(qtbot, store, actor):
    window = MainWindow(store, actor)
    qtbot.addWidget(window)
    window.resize(640, 480)
    window.show_page("Posts")
    window.close()
    again = MainWindow(store, actor)
    qtbot.addWidget(again)
    assert again.current_page_title() == "Posts"
    assert (again.size().width(), again.size().height()) == (640, 480)


def test_dashboard_counts(qtbot, store, actor, seeded):
    window = MainWindow(store, actor)
    qtbot.addWidget(window)
    window.show()  # the figures are worked out for a Dashboard that is seen
    qtbot.waitUntil(lambda: window.dashboard.values["posts"].text() == "450", timeout=20_000)
    qtbot.waitUntil(lambda: not window.dashboard.busy, timeout=20_000)
    assert window.dashboard.values["communities"].text() == "2"


def test_find_focuses_the_search_box(qtbot, store, actor):
    window = MainWindow(store, actor)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("Posts")
    window._find()
    qtbot.waitUntil(lambda: window.posts.search.hasFocus())


def _internal(widget) -> bool:
    """Parts of a compound widget (a spin box's line edit, a table's corner button)."""
    from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QComboBox, QLineEdit

    parent = widget.parent()
    return isinstance(parent, (QAbstractSpinBox, QComboBox, QLineEdit, QAbstractScrollArea))


def test_every_control_on_the_list_pages_has_an_accessible_name(qtbot, store, actor):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QTableView

    window = MainWindow(store, actor)
    qtbot.addWidget(window)
    for page in (window.communities, window.posts, window.settings_page):
        for cls in (QAbstractButton, QComboBox, QLineEdit, QTableView):
            for widget in page.findChildren(cls):
                if not _internal(widget):
                    assert widget.accessibleName(), (
                        f"{type(widget).__name__} on {type(page).__name__}"
                    )


def test_app_refuses_a_newer_database_with_a_message(
    qtbot, db_path, _no_blocking_message_boxes, monkeypatch
):
    import sqlite3
    import sys
    from contextlib import closing

    from outreach.store import open_store
    from outreach.ui.application import run

    open_store(db_path).dispose()
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num='9999_future'")
        conn.commit()
    before = db_path.read_bytes()
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run() installs its own
    assert run(str(db_path)) == 1
    kind, args = _no_blocking_message_boxes[-1]
    assert kind == "critical" and "newer version of Outreach" in args[2]
    assert db_path.read_bytes() == before


def test_button_mnemonics_are_unique_on_each_page(qtbot, store, actor):
    import re

    from PySide6.QtWidgets import QAbstractButton

    window = MainWindow(store, actor)
    qtbot.addWidget(window)
    for page in window.list_pages:
        keys = [
            match.group(1).lower()
            for button in page.findChildren(QAbstractButton)
            if (match := re.search(r"&(\w)", button.text()))
        ]
        assert len(keys) == len(set(keys)), (type(page).__name__, sorted(keys))


def test_every_page_fits_a_1280_pixel_screen(qtbot, store, actor):
    window = MainWindow(store, actor)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    for title in PAGES:
        window.show_page(title)
        assert window.minimumSizeHint().width() <= 1280, title
        assert window.width() <= 1280, title
