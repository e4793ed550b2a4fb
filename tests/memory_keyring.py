"""An in-memory keychain for tests: nothing reaches the real one."""

from __future__ import annotations

import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        if (service, username) not in self.entries:
            raise PasswordDeleteError("not there")
        del self.entries[(service, username)]


@pytest.fixture(name="keychain")
def keychain_fixture():
    """A working keychain for this test (the suite otherwise has none)."""
    import keyring

    from outreach import secrets

    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    secrets.forget_memory()
    yield backend
    keyring.set_keyring(previous)
    secrets.forget_memory()
