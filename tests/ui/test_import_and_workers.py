from __future__ import annotations

import pytest

from outreach.errors import Cancelled
from outreach.services import communities as com
from outreach.services import posts as posts_svc
from outreach.ui.import_dialog import ImportDialog
from outreach.ui.workers import Task, run_with_progress


def test_import_dialog_names_the_bad_row_and_imports_nothing(qtbot, store, actor, tmp_path):
    com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    path = tmp_path / "posts.csv"
    path.write_text(
        "Community;Date;Type;Subject;Minutes\n"
        "r/sleep;2025-03-01;answer;Fine;10\n"
        "r/sleep;2025-03-02;answer;Bad;ten\n",
        encoding="utf-8",
    )
    dialog = ImportDialog(store, actor, "posts", str(path))
    qtbot.addWidget(dialog)
    assert dialog.combos["posted_at"].currentText() == "Date"
    assert dialog.combos["minutes_spent"].currentText() == "Minutes"
    dialog.run(dry_run=False)
    qtbot.waitUntil(lambda: "Row 3" in dialog.report.toPlainText(), timeout=10_000)
    assert "Nothing was imported" in dialog.report.toPlainText()
    assert posts_svc.list_posts(store).total == 0


def test_import_dialog_mapping_override_then_import(qtbot, store, actor, tmp_path):
    com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    path = tmp_path / "posts.csv"
    path.write_text(
        "where,when,what,headline,effort\nr/sleep,2025-03-01,answer,Hi,12\n", encoding="utf-8"
    )
    dialog = ImportDialog(store, actor, "posts", str(path))
    qtbot.addWidget(dialog)
    for field, header in {
        "community": "where",
        "posted_at": "when",
        "kind": "what",
        "minutes_spent": "effort",
    }.items():
        dialog.combos[field].setCurrentIndex(dialog.combos[field].findData(header))
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.run(dry_run=False)
    assert posts_svc.list_posts(store).rows[0].minutes_spent == 12


def test_worker_cancel_reaches_the_work(qtbot):
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    started = []

    def work(progress):
        done = 0
        while progress(done, 1000):
            started.append(done)
            done += 1
            if done > 10_000_000:
                return "never cancelled"
        raise Cancelled()

    errors = []
    task = run_with_progress(
        parent, "Working...", work, lambda result: errors.append(result), errors.append
    )
    qtbot.waitUntil(lambda: len(started) > 5)
    with qtbot.waitSignal(task.signals.failed, timeout=10_000):
        task.cancel()
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], Cancelled)


def test_task_reports_its_result():
    task = Task(lambda progress: 42)
    results = []
    task.signals.finished.connect(results.append)
    task.run()
    assert results == [42]


@pytest.mark.parametrize("exc", [ValueError("boom")])
def test_task_reports_failures_instead_of_losing_them(exc):
    def work(progress):
        raise exc

    task = Task(work)
    failures = []
    task.signals.failed.connect(failures.append)
    task.run()
    assert failures == [exc]


def test_intake_import_dialog_shows_the_dry_run_counts_first(qtbot, store, actor, tmp_path):
    from outreach.services import contacts as contacts_svc

    path = tmp_path / "intake.csv"
    path.write_text(
        "\ufeffFull name;E-mail;Date submitted;How did you hear about us?\r\n"
        "Ana Lima;ana@example.org;2025-03-02;a friend\r\n",
        encoding="utf-8",
    )
    dialog = ImportDialog(store, actor, "intake", str(path))
    qtbot.addWidget(dialog)
    assert dialog.combos["source_text"].currentText() == "How did you hear about us?"
    assert not dialog.import_button.isEnabled()  # check first
    dialog.run(dry_run=True)
    qtbot.waitUntil(lambda: "would be imported" in dialog.report.toPlainText(), timeout=10_000)
    assert dialog.import_button.isEnabled()
    dialog.combos["answer_where"].setCurrentIndex(1)
    assert not dialog.import_button.isEnabled()  # a new mapping needs a new check
    dialog.combos["answer_where"].setCurrentIndex(0)
    assert (
        "1 new" in dialog.report.toPlainText() and "1 unattributed" in dialog.report.toPlainText()
    )
    assert contacts_svc.list_contacts(store).total == 0
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.run(dry_run=False)
    assert contacts_svc.list_contacts(store).total == 1
