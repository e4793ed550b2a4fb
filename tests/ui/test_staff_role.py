"""Office staff see what their role cannot do disabled, with a tooltip that says why."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton

from outreach.context import PRACTITIONER, Actor
from outreach.services import auth
from outreach.ui.main_window import MainWindow


@pytest.fixture
def staff(store):
    auth.create_account(store, PRACTITIONER, "maria", "correct horse", "owner", "Maria")
    maria = auth.sign_in(store, "maria", "correct horse")
    user_id = auth.create_account(store, maria, "sam", "correct horse", "staff", "Sam")
    return Actor("Sam", "staff", user_id)


def test_staff_see_no_delete_settings_users_audit_or_demo(qtbot, store, staff, seeded):
    window = MainWindow(store, staff)
    qtbot.addWidget(window)
    for page in (window.posts, window.communities):
        assert not page.delete_button.isEnabled()
        assert "Only the practitioner" in page.delete_button.toolTip()
    for action in (window.users_action, window.audit_action, window.demo_action):
        assert not action.isEnabled() and "Only the practitioner" in action.toolTip()
    settings = window.settings_page
    assert not settings.save_button.isEnabled()
    assert not settings.form.isEnabled() and not settings.policy.isEnabled()
    assert not settings.security.isEnabled()
    assert not window.compliance.checklist_button.isEnabled()
    demo = [
        b
        for b in window.dashboard.findChildren(QPushButton)
        if b.accessibleName() == "Load demo data"
    ]
    assert demo and not any(b.isEnabled() for b in demo)
    assert window.who.text() == "Signed in as Sam · Office staff"
    # Staff can still lock the window they use.
    assert window.lock_action.isEnabled()


def test_the_delete_key_on_a_staff_table_says_why_instead(qtbot, store, staff, seeded):
    window = MainWindow(store, staff)
    qtbot.addWidget(window)
    window.show()
    window.show_page("Posts")
    window.posts.table.setFocus()
    window.posts.select_id(window.posts.model.row_at(0).id)
    window._delete()
    assert "Only the practitioner can delete posts" in window.statusBar().currentMessage()


def test_the_practitioner_keeps_everything(qtbot, store, actor, seeded):
    window = MainWindow(store, actor)
    qtbot.addWidget(window)
    assert window.posts.delete_button.isEnabled() and window.communities.delete_button.isEnabled()
    assert window.users_action.isEnabled() and window.audit_action.isEnabled()
    assert window.settings_page.save_button.isEnabled()
