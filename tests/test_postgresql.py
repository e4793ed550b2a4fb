"""What is particular to running on a PostgreSQL server: the schema's history
there, and the hash chains' tamper checks through SQL on either engine."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from test_compliance import SAFE, check, cid, covered  # noqa: F401 (fixtures)

from outreach.cli import main
from outreach.migrate import alembic_config, current_revision, migrate_to
from outreach.migrations import HEAD_REVISION
from outreach.services import communities as com
from outreach.services import evidence
from outreach.services.audit import verify_trail
from outreach.services.dbcheck import check_database
from outreach.store import open_store

pytestmark = pytest.mark.both_engines


def _sql(store, statement: str, **params) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(statement), params)


@pytest.mark.postgresql
def test_migrations_upgrade_downgrade_upgrade_on_postgresql(pg_empty_url):
    store = open_store(pg_empty_url)
    try:
        assert current_revision(store) == HEAD_REVISION
        with store.engine.connect() as conn:
            indexes = {i["name"] for i in inspect(conn).get_indexes("posts")}
            assert "ix_posts_search" in indexes
            # No model differs from the migrations (the search indexes are the database's).
            command.check(alembic_config(conn))
        migrate_to(store, "base", before=HEAD_REVISION, downgrade=True)
        assert current_revision(store) is None
        with store.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        migrate_to(store, "head")
        assert current_revision(store) == HEAD_REVISION
        assert check_database(store).ok
    finally:
        store.dispose()


@pytest.mark.postgresql
def test_a_failed_migration_on_postgresql_leaves_nothing(pg_empty_url, monkeypatch):
    from outreach.errors import MigrationFailed

    def failing_upgrade(cfg, target):
        conn = cfg.attributes["connection"]
        conn.exec_driver_sql("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(command, "upgrade", failing_upgrade)
    with pytest.raises(MigrationFailed, match="left exactly as it was"):
        open_store(pg_empty_url)
    monkeypatch.undo()
    store = open_store(pg_empty_url, migrate=False)
    try:
        with store.engine.connect() as conn:
            assert "half_done" not in inspect(conn).get_table_names()
    finally:
        store.dispose()


def test_models_match_migrations_on_each_engine(store):
    with store.engine.connect() as conn:
        command.check(alembic_config(conn))


def test_an_altered_evidence_record_is_named(store, actor, cid):  # noqa: F811
    ids = [check(store, actor, cid, body=f"{SAFE} Tip {n}.").id for n in range(3)]
    assert evidence.verify_ledger(store) is None
    _sql(
        store,
        "UPDATE compliance_checks SET payload = replace(payload, 'Tip 1', 'Tip 9') WHERE id = :id",
        id=ids[1],
    )
    problem = evidence.verify_ledger(store)
    assert problem is not None and problem.record_id == ids[1]


def test_a_removed_evidence_record_is_detected(store, actor, cid):  # noqa: F811
    ids = [check(store, actor, cid, body=f"{SAFE} Tip {n}.").id for n in range(3)]
    _sql(store, "DELETE FROM compliance_checks WHERE id = :id", id=ids[1])
    assert evidence.verify_ledger(store).record_id == ids[2]


def test_an_altered_audit_event_is_named_by_db_check(store, actor, capsys):
    for n in range(3):
        com.create_community(store, actor, com.CommunityData(name=f"Forum {n}"))
    assert verify_trail(store) is None
    with store.engine.connect() as conn:
        second = conn.execute(text("SELECT min(id) + 1 FROM audit_events")).scalar()
    _sql(store, "UPDATE audit_events SET actor_name = 'Someone else' WHERE id = :id", id=second)
    assert verify_trail(store).record_id == second
    assert main(["db", "check", "--db", store.url]) == 1
    assert f"Audit record {second} was altered" in capsys.readouterr().err


@pytest.mark.postgresql
def test_search_keeps_working_where_the_unaccent_extension_cannot_be_added(pg_empty_url):
    """Migration 0010 on a server without unaccent (no contrib package, or no
    right to add it): the wrapper returns the text as it is, nothing fails."""
    import importlib

    migration = importlib.import_module("outreach.migrations.versions.0010_pg_unaccent_search")
    store = open_store(pg_empty_url)
    try:
        with store.engine.begin() as conn:

            class NoExtensions:
                dialect = conn.dialect

                def begin_nested(self):
                    return conn.begin_nested()

                def exec_driver_sql(self, statement, *args):
                    if statement.startswith("CREATE EXTENSION"):
                        raise RuntimeError('could not open extension control file "unaccent"')
                    return conn.exec_driver_sql(statement, *args)

            assert migration._create_unaccent(NoExtensions()) is False
            assert conn.exec_driver_sql("SELECT outreach_unaccent('Müller')").scalar() == "Müller"
            conn.rollback()
    finally:
        store.dispose()
