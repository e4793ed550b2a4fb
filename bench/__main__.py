"""`make bench`: the budgets of issue 9 measured on the large demo database.

Usage: python -m bench [--scale large|small|N] [--seed S] [--runs N]
                       [--only NAME]... [--cache DIR] [--out FILE] [--no-fail]

Builds the demo database once (cached under bench/.cache/, keyed by scale, seed
and schema revision), measures each figure --runs times, prints each median and
spread beside its baseline from the same run, the ratio, the budget and PASS/FAIL,
and writes the same as JSON (bench/results/latest.json). Exit 1 when a budget is
missed (unless --no-fail), 2 when a benchmark could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
GROUPS = ("start", "lists", "roi", "import", "memory")
COLD_START_RATIO = 3
MEMORY_MB = 300


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="large", help="demo scale: large, small or a post count")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure")
    parser.add_argument("--intake-rows", type=int, default=50_000)
    parser.add_argument("--only", action="append", choices=GROUPS, help="measure only these")
    parser.add_argument("--cache", type=Path, default=HERE / ".cache")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even when over budget")
    args = parser.parse_args(argv)
    # Qt offscreen in this process too: the list pages are real widgets.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    groups = args.only or list(GROUPS)

    from bench.dataset import cached_database, working_copy
    from bench.measure import Figure

    source = cached_database(str(args.scale), args.seed, args.cache)
    work = Path(tempfile.mkdtemp(prefix="outreach-bench-"))
    db = working_copy(source, work / "db")
    figures: list[Figure] = []
    started = time.perf_counter()

    def say(text: str) -> None:
        print(text, flush=True)

    if "start" in groups:
        figures += _start(db, work, args.runs, say)
    if "lists" in groups or "roi" in groups:
        from outreach.store import open_store

        store = open_store(db)
        try:
            if "lists" in groups:
                from bench.lists import PAGES, measure_page

                for key, *_ in PAGES:
                    say(f"Measuring the {key} page...")
                    figures += measure_page(store, db, key, args.runs, say)
            if "roi" in groups:
                from bench.reports import measure_roi

                say("Measuring the ROI report...")
                figures += measure_roi(store, db, work, args.runs, say)
        finally:
            store.dispose()
    if "import" in groups:
        from bench.reports import measure_import

        say(f"Importing {args.intake_rows:,} intake forms...")
        figures += measure_import(source, work, args.intake_rows, max(1, min(args.runs, 3)), say)
    if "memory" in groups:
        figures += _memory(db, work, args.runs, say)

    _print_table(figures)
    result = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "scale": str(args.scale),
        "seed": args.seed,
        "runs": args.runs,
        "machine": {
            "python": platform.python_version(),
            "system": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "seconds": round(time.perf_counter() - started, 1),
        "passed": all(f.passed for f in figures),
        "figures": {f.name: f.to_json() for f in figures},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str))
    say(f"\nWrote {args.out} ({result['seconds']} s).")
    if not result["passed"]:
        say("Over budget: " + ", ".join(f.name for f in figures if not f.passed))
        return 0 if args.no_fail else 1
    return 0


def _start(db: Path, work: Path, runs: int, say):
    from bench.measure import Figure
    from bench.startup import app_start, bare_start, bench_env

    say("Measuring cold start...")
    env = bench_env(work)
    # One untimed start of each: the OS caches the files, and the app takes its
    # daily backup (a copy of the database) on the first start of the day.
    bare_start(env)
    app_start(db, env)
    bare, app, sources = [], [], []
    for _ in range(runs):  # interleaved, so a busy moment hits both alike
        bare.append(bare_start(env)[0])
        elapsed, source = app_start(db, env)
        app.append(elapsed)
        sources.append(source)
    return [
        Figure(
            "cold_start",
            "ms",
            app,
            "bare PySide6: empty QMainWindow",
            bare,
            ratio_limit=COLD_START_RATIO,
            # The untimed start above worked them out and kept them; nothing has
            # changed since, so every timed start must find them current.
            checks={"painted from the kept figures": all(s == "kept" for s in sources)},
            note="process start to the main window painted with the Dashboard's figures",
        )
    ]


def _memory(db: Path, work: Path, runs: int, say):
    from bench.measure import Figure
    from bench.startup import bare_start, bench_env, visit_every_page

    say("Measuring memory after visiting every page...")
    env = bench_env(work)
    samples, bare, how = [], [], ""
    for _ in range(max(1, min(runs, 3))):
        kb, how = visit_every_page(db, env)
        samples.append(kb / 1024)
        bare.append(bare_start(env)[1] / 1024)
    return [
        Figure(
            "memory",
            "MB",
            samples,
            "bare PySide6: empty QMainWindow",
            bare,
            MEMORY_MB,
            note=f"resident set read from {'/proc/self/status VmRSS' if how == 'VmRSS' else 'getrusage ru_maxrss (peak)'}",
        )
    ]


def _print_table(figures) -> None:
    head = ["figure", "median", "spread", "baseline", "ratio", "budget", ""]
    rows = []
    for f in figures:
        unit = f.unit
        rows.append(
            [
                f.name,
                f"{f.median:,.1f} {unit}",
                f"{min(f.samples):,.1f}-{max(f.samples):,.1f}",
                f"{f.baseline:,.1f} {unit}",
                "-" if f.ratio is None else f"{f.ratio:,.1f}x",
                f.budget_text(),
                "PASS" if f.passed else "FAIL",
            ]
        )
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    print()
    for row in [head, *rows]:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)))
    for f in figures:
        failed = [name for name, ok in f.checks.items() if not ok]
        if failed or f.note:
            print(f"  {f.name}: {f.note}{'; FAILED: ' + ', '.join(failed) if failed else ''}")


if __name__ == "__main__":
    sys.exit(main())
