"""Referrals: a contact's intake form from sent to first visit. Saving one moves
the contact along the pipeline (never backwards) and re-resolves attribution."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from ..context import Actor
from ..errors import ValidationError, check_version
from ..models import Contact, Referral
from ..store import Store
from ..timeutil import now_utc
from . import attribution
from .common import clean
from .contacts import load_contact, record_stage_change

# How far along each stage is; lost and not-a-fit rank below everything, so a
# returning contact who completes the intake moves forward again.
STAGE_RANK = {
    "lost": -1,
    "not_a_fit": -1,
    "engaged": 0,
    "inquired": 1,
    "intake_sent": 2,
    "intake_completed": 3,
    "booked": 4,
    "patient": 5,
}


@dataclass(frozen=True)
class ReferralData:
    sent_on: date | None = None
    completed_on: date | None = None
    source_text: str = ""
    intake_code: str = ""
    answer_useful: str = ""
    answer_better: str = ""
    answer_where: str = ""
    booked_on: date | None = None
    first_visit_on: date | None = None
    # As read by get_referral; save_referral takes the expected one separately.
    version: int | None = None


def validate(data: ReferralData, today: date | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    today = today or date.today()
    for name in ("sent_on", "completed_on", "booked_on", "first_visit_on"):
        value = getattr(data, name)
        if value is not None and value > today:
            errors[name] = "is in the future; check the date."
    if data.sent_on and data.completed_on and data.completed_on < data.sent_on:
        errors["completed_on"] = "is before the form was sent."
    if data.booked_on and data.first_visit_on and data.first_visit_on < data.booked_on:
        errors["first_visit_on"] = "is before the booking."
    if len(data.source_text) > 500:
        errors["source_text"] = "must be at most 500 characters."
    if len(data.intake_code) > 32:
        errors["intake_code"] = "must be at most 32 characters."
    return errors


def implied_stage(data: ReferralData) -> tuple[str, date] | None:
    for stage, when in (
        ("patient", data.first_visit_on),
        ("booked", data.booked_on),
        ("intake_completed", data.completed_on),
        ("intake_sent", data.sent_on),
    ):
        if when is not None:
            return stage, when
    return None


def _noon(day: date) -> datetime:
    # A date alone is stored as noon UTC so it stays on that day in every zone.
    return datetime.combine(day, time(12), tzinfo=UTC)


def save_referral(
    store: Store, actor: Actor, contact_id: int, data: ReferralData, *, version: int | None = None
) -> int:
    """Save the contact's intake form. ``version``: the one the user opened (from
    get_referral; 0 when there was none yet), so an out-of-date copy is refused."""
    data = replace(
        data, source_text=clean(data.source_text), intake_code=clean(data.intake_code).upper()
    )
    errors = validate(data)
    if errors:
        raise ValidationError(errors)
    with store.session() as session:
        contact = load_contact(session, contact_id)
        referral = session.scalar(select(Referral).where(Referral.contact_id == contact_id))
        check_version(referral or Referral(version=0), version)
        stamp = now_utc()
        if referral is None:
            referral = Referral(contact_id=contact_id, created_at=stamp)
            session.add(referral)
        for key, value in asdict(data).items():
            if key != "version":  # the mapper counts versions itself
                setattr(referral, key, value)
        referral.updated_at = stamp
        session.flush()
        advance_stage(session, contact, data, actor)
        attribution.refresh(session, contact)
        return referral.id


def advance_stage(session, contact: Contact, data: ReferralData, actor: Actor) -> None:
    implied = implied_stage(data)
    if implied is None:
        return
    stage, when = implied
    if STAGE_RANK[stage] > STAGE_RANK[contact.stage]:
        record_stage_change(session, contact, stage, _noon(when), actor)


def get_referral(store: Store, contact_id: int) -> ReferralData | None:
    with store.session() as session:
        referral = session.scalar(select(Referral).where(Referral.contact_id == contact_id))
        if referral is None:
            return None
        return ReferralData(**{k: getattr(referral, k) for k in ReferralData.__dataclass_fields__})


@dataclass(frozen=True)
class ReferralRow:
    id: int
    contact_id: int
    contact: str
    email: str
    community: str
    attribution_method: str | None
    sent_on: date | None
    completed_on: date | None
    booked_on: date | None
    first_visit_on: date | None
    source_text: str
    intake_code: str
    answer_useful: str
    answer_better: str
    answer_where: str


@dataclass(frozen=True)
class ReferralQuery:
    search: str = ""
    community_id: int | None = None
    unattributed: bool = False
    sort: str = "completed_on"
    descending: bool = True
    offset: int = 0
    limit: int = 200
    # Paging (see common.Page): start after this cursor instead of at offset, and
    # whether to count every matching row.
    after: tuple | None = None
    count: bool = True


def _sorts():
    from sqlalchemy import func

    from ..models import Community

    return {
        "contact": func.lower(func.coalesce(func.nullif(Contact.name, ""), Contact.handle)),
        "community": func.lower(Community.name),
        "sent_on": Referral.sent_on,
        "completed_on": Referral.completed_on,
        "booked_on": Referral.booked_on,
        "first_visit_on": Referral.first_visit_on,
        "source": func.lower(Referral.source_text),
    }


def list_referrals(store: Store, query: ReferralQuery = ReferralQuery()):
    from sqlalchemy import func

    from ..models import Community
    from .common import Page, clamp_limit, page_total, raw_key, search_clause, seek

    sorts = _sorts()
    if query.sort not in sorts:
        raise ValidationError({"sort": f"must be one of {', '.join(sorts)}."})
    clauses = search_clause(
        query.search,
        Contact.name,
        Contact.handle,
        Contact.email,
        Referral.source_text,
        Referral.intake_code,
    )
    if query.community_id is not None:
        clauses.append(Contact.attributed_community_id == query.community_id)
    if query.unattributed:
        clauses.append(Contact.attributed_community_id.is_(None))
    key = sorts[query.sort]
    order = key.desc() if query.descending else key.asc()
    limit = clamp_limit(query.limit)
    # The tie-break is the newest referral first whichever way the key sorts.
    stmt = (
        select(Referral, Contact, Community.name, raw_key(key))
        .join(Contact, Contact.id == Referral.contact_id)
        .outerjoin(Community, Community.id == Contact.attributed_community_id)
        .where(*clauses)
        .order_by(order, Referral.id.desc())
        .limit(limit)
    )
    if query.after is not None:
        dialect = store.engine.dialect.name
        nullable = query.sort not in ("contact", "source")  # the dates and community
        stmt = stmt.where(
            seek(key, query.descending, Referral.id, True, query.after, dialect, nullable)
        )
    else:
        stmt = stmt.offset(max(0, query.offset))
    with store.session() as session:
        rows = session.execute(stmt).all()
        count = (
            select(func.count(Referral.id))
            .join(Contact, Contact.id == Referral.contact_id)
            .where(*clauses)
        )
        total = page_total(session, query, limit, rows, count)
    return Page(
        rows=[
            ReferralRow(
                id=r.id,
                contact_id=c.id,
                contact=c.name or c.handle or c.email or c.phone,
                email=c.email,
                community=name or "",
                attribution_method=c.attribution_method,
                sent_on=r.sent_on,
                completed_on=r.completed_on,
                booked_on=r.booked_on,
                first_visit_on=r.first_visit_on,
                source_text=r.source_text,
                intake_code=r.intake_code,
                answer_useful=r.answer_useful,
                answer_better=r.answer_better,
                answer_where=r.answer_where,
            )
            for r, c, name, _ in rows
        ],
        total=total,
        offset=query.offset,
        limit=limit,
        cursor=(rows[-1].sort_key, rows[-1][0].id) if rows else None,
    )


def mark_intake_sent(store: Store, actor: Actor, contact_id: int, on: date | None = None) -> None:
    """The user confirmed the intake email went: date it and move the contact on."""
    current = get_referral(store, contact_id) or ReferralData()
    if current.sent_on is None:
        save_referral(store, actor, contact_id, replace(current, sent_on=on or date.today()))
