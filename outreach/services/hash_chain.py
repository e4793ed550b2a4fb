"""Append-only records chained by hash (the evidence ledger; the audit trail later).

Each record's hash covers its own fields and the previous record's hash, so
altering a record breaks its own hash, inserting or removing one breaks the
next record's link, and the chain head (the newest hash and the count, kept in
chain_heads) catches removing the newest record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from ..models import ChainHead

GENESIS = "0" * 64


def canonical_json(value) -> str:
    """One spelling for the same data, so a hash is reproducible anywhere."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_hash(prev_hash: str, fields: dict) -> str:
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


def head(session, chain: str) -> ChainHead:
    """The chain's head row, locked for this transaction where the engine can."""
    row = session.scalars(
        select(ChainHead).where(ChainHead.chain == chain).with_for_update()
    ).one_or_none()
    if row is None:
        row = ChainHead(chain=chain, count=0, last_id=0, last_hash=GENESIS)
        session.add(row)
        session.flush()
    return row


@dataclass(frozen=True)
class ChainProblem:
    record_id: int | None
    sentence: str


def verify(
    records: Iterable[tuple[int, str, str, dict]], head_row: ChainHead | None, what: str
) -> ChainProblem | None:
    """The first break in (id, prev_hash, record_hash, fields) records in id order,
    or None when the chain is whole."""
    expected_prev = GENESIS
    count, last_id = 0, 0
    for record_id, prev_hash, stored_hash, fields in records:
        if prev_hash != expected_prev:
            return ChainProblem(
                record_id,
                f"{what} record {record_id} does not follow record {last_id or 'none'}: "
                "a record was inserted or removed before it.",
            )
        if record_hash(prev_hash, fields) != stored_hash:
            return ChainProblem(
                record_id, f"{what} record {record_id} was altered after it was written."
            )
        expected_prev = stored_hash
        count, last_id = count + 1, record_id
    head_count = head_row.count if head_row else 0
    head_hash = head_row.last_hash if head_row else GENESIS
    if head_count != count or head_hash != expected_prev:
        return ChainProblem(
            None,
            f"{what} records were removed or added outside Outreach: the ledger holds {count} "
            f"but recorded {head_count}.",
        )
    return None
