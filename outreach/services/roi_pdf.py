"""The practice-review PDF (ROI.md "A practice-review report", issue 5 §2).

Laid out from an RoiReport that is already computed; nothing here queries the
database. Every piece of user text (practice, community, post titles, intake
answers, override reasons) goes through pdf_kit.esc or is drawn as a plain
table cell, which ReportLab does not parse as markup.
"""

from __future__ import annotations

from datetime import date

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

from ..money import format_cents
from ..timeutil import now_utc
from . import charts
from .pdf_kit import (
    FONT_BOLD,
    Progress,
    build_document,
    chunked_table,
    esc,
    para,
    styles,
    text_cell,
)
from .roi import MIN_DAYS, MIN_MINUTES, Figures, RoiReport

DASH = "—"
MODEL_NAMES = {
    "first": "first touch: all credit to the community where the contact was first met "
    "(or whose intake code or name they gave)",
    "last": "last touch: all credit to the last community they interacted in before "
    "completing their intake",
    "linear": "linear: an equal share to every community they touched",
}


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _count(value: float | None) -> str:
    if value is None:
        return DASH
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _hours(minutes: int) -> str:
    return f"{minutes / 60:,.1f}"


def _pct(value: float | None) -> str:
    return DASH if value is None else f"{value:,.1f}%"


class _Money:
    def __init__(self, currency: str):
        self.currency = currency

    def __call__(self, cents: int | None) -> str:
        return DASH if cents is None else format_cents(round(cents), self.currency)


def _change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return DASH
    if not before:
        return DASH if now else "no change"
    delta = (now - before) / abs(before) * 100
    return f"{delta:+.0f}%"


def write_roi_pdf(
    report: RoiReport,
    path,
    *,
    practice_name: str,
    made_on: date | None = None,
    deterministic: bool = False,
    progress: Progress | None = None,
    anonymised: bool = False,
) -> int:
    """Write the practice review to ``path``; returns the number of pages.

    The review names no contact; ``anonymised`` also leaves out the free text that
    may name someone: post titles and the intake answers about where people look.
    """
    made_on = made_on or now_utc().date()
    st = styles()
    money = _Money(report.currency)
    period = report.period
    period_text = f"{_day(period.start)} – {_day(period.end)} ({period.days} days)"
    practice = practice_name.strip() or "Your practice"
    story: list = []
    story += _title_page(report, st, practice, period_text, made_on)
    if anonymised:
        story.insert(-1, Paragraph(ANONYMISED_NOTE, st["note"]))
    if report.empty:
        story.append(Paragraph("No data in this period", st["h1"]))
        story.append(
            Paragraph(
                "No posts, hours, costs, contacts or payments were recorded between "
                f"{esc(_day(period.start))} and {esc(_day(period.end))}. Log posts and "
                "contacts, or choose another period.",
                st["body"],
            )
        )
        story += _unattributed(report, st, money, only_if_any=True)
        story += _compliance(report, st)
        story += _method(report, st, money)
    else:
        story += _headline(report, st, money)
        story += _charts(report, st)
        story += _community_table(report, st, money)
        story += _monthly_table(report, st, money)
        story += _funnel(report, st)
        story += _top_posts(report, st, anonymised)
        story += _answers(report, st, anonymised)
        story += _compliance(report, st)
        story += _verdicts(report, st, money)
        story += _method(report, st, money)
    return build_document(
        path,
        story,
        title=f"Outreach review: {practice}, {period.start.isoformat()} to {period.end.isoformat()}",
        author=practice,
        subject="Is each online community worth the time? Outreach practice review",
        header_text=f"{practice} · Outreach review · {period_text}",
        deterministic=deterministic,
        progress=progress,
    )


def _title_page(report: RoiReport, st, practice: str, period_text: str, made_on: date) -> list:
    return [
        Spacer(1, 120),
        Paragraph("Outreach review", st["title"]),
        para(practice, st["subtitle"]),
        Spacer(1, 18),
        Paragraph(f"<b>Period:</b> {esc(period_text)}", st["body"]),
        Paragraph(
            f"<b>Communities:</b> {'a choice of ' if report.communities_chosen else 'all, '}"
            f"{len(report.rows):,}",
            st["body"],
        ),
        Paragraph(f"<b>Attribution:</b> {esc(MODEL_NAMES[report.attribution])}", st["body"]),
        Paragraph(f"<b>Made on:</b> {esc(_day(made_on))}", st["body"]),
        Spacer(1, 24),
        Paragraph(
            "Is each online community worth the time it takes? This review sets the hours and "
            "money spent in each community against the contacts, intakes, patients and revenue "
            "that came from it, and gives a verdict per community from a stated rule.",
            st["note"],
        ),
        PageBreak(),
    ]


def _headline(report: RoiReport, st, money) -> list:
    now, before = report.total, report.previous_total
    prev = report.period.previous()
    rows = [
        ("Posts", _count(now.posts), _count(before.posts), _change(now.posts, before.posts)),
        (
            "Hours",
            _hours(now.minutes),
            _hours(before.minutes),
            _change(now.minutes, before.minutes),
        ),
        (
            "Time cost",
            money(now.time_cost_cents),
            money(before.time_cost_cents),
            _change(now.time_cost_cents, before.time_cost_cents),
        ),
        (
            "Direct cost",
            money(now.direct_cost_cents),
            money(before.direct_cost_cents),
            _change(now.direct_cost_cents, before.direct_cost_cents),
        ),
        (
            "Total cost",
            money(now.total_cost_cents),
            money(before.total_cost_cents),
            _change(now.total_cost_cents, before.total_cost_cents),
        ),
        (
            "Contacts",
            _count(now.contacts),
            _count(before.contacts),
            _change(now.contacts, before.contacts),
        ),
        (
            "Intakes completed",
            _count(now.intakes),
            _count(before.intakes),
            _change(now.intakes, before.intakes),
        ),
        (
            "Patients (first visit)",
            _count(now.patients),
            _count(before.patients),
            _change(now.patients, before.patients),
        ),
        (
            "Revenue",
            money(now.revenue_cents),
            money(before.revenue_cents),
            _change(now.revenue_cents, before.revenue_cents),
        ),
        (
            "Cost per contact",
            money(now.cost_per_contact_cents),
            money(before.cost_per_contact_cents),
            _change(now.cost_per_contact_cents, before.cost_per_contact_cents),
        ),
        (
            "Cost per intake",
            money(now.cost_per_intake_cents),
            money(before.cost_per_intake_cents),
            _change(now.cost_per_intake_cents, before.cost_per_intake_cents),
        ),
        (
            "Cost per patient",
            money(now.cost_per_patient_cents),
            money(before.cost_per_patient_cents),
            _change(now.cost_per_patient_cents, before.cost_per_patient_cents),
        ),
        ("ROI", _pct(now.roi_percent), _pct(before.roi_percent), DASH),
    ]
    header = [
        "Figure",
        "This period",
        f"Previous ({prev.start.isoformat()} – {prev.end.isoformat()})",
        "Change",
    ]
    story: list = [Paragraph("Headline figures", st["h1"])]
    story += chunked_table(header, rows, [150, 100, 170, 60], numeric_from=1)
    story.append(Spacer(1, 6))
    story += _unattributed(report, st, money)
    ltv = report.lifetime_value_cents
    lines = [
        f"<b>Projected lifetime value of a patient:</b> {esc(money(ltv) if ltv else DASH)} "
        "(a projection, kept apart from actual revenue and never added to it).",
        "<b>Median days from first touch to first visit:</b> "
        + (
            DASH
            if report.median_days_to_first_visit is None
            else f"{report.median_days_to_first_visit:g}"
        )
        + ".",
    ]
    story += [Paragraph(line, st["body"]) for line in lines]
    return story


def _unattributed(report: RoiReport, st, money, only_if_any: bool = False) -> list:
    un = report.unattributed
    if only_if_any and not (un.contacts or un.intakes or un.patients or un.revenue_cents):
        return []
    return [
        Paragraph(
            f"<b>Not attributed to any community</b> (not in the figures above): "
            f"{_count(un.contacts)} contacts, {_count(un.intakes)} intakes, "
            f"{_count(un.patients)} patients, {esc(money(un.revenue_cents))} revenue. "
            "Assign them a community on the Contacts page to credit them.",
            st["body"],
        )
    ]


def _charts(report: RoiReport, st) -> list:
    return [
        Paragraph("Activity and results", st["h1"]),
        charts.hours_and_patients_chart(report),
        Spacer(1, 10),
        charts.trend_chart(report),
    ]


COMMUNITY_HEADER = [
    "Community",
    "Posts",
    "Hours",
    "Cost",
    "Contacts",
    "Intakes",
    "Patients",
    "Revenue",
    "Cost / intake",
    "Cost / patient",
    "ROI",
]
# At 7 points: wide enough for $123,456.78 and for each header word.
COMMUNITY_WIDTHS = [96, 28, 32, 51, 41, 36, 39, 51, 48, 48, 40]
COMMUNITY_FONT = 7


def _figure_cells(f: Figures, money, name_cell) -> list:
    return [
        name_cell,
        _count(f.posts),
        _hours(f.minutes),
        money(f.total_cost_cents),
        _count(f.contacts),
        _count(f.intakes),
        _count(f.patients),
        money(f.revenue_cents),
        money(f.cost_per_intake_cents),
        money(f.cost_per_patient_cents),
        _pct(f.roi_percent),
    ]


def _community_table(report: RoiReport, st, money) -> list:
    name_style = ParagraphStyle("name", parent=st["cell"], fontSize=COMMUNITY_FONT)
    rows = [
        _figure_cells(f, money, text_cell(f.name, COMMUNITY_WIDTHS[0], name_style))
        for f in report.rows
    ]
    total_style = ParagraphStyle("total", parent=st["cell_bold"], fontSize=COMMUNITY_FONT)
    rows.append(_figure_cells(report.total, money, Paragraph("All communities", total_style)))
    story: list = [
        PageBreak(),
        Paragraph("Per community", st["h1"]),
        Paragraph(
            "Cost is time cost (hours × the hourly rate) plus direct spend. "
            f"{esc(DASH)} means not defined: nothing to divide by.",
            st["note"],
        ),
        Spacer(1, 4),
    ]
    story += chunked_table(COMMUNITY_HEADER, rows, COMMUNITY_WIDTHS, font_size=COMMUNITY_FONT)
    return story


def _monthly_table(report: RoiReport, st, money) -> list:
    header = [
        "Month",
        "Posts",
        "Hours",
        "Direct cost",
        "Contacts",
        "Intakes",
        "Patients",
        "Revenue",
    ]
    rows = [
        [
            m.month,
            _count(m.posts),
            _hours(m.minutes),
            money(m.direct_cost_cents),
            _count(m.contacts),
            _count(m.intakes),
            _count(m.patients),
            money(m.revenue_cents),
        ]
        for m in report.monthly
    ]
    story: list = [Paragraph("Month by month", st["h2"])]
    story += chunked_table(header, rows, [60, 45, 50, 70, 55, 55, 55, 80])
    return story


def _funnel(report: RoiReport, st) -> list:
    if not report.funnel:
        return []
    rates = [None, *report.funnel_rates]
    rows = [
        [step, _count(n), "" if i == 0 else _pct(None if r is None else r * 100)]
        for i, ((step, n), r) in enumerate(zip(report.funnel, rates, strict=True))
    ]
    story: list = [
        Paragraph("Funnel from contact to patient", st["h1"]),
        Paragraph(
            "People first met in the period, and how many of them had reached each step by "
            "its end. A completed form counts as sent and a first visit as booked even where "
            "those dates were not recorded.",
            st["note"],
        ),
        Spacer(1, 4),
        charts.funnel_chart(report),
        Spacer(1, 4),
    ]
    story += chunked_table(["Step", "People", "Of the step before"], rows, [150, 70, 110])
    # A short section: never a heading at the foot of one page and its chart on the next.
    return [KeepTogether(story)]


ANONYMISED_NOTE = (
    "Anonymised: post titles and the free-text intake answers are left out (they can "
    "name people); no contact is named anywhere in this review."
)


def _top_posts(report: RoiReport, st, anonymised: bool = False) -> list:
    story: list = [Paragraph("The posts that drew the most response", st["h1"])]
    if not report.top_posts:
        story.append(
            Paragraph(
                "No post in the period has recorded replies, reactions or clicks.", st["body"]
            )
        )
        return story
    rows = [
        [
            p.posted_at.date().isoformat(),
            text_cell(p.community, 95, st["cell"]),
            "(left out)" if anonymised else text_cell(p.title or "(untitled)", 165, st["cell"]),
            p.kind,
            _count(p.replies),
            _count(p.reactions),
            _count(p.clicks),
        ]
        for p in report.top_posts
    ]
    story += chunked_table(
        ["Date", "Community", "Title", "Kind", "Replies", "Reactions", "Clicks"],
        rows,
        [52, 95, 165, 52, 40, 48, 35],
        numeric_from=4,
    )
    return story


def _answers(report: RoiReport, st, anonymised: bool = False) -> list:
    story: list = [Paragraph("What the intake answers say", st["h1"])]
    share = report.useful_share
    story.append(
        Paragraph(
            "<b>Found the online advice useful:</b> "
            + (
                "no answers to this question in the period."
                if share is None
                else f"{share * 100:.0f}% of those who answered."
            ),
            st["body"],
        )
    )
    if anonymised:
        story.append(
            Paragraph(
                "<b>Where people look for health information:</b> left out of this anonymised "
                "review (the answers are free text).",
                st["body"],
            )
        )
    elif report.where_people_look:
        story.append(
            Paragraph(
                "<b>Where people look for health information</b> (a pointer to where to post "
                "next):",
                st["body"],
            )
        )
        story.append(Spacer(1, 3))
        rows = [[text_cell(w, 250, st["cell"]), _count(n)] for w, n in report.where_people_look]
        story += chunked_table(["Answer", "People"], rows, [250, 60])
    else:
        story.append(
            Paragraph(
                "Nobody said where they look for health information in the period.", st["body"]
            )
        )
    return story


def _compliance(report: RoiReport, st) -> list:
    story: list = [Paragraph("Compliance", st["h1"])]
    c = report.compliance
    if c is None or c.empty:
        story.append(
            Paragraph(
                "The compliance gate has no records for this period: no advice posts were "
                "logged and no checks were recorded.",
                st["body"],
            )
        )
        return story
    rows = [
        ["Advice posts", _count(c.advice_posts)],
        ["Checked (current text passed)", _count(c.checked)],
        ["Logged without a check", _count(c.unchecked)],
        ["Changed after their check", _count(c.changed_after_check)],
        ["Checks recorded", _count(c.checks)],
    ]
    story += chunked_table(["", "Posts"], rows, [200, 60])
    if c.findings_by_category:
        story.append(Paragraph("Findings by category", st["h2"]))
        story += chunked_table(
            ["Category", "Findings"],
            [[text_cell(cat, 250, st["cell"]), _count(n)] for cat, n in c.findings_by_category],
            [250, 60],
        )
    story.append(Paragraph("Overrides and reasons", st["h2"]))
    if not c.overrides:
        story.append(Paragraph("No finding was overridden.", st["body"]))
    else:
        story += chunked_table(
            ["When", "Community", "Category", "Matched", "Reason"],
            [
                [
                    o.checked_at.date().isoformat(),
                    text_cell(o.community, 90, st["cell"]),
                    text_cell(o.category, 80, st["cell"]),
                    text_cell(o.matched, 100, st["cell"]),
                    text_cell(o.reason, 180, st["cell"]),
                ]
                for o in c.overrides
            ],
            [52, 90, 80, 100, 180],
            numeric_from=99,
        )
    return story


def _rule_text() -> str:
    return (
        f"No verdict before {MIN_DAYS} days and {MIN_MINUTES // 60} hours of data in a "
        "community (until then: keep testing). Then: no patients and no contacts → stop; "
        "no patients but some contacts → reduce; ROI at or above 0% → grow; a patient "
        "costing no more than their projected lifetime value (or the fee per visit when no "
        "projection is set) → keep testing; otherwise → reduce."
    )


def _verdicts(report: RoiReport, st, money) -> list:
    story: list = [
        PageBreak(),
        Paragraph("Verdict per community", st["h1"]),
        Paragraph(f"<b>The rule:</b> {esc(_rule_text())}", st["body"]),
        Paragraph(
            f"<b>Used here:</b> {report.period.days} days of data; projected lifetime value "
            f"{esc(money(report.lifetime_value_cents) if report.lifetime_value_cents else DASH)}"
            f", fee per visit {esc(money(report.fee_per_visit_cents))}.",
            st["body"],
        ),
        Spacer(1, 4),
    ]
    widths = [105, 62, 203, 35, 45, 60]
    rows = [
        [
            text_cell(f.name, widths[0], st["cell"]),
            text_cell(f.verdict, widths[1], st["cell_bold"]),
            text_cell(f.verdict_reason, widths[2], st["cell"]),
            _hours(f.minutes),
            _pct(f.roi_percent),
            money(f.cost_per_patient_cents),
        ]
        for f in report.rows
    ]
    story += chunked_table(
        ["Community", "Verdict", "Why", "Hours", "ROI", "Cost / patient"],
        rows,
        widths,
        numeric_from=3,
        extra_style=[("FONT", (1, 1), (1, -1), FONT_BOLD, 7.5)],
    )
    return story


def _method(report: RoiReport, st, money) -> list:
    fee, ltv = report.fee_per_visit_cents, report.lifetime_value_cents
    items = [
        (
            f"<b>Hourly rate:</b> {esc(money(report.hourly_rate_cents))} an hour, what an hour "
            "of clinical work earns: time cost = minutes ÷ 60 × the hourly rate."
            if report.hourly_rate_cents
            else "<b>Hourly rate:</b> not set, so time costs nothing in this report; set it "
            "in Settings (or with the command “outreach settings set hourly_rate 150.00”)."
        ),
        f"<b>Attribution model:</b> {esc(MODEL_NAMES[report.attribution])}. Contacts no "
        "community is credited with are counted apart, never in the totals.",
        "<b>Projected lifetime value:</b> "
        + (
            f"fee per visit {esc(money(fee))} × {report.visits_per_year:g} visits a year × "
            f"{report.years_retained:g} years retained = {esc(money(ltv))}."
            if ltv
            else "not set (the fee per visit, visits per year and years retained in Settings)."
        ),
        "<b>Dates:</b> posts, contacts and payments fall in the period by their UTC date; "
        "months are calendar months in UTC.",
        "<b>ROI</b> = (revenue − cost) ÷ cost × 100; cost per contact, intake and patient "
        "= cost ÷ their number.",
        f"<b>The verdict rule:</b> {esc(_rule_text())}",
        f"{esc(DASH)} means not defined: nothing to divide by.",
    ]
    story: list = [Paragraph("Method and assumptions", st["h1"])]
    story += [Paragraph(text, st["bullet"], bulletText="•") for text in items]
    return [KeepTogether(story)]
