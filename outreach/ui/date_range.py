"""The "Dates from ... to ..." filter the Posts page and the audit trail share:
a checkbox that turns the range on, and two date edits, off until it is ticked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QDateEdit


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def date_range_filter(
    days_back: int, on_change: Callable[[], None]
) -> tuple[QCheckBox, QDateEdit, QDateEdit]:
    """(checkbox, from, to): the last ``days_back`` days, calling ``on_change``
    whenever the range is turned on or off or a date changes."""
    use_dates = QCheckBox("Dates &from")
    use_dates.setAccessibleName("Filter by date range")
    today = date.today()
    date_from = QDateEdit(qdate(today - timedelta(days=days_back)))
    date_to = QDateEdit(qdate(today))
    for edit, name in ((date_from, "From date"), (date_to, "To date")):
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setAccessibleName(name)
        edit.setEnabled(False)
        edit.dateChanged.connect(lambda _day: on_change())
    use_dates.toggled.connect(date_from.setEnabled)
    use_dates.toggled.connect(date_to.setEnabled)
    use_dates.toggled.connect(lambda _on: on_change())
    return use_dates, date_from, date_to
