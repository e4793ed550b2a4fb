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

# Per community (posts: posts_by_month). A range of dates (costs, payments): each period on its own,
# so an empty one costs nothing. A figure that reads every contact or referral
# whatever the period: both periods in one pass, with a CASE on the dates
# (:p0, :q0 and :q1 bound the previous period).
PER_PERIOD = [
    (
        "costs",
        """SELECT community_id, sum(amount_cents) FROM cost_entries
           WHERE spent_on BETWEEN :d0 AND :d1 GROUP BY community_id""",
    ),
    (
        "revenue",
        """SELECT c.attributed_community_id, sum(v.amount_cents)
           FROM revenue_entries v JOIN contacts c ON c.id = v.contact_id
           WHERE v.received_on BETWEEN :d0 AND :d1 AND c.attributed_community_id IS NOT NULL
           GROUP BY 1""",
    ),
]
BOTH_PERIODS = [
    (
        "contacts",
        f"""WITH {FIRST_TOUCH}
           SELECT c.attributed_community_id, sum(met.met_at >= :start), sum(met.met_at < :start)
           FROM contacts c
           JOIN met ON met.contact_id = c.id
           WHERE c.attributed_community_id IS NOT NULL
             AND met.met_at >= :p0 AND met.met_at < :end
           GROUP BY 1""",
    ),
    (
        "referrals",
        """SELECT c.attributed_community_id,
                  sum(r.completed_on BETWEEN :d0 AND :d1),
                  sum(r.first_visit_on BETWEEN :d0 AND :d1),
                  sum(r.completed_on BETWEEN :q0 AND :q1),
                  sum(r.first_visit_on BETWEEN :q0 AND :q1)
           FROM referrals r JOIN contacts c ON c.id = r.contact_id
           WHERE c.attributed_community_id IS NOT NULL GROUP BY 1""",
    ),
]

# substr(..., 1, 7): the stored text starts with the ISO date, and it is about twice
# as fast as strftime('%Y-%m', ...). The posts (100k) are counted month by month
# instead, by posts_by_month: no month computed per post.
MONTHLY = [
    """SELECT substr(spent_on, 1, 7), sum(amount_cents) FROM cost_entries
       WHERE spent_on BETWEEN :d0 AND :d1 GROUP BY 1""",
    f"""WITH {FIRST_TOUCH}
       SELECT substr(met.met_at, 1, 7), count(*) FROM met
       JOIN contacts c ON c.id = met.contact_id
       WHERE c.attributed_community_id IS NOT NULL AND met.met_at >= :start AND met.met_at < :end
       GROUP BY 1""",
    """SELECT substr(r.completed_on, 1, 7), count(*) FROM referrals r
       JOIN contacts c ON c.id = r.contact_id
       WHERE c.attributed_community_id IS NOT NULL AND r.completed_on BETWEEN :d0 AND :d1
       GROUP BY 1""",
    """SELECT substr(r.first_visit_on, 1, 7), count(*) FROM referrals r
       JOIN contacts c ON c.id = r.contact_id
       WHERE c.attributed_community_id IS NOT NULL AND r.first_visit_on BETWEEN :d0 AND :d1
       GROUP BY 1""",
    """SELECT substr(v.received_on, 1, 7), sum(v.amount_cents) FROM revenue_entries v
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
    # "+posted_at": SQLite's hint to read ix_posts_engagement (schema 0007) in order and
    # stop at the tenth post rather than search the period by date and sort all of it.
    "top_posts": """SELECT p.id, p.posted_at, c.name, p.kind, p.title, p.replies, p.reactions,
              p.clicks, p.views
       FROM posts p JOIN communities c ON c.id = p.community_id
       WHERE +p.posted_at >= :start AND +p.posted_at < :end AND p.archived_at IS NULL
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
    days = (end - start).days + 1
    before_end = start - timedelta(days=1)
    before_start = before_end - timedelta(days=days - 1)
    return {
        "start": f"{start.isoformat()} 00:00:00.000000",
        "end": f"{(end + timedelta(days=1)).isoformat()} 00:00:00.000000",
        "d0": start.isoformat(),
        "d1": end.isoformat(),
        "p0": f"{before_start.isoformat()} 00:00:00.000000",
        "q0": before_start.isoformat(),
        "q1": before_end.isoformat(),
    }


def posts_by_month(months: int) -> str:
    """(i, community, posts, minutes) of each month i (bounds ? ?): one GROUP BY a
    month of index-only ranges, so each sorts a month's posts rather than five years'."""
    return " UNION ALL ".join(
        f"SELECT {i}, community_id, count(*), coalesce(sum(minutes_spent), 0) FROM posts"
        " WHERE posted_at >= ? AND posted_at < ? AND archived_at IS NULL GROUP BY community_id"
        for i in range(months)
    )


def _months(start: date, end: date) -> list[tuple[str, str, str]]:
    out, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        following = (year + 1, 1) if month == 12 else (year, month + 1)
        lo = max(date(year, month, 1), start)
        hi = min(date(*following, 1), end + timedelta(days=1))
        out.append((f"{year:04d}-{month:02d}", f"{lo} 00:00:00.000000", f"{hi} 00:00:00.000000"))
        year, month = following
    return out


def hand_figures(conn: sqlite3.Connection, start: date, end: date) -> dict:
    """Every figure, as {name: rows}, for the period and (totals) the one before."""
    params = _params(start, end)
    before_end = start - timedelta(days=1)
    before = _params(before_end - timedelta(days=(end - start).days), before_end)
    out: dict = {}
    for label, p in (("now", params), ("before", before)):
        for name, sql in PER_PERIOD:
            out[f"{label}.{name}"] = conn.execute(sql, p).fetchall()
    for name, sql in BOTH_PERIODS:
        out[name] = conn.execute(sql, params).fetchall()
    # Posts by community (this period and the one before) and by month, summed from
    # the months' rows.
    months = _months(start, end)
    earlier = _months(before_end - timedelta(days=(end - start).days), before_end)
    chunks = months + earlier
    by_month = {m: [m, 0, 0] for m, _, _ in months}
    per = {"now": {}, "before": {}}
    for i, cid, n, minutes in conn.execute(
        posts_by_month(len(chunks)), [b for _, lo, hi in chunks for b in (lo, hi)]
    ):
        label = "now" if i < len(months) else "before"
        cell = per[label].setdefault(cid, [cid, 0, 0])
        cell[1] += n
        cell[2] += minutes
        if label == "now":
            by_month[months[i][0]][1] += n
            by_month[months[i][0]][2] += minutes
    for label in per:
        out[f"{label}.posts"] = list(per[label].values())
    posts = list(by_month.values())
    out["monthly"] = [posts] + [conn.execute(sql, params).fetchall() for sql in MONTHLY]
    for name, sql in OTHERS.items():
        out[name] = conn.execute(sql, params).fetchall()
    return out


def same_figures(hand: dict, report) -> list[str]:
    """Where the hand-written SQL and the report engine disagree (empty: they agree)."""
    problems = []
    rows = {f.community_id: f for f in report.rows}

    def total(name: str, column: int) -> float:
        return sum(row[column] or 0 for row in hand[name] if row[0] in rows)

    def now(name: str, column: int) -> float:
        return total(f"now.{name}", column)

    def before(name: str, column: int) -> float:
        return total(f"before.{name}", column)

    checks = {
        "posts": (now("posts", 1), report.total.posts),
        "minutes": (now("posts", 2), report.total.minutes),
        "direct cost": (now("costs", 1), report.total.direct_cost_cents),
        "contacts": (total("contacts", 1), report.total.contacts),
        "intakes": (total("referrals", 1), report.total.intakes),
        "patients": (total("referrals", 2), report.total.patients),
        "revenue": (now("revenue", 1), report.total.revenue_cents),
        "previous posts": (before("posts", 1), report.previous_total.posts),
        "previous minutes": (before("posts", 2), report.previous_total.minutes),
        "previous direct cost": (before("costs", 1), report.previous_total.direct_cost_cents),
        "previous contacts": (total("contacts", 2), report.previous_total.contacts),
        "previous intakes": (total("referrals", 3), report.previous_total.intakes),
        "previous patients": (total("referrals", 4), report.previous_total.patients),
        "previous revenue": (before("revenue", 1), report.previous_total.revenue_cents),
        "months": ([r[1] for r in hand["monthly"][0]], [m.posts for m in report.monthly]),
        "month minutes": ([r[2] for r in hand["monthly"][0]], [m.minutes for m in report.monthly]),
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
