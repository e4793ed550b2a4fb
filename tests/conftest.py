"""Every test gets its own data folder and database; nothing touches the user's.

Tests run on SQLite; those marked ``both_engines`` (a module's ``pytestmark`` or
one test) that use the ``store`` fixture run on PostgreSQL as well, each in a new
database on the server named by $OUTREACH_TEST_PG_URL (.ci/run starts one). Without
it the PostgreSQL half is skipped, with the reason.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from outreach.context import PRACTITIONER, Actor  # noqa: E402
from outreach.store import open_store  # noqa: E402

PG_ENV = "OUTREACH_TEST_PG_URL"
PG_SKIP_REASON = (
    f"PostgreSQL tests need {PG_ENV}=postgresql+psycopg://USER@127.0.0.1:PORT/DB "
    "(.ci/run starts a throwaway server and sets it)"
)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "both_engines: run the test's `store` on SQLite and on PostgreSQL"
    )
    config.addinivalue_line("markers", "sqlite_only: opt out of a module's both_engines mark")
    config.addinivalue_line("markers", "postgresql: the PostgreSQL half of a test")


def pytest_terminal_summary(terminalreporter):
    # One line saying why the PostgreSQL half did not run (make test is quiet).
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "postgresql" in r.keywords]
    if skipped and not os.environ.get(PG_ENV):
        terminalreporter.write_line(f"{len(skipped)} PostgreSQL tests skipped: {PG_SKIP_REASON}")


def engine_params() -> list:
    pg_marks = [pytest.mark.postgresql]
    if not os.environ.get(PG_ENV):
        pg_marks.append(pytest.mark.skip(reason=PG_SKIP_REASON))
    return ["sqlite", pytest.param("postgresql", marks=pg_marks)]


def pytest_generate_tests(metafunc):
    # The mark parametrizes the existing `store` fixture, so porting a test module
    # to both engines is one line and its tests stay as they were written.
    if "store" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("sqlite_only"):
        return
    if metafunc.definition.get_closest_marker("both_engines"):
        metafunc.parametrize("store", engine_params(), indirect=True)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("OUTREACH_HOME", str(home))
    monkeypatch.delenv("OUTREACH_DB", raising=False)
    return home


@pytest.fixture(autouse=True)
def _no_keychain():
    """No test reaches the user's keychain: there is none unless a test asks for the
    in-memory one (tests/memory_keyring.py), so new databases are plain."""
    import keyring
    from keyring.backends import fail

    from outreach.encryption import forget_this_run

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    forget_this_run()
    yield
    keyring.set_keyring(previous)
    forget_this_run()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "outreach.db"


@dataclass
class PgServer:
    """The test server: an admin engine on its maintenance database, and a
    template database already migrated to head (copying it is much faster than
    running the migrations for every test)."""

    url: str
    admin: object
    template: str

    def url_for(self, database: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.url).set(database=database).render_as_string(hide_password=False)

    def create(self, *, migrated: bool) -> str:
        from sqlalchemy import text

        name = f"outreach_t_{secrets.token_hex(6)}"
        template = self.template if migrated else "template0"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        return name

    def drop(self, name: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(PG_SKIP_REASON)
    from sqlalchemy import create_engine

    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=_null_pool())
    server = PgServer(url=url, admin=admin, template="")
    template = server.create(migrated=False)
    store = open_store(server.url_for(template))
    store.dispose()
    server.template = template
    yield server
    server.drop(template)
    admin.dispose()


def _null_pool():
    from sqlalchemy.pool import NullPool

    return NullPool


@pytest.fixture
def pg_empty_url(pg_server) -> Iterator[str]:
    """The URL of a new, empty database of this test's own (dropped after)."""
    name = pg_server.create(migrated=False)
    yield pg_server.url_for(name)
    pg_server.drop(name)


@pytest.fixture
def pg_url(pg_server) -> Iterator[str]:
    """The URL of a new database of this test's own, at the schema's head."""
    name = pg_server.create(migrated=True)
    yield pg_server.url_for(name)
    pg_server.drop(name)


@pytest.fixture
def pg_store(pg_url):
    store = open_store(pg_url)
    yield store
    store.dispose()


def _open_for(request, engine: str):
    if engine == "postgresql":
        return open_store(request.getfixturevalue("pg_url"))
    return open_store(request.getfixturevalue("db_path"))


@pytest.fixture
def store(request):
    """SQLite unless a both_engines mark parametrized it."""
    store = _open_for(request, getattr(request, "param", "sqlite"))
    yield store
    store.dispose()


@pytest.fixture(params=engine_params())
def any_store(request):
    store = _open_for(request, request.param)
    yield store
    store.dispose()


@pytest.fixture
def actor() -> Actor:
    return PRACTITIONER
