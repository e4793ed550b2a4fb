"""Demo data for the compliance gate: a policy profile, and a passing check in the
evidence ledger for the recent advice posts, so the Compliance page and the
evidence report have something to show. Older advice posts stay "not checked",
as if logged before the gate existed; a few checked ones were edited since."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import select

from ..context import Actor
from ..models import Post
from ..store import Store
from ..timeutil import start_of_day_utc
from . import evidence, risk_scan
from .checklist import current_in
from .compliance import Draft, Evaluation, compose, evidence_payload, finding_key, rules_for
from .compliance import PromotionMeter as Meter
from .hash_chain import text_hash
from .profile import get_profile, save_profile

RECENT_DAYS = 180
MAX_CHECKS = 1500
_BODIES = [
    "A regular wake time, even at weekends, is one of the best-studied habits for better sleep.",
    "Caffeine has a half-life of around five hours, so an afternoon coffee can still be in your "
    "system at bedtime.",
    "Keeping a two-week sleep diary often shows patterns that are hard to see day to day.",
    "Racing thoughts at night are common; writing a short to-do list before bed helps some people.",
    "Many people find their blood sugar steadier with protein at breakfast; your own dietitian can "
    "tailor this.",
    "In the trials I read, 0.5 mg of melatonin was as effective as 5 mg for shifting sleep timing.",
    # A warning, kept with the check.
    "Our clinic's free consult this month covers CBT-I basics for anyone curious.",
    # Checked with a finding overridden, so the evidence shows what an override looks like.
    "What you describe sounds like you have a body clock that runs late; a sleep specialist can "
    "tell you for sure.",
]
_REASON = "Describing a common pattern in general terms and pointing to a specialist."


def add_checks(store: Store, actor: Actor, seed: int, today: date) -> int:
    rng = random.Random(seed + 7)
    profile = get_profile(store)
    if profile.online_cover == "unknown":
        profile = save_profile(
            store,
            actor,
            replace(
                profile,
                insurer=profile.insurer or "Demo Mutual Insurance",
                policy_number=profile.policy_number or "DEMO-0001",
                policy_renewal_on=today + timedelta(days=200),
                online_cover="advice",
                online_cover_confirmed_on=today - timedelta(days=60),
                disclaimer=profile.disclaimer
                or "General information only, not medical advice for your situation.",
                signature=profile.signature or "A. Demo, sleep and nutrition clinician",
            ),
        )
    ignore = [t for t in (profile.disclaimer, profile.signature) if t]
    cutoff = start_of_day_utc(today - timedelta(days=RECENT_DAYS))
    with store.session() as session:
        checklist = current_in(session)
        answers = {item.key: True for item in checklist.items}
        posts = session.scalars(
            select(Post)
            .where(Post.kind == "advice", Post.posted_at >= cutoff)
            .order_by(Post.posted_at)
            .limit(MAX_CHECKS)
        ).all()
        rules = {}
        for post in posts:
            if post.community_id not in rules:
                rules[post.community_id] = rules_for(session, post.community_id)
            r = rules[post.community_id]
            composition = compose(profile, r, rng.choice(_BODIES))
            findings = risk_scan.scan(composition.final_text, ignore=ignore)
            overrides = {finding_key(f): _REASON for f in findings if f.blocks}
            result = Evaluation(
                composition,
                checklist,
                r,
                findings,
                [],
                [],
                Meter(0, 0, r.promotion_ratio_limit_pct, False),
                answers,
                overrides,
                "Demo: the moderators allow educational answers."
                if r.advice_allowed is False
                else "",
            )
            draft = Draft(post.community_id, composition.body, "advice", post.title)
            post.body = composition.final_text
            post.check_id = evidence.append_in(
                session,
                actor,
                community_id=post.community_id,
                checklist_version=checklist.version,
                text_hash=text_hash(post.body),
                payload=evidence_payload(result, draft, profile, post.posted_at.date()),
                checked_at=post.posted_at - timedelta(minutes=rng.randint(5, 90)),
            )
            post.check_status = "checked"
        # Text edited after its check: the post shows "changed after check".
        for post in posts[-3:] if len(posts) > 6 else []:
            post.body += " (Edited to add: see your own clinician.)"
            post.check_status = "changed"
    return len(posts)
