"""The command line signs in as the app does: where the practice asks everyone to
sign in, a command needs --user and the password, acts as that person (their
role's limits, the audit trail), and a wrong password is refused in a sentence."""

from __future__ import annotations

import sys

import pytest

from outreach.cli import main
from outreach.context import PRACTITIONER
from outreach.services import audit, auth
from outreach.services.profile import set_setting
from outreach.store import open_store

PASSWORD = "correct horse battery"


@pytest.fixture
def practice(db_path, tmp_path):
    """An owner (Ana) and a staff member (Bo): everyone signs in."""
    store = open_store(db_path)
    ana = auth.create_account(store, PRACTITIONER, "ana", PASSWORD, "owner", "Ana Lima")
    owner = next(a.actor for a in auth.list_accounts(store) if a.id == ana)
    auth.create_account(store, owner, "bo", PASSWORD, "staff", "Bo Chen")
    store.dispose()
    secret = tmp_path / "password.txt"
    secret.write_text(PASSWORD + "\n")
    return owner, secret


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def signed_in(user: str, password_file) -> tuple[str, ...]:
    return ("--user", user, "--password-file", str(password_file))


def events(db_path, owner, action="", entity=""):
    store = open_store(db_path)
    try:
        return audit.list_events(store, owner, audit.AuditQuery(action=action, entity=entity)).rows
    finally:
        store.dispose()


def test_a_command_without_user_is_refused_with_what_to_do(capsys, db_path, practice):
    code, _out, err = run(capsys, "settings", "set", "hourly_rate", "90", "--db", str(db_path))
    assert code == 2
    assert "asks everyone to sign in" in err and "--user NAME" in err


def test_signed_in_commands_act_as_that_person(capsys, db_path, practice):
    owner, secret = practice
    code, out, _err = run(
        capsys,
        "settings",
        "set",
        "hourly_rate",
        "90",
        "--db",
        str(db_path),
        *signed_in("ana", secret),
    )
    assert code == 0 and "hourly_rate = 90.00" in out
    changes = events(db_path, owner, entity="practice_profile")
    assert [e.actor_name for e in changes] == ["Ana Lima"]
    assert [e.actor_name for e in events(db_path, owner, "sign_in")] == ["Ana Lima"]


def test_staff_keep_their_limits_on_the_command_line(capsys, db_path, practice):
    _owner, secret = practice
    code, _out, err = run(
        capsys,
        "settings",
        "set",
        "hourly_rate",
        "90",
        "--db",
        str(db_path),
        *signed_in("bo", secret),
    )
    assert code == 1 and "Only the practitioner" in err


def test_a_wrong_password_is_refused_and_recorded(capsys, db_path, practice, tmp_path):
    owner, _secret = practice
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the password\n")
    code, _out, err = run(
        capsys,
        "export",
        "contacts",
        str(tmp_path / "c.csv"),
        "--db",
        str(db_path),
        *signed_in("ana", wrong),
    )
    assert code == 1 and "do not match" in err
    assert not (tmp_path / "c.csv").exists()
    assert len(events(db_path, owner, "sign_in_failed")) == 1


def test_the_password_is_asked_for_on_a_terminal(capsys, db_path, practice, monkeypatch):
    import getpass

    asked = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or PASSWORD)
    code, out, _err = run(
        capsys, "settings", "get", "hourly_rate", "--db", str(db_path), "--user", "ana"
    )
    assert code == 0 and asked == ["Password for ana: "]


def test_no_terminal_and_no_password_file_says_what_to_do(capsys, db_path, practice, monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    code, _out, err = run(capsys, "settings", "get", "--db", str(db_path), "--user", "ana")
    assert code == 2 and "--password-file" in err


def test_restoring_needs_a_signed_in_owner(capsys, db_path, practice, tmp_path):
    _owner, secret = practice
    code, out, _err = run(capsys, "backup", "--db", str(db_path), *signed_in("ana", secret))
    assert code == 0
    backup = out.split("Backed up to ", 1)[1].strip()
    code, _out, err = run(capsys, "restore", backup, "--yes", "--db", str(db_path))
    assert code == 2 and "--user NAME" in err
    code, _out, err = run(
        capsys,
        "restore",
        backup,
        "--yes",
        "--db",
        str(db_path),
        *signed_in("bo", secret),
    )
    assert code == 1 and "Only the practitioner" in err
    code, out, _err = run(
        capsys,
        "restore",
        backup,
        "--yes",
        "--db",
        str(db_path),
        *signed_in("ana", secret),
    )
    assert code == 0 and "Restored" in out


def test_a_practice_without_sign_in_acts_as_its_only_account(capsys, db_path):
    store = open_store(db_path)
    auth.create_account(store, PRACTITIONER, "ana", PASSWORD, "owner", "Ana Lima")
    owner = auth.list_accounts(store)[0].actor
    set_setting(store, owner, "sign_in_required", "false")
    store.dispose()
    code, _out, _err = run(capsys, "settings", "set", "hourly_rate", "80", "--db", str(db_path))
    assert code == 0
    changes = events(db_path, owner, entity="practice_profile")
    assert [e.actor_name for e in changes][0] == "Ana Lima"  # the newest: the command's
