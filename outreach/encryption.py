"""Encryption at rest: SQLCipher with a random 256-bit key kept in the keychain.

Why it is built this way:
- The key is 32 random bytes given to SQLCipher as a raw key (``x'..'``), so no
  password derivation slows every connection; the recovery key is the same bytes
  in base32 groups a person can type, with a checksum that catches typing slips.
- The key is given on the driver connection before anything else runs (the
  ``creator`` of the engine), and every statement that carries it runs on a
  driver connection (never through SQLAlchemy, whose errors quote statements),
  so a key cannot reach a log or an error message.
- ``sqlcipher3`` is an optional extra: without it (or without a keychain to
  keep the key) a new database is plain and the app says so, with the reason.
- Encrypting, re-keying and converting a copy all use ``sqlcipher_export`` into a
  new file that is checked, then swapped in with one rename.

This module imports only the standard library at import time: the start-up path
and backup.py use it, and sqlcipher3 is loaded only when a file needs it.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import secrets as _random
from dataclasses import dataclass, replace
from pathlib import Path

from . import secrets
from .errors import OutreachError, StoreError

log = logging.getLogger("outreach.encryption")

KEY_BYTES = 32
CHECK_BYTES = 3  # 35 bytes = 56 base32 letters, no padding: 14 groups of 4
SQLITE_HEADER = b"SQLite format 3\x00"

NOT_INSTALLED = "SQLCipher (the sqlcipher3 package) is not installed with this copy of Outreach"
CREATED_PLAIN = "it was created without encryption"
SERVER = (
    "This database is on a server: keeping it encrypted on disk is the server's job "
    "(ask whoever runs it)."
)


class KeyNeeded(StoreError):
    """The file is encrypted and no key for it is known on this computer."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(
            f"{path} is encrypted, and its key is not in this computer's keychain (a new "
            "computer, a restored backup, or the keychain was reset). It opens with the "
            "recovery key from its recovery kit."
        )


class WrongKey(StoreError):
    """The key given does not open the file; nothing was changed."""


class BadRecoveryKey(OutreachError):
    """What was typed is not a recovery key (a typing slip, a wrong length)."""


def wrong_key_sentence(name: object) -> str:
    # SQLCipher says only "file is not a database" for a wrong key.
    return (
        f"That key does not open {name}: it is not this database's recovery key (check "
        "each group against the recovery kit; a kit made before the key was last changed "
        "opens only older backups). Nothing was changed."
    )


# -- the driver ---------------------------------------------------------------------


def available() -> bool:
    try:
        import sqlcipher3.dbapi2  # noqa: F401
    except ImportError:
        return False
    return True


def dbapi():
    import sqlcipher3.dbapi2

    return sqlcipher3.dbapi2


def driver_errors() -> tuple[type[BaseException], ...]:
    """The driver's error classes, for ``except`` beside sqlite3's."""
    return (dbapi().DatabaseError,) if available() else ()


def _key_text(key: bytes) -> str:
    return f"x'{key.hex()}'"


def connect(path: str | os.PathLike, key: bytes | None, **kwargs):
    """A SQLCipher driver connection, keyed before any other statement (a plain
    file with ``key=None``). Raises the driver's DatabaseError for a wrong key
    only when the first page is read."""
    conn = dbapi().connect(str(path), **kwargs)
    # SQLCipher prints its own "hmac check failed" lines on stderr otherwise.
    conn.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        conn.execute(f'PRAGMA key = "{_key_text(key)}"')
    return conn


def engine_options(path: Path, key: bytes) -> dict:
    """create_engine() arguments for an encrypted file: the driver and a creator
    that keys each new connection first."""

    def creator():
        # check_same_thread: the pool hands connections to worker threads, as the
        # plain driver is configured for file databases.
        return connect(path, key, check_same_thread=False)

    return {"module": dbapi(), "creator": creator}


def new_key() -> bytes:
    return _random.token_bytes(KEY_BYTES)


def is_encrypted_file(path: str | os.PathLike) -> bool:
    """A file that exists, is not empty and does not start with SQLite's header
    (SQLCipher encrypts the header too). May also be some other file: opening
    with a key tells."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError:
        return False
    return bool(head) and head != SQLITE_HEADER


def check_key(path: Path, key: bytes, name: object = None) -> None:
    """Raise WrongKey unless ``key`` opens ``path``."""
    if not available():
        raise StoreError(
            f"{name or path} is encrypted; opening it needs SQLCipher: {NOT_INSTALLED}."
        )
    try:
        conn = connect(f"file:{path}?mode=ro", key, uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except dbapi().DatabaseError as exc:
        # The driver says only "file is not a database" (never the key): translated.
        raise WrongKey(wrong_key_sentence(name or path)) from exc


# -- the recovery key ---------------------------------------------------------------


def recovery_key(key: bytes) -> str:
    """The key as 14 groups of 4 letters and digits, e.g. ``ABCD-EFGH-...``."""
    check = hashlib.sha256(key).digest()[:CHECK_BYTES]
    text = base64.b32encode(key + check).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    """The key from a typed recovery key (case, spaces and dashes do not matter;
    0, 1 and 8 are read as O, I and B) or from 64 hexadecimal digits."""
    raw = "".join(ch for ch in text if ch.isalnum())
    if len(raw) == 2 * KEY_BYTES and all(ch in "0123456789abcdefABCDEF" for ch in raw):
        return bytes.fromhex(raw)
    letters = raw.upper().translate(str.maketrans("018", "OIB"))
    wanted = (KEY_BYTES + CHECK_BYTES) * 8 // 5
    if len(letters) != wanted:
        raise BadRecoveryKey(
            f"A recovery key has {wanted} letters and digits in 14 groups of 4; this has "
            f"{len(letters)}. Check it against the recovery kit."
        )
    try:
        decoded = base64.b32decode(letters)
    except ValueError:
        raise BadRecoveryKey(
            "That is not a recovery key: it holds characters a recovery key never has. "
            "Check it against the recovery kit."
        ) from None
    key, check = decoded[:KEY_BYTES], decoded[KEY_BYTES:]
    if hashlib.sha256(key).digest()[:CHECK_BYTES] != check:
        raise BadRecoveryKey(
            "That recovery key has a typing mistake (its check letters do not match). "
            "Check each group against the recovery kit."
        )
    return key


def read_key_file(path: str | os.PathLike) -> bytes:
    """A key from a file holding the recovery key (or 64 hex digits), for automation."""
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadRecoveryKey(
            f"Cannot read the key file {path}: {getattr(exc, 'strerror', None) or 'not text'}."
        ) from None
    try:
        return parse_recovery_key(text.strip())
    except BadRecoveryKey as exc:
        raise BadRecoveryKey(f"The key file {path} does not hold a recovery key: {exc}") from None


# -- keys of this computer ----------------------------------------------------------

# The keys of the files this process has opened, so a backup or a second
# connection needs no keychain round trip (and works where the key was given for
# this run only).
_open_keys: dict[str, bytes] = {}


def forget_this_run() -> None:
    """Forget every key this process holds (as a new process would start)."""
    _open_keys.clear()
    secrets.forget_memory()


def _path_key(path: str | os.PathLike) -> str:
    return str(Path(path).expanduser().resolve())


def remembered_key(path: str | os.PathLike) -> bytes | None:
    """The key of ``path`` known to this run or kept in the keychain."""
    known = _open_keys.get(_path_key(path))
    if known is not None:
        return known
    value = secrets.get_secret(secrets.db_key_name(path))
    if not value:
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        log.warning("The keychain entry of a database key is not a key; ignored")
        return None


def remember_key(path: str | os.PathLike, key: bytes) -> bool:
    """Keep the key in the keychain (True) or for this run only (False)."""
    _open_keys[_path_key(path)] = key
    return secrets.set_secret(secrets.db_key_name(path), key.hex())


def hold_key(path: str | os.PathLike, key: bytes) -> None:
    """Know a working copy's key for this run only (never the keychain)."""
    _open_keys[_path_key(path)] = key


def drop_key(path: str | os.PathLike) -> None:
    _open_keys.pop(_path_key(path), None)


def forget_key(path: str | os.PathLike) -> None:
    _open_keys.pop(_path_key(path), None)
    secrets.delete_secret(secrets.db_key_name(path))


def key_for_file(path: str | os.PathLike) -> bytes:
    """The key of an encrypted file this computer knows, or KeyNeeded."""
    key = remembered_key(path)
    if key is None:
        raise KeyNeeded(Path(path))
    return key


# -- the state the app shows ----------------------------------------------------------


@dataclass(frozen=True)
class EncryptionState:
    encrypted: bool
    reason: str  # why it is not encrypted, or how it is kept
    created: bool = False  # the file was created by this open
    new_recovery_key: str | None = None  # shown once, after creating an encrypted file
    key_in_keychain: bool = True
    server: bool = False

    @property
    def headline(self) -> str:
        if self.server:
            return "This database is on a server"
        return "This database is encrypted" if self.encrypted else "This database is not encrypted"

    @property
    def sentence(self) -> str:
        """The headline and why, for the status bar's tip, Settings and the command line."""
        return f"{self.headline}: {self.reason}"


def can_encrypt() -> str | None:
    """None when a database can be encrypted here; otherwise the reason it cannot."""
    if not available():
        return NOT_INSTALLED + "."
    status = secrets.keychain_status()
    if not status.available:
        return (
            "this computer has no keychain Outreach can use to keep the key (the system's "
            "password store), and a key kept only for this run would lock the data away."
        )
    return None


def _encrypted_state(path: Path, in_keychain: bool, **extra) -> EncryptionState:
    where = (
        "its 256-bit key is kept in this computer's keychain."
        if in_keychain
        else "its key was given for this run only (this computer has no keychain to keep it)."
    )
    return EncryptionState(True, where, key_in_keychain=in_keychain, **extra)


def prepare(url: str, key: bytes | None, encrypt_new: bool) -> tuple[bytes | None, EncryptionState]:
    """Decide how ``url`` is opened: the key to use (None: plain) and what to tell.

    Raises KeyNeeded (encrypted, no key known), WrongKey, or StoreError when the
    file is encrypted and SQLCipher is not installed.
    """
    from .store import sqlite_path

    path = sqlite_path(url)
    if path is None:
        return None, EncryptionState(False, SERVER, server=True)
    exists = path.exists() and path.stat().st_size > 0
    if exists and is_encrypted_file(path):
        if not available():
            raise StoreError(
                f"{path} is encrypted (or is not a database). Opening an encrypted database "
                f"needs SQLCipher: {NOT_INSTALLED}; install it with `pip install "
                "'outreach[crypt]'` (make run does where it can)."
            )
        given = key is not None
        key = key if given else remembered_key(path)
        if key is None:
            raise KeyNeeded(path)
        check_key(path, key, path)
        in_keychain = remember_key(path, key) if given else True
        if not given:
            _open_keys[_path_key(path)] = key
            in_keychain = secrets.in_keychain(secrets.db_key_name(path))
        return key, _encrypted_state(path, in_keychain)
    if exists:
        if key is not None:
            log.info("A key was given for a database that is not encrypted; not used")
        return None, EncryptionState(False, CREATED_PLAIN + "; Settings, Privacy, can encrypt it.")
    # A new file.
    if key is not None:
        if not available():
            raise StoreError(f"A key was given to create {path} encrypted, but {NOT_INSTALLED}.")
        in_keychain = remember_key(path, key)
        return key, _encrypted_state(path, in_keychain, created=True)
    if not encrypt_new:
        return None, EncryptionState(False, CREATED_PLAIN + ".", created=True)
    reason = can_encrypt()
    if reason is not None:
        return None, EncryptionState(False, reason, created=True)
    key = new_key()
    if not remember_key(path, key):
        forget_key(path)
        return None, EncryptionState(False, can_encrypt() or "the keychain refused the key.")
    log.info("A new database is created encrypted; its key is in the keychain")
    return key, _encrypted_state(path, True, created=True, new_recovery_key=recovery_key(key))


def state_of(store) -> EncryptionState:
    """The store's state as opened, or read from its file (a Store made directly)."""
    state = getattr(store, "encryption", None)
    if state is not None:
        return state
    if store.path is None:
        return EncryptionState(False, SERVER, server=True)
    if is_encrypted_file(store.path):
        return _encrypted_state(store.path, secrets.in_keychain(secrets.db_key_name(store.path)))
    return EncryptionState(False, CREATED_PLAIN + "; Settings, Privacy, can encrypt it.")


# -- converting files -----------------------------------------------------------------


def _tables(conn, schema: str = "main") -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            # rootpage > 0: tables with storage. A virtual (FTS5) table's rows live in
            # its shadow tables, counted here; sqlcipher_export writes its schema row
            # directly, so this connection would not see it yet.
            f"SELECT name FROM {schema}.sqlite_master WHERE type='table' AND rootpage > 0 "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]


def _counts(conn, schema: str = "main") -> dict[str, int]:
    counts = {}
    for table in _tables(conn, schema):
        counts[table] = conn.execute(f'SELECT count(*) FROM {schema}."{table}"').fetchone()[0]
    return counts


def export_copy(
    source: Path,
    source_key: bytes | None,
    dest: Path,
    dest_key: bytes | None,
    *,
    source_read_only: bool = False,
) -> None:
    """Write ``source`` into a new file ``dest`` under ``dest_key`` (None: plain), with
    every table's row count checked. Whatever was at ``dest`` is replaced."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    if source_read_only:  # a backup the user chose: nothing is written beside it
        conn = connect(f"file:{source}?mode=ro", source_key, uri=True, isolation_level=None)
    else:
        conn = connect(source, source_key, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute(
            "ATTACH DATABASE ? AS target KEY ?",
            (str(dest), _key_text(dest_key) if dest_key is not None else ""),
        )
        # The live database: nobody writes between the copy and the check.
        conn.execute("BEGIN" if source_read_only else "BEGIN IMMEDIATE")
        try:
            conn.execute("SELECT sqlcipher_export('target')")
            version = int(conn.execute("PRAGMA main.user_version").fetchone()[0])
            conn.execute(f"PRAGMA target.user_version = {version}")
            if _counts(conn, "main") != _counts(conn, "target"):
                raise StoreError("The converted copy lost rows; the database was not changed.")
        finally:
            conn.execute("COMMIT")
        conn.execute("DETACH DATABASE target")
    except BaseException:
        conn.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{dest}{suffix}").unlink(missing_ok=True)
        raise
    conn.close()
    check = connect(dest, dest_key, isolation_level=None)
    try:
        if check.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise StoreError("The converted copy failed its check; the database was not changed.")
        check.execute("PRAGMA journal_mode = DELETE")  # one self-contained file to move
    finally:
        check.close()


def _swap_in(new_file: Path, target: Path) -> None:
    # The old write-ahead log must go before the new file arrives: SQLite would
    # otherwise replay the old file's pages into the new one.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(new_file, target)


@dataclass(frozen=True)
class KeyChange:
    recovery_key: str
    backup: Path
    in_keychain: bool


def _convert_live(store, actor, new_key_: bytes, reason: str, action: str) -> KeyChange:
    from .backup import backup_before
    from .services.common import require_owner

    require_owner(actor, action)
    path = store.path
    if path is None:
        raise StoreError(SERVER)
    why_not = can_encrypt()
    if why_not is not None:
        raise StoreError(f"Cannot {action}: {why_not}")
    old_key = remembered_key(path) if is_encrypted_file(path) else None
    backup = backup_before(path, reason)
    staging = path.with_name(path.name + ".encrypting")
    store.dispose()  # no pooled connection may hold the old file
    try:
        export_copy(path, old_key, staging, new_key_)
        in_keychain = remember_key(path, new_key_)
        try:
            _swap_in(staging, path)
        except OSError:
            if old_key is not None:
                remember_key(path, old_key)
            else:
                forget_key(path)
            raise
    except OSError as exc:
        raise StoreError(
            f"Could not {action} ({exc.strerror or type(exc).__name__}); the database was not "
            f"changed. A copy taken first is at {backup}."
        ) from None
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{staging}{suffix}").unlink(missing_ok=True)
    store.use_key(new_key_)
    store.encryption = replace(
        _encrypted_state(path, in_keychain), new_recovery_key=recovery_key(new_key_)
    )
    log.info("Database %s (%s); backup %s", action, reason, backup.name)
    return KeyChange(recovery_key(new_key_), backup, in_keychain)


def encrypt_database(store, actor) -> KeyChange:
    """Encrypt a plain database in place (a backup first); the key goes to the keychain."""
    if store.path is not None and is_encrypted_file(store.path):
        raise StoreError("This database is already encrypted.")
    return _convert_live(store, actor, new_key(), "before-encrypt", "encrypt the database")


def change_key(store, actor) -> KeyChange:
    """Give an encrypted database a new key (a backup first, under the old key)."""
    if store.path is None or not is_encrypted_file(store.path):
        raise StoreError("This database is not encrypted; encrypt it first.")
    return _convert_live(store, actor, new_key(), "before-rekey", "change the key")


def current_recovery_key(store, actor) -> str:
    """The recovery key of the open database (owner only), for a new recovery kit."""
    from .services.common import require_owner

    require_owner(actor, "see the recovery key")
    if store.path is None or not is_encrypted_file(store.path):
        raise StoreError("This database is not encrypted, so it has no recovery key.")
    return recovery_key(key_for_file(store.path))
