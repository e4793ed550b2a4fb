"""Privacy in what leaves the app (issue 7 §5): anonymised exports and review,
and erasing a contact without changing the practice's figures."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from outreach.context import Actor
from outreach.models import AuditEvent, Contact, Interaction, Referral, RevenueEntry
from outreach.services import communities as com
from outreach.services import contacts as people
from outreach.services import ledger, referrals
from outreach.services import posts as posts_svc
from outreach.services.anonymise import contact_label, initials
from outreach.services.audit import verify_trail
from outreach.services.common import PermissionDenied
from outreach.services.erasure import erase_contact, erased_name
from outreach.services.intake_import import export_pipeline
from outreach.services.roi import Period, roi_report
from outreach.services.roi_pdf import write_roi_pdf

# The service, report and import tests run on SQLite and PostgreSQL (conftest.py).
pytestmark = pytest.mark.both_engines

Q1 = Period(date(2025, 1, 1), date(2025, 3, 31))
NAME, EMAIL, PHONE = "Zebedee Quargleworth", "zebedee.q@example.org", "+1 555 0199 42"
HANDLE = "zq_nightowl"
SECRETS = [
    NAME,
    EMAIL,
    "0199 42",
    HANDLE,
    "Quargleworth",
    "told me about his divorce",
    "Dr Wobbleton",
    "paid by his sister",
    "Yes, Zebedee says",
    # As a full-text index keeps them: one lower-case word at a time.
    "quargleworth",
    "wobbleton",
]


def at(y, m, d):
    return datetime(y, m, d, 12, tzinfo=UTC)


@pytest.fixture
def practice(store, actor):
    community = com.create_community(store, actor, com.CommunityData(name="r/insomnia"))
    other = com.create_community(store, actor, com.CommunityData(name="Sleep forum"))
    posts_svc.create_post(
        store,
        actor,
        posts_svc.PostData(
            community,
            at(2025, 1, 5),
            "answer",
            title="Reply to Zebedee",
            minutes_spent=60,
            replies=4,
        ),
    )
    contact = people.create_contact(
        store,
        actor,
        people.ContactData(
            handle=HANDLE,
            name=NAME,
            email=EMAIL,
            phone=PHONE,
            location="Springfield",
            notes="He told me about his divorce",
            first_community_id=community,
        ),
        when=at(2025, 1, 10),
    )
    people.log_interaction(
        store,
        actor,
        contact,
        people.InteractionData(
            at(2025, 1, 10),
            "community_reply",
            minutes=15,
            note="Quargleworth asked about melatonin",
            community_id=community,
        ),
    )
    referrals.save_referral(
        store,
        actor,
        contact,
        referrals.ReferralData(
            completed_on=date(2025, 1, 25),
            booked_on=date(2025, 2, 1),
            first_visit_on=date(2025, 2, 5),
            source_text="Dr Wobbleton sent me",
            answer_useful="Yes, Zebedee says very useful",
            answer_better="More posts, Dr Wobbleton agrees",
            answer_where="Dr Wobbleton's blog",
        ),
    )
    ledger.add_revenue(store, actor, contact, date(2025, 2, 5), 12000, note="paid by his sister")
    ledger.add_revenue(store, actor, contact, date(2025, 3, 5), 12000)
    second = people.create_contact(
        store,
        actor,
        people.ContactData(name="Ada Lovelace", email="ada@example.org", first_community_id=other),
        when=at(2025, 2, 1),
    )
    return contact, second


def _figures(store):
    report = roi_report(store, Q1)
    rows = [
        (
            r.name,
            r.posts,
            r.minutes,
            r.time_cost_cents,
            r.contacts,
            r.intakes,
            r.patients,
            r.revenue_cents,
        )
        for r in report.rows
    ]
    return rows, report.useful_share, report.median_days_to_first_visit, report.funnel


# -- anonymised -------------------------------------------------------------------------


def test_initials_and_labels():
    assert initials("Jane van der Berg") == "J.v.d.B."
    assert initials("  ") == ""
    assert contact_label(7, "u/night", "Jane Doe") == "u/night"
    assert contact_label(7, "", "Jane Doe") == "J.D."
    assert contact_label(7, "", "") == "Contact #7"


def test_anonymised_exports_hold_no_names_emails_phones_or_free_text(
    store, actor, practice, tmp_path
):
    contact, _ = practice
    for kind in ("contacts", "referrals"):
        path = tmp_path / f"{kind}.csv"
        assert export_pipeline(store, kind, path, anonymised=True) >= 1
        text = path.read_text(encoding="utf-8-sig")
        for value in (NAME, EMAIL, PHONE, "Springfield", "Wobbleton", "Zebedee", "Ada"):
            assert value not in text, (kind, value)
        rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
        mine = next(r for r in rows if r["contact_id"] == str(contact))
        assert mine["contact"] == HANDLE
        assert mine["community"] == "r/insomnia"
    contacts = list(csv.DictReader((tmp_path / "contacts.csv").open(encoding="utf-8-sig")))
    assert {r["contact"] for r in contacts} == {HANDLE, "A.L."}
    # Without the option, the export is as it was.
    full = tmp_path / "full.csv"
    export_pipeline(store, "referrals", full)
    assert NAME in full.read_text(encoding="utf-8-sig")


def test_the_command_line_exports_anonymised(store, practice, tmp_path, db_path):
    from outreach.cli import main

    store.dispose()
    out = tmp_path / "c.csv"
    assert main(["--db", str(db_path), "export", "contacts", str(out), "--anonymised"]) == 0
    assert NAME not in out.read_text(encoding="utf-8-sig")
    assert main(["--db", str(db_path), "export", "posts", str(out), "--anonymised"]) == 2


def test_the_anonymised_review_leaves_out_titles_and_free_text(store, practice, tmp_path):
    report = roi_report(store, Q1)
    assert report.where_people_look and report.top_posts
    plain, anonymous = tmp_path / "plain.pdf", tmp_path / "anon.pdf"
    write_roi_pdf(report, plain, practice_name="Night Clinic")
    write_roi_pdf(report, anonymous, practice_name="Night Clinic", anonymised=True)

    def text(path: Path) -> str:
        return " ".join(page.extract_text() for page in PdfReader(path).pages)

    assert "Zebedee" in text(plain) and "Wobbleton" in text(plain)
    anon = text(anonymous)
    assert "Zebedee" not in anon and "Wobbleton" not in anon
    assert "Anonymised" in anon and "left out" in anon
    # Neither names a contact.
    assert NAME not in text(plain) and HANDLE not in text(plain)


# -- erasure ----------------------------------------------------------------------------


def test_only_the_owner_erases(store, practice):
    contact, _ = practice
    with pytest.raises(PermissionDenied):
        erase_contact(store, Actor(name="Front desk", role="staff"), contact)


@pytest.mark.sqlite_only  # edits the SQLite file directly
def test_erasing_keeps_the_figures_and_removes_every_personal_value(
    store, actor, practice, db_path
):
    contact, second = practice
    store.audit_enabled = True
    before = _figures(store)
    emptied = erase_contact(store, actor, contact)
    assert {"contacts.name", "contacts.email", "interactions.note", "revenue_entries.note"} <= set(
        emptied
    )
    assert "referrals.answer_where" in emptied and "referrals.source_text" in emptied
    assert _figures(store) == before

    with store.session() as session:
        erased = session.get(Contact, contact)
        assert erased.name == erased_name(contact) == f"Erased contact #{contact}"
        assert (erased.email, erased.phone, erased.handle, erased.notes) == ("", "", "", "")
        assert erased.email_key is None and erased.phone_digits is None
        assert erased.stage_changed_at is not None and erased.attributed_community_id
        assert session.scalar(select(Interaction.minutes)) == 15
        assert session.scalar(select(Interaction.note)) == ""
        referral = session.scalar(select(Referral).where(Referral.contact_id == contact))
        assert referral.answer_useful == "yes" and referral.answer_where == ""
        assert referral.first_visit_on == date(2025, 2, 5)
        paid = session.scalars(select(RevenueEntry.amount_cents)).all()
        assert sorted(paid) == [12000, 12000]
        assert session.get(Contact, second).name == "Ada Lovelace"
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.action, event.entity, event.record_ids) == ("erase", "contacts", str(contact))
        assert "contacts.email" in event.fields and "@" not in event.fields
    assert verify_trail(store) is None

    store.dispose()
    # Nothing of what was erased is left in the file or its write-ahead log.
    for suffix in ("", "-wal"):
        path = Path(f"{db_path}{suffix}")
        if not path.exists():
            continue
        data = path.read_bytes()
        for value in SECRETS:
            assert value.encode("utf-8") not in data, (path.name, value)
    assert b"Ada Lovelace" in db_path.read_bytes()  # the file is still readable SQLite
