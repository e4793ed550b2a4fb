from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime
from .community import in_list

_EMPTY = literal_column("''")  # written into the index's expression, not bound

STAGES = (
    "engaged",
    "inquired",
    "intake_sent",
    "intake_completed",
    "booked",
    "patient",
    "lost",
    "not_a_fit",
)
OPEN_STAGES = STAGES[:5]
CHANNELS = ("community_reply", "direct_message", "email", "phone", "meeting")
ATTRIBUTION_METHODS = ("met", "code", "source", "manual")


class Contact(Base):
    """A person met in a community; may be only a handle until intake.
    Prospects' health details are not kept here."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handle: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(320), nullable=False, default="")
    # Normalised copies for matching imports: lower-case email, phone digits only.
    email_key: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    phone_digits: Mapped[str | None] = mapped_column(String(30))
    location: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    # Stored as ",tag one,tag two," so a tag filter is one LIKE in SQL.
    tags: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    first_community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL")
    )
    first_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    attributed_community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL")
    )
    attribution_method: Mapped[str | None] = mapped_column(String(10))
    stage: Mapped[str] = mapped_column(String(20), nullable=False, default="engaged")
    stage_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    last_interaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # Optimistic locking: every update checks and bumps it, so a save based on
    # an out-of-date copy (another desk saved first) fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        CheckConstraint(in_list("stage", STAGES), name="stage"),
        CheckConstraint(
            "attribution_method IS NULL OR " + in_list("attribution_method", ATTRIBUTION_METHODS),
            name="attribution_method",
        ),
        CheckConstraint(
            "(attributed_community_id IS NULL) = (attribution_method IS NULL)",
            name="attribution_pair",
        ),
        CheckConstraint(
            "length(handle) + length(name) + length(email) + length(phone) > 0",
            name="identifiable",
        ),
        Index("ix_contacts_email_key", "email_key"),
        Index("ix_contacts_phone_digits", "phone_digits"),
        Index("ix_contacts_handle", "handle"),
        Index("ix_contacts_name", "name"),
        Index("ix_contacts_stage", "stage", "stage_changed_at"),
        Index("ix_contacts_attributed", "attributed_community_id"),
        Index("ix_contacts_first_community", "first_community_id"),
        Index("ix_contacts_follow_up", "follow_up_on"),
        Index("ix_contacts_last_interaction", "last_interaction_at"),
        Index("ix_contacts_created", "created_at"),
        # The list's sorts with their id tie-break (0008): the default order, and
        # the expressions spelled exactly as services/contacts.py SORTS spells them.
        Index("ix_contacts_updated", "updated_at", "id"),
        Index(
            "ix_contacts_display_name",
            func.lower(
                func.coalesce(func.nullif(name, _EMPTY), func.nullif(handle, _EMPTY), email)
            ),
            "id",
        ),
        Index("ix_contacts_handle_ci", func.lower(handle), "id"),
    )


class StageChange(Base):
    __tablename__ = "stage_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20), nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    changed_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    __table_args__ = (
        CheckConstraint(in_list("to_stage", STAGES), name="to_stage"),
        CheckConstraint(
            "from_stage IS NULL OR " + in_list("from_stage", STAGES), name="from_stage"
        ),
        Index("ix_stage_changes_contact", "contact_id", "changed_at"),
        Index("ix_stage_changes_to_stage", "to_stage", "changed_at"),
    )


class Interaction(Base):
    """A touch: when, how, how long; in a community when it happened there."""

    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    channel: Mapped[str] = mapped_column(String(20), nullable=False)
    minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL")
    )
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        CheckConstraint(in_list("channel", CHANNELS), name="channel"),
        CheckConstraint("minutes >= 0", name="minutes_non_negative"),
        Index("ix_interactions_contact", "contact_id", "occurred_at"),
        Index("ix_interactions_community", "community_id", "occurred_at"),
    )


class CommunityAlias(Base):
    """Other names people use for a community ("the insomnia subreddit")."""

    __tablename__ = "community_aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), nullable=False
    )
    alias: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (
        CheckConstraint("length(trim(alias)) > 0", name="alias_not_blank"),
        Index("ix_community_aliases_community", "community_id"),
    )


class ContactMerge(Base):
    """A record that one contact was merged into another, and what it was."""

    __tablename__ = "contact_merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kept_contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )
    merged_summary: Mapped[str] = mapped_column(String(800), nullable=False)
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    merged_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    __table_args__ = (Index("ix_contact_merges_kept", "kept_contact_id"),)
