"""Accounts, roles and sign-in (issue 6 §1): enforced in the services."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from outreach.errors import ValidationError
from outreach.services import auth
from outreach.services import communities as com
from outreach.services import posts as posts_svc
from outreach.services.common import PermissionDenied
from outreach.services.profile import get_profile, save_profile, set_setting

# The service, report and import tests run on SQLite and PostgreSQL (conftest.py).
pytestmark = pytest.mark.both_engines

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def owner(store, actor):
    auth.create_account(store, actor, "ada", "correct horse", "owner", "Dr. Ada")
    return auth.sign_in(store, "ada", "correct horse", now=NOW)


@pytest.fixture
def staff(store, owner):
    auth.create_account(store, owner, "sam", "front desk 1", "staff", "Sam")
    return auth.sign_in(store, "sam", "front desk 1", now=NOW)


def test_passwords_are_hashed_with_scrypt_and_verified():
    stored = auth.hash_password("correct horse")
    assert stored.startswith("scrypt$16384$8$1$") and "correct horse" not in stored
    assert auth.verify_password("correct horse", stored)
    assert not auth.verify_password("correct horsE", stored)
    assert not auth.verify_password("x", "not a hash")
    assert auth.hash_password("same") != auth.hash_password("same")  # salted


def test_the_first_account_must_be_the_owner(store, actor):
    with pytest.raises(ValidationError, match="first account"):
        auth.create_account(store, actor, "sam", "front desk 1", "staff")


def test_sign_in_gives_the_accounts_actor(store, owner):
    assert (owner.name, owner.role) == ("Dr. Ada", "owner") and owner.user_id


def test_a_wrong_password_is_refused_with_a_sentence(store, owner):
    with pytest.raises(auth.AuthError, match="do not match"):
        auth.sign_in(store, "ada", "wrong", now=NOW)
    with pytest.raises(auth.AuthError, match="do not match"):
        auth.sign_in(store, "nobody", "wrong", now=NOW)


def test_repeated_wrong_passwords_are_slowed_down(store, owner):
    for _ in range(auth.FREE_ATTEMPTS):
        with pytest.raises(auth.AuthError, match="do not match"):
            auth.sign_in(store, "ada", "wrong", now=NOW)
    # Even the right password must wait now; the wait grows with each failure.
    with pytest.raises(auth.AuthError, match="wait 2 seconds"):
        auth.sign_in(store, "ada", "correct horse", now=NOW + timedelta(seconds=1))
    with pytest.raises(auth.AuthError, match="do not match"):
        auth.sign_in(store, "ada", "wrong", now=NOW + timedelta(seconds=3))
    with pytest.raises(auth.AuthError, match="wait"):
        auth.sign_in(store, "ada", "correct horse", now=NOW + timedelta(seconds=5))
    actor = auth.sign_in(store, "ada", "correct horse", now=NOW + timedelta(seconds=8))
    assert actor.role == "owner"
    # A success resets the count.
    with pytest.raises(auth.AuthError, match="do not match"):
        auth.sign_in(store, "ada", "wrong", now=NOW + timedelta(seconds=9))


def test_the_wait_is_capped():
    assert auth.wait_after(0) == timedelta(0)
    assert auth.wait_after(50) == auth.MAX_WAIT


def test_one_user_is_not_asked_to_sign_in_unless_turned_on(store, owner, actor):
    assert not auth.sign_in_needed(store)
    set_setting(store, actor, "sign_in_required", "yes")
    assert auth.sign_in_needed(store)


def test_more_than_one_user_must_sign_in(store, staff):
    assert auth.sign_in_needed(store)


def test_only_an_owner_adds_accounts_and_staff_cannot(store, staff):
    with pytest.raises(PermissionDenied, match="practitioner"):
        auth.create_account(store, staff, "eve", "password9", "owner")


def test_usernames_are_unique_whatever_their_case(store, owner):
    with pytest.raises(ValidationError, match="taken"):
        auth.create_account(store, owner, "ADA", "password9", "staff")


def test_short_passwords_are_refused(store, owner):
    with pytest.raises(ValidationError, match="8 characters"):
        auth.create_account(store, owner, "sam", "short", "staff")


def test_the_last_owner_cannot_be_demoted_or_deactivated(store, owner):
    with pytest.raises(ValidationError, match="at least one"):
        auth.update_account(store, owner, owner.user_id, role="staff")
    with pytest.raises(ValidationError, match="at least one"):
        auth.update_account(store, owner, owner.user_id, active=False)


def test_an_inactive_account_cannot_sign_in(store, owner, staff):
    auth.update_account(store, owner, staff.user_id, active=False)
    with pytest.raises(auth.AuthError):
        auth.sign_in(store, "sam", "front desk 1", now=NOW)


def test_own_password_change_needs_the_current_one(store, staff, owner):
    with pytest.raises(auth.AuthError, match="current password"):
        auth.set_password(store, staff, staff.user_id, "new password", current="wrong")
    auth.set_password(store, staff, staff.user_id, "new password", current="front desk 1")
    assert auth.sign_in(store, "sam", "new password", now=NOW).user_id == staff.user_id
    # The owner can reset it (a forgotten password); staff cannot reset the owner's.
    auth.set_password(store, owner, staff.user_id, "reset by ada")
    with pytest.raises(PermissionDenied):
        auth.set_password(store, staff, owner.user_id, "taken over!")


# -- what staff may not do, enforced in the services ----------------------------------------


def test_staff_cannot_change_settings_or_the_policy(store, staff):
    with pytest.raises(PermissionDenied):
        save_profile(store, staff, replace(get_profile(store), online_cover="advice"))
    with pytest.raises(PermissionDenied):
        set_setting(store, staff, "hourly_rate", "10")


def test_staff_cannot_delete_posts_or_communities(store, staff, actor):
    cid = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    pid = posts_svc.create_post(
        store, actor, posts_svc.PostData(cid, NOW, "answer", "Naps", "Short naps help.")
    )
    with pytest.raises(PermissionDenied, match="delete posts"):
        posts_svc.delete_posts(store, staff, [pid])
    with pytest.raises(PermissionDenied, match="delete communities"):
        com.delete_community(store, staff, cid, posts="delete")
    assert posts_svc.list_posts(store).total == 1


def test_staff_may_add_contacts(store, staff):
    from outreach.services import contacts

    assert contacts.create_contact(store, staff, contacts.ContactData(handle="u/night_owl"))


def test_staff_cannot_read_the_audit_trail(store, staff):
    from outreach.services.audit import list_events

    with pytest.raises(PermissionDenied):
        list_events(store, staff)
