"""Two desks on one database: a save based on an out-of-date copy is refused
with a sentence instead of silently undoing the other desk's change."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from outreach.errors import ChangedElsewhere, Conflict
from outreach.models import Community
from outreach.services import communities as com
from outreach.services import contacts, referrals
from outreach.services import posts as posts_svc
from outreach.services.profile import get_profile, save_profile
from outreach.store import DatabaseBusy, open_store

pytestmark = pytest.mark.both_engines
SENTENCE = (
    "This record was changed by someone else since you opened it; reload it and make your "
    "change again."
)


@pytest.fixture
def other_desk(store):
    """A second program on the same database (its own engine and connections)."""
    desk = open_store(store.url)
    yield desk
    desk.dispose()


@pytest.fixture
def cid(store, actor):
    return com.create_community(store, actor, com.CommunityData(name="r/sleep"))


def test_every_save_counts_a_version(store, actor, cid):
    first = com.get_community(store, cid)
    assert first.version == 1
    com.update_community(store, actor, cid, replace(first.data(), topic="sleep"))
    com.update_community(store, actor, cid, replace(first.data(), topic="rest"))
    assert com.get_community(store, cid).version == 3


def test_community_lost_update_is_refused(store, other_desk, actor, cid):
    mine = com.get_community(store, cid)
    theirs = com.get_community(other_desk, cid)
    com.update_community(
        other_desk, actor, cid, replace(theirs.data(), topic="theirs"), version=theirs.version
    )
    with pytest.raises(ChangedElsewhere) as caught:
        com.update_community(
            store, actor, cid, replace(mine.data(), notes="mine"), version=mine.version
        )
    assert str(caught.value) == SENTENCE
    assert isinstance(caught.value, Conflict)
    kept = com.get_community(store, cid)
    assert (kept.topic, kept.notes) == ("theirs", "")
    # Reloading and saving again works.
    com.update_community(
        store, actor, cid, replace(kept.data(), notes="mine"), version=kept.version
    )
    assert com.get_community(other_desk, cid).notes == "mine"


def test_post_contact_and_referral_lost_updates_are_refused(store, other_desk, actor, cid):
    pid = posts_svc.create_post(
        store,
        actor,
        posts_svc.PostData(cid, datetime(2025, 3, 1, 12, tzinfo=UTC), "education", "Naps"),
    )
    post = posts_svc.get_post(store, pid)
    posts_svc.update_post(
        other_desk, actor, pid, replace(post.data(), views=9), version=post.version
    )
    with pytest.raises(ChangedElsewhere, match="reload it"):
        posts_svc.update_post(
            store, actor, pid, replace(post.data(), replies=3), version=post.version
        )
    assert posts_svc.get_post(store, pid).views == 9

    kid = contacts.create_contact(store, actor, contacts.ContactData(name="Ana Lima"))
    contact = contacts.get_contact(store, kid)
    contacts.update_contact(
        other_desk, actor, kid, replace(contact, location="Porto"), version=contact.version
    )
    with pytest.raises(ChangedElsewhere):
        contacts.update_contact(
            store, actor, kid, replace(contact, notes="x"), version=contact.version
        )
    assert contacts.get_contact(store, kid).location == "Porto"

    # No intake form yet on both desks (version 0); the other desk saves one first.
    mine = referrals.get_referral(store, kid) or referrals.ReferralData(version=0)
    referrals.save_referral(
        other_desk, actor, kid, referrals.ReferralData(sent_on=date(2025, 3, 2)), version=0
    )
    with pytest.raises(ChangedElsewhere):
        referrals.save_referral(
            store, actor, kid, replace(mine, source_text="a friend"), version=mine.version
        )
    theirs = referrals.get_referral(store, kid)
    assert theirs.sent_on == date(2025, 3, 2) and theirs.source_text == ""
    referrals.save_referral(
        store, actor, kid, replace(theirs, source_text="a friend"), version=theirs.version
    )
    assert referrals.get_referral(other_desk, kid).version == theirs.version + 1


def test_practice_profile_lost_update_is_refused(store, other_desk, actor):
    mine = save_profile(store, actor, replace(get_profile(store), practitioner_name="Dr. Ada"))
    assert mine.version == get_profile(store).version  # a saved copy saves again
    save_profile(other_desk, actor, replace(get_profile(other_desk), insurer="Acme"))
    with pytest.raises(ChangedElsewhere):
        save_profile(store, actor, replace(mine, specialty="Sleep"))
    assert get_profile(store).insurer == "Acme" and get_profile(store).specialty == ""
    # Read-modify-write straight away, as settings commands do, is never refused.
    save_profile(store, actor, replace(get_profile(store), specialty="Sleep"))


def test_a_race_between_read_and_write_is_caught_by_the_database(store, other_desk, actor, cid):
    """Both desks read version 1; the other commits first; our UPDATE ... WHERE
    version = 1 then changes nothing, and the whole action is rolled back."""
    # SQLite refuses to upgrade a read snapshot another writer made stale (busy);
    # PostgreSQL lets the UPDATE run and the version check catches it.
    expected = ChangedElsewhere if not store.is_sqlite else (ChangedElsewhere, DatabaseBusy)
    with pytest.raises(expected), store.session() as session:
        community = session.get(Community, cid)
        theirs = com.get_community(other_desk, cid)
        com.update_community(other_desk, actor, cid, replace(theirs.data(), topic="theirs"))
        community.notes = "mine"
    kept = com.get_community(store, cid)
    assert (kept.topic, kept.notes, kept.version) == ("theirs", "", 2)
