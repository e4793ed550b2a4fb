"""Demo contacts, referrals, interactions, revenue and costs (made-up people:
handles and example.org addresses only). Large scale: ~20k contacts, ~5k referrals."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from ..models import Contact, CostEntry, Interaction, Referral, RevenueEntry, StageChange

FIRST = ["Alex", "Sam", "Jo", "Riley", "Kim", "Noor", "Ana", "Bo", "Eli", "Mia", "Tom", "Ivy"]
LAST = ["Lee", "Park", "Silva", "Khan", "Moreau", "Novak", "Ito", "Berg", "Costa", "Reid"]
USEFUL = ["Yes, very", "Yes", "Somewhat", "It pointed me in the right direction", ""]
BETTER = ["More posts on sleep routines", "Short videos", "Nothing, thanks", "Answer faster", ""]
WHERE = ["Reddit", "Facebook groups", "Google", "YouTube", "HealthUnlocked", "Podcasts", ""]
# The chance of moving on from each stage to the next; the rest stay or are lost.
ONWARD = [
    ("inquired", 0.5),
    ("intake_sent", 0.5),
    ("intake_completed", 0.75),
    ("booked", 0.75),
    ("patient", 0.85),
]
CHUNK = 2000


@dataclass(frozen=True)
class Communities:
    ids: list[int]
    weights: list[float]
    names: dict[int, str]
    codes: dict[int, str]


def people_for(posts: int) -> int:
    """About one contact per five posts: ~20k for the large 100k-post demo."""
    return max(20, posts // 5)


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def add_people(
    session,
    rng: random.Random,
    count: int,
    places: Communities,
    start: datetime,
    end: datetime,
    stamp: datetime,
    fee_cents: int,
) -> dict[str, int]:
    first_id = (session.scalar(select(func.max(Contact.id))) or 0) + 1
    span = max(1, int((end - start).total_seconds()) - 60 * 86400)
    rows = {"contacts": [], "stage_changes": [], "interactions": [], "referrals": [], "revenue": []}
    counts = dict.fromkeys(rows, 0)
    last_day = end.date()
    for offset in range(count):
        cid = first_id + offset
        community = rng.choices(places.ids, places.weights)[0]
        met_at = start + timedelta(seconds=rng.randrange(span))
        how = rng.random()
        first_community = community if how < 0.7 else None
        stages = [("engaged", met_at)]
        when = met_at
        for stage, chance in ONWARD:
            if rng.random() > chance:
                if rng.random() < 0.4:
                    stages.append(("lost", when + timedelta(days=rng.randint(3, 30))))
                break
            when = when + timedelta(days=rng.randint(1, 14))
            stages.append((stage, when))
        stages = [(s, w) for s, w in stages if w.date() <= last_day] or stages[:1]
        stage, changed = stages[-1]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        reached = {s: w for s, w in stages}
        known = "intake_sent" in reached
        rows["contacts"].append(
            {
                "id": cid,
                "handle": f"u/{first.lower()}_{cid}",
                "name": f"{first} {last}" if known else "",
                "email": f"{first.lower()}.{last.lower()}.{cid}@example.org" if known else "",
                "email_key": f"{first.lower()}.{last.lower()}.{cid}@example.org" if known else None,
                "phone": "",
                "phone_digits": None,
                "location": rng.choice(["CA", "OR", "WA", "NY", "TX", "Ontario", "UK"]),
                "tags": rng.choice(["", "", ",parent,", ",shift worker,", ",student,"]),
                "notes": "",
                "first_community_id": first_community,
                "first_post_id": None,
                "attributed_community_id": community if how < 0.95 else None,
                "attribution_method": ("met" if how < 0.7 else "code" if how < 0.85 else "source")
                if how < 0.95
                else None,
                "stage": stage,
                "stage_changed_at": changed,
                "follow_up_on": (changed + timedelta(days=7)).date()
                if stage in ("inquired", "intake_sent")
                else None,
                "last_interaction_at": changed,
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
        previous = None
        for s, w in stages:
            rows["stage_changes"].append(
                {
                    "contact_id": cid,
                    "from_stage": previous,
                    "to_stage": s,
                    "changed_at": w,
                    "changed_by": "Demo",
                }
            )
            previous = s
            rows["interactions"].append(
                {
                    "contact_id": cid,
                    "occurred_at": w,
                    "channel": "community_reply"
                    if s == "engaged"
                    else rng.choice(["direct_message", "email", "phone"]),
                    "minutes": rng.choice([5, 10, 15]),
                    "note": "",
                    "community_id": community if s == "engaged" else None,
                    "post_id": None,
                    "created_at": stamp,
                }
            )
        if known:
            code = places.codes.get(community, "") if 0.7 <= how < 0.85 else ""
            source = places.names.get(community, "") if 0.85 <= how < 0.95 else rng.choice(WHERE)
            rows["referrals"].append(
                {
                    "contact_id": cid,
                    "sent_on": reached["intake_sent"].date(),
                    "completed_on": reached["intake_completed"].date()
                    if "intake_completed" in reached
                    else None,
                    "source_text": source,
                    "intake_code": code,
                    "answer_useful": rng.choice(USEFUL),
                    "answer_better": rng.choice(BETTER),
                    "answer_where": rng.choice(WHERE),
                    "booked_on": reached["booked"].date() if "booked" in reached else None,
                    "first_visit_on": reached["patient"].date() if "patient" in reached else None,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
        if "patient" in reached:
            visit = reached["patient"].date()
            for _ in range(rng.randint(1, 8)):
                if visit > last_day:
                    break
                rows["revenue"].append(
                    {
                        "contact_id": cid,
                        "received_on": visit,
                        "amount_cents": fee_cents,
                        "note": "Visit",
                        "created_at": stamp,
                    }
                )
                visit += timedelta(days=rng.randint(14, 60))
        if len(rows["contacts"]) >= CHUNK:
            _flush(session, rows, counts)
    _flush(session, rows, counts)
    return counts


TABLES = {
    "contacts": Contact,
    "stage_changes": StageChange,
    "interactions": Interaction,
    "referrals": Referral,
    "revenue": RevenueEntry,
}


def _flush(session, rows, counts) -> None:
    for key, model in TABLES.items():  # contacts first: the others point at them
        if rows[key]:
            session.execute(insert(model), rows[key])
            counts[key] += len(rows[key])
            rows[key].clear()


def add_costs(
    session,
    rng: random.Random,
    places: Communities,
    start: datetime,
    end: datetime,
    stamp: datetime,
) -> int:
    entries = []
    for cid in places.ids[: max(1, len(places.ids) // 3)]:
        day = start.date()
        while day <= end.date():
            entries.append(
                {
                    "community_id": cid,
                    "spent_on": day,
                    "amount_cents": rng.choice([1500, 2500, 4900, 9900]),
                    "note": rng.choice(["Boosted post", "Directory listing", "Scheduling tool"]),
                    "created_at": stamp,
                }
            )
            day += timedelta(days=rng.randint(25, 95))
    if entries:
        session.execute(insert(CostEntry), entries)
    return len(entries)
