"""Qt tests: settings in a temporary folder, dialogs that would block patched out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QSettings

from outreach.services import communities as com
from outreach.services import posts as posts_svc


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path, qapp):
    qapp.setOrganizationName("OutreachTests")
    qapp.setApplicationName("OutreachTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings")
    )
    yield


@pytest.fixture(autouse=True)
def _no_blocking_message_boxes(monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    for name in ("warning", "information", "critical"):
        monkeypatch.setattr(
            QMessageBox, name, staticmethod(lambda *a, _n=name, **k: shown.append((_n, a)))
        )
    return shown


@pytest.fixture
def seeded(store, actor):
    """Two communities and 450 posts, enough for more than two pages."""
    a = com.create_community(store, actor, com.CommunityData(name="r/insomnia", platform="reddit"))
    b = com.create_community(
        store, actor, com.CommunityData(name="HealthUnlocked", platform="forum")
    )
    start = datetime(2025, 1, 1, 12, tzinfo=UTC)
    for i in range(450):
        posts_svc.create_post(
            store,
            actor,
            posts_svc.PostData(
                community_id=a if i % 3 else b,
                posted_at=start + timedelta(hours=i),
                kind="advice" if i % 5 == 0 else "answer",
                title=f"Post {i:03d}",
                minutes_spent=i % 60,
                views=i,
            ),
            # Advice needs a passing check to be logged by hand; history is imported.
            source="import",
        )
    return a, b


COMPOSER_DISCLAIMER = "General information only, not medical advice."


@pytest.fixture
def passing_state(store, actor):
    """A community that allows advice and a policy whose online cover is confirmed
    today: the state in which the composer's check can pass."""
    from dataclasses import replace
    from datetime import date

    from outreach.services.profile import get_profile, save_profile

    save_profile(
        store,
        actor,
        replace(
            get_profile(store),
            online_cover="advice",
            online_cover_confirmed_on=date.today(),
            disclaimer=COMPOSER_DISCLAIMER,
        ),
    )
    return com.create_community(
        store, actor, com.CommunityData(name="r/insomnia", advice_allowed=True)
    )
