"""The audit trail's writer: every create, update and delete that goes through a
session is recorded with who, when, which table and record, and which fields
changed (names only: the trail never holds the values, so no patient data).

It hooks the store's sessions, so no service can forget it: ORM changes are
seen after each flush, bulk statements (imports, demo data) as they run.
Events are appended to a hash chain like the evidence ledger's.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import event, insert, inspect, select, update

# One event per record up to this many records of a kind in one flush; above it,
# one event lists their ids (an import of 50k rows stays one line).
GROUP_ABOVE = 20
CHAIN = "audit"
GENESIS = "0" * 64
# The figure cache is derived from the data, not data: writing it is no change.
_SKIPPED = {"audit_events", "chain_heads", "figure_cache"}


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_fields(row: dict) -> dict:
    """What an event's hash covers, spelt the same way when written and verified."""
    at = row["at"]
    if isinstance(at, str):  # raw SQL on SQLite returns the text
        at = datetime.fromisoformat(at)
    at = at.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "id": row["id"],
        "at": at,
        "user_id": row["user_id"],
        "actor_name": row["actor_name"],
        "action": row["action"],
        "entity": row["entity"],
        "record_ids": row["record_ids"],
        "fields": row["fields"],
        "note": row["note"],
    }


def chain_hash(prev_hash: str, fields: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(fields)).encode("utf-8")).hexdigest()


def append(connection, actor, action: str, entity: str = "", record_ids=(), fields=(), note=""):
    """Append one event on ``connection`` (inside the caller's transaction)."""
    from .models import AuditEvent, ChainHead

    heads = ChainHead.__table__
    head = connection.execute(select(heads).where(heads.c.chain == CHAIN)).mappings().first()
    if head is None:
        connection.execute(insert(heads).values(chain=CHAIN, count=0, last_id=0, last_hash=GENESIS))
        head = {"count": 0, "last_hash": GENESIS}
    ids = [str(i) for i in record_ids]
    row = {
        "at": datetime.now(UTC),
        "user_id": getattr(actor, "user_id", None),
        "actor_name": getattr(actor, "name", "") or "unknown",
        "action": action,
        "entity": entity,
        "record_ids": ids[0] if len(ids) == 1 else (canonical(ids) if ids else ""),
        "fields": canonical(sorted(set(fields))) if fields else "",
        "note": note[:300],
        "prev_hash": head["last_hash"],
        "record_hash": "",
    }
    table = AuditEvent.__table__
    new_id = connection.execute(insert(table).values(**row)).inserted_primary_key[0]
    row["id"] = new_id
    digest = chain_hash(row["prev_hash"], event_fields(row))
    connection.execute(update(table).where(table.c.id == new_id).values(record_hash=digest))
    connection.execute(
        update(heads)
        .where(heads.c.chain == CHAIN)
        .values(count=head["count"] + 1, last_id=new_id, last_hash=digest)
    )
    return new_id


def append_grouped(connection, actor, action: str, entity: str, record_ids, fields) -> None:
    """The events for one kind of change to many records: one event listing
    them above GROUP_ABOVE (an import of 50k rows stays one line), else one
    event per record."""
    ids = list(dict.fromkeys(record_ids))  # a record changed twice is one record
    if len(ids) > GROUP_ABOVE:
        append(connection, actor, action, entity, ids, fields, f"{len(ids)} records")
    else:
        for record_id in ids:
            append(connection, actor, action, entity, [record_id], fields)


def _changed_fields(obj) -> list[str]:
    state = inspect(obj)
    return [a.key for a in state.attrs if a.history.has_changes()]


def _set_fields(obj) -> list[str]:
    state = inspect(obj)
    return [a.key for a in state.attrs if a.value not in (None, "")]


def install(store) -> None:
    """Record every change made through ``store``'s sessions as ``store.actor``."""

    @event.listens_for(store._sessions, "after_flush")
    def _after_flush(session, _context):
        # A service that writes its own, more telling event (sign-in) opts out.
        if not store.audit_enabled or session.info.get("audit_written"):
            return
        changes: dict[tuple[str, str], tuple[list, set]] = defaultdict(lambda: ([], set()))
        for action, objects in (
            ("create", session.new),
            ("update", session.dirty),
            ("delete", session.deleted),
        ):
            for obj in objects:
                table = getattr(obj, "__tablename__", "")
                if not table or table in _SKIPPED:
                    continue
                if action == "update":
                    fields = _changed_fields(obj)
                    if not fields:
                        continue
                elif action == "create":
                    fields = _set_fields(obj)
                else:
                    fields = []
                ids, names = changes[(action, table)]
                # The identity key is not set yet for new rows in after_flush; the
                # primary key attributes are (the INSERT has run).
                key = inspect(obj).mapper.primary_key_from_instance(obj)
                ids.append(key[0] if len(key) == 1 else "/".join(map(str, key)))
                names.update(fields)
        connection = session.connection()
        for (action, table), (ids, names) in changes.items():
            append_grouped(connection, store.actor, action, table, ids, names)

    @event.listens_for(store._sessions, "do_orm_execute")
    def _bulk(state):
        if not (state.is_insert or state.is_update or state.is_delete):
            return
        if not store.audit_enabled or state.session.info.get("audit_written"):
            return
        table = state.statement.table.name if hasattr(state.statement, "table") else ""
        if not table or table in _SKIPPED:
            return
        params = state.parameters
        rows = params if isinstance(params, list) else [params] if params else []
        names = set()
        for row in rows[:1]:
            names.update(k for k in row if isinstance(k, str))
        if state.is_update and not names:
            values = getattr(state.statement, "_values", None) or {}
            names.update(getattr(c, "key", str(c)) for c in values)
        action = "create" if state.is_insert else "update" if state.is_update else "delete"
        note = f"{len(rows)} records" if len(rows) > 1 else "bulk statement"
        append(state.session.connection(), store.actor, action, table, (), names, note)
