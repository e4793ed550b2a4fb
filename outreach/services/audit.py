"""Reading the audit trail: who changed what and when, filtered and paged in SQL,
and the check that no event was altered, inserted or removed behind the app's back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from ..audit_trail import CHAIN, event_fields
from ..context import Actor
from ..models import AuditEvent, ChainHead
from ..store import Store
from ..timeutil import end_of_day_utc, start_of_day_utc
from .common import Page, clamp_limit, require_owner
from .hash_chain import ChainProblem, verify

ACTIONS = (
    "create",
    "update",
    "delete",
    "sign_in",
    "sign_in_failed",
    "lock",
    "unlock",
    "sign_out",
)
ACTION_LABELS = {
    "create": "Added",
    "update": "Changed",
    "delete": "Deleted",
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in refused",
    "lock": "Locked",
    "unlock": "Unlocked",
    "sign_out": "Signed out",
}


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_name: str
    user_id: int | None
    action: str
    entity: str
    record_ids: list[str]
    fields: list[str]
    note: str


@dataclass(frozen=True)
class AuditQuery:
    user_id: int | None = None
    actor_name: str = ""
    entity: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    offset: int = 0
    limit: int = 200


def _ids(text: str) -> list[str]:
    if not text:
        return []
    return json.loads(text) if text.startswith("[") else [text]


def _row(e: AuditEvent) -> AuditRow:
    return AuditRow(
        e.id,
        e.at,
        e.actor_name,
        e.user_id,
        e.action,
        e.entity,
        _ids(e.record_ids),
        json.loads(e.fields) if e.fields else [],
        e.note,
    )


def list_events(store: Store, actor: Actor, query: AuditQuery = AuditQuery()) -> Page[AuditRow]:
    """Newest first; only the practitioner reads the trail."""
    require_owner(actor, "read the audit trail")
    clauses = []
    if query.user_id is not None:
        clauses.append(AuditEvent.user_id == query.user_id)
    if query.actor_name:
        clauses.append(AuditEvent.actor_name == query.actor_name)
    if query.entity:
        clauses.append(AuditEvent.entity == query.entity)
    if query.action:
        clauses.append(AuditEvent.action == query.action)
    if query.date_from:
        clauses.append(AuditEvent.at >= start_of_day_utc(query.date_from))
    if query.date_to:
        clauses.append(AuditEvent.at < end_of_day_utc(query.date_to))
    limit = clamp_limit(query.limit)
    with store.session() as session:
        rows = session.scalars(
            select(AuditEvent)
            .where(*clauses)
            .order_by(AuditEvent.id.desc())
            .offset(max(0, query.offset))
            .limit(limit)
        ).all()
        total = session.scalar(select(func.count()).select_from(AuditEvent).where(*clauses))
        return Page([_row(e) for e in rows], total, query.offset, limit)


def entities(store: Store) -> list[str]:
    with store.session() as session:
        return list(
            session.scalars(select(AuditEvent.entity).distinct().order_by(AuditEvent.entity))
        )


def verify_trail(store: Store) -> ChainProblem | None:
    with store.session() as session:
        rows = session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
        records = (
            (
                e.id,
                e.prev_hash,
                e.record_hash,
                event_fields(
                    {
                        "id": e.id,
                        "at": e.at,
                        "user_id": e.user_id,
                        "actor_name": e.actor_name,
                        "action": e.action,
                        "entity": e.entity,
                        "record_ids": e.record_ids,
                        "fields": e.fields,
                        "note": e.note,
                    }
                ),
            )
            for e in rows.yield_per(2000)
        )
        return verify(records, session.get(ChainHead, CHAIN), "Audit")
