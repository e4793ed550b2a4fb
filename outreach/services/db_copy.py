"""Copying a practice's database to a new one (SQLite to PostgreSQL, or back).

The target must be new and empty: it is brought to this app's schema first,
then every table is copied in foreign-key order, in batches, in one transaction
(all or nothing). Each table is then verified on both sides by its row count
and a SHA-256 over its rows in primary-key order, each value written the same
way whatever the engine (so a copy that changed a value, a time zone or a
boolean shows), and the copy's own `db check` must pass: the evidence ledger
and the audit trail are hash chains over the rows, so they verify only if the
copy is exact.

Rows go through Core, not the store's sessions: a copy is not a change to the
practice's records, so it adds nothing to the audit trail.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from ..errors import OutreachError
from ..models import Base
from ..store import Store, open_store, resolve_url

log = logging.getLogger("outreach.db_copy")

BATCH = 2000


class CopyRefused(OutreachError):
    """The target cannot take the copy (not empty, not reachable, wrong data)."""


@dataclass(frozen=True)
class TableFigures:
    table: str
    source_rows: int
    target_rows: int
    source_sha256: str
    target_sha256: str

    @property
    def ok(self) -> bool:
        return (self.source_rows, self.source_sha256) == (self.target_rows, self.target_sha256)


@dataclass
class CopyReport:
    source: str
    target: str
    tables: list[TableFigures] = field(default_factory=list)
    # The copy's own `db check` (integrity, foreign keys, ledger and trail chains).
    check_problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(t.target_rows for t in self.tables)

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables) and not self.check_problems


def _tables():
    # Foreign-key order (parents first); the search index is no model table: the
    # target's triggers (SQLite) or GIN indexes (PostgreSQL) build their own.
    return list(Base.metadata.sorted_tables)


def _ordered(table):
    return select(table).order_by(*table.primary_key.columns)


def _canonical(value) -> object:
    """One spelling per value whatever the engine returned it as."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def table_checksum(conn, table) -> tuple[int, str]:
    """(rows, sha256) of a table read in primary-key order through the models'
    types (so UTC datetimes, booleans and floats compare across engines)."""
    digest = hashlib.sha256()
    count = 0
    result = conn.execute(_ordered(table), execution_options={"yield_per": BATCH})
    for row in result:
        values = [_canonical(v) for v in row]
        digest.update(json.dumps(values, ensure_ascii=False, default=str).encode("utf-8"))
        digest.update(b"\n")
        count += 1
    return count, digest.hexdigest()


def _held_rows(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        counts = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in _tables()
        }
    return {name: n for name, n in counts.items() if n}


def open_empty_target(url: str) -> Store:
    """The target at this app's schema, refused unless it holds no rows."""
    target = open_store(url)
    try:
        held = _held_rows(target)
        if held:
            listed = ", ".join(f"{n:,} in {t}" for t, n in sorted(held.items())[:4])
            raise CopyRefused(
                f"{target.display_name} already holds data ({listed}); copy only into a new, "
                "empty database, so nothing there is mixed with or overwritten by the copy."
            )
    except Exception:
        target.dispose()
        raise
    return target


def _reset_sequences(conn, table) -> None:
    """PostgreSQL: ids were copied as they were, so move each id sequence past
    the largest; the next new record must not collide with a copied one."""
    pk = list(table.primary_key.columns)
    if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
        return
    name = table.name
    conn.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{name}', '{pk[0].name}'), "
            f"coalesce(max({pk[0].name}), 1), max({pk[0].name}) IS NOT NULL) FROM {name}"
        )
    )


def copy_rows(
    source: Store, target: Store, progress: Callable[[str, int], None] | None = None
) -> None:
    """Every table's rows from source to target, in one target transaction."""
    with source.engine.connect() as src, target.engine.begin() as dst:
        for table in _tables():
            copied = 0
            result = src.execute(_ordered(table), execution_options={"yield_per": BATCH})
            for part in result.partitions():
                try:
                    dst.execute(table.insert(), [dict(row._mapping) for row in part])
                except DBAPIError as exc:
                    raise CopyRefused(
                        f"The table {table.name} could not be copied "
                        f"({type(exc.orig).__name__}: {str(exc.orig).splitlines()[0]}); "
                        "nothing was copied."
                    ) from exc
                copied += len(part)
                if progress:
                    progress(table.name, copied)
            if dst.dialect.name == "postgresql":
                _reset_sequences(dst, table)
            log.info("Copied %s: %d rows", table.name, copied)


def verify(source: Store, target: Store) -> list[TableFigures]:
    figures = []
    with source.engine.connect() as src, target.engine.connect() as dst:
        for table in _tables():
            rows_a, sum_a = table_checksum(src, table)
            rows_b, sum_b = table_checksum(dst, table)
            figures.append(TableFigures(table.name, rows_a, rows_b, sum_a, sum_b))
    return figures


def copy_database(
    source: Store, to: str, progress: Callable[[str, int], None] | None = None
) -> CopyReport:
    """Copy ``source`` into the new, empty database at ``to`` (a URL or a file),
    verify it, and run db check on the copy. Raises CopyRefused before copying
    when the target holds data."""
    import time

    from .dbcheck import check_database

    started = time.perf_counter()
    url = resolve_url(to)
    if url == source.url:
        raise CopyRefused("The copy must go to another database than the one it is read from.")
    target = open_empty_target(url)
    try:
        report = CopyReport(source=source.display_name, target=target.display_name)
        copy_rows(source, target, progress)
        report.tables = verify(source, target)
        report.check_problems = list(check_database(target).problems)
    finally:
        target.dispose()
    report.seconds = time.perf_counter() - started
    log.info(
        "Database copy of %d rows in %d tables: %s",
        report.rows,
        len(report.tables),
        "verified" if report.ok else "MISMATCH",
    )
    return report
