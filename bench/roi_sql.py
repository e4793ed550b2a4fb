"""The best hand-written SQL for the ROI report's figures (first-touch
attribution, every community): what the report engine is held to (at most 3x).

It computes the same numbers the report shows: the per-community table
(posts, minutes, direct costs, contacts, intakes, patients, revenue), the
previous period's totals, the month-by-month table, the unattributed line, the
funnel, the top posts, the median days to a first visit, the intake answers and
the advice posts by check status. (The compliance findings, read from the
checks' JSON, are left out on both sides' behalf: there are a handful.)
`same_figures` checks the two agree, so the comparison is of equal work.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

FIRST_TOUCH = (
    "met AS (SELECT contact_id, min(changed_at) AS met_at FROM stage_changes GROUP BY contact_id)"
)

PER_COMMUNITY = [
    (
        "posts",
        """SELECT community_id, count(*), coalesce(sum(minutes_spent), 0) FROM posts
           WHERE posted_at >= :start AND posted_at < :end AND archived_at IS NULL
           GROUP BY community_id""",
    ),
    (
        "costs",
        """SELECT community_id, sum(amount_cents) FROM cost_entries
           WHERE spent_on BETWEEN :d0 AND :d1 GROUP BY community_id""",
    ),
    (
        "contacts",
        f"""WITH {FIRST_TOUCH}
           SELECT c.attributed_community_id, count(*) FROM contacts c
           JOIN met ON met.contact_id = c.id
           WHERE c.attributed_community_id IS NOT NULL
             AND met.met_at >= :start AND met.met_at < :end
           GROUP BY 1""",
    ),
    (
        "referrals",
        """SELECT c.attributed_community_id,
                  sum(r.completed_on BETWEEN :d0 AND :d1),
                  sum(r.first_visit_on BETWEEN :d0 AND :d1)
           FROM referrals r JOIN contacts c ON c.id = r.contact_id
           WHERE c.attributed_community_id IS NOT NULL GROUP BY 1""",
    ),
    (
        "revenue",
        """SELECT c.attributed_community_id, sum(v.amount_cents)
           FROM revenue_entries v JOIN contacts c ON c.id = v.contact_id
           WHERE v.received_on BETWEEN :d0 AND :d1 AND c.attributed_community_id IS NOT NULL
           GROUP BY 1""",
    ),
]

MONTHLY = [
    """SELECT strftime('%Y-%m', posted_at), count(*), coalesce(sum(minutes_spent), 0)
       FROM posts WHERE posted_at >= :start AND posted_at < :end AND archived_at IS NULL
       GROUP BY 1""",
    """SELECT strftime('%Y-%m', spent_on), sum(amount_cents) FROM cost_entries
       WHERE spent_on BETWEEN :d0 AND :d1 GROUP BY 1""",
    f"""WITH {FIRST_TOUCH}
       SELECT strftime('%Y-%m', met.met_at), count(*) FROM met
       JOIN contacts c ON c.id = met.contact_id
       WHERE c.attributed_community_id IS NOT NULL AND met.met_at >= :start AND met.met_at < :end
       GROUP BY 1""",
    """SELECT strftime('%Y-%m', r.completed_on), count(*) FROM referrals r
       JOIN contacts c ON c.id = r.contact_id
       WHERE c.attributed_community_id IS NOT NULL AND r.completed_on BETWEEN :d0 AND :d1
       GROUP BY 1""",
    """SELECT strftime('%Y-%m', r.first_visit_on), count(*) FROM referrals r
       JOIN contacts c ON c.id = r.contact_id
       WHERE c.attributed_community_id IS NOT NULL AND r.first_visit_on BETWEEN :d0 AND :d1
       GROUP BY 1""",
    """SELECT strftime('%Y-%m', v.received_on), sum(v.amount_cents) FROM revenue_entries v
       JOIN contacts c ON c.id = v.contact_id
       WHERE c.attributed_community_id IS NOT NULL AND v.received_on BETWEEN :d0 AND :d1
       GROUP BY 1""",
]

OTHERS = {
    "unattributed": f"""WITH {FIRST_TOUCH}
       SELECT
         (SELECT count(*) FROM met JOIN contacts c ON c.id = met.contact_id
           WHERE c.attributed_community_id IS NULL AND met.met_at >= :start AND met.met_at < :end),
         (SELECT count(*) FROM referrals r JOIN contacts c ON c.id = r.contact_id
           WHERE c.attributed_community_id IS NULL AND r.completed_on BETWEEN :d0 AND :d1),
         (SELECT count(*) FROM referrals r JOIN contacts c ON c.id = r.contact_id
           WHERE c.attributed_community_id IS NULL AND r.first_visit_on BETWEEN :d0 AND :d1),
         (SELECT coalesce(sum(v.amount_cents), 0) FROM revenue_entries v
           JOIN contacts c ON c.id = v.contact_id
           WHERE c.attributed_community_id IS NULL AND v.received_on BETWEEN :d0 AND :d1)""",
    "funnel": f"""WITH {FIRST_TOUCH}
       SELECT count(*),
              coalesce(sum(coalesce(r.sent_on, r.completed_on) <= :d1), 0),
              coalesce(sum(r.completed_on <= :d1), 0),
              coalesce(sum(coalesce(r.booked_on, r.first_visit_on) <= :d1), 0),
              coalesce(sum(r.first_visit_on <= :d1), 0)
       FROM met LEFT JOIN referrals r ON r.contact_id = met.contact_id
       WHERE met.met_at >= :start AND met.met_at < :end""",
    "top_posts": """SELECT p.id, p.posted_at, c.name, p.kind, p.title, p.replies, p.reactions,
              p.clicks, p.views
       FROM posts p JOIN communities c ON c.id = p.community_id
       WHERE p.posted_at >= :start AND p.posted_at < :end AND p.archived_at IS NULL
         AND p.replies + p.reactions + p.clicks > 0
       ORDER BY p.replies + p.reactions + p.clicks DESC, p.posted_at DESC, p.id DESC LIMIT 10""",
    "days_to_visit": f"""WITH {FIRST_TOUCH}
       SELECT julianday(r.first_visit_on) - julianday(date(met.met_at)) FROM referrals r
       JOIN met ON met.contact_id = r.contact_id
       WHERE r.first_visit_on BETWEEN :d0 AND :d1""",
    "answers": """SELECT trim(answer_where), count(*) FROM referrals
       WHERE completed_on BETWEEN :d0 AND :d1 AND trim(answer_where) != ''
       GROUP BY lower(trim(answer_where)) ORDER BY 2 DESC, lower(trim(answer_where)) LIMIT 15""",
    "advice": """SELECT check_status, count(*) FROM posts
       WHERE kind = 'advice' AND posted_at >= :start AND posted_at < :end
         AND archived_at IS NULL GROUP BY check_status""",
}


def _params(start: date, end: date) -> dict[str, str]:
    return {
        "start": f"{start.isoformat()} 00:00:00.000000",
        "end": f"{(end + timedelta(days=1)).isoformat()} 00:00:00.000000",
        "d0": start.isoformat(),
        "d1": end.isoformat(),
    }


def hand_figures(conn: sqlite3.Connection, start: date, end: date) -> dict:
    """Every figure, as {name: rows}, for the period and (totals) the one before."""
    days = (end - start).days + 1
    previous_end = start - timedelta(days=1)
    out: dict = {}
    for label, (s, e) in (
        ("now", (start, end)),
        ("before", (previous_end - timedelta(days=days - 1), previous_end)),
    ):
        params = _params(s, e)
        for name, sql in PER_COMMUNITY:
            out[f"{label}.{name}"] = conn.execute(sql, params).fetchall()
    params = _params(start, end)
    out["monthly"] = [conn.execute(sql, params).fetchall() for sql in MONTHLY]
    for name, sql in OTHERS.items():
        out[name] = conn.execute(sql, params).fetchall()
    return out


def same_figures(hand: dict, report) -> list[str]:
    """Where the hand-written SQL and the report engine disagree (empty: they agree)."""
    problems = []
    rows = {f.community_id: f for f in report.rows}

    def total(name: str, column: int) -> float:
        return sum(row[column] or 0 for row in hand[f"now.{name}"] if row[0] in rows)

    checks = {
        "posts": (total("posts", 1), report.total.posts),
        "minutes": (total("posts", 2), report.total.minutes),
        "direct cost": (total("costs", 1), report.total.direct_cost_cents),
        "contacts": (total("contacts", 1), report.total.contacts),
        "intakes": (total("referrals", 1), report.total.intakes),
        "patients": (total("referrals", 2), report.total.patients),
        "revenue": (total("revenue", 1), report.total.revenue_cents),
        "previous posts": (
            sum(r[1] for r in hand["before.posts"] if r[0] in rows),
            report.previous_total.posts,
        ),
        "months": (sum(r[1] for r in hand["monthly"][0]), sum(m.posts for m in report.monthly)),
        "funnel": (list(hand["funnel"][0]), [n for _, n in report.funnel]),
        "unattributed contacts": (hand["unattributed"][0][0], report.unattributed.contacts),
        "top posts": ([r[0] for r in hand["top_posts"]], [p.post_id for p in report.top_posts]),
    }
    for name, (mine, theirs) in checks.items():
        if mine != theirs and not (
            isinstance(mine, int | float) and abs(mine - theirs) < 1e-6 * max(1, abs(mine))
        ):
            problems.append(f"{name}: hand SQL {mine} against the report's {theirs}")
    return problems
