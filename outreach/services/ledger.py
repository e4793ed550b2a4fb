"""Money in (revenue per contact) and out (direct cost per community), in cents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select

from ..context import Actor
from ..errors import NotFound, ValidationError
from ..models import Community, Contact, CostEntry, RevenueEntry
from ..store import Store
from ..timeutil import now_utc
from .common import clean, require_owner

MAX_CENTS = 100_000_000_00  # a hundred million: anything larger is a typo


@dataclass(frozen=True)
class Entry:
    id: int
    on: date
    amount_cents: int
    note: str
    owner_id: int  # the contact for revenue, the community for costs


def _check(on: date | None, amount_cents: int, today: date | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if on is None:
        errors["date"] = "is required."
    elif on > (today or date.today()):
        errors["date"] = "is in the future; check the date."
    if not isinstance(amount_cents, int) or amount_cents < 0:
        errors["amount"] = "must be an amount of 0.00 or more."
    elif amount_cents > MAX_CENTS:
        errors["amount"] = "is too large; check the number."
    return errors


def add_revenue(
    store: Store, actor: Actor, contact_id: int, on: date, amount_cents: int, note: str = ""
) -> int:
    errors = _check(on, amount_cents)
    with store.session() as session:
        if session.get(Contact, contact_id) is None:
            errors["contact"] = "that contact no longer exists."
        if errors:
            raise ValidationError(errors)
        entry = RevenueEntry(
            contact_id=contact_id,
            received_on=on,
            amount_cents=amount_cents,
            note=clean(note),
            created_at=now_utc(),
        )
        session.add(entry)
        session.flush()
        return entry.id


def add_cost(
    store: Store, actor: Actor, community_id: int, on: date, amount_cents: int, note: str = ""
) -> int:
    require_owner(actor, "record spending")
    errors = _check(on, amount_cents)
    with store.session() as session:
        if session.get(Community, community_id) is None:
            errors["community"] = "that community no longer exists."
        if errors:
            raise ValidationError(errors)
        entry = CostEntry(
            community_id=community_id,
            spent_on=on,
            amount_cents=amount_cents,
            note=clean(note),
            created_at=now_utc(),
        )
        session.add(entry)
        session.flush()
        return entry.id


def revenue_for(store: Store, contact_id: int) -> list[Entry]:
    with store.session() as session:
        return [
            Entry(e.id, e.received_on, e.amount_cents, e.note, e.contact_id)
            for e in session.scalars(
                select(RevenueEntry)
                .where(RevenueEntry.contact_id == contact_id)
                .order_by(RevenueEntry.received_on)
            )
        ]


def costs_for(store: Store, community_id: int) -> list[Entry]:
    with store.session() as session:
        return [
            Entry(e.id, e.spent_on, e.amount_cents, e.note, e.community_id)
            for e in session.scalars(
                select(CostEntry)
                .where(CostEntry.community_id == community_id)
                .order_by(CostEntry.spent_on)
            )
        ]


def total_revenue(store: Store, contact_id: int) -> int:
    with store.session() as session:
        return session.scalar(
            select(func.coalesce(func.sum(RevenueEntry.amount_cents), 0)).where(
                RevenueEntry.contact_id == contact_id
            )
        )


def delete_revenue(store: Store, actor: Actor, entry_id: int) -> None:
    require_owner(actor, "delete revenue entries")
    with store.session() as session:
        if not session.execute(delete(RevenueEntry).where(RevenueEntry.id == entry_id)).rowcount:
            raise NotFound("That revenue entry no longer exists; refresh the list.")


def delete_cost(store: Store, actor: Actor, entry_id: int) -> None:
    require_owner(actor, "delete cost entries")
    with store.session() as session:
        if not session.execute(delete(CostEntry).where(CostEntry.id == entry_id)).rowcount:
            raise NotFound("That cost entry no longer exists; refresh the list.")
