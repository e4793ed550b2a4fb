"""`outreach db copy`: a practice's data into a new database (SQLite to
PostgreSQL and back), verified by row counts and checksums, chains intact."""

from __future__ import annotations

import os

import pytest

from outreach.cli import main
from outreach.context import PRACTITIONER
from outreach.services import auth
from outreach.services.audit import verify_trail
from outreach.services.db_copy import CopyRefused, copy_database, table_checksum
from outreach.services.demo import generate_demo
from outreach.services.evidence import verify_ledger
from outreach.services.posts import PostQuery, list_posts
from outreach.store import open_store

pytestmark = pytest.mark.both_engines
PG_ENV = "OUTREACH_TEST_PG_URL"


@pytest.fixture
def filled(store, actor):
    generate_demo(store, actor, scale=120, seed=3)
    auth.create_account(store, actor, "ada", "correct horse", "owner", "Dr. Ada")
    return store


@pytest.fixture
def new_target(store, tmp_path, request):
    """A new, empty database on the other engine: SQLite copies to PostgreSQL
    (to another SQLite file when no server is given), PostgreSQL to SQLite."""
    if store.is_sqlite and os.environ.get(PG_ENV):
        return request.getfixturevalue("pg_empty_url")
    return str(tmp_path / "copy.db")


def test_a_copy_holds_every_row_and_verifies(filled, new_target):
    report = copy_database(filled, new_target)
    assert report.ok, report
    assert report.rows > 400
    by_name = {t.table: t for t in report.tables}
    assert by_name["posts"].source_rows == 120 and by_name["users"].target_rows == 1
    assert by_name["audit_events"].target_rows > 0 and by_name["compliance_checks"].target_rows
    copy = open_store(new_target)
    try:
        # The hash chains cover the rows as written: they verify only on an exact copy.
        assert verify_ledger(copy) is None and verify_trail(copy) is None
        # The copy's search index was built as the rows went in.
        assert (
            list_posts(copy, PostQuery(search="sleep")).total
            == list_posts(filled, PostQuery(search="sleep")).total
        )
        # New records get new ids after the copied ones (sequences moved on).
        auth.create_account(copy, PRACTITIONER, "bo", "another horse", "staff", "Bo")
        assert verify_trail(copy) is None
    finally:
        copy.dispose()


def test_a_target_with_data_is_refused_and_left_alone(filled, new_target):
    copy_database(filled, new_target)
    copy = open_store(new_target)
    with copy.engine.connect() as conn:
        before = [table_checksum(conn, t) for t in _tables()]
    copy.dispose()
    with pytest.raises(CopyRefused, match="already holds data"):
        copy_database(filled, new_target)
    copy = open_store(new_target)
    with copy.engine.connect() as conn:
        assert [table_checksum(conn, t) for t in _tables()] == before
    copy.dispose()


def _tables():
    from outreach.models import Base

    return Base.metadata.sorted_tables


def test_the_checksum_sees_a_changed_value(filled, new_target):
    from sqlalchemy import text

    report = copy_database(filled, new_target)
    copy = open_store(new_target)
    try:
        with copy.engine.begin() as conn:
            conn.execute(text("UPDATE posts SET views = views + 1 WHERE id = 1"))
        from outreach.models import Post

        with copy.engine.connect() as conn:
            _, digest = table_checksum(conn, Post.__table__)
    finally:
        copy.dispose()
    assert digest != {t.table: t for t in report.tables}["posts"].source_sha256


def test_the_command_prints_the_figures_and_copies_back(filled, new_target, tmp_path, capsys):
    assert main(["db", "copy", "--db", filled.url, "--to", new_target]) == 0
    out = capsys.readouterr().out
    assert "every table's count and checksum match" in out and "posts" in out
    back = tmp_path / "back.db"
    assert main(["db", "copy", "--db", new_target, "--to", str(back)]) == 0
    assert main(["db", "check", "--db", str(back)]) == 0
    assert main(["db", "copy", "--db", filled.url, "--to", str(back)]) == 1
    assert "already holds data" in capsys.readouterr().err
