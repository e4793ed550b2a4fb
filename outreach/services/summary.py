"""Headline counts for the dashboard until the ROI reports arrive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ..models import Community, Post
from ..store import Store
from ..timeutil import start_of_day_utc


@dataclass(frozen=True)
class Summary:
    communities: int
    posts: int
    minutes: int
    posts_this_month: int
    minutes_this_month: int
    unchecked_advice: int


def activity_summary(store: Store, today: date | None = None) -> Summary:
    today = today or date.today()
    month_start = start_of_day_utc(today.replace(day=1))
    live = Post.archived_at.is_(None)
    with store.session() as session:
        communities = session.scalar(
            select(func.count()).select_from(Community).where(Community.status != "archived")
        )
        posts, minutes = session.execute(
            select(func.count(Post.id), func.coalesce(func.sum(Post.minutes_spent), 0)).where(live)
        ).one()
        month_posts, month_minutes = session.execute(
            select(func.count(Post.id), func.coalesce(func.sum(Post.minutes_spent), 0)).where(
                live, Post.posted_at >= month_start
            )
        ).one()
        unchecked = session.scalar(
            select(func.count()).select_from(Post).where(live, Post.check_status == "unchecked")
        )
    return Summary(communities, posts, minutes, month_posts, month_minutes, unchecked)
