"""The compliance gate: every rule of issue 4 §2, §4, §6 and §7 through the services."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from outreach.context import Actor
from outreach.errors import ComplianceError, ValidationError
from outreach.services import checklist as cl
from outreach.services import communities as com
from outreach.services import compliance as gate
from outreach.services import evidence
from outreach.services import posts as posts_svc
from outreach.services.common import PermissionDenied
from outreach.services.compliance_summary import checks_by_month, compliance_summary
from outreach.services.profile import get_profile, save_profile

# The service, report and import tests run on SQLite and PostgreSQL (conftest.py).
pytestmark = pytest.mark.both_engines

TODAY = date.today()
SAFE = "Many people find a regular wake time helps; a sleep diary shows patterns over two weeks."
RISKY = "You should stop taking your sleeping pills and take 5 mg of melatonin instead."


@pytest.fixture
def covered(store, actor):
    save_profile(
        store,
        actor,
        replace(
            get_profile(store),
            practitioner_name="Dr. Ada Example",
            disclaimer="General information only, not medical advice.",
            signature="Dr. Ada Example, sleep clinic https://clinic.example.org",
            online_cover="advice",
            online_cover_confirmed_on=TODAY - timedelta(days=30),
            insurer="Example Mutual",
            policy_number="EM-0001",
        ),
    )


@pytest.fixture
def cid(store, actor, covered):
    return com.create_community(
        store,
        actor,
        com.CommunityData(name="r/insomnia", advice_allowed=True, signature_links_allowed=True),
    )


def all_yes(store) -> dict[str, bool]:
    return {item.key: True for item in cl.current_checklist(store).items}


def check(store, actor, cid, body=SAFE, **kw):
    return gate.record_check(store, actor, gate.Draft(cid, body), all_yes(store), **kw)


def log(store, actor, cid, record, **kw):
    data = posts_svc.PostData(
        community_id=cid,
        posted_at=datetime.now(UTC),
        kind="advice",
        title="Wake time",
        body=record.final_text,
        **kw,
    )
    return posts_svc.create_post(store, actor, data, check_id=record.id)


# -- the checklist ---------------------------------------------------------------


def test_the_default_checklist_is_version_one_with_required_and_advisory_items(store):
    checklist = cl.current_checklist(store)
    assert checklist.version == 1
    assert len(checklist.items) >= 10
    assert any(not i.required for i in checklist.items)
    assert all(i.text and i.help for i in checklist.items)


def test_editing_the_checklist_makes_a_new_version_and_old_checks_keep_their_wording(
    store, actor, cid
):
    first = check(store, actor, cid)
    items = list(cl.current_checklist(store).items)
    items[0] = replace(items[0], text="I post only as myself, with my licence number visible.")
    saved = cl.save_checklist(store, actor, items, "clearer identity item")
    assert saved.version == 2
    assert cl.get_version(store, 1).items[0].text != saved.items[0].text
    old = evidence.get_record(store, first.id)
    assert old.checklist_version == 1
    assert old.payload["checklist"]["items"][0]["text"] == cl.get_version(store, 1).items[0].text
    second = check(store, actor, cid, body=SAFE + " Keep the room cool.")
    assert evidence.get_record(store, second.id).payload["checklist"]["version"] == 2


def test_saving_an_unchanged_checklist_makes_no_version(store, actor):
    items = list(cl.current_checklist(store).items)
    assert cl.save_checklist(store, actor, items).version == 1


def test_a_checklist_item_without_text_is_refused(store, actor):
    with pytest.raises(ValidationError):
        cl.save_checklist(store, actor, [cl.Item("", "  ")])


def test_staff_cannot_edit_the_checklist(store):
    with pytest.raises(PermissionDenied):
        cl.save_checklist(store, Actor("Office", "staff"), [cl.Item("", "Anything")])


# -- the gate ---------------------------------------------------------------------


def test_a_safe_draft_with_every_item_confirmed_passes_and_is_recorded(store, actor, cid):
    record = check(store, actor, cid)
    assert record.final_text.startswith(SAFE)
    assert record.final_text.endswith("https://clinic.example.org")
    assert "General information only" in record.final_text
    stored = evidence.get_record(store, record.id)
    assert stored.final_text == record.final_text
    assert stored.actor_name == actor.name


def test_every_required_item_must_be_confirmed(store, actor, cid):
    answers = all_yes(store)
    required = cl.current_checklist(store).required_keys[0]
    answers[required] = False
    with pytest.raises(ComplianceError, match="confirm"):
        gate.record_check(store, actor, gate.Draft(cid, SAFE), answers)
    advisory = next(i.key for i in cl.current_checklist(store).items if not i.required)
    answers = all_yes(store)
    answers[advisory] = False
    assert gate.record_check(store, actor, gate.Draft(cid, SAFE), answers).id


def test_a_blocking_finding_blocks_until_overridden_with_a_reason(store, actor, cid):
    result = gate.evaluate(store, gate.Draft(cid, RISKY), all_yes(store))
    blocking = [f for f in result.findings if f.severity == "block"]
    assert blocking and not result.passed
    with pytest.raises(ComplianceError):
        check(store, actor, cid, body=RISKY)
    reasons = {gate.finding_key(f): "Quoting the study's protocol, not advising" for f in blocking}
    record = check(store, actor, cid, body=RISKY, overrides=reasons)
    stored = evidence.get_record(store, record.id)
    assert {f["override_reason"] for f in stored.overrides} == {
        "Quoting the study's protocol, not advising"
    }


@pytest.mark.parametrize("reason", ["", "   ", "because"])
def test_an_override_without_a_written_reason_is_refused(store, actor, cid, reason):
    result = gate.evaluate(store, gate.Draft(cid, RISKY), all_yes(store))
    key = next(gate.finding_key(f) for f in result.findings if f.severity == "block")
    with pytest.raises(ValidationError, match="reason"):
        check(store, actor, cid, body=RISKY, overrides={key: reason})
    assert evidence.records_between(store) == []


def test_editing_the_risky_words_away_needs_no_override(store, actor, cid):
    assert check(store, actor, cid, body="Talk to your doctor before changing any medicine.").id


def test_a_community_that_forbids_advice_blocks_unless_overridden(store, actor, covered):
    strict = com.create_community(
        store, actor, com.CommunityData(name="Health Union forum", advice_allowed=False)
    )
    with pytest.raises(ComplianceError, match="does not allow advice"):
        check(store, actor, strict)
    with pytest.raises(ValidationError):
        check(store, actor, strict, rules_override="ok")
    record = check(
        store, actor, strict, rules_override="The moderators invited this educational answer."
    )
    payload = evidence.get_record(store, record.id).payload
    assert payload["community_rules"]["advice_allowed"] is False
    assert payload["community_rules_override"].startswith("The moderators")


def test_unknown_community_rules_warn_but_do_not_block(store, actor, covered):
    unknown = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    result = gate.evaluate(store, gate.Draft(unknown, SAFE), all_yes(store))
    assert result.passed
    assert any("not recorded" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("cover", "confirmed", "blocked"),
    [
        ("advice", TODAY - timedelta(days=30), False),
        ("general_information", TODAY - timedelta(days=364), False),
        ("advice", TODAY - timedelta(days=366), True),
        ("advice", None, True),
        ("none", TODAY, True),
        ("unknown", TODAY, True),
    ],
)
def test_the_policy_cover_must_be_confirmed_within_twelve_months(
    store, actor, cid, cover, confirmed, blocked
):
    save_profile(
        store,
        actor,
        replace(get_profile(store), online_cover=cover, online_cover_confirmed_on=confirmed),
    )
    result = gate.evaluate(store, gate.Draft(cid, SAFE), all_yes(store))
    assert (not result.passed) is blocked
    assert any(b.key == "policy" for b in result.blockers) is blocked


def test_warnings_do_not_block_but_are_recorded(store, actor, cid):
    body = SAFE + " Our program is the best therapist-led plan around, with a discount this week."
    result = gate.evaluate(store, gate.Draft(cid, body), all_yes(store))
    warned = [f for f in result.findings if f.severity == "warn"]
    assert warned and result.passed
    payload = evidence.get_record(store, check(store, actor, cid, body=body).id).payload
    assert {f["severity"] for f in payload["findings"]} >= {"warn"}


def test_a_crisis_finding_does_not_block_and_offers_the_reply(store, actor, cid):
    body = "If you have thoughts of suicide, please reach out to a crisis line right away."
    result = gate.evaluate(store, gate.Draft(cid, body), all_yes(store))
    assert result.crisis
    assert not any(b.key.startswith("finding:") for b in result.blockers)


def test_staff_cannot_confirm_a_check(store, cid):
    with pytest.raises(PermissionDenied):
        gate.record_check(store, Actor("Office", "staff"), gate.Draft(cid, SAFE), all_yes(store))


def test_the_disclaimer_and_signature_are_not_scanned(store, actor, cid):
    save_profile(
        store,
        actor,
        replace(
            get_profile(store),
            disclaimer="I can't treat you online; this is not a diagnosis. Call 555-0100 to book.",
        ),
    )
    result = gate.evaluate(store, gate.Draft(cid, SAFE), all_yes(store))
    assert "I can't treat you online" in result.composition.final_text
    assert result.findings == []


def test_signature_links_are_left_out_where_the_community_forbids_them(store, actor, covered):
    strict = com.create_community(
        store,
        actor,
        com.CommunityData(
            name="HealthUnlocked", advice_allowed=True, signature_links_allowed=False
        ),
    )
    result = gate.evaluate(store, gate.Draft(strict, SAFE), all_yes(store))
    assert "https://" not in result.composition.final_text
    assert "Dr. Ada Example, sleep clinic" in result.composition.final_text
    assert any("signature" in n for n in result.composition.notes)


def test_the_self_promotion_meter_counts_the_last_posts(store, actor, cid):
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for i in range(12):
        posts_svc.create_post(
            store,
            actor,
            posts_svc.PostData(
                cid, start + timedelta(days=i), "promotion" if i >= 10 else "answer", f"p{i}"
            ),
        )
    com.update_community(
        store,
        actor,
        cid,
        replace(com.get_community(store, cid).data(), promotion_ratio_limit_pct=10),
    )
    result = gate.evaluate(store, gate.Draft(cid, SAFE, kind="promotion"), all_yes(store))
    assert (result.meter.promotional, result.meter.of_last) == (2, 10)
    assert result.meter.over_limit
    assert "2 of your last 10 posts" in result.meter.sentence


# -- logging posts through the gate ---------------------------------------------------


def test_a_checked_text_can_be_logged_as_an_advice_post(store, actor, cid):
    record = check(store, actor, cid)
    pid = log(store, actor, cid, record)
    row = posts_svc.get_post(store, pid)
    assert (row.check_status, row.check_id) == ("checked", record.id)


def test_a_check_of_other_words_does_not_let_a_post_through(store, actor, cid):
    record = check(store, actor, cid)
    data = posts_svc.PostData(
        cid, datetime.now(UTC), "advice", "x", body=record.final_text + " One more thing."
    )
    with pytest.raises(ComplianceError):
        posts_svc.create_post(store, actor, data, check_id=record.id)
    assert posts_svc.list_posts(store).total == 0


def test_changing_the_text_invalidates_the_check_until_checked_again(store, actor, cid):
    record = check(store, actor, cid)
    pid = log(store, actor, cid, record)
    row = posts_svc.get_post(store, pid)
    posts_svc.update_post(store, actor, pid, replace(row.data(), views=40))
    assert posts_svc.get_post(store, pid).check_status == "checked"  # engagement only
    edited = replace(row.data(), body=row.body.replace("two weeks", "three weeks"))
    posts_svc.update_post(store, actor, pid, edited)
    assert posts_svc.get_post(store, pid).check_status == "changed"
    again = gate.record_check(
        store, actor, gate.Draft(cid, posts_svc.get_post(store, pid).body), all_yes(store)
    )
    assert again.final_text == posts_svc.get_post(store, pid).body  # nothing appended twice
    posts_svc.attach_check(store, actor, pid, again.id)
    assert posts_svc.get_post(store, pid).check_status == "checked"


def test_imports_cannot_mark_an_advice_post_checked(store, actor, cid):
    data = posts_svc.PostData(cid, datetime(2025, 1, 1, tzinfo=UTC), "advice", "old", body=SAFE)
    pid = posts_svc.create_post(store, actor, data, source="import", check_id=999)
    assert posts_svc.get_post(store, pid).check_status == "unchecked"


def test_attaching_a_check_of_other_words_is_refused(store, actor, cid):
    data = posts_svc.PostData(cid, datetime(2025, 1, 1, tzinfo=UTC), "advice", "old", body="Hi")
    pid = posts_svc.create_post(store, actor, data, source="import")
    record = check(store, actor, cid)
    with pytest.raises(ComplianceError):
        posts_svc.attach_check(store, actor, pid, record.id)


# -- the evidence ledger ----------------------------------------------------------------


def test_the_ledger_offers_no_way_to_change_a_record():
    public = {n for n in dir(evidence) if not n.startswith("_")}
    assert not {n for n in public if n.startswith(("update", "delete", "remove", "edit"))}


def test_an_intact_ledger_verifies(store, actor, cid):
    for n in range(3):
        check(store, actor, cid, body=f"{SAFE} Tip {n}.")
    assert evidence.verify_ledger(store) is None


def _sql(db_path, statement, *params):
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute(statement, params)
        conn.commit()


@pytest.mark.sqlite_only  # edits the SQLite file directly
def test_a_record_altered_in_the_database_is_named(store, db_path, actor, cid):
    ids = [check(store, actor, cid, body=f"{SAFE} Tip {n}.").id for n in range(3)]
    _sql(
        db_path,
        "UPDATE compliance_checks SET payload = replace(payload, 'Tip 1', 'Tip 9') WHERE id = ?",
        ids[1],
    )
    problem = evidence.verify_ledger(store)
    assert problem is not None and problem.record_id == ids[1]
    assert f"record {ids[1]} was altered" in problem.sentence


@pytest.mark.sqlite_only  # edits the SQLite file directly
def test_a_removed_record_is_detected(store, db_path, actor, cid):
    ids = [check(store, actor, cid, body=f"{SAFE} Tip {n}.").id for n in range(3)]
    _sql(db_path, "DELETE FROM compliance_checks WHERE id = ?", ids[1])
    assert evidence.verify_ledger(store).record_id == ids[2]


@pytest.mark.sqlite_only  # edits the SQLite file directly
def test_removing_the_newest_record_is_detected(store, db_path, actor, cid):
    ids = [check(store, actor, cid, body=f"{SAFE} Tip {n}.").id for n in range(2)]
    _sql(db_path, "DELETE FROM compliance_checks WHERE id = ?", ids[-1])
    assert "removed or added" in evidence.verify_ledger(store).sentence


@pytest.mark.sqlite_only  # edits the SQLite file directly
def test_an_inserted_record_is_detected(store, db_path, actor, cid):
    check(store, actor, cid)
    _sql(
        db_path,
        "INSERT INTO compliance_checks (checked_at, actor_name, actor_role, community_id, "
        "checklist_version, text_hash, payload, prev_hash, record_hash) "
        "SELECT checked_at, actor_name, actor_role, community_id, checklist_version, text_hash, "
        "payload, record_hash, record_hash FROM compliance_checks",
    )
    assert evidence.verify_ledger(store) is not None


# -- the summary ---------------------------------------------------------------------------


def test_the_summary_counts_posts_checks_findings_and_overrides(store, actor, cid):
    result = gate.evaluate(store, gate.Draft(cid, RISKY), all_yes(store))
    reasons = {
        gate.finding_key(f): "Citing the trial protocol" for f in result.findings if f.blocks
    }
    log(store, actor, cid, check(store, actor, cid, body=RISKY, overrides=reasons))
    log(store, actor, cid, check(store, actor, cid))
    old = posts_svc.PostData(cid, datetime.now(UTC), "advice", "imported", body="x")
    posts_svc.create_post(store, actor, old, source="import")
    summary = compliance_summary(store, TODAY - timedelta(days=1), TODAY + timedelta(days=1))
    assert (summary.advice_posts, summary.checked, summary.unchecked) == (3, 2, 1)
    assert summary.checks == 2
    assert sum(n for _, n in summary.findings_by_category) == len(result.findings)
    assert len(summary.overrides) == len(reasons)
    assert {o.reason for o in summary.overrides} == {"Citing the trial protocol"}
    assert summary.overrides[0].community == "r/insomnia"
    months = checks_by_month(store, TODAY - timedelta(days=1), TODAY + timedelta(days=1))
    assert sum(m.checks for m in months) == 2
    assert sum(m.overrides for m in months) == len(reasons)


def test_an_empty_period_has_an_empty_summary(store):
    summary = compliance_summary(store, date(2020, 1, 1), date(2020, 12, 31))
    assert summary.empty and summary.findings_by_category == [] and summary.overrides == []


def test_the_crisis_reply_itself_raises_no_finding(store, actor, cid):
    from outreach.services import risk_scan

    body = risk_scan.crisis_reply()
    result = gate.evaluate(store, gate.Draft(cid, body), all_yes(store))
    assert result.findings == [] and not result.crisis


def test_a_logged_posts_new_text_and_its_check_are_saved_together(store, actor, cid):
    pid = log(store, actor, cid, check(store, actor, cid))
    row = posts_svc.get_post(store, pid)
    edited = replace(row.data(), body=SAFE + " Light in the morning helps too.")
    with pytest.raises(ComplianceError):  # a check of other words: nothing is saved
        posts_svc.update_post(store, actor, pid, edited, check_id=row.check_id)
    assert posts_svc.get_post(store, pid).body == row.body
    again = gate.record_check(store, actor, gate.Draft(cid, edited.body), all_yes(store))
    posts_svc.update_post(
        store, actor, pid, replace(edited, body=again.final_text), check_id=again.id
    )
    saved = posts_svc.get_post(store, pid)
    assert (saved.check_status, saved.check_id) == ("checked", again.id)
