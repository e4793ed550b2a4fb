from __future__ import annotations

import csv
from datetime import date

import pytest

from outreach.services import communities as com
from outreach.services import contacts as svc
from outreach.services import ledger
from outreach.services.csv_table import CsvError
from outreach.services.intake_import import export_pipeline, import_intake, import_revenue
from outreach.services.referrals import get_referral

# The service, report and import tests run on SQLite and PostgreSQL (conftest.py).
pytestmark = pytest.mark.both_engines

Q1 = "Did you find my online advice useful?"
Q2 = "Is there anything better I can do with my online presence to be more helpful?"
Q3 = "Where do you go on the web for health-related information?"


@pytest.fixture
def rsleep(store, actor):
    return com.create_community(
        store, actor, com.CommunityData(name="r/sleep", intake_code="RSLEEP24")
    )


def excel_file(tmp_path, rows: list[list[str]], encoding="utf-8-sig", delimiter=";"):
    """As Excel writes it: BOM, semicolons, CRLF line ends, quotes where needed."""
    path = tmp_path / "intake.csv"
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return path


HEADER = [
    "Full Name",
    "E-mail",
    "Mobile",
    "Date submitted",
    "How did you hear about us?",
    "Referral code",
    Q1,
    Q2,
    Q3,
]


def test_an_excel_intake_file_creates_attributed_contacts(store, actor, tmp_path, rsleep):
    path = excel_file(
        tmp_path,
        [
            HEADER,
            [
                "Ana Lima",
                "Ana.Lima@Example.org",
                "(555) 010-0001",
                "2025-03-02",
                "Reddit",
                "rsleep24",
                "Yes",
                "More videos;\nplease",
                "Reddit",
            ],
            [
                "Bo Chen",
                "bo@example.org",
                "",
                "03/04/2025",
                "someone on r/sleep",
                "",
                "Somewhat",
                "",
                "Google",
            ],
            ["Cy Park", "cy@example.org", "", "2025-03-05", "a friend", "", "", "", ""],
        ],
    )
    result = import_intake(store, actor, path)
    assert result.ok, result.errors
    assert (result.new, result.updated, result.unattributed) == (3, 0, 1)
    rows = {r.email.lower(): r for r in svc.list_contacts(store).rows}
    ana = rows["ana.lima@example.org"]
    assert ana.stage == "intake_completed"
    assert (ana.attributed_community_id, ana.attribution_method) == (rsleep, "code")
    assert rows["bo@example.org"].attribution_method == "source"
    assert rows["cy@example.org"].attributed_community_id is None
    referral = get_referral(store, ana.id)
    assert referral.answer_better == "More videos;\nplease"
    assert referral.completed_on == date(2025, 3, 2)


def test_a_second_import_changes_nothing(store, actor, tmp_path, rsleep):
    path = excel_file(
        tmp_path,
        [HEADER, ["Ana Lima", "ana@example.org", "", "2025-03-02", "", "RSLEEP24", "Yes", "", ""]],
    )
    import_intake(store, actor, path)
    with store.engine.connect() as conn:
        before = (
            conn.exec_driver_sql("SELECT * FROM contacts").fetchall(),
            conn.exec_driver_sql("SELECT * FROM referrals").fetchall(),
        )
    again = import_intake(store, actor, path)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    with store.engine.connect() as conn:
        after = (
            conn.exec_driver_sql("SELECT * FROM contacts").fetchall(),
            conn.exec_driver_sql("SELECT * FROM referrals").fetchall(),
        )
    assert before == after


def test_matching_by_email_then_phone_then_handle(store, actor, tmp_path, rsleep):
    by_phone = svc.create_contact(
        store, actor, svc.ContactData(handle="u/bo", phone="+1 555 010 0002")
    )
    by_handle = svc.create_contact(
        store, actor, svc.ContactData(handle="u/cy", first_community_id=rsleep)
    )
    path = excel_file(
        tmp_path,
        [
            ["Name", "Email", "Phone", "Username", "Community", "Submitted"],
            ["Bo Chen", "bo@example.org", "555-010-0002", "", "", "2025-03-02"],
            ["Cy Park", "", "", "U/CY", "r/sleep", "2025-03-02"],
        ],
        delimiter=",",
    )
    result = import_intake(store, actor, path)
    assert result.ok, result.errors
    assert (result.new, result.updated) == (0, 2)
    bo = svc.get_contact(store, by_phone)
    assert (bo.name, bo.email, bo.stage) == ("Bo Chen", "bo@example.org", "intake_completed")
    assert svc.get_contact(store, by_handle).name == "Cy Park"


def test_a_cp1252_file(store, actor, tmp_path):
    path = excel_file(
        tmp_path,
        [["Name", "Email", "Date submitted"], ["Zoë Müller", "zoe@example.org", "02.03.2025"]],
        encoding="cp1252",
    )
    assert import_intake(store, actor, path).ok
    assert svc.list_contacts(store).rows[0].name == "Zoë Müller"


def test_one_bad_row_imports_nothing_and_is_named(store, actor, tmp_path):
    path = excel_file(
        tmp_path,
        [
            ["Name", "Email", "Date submitted"],
            ["Good", "good@example.org", "2025-03-02"],
            ["Bad", "not-an-email", "2025-03-02"],
            ["No date", "x@example.org", ""],
        ],
    )
    result = import_intake(store, actor, path)
    assert [e.row for e in result.errors] == [3, 4]
    assert "email" in result.errors[0].message and "submitted_on" in result.errors[1].message
    assert svc.list_contacts(store).total == 0


def test_dry_run_counts_without_writing(store, actor, tmp_path):
    path = excel_file(
        tmp_path, [["Name", "Email", "Date submitted"], ["A", "a@example.org", "2025-03-02"]]
    )
    result = import_intake(store, actor, path, dry_run=True)
    assert (result.new, result.unattributed, result.dry_run) == (1, 1, True)
    assert svc.list_contacts(store).total == 0


def test_missing_columns_are_named(store, actor, tmp_path):
    path = excel_file(tmp_path, [["Name", "Email"], ["A", "a@example.org"]])
    with pytest.raises(CsvError, match="submitted_on"):
        import_intake(store, actor, path)


def test_revenue_import_matches_contacts_and_is_idempotent(store, actor, tmp_path):
    ana = svc.create_contact(
        store, actor, svc.ContactData(name="Ana Lima", email="ana@example.org")
    )
    bo = svc.create_contact(store, actor, svc.ContactData(name="Bo Chen"))
    path = excel_file(
        tmp_path,
        [
            ["Payment date", "Amount", "Email", "Client", "Memo"],
            ["2025-03-10", "120.00", "ANA@example.org", "", "First visit"],
            ["2025-03-11", "$1,200.50", "", "bo chen", "Package"],
        ],
    )
    result = import_revenue(store, actor, path)
    assert result.ok and result.new == 2, result.errors
    assert ledger.total_revenue(store, ana) == 12000
    assert ledger.total_revenue(store, bo) == 120050
    again = import_revenue(store, actor, path)
    assert (again.new, again.unchanged) == (0, 2)


def test_revenue_rows_that_match_nobody_are_rejected(store, actor, tmp_path):
    path = excel_file(
        tmp_path,
        [
            ["Date", "Amount", "Email"],
            ["2025-03-10", "120", "ghost@example.org"],
            ["2025-03-10", "abc", "x@example.org"],
        ],
    )
    result = import_revenue(store, actor, path)
    assert [e.row for e in result.errors] == [2, 3]
    assert "no contact matches" in result.errors[0].message


def test_export_contacts_and_referrals(store, actor, tmp_path, rsleep):
    path = excel_file(
        tmp_path,
        [
            HEADER,
            ["Ana Lima", "ana@example.org", "", "2025-03-02", "", "RSLEEP24", "=cmd()", "", ""],
        ],
    )
    import_intake(store, actor, path)
    assert export_pipeline(store, "contacts", tmp_path / "c.csv") == 1
    assert export_pipeline(store, "referrals", tmp_path / "r.csv") == 1
    with open(tmp_path / "r.csv", encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["community"] == "r/sleep" and row[Q1] == "'=cmd()"


def test_cancelling_an_intake_import_writes_nothing(store, actor, tmp_path):
    from outreach.errors import Cancelled

    rows = [["Name", "Email", "Date submitted"]] + [
        [f"P{i}", f"p{i}@example.org", "2025-03-02"] for i in range(1200)
    ]
    path = excel_file(tmp_path, rows)
    calls = []
    with pytest.raises(Cancelled):
        import_intake(
            store, actor, path, progress=lambda done, total: calls.append(done) or len(calls) < 4
        )
    assert svc.list_contacts(store).total == 0


def test_cancelling_while_writing_keeps_nothing_of_the_chunks_written(store, actor, tmp_path):
    from outreach.errors import Cancelled

    rows = [["Name", "Email", "Date submitted"]] + [
        [f"P{i}", f"p{i}@example.org", "2025-03-02"] for i in range(1200)
    ]
    path = excel_file(tmp_path, rows)
    # Reading reports 0..1199 of 2400; writing 1200 onwards, a chunk at a time.
    seen = []

    def progress(done, total):
        seen.append(done)
        return done < total // 2 + 1000  # stop before the third chunk

    with pytest.raises(Cancelled):
        import_intake(store, actor, path, progress=progress)
    assert max(seen) >= 1200 + 1000  # two chunks were written before the cancel
    assert svc.list_contacts(store).total == 0


def test_a_later_chunk_keeps_what_a_later_form_adds(store, actor, tmp_path, rsleep, monkeypatch):
    import outreach.services.intake_import as intake

    # One form a chunk: the second form finds the contact the first one added.
    monkeypatch.setattr(intake, "CHUNK", 1)
    path = excel_file(
        tmp_path,
        [
            ["Name", "Email", "Phone", "Date submitted", "Referral code"],
            ["Ana Lima", "ana@example.org", "", "2025-03-02", ""],
            ["Ana Lima", "ANA@example.org", "555-010-0001", "2025-03-09", "RSLEEP24"],
        ],
    )
    result = import_intake(store, actor, path)
    assert (result.new, result.updated, result.unattributed) == (1, 1, 1)
    (row,) = svc.list_contacts(store).rows
    ana = svc.get_contact(store, row.id)
    assert (ana.phone, ana.stage) == ("555-010-0001", "intake_completed")
    assert (ana.attributed_community_id, ana.attribution_method) == (rsleep, "code")
    referral = get_referral(store, ana.id)
    assert (referral.completed_on, referral.intake_code) == (date(2025, 3, 9), "RSLEEP24")
    # Found again by the phone the second form gave.
    again = excel_file(tmp_path, [["Phone", "Date submitted"], ["+1 555 010 0001", "2025-03-09"]])
    assert (import_intake(store, actor, again).unchanged, svc.list_contacts(store).total) == (1, 1)


def test_imported_and_completed_contacts_are_found_by_search(store, actor, tmp_path):
    stored = svc.create_contact(store, actor, svc.ContactData(handle="u/bo"))
    path = excel_file(
        tmp_path,
        [
            ["Name", "Email", "Username", "Date submitted"],
            ["Ana Lima", "ana@example.org", "", "2025-03-02"],
            ["Bo Chen", "", "u/bo", "2025-03-02"],
        ],
    )
    assert import_intake(store, actor, path).ok

    def found(text):
        return [r.id for r in svc.list_contacts(store, svc.ContactQuery(search=text)).rows]

    assert len(found("lima")) == 1
    assert found("chen") == [stored]  # the name the form filled in on a stored contact


def test_the_audit_trail_has_one_event_per_kind_of_change(store, actor, tmp_path):
    from outreach.services.audit import list_events

    known = [
        svc.create_contact(store, actor, svc.ContactData(email=f"k{i}@example.org"))
        for i in range(2)
    ]
    before = list_events(store, actor).rows[0].id
    rows = [["Name", "Email", "Date submitted"]] + [
        [f"Person {i}", f"p{i}@example.org", "2025-03-02"] for i in range(25)
    ]
    rows += [["Known Person", f"k{i}@example.org", "2025-03-02"] for i in range(2)]
    assert import_intake(store, actor, excel_file(tmp_path, rows)).ok
    trail = [e for e in list_events(store, actor).rows if e.id > before]
    kinds = sorted((e.action, e.entity, e.note) for e in trail)
    assert kinds == [
        ("create", "contacts", "25 records"),
        ("create", "referrals", "27 records"),
        ("create", "stage_changes", "52 records"),
        ("update", "contacts", ""),
        ("update", "contacts", ""),
    ]
    created = next(e for e in trail if e.action == "create" and e.entity == "contacts")
    assert len(created.record_ids) == 25
    assert {"name", "email", "stage"} <= set(created.fields)
    assert "notes" not in created.fields  # left empty
    # A few records: an event each, naming the fields the forms changed.
    updated = [e for e in trail if e.action == "update"]
    assert sorted(int(e.record_ids[0]) for e in updated) == sorted(known)
    assert all({"name", "stage"} <= set(e.fields) for e in updated)
    assert not any("Person" in " ".join(e.fields) + e.note for e in trail)


def test_a_contact_saved_elsewhere_during_the_import_stops_it(store, actor, tmp_path, monkeypatch):
    from sqlalchemy import update

    import outreach.services.intake_import as intake
    from outreach.errors import ChangedElsewhere
    from outreach.models import Contact

    stored = svc.create_contact(store, actor, svc.ContactData(email="bo@example.org"))
    read = intake._IntakeWriter._read_contacts

    def read_then_saved_elsewhere(writer, ids):
        read(writer, ids)
        # As if another desk saved the contact just after the import read it.
        table = Contact.__table__
        writer.session.execute(
            update(table).where(table.c.id == stored).values(version=table.c.version + 1)
        )

    monkeypatch.setattr(intake._IntakeWriter, "_read_contacts", read_then_saved_elsewhere)
    path = excel_file(
        tmp_path,
        [
            ["Name", "Email", "Date submitted"],
            ["Ana Lima", "ana@example.org", "2025-03-02"],
            ["Bo Chen", "bo@example.org", "2025-03-02"],
        ],
    )
    with pytest.raises(ChangedElsewhere, match="nothing was imported"):
        import_intake(store, actor, path)
    assert svc.list_contacts(store).total == 1
    bo = svc.get_contact(store, stored)
    assert (bo.name, bo.stage) == ("", "engaged")
