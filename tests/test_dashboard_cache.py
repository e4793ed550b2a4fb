"""The Dashboard's figures kept in the database for the next start: read back
exactly, and only while they are of the data as it is (any write, another day,
another schema makes them stale), and never where someone must sign in first."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from outreach.services import auth
from outreach.services import communities as com
from outreach.services import posts as posts_svc
from outreach.services.dashboard_cache import keep, read_cached
from outreach.services.dashboard_cache import work_out_headline as _headline
from outreach.services.dashboard_cache import work_out_year as _year
from outreach.services.profile import mark_welcome_done, set_setting

TODAY = date(2025, 3, 20)


def practice(store, actor):
    mark_welcome_done(store, actor)
    set_setting(store, actor, "hourly_rate", "100.00")
    cid = com.create_community(store, actor, com.CommunityData(name="Café <Forum>"))
    for day, minutes in ((3, 30), (12, 60)):
        posts_svc.create_post(
            store,
            actor,
            posts_svc.PostData(
                cid,
                datetime(2025, 3, day, 12, tzinfo=UTC),
                "answer",
                title="t",
                minutes_spent=minutes,
            ),
        )
    posts_svc.create_post(
        store,
        actor,
        posts_svc.PostData(
            cid, datetime(2025, 2, 10, 12, tzinfo=UTC), "answer", title="t", minutes_spent=90
        ),
    )
    return cid


def work_out_headline(store, today):
    """Worked out and kept, as the Dashboard does."""
    headline = _headline(store, today)
    keep(store, headline)
    return headline


def work_out_year(store, today):
    year = _year(store, today)
    keep(store, year)
    return year


def kept(store, actor, db_path):
    practice(store, actor)
    return work_out_headline(store, TODAY), work_out_year(store, TODAY)


def test_the_kept_figures_read_back_exactly(store, actor, db_path):
    headline, year = kept(store, actor, db_path)
    assert (headline.posts, headline.this_month.posts, headline.last_month.minutes) == (3, 2, 90)
    assert headline.this_month.time_cost_cents == 15000
    assert [r.name for r in year.ranking] == ["Café <Forum>"]
    assert b"<svg" in year.charts["trend"]
    cached = read_cached(db_path)
    assert cached is not None
    assert cached.headline == headline
    assert cached.year == year
    assert cached.account is None  # a practice without accounts


def test_keeping_them_is_not_a_change(store, actor, db_path):
    practice(store, actor)
    with sqlite3.connect(db_path) as conn:
        before = conn.execute(
            "SELECT count, last_hash FROM chain_heads WHERE chain='audit'"
        ).fetchone()
        events = conn.execute("SELECT count(*) FROM audit_events").fetchone()
    work_out_headline(store, TODAY)
    work_out_year(store, TODAY)
    with sqlite3.connect(db_path) as conn:
        # The audit trail is the data version: a write there would make them stale.
        assert (
            conn.execute("SELECT count, last_hash FROM chain_heads WHERE chain='audit'").fetchone()
            == before
        )
        assert conn.execute("SELECT count(*) FROM audit_events").fetchone() == events
    assert read_cached(db_path) is not None


def test_any_write_makes_them_stale(store, actor, db_path):
    kept(store, actor, db_path)
    com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    assert read_cached(db_path) is None


def test_they_say_which_day_they_are_of(store, actor, db_path):
    """Kept figures of an earlier day are read (the first start of each day is
    most starts), and say so: the window shows them as of that day."""
    kept(store, actor, db_path)
    cached = read_cached(db_path)
    assert cached.headline.seen_on == cached.year.seen_on == TODAY
    assert cached.is_of(TODAY)
    assert not cached.is_of(date(2025, 3, 21))


def test_the_year_is_kept_apart(store, actor, db_path):
    """Figures worked out for this month only (the app closed before the 12
    months were done) are shown; the 12 months are then worked out."""
    practice(store, actor)
    work_out_year(store, TODAY)
    com.create_community(store, actor, com.CommunityData(name="r/sleep"))
    work_out_headline(store, TODAY)
    cached = read_cached(db_path)
    assert cached is not None and cached.headline.communities == 2
    assert cached.year is None


def test_not_before_the_welcome(store, actor, db_path):
    practice(store, actor)
    set_setting(store, actor, "welcome_done", "false")
    work_out_headline(store, TODAY)
    assert read_cached(db_path) is None


def test_not_when_someone_must_sign_in(store, actor, db_path):
    practice(store, actor)
    owner = auth.create_account(store, actor, "ana", "correct horse battery", "owner", "Ana Lima")
    work_out_headline(store, TODAY)
    cached = read_cached(db_path)
    assert cached is not None and cached.account == (owner, "ana", "Ana Lima", "owner")
    set_setting(store, actor, "sign_in_required", "true")
    work_out_headline(store, TODAY)
    assert read_cached(db_path) is None
    set_setting(store, actor, "sign_in_required", "false")
    as_owner = auth.Account(owner, "ana", "Ana Lima", "owner", True, None).actor
    auth.create_account(store, as_owner, "bo", "correct horse battery", "staff")
    work_out_headline(store, TODAY)
    assert read_cached(db_path) is None  # two accounts: the sign-in dialog first


def test_not_at_another_schema(store, actor, db_path):
    kept(store, actor, db_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0008_list_indexes'")
    assert read_cached(db_path) is None


def test_not_from_an_unreadable_file(tmp_path):
    assert read_cached(tmp_path / "missing.db") is None
    encrypted = tmp_path / "encrypted.db"
    encrypted.write_bytes(b"\x8f\x11" * 4096)  # what SQLCipher's first page looks like
    assert read_cached(encrypted) is None
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert read_cached(empty) is None


def test_an_empty_database(store, actor, db_path):
    mark_welcome_done(store, actor)
    assert work_out_headline(store, TODAY).empty
    cached = read_cached(db_path)
    assert cached is not None and cached.headline.empty


def test_a_cache_that_cannot_be_written_is_only_logged(store, actor, db_path):
    """Keeping never waits for a busy database (the window would freeze): it
    gives up, and the next start works the figures out."""
    practice(store, actor)
    headline = _headline(store, TODAY)
    with sqlite3.connect(db_path) as other:
        other.execute("BEGIN IMMEDIATE")  # someone else is writing
        keep(store, headline)
        other.rollback()
    assert read_cached(db_path) is None
    keep(store, headline)
    assert read_cached(db_path) is not None


def test_keeping_does_not_break_an_action_between_its_read_and_its_write(store, actor, db_path):
    """The reason keep() runs on the GUI thread with its own connection: a write
    landing inside another transaction after its first read makes SQLite refuse
    that transaction's write."""
    practice(store, actor)
    headline = _headline(store, TODAY)
    with store.session() as session:
        session.execute(text("SELECT count(*) FROM posts")).one()
        keep(store, headline)  # what a background thread could do at this moment
        with pytest.raises(OperationalError, match="locked"):
            session.execute(text("UPDATE practice_profile SET welcome_done = 1"))


@pytest.mark.both_engines
def test_worked_out_on_either_engine(store, actor):
    """A practice server's Dashboard: the same figures; nothing kept (start reads
    kept figures from SQLite files only)."""
    practice(store, actor)
    headline = _headline(store, TODAY)
    assert (headline.posts, headline.this_month.posts, headline.unchecked) == (3, 2, 0)
    assert headline.data_key and headline.seen_on == TODAY
    year = _year(store, TODAY)
    assert [r.name for r in year.ranking] == ["Café <Forum>"]
    keep(store, headline)
    keep(store, year)
    if not store.is_sqlite:
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM figure_cache")).scalar() == 0
