"""The four list pages measured through their real widgets, offscreen, in this
process: first rows painted, re-sorting by every column, a search keystroke,
and scrolling to the end (which must fetch page by page)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bench.measure import Figure, ms

# (page, its module and class, the table behind it, a word typed into its search box)
PAGES = [
    ("communities", "communities_page", "CommunitiesPage", "communities", "sleep"),
    ("posts", "posts_page", "PostsPage", "posts", "melatonin"),
    ("contacts", "contacts_page", "ContactsPage", "contacts", "riley"),
    ("referrals", "referrals_page", "ReferralsPage", "referrals", "reddit"),
]
FIRST_ROWS_MS = 100
SORT_MS = 150
KEYSTROKE_MS = 50


def _app():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _page_class(module: str, name: str):
    import importlib

    return getattr(importlib.import_module(f"outreach.ui.{module}"), name)


def _paint(page) -> None:
    """Lay out and paint now, as the event loop would before the user sees it."""
    _app().processEvents()
    page.table.viewport().repaint()


def raw_page_ms(db: Path, table: str, runs: int) -> list[float]:
    """The floor for a page: one page of rows and a count straight from sqlite3."""
    conn = sqlite3.connect(db)
    try:

        def once():
            conn.execute(f"SELECT * FROM {table} ORDER BY id DESC LIMIT 200").fetchall()
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()

        once()
        return [ms(once)[0] for _ in range(runs)]
    finally:
        conn.close()


def measure_page(store, db: Path, key: str, runs: int, log=print) -> list[Figure]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from outreach.context import PRACTITIONER
    from outreach.ui.table_model import PAGE_SIZE

    _app()
    _, module, cls_name, table, word = next(p for p in PAGES if p[0] == key)
    cls = _page_class(module, cls_name)
    baseline = raw_page_ms(db, table, runs)
    baseline_name = f"sqlite3: 200 {table} rows + count"

    # First rows: build the page (as the first visit does), show it, paint it.
    def first():
        page = cls(store, PRACTITIONER)
        page.resize(1100, 700)
        page.show()
        _paint(page)
        assert page.model.rowCount() > 0, f"{key}: no rows"
        page.close()
        page.deleteLater()

    first()  # imports and the page cache, once
    first_samples = [ms(first)[0] for _ in range(runs)]

    page = cls(store, PRACTITIONER)
    page.resize(1100, 700)
    page.show()
    _paint(page)

    # Re-sorting: every sortable column, both ways, through the header.
    per_column: dict[str, list[float]] = {}
    for column, spec in enumerate(page.model.columns):
        if spec.sort_key is None:
            continue
        samples = []
        for run in range(runs + 1):
            order = Qt.SortOrder.AscendingOrder if run % 2 else Qt.SortOrder.DescendingOrder
            elapsed, _ = ms(lambda c=column, o=order: (page.table.sortByColumn(c, o), _paint(page)))
            if run:  # the first is a warm-up
                samples.append(elapsed)
        per_column[spec.title] = samples
    worst = max(per_column, key=lambda t: sorted(per_column[t])[len(per_column[t]) // 2])
    page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)

    # A search keystroke: the key reaching the box, then what the debounce timer
    # runs once typing pauses (the query and the repaint), without its 250 ms wait.
    key_samples = []
    for run in range(runs + 1):
        page.search.clear()
        page._search_timer.stop()
        page.apply_filters()
        for char in word:

            def stroke(c=char):
                QTest.keyClicks(page.search, c)
                page._search_timer.stop()
                page.apply_filters()
                _paint(page)

            elapsed, _ = ms(stroke)
            if run:
                key_samples.append(elapsed)
    page.search.clear()
    page._search_timer.stop()
    page.apply_filters()
    _paint(page)

    # Scrolling to the end: the view asks for more as the scroll bar reaches the
    # bottom; the service must only ever be asked for one page.
    model = page.model
    asked, fetch_ms, seen, steps = [], [], [], 0
    real_fetch = model._fetch

    def spy(query):
        asked.append(query.limit)
        seen.append(model.rowCount())
        start = time.perf_counter()
        result = real_fetch(query)
        fetch_ms.append((time.perf_counter() - start) * 1000)
        return result

    model._fetch = spy
    scroll_start = time.perf_counter()
    try:
        while model.canFetchMore():
            before = model.rowCount()
            page.table.scrollToBottom()
            _app().processEvents()
            if model.rowCount() == before:
                model.fetchMore()  # the view did not ask (e.g. rows already fill it)
            steps += 1
            if model.rowCount() == before:
                break
    finally:
        model._fetch = real_fetch
    scroll_s = time.perf_counter() - scroll_start
    reached_end = model.rowCount() == model.total
    # Pages that follow on from the last row (keyset paging) must neither repeat
    # nor skip a row: every id once, and as many as were counted.
    ids = [model.row_at(i).id for i in range(model.rowCount())]
    every_row_once = len(set(ids)) == len(ids) == model.total
    # The rows the model held at each fetch: each must be one page more than the last.
    ends = [*seen[1:], model.rowCount()] if seen else []
    growth = [b - a for a, b in zip(seen, ends, strict=True)]
    page.close()
    page.deleteLater()
    _app().processEvents()
    log(
        f"  {key}: scrolled {model.rowCount():,} rows in {steps} steps, "
        f"{scroll_s:.1f} s; slowest sort column: {worst}"
    )
    return [
        Figure(f"{key}.first_rows", "ms", first_samples, baseline_name, baseline, FIRST_ROWS_MS),
        Figure(
            f"{key}.sort",
            "ms",
            per_column[worst],
            baseline_name,
            baseline,
            SORT_MS,
            note=f"slowest column: {worst}; medians "
            + ", ".join(f"{t} {sorted(s)[len(s) // 2]:.0f}" for t, s in per_column.items()),
        ),
        Figure(
            f"{key}.search_keystroke",
            "ms",
            key_samples,
            baseline_name,
            baseline,
            KEYSTROKE_MS,
            note=f"typing '{word}'",
        ),
        Figure(
            f"{key}.scroll_page",
            "ms",
            fetch_ms or [0.0],
            baseline_name,
            baseline,
            FIRST_ROWS_MS,
            checks={
                "never more than a page asked": all(n <= PAGE_SIZE for n in asked),
                "grows page by page": all(0 < g <= PAGE_SIZE for g in growth),
                "reaches the end": reached_end,
                "every row once": every_row_once,
                f"slowest page <= {FIRST_ROWS_MS} ms": max(fetch_ms, default=0) <= FIRST_ROWS_MS,
            },
            note=f"{len(fetch_ms)} page fetches to {model.rowCount():,} rows, "
            f"{scroll_s:.1f} s in all; each fetch timed",
        ),
    ]
