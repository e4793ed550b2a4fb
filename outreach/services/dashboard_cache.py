"""The Dashboard's figures, worked out and kept in the database (table
figure_cache) with the version of the data they were worked out from, so the
next start paints them before SQLAlchemy is even imported.

The data version is the audit trail's chain head (every write through the app
appends an event to it; the cache's own table is left out of the trail) and the
schema revision. Any change since makes the kept figures stale: the start then
takes the ordinary path and works them out again. The figures also depend on
the day they were seen from (this month so far, follow-ups due, losing touch):
kept figures of an earlier day are shown as of that day, saying so, while
today's are worked out (the first start of each day is most starts). Reading at
start uses only the standard library's sqlite3, on a plain (not encrypted)
SQLite file, and only when nobody has to sign in first (read_cached says so by
returning None).

The figures are plain values (no ORM objects, no formatted text): the page
formats them the same way whether they come from here or were just worked out.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote

from ..migrations import HEAD_REVISION

log = logging.getLogger("outreach.dashboard")

# Bumped when what is kept changes shape, so an older cache is never misread.
FORMAT = 2
HEADLINE, YEAR = "dashboard.headline", "dashboard.year"
CHARTS = ("hours_patients", "trend", "funnel")
_HEAD_SQL = "SELECT count, last_hash FROM chain_heads WHERE chain = 'audit'"
_SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class MonthTotals:
    """One month's totals for a tile (contacts, intakes and patients may be
    fractions under linear credit)."""

    posts: int = 0
    minutes: int = 0
    contacts: float = 0
    intakes: float = 0
    patients: float = 0
    revenue_cents: int = 0
    time_cost_cents: int = 0


@dataclass(frozen=True)
class Headline:
    """What the window shows first: this month against last, and what needs doing,
    seen from the day ``seen_on``."""

    empty: bool
    seen_on: date | None = None
    data_key: str = ""  # the data version it was worked out from
    currency: str = "USD"
    month_start: date | None = None
    month_end: date | None = None
    this_month: MonthTotals = field(default_factory=MonthTotals)
    last_month: MonthTotals = field(default_factory=MonthTotals)
    follow_ups: int = 0
    losing_touch: int = 0
    unchecked: int = 0
    communities: int = 0
    posts: int = 0
    minutes: int = 0


@dataclass(frozen=True)
class RankedRow:
    name: str
    minutes: int
    total_cost_cents: int
    patients: float
    revenue_cents: int
    roi_percent: float | None
    verdict: str
    verdict_reason: str


@dataclass(frozen=True)
class YearView:
    """The last 12 months: communities ranked by return, and the report's charts
    as SVG (ReportLab's drawings, exactly as in the PDF)."""

    currency: str
    ranking: list[RankedRow]
    charts: dict[str, bytes]
    chart_error: str = ""
    seen_on: date | None = None
    data_key: str = ""


@dataclass(frozen=True)
class Cached:
    """What read_cached found: the headline (always), the year (when it is as
    fresh), and who is using the app (the only account, if there is one)."""

    headline: Headline
    year: YearView | None
    account: tuple[int, str, str, str] | None  # id, username, display name, role

    def is_of(self, today: date) -> bool:
        """Seen from ``today``: nothing to work out again."""
        return self.headline.seen_on == today and (self.year is None or self.year.seen_on == today)


def data_key(count: int, last_hash: str) -> str:
    return f"{FORMAT}|{HEAD_REVISION}|{count}|{last_hash}"


# -- working them out (in a background task) ---------------------------------------
def _current_key(store) -> str:
    from sqlalchemy import text

    with store.session() as session:
        head = session.execute(text(_HEAD_SQL)).first()
    return data_key(head[0], head[1]) if head else data_key(0, "")


def _totals(figures) -> MonthTotals:
    return MonthTotals(
        posts=figures.posts,
        minutes=figures.minutes,
        contacts=figures.contacts,
        intakes=figures.intakes,
        patients=figures.patients,
        revenue_cents=figures.revenue_cents,
        time_cost_cents=figures.time_cost_cents,
    )


def work_out_headline(store, today: date) -> Headline:
    """This month and last, and the counts under "Needs attention", for keep().
    The data version is read first, so figures newer than their key can only
    make the cache look stale, never look fresh when it is not."""
    from .contacts import ContactQuery, list_contacts
    from .demo import has_data
    from .roi import preset_period, roi_report
    from .summary import activity_summary

    key = _current_key(store)
    if not has_data(store):
        headline = Headline(empty=True, seen_on=today, data_key=key)
    else:
        this = roi_report(store, preset_period("this_month", today))
        last = roi_report(store, preset_period("last_month", today))
        summary = activity_summary(store, today)

        def total(view: str) -> int:
            return list_contacts(store, ContactQuery(view=view, limit=1, today=today)).total

        headline = Headline(
            empty=False,
            seen_on=today,
            data_key=key,
            currency=this.currency,
            month_start=this.period.start,
            month_end=this.period.end,
            this_month=_totals(this.total),
            last_month=_totals(last.total),
            follow_ups=total("follow_ups"),
            losing_touch=total("losing_touch"),
            unchecked=summary.unchecked_advice,
            communities=summary.communities,
            posts=summary.posts,
            minutes=summary.minutes,
        )
    return headline


def ranked(report) -> list:
    """Communities with any cost or revenue, best ROI first; no ROI at the end."""
    rows = [r for r in report.rows if r.total_cost_cents or r.revenue_cents or r.posts]
    return sorted(
        rows,
        key=lambda r: (r.roi_percent is None, -(r.roi_percent or 0), r.name.lower()),
    )


def work_out_year(store, today: date) -> YearView:
    """The 12 months' report and its charts (a year of posts, and ReportLab
    imported here: the slow part), for keep()."""
    from .roi import preset_period, roi_report

    key = _current_key(store)
    report = roi_report(store, preset_period("last_12_months", today))
    charts, chart_error = {}, ""
    try:
        from . import charts as chart_defs

        for name, make in zip(
            CHARTS,
            (
                chart_defs.hours_and_patients_chart,
                chart_defs.trend_chart,
                chart_defs.funnel_chart,
            ),
            strict=True,
        ):
            charts[name] = chart_defs.drawing_to_svg(make(report))
    except ImportError:
        chart_error = "The charts arrive with the PDF report."
    view = YearView(
        currency=report.currency,
        ranking=[
            RankedRow(
                f.name,
                f.minutes,
                f.total_cost_cents,
                f.patients,
                f.revenue_cents,
                f.roi_percent,
                f.verdict,
                f.verdict_reason,
            )
            for f in ranked(report)
        ],
        charts=charts,
        chart_error=chart_error,
        seen_on=today,
        data_key=key,
    )
    return view


def keep(store, figures: Headline | YearView) -> None:
    """Keep figures for the next start, in the database they were worked out from.

    Called on the GUI thread, through a connection of its own that never waits:
    a write from a background thread would land between another action's read
    and its write and make that action fail ("database is locked": SQLite cannot
    let a transaction that read older data write), and waiting for a busy
    database would freeze the window. A cache that cannot be written (busy,
    read-only, a full disk) only means the next start works the figures out.
    """
    path = getattr(store, "path", None)
    if path is None or not _plain_sqlite(path):
        return  # a server, or an encrypted file: read_cached cannot read them anyway
    if isinstance(figures, Headline):
        name, payload = HEADLINE, _headline_json(figures)
    else:
        name, payload = YEAR, _year_json(figures)
    try:
        with closing(sqlite3.connect(path, timeout=0)) as conn, conn:
            conn.execute(
                "INSERT OR REPLACE INTO figure_cache (name, data_key, payload) VALUES (?, ?, ?)",
                (name, figures.data_key, payload),
            )
    except sqlite3.Error as exc:
        log.info("The Dashboard's figures were not kept for the next start: %s", exc)


def _plain_sqlite(path: Path) -> bool:
    """A plain SQLite file (an encrypted one starts with random bytes)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == _SQLITE_HEADER
    except OSError:
        return False


# -- as JSON -----------------------------------------------------------------------
def _headline_json(headline: Headline) -> str:
    return json.dumps(asdict(headline), default=date.isoformat)


def _headline_from(data: dict) -> Headline:
    for name in ("seen_on", "month_start", "month_end"):
        if data[name]:
            data[name] = date.fromisoformat(data[name])
    data["this_month"] = MonthTotals(**data["this_month"])
    data["last_month"] = MonthTotals(**data["last_month"])
    return Headline(**data)


def _year_json(view: YearView) -> str:
    data = asdict(view)
    data["charts"] = {k: v.decode("utf-8") for k, v in view.charts.items()}
    return json.dumps(data, default=date.isoformat)


def _year_from(data: dict) -> YearView:
    if data["seen_on"]:
        data["seen_on"] = date.fromisoformat(data["seen_on"])
    data["ranking"] = [RankedRow(**row) for row in data["ranking"]]
    data["charts"] = {k: v.encode("utf-8") for k, v in data["charts"].items()}
    return YearView(**data)


# -- reading them at start (standard library only) -----------------------------------
def read_cached(path: Path) -> Cached | None:
    """The Dashboard's figures kept in the SQLite file at ``path``, if they are
    of its current data and the app may show them before anything else: None
    when the file is missing, encrypted, at another schema, has no figures or
    stale ones, wants someone to sign in first, or has not had its welcome.
    They may be of an earlier day (Cached.is_of)."""
    if not _plain_sqlite(path):
        return None  # missing, or encrypted (SQLCipher): only the app's store reads it
    try:
        uri = f"file:{quote(str(path))}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=0.2)) as conn:
            return _read(conn)
    except (OSError, sqlite3.Error, ValueError, KeyError, TypeError) as exc:
        log.info("Start without kept figures: %s", type(exc).__name__)
        return None


def _read(conn) -> Cached | None:
    (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone() or ("",)
    if revision != HEAD_REVISION:
        return None  # the app's store migrates first
    profile = conn.execute("SELECT welcome_done, sign_in_required FROM practice_profile").fetchone()
    if profile is None or not profile[0]:
        return None  # the first-run welcome comes first
    accounts = conn.execute(
        "SELECT id, username, display_name, role FROM users WHERE active ORDER BY id"
    ).fetchall()
    # As auth.sign_in_needed: more than one account, or the only one asks for it.
    if len(accounts) > 1 or (accounts and profile[1]):
        return None
    head = conn.execute(_HEAD_SQL).fetchone()
    key = data_key(head[0], head[1]) if head else data_key(0, "")
    kept = dict(
        conn.execute(
            "SELECT name, payload FROM figure_cache WHERE data_key = ? AND name IN (?, ?)",
            (key, HEADLINE, YEAR),
        ).fetchall()
    )
    if HEADLINE not in kept:
        return None
    return Cached(
        headline=_headline_from(json.loads(kept[HEADLINE])),
        year=_year_from(json.loads(kept[YEAR])) if YEAR in kept else None,
        account=tuple(accounts[0]) if accounts else None,
    )
