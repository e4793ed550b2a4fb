"""The benchmark's data: the demo database built once and cached, working copies
of it, and a generated intake-form CSV.

The cache is keyed by the demo's scale and seed and the schema revision, so a new
migration (or another seed) builds a fresh database instead of measuring a stale one.
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

from outreach.context import PRACTITIONER
from outreach.migrations import HEAD_REVISION
from outreach.models import INTAKE_QUESTIONS

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
# A build lock older than this was left by a run that was killed.
LOCK_STALE_SECONDS = 15 * 60


def cache_key(scale: str, seed: int) -> str:
    return f"demo-{scale}-seed{seed}-{HEAD_REVISION}"


def cached_database(scale: str, seed: int, cache_dir: Path = CACHE_DIR, log=print) -> Path:
    """The demo database for (scale, seed, schema), built on first use."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{cache_key(scale, seed)}.db"
    if path.exists():
        return path
    # Two runs at once (two engineers, or a run and the smoke test) would each
    # delete the other's half-built file: one builds, the other waits for it.
    lock = path.with_suffix(".lock")
    while True:
        try:
            os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            break
        except FileExistsError:
            if path.exists():
                return path
            if time.time() - lock.stat().st_mtime > LOCK_STALE_SECONDS:
                lock.unlink(missing_ok=True)  # a builder that was killed
            else:
                time.sleep(1)  # another run is building it (40-75 s)
    try:
        if path.exists():
            return path
        return _build(path, scale, seed, cache_dir, log)
    finally:
        lock.unlink(missing_ok=True)


def _build(path: Path, scale: str, seed: int, cache_dir: Path, log) -> Path:
    from outreach.services.demo import generate_demo
    from outreach.services.profile import mark_welcome_done
    from outreach.store import open_store

    building = path.with_suffix(".building.db")
    for stale in cache_dir.glob(f"{building.name}*"):
        stale.unlink()
    log(f"Building the {scale} demo database (seed {seed}) once; it is cached in {cache_dir}")
    start = time.perf_counter()
    store = open_store(building)
    try:
        result = generate_demo(store, PRACTITIONER, scale=scale, seed=seed)
        # The app would show its first-run welcome (a modal dialog) otherwise.
        mark_welcome_done(store, PRACTITIONER)
    finally:
        store.dispose()  # the last connection closing checkpoints the WAL into the file
    for leftover in cache_dir.glob(f"{building.name}-*"):
        leftover.unlink()
    building.rename(path)
    meta = {
        "scale": scale,
        "seed": seed,
        "schema": HEAD_REVISION,
        "built_on": date.today().isoformat(),
        "seconds": round(time.perf_counter() - start, 1),
        "posts": result.posts,
        "contacts": result.contacts,
        "referrals": result.referrals,
    }
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2))
    log(f"Built in {meta['seconds']} s: {result.posts:,} posts, {result.contacts:,} contacts")
    return path


def working_copy(source: Path, folder: Path, name: str = "bench.db") -> Path:
    """A copy the benchmark may write to (imports, the app's own backups)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    for old in folder.glob(f"{name}*"):
        old.unlink()
    shutil.copyfile(source, target)
    return target


def newest_day(db: Path) -> date:
    with sqlite3.connect(db) as conn:
        value = conn.execute("SELECT max(posted_at) FROM posts").fetchone()[0]
    return date.fromisoformat(value[:10]) if value else date.today()


INTAKE_HEADERS = [
    "Full name",
    "Email",
    "Phone",
    "Date submitted",
    "How did you hear about us?",
    "Referral code",
    *INTAKE_QUESTIONS,
]
_FIRST = ["Alex", "Sam", "Jo", "Riley", "Kim", "Noor", "Ana", "Bo", "Eli", "Mia", "Tom", "Ivy"]
_LAST = ["Lee", "Park", "Silva", "Khan", "Moreau", "Novak", "Ito", "Berg", "Costa", "Reid"]
_WHERE = ["Reddit", "Facebook groups", "Google", "YouTube", "HealthUnlocked", "Podcasts", ""]


def write_intake_csv(db: Path, path: Path, rows: int, seed: int = 7) -> Path:
    """An intake-tool export of ``rows`` forms, as a busy practice's would look:
    about a tenth from people already in the database (matched by email or phone),
    some people twice (a second form), and the rest new, found through a
    community's intake code, a source naming a community, or nothing usable."""
    rng = random.Random(seed)
    with sqlite3.connect(db) as conn:
        # A known person's form comes after the one they were sent (the schema
        # refuses a completion before the sending).
        known = conn.execute(
            "SELECT c.name, c.email, r.sent_on FROM contacts c "
            "JOIN referrals r ON r.contact_id = c.id WHERE c.email != '' ORDER BY c.id"
        ).fetchall()
        communities = conn.execute("SELECT name, intake_code FROM communities").fetchall()
    last_day = newest_day(db)
    written: list[list[str]] = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(INTAKE_HEADERS)
        for index in range(rows):
            roll = rng.random()
            day = last_day - timedelta(days=rng.randrange(5 * 365))
            answers = [rng.choice(["Yes, very", "Somewhat", ""]), "", rng.choice(_WHERE)]
            if roll < 0.1 and known:
                name, email, sent = rng.choice(known)
                sent_on = date.fromisoformat(sent) if sent else day
                day = min(last_day, max(day, sent_on + timedelta(days=rng.randrange(20))))
                row = [name, email, "", day.isoformat(), "", "", *answers]
            elif roll < 0.15 and written:
                row = list(rng.choice(written))  # the same form exported twice
            else:
                first, last = rng.choice(_FIRST), rng.choice(_LAST)
                community, code = rng.choice(communities)
                how = rng.random()
                source = community if how < 0.3 else rng.choice(_WHERE)
                row = [
                    f"{first} {last}",
                    f"{first.lower()}.{last.lower()}.n{index}@example.net" if how < 0.8 else "",
                    f"+1 555 {index:07d}" if how >= 0.6 else "",
                    day.isoformat(),
                    source,
                    code if 0.3 <= how < 0.6 else "",
                    *answers,
                ]
            written.append(row)
            out.writerow(row)
    return path
