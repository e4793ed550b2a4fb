"""Everything secret (a database key, a server password) goes through here, to the
operating system's keychain by way of ``keyring``.

Where the computer has no keychain Outreach can use (a headless Linux, a
desktop without a secret service), the secret is kept in this process's memory
for this run only and the user is told so in a sentence: it is never written to
a file, QSettings, the database, a log or an export instead. Nothing here logs a
secret's value or puts it in an exception's message; names are logged at most.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("outreach.secrets")

SERVICE = "Outreach"

NO_KEYCHAIN_SENTENCE = (
    "This computer has no keychain Outreach can use (the system's password store), so "
    "secrets such as the database key are kept in memory for this run only and must be "
    "given again next time."
)

# Secrets of this run where no keychain works (and a cache of those the keychain
# gave, so a second connection does not ask the keychain, or the user, again).
_memory: dict[str, str] = {}


@dataclass(frozen=True)
class KeychainStatus:
    available: bool
    backend: str  # the backend's class name, for the log and the Privacy section
    sentence: str  # what it means, for the UI and the command line


def db_key_name(db_path: str | os.PathLike) -> str:
    """The keychain entry of one database file's key: its resolved path, hashed
    (the path itself can hold a patient-revealing folder name, and is long)."""
    resolved = str(Path(db_path).expanduser().resolve())
    return "db-key:" + hashlib.sha256(resolved.encode("utf-8")).hexdigest()


def server_password_name(user: str, host: str, port: int | None = None) -> str:
    """The keychain entry of a practice server's password."""
    return f"server:{user}@{host}:{port or ''}"


def _backend():
    import keyring

    return keyring.get_keyring()


def _unusable(backend) -> bool:
    # keyring falls back to "fail" (raises on every call) where it found no backend,
    # and "null" silently drops what it is given: neither keeps a secret.
    module = type(backend).__module__
    if module in ("keyring.backends.fail", "keyring.backends.null"):
        return True
    backends = getattr(backend, "backends", None)  # the chainer with nothing to chain
    return backends is not None and not backends


def keychain_status() -> KeychainStatus:
    try:
        backend = _backend()
    except Exception as exc:  # a broken backend configuration must not stop the app
        log.warning("No keychain backend could be loaded: %s", type(exc).__name__)
        return KeychainStatus(False, "none", NO_KEYCHAIN_SENTENCE)
    name = type(backend).__module__.rsplit(".", 1)[-1] + "." + type(backend).__name__
    if _unusable(backend):
        return KeychainStatus(False, name, NO_KEYCHAIN_SENTENCE)
    return KeychainStatus(True, name, "Secrets are kept in this computer's keychain.")


def get_secret(name: str) -> str | None:
    """The secret called ``name``, or None when neither the keychain nor this run has it."""
    if name in _memory:
        return _memory[name]
    if not keychain_status().available:
        return None
    from keyring.errors import KeyringError

    try:
        value = _backend().get_password(SERVICE, name)
    except KeyringError as exc:
        log.warning("The keychain could not be read: %s", type(exc).__name__)
        return None
    if value is not None:
        _memory[name] = value
    return value


def set_secret(name: str, value: str) -> bool:
    """Keep ``value`` under ``name``. True when it went to the keychain; False when
    it is kept in memory for this run only (tell the user NO_KEYCHAIN_SENTENCE)."""
    _memory[name] = value
    if not keychain_status().available:
        log.info("No keychain: the secret %s is kept for this run only", name.split(":")[0])
        return False
    from keyring.errors import KeyringError

    try:
        _backend().set_password(SERVICE, name, value)
    except KeyringError as exc:
        log.warning("The keychain refused a secret: %s", type(exc).__name__)
        return False
    return True


def delete_secret(name: str) -> None:
    """Forget ``name`` here and in the keychain (no error when it was not there)."""
    _memory.pop(name, None)
    if not keychain_status().available:
        return
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        _backend().delete_password(SERVICE, name)
    except PasswordDeleteError:
        pass
    except KeyringError as exc:
        log.warning("The keychain could not delete a secret: %s", type(exc).__name__)


def in_keychain(name: str) -> bool:
    """Whether the keychain itself (not only this run's memory) holds ``name``."""
    if not keychain_status().available:
        return False
    from keyring.errors import KeyringError

    try:
        return _backend().get_password(SERVICE, name) is not None
    except KeyringError:
        return False


def forget_memory() -> None:
    """Drop this run's copies (tests; and signing out of a session later)."""
    _memory.clear()
