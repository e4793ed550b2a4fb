"""The compliance figures a report shows for a period: how many advice posts
passed the gate, what the scan found, and which findings were overridden and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class OverrideLine:
    checked_at: datetime
    community: str
    category: str  # the finding's category label, or "community rules"
    matched: str
    reason: str


@dataclass
class ComplianceSummary:
    advice_posts: int = 0
    checked: int = 0  # advice posts whose current text has a passing check
    unchecked: int = 0  # advice posts logged without a check (imported ones)
    changed_after_check: int = 0
    checks: int = 0  # checks recorded in the evidence ledger in the period
    findings_by_category: list[tuple[str, int]] = field(default_factory=list)
    overrides: list[OverrideLine] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.advice_posts or self.checks)


@dataclass(frozen=True)
class MonthLine:
    month: str  # YYYY-MM
    checks: int
    findings: int
    overrides: int


# Findings live in each record's JSON payload (the evidence as written), so they
# are counted by the database's JSON functions rather than read into Python.
_FINDINGS_SQLITE = """
    FROM compliance_checks c, json_each(c.payload, '$.findings') f
    WHERE c.checked_at >= :start AND c.checked_at < :end {communities}
"""
_FINDINGS_PG = """
    FROM compliance_checks c,
         jsonb_array_elements(CAST(c.payload AS jsonb) -> 'findings') AS f(value)
    WHERE c.checked_at >= :start AND c.checked_at < :end {communities}
"""


def _sql(store, sqlite: str, pg: str) -> tuple[str, str, str]:
    """(FROM clause, field accessor format, month expression) for the engine."""
    if store.is_sqlite:
        return sqlite, "json_extract(f.value, '$.{0}')", "strftime('%Y-%m', c.checked_at)"
    return pg, "(f.value ->> '{0}')", "to_char(c.checked_at, 'YYYY-MM')"


def compliance_summary(
    store, date_from: date, date_to: date, community_ids: list[int] | None = None
) -> ComplianceSummary:
    """The period's advice posts by check status, and what the checks found."""
    from sqlalchemy import func, select, text

    from ..models import ComplianceCheck, Post
    from ..timeutil import end_of_day_utc, start_of_day_utc

    start, end = start_of_day_utc(date_from), end_of_day_utc(date_to)
    naive = {"start": start.replace(tzinfo=None), "end": end.replace(tzinfo=None)}
    where_posts = [
        Post.kind == "advice",
        Post.posted_at >= start,
        Post.posted_at < end,
        Post.archived_at.is_(None),
    ]
    where_checks = [ComplianceCheck.checked_at >= start, ComplianceCheck.checked_at < end]
    communities = ""
    if community_ids:
        where_posts.append(Post.community_id.in_(community_ids))
        where_checks.append(ComplianceCheck.community_id.in_(community_ids))
        communities = "AND c.community_id IN ({})".format(
            ", ".join(str(int(i)) for i in community_ids)
        )
    from_clause, field_of, _month = _sql(store, _FINDINGS_SQLITE, _FINDINGS_PG)
    from_clause = from_clause.format(communities=communities)
    summary = ComplianceSummary()
    with store.session() as session:
        for status, count in session.execute(
            select(Post.check_status, func.count()).where(*where_posts).group_by(Post.check_status)
        ):
            summary.advice_posts += count
            if status == "checked":
                summary.checked = count
            elif status == "changed":
                summary.changed_after_check = count
            else:
                summary.unchecked += count
        summary.checks = session.scalar(
            select(func.count()).select_from(ComplianceCheck).where(*where_checks)
        )
        label = field_of.format("category_label")
        summary.findings_by_category = [
            (name or "", count)
            for name, count in session.execute(
                text(f"SELECT {label}, count(*) {from_clause} GROUP BY 1 ORDER BY 2 DESC, 1"),
                naive,
            )
        ]
        reason = field_of.format("override_reason")
        rows = session.execute(
            text(
                f"SELECT c.checked_at, c.payload, {label}, {field_of.format('matched')}, {reason} "
                f"{from_clause} AND coalesce({reason}, '') != '' "
                "ORDER BY c.checked_at DESC, c.id DESC LIMIT 500"
            ),
            naive,
        ).all()
    summary.overrides = [_override_line(*row) for row in rows]
    return summary


def _override_line(checked_at, payload: str, category, matched, reason) -> OverrideLine:
    import json

    from ..timeutil import as_utc

    try:
        community = json.loads(payload).get("community_rules", {}).get("name", "")
    except ValueError:
        community = ""
    return OverrideLine(as_utc(checked_at), community, category or "", matched or "", reason)


def checks_by_month(store, date_from: date, date_to: date) -> list[MonthLine]:
    """Checks, findings and overrides per calendar month (UTC) of the period."""
    from sqlalchemy import text

    from ..timeutil import end_of_day_utc, start_of_day_utc

    params = {
        "start": start_of_day_utc(date_from).replace(tzinfo=None),
        "end": end_of_day_utc(date_to).replace(tzinfo=None),
    }
    from_clause, field_of, month = _sql(store, _FINDINGS_SQLITE, _FINDINGS_PG)
    from_clause = from_clause.format(communities="")
    reason = field_of.format("override_reason")
    with store.session() as session:
        checks = dict(
            session.execute(
                text(
                    f"SELECT {month}, count(*) FROM compliance_checks c "
                    "WHERE c.checked_at >= :start AND c.checked_at < :end GROUP BY 1"
                ),
                params,
            ).all()
        )
        found = {
            m: (n, o)
            for m, n, o in session.execute(
                text(
                    f"SELECT {month}, count(*), "
                    f"sum(CASE WHEN coalesce({reason}, '') != '' THEN 1 ELSE 0 END) "
                    f"{from_clause} GROUP BY 1"
                ),
                params,
            )
        }
    months = sorted(set(checks) | set(found))
    return [
        MonthLine(m, checks.get(m, 0), found.get(m, (0, 0))[0], int(found.get(m, (0, 0))[1] or 0))
        for m in months
    ]
