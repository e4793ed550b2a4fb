"""Likely duplicate contacts, and merging one into another without losing a
thing: interactions, stage history, the intake form and revenue move over."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import aliased

from ..context import Actor
from ..errors import ValidationError
from ..models import Contact, ContactMerge, Interaction, Referral, RevenueEntry, StageChange
from ..store import Store
from ..timeutil import now_utc
from . import attribution
from .contacts import load_contact, parse_tags
from .referrals import STAGE_RANK

REFERRAL_FIELDS = (
    "sent_on",
    "completed_on",
    "source_text",
    "intake_code",
    "answer_useful",
    "answer_better",
    "answer_where",
    "booked_on",
    "first_visit_on",
)


@dataclass(frozen=True)
class DuplicatePair:
    first_id: int
    second_id: int
    reason: str


def find_duplicates(store: Store, limit: int = 200) -> list[DuplicatePair]:
    """Same email, same phone digits, or the same name met in the same community."""
    a, b = aliased(Contact), aliased(Contact)
    rules = [
        ("same email", and_(a.email_key.is_not(None), a.email_key == b.email_key)),
        ("same phone", and_(a.phone_digits.is_not(None), a.phone_digits == b.phone_digits)),
        (
            "same name in one community",
            and_(
                a.name != "",
                func.lower(a.name) == func.lower(b.name),
                a.attributed_community_id == b.attributed_community_id,
            ),
        ),
    ]
    found: dict[tuple[int, int], str] = {}
    with store.session() as session:
        for reason, condition in rules:
            stmt = (
                select(a.id, b.id)
                .join(b, and_(a.id < b.id, condition))
                .order_by(a.id, b.id)
                .limit(limit)
            )
            for first, second in session.execute(stmt):
                found.setdefault((first, second), reason)
    return [DuplicatePair(f, s, r) for (f, s), r in sorted(found.items())][:limit]


def merge_contacts(store: Store, actor: Actor, keep_id: int, drop_id: int) -> None:
    if keep_id == drop_id:
        raise ValidationError({"contact": "choose two different contacts to merge."})
    with store.session() as session:
        keep, drop = load_contact(session, keep_id), load_contact(session, drop_id)
        for model in (Interaction, StageChange, RevenueEntry):
            session.execute(
                update(model).where(model.contact_id == drop_id).values(contact_id=keep_id)
            )
        _merge_referrals(session, keep_id, drop_id)
        summary = (
            ", ".join(part for part in (drop.name, drop.handle, drop.email, drop.phone) if part)
            or f"contact {drop_id}"
        )
        for attr in ("handle", "name", "email", "phone", "location"):
            if not getattr(keep, attr) and getattr(drop, attr):
                setattr(keep, attr, getattr(drop, attr))
        keep.email_key = drop.email_key if keep.email_key is None else keep.email_key
        keep.phone_digits = drop.phone_digits if keep.phone_digits is None else keep.phone_digits
        tags = parse_tags(",".join(parse_tags(keep.tags) + parse_tags(drop.tags)))
        keep.tags = f",{','.join(tags)}," if tags else ""
        if drop.notes:
            keep.notes = f"{keep.notes}\n\n{drop.notes}".strip()
        keep.first_community_id = keep.first_community_id or drop.first_community_id
        keep.first_post_id = keep.first_post_id or drop.first_post_id
        if STAGE_RANK[drop.stage] > STAGE_RANK[keep.stage]:
            keep.stage, keep.stage_changed_at = drop.stage, drop.stage_changed_at
        keep.last_interaction_at = max(
            (t for t in (keep.last_interaction_at, drop.last_interaction_at) if t), default=None
        )
        if keep.follow_up_on is None:
            keep.follow_up_on = drop.follow_up_on
        if keep.attribution_method is None and drop.attribution_method == "manual":
            keep.attributed_community_id, keep.attribution_method = (
                drop.attributed_community_id,
                "manual",
            )
        session.add(
            ContactMerge(
                kept_contact_id=keep_id,
                merged_summary=summary[:800],
                merged_at=now_utc(),
                merged_by=actor.name,
            )
        )
        session.flush()
        session.delete(drop)
        session.flush()
        attribution.refresh(session, keep)
        keep.updated_at = now_utc()


def _merge_referrals(session, keep_id: int, drop_id: int) -> None:
    kept = session.scalar(select(Referral).where(Referral.contact_id == keep_id))
    dropped = session.scalar(select(Referral).where(Referral.contact_id == drop_id))
    if dropped is None:
        return
    if kept is None:
        dropped.contact_id = keep_id
        return
    for attr in REFERRAL_FIELDS:
        if not getattr(kept, attr) and getattr(dropped, attr):
            setattr(kept, attr, getattr(dropped, attr))
    session.delete(dropped)
    session.flush()


def merges_into(store: Store, contact_id: int) -> list[str]:
    with store.session() as session:
        return [
            f"Merged {m.merged_summary} on {m.merged_at:%Y-%m-%d} ({m.merged_by})"
            for m in session.scalars(
                select(ContactMerge)
                .where(ContactMerge.kept_contact_id == contact_id)
                .order_by(ContactMerge.merged_at)
            )
        ]
