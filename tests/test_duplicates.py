from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from outreach.errors import NotFound, ValidationError
from outreach.services import communities as com
from outreach.services import contacts as svc
from outreach.services import ledger, referrals
from outreach.services.duplicates import find_duplicates, merge_contacts, merges_into

# The service, report and import tests run on SQLite and PostgreSQL (conftest.py).
pytestmark = pytest.mark.both_engines


def test_finds_same_email_phone_or_name_in_a_community(store, actor):
    cid = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    a = svc.create_contact(store, actor, svc.ContactData(name="Ana", email="Ana@example.org"))
    b = svc.create_contact(store, actor, svc.ContactData(handle="u/ana", email="ana@EXAMPLE.org"))
    c = svc.create_contact(store, actor, svc.ContactData(name="Bo", phone="555 010 0001"))
    d = svc.create_contact(store, actor, svc.ContactData(name="Other", phone="(555) 010-0001"))
    e = svc.create_contact(store, actor, svc.ContactData(name="Cy Park", first_community_id=cid))
    f = svc.create_contact(store, actor, svc.ContactData(name="cy park", first_community_id=cid))
    svc.create_contact(store, actor, svc.ContactData(name="Cy Park"))  # other community: not a pair
    pairs = {(p.first_id, p.second_id): p.reason for p in find_duplicates(store)}
    assert pairs == {
        (a, b): "same email",
        (c, d): "same phone",
        (e, f): "same name in one community",
    }


def test_merge_keeps_every_interaction_and_records_itself(store, actor):
    keep = svc.create_contact(store, actor, svc.ContactData(handle="u/ana", tags=("parent",)))
    drop = svc.create_contact(
        store, actor, svc.ContactData(name="Ana Lima", email="ana@example.org", tags=("VIP",))
    )
    for who in (keep, drop, drop):
        svc.log_interaction(
            store, actor, who, svc.InteractionData(datetime(2025, 3, 1, tzinfo=UTC), "email", 5)
        )
    referrals.save_referral(
        store, actor, drop, referrals.ReferralData(sent_on=date(2025, 3, 1), answer_useful="Yes")
    )
    ledger.add_revenue(store, actor, drop, date(2025, 3, 10), 12000)
    merge_contacts(store, actor, keep, drop)
    with pytest.raises(NotFound):
        svc.get_contact(store, drop)
    row = svc.get_contact(store, keep)
    assert (row.handle, row.name, row.email) == ("u/ana", "Ana Lima", "ana@example.org")
    assert set(row.tags) == {"parent", "VIP"}
    assert row.stage == "intake_sent"
    interactions = [e for e in svc.timeline(store, keep) if e.kind == "interaction"]
    assert len(interactions) == 3
    assert referrals.get_referral(store, keep).answer_useful == "Yes"
    assert ledger.total_revenue(store, keep) == 12000
    assert merges_into(store, keep)[0].startswith("Merged Ana Lima, ana@example.org")
    assert any(e.kind == "merge" and "Ana Lima" in e.text for e in svc.timeline(store, keep))
    assert find_duplicates(store) == []


def test_merging_a_contact_into_itself_is_refused(store, actor):
    a = svc.create_contact(store, actor, svc.ContactData(handle="x"))
    with pytest.raises(ValidationError):
        merge_contacts(store, actor, a, a)
