"""Search of the posts and contacts lists through each engine's full-text index
(FTS5 on SQLite, tsvector with a GIN index on PostgreSQL), behind one interface."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from outreach.services import communities as com
from outreach.services import contacts as contacts_svc
from outreach.services import posts as svc
from outreach.services.search import fts5_query, split_terms, tsquery

pytestmark = pytest.mark.both_engines
WHEN = datetime(2025, 3, 14, 15, 0, tzinfo=UTC)


@pytest.fixture
def cid(store, actor):
    return com.create_community(store, actor, com.CommunityData(name="r/insomnia"))


def post(store, actor, cid, title, body="", url=""):
    return svc.create_post(
        store,
        actor,
        svc.PostData(cid, WHEN, "education", title=title, body=body, url=url),
    )


def titles(store, search: str) -> list[str]:
    page = svc.list_posts(store, svc.PostQuery(search=search, sort="title", descending=False))
    return [r.title for r in page.rows]


def test_words_match_the_beginning_of_words_in_any_order(store, actor, cid):
    post(store, actor, cid, "Melatonin timing", body="Take it two hours before bed.")
    post(store, actor, cid, "Sleep hygiene", body="Timing of light matters for melatonin.")
    post(store, actor, cid, "Gut health")
    assert titles(store, "melat") == ["Melatonin timing", "Sleep hygiene"]
    assert titles(store, "TIMING melatonin") == ["Melatonin timing", "Sleep hygiene"]
    assert titles(store, "hours melatonin") == ["Melatonin timing"]
    assert titles(store, "latonin") == []  # a word index matches beginnings of words
    assert svc.list_posts(store, svc.PostQuery(search="melatonin")).total == 2


def test_short_words_still_match_anywhere(store, actor, cid):
    for n in (44, 144, 440, 7):
        post(store, actor, cid, f"Post {n:03d}")
    assert titles(store, "Post 44") == ["Post 044", "Post 144", "Post 440"]


def test_user_text_is_never_query_syntax(store, actor, cid):
    post(store, actor, cid, 'He said "sleep" AND left', body="NEAR(a b) col:x * ^ -")
    for nasty in (
        '"',
        '"sleep',
        "sleep\"'",
        "AND",
        "NEAR(",
        "col:x",
        "a*b",
        "'",
        "\\",
        "-x",
        "&|!",
    ):
        svc.list_posts(store, svc.PostQuery(search=nasty))  # no syntax error
    assert titles(store, '"sleep"') == ['He said "sleep" AND left']
    assert titles(store, "near(a") == ['He said "sleep" AND left']


def test_edits_and_deletes_keep_the_index_in_step(store, actor, cid):
    pid = post(store, actor, cid, "Magnesium and sleep")
    assert titles(store, "magnesium") == ["Magnesium and sleep"]
    row = svc.get_post(store, pid)
    svc.update_post(store, actor, pid, replace(row.data(), title="Zinc and sleep"))
    assert titles(store, "magnesium") == []
    assert titles(store, "zinc") == ["Zinc and sleep"]
    svc.delete_posts(store, actor, [pid])
    assert titles(store, "zinc") == []


def test_contacts_by_handle_name_email_and_phone(store, actor):
    add = contacts_svc.create_contact
    add(store, actor, contacts_svc.ContactData(name="Ana Lima", email="ana.lima@example.com"))
    add(store, actor, contacts_svc.ContactData(handle="u/sleepy_mum", phone="+1 555 0100 222"))
    add(store, actor, contacts_svc.ContactData(name="Bo Chen"))

    def names(search):
        rows = contacts_svc.list_contacts(store, contacts_svc.ContactQuery(search=search)).rows
        return sorted(r.display_name for r in rows)

    assert names("lima") == ["Ana Lima"]
    assert names("example.com") == ["Ana Lima"]
    assert names("sleepy") == ["u/sleepy_mum"]
    assert names("0100") == ["u/sleepy_mum"]
    assert names("ana lim") == ["Ana Lima"]
    assert names("bo") == ["Bo Chen"]  # short: anywhere, as before
    assert names("nobody") == []


def test_accents_are_ignored(store, actor, cid):
    """FTS5's remove_diacritics on SQLite; the unaccent extension on PostgreSQL."""
    contacts_svc.create_contact(store, actor, contacts_svc.ContactData(name="Jürgen Müller"))
    post(store, actor, cid, "Café au lait before bed?")

    def found(search):
        return contacts_svc.list_contacts(store, contacts_svc.ContactQuery(search=search)).total

    assert found("müll") == found("muller") == found("JURGEN") == 1
    assert titles(store, "cafe") == titles(store, "café") == ["Café au lait before bed?"]


def test_the_index_is_what_answers(store, actor, cid):
    post(store, actor, cid, "Melatonin timing")
    clause = "posts_fts MATCH" if store.is_sqlite else "@@ to_tsquery"
    with store.engine.connect() as conn:
        if store.is_sqlite:
            names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
            assert {"posts_fts", "contacts_fts", "posts_fts_au", "contacts_fts_ad"} <= names
        else:
            from sqlalchemy import select

            from outreach.models import Post
            from outreach.services.search import search_clauses

            conn.exec_driver_sql("SET enable_seqscan = off")
            stmt = select(Post.id).where(*search_clauses("postgresql", "posts", "melatonin"))
            compiled = stmt.compile(conn, compile_kwargs={"literal_binds": True})
            plan = "\n".join(r[0] for r in conn.execute(text(f"EXPLAIN {compiled}")))
            assert "ix_posts_search" in plan, plan
            assert clause in str(compiled)


def test_query_strings_quote_every_term():
    assert split_terms('Post 44 ana.lima "x" %') == (["post", "ana", "lima", "x"], ["44", "%"])
    assert fts5_query(['a"b', "c"]) == '"a""b"* AND "c"*'
    assert tsquery(["o'brien"]) == "'o''brien':*"
