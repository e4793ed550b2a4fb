"""The policy in Settings (Compliance) and on its own from the composer."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from PySide6.QtWidgets import QDialog

from outreach.services.profile import get_profile, save_profile
from outreach.ui.policy_form import PolicyDialog
from outreach.ui.settings_page import SettingsPage


def _page(qtbot, store, actor) -> SettingsPage:
    page = SettingsPage(store, actor)
    qtbot.addWidget(page)
    return page


def test_settings_saves_the_policy_with_the_profile(qtbot, store, actor):
    page = _page(qtbot, store, actor)
    messages = []
    page.status_message.connect(messages.append)
    policy = page.policy
    assert "Advice posts are blocked" in policy.status.text()
    policy.insurer.setText("Mutual Medical")
    policy.policy_number.setText("MM-123")
    policy.renewal.setText("2027-03-31")
    policy.cover.setCurrentIndex(policy.cover.findData("advice"))
    policy.confirmed_today.click()
    assert policy.confirmed.text() == date.today().isoformat()
    policy.scope.setPlainText("Adult insomnia; no prescribing.")
    page.form.hourly.setText("140")
    page.save()
    assert messages[-1] == "Saved the practice profile"
    p = get_profile(store)
    assert (p.insurer, p.policy_number, p.online_cover) == ("Mutual Medical", "MM-123", "advice")
    assert p.policy_renewal_on == date(2027, 3, 31)
    assert p.online_cover_confirmed_on == date.today()
    assert p.scope_of_practice == "Adult insomnia; no prescribing."
    assert p.hourly_rate_cents == 14000
    assert p.cover_problem(date.today()) is None
    assert "Covers online advice" in policy.status.text()


def test_dates_are_optional_and_bad_ones_show_beside_the_field(qtbot, store, actor):
    page = _page(qtbot, store, actor)
    policy = page.policy
    policy.renewal.setText("31/03/2027")
    page.save()
    assert "YYYY-MM-DD" in policy.form.error_text("policy_renewal_on")
    assert get_profile(store).policy_renewal_on is None
    policy.renewal.setText("")
    policy.confirmed.setText((date.today() + timedelta(days=10)).isoformat())
    page.save()
    assert "future" in policy.form.error_text("online_cover_confirmed_on")
    assert get_profile(store).online_cover_confirmed_on is None
    policy.confirmed.setText("")
    page.save()
    assert policy.form.error_text("online_cover_confirmed_on") == ""
    assert get_profile(store).online_cover_confirmed_on is None


def test_a_policy_changed_elsewhere_shows_when_settings_opens(qtbot, store, actor):
    page = _page(qtbot, store, actor)
    save_profile(store, actor, replace(get_profile(store), insurer="Changed elsewhere"))
    page.show()
    qtbot.waitUntil(lambda: page.policy.insurer.text() == "Changed elsewhere")


def test_policy_dialog_saves_on_its_own(qtbot, store, actor):
    save_profile(store, actor, replace(get_profile(store), hourly_rate_cents=9900))
    dialog = PolicyDialog(store, actor)
    qtbot.addWidget(dialog)
    dialog.form.cover.setCurrentIndex(dialog.form.cover.findData("general_information"))
    dialog.form.confirmed.setText("2020-01-01")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    p = get_profile(store)
    assert p.online_cover == "general_information" and p.hourly_rate_cents == 9900
    assert "more than 12 months ago" in p.cover_problem(date.today())


def test_policy_controls_have_accessible_names(qtbot, store, actor):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit

    page = _page(qtbot, store, actor)
    for cls in (QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit):
        for widget in page.policy.findChildren(cls):
            if not isinstance(widget.parent(), QComboBox):
                assert widget.accessibleName(), type(widget).__name__
