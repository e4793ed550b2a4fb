"""The PDF toolkit every report shares: one embedded Unicode font, one escaping
helper, the paragraph styles, page furniture and an atomic, cancellable build.

Why each piece exists (see PITFALLS.md, ReportLab):
- Helvetica prints Cyrillic and Greek as black boxes, so DejaVu Sans is embedded.
- Paragraph parses its text as markup: `<`, `&` and tags in a community name
  would break the build or be obeyed, so user text goes through `esc` and nowhere else.
- One big Table grows quadratically with its rows, so long tables are chunked.
- A failed or cancelled build must never leave half a PDF where the user looks.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from .. import __version__
from ..errors import Cancelled, OutreachError
from ..paths import resource

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"
_FACES = {
    FONT: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_ITALIC: "DejaVuSans-Oblique.ttf",
    FONT_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}

PAGE_SIZE = A4
MARGIN = 15 * mm
FRAME_WIDTH = PAGE_SIZE[0] - 2 * MARGIN

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
RULE = colors.HexColor("#cbd2d9")
HEADER_FILL = colors.HexColor("#e4e7eb")
ZEBRA = colors.HexColor("#f5f7fa")

Progress = Callable[[int, int], bool]


def register_fonts() -> str:
    """Register the DejaVu Sans family once per process; returns its name."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    for name, filename in _FACES.items():
        pdfmetrics.registerFont(TTFont(name, str(resource(f"fonts/{filename}"))))
    # The family lets <b> and <i> inside a Paragraph pick the right face.
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
    )
    return FONT


def esc(text: object) -> str:
    """User text made safe for Paragraph markup; None is empty. The one helper."""
    if text is None:
        return ""
    return escape(str(text), {'"': "&quot;", "'": "&#39;"})


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    # bulletFontName too: its default is Helvetica, which has no Cyrillic or Greek.
    base = ParagraphStyle(
        "body", fontName=FONT, bulletFontName=FONT, fontSize=9.5, leading=13, textColor=INK
    )
    made = {
        "body": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=24, leading=30, spaceAfter=10
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontSize=13, leading=18, textColor=MUTED, spaceAfter=4
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=FONT_BOLD,
            keepWithNext=1,
            fontSize=14,
            leading=18,
            spaceBefore=8,
            spaceAfter=6,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            keepWithNext=1,
            fontSize=11,
            leading=14,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "note": ParagraphStyle(
            "note", parent=base, fontName=FONT_ITALIC, fontSize=8.5, leading=11, textColor=MUTED
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5),
        "cell_bold": ParagraphStyle(
            "cell_bold", parent=base, fontName=FONT_BOLD, fontSize=7.5, leading=9.5
        ),
        "cell_right": ParagraphStyle(
            "cell_right", parent=base, fontSize=7.5, leading=9.5, alignment=TA_RIGHT
        ),
        "centre": ParagraphStyle("centre", parent=base, alignment=TA_CENTER),
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD, fontSize=7.5, leading=9),
    }
    made["head_right"] = ParagraphStyle("head_right", parent=made["head"], alignment=TA_RIGHT)
    made["bullet"] = ParagraphStyle("bullet", parent=base, leftIndent=12, bulletIndent=2)
    return made


def para(text: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of user text, escaped (for markup of our own use Paragraph directly)."""
    return Paragraph(esc(text), style)


def table_style(numeric_from: int = 1, font_size: float = 7.5) -> TableStyle:
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, font_size),
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, font_size),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, MUTED),
            ("LINEBELOW", (0, -1), (-1, -1), 0.4, RULE),
            ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
    )


def text_cell(text: object, width: float, style: ParagraphStyle) -> str:
    """User text for a table cell of ``width``, wrapped onto lines.

    A plain string, not a Paragraph: Table draws strings as they are (never
    parsed as markup, so nothing to escape) and lays them out about ten times
    faster, which is what keeps a 2,000-row table quick. Set the column's font
    in the table style to match ``style``.
    """
    value = "" if text is None else " ".join(str(text).split())
    room = width - 6  # the table style's left and right padding
    font, size = style.fontName, style.fontSize
    if pdfmetrics.stringWidth(value, font, size) <= room:
        return value
    lines = []
    for line in simpleSplit(value, font, size, room):
        # simpleSplit breaks at spaces only; a longer word is cut to fit.
        while pdfmetrics.stringWidth(line, font, size) > room and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and pdfmetrics.stringWidth(line[:cut], font, size) > room:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return "\n".join(lines)


def chunked_table(
    header: Sequence[object],
    rows: Sequence[Sequence[object]],
    col_widths: Sequence[float] | None,
    chunk: int = 400,
    *,
    numeric_from: int = 1,
    font_size: float = 7.5,
    style: TableStyle | None = None,
    extra_style: Sequence[tuple] = (),
) -> list[Table]:
    """Tables of at most ``chunk`` rows, each repeating the header.

    Plain strings in cells are drawn as they are (no markup, no wrapping);
    wrap user text that may be long in ``para(text, styles()["cell"])``.
    """
    head = ParagraphStyle("head_sized", parent=styles()["head"], fontSize=font_size)
    rows = list(rows)
    # Header words wrap inside their column rather than running into the next one.
    if col_widths is not None:
        header = [
            text_cell(h, w, head) if isinstance(h, str) else h
            for h, w in zip(header, col_widths, strict=True)
        ]
    made = []
    for start in range(0, max(len(rows), 1), chunk):
        part = rows[start : start + chunk]
        table = Table([header, *part], colWidths=col_widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(style or table_style(numeric_from, font_size))
        if extra_style:
            table.setStyle(TableStyle(list(extra_style)))
        made.append(table)
    return made


def _numbered_canvas(header_text: str, footer_left: str):
    """A canvas that holds each page until the end so the footer can say "of M"."""

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._furniture(total)
                super().showPage()
            super().save()

        def _furniture(self, total: int) -> None:
            width, height = self._pagesize
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN, height - MARGIN + 10, width - MARGIN, height - MARGIN + 10)
            self.line(MARGIN, MARGIN - 12, width - MARGIN, MARGIN - 12)
            self.setFillColor(MUTED)
            self.setFont(FONT, 7.5)
            # drawString does not parse markup, so user text needs no escaping here.
            room = width - 2 * MARGIN
            self.drawString(MARGIN, height - MARGIN + 14, _fit(header_text, FONT, 7.5, room))
            self.drawString(MARGIN, MARGIN - 22, _fit(footer_left, FONT, 7.5, room - 80))
            self.drawRightString(width - MARGIN, MARGIN - 22, f"page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Cut text with an ellipsis so it never runs off the page."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


class _Doc(SimpleDocTemplate):
    def __init__(self, *args, progress: Progress | None = None, total: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self._progress = progress
        self._total = total
        self._done = 0
        self.page_count = 0

    def afterFlowable(self, flowable):  # noqa: N802 (ReportLab's name)
        self._done += 1
        if (
            self._progress is not None
            and self._progress(min(self._done, self._total), self._total) is False
        ):
            raise Cancelled("Cancelled; no report was written.")

    def afterPage(self):  # noqa: N802 (ReportLab's name)
        self.page_count = self.page


def _write_error(path: Path, exc: OSError) -> OutreachError:
    return OutreachError(
        f"Could not write {path}: {exc.strerror or exc}. Check the folder exists, has free "
        "space, and that the file is not open in another program."
    )


def build_document(
    path,
    story: list,
    *,
    title: str,
    author: str,
    subject: str,
    header_text: str,
    footer_text: str = "",
    deterministic: bool = False,
    progress: Progress | None = None,
) -> int:
    """Write ``story`` to ``path`` atomically; returns the number of pages.

    ``progress(done, total)`` is called as flowables are laid out; returning
    False cancels: Cancelled is raised and no file is left behind.
    """
    register_fonts()
    target = Path(path)
    # In the target's own folder, so os.replace is an atomic rename, never a copy;
    # "x" gives the usual permissions (mkstemp's are 0600) and never clobbers a file,
    # so the cleanup below only ever removes our own.
    temp_name = str(target.with_name(f".{target.name}.{secrets.token_hex(4)}.part"))
    try:
        open(temp_name, "xb").close()  # noqa: SIM115
    except OSError as exc:
        raise _write_error(target, exc) from exc
    creator = f"Outreach {__version__}"
    doc = _Doc(
        temp_name,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=author,
        subject=subject,
        creator=creator,
        producer=creator,
        invariant=1 if deterministic else 0,
        # Otherwise every page starts in (and the file references) Helvetica.
        initialFontName=FONT,
        progress=progress,
        total=len(story),
    )
    try:
        if progress is not None and progress(0, len(story)) is False:
            raise Cancelled("Cancelled; no report was written.")
        doc.build(list(story), canvasmaker=_numbered_canvas(header_text, footer_text or creator))
        os.replace(temp_name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise _write_error(target, exc) from exc
        raise
    if progress is not None:
        progress(len(story), len(story))
    return doc.page_count
