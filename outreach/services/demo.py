"""Deterministic demo data, so a new user has something to look at and the
benchmarks have a practice-sized database (large: ~100k posts, 5 years, 40 communities)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, insert, select

from ..backup import backup_before
from ..context import Actor
from ..errors import Cancelled, Conflict, ValidationError
from ..models import (
    ChainHead,
    Community,
    CommunityAlias,
    ComplianceCheck,
    Contact,
    CostEntry,
    Interaction,
    Post,
    Referral,
    RevenueEntry,
    StageChange,
)
from ..store import Store
from . import demo_compliance, demo_contacts
from .common import require_owner
from .profile import get_profile, save_profile

SCALES = {"small": (8, 300, 365), "large": (40, 100_000, 5 * 365)}
FEE_CENTS = 12000
# Deleted, children first, when --force replaces existing data.
REPLACED = (
    RevenueEntry,
    Referral,
    Interaction,
    StageChange,
    Contact,
    CostEntry,
    CommunityAlias,
    Post,
    # The demo's own evidence goes with it (the file was backed up first).
    ComplianceCheck,
    ChainHead,
    Community,
)
CHUNK = 2000

_TOPICS = [
    ("r/insomnia", "reddit", "sleep", "https://www.reddit.com/r/insomnia/"),
    ("r/sleep", "reddit", "sleep", "https://www.reddit.com/r/sleep/"),
    ("r/CPAP", "reddit", "sleep apnea", "https://www.reddit.com/r/CPAP/"),
    ("r/nutrition", "reddit", "nutrition", "https://www.reddit.com/r/nutrition/"),
    ("r/ibs", "reddit", "digestive health", "https://www.reddit.com/r/ibs/"),
    ("r/Anxiety", "reddit", "mental health", "https://www.reddit.com/r/Anxiety/"),
    ("HealthUnlocked", "forum", "chronic illness", "https://healthunlocked.com/"),
    ("Inspire", "forum", "chronic illness", "https://www.inspire.com/"),
    ("HealthTap", "qa_site", "general health", "https://www.healthtap.com/"),
    ("Mayo Clinic Connect", "forum", "many conditions", "https://connect.mayoclinic.org/"),
]
_SUBJECTS = [
    "sleep hygiene",
    "waking at 3am",
    "caffeine and sleep",
    "meal timing",
    "blood sugar swings",
    "gut health",
    "racing thoughts at night",
    "naps",
    "shift work",
    "melatonin questions",
    "portion sizes",
    "stress and digestion",
    "screen time before bed",
    "CPAP mask comfort",
    "toddler bedtime",
]
_TEMPLATES = {
    "advice": "Some general thoughts on {s}",
    "education": "What the research says about {s}",
    "answer": "Re: question about {s}",
    "promotion": "Free guide on {s} (mods approved)",
    "announcement": "AMA this Thursday: {s}",
}
_KIND_WEIGHTS = [
    ("answer", 40),
    ("education", 25),
    ("advice", 20),
    ("announcement", 8),
    ("promotion", 7),
]


@dataclass(frozen=True)
class DemoResult:
    communities: int
    posts: int
    contacts: int = 0
    referrals: int = 0
    revenue_entries: int = 0
    cost_entries: int = 0
    checks: int = 0
    replaced: bool = False


def parse_scale(scale: str | int) -> tuple[int, int, int]:
    """(communities, posts, days) for 'small', 'large' or a number of posts."""
    if isinstance(scale, int) or str(scale).isdigit():
        posts = int(scale)
        if posts < 1 or posts > 2_000_000:
            raise ValidationError({"scale": "must be small, large or a number from 1 to 2000000."})
        communities = max(3, min(40, posts // 2500 + 3))
        return communities, posts, 5 * 365 if posts > 20_000 else 365
    if scale not in SCALES:
        raise ValidationError({"scale": "must be small, large or a number of posts."})
    return SCALES[scale]


def has_data(store: Store) -> bool:
    with store.session() as session:
        return any(
            session.scalar(select(func.count()).select_from(model))
            for model in (Community, Post, Contact)
        )


def generate_demo(
    store: Store,
    actor: Actor,
    scale: str | int = "small",
    seed: int = 1,
    force: bool = False,
    progress=None,
    until: datetime | None = None,
) -> DemoResult:
    """Fill the database with made-up communities and posts (no real people).

    A database that holds data is refused unless ``force``, which replaces it
    after a backup copy is taken.
    """
    require_owner(actor, "load demo data")
    n_communities, n_posts, days = parse_scale(scale)
    replaced = has_data(store)
    if replaced and not force:
        raise Conflict(
            "This database already holds communities or posts; demo data would mix with them. "
            "Use another database (--db), or --force to replace them (a backup is taken first)."
        )
    if replaced and store.path is not None:
        backup_before(store.path, "before-demo")
    rng = random.Random(seed)
    end = (until or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    stamp = datetime.now(UTC)
    with store.session() as session:
        if replaced:
            for model in REPLACED:
                session.execute(delete(model))
        community_ids, names, codes = _communities(session, rng, n_communities, stamp)
        # A few communities carry most of the activity, as in real practice.
        weights = [1 / (rank + 1) ** 0.7 for rank in range(len(community_ids))]
        kinds = [k for k, _ in _KIND_WEIGHTS]
        kind_weights = [w for _, w in _KIND_WEIGHTS]
        span = int((end - start).total_seconds())
        batch = []
        for index in range(n_posts):
            kind = rng.choices(kinds, kind_weights)[0]
            subject = rng.choice(_SUBJECTS)
            views = int(rng.lognormvariate(4.5, 1.0))
            batch.append(
                {
                    "community_id": rng.choices(community_ids, weights)[0],
                    "posted_at": start + timedelta(seconds=rng.randrange(span)),
                    "kind": kind,
                    "title": _TEMPLATES[kind].format(s=subject),
                    "body": f"Demo text about {subject}. General information only, not medical advice.",
                    "url": None,
                    "minutes_spent": rng.choice((5, 10, 10, 15, 15, 20, 30, 45, 60)),
                    "replies": int(views * rng.uniform(0, 0.08)),
                    "reactions": int(views * rng.uniform(0, 0.15)),
                    "views": views,
                    "clicks": int(views * rng.uniform(0, 0.03)),
                    "check_status": "unchecked" if kind == "advice" else "not_required",
                    "source": "demo",
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
            if len(batch) >= CHUNK:
                session.execute(insert(Post), batch)
                batch = []
                if progress is not None and progress(index + 1, n_posts) is False:
                    raise Cancelled("Demo data cancelled; nothing was added.")
        if batch:
            session.execute(insert(Post), batch)
        places = demo_contacts.Communities(community_ids, weights, names, codes)
        people = demo_contacts.add_people(
            session, rng, demo_contacts.people_for(n_posts), places, start, end, stamp, FEE_CENTS
        )
        costs = demo_contacts.add_costs(session, rng, places, start, end, stamp)
    profile = get_profile(store)
    if not profile.hourly_rate_cents:
        save_profile(
            store,
            actor,
            replace(
                profile,
                hourly_rate_cents=15000,
                fee_per_visit_cents=FEE_CENTS,
                visits_per_year=8.0,
                years_retained=1.5,
            ),
        )
    checks = demo_compliance.add_checks(store, actor, seed, end.date())
    if progress is not None:
        progress(n_posts, n_posts)
    return DemoResult(
        communities=len(community_ids),
        posts=n_posts,
        contacts=people["contacts"],
        referrals=people["referrals"],
        revenue_entries=people["revenue"],
        cost_entries=costs,
        checks=checks,
        replaced=replaced,
    )


def _communities(session, rng: random.Random, count: int, stamp: datetime):
    ids, names, codes = [], {}, {}
    for index in range(count):
        if index < len(_TOPICS):
            name, platform, topic, url = _TOPICS[index]
        else:
            topic = rng.choice(_SUBJECTS)
            name = f"Demo forum {index + 1}: {topic}"
            platform, url = "forum", f"https://forum{index + 1}.example.org/"
        community = Community(
            name=name,
            platform=platform,
            url=url,
            topic=topic,
            status="active",
            advice_allowed=None if platform == "qa_site" else True,
            self_promotion_allowed=False if platform == "reddit" else None,
            signature_links_allowed=None,
            promotion_ratio_limit_pct=10 if platform == "reddit" else None,
            intake_code=f"DEMO{index + 1:02d}",
            created_at=stamp,
            updated_at=stamp,
        )
        session.add(community)
        session.flush()
        ids.append(community.id)
        names[community.id] = community.name
        codes[community.id] = community.intake_code
    return ids, names, codes
