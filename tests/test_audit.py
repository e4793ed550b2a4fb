"""The audit trail (issue 6 §3): every create, update, delete and sign-in, with
field names and no values, append-only and hash-chained, verified by db check."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import pytest

from outreach.cli import main
from outreach.services import auth, contacts
from outreach.services import communities as com
from outreach.services import posts as posts_svc
from outreach.services.audit import AuditQuery, list_events, verify_trail

# The service, report and import tests run on SQLite and PostgreSQL (conftest.py).
pytestmark = pytest.mark.both_engines

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


def events(store, actor, **kw):
    return list_events(store, actor, AuditQuery(**kw)).rows


def test_creates_updates_and_deletes_are_recorded_with_field_names(store, actor):
    cid = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    row = com.get_community(store, cid)
    from dataclasses import replace

    com.update_community(store, actor, cid, replace(row.data(), topic="sleep", notes="x"))
    pid = posts_svc.create_post(
        store, actor, posts_svc.PostData(cid, NOW, "answer", "Naps", "Short naps help.")
    )
    posts_svc.delete_posts(store, actor, [pid])
    trail = events(store, actor)
    kinds = [(e.action, e.entity) for e in reversed(trail)]
    assert kinds == [
        ("create", "communities"),
        ("update", "communities"),
        ("create", "posts"),
        ("delete", "posts"),
    ]
    update = next(e for e in trail if e.action == "update")
    assert {"topic", "notes"} <= set(update.fields) and update.record_ids == [str(cid)]
    assert trail[0].record_ids == [str(pid)] and trail[0].actor_name == actor.name


@pytest.mark.sqlite_only  # edits the SQLite file directly
def test_no_patient_data_in_the_trail(store, actor):
    contacts.create_contact(
        store,
        actor,
        contacts.ContactData(
            handle="u/secret_handle", name="Zelda Quartermaine", email="zelda@example.org"
        ),
    )
    with closing(sqlite3.connect(store.path)) as conn:
        dump = "\n".join(str(r) for r in conn.execute("SELECT * FROM audit_events"))
    assert "contacts" in dump and "email" in dump  # the field name is there...
    for value in ("Zelda", "Quartermaine", "zelda@example.org", "secret_handle"):
        assert value not in dump  # ...its value is not


def test_sign_ins_and_refusals_are_recorded(store, actor):
    auth.create_account(store, actor, "ada", "correct horse", "owner", "Dr. Ada")
    with pytest.raises(auth.AuthError):
        auth.sign_in(store, "ada", "wrong", now=NOW)
    owner = auth.sign_in(store, "ada", "correct horse", now=NOW)
    actions = [e.action for e in events(store, owner, entity="users")]
    assert actions[:2] == ["sign_in", "sign_in_failed"]
    refused = events(store, owner, action="sign_in_failed")[0]
    assert refused.note == "attempt 1" and "failed_attempts" not in refused.fields


def test_changes_are_recorded_as_the_stores_actor(store, actor):
    auth.create_account(store, actor, "ada", "correct horse", "owner", "Dr. Ada")
    store.actor = auth.sign_in(store, "ada", "correct horse", now=NOW)
    com.create_community(store, store.actor, com.CommunityData(name="r/CPAP"))
    latest = events(store, store.actor, entity="communities")[0]
    assert (latest.actor_name, latest.user_id) == ("Dr. Ada", store.actor.user_id)


def test_a_bulk_change_is_one_event_listing_its_records(store, actor, tmp_path):
    from outreach.services.importers import import_file

    csv = tmp_path / "posts.csv"
    com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    lines = ["community,posted_at,kind,title"] + [
        f"r/sleep,2025-01-{d:02d},answer,Post {d}" for d in range(1, 29)
    ]
    csv.write_text("\n".join(lines), encoding="utf-8")
    import_file(store, actor, "posts", csv)
    imported = events(store, actor, entity="posts")
    assert len(imported) == 1 and "28" in imported[0].note


def test_the_trail_is_filtered_and_paged_in_sql(store, actor):
    for n in range(5):
        com.create_community(store, actor, com.CommunityData(name=f"Forum {n}"))
    page = list_events(store, actor, AuditQuery(entity="communities", limit=2, offset=2))
    assert page.total == 5 and len(page.rows) == 2 and page.has_more


@pytest.mark.sqlite_only  # edits the SQLite file directly
def test_an_altered_event_is_named_by_db_check(store, actor, db_path, capsys):
    for n in range(3):
        com.create_community(store, actor, com.CommunityData(name=f"Forum {n}"))
    assert verify_trail(store) is None
    with closing(sqlite3.connect(db_path)) as conn:
        second = conn.execute("SELECT min(id) + 1 FROM audit_events").fetchone()[0]
        conn.execute("UPDATE audit_events SET actor_name = 'Someone else' WHERE id = ?", (second,))
        conn.commit()
    assert verify_trail(store).record_id == second
    assert main(["db", "check", "--db", str(db_path), "--json"]) == 1
    out, err = capsys.readouterr()
    assert f"Audit record {second} was altered" in err
    assert json.loads(out)["audit"].startswith(f"Audit record {second}")


@pytest.mark.sqlite_only  # edits the SQLite file directly
def test_a_removed_event_is_detected(store, actor, db_path):
    for n in range(3):
        com.create_community(store, actor, com.CommunityData(name=f"Forum {n}"))
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)")
        conn.commit()
    assert verify_trail(store) is not None


def test_a_created_record_is_named_by_its_id(store, actor):
    cid = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    uid = auth.create_account(store, actor, "ada", "correct horse", "owner")
    assert events(store, actor, entity="communities")[0].record_ids == [str(cid)]
    assert events(store, actor, entity="users")[0].record_ids == [str(uid)]
