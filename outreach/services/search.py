"""Searching the posts and contacts lists: one interface, each engine's own index.

- SQLite: the FTS5 tables of migration 0005 (kept in sync by triggers), with
  ``unicode61 remove_diacritics 2``, so "muller" finds "Müller".
- PostgreSQL: full-text search on the GIN expression indexes of migrations
  0005 and 0010 (``to_tsvector('simple', outreach_unaccent(...))``; case folded
  and, where the server has the unaccent extension, accents ignored too).

Both split text into runs of letters and digits, so "ana.lima@example.com" is
the words ana, lima, example and com. Every word the user types must match
(AND); a word matches the beginning of a word in the record ("melat" finds
"melatonin"). A typed word of one or two characters ("44", "b") matches
anywhere in the text instead, as the lists always did: a word index cannot find
"44" inside "Post 044", and so short a prefix would narrow nothing anyway.

Any other engine falls back to the case-insensitive LIKE of common.search_clause.
"""

from __future__ import annotations

import re

from sqlalchemy import column, func, literal, literal_column, or_, select, table

from ..models import Contact, Post
from .common import clean, like_pattern

# Shorter typed words match as substrings (LIKE), longer ones through the index.
MIN_INDEXED = 3
_WORD = re.compile(r"[^\W_]+")  # runs of letters and digits, as the tokenizers split

# table -> searched columns: must match migration 0005's index definitions.
SEARCHED = {
    "posts": ("title", "body", "url"),
    "contacts": ("handle", "name", "email", "phone"),
}
_MODELS = {"posts": Post, "contacts": Contact}


def pg_document(name: str) -> str:
    """The indexed expression, written exactly as the GIN index defines it (with
    qualified columns) so PostgreSQL's planner recognises it and uses the index."""
    joined = " || ' ' || ".join(f"coalesce({name}.{c}, '')" for c in SEARCHED[name])
    text = f"outreach_unaccent(regexp_replace({joined}, '[[:punct:][:space:]]+', ' ', 'g'))"
    return f"to_tsvector('simple', {text})"


def split_terms(search: str) -> tuple[list[str], list[str]]:
    """(indexed words, substring words) of what the user typed."""
    indexed: list[str] = []
    substring: list[str] = []
    for word in clean(search).split():
        tokens = _WORD.findall(word.lower())
        if len(word) < MIN_INDEXED or not tokens:
            substring.append(word)
        else:
            indexed.extend(tokens)
    return indexed, substring


def fts5_query(tokens: list[str]) -> str:
    """An FTS5 MATCH string: each token quoted (inner quotes doubled, so user
    text can never be read as FTS5 syntax) and prefix-matched; all must match."""
    return " AND ".join('"' + t.replace('"', '""') + '"*' for t in tokens)


def tsquery(tokens: list[str]) -> str:
    """A to_tsquery string: each token quoted and prefix-matched; all must match."""
    return " & ".join("'" + t.replace("'", "''").replace("\\", "\\\\") + "':*" for t in tokens)


def search_clauses(dialect: str, name: str, search: str) -> list:
    """WHERE clauses that keep the rows of ``name`` ("posts" or "contacts")
    matching ``search``; empty when there is nothing to search for."""
    model = _MODELS[name]
    columns = [getattr(model, c) for c in SEARCHED[name]]
    indexed, substring = split_terms(search)
    if dialect not in ("sqlite", "postgresql"):
        substring, indexed = clean(search).split(), []
    clauses = [
        or_(*(col.ilike(like_pattern(word.lower()), escape="\\") for col in columns))
        for word in substring
    ]
    if not indexed:
        return clauses
    if dialect == "sqlite":
        fts = table(f"{name}_fts", column("rowid"))
        matches = select(fts.c.rowid).where(
            literal_column(f"{name}_fts").op("MATCH", is_comparison=True)(
                literal(fts5_query(indexed))
            )
        )
        clauses.append(model.id.in_(matches))
    else:
        # The typed words lose their accents the same way the indexed text did.
        query = func.to_tsquery(
            literal_column("'simple'"), func.outreach_unaccent(literal(tsquery(indexed)))
        )
        clauses.append(literal_column(pg_document(name)).op("@@", is_comparison=True)(query))
    return clauses
