"""`outreach db check`: is the file sound, is its schema current, what does it hold."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..migrate import current_revision
from ..migrations import HEAD_REVISION
from ..models import Base
from ..store import Store


@dataclass
class DbCheck:
    database: str
    revision: str | None
    head: str
    integrity: str = "ok"
    foreign_key_problems: int = 0
    evidence: str = "not checked"
    audit: str = "not checked"
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(store: Store) -> DbCheck:
    report = DbCheck(
        database=store.display_name, revision=current_revision(store), head=HEAD_REVISION
    )
    if report.revision != HEAD_REVISION:
        report.problems.append(
            f"The schema is at {report.revision or 'nothing'}, not {HEAD_REVISION}; "
            "run `outreach db upgrade`."
        )
    with store.engine.connect() as conn:
        if store.is_sqlite:
            lines = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
            report.integrity = "; ".join(lines)
            if lines != ["ok"]:
                report.problems.append(
                    f"SQLite's integrity check failed: {report.integrity[:300]}. "
                    "Restore a backup (`outreach restore FILE`) or contact support."
                )
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            report.foreign_key_problems = len(broken)
            if broken:
                tables = sorted({row[0] for row in broken})
                report.problems.append(
                    f"{len(broken)} rows point at missing records in {', '.join(tables)}."
                )
        else:
            report.integrity = "not applicable"
        if report.revision is not None:
            for table in Base.metadata.sorted_tables:
                report.counts[table.name] = conn.execute(
                    select(func.count()).select_from(table)
                ).scalar_one()
    if report.revision == HEAD_REVISION:
        _check_chains(store, report)
    return report


def _check_chains(store: Store, report: DbCheck) -> None:
    from .audit import verify_trail
    from .evidence import verify_ledger

    trail = verify_trail(store)
    report.audit = "ok" if trail is None else trail.sentence
    if trail is not None:
        report.problems.append(
            f"{trail.sentence} The audit trail was changed outside Outreach: restore a backup "
            "from before the change, or keep this report with the file."
        )

    problem = verify_ledger(store)
    report.evidence = "ok" if problem is None else problem.sentence
    if problem is not None:
        report.problems.append(
            f"{problem.sentence} The compliance evidence can no longer be relied on: restore a "
            "backup from before the change, or keep this report with the file."
        )
