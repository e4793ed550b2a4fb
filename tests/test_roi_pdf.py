"""The practice-review PDF and its charts: what the PDF says (read back with
pypdf), names that break naive PDF code, an empty period, deterministic output,
long tables, cancelling, and the command line."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from outreach.cli import main
from outreach.errors import Cancelled
from outreach.services import charts, ledger, referrals
from outreach.services import communities as com
from outreach.services import contacts as people
from outreach.services import posts as posts_svc
from outreach.services.compliance_summary import ComplianceSummary, OverrideLine
from outreach.services.pdf_kit import esc
from outreach.services.profile import set_setting
from outreach.services.roi import Figures, Period, RoiReport, roi_report
from outreach.services.roi_pdf import write_roi_pdf

# The service, report and import tests run on SQLite and PostgreSQL (conftest.py).
pytestmark = pytest.mark.both_engines

Q1 = Period(date(2025, 1, 1), date(2025, 3, 31))
MADE_ON = date(2025, 4, 2)
CYRILLIC = 'Сон <deep> & "rest"'
GREEK = "Ύπνος"
LATIN = "Müller Café's"
PRACTICE = 'Dr Müller & <Söhne> "Сон"'


def at(y, m, d, h=12):
    return datetime(y, m, d, h, tzinfo=UTC)


@pytest.fixture
def unicode_data(store, actor):
    set_setting(store, actor, "hourly_rate", "100.00")
    set_setting(store, actor, "practitioner_name", PRACTICE)
    son = com.create_community(store, actor, com.CommunityData(name=CYRILLIC))
    ypnos = com.create_community(store, actor, com.CommunityData(name=GREEK))
    com.create_community(store, actor, com.CommunityData(name=LATIN))
    for cid, when, minutes, title in (
        (son, at(2025, 1, 6), 60, "Sleep & <naps>"),
        (son, at(2025, 2, 6), 30, "Ночной сон"),
        (ypnos, at(2025, 2, 7), 45, "Ύπνος και άγχος"),
    ):
        posts_svc.create_post(
            store,
            actor,
            posts_svc.PostData(cid, when, "answer", title=title, minutes_spent=minutes, replies=3),
        )
    c = people.create_contact(
        store,
        actor,
        people.ContactData(handle="u/anna", first_community_id=son),
        when=at(2025, 1, 8),
    )
    referrals.save_referral(
        store,
        actor,
        c,
        referrals.ReferralData(
            completed_on=date(2025, 1, 20),
            booked_on=date(2025, 1, 25),
            first_visit_on=date(2025, 2, 3),
            answer_useful="Yes",
            answer_where="Форум <сон> & Reddit",
        ),
    )
    ledger.add_revenue(store, actor, c, date(2025, 2, 3), 30000)
    return store


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def flat(text: str) -> str:
    """Extracted text with line breaks (from wrapping) turned into spaces."""
    return " ".join(text.split())


def test_the_pdf_says_the_names_and_numbers(unicode_data, tmp_path):
    path = tmp_path / "review.pdf"
    report = roi_report(unicode_data, Q1)
    pages = write_roi_pdf(report, path, practice_name=PRACTICE, made_on=MADE_ON)
    reader = PdfReader(path)
    assert pages == len(reader.pages) >= 4
    text = flat(pdf_text(path))
    for name in (CYRILLIC, GREEK, LATIN, PRACTICE, "Ночной сон", "Sleep & <naps>"):
        assert name in text, name
    # Сон: 90 min = 1.5 h at 100.00 = 150.00; one patient paying 300.00:
    # ROI (300 - 150) / 150 = 100.0 %. Ύπνος: 45 min = 75.00, ROI -100.0 %.
    for figure in ("$150.00", "$300.00", "100.0%", "$75.00", "-100.0%", "2 April 2025"):
        assert figure in text, figure
    assert "Форум <сон> & Reddit" in text  # an intake answer, escaped, not obeyed
    assert "first touch" in text
    assert "The compliance gate has no records for this period" in text
    assert "— means not defined: nothing to divide by" in text
    assert "page 1 of " in text
    meta = reader.metadata
    assert meta.title.startswith("Outreach review: " + PRACTICE)
    assert meta.author == PRACTICE and meta.creator.startswith("Outreach ")
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("DejaVuSans" in f for f in fonts), fonts  # no Helvetica ■


def test_esc_is_the_one_helper():
    assert esc(None) == ""
    assert esc("<img src=\"/etc/passwd\"/> & 'x'") == (
        "&lt;img src=&quot;/etc/passwd&quot;/&gt; &amp; &#39;x&#39;"
    )
    assert esc(12) == "12"


def test_compliance_summary_is_rendered(unicode_data, tmp_path):
    report = roi_report(unicode_data, Q1)
    report.compliance = ComplianceSummary(
        advice_posts=4,
        checked=3,
        unchecked=1,
        checks=5,
        findings_by_category=[("dosage advice", 2)],
        overrides=[
            OverrideLine(at(2025, 2, 1), CYRILLIC, "diagnosis", "you have <x>", "asked & answered")
        ],
    )
    path = tmp_path / "c.pdf"
    write_roi_pdf(report, path, practice_name=PRACTICE, made_on=MADE_ON)
    text = flat(pdf_text(path))
    assert "Logged without a check" in text and "dosage advice" in text
    assert "you have <x>" in text and "asked & answered" in text
    assert "no records for this period" not in text


def test_an_empty_period_is_a_valid_pdf_that_says_so(unicode_data, tmp_path):
    path = tmp_path / "empty.pdf"
    report = roi_report(unicode_data, Period(date(2020, 1, 1), date(2020, 1, 31)))
    assert write_roi_pdf(report, path, practice_name="", made_on=MADE_ON) >= 2
    text = flat(pdf_text(path))
    assert "No data in this period" in text and "Your practice" in text


def test_an_empty_database(store, tmp_path):
    path = tmp_path / "nothing.pdf"
    write_roi_pdf(roi_report(store, Q1), path, practice_name="Solo", made_on=MADE_ON)
    assert "No data in this period" in pdf_text(path)


def test_deterministic_mode_is_byte_identical(unicode_data, tmp_path):
    report = roi_report(unicode_data, Q1)
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    for path in (a, b):
        write_roi_pdf(report, path, practice_name=PRACTICE, made_on=MADE_ON, deterministic=True)
    assert a.read_bytes() == b.read_bytes()


def big_report(n: int) -> RoiReport:
    rows = [
        Figures(
            i,
            f"Community {i:04d} — Сон & <{i}>",
            posts=i % 7,
            minutes=30 * (i % 11),
            time_cost_cents=5000 * (i % 11),
            contacts=i % 3,
            patients=i % 2,
            revenue_cents=9000 * (i % 2),
            verdict="keep testing",
            verdict_reason="not enough data yet",
        )
        for i in range(n)
    ]
    total = Figures(None, "All communities", posts=sum(r.posts for r in rows))
    return RoiReport(
        period=Q1,
        attribution="first",
        hourly_rate_cents=10000,
        fee_per_visit_cents=12000,
        lifetime_value_cents=0,
        rows=rows,
        total=total,
        previous_total=Figures(None, "All communities"),
    )


def test_two_thousand_communities_make_a_long_table_in_chunks(tmp_path):
    # How fast is bench/'s to say (make bench); a test only checks what was written.
    path = tmp_path / "big.pdf"
    pages = write_roi_pdf(big_report(2000), path, practice_name="Big", made_on=MADE_ON)
    assert pages > 40
    reader = PdfReader(path)
    # Each chunk and each page of the table repeats the header.
    for number in (3, 4, 20):
        text = reader.pages[number].extract_text()
        assert "Community" in text and "Revenue" in text, number


def test_cancelling_leaves_no_file(unicode_data, tmp_path):
    report = roi_report(unicode_data, Q1)
    calls = []

    def progress(done, total):
        calls.append((done, total))
        return len(calls) < 5

    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(Cancelled):
        write_roi_pdf(report, folder / "cancelled.pdf", practice_name=PRACTICE, progress=progress)
    assert list(folder.iterdir()) == []  # neither the PDF nor a temporary file
    assert calls[0][0] == 0 and all(total == calls[0][1] for _, total in calls)


def test_cancelling_keeps_the_previous_file(unicode_data, tmp_path):
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "kept.pdf"
    path.write_bytes(b"the earlier report")
    with pytest.raises(Cancelled):
        write_roi_pdf(
            roi_report(unicode_data, Q1), path, practice_name="x", progress=lambda d, t: False
        )
    assert path.read_bytes() == b"the earlier report"
    assert [p.name for p in path.parent.iterdir()] == ["kept.pdf"]


def test_progress_reaches_the_end(unicode_data, tmp_path):
    seen = []
    write_roi_pdf(
        roi_report(unicode_data, Q1),
        tmp_path / "p.pdf",
        practice_name="x",
        progress=lambda done, total: seen.append((done, total)) or True,
    )
    assert seen[-1][0] == seen[-1][1] > 0


def test_charts_are_svg_and_cope_with_an_empty_report(unicode_data):
    full = roi_report(unicode_data, Q1)
    empty = roi_report(unicode_data, Period(date(2020, 1, 1), date(2020, 1, 31)))
    makers = (
        charts.hours_and_patients_chart,
        charts.trend_chart,
        lambda r: charts.trend_chart(r, "revenue"),
        charts.funnel_chart,
    )
    for make in makers:
        svg = charts.drawing_to_svg(make(full))
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg")
        assert charts.NO_DATA not in svg.decode("utf-8")
        # Qt's SVG renderer painted these black: a clipPath and a non-CSS "None".
        assert b"clipPath" not in svg and b"fill: None" not in svg
        empty_svg = charts.drawing_to_svg(make(empty))
        ET.fromstring(empty_svg)
        assert charts.NO_DATA in empty_svg.decode("utf-8")
    assert CYRILLIC.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")[
        :10
    ] in charts.drawing_to_svg(charts.hours_and_patients_chart(full)).decode("utf-8")


def test_many_communities_in_the_bar_chart_are_capped(tmp_path):
    report = big_report(300)
    report = replace(report, total=replace(report.total, minutes=1))
    drawing = charts.hours_and_patients_chart(report)
    assert drawing.height < 400  # the top few, not 300 bars


def test_the_patients_axis_counts_whole_people():
    from reportlab.graphics.charts.barcharts import HorizontalBarChart

    def patients_axis(report):
        panels = [
            c
            for c in charts.hours_and_patients_chart(report).contents
            if isinstance(c, HorizontalBarChart)
        ]
        return panels[1].valueAxis  # hours, then patients

    report = big_report(4)  # at most one patient per community
    assert patients_axis(report).valueStep == 1  # 0, 1: never a "0.5 patients" tick
    linear = replace(report, rows=[replace(r, patients=r.patients / 2) for r in report.rows])
    assert patients_axis(linear).valueStep is None  # shared credit keeps its fractions


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_report_roi_pdf_and_csv(capsys, db_path, tmp_path):
    assert run(capsys, "demo", "--db", str(db_path))[0] == 0
    assert run(capsys, "settings", "set", "practitioner_name", LATIN, "--db", str(db_path))[0] == 0
    out = tmp_path / "review.pdf"
    code, printed, err = run(
        capsys,
        "report",
        "roi",
        "--from",
        "2020-01-01",
        "--to",
        "2030-12-31",
        "--format",
        "pdf",
        "-o",
        str(out),
        "--db",
        str(db_path),
    )
    assert code == 0, err
    assert str(out) in printed
    text = flat(pdf_text(out))
    assert LATIN in text and "r/sleep" in text and "Verdict per community" in text

    table = tmp_path / "roi.csv"
    code, printed, err = run(
        capsys,
        "report",
        "roi",
        "--from",
        "2020-01-01",
        "--to",
        "2030-12-31",
        "--format",
        "csv",
        "-o",
        str(table),
        "--db",
        str(db_path),
    )
    assert code == 0, err
    monthly = tmp_path / "roi-monthly.csv"
    assert str(table) in printed and str(monthly) in printed
    assert monthly.read_text(encoding="utf-8-sig").startswith("month,posts,hours,direct_cost")


def test_cli_pdf_into_a_missing_folder_is_one_sentence(capsys, db_path, tmp_path):
    code, _, err = run(
        capsys,
        "report",
        "roi",
        "--from",
        "2025-01-01",
        "--to",
        "2025-03-31",
        "-o",
        str(tmp_path / "nowhere" / "x.pdf"),
        "--db",
        str(db_path),
    )
    assert code == 1 and "Could not write" in err and "Traceback" not in err
