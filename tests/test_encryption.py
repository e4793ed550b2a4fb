"""Encryption at rest (issue 7 §2): new databases encrypted with a key in the
keychain, the bytes on disk hold no patient data, a wrong key is refused, the
recovery key reopens, a plain database can be encrypted, backups stay encrypted,
and the key never reaches a log, QSettings or an error message."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from memory_keyring import keychain_fixture  # noqa: F401 (the keychain fixture)
from sqlalchemy import func, select

from outreach import encryption, secrets
from outreach.context import PRACTITIONER, Actor
from outreach.encryption import (
    BadRecoveryKey,
    KeyNeeded,
    WrongKey,
    parse_recovery_key,
    recovery_key,
)
from outreach.models import Contact
from outreach.services.common import PermissionDenied
from outreach.services.contacts import ContactData, InteractionData, create_contact, log_interaction
from outreach.store import open_store
from outreach.timeutil import now_utc

needs_sqlcipher = pytest.mark.skipif(
    not encryption.available(),
    reason="SQLCipher is not installed here (pip install -e '.[crypt]'; its wheel exists for "
    "Linux, Windows and macOS arm64)",
)

NAME, EMAIL = "Zebedee Quargleworth", "zebedee.quargle@example.org"
NOTE = "Talked about Zebedee's insomnia"


def _add_contact(store) -> int:
    contact_id = create_contact(
        store,
        PRACTITIONER,
        ContactData(name=NAME, email=EMAIL, phone="+1 555 0199", handle="zq_sleeps"),
    )
    log_interaction(
        store,
        PRACTITIONER,
        contact_id,
        InteractionData(occurred_at=now_utc(), channel="email", minutes=5, note=NOTE),
    )
    return contact_id


def _bytes_hold(path: Path, *needles: str) -> list[str]:
    found = []
    for suffix in ("", "-wal"):
        file = Path(f"{path}{suffix}")
        if not file.exists():
            continue
        data = file.read_bytes()
        found += [f"{n} in {file.name}" for n in needles if n.encode("utf-8") in data]
        found += [f"{n} (UTF-16) in {file.name}" for n in needles if n.encode("utf-16-le") in data]
    return found


# -- the recovery key ---------------------------------------------------------------


def test_recovery_key_round_trips_and_forgives_case_dashes_and_lookalikes():
    key = bytes(range(32))
    text = recovery_key(key)
    groups = text.split("-")
    assert len(groups) == 14 and all(len(g) == 4 for g in groups)
    assert parse_recovery_key(text) == key
    assert parse_recovery_key(text.lower().replace("-", " ")) == key
    assert parse_recovery_key(key.hex()) == key
    assert parse_recovery_key(text.replace("O", "0").replace("I", "1")) == key


def test_a_typing_slip_in_the_recovery_key_is_caught_by_its_check_letters():
    text = recovery_key(bytes(range(32)))
    slip = ("B" if text[0] != "B" else "C") + text[1:]
    with pytest.raises(BadRecoveryKey, match="typing mistake"):
        parse_recovery_key(slip)
    with pytest.raises(BadRecoveryKey, match="56 letters"):
        parse_recovery_key(text[:-5])


# -- secrets ------------------------------------------------------------------------


def test_without_a_keychain_a_secret_is_kept_for_this_run_only(tmp_path):
    status = secrets.keychain_status()
    assert not status.available and "for this run only" in status.sentence
    assert secrets.set_secret("server:test", "hunter2") is False
    assert secrets.get_secret("server:test") == "hunter2"
    assert not secrets.in_keychain("server:test")
    secrets.forget_memory()
    assert secrets.get_secret("server:test") is None


def test_the_keychain_holds_secrets_by_a_name_scoped_to_the_database(keychain, tmp_path):
    name = secrets.db_key_name(tmp_path / "a.db")
    assert name.startswith("db-key:") and str(tmp_path) not in name
    assert name != secrets.db_key_name(tmp_path / "b.db")
    assert secrets.set_secret(name, "abc") is True
    assert keychain.entries[("Outreach", name)] == "abc"
    secrets.delete_secret(name)
    assert secrets.get_secret(name) is None


# -- new databases ------------------------------------------------------------------


def test_without_a_keychain_a_new_database_is_plain_and_says_why(db_path):
    store = open_store(db_path, encrypt_new=True)
    try:
        state = store.encryption
        assert not state.encrypted and state.created
        assert state.headline == "This database is not encrypted"
        if encryption.available():
            assert "no keychain" in state.reason
        else:
            assert "not installed" in state.reason
    finally:
        store.dispose()
    assert db_path.read_bytes()[:16] == encryption.SQLITE_HEADER


@needs_sqlcipher
def test_a_new_database_is_encrypted_and_its_bytes_hold_no_names(keychain, db_path):
    store = open_store(db_path, encrypt_new=True)
    try:
        state = store.encryption
        assert state.encrypted and state.created and state.key_in_keychain
        assert parse_recovery_key(state.new_recovery_key) == encryption.remembered_key(db_path)
        assert ("Outreach", secrets.db_key_name(db_path)) in keychain.entries
        _add_contact(store)
        # Written, not checkpointed: the data sits in the write-ahead log too.
        assert Path(f"{db_path}-wal").exists()
        assert _bytes_hold(db_path, NAME, EMAIL, "Quargle", "insomnia") == []
        with store.session() as session:
            assert session.scalar(select(Contact.name)) == NAME
    finally:
        store.dispose()
    assert not encryption.SQLITE_HEADER.startswith(db_path.read_bytes()[:16])
    assert _bytes_hold(db_path, NAME, EMAIL) == []
    # The next start finds the key in the keychain and shows no recovery key again.
    again = open_store(db_path, encrypt_new=True)
    try:
        assert again.encryption.encrypted and again.encryption.new_recovery_key is None
        with again.session() as session:
            assert session.scalar(select(func.count()).select_from(Contact)) == 1
    finally:
        again.dispose()


@needs_sqlcipher
def test_wal_and_full_text_search_work_on_an_encrypted_database(keychain, db_path):
    store = open_store(db_path, encrypt_new=True)
    try:
        with store.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            raw.execute("CREATE VIRTUAL TABLE t_fts USING fts5(body)")
            raw.execute("INSERT INTO t_fts VALUES ('Müller sleeps badly')")
            assert raw.execute("SELECT count(*) FROM t_fts WHERE t_fts MATCH 'sleeps'").fetchone()
    finally:
        store.dispose()


# -- keys: wrong, missing, recovered ----------------------------------------------------


@needs_sqlcipher
def test_a_wrong_key_is_refused_with_a_sentence_and_nothing_changes(keychain, db_path):
    store = open_store(db_path, encrypt_new=True)
    _add_contact(store)
    store.dispose()
    before = db_path.read_bytes()
    encryption.forget_this_run()
    keychain.entries.clear()
    with pytest.raises(WrongKey) as caught:
        open_store(db_path, key=b"\x01" * 32)
    message = str(caught.value)
    assert "does not open" in message and "Nothing was changed" in message
    assert "not a database" not in message
    assert db_path.read_bytes() == before
    assert keychain.entries == {}  # a wrong key is not remembered


@needs_sqlcipher
def test_the_recovery_key_reopens_and_goes_back_to_the_keychain(keychain, db_path):
    store = open_store(db_path, encrypt_new=True)
    shown = store.encryption.new_recovery_key
    _add_contact(store)
    store.dispose()
    # A new computer: the keychain does not have the key.
    keychain.entries.clear()
    encryption.forget_this_run()
    with pytest.raises(KeyNeeded, match="recovery key"):
        open_store(db_path, encrypt_new=True)
    store = open_store(db_path, key=parse_recovery_key(shown))
    try:
        with store.session() as session:
            assert session.scalar(select(Contact.email)) == EMAIL
    finally:
        store.dispose()
    assert keychain.entries[("Outreach", secrets.db_key_name(db_path))] == (
        parse_recovery_key(shown).hex()
    )
    encryption.forget_this_run()
    open_store(db_path).dispose()  # from the keychain now, no key given


@needs_sqlcipher
def test_the_command_line_takes_the_key_from_a_file_or_says_to(keychain, db_path, tmp_path, capsys):
    from outreach.cli import main

    store = open_store(db_path, encrypt_new=True)
    shown = store.encryption.new_recovery_key
    store.dispose()
    keychain.entries.clear()
    encryption.forget_this_run()
    assert main(["--db", str(db_path), "db", "check"]) == 1
    err = capsys.readouterr().err
    assert "--key-file" in err and "recovery key" in err
    key_file = tmp_path / "key.txt"
    key_file.write_text(shown + "\n")
    assert main(["--db", str(db_path), "--key-file", str(key_file), "db", "check"]) == 0
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(recovery_key(b"\x02" * 32))
    encryption.forget_this_run()
    assert main(["--db", str(db_path), "--key-file", str(wrong), "settings", "get"]) == 1
    assert "does not open" in capsys.readouterr().err


# -- encrypting, changing the key --------------------------------------------------------


@needs_sqlcipher
def test_encrypting_a_plain_database_keeps_every_row(keychain, db_path):
    store = open_store(db_path)
    try:
        contact_id = _add_contact(store)
        assert not store.encryption.encrypted
        with store.engine.connect() as conn:
            tables = [
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
                )
            ]
            counts = {
                t: conn.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar() for t in tables
            }
        with pytest.raises(PermissionDenied):
            encryption.encrypt_database(store, Actor(name="Front desk", role="staff"))
        change = encryption.encrypt_database(store, PRACTITIONER)
        assert change.backup.exists() and change.in_keychain
        assert store.encryption.encrypted
        with store.engine.connect() as conn:
            after = {
                t: conn.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar() for t in tables
            }
        assert after == counts
        # Virtual tables (full-text search) come across too, and answer.
        with store.engine.connect() as conn:
            virtual = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type='table' AND rootpage=0"
            ).all()
            for (name,) in virtual:
                conn.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar()
        with store.session() as session:
            assert session.get(Contact, contact_id).name == NAME
        _add_contact(store)  # still writable
    finally:
        store.dispose()
    assert _bytes_hold(db_path, NAME, EMAIL) == []
    # The backup taken first is the plain file, as it was.
    assert change.backup.read_bytes()[:16] == encryption.SQLITE_HEADER


@needs_sqlcipher
def test_changing_the_key_reopens_with_the_new_one_only(keychain, db_path):
    store = open_store(db_path, encrypt_new=True)
    old = encryption.remembered_key(db_path)
    _add_contact(store)
    change = encryption.change_key(store, PRACTITIONER)
    new = parse_recovery_key(change.recovery_key)
    assert new != old and encryption.remembered_key(db_path) == new
    with store.session() as session:
        assert session.scalar(select(Contact.name)) == NAME
    store.dispose()
    encryption.forget_this_run()
    with pytest.raises(WrongKey):
        open_store(db_path, key=old)
    open_store(db_path, key=new).dispose()


# -- backups ---------------------------------------------------------------------------


@needs_sqlcipher
def test_a_backup_of_an_encrypted_database_is_encrypted_and_restores_with_the_key(
    keychain, db_path, tmp_path
):
    from outreach.services.backups import back_up_now, restore_database

    store = open_store(db_path, encrypt_new=True)
    shown = store.encryption.new_recovery_key
    contact_id = _add_contact(store)
    backup = back_up_now(store)
    assert not encryption.SQLITE_HEADER.startswith(backup.read_bytes()[:16])
    assert _bytes_hold(backup, NAME, EMAIL) == []
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(backup).execute("SELECT count(*) FROM sqlite_master").fetchone()
    with store.session() as session:
        session.get(Contact, contact_id).name = "Changed after the backup"
    store.dispose()

    restore_database(db_path, backup, PRACTITIONER)
    store = open_store(db_path)
    try:
        with store.session() as session:
            assert session.get(Contact, contact_id).name == NAME
    finally:
        store.dispose()
    assert _bytes_hold(db_path, NAME, EMAIL) == []

    # A new computer: no database, no key; the backup restores with its recovery key.
    elsewhere = tmp_path / "new-computer" / "outreach.db"
    elsewhere.parent.mkdir()
    keychain.entries.clear()
    encryption.forget_this_run()
    with pytest.raises(KeyNeeded):
        restore_database(elsewhere, backup, PRACTITIONER)
    restore_database(elsewhere, backup, PRACTITIONER, source_key=parse_recovery_key(shown))
    encryption.forget_this_run()
    store = open_store(elsewhere)  # the key went to the keychain with it
    try:
        assert store.encryption.encrypted
        with store.session() as session:
            assert session.get(Contact, contact_id).email == EMAIL
    finally:
        store.dispose()


@needs_sqlcipher
def test_a_plain_backup_restored_into_an_encrypted_database_is_encrypted(keychain, tmp_path):
    from outreach.services.backups import back_up_now, restore_database

    plain_db = tmp_path / "plain.db"
    plain = open_store(plain_db)
    contact_id = _add_contact(plain)
    backup = back_up_now(plain)
    plain.dispose()
    target = tmp_path / "enc.db"
    open_store(target, encrypt_new=True).dispose()
    restore_database(target, backup, PRACTITIONER)
    store = open_store(target)
    try:
        assert store.encryption.encrypted
        with store.session() as session:
            assert session.get(Contact, contact_id).name == NAME
    finally:
        store.dispose()
    assert _bytes_hold(target, NAME, EMAIL) == []


# -- the key never leaks ---------------------------------------------------------------


@needs_sqlcipher
def test_the_key_never_reaches_the_log_or_qsettings(keychain, db_path, tmp_path, capsys):
    from outreach.cli import main
    from outreach.log import log_file, setup_logging, stop_logging

    setup_logging(folder=tmp_path / "logs")
    try:
        store = open_store(db_path, encrypt_new=True)
        key = encryption.remembered_key(db_path)
        shown = store.encryption.new_recovery_key
        _add_contact(store)
        encryption.change_key(store, PRACTITIONER)
        new_key = encryption.remembered_key(db_path)
        store.dispose()
        encryption.forget_this_run()
        keychain.entries.clear()
        with pytest.raises(WrongKey) as caught:
            open_store(db_path, key=key)
        assert key.hex() not in str(caught.value)
        assert main(["--db", str(db_path), "db", "check"]) == 1
        out = capsys.readouterr()
        log_text = log_file().read_text(encoding="utf-8")
    finally:
        stop_logging()
    secrets_seen = [key.hex(), new_key.hex(), shown, shown.replace("-", "")]
    for secret in secrets_seen:
        assert secret not in log_text
        assert secret not in out.out + out.err
    for path in (tmp_path / "home").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(s.encode() in data for s in secrets_seen), path


@needs_sqlcipher
def test_the_command_line_says_how_the_database_is_kept_and_prints_the_kit(
    keychain, db_path, tmp_path, capsys
):
    from pypdf import PdfReader

    from outreach.cli import main

    assert main(["--db", str(db_path), "db", "encryption"]) == 0
    err = capsys.readouterr()
    assert "Created" in err.err and "recovery-kit" in err.err
    assert "This database is encrypted" in err.out
    kit = tmp_path / "kit.pdf"
    assert main(["--db", str(db_path), "db", "recovery-kit", str(kit)]) == 0
    text = PdfReader(kit).pages[0].extract_text()
    key = encryption.recovery_key(encryption.remembered_key(db_path))
    assert all(group in text for group in key.split("-"))


def test_the_command_line_says_a_plain_database_is_not_encrypted(db_path, capsys):
    from outreach.cli import main

    assert main(["--db", str(db_path), "db", "encryption"]) == 1
    assert "This database is not encrypted" in capsys.readouterr().out
    assert main(["--db", str(db_path), "db", "recovery-kit", str(db_path) + ".pdf"]) == 1
    assert "has no recovery key" in capsys.readouterr().err
