from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from outreach.services import communities as com
from outreach.services import posts as posts_svc
from outreach.services.profile import get_profile
from outreach.ui.catalog_dialog import CatalogDialog
from outreach.ui.community_dialog import CommunityDialog
from outreach.ui.delete_community_dialog import DeleteCommunityDialog
from outreach.ui.post_dialog import PostDialog
from outreach.ui.settings_page import SettingsPage
from outreach.ui.welcome_dialog import WelcomeDialog


def test_add_community_through_the_dialog(qtbot, store, actor):
    dialog = CommunityDialog(store, actor)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.name, "r/insomnia")
    dialog.url.setText("https://www.reddit.com/r/insomnia/")
    dialog.code.setText("rsleep24")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    row = com.get_community(store, dialog.saved_id)
    assert (row.name, row.intake_code) == ("r/insomnia", "RSLEEP24")


def test_validation_shows_beside_the_field_and_keeps_the_dialog(qtbot, store, actor):
    dialog = CommunityDialog(store, actor)
    qtbot.addWidget(dialog)
    dialog.name.setText("Café Müller forum")
    dialog.url.setText("not a web address")
    dialog.save()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "web address" in dialog.form.error_text("url")
    assert dialog.form.error_text("name") == ""
    assert dialog.name.text() == "Café Müller forum"  # nothing typed is lost
    assert com.list_communities(store).total == 0
    dialog.url.setText("https://example.org/forum")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_post_dialog_creates_and_edits(qtbot, store, actor):
    cid = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    dialog = PostDialog(store, actor)
    qtbot.addWidget(dialog)
    dialog.title.setText("Caffeine and sleep")
    # A new advice post goes through the composer (the service refuses it unchecked).
    dialog.kind.setCurrentIndex(dialog.kind.findData("advice"))
    assert dialog.advice_note.isVisibleTo(dialog)
    assert dialog.check_and_log.isVisibleTo(dialog)
    assert not dialog.save_button.isEnabled()
    dialog.kind.setCurrentIndex(dialog.kind.findData("education"))
    assert dialog.save_button.isEnabled() and not dialog.check_and_log.isVisibleTo(dialog)
    dialog.minutes.setValue(25)
    dialog.counts["views"].setValue(120)
    dialog.save()
    row = posts_svc.get_post(store, dialog.saved_id)
    assert (row.community_id, row.minutes_spent, row.views, row.check_status) == (
        cid,
        25,
        120,
        "not_required",
    )
    edit = PostDialog(store, actor, post_id=row.id)
    qtbot.addWidget(edit)
    assert edit.title.text() == "Caffeine and sleep"
    edit.title.setText("")
    edit.body.setPlainText("")
    edit.save()
    assert "find the post" in edit.form.error_text("title")
    assert posts_svc.get_post(store, row.id).title == "Caffeine and sleep"


def test_deleting_a_community_with_posts_offers_move_or_delete(qtbot, store, actor):
    a = com.create_community(store, actor, com.CommunityData(name="A"))
    b = com.create_community(store, actor, com.CommunityData(name="B"))
    for _ in range(3):
        posts_svc.create_post(
            store,
            actor,
            posts_svc.PostData(
                community_id=a, posted_at=posts_svc.now_utc(), kind="answer", title="t"
            ),
        )
    dialog = DeleteCommunityDialog(store, actor, a)
    qtbot.addWidget(dialog)
    assert dialog.move_choice.isChecked() and dialog.target.currentData() == b
    dialog.delete()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert com.post_count(store, b) == 3
    assert "moved 3 posts" in dialog.outcome_text
    last = DeleteCommunityDialog(store, actor, b)
    qtbot.addWidget(last)
    assert not last.move_choice.isEnabled() and last.delete_choice.isChecked()
    last.delete()
    assert posts_svc.list_posts(store).total == 0


def test_welcome_skip_marks_it_done(qtbot, store, actor):
    dialog = WelcomeDialog(store, actor)
    qtbot.addWidget(dialog)
    assert dialog.demo.isVisibleTo(dialog)
    dialog.skip()
    assert get_profile(store).welcome_done


def test_welcome_start_saves_the_profile(qtbot, store, actor):
    dialog = WelcomeDialog(store, actor)
    qtbot.addWidget(dialog)
    dialog.form.name.setText("Dr. Example")
    dialog.form.hourly.setText("150")
    dialog.demo.setChecked(True)
    dialog.start()
    profile = get_profile(store)
    assert profile.welcome_done and profile.hourly_rate_cents == 15000
    assert dialog.wants_demo


def test_settings_save_and_errors_beside_fields(qtbot, store, actor):
    page = SettingsPage(store, actor)
    qtbot.addWidget(page)
    messages = []
    page.status_message.connect(messages.append)
    page.form.hourly.setText("lots")
    page.save()
    assert "not an amount" in page.form.form.error_text("hourly_rate_cents")
    page.form.hourly.setText("120.50")
    page.form.currency.setText("eur")
    page.form.intake_url.setText("example")
    page.save()
    assert "web address" in page.form.form.error_text("intake_form_url")
    page.form.intake_url.setText("https://example.org/intake")
    page.form.losing_touch.setValue(21)
    page.save()
    profile = get_profile(store)
    assert (profile.hourly_rate_cents, profile.currency) == (12050, "EUR")
    assert profile.losing_touch_days == 21
    assert messages[-1] == "Saved the practice profile"


def test_catalog_dialog_adds_checked_entries_and_disables_present_ones(qtbot, store, actor):
    dialog = CatalogDialog(store, actor)
    qtbot.addWidget(dialog)
    first = dialog.tree.topLevelItem(0)
    first.setCheckState(0, Qt.CheckState.Checked)
    dialog.add()
    assert len(dialog.added) == 1
    again = CatalogDialog(store, actor)
    qtbot.addWidget(again)
    item = again.tree.topLevelItem(0)
    assert "(already added)" in item.text(0)
    assert not item.flags() & Qt.ItemFlag.ItemIsEnabled


def test_money_dialog_records_cents_and_shows_bad_amounts(qtbot, store, actor):
    from datetime import date

    from outreach.services import contacts as contacts_svc
    from outreach.services import ledger
    from outreach.ui.money_dialog import MoneyDialog

    who = contacts_svc.create_contact(store, actor, contacts_svc.ContactData(handle="x"))
    dialog = MoneyDialog(
        "Record payment", "", lambda on, c, n: ledger.add_revenue(store, actor, who, on, c, n)
    )
    qtbot.addWidget(dialog)
    dialog.amount.setText("lots")
    dialog.save()
    assert "not an amount" in dialog.form.error_text("amount")
    dialog.amount.setText("1,200.50")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert ledger.total_revenue(store, who) == 120050
    assert ledger.revenue_for(store, who)[0].on == date.today()


def test_costs_dialog_lists_totals_and_deletes_after_asking(qtbot, store, actor, monkeypatch):
    from datetime import date

    from outreach.services import ledger
    from outreach.ui import confirm
    from outreach.ui.costs_dialog import CostsDialog

    cid = com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    ledger.add_cost(store, actor, cid, date(2025, 3, 1), 2500, "boost")
    ledger.add_cost(store, actor, cid, date(2025, 4, 1), 1000)
    dialog = CostsDialog(store, actor, cid, "r/sleep")
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 2 and dialog.total.text() == "Total 35.00"
    dialog.list.setCurrentRow(0)
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: False)
    dialog.delete()
    assert dialog.list.count() == 2
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: True)
    dialog.delete()
    assert dialog.total.text() == "Total 10.00"
