"""How values read on screen: local dates, hours with one decimal, rules."""

from __future__ import annotations

from datetime import datetime

from outreach.money import format_cents
from outreach.timeutil import to_local

# A figure with nothing to divide by, or not known.
DASH = "—"


def hours(minutes: int) -> str:
    return f"{minutes / 60:,.1f}"


def local_date(value: datetime | None) -> str:
    return to_local(value).strftime("%Y-%m-%d") if value else ""


def local_datetime(value: datetime | None) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def rule(value: bool | None) -> str:
    return "Unknown" if value is None else ("Allowed" if value else "Not allowed")


def count_text(value: float) -> str:
    """Contacts, intakes and patients: whole numbers, or one decimal under linear credit."""
    value = round(float(value), 1)
    return f"{int(value):,}" if value.is_integer() else f"{value:,.1f}"


def money_text(cents: int | None, currency: str) -> str:
    return DASH if cents is None else format_cents(cents, currency)


def percent_text(value: float | None) -> str:
    return DASH if value is None else f"{value:,.1f}%"
