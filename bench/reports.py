"""The ROI report for five years (figures, PDF, CSV) and the intake import."""

from __future__ import annotations

import csv
import sqlite3
from datetime import timedelta
from pathlib import Path

from bench import roi_sql
from bench.dataset import newest_day, working_copy, write_intake_csv
from bench.measure import Figure, ms, repeat_ms

FIGURES_MS = 300
FIGURES_RATIO = 3
PDF_MS = 3000
CSV_MS = 500
IMPORT_MS = 8000


def five_years(db: Path):
    from outreach.services.roi import Period

    end = newest_day(db)
    return Period(end - timedelta(days=5 * 365 - 1), end)


def measure_roi(store, db: Path, work: Path, runs: int, log=print) -> list[Figure]:
    from outreach.services.profile import get_profile
    from outreach.services.roi import roi_report, write_csv, write_monthly_csv
    from outreach.services.roi_pdf import write_roi_pdf

    period = five_years(db)
    conn = sqlite3.connect(db)
    try:
        hand = repeat_ms(lambda: roi_sql.hand_figures(conn, period.start, period.end), runs)
        problems = roi_sql.same_figures(
            roi_sql.hand_figures(conn, period.start, period.end), roi_report(store, period)
        )
    finally:
        conn.close()
    for problem in problems:
        log(f"  ROI: the hand-written SQL and the report differ: {problem}")
    figures = repeat_ms(lambda: roi_report(store, period), runs)

    practice = get_profile(store).practitioner_name
    pdf_path, csv_path = work / "roi.pdf", work / "roi.csv"

    def pdf():
        # What the user waits for: the figures, then the document.
        write_roi_pdf(roi_report(store, period), pdf_path, practice_name=practice)

    def csv_files():
        report = roi_report(store, period)
        write_csv(report, csv_path)
        write_monthly_csv(report, work / "roi-monthly.csv")

    pdf_samples = repeat_ms(pdf, max(1, min(runs, 3)))
    csv_samples = repeat_ms(csv_files, runs)
    floor = _pdf_floor(work / "floor.pdf", runs)
    csv_floor = _csv_floor(work / "floor.csv", runs)
    return [
        Figure(
            "roi.figures",
            "ms",
            figures,
            "hand-written SQL, same figures",
            hand,
            FIGURES_MS,
            FIGURES_RATIO,
            checks={"hand SQL gives the same figures": not problems},
            note=f"{period.start} to {period.end}, first-touch attribution",
        ),
        Figure(
            "roi.pdf",
            "ms",
            pdf_samples,
            "ReportLab: a one-page table",
            floor,
            PDF_MS,
            note="figures + document, as the user waits",
        ),
        Figure(
            "roi.csv",
            "ms",
            csv_samples,
            "csv module: the same rows",
            csv_floor,
            CSV_MS,
            note="figures + both CSV files",
        ),
    ]


def _pdf_floor(path: Path, runs: int) -> list[float]:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table

    def once():
        rows = [[f"Community {i}", str(i), f"{i * 1.5:.2f}"] for i in range(40)]
        SimpleDocTemplate(str(path), pagesize=A4).build([Table(rows)])

    return repeat_ms(once, runs)


def _csv_floor(path: Path, runs: int) -> list[float]:
    def once():
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            out = csv.writer(handle)
            for i in range(40 + 60):
                out.writerow([f"Community {i}", i, f"{i * 1.5:.2f}"] * 4)

    return repeat_ms(once, runs)


def measure_import(source_db: Path, work: Path, rows: int, runs: int, log=print) -> list[Figure]:
    from outreach.context import PRACTITIONER
    from outreach.services.intake_import import import_intake
    from outreach.store import open_store

    path = write_intake_csv(source_db, work / "intake.csv", rows)

    def read_only():
        with path.open(newline="", encoding="utf-8") as handle:
            return sum(1 for _ in csv.DictReader(handle))

    floor = repeat_ms(read_only, runs)
    samples, outcome = [], None
    for _ in range(runs):
        # Each run on a fresh copy: a second import of the same file changes nothing.
        db = working_copy(source_db, work / "import")
        store = open_store(db)
        try:
            elapsed, outcome = ms(lambda s=store: import_intake(s, PRACTITIONER, path))
        finally:
            store.dispose()
        samples.append(elapsed)
    log(f"  intake import: {outcome.summary()}")
    return [
        Figure(
            "intake_import",
            "ms",
            samples,
            f"csv module: reading the {rows:,} rows",
            floor,
            IMPORT_MS,
            checks={"every row imported": outcome.ok and outcome.new + outcome.updated > 0},
            note=f"{rows:,} forms: {outcome.new:,} new, {outcome.updated:,} updated, "
            f"{outcome.unchanged:,} unchanged, {outcome.unattributed:,} unattributed",
        )
    ]
