"""Time the operations a user waits for, on the large demo database.

Usage: python -m bench [--posts N] [--keep PATH]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from outreach.context import PRACTITIONER
from outreach.services import communities, posts
from outreach.services.demo import generate_demo
from outreach.services.importers import export_file, import_file
from outreach.store import open_store


def timed(label: str, func, repeat: int = 3):
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<48} {best * 1000:>9.1f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", default="large")
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="outreach-bench-"))
    path = args.keep or folder / "bench.db"
    store = open_store(path)
    start = time.perf_counter()
    result = generate_demo(store, PRACTITIONER, scale=args.posts, seed=1, force=True)
    print(
        f"{'demo data (' + format(result.posts, ',') + ' posts)':<48} {(time.perf_counter() - start) * 1000:>9.1f} ms"
    )
    for sort in ("posted_at", "community", "title", "views"):
        timed(
            f"first page of posts sorted by {sort}",
            lambda s=sort: posts.list_posts(store, posts.PostQuery(sort=s)),
        )
    timed(
        "posts page 100 (offset 20,000)",
        lambda: posts.list_posts(store, posts.PostQuery(offset=20_000)),
    )
    timed(
        "posts filtered by community and year",
        lambda: posts.list_posts(
            store,
            posts.PostQuery(community_id=1, date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)),
        ),
    )
    timed(
        "posts search 'melatonin'",
        lambda: posts.list_posts(store, posts.PostQuery(search="melatonin")),
    )
    timed("communities with totals", lambda: communities.list_communities(store))
    out = folder / "posts.csv"
    timed("export all posts to CSV", lambda: export_file(store, "posts", out), repeat=1)
    timed(
        "import them back (dry run, all skipped)",
        lambda: import_file(store, PRACTITIONER, "posts", out, dry_run=True),
        repeat=1,
    )
    store.dispose()


if __name__ == "__main__":
    main()
