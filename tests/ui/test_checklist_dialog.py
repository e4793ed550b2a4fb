"""The checklist editor: each save is a new version; removing and restoring ask first."""

from __future__ import annotations

from outreach.context import Actor
from outreach.services import checklist as svc
from outreach.ui import confirm
from outreach.ui.checklist_dialog import ChecklistDialog


def _dialog(qtbot, store, actor) -> ChecklistDialog:
    dialog = ChecklistDialog(store, actor)
    qtbot.addWidget(dialog)
    return dialog


def test_editing_and_saving_makes_a_new_version(qtbot, store, actor):
    dialog = _dialog(qtbot, store, actor)
    assert "Version 1" in dialog.version_label.text()
    first = svc.current_checklist(store).items[0]
    dialog.list.setCurrentRow(0)
    dialog.text.setPlainText("I post only from my professional account.")
    dialog.required.setChecked(False)
    dialog.add()
    qtbot.keyClicks(dialog.text, "I read the whole thread before answering.")
    dialog.help.setPlainText("Context changes what an answer means.")
    dialog.note.setText("two changes")
    assert dialog.save()
    assert "Saved as version 2" in dialog.version_label.text()
    assert "version 2" in dialog.message.text()
    current = svc.current_checklist(store)
    assert current.version == 2
    edited, added = current.items[0], current.items[1]
    # The edited item keeps its key, so answers and evidence still refer to it.
    assert (edited.key, edited.text, edited.required) == (
        first.key,
        "I post only from my professional account.",
        False,
    )
    assert added.text == "I read the whole thread before answering."
    assert added.help == "Context changes what an answer means." and added.required
    assert len(svc.get_version(store, 1).items) == len(current.items) - 1
    # Saving again without a change makes no new version.
    assert dialog.save()
    assert svc.current_checklist(store).version == 2
    assert "Nothing changed" in dialog.message.text()


def test_remove_asks_first_and_reorder_moves(qtbot, store, actor, monkeypatch):
    dialog = _dialog(qtbot, store, actor)
    count = dialog.list.count()
    dialog.list.setCurrentRow(0)
    second = dialog.items[1].key
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: False)
    dialog.remove()
    assert dialog.list.count() == count
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: True)
    dialog.remove()
    assert dialog.list.count() == count - 1 and dialog.items[0].key == second
    dialog.list.setCurrentRow(0)
    dialog.move(1)
    assert dialog.items[1].key == second and dialog.list.currentRow() == 1
    assert not dialog.down_button.isEnabled() or dialog.list.currentRow() < count - 2
    dialog.save()
    assert svc.current_checklist(store).items[1].key == second


def test_an_empty_item_is_refused_with_a_sentence(qtbot, store, actor):
    dialog = _dialog(qtbot, store, actor)
    dialog.list.setCurrentRow(dialog.list.count() - 1)
    dialog.add()
    assert not dialog.save()
    assert "has no text" in dialog.message.text()
    assert svc.current_checklist(store).version == 1


def test_restore_default_asks_and_saves_a_version(qtbot, store, actor, monkeypatch):
    dialog = _dialog(qtbot, store, actor)
    dialog.list.setCurrentRow(0)
    dialog.text.setPlainText("Changed wording")
    dialog.save()
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: False)
    dialog.restore()
    assert svc.current_checklist(store).version == 2
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: True)
    dialog.restore()
    current = svc.current_checklist(store)
    assert current.version == 3 and current.items == svc.default_items()
    assert "version 3" in dialog.version_label.text()


def test_closing_with_unsaved_changes_asks(qtbot, store, actor, monkeypatch):
    dialog = _dialog(qtbot, store, actor)
    dialog.show()
    dialog.list.setCurrentRow(0)
    dialog.text.setPlainText("Something else")
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: False)
    dialog.reject()
    assert dialog.isVisible()
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: True)
    dialog.reject()
    assert not dialog.isVisible()


def test_staff_see_the_checklist_but_cannot_change_it(qtbot, store):
    dialog = _dialog(qtbot, store, Actor(name="Office", role="staff"))
    assert dialog.list.count() > 0
    assert not dialog.save_button.isEnabled() and not dialog.add_button.isEnabled()
    assert "Only the practitioner" in dialog.message.text()
