"""How values read on screen: local dates, hours with one decimal, rules."""

from __future__ import annotations

from datetime import datetime

from outreach.timeutil import to_local


def hours(minutes: int) -> str:
    return f"{minutes / 60:,.1f}"


def local_date(value: datetime | None) -> str:
    return to_local(value).strftime("%Y-%m-%d") if value else ""


def local_datetime(value: datetime | None) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def rule(value: bool | None) -> str:
    return "Unknown" if value is None else ("Allowed" if value else "Not allowed")
