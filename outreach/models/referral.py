from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime

# The article's three intake questions, asked on every intake form.
INTAKE_QUESTIONS = (
    "Did you find my online advice useful?",
    "Is there anything better I can do with my online presence to be more helpful?",
    "Where do you go on the web for health-related information?",
)


class Referral(Base):
    """A contact's intake form, from sent to first visit."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    sent_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    source_text: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    intake_code: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    answer_useful: Mapped[str] = mapped_column(Text, nullable=False, default="")
    answer_better: Mapped[str] = mapped_column(Text, nullable=False, default="")
    answer_where: Mapped[str] = mapped_column(Text, nullable=False, default="")
    booked_on: Mapped[date | None] = mapped_column(Date)
    first_visit_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # Optimistic locking: every update checks and bumps it, so a save based on
    # an out-of-date copy (another desk saved first) fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        CheckConstraint(
            "completed_on IS NULL OR sent_on IS NULL OR completed_on >= sent_on",
            name="completed_after_sent",
        ),
        CheckConstraint(
            "first_visit_on IS NULL OR booked_on IS NULL OR first_visit_on >= booked_on",
            name="visit_after_booking",
        ),
        Index("ix_referrals_sent", "sent_on"),
        Index("ix_referrals_completed", "completed_on"),
        Index("ix_referrals_first_visit", "first_visit_on"),
    )


class RevenueEntry(Base):
    __tablename__ = "revenue_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="RESTRICT"), nullable=False
    )
    received_on: Mapped[date] = mapped_column(Date, nullable=False)
    amount_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount_non_negative"),
        Index("ix_revenue_contact", "contact_id", "received_on"),
        Index("ix_revenue_received", "received_on"),
    )


class CostEntry(Base):
    """Direct spend in a community: boosted posts, directory fees, tools."""

    __tablename__ = "cost_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="RESTRICT"), nullable=False
    )
    spent_on: Mapped[date] = mapped_column(Date, nullable=False)
    amount_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount_non_negative"),
        Index("ix_costs_community", "community_id", "spent_on"),
        Index("ix_costs_spent", "spent_on"),
    )
