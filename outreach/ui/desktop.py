"""The desktop around the app: the mail client, the clipboard. One place, so
tests can patch it."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget


def open_url(url: str) -> bool:
    return QDesktopServices.openUrl(QUrl(url))


def copy_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


def ask_yes_no(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes
