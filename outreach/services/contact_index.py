"""Matching intake forms to contacts in memory, as intake_import._match does in
SQL: by email, then phone digits (exactly, then one number ending the other,
as when one carries a country code), then handle (within the form's community).

An import of 50k forms asked SQL up to four questions a form and flushed before
each (21 ms a form); the index answers from one read of the contacts' keys.
Like the SQL it replaces, the lowest id wins; a contact added during the import
ranks after every stored one, in the order they were added.

A match is a stored contact's id (the import reads those a chunk may match
first, see ids_for) or the import's own record of a contact it added or filled
in: any object with ``id``, ``email``, ``phone``, ``handle``,
``first_community_id`` and a ``rank`` attribute the index fills in."""

from __future__ import annotations

from sqlalchemy import func, select

from ..models import Contact
from .contacts import email_key, phone_digits

# Two phone numbers where one ends with the other share their last digits;
# the SQL insists on at least this many.
TAIL = 7


class ContactIndex:
    def __init__(self, session):
        self._added = 0
        self._email: dict[str, tuple] = {}
        self._phone: dict[str, tuple] = {}
        self._tail: dict[str, list[tuple]] = {}
        self._handle: dict[str, list[tuple]] = {}
        rows = session.execute(
            select(
                Contact.id,
                Contact.email_key,
                Contact.phone_digits,
                func.lower(Contact.handle),
                Contact.first_community_id,
            ).order_by(Contact.id)
        )
        for cid, email, digits, handle, community in rows:
            self._index((0, cid), cid, email, digits, handle, community)

    def _index(self, rank, ref, email, digits, handle, community) -> None:
        entry = (rank, ref, digits, community)
        if email and (email not in self._email or rank < self._email[email][0]):
            self._email[email] = entry
        if digits:
            if digits not in self._phone or rank < self._phone[digits][0]:
                self._phone[digits] = entry
            if len(digits) >= TAIL:
                self._tail.setdefault(digits[-TAIL:], []).append(entry)
        if handle:
            self._handle.setdefault(handle, []).append(entry)

    def add(self, contact) -> None:
        """Index a contact made during the import (it has no id yet), or new keys
        a form filled in on one (blanks only, so an earlier key is never taken away)."""
        if contact.rank is None:
            if contact.id is None:
                self._added += 1
                contact.rank = (1, self._added)
            else:
                contact.rank = (0, contact.id)
        self._index(
            contact.rank,
            contact,
            email_key(contact.email),
            phone_digits(contact.phone),
            contact.handle.lower() if contact.handle else "",
            contact.first_community_id,
        )

    def match(self, email: str, phone: str, handle: str, community_id: int | None):
        """The import's record of the contact, or a stored contact's id (the
        import reads it by ids_for first), or None."""
        if (key := email_key(email)) and key in self._email:
            return self._email[key][1]
        if digits := phone_digits(phone):
            found = self._phone.get(digits)
            if found is None and len(digits) >= TAIL:
                near = [
                    e
                    for e in self._tail.get(digits[-TAIL:], ())
                    if e[2].endswith(digits) or digits.endswith(e[2])
                ]
                found = min(near, key=lambda e: e[0], default=None)
            if found is not None:
                return found[1]
        if handle:
            same = [
                e
                for e in self._handle.get(handle.lower(), ())
                if community_id is None or e[3] == community_id
            ]
            if same:
                return min(same, key=lambda e: e[0])[1]
        return None

    def ids_for(self, forms) -> set[int]:
        """The stored contacts these forms may match, by id, to read in one query
        (those the import holds a record of already it can skip)."""
        ids = set()
        for email, phone, handle, community_id in forms:
            for entry in self._candidates(email, phone, handle, community_id):
                if isinstance(entry[1], int):
                    ids.add(entry[1])
        return ids

    def _candidates(self, email, phone, handle, community_id):
        if (key := email_key(email)) and key in self._email:
            yield self._email[key]
        if digits := phone_digits(phone):
            if digits in self._phone:
                yield self._phone[digits]
            if len(digits) >= TAIL:
                yield from self._tail.get(digits[-TAIL:], ())
        if handle:
            yield from self._handle.get(handle.lower(), ())
