"""Intake forms and payments from the practice's own tools, as CSV: contacts
are matched (email, then phone digits, then handle and community) and updated,
never duplicated, so importing the same file twice changes nothing."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, insert, inspect, literal, or_, select

from ..context import Actor
from ..models import INTAKE_QUESTIONS, Community, Contact, Referral, RevenueEntry, StageChange
from ..money import parse_cents
from ..store import Store
from ..timeutil import now_utc, parse_date
from . import attribution
from .contact_index import ContactIndex
from .contacts import EMAIL_RE, email_key, phone_digits
from .csv_table import CsvError, Table, apply_overrides, auto_map, read_table, record
from .importers import RowError, check_progress
from .referrals import ReferralData, advance_stage

log = logging.getLogger("outreach.import")
# Intake forms matched and written per chunk (one flush each).
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
        submitted = parse_date(values["submitted_on"].split(" ")[0].split("T")[0])
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
    stamp = now_utc()
    # The write lock first: a race with another process waits instead of failing.
    with store.session(immediate=not dry_run) as session:
        # Matched in memory and written a chunk at a time: asking SQL for each
        # form, and flushing before each question, took 21 ms a form (18 minutes
        # for 50k); see bench/README.md.
        contacts = ContactIndex(session)
        lookup = attribution.Lookup(session)
        ids = _Ids(session)
        with session.no_autoflush:
            for first in range(0, len(forms), CHUNK):
                check_progress(progress, total + first, total * 2)
                chunk = forms[first : first + CHUNK]
                _import_chunk(
                    session, chunk, communities, contacts, lookup, ids, actor, stamp, result
                )
        if dry_run:
            session.rollback()
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


def _values(obj, table) -> dict:
    """A new object's row, with each column's default where it was left unset."""
    row = {}
    for column in table.columns:
        value = getattr(obj, column.key, None)
        if value is None and column.default is not None and column.default.is_scalar:
            value = column.default.arg
        row[column.key] = value
    return row


def _import_chunk(session, forms, communities, contacts, lookup, ids, actor, stamp, result):
    keyed = [(f, communities.get(f.community.lower()) if f.community else None) for f in forms]
    # The stored contacts these forms name, in one query (then session.get finds them).
    stored = sorted(contacts.ids_for((f.email, f.phone, f.handle, cid) for f, cid in keyed))
    if stored:
        session.scalars(select(Contact).where(Contact.id.in_(stored))).all()
    # Matching first, in file order: a form may name someone an earlier form
    # added, or gave the email or phone it matches by. New contacts are kept out
    # of the session and written together at the end of the chunk.
    matched, new_contacts = [], []
    for form, community_id in keyed:
        contact = contacts.match(form.email, form.phone, form.handle, community_id)
        created = contact is None
        if created:
            contact = Contact(
                id=ids.take(Contact.__table__, 1)[0],
                handle=form.handle,
                name=form.name,
                email=form.email,
                email_key=email_key(form.email),
                phone=form.phone,
                phone_digits=phone_digits(form.phone),
                location=form.location,
                first_community_id=community_id,
                stage="engaged",
                stage_changed_at=stamp,
                created_at=stamp,
                updated_at=stamp,
            )
            new_contacts.append(contact)
        changed = _fill_blanks(contact, form)
        if created or changed:
            contacts.add(contact)
        matched.append((form, contact, created, changed))
    known = [c.id for _, c, created, _ in matched if not created]
    referrals = {
        r.contact_id: r
        for r in session.scalars(select(Referral).where(Referral.contact_id.in_(set(known))))
    }
    new_referrals = []
    for form, contact, created, changed in matched:
        if created:
            session.add(
                StageChange(
                    contact_id=contact.id,
                    from_stage=None,
                    to_stage="engaged",
                    changed_at=stamp,
                    changed_by=actor.name,
                )
            )
        referral = referrals.get(contact.id)
        if referral is None:
            referral = referrals[contact.id] = _new_referral(contact.id, stamp)
            new_referrals.append(referral)
        changed |= _merge_referral(referral, form.referral, stamp)
        before = (contact.stage, contact.attributed_community_id, contact.attribution_method)
        advance_stage(session, contact, form.referral, actor)
        attribution.refresh(session, contact, referral, lookup)
        changed |= before != (
            contact.stage,
            contact.attributed_community_id,
            contact.attribution_method,
        )
        if created:
            result.new += 1
        elif changed:
            contact.updated_at = stamp
            result.updated += 1
        else:
            result.unchanged += 1
        if contact.attributed_community_id is None and (created or changed):
            result.unattributed += 1
    # Contacts before what points at them; each kind as one multi-row INSERT.
    if new_contacts:
        table = Contact.__table__
        session.execute(insert(table), [_values(c, table) for c in new_contacts])
    if new_referrals:
        table = Referral.__table__
        for referral, rid in zip(new_referrals, ids.take(table, len(new_referrals)), strict=True):
            referral.id = rid
        session.execute(insert(table), [_values(r, table) for r in new_referrals])
    changes = sorted(
        (o for o in session.new if isinstance(o, StageChange) and o.id is None),
        key=lambda o: inspect(o).insert_order,
    )
    for change, sid in zip(changes, ids.take(StageChange.__table__, len(changes)), strict=True):
        change.id = sid
    session.flush()  # stage changes, and updates to stored contacts and referrals


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


def _fill_blanks(contact: Contact, form: _Intake) -> bool:
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


def _new_referral(contact_id: int, stamp: datetime) -> Referral:
    # The text columns' defaults spelt out: attribution reads them before the flush.
    text = dict.fromkeys(
        ("source_text", "intake_code", "answer_useful", "answer_better", "answer_where"), ""
    )
    return Referral(contact_id=contact_id, created_at=stamp, updated_at=stamp, **text)


def _merge_referral(referral: Referral, data: ReferralData, stamp: datetime) -> bool:
    changed = False
    for attr in (
        "completed_on",
        "source_text",
        "intake_code",
        "answer_useful",
        "answer_better",
        "answer_where",
    ):
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
