"""Referrals: a contact's intake form from sent to first visit. Saving one moves
the contact along the pipeline (never backwards) and re-resolves attribution."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from ..context import Actor
from ..errors import ValidationError
from ..models import Contact, Referral
from ..store import Store
from ..timeutil import now_utc
from . import attribution
from .common import clean
from .contacts import _get, _move

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


def save_referral(store: Store, actor: Actor, contact_id: int, data: ReferralData) -> int:
    data = replace(
        data, source_text=clean(data.source_text), intake_code=clean(data.intake_code).upper()
    )
    errors = validate(data)
    if errors:
        raise ValidationError(errors)
    with store.session() as session:
        contact = _get(session, contact_id)
        referral = session.scalar(select(Referral).where(Referral.contact_id == contact_id))
        stamp = now_utc()
        if referral is None:
            referral = Referral(contact_id=contact_id, created_at=stamp)
            session.add(referral)
        for key, value in asdict(data).items():
            setattr(referral, key, value)
        referral.updated_at = stamp
        session.flush()
        _advance(session, contact, data, actor)
        attribution.refresh(session, contact)
        return referral.id


def _advance(session, contact: Contact, data: ReferralData, actor: Actor) -> None:
    implied = implied_stage(data)
    if implied is None:
        return
    stage, when = implied
    if STAGE_RANK[stage] > STAGE_RANK[contact.stage]:
        _move(session, contact, stage, _noon(when), actor)


def get_referral(store: Store, contact_id: int) -> ReferralData | None:
    with store.session() as session:
        referral = session.scalar(select(Referral).where(Referral.contact_id == contact_id))
        if referral is None:
            return None
        return ReferralData(**{k: getattr(referral, k) for k in ReferralData.__dataclass_fields__})
