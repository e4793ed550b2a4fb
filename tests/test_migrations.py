"""The schema's history: models match migrations, upgrades are atomic and safe."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from outreach import migrate
from outreach.errors import DatabaseNewerError, MigrationFailed, StoreError
from outreach.migrate import alembic_config, current_revision, ensure_current, migrate_to
from outreach.migrations import HEAD_REVISION
from outreach.services.evidence import verify_ledger
from outreach.store import Store, open_store

FIXTURES = Path(__file__).parent / "fixtures"


def _counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if r[0] != "alembic_version"
        ]
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def test_head_constant_matches_the_script_directory():
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_current_head() == HEAD_REVISION


# SQLite cannot reflect expression indexes (the case-insensitive unique names),
# so autogenerate skips comparing them and says so.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_models_match_migrations(store):
    with store.engine.connect() as conn:
        command.check(alembic_config(conn))


def test_upgrade_downgrade_upgrade(db_path):
    store = open_store(db_path)
    assert current_revision(store) == HEAD_REVISION
    migrate_to(store, "base", before=HEAD_REVISION, downgrade=True)
    assert current_revision(store) is None
    with store.engine.connect() as conn:
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
    assert "posts" not in names and "communities" not in names
    migrate_to(store, "head")
    assert current_revision(store) == HEAD_REVISION
    store.dispose()


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("schema_*.db")))
def test_saved_databases_upgrade_without_losing_a_row(tmp_path, fixture):
    path = tmp_path / fixture
    shutil.copy(FIXTURES / fixture, path)
    before = _counts(path)
    assert sum(before.values()) > 0, "a fixture must hold data"
    store = open_store(path)
    assert current_revision(store) == HEAD_REVISION
    # The evidence ledger's hash chain survives every upgrade as written.
    assert verify_ledger(store) is None
    store.dispose()
    after = _counts(path)
    for table, count in before.items():
        assert after[table] == count, table
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_previous_schema_upgrades_to_the_figure_cache_without_losing_a_row(db_path):
    """0008 to 0009 (the Dashboard's kept figures): a table added, every row kept."""
    from outreach.context import PRACTITIONER
    from outreach.services.demo import generate_demo

    store = open_store(db_path)
    generate_demo(store, PRACTITIONER, scale="small")
    migrate_to(store, "0008_list_indexes", before=HEAD_REVISION, downgrade=True)
    store.dispose()
    before = _counts(db_path)
    assert "figure_cache" not in before and before["posts"] > 0
    store = open_store(db_path)
    assert current_revision(store) == HEAD_REVISION
    store.dispose()
    after = _counts(db_path)
    assert after.pop("figure_cache") == 0
    assert after == before


def test_first_schema_fixture_exists():
    assert (FIXTURES / "schema_0001_initial.db").exists()


def _stamp(path: Path, revision: str) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        conn.commit()


def test_newer_database_is_refused_and_left_untouched(db_path):
    open_store(db_path).dispose()
    _stamp(db_path, "9999_from_the_future")
    before = db_path.read_bytes()
    with pytest.raises(DatabaseNewerError) as info:
        open_store(db_path)
    assert "newer version of Outreach" in str(info.value)
    assert "not changed" in str(info.value)
    assert db_path.read_bytes() == before
    assert not (db_path.parent / "backups").exists()


def test_a_foreign_sqlite_file_is_refused(db_path):
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("CREATE TABLE something (x)")
    with pytest.raises(StoreError, match="not an Outreach database"):
        open_store(db_path)


def test_a_failed_migration_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "schema_0001_initial.db", path)
    store = Store(f"sqlite:///{path}")
    # Pretend the database is one step behind, then make that step fail midway:
    # it creates a table and then breaks. The table must not survive.
    _stamp(path, "0000_pretend")
    monkeypatch.setattr(migrate, "_known", lambda revision: True)

    def failing_upgrade(cfg, target):
        conn = cfg.attributes["connection"]
        conn.exec_driver_sql("CREATE TABLE half_done (x INTEGER)")
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'halfway'")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(command, "upgrade", failing_upgrade)
    before = _counts(path)
    with pytest.raises(MigrationFailed) as info:
        ensure_current(store)
    message = str(info.value)
    assert "left exactly as it was" in message
    backups = list((tmp_path / "backups").glob("*.db"))
    assert len(backups) == 1 and str(backups[0]) in message
    assert _counts(path) == before
    assert current_revision(store) == "0000_pretend"
    store.dispose()


def test_upgrade_backs_up_first(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "schema_0001_initial.db", path)
    _stamp(path, "0000_pretend")
    monkeypatch.setattr(migrate, "_known", lambda revision: True)
    monkeypatch.setattr(command, "upgrade", lambda cfg, target: _restamp(cfg))
    outcome = ensure_current(Store(f"sqlite:///{path}"))
    assert outcome.backup is not None and outcome.backup.exists()
    assert _counts(outcome.backup) == _counts(path)


def _restamp(cfg):
    cfg.attributes["connection"].exec_driver_sql(
        f"UPDATE alembic_version SET version_num = '{HEAD_REVISION}'"
    )


def test_every_connection_gets_the_pragmas(store):
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_a_failed_session_rolls_back_everything(store):
    from sqlalchemy import text

    with pytest.raises(RuntimeError), store.session() as session:
        session.execute(
            text(
                "INSERT INTO practice_profile (id, practitioner_name, specialty, licensed_jurisdictions, hourly_rate_cents, currency, fee_per_visit_cents, visits_per_year, years_retained, intake_form_url, disclaimer, signature, welcome_done) VALUES (1, 'x', '', '', 0, 'USD', 0, 0, 0, '', '', '', 0)"
            )
        )
        raise RuntimeError("boom")
    with store.session() as session:
        assert session.execute(text("SELECT count(*) FROM practice_profile")).scalar() == 0
