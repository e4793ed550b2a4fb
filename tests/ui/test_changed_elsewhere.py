"""Edit dialogs save only over the version they opened: another desk's save in
between is reported with a sentence and the dialog keeps what was typed."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QDialog

from outreach.services import communities as com
from outreach.services import contacts
from outreach.store import open_store
from outreach.ui.community_dialog import CommunityDialog
from outreach.ui.contact_dialog import ContactDialog


def test_a_community_saved_by_another_desk_is_not_overwritten(
    qtbot, store, actor, _no_blocking_message_boxes
):
    cid = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    dialog = CommunityDialog(store, actor, cid)
    qtbot.addWidget(dialog)
    other = open_store(store.url)
    try:
        row = com.get_community(other, cid)
        com.update_community(other, actor, cid, replace(row.data(), topic="theirs"))
    finally:
        other.dispose()
    dialog.topic.setText("mine")
    dialog.save()
    assert dialog.result() != QDialog.DialogCode.Accepted
    kind, args = _no_blocking_message_boxes[-1]
    assert kind == "warning" and "changed by someone else" in args[2]
    assert dialog.topic.text() == "mine"  # nothing typed is lost
    assert com.get_community(store, cid).topic == "theirs"


def test_saving_twice_from_one_dialog_is_not_a_conflict(qtbot, store, actor):
    cid = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    dialog = CommunityDialog(store, actor, cid)
    qtbot.addWidget(dialog)
    dialog.topic.setText("rest")
    dialog.aliases.setText("x" * 300)  # an alias error after the community was saved
    dialog.save()
    dialog.aliases.setText("")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_a_contact_edit_passes_the_version_it_opened(
    qtbot, store, actor, _no_blocking_message_boxes
):
    kid = contacts.create_contact(store, actor, contacts.ContactData(name="Ana Lima"))
    dialog = ContactDialog(store, actor, kid)
    qtbot.addWidget(dialog)
    row = contacts.get_contact(store, kid)
    contacts.update_contact(store, actor, kid, replace(row, location="Porto"))
    dialog.save()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "reload it" in _no_blocking_message_boxes[-1][1][2]
