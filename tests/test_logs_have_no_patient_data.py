"""The log holds what happened, never who: a full scenario on demo data (demo,
imports of intake forms and posts, exports, the ROI report, a scan, a merge, a
backup and a restore, a failed import and an unexpected error through the app's
exception hook), then every contact's name, email, handle and phone and every
post's text are searched for in the log files."""

from __future__ import annotations

import csv
import logging
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from outreach.cli import main
from outreach.errors import ValidationError
from outreach.log import log_file, setup_logging, stop_logging
from outreach.services import contacts as contacts_svc
from outreach.services.duplicates import find_duplicates, merge_contacts
from outreach.store import open_store

NEW_PATIENT = ("Zelda Quartermaine", "zelda.q@example.org", "+1 555 0199 731")
SECRET_BODY = "Quartermaine's melatonin schedule, shared in confidence"


@pytest.fixture
def log_path(tmp_path):
    path = setup_logging()  # OUTREACH_HOME is this test's own folder
    assert path is not None and tmp_path in path.parents
    yield path
    stop_logging()


def _cli(*argv) -> None:
    code = main(list(argv))
    assert code == 0, argv


def _write_intake(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Name", "Email", "Phone", "Date submitted", "How did you hear about us"])
        writer.writerow([*NEW_PATIENT, "2025-03-01", "r/insomnia"])
        writer.writerow(["Ada Okonkwo-Birch", "ada.ob@example.net", "555-0142", "2025-03-02", ""])


def _write_posts(path: Path, community: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["community", "posted_at", "kind", "title", "body"])
        writer.writerow([community, "2025-03-03 10:00", "education", "Wind-down", SECRET_BODY])


def _secrets(db_path: Path) -> set[str]:
    with closing(sqlite3.connect(db_path)) as conn:
        values = {
            value
            for row in conn.execute("SELECT name, email, handle, phone FROM contacts")
            for value in row
            if value
        }
        values |= {row[0] for row in conn.execute("SELECT body FROM posts") if row[0]}
        values |= {row[0] for row in conn.execute("SELECT merged_summary FROM contact_merges")}
    # Very short values ("Al") could match ordinary words; everything real is longer.
    return {v.strip() for v in values if len(v.strip()) >= 5}


def test_a_full_scenario_logs_no_patient_data(
    tmp_path, db_path, log_path, monkeypatch, qapp, actor
):
    db = str(db_path)
    _cli("demo", "--db", db, "--scale", "small")
    intake, posts = tmp_path / "intake.csv", tmp_path / "posts.csv"
    _write_intake(intake)
    with closing(sqlite3.connect(db_path)) as conn:
        community = conn.execute("SELECT name FROM communities ORDER BY id").fetchone()[0]
    _write_posts(posts, community)
    _cli("import", "intake", str(intake), "--db", db)
    _cli("import", "posts", str(posts), "--db", db)
    _cli("export", "posts", str(tmp_path / "out-posts.csv"), "--db", db)
    _cli("export", "contacts", str(tmp_path / "out-contacts.csv"), "--db", db)
    _cli("report", "roi", "--from", "2020-01-01", "--to", "2030-12-31", "--format", "csv",
         "-o", str(tmp_path / "roi.csv"), "--db", db)  # fmt: skip
    scanned = tmp_path / "post.txt"
    scanned.write_text(SECRET_BODY, encoding="utf-8")
    assert main(["scan", str(scanned), "--db", db]) in (0, 1)
    # A failed import: its rows are quoted on stderr for the user, not in the log.
    bad = tmp_path / "bad.csv"
    bad.write_text(f"community,posted_at,kind,body\nNowhere,not a date,advice,{SECRET_BODY}\n")
    assert main(["import", "posts", str(bad), "--db", db]) == 2

    store = open_store(db_path)
    try:
        name, email, phone = NEW_PATIENT
        contacts_svc.create_contact(
            store, actor, contacts_svc.ContactData(name=name, email=email.upper())
        )
        pairs = find_duplicates(store)
        assert pairs, "the scenario needs a duplicate to merge"
        merge_contacts(store, actor, pairs[0].first_id, pairs[0].second_id)
    finally:
        store.dispose()

    _cli("backup", "--db", db)
    backup = tmp_path / "copy.db"
    _cli("backup", "--to", str(backup), "--db", db)
    _cli("restore", str(backup), "--yes", "--db", db)

    # An unexpected error whose message quotes a patient, through the app's hook.
    from PySide6.QtWidgets import QMessageBox

    from outreach.ui.application import _excepthook

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()))
    try:
        raise ValidationError({"email": f"{NEW_PATIENT[1]} is already used by {name}."})
    except ValidationError as exc:
        _excepthook(type(exc), exc, exc.__traceback__)
    assert shown and str(log_path) in shown[0]  # the dialog says where the log is

    for handler in logging.getLogger("outreach").handlers:
        handler.flush()
    assert log_file() == log_path
    text = "\n".join(p.read_text(encoding="utf-8") for p in log_path.parent.glob("outreach.log*"))
    # The log did record the scenario ...
    for expected in ("Import of posts", "Import of intake forms", "Backup written", "Restored",
                     "Opened the sqlite database", "Unexpected error", "ValidationError"):  # fmt: skip
        assert expected in text, expected
    # ... and nobody in it.
    secrets = _secrets(db_path) | set(NEW_PATIENT) | {SECRET_BODY}
    assert len(secrets) > 100
    leaked = sorted(s for s in secrets if s in text)
    assert not leaked, f"patient data in the log: {leaked[:5]}"
