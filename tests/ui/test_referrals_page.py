from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QDialog

from outreach.services import communities as com
from outreach.services import contacts as contacts_svc
from outreach.services import referrals as referrals_svc
from outreach.ui import referrals_page
from outreach.ui.referrals_page import ReferralsPage


def test_unattributed_queue_and_assigning(qtbot, store, actor, monkeypatch):
    cid = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    who = contacts_svc.create_contact(store, actor, contacts_svc.ContactData(name="Bo"))
    referrals_svc.save_referral(
        store,
        actor,
        who,
        referrals_svc.ReferralData(completed_on=date(2025, 3, 2), source_text="a friend"),
    )
    page = ReferralsPage(store, actor)
    qtbot.addWidget(page)
    assert page.totals.text() == "1 referral · 1 waiting to be assigned"
    page.queue.setCurrentIndex(1)
    assert page.model.total == 1
    page.select_id(page.model.row_at(0).id)
    monkeypatch.setattr(
        referrals_page.AssignDialog, "exec", lambda self: QDialog.DialogCode.Accepted
    )
    page.assign()
    assert contacts_svc.get_contact(store, who).attributed_community_id == cid
    assert page.model.total == 0
    assert page.totals.text() == "0 referrals · 0 waiting to be assigned"


def test_empty_referrals_page_says_how_to_fill_it(qtbot, store, actor):
    page = ReferralsPage(store, actor)
    qtbot.addWidget(page)
    assert page.stack.currentWidget() is page.empty
    assert "Import intake forms" in page.empty.text()


def test_intake_form_entered_by_hand(qtbot, store, actor):
    from outreach.ui.referral_dialog import ReferralDialog

    who = contacts_svc.create_contact(store, actor, contacts_svc.ContactData(name="Bo"))
    dialog = ReferralDialog(store, actor, who)
    qtbot.addWidget(dialog)
    dialog.dates["completed_on"].set_value(date(2025, 3, 2))
    dialog.dates["sent_on"].set_value(date(2025, 3, 5))
    dialog.save()
    assert "before the form was sent" in dialog.form.error_text("completed_on")
    dialog.dates["sent_on"].set_value(date(2025, 3, 1))
    dialog.answers["answer_useful"].setPlainText("Yes")
    dialog.source.setText("a podcast")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = referrals_svc.get_referral(store, who)
    assert (saved.completed_on, saved.answer_useful) == (date(2025, 3, 2), "Yes")
    assert contacts_svc.get_contact(store, who).stage == "intake_completed"
