"""File choosers in one place, so tests can patch them."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QWidget

CSV_FILTER = "CSV files (*.csv *.txt *.tsv);;All files (*)"


def ask_open_file(parent: QWidget, title: str, file_filter: str = CSV_FILTER) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, "", file_filter)
    return path or None


def ask_save_file(
    parent: QWidget, title: str, suggested: str, file_filter: str = CSV_FILTER
) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path or None
