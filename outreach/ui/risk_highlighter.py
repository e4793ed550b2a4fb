"""Marks the scan's findings in the composer's text as the user types.

The scan runs on the composed text (on a timer, not per keystroke); this
highlighter only paints the spans it was given. A span is painted only while the
words at its place are still the words that were found, so text typed since the
last scan is never marked by a stale offset. Colours come from the palette, so
dark mode stays readable."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Span:
    start: int  # offsets in the editor's plain text
    end: int
    matched: str
    severity: str  # block, warn or crisis


def _tint(color: QColor, alpha: int) -> QColor:
    tinted = QColor(color)
    tinted.setAlpha(alpha)
    return tinted


def formats(palette: QPalette | None = None) -> dict[str, QTextCharFormat]:
    """One format per severity: a wavy underline and a tinted background for what
    blocks, a dotted underline for warnings, a wavy underline in the link colour
    and a light tint for a crisis."""
    palette = palette or QApplication.palette()
    highlight = palette.color(QPalette.ColorRole.Highlight)
    link = palette.color(QPalette.ColorRole.Link)
    text = palette.color(QPalette.ColorRole.Text)
    block = QTextCharFormat()
    block.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
    block.setUnderlineColor(text)
    block.setBackground(_tint(highlight, 90))
    warn = QTextCharFormat()
    warn.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
    warn.setUnderlineColor(text)
    warn.setBackground(_tint(highlight, 35))
    crisis = QTextCharFormat()
    crisis.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
    crisis.setUnderlineColor(link)
    crisis.setBackground(_tint(link, 60))
    return {"block": block, "warn": warn, "crisis": crisis}


class RiskHighlighter(QSyntaxHighlighter):
    def __init__(self, document, palette: QPalette | None = None):
        super().__init__(document)
        self._formats = formats(palette)
        self._spans: list[Span] = []

    @property
    def spans(self) -> list[Span]:
        return list(self._spans)

    def set_spans(self, spans: list[Span]) -> None:
        if spans == self._spans:
            return
        self._spans = list(spans)
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt's name)
        if not self._spans:
            return
        block = self.currentBlock()
        start_of_block = block.position()
        end_of_block = start_of_block + len(text)
        for span in self._spans:
            if span.end <= start_of_block or span.start >= end_of_block:
                continue
            begin = max(span.start, start_of_block) - start_of_block
            end = min(span.end, end_of_block) - start_of_block
            part = span.matched[
                begin + start_of_block - span.start : end + start_of_block - span.start
            ]
            if text[begin:end].casefold() != part.casefold():
                continue  # typed over since the last scan: the next scan says
            fmt = self._formats.get(span.severity, self._formats["warn"])
            self.setFormat(begin, end - begin, fmt)
