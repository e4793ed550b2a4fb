"""The compliance gate's records: the versioned checklist and the evidence ledger.

A check is evidence about the exact text that went out, so it is append-only:
each record carries the hash of the one before it (a chain), and chain_heads
holds the newest hash and the count, so that an altered, inserted or removed
record shows up in `outreach db check`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class ChecklistVersion(Base):
    __tablename__ = "checklist_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")


class ChecklistItem(Base):
    __tablename__ = "checklist_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_versions.id", ondelete="RESTRICT"), nullable=False
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    # A stable name for the item across versions, so answers can be carried over.
    key: Mapped[str] = mapped_column(String(60), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    help: Mapped[str] = mapped_column(Text, nullable=False, default="")
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    __table_args__ = (
        CheckConstraint("length(trim(text)) > 0", name="text_not_blank"),
        Index("uq_checklist_items_version_key", "version_id", "key", unique=True),
        Index("ix_checklist_items_version_position", "version_id", "position"),
    )


class ComplianceCheck(Base):
    """One passing check of one final text: append-only, hash-chained."""

    __tablename__ = "compliance_checks"
    # AUTOINCREMENT: an id is never reused, so a removed record leaves a gap.
    __table_args__ = (
        Index("ix_compliance_checks_text_hash", "text_hash"),
        Index("ix_compliance_checks_checked_at", "checked_at"),
        Index("ix_compliance_checks_community", "community_id", "checked_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor_name: Mapped[str] = mapped_column(String(200), nullable=False)
    actor_role: Mapped[str] = mapped_column(String(20), nullable=False)
    # No foreign key: the record must outlive the community as written.
    community_id: Mapped[int | None] = mapped_column(Integer)
    checklist_version: Mapped[int] = mapped_column(Integer, nullable=False)
    text_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # Canonical JSON: the final text, answers, findings, overrides, rules in force.
    payload: Mapped[str] = mapped_column(Text, nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    record_hash: Mapped[str] = mapped_column(String(64), nullable=False)


class ChainHead(Base):
    """The newest record's hash and the number of records of a chain ("evidence";
    the audit trail later): removing the last record, which no later record
    points at, still shows."""

    __tablename__ = "chain_heads"

    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), nullable=False)


class FigureCache(Base):
    """Figures as last worked out, for the next start to paint at once
    (services/dashboard_cache.py); ``data_key`` says which data they are of."""

    __tablename__ = "figure_cache"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    data_key: Mapped[str] = mapped_column(String(200), nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)
