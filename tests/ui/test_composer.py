"""The composer: findings as you type, the gate's refusals, the check, and logging the post."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QTextCharFormat
from PySide6.QtWidgets import QDialog

from outreach.context import Actor
from outreach.services import communities as com
from outreach.services import compliance, risk_scan
from outreach.services import posts as posts_svc
from outreach.ui import composer_dialog, desktop
from outreach.ui.composer_dialog import ComposerDialog, MarkPostedDialog, ReasonDialog

RISKY = "You should stop taking your sertraline and take 5 mg melatonin"
SAFE = "Keeping the same wake time every day helps most people sleep better."
DISCLAIMER = "General information only, not medical advice."
REASON = "Quoting the label of an over-the-counter product, not advising anyone."


def _composer(qtbot, store, actor, cid, body="", **kwargs) -> ComposerDialog:
    dialog = ComposerDialog(store, actor, community_id=cid, body=body, **kwargs)
    qtbot.addWidget(dialog)
    return dialog


def _marked(editor) -> list[tuple[str, QTextCharFormat]]:
    """The words the highlighter painted, with their formats."""
    text = editor.toPlainText()
    out = []
    block = editor.document().begin()
    while block.isValid():
        for r in block.layout().formats():
            start = block.position() + r.start
            out.append((text[start : start + r.length], QTextCharFormat(r.format)))
        block = block.next()
    return out


def _tick_all(dialog: ComposerDialog) -> None:
    for box in dialog.checks.values():
        box.setChecked(True)


def _override_all(dialog: ComposerDialog, monkeypatch, reason: str = REASON) -> None:
    monkeypatch.setattr(composer_dialog, "ask_reason", lambda *a, **k: reason)
    for row in range(dialog.findings.count()):
        dialog.findings.setCurrentRow(row)
        if dialog.selected_finding().severity == "block":
            dialog.override_selected_finding()


def test_typing_a_risky_draft_lists_and_highlights_findings(
    qtbot, store, actor, passing_state, monkeypatch
):
    calls = []
    real = compliance.evaluate
    monkeypatch.setattr(compliance, "evaluate", lambda *a, **k: calls.append(1) or real(*a, **k))
    dialog = _composer(qtbot, store, actor, passing_state)
    before = len(calls)
    qtbot.keyClicks(dialog.editor, RISKY)
    # Not per keystroke: one evaluation once the typing pauses.
    assert len(calls) == before
    qtbot.waitUntil(lambda: dialog.findings.count() >= 2)
    assert len(calls) <= before + 2
    listed = "\n".join(dialog.findings.item(r).text() for r in range(dialog.findings.count()))
    assert "Treatment directive" in listed and "Dosage" in listed
    marked = _marked(dialog.editor)
    words = " ".join(w for w, _ in marked).lower()
    assert "stop" in words and "5 mg" in words
    assert all(
        f.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline for _, f in marked
    )
    assert "safe" not in words
    # The blockers say what to do, in sentences.
    assert "or override it with a reason" in dialog.blockers.text()
    # The preview is the final text: the disclaimer is appended.
    assert dialog.preview.toPlainText() == RISKY + "\n\n" + DISCLAIMER


def test_edit_selects_the_words_in_the_editor(qtbot, store, actor, passing_state):
    dialog = _composer(qtbot, store, actor, passing_state, body="  " + RISKY)
    dialog.findings.setCurrentRow(0)
    finding = dialog.selected_finding()
    dialog.edit_selected_finding()
    assert dialog.editor.textCursor().selectedText() == finding.matched


def test_check_is_refused_until_the_checklist_and_overrides(
    qtbot, store, actor, passing_state, monkeypatch
):
    dialog = _composer(qtbot, store, actor, passing_state, body=RISKY)
    dialog.check()
    assert dialog.record is None
    assert "does not pass" in dialog.status.text()
    _tick_all(dialog)
    dialog.check()
    assert dialog.record is None and "or override it with a reason" in dialog.status.text()
    assert not dialog.mark_button.isEnabled()
    _override_all(dialog, monkeypatch)
    assert "overridden" in dialog.findings.item(0).text()
    assert dialog.evaluation.passed
    dialog.check()
    assert dialog.record is not None
    assert f"evidence record #{dialog.record.id}" in dialog.status.text()
    assert dialog.check_state() == "checked" and dialog.mark_button.isEnabled()


def test_an_override_with_a_short_reason_is_refused(
    qtbot, store, actor, passing_state, monkeypatch
):
    reason = ReasonDialog("Override a finding", "Dosage: 5 mg")
    qtbot.addWidget(reason)
    reason.reason.setPlainText("it's fine")
    reason.accept()
    assert reason.result() != QDialog.DialogCode.Accepted
    assert "at least 10 characters" in reason.error.text()
    reason.reason.setPlainText("The dose is quoted from the study, not advised.")
    reason.accept()
    assert reason.result() == QDialog.DialogCode.Accepted
    # And the gate refuses one that got past the dialog.
    dialog = _composer(qtbot, store, actor, passing_state, body=RISKY)
    _tick_all(dialog)
    _override_all(dialog, monkeypatch, reason="ok")
    dialog.check()
    assert dialog.record is None
    assert "at least 10 characters" in dialog.status.text()


def _fake_mark_posted(monkeypatch, url="https://reddit.com/r/insomnia/comments/abc", minutes=20):
    def exec_(self):
        self.url.setText(url)
        self.minutes.setValue(minutes)
        self.save()
        return self.result()

    monkeypatch.setattr(MarkPostedDialog, "exec", exec_)


def test_mark_as_posted_logs_the_checked_final_text(
    qtbot, store, actor, passing_state, monkeypatch
):
    dialog = _composer(qtbot, store, actor, passing_state, body=RISKY, title="Melatonin")
    _tick_all(dialog)
    _override_all(dialog, monkeypatch)
    dialog.check()
    final = dialog.evaluation.composition.final_text
    _fake_mark_posted(monkeypatch)
    dialog.mark_as_posted()
    assert dialog.result() == QDialog.DialogCode.Accepted
    row = posts_svc.get_post(store, dialog.saved_post_id)
    assert row.check_status == "checked" and row.check_id == dialog.record.id
    assert row.body == final and row.kind == "advice"
    assert (row.url, row.minutes_spent, row.title) == (
        "https://reddit.com/r/insomnia/comments/abc",
        20,
        "Melatonin",
    )


def test_a_bad_address_shows_beside_the_field_and_logs_nothing(
    qtbot, store, actor, passing_state, monkeypatch
):
    dialog = _composer(qtbot, store, actor, passing_state, body=SAFE)
    _tick_all(dialog)
    dialog.check()
    shown = []

    def exec_(self):
        self.url.setText("not an address")
        self.save()
        shown.append(self.form.error_text("url"))
        return self.result()

    monkeypatch.setattr(MarkPostedDialog, "exec", exec_)
    dialog.mark_as_posted()
    assert "web address" in shown[0]
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert posts_svc.list_posts(store).total == 0


def test_editing_after_the_check_shows_changed(qtbot, store, actor, passing_state):
    dialog = _composer(qtbot, store, actor, passing_state, body=SAFE)
    _tick_all(dialog)
    dialog.check()
    assert dialog.check_state() == "checked"
    dialog.editor.moveCursor(dialog.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(dialog.editor, " Most nights.")
    qtbot.waitUntil(lambda: "Changed after check" in dialog.status.text())
    assert not dialog.mark_button.isEnabled()
    # Back to the checked words: the check covers them again.
    dialog.editor.setPlainText(SAFE)
    dialog.flush()
    assert dialog.check_state() == "checked"


def test_copy_gives_the_exact_final_text_and_warns_when_unchecked(
    qtbot, store, actor, passing_state, monkeypatch
):
    QGuiApplication.clipboard().setText("before")
    dialog = _composer(qtbot, store, actor, passing_state, body=SAFE)
    asked = []
    monkeypatch.setattr(desktop, "ask_yes_no", lambda *a: asked.append(a[1]) or False)
    dialog.copy_final_text()
    assert asked == ["Copy unchecked text"]
    assert QGuiApplication.clipboard().text() == "before"
    _tick_all(dialog)
    dialog.check()
    dialog.copy_final_text()
    assert len(asked) == 1
    assert QGuiApplication.clipboard().text() == SAFE + "\n\n" + DISCLAIMER


def test_a_crisis_offers_the_crisis_reply(qtbot, store, actor, passing_state):
    dialog = _composer(
        qtbot, store, actor, passing_state, body="Some nights I want to kill myself."
    )
    assert dialog.evaluation.crisis
    assert dialog.crisis_button.isVisibleTo(dialog)
    assert any(f.severity == "crisis" for f in dialog.evaluation.findings)
    dialog.crisis_button.click()
    assert dialog.editor.toPlainText() == risk_scan.crisis_reply()
    assert not dialog.crisis_button.isVisibleTo(dialog)


def test_staff_cannot_check(qtbot, store, actor, passing_state):
    staff = Actor(name="Office", role="staff")
    dialog = _composer(qtbot, store, staff, passing_state, body=SAFE)
    _tick_all(dialog)
    assert not dialog.check_button.isEnabled()
    assert "practitioner" in dialog.check_button.toolTip()
    dialog.check()  # even if called, the service refuses
    assert dialog.record is None and "Only the practitioner" in dialog.status.text()


def test_policy_problem_blocks_and_is_shown(qtbot, store, actor):
    cid = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    dialog = _composer(qtbot, store, actor, cid, body=SAFE)
    assert "Advice posts are blocked" in dialog.policy_label.text()
    assert "Confirm with your insurer" in dialog.blockers.text()
    # Whether the community allows advice is not recorded: a warning, not a blocker.
    assert "not recorded" in dialog.warnings.text()


def test_rules_forbidding_advice_need_an_override(qtbot, store, actor, passing_state, monkeypatch):
    cid = com.create_community(
        store, actor, com.CommunityData(name="Health Union", advice_allowed=False)
    )
    dialog = _composer(qtbot, store, actor, cid, body=SAFE)
    _tick_all(dialog)
    assert dialog.rules_override_button.isVisibleTo(dialog)
    assert "does not allow advice" in dialog.blockers.text()
    monkeypatch.setattr(
        composer_dialog, "ask_reason", lambda *a, **k: "A moderator asked me to answer this."
    )
    dialog.override_rules()
    assert dialog.evaluation.passed


def test_every_control_has_an_accessible_name_and_mnemonics_are_unique(
    qtbot, store, actor, passing_state
):
    import re

    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QPlainTextEdit

    dialog = _composer(qtbot, store, actor, passing_state, body=RISKY + ". I want to kill myself.")
    for cls in (QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit):
        for widget in dialog.findChildren(cls):
            if not isinstance(widget.parent(), (QComboBox,)):
                assert widget.accessibleName(), type(widget).__name__
    keys = [
        m.group(1).lower()
        for w in dialog.findChildren(QAbstractButton) + dialog.findChildren(QLabel)
        if (m := re.search(r"&(\w)", w.text()))
    ]
    assert len(keys) == len(set(keys)), sorted(keys)
    for box in dialog.checks.values():
        assert box.accessibleDescription().startswith(("Required.", "Advisory."))


def _check_and_log(monkeypatch):
    """Stand-ins for the modal loops: tick everything, check, then log the post."""

    def composer_exec(self):
        _tick_all(self)
        self.check()
        self.mark_as_posted()
        return self.result()

    monkeypatch.setattr(ComposerDialog, "exec", composer_exec)
    _fake_mark_posted(monkeypatch)


def test_post_dialog_sends_a_new_advice_post_through_the_composer(
    qtbot, store, actor, passing_state, monkeypatch
):
    from outreach.ui.post_dialog import PostDialog

    dialog = PostDialog(store, actor, community_id=passing_state)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("advice"))
    dialog.title.setText("Wake time")
    dialog.body.setPlainText(SAFE)
    assert not dialog.save_button.isEnabled()
    _check_and_log(monkeypatch)
    dialog.check_and_log.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    row = posts_svc.get_post(store, dialog.saved_id)
    assert (row.kind, row.title, row.check_status) == ("advice", "Wake time", "checked")
    assert row.body == SAFE + "\n\n" + DISCLAIMER


def test_posts_page_composes_and_checks_the_selected_post(
    qtbot, store, actor, passing_state, monkeypatch, _no_blocking_message_boxes
):
    from datetime import UTC, datetime

    from outreach.ui.posts_page import PostsPage

    answer = posts_svc.create_post(
        store,
        actor,
        posts_svc.PostData(passing_state, datetime.now(UTC), "answer", title="An answer"),
    )
    imported = posts_svc.create_post(
        store,
        actor,
        posts_svc.PostData(passing_state, datetime.now(UTC), "advice", body=SAFE),
        source="import",
    )
    page = PostsPage(store, actor)
    qtbot.addWidget(page)
    _check_and_log(monkeypatch)
    page.select_id(answer)
    page.check_selected()
    assert "need a check" in _no_blocking_message_boxes[-1][1][2]
    page.select_id(imported)
    page.check_selected()
    assert posts_svc.get_post(store, imported).check_status == "checked"
    assert page.model.row_at(page.table.currentIndex().row()).check_status == "checked"
    page.compose()  # an empty draft cannot pass: nothing is logged
    assert posts_svc.list_posts(store).total == 2
