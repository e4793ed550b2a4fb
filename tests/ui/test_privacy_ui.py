"""The privacy UI (issue 7 §2, §5): the "not encrypted" notice in the status bar and
Settings, encrypting from Settings, the recovery key asked for and shown once, the
recovery kit, the anonymised review option and erasing a contact."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from memory_keyring import keychain_fixture  # noqa: F401 (the keychain fixture)
from pypdf import PdfReader

from outreach import encryption
from outreach.context import Actor
from outreach.encryption import parse_recovery_key, recovery_key
from outreach.services import contacts as people
from outreach.store import open_store
from outreach.ui import confirm, file_dialogs, privacy_form, recovery_dialog
from outreach.ui.main_window import MainWindow

needs_sqlcipher = pytest.mark.skipif(
    not encryption.available(),
    reason="SQLCipher is not installed here (pip install -e '.[crypt]')",
)
SHOTS = os.environ.get("OUTREACH_SCREENSHOTS")  # a folder: save what the tests look at


def _shot(widget, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


@pytest.fixture
def window(qtbot, store, actor):
    window = MainWindow(store, actor)
    qtbot.addWidget(window)
    window.privacy_notice = privacy_form.attach_privacy(window, store)
    window.resize(1280, 800)
    window.show()
    return window


def test_a_plain_database_is_said_to_be_unencrypted_in_the_status_bar_and_settings(window):
    notice = window.privacy_notice
    assert notice.text().endswith("This database is not encrypted")
    assert "not encrypted" in notice.toolTip()
    window.show_page("Settings")
    form = window.settings_page.privacy
    bar = window.settings_page.scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    assert form.headline.text() == "This database is not encrypted"
    assert "can read your contacts" in form.reason.text()
    assert form.encrypt_button.isVisible() and not form.rekey_button.isVisible()
    if not encryption.available():
        assert "not installed" in form.reason.text() or "created without" in form.reason.text()
    _shot(window, "settings-not-encrypted")


def test_staff_cannot_encrypt_or_see_the_key(qtbot, store):
    form = privacy_form.PrivacyForm(store, Actor(name="Front desk", role="staff"))
    qtbot.addWidget(form)
    assert not form.encrypt_button.isEnabled()


@needs_sqlcipher
def test_settings_encrypts_the_database_and_shows_the_recovery_key_once(
    keychain, window, monkeypatch, tmp_path
):
    shown = []
    monkeypatch.setattr(confirm, "ask", lambda *a, **k: True)
    monkeypatch.setattr(
        privacy_form, "show_recovery_key", lambda parent, key, db, **k: shown.append(key)
    )
    window.show_page("Settings")
    form = window.settings_page.privacy
    assert form.encrypt_button.isEnabled()
    form.encrypt_button.click()
    assert len(shown) == 1 and parse_recovery_key(shown[0])
    assert form.headline.text() == "This database is encrypted"
    assert form.rekey_button.isVisible() and not form.encrypt_button.isVisible()
    assert window.privacy_notice.text() == "Encrypted"
    form.rekey_button.click()
    assert len(shown) == 2 and shown[1] != shown[0]
    window.close()  # writes its QSettings
    # The key reached neither QSettings nor the log nor any file but the database's own.
    secrets_seen = [
        *shown,
        *(k.replace("-", "") for k in shown),
        *(parse_recovery_key(k).hex() for k in shown),
    ]
    folders = [tmp_path / "qsettings", tmp_path / "home"]
    files = [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]
    assert any("qsettings" in str(p) for p in files)
    for path in files:
        data = path.read_bytes()
        assert not any(s.encode() in data for s in secrets_seen), path


@needs_sqlcipher
def test_the_recovery_key_is_asked_for_and_a_wrong_one_is_refused_in_the_dialog(
    keychain, qtbot, db_path
):
    store = open_store(db_path, encrypt_new=True)
    shown = store.encryption.new_recovery_key
    store.dispose()
    keychain.entries.clear()
    encryption.forget_this_run()
    opened = []

    def attempt(key):
        store = open_store(db_path, key=key)
        opened.append(store)
        return store

    dialog = recovery_dialog.EnterRecoveryKeyDialog(str(db_path), attempt)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.key_edit.setText(recovery_key(b"\x03" * 32))
    dialog.try_key()
    assert dialog.isVisible() and not opened
    assert "does not open" in dialog.error.text()
    assert dialog.error.height() >= dialog.error.heightForWidth(dialog.error.width())
    _shot(dialog, "recovery-key-wrong")
    dialog.key_edit.setText(shown.lower())
    dialog.try_key()
    assert opened and dialog.result_value is opened[0]
    opened[0].dispose()
    assert keychain.entries  # back in the keychain


def test_the_recovery_key_dialog_saves_a_kit_that_says_what_to_do(qtbot, tmp_path, monkeypatch):
    key = recovery_key(bytes(range(32)))
    target = tmp_path / "kit"
    monkeypatch.setattr(file_dialogs, "ask_save_file", lambda *a, **k: str(target))
    dialog = recovery_dialog.ShowRecoveryKeyDialog(key, "/home/dr/outreach.db")
    qtbot.addWidget(dialog)
    dialog.show()
    _shot(dialog, "recovery-key-shown")
    dialog.kit_button.click()
    assert dialog.saved_to == f"{target}.pdf"
    text = " ".join(page.extract_text() for page in PdfReader(dialog.saved_to).pages)
    assert len(PdfReader(dialog.saved_to).pages) == 1
    for group in key.split("-"):
        assert group in text
    for words in ("What this is", "Where to keep it", "How to use it", "--key-file"):
        assert words in text


def test_the_reports_page_offers_an_anonymised_pdf(window):
    assert window.reports.anonymised.text().replace("&", "") == "Anonymised PDF"
    assert not window.reports.anonymised.isChecked()


def test_erasing_a_contact_from_its_page_asks_first_and_keeps_the_row(
    qtbot, store, actor, monkeypatch
):
    from outreach.ui.contact_view import ContactView

    contact = people.create_contact(
        store, actor, people.ContactData(name="Zebedee Quargleworth", email="zq@example.org")
    )
    asked = []
    monkeypatch.setattr(confirm, "ask", lambda parent, title, text, *a: asked.append(text))
    view = ContactView(store, actor, contact, page=None)
    qtbot.addWidget(view)
    view.erase_button.click()
    assert asked and "stage history" in asked[0]
    assert people.get_contact(store, contact).name == "Zebedee Quargleworth"  # not confirmed
    monkeypatch.setattr(confirm, "ask", lambda *a: True)
    view.erase_button.click()
    row = people.get_contact(store, contact)
    assert row.name == f"Erased contact #{contact}" and row.email == ""
    assert view.changed
    staff = ContactView(store, Actor(name="Front desk", role="staff"), contact, page=None)
    qtbot.addWidget(staff)
    assert not staff.erase_button.isEnabled()
