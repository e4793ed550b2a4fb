from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from outreach.context import Actor
from outreach.errors import Conflict, NotFound, ValidationError
from outreach.models import Community
from outreach.services import communities as svc
from outreach.services import posts as posts_svc
from outreach.timeutil import now_utc

# The service, report and import tests run on SQLite and PostgreSQL (conftest.py).
pytestmark = pytest.mark.both_engines


def make(store, actor, name="r/insomnia", **kw):
    return svc.create_community(store, actor, svc.CommunityData(name=name, **kw))


def add_post(store, actor, community_id, minutes=10, **kw):
    data = posts_svc.PostData(
        community_id=community_id,
        posted_at=kw.pop("posted_at", now_utc() - timedelta(days=1)),
        kind=kw.pop("kind", "education"),
        title=kw.pop("title", "A post"),
        minutes_spent=minutes,
        **kw,
    )
    return posts_svc.create_post(store, actor, data)


def test_create_and_read_back(store, actor):
    cid = make(
        store, actor, platform="reddit", url="https://reddit.com/r/insomnia", intake_code="rsleep24"
    )
    row = svc.get_community(store, cid)
    assert row.name == "r/insomnia"
    assert row.platform == "reddit"
    assert row.intake_code == "RSLEEP24"  # codes are kept upper-case
    assert row.created_at.tzinfo is not None


@pytest.mark.parametrize(
    ("field", "kwargs", "reason"),
    [
        ("name", {"name": "   "}, "is required"),
        ("platform", {"platform": "myspace"}, "must be one of"),
        ("url", {"url": "reddit dot com"}, "web address"),
        ("promotion_ratio_limit_pct", {"promotion_ratio_limit_pct": 150}, "0 to 100"),
        ("intake_code", {"intake_code": "has spaces"}, "no spaces"),
        ("status", {"status": "gone"}, "must be one of"),
    ],
)
def test_validation_names_the_field_and_the_reason(store, actor, field, kwargs, reason):
    data = {"name": "Valid name", **kwargs}
    with pytest.raises(ValidationError) as info:
        svc.create_community(store, actor, svc.CommunityData(**data))
    assert field in info.value.errors
    assert reason in info.value.errors[field]


def test_names_and_codes_are_unique_whatever_the_case(store, actor):
    make(store, actor, "r/Insomnia", intake_code="ABC1")
    with pytest.raises(ValidationError) as info:
        make(store, actor, "R/INSOMNIA")
    assert "already used" in info.value.errors["name"]
    with pytest.raises(ValidationError) as info:
        make(store, actor, "Other", intake_code="abc1")
    assert "intake_code" in info.value.errors


def test_the_schema_itself_refuses_duplicates_and_bad_values(store):
    stamp = datetime.now(UTC)
    with pytest.raises(IntegrityError), store.session() as session:
        session.add(
            Community(
                name="X", platform="nope", status="active", created_at=stamp, updated_at=stamp
            )
        )
    with store.session() as session:
        session.add(
            Community(
                name="Y", platform="other", status="active", created_at=stamp, updated_at=stamp
            )
        )
    with pytest.raises(IntegrityError), store.session() as session:
        session.add(
            Community(
                name="y", platform="other", status="active", created_at=stamp, updated_at=stamp
            )
        )


def test_update_and_archive(store, actor):
    cid = make(store, actor)
    svc.update_community(store, actor, cid, svc.CommunityData(name="r/sleep", topic="sleep"))
    assert svc.get_community(store, cid).name == "r/sleep"
    svc.set_archived(store, actor, cid, True)
    assert svc.list_communities(store).total == 0
    assert svc.list_communities(store, svc.CommunityQuery(include_archived=True)).total == 1
    svc.set_archived(store, actor, cid, False)
    assert svc.list_communities(store).total == 1


def test_update_missing_community(store, actor):
    with pytest.raises(NotFound):
        svc.update_community(store, actor, 999, svc.CommunityData(name="x"))


def test_delete_with_posts_is_refused_unless_the_user_chooses(store, actor):
    cid = make(store, actor, "A")
    other = make(store, actor, "B")
    add_post(store, actor, cid)
    add_post(store, actor, cid)
    with pytest.raises(Conflict, match="has 2 posts"):
        svc.delete_community(store, actor, cid)
    assert svc.post_count(store, cid) == 2
    outcome = svc.delete_community(store, actor, cid, posts="move", move_to=other)
    assert outcome.posts_moved == 2
    assert svc.post_count(store, other) == 2
    outcome = svc.delete_community(store, actor, other, posts="delete")
    assert outcome.posts_deleted == 2
    assert posts_svc.list_posts(store).total == 0


def test_move_needs_another_community(store, actor):
    cid = make(store, actor, "A")
    add_post(store, actor, cid)
    with pytest.raises(ValidationError):
        svc.delete_community(store, actor, cid, posts="move", move_to=cid)


def test_empty_community_deletes_plainly(store, actor):
    cid = make(store, actor)
    svc.delete_community(store, actor, cid)
    with pytest.raises(NotFound):
        svc.get_community(store, cid)


def test_list_sorts_filters_pages_and_totals_in_sql(store, actor):
    a = make(store, actor, "Alpha", platform="reddit")
    b = make(store, actor, "beta", platform="forum", topic="nutrition")
    make(store, actor, "Gamma", platform="reddit")
    add_post(store, actor, a, minutes=30)
    add_post(store, actor, b, minutes=60)
    add_post(store, actor, b, minutes=30)
    page = svc.list_communities(store, svc.CommunityQuery(sort="name"))
    assert [r.name for r in page.rows] == ["Alpha", "beta", "Gamma"]  # case-insensitive
    page = svc.list_communities(store, svc.CommunityQuery(sort="hours", descending=True))
    assert page.rows[0].name == "beta" and page.rows[0].minutes == 90
    assert page.total_posts == 3 and page.total_minutes == 120
    page = svc.list_communities(store, svc.CommunityQuery(platform="reddit"))
    assert {r.name for r in page.rows} == {"Alpha", "Gamma"}
    assert page.total_posts == 1
    page = svc.list_communities(store, svc.CommunityQuery(search="nutri"))
    assert [r.name for r in page.rows] == ["beta"]
    page = svc.list_communities(store, svc.CommunityQuery(limit=2))
    assert len(page.rows) == 2 and page.total == 3 and page.has_more
    page = svc.list_communities(store, svc.CommunityQuery(offset=2, limit=2))
    assert [r.name for r in page.rows] == ["Gamma"]


def test_search_treats_wildcards_literally(store, actor):
    make(store, actor, "100% sleep")
    make(store, actor, "1000 sleepers")
    page = svc.list_communities(store, svc.CommunityQuery(search="100%"))
    assert [r.name for r in page.rows] == ["100% sleep"]


def test_unknown_sort_is_a_validation_error(store):
    with pytest.raises(ValidationError):
        svc.list_communities(store, svc.CommunityQuery(sort="drop table"))


def test_staff_actor_is_accepted_for_community_work(store):
    staff = Actor(name="Front desk", role="staff")
    assert make(store, staff, "Staff-added") > 0


def test_aliases_are_unique_across_communities(store, actor):
    a = make(store, actor, "r/sleep")
    b = make(store, actor, "r/insomnia")
    assert svc.set_aliases(
        store, actor, a, ["the sleep subreddit", " The  Sleep Subreddit ", ""]
    ) == ["the sleep subreddit"]
    with pytest.raises(ValidationError, match="already names r/sleep"):
        svc.set_aliases(store, actor, b, ["THE SLEEP SUBREDDIT"])
    svc.set_aliases(store, actor, a, [])
    assert svc.get_aliases(store, a) == []


def test_last_post_time_is_aware_utc(store, actor):
    from datetime import UTC

    cid = make(store, actor, "A")
    add_post(store, actor, cid, posted_at=datetime(2025, 3, 1, 10, tzinfo=UTC))
    assert svc.get_community(store, cid).last_posted_at == datetime(2025, 3, 1, 10, tzinfo=UTC)
