"""The report engine: is each community worth the time? (ROI.md)

Every figure is aggregated in SQL for a period and a choice of communities.
Money is integer cents; a ratio whose denominator is zero is None (shown "—").
Contacts, intakes, patients and revenue are credited to communities by the
chosen attribution model:
- first: the contact's resolved first-touch community (the default);
- last: the last community they interacted in on or before their intake was
  completed (or ever, without one), else the first-touch community;
- linear: an equal share to every community they touched, first touch included.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    DateTime,
    Float,
    Integer,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    union,
    union_all,
)

from ..models import (
    Community,
    Contact,
    CostEntry,
    Interaction,
    Post,
    Referral,
    RevenueEntry,
    StageChange,
)
from ..store import Store
from .compliance_summary import ComplianceSummary, compliance_summary
from .portable import day_after, days_to, unindexed
from .profile import get_profile

MODELS = ("first", "last", "linear")
# The verdict rule, stated in the report: no verdict before enough data.
MIN_DAYS = 90
MIN_MINUTES = 10 * 60


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

    def bounds(self) -> tuple[datetime, datetime]:
        """UTC instants [start, end) covering the period's days."""
        return (
            datetime.combine(self.start, time.min, tzinfo=UTC),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC),
        )


def month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def preset_period(key: str, today: date) -> Period:
    """The dates a preset covers, seen from ``today`` (periods end today at the latest)."""
    if key == "this_month":
        return Period(month_start(today), today)
    if key == "last_month":
        start = month_start(today, 1)
        return Period(start, month_start(today) - timedelta(days=1))
    if key == "last_quarter":
        this_quarter = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        start = month_start(this_quarter, 3)
        return Period(start, this_quarter - timedelta(days=1))
    if key == "year_to_date":
        return Period(date(today.year, 1, 1), today)
    if key == "last_12_months":
        # The 12 months that end today: from the day after the same date a year ago.
        day = 28 if (today.month, today.day) == (2, 29) else today.day
        return Period(date(today.year - 1, today.month, day) + timedelta(days=1), today)
    raise ValueError(f"no preset called {key!r}")


@dataclass
class Figures:
    community_id: int | None
    name: str
    posts: int = 0
    minutes: int = 0
    time_cost_cents: int = 0
    direct_cost_cents: int = 0
    contacts: float = 0
    intakes: float = 0
    patients: float = 0
    revenue_cents: int = 0
    verdict: str = ""
    verdict_reason: str = ""

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def total_cost_cents(self) -> int:
        return self.time_cost_cents + self.direct_cost_cents

    def _per(self, count: float) -> int | None:
        return round(self.total_cost_cents / count) if count else None

    @property
    def cost_per_contact_cents(self) -> int | None:
        return self._per(self.contacts)

    @property
    def cost_per_intake_cents(self) -> int | None:
        return self._per(self.intakes)

    @property
    def cost_per_patient_cents(self) -> int | None:
        return self._per(self.patients)

    @property
    def roi_percent(self) -> float | None:
        cost = self.total_cost_cents
        return round((self.revenue_cents - cost) / cost * 100, 1) if cost else None


@dataclass
class MonthFigures:
    month: str  # "YYYY-MM", UTC
    posts: int = 0
    minutes: int = 0
    time_cost_cents: int = 0
    direct_cost_cents: int = 0
    contacts: float = 0
    intakes: float = 0
    patients: float = 0
    revenue_cents: int = 0

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass(frozen=True)
class TopPost:
    post_id: int
    posted_at: datetime
    community: str
    kind: str
    title: str
    replies: int
    reactions: int
    clicks: int
    views: int

    @property
    def engagement(self) -> int:
        return self.replies + self.reactions + self.clicks


FUNNEL_STEPS = ("Contacts", "Intake sent", "Intake completed", "Booked", "Patients")
TOP_POSTS = 10


@dataclass
class RoiReport:
    period: Period
    attribution: str
    hourly_rate_cents: int
    fee_per_visit_cents: int
    lifetime_value_cents: int
    rows: list[Figures]
    total: Figures
    previous_total: Figures
    median_days_to_first_visit: float | None = None
    useful_share: float | None = None
    where_people_look: list[tuple[str, int]] = field(default_factory=list)
    currency: str = "USD"
    visits_per_year: float = 0.0
    years_retained: float = 0.0
    # Every calendar month (UTC) the period touches, in order, zeros included.
    monthly: list[MonthFigures] = field(default_factory=list)
    # Contacts no community is credited with: shown beside the totals, never in them.
    unattributed: Figures = field(default_factory=lambda: Figures(None, "Not attributed"))
    # (step, people): contacts first met in the period and how far they had got by its end.
    funnel: list[tuple[str, int]] = field(default_factory=list)
    top_posts: list[TopPost] = field(default_factory=list)
    # Filled in by the compliance gate's summary; None means not computed.
    compliance: ComplianceSummary | None = None
    communities_chosen: bool = False  # a choice of communities rather than all

    @property
    def funnel_rates(self) -> list[float | None]:
        """Each step's share of the step before it (None: nothing to divide by)."""
        counts = [n for _, n in self.funnel]
        return [round(b / a, 4) if a else None for a, b in zip(counts, counts[1:], strict=False)]

    @property
    def empty(self) -> bool:
        t = self.total
        return not (t.posts or t.minutes or t.direct_cost_cents or t.contacts or t.revenue_cents)


def _attributed_shares(model: str, *, every_contact: bool = False):
    """A selectable of (contact_id, community_id, share) for the model.

    every_contact: also each contact the model credits to no community, once, with
    community NULL and share 1.0, so that one pass over it gives the communities'
    figures and the "not attributed" line together (instead of NOT IN subqueries).
    """
    one = literal(1.0, Float).label("share")
    if model == "first":
        stmt = select(
            Contact.id.label("contact_id"),
            Contact.attributed_community_id.label("community_id"),
            one,
        )
        return stmt if every_contact else stmt.where(Contact.attributed_community_id.is_not(None))
    if model == "last":
        # Portable: the day after the intake was completed (datetime() on
        # SQLite, an interval on PostgreSQL), else no limit.
        cutoff = func.coalesce(
            select(day_after(Referral.completed_on))
            .where(Referral.contact_id == Contact.id)
            # Explicit: nested two levels down, auto-correlation would not reach
            # the outer contacts and this became a cross join (first row wins).
            .correlate(Contact)
            .scalar_subquery(),
            literal(datetime(9999, 12, 31), DateTime()),
        )
        last_touch = (
            select(Interaction.community_id)
            .where(
                Interaction.contact_id == Contact.id,
                Interaction.community_id.is_not(None),
                Interaction.occurred_at < cutoff,
            )
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        chosen = func.coalesce(last_touch, Contact.attributed_community_id)
        stmt = select(Contact.id.label("contact_id"), chosen.label("community_id"), one)
        return stmt if every_contact else stmt.where(chosen.is_not(None))
    if model == "linear":
        touched = union(
            select(
                Interaction.contact_id.label("contact_id"),
                Interaction.community_id.label("community_id"),
            ).where(Interaction.community_id.is_not(None)),
            select(Contact.id, Contact.attributed_community_id).where(
                Contact.attributed_community_id.is_not(None)
            ),
        ).subquery()
        # Each contact's number of communities by a window over the touches rather
        # than a join to a grouped copy of them (that join was 14 s over five years).
        shares = select(
            touched.c.contact_id,
            touched.c.community_id,
            (
                literal(1.0, Float)
                / cast(func.count().over(partition_by=touched.c.contact_id), Float)
            ).label("share"),
        )
        if not every_contact:
            return shares
        untouched = select(
            Contact.id, literal(None, Integer).label("community_id"), literal(1.0, Float)
        ).where(
            Contact.attributed_community_id.is_(None),
            ~select(Interaction.id)
            .where(Interaction.contact_id == Contact.id, Interaction.community_id.is_not(None))
            .exists(),
        )
        return union_all(shares, untouched)
    raise ValueError(f"attribution must be one of {', '.join(MODELS)}")


def _first_touch_dates():
    return (
        select(
            StageChange.contact_id.label("contact_id"),
            func.min(StageChange.changed_at).label("met_at"),
        )
        .group_by(StageChange.contact_id)
        .subquery()
    )


def _month_key(col, dialect_name: str):
    """month_of for grouping many rows: on SQLite the stored text starts with the
    ISO date, so its first seven characters are the month, and substr() is about
    twice as fast as strftime() over 100k posts."""
    if dialect_name == "postgresql":
        return func.to_char(col, "YYYY-MM")
    return func.substr(col, 1, 7)


MONTHS_A_QUERY = 240


@functools.lru_cache(maxsize=32)
def _posts_by_month(months: int, chosen: bool):
    """(i, community, posts, minutes) for the months i bounded by the parameters
    lo<i> and hi<i> (and the communities :ids where chosen): a UNION ALL of one
    GROUP BY a month. Each sorts a month's posts, not a period's (a GROUP BY over
    five years' 100k posts was the report's largest sort), and nothing computes a
    month per post. Built once per shape: building it took longer than running it."""
    parts = []
    for i in range(months):
        where = [
            Post.posted_at >= bindparam(f"lo{i}", type_=Post.posted_at.type),
            Post.posted_at < bindparam(f"hi{i}", type_=Post.posted_at.type),
            Post.archived_at.is_(None),
        ]
        if chosen:
            where.append(Post.community_id.in_(bindparam("ids", expanding=True)))
        parts.append(
            select(
                literal_column(str(i)),
                Post.community_id,
                func.count(Post.id),
                func.coalesce(func.sum(Post.minutes_spent), 0),
            )
            .where(*where)
            .group_by(Post.community_id)
        )
    return union_all(*parts)


def _month_bounds(period: Period) -> list[tuple[str, datetime, datetime]]:
    """(month, from, to) for each calendar month the period touches, cut to it."""
    start, end = period.bounds()
    out = []
    for m in months_of(period):
        year, month = int(m[:4]), int(m[5:])
        following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        out.append((m, max(start, datetime(year, month, 1, tzinfo=UTC)), min(end, following)))
    return out


def _activity(
    session,
    period: Period,
    rows: dict[int, Figures],
    before: dict[int, Figures],
    months: dict[str, MonthFigures],
    community_ids: list[int] | None,
    rate_cents: int,
    dialect: str,
) -> None:
    """Posts, minutes and direct costs of both periods per community, and of this
    period per month."""
    prev = period.previous()
    now_months, prev_months = _month_bounds(period), _month_bounds(prev)
    chunks = now_months + prev_months
    # Month by month (index-only ranges of ix_posts_report, 0006), summed here into
    # communities and months: integers, so the sums are exact. At most
    # MONTHS_A_QUERY months a statement: SQLite refuses a compound SELECT of more
    # than 500 terms (a period of 21 years and its previous one).
    cells = []
    for first in range(0, len(chunks), MONTHS_A_QUERY):
        batch = chunks[first : first + MONTHS_A_QUERY]
        params: dict = {"ids": community_ids} if community_ids else {}
        for j, (_, lo, hi) in enumerate(batch):
            params[f"lo{j}"], params[f"hi{j}"] = lo, hi
        cells += [
            (first + j, *rest)
            for j, *rest in session.execute(
                _posts_by_month(len(batch), bool(community_ids)), params
            )
        ]
    for i, cid, posts, minutes in cells:
        if i < len(now_months):
            f, m = rows.get(cid), months[now_months[i][0]]
            m.posts += posts
            m.minutes += minutes
        else:
            f = before.get(cid)
        if f is not None:
            f.posts += posts
            f.minutes += minutes
    for f in (*rows.values(), *before.values()):
        # Rounded once per community, from minutes, so totals add up.
        f.time_cost_cents = round(f.minutes * rate_cents / 60)
    for m in months.values():
        m.time_cost_cents = round(m.minutes * rate_cents / 60)

    # Direct costs of both periods in one pass (a few hundred rows): the previous
    # period's fall in the month NULL. Grouped by the output column's name: the CASE
    # again in GROUP BY would be computed twice a row on SQLite (new placeholders).
    month = case(
        (CostEntry.spent_on >= period.start, _month_key(CostEntry.spent_on, dialect)), else_=None
    ).label("month_key")
    for cid, m, cents in session.execute(
        select(CostEntry.community_id, month, func.sum(CostEntry.amount_cents))
        .where(
            CostEntry.spent_on >= prev.start,
            CostEntry.spent_on <= period.end,
            *((CostEntry.community_id.in_(community_ids),) if community_ids else ()),
        )
        .group_by(CostEntry.community_id, literal_column("month_key"))
    ):
        f = (rows if m is not None else before).get(cid)
        if f is not None:
            f.direct_cost_cents += cents
        if m is not None:
            months[m].direct_cost_cents += cents


def _people(
    session,
    period: Period,
    model: str,
    rows: dict[int, Figures],
    before: dict[int, Figures],
    unattributed: Figures,
    community_ids: list[int] | None,
) -> list[tuple[str, int]] | None:
    """Contacts, intakes, patients and revenue credited to each community, in this
    period and the one before, and the contacts credited to none, in one pass over
    the attribution shares (each model's shares are computed once per report: linear
    was 3.6 s at 20k contacts when computed per figure).

    Returns the funnel too where each contact has one share (first and last touch),
    else None."""
    prev = period.previous()
    start, end = period.bounds()
    prev_start, _ = prev.bounds()
    shares = _attributed_shares(model, every_contact=True).subquery()
    met = _first_touch_dates()

    def received_in(p: Period):
        return case(
            (
                and_(RevenueEntry.received_on >= p.start, RevenueEntry.received_on <= p.end),
                RevenueEntry.amount_cents,
            ),
            else_=0,
        )

    paid = (
        select(
            RevenueEntry.contact_id,
            func.sum(received_in(period)).label("now"),
            func.sum(received_in(prev)).label("before"),
        )
        .where(RevenueEntry.received_on >= prev.start, RevenueEntry.received_on <= period.end)
        .group_by(RevenueEntry.contact_id)
        .subquery()
    )

    def share_if(condition):
        return func.coalesce(func.sum(case((condition, shares.c.share), else_=0.0)), 0.0)

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    def met_in(lo, hi):
        return and_(met.c.met_at >= lo, met.c.met_at < hi)

    def on(column, p: Period):
        return and_(column >= p.start, column <= p.end)

    figures = []
    for p, lo, hi, cents in (
        (period, start, end, paid.c.now),
        (prev, prev_start, start, paid.c.before),
    ):
        figures += [
            share_if(met_in(lo, hi)),
            share_if(on(Referral.completed_on, p)),
            share_if(on(Referral.first_visit_on, p)),
            func.coalesce(func.sum(shares.c.share * func.coalesce(cents, 0)), 0.0),
        ]
    one_share = model != "linear"
    if one_share:
        # Contacts first met in the period, and how far they had got by its end.
        cohort = met_in(start, end)
        figures += [
            count_if(cohort),
            count_if(
                and_(cohort, func.coalesce(Referral.sent_on, Referral.completed_on) <= period.end)
            ),
            count_if(and_(cohort, Referral.completed_on <= period.end)),
            count_if(
                and_(
                    cohort, func.coalesce(Referral.booked_on, Referral.first_visit_on) <= period.end
                )
            ),
            count_if(and_(cohort, Referral.first_visit_on <= period.end)),
        ]
    stmt = (
        select(shares.c.community_id, *figures)
        .outerjoin(met, met.c.contact_id == shares.c.contact_id)
        .outerjoin(Referral, Referral.contact_id == shares.c.contact_id)
        .outerjoin(paid, paid.c.contact_id == shares.c.contact_id)
        .group_by(shares.c.community_id)
    )
    funnel = [0] * len(FUNNEL_STEPS)
    for cid, *values in session.execute(stmt):
        if cid is None:
            contacts, intakes, patients, cents = values[:4]
            unattributed.contacts, unattributed.intakes, unattributed.patients = (
                int(contacts),
                int(intakes),
                int(patients),
            )
            unattributed.revenue_cents = round(cents)
        for f, (contacts, intakes, patients, cents) in (
            (rows.get(cid), values[:4]),
            (before.get(cid), values[4:8]),
        ):
            if f is not None:
                f.contacts, f.intakes, f.patients = (
                    round(v, 4) for v in (contacts, intakes, patients)
                )
                f.revenue_cents = round(cents)
        # Every contact when all communities are chosen (the unattributed too), else
        # those credited to a chosen community.
        if one_share and (cid in rows if community_ids else True):
            funnel = [a + int(b) for a, b in zip(funnel, values[8:], strict=True)]
    return list(zip(FUNNEL_STEPS, funnel, strict=True)) if one_share else None


def _total(rows) -> Figures:
    total = Figures(None, "All communities")
    for r in rows:
        for attr in (
            "posts",
            "minutes",
            "time_cost_cents",
            "direct_cost_cents",
            "contacts",
            "intakes",
            "patients",
            "revenue_cents",
        ):
            setattr(total, attr, getattr(total, attr) + getattr(r, attr))
    total.contacts, total.intakes, total.patients = (
        round(v, 4) for v in (total.contacts, total.intakes, total.patients)
    )
    return total


def verdict(f: Figures, period: Period, fee_cents: int, ltv_cents: int) -> tuple[str, str]:
    """grow, keep testing, reduce or stop, and why, from a rule the report prints."""
    if period.days < MIN_DAYS or f.minutes < MIN_MINUTES:
        return "keep testing", (
            f"not enough data yet: {period.days} days and {f.hours:.1f} hours "
            f"(a verdict needs {MIN_DAYS} days and {MIN_MINUTES // 60} hours)"
        )
    roi = f.roi_percent
    if f.patients == 0:
        return "stop" if f.contacts == 0 else "reduce", (
            f"{f.hours:.1f} hours brought no patients"
            + ("" if f.contacts == 0 else f" ({f.contacts:g} contacts)")
        )
    per_patient = f.cost_per_patient_cents or 0
    if roi is not None and roi >= 0:
        return "grow", f"ROI {roi:.1f}%: revenue covers the cost"
    value = ltv_cents or fee_cents
    if value and per_patient <= value:
        return (
            "keep testing",
            "a patient costs less than their projected value, though revenue does not cover the cost yet",
        )
    return "reduce", "a patient costs more than their projected value"


def roi_report(
    store: Store,
    period: Period,
    attribution: str = "first",
    community_ids: list[int] | None = None,
) -> RoiReport:
    if attribution not in MODELS:
        raise ValueError(f"attribution must be one of {', '.join(MODELS)}")
    profile = get_profile(store)
    rate = profile.hourly_rate_cents
    ltv = profile.projected_lifetime_value_cents
    with store.session() as session:
        dialect = session.get_bind().dialect.name
        names = dict(session.execute(select(Community.id, Community.name)).all())
        chosen = sorted(
            set(community_ids) if community_ids else set(names), key=lambda c: names[c].lower()
        )
        now = {cid: Figures(cid, names[cid]) for cid in chosen}
        before = {cid: Figures(cid, names[cid]) for cid in chosen}
        monthly = {m: MonthFigures(m) for m in months_of(period)}
        unattributed = Figures(None, "Not attributed")
        _activity(session, period, now, before, monthly, community_ids, rate, dialect)
        funnel = _people(session, period, attribution, now, before, unattributed, community_ids)
        if funnel is None:
            funnel = _funnel(session, period, attribution, community_ids)
        _monthly_people(session, period, attribution, community_ids, monthly, dialect)
        median_days = _median_days(session, period, dialect)
        useful, where = _answers(session, period)
        top = _top_posts(session, period, community_ids)
    rows = list(now.values())
    for r in rows:
        r.verdict, r.verdict_reason = verdict(r, period, profile.fee_per_visit_cents, ltv)
    return RoiReport(
        period=period,
        attribution=attribution,
        hourly_rate_cents=rate,
        fee_per_visit_cents=profile.fee_per_visit_cents,
        lifetime_value_cents=ltv,
        rows=rows,
        total=_total(rows),
        previous_total=_total(before.values()),
        median_days_to_first_visit=median_days,
        useful_share=useful,
        where_people_look=where,
        currency=profile.currency,
        visits_per_year=profile.visits_per_year,
        years_retained=profile.years_retained,
        monthly=list(monthly.values()),
        unattributed=unattributed,
        funnel=funnel,
        top_posts=top,
        compliance=compliance_summary(store, period.start, period.end, community_ids),
        communities_chosen=bool(community_ids),
    )


def month_of(col, dialect_name: str):
    """The calendar month of a date or (naive UTC) datetime column as 'YYYY-MM'."""
    if dialect_name == "postgresql":
        return func.to_char(col, "YYYY-MM")
    return func.strftime("%Y-%m", col)


def months_of(period: Period) -> list[str]:
    months, year, month = [], period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _chosen_shares(model: str, community_ids: list[int] | None):
    shares = _attributed_shares(model).subquery()
    if not community_ids:
        return shares, None
    return shares, shares.c.community_id.in_(community_ids)


def _monthly_people(
    session,
    period: Period,
    model: str,
    community_ids: list[int] | None,
    months: dict[str, MonthFigures],
    dialect: str,
) -> None:
    """The period month by month, each figure grouped in SQL by its own date:
    contacts by first touch, intakes by completion, patients by first visit,
    revenue by payment (posts, hours and costs come from _activity)."""
    start, end = period.bounds()

    def grouped(month_col, *aggregates, where=(), joins=()):
        month = _month_key(month_col, dialect).label("month")
        stmt = select(month, *aggregates)
        for target, on in joins:
            stmt = stmt.join(target, on)
        return session.execute(stmt.where(*where).group_by(month)).all()

    shares, in_choice = _chosen_shares(model, community_ids)
    keep = () if in_choice is None else (in_choice,)
    met = _first_touch_dates()
    share_sum = func.sum(shares.c.share)
    for m, value in grouped(
        met.c.met_at,
        share_sum,
        joins=[(shares, shares.c.contact_id == met.c.contact_id)],
        where=(met.c.met_at >= start, met.c.met_at < end, *keep),
    ):
        months[m].contacts = round(value, 4)
    for column, attr in ((Referral.completed_on, "intakes"), (Referral.first_visit_on, "patients")):
        for m, value in grouped(
            column,
            share_sum,
            joins=[(shares, shares.c.contact_id == Referral.contact_id)],
            where=(column >= period.start, column <= period.end, *keep),
        ):
            setattr(months[m], attr, round(value, 4))
    for m, cents in grouped(
        RevenueEntry.received_on,
        func.sum(shares.c.share * RevenueEntry.amount_cents),
        joins=[(shares, shares.c.contact_id == RevenueEntry.contact_id)],
        where=(
            RevenueEntry.received_on >= period.start,
            RevenueEntry.received_on <= period.end,
            *keep,
        ),
    ):
        months[m].revenue_cents = round(cents)


def _funnel(
    session, period: Period, model: str, community_ids: list[int] | None
) -> list[tuple[str, int]]:
    """Contacts first met in the period, and how many had reached each step by
    its end (so a past period's report does not change later). A completed form
    was sent and a first visit was booked, even where those dates were not kept.
    (Linear attribution only: for the others _people counts it in its pass.)"""
    start, end = period.bounds()
    met = _first_touch_dates()
    cohort = select(met.c.contact_id).where(met.c.met_at >= start, met.c.met_at < end)
    if community_ids:
        shares, in_choice = _chosen_shares(model, community_ids)
        cohort = cohort.where(met.c.contact_id.in_(select(shares.c.contact_id).where(in_choice)))
    cohort = cohort.subquery()

    def by_end(column):
        return func.coalesce(func.sum(case((column <= period.end, 1), else_=0)), 0)

    row = session.execute(
        select(
            func.count(cohort.c.contact_id),
            by_end(func.coalesce(Referral.sent_on, Referral.completed_on)),
            by_end(Referral.completed_on),
            by_end(func.coalesce(Referral.booked_on, Referral.first_visit_on)),
            by_end(Referral.first_visit_on),
        ).outerjoin(Referral, Referral.contact_id == cohort.c.contact_id)
    ).one()
    return list(zip(FUNNEL_STEPS, (int(v) for v in row), strict=True))


def _top_posts(session, period: Period, community_ids: list[int] | None) -> list[TopPost]:
    start, end = period.bounds()
    engagement = Post.replies + Post.reactions + Post.clicks
    # Read in ix_posts_engagement's order (0007), stopping at the tenth post in the
    # period. SQLite would rather search the period by posted_at and sort all of
    # it (100k posts over five years), so the period is kept off its indexes there.
    posted_at = unindexed(Post.posted_at)
    stmt = (
        select(
            Post.id,
            Post.posted_at,
            Community.name,
            Post.kind,
            Post.title,
            Post.replies,
            Post.reactions,
            Post.clicks,
            Post.views,
        )
        .join(Community, Community.id == Post.community_id)
        .where(
            posted_at >= start,
            posted_at < end,
            Post.archived_at.is_(None),
            engagement > 0,
        )
        .order_by(engagement.desc(), Post.posted_at.desc(), Post.id.desc())
        .limit(TOP_POSTS)
    )
    if community_ids:
        stmt = stmt.where(Post.community_id.in_(community_ids))
    return [TopPost(*row) for row in session.execute(stmt)]


def _median_days(session, period: Period, dialect: str) -> float | None:
    """The median from a count of first visits per number of days (a few hundred
    rows however many visits). Each visit's first touch is one index seek
    (ix_stage_changes_contact) rather than a join to every contact's first touch."""
    met_at = (
        select(func.min(StageChange.changed_at))
        .where(StageChange.contact_id == Referral.contact_id)
        .scalar_subquery()
    )
    days = days_to(met_at, Referral.first_visit_on)
    counts = session.execute(
        select(days, func.count())
        .where(
            Referral.first_visit_on >= period.start,
            Referral.first_visit_on <= period.end,
            met_at.is_not(None),
        )
        .group_by(days)
        .order_by(days)
    ).all()
    total = sum(n for _, n in counts)
    if not total:
        return None

    def nth(i: int) -> int:  # the i-th (from 0) of the sorted days
        for value, n in counts:
            if i < n:
                return value
            i -= n
        raise IndexError(i)

    middle = total // 2
    return float(nth(middle)) if total % 2 else (nth(middle - 1) + nth(middle)) / 2


USEFUL_WORDS = ("yes", "very", "helpful", "useful", "definitely", "somewhat")


def _answers(session, period: Period) -> tuple[float | None, list[tuple[str, int]]]:
    in_period = and_(Referral.completed_on >= period.start, Referral.completed_on <= period.end)
    said_yes = case(
        *((func.lower(Referral.answer_useful).like(f"%{w}%"), 1) for w in USEFUL_WORDS),
        else_=0,
    )
    # Both counts in one pass over the period's forms.
    answered, yes = session.execute(
        select(
            func.coalesce(func.sum(case((Referral.answer_useful != "", 1), else_=0)), 0),
            func.coalesce(func.sum(said_yes), 0),
        ).where(in_period)
    ).one()
    where = session.execute(
        # min(): PostgreSQL wants every selected column grouped or aggregated;
        # any spelling of the grouped answer will do, and min() is repeatable.
        select(func.min(func.trim(Referral.answer_where)), func.count())
        .where(in_period, func.trim(Referral.answer_where) != "")
        .group_by(func.lower(func.trim(Referral.answer_where)))
        .order_by(func.count().desc(), func.lower(func.trim(Referral.answer_where)))
        .limit(15)
    ).all()
    return (round(yes / answered, 4) if answered else None), [(w, n) for w, n in where]


CSV_COLUMNS = [
    "community",
    "posts",
    "hours",
    "time_cost",
    "direct_cost",
    "contacts",
    "intakes",
    "patients",
    "revenue",
    "cost_per_intake",
    "cost_per_patient",
    "roi_percent",
    "verdict",
]


def _decimal(cents: int | None) -> str:
    from ..money import plain_cents

    return "" if cents is None else plain_cents(cents)


def _count(value: float) -> str:
    # Whole counts as integers (":g" would write a million as 1e+06); shares
    # from linear attribution keep up to four decimals.
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}".rstrip("0")


def csv_rows(report: RoiReport) -> list[list[str]]:
    """The per-community table as plain decimals, empty where undefined."""
    return [
        [
            f.name,
            str(f.posts),
            f"{f.hours:.2f}",
            _decimal(f.time_cost_cents),
            _decimal(f.direct_cost_cents),
            _count(f.contacts),
            _count(f.intakes),
            _count(f.patients),
            _decimal(f.revenue_cents),
            _decimal(f.cost_per_intake_cents),
            _decimal(f.cost_per_patient_cents),
            "" if f.roi_percent is None else f"{f.roi_percent:.1f}",
            f.verdict,
        ]
        for f in report.rows
    ]


def write_csv(report: RoiReport, path) -> int:
    from .csv_table import write_table

    return write_table(path, CSV_COLUMNS, csv_rows(report))


MONTHLY_CSV_COLUMNS = [
    "month",
    "posts",
    "hours",
    "direct_cost",
    "contacts",
    "intakes",
    "patients",
    "revenue",
]


def monthly_csv_rows(report: RoiReport) -> list[list[str]]:
    return [
        [
            m.month,
            str(m.posts),
            f"{m.hours:.2f}",
            _decimal(m.direct_cost_cents),
            _count(m.contacts),
            _count(m.intakes),
            _count(m.patients),
            _decimal(m.revenue_cents),
        ]
        for m in report.monthly
    ]


def write_monthly_csv(report: RoiReport, path) -> int:
    """The month-by-month table, written like the per-community one."""
    from .csv_table import write_table

    return write_table(path, MONTHLY_CSV_COLUMNS, monthly_csv_rows(report))
