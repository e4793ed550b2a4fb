from __future__ import annotations

import pytest

from outreach.context import Actor
from outreach.errors import ValidationError
from outreach.services import profile as svc
from outreach.services.common import PermissionDenied

# The service, report and import tests run on SQLite and PostgreSQL (conftest.py).
pytestmark = pytest.mark.both_engines


def test_empty_database_has_a_default_profile(store):
    profile = svc.get_profile(store)
    assert profile.currency == "USD" and not profile.welcome_done


def test_settings_round_trip_with_money_in_cents(store, actor):
    assert svc.set_setting(store, actor, "hourly_rate", "150.00") == "150.00"
    assert svc.get_profile(store).hourly_rate_cents == 15000
    svc.set_setting(store, actor, "fee_per_visit", "$1,200.50")
    assert svc.get_profile(store).fee_per_visit_cents == 120050
    svc.set_setting(store, actor, "licensed_jurisdictions", " CA,OR ,, WA")
    assert svc.get_setting(store, "licensed_jurisdictions") == "CA, OR, WA"


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("hourly_rate", "abc", "not an amount"),
        ("hourly_rate", "-5", "negative"),
        ("hourly_rate", "1.005", "two decimal"),
        ("currency", "dollars", "three-letter"),
        ("visits_per_year", "lots", "not a number"),
        ("intake_form_url", "example", "web address"),
    ],
)
def test_bad_settings_say_what_is_wrong(store, actor, key, value, reason):
    with pytest.raises(ValidationError) as info:
        svc.set_setting(store, actor, key, value)
    assert reason in info.value.errors[key]
    assert svc.get_profile(store) == svc.Profile()  # nothing saved


def test_unknown_setting_lists_the_real_ones(store, actor):
    with pytest.raises(ValidationError, match="hourly_rate"):
        svc.set_setting(store, actor, "hourly", "1")


def test_only_the_practitioner_changes_the_profile(store):
    with pytest.raises(PermissionDenied):
        svc.set_setting(store, Actor(name="Front desk", role="staff"), "hourly_rate", "1")


def test_projected_lifetime_value(store, actor):
    for key, value in {
        "fee_per_visit": "120",
        "visits_per_year": "8",
        "years_retained": "1.5",
    }.items():
        svc.set_setting(store, actor, key, value)
    assert svc.get_profile(store).projected_lifetime_value_cents == 144000
