from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from outreach.context import Actor
from outreach.errors import Conflict, NotFound, ValidationError
from outreach.models import CommunityAlias
from outreach.services import communities as com
from outreach.services import contacts as svc
from outreach.services import ledger, referrals
from outreach.services import posts as posts_svc
from outreach.services.common import PermissionDenied
from outreach.services.profile import set_setting
from outreach.timeutil import now_utc

# The service, report and import tests run on SQLite and PostgreSQL (conftest.py).
pytestmark = pytest.mark.both_engines

STAFF = Actor(name="Front desk", role="staff")


@pytest.fixture
def rsleep(store, actor):
    return com.create_community(
        store, actor, com.CommunityData(name="r/sleep", platform="reddit", intake_code="RSLEEP24")
    )


@pytest.fixture
def sleeptrain(store, actor):
    return com.create_community(
        store, actor, com.CommunityData(name="r/sleeptrain", platform="reddit")
    )


def test_a_handle_alone_is_enough(store, actor, rsleep):
    cid = svc.create_contact(
        store, STAFF, svc.ContactData(handle="u/tired_parent", first_community_id=rsleep)
    )
    row = svc.get_contact(store, cid)
    assert row.display_name == "u/tired_parent"
    assert row.stage == "engaged"
    assert (row.attributed_community, row.attribution_method) == ("r/sleep", "met")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (svc.ContactData(), "handle"),
        (svc.ContactData(name="A", email="not-an-email"), "email"),
        (svc.ContactData(name="A", phone="12"), "phone"),
        (svc.ContactData(name="A", tags=("x" * 41,)), "tags"),
        (svc.ContactData(name="A", first_post_id=1), "first_post_id"),
    ],
)
def test_validation(store, actor, data, field):
    with pytest.raises(ValidationError) as info:
        svc.create_contact(store, actor, data)
    assert field in info.value.errors


def test_first_post_must_belong_to_the_first_community(store, actor, rsleep, sleeptrain):
    pid = posts_svc.create_post(
        store,
        actor,
        posts_svc.PostData(community_id=sleeptrain, posted_at=now_utc(), kind="answer", title="t"),
    )
    with pytest.raises(ValidationError) as info:
        svc.create_contact(
            store, actor, svc.ContactData(handle="x", first_community_id=rsleep, first_post_id=pid)
        )
    assert "another community" in info.value.errors["first_post_id"]


def test_stage_history_is_dated(store, actor):
    cid = svc.create_contact(
        store, actor, svc.ContactData(handle="x"), when=datetime(2025, 2, 1, tzinfo=UTC)
    )
    first = datetime(2025, 3, 1, 9, tzinfo=UTC)
    assert svc.move_stage(store, actor, cid, "inquired", when=first)
    assert not svc.move_stage(store, actor, cid, "inquired")  # already there: no new entry
    svc.move_stage(store, actor, cid, "lost", when=first + timedelta(days=3))
    stages = [e.text for e in svc.timeline(store, cid) if e.kind == "stage"]
    assert stages[0] == "Stage: Lost (from Inquired)"
    assert stages[-1] == "Stage: Engaged"
    assert len(stages) == 3
    assert svc.get_contact(store, cid).stage_changed_at == first + timedelta(days=3)


def test_interactions_update_last_interaction_and_record_touches(store, actor, rsleep):
    cid = svc.create_contact(store, actor, svc.ContactData(handle="x"))
    later = datetime(2025, 3, 5, tzinfo=UTC)
    earlier = datetime(2025, 3, 1, tzinfo=UTC)
    svc.log_interaction(
        store, actor, cid, svc.InteractionData(later, "community_reply", 5, community_id=rsleep)
    )
    svc.log_interaction(store, actor, cid, svc.InteractionData(earlier, "email", 10))
    assert svc.get_contact(store, cid).last_interaction_at == later
    assert svc.touches(store, cid) == [(later, rsleep)]
    with pytest.raises(ValidationError):
        svc.log_interaction(store, actor, cid, svc.InteractionData(later, "carrier pigeon"))


def test_follow_ups_and_losing_touch_views(store, actor):
    set_setting(store, actor, "losing_touch_days", "14")
    today = date.today()
    due = svc.create_contact(store, actor, svc.ContactData(handle="due", follow_up_on=today))
    svc.create_contact(
        store, actor, svc.ContactData(handle="later", follow_up_on=today + timedelta(days=5))
    )
    quiet = svc.create_contact(store, actor, svc.ContactData(handle="quiet"))
    svc.log_interaction(
        store, actor, quiet, svc.InteractionData(now_utc() - timedelta(days=20), "email")
    )
    lost = svc.create_contact(store, actor, svc.ContactData(handle="gone", follow_up_on=today))
    svc.move_stage(store, actor, lost, "lost")
    follow = svc.list_contacts(store, svc.ContactQuery(view="follow_ups"))
    assert [r.id for r in follow.rows] == [due]
    losing = svc.list_contacts(store, svc.ContactQuery(view="losing_touch"))
    assert [r.id for r in losing.rows] == [quiet]


def test_list_filters_by_stage_community_tag_and_search(store, actor, rsleep):
    a = svc.create_contact(
        store,
        actor,
        svc.ContactData(name="Ana Lima", tags=("new mum", "VIP"), first_community_id=rsleep),
    )
    svc.create_contact(store, actor, svc.ContactData(name="Bo Chen", tags=("VIP",)))
    assert svc.list_contacts(store, svc.ContactQuery(tag="vip")).total == 2
    assert [r.id for r in svc.list_contacts(store, svc.ContactQuery(tag="new mum")).rows] == [a]
    assert [r.id for r in svc.list_contacts(store, svc.ContactQuery(community_id=rsleep)).rows] == [
        a
    ]
    assert [r.name for r in svc.list_contacts(store, svc.ContactQuery(search="lima")).rows] == [
        "Ana Lima"
    ]
    assert svc.list_contacts(store, svc.ContactQuery(view="unattributed")).total == 1
    svc.move_stage(store, actor, a, "inquired")
    assert svc.list_contacts(store, svc.ContactQuery(stage="inquired")).total == 1
    assert svc.stage_counts(store)["engaged"] == 1


def test_attribution_by_intake_code(store, actor, rsleep):
    cid = svc.create_contact(store, actor, svc.ContactData(email="a@example.org"))
    assert svc.get_contact(store, cid).attribution_method is None
    referrals.save_referral(
        store,
        actor,
        cid,
        referrals.ReferralData(completed_on=date(2025, 3, 2), intake_code="rsleep24"),
    )
    row = svc.get_contact(store, cid)
    assert (row.attributed_community_id, row.attribution_method) == (rsleep, "code")


def test_attribution_by_self_reported_source_name_or_alias(store, actor, rsleep, sleeptrain):
    cid = svc.create_contact(store, actor, svc.ContactData(email="a@example.org"))
    referrals.save_referral(
        store,
        actor,
        cid,
        referrals.ReferralData(source_text="Saw your answer on R/SleepTrain last week"),
    )
    assert svc.get_contact(store, cid).attributed_community_id == sleeptrain  # the longer name wins
    with store.session() as session:
        session.add(CommunityAlias(community_id=rsleep, alias="the sleep subreddit"))
    other = svc.create_contact(store, actor, svc.ContactData(email="b@example.org"))
    referrals.save_referral(
        store, actor, other, referrals.ReferralData(source_text="The Sleep Subreddit")
    )
    assert svc.get_contact(store, other).attributed_community_id == rsleep
    nowhere = svc.create_contact(store, actor, svc.ContactData(email="c@example.org"))
    referrals.save_referral(store, actor, nowhere, referrals.ReferralData(source_text="a friend"))
    assert svc.get_contact(store, nowhere).attributed_community_id is None
    svc.assign_community(store, STAFF, nowhere, rsleep)
    assert svc.get_contact(store, nowhere).attribution_method == "manual"
    referrals.save_referral(
        store, actor, nowhere, referrals.ReferralData(source_text="r/sleeptrain")
    )
    assert svc.get_contact(store, nowhere).attributed_community_id == rsleep  # staff's choice stays


def test_where_they_were_met_wins_over_the_code(store, actor, rsleep, sleeptrain):
    cid = svc.create_contact(
        store, actor, svc.ContactData(handle="x", first_community_id=sleeptrain)
    )
    referrals.save_referral(store, actor, cid, referrals.ReferralData(intake_code="RSLEEP24"))
    assert svc.get_contact(store, cid).attributed_community_id == sleeptrain


def test_referral_dates_move_the_stage_forward_never_back(store, actor):
    cid = svc.create_contact(store, actor, svc.ContactData(handle="x"))
    referrals.save_referral(store, actor, cid, referrals.ReferralData(sent_on=date(2025, 3, 1)))
    assert svc.get_contact(store, cid).stage == "intake_sent"
    referrals.save_referral(
        store,
        actor,
        cid,
        referrals.ReferralData(
            sent_on=date(2025, 3, 1),
            completed_on=date(2025, 3, 3),
            booked_on=date(2025, 3, 4),
            first_visit_on=date(2025, 3, 10),
        ),
    )
    row = svc.get_contact(store, cid)
    assert row.stage == "patient"
    assert row.stage_changed_at == datetime(2025, 3, 10, 12, tzinfo=UTC)
    referrals.save_referral(store, actor, cid, referrals.ReferralData(sent_on=date(2025, 3, 1)))
    assert svc.get_contact(store, cid).stage == "patient"


def test_referral_validation(store, actor):
    cid = svc.create_contact(store, actor, svc.ContactData(handle="x"))
    with pytest.raises(ValidationError) as info:
        referrals.save_referral(
            store,
            actor,
            cid,
            referrals.ReferralData(sent_on=date(2025, 3, 5), completed_on=date(2025, 3, 1)),
        )
    assert "before the form was sent" in info.value.errors["completed_on"]
    with pytest.raises(NotFound):
        referrals.save_referral(store, actor, 999, referrals.ReferralData())


def test_revenue_and_costs_in_cents(store, actor, rsleep):
    cid = svc.create_contact(store, actor, svc.ContactData(handle="x"))
    ledger.add_revenue(store, STAFF, cid, date(2025, 3, 10), 12000, "first visit")
    ledger.add_revenue(store, STAFF, cid, date(2025, 4, 10), 12000)
    assert ledger.total_revenue(store, cid) == 24000
    ledger.add_cost(store, actor, rsleep, date(2025, 3, 1), 2500, "boosted post")
    assert [e.amount_cents for e in ledger.costs_for(store, rsleep)] == [2500]
    with pytest.raises(ValidationError):
        ledger.add_revenue(store, actor, cid, date(2025, 3, 1), -5)
    with pytest.raises(PermissionDenied):
        ledger.add_cost(store, STAFF, rsleep, date(2025, 3, 1), 100)
    with pytest.raises(Conflict, match="cost entr"):
        com.delete_community(store, actor, rsleep)


def test_delete_contact_takes_its_history_but_not_revenue(store, actor):
    from outreach.models import Interaction, StageChange

    cid = svc.create_contact(store, actor, svc.ContactData(handle="x"))
    svc.log_interaction(store, actor, cid, svc.InteractionData(now_utc(), "email"))
    svc.delete_contact(store, actor, cid)
    with store.session() as session:
        assert session.query(Interaction).count() == 0
        assert session.query(StageChange).count() == 0
    paid = svc.create_contact(store, actor, svc.ContactData(handle="y"))
    ledger.add_revenue(store, actor, paid, date(2025, 1, 1), 100)
    with pytest.raises(Conflict, match="revenue"):
        svc.delete_contact(store, actor, paid)


def test_list_referrals_filters_the_unattributed_queue(store, actor, rsleep):
    a = svc.create_contact(store, actor, svc.ContactData(name="Ana", first_community_id=rsleep))
    b = svc.create_contact(store, actor, svc.ContactData(name="Bo"))
    for who, day in ((a, 2), (b, 3)):
        referrals.save_referral(
            store, actor, who, referrals.ReferralData(completed_on=date(2025, 3, day))
        )
    page = referrals.list_referrals(store)
    assert [r.contact for r in page.rows] == ["Bo", "Ana"]  # newest completed first
    queue = referrals.list_referrals(store, referrals.ReferralQuery(unattributed=True))
    assert [r.contact_id for r in queue.rows] == [b]
    svc.assign_community(store, STAFF, b, rsleep)
    assert referrals.list_referrals(store, referrals.ReferralQuery(unattributed=True)).total == 0
    assert referrals.list_referrals(store, referrals.ReferralQuery(community_id=rsleep)).total == 2


def test_sorting_by_name_uses_what_the_list_shows(store, actor):
    svc.create_contact(store, actor, svc.ContactData(name="Zed"))
    svc.create_contact(store, actor, svc.ContactData(handle="u/alpha"))
    svc.create_contact(store, actor, svc.ContactData(email="m@example.org"))
    page = svc.list_contacts(store, svc.ContactQuery(sort="name", descending=False))
    assert [r.display_name for r in page.rows] == ["m@example.org", "u/alpha", "Zed"]


def test_timeline_shows_referral_steps_and_payments(store, actor):
    cid = svc.create_contact(
        store, actor, svc.ContactData(handle="x"), when=datetime(2025, 2, 1, tzinfo=UTC)
    )
    referrals.save_referral(
        store,
        actor,
        cid,
        referrals.ReferralData(
            sent_on=date(2025, 3, 1), completed_on=date(2025, 3, 2), source_text="Reddit"
        ),
    )
    ledger.add_revenue(store, actor, cid, date(2025, 3, 20), 12000, "first visit")
    texts = [e.text for e in svc.timeline(store, cid)]
    assert texts[0] == "Payment 120.00 (first visit)"
    assert "Intake form completed (found you via: Reddit)" in texts
    assert "Intake form sent" in texts
