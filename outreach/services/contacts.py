"""Contacts: the people met in communities, their stage with its dated history,
and their interactions. Office staff do most of this logging."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import aliased

from ..context import Actor
from ..errors import Conflict, NotFound, ValidationError, check_version
from ..models import (
    CHANNELS,
    OPEN_STAGES,
    STAGES,
    Community,
    Contact,
    ContactMerge,
    Interaction,
    Post,
    Referral,
    RevenueEntry,
    StageChange,
)
from ..money import plain_cents
from ..store import Store
from ..timeutil import now_utc
from . import attribution
from .common import Page, clamp_limit, clean, page_total, raw_key, seek
from .profile import get_profile
from .search import search_clauses

STAGE_LABELS = {
    "engaged": "Engaged",
    "inquired": "Inquired",
    "intake_sent": "Intake sent",
    "intake_completed": "Intake completed",
    "booked": "Booked",
    "patient": "Patient",
    "lost": "Lost",
    "not_a_fit": "Not a fit",
}
CHANNEL_LABELS = {
    "community_reply": "Community reply",
    "direct_message": "Direct message",
    "email": "Email",
    "phone": "Phone",
    "meeting": "Meeting",
}
NOTES_HINT = "Outreach is not a health record: keep prospects' health details out of these notes."
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
VIEWS = ("all", "follow_ups", "losing_touch", "unattributed")


@dataclass(frozen=True)
class ContactData:
    handle: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""
    location: str = ""
    tags: tuple[str, ...] = ()
    notes: str = ""
    first_community_id: int | None = None
    first_post_id: int | None = None
    follow_up_on: date | None = None


@dataclass(frozen=True)
class ContactRow(ContactData):
    id: int = 0
    stage: str = "engaged"
    stage_changed_at: datetime | None = None
    last_interaction_at: datetime | None = None
    attributed_community_id: int | None = None
    attributed_community: str = ""
    attribution_method: str | None = None
    first_community: str = ""
    created_at: datetime | None = None
    version: int | None = None  # what an edit passes back (optimistic locking)

    @property
    def display_name(self) -> str:
        return self.name or self.handle or self.email or self.phone


@dataclass(frozen=True)
class ContactQuery:
    search: str = ""
    stage: str | None = None
    community_id: int | None = None
    tag: str = ""
    view: str = "all"
    sort: str = "updated"
    descending: bool = True
    offset: int = 0
    limit: int = 200
    today: date | None = None
    # Paging (see common.Page): start after this cursor instead of at offset, and
    # whether to count every matching row.
    after: tuple | None = None
    count: bool = True


@dataclass(frozen=True)
class InteractionData:
    occurred_at: datetime
    channel: str
    minutes: int = 0
    note: str = ""
    community_id: int | None = None
    post_id: int | None = None


@dataclass(frozen=True)
class TimelineEvent:
    when: datetime
    kind: str  # "interaction", "stage", "referral", "revenue" or "merge"
    text: str
    detail: dict = field(default_factory=dict)


def email_key(email: str) -> str | None:
    value = clean(email).lower()
    return value or None


def phone_digits(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    return digits or None


def parse_tags(text: str) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for tag in text.split(","):
        tag = " ".join(tag.split())
        if tag and tag.lower() not in seen:
            seen[tag.lower()] = tag
    return tuple(seen.values())


def _tags_column(tags: tuple[str, ...]) -> str:
    return f",{','.join(tags)}," if tags else ""


def normalize(data: ContactData) -> ContactData:
    return replace(
        data,
        handle=clean(data.handle),
        name=clean(data.name),
        email=clean(data.email),
        phone=clean(data.phone),
        location=clean(data.location),
        tags=parse_tags(",".join(data.tags)),
        notes=(data.notes or "").strip(),
    )


def validate(data: ContactData) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (data.handle or data.name or data.email or data.phone):
        errors["handle"] = "give at least a handle, a name, an email or a phone number."
    if data.email and not EMAIL_RE.match(data.email):
        errors["email"] = "is not an email address (like name@example.com)."
    digits = phone_digits(data.phone)
    if data.phone and (digits is None or not 7 <= len(digits) <= 15):
        errors["phone"] = "must have 7 to 15 digits."
    for name, limit in (("handle", 200), ("name", 200), ("location", 100)):
        if len(getattr(data, name)) > limit:
            errors[name] = f"must be at most {limit} characters."
    if any(len(tag) > 40 for tag in data.tags):
        errors["tags"] = "each tag must be at most 40 characters."
    if data.first_post_id is not None and data.first_community_id is None:
        errors["first_post_id"] = "choose the community of the first post too."
    return errors


def _check_links(session, data: ContactData) -> dict[str, str]:
    errors: dict[str, str] = {}
    if (
        data.first_community_id is not None
        and session.get(Community, data.first_community_id) is None
    ):
        errors["first_community_id"] = "that community no longer exists."
    if data.first_post_id is not None:
        post = session.get(Post, data.first_post_id)
        if post is None:
            errors["first_post_id"] = "that post no longer exists."
        elif post.community_id != data.first_community_id:
            errors["first_post_id"] = "that post was made in another community."
    return errors


def _apply(contact: Contact, data: ContactData) -> None:
    contact.handle = data.handle
    contact.name = data.name
    contact.email = data.email
    contact.email_key = email_key(data.email)
    contact.phone = data.phone
    contact.phone_digits = phone_digits(data.phone)
    contact.location = data.location
    contact.tags = _tags_column(data.tags)
    contact.notes = data.notes
    contact.first_community_id = data.first_community_id
    contact.first_post_id = data.first_post_id
    contact.follow_up_on = data.follow_up_on


def create_contact(
    store: Store,
    actor: Actor,
    data: ContactData,
    stage: str = "engaged",
    when: datetime | None = None,
) -> int:
    data = normalize(data)
    errors = validate(data)
    if stage not in STAGES:
        errors["stage"] = f"must be one of {', '.join(STAGES)}."
    with store.session() as session:
        errors = errors or _check_links(session, data)
        if errors:
            raise ValidationError(errors)
        stamp = when or now_utc()
        contact = Contact(
            stage=stage, stage_changed_at=stamp, created_at=now_utc(), updated_at=now_utc()
        )
        _apply(contact, data)
        session.add(contact)
        session.flush()
        session.add(
            StageChange(
                contact_id=contact.id,
                from_stage=None,
                to_stage=stage,
                changed_at=stamp,
                changed_by=actor.name,
            )
        )
        attribution.refresh(session, contact)
        return contact.id


def load_contact(session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"Contact {contact_id} no longer exists; refresh the list.")
    return contact


def update_contact(
    store: Store, actor: Actor, contact_id: int, data: ContactData, *, version: int | None = None
) -> None:
    """Save an edit; with ``version`` (the ContactRow's), an edit of an
    out-of-date copy is refused."""
    data = normalize(data)
    errors = validate(data)
    with store.session() as session:
        contact = load_contact(session, contact_id)
        check_version(contact, version)
        errors = errors or _check_links(session, data)
        if errors:
            raise ValidationError(errors)
        _apply(contact, data)
        contact.updated_at = now_utc()
        attribution.refresh(session, contact)


def move_stage(
    store: Store, actor: Actor, contact_id: int, to_stage: str, when: datetime | None = None
) -> bool:
    """A dated stage change; returns False when the contact is already there."""
    if to_stage not in STAGES:
        raise ValidationError({"stage": f"must be one of {', '.join(STAGES)}."})
    with store.session() as session:
        return record_stage_change(
            session, load_contact(session, contact_id), to_stage, when or now_utc(), actor
        )


def record_stage_change(
    session, contact: Contact, to_stage: str, when: datetime, actor: Actor
) -> bool:
    if contact.stage == to_stage:
        return False
    session.add(
        StageChange(
            contact_id=contact.id,
            from_stage=contact.stage,
            to_stage=to_stage,
            changed_at=when,
            changed_by=actor.name,
        )
    )
    contact.stage = to_stage
    contact.stage_changed_at = when
    contact.updated_at = now_utc()
    return True


def assign_community(store: Store, actor: Actor, contact_id: int, community_id: int) -> None:
    """Staff's answer for an unattributed contact; kept over automatic rules."""
    with store.session() as session:
        contact = load_contact(session, contact_id)
        if session.get(Community, community_id) is None:
            raise ValidationError({"community": "that community no longer exists."})
        contact.attributed_community_id = community_id
        contact.attribution_method = "manual"
        contact.updated_at = now_utc()


def validate_interaction(data: InteractionData) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.channel not in CHANNELS:
        errors["channel"] = f"must be one of {', '.join(CHANNELS)}."
    if data.occurred_at is None or data.occurred_at.tzinfo is None:
        errors["occurred_at"] = "is required, with its time zone."
    elif data.occurred_at > now_utc() + timedelta(days=1):
        errors["occurred_at"] = "is in the future; check the date."
    if not isinstance(data.minutes, int) or not 0 <= data.minutes <= 24 * 60:
        errors["minutes"] = "must be a whole number of minutes from 0 to 1440."
    return errors


def log_interaction(store: Store, actor: Actor, contact_id: int, data: InteractionData) -> int:
    errors = validate_interaction(data)
    with store.session() as session:
        contact = load_contact(session, contact_id)
        community_id = data.community_id
        if data.post_id is not None:
            post = session.get(Post, data.post_id)
            if post is None:
                errors["post_id"] = "that post no longer exists."
            else:
                community_id = community_id or post.community_id
        if errors:
            raise ValidationError(errors)
        interaction = Interaction(
            contact_id=contact.id,
            occurred_at=data.occurred_at,
            channel=data.channel,
            minutes=data.minutes,
            note=(data.note or "").strip(),
            community_id=community_id,
            post_id=data.post_id,
            created_at=now_utc(),
        )
        session.add(interaction)
        if contact.last_interaction_at is None or data.occurred_at > contact.last_interaction_at:
            contact.last_interaction_at = data.occurred_at
        contact.updated_at = now_utc()
        session.flush()
        return interaction.id


def delete_contact(store: Store, actor: Actor, contact_id: int) -> None:
    """Delete a contact with its interactions, stage history and referral. One
    with revenue is refused: the reports need the money to stay attributed."""
    from ..models import RevenueEntry

    with store.session() as session:
        contact = load_contact(session, contact_id)
        paid = session.scalar(
            select(func.count())
            .select_from(RevenueEntry)
            .where(RevenueEntry.contact_id == contact_id)
        )
        if paid:
            raise Conflict(
                f"{contact.name or contact.handle or 'This contact'} has {paid} revenue "
                f"entr{'ies' if paid != 1 else 'y'}; delete those first or keep the contact."
            )
        session.delete(contact)


def set_follow_up(store: Store, actor: Actor, contact_id: int, when: date | None) -> None:
    with store.session() as session:
        contact = load_contact(session, contact_id)
        contact.follow_up_on = when
        contact.updated_at = now_utc()


def _row(contact: Contact, attributed: str | None, first: str | None) -> ContactRow:
    return ContactRow(
        id=contact.id,
        handle=contact.handle,
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        location=contact.location,
        tags=parse_tags(contact.tags),
        notes=contact.notes,
        first_community_id=contact.first_community_id,
        first_post_id=contact.first_post_id,
        follow_up_on=contact.follow_up_on,
        stage=contact.stage,
        stage_changed_at=contact.stage_changed_at,
        last_interaction_at=contact.last_interaction_at,
        attributed_community_id=contact.attributed_community_id,
        attributed_community=attributed or "",
        attribution_method=contact.attribution_method,
        first_community=first or "",
        created_at=contact.created_at,
        version=contact.version,
    )


_Attributed = aliased(Community)
_First = aliased(Community)
# '' written into the SQL, not bound: an expression index (ix_contacts_display_name)
# serves only a query that spells its expression the same way.
_EMPTY = literal_column("''")
SORTS = {
    "updated": Contact.updated_at,
    # What the list shows as the contact: the name, else the handle, else the email.
    "name": func.lower(
        func.coalesce(
            func.nullif(Contact.name, _EMPTY), func.nullif(Contact.handle, _EMPTY), Contact.email
        )
    ),
    "handle": func.lower(Contact.handle),
    "stage": Contact.stage,
    "community": func.lower(_Attributed.name),
    "last_interaction": Contact.last_interaction_at,
    "follow_up": Contact.follow_up_on,
    "created": Contact.created_at,
}


# The sorts whose key can be NULL (no community, no interaction, no follow-up).
NULLABLE_SORTS = {"community", "last_interaction", "follow_up"}


def _filters(store: Store, query: ContactQuery) -> list:
    clauses = search_clauses(store.engine.dialect.name, "contacts", query.search)
    if query.stage:
        clauses.append(Contact.stage == query.stage)
    if query.community_id is not None:
        clauses.append(Contact.attributed_community_id == query.community_id)
    if query.tag.strip():
        clauses.append(Contact.tags.ilike(f"%,{query.tag.strip()},%"))
    today = query.today or date.today()
    if query.view == "follow_ups":
        clauses += [Contact.follow_up_on.is_not(None), Contact.follow_up_on <= today]
        clauses.append(Contact.stage.in_(OPEN_STAGES))
    elif query.view == "losing_touch":
        days = get_profile(store).losing_touch_days
        cutoff = datetime.combine(today - timedelta(days=days), datetime.min.time()).astimezone()
        last = func.coalesce(Contact.last_interaction_at, Contact.created_at)
        clauses += [Contact.stage.in_(OPEN_STAGES), last < cutoff]
    elif query.view == "unattributed":
        clauses.append(Contact.attributed_community_id.is_(None))
    elif query.view != "all":
        raise ValidationError({"view": f"must be one of {', '.join(VIEWS)}."})
    return clauses


def list_contacts(store: Store, query: ContactQuery = ContactQuery()) -> Page[ContactRow]:
    if query.sort not in SORTS:
        raise ValidationError({"sort": f"must be one of {', '.join(SORTS)}."})
    dialect = store.engine.dialect.name
    clauses = _filters(store, query)
    key = SORTS[query.sort]
    order = key.desc() if query.descending else key.asc()
    limit = clamp_limit(query.limit)
    stmt = (
        select(Contact, _Attributed.name, _First.name, raw_key(key))
        .outerjoin(_Attributed, _Attributed.id == Contact.attributed_community_id)
        .outerjoin(_First, _First.id == Contact.first_community_id)
        .where(*clauses)
        .order_by(order, Contact.id.desc() if query.descending else Contact.id)
        .limit(limit)
    )
    if query.after is not None:
        stmt = stmt.where(
            seek(
                key,
                query.descending,
                Contact.id,
                query.descending,
                query.after,
                dialect,
                nullable=query.sort in NULLABLE_SORTS,
            )
        )
    else:
        stmt = stmt.offset(max(0, query.offset))
    with store.session() as session:
        rows = session.execute(stmt).all()
        # The filters are on the contact's own columns: no join to count.
        count = select(func.count(Contact.id)).where(*clauses)
        total = page_total(session, query, limit, rows, count)
    return Page(
        rows=[_row(*r[:3]) for r in rows],
        total=total,
        offset=query.offset,
        limit=limit,
        cursor=(rows[-1].sort_key, rows[-1][0].id) if rows else None,
    )


def get_contact(store: Store, contact_id: int) -> ContactRow:
    with store.session() as session:
        row = session.execute(
            select(Contact, _Attributed.name, _First.name)
            .outerjoin(_Attributed, _Attributed.id == Contact.attributed_community_id)
            .outerjoin(_First, _First.id == Contact.first_community_id)
            .where(Contact.id == contact_id)
        ).first()
        if row is None:
            raise NotFound(f"Contact {contact_id} no longer exists; refresh the list.")
        return _row(*row)


def stage_counts(store: Store) -> dict[str, int]:
    with store.session() as session:
        found = dict(
            session.execute(select(Contact.stage, func.count()).group_by(Contact.stage)).all()
        )
    return {stage: found.get(stage, 0) for stage in STAGES}


def timeline(store: Store, contact_id: int) -> list[TimelineEvent]:
    """Interactions and stage changes, newest first."""
    with store.session() as session:
        load_contact(session, contact_id)
        events = [
            TimelineEvent(
                when=i.occurred_at,
                kind="interaction",
                text=f"{CHANNEL_LABELS[i.channel]}{f' in {name}' if name else ''}"
                f"{f', {i.minutes} min' if i.minutes else ''}",
                detail={"note": i.note, "post_id": i.post_id},
            )
            for i, name in session.execute(
                select(Interaction, Community.name)
                .outerjoin(Community, Community.id == Interaction.community_id)
                .where(Interaction.contact_id == contact_id)
            )
        ]
        events += [
            TimelineEvent(
                when=c.changed_at,
                kind="stage",
                text=f"Stage: {STAGE_LABELS[c.to_stage]}"
                + (f" (from {STAGE_LABELS[c.from_stage]})" if c.from_stage else ""),
                detail={"by": c.changed_by},
            )
            for c in session.scalars(
                select(StageChange).where(StageChange.contact_id == contact_id)
            )
        ]
        events += _referral_events(session, contact_id)
        events += [
            TimelineEvent(
                when=m.merged_at,
                kind="merge",
                text=f"Merged with {m.merged_summary}",
                detail={"by": m.merged_by},
            )
            for m in session.scalars(
                select(ContactMerge).where(ContactMerge.kept_contact_id == contact_id)
            )
        ]
        events += [
            TimelineEvent(
                when=_noon(entry.received_on),
                kind="revenue",
                text=f"Payment {plain_cents(entry.amount_cents)}"
                + (f" ({entry.note})" if entry.note else ""),
                detail={"revenue_id": entry.id},
            )
            for entry in session.scalars(
                select(RevenueEntry).where(RevenueEntry.contact_id == contact_id)
            )
        ]
    return sorted(events, key=lambda e: e.when, reverse=True)


def _noon(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time().replace(hour=12), tzinfo=UTC)


def _referral_events(session, contact_id: int) -> list[TimelineEvent]:
    referral = session.scalar(select(Referral).where(Referral.contact_id == contact_id))
    if referral is None:
        return []
    steps = (
        ("sent_on", "Intake form sent"),
        ("completed_on", "Intake form completed"),
        ("booked_on", "Booked"),
        ("first_visit_on", "First visit"),
    )
    events = []
    for attr, text in steps:
        if (day := getattr(referral, attr)) is not None:
            detail = {}
            if attr == "completed_on":
                said = referral.source_text or referral.intake_code
                text = f"{text}{f' (found you via: {said})' if said else ''}"
                detail = {
                    "note": referral.answer_useful and f"Advice useful? {referral.answer_useful}"
                }
            events.append(TimelineEvent(when=_noon(day), kind="referral", text=text, detail=detail))
    return events


def touches(store: Store, contact_id: int) -> list[tuple[datetime, int]]:
    """(when, community) for every interaction in a community, oldest first:
    what last-touch and linear attribution are computed from."""
    with store.session() as session:
        return [
            (when, cid)
            for when, cid in session.execute(
                select(Interaction.occurred_at, Interaction.community_id)
                .where(Interaction.contact_id == contact_id, Interaction.community_id.is_not(None))
                .order_by(Interaction.occurred_at)
            )
        ]


@dataclass(frozen=True)
class Card:
    id: int
    title: str
    community: str
    since: datetime


def pipeline(store: Store, per_stage: int = 100) -> dict[str, tuple[int, list[Card]]]:
    """For each open stage: how many contacts, and the most recently moved ones."""
    counts = stage_counts(store)
    board: dict[str, tuple[int, list[Card]]] = {}
    with store.session() as session:
        for stage in OPEN_STAGES:
            rows = session.execute(
                select(Contact, _Attributed.name)
                .outerjoin(_Attributed, _Attributed.id == Contact.attributed_community_id)
                .where(Contact.stage == stage)
                .order_by(Contact.stage_changed_at.desc(), Contact.id.desc())
                .limit(per_stage)
            ).all()
            cards = [
                Card(c.id, c.name or c.handle or c.email or c.phone, name or "", c.stage_changed_at)
                for c, name in rows
            ]
            board[stage] = (counts[stage], cards)
    return board
