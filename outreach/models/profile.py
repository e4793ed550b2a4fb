from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime
from .community import in_list

# What the malpractice policy says about online activity.
ONLINE_COVER = ("unknown", "none", "general_information", "advice")


class PracticeProfile(Base):
    """The practice's settings: one row, id 1."""

    __tablename__ = "practice_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    practitioner_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    specialty: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    licensed_jurisdictions: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    hourly_rate_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="USD")
    fee_per_visit_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    visits_per_year: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    years_retained: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    intake_form_url: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    disclaimer: Mapped[str] = mapped_column(Text, nullable=False, default="")
    signature: Mapped[str] = mapped_column(Text, nullable=False, default="")
    welcome_done: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Open contacts with no interaction for this many days are "losing touch".
    losing_touch_days: Mapped[int] = mapped_column(
        Integer, nullable=False, default=30, server_default="30"
    )
    # The malpractice policy (COMPLIANCE.md): the gate blocks advice posts unless
    # its cover for online activity was confirmed within the last year.
    insurer: Mapped[str] = mapped_column(String(200), nullable=False, default="", server_default="")
    policy_number: Mapped[str] = mapped_column(
        String(100), nullable=False, default="", server_default=""
    )
    policy_renewal_on: Mapped[date | None] = mapped_column(Date)
    online_cover: Mapped[str] = mapped_column(
        String(20), nullable=False, default="unknown", server_default="unknown"
    )
    online_cover_confirmed_on: Mapped[date | None] = mapped_column(Date)
    scope_of_practice: Mapped[str] = mapped_column(
        Text, nullable=False, default="", server_default=""
    )
    # Trust: sign-in for a one-user practice is optional; with more users it is
    # required whatever this says. 0 minutes means never lock.
    sign_in_required: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default="0"
    )
    auto_lock_minutes: Mapped[int] = mapped_column(
        Integer, nullable=False, default=10, server_default="10"
    )
    backup_keep_daily: Mapped[int] = mapped_column(
        Integer, nullable=False, default=14, server_default="14"
    )
    backup_keep_monthly: Mapped[int] = mapped_column(
        Integer, nullable=False, default=12, server_default="12"
    )
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic locking: every update checks and bumps it, so a save based on
    # an out-of-date copy (another desk saved first) fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint(
            "hourly_rate_cents >= 0 AND fee_per_visit_cents >= 0 "
            "AND visits_per_year >= 0 AND years_retained >= 0",
            name="non_negative",
        ),
        CheckConstraint("length(currency) = 3", name="currency_code"),
        CheckConstraint("losing_touch_days >= 1", name="losing_touch_days"),
        CheckConstraint(in_list("online_cover", ONLINE_COVER), name="online_cover"),
        CheckConstraint(
            "auto_lock_minutes >= 0 AND backup_keep_daily >= 1 AND backup_keep_monthly >= 0",
            name="trust_settings",
        ),
    )
