from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from outreach.errors import ComplianceError, NotFound, ValidationError
from outreach.services import communities as com
from outreach.services import posts as svc

# The service, report and import tests run on SQLite and PostgreSQL (conftest.py).
pytestmark = pytest.mark.both_engines


@pytest.fixture
def cid(store, actor):
    return com.create_community(store, actor, com.CommunityData(name="r/insomnia"))


def data(cid, **kw):
    base = {
        "community_id": cid,
        "posted_at": datetime(2025, 3, 14, 15, 0, tzinfo=UTC),
        "kind": "education",
        "title": "Sleep hygiene basics",
    }
    base.update(kw)
    return svc.PostData(**base)


def test_create_and_read_back(store, actor, cid):
    pid = svc.create_post(
        store, actor, data(cid, minutes_spent=25, views=300, url="https://x.org/p/1")
    )
    row = svc.get_post(store, pid)
    assert row.community_name == "r/insomnia"
    assert row.minutes_spent == 25 and row.views == 300
    assert row.posted_at == datetime(2025, 3, 14, 15, 0, tzinfo=UTC)
    assert row.check_status == "not_required"


def test_a_manual_advice_post_needs_a_check(store, actor, cid):
    with pytest.raises(ComplianceError, match="compliance check"):
        svc.create_post(store, actor, data(cid, kind="advice"))
    assert svc.list_posts(store).total == 0


def test_imported_advice_posts_start_unchecked(store, actor, cid):
    pid = svc.create_post(store, actor, data(cid, kind="advice"), source="import")
    assert svc.get_post(store, pid).check_status == "unchecked"


def test_a_logged_post_cannot_become_advice_without_a_check(store, actor, cid):
    pid = svc.create_post(store, actor, data(cid, kind="education"))
    with pytest.raises(ComplianceError):
        svc.update_post(store, actor, pid, data(cid, kind="advice"))
    assert svc.get_post(store, pid).kind == "education"


def test_editing_kind_away_from_advice_drops_the_check_status(store, actor, cid):
    pid = svc.create_post(store, actor, data(cid, kind="advice"), source="import")
    svc.update_post(store, actor, pid, data(cid, kind="answer"))
    assert svc.get_post(store, pid).check_status == "not_required"
    # An imported post may be put back: it is history, counted as unchecked.
    svc.update_post(store, actor, pid, data(cid, kind="advice"))
    assert svc.get_post(store, pid).check_status == "unchecked"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"community_id": None}, "community"),
        ({"community_id": 999}, "community"),
        ({"posted_at": None}, "posted_at"),
        ({"posted_at": datetime(2025, 1, 1)}, "posted_at"),  # naive
        ({"posted_at": datetime.now(UTC) + timedelta(days=30)}, "posted_at"),
        ({"kind": "rant"}, "kind"),
        ({"minutes_spent": -5}, "minutes_spent"),
        ({"minutes_spent": 2000}, "minutes_spent"),
        ({"views": -1}, "views"),
        ({"url": "not a url"}, "url"),
        ({"title": "", "body": "", "url": ""}, "title"),
    ],
)
def test_validation_names_the_field(store, actor, cid, kw, field):
    with pytest.raises(ValidationError) as info:
        svc.create_post(store, actor, data(cid, **kw))
    assert field in info.value.errors


def test_list_filters_by_community_kind_dates_and_search(store, actor, cid):
    other = com.create_community(store, actor, com.CommunityData(name="HealthUnlocked"))
    svc.create_post(
        store,
        actor,
        data(cid, kind="advice", title="Melatonin timing", minutes_spent=30),
        source="import",
    )
    svc.create_post(
        store, actor, data(cid, posted_at=datetime(2025, 1, 2, 12, tzinfo=UTC), minutes_spent=15)
    )
    svc.create_post(store, actor, data(other, title="Gut health", minutes_spent=45))
    assert svc.list_posts(store).total == 3
    page = svc.list_posts(store, svc.PostQuery(community_id=cid))
    assert page.total == 2 and page.total_minutes == 45
    assert svc.list_posts(store, svc.PostQuery(kind="advice")).total == 1
    page = svc.list_posts(
        store, svc.PostQuery(date_from=date(2025, 3, 1), date_to=date(2025, 3, 31))
    )
    assert page.total == 2
    page = svc.list_posts(store, svc.PostQuery(search="melatonin TIMING"))
    assert [r.title for r in page.rows] == ["Melatonin timing"]
    assert svc.list_posts(store, svc.PostQuery(check_status="unchecked")).total == 1


def test_list_sorts_and_pages_stably(store, actor, cid):
    for minutes in (5, 50, 20, 20):
        svc.create_post(store, actor, data(cid, minutes_spent=minutes))
    page = svc.list_posts(store, svc.PostQuery(sort="minutes_spent", descending=False))
    assert [r.minutes_spent for r in page.rows] == [5, 20, 20, 50]
    first = svc.list_posts(store, svc.PostQuery(sort="minutes_spent", limit=2))
    second = svc.list_posts(store, svc.PostQuery(sort="minutes_spent", limit=2, offset=2))
    ids = [r.id for r in first.rows + second.rows]
    assert len(set(ids)) == 4
    assert first.has_more and not second.has_more


def test_archive_hides_and_delete_removes(store, actor, cid):
    a = svc.create_post(store, actor, data(cid))
    b = svc.create_post(store, actor, data(cid))
    assert svc.set_archived(store, actor, [a], True) == 1
    assert [r.id for r in svc.list_posts(store).rows] == [b]
    assert svc.list_posts(store, svc.PostQuery(include_archived=True)).total == 2
    assert svc.delete_posts(store, actor, [a, b]) == 2
    with pytest.raises(NotFound):
        svc.get_post(store, a)


def test_activity_summary_counts_live_posts(store, actor, cid):
    from outreach.services.summary import activity_summary

    svc.create_post(store, actor, data(cid, kind="advice", minutes_spent=30), source="import")
    svc.create_post(
        store, actor, data(cid, posted_at=datetime(2025, 2, 1, tzinfo=UTC), minutes_spent=15)
    )
    archived = svc.create_post(store, actor, data(cid, minutes_spent=99))
    svc.set_archived(store, actor, [archived], True)
    summary = activity_summary(store, today=date(2025, 3, 20))
    assert (summary.communities, summary.posts, summary.minutes) == (1, 2, 45)
    assert (summary.posts_this_month, summary.minutes_this_month) == (1, 30)
    assert summary.unchecked_advice == 1
