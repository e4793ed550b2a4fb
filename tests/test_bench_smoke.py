"""The benchmark runner end to end at a tiny scale, so `make bench` keeps working.

Budgets are not checked here (timings on a shared test machine mean nothing at
this scale); `make bench` checks them on the large database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FIGURES = [
    "cold_start",
    *(
        f"{page}.{what}"
        for page in ("communities", "posts", "contacts", "referrals")
        for what in ("first_rows", "sort", "search_keystroke", "scroll_page")
    ),
    "roi.figures",
    "roi.pdf",
    "roi.csv",
    "intake_import",
    "memory",
]


def test_bench_runs_at_tiny_scale(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", OUTREACH_HOME=str(tmp_path / "home"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--scale",
            "250",
            "--runs",
            "1",
            "--intake-rows",
            "60",
            "--cache",
            str(tmp_path / "cache"),
            "--out",
            str(out),
            "--no-fail",
        ],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(out.read_text())
    assert sorted(result["figures"]) == sorted(FIGURES)
    for name, figure in result["figures"].items():
        assert figure["samples"] and figure["baseline_samples"], name
        assert figure["budget"] and isinstance(figure["passed"], bool), name
    # The paging rules and the hand-written SQL hold at any scale.
    for name, figure in result["figures"].items():
        if name.endswith(".scroll_page"):
            checks = {k: v for k, v in figure["checks"].items() if not k.startswith("slowest")}
            assert all(checks.values()), (name, checks)
    assert result["figures"]["roi.figures"]["checks"]["hand SQL gives the same figures"]
    # The table names every figure.
    for name in FIGURES:
        assert name in done.stdout
    # The real start path (outreach's console script): the first, untimed start
    # works the Dashboard's figures out and keeps them; the timed one paints them.
    assert result["figures"]["cold_start"]["checks"] == {"painted from the kept figures": True}
