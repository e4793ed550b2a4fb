"""The evidence ledger: every passing compliance check, append-only and hash-chained.

The services offer appending and reading only. A record's hash covers who,
when, the community, the checklist version, the text's hash and the payload
(final text, answers, findings, overrides, rules in force), so `outreach db
check` can tell when a record was altered, inserted or removed outside Outreach.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ..context import Actor
from ..errors import NotFound
from ..models import ChainHead, ComplianceCheck
from ..store import Store
from ..timeutil import end_of_day_utc, now_utc, start_of_day_utc
from .hash_chain import ChainProblem, canonical_json, head, record_hash, text_hash, verify

CHAIN = "evidence"


@dataclass(frozen=True)
class EvidenceRecord:
    id: int
    checked_at: datetime
    actor_name: str
    actor_role: str
    community_id: int | None
    checklist_version: int
    text_hash: str
    payload: dict
    record_hash: str

    @property
    def final_text(self) -> str:
        return self.payload.get("final_text", "")

    @property
    def community_name(self) -> str:
        return (self.payload.get("community_rules") or {}).get("name", "")

    @property
    def findings(self) -> list[dict]:
        return self.payload.get("findings", [])

    @property
    def overrides(self) -> list[dict]:
        return [f for f in self.findings if f.get("override_reason")]


def _fields(row: ComplianceCheck) -> dict:
    # checked_at is stored without its zone (UTC); spell it the same way always.
    return {
        "id": row.id,
        "checked_at": row.checked_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_name": row.actor_name,
        "actor_role": row.actor_role,
        "community_id": row.community_id,
        "checklist_version": row.checklist_version,
        "text_hash": row.text_hash,
        "payload": row.payload,
    }


def append(
    store: Store,
    actor: Actor,
    *,
    community_id: int | None,
    checklist_version: int,
    text_hash: str,
    payload: dict,
) -> int:
    with store.session() as session:
        return append_in(
            session,
            actor,
            community_id=community_id,
            checklist_version=checklist_version,
            text_hash=text_hash,
            payload=payload,
        )


def append_in(
    session,
    actor: Actor,
    *,
    community_id: int | None,
    checklist_version: int,
    text_hash: str,
    payload: dict,
    checked_at: datetime | None = None,
) -> int:
    """Append within the caller's transaction (demo data appends many at once)."""
    chain = head(session, CHAIN)
    row = ComplianceCheck(
        checked_at=checked_at or now_utc(),
        actor_name=actor.name,
        actor_role=actor.role,
        community_id=community_id,
        checklist_version=checklist_version,
        text_hash=text_hash,
        payload=canonical_json(payload),
        prev_hash=chain.last_hash,
        record_hash="",
    )
    session.add(row)
    session.flush()
    row.record_hash = record_hash(row.prev_hash, _fields(row))
    chain.count += 1
    chain.last_id = row.id
    chain.last_hash = row.record_hash
    return row.id


def hash_of(session, check_id: int) -> str | None:
    return session.scalar(select(ComplianceCheck.text_hash).where(ComplianceCheck.id == check_id))


def passing_check_for(session, check_id: int | None, final_text: str) -> bool:
    """Does the check exist and cover exactly this text? (Every recorded check passed.)"""
    if check_id is None:
        return False
    return hash_of(session, check_id) == text_hash(final_text)


def _record(row: ComplianceCheck) -> EvidenceRecord:
    try:
        payload = json.loads(row.payload)
    except ValueError:
        payload = {}
    return EvidenceRecord(
        row.id,
        row.checked_at,
        row.actor_name,
        row.actor_role,
        row.community_id,
        row.checklist_version,
        row.text_hash,
        payload,
        row.record_hash,
    )


def get_record(store: Store, check_id: int) -> EvidenceRecord:
    with store.session() as session:
        row = session.get(ComplianceCheck, check_id)
        if row is None:
            raise NotFound(f"Compliance check {check_id} does not exist.")
        return _record(row)


def records_between(
    store: Store, date_from: date | None = None, date_to: date | None = None
) -> list[EvidenceRecord]:
    """The period's records, oldest first (a report's worth: read in batches)."""
    clauses = []
    if date_from:
        clauses.append(ComplianceCheck.checked_at >= start_of_day_utc(date_from))
    if date_to:
        clauses.append(ComplianceCheck.checked_at < end_of_day_utc(date_to))
    with store.session() as session:
        rows = session.scalars(
            select(ComplianceCheck).where(*clauses).order_by(ComplianceCheck.id)
        ).yield_per(500)
        return [_record(r) for r in rows]


def verify_ledger(store: Store) -> ChainProblem | None:
    """The first break in the chain, or None when every record is as written."""
    with store.session() as session:
        rows = session.execute(select(ComplianceCheck).order_by(ComplianceCheck.id)).scalars()
        records = ((r.id, r.prev_hash, r.record_hash, _fields(r)) for r in rows.yield_per(1000))
        chain_head = session.get(ChainHead, CHAIN)
        return verify(records, chain_head, "Evidence")
