"""The audit-trail dialog lists the database's events, newest first, filters them
in SQL and pages as it scrolls."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate

from outreach.context import PRACTITIONER, Actor
from outreach.services import auth
from outreach.services import communities as com
from outreach.ui.audit_page import AuditDialog, short_ids


def _column(dialog, title):
    column = [c.title for c in dialog.model.columns].index(title)
    return [dialog.model.index(r, column).data() for r in range(dialog.model.rowCount())]


def test_lists_events_from_the_database_and_filters_them(qtbot, store):
    owner_id = auth.create_account(store, PRACTITIONER, "maria", "correct horse", "owner", "Maria")
    maria = auth.sign_in(store, "maria", "correct horse")
    store.actor = maria
    com.create_community(store, maria, com.CommunityData(name="r/insomnia", platform="reddit"))
    store.actor = PRACTITIONER
    com.create_community(store, PRACTITIONER, com.CommunityData(name="Forum", platform="forum"))
    dialog = AuditDialog(store, maria)
    qtbot.addWidget(dialog)
    total = dialog.model.total
    assert total >= 4
    assert _column(dialog, "Action")[0] == "Added"  # newest first
    assert "Signed in" in _column(dialog, "Action")
    assert "Communities" in _column(dialog, "Record type")
    fields = _column(dialog, "Fields")[_column(dialog, "Record type").index("Communities")]
    assert "name" in fields and "r/insomnia" not in fields  # names of fields, not values

    dialog.action.setCurrentIndex(dialog.action.findData("sign_in"))
    assert _column(dialog, "Action") == ["Signed in"]
    assert _column(dialog, "Who") == ["Maria"]
    dialog.action.setCurrentIndex(0)

    dialog.entity.setCurrentIndex(dialog.entity.findData("communities"))
    assert set(_column(dialog, "Record type")) == {"Communities"}
    assert dialog.model.total == 2
    dialog.person.setCurrentIndex(dialog.person.findData(f"user:{owner_id}"))
    assert _column(dialog, "Who") == ["Maria"]
    dialog.person.setCurrentIndex(dialog.person.findData("name:Practitioner"))
    assert _column(dialog, "Who") == ["Practitioner"]
    assert dialog.totals.text() == "1 event"

    dialog.person.setCurrentIndex(0)
    dialog.entity.setCurrentIndex(0)
    dialog.use_dates.setChecked(True)
    assert dialog.model.total == total  # the last 30 days hold them all
    old = date.today() - timedelta(days=400)
    dialog.date_to.setDate(QDate(old.year, old.month, old.day))
    dialog.date_from.setDate(QDate(old.year - 1, old.month, old.day))
    assert dialog.model.rowCount() == 0 and dialog.totals.text() == "No events match."


def test_pages_in_sql_as_it_scrolls(qtbot, store, actor, seeded):
    dialog = AuditDialog(store, actor)
    qtbot.addWidget(dialog)
    assert dialog.model.total > 450
    assert dialog.model.rowCount() == 200 and dialog.model.canFetchMore()
    dialog.model.fetchMore()
    assert dialog.model.rowCount() == 400


def test_staff_are_told_they_cannot_read_it(qtbot, store, _no_blocking_message_boxes):
    dialog = AuditDialog(store, Actor("Sam", "staff", 7))
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 0
    kind, args = _no_blocking_message_boxes[-1]
    assert kind == "warning" and "Only the practitioner can read the audit trail" in args[2]


def test_many_record_ids_are_shortened():
    assert short_ids(["1", "2"]) == "1, 2"
    assert short_ids([str(i) for i in range(50)]) == "0, 1, 2 and 47 more"
