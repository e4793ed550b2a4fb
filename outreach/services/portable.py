"""SQL pieces that SQLite and PostgreSQL spell differently, written once.

Each is a SQLAlchemy construct compiled per dialect, so a service query stays
one query whatever the engine (the rest of the SQL is portable as written)."""

from __future__ import annotations

from sqlalchemy import DateTime, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class day_after(FunctionElement):  # noqa: N801 - reads as SQL
    """The instant a date's next day begins (naive UTC, as datetimes are stored)."""

    type = DateTime()
    inherit_cache = True
    name = "day_after"


@compiles(day_after)
def _day_after_default(element, compiler, **kw):
    # SQLite: a text date-time, which compares correctly with the stored text.
    return f"datetime({compiler.process(element.clauses, **kw)}, '+1 day')"


@compiles(day_after, "postgresql")
def _day_after_pg(element, compiler, **kw):
    return f"(CAST({compiler.process(element.clauses, **kw)} AS TIMESTAMP) + INTERVAL '1 day')"


class unindexed(FunctionElement):  # noqa: N801 - reads as SQL
    """A column the SQLite planner may not search by an index ("+col", SQLite's
    documented hint); the column itself elsewhere."""

    inherit_cache = True
    name = "unindexed"

    def __init__(self, col):
        super().__init__(col)
        self.type = col.type


@compiles(unindexed)
def _unindexed_default(element, compiler, **kw):
    return f"+{compiler.process(element.clauses, **kw)}"


@compiles(unindexed, "postgresql")
def _unindexed_pg(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


class days_to(FunctionElement):  # noqa: N801 - reads as SQL
    """Whole days from a naive UTC datetime's date to a date."""

    type = Integer()
    inherit_cache = True
    name = "days_to"


@compiles(days_to)
def _days_to_default(element, compiler, **kw):
    since, until = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({until}) - julianday(date({since})) AS INTEGER)"


@compiles(days_to, "postgresql")
def _days_to_pg(element, compiler, **kw):
    since, until = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({until} AS DATE) - CAST({since} AS DATE))"
