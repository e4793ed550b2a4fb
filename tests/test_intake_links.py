from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from outreach.errors import ValidationError
from outreach.services import communities as com
from outreach.services.intake_links import intake_email, intake_url, slug, suggest_code

# The service, report and import tests run on SQLite and PostgreSQL (conftest.py).
pytestmark = pytest.mark.both_engines


def test_codes_are_generated_from_the_name_and_unique(store, actor):
    with store.session() as session:
        assert suggest_code(session, "r/sleep", year=2024) == "RSLEEP24"
    a = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    b = com.create_community(store, actor, com.CommunityData(name="R-Sleep"))
    code_a = com.get_community(store, a).intake_code
    code_b = com.get_community(store, b).intake_code
    assert code_a.startswith("RSLEEP") and code_b == f"{code_a}-2"


def test_codes_stay_editable(store, actor):
    cid = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    com.update_community(store, actor, cid, com.CommunityData(name="r/sleep", intake_code="naps"))
    assert com.get_community(store, cid).intake_code == "NAPS"


def test_intake_url_carries_the_utm_tags():
    url = intake_url(
        "https://example.org/intake?lang=en&utm_source=old", "r/Sleep Train", "RSLEEP24"
    )
    query = parse_qs(urlsplit(url).query)
    assert query == {
        "lang": ["en"],
        "utm_source": ["r_sleep_train"],
        "utm_medium": ["community"],
        "utm_campaign": ["rsleep24"],
    }
    assert slug("HealthUnlocked: Sleep!") == "healthunlocked_sleep"


def test_intake_url_needs_the_form_address():
    with pytest.raises(ValidationError) as info:
        intake_url("", "r/sleep", "X")
    assert "Settings" in info.value.errors["intake_form_url"]


def test_intake_email_is_a_prefilled_mailto():
    link = intake_url("https://example.org/intake", "r/sleep", "RSLEEP24")
    mail = intake_email("a.person@example.org", "Dr. Example", link)
    assert mail.startswith("mailto:a.person@example.org?subject=Your%20intake%20form&body=")
    assert link in unquote(mail)


def test_contact_email_and_marking_it_sent(store, actor):
    from outreach.services import contacts
    from outreach.services.intake_links import contact_email
    from outreach.services.profile import set_setting
    from outreach.services.referrals import get_referral, mark_intake_sent

    cid = com.create_community(
        store, actor, com.CommunityData(name="r/sleep", intake_code="RSLEEP24")
    )
    person = contacts.create_contact(
        store, actor, contacts.ContactData(handle="u/x", first_community_id=cid)
    )
    with pytest.raises(ValidationError, match="no email"):
        contact_email(store, person)
    contacts.update_contact(
        store,
        actor,
        person,
        contacts.ContactData(handle="u/x", email="x@example.org", first_community_id=cid),
    )
    with pytest.raises(ValidationError, match="Settings"):
        contact_email(store, person)
    set_setting(store, actor, "intake_form_url", "https://example.org/intake")
    assert "utm_campaign%3Drsleep24" in contact_email(store, person)
    mark_intake_sent(store, actor, person)
    assert get_referral(store, person).sent_on is not None
    assert contacts.get_contact(store, person).stage == "intake_sent"
