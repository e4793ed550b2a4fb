from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime

PLATFORMS = ("reddit", "facebook", "forum", "qa_site", "social_network", "other")
COMMUNITY_STATUSES = ("active", "paused", "archived")


def in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Community(Base):
    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    platform: Mapped[str] = mapped_column(String(20), nullable=False, default="other")
    url: Mapped[str | None] = mapped_column(String(500))
    topic: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="active")
    # The community's own rules; None means "not known".
    advice_allowed: Mapped[bool | None] = mapped_column(Boolean)
    self_promotion_allowed: Mapped[bool | None] = mapped_column(Boolean)
    signature_links_allowed: Mapped[bool | None] = mapped_column(Boolean)
    promotion_ratio_limit_pct: Mapped[int | None] = mapped_column(Integer)
    rules_summary: Mapped[str | None] = mapped_column(Text)
    rules_url: Mapped[str | None] = mapped_column(String(500))
    intake_code: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # Optimistic locking: every update checks and bumps it, so a save based on
    # an out-of-date copy (another desk saved first) fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        CheckConstraint(in_list("platform", PLATFORMS), name="platform"),
        CheckConstraint(in_list("status", COMMUNITY_STATUSES), name="status"),
        CheckConstraint(
            "promotion_ratio_limit_pct IS NULL OR "
            "(promotion_ratio_limit_pct >= 0 AND promotion_ratio_limit_pct <= 100)",
            name="promotion_ratio",
        ),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        # Names and intake codes are unique whatever their case.
        Index("uq_communities_name_ci", func.lower(name), unique=True),
        Index("uq_communities_intake_code_ci", func.upper(intake_code), unique=True),
        Index("ix_communities_status_name", "status", "name"),
        Index("ix_communities_platform", "platform"),
    )
