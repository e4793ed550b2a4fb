"""Intake forms and payments from the practice's own tools, as CSV: contacts
are matched (email, then phone digits, then handle and community) and updated,
never duplicated, so importing the same file twice changes nothing."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import ClassVar

from sqlalchemy import bindparam, func, insert, literal, or_, select, update

from .. import audit_trail
from ..context import Actor
from ..errors import ChangedElsewhere
from ..models import INTAKE_QUESTIONS, Community, Contact, Referral, RevenueEntry, StageChange
from ..money import parse_cents
from ..store import Store
from ..timeutil import now_utc, parse_date
from . import attribution
from .contact_index import ContactIndex
from .contacts import EMAIL_RE, email_key, phone_digits
from .csv_table import CsvError, Table, apply_overrides, auto_map, read_table, record
from .importers import RowError, check_progress
from .referrals import STAGE_RANK, ReferralData, _noon, implied_stage

log = logging.getLogger("outreach.import")
# Intake forms matched and written per chunk (a few statements each).
CHUNK = 500

INTAKE_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("full name", "client name", "patient name", "your name"),
    "first_name": ("first", "given name", "first name"),
    "last_name": ("last", "surname", "family name", "last name"),
    "email": ("e-mail", "email address", "e mail", "your email"),
    "phone": ("mobile", "phone number", "cell", "telephone", "mobile number"),
    "submitted_on": ("date submitted", "submitted", "submission date", "submitted on", "date"),
    "source_text": (
        "how did you hear about us",
        "how did you hear about us?",
        "referral source",
        "source",
    ),
    "intake_code": ("referral code", "code", "intake code"),
    "answer_useful": (INTAKE_QUESTIONS[0], INTAKE_QUESTIONS[0].rstrip("?")),
    "answer_better": (INTAKE_QUESTIONS[1], INTAKE_QUESTIONS[1].rstrip("?")),
    "answer_where": (INTAKE_QUESTIONS[2], INTAKE_QUESTIONS[2].rstrip("?")),
    "handle": ("username", "user name", "online handle"),
    "community": ("community name",),
    "location": ("state", "country", "state or country"),
}
REVENUE_FIELDS: dict[str, tuple[str, ...]] = {
    "date": ("received", "paid on", "payment date", "date paid"),
    "amount": ("paid", "payment", "total", "amount paid"),
    "email": ("e-mail", "email address"),
    "phone": ("mobile", "phone number"),
    "name": ("full name", "client name", "patient name", "client"),
    "note": ("description", "memo", "service"),
}


@dataclass
class PipelineImportResult:
    kind: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    unattributed: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rejected(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        if self.errors:
            return (
                f"Nothing was imported: {self.rejected} row{'s have' if self.rejected != 1 else ' has'} "
                "a problem. Correct the file and import it again."
            )
        verb = "would be" if self.dry_run else "were"
        text = f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged {self.kind} {verb} imported"
        if self.kind == "intake forms":
            text += f"; {self.unattributed} unattributed"
        return text + "."


def _table(path, fields, overrides, required_any: tuple[str, ...], required: tuple[str, ...]):
    table = read_table(path)
    mapping = auto_map(table.headers, fields)
    if overrides:
        mapping = apply_overrides(mapping, overrides, table.headers)
    missing = [f for f in required if not mapping.get(f)]
    if not any(mapping.get(f) for f in required_any):
        missing.append(" or ".join(required_any))
    if missing:
        raise CsvError(
            f"The file has no column for {', '.join(missing)}; its columns are: "
            f"{', '.join(table.headers)}. Rename a column or map it (--map FIELD=HEADER)."
        )
    return table, mapping


@dataclass(frozen=True)
class _Intake:
    row: int
    name: str
    email: str
    phone: str
    handle: str
    community: str
    location: str
    referral: ReferralData


# A file's forms share a few thousand days at most; strptime was a tenth of a
# 50k-form import.
_parse_day = lru_cache(maxsize=4096)(parse_date)


def _parse_intake(
    table: Table, mapping, number: int, values: dict[str, str], communities
) -> _Intake:
    name = values["name"] or " ".join(p for p in (values["first_name"], values["last_name"]) if p)
    email = values["email"].strip()
    if email and not EMAIL_RE.match(email):
        raise ValueError(f"email '{email}' is not an email address.")
    phone = values["phone"].strip()
    if phone and not 7 <= len(phone_digits(phone) or "") <= 15:
        raise ValueError(f"phone '{phone}' must have 7 to 15 digits.")
    if not (email or phone or name or values["handle"]):
        raise ValueError("give the person's email, phone, name or handle.")
    if not values["submitted_on"]:
        raise ValueError("submitted_on is required (the date the form was completed).")
    try:
        submitted = _parse_day(values["submitted_on"].split(" ")[0].split("T")[0])
    except ValueError as exc:
        raise ValueError(f"submitted_on {exc}.") from None
    if submitted > date.today():
        raise ValueError("submitted_on is in the future; check the date.")
    community = values["community"].strip()
    if community and community.lower() not in communities:
        raise ValueError(f"community '{community}' is not in Outreach; add it first.")
    return _Intake(
        row=number,
        name=" ".join(name.split()),
        email=email,
        phone=phone,
        handle=values["handle"].strip(),
        community=community,
        location=values["location"].strip(),
        referral=ReferralData(
            completed_on=submitted,
            source_text=values["source_text"].strip()[:500],
            intake_code=values["intake_code"].strip().upper()[:32],
            answer_useful=values["answer_useful"].strip(),
            answer_better=values["answer_better"].strip(),
            answer_where=values["answer_where"].strip(),
        ),
    )


def _match(
    session, email: str, phone: str, handle: str, community_id: int | None
) -> Contact | None:
    if key := email_key(email):
        found = session.scalar(select(Contact).where(Contact.email_key == key).order_by(Contact.id))
        if found:
            return found
    if digits := phone_digits(phone):
        found = session.scalar(
            select(Contact).where(Contact.phone_digits == digits).order_by(Contact.id)
        )
        if found is None and len(digits) >= 7:
            # "+1 555 010 0002" and "555-010-0002" are one number: one may carry
            # a country code the other left off.
            found = session.scalar(
                select(Contact)
                .where(
                    func.length(Contact.phone_digits) >= 7,
                    or_(
                        Contact.phone_digits.like(f"%{digits}"),
                        literal(digits).like(literal("%") + Contact.phone_digits),
                    ),
                )
                .order_by(Contact.id)
            )
        if found:
            return found
    if handle:
        stmt = select(Contact).where(func.lower(Contact.handle) == handle.lower())
        if community_id is not None:
            stmt = stmt.where(Contact.first_community_id == community_id)
        return session.scalar(stmt.order_by(Contact.id))
    return None


def import_intake(
    store: Store,
    actor: Actor,
    path: str | Path,
    overrides: dict[str, str] | None = None,
    dry_run: bool = False,
    progress=None,
) -> PipelineImportResult:
    table, mapping = _table(
        path,
        INTAKE_FIELDS,
        overrides,
        ("email", "phone", "name", "first_name", "handle"),
        ("submitted_on",),
    )
    result = PipelineImportResult(kind="intake forms", dry_run=dry_run)
    with store.session() as session:
        communities = {
            n.lower(): i for i, n in session.execute(select(Community.id, Community.name))
        }
    forms = []
    total = len(table.rows)
    for index, (number, row) in enumerate(zip(table.row_numbers, table.rows, strict=True)):
        if index % 500 == 0:
            check_progress(progress, index, total * 2)
        try:
            forms.append(
                _parse_intake(table, mapping, number, record(table, mapping, row), communities)
            )
        except ValueError as exc:
            result.errors.append(RowError(number, str(exc)))
    if result.errors:
        return result
    # The write lock first: a race with another process waits instead of failing.
    with store.session(immediate=not dry_run) as session:
        # The store's hooks would write an event per statement; the import writes
        # one per kind of change for the whole file instead (_IntakeWriter.audit).
        session.info["audit_written"] = True
        # Matched in memory and written a chunk at a time: asking SQL for each
        # form, and flushing before each question, took 21 ms a form (18 minutes
        # for 50k); see bench/README.md.
        writer = _IntakeWriter(session, communities, actor, now_utc(), result)
        for first in range(0, len(forms), CHUNK):
            check_progress(progress, total + first, total * 2)
            writer.import_chunk(forms[first : first + CHUNK])
        if dry_run:
            session.rollback()
        elif store.audit_enabled:
            writer.audit(store.actor)
    _log(result)
    return result


class _Ids:
    """New rows' ids, taken before the rows are written, so a chunk's contacts,
    stage changes and referrals go in as a few multi-row INSERTs instead of one
    INSERT ... RETURNING each (the ORM's only way to learn an id on SQLite).
    SQLite: counting on from the largest id, under the import's write lock (as
    SQLite itself would). PostgreSQL: the table's own sequence."""

    def __init__(self, session):
        self._session = session
        self._next: dict[str, int] = {}

    def take(self, table, count: int) -> list[int]:
        if count == 0:
            return []
        if self._session.get_bind().dialect.name == "postgresql":
            sequence = func.pg_get_serial_sequence(table.name, "id")
            return list(
                self._session.scalars(
                    select(func.nextval(sequence)).select_from(func.generate_series(1, count))
                )
            )
        if table.name not in self._next:
            self._next[table.name] = (self._session.scalar(select(func.max(table.c.id))) or 0) + 1
        first = self._next[table.name]
        self._next[table.name] = first + count
        return list(range(first, first + count))


# The import holds contacts and referrals as plain objects, not ORM instances:
# making, tracking and flushing 170k of those was most of a 50k-form import.
CONTACT_WRITABLE = (
    "handle",
    "name",
    "email",
    "email_key",
    "phone",
    "phone_digits",
    "location",
    "attributed_community_id",
    "attribution_method",
    "stage",
    "stage_changed_at",
    "updated_at",
)
# What an intake form tells about the referral (a non-empty value replaces the stored one).
FORM_FIELDS = (
    "completed_on",
    "source_text",
    "intake_code",
    "answer_useful",
    "answer_better",
    "answer_where",
)
REFERRAL_WRITABLE = (*FORM_FIELDS, "updated_at")
_UNREAD = object()  # a stored contact's referral before the import reads it


class _Held:
    """A row the import holds: it remembers the values of the columns the
    import may change (WRITABLE) as last read or written, so that only what
    changed is written back. ``saved`` is None until the row is inserted."""

    __slots__ = ()
    WRITABLE: ClassVar[tuple[str, ...]]
    VALUES: ClassVar[attrgetter]  # of WRITABLE, as one tuple

    def save(self) -> None:
        self.saved = type(self).VALUES(self)

    def changed(self) -> tuple[str, ...]:
        values = type(self).VALUES(self)
        if values == self.saved:
            return ()
        return tuple(
            c for c, new, old in zip(self.WRITABLE, values, self.saved, strict=True) if new != old
        )


@dataclass(slots=True, eq=False)
class _Contact(_Held):
    WRITABLE: ClassVar = CONTACT_WRITABLE
    VALUES: ClassVar = attrgetter(*CONTACT_WRITABLE)
    id: int | None
    handle: str
    name: str
    email: str
    email_key: str | None
    phone: str
    phone_digits: str | None
    location: str
    first_community_id: int | None
    attributed_community_id: int | None
    attribution_method: str | None
    stage: str
    stage_changed_at: datetime
    updated_at: datetime
    version: int = 1
    rank: tuple | None = None  # ContactIndex's
    referral: _Referral | None | object = None  # or _UNREAD, for a stored contact
    saved: tuple | None = None


@dataclass(slots=True, eq=False)
class _Referral(_Held):
    WRITABLE: ClassVar = REFERRAL_WRITABLE
    VALUES: ClassVar = attrgetter(*REFERRAL_WRITABLE)
    id: int | None
    contact: _Contact
    completed_on: date | None
    source_text: str
    intake_code: str
    answer_useful: str
    answer_better: str
    answer_where: str
    updated_at: datetime
    version: int = 1
    saved: tuple | None = None


# The stored columns each record reads (and a new row writes, with the
# constants of _contact_row and _referral_row; those it leaves NULL are left out).
_CONTACT_COLUMNS = ("id", "first_community_id", "version", *CONTACT_WRITABLE)
_REFERRAL_COLUMNS = ("id", "version", *REFERRAL_WRITABLE)  # and contact_id
_contact_values = attrgetter(*_CONTACT_COLUMNS)
_referral_values = attrgetter(*_REFERRAL_COLUMNS)

CHANGED_DURING_IMPORT = (
    "A contact or intake form in the file was changed by someone else during the import; "
    "nothing was imported. Import the file again."
)
# Ids per IN (...) when reading the stored rows a chunk's forms name.
READ_BATCH = 1000


class _IntakeWriter:
    """One import's state across its chunks: the index of contacts, the records
    read or made so far (a later form may name someone an earlier chunk added),
    and the audit trail's events, written once at the end."""

    def __init__(self, session, communities, actor: Actor, stamp: datetime, result):
        self.session = session
        self.communities = communities
        self.changed_by = actor.name
        self.stamp = stamp
        self.result = result
        self.contacts = ContactIndex(session)
        self.lookup = attribution.Lookup(session)
        self.ids = _Ids(session)
        self.held: dict[int, _Contact] = {}  # stored contacts read so far
        # (action, table) -> (record ids, field names)
        self.changes: dict[tuple[str, str], tuple[list, set]] = defaultdict(lambda: ([], set()))

    def import_chunk(self, forms: list[_Intake]) -> None:
        keyed = [
            (f, self.communities.get(f.community.lower()) if f.community else None) for f in forms
        ]
        self._read_contacts(
            self.contacts.ids_for((f.email, f.phone, f.handle, c) for f, c in keyed)
        )
        # Matching first, in file order: a form may name someone an earlier form
        # added, or gave the email or phone it matches by.
        matched = [self._match(form, community_id) for form, community_id in keyed]
        self._read_referrals({c for _, c, _, _ in matched if c.referral is _UNREAD})
        new_referrals, stage_changes = [], []
        for form, contact, created, changed in matched:
            if created:
                stage_changes.append((contact, None, "engaged", self.stamp))
            referral = contact.referral
            if referral is None:
                referral = contact.referral = _new_referral(contact, self.stamp)
                new_referrals.append(referral)
            changed |= _merge_referral(referral, form.referral, self.stamp)
            before = (contact.stage, contact.attributed_community_id, contact.attribution_method)
            self._advance_stage(contact, form.referral, stage_changes)
            contact.attributed_community_id, contact.attribution_method = attribution.resolve(
                self.session, contact, referral, self.lookup
            )
            changed |= before != (
                contact.stage,
                contact.attributed_community_id,
                contact.attribution_method,
            )
            self._count(contact, created, changed)
        new_contacts = [c for _, c, created, _ in matched if created]
        # The rest were read, or written by an earlier chunk: what changed since.
        found = dict.fromkeys(c for _, c, created, _ in matched if not created)
        self._insert_new(new_contacts, new_referrals, stage_changes)
        self._update(Contact.__table__, found)
        self._update(Referral.__table__, [c.referral for c in found])

    def _match(self, form: _Intake, community_id: int | None):
        found = self.contacts.match(form.email, form.phone, form.handle, community_id)
        contact = self.held[found] if isinstance(found, int) else found
        created = contact is None
        if created:
            contact = _new_contact(form, community_id, self.stamp)
        changed = _fill_blanks(contact, form)
        if created or changed:
            self.contacts.add(contact)
        return form, contact, created, changed

    def _advance_stage(self, contact: _Contact, data: ReferralData, stage_changes) -> None:
        """referrals.advance_stage's rule: the form moves the contact forward (to
        the stage its dates imply, at noon UTC that day), never back."""
        implied = implied_stage(data)
        if implied is None:
            return
        stage, day = implied
        if STAGE_RANK[stage] > STAGE_RANK[contact.stage]:
            when = _noon(day)
            stage_changes.append((contact, contact.stage, stage, when))
            contact.stage, contact.stage_changed_at = stage, when
            contact.updated_at = self.stamp

    def _count(self, contact: _Contact, created: bool, changed: bool) -> None:
        result = self.result
        if created:
            result.new += 1
        elif changed:
            contact.updated_at = self.stamp
            result.updated += 1
        else:
            result.unchanged += 1
        if contact.attributed_community_id is None and (created or changed):
            result.unattributed += 1

    def _read_contacts(self, ids) -> None:
        table = Contact.__table__
        columns = [table.c[name] for name in _CONTACT_COLUMNS]
        for batch in _batches(sorted(i for i in ids if i not in self.held)):
            for row in self.session.execute(select(*columns).where(table.c.id.in_(batch))):
                contact = _Contact(**row._mapping, referral=_UNREAD)
                contact.save()
                self.held[contact.id] = contact

    def _read_referrals(self, contacts) -> None:
        by_id = {c.id: c for c in contacts}
        for contact in contacts:
            contact.referral = None
        table = Referral.__table__
        columns = [table.c[name] for name in ("contact_id", *_REFERRAL_COLUMNS)]
        for batch in _batches(sorted(by_id)):
            for row in self.session.execute(select(*columns).where(table.c.contact_id.in_(batch))):
                values = dict(row._mapping)
                contact = by_id[values.pop("contact_id")]
                contact.referral = _Referral(contact=contact, **values)
                contact.referral.save()

    def _insert_new(self, contacts: list[_Contact], referrals: list[_Referral], stage_changes):
        """Contacts before what points at them."""
        stamp = self.stamp
        for contact, cid in zip(contacts, self._take(Contact, contacts), strict=True):
            contact.id = cid
            contact.save()
        self._insert(Contact.__table__, [_contact_row(c, stamp) for c in contacts])
        for referral, rid in zip(referrals, self._take(Referral, referrals), strict=True):
            referral.id = rid
            referral.save()
        self._insert(Referral.__table__, [_referral_row(r, stamp) for r in referrals])
        self._insert(
            StageChange.__table__,
            [
                {
                    "id": sid,
                    "contact_id": contact.id,
                    "from_stage": from_stage,
                    "to_stage": to_stage,
                    "changed_at": when,
                    "changed_by": self.changed_by,
                }
                for (contact, from_stage, to_stage, when), sid in zip(
                    stage_changes, self._take(StageChange, stage_changes), strict=True
                )
            ],
        )

    def _take(self, model, rows) -> list[int]:
        return self.ids.take(model.__table__, len(rows))

    def _insert(self, table, rows: list[dict]) -> None:
        if not rows:
            return
        statement = insert(table)
        if self.session.get_bind().dialect.insert_executemany_returning:
            # With RETURNING, SQLAlchemy sends the rows as multi-row INSERTs (up to
            # 1,000 rows and the engine's limit of parameters each) instead of one
            # statement a row, after each of which SQLite's full-text trigger
            # flushes its index: 42k contacts took 3.1 s a row at a time, 1.3 s so.
            self.session.execute(statement.returning(table.c.id), rows)
        else:
            self.session.execute(statement, rows)
        self._note("create", table.name, [row["id"] for row in rows], _filled(rows))

    def _update(self, table, records) -> None:
        """Write back what changed, each row only if it is still the version the
        import read (optimistic locking, as the ORM does for a versioned row)."""
        by_columns: dict[tuple[str, ...], list] = defaultdict(list)
        for held in records:
            if changed := held.changed():
                by_columns[changed].append(held)
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_version"))
            .values(version=table.c.version + 1)
        )
        dialect = self.session.get_bind().dialect
        for changed, group in by_columns.items():
            rows = [
                {"_id": r.id, "_version": r.version, **{c: getattr(r, c) for c in changed}}
                for r in group
            ]
            updated = self.session.execute(statement, rows).rowcount
            if dialect.supports_sane_multi_rowcount and updated != len(rows):
                # Another desk saved one of them since this import read it: writing
                # ours would undo theirs. The session rolls the whole import back.
                raise ChangedElsewhere(CHANGED_DURING_IMPORT)
            for held in group:
                held.version += 1
                held.save()
            self._note("update", table.name, [r.id for r in group], changed)

    def _note(self, action: str, table: str, ids, fields) -> None:
        record_ids, names = self.changes[(action, table)]
        record_ids.extend(ids)
        names.update(fields)

    def audit(self, actor) -> None:
        """The whole import's changes as the store's hooks group a flush's: one
        event per kind of change listing its records, or one per record when
        there are only a few. Field names only, never values."""
        connection = self.session.connection()
        for (action, table), (ids, names) in self.changes.items():
            audit_trail.append_grouped(connection, actor, action, table, ids, names)


def _batches(ids: list[int]):
    for first in range(0, len(ids), READ_BATCH):
        yield ids[first : first + READ_BATCH]


def _filled(rows: list[dict]) -> set[str]:
    """The columns new rows set, for the audit trail: any row's value not empty."""
    return {c for c in rows[0] if any(row[c] not in (None, "") for row in rows)}


def _new_contact(form: _Intake, community_id: int | None, stamp: datetime) -> _Contact:
    return _Contact(
        id=None,
        handle=form.handle,
        name=form.name,
        email=form.email,
        email_key=email_key(form.email),
        phone=form.phone,
        phone_digits=phone_digits(form.phone),
        location=form.location,
        first_community_id=community_id,
        attributed_community_id=None,
        attribution_method=None,
        stage="engaged",
        stage_changed_at=stamp,
        updated_at=stamp,
    )


def _contact_row(contact: _Contact, stamp: datetime) -> dict:
    row = dict(zip(_CONTACT_COLUMNS, _contact_values(contact), strict=True))
    row.update(tags="", notes="", created_at=stamp)
    return row


def _new_referral(contact: _Contact, stamp: datetime) -> _Referral:
    return _Referral(
        id=None,
        contact=contact,
        completed_on=None,
        source_text="",
        intake_code="",
        answer_useful="",
        answer_better="",
        answer_where="",
        updated_at=stamp,
    )


def _referral_row(referral: _Referral, stamp: datetime) -> dict:
    row = dict(zip(_REFERRAL_COLUMNS, _referral_values(referral), strict=True))
    row.update(contact_id=referral.contact.id, created_at=stamp)
    return row


def _log(result: PipelineImportResult) -> None:
    # Counts only, never a name or an email from the file.
    log.info(
        "Import of %s%s: %d new, %d updated, %d unchanged, %d rows rejected",
        result.kind,
        " (dry run)" if result.dry_run else "",
        result.new,
        result.updated,
        result.unchanged,
        result.rejected,
    )


def _fill_blanks(contact: _Contact, form: _Intake) -> bool:
    """Add what the form tells that the contact lacks; never overwrite staff's data."""
    changed = False
    for attr, value in (
        ("name", form.name),
        ("email", form.email),
        ("phone", form.phone),
        ("location", form.location),
        ("handle", form.handle),
    ):
        if value and not getattr(contact, attr):
            setattr(contact, attr, value)
            changed = True
    if changed:
        contact.email_key = email_key(contact.email)
        contact.phone_digits = phone_digits(contact.phone)
    return changed


def _merge_referral(referral: _Referral, data: ReferralData, stamp: datetime) -> bool:
    changed = False
    for attr in FORM_FIELDS:
        value = getattr(data, attr)
        if value and getattr(referral, attr) != value:
            setattr(referral, attr, value)
            changed = True
    if changed:
        referral.updated_at = stamp
    return changed


def import_revenue(
    store: Store,
    actor: Actor,
    path: str | Path,
    overrides: dict[str, str] | None = None,
    dry_run: bool = False,
    progress=None,
) -> PipelineImportResult:
    table, mapping = _table(
        path, REVENUE_FIELDS, overrides, ("email", "phone", "name"), ("date", "amount")
    )
    result = PipelineImportResult(kind="payments", dry_run=dry_run)
    entries = []
    total = len(table.rows)
    with store.session(immediate=not dry_run) as session:
        for index, (number, row) in enumerate(zip(table.row_numbers, table.rows, strict=True)):
            if index % 500 == 0:
                check_progress(progress, index, total * 2)
            values = record(table, mapping, row)
            try:
                entries.append((number, *_parse_payment(session, values)))
            except ValueError as exc:
                result.errors.append(RowError(number, str(exc)))
        if result.errors:
            return result
        stamp = now_utc()
        for index, (_number, contact_id, on, cents, note) in enumerate(entries):
            if index % 500 == 0:
                check_progress(progress, total + index, total * 2)
            exists = session.scalar(
                select(RevenueEntry.id).where(
                    RevenueEntry.contact_id == contact_id,
                    RevenueEntry.received_on == on,
                    RevenueEntry.amount_cents == cents,
                    RevenueEntry.note == note,
                )
            )
            if exists:
                result.unchanged += 1
                continue
            session.add(
                RevenueEntry(
                    contact_id=contact_id,
                    received_on=on,
                    amount_cents=cents,
                    note=note,
                    created_at=stamp,
                )
            )
            session.flush()
            result.new += 1
        if dry_run:
            session.rollback()
    _log(result)
    return result


def _parse_payment(session, values: dict[str, str]):
    try:
        on = parse_date(values["date"].split(" ")[0].split("T")[0])
    except ValueError as exc:
        raise ValueError(f"date {exc}.") from None
    if on > date.today():
        raise ValueError("date is in the future; check it.")
    try:
        cents = parse_cents(values["amount"])
    except ValueError as exc:
        raise ValueError(f"amount {exc}.") from None
    if cents < 0:
        raise ValueError("amount must be 0.00 or more; record refunds as a note on the visit.")
    contact = _match(session, values["email"], values["phone"], "", None)
    if contact is None and values["name"].strip():
        name = " ".join(values["name"].split()).lower()
        found = session.scalars(
            select(Contact).where(func.lower(Contact.name) == name).limit(2)
        ).all()
        if len(found) > 1:
            raise ValueError(
                f"more than one contact is called '{values['name']}'; add their email or phone."
            )
        contact = found[0] if found else None
    if contact is None:
        who = values["email"] or values["phone"] or values["name"] or "(nobody)"
        raise ValueError(f"no contact matches {who}; import their intake form or add them first.")
    return contact.id, on, cents, re.sub(r"\s+", " ", values["note"]).strip()[:500]


CONTACT_COLUMNS = [
    "handle",
    "name",
    "email",
    "phone",
    "location",
    "tags",
    "stage",
    "community",
    "attribution",
    "last_interaction",
    "follow_up_on",
]
REFERRAL_COLUMNS = [
    "name",
    "email",
    "community",
    "sent_on",
    "completed_on",
    "source",
    "intake_code",
    INTAKE_QUESTIONS[0],
    INTAKE_QUESTIONS[1],
    INTAKE_QUESTIONS[2],
    "booked_on",
    "first_visit_on",
]


# Anonymised exports: the contact by handle or initials (and record number, so the
# two files join); no name, email, phone, location, or free text that may name someone.
ANONYMISED_CONTACT_COLUMNS = [
    "contact_id",
    "contact",
    "stage",
    "community",
    "attribution",
    "last_interaction",
    "follow_up_on",
]
ANONYMISED_REFERRAL_COLUMNS = [
    "contact_id",
    "contact",
    "community",
    "sent_on",
    "completed_on",
    "intake_code",
    "booked_on",
    "first_visit_on",
]


def export_pipeline(
    store: Store, kind: str, path: str | Path, progress=None, *, anonymised: bool = False
) -> int:
    """Contacts or referrals to CSV, streamed in one query."""
    from ..timeutil import to_local
    from .anonymise import contact_label
    from .csv_table import write_table

    def iso(value):
        return value.isoformat() if value else ""

    if kind == "contacts":
        stmt = (
            select(Contact, Community.name)
            .outerjoin(Community, Community.id == Contact.attributed_community_id)
            .order_by(Contact.id)
        )

        def rows():
            with store.session() as session:
                for c, community in session.execute(stmt.execution_options(yield_per=1000)):
                    if anonymised:
                        yield [
                            c.id,
                            contact_label(c.id, c.handle, c.name),
                            c.stage,
                            community or "",
                            c.attribution_method or "unattributed",
                            to_local(c.last_interaction_at).date().isoformat()
                            if c.last_interaction_at
                            else "",
                            iso(c.follow_up_on),
                        ]
                        continue
                    yield [
                        c.handle,
                        c.name,
                        c.email,
                        c.phone,
                        c.location,
                        c.tags.strip(","),
                        c.stage,
                        community or "",
                        c.attribution_method or "unattributed",
                        to_local(c.last_interaction_at).isoformat(timespec="seconds")
                        if c.last_interaction_at
                        else "",
                        iso(c.follow_up_on),
                    ]

        columns = ANONYMISED_CONTACT_COLUMNS if anonymised else CONTACT_COLUMNS
        return write_table(path, columns, rows())
    if kind == "referrals":
        stmt = (
            select(Referral, Contact.name, Contact.email, Community.name, Contact.handle)
            .join(Contact, Contact.id == Referral.contact_id)
            .outerjoin(Community, Community.id == Contact.attributed_community_id)
            .order_by(Referral.id)
        )

        def rows():
            with store.session() as session:
                for r, name, email, community, handle in session.execute(
                    stmt.execution_options(yield_per=1000)
                ):
                    if anonymised:
                        yield [
                            r.contact_id,
                            contact_label(r.contact_id, handle, name),
                            community or "",
                            iso(r.sent_on),
                            iso(r.completed_on),
                            r.intake_code,
                            iso(r.booked_on),
                            iso(r.first_visit_on),
                        ]
                        continue
                    yield [
                        name,
                        email,
                        community or "",
                        iso(r.sent_on),
                        iso(r.completed_on),
                        r.source_text,
                        r.intake_code,
                        r.answer_useful,
                        r.answer_better,
                        r.answer_where,
                        iso(r.booked_on),
                        iso(r.first_visit_on),
                    ]

        columns = ANONYMISED_REFERRAL_COLUMNS if anonymised else REFERRAL_COLUMNS
        return write_table(path, columns, rows())
    raise CsvError(f"Cannot export {kind!r}; choose contacts or referrals.")
