"""The report's charts, defined once: ReportLab drawings that go into the PDF as
they are and onto the screen as SVG (QSvgWidget), so both always agree.

No Qt here. Every function takes an RoiReport and copes with an empty one.
"""

from __future__ import annotations

import math

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors

from .pdf_kit import FONT, FONT_BOLD, FRAME_WIDTH, MUTED, RULE, register_fonts
from .roi import RoiReport

WIDTH = FRAME_WIDTH
HOURS_COLOUR = colors.HexColor("#3e7cb1")
PATIENTS_COLOUR = colors.HexColor("#e07a1f")
REVENUE_COLOUR = colors.HexColor("#3f9c5a")
FUNNEL_COLOUR = colors.HexColor("#6c5ba7")
MAX_COMMUNITIES = 12  # more bars than this are unreadable; the table has the rest
NO_DATA = "No data in this period"


def _drawing(width: float, height: float) -> Drawing:
    register_fonts()
    d = Drawing(width, height)
    # Otherwise each drawing starts in Helvetica, which has no Cyrillic or Greek.
    d.initialFontName = FONT
    # Its own white ground: on a dark-mode screen the SVG's black text stays legible.
    d.add(Rect(0, 0, width, height, fillColor=colors.white, strokeColor=None))
    return d


def _title(drawing: Drawing, text: str, y: float, x: float = 0) -> None:
    drawing.add(String(x, y, text, fontName=FONT_BOLD, fontSize=9, fillColor=colors.black))


def _empty(title: str, height: float = 90) -> Drawing:
    register_fonts()
    d = _drawing(WIDTH, height)
    d.add(Rect(0, 0, WIDTH, height, strokeColor=RULE, fillColor=None, strokeWidth=0.5))
    _title(d, title, height - 14, 6)
    d.add(
        String(
            WIDTH / 2,
            height / 2 - 8,
            NO_DATA,
            fontName=FONT,
            fontSize=11,
            fillColor=MUTED,
            textAnchor="middle",
        )
    )
    return d


def _short(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _count_label(value: float) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".") if value else "0"


def _value_axis(axis, series, people: bool) -> None:
    """A value axis from 0, with light grid lines. A count of people steps in
    whole people (no "0.5 patients" tick) unless linear credit made fractions."""
    axis.valueMin = 0
    axis.valueMax = max(max(series), 1) * 1.15
    if people and all(float(v).is_integer() for v in series):
        axis.valueStep = max(1, math.ceil(max(series) / 5))
    axis.labels.fontName = FONT
    axis.labels.fontSize = 6.5
    axis.labelTextFormat = _count_label
    axis.strokeColor = RULE
    axis.visibleGrid = True
    axis.gridStrokeColor = colors.HexColor("#eeeeee")


def hours_and_patients_chart(report: RoiReport) -> Drawing:
    """Two bar panels side by side, one line per community: hours spent and patients
    won. Separate panels because the two are in different units."""
    title = "Hours and patients per community"
    rows = [r for r in report.rows if r.minutes or r.patients]
    if not rows:
        return _empty(title)
    register_fonts()
    rows.sort(key=lambda r: (-r.minutes, -r.patients, r.name.lower()))
    shown = rows[:MAX_COMMUNITIES]
    names = [_short(r.name) for r in reversed(shown)]  # bar charts draw bottom-up
    bar_h = 14
    plot_h = bar_h * len(shown)
    height = plot_h + 60
    label_w = 130
    gap = 24
    panel_w = (WIDTH - label_w - gap) / 2
    d = _drawing(WIDTH, height)
    _title(d, title, height - 12)
    if len(rows) > len(shown):
        d.add(
            String(
                WIDTH,
                height - 12,
                f"the {len(shown)} with most hours of {len(rows)}",
                fontName=FONT,
                fontSize=7,
                fillColor=MUTED,
                textAnchor="end",
            )
        )
    for i, (series, colour, caption, with_labels) in enumerate(
        (
            ([r.hours for r in reversed(shown)], HOURS_COLOUR, "Hours", True),
            ([r.patients for r in reversed(shown)], PATIENTS_COLOUR, "Patients", False),
        )
    ):
        chart = HorizontalBarChart()
        chart.x = label_w + i * (panel_w + gap)
        chart.y = 22
        chart.width = panel_w
        chart.height = plot_h
        chart.data = [series]
        chart.bars[0].fillColor = colour
        chart.bars[0].strokeColor = None
        chart.barSpacing = 1
        chart.groupSpacing = 3
        # The names once, left of the first panel; the second shares its rows.
        chart.categoryAxis.categoryNames = names if with_labels else [""] * len(names)
        chart.categoryAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = 7
        chart.categoryAxis.labels.dx = -3
        chart.categoryAxis.strokeColor = RULE
        _value_axis(chart.valueAxis, series, people=caption == "Patients")
        chart.barLabelFormat = _count_label
        chart.barLabels.fontName = FONT
        chart.barLabels.fontSize = 6
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.dx = 2
        d.add(chart)
        d.add(
            String(
                chart.x + panel_w / 2,
                chart.y + plot_h + 6,
                caption,
                fontName=FONT,
                fontSize=8,
                fillColor=colour,
                textAnchor="middle",
            )
        )
    return d


def trend_chart(report: RoiReport, second: str = "patients") -> Drawing:
    """Month by month: hours above, patients (or revenue) below, on one time axis."""
    title = "Monthly trend"
    months = report.monthly
    if report.empty or not months:
        return _empty(title)
    register_fonts()
    if second == "revenue":
        lower = [m.revenue_cents / 100 for m in months]
        lower_caption, lower_colour = f"Revenue ({report.currency})", REVENUE_COLOUR
    else:
        lower = [m.patients for m in months]
        lower_caption, lower_colour = "Patients", PATIENTS_COLOUR
    upper = [m.hours for m in months]
    # A label every few months keeps a long period readable.
    step = max(1, -(-len(months) // 12))
    names = [_month_label(m.month) if i % step == 0 else "" for i, m in enumerate(months)]
    panel_h = 70
    height = 2 * panel_h + 80
    d = _drawing(WIDTH, height)
    _title(d, title, height - 12)
    for i, (series, caption, colour) in enumerate(
        ((upper, "Hours", HOURS_COLOUR), (lower, lower_caption, lower_colour))
    ):
        chart = HorizontalLineChart()
        chart.x = 40
        chart.y = 20 + (1 - i) * (panel_h + 30)
        chart.width = WIDTH - 50
        chart.height = panel_h
        chart.data = [series]
        chart.joinedLines = 1
        chart.lines[0].strokeColor = colour
        chart.lines[0].strokeWidth = 1.5
        chart.categoryAxis.categoryNames = names if i == 1 else [""] * len(names)
        chart.categoryAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = 6.5
        chart.categoryAxis.labels.angle = 0
        chart.categoryAxis.strokeColor = RULE
        _value_axis(chart.valueAxis, series, people=caption == "Patients")
        d.add(chart)
        d.add(
            String(
                chart.x,
                chart.y + panel_h + 6,
                caption,
                fontName=FONT,
                fontSize=8,
                fillColor=colour,
            )
        )
    return d


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{_MONTHS[int(number) - 1]} {year[2:]}"


def funnel_chart(report: RoiReport) -> Drawing:
    """From contact to patient: one bar per step, with the count and the rate
    from the step before."""
    title = "Funnel: contacts first met in the period"
    counts = [n for _, n in report.funnel]
    if not counts or not counts[0]:
        return _empty(title)
    register_fonts()
    rates = [None, *report.funnel_rates]
    bar_h, label_w = 22, 110
    plot_w = WIDTH - label_w - 120
    height = bar_h * len(counts) + 34
    d = _drawing(WIDTH, height)
    _title(d, title, height - 12)
    top = height - 26
    most = max(counts)
    for i, ((step, n), rate) in enumerate(zip(report.funnel, rates, strict=True)):
        y = top - (i + 1) * bar_h
        width = plot_w * n / most if most else 0
        d.add(String(label_w - 6, y + 7, step, fontName=FONT, fontSize=8, textAnchor="end"))
        d.add(
            Rect(
                label_w,
                y + 3,
                max(width, 0.5),
                bar_h - 6,
                fillColor=FUNNEL_COLOUR,
                strokeColor=None,
            )
        )
        text = f"{n:,}"
        if i:
            text += "  (—)" if rate is None else f"  ({rate * 100:.0f}% of the step before)"
        d.add(String(label_w + width + 4, y + 7, text, fontName=FONT, fontSize=7.5))
    d.add(Line(label_w, top - len(counts) * bar_h, label_w, top, strokeColor=RULE))
    return d


# In SVG a font is a family plus a weight and style, not a face name; the screen
# then finds DejaVu Sans if installed, else its own sans-serif.
_SVG_FONTS = {
    FONT: {"family": "DejaVu Sans, sans-serif"},
    FONT_BOLD: {"family": "DejaVu Sans, sans-serif", "weight": "bold"},
}


def drawing_to_svg(drawing: Drawing) -> bytes:
    """SVG bytes for QSvgWidget.load(QByteArray(...)).

    useClip: Qt's SVG renderer does not support clipPath and painted the clip
    rectangle as a black background over the whole chart.
    """
    text = renderSVG.drawToString(
        drawing, useClip=True, fontHacks={k: dict(v) for k, v in _SVG_FONTS.items()}
    )
    # ReportLab writes "fill: None", which is not CSS; Qt then fills lines black.
    return text.replace("fill: None", "fill: none").encode("utf-8")
