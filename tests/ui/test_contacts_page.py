from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import QDialog

from outreach.services import communities as com
from outreach.services import contacts as svc
from outreach.ui import confirm
from outreach.ui.contact_actions import InteractionDialog, MoveStageDialog
from outreach.ui.contact_dialog import ContactDialog
from outreach.ui.contacts_page import ContactsPage


def test_add_a_contact_with_only_a_handle(qtbot, store, actor):
    cid = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    dialog = ContactDialog(store, actor)
    qtbot.addWidget(dialog)
    dialog.handle.setText("u/tired_parent")
    dialog.community.setCurrentIndex(dialog.community.findData(cid))
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    row = svc.get_contact(store, dialog.saved_id)
    assert row.attributed_community == "r/sleep" and row.stage == "engaged"


def test_contact_errors_show_beside_the_field(qtbot, store, actor):
    dialog = ContactDialog(store, actor)
    qtbot.addWidget(dialog)
    dialog.save()
    assert "at least a handle" in dialog.form.error_text("handle")
    dialog.name.setText("Sam")
    dialog.email.setText("sam-at-example")
    dialog.save()
    assert "email address" in dialog.form.error_text("email")
    assert svc.list_contacts(store).total == 0


def test_move_stage_and_log_interaction_fill_the_timeline(qtbot, store, actor):
    cid = svc.create_contact(store, actor, svc.ContactData(handle="u/x"))
    page = ContactsPage(store, actor)
    qtbot.addWidget(page)
    page.select_id(cid)
    move = MoveStageDialog(store, actor, cid)
    qtbot.addWidget(move)
    move.stage.setCurrentIndex(move.stage.findData("inquired"))
    move.save()
    log = InteractionDialog(store, actor, cid)
    qtbot.addWidget(log)
    log.channel.setCurrentIndex(log.channel.findData("email"))
    log.note.setPlainText("Sent the general sleep-hygiene handout")
    log.save()
    page.refresh(keep_id=cid)
    page.show_timeline()
    texts = [page.timeline.item(i).text() for i in range(page.timeline.count())]
    assert any("Stage: Inquired (from Engaged)" in t for t in texts)
    assert any("Email" in t and "handout" in t for t in texts)
    assert page.model.row_at(page.model.position_of(cid)).stage == "inquired"


def test_views_and_delete(qtbot, store, actor, monkeypatch):
    due = svc.create_contact(store, actor, svc.ContactData(handle="due", follow_up_on=date.today()))
    svc.create_contact(
        store, actor, svc.ContactData(handle="later", follow_up_on=date.today() + timedelta(days=9))
    )
    page = ContactsPage(store, actor)
    qtbot.addWidget(page)
    assert page.model.total == 2
    page.view.setCurrentIndex(page.view.findData("follow_ups"))
    assert page.model.total == 1 and page.model.row_at(0).id == due
    page.select_id(due)
    monkeypatch.setattr(confirm, "ask", lambda *a: True)
    page.delete_selected()
    assert svc.list_contacts(store).total == 1


def test_duplicates_dialog_merges_side_by_side(qtbot, store, actor, monkeypatch):
    from outreach.ui.duplicates_dialog import DuplicatesDialog

    a = svc.create_contact(store, actor, svc.ContactData(handle="u/ana", email="ana@example.org"))
    b = svc.create_contact(store, actor, svc.ContactData(name="Ana Lima", email="ANA@example.org"))
    dialog = DuplicatesDialog(store, actor)
    qtbot.addWidget(dialog)
    assert dialog.pairs_list.count() == 1
    assert dialog.sides[1]["name"].text() == "Ana Lima"
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: True)
    dialog.merge(0)  # keep the first
    assert dialog.merged == 1 and dialog.pairs_list.count() == 0
    assert dialog.empty.isVisibleTo(dialog)
    assert svc.get_contact(store, a).name == "Ana Lima"
    assert svc.list_contacts(store).total == 1
    del b


def test_send_intake_link_opens_mail_and_marks_sent(qtbot, store, actor, monkeypatch):
    from outreach.services.profile import set_setting
    from outreach.ui import desktop

    set_setting(store, actor, "intake_form_url", "https://example.org/intake")
    cid = com.create_community(
        store, actor, com.CommunityData(name="r/sleep", intake_code="RSLEEP24")
    )
    who = svc.create_contact(
        store, actor, svc.ContactData(email="x@example.org", first_community_id=cid)
    )
    page = ContactsPage(store, actor)
    qtbot.addWidget(page)
    page.select_id(who)
    opened = []
    monkeypatch.setattr(desktop, "open_url", lambda url: opened.append(url) or True)
    monkeypatch.setattr(desktop, "ask_yes_no", lambda *a: True)
    page.send_intake_link()
    assert opened and opened[0].startswith("mailto:x@example.org")
    assert svc.get_contact(store, who).stage == "intake_sent"


def test_copy_community_intake_link(qtbot, store, actor, monkeypatch):
    from outreach.services.profile import set_setting
    from outreach.ui import desktop
    from outreach.ui.communities_page import CommunitiesPage

    set_setting(store, actor, "intake_form_url", "https://example.org/intake")
    cid = com.create_community(
        store, actor, com.CommunityData(name="r/sleep", intake_code="RSLEEP24")
    )
    page = CommunitiesPage(store, actor)
    qtbot.addWidget(page)
    page.select_id(cid)
    copied = []
    monkeypatch.setattr(desktop, "copy_text", copied.append)
    page.copy_link()
    assert copied == [
        "https://example.org/intake?utm_source=r_sleep&utm_medium=community&utm_campaign=rsleep24"
    ]


def test_pipeline_board_counts_and_moves(qtbot, store, actor):
    from outreach.ui.pipeline_dialog import PipelineDialog

    a = svc.create_contact(store, actor, svc.ContactData(handle="u/a"))
    svc.create_contact(store, actor, svc.ContactData(handle="u/b"))
    dialog = PipelineDialog(store, actor)
    qtbot.addWidget(dialog)
    assert dialog.headers["engaged"].text() == "Engaged (2)"
    column = dialog.columns["engaged"]
    item = next(column.item(i) for i in range(column.count()) if "u/a" in column.item(i).text())
    column.setCurrentItem(item)
    dialog.target.setCurrentIndex(dialog.target.findData("inquired"))
    dialog.move_selected()
    assert dialog.headers["inquired"].text() == "Inquired (1)"
    assert svc.get_contact(store, a).stage == "inquired"
    assert dialog.moved == 1


def test_first_post_and_interaction_post_pickers(qtbot, store, actor):
    from outreach.services import posts as posts_svc
    from outreach.timeutil import now_utc

    cid = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    pid = posts_svc.create_post(
        store,
        actor,
        posts_svc.PostData(community_id=cid, posted_at=now_utc(), kind="answer", title="Naps"),
    )
    dialog = ContactDialog(store, actor)
    qtbot.addWidget(dialog)
    dialog.handle.setText("u/x")
    dialog.community.setCurrentIndex(dialog.community.findData(cid))
    dialog.post.setCurrentIndex(dialog.post.findData(pid))
    dialog.save()
    assert svc.get_contact(store, dialog.saved_id).first_post_id == pid
    log = InteractionDialog(store, actor, dialog.saved_id)
    qtbot.addWidget(log)
    log.community.setCurrentIndex(log.community.findData(cid))
    assert log.post.findData(pid) > 0


def test_contact_view_shows_details_timeline_and_quick_actions(qtbot, store, actor, monkeypatch):
    from outreach.services import ledger
    from outreach.ui.contact_view import ContactView

    who = svc.create_contact(store, actor, svc.ContactData(name="Ana", email="ana@example.org"))
    ledger.add_revenue(store, actor, who, date.today(), 12000)
    page = ContactsPage(store, actor)
    qtbot.addWidget(page)
    view = ContactView(store, actor, who, page=page)
    qtbot.addWidget(view)
    assert view.values["stage"].text() == "Engaged"
    assert view.values["community"].text() == "Unattributed"
    assert view.values["revenue"].text() == "120.00"
    assert view.timeline.count() == 2  # the first stage and the payment
    monkeypatch.setattr(
        MoveStageDialog,
        "exec",
        lambda self: (
            self.stage.setCurrentIndex(self.stage.findData("booked")),
            self.save(),
            self.result(),
        )[-1],
    )
    view.move_stage()
    assert view.changed and view.values["stage"].text() == "Booked"


def test_a_payment_can_be_deleted_from_the_contact_page_after_asking(
    qtbot, store, actor, monkeypatch
):
    from outreach.services import ledger
    from outreach.ui.contact_view import ContactView

    who = svc.create_contact(store, actor, svc.ContactData(name="Ana"))
    ledger.add_revenue(store, actor, who, date.today(), 5000, "typo")
    page = ContactsPage(store, actor)
    qtbot.addWidget(page)
    view = ContactView(store, actor, who, page=page)
    qtbot.addWidget(view)
    payment = next(i for i, e in enumerate(view.events) if e.kind == "revenue")
    view.timeline.setCurrentRow(payment)
    assert view.delete_payment_button.isEnabled()
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: True)
    view.delete_payment()
    assert ledger.total_revenue(store, who) == 0
    assert view.values["revenue"].text() == "0.00"
