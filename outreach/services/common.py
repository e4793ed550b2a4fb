"""Small pieces every service shares: paging, text clean-up, permission checks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from sqlalchemy import and_, or_, type_coerce
from sqlalchemy.types import NullType

from ..context import Actor
from ..errors import OutreachError

T = TypeVar("T")
MAX_PAGE = 1000


class PermissionDenied(OutreachError):
    pass


def require_owner(actor: Actor, action: str) -> None:
    if not actor.is_owner:
        raise PermissionDenied(f"Only the practitioner can {action}; ask them to do it.")


NOT_COUNTED = -1


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list. ``total`` counts every matching row, or is NOT_COUNTED
    when the query said ``count=False`` (the next pages of a list already counted:
    a count walks every matching row, a page only 200). ``cursor`` is where the
    next page starts (keyset paging: the last row's sort key and id), to pass back
    as the query's ``after``; None when the list pages by offset only."""

    rows: list[T]
    total: int
    offset: int
    limit: int
    cursor: tuple | None = None

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.rows) < self.total


def counted_here(query, rows: list) -> bool:
    """True when the rows just read are the whole list, so they are their own
    count (and totals): the first page, shorter than asked. Saves the count
    query on every narrow filter or search."""
    return getattr(query, "after", None) is None and query.offset <= 0 and len(rows) < query.limit


def page_total(session, query, limit: int, rows: list, count_stmt) -> int:
    """How many rows the whole list has: not counted when the query says so,
    the rows themselves when they are all of it, else ``count_stmt``."""
    if not query.count:
        return NOT_COUNTED
    if counted_here(replace(query, limit=limit), rows):
        return len(rows)
    return session.scalar(count_stmt)


def raw_key(key):
    """The sort key as the driver returns it, untouched by the column's type (a
    UTC datetime stays the stored text on SQLite), so that seek() compares the
    stored value with itself, exactly."""
    return type_coerce(key, NullType()).label("sort_key")


def seek(
    key,
    descending: bool,
    id_column,
    id_descending: bool,
    after: tuple,
    dialect: str,
    nullable: bool = True,
):
    """Keyset paging: the rows that come after ``after`` = (key value, id), as
    read through raw_key(), in ``ORDER BY key [DESC], id [DESC]``.

    Unlike OFFSET, which reads and throws away every row before the page (1.5 s
    at post 99,800), this starts the index scan at the last row shown. The
    redundant ``key >= value`` bound is what lets the engine seek in the index.
    NULL sort keys: SQLite puts them first in ascending order, PostgreSQL last;
    the clause follows each engine's own order, so both page exactly as they sort.
    Pass ``nullable=False`` for a key that is never NULL: the ``OR key IS NULL``
    a NULL-able key may need would stop the engine from seeking.
    """
    value, last_id = after
    # Compared untyped, as read: type_coerce renders the bare expression (no CAST),
    # so the index on it still serves.
    key = type_coerce(key, NullType())
    id_after = id_column < last_id if id_descending else id_column > last_id
    nulls_first = (dialect != "postgresql") != descending
    if value is None:
        same = and_(key.is_(None), id_after)
        return or_(same, key.is_not(None)) if nulls_first else same
    beyond = key < value if descending else key > value
    reached = key <= value if descending else key >= value
    clause = and_(reached, or_(beyond, id_after))
    return clause if nulls_first or not nullable else or_(clause, key.is_(None))


def clean(text: str | None) -> str:
    return (text or "").strip()


def clamp_limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_PAGE))


def like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_clause(search: str, *columns):
    """Every word must appear in one of the columns (case-insensitive)."""
    clauses = []
    for word in clean(search).split():
        pattern = like_pattern(word.lower())
        clauses.append(or_(*(col.ilike(pattern, escape="\\") for col in columns)))
    return clauses


def valid_url(url: str) -> bool:
    return url.startswith(("http://", "https://")) and "." in url and " " not in url
