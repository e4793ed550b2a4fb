"""Matching intake forms to contacts in memory, as intake_import._match does in
SQL: by email, then phone digits (exactly, then one number ending the other,
as when one carries a country code), then handle (within the form's community).

An import of 50k forms asked SQL up to four questions a form and flushed before
each (21 ms a form); the index answers from one read of the contacts' keys.
Like the SQL it replaces, the lowest id wins; a contact added during the import
ranks after every stored one, in the order they were added."""

from __future__ import annotations

from sqlalchemy import func, select

from ..models import Contact
from .contacts import email_key, phone_digits

# Two phone numbers where one ends with the other share their last digits;
# the SQL insists on at least this many.
TAIL = 7


class ContactIndex:
    def __init__(self, session):
        self._session = session
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

    def add(self, contact: Contact) -> None:
        """Index a contact made during the import, or new keys a form filled in
        on one (blanks only, so an earlier key is never taken away)."""
        rank = getattr(contact, "_index_rank", None)
        if rank is None:
            self._added += 1
            rank = (0, contact.id) if contact.id is not None else (1, self._added)
            contact._index_rank = rank  # plain attribute: not a mapped column
        self._index(
            rank,
            contact,
            email_key(contact.email),
            phone_digits(contact.phone),
            contact.handle.lower() if contact.handle else "",
            contact.first_community_id,
        )

    def _contact(self, entry) -> Contact:
        ref = entry[1]
        return ref if isinstance(ref, Contact) else self._session.get(Contact, ref)

    def match(
        self, email: str, phone: str, handle: str, community_id: int | None
    ) -> Contact | None:
        if (key := email_key(email)) and key in self._email:
            return self._contact(self._email[key])
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
                return self._contact(found)
        if handle:
            same = [
                e
                for e in self._handle.get(handle.lower(), ())
                if community_id is None or e[3] == community_id
            ]
            if same:
                return self._contact(min(same, key=lambda e: e[0]))
        return None

    def ids_for(self, forms) -> set[int]:
        """The stored contacts these forms match, to load in one query."""
        ids = set()
        for email, phone, handle, community_id in forms:
            for entry in self._candidates(email, phone, handle, community_id):
                if not isinstance(entry[1], Contact):
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
