"""A start paints the main window from the Dashboard's kept figures before the
database is opened through the store (and SQLAlchemy imported), then attaches
the store: the same window, every page working, the figures kept up to date."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QSettings

from outreach.paths import resolve_url
from outreach.services import communities as com
from outreach.services import posts as posts_svc
from outreach.services.dashboard_cache import keep, read_cached
from outreach.services.dashboard_cache import work_out_headline as _headline
from outreach.services.dashboard_cache import work_out_year as _year
from outreach.services.profile import mark_welcome_done
from outreach.ui.application import open_main_window, quick_window


def add_post(store, actor, cid, minutes=30):
    posts_svc.create_post(
        store,
        actor,
        posts_svc.PostData(cid, datetime.now(UTC), "answer", title="t", minutes_spent=minutes),
    )


def work_out_headline(store, today):
    keep(store, _headline(store, today))


def work_out_year(store, today):
    keep(store, _year(store, today))


@pytest.fixture
def kept(store, actor):
    """A practice whose Dashboard was worked out today, as the last run left it."""
    mark_welcome_done(store, actor)
    cid = com.create_community(store, actor, com.CommunityData(name="Café <Forum>"))
    add_post(store, actor, cid, 30)
    add_post(store, actor, cid, 60)
    work_out_headline(store, date.today())
    work_out_year(store, date.today())
    return cid


SCRIPT = r"""
import json, sys
from outreach.ui.application import make_application, quick_window
from outreach.paths import resolve_url

app = make_application()
window = quick_window(resolve_url(sys.argv[1]))
dash = window.dashboard
print(json.dumps({
    "sqlalchemy": "sqlalchemy" in sys.modules,
    "visible": window.isVisible(),
    "posts": dash.tiles["posts"][0].text(),
    "hours": dash.tiles["hours"][0].text(),
    "logged": dash.values["posts"].text(),
    "ranking": dash.ranking.item(0, 0).text(),
}))
"""


def test_the_window_is_painted_before_sqlalchemy_is_imported(kept, db_path, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(db_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {
        "sqlalchemy": False,
        "visible": True,
        "posts": "2",
        "hours": "1.5",
        "logged": "2",
        "ranking": "Café <Forum>",
    }


def test_the_painted_window_gets_the_store(qtbot, store, actor, kept, db_path):
    window = quick_window(resolve_url(db_path))
    assert window is not None
    qtbot.addWidget(window)
    assert window.dashboard.tiles["posts"][0].text() == "2"
    open_main_window(store, actor, window)
    assert window.store is store and window.lock is not None
    assert not window.dashboard.busy  # the kept figures are current: nothing to work out
    window.show_page("Posts")
    qtbot.waitUntil(lambda: window.posts.model.rowCount() == 2, timeout=10_000)
    window.show_page("Dashboard")
    qtbot.waitUntil(lambda: not window.dashboard.busy, timeout=20_000)


def test_a_change_is_worked_out_and_kept_for_the_next_start(qtbot, store, actor, kept, db_path):
    window = quick_window(resolve_url(db_path))
    qtbot.addWidget(window)
    open_main_window(store, actor, window)
    add_post(store, actor, kept, 15)
    window.on_data_changed()
    qtbot.waitUntil(
        lambda: window.dashboard.tiles["posts"][0].text() == "3" and not window.dashboard.busy,
        timeout=20_000,
    )
    cached = read_cached(db_path)
    assert cached is not None and cached.headline.posts == 3 and cached.year is not None


def test_no_painted_window_when_another_page_was_last(qtbot, kept, db_path):
    QSettings().setValue("window/page", "Posts")
    assert quick_window(resolve_url(db_path)) is None


def test_no_painted_window_when_the_figures_are_stale(qtbot, store, actor, kept, db_path):
    add_post(store, actor, kept)
    assert quick_window(resolve_url(db_path)) is None


def test_the_daily_backup_is_taken_in_the_background(qtbot, store, actor, db_path):
    from PySide6.QtCore import QThreadPool

    from outreach.services.backups import backups_of
    from outreach.ui import application

    mark_welcome_done(store, actor)  # no modal welcome
    running = application._Running(store, resolve_url(db_path), actor)
    running.open()
    qtbot.addWidget(running.window)
    task = application._daily_backup(running)
    assert QThreadPool.globalInstance().waitForDone(30_000)
    qtbot.waitUntil(lambda: len(backups_of(store)) == 1, timeout=10_000)
    assert task is not None


def test_a_failed_daily_backup_is_said_and_the_work_goes_on(
    qtbot, store, actor, db_path, monkeypatch, _no_blocking_message_boxes
):
    from PySide6.QtCore import QThreadPool

    from outreach.services import backups
    from outreach.ui import application

    def full_disk(_store):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backups, "daily_backup_if_due", full_disk)
    mark_welcome_done(store, actor)  # no modal welcome
    running = application._Running(store, resolve_url(db_path), actor)
    running.open()
    qtbot.addWidget(running.window)
    application._daily_backup(running)
    assert QThreadPool.globalInstance().waitForDone(30_000)
    qtbot.waitUntil(lambda: bool(_no_blocking_message_boxes), timeout=10_000)
    kind, args = _no_blocking_message_boxes[-1]
    assert kind == "warning" and "No space left on device" in args[2]
    assert "Your work is not affected" in args[2]


def test_figures_of_an_earlier_day_are_shown_as_such_then_worked_out(
    qtbot, store, actor, kept, db_path
):
    """The first start of a day: yesterday's figures at once, saying so, then today's."""
    from datetime import timedelta

    mark_welcome_done(store, actor)
    yesterday = date.today() - timedelta(days=1)
    work_out_headline(store, yesterday)
    work_out_year(store, yesterday)
    window = quick_window(resolve_url(db_path))
    qtbot.addWidget(window)
    dash = window.dashboard
    assert f"These are the figures of {yesterday.day} {yesterday:%B}" in dash.status.text()
    open_main_window(store, actor, window)
    qtbot.waitUntil(lambda: dash.data is not None and not dash.busy, timeout=20_000)
    assert "These are the figures" not in dash.status.text()
    cached = read_cached(db_path)
    assert cached.is_of(date.today())
