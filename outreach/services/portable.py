"""SQL pieces that SQLite and PostgreSQL spell differently, written once.

Each is a SQLAlchemy construct compiled per dialect, so a service query stays
one query whatever the engine (the rest of the SQL is portable as written)."""

from __future__ import annotations

from sqlalchemy import DateTime
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
