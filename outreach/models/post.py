from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime
from .community import in_list

POST_KINDS = ("advice", "education", "answer", "promotion", "announcement")
# An advice post must pass the compliance gate before it is logged; imported ones
# never did and are "unchecked", and reports count them so. "changed" means the
# text was edited after its check: the check is evidence about other words.
CHECK_STATUSES = ("not_required", "unchecked", "checked", "changed")
POST_SOURCES = ("manual", "import", "demo")
ENGAGEMENT = ("replies", "reactions", "views", "clicks")


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="RESTRICT"), nullable=False
    )
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    url: Mapped[str | None] = mapped_column(String(500))
    minutes_spent: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    replies: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reactions: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    views: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    clicks: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    check_status: Mapped[str] = mapped_column(String(20), nullable=False, default="not_required")
    check_id: Mapped[int | None] = mapped_column(
        ForeignKey("compliance_checks.id", ondelete="RESTRICT")
    )
    source: Mapped[str] = mapped_column(String(10), nullable=False, default="manual")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # Optimistic locking: every update checks and bumps it, so a save based on
    # an out-of-date copy (another desk saved first) fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        CheckConstraint(in_list("kind", POST_KINDS), name="kind"),
        CheckConstraint(in_list("check_status", CHECK_STATUSES), name="check_status"),
        CheckConstraint(in_list("source", POST_SOURCES), name="source"),
        CheckConstraint(
            "minutes_spent >= 0 AND replies >= 0 AND reactions >= 0 AND views >= 0 AND clicks >= 0",
            name="non_negative",
        ),
        CheckConstraint(
            "kind = 'advice' OR check_status = 'not_required'", name="check_only_for_advice"
        ),
        # One index per list sort and for the per-community report queries.
        Index("ix_posts_posted_at", "posted_at"),
        Index("ix_posts_community_posted", "community_id", "posted_at"),
        Index("ix_posts_kind_posted", "kind", "posted_at"),
        Index("ix_posts_title", "title"),
        Index("ix_posts_minutes", "minutes_spent"),
        Index("ix_posts_replies", "replies"),
        Index("ix_posts_reactions", "reactions"),
        Index("ix_posts_views", "views"),
        Index("ix_posts_clicks", "clicks"),
        Index("ix_posts_check_status", "check_status"),
        Index("ix_posts_check_id", "check_id"),
        # Covers the reports' sums of posts and minutes by community and month over a
        # period: an index-only scan instead of a table lookup per post (bench/).
        Index("ix_posts_report", "posted_at", "community_id", "minutes_spent", "archived_at"),
        # The reports' top posts: read in engagement order, stopping at the tenth (0007).
        Index(
            "ix_posts_engagement",
            replies + reactions + clicks,
            "posted_at",
            "id",
            "archived_at",
            "community_id",
        ),
        # The Communities page's posts, hours and last post per community, read
        # from the index alone (0008); posts sorted by kind, then id.
        Index(
            "ix_posts_community_stats", "community_id", "archived_at", "minutes_spent", "posted_at"
        ),
        Index("ix_posts_kind_id", "kind", "id"),
    )
