"""Times are stored in UTC and shown in the user's local zone; this is the one
place that converts between the two and parses what people type."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d")
TIME_FORMATS = ("%H:%M:%S", "%H:%M")


def now_utc() -> datetime:
    return datetime.now(UTC)


def local_zone() -> tzinfo:
    return datetime.now().astimezone().tzinfo or UTC


def to_utc(value: datetime, zone: tzinfo | None = None) -> datetime:
    """A naive value is read as local time (or ``zone``); an aware one is converted."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone or local_zone())
    return value.astimezone(UTC)


def as_utc(value: datetime | str) -> datetime:
    """A stored UTC value as raw SQL returns it (a naive datetime, or text on
    SQLite) made aware."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_local(value: datetime, zone: tzinfo | None = None) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone or local_zone())


def start_of_day_utc(day: date, zone: tzinfo | None = None) -> datetime:
    return to_utc(datetime.combine(day, time.min), zone)


def end_of_day_utc(day: date, zone: tzinfo | None = None) -> datetime:
    """The first instant after ``day`` (exclusive bound)."""
    return to_utc(datetime.combine(day + timedelta(days=1), time.min), zone)


def parse_date(text: str) -> date:
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date; write it as YYYY-MM-DD")


def parse_datetime(text: str, zone: tzinfo | None = None) -> datetime:
    """Parse a date or a date-time the way people write them; returns UTC.

    ISO 8601 with an offset is honoured; anything without one is local time.
    A bare date means noon local time, so it stays on the same day in every zone.
    """
    text = text.strip()
    if not text:
        raise ValueError("a date is required")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if len(text) == 10 and parsed.time() == time.min:
            parsed = parsed.replace(hour=12)
        return to_utc(parsed, zone)
    except ValueError:
        pass
    for date_fmt in DATE_FORMATS:
        for time_fmt in TIME_FORMATS:
            try:
                return to_utc(datetime.strptime(text, f"{date_fmt} {time_fmt}"), zone)
            except ValueError:
                continue
        try:
            day = datetime.strptime(text, date_fmt)
            return to_utc(day.replace(hour=12), zone)
        except ValueError:
            continue
    raise ValueError(
        f"'{text}' is not a date or date-time; write it as YYYY-MM-DD or YYYY-MM-DD HH:MM"
    )
