"""Erasing a contact: their personal details go, the practice's counts stay.

A person may ask to be forgotten, but the practice's figures (how many contacts
a community brought, who became a patient, what was paid) must not change when
they are. So the contact's row stays, renamed "Erased contact #id", with its
stage history, dates, community attribution, minutes and money amounts; every
field that held their words or their details is emptied: name, email, phone,
handle, location, tags, notes, interaction notes, the intake form's free text
(the answer to "was the advice useful?" is kept as a bare yes or no, which the
review counts), payment notes, and what a merge recorded of a merged duplicate.

The old values must not linger in the file either: the change is written with
SQLite's secure_delete on, then the database is vacuumed and its write-ahead
log emptied, so the bytes on disk no longer hold them. Backups taken before the
erasure still do, until they are pruned or deleted; the sentence says so.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from .. import audit_trail
from ..context import Actor
from ..models import ContactMerge, Interaction, Referral, RevenueEntry
from ..store import Store
from .common import require_owner
from .contacts import load_contact
from .roi import USEFUL_WORDS

log = logging.getLogger("outreach.erasure")

ERASED_PREFIX = "Erased contact #"
CONTACT_FIELDS = (
    "name",
    "email",
    "email_key",
    "phone",
    "phone_digits",
    "handle",
    "location",
    "tags",
    "notes",
)
WHAT_STAYS = (
    "The contact stays in the figures as \u201cErased contact #N\u201d: its stage history, "
    "dates, community, minutes and payment amounts are kept, so reports do not change. "
    "Its name, email, phone, handle, location, tags, notes, interaction notes, intake "
    "answers and payment notes are removed for good. Backups taken before now still hold "
    "them until they are pruned or deleted."
)


def erased_name(contact_id: int) -> str:
    return f"{ERASED_PREFIX}{contact_id}"


def is_erased(name: str) -> bool:
    return name.startswith(ERASED_PREFIX)


def _useful(answer: str) -> str:
    # The review counts the share who found the advice useful by these words; a
    # bare yes or no keeps that figure without keeping what the person wrote.
    if not answer.strip():
        return ""
    lower = answer.lower()
    return "yes" if any(word in lower for word in USEFUL_WORDS) else "no"


def erase_contact(store: Store, actor: Actor, contact_id: int) -> list[str]:
    """Erase a contact's personal fields everywhere (owner only); returns the fields
    emptied, as "table.field" names (what the audit trail records, never values)."""
    require_owner(actor, "erase a contact")
    emptied: list[str] = []
    with store.session(immediate=True) as session:
        # One event that says what happened, instead of the automatic ones that
        # would call it an update; field names only, as always.
        session.info["audit_written"] = True
        if store.is_sqlite:
            # Freed and overwritten content is zeroed on disk, not left in free pages.
            session.connection().exec_driver_sql("PRAGMA secure_delete = ON")
        contact = load_contact(session, contact_id)
        for field in CONTACT_FIELDS:
            if getattr(contact, field) not in ("", None):
                emptied.append(f"contacts.{field}")
        contact.name = erased_name(contact_id)
        contact.email = contact.phone = contact.handle = ""
        contact.location = contact.tags = contact.notes = ""
        contact.email_key = contact.phone_digits = None

        notes = session.scalar(
            select(Interaction.id).where(
                Interaction.contact_id == contact_id, Interaction.note != ""
            )
        )
        if notes is not None:
            emptied.append("interactions.note")
        session.execute(
            update(Interaction).where(Interaction.contact_id == contact_id).values(note="")
        )
        referral = session.scalar(select(Referral).where(Referral.contact_id == contact_id))
        if referral is not None:
            for field in ("source_text", "answer_better", "answer_where"):
                if getattr(referral, field):
                    emptied.append(f"referrals.{field}")
                    setattr(referral, field, "")
            useful = _useful(referral.answer_useful)
            if useful != referral.answer_useful:
                emptied.append("referrals.answer_useful")
                referral.answer_useful = useful
        paid_notes = session.scalar(
            select(RevenueEntry.id).where(
                RevenueEntry.contact_id == contact_id, RevenueEntry.note != ""
            )
        )
        if paid_notes is not None:
            emptied.append("revenue_entries.note")
        session.execute(
            update(RevenueEntry).where(RevenueEntry.contact_id == contact_id).values(note="")
        )
        merged = session.scalar(
            select(ContactMerge.id).where(ContactMerge.kept_contact_id == contact_id)
        )
        if merged is not None:
            emptied.append("contact_merges.merged_summary")
        session.execute(
            update(ContactMerge)
            .where(ContactMerge.kept_contact_id == contact_id)
            .values(merged_summary="(erased)")
        )
        session.flush()
        if store.audit_enabled:
            audit_trail.append(
                session.connection(),
                actor,
                "erase",
                "contacts",
                [contact_id],
                emptied,
                "personal fields erased",
            )
    _scrub_file(store)
    log.info("Erased contact %d (%d fields)", contact_id, len(emptied))
    return emptied


def _scrub_file(store: Store) -> None:
    """Rewrite the file so no free page or old log frame keeps the erased values."""
    if not store.is_sqlite:
        return  # a server's storage is its own; VACUUM there does not promise this
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("PRAGMA secure_delete = OFF")
        # A full-text index keeps a deleted row's words in its old segments until
        # they are merged: merge them all, so the words go with the row.
        fts = raw.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND sql LIKE '%USING fts5%'"
        ).fetchall()
        for (name,) in fts:
            raw.execute(f'INSERT INTO "{name}"("{name}") VALUES (\'optimize\')')
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.execute("VACUUM")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
