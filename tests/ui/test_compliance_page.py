"""The Compliance page: figures for a period, plain sentences when there are none,
and the advice posts that need a check, checked from here."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QTableWidget,
)

from outreach.context import Actor
from outreach.services import posts as posts_svc
from outreach.ui import compliance_page, file_dialogs
from outreach.ui.compliance_page import CompliancePage
from outreach.ui.composer_dialog import ComposerDialog, MarkPostedDialog

DISCLAIMER = "General information only, not medical advice."
BODY = "Keeping the same wake time every day helps most people sleep better."


def _page(qtbot, store, actor) -> CompliancePage:
    page = CompliancePage(store, actor)
    qtbot.addWidget(page)
    return page


def _import_advice(store, actor, cid, body=BODY, days_ago=3) -> int:
    return posts_svc.create_post(
        store,
        actor,
        posts_svc.PostData(
            community_id=cid,
            posted_at=datetime.now(UTC) - timedelta(days=days_ago),
            kind="advice",
            title="Wake time",
            body=body,
        ),
        source="import",
    )


def test_an_empty_database_reads_as_sentences(qtbot, store, actor):
    page = _page(qtbot, store, actor)
    assert "no advice posts were logged and no checks recorded" in page.headline.text()
    assert "Advice posts are blocked" in page.policy.text()
    for section in (page.months, page.categories, page.overrides, page.needs_check):
        assert not section.isVisibleTo(page)
    start, end = page.period()
    assert end == date.today() and (end - start).days in (364, 365)


def test_an_imported_advice_post_is_listed_and_checked_from_here(
    qtbot, store, actor, passing_state, monkeypatch
):
    post_id = _import_advice(store, actor, passing_state)
    page = _page(qtbot, store, actor)
    assert page.needs_check.isVisibleTo(page)
    table = page.needs_check.table
    assert table.rowCount() == 1 and table.item(0, 3).text() == "Not checked"
    assert "1 advice post without a check" in page.needs_note.text()
    assert "1 never checked" in page.headline.text()

    def log(self):
        self.url.setText("https://www.reddit.com/r/insomnia/comments/xyz")
        self.save()
        return self.result()

    def check_and_save(self):
        assert self.post.id == post_id and self.editor.toPlainText() == BODY
        for box in self.checks.values():
            box.setChecked(True)
        self.check()
        self.mark_as_posted()
        return self.result()

    monkeypatch.setattr(MarkPostedDialog, "exec", log)
    monkeypatch.setattr(ComposerDialog, "exec", check_and_save)
    messages = []
    page.status_message.connect(messages.append)
    table.selectRow(0)
    page.check_selected()
    row = posts_svc.get_post(store, post_id)
    assert row.check_status == "checked" and row.check_id is not None
    # The disclaimer is part of the text that went through the check.
    assert row.body == BODY + "\n\n" + DISCLAIMER
    assert messages == ["Saved the post with its check"]
    assert page.needs_check.table.rowCount() == 0
    assert "1 check recorded" in page.headline.text()
    assert page.months.table.rowCount() == 1 and page.months.table.item(0, 1).text() == "1"


def test_overrides_and_findings_by_category_are_listed(
    qtbot, store, actor, passing_state, monkeypatch
):
    from outreach.services import compliance

    draft = compliance.Draft(passing_state, "Take 5 mg melatonin before bed.")
    result = compliance.evaluate(store, draft, {})
    answers = {item.key: True for item in result.checklist.items}
    reason = "Quoting the dose from the study under discussion."
    overrides = {compliance.finding_key(f): reason for f in result.findings if f.blocks}
    assert overrides
    compliance.record_check(store, actor, draft, answers, overrides)
    page = _page(qtbot, store, actor)
    assert page.categories.table.rowCount() >= 1
    assert page.categories.table.item(0, 0).text() == result.findings[0].category_label
    table = page.overrides.table
    assert table.rowCount() == len(overrides)
    assert table.item(0, 1).text() == "r/insomnia" and table.item(0, 4).text() == reason


def test_changed_after_check_posts_are_listed(qtbot, store, actor, passing_state):
    from outreach.services import compliance

    draft = compliance.Draft(passing_state, BODY)
    answers = {i.key: True for i in compliance.evaluate(store, draft, {}).checklist.items}
    record = compliance.record_check(store, actor, draft, answers)
    post_id = posts_svc.create_post(
        store,
        actor,
        posts_svc.PostData(
            community_id=passing_state,
            posted_at=datetime.now(UTC),
            kind="advice",
            body=record.final_text,
        ),
        check_id=record.id,
    )
    row = posts_svc.get_post(store, post_id)
    posts_svc.update_post(store, actor, post_id, replace(row.data(), body=row.body + " Edited."))
    page = _page(qtbot, store, actor)
    assert page.needs_check.table.rowCount() == 1
    assert page.needs_check.table.item(0, 3).text() == "Changed after check"
    assert "1 changed after their check" in page.headline.text()


def test_the_period_filters_the_figures(qtbot, store, actor, passing_state):
    _import_advice(store, actor, passing_state, days_ago=400)
    page = _page(qtbot, store, actor)
    assert not page.needs_check.isVisibleTo(page)
    page.date_from.setDate(page.date_from.date().addDays(-60))
    assert page.needs_check.table.rowCount() == 1


def test_staff_cannot_edit_the_checklist(qtbot, store):
    page = _page(qtbot, store, Actor(name="Office", role="staff"))
    assert not page.checklist_button.isEnabled()
    assert "Only the practitioner" in page.checklist_button.toolTip()


def test_evidence_report_is_written_in_the_background(
    qtbot, store, actor, passing_state, tmp_path, monkeypatch
):
    from outreach.services import compliance

    draft = compliance.Draft(passing_state, BODY)
    answers = {i.key: True for i in compliance.evaluate(store, draft, {}).checklist.items}
    compliance.record_check(store, actor, draft, answers)
    target = tmp_path / "evidence"
    monkeypatch.setattr(file_dialogs, "ask_save_file", lambda *a, **k: str(target))
    page = _page(qtbot, store, actor)
    page.pdf_button.click()
    qtbot.waitUntil(lambda: page.result.text().startswith("Saved"), timeout=20000)
    pdf = tmp_path / "evidence.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    assert str(pdf) in page.result.text()


def test_demo_data_fills_every_section(qtbot, store, actor):
    from outreach.services.demo import generate_demo

    generate_demo(store, actor, scale="small")
    page = _page(qtbot, store, actor)
    assert page.summary.checks > 0 and page.months.table.rowCount() > 0
    assert page.needs_check.table.rowCount() > 0
    assert compliance_page.evidence_pdf_available()


def test_controls_have_names_and_unique_mnemonics(qtbot, store, actor, passing_state):
    _import_advice(store, actor, passing_state)
    page = _page(qtbot, store, actor)
    for cls in (QAbstractButton, QComboBox, QLineEdit, QTableWidget):
        for widget in page.findChildren(cls):
            # Parts of compound widgets (a date edit's line edit, a table's corner) aside.
            if not isinstance(widget.parent(), (QAbstractSpinBox, QAbstractScrollArea)):
                assert widget.accessibleName(), type(widget).__name__
    keys = [
        m.group(1).lower()
        for w in page.findChildren(QAbstractButton) + page.findChildren(QLabel)
        if (m := re.search(r"&(\w)", w.text()))
    ]
    assert len(keys) == len(set(keys)), sorted(keys)
    # The main window's menus keep Alt+F, E, V and H.
    assert not set(keys) & set("fevh")
